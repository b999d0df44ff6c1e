"""The JSON API of 三张清单 and 点单 service orders: the resource list (``services/resources``), the service menu
(``services/menu``), the project list (``services/projects``) — list, detail, create — and service orders
(``services/orders``: list with the needs list's filters and a keyset cursor, statistics, detail with the steps,
create, and the steps ``accept``, ``assign``, ``done``, ``confirm``, ``cancel``, ``reject``).

Scoped like the pages: reads go through ``visible_to(request.scope)`` (orders through ``visible_orders``: staff see
the scope's, a volunteer only those assigned to them or placed by them, the retiree their own), so anything outside
answers 404; a project's figures count only the scope's orders; writes go through the same services as the pages.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from yinfa.core.access import SCOPE_CHECKED
from yinfa.core.api.views import GRANT_HEADER
from yinfa.core.keyset import keyset_page
from yinfa.core.models import OrgNode
from yinfa.core.permissions import Perm
from yinfa.needs import sla
from yinfa.needs.filters_orders import OrderFilter, project_figures, statistics, visible_orders
from yinfa.needs.filters_resources import MenuFilter, ProjectFilter, ResourceFilter
from yinfa.needs.models import (
    Frequency,
    OrderChannel,
    OrderStatus,
    ProviderKind,
    Resource,
    ServiceCategory,
    ServiceItem,
    ServiceOrder,
    ServiceProject,
)
from yinfa.needs.services import orders as order_services
from yinfa.needs.services import resources as resource_services
from yinfa.people.api import named_choice_field
from yinfa.people.models import Person

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def scoped_pk(queryset_for, **kwargs):
    """A primary-key field whose choices are ``queryset_for(request)``: anything else is "does not exist"."""

    @extend_schema_field(OpenApiTypes.INT)
    class ScopedPrimaryKey(serializers.PrimaryKeyRelatedField):
        def get_queryset(self):
            return queryset_for(self.context["request"])

    return ScopedPrimaryKey(**kwargs)


class NeedsRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def ref(obj, name_attr="name"):
    return {"id": obj.pk, "name": getattr(obj, name_attr)} if obj is not None else None


def _errors(exc):
    return exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}


class NewestFirst(CursorPagination):
    ordering = ("-pk",)
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


def _may(perm):
    def check(request):
        return request.scope is not None and request.scope.has(perm)
    return check


class ListViewSet(viewsets.GenericViewSet):
    """list (the page's FilterSet, newest first, cursor), retrieve, create (CARE_MANAGE) through a service."""

    yinfa_access = SCOPE_CHECKED
    yinfa_perms = (Perm.CARE_VIEW,)
    filter_backends = []
    pagination_class = NewestFirst
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "head", "options"]
    filter_class = None
    write_serializer = None
    save_service = None  # the service that creates an entry: save_service(actor=, scope=, values=)

    def get_queryset(self):
        return self.queryset.model.objects.visible_to(self.request.scope)

    def list(self, request):
        filterset = self.filter_class(request.query_params, queryset=self.get_queryset(), scope=request.scope)
        if not filterset.is_valid():
            return Response(filterset.errors, status=status.HTTP_400_BAD_REQUEST)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    def create(self, request):
        if not request.scope.has(Perm.CARE_MANAGE):
            self.permission_denied(request)
        form = self.write_serializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        try:
            saved = self.save_service(actor=request.user, scope=request.scope, values=dict(form.validated_data))
        except DjangoValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(self.get_serializer(self.get_queryset().get(pk=saved.pk)).data,
                        status=status.HTTP_201_CREATED)


# --- resources ------------------------------------------------------------------------------------------------

class ResourceSerializer(serializers.ModelSerializer):
    node = serializers.SerializerMethodField()
    provider_kind = named_choice_field(ProviderKind, read_only=True)
    community = serializers.SerializerMethodField()
    provider_person = serializers.SerializerMethodField()
    categories = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Resource
        fields = ["id", "node", "provider_kind", "provider_name", "provider_node", "provider_user", "provider_person",
                  "community", "categories", "offer", "skills", "place", "available", "contact_name", "active",
                  "created_at", "updated_at"]
        read_only_fields = fields

    def get_node(self, resource) -> NeedsRefSerializer:
        return ref(resource.node)

    def get_community(self, resource) -> NeedsRefSerializer(allow_null=True):
        return ref(resource.community)

    def get_provider_person(self, resource) -> NeedsRefSerializer(allow_null=True):
        return ref(resource.provider_person)


