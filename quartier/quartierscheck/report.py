"""Reading the stored figures: labels, tables for pages, CSV and PDF. Pages never compute
figures; they read the newest finished run."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from quartier.anchors.models import AnchorKind, OfferCategory, SuccessFactor
from quartier.places.models import AGE_BANDS, Place, Quarter
from quartier.quartierscheck.indicators import GROUPS, INDICATORS, RADII_M
from quartier.quartierscheck.models import AreaFigures, CheckRun

GROUP_LABELS = {
    "all": gettext_lazy("all residents"),
    "u18": gettext_lazy("residents under 18"),
    "65+": gettext_lazy("residents 65 and over"),
    "80+": gettext_lazy("residents 80 and over"),
}
INDICATOR_LABELS = {
    "institutional_anchor_500": gettext_lazy(
        "Residents with an institutional anchor within 500 m"),
    "support_offer_500": gettext_lazy("Residents with a support offer within 500 m"),
    "support_offer_65_500": gettext_lazy(
        "Residents 65 and over with a support offer within 500 m"),
    "barrier_free_space_80_300": gettext_lazy(
        "Residents 80 and over with a barrier-free space within 300 m"),
    "institutional_anchor_u18_1000": gettext_lazy(
        "Residents under 18 with an institutional anchor within 1,000 m"),
    "volunteer_coordination_1000": gettext_lazy(
        "Residents reached by volunteer coordination (within 1,000 m)"),
    "barrier_free_anchors": gettext_lazy(
        "Anchors that are barrier-free (step-free entrance and accessible toilet)"),
    "offers_per_1000": gettext_lazy("Offers per 1,000 residents"),
}
LIGHT_LABELS = {
    "green": pgettext_lazy("traffic light", "good"),
    "amber": pgettext_lazy("traffic light", "partly"),
    "red": pgettext_lazy("traffic light", "missing"),
    "none": pgettext_lazy("traffic light", "no value"),
}


def current_run() -> CheckRun | None:
    """The newest finished run: its figures are the current results."""
    return CheckRun.objects.filter(status=CheckRun.Status.DONE).order_by(
        "-finished_at", "-pk").first()


def active_run() -> CheckRun | None:
    return CheckRun.objects.filter(
        status__in=[CheckRun.Status.QUEUED, CheckRun.Status.RUNNING]).order_by("pk").first()


def last_run() -> CheckRun | None:
    return CheckRun.objects.order_by("-created_at", "-pk").first()


def figures_of(run: CheckRun | None, *, quarter: Quarter | None = None,
               place: Place | None = None) -> dict | None:
    if run is None:
        return None
    row = AreaFigures.objects.filter(run=run, quarter=quarter, place=place).first()
    return row.figures if row else None


def figures_of_quarters(run: CheckRun | None, quarters) -> dict[int, dict]:
    if run is None:
        return {}
    return dict(AreaFigures.objects.filter(run=run, quarter__in=quarters)
                .values_list("quarter_id", "figures"))


def reach_label(key: str, kinds: dict[str, str]) -> str:
    kind, _sep, code = key.partition(":")
    if kind == "offer":
        return str(OfferCategory(code).label) if code in OfferCategory.values else code
    if kind == "factor":
        return str(SuccessFactor(code).label) if code in SuccessFactor.values else code
    return kinds.get(key, key)


def kind_names() -> dict[str, str]:
    return {kind.slug: kind.name for kind in AnchorKind.objects.all()}


@dataclass
class Value:
    value: float | None
    is_share: bool

    def __str__(self):
        return format_value(self.value, self.is_share)


def format_value(value: float | None, is_share: bool) -> str:
    if value is None:
        return "–"
    if is_share:
        return f"{round(100 * value):d} %"
    return number_format(value, 1, use_l10n=True, force_grouping=True)


@dataclass
class IndicatorCell:
    value: Value
    light: str
    light_label: str


@dataclass
class IndicatorRow:
    key: str
    label: str
    cells: list[IndicatorCell]  # one per area compared
    green: str
    amber: str


def indicator_rows(areas: list[dict | None]) -> list[IndicatorRow]:
    """One row per indicator with the values and traffic lights of each area."""
    rows = []
    for indicator in INDICATORS:
        share = indicator.key != "offers_per_1000"
        cells = []
        for area in areas:
            value = area["values"].get(indicator.key) if area else None
            light = area["lights"].get(indicator.key, "none") if area else "none"
            cells.append(IndicatorCell(Value(value, share), light, str(LIGHT_LABELS[light])))
        rows.append(IndicatorRow(
            indicator.key, str(INDICATOR_LABELS[indicator.key]), cells,
            format_value(indicator.green, share), format_value(indicator.amber, share)))
    return rows


@dataclass
class ReachRow:
    key: str
    label: str
    section: str
    shares: list[Value]  # the quarter at each radius, then Kreis and Land at 500 m


def reach_rows(figures: dict, kreis: dict | None, land: dict | None, group: str,
               kinds: dict[str, str]) -> list[ReachRow]:
    sections = {"factor": _("Success factors"), "offer": _("Offers")}
    rows = []
    middle = RADII_M.index(500)
    for key, by_group in figures["reach"].items():
        prefix = key.split(":", 1)[0] if ":" in key else "kind"
        shares = [Value(s, True) for s in by_group.get(group, [None] * len(RADII_M))]
        for other in (kreis, land):
            value = other["reach"].get(key, {}).get(group) if other else None
            shares.append(Value(value[middle] if value else None, True))
        rows.append(ReachRow(key, reach_label(key, kinds),
                             sections.get(prefix, _("Kinds of anchors")), shares))
    order = {_("Success factors"): 0, _("Kinds of anchors"): 1, _("Offers"): 2}
    return sorted(rows, key=lambda row: order[row.section])


def age_rows(areas: list[dict | None]) -> list[tuple[str, list[float | None]]]:
    """Per age band, its share of the residents of each area (for charts and tables)."""
    rows = []
    for field, label in AGE_BANDS:
        shares = []
        for area in areas:
            total = sum(area["age"].values()) if area else 0
            shares.append(area["age"][field] / total if total else None)
        rows.append((label, shares))
    return rows


def age_chart(figures: dict, *, width: int = 420, bar: int = 22) -> dict:
    """Bars of the age bands as drawing instructions for an inline SVG."""
    total = sum(figures["age"].values()) or 1
    largest = max(figures["age"].values()) or 1
    label_width = 60
    bars = []
    for i, (field, label) in enumerate(AGE_BANDS):
        count = figures["age"][field]
        length = (width - label_width - 70) * count / largest
        bars.append({"label": label, "y": i * (bar + 6), "length": round(length, 1),
                     "text": f"{round(100 * count / total)} %", "text_x": label_width + length + 6,
                     "count": count})
    return {"width": width, "height": len(AGE_BANDS) * (bar + 6), "bar": bar,
            "label_width": label_width, "bars": bars}


def quarter_csv(quarter: Quarter, figures: dict, kreis: dict | None, land: dict | None) -> str:
    """The check of one quarter as CSV: one row per figure, with the Kreis and Land values."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["quarter", "indicator", "group", "radius_m", "quarter_value",
                     "kreis_value", "land_value", "traffic_light"])

    def number(value):
        return "" if value is None else round(value, 4)

    name = f"{quarter.name} ({quarter.gemeinde.name})"
    for indicator in INDICATORS:
        values = [a["values"].get(indicator.key) if a else None for a in (figures, kreis, land)]
        writer.writerow([name, indicator.key, indicator.group if indicator.is_reach else "",
                         indicator.radius or "", *map(number, values),
                         figures["lights"].get(indicator.key, "none")])
    for key in figures["reach"]:
        for group in GROUPS:
            for r, radius in enumerate(RADII_M):
                values = [(a["reach"].get(key, {}).get(group) or [None] * 3)[r] if a else None
                          for a in (figures, kreis, land)]
                writer.writerow([name, f"reach:{key}", group, radius, *map(number, values), ""])
    for field, _label in AGE_BANDS:
        writer.writerow([name, f"residents:{field}", "", "", figures["age"][field],
                         kreis["age"][field] if kreis else "", land["age"][field] if land else "",
                         ""])
    for key in ("old_age_ratio", "youth_ratio", "anchors", "barrier_free", "offers"):
        values = [a.get(key) if a else None for a in (figures, kreis, land)]
        writer.writerow([name, key, "", "", *map(number, values), ""])
    return out.getvalue()


