"""The care JSON API: visits (list with the list page's filters and a keyset cursor, detail, create, correct
(PATCH) and delete (DELETE with a reason) through the visit service) and hospital stays (the scope's stays,
``?open=1`` for those still in hospital, ``?person=``).

Same scope as the pages: reads go through ``Visit.objects.visible_to(request.scope)`` and
``yinfa.care.querysets.hospital_stays(request.scope)`` (anything outside answers 404 or is not listed). A stay's
department and diagnosis are health data: the serializer leaves them out unless the role has HEALTH_VIEW.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from yinfa.care.filters_visits import VisitFilter
from yinfa.care.models import CampaignTask, Visit, VisitKind, VisitPhoto
from yinfa.care.querysets import hospital_stays
from yinfa.care.services import visits as services
from yinfa.core.access import SCOPE_CHECKED
from yinfa.core.api.permissions import ScopedPermission
from yinfa.core.api.views import GRANT_HEADER
from yinfa.core.keyset import keyset_page
from yinfa.core.models import OrgNode
from yinfa.core.permissions import Perm
from yinfa.people.api import named_choice_field
from yinfa.people.models import LifeEvent, Person

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


# --- serializers -------------------------------------------------------------------------------------------------

class VisitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class VisitPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    unit = serializers.CharField(source="unit.name")
    community = serializers.CharField(source="community.name", allow_null=True, default=None)
    deceased = serializers.BooleanField(source="is_deceased")


class VisitSerializer(serializers.ModelSerializer):
    person = VisitPersonSerializer()
    kind = named_choice_field(VisitKind, read_only=True)
    organisation = VisitRefSerializer(allow_null=True)
    hospital_stay = serializers.IntegerField(source="hospital_stay_id", allow_null=True)
    task = serializers.IntegerField(source="task_id", allow_null=True)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = ["id", "uid", "person", "kind", "visited_on", "visitors", "leaders", "gift", "money", "feedback",
                  "needs", "hospital_stay", "task", "organisation", "photos", "created_at"]
        read_only_fields = fields

    def get_photos(self, visit) -> list[str]:
        """The addresses of the photos (served only to the scope)."""
        return [reverse("care:visit_photo", args=[photo.pk]) for photo in visit.photos.all()]


@extend_schema_field(OpenApiTypes.INT)
class ScopedPersonField(serializers.PrimaryKeyRelatedField):
    """A person of the scope in use; one outside it is "not found", like one that does not exist."""

    def get_queryset(self):
        return Person.objects.visible_to(getattr(self.context.get("request"), "scope", None))


@extend_schema_field(OpenApiTypes.INT)
class ScopedStayField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return hospital_stays(getattr(self.context.get("request"), "scope", None))


@extend_schema_field(OpenApiTypes.INT)
class ScopedTaskField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return CampaignTask.objects.visible_to(getattr(self.context.get("request"), "scope", None))


@extend_schema_field(OpenApiTypes.INT)
class ScopedNodeField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return OrgNode.objects.visible_to(getattr(self.context.get("request"), "scope", None))


class VisitWriteSerializer(serializers.Serializer):
    person = ScopedPersonField()
    kind = named_choice_field(VisitKind)
    visited_on = serializers.DateField()
    visitors = serializers.CharField(max_length=200)
    leaders = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    gift = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    money = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True, default=None,
                                     min_value=0, help_text="Yuan, to the fen.")
    feedback = serializers.CharField(required=False, allow_blank=True, default="")
    needs = serializers.CharField(required=False, allow_blank=True, default="")
    hospital_stay = ScopedStayField(required=False, allow_null=True, default=None,
                                    help_text="One of the person's hospital stays.")
    organisation = ScopedNodeField(required=False, allow_null=True, default=None,
                                   help_text="The visiting organisation (default: the node of the role in use).")
    task = ScopedTaskField(required=False, allow_null=True, default=None,
                           help_text="The campaign task the visit completes.")


class VisitUpdateSerializer(serializers.Serializer):
    """A correction of a visit: only the fields sent change (the person and the campaign task cannot)."""

    kind = named_choice_field(VisitKind, required=False)
    visited_on = serializers.DateField(required=False)
    visitors = serializers.CharField(max_length=200, required=False)
    leaders = serializers.CharField(max_length=200, required=False, allow_blank=True)
    gift = serializers.CharField(max_length=200, required=False, allow_blank=True)
    money = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True, min_value=0,
                                     help_text="Yuan, to the fen.")
    feedback = serializers.CharField(required=False, allow_blank=True)
    needs = serializers.CharField(required=False, allow_blank=True)
    hospital_stay = ScopedStayField(required=False, allow_null=True, help_text="One of the person's hospital stays.")
    organisation = ScopedNodeField(required=False, allow_null=True, help_text="The visiting organisation.")


class VisitDeleteSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why the visit is deleted (kept in the audit trail).")


class VisitPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    cursor = serializers.CharField(allow_null=True)
    results = VisitSerializer(many=True)


class HospitalStaySerializer(serializers.ModelSerializer):
    person = VisitRefSerializer()
    hospital = serializers.CharField(source="place")
    admitted_on = serializers.DateField(source="starts_on")
    discharged_on = serializers.DateField(source="ends_on", allow_null=True)
    department = serializers.CharField(required=False, help_text="Only for roles that may see health data.")
    diagnosis = serializers.CharField(required=False, help_text="Only for roles that may see health data.")
    visits = serializers.SerializerMethodField()

    class Meta:
        model = LifeEvent
        fields = ["id", "person", "hospital", "department", "admitted_on", "discharged_on", "diagnosis", "note",
                  "visits"]
        read_only_fields = fields

    def get_fields(self):
        fields = super().get_fields()
        if not self.context.get("health"):
            fields.pop("department")
            fields.pop("diagnosis")
        return fields

    def get_visits(self, stay) -> list[int]:
        """The ids of the visits linked to the stay, latest first."""
        return [visit.pk for visit in stay.visits.all()]


# --- views -------------------------------------------------------------------------------------------------------

class CarePermission(ScopedPermission):
    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        return all(request.scope.has(p) for p in getattr(view, "action_perms", {}).get(view.action, ()))


def _errors(exc):
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"non_field_errors": exc.messages}


def page_size(request):
    try:
        return min(MAX_PAGE_SIZE, max(1, int(request.query_params.get("page_size") or DEFAULT_PAGE_SIZE)))
    except ValueError:
        return DEFAULT_PAGE_SIZE


def keyset_response(request, queryset, serializer_class, context, field):
    page = keyset_page(queryset, before=request.query_params.get("cursor") or None, size=page_size(request),
                       field=field)
    next_url = None
    if page.has_more:
        query = request.query_params.copy()
        query["cursor"] = str(page.next_before)
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    rows = serializer_class(page.rows, many=True, context=context).data
    return Response({"next": next_url, "cursor": str(page.next_before) if page.has_more else None, "results": rows})


def _visit_filter_parameters():
    return [
        OpenApiParameter("kind", OpenApiTypes.STR, required=False, enum=VisitKind.values),
        OpenApiParameter("date_from", OpenApiTypes.DATE, required=False),
        OpenApiParameter("date_to", OpenApiTypes.DATE, required=False),
        OpenApiParameter("name", OpenApiTypes.STR, required=False, description="Name, pinyin or initials."),
        OpenApiParameter("organisation", OpenApiTypes.INT, required=False,
                         description="An organisation of the scope: visits made by it or to its people."),
        OpenApiParameter("person", OpenApiTypes.INT, required=False),
        OpenApiParameter("cursor", OpenApiTypes.STR, required=False, description="The cursor of the next page."),
        OpenApiParameter("page_size", OpenApiTypes.INT, required=False,
                         description=f"Rows per page (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE})."),
        GRANT_HEADER,
    ]


@extend_schema(tags=["care"])
@extend_schema_view(
    list=extend_schema(summary="List visits in scope, latest first", parameters=_visit_filter_parameters(),
                       responses=VisitPageSerializer),
    retrieve=extend_schema(summary="One visit", parameters=[GRANT_HEADER], responses=VisitSerializer),
    create=extend_schema(summary="Record a visit (photos are added on the page)", parameters=[GRANT_HEADER],
                         request=VisitWriteSerializer,
                         responses={201: VisitSerializer, 400: OpenApiResponse(description="Invalid")}),
    partial_update=extend_schema(summary="Correct a visit (the person and the campaign task cannot change)",
                                 parameters=[GRANT_HEADER], request=VisitUpdateSerializer,
                                 responses={200: VisitSerializer, 400: OpenApiResponse(description="Invalid")}),
    destroy=extend_schema(summary="Delete a visit recorded by mistake, saying why", parameters=[GRANT_HEADER],
                          request=VisitDeleteSerializer,
                          responses={204: None, 400: OpenApiResponse(description="No reason, or refused")},
                          description="The campaign task the visit ticked off is to visit again; refused when "
                                      "its campaign is closed."),
)
class VisitViewSet(viewsets.GenericViewSet):
    """Visits (走访慰问) to the people of the scope in use."""

    yinfa_access = SCOPE_CHECKED
    yinfa_perms = (Perm.CARE_VIEW,)
    action_perms = {"create": (Perm.CARE_MANAGE,), "partial_update": (Perm.CARE_MANAGE,),
                    "destroy": (Perm.CARE_MANAGE,)}
    permission_classes = [CarePermission]
    serializer_class = VisitSerializer
    pagination_class = None
    filter_backends = []
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = Visit.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return Visit.objects.visible_to(self.request.scope)

    def with_related(self, queryset):
        return queryset.select_related("person__unit", "person__community", "organisation").prefetch_related(
            Prefetch("photos", queryset=VisitPhoto.objects.only("pk", "visit_id")))

    def list(self, request):
        filterset = VisitFilter(request.query_params, scope=request.scope)
        if not filterset.is_valid():
            return Response(filterset.errors, status=status.HTTP_400_BAD_REQUEST)
        return keyset_response(request, self.with_related(filterset.qs), VisitSerializer,
                               self.get_serializer_context(), "visited_on")

    def retrieve(self, request, pk=None):
        visit = get_object_or_404(self.with_related(self.get_queryset()), pk=pk)
        return Response(VisitSerializer(visit, context=self.get_serializer_context()).data)

    def create(self, request):
        form = VisitWriteSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        person, task = values.pop("person"), values.pop("task")
        try:
            visit = services.create_visit(actor=request.user, scope=request.scope, person=person, values=values,
                                          task=task)
        except DjangoValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        visit = self.with_related(self.get_queryset()).get(pk=visit.pk)
        response = Response(VisitSerializer(visit, context=self.get_serializer_context()).data,
                            status=status.HTTP_201_CREATED)
        response["Location"] = reverse("visit-detail", kwargs={"pk": visit.pk})
        return response

    def partial_update(self, request, pk=None):
        visit = get_object_or_404(self.get_queryset(), pk=pk)
        fixed = {name: [message] for name, current, message in (
            ("person", visit.person_id, _("The person of a visit cannot change.")),
            ("task", visit.task_id, _("The campaign task of a visit cannot change.")))
            if name in request.data and str(request.data.get(name)) != str(current)}
        if fixed:
            return Response(fixed, status=status.HTTP_400_BAD_REQUEST)
        form = VisitUpdateSerializer(data=request.data, context=self.get_serializer_context(), partial=True)
        form.is_valid(raise_exception=True)
        try:
            services.update_visit(actor=request.user, scope=request.scope, visit=visit,
                                  values=dict(form.validated_data))
        except DjangoValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        visit = self.with_related(self.get_queryset()).get(pk=visit.pk)
        return Response(VisitSerializer(visit, context=self.get_serializer_context()).data)

    def destroy(self, request, pk=None):
        visit = get_object_or_404(self.get_queryset(), pk=pk)
        form = VisitDeleteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            services.delete_visit(actor=request.user, scope=request.scope, visit=visit,
                                  reason=form.validated_data["reason"])
        except DjangoValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["care"])
@extend_schema_view(
    list=extend_schema(summary="List hospital stays in scope, latest admission first", parameters=[
        OpenApiParameter("open", OpenApiTypes.BOOL, required=False, description="1: only those still in hospital."),
        OpenApiParameter("person", OpenApiTypes.INT, required=False),
        OpenApiParameter("cursor", OpenApiTypes.STR, required=False, description="The cursor of the next page."),
        OpenApiParameter("page_size", OpenApiTypes.INT, required=False),
        GRANT_HEADER], responses=HospitalStaySerializer(many=True)),
    retrieve=extend_schema(summary="One hospital stay", parameters=[GRANT_HEADER], responses=HospitalStaySerializer),
)
class HospitalStayViewSet(viewsets.GenericViewSet):
    """Hospital stays of the people of the scope in use (department and diagnosis only with HEALTH_VIEW)."""

    yinfa_access = SCOPE_CHECKED
    yinfa_perms = (Perm.CARE_VIEW,)
    permission_classes = [CarePermission]
    serializer_class = HospitalStaySerializer
    pagination_class = None
    filter_backends = []
    lookup_value_converter = "int"
    http_method_names = ["get", "head", "options"]
    queryset = LifeEvent.objects.none()  # for the schema; requests use get_queryset

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "health": self.request.scope.has(Perm.HEALTH_VIEW)}

    def get_queryset(self):
        fields = ["pk", "person", "kind", "place", "starts_on", "ends_on", "note", "person__name"]
        if self.request.scope.has(Perm.HEALTH_VIEW):
            fields += ["department", "diagnosis"]
        visits = Visit.objects.only("pk", "hospital_stay_id", "visited_on").order_by("-visited_on", "-pk")
        return (hospital_stays(self.request.scope).select_related("person")
                .only(*fields).prefetch_related(Prefetch("visits", queryset=visits)))

    def list(self, request):
        stays = self.get_queryset()
        if request.query_params.get("open") in ("1", "true", "True", "yes"):
            stays = stays.filter(ends_on__isnull=True, person__deceased_on__isnull=True)
        person = request.query_params.get("person")
        if person:
            if not person.isdigit():
                return Response({"person": ["A person id."]}, status=status.HTTP_400_BAD_REQUEST)
            stays = stays.filter(person_id=int(person))
        return keyset_response(request, stays, HospitalStaySerializer, self.get_serializer_context(), "starts_on")

    def retrieve(self, request, pk=None):
        stay = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(HospitalStaySerializer(stay, context=self.get_serializer_context()).data)


def register(router):
    router.register("care/visits", VisitViewSet, basename="visit")
    router.register("care/hospital-stays", HospitalStayViewSet, basename="hospital-stay")
