"""URLs of the party dues app."""

from django.urls import path

from yinfa.dues.views import branch, imports, members, overview

app_name = "dues"

urlpatterns = [
    path("", overview.home, name="home"),
    path("arrears/", overview.arrears_list, name="arrears"),
    path("arrears/export/", overview.arrears_export, name="arrears_export"),
    path("report/", overview.report, name="report"),
    path("report/export/", overview.report_export, name="report_export"),
    path("bases/import/", imports.base_import, name="base_import"),
    path("bases/import/template/", imports.base_import_template, name="base_import_template"),
    path("branches/<int:pk>/", branch.branch, name="branch"),
    path("branches/<int:pk>/export/", branch.branch_export, name="branch_export"),
    path("branches/<int:pk>/pay/", branch.batch, name="batch"),
    path("payments/<int:pk>/void/", branch.payment_void, name="payment_void"),
    path("members/<int:pk>/", members.member, name="member"),
    path("members/<int:pk>/statement/", members.statement, name="statement"),
    path("members/<int:pk>/bases/new/", members.base_create, name="base_create"),
    path("members/<int:pk>/decisions/new/", members.decision_create, name="decision_create"),
    path("bases/<int:pk>/delete/", members.base_delete, name="base_delete"),
    path("decisions/<int:pk>/delete/", members.decision_delete, name="decision_delete"),
]
