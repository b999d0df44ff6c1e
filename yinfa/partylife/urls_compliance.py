"""Routes of the compliance part of the party-life app."""

from django.urls import path

from yinfa.partylife.views import compliance

urlpatterns = [
    path("compliance/", compliance.compliance_tree, name="compliance"),
    path("compliance/branch/<int:pk>/", compliance.compliance_branch, name="compliance_branch"),
    path("compliance/export/", compliance.compliance_export, name="compliance_export"),
    path("compliance/rules/", compliance.rule_list, name="rule_list"),
    path("compliance/rules/new/", compliance.rule_create, name="rule_create"),
    path("compliance/rules/<int:pk>/", compliance.rule_edit, name="rule_edit"),
]
