"""Quarter budgets: budgets, proposals, ballots, voting codes, paper ballots, counting,
deviations and the .pb import/export. Every write goes through here.

A ballot's *selection* is a dict {proposal id: value}: 1 per chosen project (approval, choose
one), the points (cumulative) or the rank, 1 first (ranking). `check_selection` enforces the
budget's ballot rules on it before anything is stored.
"""

import csv
import hashlib
import io
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from quartier.pb.engine.count import count
from quartier.pb.engine.pabulib import (
    Election,
    PabulibError,
    Project,
    format_pabulib,
    parse_pabulib_bytes,
)
from quartier.pb.models import (
    Ballot,
    BallotChoice,
    Budget,
    Deviation,
    PaperEntry,
    Phase,
    Proposal,
    Result,
    VotingCode,
)

BallotType = Budget.BallotType
Channel = Ballot.Channel
# Voting codes: 12 characters without the look-alikes 0/O and 1/I/L, about 59 bits.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
MAX_CODES_PER_BATCH = 5000
MAX_SHEET_LENGTH = 40


class BallotRejected(ValidationError):
    """A selection that breaks the budget's ballot rules, or a vote outside the voting phase."""


# Budgets and proposals -------------------------------------------------------------------


@transaction.atomic
def create_budget(quarter, *, actor, **fields) -> Budget:
    budget = Budget(quarter=quarter, created_by=actor, **fields)
    budget.full_clean()
    budget.save()
    return budget


@transaction.atomic
def change_budget(budget: Budget, *, actor, **fields) -> Budget:
    # Lock: the ballot rules must not change under a voter who is casting a ballot.
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if budget.phase() not in (Phase.UPCOMING, Phase.PROPOSAL, Phase.REVIEW):
        raise ValidationError(_("A budget cannot be changed once voting has opened."))
    for name, value in fields.items():
        setattr(budget, name, value)
    budget.full_clean()
    budget.save()
    return budget


@transaction.atomic
def submit_proposal(
    budget: Budget, *, title: str, description: str, cost_eur: int,
    point: tuple[float, float] | None, actor,
) -> Proposal:
    """A resident's proposal; `point` in EPSG:25832 metres."""
    if budget.phase() != Phase.PROPOSAL:
        raise ValidationError(_("Proposals can only be made while the proposal phase is open."))
    x, y = point if point else (None, None)
    proposal = Proposal(budget=budget, title=title.strip(), description=description.strip(),
                        cost_eur=cost_eur, x=x, y=y, author=actor)
    proposal.full_clean()
    proposal.save()
    return proposal


@transaction.atomic
def review_proposal(
    proposal: Proposal, *, feasible: bool, reason: str, reviewed_cost_eur: int | None, actor
) -> Proposal:
    """Decide feasibility and cost. Only before voting opens: the ballot is then fixed."""
    proposal = Proposal.objects.select_for_update().select_related("budget").get(pk=proposal.pk)
    if proposal.budget.phase() in (Phase.VOTING, Phase.RESULT):
        raise ValidationError(_("The ballot is fixed once voting has opened."))
    reason = reason.strip()
    if not feasible and not reason:
        raise ValidationError(_("Give a reason why the proposal is not feasible."))
    proposal.status = Proposal.Status.FEASIBLE if feasible else Proposal.Status.INFEASIBLE
    proposal.reason = reason
    proposal.reviewed_cost_eur = reviewed_cost_eur
    proposal.reviewed_by = actor
    proposal.reviewed_at = timezone.now()
    proposal.full_clean()
    proposal.save()
    return proposal


def ballot_proposals(budget: Budget) -> list[Proposal]:
    """The projects on the ballot, in the order the ballot shows them."""
    return list(budget.proposals.on_ballot().order_by("title", "pk"))


def review_queue(budget: Budget) -> list[Proposal]:
    return list(
        budget.proposals.select_related("author").order_by("status", "created_at", "pk")
    )


def budgets_of(quarter) -> list[Budget]:
    return list(quarter.budgets.annotate(
        proposal_count=Count("proposals", filter=Q(proposals__status=Proposal.Status.FEASIBLE))
    ).order_by("-voting_closes", "pk"))


# Ballots ----------------------------------------------------------------------------------


