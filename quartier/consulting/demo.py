"""Demo consulting: a plausible first year and a half of the programme, marked as demo data.

The catalogue's formats, about forty consultants of the Land and of contracted firms (with
topics, languages, regions, capacities, absences), a few hundred requests of Kommunen,
Landkreise and civil-society organisations from mid-2018 to the end of 2019 across the
state (a few Kreise stay white spots), their cases with sessions, outcomes, feedback and
the money booked on the demo budget line 2018/2019 – all through the services, so the
ledger and the audit trail hold them too. Then open requests for today's triage and
matching, and running cases for the demo consultant account. Deterministic for a seed;
does nothing when demo consulting already exists.
"""

import math
import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quartier.accounts import services as accounts
from quartier.accounts.models import Organisation, Role
from quartier.budget.demo import LINE_2018_2019, ensure_demo_lines
from quartier.consulting import services
from quartier.consulting.models import (
    Absence,
    ConsultantProfile,
    Expertise,
    Format,
    Mode,
    Topic,
)
from quartier.formats import number as format_number
from quartier.places.demo import short_name
from quartier.places.models import Place, Quarter
from quartier.places.services import no_progress

DEMO_CONSULTANT = "consultant@demo.quartier.invalid"
LAND = "Ministerium für Soziales, Gesundheit und Integration"
FIRMS = [
    "Quartiersberatung Süd",
    "Netzwerk Quartier Nord GmbH",
    "Büro für Gemeinwesenarbeit Rhein-Neckar",
    "Sozialraum Consult Oberschwaben",
    "Institut für Quartiersentwicklung Freiburg",
]
# Kreise the demo leaves without consulting, so the coverage map shows white spots.
WHITE_SPOTS = ("08326", "08337", "08127")

FORMATS = [
    dict(slug="fach-vor-ort", kind="expert", usual_days=2, delivery="on_site",
         day_rate_cents=98000, position=10,
         name_de="Fachberatung vor Ort", name_en="Expert consulting on site",
         description_de="Eine Fachberaterin oder ein Fachberater kommt zu Ihnen und berät zu "
                        "einem Thema der Quartiersentwicklung – mit Verwaltung, Trägern und "
                        "Engagierten am Tisch.",
         description_en="An expert comes to you and advises on one topic of quarter "
                        "development, with administration, providers and volunteers."),
    dict(slug="fach-online", kind="expert", usual_days=1, delivery="online",
         day_rate_cents=80000, position=20,
         name_de="Fachberatung online", name_en="Expert consulting online",
         description_de="Kurze fachliche Beratung per Videokonferenz, etwa zu Förderprogrammen "
                        "oder Barrierefreiheit.",
         description_en="Short expert advice by video call, e.g. on funding or accessibility."),
    dict(slug="fach-intensiv", kind="expert", usual_days=5, delivery="either",
         day_rate_cents=98000, position=30, for_civil_society=False, min_level=2,
         name_de="Vertiefte Fachbegleitung", name_en="In-depth expert support",
         description_de="Mehrere Beratungstage über einige Monate für ein größeres "
                        "Vorhaben, etwa ein Pflege- und Wohnkonzept.",
         description_en="Several consulting days over some months for a larger project, e.g. "
                        "a care and housing concept."),
    dict(slug="prozess-einstieg", kind="process", usual_days=3, delivery="on_site",
         day_rate_cents=98000, position=40,
         name_de="Einstiegsberatung Quartiersprozess", name_en="Getting a quarter process started",
         description_de="Wer gehört dazu, wo stehen wir, was sind die ersten Schritte? "
                        "Begleitung vom ersten Treffen bis zum Arbeitsplan.",
         description_en="Who belongs, where do we stand, what are the first steps? From the "
                        "first meeting to a work plan."),
    dict(slug="workshop", kind="process", usual_days=1, delivery="on_site",
         day_rate_cents=90000, position=50,
         name_de="Moderation eines Workshops", name_en="Moderating a workshop",
         description_de="Vorbereitung und Moderation einer Beteiligungsveranstaltung oder "
                        "Zukunftswerkstatt im Quartier.",
         description_en="Preparing and moderating a participation event or future workshop "
                        "in the quarter."),
    dict(slug="prozessbegleitung", kind="process", usual_days=8, delivery="either",
         day_rate_cents=98000, position=60, for_civil_society=False, min_level=2,
         name_de="Prozessbegleitung", name_en="Process support",
         description_de="Begleitung eines Quartiersprozesses über ein halbes Jahr: Steuerung, "
                        "Beteiligung, Vernetzung der Träger.",
         description_en="Support of a quarter process over half a year: steering, "
                        "participation, networking of providers."),
    dict(slug="strategie", kind="process", usual_days=2, delivery="either",
         day_rate_cents=98000, position=70, for_civil_society=False,
         name_de="Strategie- und Evaluationswerkstatt", name_en="Strategy and evaluation workshop",
         description_de="Ziele schärfen, Wirkung prüfen, nächste Schritte festlegen – für "
                        "Kommunen und Landkreise mit laufenden Quartiersprozessen.",
         description_en="Sharpen goals, check effects, decide next steps – for municipalities "
                        "and counties with running quarter processes."),
]
FIRST_NAMES = ["Anna", "Ben", "Clara", "David", "Elif", "Felix", "Greta", "Hannes", "Ilse",
               "Jonas", "Katrin", "Lukas", "Mira", "Nils", "Olga", "Paul", "Rana", "Sven",
               "Tanja", "Uwe", "Vera", "Wolfgang", "Yasemin", "Zoran"]
