"""Micro-wish pages: the staff's list (filters, counts per scope, load more, Excel export), collecting a wish (for a
person or from a visit), the wish wall, the detail page and the photo of a fulfilment.

Reads go through ``yinfa.needs.services.wish_reads`` (``visible_to`` / ``on_wall_for`` and the personal ties of the
beneficiary and the claimant): a wish out of reach answers 404. The transitions are in ``views/wish_actions.py``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yinfa.care.models import Visit
from yinfa.core.access import scope_checked
from yinfa.core.forms_org import add_service_errors
from yinfa.core.keyset import keyset_page, next_page_url
from yinfa.core.permissions import Perm
from yinfa.core.uploads import FILE_TYPES
from yinfa.core.views.home import module
from yinfa.core.views.listing import render_list
from yinfa.needs.exports_wishes import export_wishes
from yinfa.needs.filters_wishes import WishFilter
from yinfa.needs.forms_wishes import ClaimForm, WishForm
from yinfa.needs.masking import mask_name
from yinfa.needs.models import Wish, WishClaim, WishPhoto, WishStatus, WishStep
from yinfa.needs.services import wish_claims, wish_reads
from yinfa.needs.services import wishes as services
from yinfa.people.filters import name_search_condition
from yinfa.people.models import Person

PAGE_SIZE = 50
WALL_PAGE_SIZE = 30
PICK_LIMIT = 20
WALL_ORG_SELECT_LIMIT = 20  # above this many organisations the wall's claim button opens the claim page
PERSON_FIELDS = ("person__name", "person__account", "person__unit_path", "person__branch_path",
                 "person__community_path", "person__registered_path", "person__community", "person__deceased_on")
WISH_FIELDS = tuple(f.name for f in Wish._meta.concrete_fields)
LIST_FIELDS = ("pk", "title", "estimated_cost", "status", "created_at", "published_at", "wall_path", "person",
               "wall", "collected_by", *PERSON_FIELDS, "wall__name", "collected_by__full_name",
               "collected_by__username")
WALL_FIELDS = ("pk", "title", "reason", "estimated_cost", "status", "published_at", "wall_path", "person", "wall",
               "person__name", "person__account", "wall__name")


# --- helpers (also used by the action views) -------------------------------------------------------------------

def get_wish(request, pk, wishes=None):
    """A wish the user may open (else 404), with its person (no personal data beyond the name), wall and
    collector."""
    wishes = wish_reads.accessible_wishes(request.scope, request.user) if wishes is None else wishes
    wishes = wishes.select_related("person", "wall", "collected_by", "source_visit").only(
        *WISH_FIELDS, *PERSON_FIELDS, "wall__name", "wall__path", "collected_by__full_name",
        "collected_by__username", "source_visit__visited_on", "source_visit__kind", "source_visit__person")
    return get_object_or_404(wishes, pk=pk)


def managed_wish(request, pk):
    """A wish of a person in the scope, for the staff's transitions."""
    return get_wish(request, pk, Wish.objects.visible_to(request.scope))


def days_on_wall(wish, today):
    return (today - timezone.localtime(wish.published_at).date()).days if wish.published_at else None


# --- the staff's list, counts and export ----------------------------------------------------------------------

@module("needs")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def wish_list(request):
    filterset = WishFilter(request.GET, scope=request.scope)
    wishes = wish_reads.with_claim(filterset.results().select_related("person", "wall", "collected_by")
                                   .only(*LIST_FIELDS))
    page = keyset_page(wishes, before=request.GET.get("before"), size=PAGE_SIZE, field="created_at")
    today = timezone.localdate()
    for wish in page.rows:
        wish.days = days_on_wall(wish, today) if wish.status in services.ON_WALL else None
    first_page = not request.GET.get("before")
    context = {
        "filter": filterset, "wishes": page.rows, "next_url": next_page_url(request, page),
        "is_first_page": first_page, "filtered": filterset.is_filtered, "person": filterset.chosen_person(),
        "can_manage": request.scope.has(Perm.CARE_MANAGE), "export_query": request.GET.urlencode(),
        "counts": wish_reads.counts_for_scope(request.scope) if first_page else None,
        "max_cost": services.MAX_COST,
    }
    return render_list(request, "needs/wishes/list.html", context)


