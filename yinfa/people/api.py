"""The JSON API of person files: list (the list page's filters, keyset cursor), detail, create, update with a
version check, and the exact lookup by ID number or phone (posted, never in a URL).

Same scope as the pages: reads go through ``Person.objects.visible_to(request.scope)`` (the list through the
registry's selector), so a file outside the scope answers 404; writes go through the registry's services
(``yinfa.people.services.person``). ID numbers, phones, landlines and addresses leave only masked; the health
section and diagnoses only with ``Perm.HEALTH_VIEW``.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
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
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from yinfa.core.access import SCOPE_CHECKED
from yinfa.core.api.permissions import ScopedPermission
from yinfa.core.api.views import GRANT_HEADER
from yinfa.core.fields import lookup_index
from yinfa.core.masking import mask_address, mask_id_number, mask_phone
from yinfa.core.models import OrgNode, normalize_mobile
from yinfa.core.permissions import Perm
from yinfa.people import idnumbers
from yinfa.people.filters import PersonFilter
from yinfa.people.models import (
    Contact,
    Document,
    DocumentKind,
    Health,
    Honour,
    HonourKind,
    Level,
    LifeEvent,
    LifeEventKind,
    Person,
)
from yinfa.people.selectors import person_list_page
from yinfa.people.services import person as person_services

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
LOOKUP_LIMIT = 20
NODE_FIELDS = ("unit", "branch", "community", "registered_community", "managing_unit")


# --- serializers -------------------------------------------------------------------------------------------------

_CHOICE_FIELD_CLASSES = {}


def named_choice_field(choices, **kwargs):
    """A choice field documented by a schema component named after its choice set (``Level``, ``HonourKind``):
    several choice sets share a field name ("kind") and two fields share a choice set ("level", "treatment"),
    which the schema's automatic enum names would mix up."""
    blank = bool(kwargs.get("allow_blank"))
    name = choices.__name__ + ("OrBlank" if blank else "")
    if name not in _CHOICE_FIELD_CLASSES:
        # A class of its own: DRF copies declared fields by re-instantiating their class.
        _CHOICE_FIELD_CLASSES[name] = extend_schema_field(
            {"type": "string", "enum": [*choices.values, *([""] if blank else [])]}, component_name=name)(
            type(f"{name}ChoiceField", (serializers.ChoiceField,), {}))
    return _CHOICE_FIELD_CLASSES[name](choices=choices.choices, **kwargs)


class PersonNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PersonListSerializer(serializers.Serializer):
    """A row of the list: only the columns the list selector loads (so no row costs a query)."""

    id = serializers.IntegerField()
    uid = serializers.UUIDField()
    name = serializers.CharField()
    name_pinyin = serializers.CharField()
    gender = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    age = serializers.SerializerMethodField()
    category = serializers.CharField()
    category_display = serializers.CharField(source="get_category_display")
    level = serializers.CharField()
    treatment = serializers.CharField()
    id_number_masked = serializers.SerializerMethodField()
    phone_masked = serializers.SerializerMethodField()
    deceased_on = serializers.DateField(allow_null=True)
    lives_elsewhere = serializers.BooleanField()
    unit = PersonNodeSerializer()
    community = PersonNodeSerializer(allow_null=True)

    def get_age(self, person) -> int | None:
        return person.age_on(person.deceased_on or self.context.get("today") or timezone.localdate())

    def get_id_number_masked(self, person) -> str:
        return mask_id_number(person.id_number)

    def get_phone_masked(self, person) -> str:
        return mask_phone(person.phone)


class ContactSerializer(serializers.ModelSerializer):
    phone_masked = serializers.SerializerMethodField()

    class Meta:
        model = Contact
        fields = ["id", "relation", "name", "phone_masked", "alive", "lives_together", "is_emergency",
                  "is_survivor", "dependant", "note"]

    def get_phone_masked(self, contact) -> str:
        return mask_phone(contact.phone)


class HonourSerializer(serializers.ModelSerializer):
    kind = named_choice_field(HonourKind)

    class Meta:
        model = Honour
        fields = ["id", "kind", "title", "awarded_on", "awarded_by", "note"]


class DocumentSerializer(serializers.ModelSerializer):
    kind = named_choice_field(DocumentKind)

    class Meta:
        model = Document
        fields = ["id", "kind", "title", "content_type", "size", "uploaded_at"]