LAST_NAMES = ["Bauer", "Kaya", "Schneider", "Wagner", "Hoffmann", "Nowak", "Schäfer", "Koch",
              "Richter", "Yilmaz", "Klein", "Wolf", "Neumann", "Schwarz", "Zimmermann",
              "Braun", "Hofmann", "Hartmann", "Lange", "Weber"]
GOALS = [
    "Wir möchten im Quartier einen Treffpunkt für alle Generationen aufbauen und suchen "
    "Unterstützung bei Konzept und Trägerschaft.",
    "Die Nachbarschaftshilfe soll auf mehr Schultern verteilt werden; wir brauchen Ideen, wie "
    "wir neue Engagierte gewinnen.",
    "Wir planen einen Beteiligungsprozess zur Umgestaltung der Ortsmitte und wollen alle "
    "Altersgruppen erreichen.",
    "Für das Wohnen im Alter im Ort soll ein Konzept mit ambulanter Pflege und "
    "Nachbarschaft entstehen.",
    "Wir wollen prüfen, welche Förderprogramme zu unserem Quartiersvorhaben passen.",
    "Die Angebote für Familien sollen barrierefrei und auch für Zugewanderte gut erreichbar "
    "werden.",
]
PEOPLE = [
    "Sozialamt, Seniorenrat, zwei Träger der Altenhilfe, etwa 12 Personen.",
    "Bürgermeisteramt, Familienzentrum, Vereine; etwa 20 Personen.",
    "Quartiersmanagement, Kirchengemeinden, Jugendhaus, engagierte Bürgerinnen und Bürger.",
]
PROTOCOLS = [
    "Bestandsaufnahme der Angebote; Arbeitsgruppen gebildet; nächster Termin vereinbart.",
    "Workshop mit 25 Teilnehmenden, drei Handlungsfelder priorisiert.",
    "Förderlogik erläutert, Antragsskizze gemeinsam entworfen.",
    "Rückblick auf die Umsetzung, Indikatoren für die Evaluation abgestimmt.",
]
OUTCOMES = [
    "Ein Arbeitsplan für das kommende Jahr liegt vor; die Steuerungsgruppe trifft sich monatlich.",
    "Der Treffpunkt ist konzipiert, ein Träger gefunden; der Förderantrag ist eingereicht.",
    "Die Beteiligung hat drei Projekte hervorgebracht, die der Gemeinderat beschlossen hat.",
]


def demo_exists() -> bool:
    return ConsultantProfile.objects.filter(is_demo=True).exists()


