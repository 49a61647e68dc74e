from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quartier.anchors import services as anchors
from quartier.anchors.models import AnchorKind
from quartier.downloads import csv_response, pdf_response
from quartier.places import services as places
from quartier.places.models import Place, Quarter
from quartier.quartierscheck import report, services
from quartier.quartierscheck.indicators import BY_KEY, GROUPS, RADII_M

COMPARE_MAX = 6
GAPS_PER_PAGE = 50


def _status_context(request) -> dict:
    return {
        "active": services.active_run(),
        "last": services.last_finished_run(),
        "can_recompute": request.user.has_perm("quartierscheck.recompute"),
        "is_staff": request.user.has_perm("quartierscheck.view_gaps"),
    }


def overview(request):
    query = request.GET.get("q", "")[:100]
    found = places.search(query).quarters if query else None
    land = Place.objects.filter(kind=Place.Kind.LAND).first()
    row = services.figures_of_place(land) if land else None
    status = _status_context(request)
    if status["can_recompute"] and status["active"] is None:
        status["inputs_changed"] = services.inputs_changed_since(services.current_run())
    return render(request, "quartierscheck/overview.html", {
        "land": land,
        "run": services.current_run(),
        "rows": report.indicator_rows([row.figures]) if row else [],
        "heads": [land.name] if land else [],
        "query": query,
        "found": found,
        "can_see_gaps": request.user.has_perm("quartierscheck.view_gaps"),
        **status,
    })


def status(request):
    """The state of the newest run, polled by the status box while a run waits or runs;
    HTTP 286 tells htmx to stop polling once none does."""
    context = _status_context(request)
    was = request.GET.get("was", "")
    context["finished_now"] = bool(was.isdigit() and context["active"] is None)
    # The page that polls, to reload it; only a page of this site (the header is the
    # client's word).
    current = request.htmx.current_url if request.htmx else None
    context["current_url"] = current if current and url_has_allowed_host_and_scheme(
        current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) else reverse("quartierscheck:overview")
    response = render(request, "quartierscheck/_status_body.html", context)
    if request.htmx and context["active"] is None:
        response.status_code = 286
    return response


@require_POST
def recompute(request):
    if not request.user.has_perm("quartierscheck.recompute"):
        raise PermissionDenied
    services.request_recompute(actor=request.user)
    if request.htmx:
        return render(request, "quartierscheck/_status.html", _status_context(request))
    return redirect("quartierscheck:overview")


def method(request):
    return render(request, "quartierscheck/method.html", {
        "indicators": report.indicator_definitions(),
        "detour": settings.WALKING_DETOUR_FACTOR,
        "radii": RADII_M,
    })


