"""Routes of the branches part of the party-life app: branches, memberships, a person's party page and community
registration (社区报到)."""

from django.urls import path

from yinfa.partylife.views import branches, memberships, registrations

urlpatterns = [
    path("branches/", branches.branch_list, name="branch_list"),
    path("branches/warnings/", branches.branch_warnings, name="branch_warnings"),
    path("branches/export.xlsx", branches.branch_export, name="branch_export"),
    path("branches/<int:pk>/", branches.branch_detail, name="branch_detail"),
    path("branches/<int:pk>/edit/", branches.branch_edit, name="branch_edit"),
    path("branches/<int:pk>/elect/", branches.branch_elect, name="branch_elect"),
    path("branches/<int:pk>/posts/", branches.branch_post_change, name="branch_post_change"),
    path("branches/<int:pk>/members/add/", memberships.member_add, name="member_add"),
    path("branches/<int:pk>/functional/add/", memberships.functional_add, name="functional_add"),
    path("memberships/<int:pk>/transfer/", memberships.membership_transfer, name="membership_transfer"),
    path("memberships/<int:pk>/convert/", memberships.membership_convert, name="membership_convert"),
    path("memberships/<int:pk>/group/", memberships.membership_group, name="membership_group"),
    path("memberships/<int:pk>/leave/", memberships.functional_leave, name="functional_leave"),
    path("people/<int:pk>/", memberships.person_party, name="person_party"),
    path("people/<int:pk>/add-to-branch/", memberships.person_branch_pick, name="person_branch_pick"),
    path("people/<int:pk>/functional/", memberships.person_functional_join, name="person_functional_join"),
    path("registrations/", registrations.registration_list, name="registration_list"),
    path("registrations/export.xlsx", registrations.registration_export, name="registration_export"),
    path("registrations/add/", registrations.registration_add, name="registration_add"),
    path("registrations/<int:pk>/end/", registrations.registration_end, name="registration_end"),
]
