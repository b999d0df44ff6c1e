"""The JSON API of meetings: list (the list page's filters, keyset cursor), detail with the attendance rows,
create, update, and the attendance of a meeting (PUT a list of rows).

Same scope as the pages: reads go through ``Meeting.objects.visible_to(request.scope)`` (a meeting outside it
answers 404); writes go through ``yinfa.partylife.services.meetings``.
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
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from yinfa.core.access import SCOPE_CHECKED
from yinfa.core.api.permissions import ScopedPermission
from yinfa.core.api.views import GRANT_HEADER
from yinfa.core.keyset import keyset_page
from yinfa.core.models import OrgKind, OrgNode
from yinfa.core.permissions import Perm
from yinfa.partylife.filters_meetings import MeetingFilter
from yinfa.partylife.models import Attendance, AttendanceStatus, Branch, Meeting, MeetingFile, MeetingKind
from yinfa.partylife.services import meetings as services
from yinfa.people.api import named_choice_field

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_ATTENDANCE_ROWS = 500
ATTENDANCE_FIELDS = ("pk", "meeting_id", "person_id", "status", "is_voting", "leave_reason", "delivered_by",
                     "delivered_on", "signed_in_at", "person__name", "person__name_pinyin")


# --- serializers -------------------------------------------------------------------------------------------------

class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BranchRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="node.name")


class MeetingListSerializer(serializers.ModelSerializer):
    branch = BranchRefSerializer()
    kind = named_choice_field(MeetingKind, read_only=True)
    party_group = NamedSerializer(allow_null=True)
    quorum_met = serializers.BooleanField(allow_null=True, read_only=True,
                                          help_text="For a general members' meeting with recorded attendance: "
                                                    "more than half of the voting members present; else null.")

    class Meta:
        model = Meeting
        fields = ["id", "uid", "branch", "kind", "topic", "held_on", "starts_at", "place", "party_group",
                  "counts_year", "counts_month", "attendance_recorded", "qualifies", "expected_count",
                  "present_count", "delivered_count", "leave_count", "absent_count", "voting_count",
                  "voting_present", "quorum_met"]
        read_only_fields = fields


class AttendanceRowSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField(source="person.name")
    status = named_choice_field(AttendanceStatus, read_only=True)

    class Meta:
        model = Attendance
        fields = ["person", "name", "status", "is_voting", "leave_reason", "delivered_by", "delivered_on",
                  "signed_in_at"]
        read_only_fields = fields


class MeetingFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingFile
        fields = ["id", "title", "is_photo", "content_type", "size", "uploaded_at"]
        read_only_fields = fields


class MeetingDetailSerializer(MeetingListSerializer):
    attendance = AttendanceRowSerializer(many=True)
    files = MeetingFileSerializer(many=True)
    copied_from = serializers.IntegerField(source="copied_from_id", allow_null=True)

    class Meta(MeetingListSerializer.Meta):
        fields = [*MeetingListSerializer.Meta.fields, "host", "speaker", "agenda", "minutes", "copied_from",
                  "created_at", "updated_at", "attendance", "files"]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class ScopedBranchField(serializers.PrimaryKeyRelatedField):
    """A branch of the scope in use; one outside it is "not found", like one that does not exist."""

    def get_queryset(self):
        return Branch.objects.visible_to(getattr(self.context.get("request"), "scope", None))


@extend_schema_field(OpenApiTypes.INT)
class ScopedGroupField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        scope = getattr(self.context.get("request"), "scope", None)
        return OrgNode.objects.visible_to(scope).filter(kind=OrgKind.PARTY_GROUP)


class MeetingWriteSerializer(serializers.Serializer):
    branch = ScopedBranchField(help_text="The branch (create only).")
    kind = named_choice_field(MeetingKind)
    held_on = serializers.DateField()
    starts_at = serializers.TimeField(required=False, allow_null=True)
    place = serializers.CharField(max_length=120, required=False, allow_blank=True)
    topic = serializers.CharField(max_length=200)
    host = serializers.CharField(max_length=60, required=False, allow_blank=True)
    speaker = serializers.CharField(max_length=60, required=False, allow_blank=True)
    agenda = serializers.CharField(required=False, allow_blank=True)
    minutes = serializers.CharField(required=False, allow_blank=True)
    party_group = ScopedGroupField(required=False, allow_null=True,
                                   help_text="For a party group meeting: one of the branch's party groups.")
    counts_month = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=12,
                                            help_text="For a make-up meeting: the month it counts for.")


class MeetingUpdateSerializer(MeetingWriteSerializer):
    branch = None


class AttendanceWriteSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    status = named_choice_field(AttendanceStatus)
    leave_reason = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    delivered_by = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    delivered_on = serializers.DateField(required=False, allow_null=True, default=None)


class MeetingPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    cursor = serializers.CharField(allow_null=True)
    results = MeetingListSerializer(many=True)


# --- views -------------------------------------------------------------------------------------------------------

class MeetingPermission(ScopedPermission):
    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        return all(request.scope.has(p) for p in view.action_perms.get(view.action, ()))


def _errors(exc):
    if isinstance(exc, services.AttendanceErrors):
        return {"non_field_errors": exc.messages, "rows": {str(k): v for k, v in exc.by_person.items()}}
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"non_field_errors": exc.messages}


def _filter_parameters():
    return [
        OpenApiParameter("branch", OpenApiTypes.INT, required=False, description="A branch id of the scope."),
        OpenApiParameter("kind", OpenApiTypes.STR, required=False, enum=MeetingKind.values),
        OpenApiParameter("date_from", OpenApiTypes.DATE, required=False),
        OpenApiParameter("date_to", OpenApiTypes.DATE, required=False),
        OpenApiParameter("missing", OpenApiTypes.STR, required=False, enum=["any", "attendance", "minutes"]),
        OpenApiParameter("cursor", OpenApiTypes.STR, required=False, description="The cursor of the next page."),
        OpenApiParameter("page_size", OpenApiTypes.INT, required=False,
                         description=f"Rows per page (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE})."),
        GRANT_HEADER,
    ]


@extend_schema(tags=["party life"])
@extend_schema_view(
    list=extend_schema(summary="List meetings in scope, newest first", parameters=_filter_parameters(),
                       responses=MeetingPageSerializer),
    retrieve=extend_schema(summary="One meeting with its attendance", parameters=[GRANT_HEADER],
                           responses=MeetingDetailSerializer),
    create=extend_schema(summary="Record a meeting (its roster is built from the membership on the day)",
                         parameters=[GRANT_HEADER], request=MeetingWriteSerializer,
                         responses={201: MeetingDetailSerializer, 400: OpenApiResponse(description="Invalid")}),
    update=extend_schema(summary="Change a meeting", parameters=[GRANT_HEADER], request=MeetingUpdateSerializer,
                         responses={200: MeetingDetailSerializer, 400: OpenApiResponse(description="Invalid")}),
    partial_update=extend_schema(summary="Change some fields of a meeting", parameters=[GRANT_HEADER],
                                 request=MeetingUpdateSerializer,
                                 responses={200: MeetingDetailSerializer,
                                            400: OpenApiResponse(description="Invalid")}),
)
class MeetingViewSet(viewsets.GenericViewSet):
    """Meetings of organisational life of the scope in use."""

    yinfa_access = SCOPE_CHECKED
    yinfa_perms = (Perm.PARTY_VIEW,)
    action_perms = {"create": (Perm.PARTY_MANAGE,), "update": (Perm.PARTY_MANAGE,),
                    "partial_update": (Perm.PARTY_MANAGE,)}
    permission_classes = [MeetingPermission]
    serializer_class = MeetingDetailSerializer
    pagination_class = None
    filter_backends = []
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = Meeting.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return Meeting.objects.visible_to(self.request.scope)

    def detail_object(self, pk):
        meetings = self.get_queryset().select_related("branch__node", "party_group").prefetch_related(
            "files", Prefetch("attendance", queryset=Attendance.objects.select_related("person").only(
                *ATTENDANCE_FIELDS).order_by("person__name_pinyin", "pk")))
        return get_object_or_404(meetings, pk=pk)

    def detail_response(self, pk, status_code=status.HTTP_200_OK):
        meeting = self.detail_object(pk)
        return Response(MeetingDetailSerializer(meeting, context=self.get_serializer_context()).data,
                        status=status_code)

    def list(self, request):
        filterset = MeetingFilter(request.query_params, scope=request.scope)
        if not filterset.is_valid():
            return Response(filterset.errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            size = min(MAX_PAGE_SIZE, max(1, int(request.query_params.get("page_size") or DEFAULT_PAGE_SIZE)))
        except ValueError:
            size = DEFAULT_PAGE_SIZE
        meetings = filterset.qs.select_related("branch__node", "party_group").defer("agenda", "minutes")
        page = keyset_page(meetings, before=request.query_params.get("cursor") or None, size=size, field="held_on")
        next_url = None
        if page.has_more:
            query = request.query_params.copy()
            query["cursor"] = str(page.next_before)
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        rows = MeetingListSerializer(page.rows, many=True, context=self.get_serializer_context()).data
        return Response({"next": next_url, "cursor": str(page.next_before) if page.has_more else None,
                         "results": rows})

    def retrieve(self, request, pk=None):
        return self.detail_response(pk)

    def create(self, request):
        form = MeetingWriteSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        branch = values.pop("branch")
        try:
            meeting = services.create_meeting(actor=request.user, scope=request.scope, branch=branch, values=values)
        except DjangoValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        response = self.detail_response(meeting.pk, status.HTTP_201_CREATED)
        response["Location"] = reverse("party-meeting-detail", kwargs={"pk": meeting.pk})
        return response

    def _update(self, request, pk, partial):
        meeting = get_object_or_404(self.get_queryset().select_related("branch__node"), pk=pk)
        form = MeetingUpdateSerializer(data=request.data, partial=partial, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        values = {name: getattr(meeting, name) for name in services.MEETING_FIELDS}
        values["party_group"] = meeting.party_group
        values.update(form.validated_data)
        try:
            services.update_meeting(actor=request.user, scope=request.scope, meeting=meeting, values=values)
        except DjangoValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return self.detail_response(meeting.pk)

    def update(self, request, pk=None):
        return self._update(request, pk, partial=False)

    def partial_update(self, request, pk=None):
        return self._update(request, pk, partial=True)

    @extend_schema(methods=["GET"], summary="The attendance rows of a meeting", parameters=[GRANT_HEADER],
                   responses=AttendanceRowSerializer(many=True))
    @extend_schema(methods=["PUT"], summary="Record the attendance (a list of rows; people left out keep their "
                                            "status)",
                   request=AttendanceWriteSerializer(many=True), parameters=[GRANT_HEADER],
                   responses={200: MeetingDetailSerializer, 400: OpenApiResponse(description="Invalid rows")},
                   description="Leave needs `leave_reason`; `delivered` (送学上门) needs `delivered_by` and "
                               "`delivered_on` (on or after the meeting day). Nothing is saved when a row is wrong.")
    @action(detail=True, methods=["get", "put"])
    def attendance(self, request, pk=None):
        if request.method == "GET":
            meeting = self.detail_object(pk)
            return Response(AttendanceRowSerializer(meeting.attendance.all(), many=True).data)
        meeting = get_object_or_404(self.get_queryset().select_related("branch__node"), pk=pk)
        if not request.scope.has(Perm.PARTY_MANAGE):
            raise PermissionDenied
        if not isinstance(request.data, list):
            return Response({"non_field_errors": [_("Send a list of attendance rows.")]},
                            status=status.HTTP_400_BAD_REQUEST)
        if len(request.data) > MAX_ATTENDANCE_ROWS:
            message = _("At most %(rows)s rows at a time.") % {"rows": MAX_ATTENDANCE_ROWS}
            return Response({"non_field_errors": [message]}, status=status.HTTP_400_BAD_REQUEST)
        form = AttendanceWriteSerializer(data=request.data, many=True)
        form.is_valid(raise_exception=True)
        try:
            services.save_attendance(actor=request.user, scope=request.scope, meeting=meeting,
                                     rows=[dict(row) for row in form.validated_data])
        except DjangoValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return self.detail_response(meeting.pk)


def register(router):
    router.register("party/meetings", MeetingViewSet, basename="party-meeting")
