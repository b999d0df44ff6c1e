"""URLs of the care app: visit campaigns and their tasks."""

from django.urls import path

from yinfa.care.views import campaigns

urlpatterns = [
    path("campaigns/", campaigns.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/delete/", campaigns.campaign_delete, name="campaign_delete"),
    path("campaigns/<int:pk>/status/", campaigns.campaign_transition, name="campaign_transition"),
    path("campaigns/<int:pk>/roster/", campaigns.campaign_redraw, name="campaign_redraw"),
    path("campaigns/<int:pk>/export/", campaigns.campaign_export, name="campaign_export"),
    path("campaigns/<int:pk>/tasks/", campaigns.campaign_unit, name="campaign_unit"),
    path("campaigns/tasks/<int:pk>/skip/", campaigns.task_skip, name="task_skip"),
    path("campaigns/tasks/<int:pk>/undo/", campaigns.task_unskip, name="task_unskip"),
]