class LifeEventSerializer(serializers.ModelSerializer):
    """Diagnosis (or cause of death) and department are health data: present only with the health permission."""

    class Meta:
        model = LifeEvent
        fields = ["id", "kind", "starts_on", "ends_on", "is_open", "place", "department", "reason", "diagnosis",
                  "farewell", "pension_recipient", "note"]

    kind = named_choice_field(LifeEventKind)
    is_open = serializers.BooleanField(read_only=True)

    def get_fields(self):
        fields = super().get_fields()
        if self.context.get("health") is False:
            fields.pop("diagnosis")
            fields.pop("department")
        return fields


class HealthSerializer(serializers.ModelSerializer):
    class Meta:
        model = Health
        fields = ["status", "chronic_conditions", "disabilities", "medical_entitlement", "contract_hospital",
                  "last_checkup_on", "checkup_summary", "notes", "updated_at"]


class PersonDetailSerializer(serializers.ModelSerializer):
    """The whole file, protected values masked; ``health`` only with the health permission."""

    id_number_masked = serializers.SerializerMethodField()
    phone_masked = serializers.SerializerMethodField()
    landline_masked = serializers.SerializerMethodField()
    address_masked = serializers.SerializerMethodField()
    age = serializers.SerializerMethodField()
    lixiu_period = serializers.CharField(read_only=True, allow_null=True)
    level = named_choice_field(Level, allow_blank=True)
    treatment = named_choice_field(Level, allow_blank=True)
    unit = PersonNodeSerializer()
    branch = PersonNodeSerializer(allow_null=True)
    community = PersonNodeSerializer(allow_null=True)
    registered_community = PersonNodeSerializer(allow_null=True)
    managing_unit = PersonNodeSerializer(allow_null=True)
    contacts = ContactSerializer(many=True)
    honours = HonourSerializer(many=True)
    documents = DocumentSerializer(many=True)
    life_events = LifeEventSerializer(many=True)
    health = HealthSerializer(required=False, allow_null=True,
                              help_text="Present only when the role in use may view health details.")

    class Meta:
        model = Person
        fields = [
            "id", "uid", "version", "name", "name_pinyin", "former_name", "gender", "ethnicity", "birth_date",
            "birthday_is_lunar", "age", "native_place", "id_number_masked", "phone_masked", "landline_masked",
            "address_masked", "category", "lixiu_period", "joined_work_on", "joined_revolution_on",
            "joined_party_on", "retired_on", "former_position", "level", "treatment", "treatment_approved_on",
            "treatment_approval_no", "managing_unit", "political_status", "party_roles", "unit", "branch",
            "community", "registered_community", "living_status", "self_care", "lives_elsewhere",
            "elsewhere_place", "specialties", "hobbies", "social_positions", "rehired", "deceased_on",
            "created_at", "updated_at", "contacts", "honours", "documents", "life_events", "health",
        ]
        read_only_fields = fields

    def get_id_number_masked(self, person) -> str:
        return mask_id_number(person.id_number)

    def get_phone_masked(self, person) -> str:
        return mask_phone(person.phone)

    def get_landline_masked(self, person) -> str:
        return mask_phone(person.landline)

    def get_address_masked(self, person) -> str:
        return mask_address(person.address)

    def get_age(self, person) -> int | None:
        """Today's age; for the deceased, the age at death."""
        return person.age_on(person.deceased_on or timezone.localdate())

    def get_fields(self):
        fields = super().get_fields()
        if self.context.get("health") is False:  # the schema (no request) documents the section
            fields.pop("health")
        return fields


class ScopedNodeField(serializers.PrimaryKeyRelatedField):
    """An organisation id of the scope in use; one outside it is "not found", like one that does not exist."""

    def get_queryset(self):
        request = self.context.get("request")
        return OrgNode.objects.visible_to(getattr(request, "scope", None))


class PersonWriteSerializer(serializers.ModelSerializer):
    """The fields a client may set (those of the file's sections). Protected values are write-only."""

    id_number = serializers.CharField(max_length=40, required=False, write_only=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, write_only=True)
    landline = serializers.CharField(max_length=30, required=False, allow_blank=True, write_only=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, write_only=True)
    unit = ScopedNodeField(required=False)
    community = ScopedNodeField(required=False, allow_null=True)
    managing_unit = ScopedNodeField(required=False, allow_null=True)
    level = named_choice_field(Level, allow_blank=True, required=False)
    treatment = named_choice_field(Level, allow_blank=True, required=False)

    class Meta:
        model = Person
        fields = sorted(person_services.EDITABLE_FIELDS)
        extra_kwargs = {"gender": {"required": False}, "name": {"required": False},
                        "category": {"required": False}}


class PersonUpdateSerializer(PersonWriteSerializer):
    version = serializers.IntegerField(help_text="The version of the file the change was made from (as read).")

    class Meta(PersonWriteSerializer.Meta):
        fields = [*PersonWriteSerializer.Meta.fields, "version"]


class LookupSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=40, required=False)
    phone = serializers.CharField(max_length=20, required=False)

    def validate(self, attrs):
        given = [name for name in ("id_number", "phone") if attrs.get(name)]
        if len(given) != 1:
            raise serializers.ValidationError(_("Give either an ID number or a mobile number."))
        if given == ["id_number"]:
            try:
                attrs["id_number"] = idnumbers.validate(attrs["id_number"])
            except idnumbers.IdNumberError as exc:
                raise serializers.ValidationError({"id_number": [exc.message]}) from None
        else:
            mobile = normalize_mobile(attrs["phone"])
            if len(mobile) != 11 or not mobile.startswith("1"):
                raise serializers.ValidationError({"phone": [_("Give an 11-digit mobile number.")]})
            attrs["phone"] = mobile
        return attrs


class PersonPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True, help_text="The URL of the next page (null on the last page).")
    cursor = serializers.CharField(allow_null=True, help_text="The cursor of the next page.")
    count = serializers.IntegerField(allow_null=True, help_text="Matching files, counted on the first page only "
                                                               "and only up to a cap (see count_capped).")
    count_capped = serializers.BooleanField(help_text="More files match than the count says.")
    results = PersonListSerializer(many=True)


class LookupResultSerializer(serializers.Serializer):
    results = PersonListSerializer(many=True)


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    current_version = serializers.IntegerField(required=False)
    existing = serializers.IntegerField(required=False, help_text="The existing file, when it is in your scope.")


# --- views -------------------------------------------------------------------------------------------------------