@transaction.atomic
def generate_demo_consulting(*, seed: int = 2018, progress=no_progress) -> dict:
    """Create the demo consulting where none exists; returns what was created."""
    if demo_exists():
        progress(_("Demo consulting exists already; nothing to do."))
        return {}
    rng = random.Random(seed)
    lines = ensure_demo_lines(progress)
    line = lines[LINE_2018_2019]
    formats = _formats()
    topics = {t.slug: t for t in Topic.objects.all()}
    profiles = _consultants(rng, topics, progress)
    progress(ngettext("%(n)s demo consultant", "%(n)s demo consultants", len(profiles))
             % {"n": format_number(len(profiles))})
    staff = _staff()
    places = _places_with_quarters()
    progress(ngettext("%(n)s Gemeinde with quarters to request from",
                      "%(n)s Gemeinden with quarters to request from", len(places))
             % {"n": format_number(len(places))})
    counts = {"requests": 0, "cases": 0, "sessions": 0}
    if places:
        _history(rng, places, formats, topics, profiles, line, staff, counts, progress)
        _today_work(rng, places, formats, topics, profiles, staff, counts, progress)
    progress(_("%(requests)s, %(cases)s, %(sessions)s") % {
        "requests": ngettext("%(n)s demo request", "%(n)s demo requests", counts["requests"])
        % {"n": format_number(counts["requests"])},
        "cases": ngettext("%(n)s case", "%(n)s cases", counts["cases"])
        % {"n": format_number(counts["cases"])},
        "sessions": ngettext("%(n)s session", "%(n)s sessions", counts["sessions"])
        % {"n": format_number(counts["sessions"])}})
    return counts


def _formats() -> list[Format]:
    formats = []
    for fields in FORMATS:
        fmt = Format.objects.filter(slug=fields["slug"]).first()
        if fmt is None:
            fmt = services.save_format(Format(**fields, is_demo=True), actor=None)
        formats.append(fmt)
    return formats


def _staff():
    User = get_user_model()
    return User.objects.filter(memberships__role=Role.PROGRAMME_STAFF).order_by("pk").first()


def _organisation(name: str, kind: str, place: Place | None = None) -> Organisation:
    organisation, _created = Organisation.objects.get_or_create(
        name=name, defaults={"kind": kind, "place": place, "is_demo": True})
    return organisation


def _consultants(rng: random.Random, topics: dict[str, Topic], progress) -> list:
    User = get_user_model()
    land = _organisation(LAND, Organisation.Kind.LAND)
    firms = [_organisation(name, Organisation.Kind.CONSULTING_FIRM) for name in FIRMS]
    gemeinden = list(Place.objects.filter(kind=Place.Kind.GEMEINDE, x__isnull=False)
                     .order_by("ags"))
    weights = [g.population ** 1.2 for g in gemeinden]
    kreise = {k.ags: k for k in Place.objects.filter(kind=Place.Kind.KREIS)}
    slugs = sorted(topics)
    profiles = []
    for number in range(1, 41):
        email = f"berater-{number:02d}@demo.quartier.invalid"
        user, created = User.objects.get_or_create(username=email, defaults={"email": email})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        organisation = land if number % 4 == 0 else firms[number % len(firms)]
        accounts.add_member(organisation, user, Role.CONSULTANT, actor=None)
        home = rng.choices(gemeinden, weights=weights)[0]
        name = f"{FIRST_NAMES[number % len(FIRST_NAMES)]} {rng.choice(LAST_NAMES)}"
        profiles.append(_profile(rng, user, organisation, name, home, slugs, topics, kreise))
    # The demo consultant account: Tübingen, participation and process consulting.
    user = User.objects.filter(email=DEMO_CONSULTANT).first()
    if user is not None and not ConsultantProfile.objects.filter(user=user).exists():
        organisation = Organisation.objects.filter(
            memberships__user=user, memberships__role=Role.CONSULTANT).first() or firms[0]
        tuebingen = Place.objects.filter(ags="08416041").first() or gemeinden[0]
        profile = _profile(rng, user, organisation, "Dana Demo", tuebingen, slugs, topics,
                           kreise, fixed=True)
        profiles.insert(0, profile)
    return profiles


