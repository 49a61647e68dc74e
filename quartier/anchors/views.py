from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from quartier.anchors import engine, services
from quartier.anchors.forms import (
    AnchorForm,
    OfferFormSet,
    ReviewForm,
    SearchForm,
    initial_from_snapshot,
    offers_of,
)
from quartier.anchors.models import ACCESSIBILITY, Anchor, OfferCategory, TargetGroup
from quartier.places import geo


def search(request):
    form = SearchForm(request.GET or None)
    result = origin = None
    if form.is_bound and form.is_valid():
        result = services.search_anchors(form.query())
        origin = form.origin
    elif not form.is_bound:
        result = services.search_anchors(services.SearchQuery())
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "result": result,
        "origin": origin,
        "query_string": params.urlencode(),
        "features": services.hits_feature_collection(result.hits) if result else None,
        "detour_factor": services.detour_factor(),
    }
    template = "anchors/_results.html" if request.htmx else "anchors/search.html"
    return render(request, template, context)


def _get_anchor(request, pk: int, perm: str) -> Anchor:
    """The anchor if the user may see it; 404 hides unpublished entries of others entirely."""
    anchor = get_object_or_404(
        Anchor.objects.select_related("kind", "provider", "gemeinde__parent", "quarter",
                                      "pending_version"),
        pk=pk,
    )
    if not request.user.has_perm("anchors.view_anchor", anchor):
        raise Http404
    if perm != "anchors.view_anchor" and not request.user.has_perm(perm, anchor):
        raise PermissionDenied
    return anchor


def anchor(request, pk):
    anchor = _get_anchor(request, pk, "anchors.view_anchor")
    offers = list(anchor.offers.all())
    page_url = request.build_absolute_uri(anchor.get_absolute_url())
    lon, lat = anchor.lonlat()
    minute = services.minute_of_week()
    context = {
        "anchor": anchor,
        "offers": offers,
        "hours": engine.days_with_ranges(anchor.intervals),
        "open_now": anchor.is_open_at(minute) if anchor.intervals else None,
        "today": minute // engine.MINUTES_PER_DAY,
        "feature": {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "properties": {"name": anchor.name},
        },
        "can_change": request.user.has_perm("anchors.change_anchor", anchor),
        "can_review": request.user.has_perm("anchors.review_anchor"),
    }
    if anchor.is_published():
        data = services.json_ld(anchor, offers, page_url=page_url)
        context["json_ld"] = mark_safe(services.json_ld_text(data))  # noqa: S308 - escaped
    return render(request, "anchors/anchor.html", context)