def _nodes(request):
    return OrgNode.objects.visible_to(request.scope)


class ResourceWriteSerializer(serializers.Serializer):
    node = scoped_pk(_nodes, help_text="The organisation keeping the entry (of the scope).")
    provider_kind = named_choice_field(ProviderKind)
    provider_name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    provider_user = scoped_pk(lambda r: resource_services.volunteer_accounts(r.scope), required=False,
                              allow_null=True, default=None, help_text="For a volunteer: their account.")
    provider_person = scoped_pk(lambda r: Person.objects.visible_to(r.scope), required=False, allow_null=True,
                                default=None, help_text="For a retiree with a talent: their person file.")
    provider_node = scoped_pk(_nodes, required=False, allow_null=True, default=None)
    community = scoped_pk(_nodes, required=False, allow_null=True, default=None)
    categories = serializers.ListField(child=named_choice_field(ServiceCategory), min_length=1)
    offer = serializers.CharField(max_length=200)
    skills = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    place = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    available = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    active = serializers.BooleanField(required=False, default=True)


@extend_schema(tags=["services"], parameters=[GRANT_HEADER])
class ResourceViewSet(ListViewSet):
    """The resource list (资源清单) of the scope: who offers what, where and when."""

    queryset = Resource.objects.none()
    serializer_class = ResourceSerializer
    write_serializer = ResourceWriteSerializer
    save_service = staticmethod(resource_services.save_resource)
    filter_class = ResourceFilter

    def get_queryset(self):
        return Resource.objects.visible_to(self.request.scope).select_related("node", "community",
                                                                              "provider_person")

    @extend_schema(request=ResourceWriteSerializer, responses={201: ResourceSerializer, 400: OpenApiResponse()})
    def create(self, request):
        return super().create(request)


# --- the menu -------------------------------------------------------------------------------------------------

class ServiceItemSerializer(serializers.ModelSerializer):
    node = serializers.SerializerMethodField()
    category = named_choice_field(ServiceCategory, read_only=True)

    class Meta:
        model = ServiceItem
        fields = ["id", "node", "name", "category", "description", "accept_days", "complete_days", "free",
                  "price_note", "active"]
        read_only_fields = fields

    def get_node(self, item) -> NeedsRefSerializer:
        return ref(item.node)


class ServiceItemWriteSerializer(serializers.Serializer):
    node = scoped_pk(_nodes)
    name = serializers.CharField(max_length=80)
    category = named_choice_field(ServiceCategory)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    accept_days = serializers.IntegerField(min_value=0, max_value=resource_services.MAX_DAYS, default=1,
                                           help_text="Accepted within this many working days.")
    complete_days = serializers.IntegerField(min_value=1, max_value=resource_services.MAX_DAYS, default=5,
                                             help_text="Carried out within this many working days.")
    free = serializers.BooleanField(required=False, default=True)
    price_note = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    active = serializers.BooleanField(required=False, default=True)


@extend_schema(tags=["services"], parameters=[GRANT_HEADER])
class ServiceItemViewSet(ListViewSet):
    """The service menu of the scope (items offered at the scope's node, above it or inside it)."""

    queryset = ServiceItem.objects.none()
    serializer_class = ServiceItemSerializer
    write_serializer = ServiceItemWriteSerializer
    save_service = staticmethod(resource_services.save_item)
    filter_class = MenuFilter

    def get_queryset(self):
        return ServiceItem.objects.visible_to(self.request.scope).select_related("node")

    @extend_schema(request=ServiceItemWriteSerializer, responses={201: ServiceItemSerializer, 400: OpenApiResponse()})
    def create(self, request):
        return super().create(request)


# --- projects -------------------------------------------------------------------------------------------------