def ballot_rules_text(budget: Budget) -> str:
    """The ballot rules in one sentence, for the ballot page and error messages."""
    if budget.ballot_type == BallotType.APPROVAL:
        if budget.min_projects == budget.max_projects:
            return ngettext("Choose exactly %(n)s project.", "Choose exactly %(n)s projects.",
                            budget.max_projects) % {"n": budget.max_projects}
        return _("Choose at least %(min)s and at most %(max)s projects.") % {
            "min": budget.min_projects, "max": budget.max_projects}
    if budget.ballot_type == BallotType.CHOOSE_ONE:
        return _("Choose one project.")
    if budget.ballot_type == BallotType.CUMULATIVE:
        return ngettext(
            "Share out up to %(n)s point among the projects.",
            "Share out up to %(n)s points among the projects; give more points to what "
            "matters more to you.", budget.points_total) % {"n": budget.points_total}
    return ngettext(
        "Rank up to %(n)s project: 1 for your first choice.",
        "Rank up to %(n)s projects: 1 for your first choice, 2 for the next, and so on.",
        budget.max_ranks) % {"n": budget.max_ranks}


def check_selection(budget: Budget, selection: dict, proposal_ids) -> dict[int, int]:
    """The selection as {proposal id: value} if it keeps the ballot rules; else
    BallotRejected with a message a voter understands."""
    known = set(proposal_ids)
    clean: dict[int, int] = {}
    for key, value in selection.items():
        try:
            pid, number = int(key), int(value)
        except (TypeError, ValueError):
            raise BallotRejected(_("The ballot holds a value that is not a whole number.")) \
                from None
        if pid not in known:
            raise BallotRejected(_("The ballot names a project that is not on the ballot."))
        if number < 0:
            raise BallotRejected(_("Points and ranks cannot be negative."))
        if number:
            clean[pid] = number
    chosen = len(clean)
    kind = budget.ballot_type
    if kind in (BallotType.APPROVAL, BallotType.CHOOSE_ONE):
        if any(v != 1 for v in clean.values()):
            raise BallotRejected(_("Tick a project or leave it; it has no points."))
    if kind == BallotType.APPROVAL:
        if chosen < budget.min_projects:
            raise BallotRejected(ngettext(
                "Choose at least %(n)s project; you chose %(chosen)s.",
                "Choose at least %(n)s projects; you chose %(chosen)s.", budget.min_projects,
            ) % {"n": budget.min_projects, "chosen": chosen})
        if chosen > budget.max_projects:
            raise BallotRejected(ngettext(
                "Choose at most %(n)s project; you chose %(chosen)s.",
                "Choose at most %(n)s projects; you chose %(chosen)s.", budget.max_projects,
            ) % {"n": budget.max_projects, "chosen": chosen})
    elif kind == BallotType.CHOOSE_ONE:
        if chosen != 1:
            raise BallotRejected(_("Choose exactly one project; you chose %(chosen)s.")
                                 % {"chosen": chosen})
    elif kind == BallotType.CUMULATIVE:
        used = sum(clean.values())
        if used == 0:
            raise BallotRejected(_("Give at least one point to a project."))
        if used > budget.points_total:
            raise BallotRejected(ngettext(
                "You can give %(n)s point in all; you gave %(used)s.",
                "You can give %(n)s points in all; you gave %(used)s.", budget.points_total,
            ) % {"n": budget.points_total, "used": used})
    else:
        ranks = sorted(clean.values())
        if not ranks:
            raise BallotRejected(_("Rank at least one project."))
        if len(ranks) > budget.max_ranks:
            raise BallotRejected(ngettext(
                "Rank at most %(n)s project; you ranked %(chosen)s.",
                "Rank at most %(n)s projects; you ranked %(chosen)s.", budget.max_ranks,
            ) % {"n": budget.max_ranks, "chosen": chosen})
        if ranks != list(range(1, len(ranks) + 1)):
            raise BallotRejected(_(
                "Give each rank once, starting from 1 and without gaps (1, 2, 3 …)."))
    return clean


def hash_code(budget: Budget, code: str) -> str:
    return hashlib.sha256(f"{budget.code_salt}:{normalise_code(code)}".encode()).hexdigest()


def normalise_code(text: str) -> str:
    return "".join(c for c in text.upper() if c.isalnum())[: CODE_LENGTH * 2]


def format_code(raw: str) -> str:
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def find_code(budget: Budget, text: str) -> VotingCode | None:
    """The valid, not voided code of this budget the text spells, or None."""
    if len(normalise_code(text)) != CODE_LENGTH:
        return None
    return VotingCode.objects.filter(
        budget=budget, code_hash=hash_code(budget, text), is_void=False
    ).first()


