"""The REST API: read-only views of the organisation tree, accounts, and one's own account.

Every view is scope-checked (``yinfa_access``); ScopedPermission resolves the role in use (X-Yinfa-Grant header,
else the session's choice, else the first grant) and checks ``yinfa_perms``. Reads go through ``visible_to``,
so objects outside the scope answer 404 and never appear in lists.
"""

from types import SimpleNamespace

from csp.constants import NONCE
from csp.decorators import csp_update
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from yinfa.core.access import OWN_ACCOUNT, SCOPE_CHECKED, own_account
from yinfa.core.api.filters import OrgNodeFilter, UserFilter
from yinfa.core.api.pagination import TreeCursorPagination, UsernameCursorPagination
from yinfa.core.api.serializers import MeSerializer, OrgNodeSerializer, UserSerializer
from yinfa.core.middleware import active_grants
from yinfa.core.models import OrgNode, RoleGrant, User
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module

GRANT_HEADER = OpenApiParameter(
    "X-Yinfa-Grant", type=int, location=OpenApiParameter.HEADER, required=False,
    description="Id of the role grant to work with (see /api/me/); default: the session's choice, else the first.")


@extend_schema(tags=["organisations"])
@extend_schema_view(
    list=extend_schema(summary="List organisations in scope", parameters=[GRANT_HEADER]),
    retrieve=extend_schema(summary="One organisation", parameters=[GRANT_HEADER]),
)
class OrgNodeViewSet(viewsets.ReadOnlyModelViewSet):
    """Organisations of the tree inside the scope in use (open ones unless ``include_closed``)."""

    yinfa_access = SCOPE_CHECKED
    yinfa_perms = (Perm.ORG_VIEW,)
    serializer_class = OrgNodeSerializer
    filterset_class = OrgNodeFilter
    pagination_class = TreeCursorPagination
    lookup_value_converter = "int"
    queryset = OrgNode.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return OrgNode.objects.visible_to(self.request.scope)

    def get_object(self):
        # Not through the list filters: a closed organisation is still found by its id.
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    @extend_schema(summary="Children of an organisation", parameters=[GRANT_HEADER],
                   responses=OrgNodeSerializer(many=True))
    @action(detail=True, methods=["get"])
    def children(self, request, pk=None):
        node = self.get_object()
        rows = self.filter_queryset(self.get_queryset().filter(parent=node))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(tags=["accounts"])
@extend_schema_view(
    list=extend_schema(summary="List accounts in scope", parameters=[GRANT_HEADER]),
    retrieve=extend_schema(summary="One account", parameters=[GRANT_HEADER]),
)
class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Accounts holding a role inside the scope in use, with those of their grants that lie in the scope."""

    yinfa_access = SCOPE_CHECKED
    yinfa_perms = (Perm.USER_VIEW,)
    serializer_class = UserSerializer
    filterset_class = UserFilter
    pagination_class = UsernameCursorPagination
    lookup_value_converter = "int"
    queryset = User.objects.none()

    def get_queryset(self):
        scope = self.request.scope
        grants = (RoleGrant.objects.visible_to(scope).filter(revoked_at__isnull=True).select_related("node")
                  .order_by("node__path", "role", "pk"))
        return User.objects.visible_to(scope).prefetch_related(
            Prefetch("grants", queryset=grants, to_attr="visible_grants"))

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


class MeView(APIView):
    """The account making the request, its active role grants, and the role in use."""

    yinfa_access = SCOPE_CHECKED
    yinfa_perms = ()

    @extend_schema(summary="My account and the role in use", parameters=[GRANT_HEADER], responses=MeSerializer,
                   tags=["me"])
    def get(self, request):
        user = request.user
        me = SimpleNamespace(id=user.pk, username=user.username, full_name=user.full_name, mobile=user.mobile,
                             large_font=user.large_font, has_totp=user.has_totp, grants=active_grants(user),
                             scope=request.scope)
        return Response(MeSerializer(me).data)


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, for logged-in accounts (it describes the API, it holds no data)."""

    yinfa_access = OWN_ACCOUNT
    permission_classes = [IsAuthenticated]


@module("api")
@own_account
@csp_update({"style-src": [NONCE]})
def api_docs(request):
    """The API reference (Redoc from the app's own static files; no CDN)."""
    return render(request, "core/api/docs.html", {"schema_url": reverse("api_schema") + "?format=json"})
