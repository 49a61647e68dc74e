import copy

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from quartier.anchors import services as anchors
from quartier.home import open_now
from quartier.places import geo, services
from quartier.places.forms import QuarterForm
from quartier.places.models import Place, Quarter


def home(request):
    return render(request, "places/home.html", {
        "figures": services.state_figures(),
        "now": open_now(),
    })


def search(request):
    query = request.GET.get("q", "")[:100]
    result = services.search(query) if query else None
    template = "places/_search_results.html" if request.htmx else "places/search.html"
    return render(request, template, {"query": query, "result": result})


def place(request, ags):
    place = get_object_or_404(Place.objects.select_related("parent__parent__parent"), ags=ags)
    context = {
        "place": place,
        "ancestors": services.ancestors(place),
        "totals": services.quarter_totals(place),
    }
    if place.kind == Place.Kind.GEMEINDE:
        can_add = request.user.has_perm("places.add_quarter", place)
        context["quarters"] = services.quarters_of(place, include_drafts=can_add)
        context["can_add_quarter"] = can_add
    else:
        context["children"] = services.children_of(place)
    return render(request, "places/place.html", context)


def _get_quarter(request, pk: int, perm: str) -> Quarter:
    """The quarter if the user may see it; 404 hides drafts of other Gemeinden entirely."""
    quarter = get_object_or_404(
        Quarter.objects.select_related("gemeinde__parent__parent__parent"), pk=pk
    )
    if not request.user.has_perm("places.view_quarter", quarter):
        raise Http404
    if perm != "places.view_quarter" and not request.user.has_perm(perm, quarter):
        raise PermissionDenied
    return quarter


def quarter(request, pk):
    quarter = _get_quarter(request, pk, "places.view_quarter")
    return render(request, "places/quarter.html", {
        "quarter": quarter,
        "ancestors": services.ancestors(quarter.gemeinde) + [quarter.gemeinde],
        "feature": services.quarter_feature(quarter),
        "can_change": request.user.has_perm("places.change_quarter", quarter),
        "anchors": anchors.quarter_anchors(quarter),
    })


@login_required
@require_http_methods(["GET", "POST"])
def quarter_create(request, ags):
    gemeinde = get_object_or_404(Place, ags=ags, kind=Place.Kind.GEMEINDE)
    if not request.user.has_perm("places.add_quarter", gemeinde):
        raise PermissionDenied
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = QuarterForm(data, files, gemeinde=gemeinde)
    if request.method == "POST" and form.is_valid():
        quarter = services.save_quarter(form.instance, boundary=form.boundary, actor=request.user)
        return redirect(quarter)
    return _render_form(request, form, gemeinde, None)


@login_required
@require_http_methods(["GET", "POST"])
def quarter_edit(request, pk):
    quarter = _get_quarter(request, pk, "places.change_quarter")
    # The form writes rejected input into its instance; title and map keep the stored quarter.
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = QuarterForm(
        data, files, instance=copy.copy(quarter),
        gemeinde=quarter.gemeinde,
    )
    if request.method == "POST" and form.is_valid():
        services.save_quarter(form.instance, boundary=form.boundary, actor=request.user)
        return redirect(quarter)
    return _render_form(request, form, quarter.gemeinde, quarter)


def _render_form(request, form, gemeinde, quarter):
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "places/quarter_form.html", {
        "form": form,
        "gemeinde": gemeinde,
        "quarter": quarter,
        "feature": services.quarter_feature(quarter) if quarter else None,
        "center_latlon": "{1:.5f},{0:.5f}".format(*geo.utm_to_lonlat(gemeinde.x, gemeinde.y)),
        "title": _("Edit %(name)s") % {"name": quarter.name} if quarter
        else _("New quarter in %(name)s") % {"name": gemeinde.name},
    }, status=status)


def about_data(request):
    return render(request, "places/about_data.html")
