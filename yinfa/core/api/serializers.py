"""Serializers of the API (read-only for now). Personal data leave only masked."""

from django.utils import timezone
from rest_framework import serializers

from yinfa.core.masking import mask_phone
from yinfa.core.models import OrgNode, RoleGrant, User
from yinfa.core.permissions import Perm, Role


class OrgNodeSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    unit_kind_display = serializers.CharField(source="get_unit_kind_display", read_only=True)
    is_closed = serializers.BooleanField(read_only=True)

    class Meta:
        model = OrgNode
        fields = ["id", "code", "name", "kind", "kind_display", "unit_kind", "unit_kind_display", "parent", "path",
                  "depth", "child_count", "sort_order", "opened_on", "closed_on", "is_closed"]
        read_only_fields = fields


class NodeBriefSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = OrgNode
        fields = ["id", "code", "name", "kind", "kind_display", "path"]
        read_only_fields = fields


class GrantSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    node = NodeBriefSerializer(read_only=True)
    active = serializers.SerializerMethodField()

    class Meta:
        model = RoleGrant
        fields = ["id", "role", "role_display", "node", "starts_on", "ends_on", "active"]
        read_only_fields = fields

    def get_active(self, grant) -> bool:
        today = timezone.localdate()
        return (grant.revoked_at is None and (grant.starts_on is None or grant.starts_on <= today)
                and (grant.ends_on is None or grant.ends_on >= today))


class UserSerializer(serializers.ModelSerializer):
    """An account as seen by the scope in use: only the grants inside that scope are listed."""

    mobile_masked = serializers.SerializerMethodField()
    has_totp = serializers.BooleanField(read_only=True)
    grants = GrantSerializer(source="visible_grants", many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "mobile_masked", "email", "is_active", "disabled_reason",
                  "has_totp", "last_login", "date_joined", "grants"]
        read_only_fields = fields

    def get_mobile_masked(self, user) -> str:
        return mask_phone(user.mobile)


class ScopeSerializer(serializers.Serializer):
    grant_id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Role.choices)
    role_display = serializers.SerializerMethodField()
    node_id = serializers.IntegerField()
    node_name = serializers.CharField()
    path = serializers.CharField()
    permissions = serializers.SerializerMethodField()

    def get_role_display(self, scope) -> str:
        return str(Role(scope.role).label)

    def get_permissions(self, scope) -> list[str]:
        return sorted(str(p) for p in scope.permissions if p in Perm.values)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    mobile_masked = serializers.SerializerMethodField()
    large_font = serializers.BooleanField()
    has_totp = serializers.BooleanField()
    grants = GrantSerializer(many=True)
    scope = ScopeSerializer(allow_null=True)

    def get_mobile_masked(self, user) -> str:
        return mask_phone(user.mobile)