@transaction.atomic
def generate_codes(budget: Budget, number: int, *, actor) -> list[tuple[int, str]]:
    """`number` new codes as (serial, code); only their hashes are stored."""
    if not 1 <= number <= MAX_CODES_PER_BATCH:
        raise ValidationError(_("Generate between 1 and %(max)s codes at a time.")
                              % {"max": MAX_CODES_PER_BATCH})
    # Lock: two coordinators generating at once must not take the same serial numbers.
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    last = budget.codes.order_by("-serial").values_list("serial", "batch").first()
    serial, batch = (last[0], last[1] + 1) if last else (0, 1)
    codes, rows = [], []
    for number_in_batch in range(1, number + 1):
        raw = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        codes.append((serial + number_in_batch, format_code(raw)))
        rows.append(VotingCode(budget=budget, code_hash=hash_code(budget, raw),
                               serial=serial + number_in_batch, batch=batch))
    VotingCode.objects.bulk_create(rows)
    return codes


@transaction.atomic
def void_code(budget: Budget, serial: int, *, actor) -> VotingCode:
    code = VotingCode.objects.select_for_update().get(budget=budget, serial=serial)
    if hasattr(code, "ballot"):
        raise ValidationError(_("This code has been used to vote; it cannot be voided."))
    code.is_void = True
    code.save(update_fields=["is_void"])
    return code


def code_figures(budget: Budget) -> dict:
    codes = budget.codes.aggregate(
        total=Count("pk"), void=Count("pk", filter=Q(is_void=True)),
        used=Count("pk", filter=Q(ballot__isnull=False)),
    )
    return codes


def ballot_of(budget: Budget, *, voter=None, code: VotingCode | None = None) -> Ballot | None:
    ballots = Ballot.objects.filter(budget=budget)
    ballot = ballots.filter(code=code).first() if code else ballots.filter(voter=voter).first()
    return ballot


def selection_of(ballot: Ballot | None) -> dict[int, int]:
    if ballot is None:
        return {}
    return dict(ballot.choices.values_list("proposal_id", "value"))


@transaction.atomic
def cast_ballot(
    budget: Budget, selection: dict, *, voter=None, code: VotingCode | None = None
) -> Ballot:
    """Store or replace the online ballot of an account or a voting code.

    Exactly one ballot per account and per code, however many requests arrive at once: the
    code row is locked, and for accounts the unique constraint decides which insert wins;
    the loser then updates that ballot. A changed vote replaces the choices of the same row.
    """
    if (voter is None) == (code is None):
        raise ValueError("a ballot comes from an account or from a code")
    if budget.phase() != Phase.VOTING:
        raise BallotRejected(_("Voting is not open."))
    clean = check_selection(budget, selection, _ballot_ids(budget))
    if code is not None:
        # Lock: the same code typed on two devices at once.
        code = VotingCode.objects.select_for_update().get(pk=code.pk)
        if code.budget_id != budget.pk or code.is_void:
            raise BallotRejected(_("This voting code is not valid."))
        lookup = {"code": code}
    else:
        lookup = {"voter": voter}
    ballot = Ballot.objects.select_for_update().filter(budget=budget, **lookup).first()
    if ballot is None:
        try:
            with transaction.atomic():
                ballot = Ballot.objects.create(budget=budget, channel=Channel.ONLINE, **lookup)
        except IntegrityError:
            # A parallel request of the same voter inserted first: change that ballot.
            ballot = Ballot.objects.select_for_update().get(budget=budget, **lookup)
    ballot.choices.all().delete()
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=ballot, proposal_id=pid, value=value) for pid, value in clean.items()
    )
    ballot.save(update_fields=["updated_at"])
    return ballot


def _ballot_ids(budget: Budget) -> list[int]:
    return list(budget.proposals.on_ballot().values_list("pk", flat=True))


# Paper ballots ----------------------------------------------------------------------------


class PaperStatus:
    WAITING = "waiting"  # first entry, a second person must enter the sheet
    COUNTED = "counted"  # two entries by different people agree
    MISMATCH = "mismatch"  # the entries disagree; another person enters it again


def _selection_key(selection: dict) -> dict[str, int]:
    return {str(pid): int(value) for pid, value in sorted(selection.items())}


def _check_paper_allowed(budget: Budget) -> None:
    if budget.phase() not in (Phase.VOTING, Phase.RESULT):
        raise ValidationError(_("Paper ballots are entered once voting has opened."))
    if Result.objects.filter(budget=budget).exists():
        raise ValidationError(_("The votes have been counted; no more ballots can be entered."))


def _clean_sheet(sheet: str) -> str:
    sheet = (sheet or "").strip()
    if not sheet:
        raise ValidationError(_("Enter the number of the paper ballot."))
    if len(sheet) > MAX_SHEET_LENGTH or not sheet.isprintable():
        raise ValidationError(_("A ballot number has at most %(n)s letters and digits.")
                              % {"n": MAX_SHEET_LENGTH})
    return sheet