def image(request, pk):
    anchor = _get_anchor(request, pk, "anchors.view_anchor")
    if not anchor.image:
        raise Http404
    try:
        handle = default_storage.open(anchor.image.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(handle, content_type=services.image_type(anchor.image.name))


def _forms(request, *, snapshot: dict | None, current_image: str = ""):
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    initial, offers = initial_from_snapshot(snapshot) if snapshot else ({}, [])
    form = AnchorForm(data, files, initial=initial, user=request.user, current_image=current_image)
    formset = OfferFormSet(data, initial=offers, prefix="offers")
    return form, formset


def _snapshot(form, formset, *, current_image: str) -> dict:
    if form.cleaned_data.get("image"):
        image = services.store_image(form.cleaned_data["image"])
    elif form.cleaned_data.get("remove_image"):
        image = ""
    else:
        image = current_image
    return form.snapshot(offers=offers_of(formset), image=image)


@login_required
@require_http_methods(["GET", "POST"])
def anchor_create(request):
    if not request.user.has_perm("anchors.add_anchor"):
        raise PermissionDenied
    form, formset = _forms(request, snapshot=None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        anchor = services.register_anchor(
            _snapshot(form, formset, current_image=""), actor=request.user
        )
        if anchor.is_published():
            messages.success(request, _("The entry is published."))
        else:
            messages.success(request, _("Thank you. The entry is public once programme staff "
                                        "have reviewed it."))
        return redirect(anchor)
    return _render_form(request, form, formset, None)


@login_required
@require_http_methods(["GET", "POST"])
def anchor_edit(request, pk):
    anchor = _get_anchor(request, pk, "anchors.change_anchor")
    snapshot = services.current_snapshot(anchor)
    current_image = snapshot.get("image") or ""
    form, formset = _forms(request, snapshot=snapshot, current_image=current_image)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        version = services.change_anchor(
            anchor, _snapshot(form, formset, current_image=current_image), actor=request.user
        )
        if version.action == version.Action.PROPOSED:
            messages.success(request, _("Thank you. The change is public once programme staff "
                                        "have reviewed it."))
        else:
            messages.success(request, _("The entry is saved."))
        return redirect(anchor)
    return _render_form(request, form, formset, anchor)


def _render_form(request, form, formset, anchor):
    errors = form.is_bound and (form.errors or not formset.is_valid())
    center, zoom = None, 12
    if anchor is None:
        # Over the one Gemeinde a coordinator keeps, else over the whole state.
        gemeinden = list(form.fields["gemeinde"].queryset[:2])
        if len(gemeinden) == 1 and gemeinden[0].x is not None:
            lon, lat = geo.utm_to_lonlat(gemeinden[0].x, gemeinden[0].y)
            center = f"{lat:.5f},{lon:.5f}"
        else:
            center, zoom = "48.66,9.00", 8
    return render(request, "anchors/anchor_form.html", {
        "form": form,
        "formset": formset,
        "anchor": anchor,
        "accessibility_fields": form.accessibility_fields(),
        "center_latlon": center,
        "center_zoom": zoom,
        "title": _("Edit %(name)s") % {"name": anchor.name} if anchor else _("Register a place"),
    }, status=400 if errors else 200)


@login_required
def history(request, pk):
    anchor = _get_anchor(request, pk, "anchors.view_history")
    labels = snapshot_labels()
    labels["offers"] = _("Offers")
    entries = []
    for entry in services.history_of(anchor):
        snapshot = entry.version.snapshot
        changes = [
            (labels.get(c.field, c.field), _change_text(c.field, c.before, snapshot),
             _change_text(c.field, c.after, snapshot))
            for c in entry.changes if c.field in labels or c.field in ("x", "y")
        ]
        entries.append((entry.version, changes))
    return render(request, "anchors/history.html", {"anchor": anchor, "entries": entries})


def _change_text(key: str, value, snapshot: dict) -> str:
    if key == "offers":
        return "; ".join(o.get("title", "") for o in value or [])
    if key in ("x", "y"):
        return f"{value:.0f}" if isinstance(value, float | int) else ""
    if key in ("provider", "gemeinde"):
        return str(value)
    return display_value(key, value, snapshot)


@login_required
def mine(request):
    if not request.user.has_perm("anchors.add_anchor"):
        raise PermissionDenied
    return render(request, "anchors/mine.html", {"anchors": services.anchors_kept_by(request.user)})


@permission_required("anchors.review_anchor", raise_exception=True)
def queue(request):
    return render(request, "anchors/queue.html", {"anchors": services.review_queue()})


@permission_required("anchors.review_anchor", raise_exception=True)
@require_http_methods(["GET", "POST"])
def review(request, pk):
    anchor = get_object_or_404(
        Anchor.objects.select_related("kind", "provider", "gemeinde", "pending_version__actor"),
        pk=pk,
    )
    proposal = anchor.pending_version
    form = ReviewForm(request.POST or None, initial={"version": proposal.pk if proposal else None})
    if request.method == "POST" and form.is_valid():
        seen = form.cleaned_data["version"]
        try:
            if form.cleaned_data["decision"] == "publish":
                services.publish_anchor(anchor, seen_version_id=seen, actor=request.user)
                messages.success(request, _("“%(name)s” is published.") % {"name": anchor.name})
            else:
                services.reject_anchor(anchor, form.cleaned_data["reason"],
                                       seen_version_id=seen, actor=request.user)
                messages.success(request, _("“%(name)s” was rejected.") % {"name": anchor.name})
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            return redirect("anchors:queue")
    waiting = anchor.status == Anchor.Status.PENDING or proposal is not None
    current = services.snapshot_of(anchor)
    proposed = proposal.snapshot if proposal else current
    return render(request, "anchors/review.html", {
        "anchor": anchor,
        "proposal": proposal,
        "waiting": waiting,
        "form": form,
        "rows": _review_rows(current, proposed, is_change=anchor.is_published()),
        "offers": [{**o, **offer_labels(o)} for o in proposed.get("offers", [])],
    }, status=400 if form.errors else 200)


def _review_rows(current: dict, proposed: dict, *, is_change: bool) -> list[tuple]:
    """(label, proposed value, changed?) for the review page."""
    labels = snapshot_labels()
    rows = []
    for key, label in labels.items():
        value = proposed.get(key)
        if key in ("x", "y"):
            continue
        rows.append((label, display_value(key, value, proposed),
                     is_change and current.get(key) != value))
    lon, lat = geo.utm_to_lonlat(proposed["x"], proposed["y"])
    rows.append((_("Point (latitude, longitude)"), f"{lat:.6f}, {lon:.6f}",
                 is_change and (current.get("x"), current.get("y"))
                 != (proposed["x"], proposed["y"])))
    return rows


def snapshot_labels() -> dict:
    labels = {
        "kind": _("Kind"), "name": _("Name"), "description": _("Description"),
        "provider": _("Provider (Träger)"), "gemeinde": _("Gemeinde"),
        "street": _("Street and number"), "postcode": _("Postcode"), "city": _("Town"),
        "opening_hours": _("Opening hours"), "phone": _("Phone"), "email": _("E-mail"),
        "website": _("Website"), "languages": _("Languages spoken"),
    }
    labels.update((name, str(label)) for name, label in ACCESSIBILITY)
    labels.update({"image": _("Image"), "image_alt": _("Image description (alt text)")})
    return labels


def display_value(key: str, value, snapshot: dict) -> str:
    from quartier.anchors.models import AnchorKind, Language

    if key == "provider":
        return snapshot.get("provider_name", value)
    if key == "gemeinde":
        return snapshot.get("gemeinde_name", value)
    if key == "kind":
        kind = AnchorKind.objects.filter(slug=value).first()
        return kind.name if kind else value
    if key == "languages":
        return ", ".join(str(Language(c).label) for c in value or [] if c in Language.values)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return "" if value is None else str(value)


def offer_labels(offer: dict) -> dict:
    return {
        "category": OfferCategory(offer["category"]).label,
        "target_groups": ", ".join(str(TargetGroup(c).label) for c in offer["target_groups"]),
    }