@module("needs")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def wish_export(request):
    """The filtered list as an Excel file, names in full (staff of the scope), capped; audited as personal data."""
    filterset = WishFilter(request.GET, scope=request.scope)
    content, rows = export_wishes(filterset.results())
    filters = {name: value for name, value in request.GET.items() if name in filterset.filters and value}
    services.record_export(actor=request.user, scope=request.scope, filters=filters, rows=rows)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="wishes-{timezone.localdate():%Y%m%d}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- collect ---------------------------------------------------------------------------------------------------

def chosen_visit(request):
    raw = request.GET.get("visit") or ""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    return get_object_or_404(Visit.objects.visible_to(request.scope).select_related("person"), pk=int(raw))


def chosen_person(request):
    raw = request.GET.get("person") or ""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    return get_object_or_404(Person.objects.visible_to(request.scope), pk=int(raw))


def visit_initial(visit):
    """The wish prefilled from what the person said they need during the visit."""
    needs = (visit.needs or "").strip()
    first_line = needs.splitlines()[0].strip() if needs else ""
    return {"title": first_line[: services.MAX_TITLE], "reason": needs}


@module("needs")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def wish_create(request):
    visit = chosen_visit(request)
    person = visit.person if visit is not None else chosen_person(request)
    if person is None:
        q = (request.GET.get("q") or "").strip()[:60]
        condition = name_search_condition(q)
        candidates = [] if condition is None else list(
            Person.objects.visible_to(request.scope).alive().filter(condition).select_related("community", "unit")
            .only("pk", "name", "birth_date", "community__name", "unit__name").order_by("name_pinyin", "pk")
            [:PICK_LIMIT])
        return render(request, "needs/wishes/form.html", {"picker": True, "q": q, "candidates": candidates})
    walls = services.wall_choices(request.scope, person)
    if request.method == "POST":
        form = WishForm(request.POST, walls=walls)
        if form.is_valid():
            try:
                wish = services.collect_wish(actor=request.user, scope=request.scope, person=person,
                                             source_visit=visit, **form.values())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The wish is collected. Review it and publish it to the wish wall."))
                return redirect("needs:wish_detail", pk=wish.pk)
    else:
        initial = visit_initial(visit) if visit is not None else {}
        wall = services.default_wall(walls, person)
        if wall is not None:
            initial["wall"] = wall.pk
        form = WishForm(initial=initial, walls=walls)
    return render(request, "needs/wishes/form.html", {
        "form": form, "person": person, "visit": visit, "walls": walls, "deceased": person.deceased_on is not None,
        "max_cost": services.MAX_COST,
    })


# --- the wall --------------------------------------------------------------------------------------------------

WALL_SHOW = {"open": WishStatus.PUBLISHED, "claimed": WishStatus.CLAIMED}


@module("needs")
@require_GET
@scope_checked()
def wish_wall(request):
    """The wish wall: published wishes of the walls at, above or inside the scope, names partly hidden; claimed ones
    shown as taken with the claimant's name."""
    scope = request.scope
    if not services.can_view_wall(scope):
        raise PermissionDenied
    show = request.GET.get("show") if request.GET.get("show") in WALL_SHOW else ""
    wishes = wish_reads.with_claim(wish_reads.wall_wishes(scope).select_related("person", "wall").only(*WALL_FIELDS))
    if show:
        wishes = wishes.filter(status=WALL_SHOW[show])
    page = keyset_page(wishes, before=request.GET.get("before"), size=WALL_PAGE_SIZE, field="published_at")
    may_claim = services.can_claim(scope)
    orgs = wish_claims.claim_org_choices(scope) if may_claim else []
    today = timezone.localdate()
    for wish in page.rows:
        wish.shown_name = mask_name(wish.person.name)
        wish.days = days_on_wall(wish, today)
        wish.mine = wish.person.account_id == request.user.pk
        wish.claimed_by_me = wish.claim_user_id == request.user.pk
        wish.claimable = may_claim and wish.status == WishStatus.PUBLISHED and not wish.mine
    context = {
        "wishes": page.rows, "next_url": next_page_url(request, page), "show": show,
        "is_first_page": not request.GET.get("before"), "may_claim": may_claim,
        "counts": wish_reads.wall_counts(scope) if not request.GET.get("before") else None,
        "claim_form": ClaimForm(orgs=orgs, own_name=request.user.display_name) if may_claim else None,
        "inline_claim": len(orgs) <= WALL_ORG_SELECT_LIMIT, "claim_days": wish_claims.wish_claim_days(),
        "can_collect": scope.has(Perm.CARE_MANAGE), "wall_url": request.get_full_path(),
    }
    return render_list(request, "needs/wishes/wall.html", context, partial="cards")