@transaction.atomic
def enter_paper_ballot(
    budget: Budget, sheet: str, selection: dict, *, actor, source: str = "form"
) -> str:
    """Record one typing of a paper ballot; returns a PaperStatus. The ballot counts when two
    entries by different people agree."""
    # Lock: the two entries of one sheet may be typed at the same moment.
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    _check_paper_allowed(budget)
    return _enter(budget, _clean_sheet(sheet),
                  check_selection(budget, selection, _ballot_ids(budget)),
                  actor=actor, source=source)


def _enter(budget, sheet, clean, *, actor, source) -> str:
    if Ballot.objects.filter(budget=budget, sheet=sheet).exists():
        raise ValidationError(_("Ballot %(sheet)s has been counted already.") % {"sheet": sheet})
    others = list(PaperEntry.objects.filter(budget=budget, sheet=sheet))
    if any(entry.entered_by_id == actor.pk for entry in others):
        raise ValidationError(_(
            "You have entered ballot %(sheet)s already; another person must enter it a "
            "second time.") % {"sheet": sheet})
    key = _selection_key(clean)
    PaperEntry.objects.create(budget=budget, sheet=sheet, selection=key, entered_by=actor,
                              source=source)
    if any(entry.selection == key for entry in others):
        _store_ballot(budget, clean, channel=Channel.PAPER, sheet=sheet)
        return PaperStatus.COUNTED
    return PaperStatus.MISMATCH if others else PaperStatus.WAITING


def _store_ballot(budget, clean: dict, *, channel, sheet="", code=None) -> Ballot:
    ballot = Ballot.objects.create(budget=budget, channel=channel, sheet=sheet, code=code)
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=ballot, proposal_id=pid, value=value) for pid, value in clean.items()
    )
    return ballot


@dataclass
class PaperSheet:
    sheet: str
    entries: list[PaperEntry]

    @property
    def status(self) -> str:
        return PaperStatus.MISMATCH if len(self.entries) > 1 else PaperStatus.WAITING


def open_paper_sheets(budget: Budget) -> list[PaperSheet]:
    """Sheets entered but not counted yet: waiting for a second entry, or disagreeing."""
    counted = Ballot.objects.filter(budget=budget, channel=Channel.PAPER).values("sheet")
    entries = (PaperEntry.objects.filter(budget=budget).exclude(sheet__in=counted)
               .select_related("entered_by").order_by("sheet", "pk"))
    sheets: dict[str, list] = defaultdict(list)
    for entry in entries:
        sheets[entry.sheet].append(entry)
    return [PaperSheet(sheet, items) for sheet, items in sheets.items()]


def paper_figures(budget: Budget) -> dict:
    sheets = open_paper_sheets(budget)
    return {
        "counted": Ballot.objects.filter(budget=budget, channel=Channel.PAPER).count(),
        "waiting": sum(1 for s in sheets if s.status == PaperStatus.WAITING),
        "mismatch": [s for s in sheets if s.status == PaperStatus.MISMATCH],
    }


@dataclass
class PaperImportReport:
    counted: int = 0
    waiting: int = 0
    mismatch: int = 0


