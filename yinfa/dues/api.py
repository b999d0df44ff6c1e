"""The party dues JSON API: payments (list, detail, and a batch recorded through the same service as the batch
screen), pension bases (list, create) and arrears (list).

Scoped like the pages: reads go through ``visible_to(request.scope)``, so anything outside the scope answers
404 (or is simply not listed); writes go through ``yinfa.dues.services``. The role in use needs
``Perm.DUES_MANAGE``.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from yinfa.core.access import SCOPE_CHECKED
from yinfa.core.api.views import GRANT_HEADER
from yinfa.core.permissions import Perm
from yinfa.dues.filters import BaseFilter, PaymentFilter
from yinfa.dues.models import DuesPayment, PaymentMethod, PensionBase
from yinfa.dues.rules import MAX_MONTHS_AT_ONCE, month_key, monthly_dues, parse_month
from yinfa.dues.selectors import arrears
from yinfa.dues.services import bases as base_services
from yinfa.dues.services import payments as payment_services
from yinfa.partylife.models import Branch
from yinfa.people.models import Person

ARREARS_BRANCH_LIMIT = 3000


class NewestFirst(CursorPagination):
    ordering = ("-pk",)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


@extend_schema_field(OpenApiTypes.STR)
class MonthField(serializers.Field):
    """A month as ``2026-01``."""

    def to_representation(self, value):
        return month_key(value)

    def to_internal_value(self, data):
        try:
            return parse_month(data)
        except ValueError:
            raise serializers.ValidationError(_("Give a month like 2026-01.")) from None


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PaymentSerializer(serializers.ModelSerializer):
    person = serializers.SerializerMethodField()
    branch = serializers.SerializerMethodField()
    month = MonthField()

    class Meta:
        model = DuesPayment
        fields = ["id", "person", "branch", "month", "base", "amount_due", "amount_paid", "paid_on", "method",
                  "note", "batch", "recorded_at"]
        read_only_fields = fields

    def get_person(self, payment) -> RefSerializer:
        return {"id": payment.person_id, "name": payment.person.name}

    def get_branch(self, payment) -> RefSerializer:
        return {"id": payment.branch_id, "name": payment.branch.node.name}


class EntrySerializer(serializers.Serializer):
    person = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True,
                                      help_text="Total paid for the member's unpaid months of the batch; "
                                                "default: what is due. A different amount needs a note.")
    method = serializers.ChoiceField(choices=PaymentMethod.choices, default=PaymentMethod.CASH)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class BatchSerializer(serializers.Serializer):
    branch = serializers.IntegerField()
    first_month = MonthField()
    months = serializers.IntegerField(min_value=1, max_value=MAX_MONTHS_AT_ONCE, default=1)
    paid_on = serializers.DateField()
    entries = EntrySerializer(many=True)


class PaidMonthSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    month = serializers.CharField()
    amount_paid = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)


class BatchResultSerializer(serializers.Serializer):
    batch = serializers.UUIDField()
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    created = PaidMonthSerializer(many=True)
    skipped = PaidMonthSerializer(many=True, help_text="Months already paid (before, or by a submission at the "
                                                       "same time): nothing was recorded for them.")


class BaseSerializer(serializers.ModelSerializer):
    person = serializers.SerializerMethodField()
    effective_month = MonthField()
    monthly_dues = serializers.SerializerMethodField()

    class Meta:
        model = PensionBase
        fields = ["id", "person", "effective_month", "amount", "monthly_dues", "source", "note", "created_at"]
        read_only_fields = fields

    def get_person(self, base) -> RefSerializer:
        return {"id": base.person_id, "name": base.person.name}

    def get_monthly_dues(self, base) -> str:
        return str(monthly_dues(base.amount))


class BaseWriteSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    effective_month = MonthField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ArrearsSerializer(serializers.Serializer):
    person = RefSerializer()
    branch = RefSerializer(allow_null=True)
    months = serializers.IntegerField(help_text="Unpaid months up to last month.")
    oldest = serializers.CharField()
    unpaid_months = serializers.ListField(child=serializers.CharField())
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


def _errors(exc):
    return exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}


class DuesViewSet(viewsets.GenericViewSet):
    yinfa_access = SCOPE_CHECKED
    yinfa_perms = (Perm.DUES_MANAGE,)
    lookup_value_converter = "int"


@extend_schema(tags=["dues"])
@extend_schema_view(
    list=extend_schema(summary="List dues payments in scope", parameters=[GRANT_HEADER]),
    retrieve=extend_schema(summary="One dues payment", parameters=[GRANT_HEADER]),
    create=extend_schema(
        summary="Record a batch of dues payments for a branch", parameters=[GRANT_HEADER], request=BatchSerializer,
        responses={201: BatchResultSerializer, 400: OpenApiResponse(description="Invalid")},
        description="The same rules as the batch screen: 1 to 6 months, none more than 6 months ahead; months "
                    "already paid are skipped and reported; an amount different from what is due needs a note."),
)
class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DuesViewSet):
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    pagination_class = NewestFirst
    http_method_names = ["get", "post", "head", "options"]
    queryset = DuesPayment.objects.none()

    def get_queryset(self):
        return DuesPayment.objects.visible_to(self.request.scope).select_related("person", "branch__node")

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def create(self, request):
        form = BatchSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        branch = get_object_or_404(Branch.objects.visible_to(request.scope).select_related("node"),
                                   pk=data["branch"])
        entries = [payment_services.PaymentEntry(person_id=e["person"], amount=e.get("amount"), method=e["method"],
                                                 note=e.get("note", "")) for e in data["entries"]]
        try:
            result = payment_services.record_batch(actor=request.user, scope=request.scope, branch=branch,
                                                   first_month=data["first_month"], months=data["months"],
                                                   paid_on=data["paid_on"], entries=entries)
        except DjangoValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        body = {"batch": str(result.batch), "total": str(result.total),
                "created": [{"person": p, "month": month_key(m), "amount_paid": str(a)}
                            for p, _name, m, a in result.created],
                "skipped": [{"person": p, "month": month_key(m)} for p, _name, m in result.skipped]}
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=["dues"])
@extend_schema_view(
    list=extend_schema(summary="List pension bases in scope", parameters=[GRANT_HEADER]),
    create=extend_schema(summary="Enter a member's pension base from a month", parameters=[GRANT_HEADER],
                         request=BaseWriteSerializer, responses={201: BaseSerializer, 200: BaseSerializer}),
)
class BaseViewSet(mixins.ListModelMixin, DuesViewSet):
    serializer_class = BaseSerializer
    filterset_class = BaseFilter
    pagination_class = NewestFirst
    http_method_names = ["get", "post", "head", "options"]
    queryset = PensionBase.objects.none()

    def get_queryset(self):
        return PensionBase.objects.visible_to(self.request.scope).select_related("person")

    def create(self, request):
        form = BaseWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        person = get_object_or_404(Person.objects.visible_to(request.scope), pk=data.pop("person"))
        try:
            base, outcome = base_services.record_base(actor=request.user, scope=request.scope, person=person, **data)
        except DjangoValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        code = status.HTTP_201_CREATED if outcome == "created" else status.HTTP_200_OK
        return Response(BaseSerializer(base).data, status=code)


@extend_schema(tags=["dues"])
@extend_schema_view(list=extend_schema(
    summary="Members in arrears", responses=ArrearsSerializer(many=True),
    parameters=[GRANT_HEADER,
                OpenApiParameter("branch", OpenApiTypes.INT, required=False, description="One branch (id)."),
                OpenApiParameter("min_months", OpenApiTypes.INT, required=False,
                                 description="Only members at least this many months behind (default 1).")]))
class ArrearsViewSet(DuesViewSet):
    pagination_class = None
    filter_backends = []
    serializer_class = ArrearsSerializer

    def list(self, request):
        branches = Branch.objects.visible_to(request.scope)
        branch = request.query_params.get("branch", "")
        if branch:
            if not branch.isdigit():
                return Response({"branch": [_("Give a branch id.")]}, status=status.HTTP_400_BAD_REQUEST)
            branches = branches.filter(pk=int(branch))
        minimum = request.query_params.get("min_months", "1")
        minimum = int(minimum) if minimum.isdigit() and int(minimum) > 0 else 1
        names = dict(branches.values_list("pk", "node__name")[: ARREARS_BRANCH_LIMIT + 1])
        if len(names) > ARREARS_BRANCH_LIMIT:
            return Response({"branch": [_("Too many branches: choose one.")]}, status=status.HTTP_400_BAD_REQUEST)
        rows = arrears(branch_ids=list(names), today=timezone.localdate(), min_months=minimum)
        data = [{"person": {"id": row.person_id, "name": row.name},
                 "branch": {"id": row.branch_id, "name": names.get(row.branch_id, "")} if row.branch_id else None,
                 "months": row.count, "oldest": month_key(row.oldest),
                 "unpaid_months": [month_key(m) for m in row.months], "amount": str(row.amount)} for row in rows]
        return Response({"results": data})


def register(router):
    router.register("dues/payments", PaymentViewSet, basename="dues-payment")
    router.register("dues/bases", BaseViewSet, basename="dues-base")
    router.register("dues/arrears", ArrearsViewSet, basename="dues-arrears")
