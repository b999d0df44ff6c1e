"""The role catalogue and the permissions each role carries (permissions as code)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", _("Veteran cadres bureau administrator")
    UNIT_ADMIN = "unit_admin", _("Unit administrator")
    COMMUNITY_ADMIN = "community_admin", _("Street / community administrator")
    COMMITTEE_ADMIN = "committee_admin", _("Work committee administrator")
    BRANCH_SECRETARY = "branch_secretary", _("Branch secretary")
    LIAISON = "liaison", _("Liaison")
    VOLUNTEER = "volunteer", _("Volunteer")
    RETIREE = "retiree", _("Retiree (self)")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


# 三员: the three administrator roles. No account holds two of them, nor any business role.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
BUSINESS_ROLES = frozenset(set(Role) - ADMIN_ROLES)


class Perm(models.TextChoices):
    ORG_VIEW = "org.view", _("View the organisation tree")
    ORG_MANAGE = "org.manage", _("Edit the organisation tree")
    USER_VIEW = "user.view", _("View accounts")
    USER_MANAGE = "user.manage", _("Create and edit accounts")
    GRANT_BUSINESS_ROLES = "grant.business", _("Grant business roles")
    GRANT_ADMIN_ROLES = "grant.admin", _("Grant administrator roles")
    AUDIT_VIEW = "audit.view", _("Read the audit trail")
    AUDIT_EXPORT = "audit.export", _("Export the audit trail")
    SYSTEM_SETTINGS = "system.settings", _("Change system settings")
    SYSTEM_MAINTENANCE = "system.maintenance", _("Maintenance and background jobs")
    PEOPLE_VIEW = "people.view", _("View person files")
    PEOPLE_EDIT = "people.edit", _("Edit person files")
    PEOPLE_REVEAL = "people.reveal", _("Reveal full ID numbers and phones")
    PEOPLE_IMPORT = "people.import", _("Import rosters")
    PEOPLE_EXPORT = "people.export", _("Export person lists")
    HEALTH_VIEW = "health.view", _("View health details")
    PARTY_VIEW = "party.view", _("View party branches and meetings")
    PARTY_MANAGE = "party.manage", _("Manage party branches and meetings")
    DUES_MANAGE = "dues.manage", _("Record party dues")
    CARE_VIEW = "care.view", _("View visits and care")
    CARE_MANAGE = "care.manage", _("Record visits and care")
    SERVICE_FULFIL = "service.fulfil", _("Take and fulfil service orders and wishes")
    SELF_SERVICE = "self.service", _("Use the retiree portal")


_PEOPLE_STAFF = {Perm.PEOPLE_VIEW, Perm.PEOPLE_EDIT, Perm.PEOPLE_IMPORT, Perm.PEOPLE_EXPORT}

ROLE_PERMISSIONS = {
    Role.BUREAU_ADMIN: {
        Perm.ORG_VIEW, Perm.ORG_MANAGE, Perm.USER_VIEW, Perm.USER_MANAGE, Perm.GRANT_BUSINESS_ROLES,
        *_PEOPLE_STAFF, Perm.PEOPLE_REVEAL, Perm.HEALTH_VIEW, Perm.PARTY_VIEW, Perm.PARTY_MANAGE,
        Perm.DUES_MANAGE, Perm.CARE_VIEW, Perm.CARE_MANAGE,
    },
    Role.UNIT_ADMIN: {
        Perm.ORG_VIEW, *_PEOPLE_STAFF, Perm.PEOPLE_REVEAL, Perm.HEALTH_VIEW, Perm.PARTY_VIEW,
        Perm.CARE_VIEW, Perm.CARE_MANAGE,
    },
    Role.COMMUNITY_ADMIN: {
        Perm.ORG_VIEW, Perm.PEOPLE_VIEW, Perm.PEOPLE_EDIT, Perm.PEOPLE_EXPORT, Perm.PARTY_VIEW,
        Perm.CARE_VIEW, Perm.CARE_MANAGE, Perm.SERVICE_FULFIL,
    },
    Role.COMMITTEE_ADMIN: {
        Perm.ORG_VIEW, Perm.ORG_MANAGE, Perm.PEOPLE_VIEW, Perm.PEOPLE_EXPORT, Perm.PARTY_VIEW,
        Perm.PARTY_MANAGE, Perm.DUES_MANAGE,
    },
    Role.BRANCH_SECRETARY: {Perm.ORG_VIEW, Perm.PEOPLE_VIEW, Perm.PARTY_VIEW, Perm.PARTY_MANAGE, Perm.DUES_MANAGE},
    Role.LIAISON: {Perm.ORG_VIEW, Perm.PEOPLE_VIEW, Perm.PARTY_VIEW, Perm.PARTY_MANAGE},
    Role.VOLUNTEER: {Perm.SERVICE_FULFIL},
    Role.RETIREE: {Perm.SELF_SERVICE},
    Role.SYSTEM_ADMIN: {Perm.SYSTEM_SETTINGS, Perm.SYSTEM_MAINTENANCE},
    Role.SECURITY_ADMIN: {Perm.ORG_VIEW, Perm.USER_VIEW, Perm.USER_MANAGE, Perm.GRANT_BUSINESS_ROLES,
                          Perm.GRANT_ADMIN_ROLES},
    Role.AUDIT_ADMIN: {Perm.AUDIT_VIEW, Perm.AUDIT_EXPORT},
}


def roles_grantable_with(permissions) -> set:
    roles = set()
    if Perm.GRANT_BUSINESS_ROLES in permissions:
        roles |= BUSINESS_ROLES
    if Perm.GRANT_ADMIN_ROLES in permissions:
        roles |= ADMIN_ROLES
    return roles
