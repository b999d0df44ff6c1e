"""The holiday table page (system administrator): the public holidays and make-up working days by year, entered
when the State Council publishes the next year's schedule, and seeded from the chinese-calendar library."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from yinfa.core.access import scope_checked
from yinfa.core.forms import StyledFormMixin
from yinfa.core.forms_org import DateInput, add_service_errors
from yinfa.core.models import CalendarDay, DayKind
from yinfa.core.permissions import Perm
from yinfa.core.services import calendar as services
from yinfa.core.views.home import module
from yinfa.core.views.system import _tabs


class DayForm(StyledFormMixin, forms.Form):
    day = forms.DateField(label=gettext_lazy("Day"), widget=DateInput)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=DayKind.choices)
    name = forms.CharField(label=gettext_lazy("Holiday"), max_length=40, required=False,
                           help_text=gettext_lazy("e.g. 春节, 国庆节; for a make-up working day, the holiday it "
                                                  "serves."))


class RemoveForm(forms.Form):
    day = forms.DateField()


def _year(request, today):
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return today.year
    return year if services.EARLIEST <= year <= services.LATEST else today.year


@module("system")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.SYSTEM_SETTINGS)
def holiday_table(request):
    today = timezone.localdate()
    year = _year(request, today)
    form = DayForm(initial={"kind": DayKind.HOLIDAY})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "seed":
                added = services.seed(actor=request.user, scope=request.scope)
                messages.success(request, _("%(count)s days were added from the library.") % {"count": added})
                return redirect(reverse("core:holiday_table") + f"?year={year}")
            if action == "remove":
                remove = RemoveForm(request.POST)
                if remove.is_valid():
                    services.remove_day(actor=request.user, scope=request.scope, day=remove.cleaned_data["day"])
                    messages.success(request, _("The day was removed: it counts by the weekend rule again."))
                return redirect(reverse("core:holiday_table") + f"?year={year}")
            form = DayForm(request.POST)
            if form.is_valid():
                row = services.set_day(actor=request.user, scope=request.scope, **form.cleaned_data)
                messages.success(request, _("Saved: %(day)s.") % {"day": row.day.isoformat()})
                return redirect(reverse("core:holiday_table") + f"?year={row.day.year}")
        except ValidationError as exc:
            add_service_errors(form, exc)
    years = dict(CalendarDay.objects.values_list("year").annotate(n=Count("pk")).order_by("year"))
    rows = list(CalendarDay.objects.filter(year=year).select_related("updated_by").order_by("day"))
    return render(request, "core/system/holidays.html", {
        "tabs": _tabs(request, "holidays"), "form": form, "year": year, "rows": rows, "known": year in years,
        "years": sorted(set(years) | {today.year, today.year + 1}), "counts": years,
        "holiday_kind": DayKind.HOLIDAY,
    })
