"""API of the branches part of party life: branches (list, detail with warnings and the committee in office) and
memberships (list filtered by branch or person, detail, create = add a member, and the ``transfer`` action).

Same scope as the pages: reads through ``Branch.objects.visible_to`` and ``Membership.objects.visible_to`` (out of
scope: 404); writes through ``yinfa.partylife.services.memberships`` (PARTY_MANAGE; a membership is changed only
through the branch holding it).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from yinfa.core.access import SCOPE_CHECKED
from yinfa.core.api.permissions import ScopedPermission
from yinfa.core.api.views import GRANT_HEADER
from yinfa.core.masking import mask_phone
from yinfa.core.models import OrgKind, OrgNode
from yinfa.core.permissions import Perm
from yinfa.core.scope import scoped
from yinfa.partylife.filters_branches import BranchFilter, MembershipFilter
from yinfa.partylife.models import (
    Branch,
    BranchKind,
    CommitteeMember,
    CommitteePost,
    CommitteeTerm,
    JoinedBy,
    LeftBy,
    Membership,
    Relation,
    Standing,
)
from yinfa.partylife.services import branches as branch_services
from yinfa.partylife.services import memberships as services
from yinfa.people.api import named_choice_field
from yinfa.people.models import CPC_STATUSES, Person


class BranchCursorPagination(CursorPagination):
    ordering = ("path",)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class MembershipCursorPagination(CursorPagination):
    ordering = ("-started_on", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ActionPermission(ScopedPermission):
    """The scope check of every API view, plus the permissions of the action (``action_perms``)."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        return all(request.scope.has(p) for p in view.action_perms.get(view.action, ()))


def _service_errors(exc):
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"non_field_errors": exc.messages}


# --- serializers --------------------------------------------------------------------------------------------------

class PartyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PartyWarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class PartyBranchSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="pk", read_only=True)
    name = serializers.CharField(source="node.name", read_only=True)
    kind = named_choice_field(BranchKind, read_only=True)
    opened_on = serializers.DateField(source="node.opened_on", read_only=True, allow_null=True)
    closed_on = serializers.DateField(source="node.closed_on", read_only=True, allow_null=True)
    secretary = serializers.CharField(source="secretary_name", read_only=True,
                                      help_text="The secretary in office (empty when none).")
    warnings = PartyWarningSerializer(source="warning_rows", many=True, read_only=True)

    class Meta:
        model = Branch
        fields = ["id", "uid", "name", "kind", "opened_on", "closed_on", "full_members", "probationary_members",
                  "has_committee", "term_ends_on", "secretary", "warnings"]
        read_only_fields = fields


class PartyCommitteePostSerializer(serializers.Serializer):
    post = named_choice_field(CommitteePost)
    person = PartyRefSerializer()
    started_on = serializers.DateField()


class PartyCommitteeSerializer(serializers.Serializer):
    elected_on = serializers.DateField()
    ends_on = serializers.DateField()
    posts = PartyCommitteePostSerializer(many=True, source="open_posts")


class PartyBranchDetailSerializer(PartyBranchSerializer):
    liaison_phone = serializers.SerializerMethodField(
        help_text="Full for roles that manage party branches, masked otherwise.")
    parent = PartyRefSerializer(source="node.parent", read_only=True, allow_null=True)
    committee = PartyCommitteeSerializer(source="current_term", read_only=True, allow_null=True)
    party_groups = PartyRefSerializer(source="group_rows", many=True, read_only=True)

    class Meta(PartyBranchSerializer.Meta):
        fields = [*PartyBranchSerializer.Meta.fields, "parent", "liaison_name", "liaison_position", "liaison_phone",
                  "note", "committee", "party_groups"]
        read_only_fields = fields

    def get_liaison_phone(self, branch) -> str:
        phone = branch.liaison_phone or ""
        return mask_phone(phone)  # personal data: masked for every role, as in the lists


class PartyMembershipSerializer(serializers.ModelSerializer):
    person = PartyRefSerializer(read_only=True)
    branch = serializers.SerializerMethodField()
    party_group = PartyRefSerializer(read_only=True, allow_null=True)
    relation = named_choice_field(Relation, read_only=True)
    standing = named_choice_field(Standing, read_only=True)
    joined_by = named_choice_field(JoinedBy, read_only=True)
    left_by = named_choice_field(LeftBy, read_only=True, allow_blank=True)

    class Meta:
        model = Membership
        fields = ["id", "person", "branch", "relation", "standing", "probation_from", "probation_until",
                  "started_on", "joined_by", "transfer_in_from", "ended_on", "left_by", "transfer_out_to",
                  "party_group", "note"]
        read_only_fields = fields

    @extend_schema_field(PartyRefSerializer)
    def get_branch(self, membership):
        return {"id": membership.branch_id, "name": membership.branch.node.name}