class UploadRejected(Exception):
    """A rejected upload; `errors` are messages, each naming its line where it has one."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def import_paper_ballots(budget: Budget, data: bytes, *, actor) -> PaperImportReport:
    """Paper ballots from CSV, one row per ballot: `ballot` (its number) and `projects` (the
    project ids separated by spaces or commas, in rank order for rankings), and `points`
    (cumulative ballots). Each row is one entry by `actor`: the double-entry rule applies as
    in the form. All or nothing."""
    _check_size(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadRejected([_("The file is not UTF-8 text.")]) from None
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    needed = ["ballot", "projects"] + (
        ["points"] if budget.ballot_type == BallotType.CUMULATIVE else [])
    missing = [name for name in needed if name not in header]
    if missing:
        raise UploadRejected([_("Line 1: the header needs the columns %(columns)s.")
                            % {"columns": ", ".join(needed)}])
    reader.fieldnames = header
    ids = {p.project_id: p.pk for p in budget.proposals.on_ballot()}
    rows, errors, seen = [], [], set()
    for row in reader:
        line = reader.line_num
        if None in row:
            errors.append(_("Line %(line)s: the row has more fields than the header.")
                          % {"line": line})
            continue
        try:
            sheet = _clean_sheet(row.get("ballot") or "")
            if sheet in seen:
                raise ValidationError(_("ballot %(sheet)s appears twice") % {"sheet": sheet})
            seen.add(sheet)
            selection = _csv_selection(budget, ids, row)
            clean = check_selection(budget, selection, ids.values())
        except ValidationError as error:
            errors.append(_("Line %(line)s: %(reason)s") % {"line": line,
                                                            "reason": error.messages[0]})
            continue
        rows.append((line, sheet, clean))
        if len(errors) >= 50:
            break
    if not rows and not errors:
        errors.append(_("The file holds no ballots."))
    if errors:
        raise UploadRejected(errors)
    report = PaperImportReport()
    with transaction.atomic():
        locked = Budget.objects.select_for_update().get(pk=budget.pk)
        _check_paper_allowed(locked)
        for line, sheet, clean in rows:
            try:
                status = _enter(locked, sheet, clean, actor=actor, source="csv")
            except ValidationError as error:
                errors.append(_("Line %(line)s: %(reason)s") % {"line": line,
                                                                "reason": error.messages[0]})
                continue
            setattr(report, status, getattr(report, status) + 1)
        if errors:
            transaction.set_rollback(True)
            raise UploadRejected(errors)
    return report


def _csv_selection(budget, ids: dict[str, int], row: dict) -> dict[int, int]:
    names = (row.get("projects") or "").replace(",", " ").split()
    unknown = [n for n in names if n not in ids]
    if unknown:
        raise ValidationError(_("project %(id)s is not on the ballot") % {"id": unknown[0]})
    if len(set(names)) != len(names):
        raise ValidationError(_("a project is listed twice"))
    if budget.ballot_type == BallotType.CUMULATIVE:
        points = (row.get("points") or "").replace(",", " ").split()
        if len(points) != len(names) or not all(p.isdigit() for p in points):
            raise ValidationError(_("give one whole number of points per project"))
        return {ids[n]: int(p) for n, p in zip(names, points, strict=True)}
    if budget.ballot_type == BallotType.RANKING:
        return {ids[n]: rank for rank, n in enumerate(names, 1)}
    return {ids[n]: 1 for n in names}


def _check_size(data: bytes) -> None:
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise UploadRejected([_("The file is larger than %(size)s.")
                            % {"size": filesizeformat(settings.UPLOAD_MAX_BYTES)}])


# Counting ---------------------------------------------------------------------------------

VOTE_TYPES = {
    BallotType.APPROVAL: "approval",
    BallotType.CHOOSE_ONE: "choose-1",
    BallotType.RANKING: "ordinal",
    BallotType.CUMULATIVE: "cumulative",
}
BALLOT_TYPES = {vote_type: kind for kind, vote_type in VOTE_TYPES.items()}


def pabulib_rule(budget: Budget) -> str:
    if budget.rule == Budget.Rule.EQUAL_SHARES:
        return "equalshares/add1"
    if budget.rule == Budget.Rule.MAX_WELFARE:
        return "max-welfare"
    if not budget.greedy_skip:
        return "greedy-no-skip"
    return "greedy-threshold" if budget.min_votes else "greedy"


def build_election(budget: Budget) -> tuple[Election, list[Proposal], list[str]]:
    """The budget as an engine Election: the feasible proposals (primary-key order) and every
    stored ballot; also the proposals and each voter's channel.

    Ballots are listed by their content, not by when they came, so an export does not tell
    who voted when; imported ballots keep the file's voter ids and order.
    """
    proposals = list(budget.proposals.on_ballot().order_by("pk"))
    index = {p.pk: j for j, p in enumerate(proposals)}
    ballots = list(Ballot.objects.filter(budget=budget).order_by("pk")
                   .values_list("pk", "channel", "sheet"))
    choices: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rows = (BallotChoice.objects.filter(ballot__budget=budget)
            .values_list("ballot_id", "proposal_id", "value").order_by("ballot_id", "pk"))
    for ballot_id, proposal_id, value in rows.iterator(chunk_size=10_000):
        if proposal_id in index:
            choices[ballot_id].append((index[proposal_id], value))
    cumulative = budget.ballot_type == BallotType.CUMULATIVE
    ranking = budget.ballot_type == BallotType.RANKING
    voters = []
    for pk, channel, sheet in ballots:
        items = choices.get(pk, [])
        if ranking:
            items = sorted(items, key=lambda item: item[1])
            vote, points = tuple(j for j, _v in items), None
        else:
            items = sorted(items)
            vote = tuple(j for j, _v in items)
            points = tuple(v for _j, v in items) if cumulative else None
        voters.append((channel, sheet, vote, points))
    imported = any(channel == Channel.IMPORTED for channel, *_rest in voters)
    if not imported:
        voters.sort(key=lambda v: (v[2], v[3] or (), v[0]))
    voter_ids = [sheet if channel == Channel.IMPORTED else str(n)
                 for n, (channel, sheet, *_r) in enumerate(voters, 1)]
    meta = {key: str(value) for key, value in (budget.pb_meta or {}).items()}
    meta.update(_meta(budget))
    election = Election(
        meta=meta,
        budget=Fraction(budget.amount_eur),
        vote_type=VOTE_TYPES[budget.ballot_type],
        projects=[Project(p.project_id, Fraction(p.final_cost_eur), {"name": p.title})
                  for p in proposals],
        voter_ids=voter_ids,
        votes=[v[2] for v in voters],
        points=[v[3] for v in voters] if cumulative else None,
        vote_fields={} if imported else {"channel": [v[0] for v in voters]},
    )
    return election, proposals, [v[0] for v in voters]


def _meta(budget: Budget) -> dict[str, str]:
    meta = {
        "description": budget.title,
        "country": "Germany",
        "unit": budget.quarter.gemeinde.name,
        "subunit": budget.quarter.name,
        "instance": str(timezone.localtime(budget.voting_closes).year),
        "rule": pabulib_rule(budget),
        "currency": "EUR",
        "language": "de",
    }
    if budget.pb_meta:
        # An imported file keeps its own description of itself.
        return {}
    if budget.min_votes:
        meta["min_project_score_threshold"] = str(budget.min_votes)
    if budget.ballot_type == BallotType.APPROVAL:
        meta.update(min_length=str(budget.min_projects), max_length=str(budget.max_projects))
    elif budget.ballot_type == BallotType.CUMULATIVE:
        meta["max_sum_points"] = str(budget.points_total)
    elif budget.ballot_type == BallotType.RANKING:
        meta["max_length"] = str(budget.max_ranks)
    return meta


def export_pb(budget: Budget) -> str:
    """The full election in the Pabulib format: check the count with pabutools."""
    return format_pabulib(build_election(budget)[0])


def run_count(budget: Budget, election: Election) -> dict:
    """The engine's outcome for the budget's rule (see docs/quarter-budget.md)."""
    sat = budget.sat()
    if budget.rule == Budget.Rule.EQUAL_SHARES:
        return count(election, "equal-shares", sat)
    if budget.rule == Budget.Rule.MAX_WELFARE:
        return count(election, "max-welfare", sat)
    return count(election, "greedy", sat, skip=budget.greedy_skip,
                 min_score=Fraction(budget.min_votes) if budget.min_votes else None)


# Why a project was not funded: a code and its numbers, so the page says it in any language.
REASONS = {
    "no_votes": gettext_lazy("Nobody voted for it."),
    "below_threshold": gettext_lazy("It got fewer than the %(min)s votes a project needs."),
    "did_not_fit": gettext_lazy(
        "When its turn came, only %(left)s € were left; it costs %(cost)s €."),
    "stopped": gettext_lazy(
        "It did not fit in the %(left)s € left (it costs %(cost)s €), and counting stops at the "
        "first project that does not fit."),
    "after_stop": gettext_lazy("Counting had stopped before its turn."),
    "equal_shares": gettext_lazy(
        "Its supporters' equal shares of the budget could not pay for it, and it did not fit "
        "in the %(left)s € left at the end."),
    "not_optimal": gettext_lazy(
        "Other projects within the budget together satisfy voters more."),
}


def reason_text(row: dict) -> str:
    code = row.get("reason")
    if not code:
        return ""
    params = {k: _money(v) if k in ("left", "cost") else v
              for k, v in (row.get("params") or {}).items()}
    return str(REASONS[code]) % params


def _money(value) -> str:
    from django.contrib.humanize.templatetags.humanize import intcomma

    return intcomma(value)


def explain(budget: Budget, election: Election, outcome: dict,
            proposals: list[Proposal]) -> list[dict]:
    """Per project: funded or not, money, supporters, and why not (a REASONS code)."""
    sat = budget.sat()
    supporters = Counter(j for vote in election.votes for j in vote)
    score: Counter = Counter()
    if sat == "points":
        for vote, points in zip(election.votes, election.points or [], strict=True):
            for j, value in zip(vote, points, strict=True):
                score[j] += value
    else:
        score = supporters
    by_id = {p.project_id: j for j, p in enumerate(proposals)}
    selected = [by_id[pid] for pid in outcome["selected"]]
    funded = set(selected)
    costs = [Fraction(p.final_cost_eur) for p in proposals]
    reasons: dict[int, tuple[str, dict]] = {}
    left = Fraction(budget.amount_eur) - sum((costs[j] for j in selected), Fraction(0))
    if budget.rule == Budget.Rule.GREEDY:
        remaining, stopped = Fraction(budget.amount_eur), False
        order = sorted(range(len(proposals)), key=lambda j: (
            -(Fraction(score[j]) / costs[j] if sat == "points" else score[j]),
            proposals[j].project_id))
        # The engine's walk down the ranking (greedy.py), to tell what happened at each step.
        for j in order:
            if budget.min_votes and score[j] < budget.min_votes:
                reasons[j] = (("below_threshold", {"min": budget.min_votes}) if score[j]
                              else ("no_votes", {}))
            elif stopped:
                reasons[j] = ("after_stop", {})
            elif j in funded:
                remaining -= costs[j]
            elif not budget.greedy_skip:
                reasons[j] = ("stopped", {"left": int(remaining), "cost": int(costs[j])})
                stopped = True
            else:
                reasons[j] = ("did_not_fit", {"left": int(remaining), "cost": int(costs[j])})
    else:
        for j in range(len(proposals)):
            if j in funded:
                continue
            if not score[j]:
                reasons[j] = ("no_votes", {})
            elif budget.rule == Budget.Rule.EQUAL_SHARES:
                reasons[j] = ("equal_shares", {"left": int(left)})
            else:
                reasons[j] = ("not_optimal", {})
    rows = []
    for j in selected + sorted(set(range(len(proposals))) - funded,
                               key=lambda j: (-supporters[j], proposals[j].title)):
        code, params = reasons.get(j, ("", {}))
        rows.append({
            "proposal": proposals[j].pk, "project_id": proposals[j].project_id,
            "title": proposals[j].title, "cost_eur": int(costs[j]),
            "funded": j in funded, "amount_eur": int(costs[j]) if j in funded else 0,
            "supporters": supporters[j], "score": int(score[j]) if sat == "points" else None,
            "reason": code, "params": params,
        })
    return rows


@transaction.atomic
def compute_result(budget: Budget, *, actor) -> Result:
    """Count the stored ballots with the budget's rule and store the result. Only once voting
    has closed; counting again replaces the stored result with the same outcome, since the
    ballots cannot change any more."""
    budget = Budget.objects.select_for_update().select_related("quarter__gemeinde").get(
        pk=budget.pk)
    if budget.phase() != Phase.RESULT:
        raise ValidationError(_("The votes are counted once voting has closed."))
    election, proposals, channels = build_election(budget)
    if not proposals:
        raise ValidationError(_("There are no feasible proposals to count."))
    outcome = run_count(budget, election)
    channels_count = Counter(channels)
    digest = hashlib.sha256(format_pabulib(election).encode("utf-8")).hexdigest()
    Result.objects.filter(budget=budget).delete()
    return Result.objects.create(
        budget=budget, outcome=outcome, projects=explain(budget, election, outcome, proposals),
        ballots_online=channels_count[Channel.ONLINE], ballots_paper=channels_count[Channel.PAPER],
        ballots_imported=channels_count[Channel.IMPORTED], election_sha256=digest,
        computed_by=actor,
    )


def recount(budget: Budget) -> dict:
    """The engine's outcome from the stored ballots now, to compare with the stored result."""
    election, _proposals, _channels = build_election(budget)
    return run_count(budget, election)


