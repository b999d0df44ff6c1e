"""The JSON API of visit campaigns: the campaigns of the scope (and of the organisations above it) with the scope's
coverage, one campaign with its coverage per visiting organisation; the scope's own campaign tasks (filter by
campaign, status, visiting organisation), with "not visited" and its undo.

Same scope as the pages: reads go through ``VisitCampaign.objects.visible_to(request.scope)`` and
``services.campaigns.own_tasks`` (anything outside answers 404); writes go through the same services.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from yinfa.care import campaign_rules as rules
from yinfa.care.filters_campaigns import CampaignFilter, TaskFilter
from yinfa.care.models import CampaignStatus, CampaignTask, Festival, TaskStatus, VisitCampaign
from yinfa.care.services import campaigns as services
from yinfa.core.access import SCOPE_CHECKED
from yinfa.core.api.views import GRANT_HEADER
from yinfa.core.permissions import Perm
from yinfa.people.api import named_choice_field


class NewestFirst(CursorPagination):
    ordering = ("-id",)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class InOrder(CursorPagination):
    ordering = ("id",)
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class CampaignRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CampaignFiguresSerializer(serializers.Serializer):
    planned = serializers.IntegerField()
    done = serializers.IntegerField(help_text="Visited.")
    skipped = serializers.IntegerField(help_text="Not visited (with a reason).")
    pending = serializers.IntegerField(help_text="Still to visit.")
    percent = serializers.IntegerField(help_text="Visited, as a whole percentage of planned.")


class CampaignCoverageRowSerializer(CampaignFiguresSerializer):
    organisation = serializers.SerializerMethodField()

    def get_organisation(self, row) -> CampaignRefSerializer:
        return {"id": row.node_id, "name": row.name}


class CampaignSerializer(serializers.ModelSerializer):
    festival = named_choice_field(Festival, read_only=True)
    status = named_choice_field(CampaignStatus, read_only=True)
    organisation = serializers.SerializerMethodField()
    criteria = serializers.JSONField(read_only=True, help_text=(
        "groups (lixiu, dependent, alone_aged, aged, survivors), alone_age, age, visited_by (unit or community)."))
    description = serializers.SerializerMethodField()
    coverage = serializers.SerializerMethodField(help_text="The figures of the scope's own organisations.")

    class Meta:
        model = VisitCampaign
        fields = ["id", "title", "festival", "year", "organisation", "due_on", "status", "criteria", "description",
                  "coverage", "created_at"]
        read_only_fields = fields

    def get_organisation(self, campaign) -> CampaignRefSerializer:
        return {"id": campaign.node_id, "name": campaign.node.name}

    def get_description(self, campaign) -> str:
        return rules.describe(campaign.criteria or {})

    def get_coverage(self, campaign) -> CampaignFiguresSerializer:
        planned, done, skipped = campaign.planned, campaign.done, campaign.skipped
        return {"planned": planned, "done": done, "skipped": skipped, "pending": planned - done - skipped,
                "percent": services.rate(done, planned)}


class CampaignDetailSerializer(CampaignSerializer):
    organisations = serializers.SerializerMethodField(help_text="Coverage per visiting organisation of the scope.")

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "organisations"]
        read_only_fields = fields

    def get_organisations(self, campaign) -> CampaignCoverageRowSerializer(many=True):
        return CampaignCoverageRowSerializer(campaign.coverage_rows, many=True).data


class CampaignTaskSerializer(serializers.ModelSerializer):
    campaign = serializers.IntegerField(source="campaign_id")
    person = serializers.SerializerMethodField()
    organisation = serializers.SerializerMethodField()
    status = named_choice_field(TaskStatus, read_only=True)
    visit = serializers.SerializerMethodField()

    class Meta:
        model = CampaignTask
        fields = ["id", "campaign", "person", "organisation", "status", "reason", "done_on", "visit"]
        read_only_fields = fields

    def get_person(self, task) -> CampaignRefSerializer:
        return {"id": task.person_id, "name": task.person.name}

    def get_organisation(self, task) -> CampaignRefSerializer:
        return {"id": task.assignee_id, "name": task.assignee.name}

    def get_visit(self, task) -> int | None:
        visit = getattr(task, "visit", None)
        return visit.pk if visit is not None else None


class CampaignTaskSkipSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text="Why the person was not visited (住院, 外出, 拒绝 …).")


def _errors(exc):
    return exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}


def with_figures(campaigns, scope):
    own = Q(tasks__assignee_path__startswith=scope.path)
    return campaigns.select_related("node").annotate(
        planned=Count("tasks", filter=own), done=Count("tasks", filter=own & Q(tasks__status=TaskStatus.DONE)),
        skipped=Count("tasks", filter=own & Q(tasks__status=TaskStatus.SKIPPED)))


CAMPAIGN_FILTERS = [
    OpenApiParameter("year", OpenApiTypes.INT, required=False),
    OpenApiParameter("festival", OpenApiTypes.STR, required=False, enum=Festival.values),
    OpenApiParameter("status", OpenApiTypes.STR, required=False, enum=CampaignStatus.values),
    GRANT_HEADER,
]
TASK_FILTERS = [
    OpenApiParameter("campaign", OpenApiTypes.INT, required=False),
    OpenApiParameter("status", OpenApiTypes.STR, required=False, enum=TaskStatus.values),
    OpenApiParameter("unit", OpenApiTypes.INT, required=False, description="The visiting organisation (node id)."),
    OpenApiParameter("q", OpenApiTypes.STR, required=False, description="Part of the person's name."),
    GRANT_HEADER,
]


@extend_schema(tags=["care"])
@extend_schema_view(
    list=extend_schema(summary="Visit campaigns of the scope and of the organisations above it",
                       parameters=CAMPAIGN_FILTERS),
    retrieve=extend_schema(summary="One visit campaign with its coverage per visiting organisation",
                           parameters=[GRANT_HEADER], responses=CampaignDetailSerializer),
)
class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    yinfa_access = SCOPE_CHECKED
    yinfa_perms = (Perm.CARE_VIEW,)
    serializer_class = CampaignSerializer
    pagination_class = NewestFirst
    filter_backends = []
    lookup_value_converter = "int"
    queryset = VisitCampaign.objects.none()

    def get_queryset(self):
        return VisitCampaign.objects.visible_to(self.request.scope)

    def list(self, request):
        filterset = CampaignFilter(request.query_params, scope=request.scope)
        if not filterset.is_valid():
            return Response(filterset.errors, status=status.HTTP_400_BAD_REQUEST)
        page = self.paginate_queryset(with_figures(filterset.qs, request.scope))
        return self.get_paginated_response(CampaignSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        campaign = get_object_or_404(with_figures(self.get_queryset(), request.scope), pk=pk)
        campaign.coverage_rows = services.coverage(campaign, request.scope).rows
        return Response(CampaignDetailSerializer(campaign).data)


@extend_schema(tags=["care"])
@extend_schema_view(
    list=extend_schema(summary="Campaign tasks of the scope's own organisations", parameters=TASK_FILTERS),
    retrieve=extend_schema(summary="One campaign task", parameters=[GRANT_HEADER]),
)
class CampaignTaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    yinfa_access = SCOPE_CHECKED
    yinfa_perms = (Perm.CARE_VIEW,)
    serializer_class = CampaignTaskSerializer
    pagination_class = InOrder
    filter_backends = []
    lookup_value_converter = "int"
    queryset = CampaignTask.objects.none()

    def get_queryset(self):
        return services.own_tasks(self.request.scope).select_related("person", "assignee", "visit")

    def list(self, request):
        filterset = TaskFilter(request.query_params, queryset=self.get_queryset(), scope=request.scope)
        if not filterset.is_valid():
            return Response(filterset.errors, status=status.HTTP_400_BAD_REQUEST)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(CampaignTaskSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(CampaignTaskSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    def _write(self, request, pk, write, form=None):
        task = get_object_or_404(self.get_queryset(), pk=pk)
        if not request.scope.has(Perm.CARE_MANAGE):
            raise PermissionDenied
        if form is not None:
            form.is_valid(raise_exception=True)
        try:
            write(task)
        except DjangoValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(CampaignTaskSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    @extend_schema(summary="Mark the person “not visited” with a reason", request=CampaignTaskSkipSerializer,
                   parameters=[GRANT_HEADER],
                   responses={200: CampaignTaskSerializer, 400: OpenApiResponse(description="Invalid")})
    @action(detail=True, methods=["post"])
    def skip(self, request, pk=None):
        form = CampaignTaskSkipSerializer(data=request.data)
        return self._write(request, pk, lambda task: services.skip_task(
            actor=request.user, scope=request.scope, task=task, reason=form.validated_data["reason"]), form=form)

    @extend_schema(summary="Undo “not visited”: the person is to visit again", request=None,
                   parameters=[GRANT_HEADER],
                   responses={200: CampaignTaskSerializer, 400: OpenApiResponse(description="Invalid")})
    @action(detail=True, methods=["post"])
    def unskip(self, request, pk=None):
        return self._write(request, pk, lambda task: services.unskip_task(
            actor=request.user, scope=request.scope, task=task))


def register(router):
    router.register("care/campaigns", CampaignViewSet, basename="visit-campaign")
    router.register("care/campaign-tasks", CampaignTaskViewSet, basename="campaign-task")
