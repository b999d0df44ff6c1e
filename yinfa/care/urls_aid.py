"""URLs of the care app: hardship aid (困难帮扶)."""

from django.urls import path

from yinfa.care.views import aid

urlpatterns = [
    path("aid/", aid.aid_list, name="aid_list"),
    path("aid/export/", aid.aid_export, name="aid_export"),
    path("aid/new/", aid.aid_create, name="aid_create"),
    path("aid/totals/", aid.aid_totals, name="aid_totals"),
    path("aid/totals/export/", aid.aid_totals_export, name="aid_totals_export"),
    path("aid/<int:pk>/", aid.aid_detail, name="aid_detail"),
    path("aid/<int:pk>/attachments/new/", aid.aid_attachment_add, name="aid_attachment_add"),
    path("aid/attachments/<int:pk>/", aid.aid_attachment, name="aid_attachment"),
]