# Deviations -------------------------------------------------------------------------------


def decided_amounts(result: Result, deviations) -> dict[int, int]:
    """Money per proposal as decided: the computed amounts, with each deviation applied."""
    amounts = {row["proposal"]: row["amount_eur"] for row in result.projects}
    for deviation in deviations:
        amounts[deviation.proposal_id] = deviation.amount_eur
    return amounts


@transaction.atomic
def add_deviation(budget: Budget, proposal: Proposal, *, amount_eur: int, reason: str,
                  actor) -> Deviation:
    """Give a project other money than computed; only with a reason, within the budget."""
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    result = Result.objects.filter(budget=budget).first()
    if result is None:
        raise ValidationError(_("Deviations are possible once the result has been computed."))
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a written reason; it is shown on the result page."))
    if proposal.budget_id != budget.pk or proposal.status != Proposal.Status.FEASIBLE:
        raise ValidationError(_("Only projects that were on the ballot can be funded."))
    deviations = list(budget.deviations.exclude(proposal=proposal))
    amounts = decided_amounts(result, deviations)
    if amounts.get(proposal.pk) == amount_eur:
        raise ValidationError(_("This is the amount the result gives already."))
    amounts[proposal.pk] = amount_eur
    if sum(amounts.values()) > budget.amount_eur:
        raise ValidationError(_("With this, %(total)s € would be spent, more than the budget of "
                                "%(amount)s €.") % {"total": _money(sum(amounts.values())),
                                                     "amount": _money(budget.amount_eur)})
    Deviation.objects.filter(budget=budget, proposal=proposal).delete()
    return Deviation.objects.create(budget=budget, proposal=proposal, amount_eur=amount_eur,
                                    reason=reason, actor=actor)