class ServiceProjectSerializer(serializers.ModelSerializer):
    node = serializers.SerializerMethodField()
    item = serializers.SerializerMethodField()
    provider = serializers.SerializerMethodField()
    frequency = named_choice_field(Frequency, read_only=True)
    order_count = serializers.IntegerField(read_only=True)
    average_rating = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = ServiceProject
        fields = ["id", "node", "title", "item", "provider", "frequency", "beneficiaries", "agreement", "starts_on",
                  "ends_on", "active", "order_count", "average_rating"]
        read_only_fields = fields

    def get_node(self, project) -> NeedsRefSerializer:
        return ref(project.node)

    def get_item(self, project) -> NeedsRefSerializer(allow_null=True):
        return ref(project.item)

    def get_provider(self, project) -> NeedsRefSerializer:
        return ref(project.provider, "provider_name")


class ServiceProjectWriteSerializer(serializers.Serializer):
    node = scoped_pk(_nodes)
    title = serializers.CharField(max_length=120)
    item = scoped_pk(lambda r: ServiceItem.objects.visible_to(r.scope), required=False, allow_null=True,
                     default=None)
    provider = scoped_pk(lambda r: Resource.objects.visible_to(r.scope))
    frequency = named_choice_field(Frequency)
    beneficiaries = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    agreement = serializers.CharField(required=False, allow_blank=True, default="")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    active = serializers.BooleanField(required=False, default=True)


@extend_schema(tags=["services"], parameters=[GRANT_HEADER])
class ServiceProjectViewSet(ListViewSet):
    """The project list (项目清单): services agreed with providers, with the count and average rating of their
    orders within the scope."""

    queryset = ServiceProject.objects.none()
    serializer_class = ServiceProjectSerializer
    write_serializer = ServiceProjectWriteSerializer
    save_service = staticmethod(resource_services.save_project)
    filter_class = ProjectFilter

    def get_queryset(self):
        return project_figures(ServiceProject.objects.visible_to(self.request.scope)
                               .select_related("node", "item", "provider"), self.request.scope)

    @extend_schema(request=ServiceProjectWriteSerializer,
                   responses={201: ServiceProjectSerializer, 400: OpenApiResponse()})
    def create(self, request):
        return super().create(request)


# --- orders ---------------------------------------------------------------------------------------------------

class OrderListSerializer(serializers.ModelSerializer):
    person = serializers.SerializerMethodField()
    item = serializers.SerializerMethodField()
    handler = serializers.SerializerMethodField()
    provider = serializers.SerializerMethodField()
    status = named_choice_field(OrderStatus, read_only=True)
    channel = named_choice_field(OrderChannel, read_only=True)

    class Meta:
        model = ServiceOrder
        fields = ["id", "uid", "person", "item", "status", "channel", "handler", "provider", "assignee",
                  "project", "accept_by", "due_on", "created_at", "rating", "confirmed_by_proxy"]
        read_only_fields = fields

    def get_person(self, order) -> NeedsRefSerializer:
        return ref(order.person)

    def get_item(self, order) -> NeedsRefSerializer:
        return ref(order.item)

    def get_handler(self, order) -> NeedsRefSerializer:
        return ref(order.handler)

    def get_provider(self, order) -> NeedsRefSerializer(allow_null=True):
        return ref(order.provider, "provider_name")


