"""Presenting stored figures: labels, table rows for pages, CSV rows, the age chart, map
classes and the quarter outline for the PDF. No computation of figures happens here."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from quartier.anchors.models import OfferCategory, SuccessFactor
from quartier.places.models import AGE_BANDS, Quarter
from quartier.quartierscheck.indicators import GROUPS, INDICATORS, RADII_M

GROUP_LABELS = {
    "all": gettext_lazy("all residents"),
    "u18": gettext_lazy("residents under 18"),
    "65+": gettext_lazy("residents 65 and over"),
    "80+": gettext_lazy("residents 80 and over"),
}
INDICATOR_LABELS = {
    "institutional_anchor_500": gettext_lazy(
        "Residents with an institutional anchor within 500 m"),
    "institutional_anchor_u18_1000": gettext_lazy(
        "Residents under 18 with an institutional anchor within 1,000 m"),
    "support_offer_500": gettext_lazy("Residents with a support offer within 500 m"),
    "support_offer_65_500": gettext_lazy(
        "Residents 65 and over with a support offer within 500 m"),
    "barrier_free_space_80_300": gettext_lazy(
        "Residents 80 and over with a barrier-free space within 300 m"),
    "volunteer_coordination_1000": gettext_lazy(
        "Residents reached by volunteer coordination (within 1,000 m)"),
    "barrier_free_anchors": gettext_lazy(
        "Anchors that are barrier-free (step-free entrance and accessible toilet)"),
    "offers_per_1000": gettext_lazy("Offers per 1,000 residents"),
}
# Why each threshold is what it is (docs/quartierscheck.md gives the full sources).
BASIS = {
    "reach": gettext_lazy(
        "Convention of this platform: green when three in four residents of the group reach "
        "the factor – about the share of people in Germany living within 1 km of a "
        "supermarket, GP or primary school (BBSR) – amber when at least half do."),
    "barrier_free_anchors": gettext_lazy(
        "Convention of this platform: at least half of the places barrier-free (green), at "
        "least a quarter (amber). What counts as barrier-free follows DIN 18040-1: a "
        "step-free entrance and an accessible toilet."),
    "offers_per_1000": gettext_lazy(
        "Convention of this platform, no norm exists: two offers per 1,000 residents "
        "(green), one (amber)."),
}
RADIUS_BASIS = {
    300: gettext_lazy("300 m: the short walk for people 80 and over; a convention."),
    500: gettext_lazy("500 m: about ten minutes at the pace of older people, the common "
                      "radius of local supply (Nahversorgung) concepts; a convention."),
    1000: gettext_lazy("1,000 m: the walking distance of the BBSR indicators of local "
                       "supply (BBSR-Analysen KOMPAKT 10/2015)."),
}
LIGHT_LABELS = {
    "green": pgettext_lazy("traffic light", "good"),
    "amber": pgettext_lazy("traffic light", "partly"),
    "red": pgettext_lazy("traffic light", "gap"),
    "none": pgettext_lazy("traffic light", "no value"),
}
STALE_LABELS = {
    "no_boundary": gettext_lazy("the quarter has no boundary now"),
    "invalid_boundary": gettext_lazy("the quarter's boundary cannot be used now"),
}


def is_share(key: str) -> bool:
    return key != "offers_per_1000"


def format_value(value: float | None, share: bool) -> str:
    if value is None:
        return "–"
    if share:
        # Half up, as people round (12.5 % → 13 %), not to even.
        return f"{math.floor(100 * value + 0.5):d} %"
    return number_format(value, 1, use_l10n=True, force_grouping=True)


@dataclass
class IndicatorCell:
    text: str
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
    """One row per indicator with the value and traffic light of each area's figures."""
    rows = []
    for indicator in INDICATORS:
        share = is_share(indicator.key)
        cells = []
        for area in areas:
            value = area["values"].get(indicator.key) if area else None
            light = area["lights"].get(indicator.key, "none") if area else "none"
            cells.append(IndicatorCell(format_value(value, share), light,
                                       str(LIGHT_LABELS[light])))
        rows.append(IndicatorRow(
            indicator.key, str(INDICATOR_LABELS[indicator.key]), cells,
            format_value(indicator.green, share), format_value(indicator.amber, share)))
    return rows


