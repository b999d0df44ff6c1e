"""Routes of the roster import (花名册导入)."""

from django.urls import path

from yinfa.people.views import imports

urlpatterns = [
    path("imports/", imports.import_list, name="import_list"),
    path("imports/new/", imports.import_new, name="import_new"),
    path("imports/template/", imports.import_template, name="import_template"),
    path("imports/<uuid:uid>/", imports.import_detail, name="import_detail"),
    path("imports/<uuid:uid>/confirm/", imports.import_confirm, name="import_confirm"),
    path("imports/<uuid:uid>/cancel/", imports.import_cancel, name="import_cancel"),
    path("imports/<uuid:uid>/errors/", imports.import_errors, name="import_errors"),
]
