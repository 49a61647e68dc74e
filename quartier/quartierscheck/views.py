from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quartier.places import services as places
from quartier.places.models import Place, Quarter
from quartier.quartierscheck import report, services
from quartier.quartierscheck.indicators import BY_KEY, GROUPS, RADII_M, missing_factors
from quartier.quartierscheck.models import AreaFigures

COMPARE_MAX = 6


def overview(request):
    run = report.current_run()
    land = Place.objects.get(kind=Place.Kind.LAND)
    figures = report.figures_of(run, place=land)
    return render(request, "quartierscheck/overview.html", {
        "run": run,
        "land": land,
        "figures": figures,
        "rows": report.indicator_rows([figures]) if figures else [],
        "heads": [land.name],
        "can_recompute": request.user.has_perm("quartierscheck.recompute"),
        "can_see_gaps": request.user.has_perm("quartierscheck.view_gaps"),
        **_status(),
    })


def _status() -> dict:
    return {"active": report.active_run(), "last": report.last_run()}


def status(request):
    """The state of the newest run; the page asks again every few seconds while one runs."""
    return render(request, "quartierscheck/_status.html", {
        "can_recompute": request.user.has_perm("quartierscheck.recompute"), **_status()})


@require_POST
@permission_required("quartierscheck.recompute", raise_exception=True)
def recompute(request):
    services.request_recompute(user=request.user)
    if request.htmx:
        return status(request)
    return redirect("quartierscheck:overview")


def _quarter(request, pk: int) -> Quarter:
    quarter = get_object_or_404(
        Quarter.objects.select_related("gemeinde__parent__parent__parent"), pk=pk)
    if not request.user.has_perm("places.view_quarter", quarter):
        raise Http404
    return quarter


def _areas(quarter: Quarter):
    """The current run and the figures of the quarter, its Kreis and the Land."""
    run = report.current_run()
    kreis = quarter.gemeinde.parent
    land = Place.objects.get(kind=Place.Kind.LAND)
    return (run, report.figures_of(run, quarter=quarter),
            report.figures_of(run, place=kreis), report.figures_of(run, place=land))


def quarter_check(request, pk):
    quarter = _quarter(request, pk)
    group = request.GET.get("group", "all")
    if group not in GROUPS:
        group = "all"
    run, figures, kreis, land = _areas(quarter)
    context = {
        "quarter": quarter,
        "ancestors": places.ancestors(quarter.gemeinde) + [quarter.gemeinde, quarter],
        "run": run,
        "figures": figures,
        "kreis": quarter.gemeinde.parent,
        "groups": [(g, report.GROUP_LABELS[g]) for g in GROUPS],
        "group": group,
        "group_label": report.GROUP_LABELS[group],
        "radii": RADII_M,
        "feature": places.quarter_feature(quarter),
    }
    if figures:
        context.update({
            "rows": report.indicator_rows([figures, kreis, land]),
            "heads": [quarter.name, quarter.gemeinde.parent.name, _("Baden-Württemberg")],
            "reach": report.reach_rows(figures, kreis, land, group, report.kind_names()),
            "ages": report.age_rows([figures, kreis, land]),
            "chart": report.age_chart(figures),
            "kreis_figures": kreis,
            "land_figures": land,
        })
    return render(request, "quartierscheck/quarter.html", context)


def _file_name(quarter: Quarter, extension: str) -> str:
    return f"quartierscheck-{slugify(quarter.gemeinde.name)}-{slugify(quarter.name)}.{extension}"


def quarter_check_csv(request, pk):
    quarter = _quarter(request, pk)
    _run, figures, kreis, land = _areas(quarter)
    if not figures:
        raise Http404
    response = HttpResponse(report.quarter_csv(quarter, figures, kreis, land),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(quarter, "csv")}"'
    return response


def quarter_check_pdf(request, pk):
    from weasyprint import HTML

    quarter = _quarter(request, pk)
    run, figures, kreis, land = _areas(quarter)
    if not figures:
        raise Http404
    html = render_to_string("quartierscheck/report.html", {
        "quarter": quarter,
        "run": run,
        "figures": figures,
        "kreis": quarter.gemeinde.parent,
        "rows": report.indicator_rows([figures, kreis, land]),
        "heads": [quarter.name, quarter.gemeinde.parent.name, _("Baden-Württemberg")],
        "reach": report.reach_rows(figures, kreis, land, "all", report.kind_names()),
        "chart": report.age_chart(figures),
        "outline": report.outline_svg(quarter),
        "radii": RADII_M,
    }, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(
        pdf_variant="pdf/ua-1")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(quarter, "pdf")}"'
    return response