def indicator_choices() -> list[tuple[str, str]]:
    return [(indicator.key, str(INDICATOR_LABELS[indicator.key])) for indicator in INDICATORS]


# A sequential palette that stays readable for colour-blind readers (viridis, 5 steps).
PALETTE = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")


def classes(key: str) -> list[float]:
    """Upper bounds of the five map classes of an indicator."""
    if key == "offers_per_1000":
        return [0.5, 1.0, 2.0, 4.0, float("inf")]
    return [0.2, 0.4, 0.6, 0.8, float("inf")]


def fill_for(key: str, value: float | None) -> str:
    if value is None:
        return "#bbbbbb"
    for bound, colour in zip(classes(key), PALETTE, strict=True):
        if value <= bound:
            return colour
    return PALETTE[-1]


def legend(key: str) -> list[tuple[str, str]]:
    share = key != "offers_per_1000"
    bounds = classes(key)
    items, low = [], 0.0
    for bound, colour in zip(bounds, PALETTE, strict=True):
        high = "" if bound == float("inf") else format_value(bound, share)
        items.append((colour, f"{format_value(low, share)} – {high}".rstrip(" –")
                      if high else f"> {format_value(low, share)}"))
        low = bound
    items.append(("#bbbbbb", _("no value")))
    return items



def outline_svg(quarter: Quarter, *, size: int = 360) -> dict:
    """The quarter's boundary and its published anchors as SVG paths (north up, to scale)."""
    from quartier.anchors.models import Anchor
    from quartier.places import geo

    shape = geo.loads(quarter.boundary)
    minx, miny, maxx, maxy = shape.bounds
    span = max(maxx - minx, maxy - miny) or 1.0
    scale = (size - 20) / span

    def point(x, y):
        return f"{10 + (x - minx) * scale:.1f},{10 + (maxy - y) * scale:.1f}"

    paths = []
    for polygon in getattr(shape, "geoms", [shape]):
        for ring in (polygon.exterior, *polygon.interiors):
            paths.append("M" + " L".join(point(x, y) for x, y in ring.coords) + " Z")
    anchors = [
        {"xy": point(x, y).split(","), "name": name}
        for x, y, name in Anchor.objects.published().filter(quarter=quarter)
        .values_list("x", "y", "name")
    ]
    return {"size": size, "height": round(20 + (maxy - miny) * scale), "path": " ".join(paths),
            "anchors": anchors, "metres": round(span)}
