"""The JSON API of micro-wishes: the staff's list (the list page's filters, keyset cursor), the wish wall (names
partly hidden), one wish with its steps and claims, collecting a wish, its transitions (publish, reject, withdraw,
claim, release, fulfil — multipart with the photo —, confirm), and the claims (one's own, or those of the scope).

Same reach as the pages (``yinfa.needs.services.wish_reads``): a wish out of reach answers 404; writes go through
the same services, whose refusals answer 400 (the wish's state, a field) or 403 (who acts).
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from yinfa.care.models import Visit
from yinfa.core.access import SCOPE_CHECKED
from yinfa.core.api.permissions import ScopedPermission
from yinfa.core.api.views import GRANT_HEADER
from yinfa.core.keyset import keyset_page
from yinfa.core.models import OrgNode
from yinfa.core.permissions import Perm
from yinfa.needs.filters_wishes import WishFilter
from yinfa.needs.masking import mask_name
from yinfa.needs.models import ClaimStatus, Wish, WishClaim, WishStatus, WishStep
from yinfa.needs.services import wish_claims, wish_reads
from yinfa.needs.services import wishes as services
from yinfa.people.api import named_choice_field
from yinfa.people.models import Person

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
PERSON_FIELDS = ("person__name", "person__account", "person__unit_path", "person__branch_path",
                 "person__community_path", "person__registered_path", "person__community", "person__deceased_on")
WISH_FIELDS = tuple(f.name for f in Wish._meta.concrete_fields)


# --- serializers -------------------------------------------------------------------------------------------------

class WishNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class WishRowSerializer(serializers.Serializer):
    """A wish as the list and the wall show it. ``person_name`` is in full for staff of the scope (the list) and
    partly hidden on the wall."""

    id = serializers.IntegerField()
    person = serializers.IntegerField(allow_null=True, help_text="The person's id (staff list only; null elsewhere).")
    person_name = serializers.CharField()
    title = serializers.CharField()
    reason = serializers.CharField()
    estimated_cost = serializers.DecimalField(max_digits=8, decimal_places=2)
    status = named_choice_field(WishStatus, read_only=True)
    wall = WishNodeSerializer()
    published_at = serializers.DateTimeField(allow_null=True)
    days_on_wall = serializers.IntegerField(allow_null=True)
    claimant = serializers.CharField(allow_null=True, help_text="The claimant shown on the wall, when claimed.")
    fulfil_by = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()


class WishPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    cursor = serializers.CharField(allow_null=True)
    results = WishRowSerializer(many=True)


class WishStepSerializer(serializers.Serializer):
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.CharField()
    comment = serializers.CharField(allow_blank=True)
    actor = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()


class WishClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    wish = serializers.IntegerField()
    wish_title = serializers.CharField()
    claimant_name = serializers.CharField()
    claimant_org = WishNodeSerializer(allow_null=True)
    mine = serializers.BooleanField()
    status = named_choice_field(ClaimStatus, read_only=True)
    claimed_at = serializers.DateTimeField()
    fulfil_by = serializers.DateField()
    fulfilled_at = serializers.DateTimeField(allow_null=True)
    fulfilment_note = serializers.CharField(allow_blank=True)
    ended_at = serializers.DateTimeField(allow_null=True)


class WishClaimPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    cursor = serializers.CharField(allow_null=True)
    results = WishClaimSerializer(many=True)


class WishDetailSerializer(WishRowSerializer):
    beneficiary_words = serializers.CharField(allow_blank=True)
    reason_closed = serializers.CharField(allow_blank=True)
    fulfilled_at = serializers.DateTimeField(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)
    confirmed_by_proxy = serializers.BooleanField()
    actions = serializers.ListField(child=serializers.CharField(),
                                    help_text="What the caller in their role in use may do with the wish now.")
    photos = serializers.ListField(child=serializers.URLField(), help_text="Photos of the fulfilment (scoped).")
    steps = WishStepSerializer(many=True, help_text="Every transition (staff of the scope; empty for others).")
    claims = WishClaimSerializer(many=True)


@extend_schema_field(OpenApiTypes.INT)
class ScopedPersonField(serializers.PrimaryKeyRelatedField):
    """A person of the scope in use; one outside it is "not found", like one that does not exist."""

    def get_queryset(self):
        return Person.objects.visible_to(getattr(self.context.get("request"), "scope", None))


@extend_schema_field(OpenApiTypes.INT)
class ScopedVisitField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Visit.objects.visible_to(getattr(self.context.get("request"), "scope", None))


class WishCreateSerializer(serializers.Serializer):
    person = ScopedPersonField()
    title = serializers.CharField(max_length=services.MAX_TITLE)
    reason = serializers.CharField()
    estimated_cost = serializers.DecimalField(max_digits=8, decimal_places=2,
                                              help_text=f"Yuan, more than 0 and at most {services.MAX_COST}.")
    wall = serializers.IntegerField(required=False, allow_null=True,
                                    help_text="The organisation whose wall carries the wish: the person's community "
                                              "(the default) or one above it within the scope.")
    source_visit = ScopedVisitField(required=False, allow_null=True)


class WishReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class WishOptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class WishClaimWriteSerializer(serializers.Serializer):
    org = serializers.IntegerField(required=False, allow_null=True, default=None,
                                   help_text="Claim for this organisation of your scope (e.g. your branch); "
                                             "omit to claim in your own name.")


class WishFulfilSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="What was given or done.")
    photo = serializers.FileField(help_text="A photo of the wish fulfilled (JPEG, PNG, GIF or WebP, ≤ 10 MB).")


class WishConfirmSerializer(serializers.Serializer):
    words = serializers.CharField(max_length=300, required=False, allow_blank=True, default="",
                                  help_text="What the person said (optional).")


# --- building the answers ----------------------------------------------------------------------------------------

def _days(wish, today):
    if wish.status in services.ON_WALL and wish.published_at:
        return (today - timezone.localtime(wish.published_at).date()).days
    return None


def row(wish, *, full_name, today):
    return {
        "id": wish.pk, "person": wish.person_id if full_name else None,
        "person_name": wish.person.name if full_name else mask_name(wish.person.name),
        "title": wish.title, "reason": wish.reason, "estimated_cost": wish.estimated_cost, "status": wish.status,
        "wall": {"id": wish.wall_id, "name": wish.wall.name}, "published_at": wish.published_at,
        "days_on_wall": _days(wish, today), "claimant": getattr(wish, "claim_name", None),
        "fulfil_by": getattr(wish, "claim_fulfil_by", None), "created_at": wish.created_at,
    }


def claim_row(claim, user):
    return {
        "id": claim.pk, "wish": claim.wish_id, "wish_title": claim.wish.title, "claimant_name": claim.claimant_name,
        "claimant_org": {"id": claim.claimant_org_id, "name": claim.claimant_org.name} if claim.claimant_org_id
        else None, "mine": claim.claimant_id == user.pk, "status": claim.status, "claimed_at": claim.claimed_at,
        "fulfil_by": claim.fulfil_by, "fulfilled_at": claim.fulfilled_at, "fulfilment_note": claim.fulfilment_note,
        "ended_at": claim.ended_at,
    }


def page_size(request):
    try:
        return min(MAX_PAGE_SIZE, max(1, int(request.query_params.get("page_size") or DEFAULT_PAGE_SIZE)))
    except ValueError:
        return DEFAULT_PAGE_SIZE


def paged(request, queryset, field):
    page = keyset_page(queryset, before=request.query_params.get("cursor") or None, size=page_size(request),
                       field=field)
    next_url = None
    if page.has_more:
        query = request.query_params.copy()
        query["cursor"] = str(page.next_before)
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return page, next_url, (str(page.next_before) if page.has_more else None)


def errors(exc):
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"non_field_errors": exc.messages}


def require_any(request, *perms):
    if request.scope is None or not any(request.scope.has(p) for p in perms):
        raise PermissionDenied


CURSOR = OpenApiParameter("cursor", OpenApiTypes.STR, required=False, description="The cursor of the next page.")
PAGE_SIZE = OpenApiParameter("page_size", OpenApiTypes.INT, required=False,
                             description=f"Rows per page (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE}).")
REFUSED = {400: OpenApiResponse(description="Not possible in the wish's state, or a field is wrong"),
           403: OpenApiResponse(description="Your role in use may not take this step"),
           404: OpenApiResponse(description="Not found in your reach")}


# --- views -------------------------------------------------------------------------------------------------------

@extend_schema(tags=["services"])
class WishViewSet(viewsets.GenericViewSet):
    """Micro-wishes (微心愿) within the reach of the role in use."""

    yinfa_access = SCOPE_CHECKED
    yinfa_perms = ()
    permission_classes = [ScopedPermission]
    serializer_class = WishDetailSerializer
    pagination_class = None
    filter_backends = []
    lookup_value_converter = "int"
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    http_method_names = ["get", "post", "head", "options"]
    queryset = Wish.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return wish_reads.accessible_wishes(self.request.scope, self.request.user)

    def wish(self, pk, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        return get_object_or_404(queryset.select_related("person", "wall").only(
            *WISH_FIELDS, *PERSON_FIELDS, "wall__name"), pk=pk)

    def detail_data(self, wish):
        request = self.request
        claim = services.active_claim(wish)
        viewer = wish_reads.viewer_of(wish, request.scope, request.user, claim)
        claims = list(WishClaim.objects.filter(wish=wish).select_related("claimant_org", "wish").only(
            *(f.name for f in WishClaim._meta.concrete_fields), "claimant_org__name", "wish__title"))
        if not (viewer.staff or viewer.beneficiary):
            claims = [c for c in claims if c.claimant_id == request.user.pk or c.status == ClaimStatus.ACTIVE]
        photos = wish_reads.visible_photos(request.scope, request.user).filter(wish=wish).values_list("pk", flat=True)
        steps = list(WishStep.objects.filter(wish=wish).select_related("actor")) if viewer.staff else []
        current = claim or next((c for c in claims if c.status == ClaimStatus.FULFILLED), None)
        wish.claim_name = current.claimant_name if current else None
        wish.claim_fulfil_by = current.fulfil_by if current else None
        data = row(wish, full_name=viewer.full_name, today=timezone.localdate())
        data.update({
            "beneficiary_words": wish.beneficiary_words, "reason_closed": wish.reason_closed,
            "fulfilled_at": wish.fulfilled_at, "confirmed_at": wish.confirmed_at,
            "confirmed_by_proxy": wish.confirmed_by_proxy, "actions": sorted(viewer.actions),
            "photos": [request.build_absolute_uri(reverse("needs:wish_photo", args=[pk])) for pk in photos],
            "steps": [{"from_status": s.from_status, "to_status": s.to_status, "comment": s.comment,
                       "actor": s.actor.display_name if s.actor else None, "at": s.at} for s in steps],
            "claims": [claim_row(c, request.user) for c in claims],
        })
        return WishDetailSerializer(data).data

    def detail_response(self, pk, status_code=status.HTTP_200_OK):
        return Response(self.detail_data(self.wish(pk)), status=status_code)

    @extend_schema(summary="The staff's list of wishes of the people in scope (names in full), newest first",
                   parameters=[OpenApiParameter("status", OpenApiTypes.STR, required=False, enum=WishStatus.values),
                               OpenApiParameter("wall", OpenApiTypes.INT, required=False),
                               OpenApiParameter("year", OpenApiTypes.INT, required=False),
                               OpenApiParameter("person", OpenApiTypes.INT, required=False),
                               OpenApiParameter("q", OpenApiTypes.STR, required=False), CURSOR, PAGE_SIZE,
                               GRANT_HEADER],
                   responses=WishPageSerializer)
    def list(self, request):
        require_any(request, Perm.CARE_VIEW)
        filterset = WishFilter(request.query_params, scope=request.scope)
        if not filterset.is_valid():
            return Response(filterset.errors, status=status.HTTP_400_BAD_REQUEST)
        wishes = wish_reads.with_claim(filterset.qs.select_related("person", "wall").only(
            *WISH_FIELDS, *PERSON_FIELDS, "wall__name"))
        page, next_url, cursor = paged(request, wishes, "created_at")
        today = timezone.localdate()
        rows = [row(w, full_name=True, today=today) for w in page.rows]
        return Response({"next": next_url, "cursor": cursor, "results": WishRowSerializer(rows, many=True).data})

    @extend_schema(summary="The wish wall: published and claimed wishes of the walls at, above or inside the scope, "
                           "names partly hidden",
                   parameters=[OpenApiParameter("status", OpenApiTypes.STR, required=False,
                                                enum=[WishStatus.PUBLISHED, WishStatus.CLAIMED]),
                               CURSOR, PAGE_SIZE, GRANT_HEADER],
                   responses=WishPageSerializer)
    @action(detail=False, methods=["get"])
    def wall(self, request):
        require_any(request, *services.WALL_PERMS)
        wishes = wish_reads.with_claim(wish_reads.wall_wishes(request.scope).select_related("person", "wall").only(
            *WISH_FIELDS, "person__name", "wall__name"))
        wanted = request.query_params.get("status")
        if wanted in services.ON_WALL:
            wishes = wishes.filter(status=wanted)
        page, next_url, cursor = paged(request, wishes, "published_at")
        today = timezone.localdate()
        rows = [row(w, full_name=False, today=today) for w in page.rows]
        return Response({"next": next_url, "cursor": cursor, "results": WishRowSerializer(rows, many=True).data})

    @extend_schema(summary="One wish with its steps and claims (the name partly hidden unless you care for the "
                           "person or are the person)", parameters=[GRANT_HEADER], responses=WishDetailSerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(pk)

    @extend_schema(summary="Collect a wish for a person of the scope (it awaits review)", parameters=[GRANT_HEADER],
                   request=WishCreateSerializer, responses={201: WishDetailSerializer, **REFUSED})
    def create(self, request):
        require_any(request, Perm.CARE_MANAGE)
        form = WishCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        wall_id = values.pop("wall", None)
        wall = OrgNode.objects.filter(pk=wall_id).first() if wall_id else None
        if wall_id and wall is None:
            return Response({"wall": ["Unknown organisation."]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            wish = services.collect_wish(actor=request.user, scope=request.scope, wall=wall, **values)
        except DjangoValidationError as exc:
            return Response(errors(exc), status=status.HTTP_400_BAD_REQUEST)
        response = self.detail_response(wish.pk, status.HTTP_201_CREATED)
        response["Location"] = reverse("wish-detail", kwargs={"pk": wish.pk})
        return response

    def step(self, request, pk, run, serializer_class=None, queryset=None):
        wish = self.wish(pk, queryset)
        values = {}
        if serializer_class is not None:
            form = serializer_class(data=request.data)
            form.is_valid(raise_exception=True)
            values = form.validated_data
        try:
            run(wish, values)
        except DjangoValidationError as exc:
            return Response(errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return self.detail_response(wish.pk)

    def staff_wishes(self):
        return Wish.objects.visible_to(self.request.scope)

    @extend_schema(summary="Publish a collected wish to its wall (staff)", parameters=[GRANT_HEADER], request=None,
                   responses={200: WishDetailSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self.step(request, pk, lambda w, v: services.publish_wish(actor=request.user, scope=request.scope,
                                                                         wish=w), queryset=self.staff_wishes())

    @extend_schema(summary="Do not publish a collected wish (staff; reason required)", parameters=[GRANT_HEADER],
                   request=WishReasonSerializer, responses={200: WishDetailSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self.step(request, pk, lambda w, v: services.reject_wish(
            actor=request.user, scope=request.scope, wish=w, reason=v["reason"]), WishReasonSerializer,
            queryset=self.staff_wishes())

    @extend_schema(summary="Withdraw a collected, published or claimed wish (staff; reason required; an active "
                           "claim ends as released)", parameters=[GRANT_HEADER], request=WishReasonSerializer,
                   responses={200: WishDetailSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self.step(request, pk, lambda w, v: services.withdraw_wish(
            actor=request.user, scope=request.scope, wish=w, reason=v["reason"]), WishReasonSerializer,
            queryset=self.staff_wishes())

    @extend_schema(summary="Claim a wish of the wall, for yourself or an organisation of your scope",
                   description="Two claims at the same moment: exactly one wins; the other answers 400 (“this wish "
                               "was just claimed by someone else”) and nothing is written.",
                   parameters=[GRANT_HEADER], request=WishClaimWriteSerializer,
                   responses={200: WishDetailSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        def run(wish, values):
            org = None
            if values.get("org"):
                org = OrgNode.objects.filter(pk=values["org"]).first()
                if org is None:
                    raise DjangoValidationError({"org": "Unknown organisation."})
            wish_claims.claim_wish(actor=request.user, scope=request.scope, wish=wish, org=org)
        return self.step(request, pk, run, WishClaimWriteSerializer)

    @extend_schema(summary="Give up your claim: the wish goes back to the wall", parameters=[GRANT_HEADER],
                   request=WishOptionalReasonSerializer, responses={200: WishDetailSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        return self.step(request, pk, lambda w, v: wish_claims.release_claim(
            actor=request.user, scope=request.scope, wish=w, reason=v.get("reason", "")), WishOptionalReasonSerializer)

    @extend_schema(summary="Record the fulfilment of your claim, with a photo (multipart)", parameters=[GRANT_HEADER],
                   request={"multipart/form-data": WishFulfilSerializer},
                   responses={200: WishDetailSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def fulfil(self, request, pk=None):
        return self.step(request, pk, lambda w, v: wish_claims.fulfil_wish(
            actor=request.user, scope=request.scope, wish=w, note=v["note"], photo=v["photo"]), WishFulfilSerializer)

    @extend_schema(summary="Confirm a fulfilled wish (the person through their own account, or staff for them)",
                   parameters=[GRANT_HEADER], request=WishConfirmSerializer,
                   responses={200: WishDetailSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self.step(request, pk, lambda w, v: wish_claims.confirm_wish(
            actor=request.user, scope=request.scope, wish=w, words=v.get("words", "")), WishConfirmSerializer)


@extend_schema(tags=["services"])
class WishClaimViewSet(viewsets.GenericViewSet):
    """Claims of wishes: one's own, or (staff) those of the wishes in scope."""

    yinfa_access = SCOPE_CHECKED
    yinfa_perms = ()
    permission_classes = [ScopedPermission]
    serializer_class = WishClaimSerializer
    pagination_class = None
    filter_backends = []
    lookup_value_converter = "int"
    http_method_names = ["get", "head", "options"]
    queryset = WishClaim.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self, mine=False):
        request = self.request
        claims = WishClaim.objects.by(request.user)
        if not mine and request.scope is not None and request.scope.has(Perm.CARE_VIEW):
            claims = claims | WishClaim.objects.visible_to(request.scope)
        return claims.select_related("wish", "claimant_org").only(
            *(f.name for f in WishClaim._meta.concrete_fields), "wish__title", "claimant_org__name")

    @extend_schema(summary="Claims: your own (mine=true, or without CARE_VIEW), else those of the wishes in scope",
                   parameters=[OpenApiParameter("mine", OpenApiTypes.BOOL, required=False),
                               OpenApiParameter("status", OpenApiTypes.STR, required=False, enum=ClaimStatus.values),
                               CURSOR, PAGE_SIZE, GRANT_HEADER],
                   responses=WishClaimPageSerializer)
    def list(self, request):
        mine = request.query_params.get("mine", "").lower() in ("1", "true", "yes")
        claims = self.get_queryset(mine=mine)
        wanted = request.query_params.get("status")
        if wanted in ClaimStatus.values:
            claims = claims.filter(status=wanted)
        page, next_url, cursor = paged(request, claims, "claimed_at")
        rows = [claim_row(c, request.user) for c in page.rows]
        return Response({"next": next_url, "cursor": cursor, "results": WishClaimSerializer(rows, many=True).data})

    @extend_schema(summary="One claim", parameters=[GRANT_HEADER], responses=WishClaimSerializer)
    def retrieve(self, request, pk=None):
        claim = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(WishClaimSerializer(claim_row(claim, request.user)).data)


def register(router):
    router.register("services/wishes", WishViewSet, basename="wish")
    router.register("services/wish-claims", WishClaimViewSet, basename="wish-claim")