def _is_id(text: str) -> bool:
    """A plain decimal id that fits a database integer (larger ones crash the query)."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def _quarter(request, pk: int) -> Quarter:
    """The quarter if the user may see it; 404 hides drafts entirely, as the quarter page."""
    if not _is_id(str(pk)):
        raise Http404
    quarter = get_object_or_404(
        Quarter.objects.select_related("gemeinde__parent__parent__parent"), pk=pk)
    if not request.user.has_perm("places.view_quarter", quarter):
        raise Http404
    return quarter


def _kind_names() -> dict[str, str]:
    return {kind.slug: kind.name for kind in AnchorKind.objects.all()}


def _check_context(quarter: Quarter, group: str) -> dict:
    row, kreis_row, land_row = services.figures_for_quarter(quarter)
    context = {
        "quarter": quarter,
        "kreis": quarter.gemeinde.parent,
        "row": row,
        "figures": row.figures if row else None,
        "run": services.current_run(),
        "group": group,
        "group_label": report.GROUP_LABELS[group],
        "radii": RADII_M,
    }
    if row is None:
        return context
    figures = row.figures
    kreis = kreis_row.figures if kreis_row else None
    land = land_row.figures if land_row else None
    context.update({
        "stale": report.STALE_LABELS.get(row.stale_reason, ""),
        "rows": report.indicator_rows([figures, kreis, land]),
        "heads": [quarter.name, quarter.gemeinde.parent.name, _("Baden-Württemberg")],
        "reach": report.reach_rows(figures, kreis, land, group, _kind_names()),
        "ages": report.age_rows([figures, kreis, land]),
        "chart": report.age_chart(figures),
        "ratios": [
            (_("Old-age ratio (65 and over per 100 aged 18–64)"),
             [report.ratio_text(a["old_age_ratio"]) if a else "–"
              for a in (figures, kreis, land)]),
            (_("Youth ratio (under 18 per 100 aged 18–64)"),
             [report.ratio_text(a["youth_ratio"]) if a else "–"
              for a in (figures, kreis, land)]),
        ],
        "figures_kreis": kreis,
        "figures_land": land,
    })
    return context


def quarter_check(request, pk):
    quarter = _quarter(request, pk)
    group = request.GET.get("group", "all")
    context = _check_context(quarter, group if group in GROUPS else "all")
    context.update({
        "ancestors": places.ancestors(quarter.gemeinde) + [quarter.gemeinde, quarter],
        "feature": places.quarter_feature(quarter),
        "groups": [(g, report.GROUP_LABELS[g]) for g in GROUPS],
    })
    return render(request, "quartierscheck/quarter.html", context)


def _file_name(quarter: Quarter, extension: str) -> str:
    return (f"quartierscheck-{slugify(quarter.gemeinde.name)}-{slugify(quarter.name)}"
            f".{extension}")


def quarter_check_csv(request, pk):
    quarter = _quarter(request, pk)
    row, kreis, land = services.figures_for_quarter(quarter)
    if row is None:
        raise Http404
    rows = report.quarter_csv_rows(quarter, row.figures, kreis.figures if kreis else None,
                                   land.figures if land else None)
    return csv_response(report.CSV_HEADER, rows, _file_name(quarter, "csv"))


def quarter_check_pdf(request, pk):
    quarter = _quarter(request, pk)
    context = _check_context(quarter, "all")
    if context["row"] is None:
        raise Http404
    points = [(a.x, a.y, a.name) for a in anchors.quarter_anchors(quarter).anchors]
    kinds = _kind_names()
    context.update({
        "outline": report.outline_svg(quarter, points),
        "by_group": report.reach_by_group_rows(context["figures"], kinds),
        "group_heads": [report.GROUP_LABELS[g] for g in GROUPS],
    })
    return pdf_response("quartierscheck/report.html", context, request,
                        _file_name(quarter, "pdf"))


def compare(request):
    asked = [int(q) for q in request.GET.getlist("q") if _is_id(q)]
    ids = list(dict.fromkeys(asked))[:COMPARE_MAX]
    chosen = [q for q in Quarter.objects.select_related("gemeinde").filter(pk__in=ids)
              if request.user.has_perm("places.view_quarter", q)]
    chosen.sort(key=lambda q: ids.index(q.pk))
    by_quarter = services.figures_of_quarters(chosen)
    areas = [by_quarter[q.pk].figures if q.pk in by_quarter else None for q in chosen]
    # Offer the quarters of the chosen quarters' Gemeinden, or of a Gemeinde searched for.
    query = request.GET.get("gemeinde", "")[:100]
    gemeinden = places.search(query, limit=10).gemeinden if query else []
    pool = {q.gemeinde_id for q in chosen} | {g.pk for g in gemeinden[:1]}
    candidates = list(Quarter.objects.published().filter(gemeinde_id__in=pool)
                      .select_related("gemeinde").order_by("gemeinde__name", "name")[:200])
    chosen_ids = {q.pk for q in chosen}
    candidates += [q for q in chosen if q not in candidates]
    return render(request, "quartierscheck/compare.html", {
        "run": services.current_run(),
        "quarters": chosen,
        "rows": report.indicator_rows(areas) if chosen else [],
        "heads": [f"{q.name} ({q.gemeinde.name})" for q in chosen],
        "ages": report.age_rows(areas) if chosen else [],
        "candidates": candidates,
        "chosen_ids": chosen_ids,
        "query": query,
        "no_gemeinde": bool(query) and not gemeinden,
        "limit": COMPARE_MAX,
        "too_many": len(set(asked)) > COMPARE_MAX,
    })


def _map_area(request) -> Place:
    ags = request.GET.get("area", "08")[:8]
    area = Place.objects.filter(ags=ags).exclude(kind=Place.Kind.REGIERUNGSBEZIRK).first()
    if area is None:
        raise Http404
    return area


def _indicator(request) -> str:
    key = request.GET.get("indicator", "")
    return key if key in BY_KEY else "institutional_anchor_500"


def choropleth(request):
    area = _map_area(request)
    key = _indicator(request)
    share = report.is_share(key)
    rows = [(item, report.format_value(value, share))
            for item, value in services.map_rows(area, key)]
    return render(request, "quartierscheck/map.html", {
        "area": area,
        "ancestors": places.ancestors(area),
        "indicator": key,
        "indicator_label": report.INDICATOR_LABELS[key],
        "indicators": report.indicator_choices(),
        "rows": rows,
        "legend": report.legend(key),
        "kreise": Place.objects.filter(kind=Place.Kind.KREIS).order_by("name"),
        "run": services.current_run(),
    })


def choropleth_geojson(request):
    area = _map_area(request)
    key = _indicator(request)
    share = report.is_share(key)
    features = []
    for item, value in services.map_rows(area, key):
        feature = (places.place_feature(item) if isinstance(item, Place)
                   else places.quarter_feature(item))
        if isinstance(item, Place):
            feature["properties"]["url"] = (
                f"{reverse('quartierscheck:map')}?area={item.ags}&indicator={key}")
        else:
            feature["properties"]["url"] = reverse("quartierscheck:quarter", args=[item.pk])
        text = report.format_value(value, share)
        feature["properties"].update({
            "value": value, "label": text, "fill": report.fill_for(key, value),
            "name": f"{feature['properties']['name']}: {text}",
        })
        features.append(feature)
    return JsonResponse(places.feature_collection(features),
                        content_type="application/geo+json")


def _gap_rows(request):
    if not request.user.has_perm("quartierscheck.view_gaps"):
        raise PermissionDenied
    kreis = None
    if request.GET.get("kreis"):
        kreis = Place.objects.filter(ags=request.GET["kreis"][:5], kind=Place.Kind.KREIS).first()
    return services.gap_list(kreis=kreis), kreis


def _missing(row) -> list[str]:
    return [str(report.INDICATOR_LABELS[key]) for key, light in row.figures["lights"].items()
            if light == "red"]


@login_required
def gaps(request):
    rows, kreis = _gap_rows(request)
    page = Paginator(rows, GAPS_PER_PAGE).get_page(request.GET.get("page"))
    for row in page:
        row.missing = _missing(row)
    return render(request, "quartierscheck/gaps.html", {
        "run": services.current_run(), "page": page, "kreis": kreis,
        "kreise": Place.objects.filter(kind=Place.Kind.KREIS).order_by("name"),
    })


@login_required
def gaps_csv(request):
    rows, kreis = _gap_rows(request)
    return csv_response(
        ["rank", "quarter_id", "quarter", "gemeinde", "kreis", "gap_score", "red_indicators"],
        [[rank, row.quarter_id, row.quarter.name, row.quarter.gemeinde.name,
          row.quarter.gemeinde.parent.name, round(row.gap_score, 1), "; ".join(_missing(row))]
         for rank, row in enumerate(rows.iterator(chunk_size=500), start=1)],
        f"quartierscheck-gaps-{kreis.ags if kreis else '08'}.csv")
