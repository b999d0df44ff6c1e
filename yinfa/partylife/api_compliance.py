"""API of the compliance part of party life: the stored results per branch and year (list and detail with the
periods decoded per rule), and the tree aggregation of a node's children.

Reads go through ``BranchCompliance.objects.visible_to`` and ``selectors_compliance`` (scoped): a row or a node
outside the scope answers 404 and never appears in a list.
"""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from yinfa.core.access import SCOPE_CHECKED
from yinfa.core.api.views import GRANT_HEADER
from yinfa.core.permissions import Perm
from yinfa.partylife import selectors_compliance as selectors
from yinfa.partylife.models import BranchCompliance, ComplianceRule


class ComplianceCursorPagination(CursorPagination):
    ordering = ("branch_path", "-year")  # tree order; a branch's years tie on the cursor field (few)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500




class ComplianceRowSerializer(serializers.ModelSerializer):
    branch_name = serializers.CharField(source="branch.node.name", read_only=True)
    branch_kind = serializers.CharField(source="branch.kind", read_only=True)
    missing = serializers.SerializerMethodField()
    rate = serializers.SerializerMethodField(help_text="Held as a whole percentage of expected; null if none due.")
    band = serializers.SerializerMethodField(help_text="good (≥ 90 %), fair (≥ 70 %), poor, none (nothing due).")

    class Meta:
        model = BranchCompliance
        fields = ["id", "branch", "branch_name", "branch_kind", "year", "expected", "held", "on_time", "missing",
                  "rate", "band", "computed_at"]
        read_only_fields = fields

    def get_missing(self, row) -> int:
        return row.expected - row.held

    def get_rate(self, row) -> int | None:
        return selectors.rate(row.held, row.expected)

    def get_band(self, row) -> str:
        return selectors.band(selectors.rate(row.held, row.expected))


class PeriodSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    label = serializers.CharField()
    state = serializers.ChoiceField(choices=list(selectors.CellState.LABELS))


class RulePeriodsSerializer(serializers.Serializer):
    rule = serializers.IntegerField(source="rule.pk")
    name = serializers.CharField(source="rule.name")
    meeting_kind = serializers.CharField(source="rule.meeting_kind")
    frequency = serializers.CharField(source="rule.frequency")
    grace_days = serializers.IntegerField(source="rule.grace_days")
    expected = serializers.IntegerField()
    held = serializers.IntegerField()
    on_time = serializers.IntegerField()
    periods = PeriodSerializer(source="cells", many=True)


class ComplianceDetailSerializer(ComplianceRowSerializer):
    rules = serializers.SerializerMethodField()

    class Meta(ComplianceRowSerializer.Meta):
        fields = [*ComplianceRowSerializer.Meta.fields, "rules"]
        read_only_fields = fields

    @extend_schema_field(RulePeriodsSerializer(many=True))
    def get_rules(self, row):
        rows = selectors.decode_detail(self.context["rules_by_id"], row.detail, row.year)
        return RulePeriodsSerializer(rows, many=True).data


class SummaryRowSerializer(serializers.Serializer):
    node = serializers.IntegerField(source="node.pk")
    name = serializers.CharField(source="node.name")
    kind = serializers.CharField(source="node.kind")
    is_branch = serializers.BooleanField()
    branches = serializers.IntegerField()
    expected = serializers.IntegerField()
    held = serializers.IntegerField()
    on_time = serializers.IntegerField()
    missing = serializers.IntegerField()
    rate = serializers.IntegerField(allow_null=True)
    band = serializers.CharField()


class SummaryTotalSerializer(serializers.Serializer):
    branches = serializers.IntegerField()
    expected = serializers.IntegerField()
    held = serializers.IntegerField()
    on_time = serializers.IntegerField()
    missing = serializers.IntegerField()
    rate = serializers.IntegerField(allow_null=True)
    band = serializers.CharField()


class SummarySerializer(serializers.Serializer):
    node = serializers.IntegerField(source="node.pk")
    name = serializers.CharField(source="node.name")
    year = serializers.IntegerField()
    total = SummaryTotalSerializer()
    children = SummaryRowSerializer(source="rows", many=True)


YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="Year (default: the current year).")
BRANCH = OpenApiParameter("branch", OpenApiTypes.INT, description="Only this branch (its organisation id).")
NODE = OpenApiParameter("node", OpenApiTypes.INT, description="Organisation (default: the scope's own).")


@extend_schema(tags=["party life"])
@extend_schema_view(
    list=extend_schema(summary="Compliance of the branches in scope", parameters=[GRANT_HEADER, YEAR, BRANCH]),
    retrieve=extend_schema(summary="One branch's compliance in one year, with the periods of each rule",
                           parameters=[GRANT_HEADER]),
)
class ComplianceViewSet(viewsets.ReadOnlyModelViewSet):
    """Stored compliance results (recomputed after each meeting and every night)."""

    yinfa_access = SCOPE_CHECKED
    yinfa_perms = (Perm.PARTY_VIEW,)
    serializer_class = ComplianceRowSerializer
    pagination_class = ComplianceCursorPagination
    filter_backends = []
    lookup_value_converter = "int"
    queryset = BranchCompliance.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        rows = BranchCompliance.objects.visible_to(self.request.scope).select_related("branch__node")
        if self.action == "list":
            year = self.request.query_params.get("year")
            if year:
                rows = rows.filter(year=_int_param(year, "year"))
            branch = self.request.query_params.get("branch")
            if branch:
                rows = rows.filter(branch_id=_int_param(branch, "branch"))
        return rows

    def get_serializer_class(self):
        return ComplianceDetailSerializer if self.action == "retrieve" else ComplianceRowSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "retrieve":
            context["rules_by_id"] = {rule.pk: rule for rule in ComplianceRule.objects.all()}
        return context

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    @extend_schema(summary="Held/expected per child of an organisation (one level of the tree)",
                   parameters=[GRANT_HEADER, NODE, YEAR], responses=SummarySerializer)
    @action(detail=False, methods=["get"], pagination_class=None)
    def summary(self, request):
        scope = request.scope
        node = selectors.node_in_scope(scope, request.query_params.get("node"))
        if node is None:
            raise NotFound
        year = _int_param(request.query_params.get("year") or timezone.localdate().year, "year")
        summary = selectors.node_summary(scope, node, year)
        return Response(SummarySerializer(summary).data)


def _int_param(value, name):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise serializers.ValidationError({name: "A whole number is expected."}) from None


def register(router):
    router.register("party/compliance", ComplianceViewSet, basename="party-compliance")
