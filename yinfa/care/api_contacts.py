"""The care contacts JSON API: assignments (list, the unassigned, detail, create), contacts (list, detail, log one),
escalations (list, detail, record the follow-up) and policies (the effective policy and the rows; set, change or
remove the policy of the scope's own organisation).

Scoped like the pages: with CARE_VIEW, the rows of the scope (``visible_to(request.scope)``); a carer also (or,
without CARE_VIEW, only) reaches their own open assignments, their contacts and escalations (not once the
assignment has ended). Anything else answers 404.
Writes go through ``yinfa.care.services.contacts`` / ``escalations``.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from yinfa.care import policies
from yinfa.care.filters_contacts import AssignmentFilter, ContactFilter, EscalationFilter, name_q
from yinfa.care.models import (
    CareAssignment,
    CareContact,
    CarePolicy,
    Condition,
    ContactMethod,
    ContactOutcome,
    Escalation,
    EscalationReason,
    EscalationStatus,
)
from yinfa.care.services import contacts as services
from yinfa.care.services import escalations as escalation_services
from yinfa.care.views.contacts_common import ascending_page
from yinfa.core.access import SCOPE_CHECKED
from yinfa.core.api.views import GRANT_HEADER
from yinfa.core.keyset import keyset_page
from yinfa.core.permissions import Perm
from yinfa.people.api import named_choice_field
from yinfa.people.models import Person

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
POLICY_LIMIT = 500


# --- serializers -------------------------------------------------------------------------------------------------

class CareRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="display_name")


class CarePersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class CareNodeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class CareAssignmentSerializer(serializers.ModelSerializer):
    person = CarePersonRefSerializer()
    carer = CareRefSerializer()
    overdue = serializers.SerializerMethodField()
    open_escalation = serializers.BooleanField(source="has_escalation", read_only=True)

    class Meta:
        model = CareAssignment
        fields = ["id", "person", "carer", "interval_days", "started_on", "ended_on", "last_contact_on",
                  "next_due_on", "unanswered_in_a_row", "overdue", "open_escalation"]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return obj.ended_on is None and obj.next_due_on < timezone.localdate()


class CareUnassignedSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    community = CareNodeRefSerializer(allow_null=True)
    unit = CareNodeRefSerializer()
    interval_days = serializers.IntegerField(source="care_interval")


@extend_schema_field(OpenApiTypes.INT)
class ScopedPersonField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Person.objects.visible_to(getattr(self.context.get("request"), "scope", None))


class CareAssignmentCreateSerializer(serializers.Serializer):
    person = ScopedPersonField()
    carer = serializers.IntegerField(help_text="The account id of community staff or a volunteer holding that role "
                                               "at the person's community or above it.")
    started_on = serializers.DateField(required=False, allow_null=True, help_text="Default: today.")
    replace = serializers.BooleanField(default=False, help_text="Hand the person over when someone else already "
                                                                "looks after them (that assignment ends).")


class CareContactSerializer(serializers.ModelSerializer):
    person = CarePersonRefSerializer()
    carer = CareRefSerializer()
    method = named_choice_field(ContactMethod, read_only=True)
    outcome = named_choice_field(ContactOutcome, read_only=True)
    assignment = serializers.IntegerField(source="assignment_id")

    class Meta:
        model = CareContact
        fields = ["id", "assignment", "person", "carer", "contacted_at", "method", "outcome", "note", "created_at"]
        read_only_fields = fields


class CareContactCreateSerializer(serializers.Serializer):
    assignment = serializers.IntegerField()
    method = named_choice_field(ContactMethod)
    outcome = named_choice_field(ContactOutcome)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=services.NOTE_MAX)
    contacted_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                             help_text="Default: now.")


class CareEscalationSerializer(serializers.ModelSerializer):
    person = CarePersonRefSerializer()
    carer = CareRefSerializer(source="assignment.carer")
    assignment = serializers.IntegerField(source="assignment_id")
    reason = named_choice_field(EscalationReason, read_only=True)
    status = named_choice_field(EscalationStatus, read_only=True)
    last_contact_on = serializers.DateField(source="assignment.last_contact_on", allow_null=True)
    resolved_by = CareRefSerializer(allow_null=True)

    class Meta:
        model = Escalation
        fields = ["id", "person", "assignment", "carer", "reason", "status", "opened_at", "last_contact_on",
                  "follow_up", "resolved_by", "resolved_at"]
        read_only_fields = fields


class CareResolveSerializer(serializers.Serializer):
    follow_up = serializers.CharField(max_length=escalation_services.FOLLOW_UP_MAX,
                                      help_text="What was done (required).")


class CarePolicySerializer(serializers.ModelSerializer):
    node = CareNodeRefSerializer()
    condition = named_choice_field(Condition, read_only=True)
    own = serializers.SerializerMethodField(help_text="Set by the organisation of the role in use (editable).")

    class Meta:
        model = CarePolicy
        fields = ["id", "node", "condition", "interval_days", "active", "own", "updated_at"]
        read_only_fields = fields

    def get_own(self, obj) -> bool:
        scope = getattr(self.context.get("request"), "scope", None)
        return scope is not None and obj.node_id == scope.node_id


class CareRuleSerializer(serializers.Serializer):
    condition = named_choice_field(Condition, read_only=True)
    interval_days = serializers.IntegerField()
    active = serializers.BooleanField()
    source = CareNodeRefSerializer(source="source.node", allow_null=True,
                               help_text="The organisation whose policy applies; null: the default.")


class CarePolicyListSerializer(serializers.Serializer):
    effective = CareRuleSerializer(many=True, help_text="The policy in force at the organisation of the role in use.")
    results = CarePolicySerializer(many=True,
                                   help_text="The organisations above and within with a policy of their own.")


class CarePolicyWriteSerializer(serializers.Serializer):
    condition = named_choice_field(Condition)
    interval_days = serializers.IntegerField(min_value=policies.MIN_INTERVAL, max_value=policies.MAX_INTERVAL)
    active = serializers.BooleanField(default=True)


class CarePolicyUpdateSerializer(serializers.Serializer):
    interval_days = serializers.IntegerField(min_value=policies.MIN_INTERVAL, max_value=policies.MAX_INTERVAL)
    active = serializers.BooleanField(default=True)


def page_serializer(name, row_serializer):
    return type(name, (serializers.Serializer,), {
        "next": serializers.CharField(allow_null=True), "cursor": serializers.CharField(allow_null=True),
        "results": row_serializer(many=True)})


CareAssignmentPageSerializer = page_serializer("CareAssignmentPage", CareAssignmentSerializer)
CareContactPageSerializer = page_serializer("CareContactPage", CareContactSerializer)
CareEscalationPageSerializer = page_serializer("CareEscalationPage", CareEscalationSerializer)


# --- helpers -----------------------------------------------------------------------------------------------------

def errors_of(exc):
    return exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}


def page_size(request):
    try:
        return min(MAX_PAGE_SIZE, max(1, int(request.query_params.get("page_size") or DEFAULT_PAGE_SIZE)))
    except ValueError:
        return DEFAULT_PAGE_SIZE


def paged(request, rows, cursor):
    next_url = None
    if cursor is not None:
        query = request.query_params.copy()
        query["cursor"] = str(cursor)
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return Response({"next": next_url, "cursor": None if cursor is None else str(cursor), "results": rows})


def filter_parameters(filterset_class):
    described = [OpenApiParameter(name, OpenApiTypes.STR, required=False) for name in filterset_class.base_filters]
    return [*described, OpenApiParameter("cursor", OpenApiTypes.STR, required=False),
            OpenApiParameter("page_size", OpenApiTypes.INT, required=False,
                             description=f"Rows per page (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE})."),
            GRANT_HEADER]


class CareViewSet(viewsets.GenericViewSet):
    """Rows of the scope with CARE_VIEW; a carer's own rows (``carer_lookup``) while the assignment is open
    (``open_lookup``): a former carer keeps nothing."""

    yinfa_access = SCOPE_CHECKED
    yinfa_perms = ()
    pagination_class = None
    filter_backends = []
    lookup_value_converter = "int"
    carer_lookup = "carer"
    open_lookup = "ended_on__isnull"

    def get_queryset(self):
        model = self.queryset.model
        own = model.objects.filter(**{self.carer_lookup: self.request.user, self.open_lookup: True})
        if self.request.scope.has(Perm.CARE_VIEW):
            return model.objects.visible_to(self.request.scope) | own
        return own

    def filterset(self, filterset_class):
        filterset = filterset_class(self.request.query_params, self.get_queryset(), scope=self.request.scope)
        if not filterset.is_valid():
            return filterset, Response(filterset.errors, status=status.HTTP_400_BAD_REQUEST)
        return filterset, None


# --- assignments -------------------------------------------------------------------------------------------------

@extend_schema(tags=["care"])
class CareAssignmentViewSet(CareViewSet):
    """Care assignments: a vulnerable person looked after by a carer."""

    queryset = CareAssignment.objects.none()
    serializer_class = CareAssignmentSerializer

    def rows(self, queryset):
        return queryset.select_related("person", "carer").annotate(
            has_escalation=escalation_services.open_escalation_exists())

    @extend_schema(summary="List care assignments, the soonest due first", parameters=filter_parameters(
        AssignmentFilter), responses=CareAssignmentPageSerializer)
    def list(self, request):
        filterset, error = self.filterset(AssignmentFilter)
        if error:
            return error
        page = ascending_page(self.rows(filterset.results()), after=request.query_params.get("cursor") or None,
                              size=page_size(request), field="next_due_on")
        rows = CareAssignmentSerializer(page.rows, many=True, context=self.get_serializer_context()).data
        return paged(request, rows, page.next_after)

    @extend_schema(summary="One care assignment", parameters=[GRANT_HEADER], responses=CareAssignmentSerializer)
    def retrieve(self, request, pk=None):
        assignment = get_object_or_404(self.rows(self.get_queryset()), pk=pk)
        return Response(CareAssignmentSerializer(assignment, context=self.get_serializer_context()).data)

    @extend_schema(summary="Assign a person to a carer (an open assignment of someone else ends)",
                   parameters=[GRANT_HEADER], request=CareAssignmentCreateSerializer,
                   responses={201: CareAssignmentSerializer, 400: OpenApiResponse(description="Invalid")})
    def create(self, request):
        if not request.scope.has(Perm.CARE_MANAGE):
            raise PermissionDenied
        form = CareAssignmentCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        values = form.validated_data
        try:
            assignment = services.assign(actor=request.user, scope=request.scope, person=values["person"],
                                         carer=values["carer"], started_on=values.get("started_on"),
                                         replace=values["replace"])
        except DjangoValidationError as exc:
            return Response(errors_of(exc), status=status.HTTP_400_BAD_REQUEST)
        assignment = self.rows(CareAssignment.objects.filter(pk=assignment.pk)).get()
        return Response(CareAssignmentSerializer(assignment, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(summary="The people of the scope who match a care policy and have no carer",
                   parameters=[OpenApiParameter("q", OpenApiTypes.STR, required=False), GRANT_HEADER],
                   responses=CareUnassignedSerializer(many=True))
    @action(detail=False, methods=["get"])
    def unassigned(self, request):
        if not request.scope.has(Perm.CARE_VIEW):
            raise PermissionDenied
        people = (policies.unassigned(request.scope, timezone.localdate())
                  .filter(name_q(request.query_params.get("q"), prefix=""))
                  .select_related("community", "unit").order_by("name_pinyin", "pk")[:MAX_PAGE_SIZE * 5])
        return Response(CareUnassignedSerializer(people, many=True).data)


# --- contacts ----------------------------------------------------------------------------------------------------

@extend_schema(tags=["care"])
class CareContactViewSet(CareViewSet):
    """Contacts logged by carers."""

    queryset = CareContact.objects.none()
    serializer_class = CareContactSerializer
    carer_lookup = "assignment__carer"
    open_lookup = "assignment__ended_on__isnull"

    def rows(self, queryset):
        return queryset.select_related("person", "carer")

    @extend_schema(summary="List contacts, newest first", parameters=filter_parameters(ContactFilter),
                   responses=CareContactPageSerializer)
    def list(self, request):
        filterset, error = self.filterset(ContactFilter)
        if error:
            return error
        page = keyset_page(self.rows(filterset.results()), before=request.query_params.get("cursor") or None,
                           size=page_size(request), field="contacted_at")
        rows = CareContactSerializer(page.rows, many=True).data
        return paged(request, rows, page.next_before)

    @extend_schema(summary="One contact", parameters=[GRANT_HEADER], responses=CareContactSerializer)
    def retrieve(self, request, pk=None):
        return Response(CareContactSerializer(get_object_or_404(self.rows(self.get_queryset()), pk=pk)).data)

    @extend_schema(summary="Log a contact (the assignment's carer, or CARE_MANAGE staff as themselves)",
                   parameters=[GRANT_HEADER], request=CareContactCreateSerializer,
                   responses={201: CareContactSerializer, 400: OpenApiResponse(description="Invalid")},
                   description="Two `no_answer` in a row, or `needs_help` (a note is then required), open an "
                               "escalation and notify the community, the unit and the carer.")
    def create(self, request):
        form = CareContactCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        reachable = CareAssignment.objects.filter(carer=request.user, ended_on__isnull=True)
        if request.scope.has(Perm.CARE_VIEW):
            reachable = CareAssignment.objects.visible_to(request.scope) | reachable
        assignment = get_object_or_404(reachable, pk=values.pop("assignment"))
        if not services.may_log(request.user, request.scope, assignment):
            raise PermissionDenied
        try:
            contact, _opened = services.log_contact(actor=request.user, scope=request.scope, assignment=assignment,
                                                    **values)
        except DjangoValidationError as exc:
            return Response(errors_of(exc), status=status.HTTP_400_BAD_REQUEST)
        contact = self.rows(CareContact.objects.filter(pk=contact.pk)).get()
        return Response(CareContactSerializer(contact).data, status=status.HTTP_201_CREATED)


# --- escalations -------------------------------------------------------------------------------------------------

@extend_schema(tags=["care"])
class EscalationViewSet(CareViewSet):
    """Escalations: overdue contacts, two unanswered in a row, or a person needing help."""

    queryset = Escalation.objects.none()
    serializer_class = CareEscalationSerializer
    carer_lookup = "assignment__carer"
    open_lookup = "assignment__ended_on__isnull"

    def rows(self, queryset):
        return queryset.select_related("person", "assignment__carer", "resolved_by")

    @extend_schema(summary="List escalations, newest first", parameters=filter_parameters(EscalationFilter),
                   responses=CareEscalationPageSerializer)
    def list(self, request):
        filterset, error = self.filterset(EscalationFilter)
        if error:
            return error
        page = keyset_page(self.rows(filterset.results()), before=request.query_params.get("cursor") or None,
                           size=page_size(request), field="opened_at")
        return paged(request, CareEscalationSerializer(page.rows, many=True).data, page.next_before)

    @extend_schema(summary="One escalation", parameters=[GRANT_HEADER], responses=CareEscalationSerializer)
    def retrieve(self, request, pk=None):
        return Response(CareEscalationSerializer(get_object_or_404(self.rows(self.get_queryset()), pk=pk)).data)

    @extend_schema(summary="Record the follow-up of an open escalation (CARE_MANAGE)", parameters=[GRANT_HEADER],
                   request=CareResolveSerializer,
                   responses={200: CareEscalationSerializer, 400: OpenApiResponse(description="Invalid")})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        escalation = get_object_or_404(self.get_queryset(), pk=pk)
        if not escalation_services.can_resolve(request.scope):
            raise PermissionDenied
        form = CareResolveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            escalation_services.resolve_escalation(actor=request.user, scope=request.scope, escalation=escalation,
                                                   follow_up=form.validated_data["follow_up"])
        except DjangoValidationError as exc:
            return Response(errors_of(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(CareEscalationSerializer(self.rows(Escalation.objects.filter(pk=escalation.pk)).get()).data)


# --- policies ----------------------------------------------------------------------------------------------------

@extend_schema(tags=["care"])
class CarePolicyViewSet(viewsets.GenericViewSet):
    """Care policies: the defaults, overridden by organisations for themselves and everything below them."""

    yinfa_access = SCOPE_CHECKED
    yinfa_perms = (Perm.CARE_VIEW,)
    queryset = CarePolicy.objects.none()
    serializer_class = CarePolicySerializer
    pagination_class = None
    filter_backends = []
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return CarePolicy.objects.visible_to(self.request.scope).select_related("node")

    def own_row(self, pk):
        row = get_object_or_404(self.get_queryset(), pk=pk)
        if row.node_id != self.request.scope.node_id or not services.can_edit_policies(self.request.scope):
            raise PermissionDenied
        return row

    def saved(self, condition, status_code=status.HTTP_200_OK):
        row = self.get_queryset().get(node_id=self.request.scope.node_id, condition=condition)
        return Response(CarePolicySerializer(row, context=self.get_serializer_context()).data, status=status_code)

    def write(self, condition, values, status_code=status.HTTP_200_OK):
        try:
            services.set_policy(actor=self.request.user, scope=self.request.scope, condition=condition, **values)
        except DjangoValidationError as exc:
            return Response(errors_of(exc), status=status.HTTP_400_BAD_REQUEST)
        return self.saved(condition, status_code)

    @extend_schema(summary="The policy in force here and the organisations with a policy of their own",
                   parameters=[GRANT_HEADER], responses=CarePolicyListSerializer)
    def list(self, request):
        rules = policies.PolicySet.for_paths([request.scope.path]).rules(request.scope.path)
        rows = self.get_queryset().order_by("node_path", "condition")[:POLICY_LIMIT]
        context = self.get_serializer_context()
        return Response({"effective": CareRuleSerializer(rules, many=True).data,
                         "results": CarePolicySerializer(rows, many=True, context=context).data})

    @extend_schema(summary="One policy row", parameters=[GRANT_HEADER], responses=CarePolicySerializer)
    def retrieve(self, request, pk=None):
        row = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(CarePolicySerializer(row, context=self.get_serializer_context()).data)

    @extend_schema(summary="Set the policy of your organisation for a condition (bureau or community "
                           "administrators)", parameters=[GRANT_HEADER], request=CarePolicyWriteSerializer,
                   responses={201: CarePolicySerializer, 400: OpenApiResponse(description="Invalid")})
    def create(self, request):
        if not services.can_edit_policies(request.scope):
            raise PermissionDenied
        form = CarePolicyWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        return self.write(values.pop("condition"), values, status.HTTP_201_CREATED)

    @extend_schema(summary="Change your organisation's policy", parameters=[GRANT_HEADER],
                   request=CarePolicyUpdateSerializer,
                   responses={200: CarePolicySerializer, 400: OpenApiResponse(description="Invalid")})
    def update(self, request, pk=None):
        row = self.own_row(pk)
        form = CarePolicyUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self.write(row.condition, dict(form.validated_data))

    @extend_schema(summary="Change some fields of your organisation's policy", parameters=[GRANT_HEADER],
                   request=CarePolicyUpdateSerializer,
                   responses={200: CarePolicySerializer, 400: OpenApiResponse(description="Invalid")})
    def partial_update(self, request, pk=None):
        row = self.own_row(pk)
        form = CarePolicyUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        values = {"interval_days": row.interval_days, "active": row.active, **form.validated_data}
        return self.write(row.condition, values)

    @extend_schema(summary="Remove your organisation's policy (the one above, or the default, applies)",
                   parameters=[GRANT_HEADER], responses={204: None})
    def destroy(self, request, pk=None):
        row = self.own_row(pk)
        services.clear_policy(actor=request.user, scope=request.scope, condition=row.condition)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router):
    router.register("care/assignments", CareAssignmentViewSet, basename="care-assignment")
    router.register("care/contacts", CareContactViewSet, basename="care-contact")
    router.register("care/escalations", EscalationViewSet, basename="escalation")
    router.register("care/policies", CarePolicyViewSet, basename="care-policy")
