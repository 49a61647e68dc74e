"""Demo quarter budgets in Tübingen: one finished with its result, one open for voting, one
collecting proposals. Deterministic for a seed (dates are relative to today), marked
`is_demo`, and created only where no demo budget exists yet.
"""

import random
from datetime import timedelta

import shapely
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quartier.accounts.models import User
from quartier.pb import services
from quartier.pb.models import Ballot, BallotChoice, Budget, PaperEntry, Proposal, VotingCode
from quartier.places import geo
from quartier.places.models import Place, Quarter

DEMO_GEMEINDE = "08416041"  # Tübingen, where the demo accounts live
# The demo accounts that type the paper ballots twice (README, demo-accounts).
PAPER_TYPISTS = ("coordinator@demo.quartier.invalid", "county@demo.quartier.invalid")

FINISHED = {
    "title": "Bürgerbudget {quarter}",
    "description": "Die Stadt stellt 50.000 € bereit. Bewohnerinnen und Bewohner haben Projekte "
                   "vorgeschlagen und abgestimmt, online mit dem Code aus dem Brief oder auf "
                   "Papier im Stadtteiltreff.",
    "amount_cents": 50_000_00, "ballot_type": "approval", "min_projects": 1, "max_projects": 3,
    "rule": "equal_shares", "access": "codes", "min_age": 14,
    "projects": [
        ("Trinkwasserbrunnen am Marktplatz", 12_000, "Marktplatz", 9),
        ("Sitzbänke entlang des Neckarwegs", 8_500, "Neckarweg", 7),
        ("Neue Kletterwand auf dem Spielplatz", 18_000, "Spielplatz Lindenstraße", 8),
        ("Lastenrad zum Ausleihen", 6_500, "Stadtteiltreff", 4),
        ("Offener Bücherschrank", 3_000, "Bushaltestelle Kirchgasse", 5),
        ("Beleuchtung des Fußwegs zur Schule", 22_000, "Schulweg zwischen Bach und Schule", 6),
        ("Hochbeete für den Nachbarschaftsgarten", 4_500, "Nachbarschaftsgarten", 3),
        ("Barrierefreier Zugang zum Quartierstreff", 15_000, "Quartierstreff, Eingang Süd", 7),
    ],
    "infeasible": [("Graffiti-Wand für Jugendliche", 5_000, "Bahnunterführung",
                    "Die Wand gehört der Bahn; die Stadt darf sie nicht freigeben.")],
    "online": 264, "paper": 48,
    # The coordinator part-funds a project from the money left, with the reason shown.
    "deviation": ("Hochbeete für den Nachbarschaftsgarten", 2_000,
                  "Die 2.000 €, die nach der Auszählung übrig sind, gehen an die Hochbeete; den "
                  "Rest übernimmt der Gartenverein."),
}
OPEN = {
    "title": "Quartiersbudget {quarter}",
    "description": "30.000 € für Ideen aus dem Quartier. Abstimmen können alle Bewohnerinnen "
                   "und Bewohner mit Konto oder mit dem Code aus dem Brief.",
    "amount_cents": 30_000_00, "ballot_type": "approval", "min_projects": 1, "max_projects": 3,
    "rule": "greedy", "access": "both", "min_age": 14,
    "projects": [
        ("Mitfahrbänke an drei Haltestellen", 3_600, "Haltestellen Nord, Mitte und Süd", 0),
        ("Sonnensegel für den Spielplatz", 9_000, "Spielplatz am Park", 0),
        ("Fahrradständer am Bürgerhaus", 4_200, "Bürgerhaus", 0),
        ("Computerkurs für Ältere", 2_500, "", 0),
        ("Tauschregal im Stadtteiltreff", 1_200, "Stadtteiltreff", 0),
        ("Insektenwiese am Schulhof", 6_000, "Schulhof der Grundschule", 0),
        ("Rampe am Eingang der Stadtteilbibliothek", 11_000, "Stadtteilbibliothek", 0),
    ],
    "infeasible": [], "online": 0, "paper": 0,
}
COLLECTING = {
    "title": "Ideen für {quarter}",
    "description": "Bis zum Ende der Vorschlagsphase können alle Bewohnerinnen und Bewohner "
                   "Projekte vorschlagen.",
    "amount_cents": 20_000_00, "ballot_type": "cumulative", "points_total": 10,
    "rule": "max_welfare", "access": "accounts", "min_age": 16,
    "projects": [], "infeasible": [], "online": 0, "paper": 0,
}