def _profile(rng, user, organisation, name, home, slugs, topics, kreise, *, fixed=False):
    if fixed:
        levels = {"participation": 3, "process-start": 3, "workshop": 2, "age-care": 2}
        languages, capacity, region = ["de", "en"], 8, []
    else:
        chosen = rng.sample(slugs, rng.randint(2, 4))
        levels = {slug: rng.choice([1, 2, 2, 3]) for slug in chosen}
        languages = ["de"] + [code for code, share in (("en", .4), ("tr", .1), ("ar", .06),
                                                        ("ru", .06), ("it", .05))
                              if rng.random() < share]
        capacity = rng.choice([4, 5, 6, 8, 10])
        region = []
        if rng.random() < 0.5:
            region = [k for ags, k in kreise.items() if ags[:3] == home.ags[:3]]
    profile = ConsultantProfile(user=user, organisation=organisation, name=name, home_base=home,
                                languages=languages, capacity_days_per_month=capacity,
                                bio="", is_demo=True)
    profile.save()
    Expertise.objects.bulk_create([Expertise(profile=profile, topic=topics[slug], level=level)
                                   for slug, level in levels.items() if slug in topics])
    profile.region.set(region)
    for year in (2018, 2019):
        start = date(year, 1, 1) + timedelta(days=rng.randint(150, 330))
        Absence.objects.create(profile=profile, start=start,
                               end=start + timedelta(days=rng.randint(7, 20)), note="Urlaub")
    return profile


def _places_with_quarters() -> list[tuple[Place, list[Quarter]]]:
    quarters: dict[int, list[Quarter]] = {}
    for quarter in Quarter.objects.filter(status=Quarter.Status.PUBLISHED).select_related(
            "gemeinde").order_by("gemeinde__ags", "name"):
        if quarter.gemeinde.ags[:5] not in WHITE_SPOTS:
            quarters.setdefault(quarter.gemeinde_id, []).append(quarter)
    places = Place.objects.filter(pk__in=quarters).select_related("parent").order_by("ags")
    return [(place, quarters[place.pk]) for place in places]


def _requester(rng, place: Place) -> Organisation:
    """The Kommune of the Gemeinde, sometimes its Landkreis or a civil-society provider."""
    roll = rng.random()
    kreis = place.parent
    if roll < 0.15 and kreis is not None and "Stadtkreis" not in kreis.name:
        existing = Organisation.objects.filter(kind=Organisation.Kind.LANDKREIS,
                                               place=kreis).first()
        return existing or _organisation(f"Landratsamt {short_name(kreis.name)} (Demo)",
                                         Organisation.Kind.LANDKREIS, kreis)
    if roll < 0.28:
        from quartier.anchors.models import Anchor

        provider = (Anchor.objects.filter(gemeinde=place, provider__kind__in=services
                                          .CIVIL_SOCIETY).values_list("provider", flat=True)
                    .order_by("provider").first())
        if provider:
            return Organisation.objects.get(pk=provider)
    existing = Organisation.objects.filter(kind=Organisation.Kind.KOMMUNE, place=place).first()
    return existing or _organisation(f"Gemeindeverwaltung {short_name(place.name)} (Demo)",
                                     Organisation.Kind.KOMMUNE, place)


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _pick_format(rng, formats, organisation):
    allowed = [f for f in formats if services.format_allows(f, organisation)]
    return rng.choices(allowed, weights=[3 if f.usual_days <= 2 else 1 for f in allowed])[0]


def _request(rng, place, quarters, formats, topics, submitted: date, earliest: date,
             *, demo_user=None, scores=None):
    organisation = _requester(rng, place)
    fmt = _pick_format(rng, formats, organisation)
    kind_topics = [t for t in topics.values() if t.kind == fmt.kind]
    topic = rng.choice(kind_topics)
    mode = rng.choice(fmt.modes()) if fmt.delivery == Format.Delivery.EITHER else fmt.delivery
    length = max(30, 14 * fmt.usual_days) + rng.randint(0, 60)
    own = services.quarters_of(organisation).filter(pk__in=[q.pk for q in quarters])
    chosen = list(own[:rng.randint(1, 2)]) or quarters[:1]
    return services.submit_request(
        organisation=organisation, quarters=chosen, topic=topic, format=fmt, mode=mode,
        goals=rng.choice(GOALS), people=rng.choice(PEOPLE), earliest=earliest,
        latest=earliest + timedelta(days=length), language="de" if rng.random() < .95 else "en",
        actor=demo_user, today=min(submitted, earliest), at=_at(submitted, rng.randint(8, 17)),
        is_demo=True, scores=scores)


