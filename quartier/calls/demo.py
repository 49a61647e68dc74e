"""Demo data of the calls module: the ideas competition that started the strategy, as a
completed call, and a second call open for applications.

The ideas competition: about a hundred applications from municipalities across the state,
53 awarded with 2.7 million euros in total, committed on the 2018/2019 double budget line of
12 million euros. The real lists are not published with the strategy, so the applicants, ideas,
scores and amounts are plausible values, marked as demo data. Deterministic; idempotent (a
call that exists is left alone).
"""

import random
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quartier.accounts.models import Membership, Organisation, Role, User
from quartier.budget.demo import LINE_2018_2019, LINE_2020_2021, ensure_demo_lines
from quartier.calls import services
from quartier.calls.engine.assignment import assign_reviewers
from quartier.calls.models import (
    Application,
    Call,
    CostItem,
    Review,
    Score,
    TargetGroup,
    content_hash,
)
from quartier.formats import number
from quartier.places.models import Place, Quarter
from quartier.places.services import no_progress

BERLIN = ZoneInfo("Europe/Berlin")
COMPETITION_TITLE = "Ideenwettbewerb Quartier 2020"
OPEN_CALL_TITLE = "Quartiersimpulse – Förderaufruf für Quartiersprojekte"
APPLICATIONS = 100
AWARDS = 53
TOTAL_CENTS = 2_700_000_00
ALWAYS = ("08416041", "08421000")  # Tübingen and Ulm, whose demo accounts exist
JURY_ORGANISATION = "Fachjury Quartier 2020 (Demodaten)"
DEMO_JURORS = [
    # (e-mail, Gemeinde of the juror's own Kommune, or None for the jury association)
    ("jury-1@demo.quartier.invalid", None),
    ("jury-2@demo.quartier.invalid", None),
    ("jury-3@demo.quartier.invalid", None),
    ("jury-4@demo.quartier.invalid", "08111000"),  # Stuttgart
    ("jury-5@demo.quartier.invalid", "08212000"),  # Karlsruhe
    ("jury-6@demo.quartier.invalid", "08311000"),  # Freiburg im Breisgau
    ("jury-7@demo.quartier.invalid", "08436078"),  # Ravensburg
]
CRITERIA = [
    dict(name="Quartiersbezug", weight=3,
         description="Wie klar ist das Quartier beschrieben, und wie sehr geht die Idee von "
                     "ihm und seinen Menschen aus?"),
    dict(name="Generationengerechtigkeit und Teilhabe", weight=3,
         description="Erreicht die Idee Menschen aller Generationen, mit und ohne "
                     "Behinderungen, und befähigt sie, sich selbst zu vertreten?"),
    dict(name="Beteiligung und Kooperation", weight=2,
         description="Wie werden Bürgerinnen und Bürger beteiligt, und welche Träger und "
                     "Partner arbeiten mit?"),
    dict(name="Nachhaltigkeit und Übertragbarkeit", weight=2,
         description="Trägt die Idee über die Förderung hinaus, und können andere Kommunen "
                     "von ihr lernen?"),
]
TITLES = [
    "Generationentreff im Quartier {q}", "Nachbarschaftsnetz {g}",
    "Quartiersmitte {q}: Begegnung für Jung und Alt", "Gemeinsam statt einsam in {q}",
    "Dorfladen mit Treffpunkt in {q}", "Quartiersbüro {q}",
    "Barrierefreie Wege und Bänke in {q}", "Mitmach-Werkstatt der Generationen {g}",
    "Sorgende Gemeinschaft {g}", "Familien- und Seniorencafé {q}", "Lotsenpunkt {q}",
    "Bürgertreff im alten Rathaus {g}", "Quartiersgarten {q}", "Zukunftswerkstatt {q}",
]
SUMMARIES = [
    "{g} will in {q} einen offenen Treffpunkt schaffen, an dem Kinder, Familien und ältere "
    "Menschen einander begegnen und sich gegenseitig unterstützen.",
    "In {q} sollen Nachbarschaftshilfe, Beratung und Begegnung unter einem Dach "
    "zusammenkommen; Ehrenamtliche werden dabei fachlich begleitet.",
    "Gemeinsam mit den Menschen in {q} entwickelt {g} ein Konzept für ein barrierefreies, "
    "lebendiges Quartier, in dem man bis ins hohe Alter gut leben kann.",
    "Eine Quartierskoordination bringt die Träger in {q} zusammen und macht ihre Angebote für "
    "alle Generationen leicht zugänglich.",
]
PARTNERS = [
    "Mehrgenerationenhaus – Räume und offener Treff", "Evangelische Kirchengemeinde – Café",
    "Katholische Sozialstation – Beratung und Pflege", "Sportverein – Bewegungsangebote",
    "Seniorenrat – Beteiligung der Älteren", "Jugendhaus – Angebote für Jugendliche",
    "Familienzentrum – Eltern-Kind-Gruppen", "Nachbarschaftshilfe e. V. – Besuchsdienste",
    "Grundschule – Projekte mit Kindern", "Wohnungsbaugenossenschaft – Gemeinschaftsraum",
]
COSTS = ["Quartierskoordination (Personal)", "Beteiligungsworkshops und Moderation",
         "Ausstattung des Treffpunkts", "Öffentlichkeitsarbeit", "Barrierefreier Umbau",
         "Qualifizierung von Ehrenamtlichen", "Sachkosten"]


