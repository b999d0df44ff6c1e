"""Routes of the assessment part of the party-life app."""

from django.urls import path

from yinfa.partylife.views import assessment as rounds
from yinfa.partylife.views import assessment_branch as branch
from yinfa.partylife.views import assessment_templates as templates

urlpatterns = [
    path("assessment/", rounds.round_list, name="assessment_list"),
    path("assessment/new/", rounds.round_create, name="assessment_round_create"),
    path("assessment/<int:pk>/", rounds.round_detail, name="assessment_round_detail"),
    path("assessment/<int:pk>/move/", rounds.round_transition, name="assessment_round_transition"),
    path("assessment/<int:pk>/refresh/", rounds.round_refresh, name="assessment_round_refresh"),
    path("assessment/<int:pk>/export/", rounds.round_export, name="assessment_round_export"),
    path("assessment/branch/<int:pk>/", branch.assessment_branch, name="assessment_branch"),
    path("assessment/branch/<int:pk>/review/", branch.assessment_review, name="assessment_review"),
    path("assessment/branch/<int:pk>/return/", branch.assessment_return, name="assessment_return"),
    path("assessment/branch/<int:pk>/refresh/", branch.assessment_refresh, name="assessment_refresh"),
    path("assessment/evidence/<int:pk>/", branch.assessment_evidence, name="assessment_evidence"),
    path("assessment/templates/", templates.template_list, name="assessment_template_list"),
    path("assessment/templates/new/", templates.template_create, name="assessment_template_create"),
    path("assessment/templates/<int:pk>/", templates.template_detail, name="assessment_template_detail"),
    path("assessment/templates/<int:pk>/edit/", templates.template_edit, name="assessment_template_edit"),
    path("assessment/templates/<int:pk>/copy/", templates.template_copy, name="assessment_template_copy"),
]