class _Facts:
    """What the history needs to know of a consultant, read once."""

    def __init__(self, profile: ConsultantProfile):
        self.profile = profile
        self.levels = {e.topic_id: e.level for e in profile.expertise.all()}
        self.region = {k.ags for k in profile.region.all()}
        self.absences = [(a.start, a.end) for a in profile.absences.all()]
        self.x, self.y = profile.home_base.x, profile.home_base.y


def _facts(profiles: list[ConsultantProfile]) -> list[_Facts]:
    loaded = ConsultantProfile.objects.filter(pk__in=[p.pk for p in profiles]).select_related(
        "home_base", "user").prefetch_related("expertise", "region", "absences").order_by("pk")
    return [_Facts(p) for p in loaded]


def _nearest(request, facts: list[_Facts], load):
    """A plausible assignment for the history: the nearest consultant who fits topic, level,
    language and region and has had the least work so far among the near ones."""
    kreis = request.gemeinde.ags[:5]
    candidates = []
    for f in facts:
        if f.levels.get(request.topic_id, 0) < request.format.min_level:
            continue
        if request.language not in f.profile.languages:
            continue
        if f.region and kreis not in f.region:
            continue
        km = math.hypot(f.x - request.gemeinde.x, f.y - request.gemeinde.y) / 1000
        candidates.append((km + 15 * load.get(f.profile.pk, 0)
                           / f.profile.capacity_days_per_month, f.profile.pk, f))
    return min(candidates)[2] if candidates else None


