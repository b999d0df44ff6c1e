"""Assessment templates: the list, creating one (empty or from a ready-made 六好, 五化 or star-rating preset), its
page, editing it with its weighted items, and copying it.

Templates are read through ``templates_visible_to`` (those of the scope and of the organisations above it);
only an administrator at or above a template's organisation changes it. A template a round uses keeps its items.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yinfa.core.access import scope_checked
from yinfa.core.forms_org import add_service_errors
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.partylife.assessment_presets import DEFAULT_THRESHOLDS, PRESETS, preset_total
from yinfa.partylife.forms_assessment import CopyForm, ItemFormSet, TemplateCreateForm, TemplateForm
from yinfa.partylife.models import AssessmentRound, ItemSource, Scheme
from yinfa.partylife.querysets import templates_visible_to
from yinfa.partylife.services import assessment as services

TEMPLATES_SHOWN = 200


def annotated(scope):
    return (templates_visible_to(scope).select_related("node")
            .annotate(item_count=Count("items"), total_points=Sum("items__points"),
                      in_use=Exists(AssessmentRound.objects.filter(template=OuterRef("pk")))))


def get_template(request, pk):
    return get_object_or_404(annotated(request.scope), pk=pk)


def source_help():
    """(label, usual N) of every system source, for the explanation beside the items."""
    return [(ItemSource(source).label, DEFAULT_THRESHOLDS.get(source)) for source in ItemSource.values
            if source != ItemSource.MANUAL]


@module("partylife")
@require_GET
@scope_checked(Perm.PARTY_VIEW)
def template_list(request):
    scope = request.scope
    templates = annotated(scope)
    scheme, active = request.GET.get("scheme", ""), request.GET.get("active", "")
    if scheme in Scheme.values:
        templates = templates.filter(scheme=scheme)
    if active in ("1", "0"):
        templates = templates.filter(active=active == "1")
    templates = list(templates.order_by("-active", "name", "pk")[:TEMPLATES_SHOWN])
    for template in templates:
        template.is_own = services.manages_template(scope, template)
    return render(request, "partylife/assessment/template_list.html", {
        "templates": templates, "scheme": scheme, "active": active, "schemes": Scheme.choices,
        "filtered": bool(scheme or active), "can_define": services.may_define_templates(scope),
    })


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def template_create(request):
    scope = request.scope
    if not services.may_define_templates(scope):
        raise PermissionDenied
    if request.method == "POST":
        form = TemplateCreateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                template = services.create_template(actor=request.user, scope=scope, name=data["name"],
                                                    scheme=data["scheme"], description=data["description"],
                                                    preset=data["start_from"] or None)
            except ValidationError as exc:
                add_service_errors(form, exc, rename={"preset": "start_from"})
            else:
                if data["start_from"]:
                    messages.success(request, _("The template is created from the ready-made one. Adjust its items "
                                                "to local practice if needed."))
                    return redirect("partylife:assessment_template_detail", pk=template.pk)
                messages.success(request, _("The template is created. Now add its items."))
                return redirect("partylife:assessment_template_edit", pk=template.pk)
    else:
        form = TemplateCreateForm(initial={"start_from": request.GET.get("preset", "")})
    presets = [{"key": key, "name": preset["name"], "description": preset["description"],
                "items": len(preset["items"]), "total": preset_total(preset)} for key, preset in PRESETS.items()]
    return render(request, "partylife/assessment/template_create.html", {"form": form, "presets": presets})


@module("partylife")
@require_GET
@scope_checked(Perm.PARTY_VIEW)
def template_detail(request, pk):
    scope = request.scope
    template = get_template(request, pk)
    items = list(template.items.all())
    may_define = services.may_define_templates(scope)
    return render(request, "partylife/assessment/template_detail.html", {
        "template": template, "items": items, "can_edit": services.manages_template(scope, template),
        "can_copy": may_define, "can_start": may_define and template.active and bool(items),
        "total": sum((item.points for item in items), 0), "sources": source_help(),
    })


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def template_edit(request, pk):
    scope = request.scope
    template = get_template(request, pk)
    if not services.manages_template(scope, template):
        raise PermissionDenied
    locked = template.in_use
    items = list(template.items.all())
    if request.method == "POST":
        form = TemplateForm(request.POST)
        formset = None if locked else ItemFormSet(request.POST, prefix="items")
        if form.is_valid() and (formset is None or formset.is_valid()):
            try:
                services.update_template(actor=request.user, scope=scope, template=template,
                                         items=None if locked else formset.items(), **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The template is saved."))
                return redirect("partylife:assessment_template_detail", pk=template.pk)
    else:
        form = TemplateForm(initial={"name": template.name, "scheme": template.scheme,
                                     "description": template.description, "active": template.active})
        formset = None if locked else ItemFormSet(prefix="items", initial=[
            {"id": item.pk, "title": item.title, "description": item.description, "points": item.points,
             "source": item.source, "threshold": item.threshold} for item in items])
    return render(request, "partylife/assessment/template_edit.html", {
        "template": template, "form": form, "formset": formset, "locked": locked, "items": items,
        "sources": source_help(),
    })


@module("partylife")
@require_POST
@scope_checked(Perm.PARTY_MANAGE)
def template_copy(request, pk):
    template = get_template(request, pk)
    if not services.may_define_templates(request.scope):
        raise PermissionDenied
    form = CopyForm(request.POST)
    name = form.cleaned_data["name"] if form.is_valid() else ""
    copy = services.copy_template(actor=request.user, scope=request.scope, template=template, name=name)
    messages.success(request, _("This is a copy of “%(name)s”; change it freely.") % {"name": template.name})
    return redirect("partylife:assessment_template_edit", pk=copy.pk)