def _at(year, month, day, hour=12, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def organisation_name(place: Place) -> str:
    """"Böblingen, Stadt" → "Stadt Böblingen"; "Aidlingen" → "Gemeinde Aidlingen"."""
    name, _sep, title = place.name.partition(",")
    return f"{title.strip()} {name.strip()}" if title else f"Gemeinde {name.strip()}"


def _kommune(place: Place) -> Organisation:
    existing = Organisation.objects.filter(kind=Organisation.Kind.KOMMUNE, place=place).first()
    if existing:
        return existing
    name = organisation_name(place)
    if Organisation.objects.filter(name=name).exists():
        name = f"{name} ({place.parent.name})"
    return Organisation.objects.create(name=name, kind=Organisation.Kind.KOMMUNE, place=place,
                                       is_demo=True)


def _jurors() -> list[User]:
    jury_org, _created = Organisation.objects.get_or_create(
        name=JURY_ORGANISATION, defaults={"kind": Organisation.Kind.ASSOCIATION, "is_demo": True})
    jurors = list(User.objects.filter(email="jury@demo.quartier.invalid",
                                      memberships__role=Role.JURY_MEMBER).distinct())
    for email, ags in DEMO_JURORS:
        user, created = User.objects.get_or_create(
            username=email, defaults={"email": email, "password": make_password(None)})
        organisation = _kommune(Place.objects.get(ags=ags)) if ags else jury_org
        Membership.objects.get_or_create(user=user, organisation=organisation,
                                         role=Role.JURY_MEMBER)
        jurors.append(user)
    return jurors


def _staff():
    return User.objects.filter(email="staff@demo.quartier.invalid").first()


def _gemeinden(rng: random.Random, count: int) -> list[Place]:
    gemeinden = list(Place.objects.filter(kind=Place.Kind.GEMEINDE).select_related("parent")
                     .order_by("ags"))
    fixed = [g for g in gemeinden if g.ags in ALWAYS]
    # Larger places apply more often; every Regierungsbezirk is represented.
    others = [g for g in gemeinden if g.ags not in ALWAYS]
    weights = [max(g.population, 1000) ** 0.5 for g in others]
    chosen = {g.ags: g for g in fixed}
    while len(chosen) < count:
        pick = rng.choices(others, weights)[0]
        chosen.setdefault(pick.ags, pick)
    return sorted(chosen.values(), key=lambda g: g.ags)


def _award_amounts(rng: random.Random, count: int, total: int) -> list[int]:
    """`count` amounts in whole 500 € from 20,000 to 95,000 € that add up to `total`."""
    step, low, high = 500_00, 20_000_00, 95_000_00
    amounts = [rng.randrange(low // step, high // step + 1) * step for _ in range(count)]
    difference = total - sum(amounts)
    index = 0
    while difference:
        move = step if difference > 0 else -step
        if low <= amounts[index] + move <= high:
            amounts[index] += move
            difference -= move
        index = (index + 1) % count
    return amounts


def _fill(application: Application, rng: random.Random, requested: int) -> None:
    gemeinde = application.gemeinde
    quarters = list(Quarter.objects.published().filter(gemeinde=gemeinde).order_by("name")[:3])
    chosen = rng.sample(quarters, min(len(quarters), rng.randint(1, 2))) if quarters else []
    q_name = chosen[0].name if chosen else gemeinde.name.split(",")[0]
    g_name = gemeinde.name.split(",")[0]
    application.title = rng.choice(TITLES).format(q=q_name, g=g_name)
    application.summary = rng.choice(SUMMARIES).format(q=q_name, g=application.organisation.name)
    application.idea = (
        f"Ausgangslage: In {q_name} leben Menschen aller Generationen, doch Orte der Begegnung "
        f"fehlen oder sind nicht barrierefrei. Idee: {application.summary} Das Konzept "
        "entsteht in Beteiligungswerkstätten mit Bewohnerinnen und Bewohnern, Trägern und "
        "Vereinen. (Demodaten)")
    # Across generations: one younger and one older group at least.
    groups = {rng.choice([TargetGroup.CHILDREN, TargetGroup.YOUTH, TargetGroup.FAMILIES]),
              rng.choice([TargetGroup.OLDER, TargetGroup.VERY_OLD])}
    groups.update(rng.sample([TargetGroup.DISABILITIES, TargetGroup.MIGRATION,
                              TargetGroup.ADULTS], rng.randint(0, 2)))
    application.target_groups = sorted(groups)
    application.partners = "\n".join(rng.sample(PARTNERS, rng.randint(2, 4)))
    application.work_plan = ("03/2018: Auftakt im Quartier\n06/2018: Beteiligungswerkstätten\n"
                             "09/2018: Konzept beschlossen\n12/2018: Eröffnung und Auswertung")
    application.requested_cents = requested
    application.save()
    application.quarters.set(chosen)
    parts = rng.randint(2, 4)
    shares = sorted(rng.sample(range(1, requested // 100_00), parts - 1)) if requested > 400_00 \
        else []
    bounds = [0, *[s * 100_00 for s in shares], requested]
    CostItem.objects.bulk_create(
        CostItem(application=application, position=i, description=COSTS[i % len(COSTS)],
                 amount_cents=bounds[i + 1] - bounds[i])
        for i in range(len(bounds) - 1) if bounds[i + 1] > bounds[i]
    )


def _submit(application: Application, when) -> None:
    application.status = Application.Status.SUBMITTED
    application.submitted_at = when
    application.content = services.application_content(application)
    application.content_sha256 = content_hash(application.content)
    application.checks = services.automatic_checks(application)
    application.save()


@transaction.atomic
def create_competition(progress=no_progress) -> Call | None:
    if Call.objects.filter(title=COMPETITION_TITLE, is_demo=True).exists():
        return None
    lines = ensure_demo_lines(progress)
    rng = random.Random(2017)
    staff = _staff()
    call = services.create_call(
        criteria=CRITERIA, actor=staff, is_demo=True, title=COMPETITION_TITLE,
        summary="Der Ideenwettbewerb, mit dem die Strategie „Quartier 2020 – "
                "Gemeinsam.Gestalten.“ begann: Kommunen reichten Ideen und Konzepte für "
                "generationengerechte Quartiere ein (Demodaten).",
        text="Das Land sucht Ideen und Konzepte, mit denen Städte und Gemeinden ihre Quartiere "
             "generationengerecht weiterentwickeln: Orte der Begegnung, barrierefreie Räume, "
             "professionell begleitetes Ehrenamt und leicht zugängliche Unterstützung. "
             "Ausgezeichnete Kommunen erhalten ein Preisgeld für die Umsetzung.\n\n"
             "Die Bewerbungen, Bewertungen und Beträge dieses Beispiels sind Demodaten.",
        for_kommunen=True, for_landkreise=False, for_civil_society=False,
        opens_at=_at(2017, 7, 3, 9), closes_at=_at(2017, 10, 31, 23, 59),
        budget_line=lines[LINE_2018_2019], pot_cents=TOTAL_CENTS,
        min_award_cents=10_000_00, max_award_cents=100_000_00, allow_partial=False,
        reviews_per_application=3, score_min=0, score_max=10,
        min_awards_per_regierungsbezirk=5, max_awards_per_kreis=4,
    )
    jurors = _jurors()
    call.jurors.set(jurors)
    progress(ngettext("Call “%(title)s” with %(n)s juror", "Call “%(title)s” with %(n)s jurors",
                      len(jurors)) % {"title": call.title, "n": number(len(jurors))})

    applications = []
    for gemeinde in _gemeinden(rng, APPLICATIONS):
        organisation = _kommune(gemeinde)
        applications.append(Application.objects.create(
            call=call, organisation=organisation, gemeinde=gemeinde, is_demo=True,
            title=f"Idee aus {gemeinde.name.split(',')[0]}"))
    kreise = len({a.gemeinde.parent_id for a in applications})
    progress(ngettext("%(applications)s from %(n)s Kreis", "%(applications)s from %(n)s Kreise",
                      kreise) % {
        "applications": ngettext("%(n)s application", "%(n)s applications", len(applications))
        % {"n": number(len(applications))}, "n": number(kreise)})

    ineligible = set(rng.sample(range(len(applications)), 3))
    for i, application in enumerate(applications):
        if i in ineligible:
            application.eligibility = Application.Eligibility.INELIGIBLE
            application.eligibility_reason = "Kein Quartiersbezug erkennbar (Demodaten)."
        else:
            application.eligibility = Application.Eligibility.ELIGIBLE
        application.eligibility_by = staff
        application.eligibility_at = _at(2017, 11, 15)
    Application.objects.bulk_update(
        applications, ["eligibility", "eligibility_reason", "eligibility_by", "eligibility_at"])
    eligible = [a for i, a in enumerate(applications) if i not in ineligible]

    conflicts = services.conflicts_of(call, eligible, jurors)
    assignment = assign_reviewers([a.pk for a in eligible], [j.pk for j in jurors], k=3,
                                  conflicts=set(conflicts), seed=2017)
    reviews = Review.objects.bulk_create(
        Review(application_id=a, juror_id=j, submitted_at=_at(2018, 1, 20))
        for a, j in assignment.pairs)
    quality = {a.pk: rng.gauss(6.0, 1.5) for a in eligible}
    leniency = {j.pk: rng.gauss(0, 0.8) for j in jurors}
    criteria = list(call.criteria.all())
    Score.objects.bulk_create(
        Score(review=review, criterion=criterion,
              value=max(0, min(10, round(quality[review.application_id]
                                         + leniency[review.juror_id] + rng.gauss(0, 1)))),
              comment="Begründung der Jury (Demodaten).")
        for review in reviews for criterion in criteria)
    progress(ngettext("%(reviews)s by %(n)s juror", "%(reviews)s by %(n)s jurors", len(jurors))
             % {"reviews": ngettext("%(n)s review", "%(n)s reviews", len(reviews))
                % {"n": number(len(reviews))}, "n": number(len(jurors))})

    # Amounts follow the ranking, so that the 53 best ask for exactly 2.7 million euros.
    ranked = [row.application.pk for row in services.ranking(call)]
    awarded = _award_amounts(rng, AWARDS, TOTAL_CENTS)
    requested = dict(zip(ranked, awarded, strict=False))
    submitted = _at(2017, 10, 2, 10)
    for application in applications:
        amount = requested.get(application.pk) or rng.randrange(30, 191) * 500_00
        _fill(application, rng, amount)
        _submit(application, submitted)
        submitted = submitted.replace(minute=(submitted.minute + 7) % 60)

    call.phase = Call.Phase.JURY_CLOSED
    call.published_at = _at(2017, 7, 3, 9)
    call.jury_closed_at = _at(2018, 2, 1, 10)
    call.save()
    run = services.compute_allocation(call, actor=staff, time_limit_s=10)
    decisions = services.decide_call(
        call, run, base_method="list", amounts={int(k): v for k, v in
                                               run.list_result["awards"].items()},
        reasons={}, actor=staff, now=_at(2018, 3, 5, 11), notify=False)
    total = sum(d.amount_cents for d in decisions)
    awards = sum(1 for d in decisions if d.amount_cents)
    progress(ngettext("%(n)s award, %(amount)s € committed on %(line)s",
                      "%(n)s awards, %(amount)s € committed on %(line)s", awards)
             % {"n": number(awards), "amount": number(Decimal(total) / 100, 2),
                "line": call.budget_line.code})
    return call


@transaction.atomic
def create_open_call(progress=no_progress, *, now=None) -> Call | None:
    if Call.objects.filter(title=OPEN_CALL_TITLE, is_demo=True).exists():
        return None
    from django.utils import timezone

    lines = ensure_demo_lines(progress)
    now = timezone.localtime(now)
    call = services.create_call(
        criteria=CRITERIA[:3], actor=_staff(), is_demo=True, title=OPEN_CALL_TITLE,
        summary="Kommunen, Landkreise und zivilgesellschaftliche Akteure können Projekte für "
                "generationengerechte Quartiere beantragen (Demodaten).",
        text="Gefördert werden Projekte, die ein Quartier als Ort der Begegnung, Teilhabe und "
             "gegenseitigen Unterstützung stärken. Teilförderungen sind möglich.\n\n"
             "Dieser Aufruf ist ein Beispiel (Demodaten).",
        for_kommunen=True, for_landkreise=True, for_civil_society=True,
        opens_at=_at(2025, 1, 15, 9), closes_at=_at(now.year + 1, 12, 31, 23, 59),
        budget_line=lines[LINE_2020_2021], pot_cents=1_500_000_00,
        min_award_cents=5_000_00, max_award_cents=50_000_00, allow_partial=True,
        reviews_per_application=2, score_min=0, score_max=10,
        min_awards_per_regierungsbezirk=1, max_awards_per_kreis=3,
    )
    call.jurors.set(_jurors())
    services.publish_call(call, actor=_staff())
    progress(_("Call “%(title)s” open until %(date)s")
             % {"title": call.title, "date": formats.date_format(call.closes_at.astimezone(
                 BERLIN), "SHORT_DATE_FORMAT")})
    return call


def create_demo_calls(progress=no_progress) -> list[Call]:
    return [call for call in (create_competition(progress), create_open_call(progress)) if call]