def _session_days(rng, absences, start: date, end: date, count: int) -> list[date]:
    days, day = [], start
    span = max(1, (end - start).days)
    step = max(1, span // (count + 1))
    while len(days) < count and day <= end:
        day = day + timedelta(days=rng.randint(max(1, step // 2), step))
        if day > end:
            break
        while day.weekday() >= 5 or any(a <= day <= b for a, b in absences):
            day += timedelta(days=1)
        if day <= end:
            days.append(day)
    return days


def _run_case(rng, request, facts: _Facts, line, staff, counts, *, today: date, finish: bool):
    profile = facts.profile
    days = request.days
    start = request.earliest
    case = services.assign_case(request, profile, actor=staff, budget_line=line,
                                start=start, end=request.latest, days=days, today=start,
                                at=_at(request.earliest - timedelta(days=rng.randint(3, 20))),
                                is_demo=True)
    counts["cases"] += 1
    halves = 2 * days
    pieces = []
    while halves > 0:
        piece = min(halves, rng.choice([1, 2, 2, 4, 4]))
        pieces.append(piece)
        halves -= piece
    if not finish:
        pieces = pieces[:max(1, len(pieces) // 2)]
    dates = _session_days(rng, facts.absences, case.start, case.end, len(pieces))
    held = []
    for piece, day in zip(pieces, dates, strict=False):
        if day > today and finish:
            break
        held.append(day)
        services.log_session(
            case, date=day, half_days=piece, mode=request.mode,
            participants=rng.randint(3, 30), topics=[request.topic],
            protocol=rng.choice(PROTOCOLS), start_time=time(rng.choice([9, 10, 14]), 0),
            actor=profile.user, at=_at(day, 17))
        counts["sessions"] += 1
    if not finish or not held:
        return case
    done = max(held) + timedelta(days=rng.randint(1, 10))
    services.complete_case(case, rng.choice(OUTCOMES), actor=profile.user, at=_at(done))
    if rng.random() < 0.85:
        services.give_feedback(case, satisfaction=rng.choices([3, 4, 5], [1, 3, 4])[0],
                               goals_reached=rng.choices(["yes", "partly", "no"], [6, 3, 1])[0],
                               would_recommend=rng.random() < 0.9, comment="",
                               actor=request.requested_by, at=_at(done + timedelta(days=5)))
    services.close_case(case, actor=staff, at=_at(done + timedelta(days=14)))
    return case


def _history(rng, places, formats, topics, profiles, line, staff, counts, progress):
    """Requests from July 2018 to the end of 2019, most of them consulted and closed."""
    facts = _facts(profiles)
    scores = services.gap_scores()
    weights = [math.sqrt(place.population) for place, _q in places]
    load: dict[int, float] = {}
    plan = [(date(2018, 7, 2), date(2018, 12, 14), 40),
            (date(2019, 1, 7), date(2019, 12, 13), 190)]
    for first, last, number in plan:
        span = (last - first).days
        for _index in range(number):
            submitted = first + timedelta(days=rng.randint(0, span))
            place, quarters = rng.choices(places, weights=weights)[0]
            earliest = submitted + timedelta(days=rng.randint(14, 45))
            request = _request(rng, place, quarters, formats, topics, submitted, earliest,
                               scores=scores)
            counts["requests"] += 1
            decided = _at(submitted + timedelta(days=rng.randint(2, 9)))
            roll = rng.random()
            if roll < 0.05:
                services.triage_request(request, "decline", actor=staff, at=decided,
                                        message="Das Vorhaben passt nicht zum Förderzweck.")
                continue
            if roll < 0.08:
                services.withdraw_request(request, actor=None)
                continue
            services.triage_request(request, "accept", actor=staff, at=decided)
            chosen = _nearest(request, facts, load)
            if chosen is None:
                continue
            load[chosen.profile.pk] = load.get(chosen.profile.pk, 0) + request.days
            _run_case(rng, request, chosen, line, staff, counts, today=date(2020, 3, 31),
                      finish=True)
        progress(_("%(year)s: %(requests)s, %(cases)s") % {
            "year": first.year,
            "requests": ngettext("%(n)s request", "%(n)s requests", counts["requests"])
            % {"n": format_number(counts["requests"])},
            "cases": ngettext("%(n)s case", "%(n)s cases", counts["cases"])
            % {"n": format_number(counts["cases"])}})


def _today_work(rng, places, formats, topics, profiles, staff, counts, progress):
    """Open requests to triage and match today, and running cases of the demo consultant."""
    today = timezone.localdate()
    scores = services.gap_scores()
    weights = [math.sqrt(place.population) for place, _q in places]
    for index in range(30):
        place, quarters = rng.choices(places, weights=weights)[0]
        submitted = today - timedelta(days=rng.randint(1, 30))
        earliest = today + timedelta(days=rng.randint(7, 60))
        request = _request(rng, place, quarters, formats, topics, submitted, earliest,
                           scores=scores)
        counts["requests"] += 1
        if index % 3:
            services.triage_request(request, "accept", actor=staff,
                                    at=_at(submitted + timedelta(days=1)))
    demo = ConsultantProfile.objects.filter(user__email=DEMO_CONSULTANT).first()
    tuebingen = [(p, q) for p, q in places if p.ags.startswith("08416")]
    if demo is None or not tuebingen:
        return
    line = services.default_budget_line(today)
    fmt = Format.objects.get(slug="prozess-einstieg")
    for index, (place, quarters) in enumerate(tuebingen[:3]):
        organisation = _requester(random.Random(index), place)
        if not services.format_allows(fmt, organisation):
            continue
        own = list(services.quarters_of(organisation).filter(pk__in=[q.pk for q in quarters]))
        if not own:
            continue
        request = services.submit_request(
            organisation=organisation, quarters=own[:1], topic=topics["process-start"],
            format=fmt, mode=Mode.ON_SITE, goals=GOALS[0], people=PEOPLE[0],
            earliest=today - timedelta(days=20), latest=today + timedelta(days=70),
            actor=None, today=today - timedelta(days=30), at=_at(today - timedelta(days=35)),
            is_demo=True)
        counts["requests"] += 1
        services.triage_request(request, "accept", actor=staff, at=_at(today - timedelta(30)))
        _run_case(rng, request, _facts([demo])[0], line, staff, counts, today=today,
                  finish=False)
    progress(_("Today: open requests and the running cases of %(name)s") % {"name": demo.name})

