"""Routes of the annual check (年检) part of the people app."""

from django.urls import path

from yinfa.people.views import annual_check as views

urlpatterns = [
    path("annual-check/", views.campaign_list, name="annual_check_list"),
    path("annual-check/open/", views.campaign_open, name="annual_check_open"),
    path("annual-check/<int:pk>/", views.campaign_detail, name="annual_check_detail"),
    path("annual-check/<int:pk>/progress.xlsx", views.progress_export, name="annual_check_progress_export"),
    path("annual-check/<int:pk>/remind/", views.campaign_remind, name="annual_check_remind"),
    path("annual-check/<int:pk>/close/", views.campaign_close, name="annual_check_close"),
    path("annual-check/<int:pk>/prepare/", views.campaign_prepare, name="annual_check_prepare"),
    path("annual-check/<int:pk>/unconfirmed/", views.unconfirmed, name="annual_check_unconfirmed"),
    path("annual-check/<int:pk>/unconfirmed/export/", views.unconfirmed_export,
         name="annual_check_unconfirmed_export"),
    path("annual-check/<int:pk>/confirm/", views.confirm_page, name="annual_check_confirm"),
    path("annual-check/<int:pk>/confirm/selected/", views.confirm_selected, name="annual_check_confirm_selected"),
    path("annual-check/items/<int:pk>/", views.item_check, name="annual_check_item"),
    path("annual-check/items/<int:pk>/confirm/", views.item_confirm, name="annual_check_item_confirm"),
]