def compare(request):
    ids = [int(q) for q in request.GET.getlist("q") if q.isdigit()][:COMPARE_MAX]
    chosen = [q for q in Quarter.objects.published().select_related("gemeinde").filter(pk__in=ids)]
    chosen.sort(key=lambda q: ids.index(q.pk))
    run = report.current_run()
    by_quarter = report.figures_of_quarters(run, chosen)
    areas = [by_quarter.get(q.pk) for q in chosen]
    # Offer the other quarters of the chosen quarters' Gemeinden to add.
    gemeinden = {q.gemeinde_id for q in chosen}
    candidates = Quarter.objects.published().filter(gemeinde_id__in=gemeinden).select_related(
        "gemeinde").order_by("gemeinde__name", "name")[:200]
    return render(request, "quartierscheck/compare.html", {
        "run": run,
        "quarters": chosen,
        "rows": report.indicator_rows(areas) if chosen else [],
        "heads": [f"{q.name} ({q.gemeinde.name})" for q in chosen],
        "ages": report.age_rows(areas) if chosen else [],
        "candidates": candidates,
        "chosen_ids": {q.pk for q in chosen},
        "limit": COMPARE_MAX,
        "too_many": len(request.GET.getlist("q")) > COMPARE_MAX,
    })


def _map_area(request) -> Place:
    ags = request.GET.get("area", "08")
    area = Place.objects.filter(ags=ags[:8]).exclude(kind=Place.Kind.REGIERUNGSBEZIRK).first()
    if area is None:
        raise Http404
    return area


def _indicator(request) -> str:
    key = request.GET.get("indicator", "")
    return key if key in BY_KEY else "institutional_anchor_500"


def _map_rows(area: Place, key: str):
    """(name, url, value, feature-source) of each area the map of `area` shows: the Kreise
    of the Land, else the quarters of the Kreis or Gemeinde."""
    run = report.current_run()
    if run is None:
        return []
    rows = AreaFigures.objects.filter(run=run)
    if area.kind == Place.Kind.LAND:
        rows = rows.filter(place__kind=Place.Kind.KREIS).select_related("place").order_by(
            "place__name")
        return [(r.place, r.figures["values"].get(key)) for r in rows]
    rows = rows.filter(quarter__gemeinde__ags__startswith=area.ags).select_related(
        "quarter__gemeinde").order_by("quarter__gemeinde__name", "quarter__name")
    return [(r.quarter, r.figures["values"].get(key)) for r in rows]


def choropleth(request):
    area = _map_area(request)
    key = _indicator(request)
    share = key != "offers_per_1000"
    rows = [(item, report.format_value(value, share), report.fill_for(key, value))
            for item, value in _map_rows(area, key)]
    return render(request, "quartierscheck/map.html", {
        "area": area,
        "ancestors": places.ancestors(area),
        "indicator": key,
        "indicator_label": report.INDICATOR_LABELS[key],
        "indicators": report.indicator_choices(),
        "rows": rows,
        "legend": report.legend(key),
        "kreise": Place.objects.filter(kind=Place.Kind.KREIS).order_by("name"),
        "run": report.current_run(),
    })


def choropleth_geojson(request):
    area = _map_area(request)
    key = _indicator(request)
    share = key != "offers_per_1000"
    features = []
    for item, value in _map_rows(area, key):
        feature = (places.place_feature(item) if isinstance(item, Place)
                   else places.quarter_feature(item))
        feature["properties"].update({
            "value": value, "label": report.format_value(value, share),
            "fill": report.fill_for(key, value),
            "name": f"{feature['properties']['name']}: {report.format_value(value, share)}",
        })
        features.append(feature)
    return JsonResponse(places.feature_collection(features),
                        content_type="application/geo+json")


@permission_required("quartierscheck.view_gaps", raise_exception=True)
def gaps(request):
    run = report.current_run()
    kreis = None
    rows = AreaFigures.objects.none()
    if run:
        rows = AreaFigures.objects.filter(run=run, quarter__isnull=False).select_related(
            "quarter__gemeinde__parent").order_by("-gap_score", "quarter__name")
        if request.GET.get("kreis"):
            kreis = Place.objects.filter(ags=request.GET["kreis"][:5],
                                         kind=Place.Kind.KREIS).first()
            if kreis:
                rows = rows.filter(quarter__gemeinde__parent=kreis)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    for row in page:
        row.missing = missing_factors(row.figures)
        row.reds = [report.INDICATOR_LABELS[k] for k, light in row.figures["lights"].items()
                    if light == "red"]
    return render(request, "quartierscheck/gaps.html", {
        "run": run, "page": page, "kreis": kreis, "offset": page.start_index(),
        "kreise": Place.objects.filter(kind=Place.Kind.KREIS).order_by("name"),
    })