class OrderStepSerializer(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    comment = serializers.CharField()
    actor = serializers.IntegerField(source="actor_id", allow_null=True)
    at = serializers.DateTimeField()


class OrderDetailSerializer(OrderListSerializer):
    steps = OrderStepSerializer(many=True, source="step_rows")
    actions = serializers.ListField(child=serializers.CharField(), source="allowed",
                                    help_text="The steps the caller may take now.")
    weekdays_only_years = serializers.ListField(child=serializers.IntegerField(), source="weekdays_only",
                                                help_text="Years the holiday table does not know: the dates of "
                                                          "the order were counted Monday–Friday only.")

    class Meta(OrderListSerializer.Meta):
        fields = [*OrderListSerializer.Meta.fields, "details", "wanted_on", "proxy_name", "proxy_relation",
                  "source_visit", "accepted_at", "assigned_at", "done_at", "done_note", "closed_at",
                  "rating_comment", "reason", "steps", "actions", "weekdays_only_years"]
        read_only_fields = fields


def _order_people(request):
    """The retiree themself (retiree role) and whom the role may order for (``orderable_people``: staff, anyone of
    the scope; a volunteer, the people they serve)."""
    return Person.objects.filter(account=request.user) | order_services.orderable_people(request.scope, request.user)


def _visits(request):
    """Visits an order may be turned from: their notes are care records (CARE_VIEW)."""
    from yinfa.care.models import Visit

    if not request.scope.has(Perm.CARE_VIEW):
        return Visit.objects.none()
    return Visit.objects.visible_to(request.scope)


class OrderCreateSerializer(serializers.Serializer):
    person = scoped_pk(_order_people, help_text="The retiree (yourself in the retiree role).")
    item = scoped_pk(lambda r: ServiceItem.objects.filter(active=True),
                     help_text="A service of the person's menu.")
    channel = named_choice_field(OrderChannel)
    details = serializers.CharField(required=False, allow_blank=True, default="")
    wanted_on = serializers.DateField(required=False, allow_null=True, default=None)
    proxy_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    proxy_relation = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    source_visit = scoped_pk(_visits, required=False, allow_null=True, default=None)
    project = scoped_pk(lambda r: ServiceProject.objects.visible_to(r.scope), required=False, allow_null=True,
                        default=None)


class OrderCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class OrderAssignSerializer(OrderCommentSerializer):
    provider = scoped_pk(lambda r: Resource.objects.visible_to(r.scope))


class OrderDoneSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class OrderConfirmSerializer(OrderCommentSerializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    proxy_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    proxy_relation = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")


class OrderReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class OrderStatisticsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = serializers.ListField(child=serializers.DictField())
    by_category = serializers.ListField(child=serializers.DictField())
    finished = serializers.IntegerField()
    on_time = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    rated = serializers.IntegerField()
    average_rating = serializers.FloatField(allow_null=True)


class OrderPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    cursor = serializers.CharField(allow_null=True)
    results = OrderListSerializer(many=True)


ORDER_FILTER_PARAMETERS = [
    OpenApiParameter("period", OpenApiTypes.STR, enum=["current", "all"],
                     description="current (default): open orders and those of the last 90 days."),
    OpenApiParameter("status", OpenApiTypes.STR, enum=OrderStatus.values),
    OpenApiParameter("category", OpenApiTypes.STR, enum=ServiceCategory.values),
    OpenApiParameter("channel", OpenApiTypes.STR, enum=OrderChannel.values),
    OpenApiParameter("provider", OpenApiTypes.INT, description="A resource id of the scope."),
    OpenApiParameter("date_from", OpenApiTypes.DATE), OpenApiParameter("date_to", OpenApiTypes.DATE),
    OpenApiParameter("q", OpenApiTypes.STR, description="Part of the person's name or of the service."),
    GRANT_HEADER,
]
STEP_SERIALIZERS = {"accept": OrderCommentSerializer, "assign": OrderAssignSerializer, "done": OrderDoneSerializer,
                    "confirm": OrderConfirmSerializer, "cancel": OrderReasonSerializer, "reject": OrderReasonSerializer}


@extend_schema(tags=["services"])
class ServiceOrderViewSet(viewsets.GenericViewSet):
    """Service orders (点单): staff, the scope's; a volunteer, those assigned to them or placed by them; in the
    retiree role, the retiree's own."""

    yinfa_access = SCOPE_CHECKED
    yinfa_perms = ()
    serializer_class = OrderDetailSerializer
    pagination_class = None
    filter_backends = []
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "head", "options"]
    queryset = ServiceOrder.objects.none()

    def get_queryset(self):
        return visible_orders(self.request.scope, self.request.user)

    def detail_response(self, pk, code=status.HTTP_200_OK):
        order = get_object_or_404(self.get_queryset().select_related(
            "person", "item", "handler", "provider").prefetch_related("steps"), pk=pk)
        order.step_rows = list(order.steps.all())
        order.allowed = order_services.allowed_actions(order, actor=self.request.user, scope=self.request.scope)
        order.weekdays_only = sla.weekdays_only_years(order)
        return Response(OrderDetailSerializer(order, context=self.get_serializer_context()).data, status=code)

    @extend_schema(summary="The needs list: orders of the scope, newest first", parameters=[
        *ORDER_FILTER_PARAMETERS, OpenApiParameter("cursor", OpenApiTypes.STR),
        OpenApiParameter("page_size", OpenApiTypes.INT)], responses=OrderPageSerializer)
    def list(self, request):
        filterset = OrderFilter(request.query_params, queryset=self.get_queryset(), scope=request.scope)
        if not filterset.is_valid():
            return Response(filterset.errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            size = min(MAX_PAGE_SIZE, max(1, int(request.query_params.get("page_size") or DEFAULT_PAGE_SIZE)))
        except ValueError:
            size = DEFAULT_PAGE_SIZE
        rows = filterset.qs.select_related("person", "item", "handler", "provider")
        page = keyset_page(rows, before=request.query_params.get("cursor") or None, size=size)
        next_url = None
        if page.has_more:
            query = request.query_params.copy()
            query["cursor"] = str(page.next_before)
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response({"next": next_url, "cursor": str(page.next_before) if page.has_more else None,
                         "results": OrderListSerializer(page.rows, many=True).data})

    @extend_schema(summary="Figures of the needs list (same filters)", parameters=ORDER_FILTER_PARAMETERS,
                   responses=OrderStatisticsSerializer)
    @action(detail=False, methods=["get"])
    def statistics(self, request):
        filterset = OrderFilter(request.query_params, queryset=self.get_queryset(), scope=request.scope)
        if not filterset.is_valid():
            return Response(filterset.errors, status=status.HTTP_400_BAD_REQUEST)
        figures = statistics(filterset.qs)
        for row in figures["by_status"] + figures["by_category"]:
            row["label"] = str(row["label"])
        return Response(figures)

    @extend_schema(summary="One order with its steps", parameters=[GRANT_HEADER])
    def retrieve(self, request, pk=None):
        return self.detail_response(pk)

    @extend_schema(summary="Place an order (the retiree: channel self; staff or family for them: staff, family "
                           "or visit)", parameters=[GRANT_HEADER], request=OrderCreateSerializer,
                   responses={201: OrderDetailSerializer, 400: OpenApiResponse(description="Invalid")})
    def create(self, request):
        form = OrderCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        person, item, channel = values.pop("person"), values.pop("item"), values.pop("channel")
        try:
            order = order_services.create_order(actor=request.user, scope=request.scope, person=person, item=item,
                                                channel=channel, values=values)
        except DjangoValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return self.detail_response(order.pk, status.HTTP_201_CREATED)

    def step(self, request, pk, name):
        order = get_object_or_404(self.get_queryset().select_related("person", "item"), pk=pk)
        form = STEP_SERIALIZERS[name](data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        try:
            order_services.perform(name, actor=request.user, scope=request.scope, order=order,
                                   **dict(form.validated_data))
        except DjangoValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return self.detail_response(order.pk)

    @extend_schema(summary="Accept the order (staff of the handling organisation)", request=OrderCommentSerializer,
                   parameters=[GRANT_HEADER], responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self.step(request, pk, "accept")

    @extend_schema(summary="Assign (or re-assign) a provider of the resource list", request=OrderAssignSerializer,
                   parameters=[GRANT_HEADER], responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        return self.step(request, pk, "assign")

    @extend_schema(summary="Record that the order was carried out", request=OrderDoneSerializer,
                   parameters=[GRANT_HEADER], responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        return self.step(request, pk, "done")

    @extend_schema(summary="Confirm and rate (1–5); staff confirming for the retiree is recorded as by proxy",
                   request=OrderConfirmSerializer, parameters=[GRANT_HEADER], responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self.step(request, pk, "confirm")

    @extend_schema(summary="Cancel the order (with a reason)", request=OrderReasonSerializer, parameters=[GRANT_HEADER],
                   responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.step(request, pk, "cancel")

    @extend_schema(summary="Reject the order (with a reason)", request=OrderReasonSerializer, parameters=[GRANT_HEADER],
                   responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self.step(request, pk, "reject")


def register(router):
    router.register("services/resources", ResourceViewSet, basename="resource")
    router.register("services/menu", ServiceItemViewSet, basename="service-item")
    router.register("services/projects", ServiceProjectViewSet, basename="service-project")
    router.register("services/orders", ServiceOrderViewSet, basename="service-order")
