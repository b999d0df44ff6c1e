"""Helpers shared by the dues pages: the scoped object lookups (404 outside the scope) and query parameters."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone

from yinfa.core.forms_org import add_service_errors
from yinfa.core.models import OrgNode
from yinfa.partylife.models import Branch
from yinfa.people.models import Person

FIRST_YEAR = 2000


def year_param(request):
    """``?year=`` between 2000 and next year, else this year."""
    this_year = timezone.localdate().year
    value = request.GET.get("year", "")
    if value.isdigit() and FIRST_YEAR <= int(value) <= this_year + 1:
        return int(value)
    return this_year


def years(selected):
    this_year = timezone.localdate().year
    return sorted({*range(this_year + 1, this_year - 5, -1), selected}, reverse=True)


def get_branch(request, pk):
    return get_object_or_404(Branch.objects.visible_to(request.scope).select_related("node"), pk=pk)


def get_person(request, pk):
    return get_object_or_404(Person.objects.visible_to(request.scope), pk=pk)


def get_node(request, pk=None):
    """The organisation ``?node=`` (visible), else the scope's own node."""
    value = pk if pk is not None else request.GET.get("node", "")
    wanted = int(value) if str(value).isdigit() else request.scope.node_id
    return get_object_or_404(OrgNode.objects.visible_to(request.scope), pk=wanted)


def service_errors(form, exc: ValidationError):
    add_service_errors(form, exc)