# .pb import -------------------------------------------------------------------------------


@transaction.atomic
def import_pb(quarter, data: bytes, *, actor, is_demo: bool = False) -> Budget:
    """A budget with its proposals and ballots from a Pabulib file, counted at once. The
    vote is over: the budget is in its result phase. All or nothing."""
    _check_size(data)
    try:
        election = parse_pabulib_bytes(data)
    except PabulibError as error:
        raise UploadRejected([_("The file cannot be read: %(error)s") % {"error": error}]) \
            from None
    problems = _check_importable(election)
    if problems:
        raise UploadRejected(problems)
    kind = BALLOT_TYPES[election.vote_type]
    meta = election.meta
    lengths = [len(v) for v in election.votes] or [1]
    now = timezone.now()
    rule = meta.get("rule", "")
    threshold = meta.get("min_project_score_threshold", "")
    budget = Budget(
        quarter=quarter, created_by=actor, is_demo=is_demo,
        title=(meta.get("description") or meta.get("unit") or _("Imported budget"))[:200],
        amount_eur=int(election.budget), residents_only=False, min_age=0, ballot_type=kind,
        min_projects=min(lengths) if kind == BallotType.APPROVAL else 1,
        max_projects=max(1, max(lengths)), max_ranks=max(1, max(lengths)),
        points_total=max([1] + [int(sum(p)) for p in election.points or []]),
        proposals_open=now - timedelta(days=3), proposals_close=now - timedelta(days=2),
        voting_opens=now - timedelta(days=1), voting_closes=now,
        rule=(Budget.Rule.EQUAL_SHARES if rule.startswith("equalshares") else Budget.Rule.GREEDY),
        greedy_skip=not rule.startswith("greedy-no-skip"),
        min_votes=int(threshold) if threshold.isdigit() else 0,
        pb_meta=meta,
    )
    budget.min_projects = min(budget.min_projects, budget.max_projects)
    budget.full_clean()
    budget.save()
    proposals = Proposal.objects.bulk_create(
        Proposal(budget=budget, ref=p.project_id, cost_eur=int(p.cost),
                 title=(p.fields.get("name") or _("Project %(id)s") % {"id": p.project_id})[:200],
                 description=p.fields.get("description", "")[:4000],
                 status=Proposal.Status.FEASIBLE, reviewed_at=now, reviewed_by=actor)
        for p in election.projects
    )
    ballots = Ballot.objects.bulk_create(
        (Ballot(budget=budget, channel=Channel.IMPORTED, sheet=voter_id)
         for voter_id in election.voter_ids), batch_size=5000,
    )
    def choices():
        for i, (ballot, vote) in enumerate(zip(ballots, election.votes, strict=True)):
            for position, j in enumerate(vote):
                if kind == BallotType.CUMULATIVE:
                    value = int(election.points[i][position])
                elif kind == BallotType.RANKING:
                    value = position + 1
                else:
                    value = 1
                yield BallotChoice(ballot=ballot, proposal=proposals[j], value=value)
    BallotChoice.objects.bulk_create(choices(), batch_size=5000)
    compute_result(budget, actor=actor)
    return budget


