"""The JSON API of hardship aid: list (the list page's filters, keyset cursor), detail with the steps and the
attachments, create (JSON, or multipart with files under ``attachments``), and the steps ``review``, ``approve``,
``pay`` and ``reject`` (``POST /api/care/aid/<id>/<step>/``).

Same scope as the pages: reads go through ``AidApplication.objects.visible_to(request.scope)`` (an application
outside it answers 404); writes go through ``yinfa.care.services.aid``, which refuses a step to the wrong role
(403) or in the wrong state (400).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
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
from rest_framework.response import Response

from yinfa.care.filters_aid import AidFilter
from yinfa.care.models import AidApplication, AidKind, AidStatus, AidStep, PaymentMethod
from yinfa.care.services import aid as services
from yinfa.core.access import SCOPE_CHECKED
from yinfa.core.api.permissions import ScopedPermission
from yinfa.core.api.views import GRANT_HEADER
from yinfa.core.keyset import keyset_page
from yinfa.core.permissions import Perm
from yinfa.people.api import named_choice_field
from yinfa.people.models import Person

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
AMOUNT = {"max_digits": 10, "decimal_places": 2}


# --- serializers -------------------------------------------------------------------------------------------------

class AidRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AidListSerializer(serializers.ModelSerializer):
    person = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    kind = named_choice_field(AidKind, read_only=True)
    status = named_choice_field(AidStatus, read_only=True)
    payment_method = named_choice_field(PaymentMethod, read_only=True, allow_blank=True)

    class Meta:
        model = AidApplication
        fields = ["id", "uid", "person", "unit", "kind", "status", "applied_on", "amount_requested",
                  "amount_granted", "amount_paid", "paid_on", "payment_method"]
        read_only_fields = fields

    def get_person(self, application) -> AidRefSerializer:
        return {"id": application.person_id, "name": application.person.name}

    def get_unit(self, application) -> AidRefSerializer:
        return {"id": application.person.unit_id, "name": application.person.unit.name}


class AidStepSerializer(serializers.ModelSerializer):
    from_status = serializers.CharField()
    to_status = named_choice_field(AidStatus, read_only=True)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = AidStep
        fields = ["from_status", "to_status", "comment", "actor", "at"]
        read_only_fields = fields

    def get_actor(self, step) -> str:
        return step.actor.display_name if step.actor_id else ""


class AidAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, attachment) -> str:
        return reverse("care:aid_attachment", args=[attachment.pk])


class AidDetailSerializer(AidListSerializer):
    steps = AidStepSerializer(many=True)
    attachments = AidAttachmentSerializer(many=True)
    actions = serializers.SerializerMethodField(help_text="The steps the role in use may take now.")

    class Meta(AidListSerializer.Meta):
        fields = [*AidListSerializer.Meta.fields, "reason", "rejection_reason", "created_at", "updated_at", "steps",
                  "attachments", "actions"]
        read_only_fields = fields

    def get_actions(self, application) -> list[str]:
        return services.available_actions(application, self.context["request"].scope)


@extend_schema_field(OpenApiTypes.INT)
class ScopedPersonField(serializers.PrimaryKeyRelatedField):
    """A person of the scope in use; one outside it is "not found", like one that does not exist."""

    def get_queryset(self):
        return Person.objects.visible_to(getattr(self.context.get("request"), "scope", None))


class AidCreateSerializer(serializers.Serializer):
    person = ScopedPersonField()
    kind = named_choice_field(AidKind)
    reason = serializers.CharField()
    amount_requested = serializers.DecimalField(**AMOUNT)
    applied_on = serializers.DateField()
    attachments = serializers.ListField(child=serializers.FileField(), required=False,
                                        help_text="Files (multipart only): PDF, images, Word or Excel.")


class AidReviewSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class AidApproveSerializer(serializers.Serializer):
    amount_granted = serializers.DecimalField(**AMOUNT)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class AidPaySerializer(serializers.Serializer):
    amount_paid = serializers.DecimalField(**AMOUNT)
    paid_on = serializers.DateField()
    method = named_choice_field(PaymentMethod)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class AidRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class AidPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    cursor = serializers.CharField(allow_null=True)
    results = AidListSerializer(many=True)


STEP_SERIALIZERS = {"review": AidReviewSerializer, "approve": AidApproveSerializer, "pay": AidPaySerializer,
                    "reject": AidRejectSerializer}


# --- views -------------------------------------------------------------------------------------------------------

class AidPermission(ScopedPermission):
    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        return all(request.scope.has(p) for p in view.action_perms.get(view.action, ()))


def _errors(exc):
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"non_field_errors": exc.messages}


def _filter_parameters():
    return [
        OpenApiParameter("status", OpenApiTypes.STR, required=False, enum=AidStatus.values),
        OpenApiParameter("kind", OpenApiTypes.STR, required=False, enum=AidKind.values),
        OpenApiParameter("year", OpenApiTypes.INT, required=False, description="Year of the application day."),
        OpenApiParameter("name", OpenApiTypes.STR, required=False, description="The person's name contains."),
        OpenApiParameter("person", OpenApiTypes.INT, required=False, description="A person id."),
        OpenApiParameter("mine", OpenApiTypes.BOOL, required=False,
                         description="Only the applications waiting for a step of the role in use."),
        OpenApiParameter("cursor", OpenApiTypes.STR, required=False, description="The cursor of the next page."),
        OpenApiParameter("page_size", OpenApiTypes.INT, required=False,
                         description=f"Rows per page (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE})."),
        GRANT_HEADER,
    ]


def _step_schema(request, summary):
    return extend_schema(summary=summary, parameters=[GRANT_HEADER], request=request,
                         responses={200: AidDetailSerializer,
                                    400: OpenApiResponse(description="Invalid, or not possible in this state"),
                                    403: OpenApiResponse(description="Not a step of the role in use")})


@extend_schema(tags=["care"])
@extend_schema_view(
    list=extend_schema(summary="List hardship aid applications in scope, newest first",
                       parameters=_filter_parameters(), responses=AidPageSerializer),
    retrieve=extend_schema(summary="One aid application with its steps and attachments", parameters=[GRANT_HEADER],
                           responses=AidDetailSerializer),
    create=extend_schema(summary="Apply for hardship aid for a person (it waits for the former unit's review)",
                         parameters=[GRANT_HEADER],
                         request={"application/json": AidCreateSerializer, "multipart/form-data": AidCreateSerializer},
                         responses={201: AidDetailSerializer, 400: OpenApiResponse(description="Invalid")}),
    review=_step_schema(AidReviewSerializer, "The former unit's review: on to the bureau for approval"),
    approve=_step_schema(AidApproveSerializer, "The bureau's approval with the amount granted"),
    pay=_step_schema(AidPaySerializer, "Record the payment (amount, day, method)"),
    reject=_step_schema(AidRejectSerializer, "Reject, with a reason (at the review or the approval)"),
)
class AidApplicationViewSet(viewsets.GenericViewSet):
    """Hardship aid applications (困难帮扶) of the people in the scope in use."""

    yinfa_access = SCOPE_CHECKED
    yinfa_perms = (Perm.CARE_VIEW,)
    action_perms = {name: (Perm.CARE_MANAGE,) for name in ("create", *services.ACTIONS)}
    permission_classes = [AidPermission]
    serializer_class = AidDetailSerializer
    pagination_class = None
    filter_backends = []
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "head", "options"]
    queryset = AidApplication.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return AidApplication.objects.visible_to(self.request.scope)

    def detail_response(self, pk, status_code=status.HTTP_200_OK):
        rows = self.get_queryset().select_related("person__unit").prefetch_related(
            Prefetch("steps", queryset=AidStep.objects.select_related("actor").order_by("at", "id")), "attachments")
        application = get_object_or_404(rows, pk=pk)
        return Response(AidDetailSerializer(application, context=self.get_serializer_context()).data,
                        status=status_code)

    def list(self, request):
        filterset = AidFilter(request.query_params, scope=request.scope)
        if not filterset.is_valid():
            return Response(filterset.errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            size = min(MAX_PAGE_SIZE, max(1, int(request.query_params.get("page_size") or DEFAULT_PAGE_SIZE)))
        except ValueError:
            size = DEFAULT_PAGE_SIZE
        rows = filterset.qs.select_related("person__unit").defer("reason", "rejection_reason")
        page = keyset_page(rows, before=request.query_params.get("cursor") or None, size=size, field="applied_on")
        next_url = None
        if page.has_more:
            query = request.query_params.copy()
            query["cursor"] = str(page.next_before)
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        results = AidListSerializer(page.rows, many=True, context=self.get_serializer_context()).data
        return Response({"next": next_url, "cursor": str(page.next_before) if page.has_more else None,
                         "results": results})

    def retrieve(self, request, pk=None):
        return self.detail_response(pk)

    def create(self, request):
        form = AidCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        try:
            application = services.create_application(actor=request.user, scope=request.scope, **values)
        except DjangoValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        response = self.detail_response(application.pk, status.HTTP_201_CREATED)
        response["Location"] = reverse("aid-application-detail", kwargs={"pk": application.pk})
        return response

    def _step(self, request, pk, name):
        application = get_object_or_404(self.get_queryset().select_related("person"), pk=pk)
        form = STEP_SERIALIZERS[name](data=request.data)
        form.is_valid(raise_exception=True)
        try:
            services.take_action(name, actor=request.user, scope=request.scope, application=application,
                                 **form.validated_data)
        except DjangoValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return self.detail_response(application.pk)

    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self._step(request, pk, "review")

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._step(request, pk, "approve")

    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        return self._step(request, pk, "pay")

    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._step(request, pk, "reject")


def register(router):
    router.register("care/aid", AidApplicationViewSet, basename="aid-application")
