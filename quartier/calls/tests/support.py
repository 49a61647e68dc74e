"""Builders for calls tests: a call in any phase, applications, reviews."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import make_quarter
from quartier.budget.tests.support import make_line
from quartier.calls import services
from quartier.calls.models import Application, Call, CostItem, Review

CRITERIA = [
    {"name": "Quartiersbezug", "description": "", "weight": 3},
    {"name": "Beteiligung", "description": "", "weight": 1},
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_call(*, phase="published", line=None, criteria=CRITERIA, closes_in_days=30,
              **fields) -> Call:
    """A call open for applications (phase published, deadline ahead) unless told otherwise."""
    now = timezone.now()
    defaults = dict(
        title="Quartiersimpulse", summary="Kurz.", text="Der Aufruf.",
        for_kommunen=True, for_landkreise=True, for_civil_society=True,
        opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=closes_in_days),
        budget_line=line or make_line(code=f"L-{Call.objects.count()}"),
        pot_cents=100_000_00, min_award_cents=5_000_00, max_award_cents=50_000_00,
        reviews_per_application=2,
    )
    defaults.update(fields)
    call = services.create_call(criteria=criteria, actor=None, **defaults)
    if phase != "draft":
        call.phase = phase
        call.save(update_fields=["phase"])
    return call


def fill(application: Application, *, requested=20_000_00, items=None, quarter=None,
         **fields) -> Application:
    """A complete draft: every field a submission needs."""
    from quartier.places.models import Quarter

    values = dict(title="Generationentreff", summary="Ein Treffpunkt für alle.",
                  idea="Die Idee.", partners="Kirchengemeinde\nSportverein",
                  work_plan="03/2026 Auftakt", target_groups=["children", "older"],
                  requested_cents=requested)
    values.update(fields)
    if application.gemeinde_id is None:
        gemeinde = quarter.gemeinde if quarter else application.organisation.place
        values["gemeinde"] = gemeinde
    gemeinde = application.gemeinde or values.get("gemeinde")
    if quarter is None:
        quarter = Quarter.objects.filter(gemeinde=gemeinde).first() or make_quarter(gemeinde)
    quarters = [quarter]
    return services.save_draft(
        application, actor=None, fields=values, quarters=quarters,
        cost_items=items if items is not None else [("Personal", requested // 2),
                                                    ("Sachkosten", requested - requested // 2)])


def submitted(call: Call, organisation, *, actor=None, eligible=True, **fields) -> Application:
    application = services.start_application(call, organisation, actor=actor)
    fill(application, **fields)
    application = services.submit_application(application, actor=actor)
    if eligible:
        application = services.decide_eligibility(application, eligible=True,
                                                  reason="geprüft", actor=None)
    return application


def close(call: Call) -> Call:
    """Move the deadline into the past: the jury phase."""
    call.closes_at = timezone.now() - timedelta(minutes=1)
    call.opens_at = call.closes_at - timedelta(days=30)
    call.save(update_fields=["closes_at", "opens_at"])
    return call


def review(application: Application, juror, *values, comment="Gut begründet.") -> Review:
    """An assignment, scored with `values` (one per criterion) if given."""
    review, _created = Review.objects.get_or_create(application=application, juror=juror)
    if values:
        criteria = list(application.call.criteria.all())
        services.score_review(review, {c.pk: (v, comment) for c, v in zip(criteria, values,
                                                                          strict=True)},
                              actor=juror)
        review.refresh_from_db()
    return review


def pdf(name="konzept.pdf", data=PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def cost_total(application) -> int:
    return sum(CostItem.objects.filter(application=application).values_list("amount_cents",
                                                                           flat=True))


class World:
    """Calls in every phase with applications of Tübingen (coordinator) and Ulm
    (other_coordinator); the `juror` fixture sits on the jury of the review call."""


def make_world(*, coordinator, other_coordinator, juror, staff) -> World:
    from quartier.accounts.models import Organisation

    world = World()
    tue = Organisation.objects.get(name="Stadt Tübingen")
    ulm = Organisation.objects.get(name="Stadt Ulm")
    world.open_call = make_call(title="Offener Aufruf")
    world.submitted = submitted(world.open_call, tue, actor=coordinator)
    world.draft = services.start_application(world.open_call, ulm, actor=other_coordinator)
    fill(world.draft)
    world.attachment = services.add_attachment(world.draft, pdf(), actor=other_coordinator)
    world.draft_call = make_call(phase="draft", title="Entwurf")

    world.review_call = make_call(title="In Prüfung")
    world.reviewed = submitted(world.review_call, ulm, actor=other_coordinator)
    world.second = submitted(world.review_call, tue, actor=coordinator)
    services.set_jurors(world.review_call, [juror], actor=None)
    close(world.review_call)
    world.review = Review.objects.create(application=world.reviewed, juror=juror)

    world.decided_call = make_call(title="Entschieden", pot_cents=50_000_00)
    awarded = submitted(world.decided_call, tue, actor=coordinator)
    services.set_jurors(world.decided_call, [juror], actor=None)
    close(world.decided_call)
    review(awarded, juror, 7, 7)
    services.close_jury(world.decided_call, actor=None)
    run = services.compute_allocation(world.decided_call, actor=staff)
    world.decisions = services.decide_call(world.decided_call, run, base_method="list",
                                           amounts={awarded.pk: 20_000_00}, reasons={},
                                           actor=staff, notify=False)
    # Fresh objects, as a request would load them (their calls have moved on).
    for name in ("submitted", "draft", "reviewed", "second"):
        setattr(world, name, Application.objects.get(pk=getattr(world, name).pk))
    world.awarded = Application.objects.get(pk=awarded.pk)
    for name in ("open_call", "draft_call", "review_call", "decided_call"):
        setattr(world, name, Call.objects.get(pk=getattr(world, name).pk))
    return world
