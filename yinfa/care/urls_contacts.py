"""URLs of the care app: care contacts (policies, assignments, contacts, escalations)."""

from django.urls import path

from yinfa.care.views import contacts, contacts_escalations, contacts_policies

urlpatterns = [
    path("my-care/", contacts.my_care, name="my_care"),
    path("assignments/<int:pk>/contact/", contacts.contact_create, name="contact_create"),
    path("assignments/", contacts.assignment_list, name="assignment_list"),
    path("assignments/export/", contacts.assignment_export, name="assignment_export"),
    path("assignments/new/", contacts.assignment_create, name="assignment_create"),
    path("assignments/<int:pk>/end/", contacts.assignment_end, name="assignment_end"),
    path("escalations/", contacts_escalations.escalation_list, name="escalation_list"),
    path("escalations/<int:pk>/", contacts_escalations.escalation_resolve, name="escalation_resolve"),
    path("policies/", contacts_policies.policy_list, name="policy_list"),
]