class PersonPermission(ScopedPermission):
    """The scope check of every API view, plus the permissions of the action (``action_perms``)."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        return all(request.scope.has(p) for p in view.action_perms.get(view.action, ()))


def _filter_parameters():
    parameters = []
    for name, filter_ in PersonFilter.base_filters.items():
        choices = getattr(filter_, "extra", {}).get("choices")
        enum = [str(value) for value, _label in choices] if choices and not callable(choices) else None
        kind = OpenApiTypes.INT if name in ("unit", "community", "branch", "node") else OpenApiTypes.STR
        parameters.append(OpenApiParameter(name, kind, required=False, enum=enum,
                                           description=str(filter_.label or name)))
    parameters += [
        OpenApiParameter("cursor", OpenApiTypes.STR, required=False, description="The cursor of the next page."),
        OpenApiParameter("page_size", OpenApiTypes.INT, required=False,
                         description=f"Rows per page (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE})."),
        GRANT_HEADER,
    ]
    return parameters


def _service_errors(exc):
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"non_field_errors": exc.messages}


def _conflict(detail, code, **extra):
    return Response({"detail": str(detail), "code": code, **extra}, status=status.HTTP_409_CONFLICT)


@extend_schema(tags=["people"])
@extend_schema_view(
    list=extend_schema(summary="List person files in scope", parameters=_filter_parameters(),
                       responses=PersonPageSerializer),
    retrieve=extend_schema(summary="One person file (masked; health only with the health permission)",
                           parameters=[GRANT_HEADER], responses=PersonDetailSerializer),
    create=extend_schema(summary="Create a person file", parameters=[GRANT_HEADER], request=PersonWriteSerializer,
                         responses={201: PersonDetailSerializer, 400: OpenApiResponse(description="Invalid"),
                                    409: ConflictSerializer}),
    partial_update=extend_schema(
        summary="Change a person file", parameters=[GRANT_HEADER], request=PersonUpdateSerializer,
        responses={200: PersonDetailSerializer, 400: OpenApiResponse(description="Invalid"),
                   409: ConflictSerializer},
        description="Send the `version` you read. If the file was saved by someone else since, the answer is "
                    "409 Conflict and nothing is written: read the file again and reapply the change."),
)
class PersonViewSet(viewsets.GenericViewSet):
    """Person files of the scope in use."""

    yinfa_access = SCOPE_CHECKED
    yinfa_perms = (Perm.PEOPLE_VIEW,)
    action_perms = {"create": (Perm.PEOPLE_EDIT,), "partial_update": (Perm.PEOPLE_EDIT,)}
    permission_classes = [PersonPermission]
    serializer_class = PersonDetailSerializer
    pagination_class = None
    filter_backends = []
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Person.objects.none()  # for the schema; requests use get_queryset

    @property
    def may_see_health(self):
        return self.request.scope.has(Perm.HEALTH_VIEW)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "health": self.may_see_health, "today": timezone.localdate()}

    def get_queryset(self):
        return Person.objects.visible_to(self.request.scope)

    def detail_queryset(self):
        queryset = self.get_queryset().select_related(*NODE_FIELDS).prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("-is_emergency", "relation", "id")),
            Prefetch("honours", queryset=Honour.objects.order_by("-awarded_on", "id")),
            Prefetch("documents", queryset=Document.objects.order_by("-uploaded_at", "-id")),
            Prefetch("life_events", queryset=LifeEvent.objects.order_by("-starts_on", "-id")))
        if self.may_see_health:
            queryset = queryset.select_related("health")
        return queryset

    def get_object(self):
        return get_object_or_404(self.detail_queryset(), pk=self.kwargs["pk"])

    def detail_response(self, person, status_code=status.HTTP_200_OK):
        person = get_object_or_404(self.detail_queryset(), pk=person.pk)
        return Response(self.get_serializer(person).data, status=status_code)

    # --- reads ---

    def list(self, request):
        try:
            size = min(MAX_PAGE_SIZE, max(1, int(request.query_params.get("page_size") or DEFAULT_PAGE_SIZE)))
        except ValueError:
            size = DEFAULT_PAGE_SIZE
        cursor = request.query_params.get("cursor") or None
        page = person_list_page(request.scope, request.query_params, after=cursor, size=size, request=request)
        if page.filterset.errors:
            return Response(page.filterset.errors, status=status.HTTP_400_BAD_REQUEST)
        next_url = None
        if page.has_more:
            query = request.query_params.copy()
            query["cursor"] = page.next_cursor
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        rows = PersonListSerializer(page.rows, many=True, context=self.get_serializer_context()).data
        return Response({"next": next_url, "cursor": page.next_cursor, "count": page.count,
                         "count_capped": page.count_capped, "results": rows})

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(summary="Find files by exact ID number or mobile number", request=LookupSerializer,
                   responses=LookupResultSerializer, parameters=[GRANT_HEADER],
                   description="Posted, so the number never appears in a URL or an access log. Only files in "
                               "the scope are found.")
    @action(detail=False, methods=["post"])
    def lookup(self, request):
        form = LookupSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        if form.validated_data.get("id_number"):
            condition = {"id_number_index": lookup_index(Person, "id_number_index", form.validated_data["id_number"])}
        else:
            condition = {"phone_index": lookup_index(Person, "phone_index", form.validated_data["phone"])}
        matches = (self.get_queryset().filter(**condition).select_related("unit", "community")
                   .order_by("name_pinyin", "pk")[:LOOKUP_LIMIT])
        rows = PersonListSerializer(matches, many=True, context=self.get_serializer_context()).data
        return Response({"results": rows}, headers={"Cache-Control": "no-store"})

    # --- writes (through the registry's services) ---

    def create(self, request):
        form = PersonWriteSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        missing = {name: [_("This field is required.")] for name in ("name", "id_number", "category", "unit")
                   if not form.validated_data.get(name)}
        if missing:
            return Response(missing, status=status.HTTP_400_BAD_REQUEST)
        try:
            person = person_services.create_person(actor=request.user, scope=request.scope,
                                                   values=dict(form.validated_data))
        except person_services.DuplicatePerson as exc:
            extra = {}
            if self.get_queryset().filter(pk=exc.person_id).exists():
                extra["existing"] = exc.person_id
            return _conflict(_("A file with this ID number already exists."), "duplicate", **extra)
        except DjangoValidationError as exc:
            return Response(_service_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        response = self.detail_response(person, status.HTTP_201_CREATED)
        response["Location"] = reverse("person-detail", kwargs={"pk": person.pk})
        return response

    def partial_update(self, request, pk=None):
        person = get_object_or_404(self.get_queryset().select_related(*NODE_FIELDS), pk=pk)
        form = PersonUpdateSerializer(person, data=request.data, partial=True, context=self.get_serializer_context())
        if "version" not in request.data:
            return Response({"version": [_("Send the version of the file you read.")]},
                            status=status.HTTP_400_BAD_REQUEST)
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        version = values.pop("version")
        if version != person.version:
            return _conflict(person_services.STALE_MESSAGE, "stale", current_version=person.version)
        try:
            person = person_services.update_person(actor=request.user, scope=request.scope, person=person,
                                                   version=version, values=values, section="api")
        except person_services.StaleFile:
            current = Person.objects.filter(pk=person.pk).values_list("version", flat=True).first()
            return _conflict(person_services.STALE_MESSAGE, "stale", current_version=current)
        except DjangoValidationError as exc:
            return Response(_service_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return self.detail_response(person)