# --- detail and photo ------------------------------------------------------------------------------------------

def detail_context(request, wish):
    claim = services.active_claim(wish)
    viewer = wish_reads.viewer_of(wish, request.scope, request.user, claim)
    sees_history = viewer.staff or viewer.beneficiary
    claims = list(WishClaim.objects.filter(wish=wish).select_related("claimant_org").only(
        "pk", "wish_id", "claimant_id", "claimant_name", "status", "claimed_at", "fulfil_by", "fulfilled_at",
        "fulfilment_note", "ended_at", "claimant_org__name"))
    own_claims = [c for c in claims if c.claimant_id == request.user.pk]
    may_see_photos = viewer.staff or viewer.beneficiary or bool(own_claims)
    photos = list(WishPhoto.objects.filter(wish=wish).only("pk", "wish_id", "claim_id", "uploaded_at")) \
        if may_see_photos else []
    if not (viewer.staff or viewer.beneficiary):
        photos = [p for p in photos if p.claim_id in {c.pk for c in own_claims}]
    steps = list(WishStep.objects.filter(wish=wish).select_related("actor").only(
        "pk", "wish_id", "from_status", "to_status", "comment", "at", "actor__full_name", "actor__username")) \
        if viewer.staff else []
    orgs = wish_claims.claim_org_choices(request.scope) if viewer.can("claim") else []
    visit_url = ""
    if viewer.staff and wish.source_visit_id:
        try:
            visit_url = reverse("care:visit_detail", args=[wish.source_visit_id])
        except NoReverseMatch:  # the visit pages are another part's
            visit_url = ""
    return {
        "visit_url": visit_url,
        "wish": wish, "viewer": viewer, "claim": claim, "shown_name": wish_reads.shown_name(wish, viewer),
        "claims": claims if sees_history else own_claims, "photos": photos, "steps": steps,
        "days": days_on_wall(wish, timezone.localdate()) if wish.status in services.ON_WALL else None,
        "claim_form": ClaimForm(orgs=orgs, own_name=request.user.display_name) if viewer.can("claim") else None,
        "claim_days": wish_claims.wish_claim_days(), "statuses": WishStatus,
    }


@module("needs")
@require_GET
@scope_checked()
def wish_detail(request, pk):
    wish = get_wish(request, pk)
    return render(request, "needs/wishes/detail.html", detail_context(request, wish))


@module("needs")
@require_GET
@scope_checked()
def wish_photo(request, pk):
    """The photo of a fulfilment, streamed inline, only to staff in scope, the claimant and the beneficiary."""
    row = get_object_or_404(wish_reads.visible_photos(request.scope, request.user), pk=pk)
    try:
        stream = row.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    extension = FILE_TYPES.get(row.content_type, "bin")
    response = FileResponse(stream, filename=f"wish-{row.wish_id}-{row.pk}.{extension}",
                            content_type=row.content_type or "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def back_to(request, fallback):
    """A local URL posted as ``next`` (the wall the claim came from), else ``fallback``."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def detail_url(wish):
    return reverse("needs:wish_detail", args=[wish.pk])