@transaction.atomic
def create_demo_budgets(*, seed: int = 2018, progress=services.no_progress) -> int:
    """The three demo budgets, if there is no demo budget yet; returns how many it made."""
    if Budget.objects.filter(is_demo=True).exists():
        return 0
    quarters = list(Quarter.objects.filter(gemeinde__ags=DEMO_GEMEINDE, status="published")
                    .order_by("name")[:3])
    if not quarters:
        gemeinde = Place.objects.filter(kind=Place.Kind.GEMEINDE, quarters__isnull=False).first()
        if gemeinde is None:
            return 0
        quarters = list(gemeinde.quarters.order_by("name")[:3])
    while len(quarters) < 3:
        quarters.append(quarters[-1])
    rng = random.Random(seed)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    day = timedelta(days=1)
    plans = [
        (FINISHED, quarters[0], (-120, -90, -60, -30)),
        (OPEN, quarters[1], (-60, -30, -5, 60)),
        (COLLECTING, quarters[2], (-10, 40, 60, 90)),
    ]
    for plan, quarter, days in plans:
        budget = _budget(plan, quarter, [now + d * day for d in days])
        proposals = _proposals(budget, plan, quarter, rng)
        if plan["online"] or plan["paper"]:
            _ballots(budget, proposals, plan, rng)
            services.compute_result(budget, actor=None)
        if plan.get("deviation"):
            title, euros, reason = plan["deviation"]
            proposal = budget.proposals.get(title=title)
            services.set_deviation(budget, proposal, amount_cents=euros * 100, reason=reason,
                                   actor=None)
        progress(_("Demo quarter budget: %(title)s (%(phase)s)")
                 % {"title": budget.title, "phase": budget.phase_label()})
    return len(plans)


def _budget(plan, quarter, dates) -> Budget:
    fields = {k: v for k, v in plan.items()
              if k not in ("projects", "infeasible", "online", "paper", "title", "deviation")}
    budget = Budget(quarter=quarter, title=plan["title"].format(quarter=quarter.name),
                    proposals_open=dates[0], proposals_close=dates[1], voting_opens=dates[2],
                    voting_closes=dates[3], is_demo=True, **fields)
    budget.full_clean()
    budget.save()
    return budget


def _point(quarter, rng) -> tuple[float, float]:
    area = geo.loads(quarter.boundary)
    minx, miny, maxx, maxy = area.bounds
    for _attempt in range(50):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if area.contains(shapely.Point(x, y)):
            return round(x, 2), round(y, 2)
    return quarter.x, quarter.y


def _proposals(budget, plan, quarter, rng) -> list[tuple[Proposal, int]]:
    """The feasible proposals with their popularity weights, then the infeasible ones."""
    made = []
    rows = [(title, cost, where, weight, "") for title, cost, where, weight in plan["projects"]]
    rows += [(title, cost, where, 0, reason) for title, cost, where, reason in plan["infeasible"]]
    for number, (title, cost, where, weight, reason) in enumerate(rows, 1):
        x, y = _point(quarter, rng) if where else (None, None)
        proposal = Proposal.objects.create(
            budget=budget, ref=str(number), title=title, location=where, cost_cents=cost * 100,
            description=f"{title}: ein Vorschlag aus der Nachbarschaft für alle Generationen.",
            x=x, y=y, status="infeasible" if reason else "feasible", reason=reason,
            reviewed_at=budget.proposals_close,
        )
        if not reason:
            made.append((proposal, weight))
    return made


def _ballots(budget, proposals, plan, rng) -> None:
    projects = [p for p, _w in proposals]
    weights = [max(w, 1) for _p, w in proposals]

    def choice() -> list[Proposal]:
        size = rng.choices([1, 2, 3], weights=[3, 4, 3])[0]
        chosen: list[Proposal] = []
        while len(chosen) < size:
            pick = rng.choices(projects, weights=weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        return chosen

    codes = VotingCode.objects.bulk_create(
        VotingCode(budget=budget, serial=n, code_hash=services.hash_code(
            budget, "".join(rng.choice(services.CODE_ALPHABET) for _i in range(12))))
        for n in range(1, plan["online"] + 1))
    ballots = Ballot.objects.bulk_create(
        Ballot(budget=budget, channel=Ballot.Channel.ONLINE, code=code) for code in codes)
    sheets = [f"P-{n:03d}" for n in range(1, plan["paper"] + 1)]
    ballots += Ballot.objects.bulk_create(
        Ballot(budget=budget, channel=Ballot.Channel.PAPER, sheet=sheet) for sheet in sheets)
    choices, typed = [], {}
    for ballot in ballots:
        chosen = choice()
        choices += [BallotChoice(ballot=ballot, proposal=p, value=1) for p in chosen]
        if ballot.sheet:
            typed[ballot.sheet] = {p.ref: 1 for p in sorted(chosen, key=lambda p: p.ref)}
    BallotChoice.objects.bulk_create(choices)
    typists = list(User.objects.filter(username__in=PAPER_TYPISTS).order_by("username"))
    if len(typists) == 2:
        PaperEntry.objects.bulk_create(
            PaperEntry(budget=budget, sheet=sheet, selection=selection, entered_by=typist)
            for sheet, selection in typed.items() for typist in typists)