def indicator_definitions() -> list[dict]:
    """Each indicator with its thresholds and their basis, for the method page."""
    out = []
    for indicator in INDICATORS:
        share = is_share(indicator.key)
        basis = BASIS["reach"] if indicator.is_reach else BASIS[indicator.key]
        out.append({
            "key": indicator.key, "label": INDICATOR_LABELS[indicator.key],
            "green": format_value(indicator.green, share),
            "amber": format_value(indicator.amber, share), "basis": basis,
            "radius": RADIUS_BASIS.get(indicator.radius, ""),
        })
    return out


def reach_label(key: str, kinds: dict[str, str]) -> str:
    kind, _sep, code = key.partition(":")
    if kind == "offer":
        return str(OfferCategory(code).label) if code in OfferCategory.values else code
    if kind == "factor":
        return str(SuccessFactor(code).label) if code in SuccessFactor.values else code
    return kinds.get(key, key)


@dataclass
class ReachRow:
    key: str
    label: str
    section: str
    shares: list[str]  # the quarter at each radius, then Kreis and Land at 500 m


def reach_rows(figures: dict, kreis: dict | None, land: dict | None, group: str,
               kinds: dict[str, str]) -> list[ReachRow]:
    """Per success factor, kind of anchor and kind of offer: the share of `group` within
    each radius, next to the Kreis and Land at 500 m."""
    sections = {"factor": _("Success factors"), "kind": _("Kinds of anchors"),
                "offer": _("Offers")}
    order = {"factor": 0, "kind": 1, "offer": 2}
    middle = RADII_M.index(500)
    rows = []
    for position, (key, by_group) in enumerate(figures["reach"].items()):
        prefix = key.split(":", 1)[0] if ":" in key else "kind"
        shares = [format_value(s, True) for s in by_group.get(group) or [None] * len(RADII_M)]
        for other in (kreis, land):
            value = other["reach"].get(key, {}).get(group) if other else None
            shares.append(format_value(value[middle] if value else None, True))
        rows.append((order[prefix], position,
                     ReachRow(key, reach_label(key, kinds), sections[prefix], shares)))
    return [row for _o, _p, row in sorted(rows, key=lambda item: item[:2])]


def reach_by_group_rows(figures: dict, kinds: dict[str, str], radius: int = 500
                        ) -> list[tuple[str, str, list[str]]]:
    """(label, section, share of each group within `radius`) per reach key, for one table
    with every group side by side."""
    at = RADII_M.index(radius)
    return [(row.label, row.section,
             [format_value((figures["reach"][row.key].get(g) or [None] * 3)[at], True)
              for g in GROUPS])
            for row in reach_rows(figures, None, None, "all", kinds)]


def age_rows(areas: list[dict | None]) -> list[tuple[str, list[str]]]:
    """Per age band, its share of the residents of each area."""
    rows = []
    for name, label in AGE_BANDS:
        cells = []
        for area in areas:
            total = sum(area["age"].values()) if area else 0
            cells.append(format_value(area["age"][name] / total if total else None, True))
        rows.append((label, cells))
    return rows


def age_chart(figures: dict, *, width: int = 440, bar: int = 22) -> dict:
    """Bars of the age bands (share of residents) as drawing instructions for an SVG."""
    total = sum(figures["age"].values())
    largest = max(figures["age"].values(), default=0) or 1
    label_width, gap = 56, 6
    room = width - label_width - 60
    bars = []
    for i, (name, label) in enumerate(AGE_BANDS):
        count = figures["age"][name]
        length = round(room * count / largest, 1)
        bars.append({
            "label": label, "y": i * (bar + gap), "text_y": round(i * (bar + gap) + bar * 0.7, 1),
            "length": length, "text_x": label_width + length + 6,
            "text": format_value(count / total if total else None, True),
        })
    return {"width": width, "height": len(AGE_BANDS) * (bar + gap), "bar": bar,
            "label_width": label_width, "bars": bars}


def ratio_text(value: float | None) -> str:
    return "–" if value is None else number_format(value, 1, use_l10n=True)


# CSV ----------------------------------------------------------------------------------

CSV_HEADER = ["quarter", "gemeinde", "figure", "group", "radius_m", "quarter_value",
              "kreis_value", "land_value", "traffic_light"]