@extend_schema_field(OpenApiTypes.INT)
class ScopedBranchField(serializers.PrimaryKeyRelatedField):
    """A branch id of the scope in use; one outside it is "not found", like one that does not exist."""

    def get_queryset(self):
        request = self.context.get("request")
        return Branch.objects.visible_to(getattr(request, "scope", None)).select_related("node")


@extend_schema_field(OpenApiTypes.INT)
class ScopedPartyMemberField(serializers.PrimaryKeyRelatedField):
    """A living party member of the scope in use."""

    def get_queryset(self):
        request = self.context.get("request")
        return Person.objects.visible_to(getattr(request, "scope", None)).filter(political_status__in=CPC_STATUSES,
                                                                                deceased_on__isnull=True)


class PartyMembershipCreateSerializer(serializers.Serializer):
    person = ScopedPartyMemberField()
    branch = ScopedBranchField()
    started_on = serializers.DateField()
    standing = named_choice_field(Standing, required=False)
    probation_from = serializers.DateField(required=False, allow_null=True)
    probation_until = serializers.DateField(required=False, allow_null=True)
    from_branch = ScopedBranchField(required=False, allow_null=True,
                                    help_text="A branch of the scope the member comes from (a transfer).")
    from_outside = serializers.CharField(required=False, allow_blank=True, max_length=120,
                                         help_text="Where from, outside the system.")
    joined_by = named_choice_field(JoinedBy, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


TRANSFER_WAYS = [LeftBy.TRANSFER, LeftBy.TRANSFER_OUT, LeftBy.DIED, LeftBy.LEFT]


class PartyTransferSerializer(serializers.Serializer):
    how = serializers.ChoiceField(choices=[(w.value, w.label) for w in TRANSFER_WAYS])
    on_date = serializers.DateField()
    to_branch = ScopedBranchField(required=False, allow_null=True)
    to_outside = serializers.CharField(required=False, allow_blank=True, max_length=120)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class PartyTransferResultSerializer(serializers.Serializer):
    ended = PartyMembershipSerializer()
    new = PartyMembershipSerializer(allow_null=True)


# --- views --------------------------------------------------------------------------------------------------------

def _branch_filter_parameters():
    parameters = []
    for name, filter_ in BranchFilter.base_filters.items():
        choices = getattr(filter_, "extra", {}).get("choices")
        enum = [str(value) for value, _label in choices] if choices and not callable(choices) else None
        parameters.append(OpenApiParameter(name, OpenApiTypes.STR, required=False, enum=enum,
                                           description=str(filter_.label or name)))
    return [*parameters, GRANT_HEADER]


def decorate_branches(branches, today):
    secretaries = dict(CommitteeMember.objects.filter(
        term__branch_id__in=[b.pk for b in branches], term__ended_on__isnull=True, post=CommitteePost.SECRETARY,
        ended_on__isnull=True).values_list("term__branch_id", "person__name"))
    for branch in branches:
        branch.secretary_name = secretaries.get(branch.pk, "")
        branch.warning_rows = [{"code": code, "message": message}
                               for code, message in branch_services.warnings_for(branch, today)]
    return branches


@extend_schema(tags=["party"])
@extend_schema_view(
    list=extend_schema(summary="List party branches in scope", parameters=_branch_filter_parameters()),
    retrieve=extend_schema(summary="One party branch, with warnings and the committee in office",
                           parameters=[GRANT_HEADER], responses=PartyBranchDetailSerializer),
)
class PartyBranchViewSet(viewsets.ReadOnlyModelViewSet):
    """Party branches of the scope in use."""

    yinfa_access = SCOPE_CHECKED
    yinfa_perms = (Perm.PARTY_VIEW,)
    serializer_class = PartyBranchSerializer
    pagination_class = BranchCursorPagination
    filter_backends = []
    lookup_value_converter = "int"
    queryset = Branch.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return Branch.objects.visible_to(self.request.scope).select_related("node")

    def list(self, request):
        filterset = BranchFilter(request.query_params, self.get_queryset(), today=timezone.localdate())
        if not filterset.is_valid():
            return Response(filterset.errors, status=status.HTTP_400_BAD_REQUEST)
        page = self.paginate_queryset(filterset.qs)
        decorate_branches(page, timezone.localdate())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        posts = CommitteeMember.objects.filter(ended_on__isnull=True).select_related("person")
        branch = get_object_or_404(self.get_queryset().select_related("node__parent"), pk=pk)
        decorate_branches([branch], timezone.localdate())
        branch.current_term = (CommitteeTerm.objects.filter(branch=branch, ended_on__isnull=True)
                               .prefetch_related(Prefetch("posts", queryset=posts, to_attr="open_post_rows"))
                               .order_by("-elected_on", "-pk").first())
        if branch.current_term is not None:
            order = {post: n for n, post in enumerate(branch_services.POST_ORDER)}
            branch.current_term.open_posts = sorted(branch.current_term.open_post_rows, key=lambda m: order[m.post])
        branch.group_rows = list(OrgNode.objects.filter(parent_id=branch.pk, kind=OrgKind.PARTY_GROUP)
                                 .order_by("sort_order", "name"))
        context = {**self.get_serializer_context(), "manage": request.scope.has(Perm.PARTY_MANAGE)}
        return Response(PartyBranchDetailSerializer(branch, context=context).data)


@extend_schema(tags=["party"])
@extend_schema_view(
    list=extend_schema(summary="List memberships in scope", parameters=[
        OpenApiParameter("branch", OpenApiTypes.INT, required=False, description="Branch id"),
        OpenApiParameter("person", OpenApiTypes.INT, required=False, description="Person id"),
        OpenApiParameter("relation", OpenApiTypes.STR, required=False, enum=Relation.values,
                         description="Organisational relationship or functional branch"),
        OpenApiParameter("current", OpenApiTypes.BOOL, required=False, description="Open memberships only"),
        GRANT_HEADER]),
    retrieve=extend_schema(summary="One membership", parameters=[GRANT_HEADER]),
    create=extend_schema(
        summary="Add a member to a branch (transfer in)", parameters=[GRANT_HEADER],
        request=PartyMembershipCreateSerializer,
        responses={201: PartyMembershipSerializer, 400: OpenApiResponse(description="Invalid or refused")},
        description="From a branch of the scope (`from_branch`: the open membership there is closed, a transfer), "
                    "from outside the system (`from_outside`), or a first record. One open organisational "
                    "membership per person."),
)
class PartyMembershipViewSet(viewsets.GenericViewSet):
    """Memberships (organisational relationships and functional branches) of the scope in use."""

    yinfa_access = SCOPE_CHECKED
    yinfa_perms = (Perm.PARTY_VIEW,)
    action_perms = {"create": (Perm.PARTY_MANAGE,), "transfer": (Perm.PARTY_MANAGE,)}
    permission_classes = [ActionPermission]
    serializer_class = PartyMembershipSerializer
    pagination_class = MembershipCursorPagination
    filter_backends = []
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "head", "options"]
    queryset = Membership.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return Membership.objects.visible_to(self.request.scope).select_related("person", "branch__node",
                                                                                "party_group")

    def list(self, request):
        filterset = MembershipFilter(request.query_params, self.get_queryset())
        if not filterset.is_valid():
            return Response(filterset.errors, status=status.HTTP_400_BAD_REQUEST)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    def create(self, request):
        form = PartyMembershipCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        values.setdefault("standing", Standing.FULL)
        try:
            membership = services.add_member(actor=request.user, scope=request.scope, **values)
        except DjangoValidationError as exc:
            return Response(_service_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        membership = self.get_queryset().get(pk=membership.pk)
        return Response(self.get_serializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Transfer a member out of the branch (or record death or leaving)",
                   request=PartyTransferSerializer, parameters=[GRANT_HEADER],
                   responses={200: PartyTransferResultSerializer,
                              400: OpenApiResponse(description="Invalid or refused")},
                   description="`how`: `transfer` (to `to_branch`, a branch of the scope: the new membership is "
                               "returned as `new`), `transfer_out` (to `to_outside`, outside the system), `died` "
                               "or `left`.")
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        held = scoped(self.get_queryset(), request.scope, "branch_path").filter(relation=Relation.ORGANISATIONAL)
        membership = get_object_or_404(held, pk=pk)
        form = PartyTransferSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        try:
            new = services.transfer_out(actor=request.user, scope=request.scope, membership=membership,
                                        **form.validated_data)
        except DjangoValidationError as exc:
            return Response(_service_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        rows = {m.pk: m for m in Membership.objects.filter(pk__in=[membership.pk, *([new.pk] if new else [])])
                .select_related("person", "branch__node", "party_group")}
        return Response({"ended": self.get_serializer(rows[membership.pk]).data,
                         "new": self.get_serializer(rows[new.pk]).data if new else None})


def register(router):
    router.register("party/branches", PartyBranchViewSet, basename="party-branch")
    router.register("party/memberships", PartyMembershipViewSet, basename="party-membership")