def _check_importable(election: Election) -> list[str]:
    problems = []
    if election.vote_type not in BALLOT_TYPES:
        problems.append(_("Ballots of type “%(type)s” are not supported; quarter budgets use "
                          "approval, choose-1, ordinal and cumulative ballots.")
                        % {"type": election.vote_type})
    if election.budget.denominator != 1 or any(p.cost.denominator != 1
                                               for p in election.projects):
        problems.append(_("The budget and the costs must be whole euros."))
    if not election.projects:
        problems.append(_("The file has no projects."))
    if any(len(p.project_id) > 40 for p in election.projects) or any(
            len(v) > MAX_SHEET_LENGTH for v in election.voter_ids):
        problems.append(_("Project and voter ids may have at most 40 characters."))
    if election.points is not None and any(
            Fraction(v).denominator != 1 for points in election.points for v in points):
        problems.append(_("Points must be whole numbers."))
    if election.budget > 10**15:
        problems.append(_("The budget is too large."))
    return problems


# Pages ------------------------------------------------------------------------------------


def proposal_features(proposals) -> dict:
    """The proposals with a point as a WGS84 GeoJSON FeatureCollection for the map."""
    features = []
    for proposal in proposals:
        lonlat = proposal.lonlat()
        if lonlat is None:
            continue
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point",
                         "coordinates": [round(lonlat[0], 6), round(lonlat[1], 6)]},
            "properties": {"name": proposal.title, "url": proposal.get_absolute_url()},
        })
    return {"type": "FeatureCollection", "features": features}