def quarter_csv_rows(quarter: Quarter, figures: dict, kreis: dict | None,
                     land: dict | None) -> list[list]:
    """The check of one quarter: one row per figure, with its Kreis and Land values.
    Shares are fractions (0–1), rounded to 4 places."""

    def number(value):
        return "" if value is None else round(value, 4)

    areas = (figures, kreis, land)
    head = [quarter.name, quarter.gemeinde.name]
    rows = []
    for indicator in INDICATORS:
        values = [a["values"].get(indicator.key) if a else None for a in areas]
        rows.append([*head, indicator.key, indicator.group if indicator.is_reach else "",
                     indicator.radius or "", *map(number, values),
                     figures["lights"].get(indicator.key, "none")])
    for key in figures["reach"]:
        for group in GROUPS:
            for r, radius in enumerate(RADII_M):
                values = [((a["reach"].get(key) or {}).get(group) or [None] * 3)[r] if a
                          else None for a in areas]
                rows.append([*head, f"reach:{key}", group, radius, *map(number, values), ""])
    for name, _label in AGE_BANDS:
        rows.append([*head, f"residents:{name}", "", "",
                     *[a["age"][name] if a else "" for a in areas], ""])
    for key in ("old_age_ratio", "youth_ratio", "anchors", "barrier_free", "offers",
                "population", "gap"):
        rows.append([*head, key, "", "", *[number(a.get(key)) if a else "" for a in areas],
                     ""])
    return rows


# Maps ---------------------------------------------------------------------------------

# A sequential palette that stays readable for colour-blind readers (viridis, 5 steps).
PALETTE = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
NO_VALUE = "#bbbbbb"


def indicator_choices() -> list[tuple[str, str]]:
    return [(indicator.key, str(INDICATOR_LABELS[indicator.key])) for indicator in INDICATORS]


def classes(key: str) -> list[float]:
    """Upper bounds of the five map classes of an indicator."""
    if key == "offers_per_1000":
        return [0.5, 1.0, 2.0, 4.0, float("inf")]
    return [0.2, 0.4, 0.6, 0.8, float("inf")]


def class_of(key: str, value: float | None) -> int | None:
    if value is None:
        return None
    return next(i for i, bound in enumerate(classes(key)) if value <= bound)


def fill_for(key: str, value: float | None) -> str:
    index = class_of(key, value)
    return NO_VALUE if index is None else PALETTE[index]


def legend(key: str) -> list[tuple[str, str]]:
    """(colour, label) per map class, then the colour of areas without a value."""
    share = is_share(key)
    items, low = [], None
    for bound, colour in zip(classes(key), PALETTE, strict=True):
        if low is None:
            label = _("up to %(high)s") % {"high": format_value(bound, share)}
        elif bound == float("inf"):
            label = _("over %(low)s") % {"low": format_value(low, share)}
        else:
            label = _("over %(low)s to %(high)s") % {"low": format_value(low, share),
                                                     "high": format_value(bound, share)}
        items.append((colour, label))
        low = bound
    items.append((NO_VALUE, _("no value")))
    return items


def outline_svg(quarter: Quarter, anchor_points: list[tuple[float, float, str]], *,
                size: int = 360) -> dict | None:
    """The quarter's boundary and anchors (x, y in EPSG:25832, name) as SVG drawing
    instructions: north up, to scale, with a scale bar. None when the quarter has no usable
    boundary (it may keep its last good figures without one)."""
    import shapely

    from quartier.places import geo

    try:
        shape = geo.loads(quarter.boundary) if quarter.boundary.strip() else None
    except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.GEOSException):
        shape = None
    if shape is None or shape.is_empty or shape.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    minx, miny, maxx, maxy = shape.bounds
    span = max(maxx - minx, maxy - miny) or 1.0
    scale = (size - 20) / span

    def point(x, y):
        return round(10 + (x - minx) * scale, 1), round(10 + (maxy - y) * scale, 1)

    paths = []
    for polygon in getattr(shape, "geoms", [shape]):
        for ring in (polygon.exterior, *polygon.interiors):
            corners = (point(x, y) for x, y in ring.coords)
            paths.append("M" + " L".join(f"{px},{py}" for px, py in corners) + " Z")
    # A scale bar of a round length near a quarter of the drawing.
    bar_m = next((m for m in (2000, 1000, 500, 200, 100, 50) if m * scale <= size / 3), 50)
    height = round(20 + (maxy - miny) * scale)
    return {
        "size": size, "height": height + 30, "path": " ".join(paths),
        "anchors": [{"cx": point(x, y)[0], "cy": point(x, y)[1], "name": name}
                    for x, y, name in anchor_points],
        "bar_px": round(bar_m * scale, 1), "bar_m": bar_m, "bar_y": height + 15,
        "bar_text_x": round(bar_m * scale + 16, 1), "bar_text_y": height + 19,
    }
