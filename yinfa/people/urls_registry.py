"""Routes of the registry part of the people app: the list, the file and its rows."""

from django.urls import path

from yinfa.people.views import file, file_events, file_rows, registry

urlpatterns = [
    path("", registry.person_list, name="person_list"),
    path("find/", registry.person_find, name="person_find"),
    path("export/", registry.person_export, name="person_export"),
    path("new/", registry.person_create, name="person_create"),
    path("<int:pk>/", file.person_detail, name="person_detail"),
    path("<int:pk>/history/", file.person_history, name="person_history"),
    path("<int:pk>/edit/<slug:section>/", file.person_edit, name="person_edit"),
    path("<int:pk>/health/", file.health_edit, name="health_edit"),
    path("<int:pk>/reveal/", file.person_reveal, name="person_reveal"),
    path("<int:pk>/contacts/new/", file_rows.contact_add, name="contact_add"),
    path("contacts/<int:pk>/edit/", file_rows.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/delete/", file_rows.contact_delete, name="contact_delete"),
    path("<int:pk>/honours/new/", file_rows.honour_add, name="honour_add"),
    path("honours/<int:pk>/edit/", file_rows.honour_edit, name="honour_edit"),
    path("honours/<int:pk>/delete/", file_rows.honour_delete, name="honour_delete"),
    path("<int:pk>/documents/new/", file_rows.document_add, name="document_add"),
    path("documents/<int:pk>/", file_rows.document_download, name="document_download"),
    path("documents/<int:pk>/delete/", file_rows.document_delete, name="document_delete"),
    path("<int:pk>/events/new/<slug:kind>/", file_events.event_add, name="event_add"),
    path("events/<int:pk>/edit/", file_events.event_edit, name="event_edit"),
    path("events/<int:pk>/delete/", file_events.event_delete, name="event_delete"),
    path("<int:pk>/death/", file_events.death_record, name="death_record"),
    path("events/<int:pk>/undo-death/", file_events.death_undo, name="death_undo"),
]
