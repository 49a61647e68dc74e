"""Quarter budgets: budgets, proposals, ballots, voting codes, paper ballots, counting,
deviations and the .pb import/export. Every write goes through here (docs/pb.md).

A ballot's *selection* is a dict {proposal pk: value}: 1 per chosen project (approval, choose
one), the points (cumulative) or the rank, 1 first (ranking). `check_selection` enforces the
budget's ballot rules on it before anything is stored. Money is integer cents; the engine
counts in euros (`Fraction(cents, 100)`).

Stable for other modules: `budgets_of(quarter)`.
"""

import csv
import hashlib
import io
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from quartier.accounts.services import record_event
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
from quartier.pb.pabulib_messages import describe

BallotType = Budget.BallotType
Channel = Ballot.Channel
Progress = Callable[[str], None]
# Voting codes: 12 characters without the look-alikes 0/O and 1/I/L: 31^12, about 59 bits.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
MAX_CODES_PER_BATCH = 5000
# Letters are rendered in the request (WeasyPrint, about 0.1 s a page): larger mailings go
# out in several batches, or as CSV to a print shop's mail merge.
MAX_LETTERS_PER_PDF = 200
MAX_SHEET_LENGTH = 40
# Budgets up to ten billion euros; more is a typing error.
MAX_AMOUNT_CENTS = 10**12


def no_progress(message: str) -> None:
    pass


def _person(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def format_money(cents: int) -> str:
    """Money for people, localised: "12.500 €", "12.500,50 €" (German), "12,500 €"."""
    euros, rest = divmod(int(cents), 100)
    if rest:
        amount = number_format(Decimal(int(cents)) / 100, 2, force_grouping=True)
    else:
        amount = number_format(euros, 0, force_grouping=True)
    return _("%(amount)s €") % {"amount": amount}


class BallotRejected(ValidationError):
    """A selection that breaks the budget's ballot rules, or a vote outside the voting phase."""


class UploadRejected(Exception):
    """A rejected upload; `errors` are messages, each naming its line where it has one."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


# Budgets and proposals -------------------------------------------------------------------


@transaction.atomic
def create_budget(quarter, *, actor, **fields) -> Budget:
    budget = Budget(quarter=quarter, created_by=_person(actor), **fields)
    budget.full_clean()
    budget.save()
    record_event("pb.budget_created", budget, actor=actor, summary=budget.title,
                 quarter=quarter.pk)
    return budget


@transaction.atomic
def change_budget(budget: Budget, *, actor, **fields) -> Budget:
    # Lock: the ballot rules must not change under a voter who is casting a ballot.
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if not budget.before_voting():
        raise ValidationError(_("A budget cannot be changed once voting has opened."))
    changed = sorted(name for name, value in fields.items() if getattr(budget, name) != value)
    for name, value in fields.items():
        setattr(budget, name, value)
    budget.full_clean()
    budget.save()
    record_event("pb.budget_changed", budget, actor=actor, summary=budget.title,
                 fields=changed)
    return budget


def _next_number(budget: Budget) -> str:
    number = budget.proposals.count() + 1
    while budget.proposals.filter(ref=str(number)).exists():
        number += 1
    return str(number)


@transaction.atomic
def submit_proposal(
    budget: Budget, *, title: str, description: str, cost_cents: int, location: str = "",
    point: tuple[float, float] | None = None, actor,
) -> Proposal:
    """A resident's proposal; `point` in EPSG:25832 metres. It gets the next number of the
    budget (1, 2, 3 …), the project id on ballots, paper and in the .pb export."""
    # Lock: two proposals at the same moment must not take the same number.
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if budget.phase() != Phase.PROPOSAL:
        raise ValidationError(_("Proposals can only be made while the proposal phase is open."))
    x, y = point if point else (None, None)
    proposal = Proposal(
        budget=budget, ref=_next_number(budget), title=title.strip(),
        description=description.strip(), location=location.strip(), cost_cents=cost_cents,
        x=x, y=y, author=_person(actor),
    )
    proposal.full_clean()
    proposal.save()
    record_event("pb.proposal_submitted", proposal, actor=actor, summary=proposal.title,
                 budget=budget.pk)
    return proposal


@transaction.atomic
def review_proposal(
    proposal: Proposal, *, status: str, reason: str, reviewed_cost_cents: int | None, actor
) -> Proposal:
    """Decide feasibility and cost. Only before voting opens: the ballot is then fixed."""
    proposal = Proposal.objects.select_for_update().select_related("budget").get(pk=proposal.pk)
    if not proposal.budget.before_voting():
        raise ValidationError(_("The ballot is fixed once voting has opened."))
    if status not in (Proposal.Status.FEASIBLE, Proposal.Status.INFEASIBLE,
                      Proposal.Status.REMOVED):
        raise ValidationError(_("Choose a decision."))
    reason = reason.strip()
    if status != Proposal.Status.FEASIBLE and not reason:
        raise ValidationError(_("Give a reason, so the proposer understands the decision."))
    proposal.status = status
    proposal.reason = reason
    proposal.reviewed_cost_cents = reviewed_cost_cents
    proposal.reviewed_by = _person(actor)
    proposal.reviewed_at = timezone.now()
    proposal.full_clean()
    proposal.save()
    record_event("pb.proposal_reviewed", proposal, actor=actor, summary=proposal.title,
                 status=status, reviewed_cost_cents=reviewed_cost_cents)
    return proposal


def budgets_of(quarter) -> list[Budget]:
    """The quarter's budgets, newest vote first, each with `proposal_count` (projects on the
    ballot). Stable: the quarter page and the participation module call it."""
    budgets = list(
        quarter.budgets.select_related("result")
        .annotate(proposal_count=Count(
            "proposals", filter=Q(proposals__status=Proposal.Status.FEASIBLE)))
        .order_by("-voting_closes", "pk")
    )
    for budget in budgets:
        budget.quarter = quarter
    return budgets


def listed_budgets(*, include_unpublished: bool = False) -> list[Budget]:
    """Every budget for the list page, with its quarter, Gemeinde and result: voting first,
    then proposals, upcoming, and results (newest first)."""
    budgets = Budget.objects.all() if include_unpublished else Budget.objects.visible_to_public()
    budgets = list(
        budgets.select_related("quarter__gemeinde", "result")
        .annotate(proposal_count=Count(
            "proposals", filter=Q(proposals__status=Proposal.Status.FEASIBLE)))
        .order_by("-voting_closes", "pk")
    )
    order = {Phase.VOTING: 0, Phase.PROPOSAL: 1, Phase.REVIEW: 2, Phase.UPCOMING: 3,
             Phase.RESULT: 4}
    return sorted(budgets, key=lambda b: order[b.phase()])


def proposals_of(budget: Budget, *, user, everything: bool) -> list[Proposal]:
    """The proposals a person sees on the budget page: reviewed ones, their own, and all of
    them for those who run the budget. In number order."""
    proposals = budget.proposals.select_related("author")
    if not everything:
        mine = Q(author=user) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
        proposals = proposals.filter(
            Q(status__in=[Proposal.Status.FEASIBLE, Proposal.Status.INFEASIBLE]) | mine)
    return list(proposals.order_by("pk"))


def ballot_proposals(budget: Budget) -> list[Proposal]:
    """The projects on the ballot, in number order."""
    return list(budget.proposals.on_ballot().order_by("pk"))


def review_queue(budget: Budget) -> list[Proposal]:
    """Proposals waiting first, then the decided ones, each in number order."""
    return sorted(budget.proposals.select_related("author", "reviewed_by"),
                  key=lambda p: (p.status != Proposal.Status.SUBMITTED, p.pk))


# Ballots ----------------------------------------------------------------------------------


def ballot_rules_text(budget: Budget) -> str:
    """The ballot rules in one sentence, for the ballot page and error messages."""
    if budget.ballot_type == BallotType.APPROVAL:
        if budget.min_projects == budget.max_projects:
            return ngettext("Choose exactly %(n)s project.", "Choose exactly %(n)s projects.",
                            budget.max_projects) % {"n": budget.max_projects}
        if budget.min_projects <= 1:
            return ngettext("Choose up to %(max)s project.", "Choose up to %(max)s projects.",
                            budget.max_projects) % {"max": budget.max_projects}
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
    """The selection as {proposal pk: value} if it keeps the ballot rules; else
    BallotRejected with a message a voter understands. Zero values are dropped."""
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
        if chosen < max(1, budget.min_projects):
            raise BallotRejected(ngettext(
                "Choose at least %(n)s project; you chose %(chosen)s.",
                "Choose at least %(n)s projects; you chose %(chosen)s.",
                max(1, budget.min_projects),
            ) % {"n": max(1, budget.min_projects), "chosen": chosen})
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


def selection_cost_cents(selection: dict[int, int], proposals: list[Proposal]) -> int:
    """What the chosen projects cost together (points and ranks count as chosen)."""
    return sum(p.final_cost_cents for p in proposals if selection.get(p.pk))


def normalise_code(text: str) -> str:
    return "".join(c for c in text.upper() if c in CODE_ALPHABET)


def hash_code(budget: Budget, code: str) -> str:
    return hashlib.sha256(f"{budget.code_salt}:{normalise_code(code)}".encode()).hexdigest()


def format_code(raw: str) -> str:
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def find_code(budget: Budget, text: str) -> VotingCode | None:
    """The valid, not voided code of this budget the text spells, or None."""
    if len(text) > 40 or len(normalise_code(text)) != CODE_LENGTH:
        return None
    return VotingCode.objects.filter(
        budget=budget, code_hash=hash_code(budget, text), is_void=False
    ).first()


@transaction.atomic
def generate_codes(budget: Budget, number: int, *, actor) -> list[tuple[int, str]]:
    """`number` new codes as (serial, code) for the letters; only their hashes are stored,
    so this is the one moment the codes exist in the clear."""
    if not 1 <= number <= MAX_CODES_PER_BATCH:
        raise ValidationError(_("Generate between 1 and %(max)s codes at a time.")
                              % {"max": MAX_CODES_PER_BATCH})
    # Lock: two coordinators generating at once must not take the same serial numbers.
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if not budget.allows_codes():
        raise ValidationError(_("This budget does not use voting codes."))
    if budget.phase() == Phase.RESULT:
        raise ValidationError(_("Voting has closed; no more codes can be generated."))
    last = budget.codes.order_by("-serial").values_list("serial", "batch").first()
    serial, batch = (last[0], last[1] + 1) if last else (0, 1)
    codes, rows, hashes = [], [], set()
    while len(codes) < number:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        digest = hash_code(budget, raw)
        if digest in hashes:
            continue
        hashes.add(digest)
        serial += 1
        codes.append((serial, format_code(raw)))
        rows.append(VotingCode(budget=budget, code_hash=digest, serial=serial, batch=batch))
    VotingCode.objects.bulk_create(rows)
    record_event("pb.codes_generated", budget, actor=actor,
                 summary=f"{number} codes, batch {batch}", batch=batch, number=number,
                 first_serial=codes[0][0], last_serial=codes[-1][0])
    return codes


@transaction.atomic
def void_codes(budget: Budget, serials: list[int], *, reason: str, actor) -> int:
    """Void unused codes (a lost letter); a code that has voted stays valid. Returns how many
    were voided."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason for voiding the codes."))
    # Lock: a code being voided cannot vote meanwhile (cast_ballot locks the same rows).
    codes = list(VotingCode.objects.select_for_update()
                 .filter(budget=budget, serial__in=serials, is_void=False))
    found = {code.serial for code in codes}
    missing = sorted(set(serials) - found)
    if missing:
        raise ValidationError(_("There is no valid code with the number %(serial)s.")
                              % {"serial": missing[0]})
    used = sorted(Ballot.objects.filter(code__in=codes).values_list("code__serial", flat=True))
    if used:
        raise ValidationError(_("The code with the number %(serial)s has been used to vote; "
                                "it cannot be voided.") % {"serial": used[0]})
    VotingCode.objects.filter(pk__in=[c.pk for c in codes]).update(is_void=True)
    record_event("pb.codes_voided", budget, actor=actor, summary=reason,
                 serials=sorted(found))
    return len(codes)


def code_batches(budget: Budget) -> list[dict]:
    """Per batch: serials, how many codes, used and voided."""
    return list(
        budget.codes.values("batch")
        .annotate(total=Count("pk"), void=Count("pk", filter=Q(is_void=True)),
                  used=Count("ballot"), first=Min("serial"), last=Max("serial"))
        .order_by("batch")
    )


def ballot_of(budget: Budget, *, voter=None, code: VotingCode | None = None) -> Ballot | None:
    ballots = Ballot.objects.filter(budget=budget)
    if code is not None:
        return ballots.filter(code=code).first()
    if getattr(voter, "is_authenticated", False):
        return ballots.filter(voter=voter).first()
    return None


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
    the loser then changes that ballot. A changed vote replaces the choices of the same row.
    """
    if (voter is None) == (code is None):
        raise ValueError("a ballot comes from an account or from a code")
    if budget.phase() != Phase.VOTING:
        raise BallotRejected(_("Voting is not open."))
    clean = check_selection(budget, selection, _ballot_ids(budget))
    if code is not None:
        if not budget.allows_codes():
            raise BallotRejected(_("This budget does not use voting codes."))
        # Lock: the same code typed on two devices at once.
        code = VotingCode.objects.select_for_update().get(pk=code.pk)
        if code.budget_id != budget.pk or code.is_void:
            raise BallotRejected(_("This voting code is not valid."))
        lookup = {"code": code}
    else:
        if not budget.allows_accounts():
            raise BallotRejected(_("This budget is voted with the codes sent by letter."))
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


def ballot_count(budget: Budget) -> dict[str, int]:
    """Ballots stored so far per channel."""
    rows = Ballot.objects.filter(budget=budget).values_list("channel").annotate(n=Count("pk"))
    counts = {channel: 0 for channel in Channel.values}
    counts.update(dict(rows))
    return counts


# Paper ballots ----------------------------------------------------------------------------


class PaperStatus:
    WAITING = "waiting"  # first entry, a second person must enter the sheet
    COUNTED = "counted"  # two entries by different people agree
    MISMATCH = "mismatch"  # the entries disagree; another person enters it again


def _check_paper_allowed(budget: Budget) -> None:
    if budget.phase() not in (Phase.VOTING, Phase.RESULT):
        raise ValidationError(_("Paper ballots are entered once voting has opened."))
    if Result.objects.filter(budget=budget).exists():
        raise ValidationError(_("The votes have been counted; no more ballots can be entered."))


def clean_sheet(sheet: str) -> str:
    sheet = (sheet or "").strip()
    if not sheet:
        raise ValidationError(_("Enter the number of the paper ballot."))
    if len(sheet) > MAX_SHEET_LENGTH or not sheet.isprintable():
        raise ValidationError(_("A ballot number has at most %(n)s letters and digits.")
                              % {"n": MAX_SHEET_LENGTH})
    return sheet


def parse_paper_selection(budget: Budget, refs: dict[str, int], projects: str,
                          points: str = "") -> dict[int, int]:
    """A paper ballot as typed: project numbers separated by spaces or commas (in rank order
    for rankings) and, for cumulative ballots, the points in the same order."""
    names = projects.replace(",", " ").replace(";", " ").split()
    unknown = [n for n in names if n not in refs]
    if unknown:
        raise ValidationError(_("Project %(id)s is not on the ballot.") % {"id": unknown[0]})
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise ValidationError(_("Project %(id)s is listed twice.") % {"id": twice})
    if budget.ballot_type == BallotType.CUMULATIVE:
        values = points.replace(",", " ").replace(";", " ").split()
        if len(values) != len(names) or not all(v.isdigit() and len(v) < 7 for v in values):
            raise ValidationError(_("Give one whole number of points per project, in the "
                                    "same order as the projects."))
        return {refs[n]: int(v) for n, v in zip(names, values, strict=True)}
    if budget.ballot_type == BallotType.RANKING:
        return {refs[n]: rank for rank, n in enumerate(names, 1)}
    return {refs[n]: 1 for n in names}


def paper_refs(budget: Budget) -> dict[str, int]:
    """Project number → proposal pk for the projects on the ballot."""
    return dict(budget.proposals.on_ballot().values_list("ref", "pk"))


@transaction.atomic
def enter_paper_ballot(
    budget: Budget, sheet: str, selection: dict, *, actor, source: str = "form"
) -> str:
    """Record one typing of a paper ballot; returns a PaperStatus. The ballot counts when two
    entries by different people agree."""
    # Lock: the two entries of one sheet may be typed at the same moment.
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    _check_paper_allowed(budget)
    refs = paper_refs(budget)
    clean = check_selection(budget, selection, refs.values())
    return _enter(budget, clean_sheet(sheet), clean, refs=refs, actor=actor, source=source)


def _enter(budget, sheet, clean, *, refs, actor, source) -> str:
    if Ballot.objects.filter(budget=budget, sheet=sheet).exists():
        raise ValidationError(_("Ballot %(sheet)s has been counted already.") % {"sheet": sheet})
    others = list(PaperEntry.objects.filter(budget=budget, sheet=sheet, discarded_at=None))
    if any(entry.entered_by_id == actor.pk for entry in others):
        raise ValidationError(_(
            "You have entered ballot %(sheet)s already; another person must enter it a "
            "second time.") % {"sheet": sheet})
    by_pk = {pk: ref for ref, pk in refs.items()}
    key = {by_pk[pid]: int(value) for pid, value in sorted(clean.items(),
                                                           key=lambda i: by_pk[i[0]])}
    entry = PaperEntry.objects.create(budget=budget, sheet=sheet, selection=key,
                                      entered_by=actor, source=source)
    if any(other.selection == key for other in others):
        ballot = Ballot.objects.create(budget=budget, channel=Channel.PAPER, sheet=sheet)
        BallotChoice.objects.bulk_create(
            BallotChoice(ballot=ballot, proposal_id=pid, value=value)
            for pid, value in clean.items())
        status = PaperStatus.COUNTED
    else:
        status = PaperStatus.MISMATCH if others else PaperStatus.WAITING
    record_event("pb.paper_entered", entry, actor=actor, summary=f"{sheet}: {status}",
                 budget=budget.pk, status=status, source=source)
    return status


@transaction.atomic
def discard_paper_entry(entry: PaperEntry, *, reason: str, actor) -> PaperEntry:
    """Set aside a wrong typing of a sheet that has not been counted; it stays on record."""
    entry = PaperEntry.objects.select_for_update().get(pk=entry.pk)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason for discarding the entry."))
    if entry.discarded_at is not None:
        raise ValidationError(_("This entry has been discarded already."))
    if Ballot.objects.filter(budget_id=entry.budget_id, sheet=entry.sheet).exists():
        raise ValidationError(_("Ballot %(sheet)s has been counted; its entries stay.")
                              % {"sheet": entry.sheet})
    entry.discarded_at = timezone.now()
    entry.discarded_by = actor
    entry.discard_reason = reason[:500]
    entry.save(update_fields=["discarded_at", "discarded_by", "discard_reason"])
    record_event("pb.paper_discarded", entry, actor=actor, summary=reason,
                 budget=entry.budget_id, sheet=entry.sheet)
    return entry


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
    entries = (PaperEntry.objects.filter(budget=budget, discarded_at=None)
               .exclude(sheet__in=counted).select_related("entered_by").order_by("sheet", "pk"))
    sheets: dict[str, list] = defaultdict(list)
    for entry in entries:
        sheets[entry.sheet].append(entry)
    return [PaperSheet(sheet, items) for sheet, items in sheets.items()]


@dataclass
class PaperImportReport:
    counted: int = 0
    waiting: int = 0
    mismatch: int = 0


def import_paper_ballots(budget: Budget, data: bytes, *, actor) -> PaperImportReport:
    """Paper ballots from CSV, one row per ballot: `ballot` (its number) and `projects` (the
    project numbers separated by spaces, in rank order for rankings), and `points`
    (cumulative ballots). Each row is one entry by `actor`: the double-entry rule applies as
    in the form. All or nothing."""
    _check_size(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise UploadRejected([_("Line %(line)s: the file is not UTF-8 text; save it as UTF-8.")
                              % {"line": line}]) from None
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    needed = ["ballot", "projects"] + (
        ["points"] if budget.ballot_type == BallotType.CUMULATIVE else [])
    if any(name not in header for name in needed):
        raise UploadRejected([_("Line 1: the header needs the columns %(columns)s.")
                              % {"columns": ", ".join(needed)}])
    reader.fieldnames = header
    refs = paper_refs(budget)
    rows, errors, seen = [], [], set()
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                errors.append(_("Line %(line)s: the row has more fields than the header.")
                              % {"line": line})
                continue
            try:
                sheet = clean_sheet(row.get("ballot") or "")
                if sheet in seen:
                    raise ValidationError(_("Ballot %(sheet)s appears twice in the file.")
                                          % {"sheet": sheet})
                seen.add(sheet)
                selection = parse_paper_selection(budget, refs, row.get("projects") or "",
                                                  row.get("points") or "")
                clean = check_selection(budget, selection, refs.values())
            except ValidationError as error:
                errors.append(_("Line %(line)s: %(reason)s") % {"line": line,
                                                                "reason": error.messages[0]})
                continue
            rows.append((line, sheet, clean))
            if len(errors) >= 50:
                break
    except csv.Error as error:
        errors.append(_("Line %(line)s: %(reason)s") % {"line": reader.line_num,
                                                        "reason": str(error)})
    if not rows and not errors:
        errors.append(_("The file holds no ballots."))
    if errors:
        raise UploadRejected(errors)
    report = PaperImportReport()
    with transaction.atomic():
        locked = Budget.objects.select_for_update().get(pk=budget.pk)
        try:
            _check_paper_allowed(locked)
        except ValidationError as error:
            raise UploadRejected(error.messages) from None
        for line, sheet, clean in rows:
            try:
                with transaction.atomic():
                    status = _enter(locked, sheet, clean, refs=refs, actor=actor,
                                    source=PaperEntry.Source.CSV)
            except ValidationError as error:
                errors.append(_("Line %(line)s: %(reason)s") % {"line": line,
                                                                "reason": error.messages[0]})
                continue
            setattr(report, status, getattr(report, status) + 1)
        if errors:
            transaction.set_rollback(True)
            raise UploadRejected(errors)
    return report


def _check_size(data: bytes, max_bytes: int | None = None) -> None:
    limit = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    if len(data) > limit:
        raise UploadRejected([_("The file is larger than %(size)s.")
                              % {"size": filesizeformat(limit)}])


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


def _euros(cents: int) -> Fraction:
    return Fraction(int(cents), 100)


def build_election(budget: Budget) -> tuple[Election, list[Proposal], list[str]]:
    """The budget as an engine Election: the feasible proposals (number order) and every
    stored ballot; also the proposals and each voter's channel.

    Ballots are listed by their content, not by when they came, so an export does not tell
    who voted when; imported ballots keep the file's voter ids, order and columns.
    """
    proposals = ballot_proposals(budget)
    index = {p.pk: j for j, p in enumerate(proposals)}
    ballots = list(Ballot.objects.filter(budget=budget).order_by("pk")
                   .values_list("pk", "channel", "sheet", "pb_fields"))
    choices: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rows = (BallotChoice.objects.filter(ballot__budget=budget)
            .values_list("ballot_id", "proposal_id", "value").order_by("ballot_id", "pk"))
    for ballot_id, proposal_id, value in rows.iterator(chunk_size=10_000):
        if proposal_id in index:
            choices[ballot_id].append((index[proposal_id], value))
    cumulative = budget.ballot_type == BallotType.CUMULATIVE
    ranking = budget.ballot_type == BallotType.RANKING
    voters = []
    for pk, channel, sheet, extra in ballots:
        items = choices.get(pk, [])
        if ranking:
            items = sorted(items, key=lambda item: item[1])
            vote, points = tuple(j for j, _v in items), None
        elif channel == Channel.IMPORTED:
            # An imported ballot keeps the file's order of projects (choices in pk order).
            vote = tuple(j for j, _v in items)
            points = tuple(v for _j, v in items) if cumulative else None
        else:
            items = sorted(items)
            vote = tuple(j for j, _v in items)
            points = tuple(v for _j, v in items) if cumulative else None
        voters.append((channel, sheet, vote, points, extra))
    imported = any(v[0] == Channel.IMPORTED for v in voters)
    if imported:
        columns = list(voters[0][4]) if voters else []
        vote_fields = {name: [v[4].get(name, "") for v in voters] for name in columns}
        voter_ids = [v[1] for v in voters]
    else:
        voters.sort(key=lambda v: (v[2], v[3] or (), v[0]))
        vote_fields = {"channel": [v[0] for v in voters]} if voters else {}
        voter_ids = [str(n) for n in range(1, len(voters) + 1)]
    meta = {key: str(value) for key, value in (budget.pb_meta or {}).items()}
    meta.update(_meta(budget))
    election = Election(
        meta=meta,
        budget=_euros(budget.amount_cents),
        vote_type=VOTE_TYPES[budget.ballot_type],
        projects=[Project(p.project_id, _euros(p.final_cost_cents),
                          dict(p.pb_fields) if p.pb_fields else {"name": p.title})
                  for p in proposals],
        voter_ids=voter_ids,
        votes=[v[2] for v in voters],
        points=[v[3] for v in voters] if cumulative else None,
        vote_fields=vote_fields,
    )
    return election, proposals, [v[0] for v in voters]


def _meta(budget: Budget) -> dict[str, str]:
    if budget.pb_meta:
        # An imported file keeps its own description of itself.
        return {}
    meta = {
        "description": budget.title,
        "country": "Germany",
        "unit": budget.quarter.gemeinde.name,
        "subunit": budget.quarter.name,
        "instance": str(timezone.localtime(budget.voting_closes).year),
        "date_begin": timezone.localtime(budget.voting_opens).strftime("%d.%m.%Y"),
        "date_end": timezone.localtime(budget.voting_closes).strftime("%d.%m.%Y"),
        "rule": pabulib_rule(budget),
        "currency": "EUR",
        "language": "de",
    }
    if budget.rule == Budget.Rule.GREEDY and budget.min_votes:
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


def export_filename(budget: Budget) -> str:
    return f"quarter-budget-{budget.pk}.pb"


def run_count(budget: Budget, election: Election) -> dict:
    """The engine's outcome for the budget's rule (docs/pb-counting.md)."""
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
        "When its turn came, only %(left)s were left; it costs %(cost)s."),
    "stopped": gettext_lazy(
        "It did not fit in the %(left)s left (it costs %(cost)s), and counting stops at the "
        "first project that does not fit."),
    "after_stop": gettext_lazy("Counting had stopped before its turn."),
    "equal_shares": gettext_lazy(
        "Its supporters' equal shares of the budget could not pay for it, and it did not fit "
        "in the %(left)s left at the end."),
    "not_optimal": gettext_lazy(
        "Other projects within the budget together satisfy voters more."),
}
HOW_FUNDED = {
    "mes": gettext_lazy("Paid from its supporters' equal shares"),
    "completion": gettext_lazy("Funded from the money left at the end"),
}


def reason_text(row: dict) -> str:
    code = row.get("reason")
    if not code:
        return ""
    params = {k: format_money(v) if k in ("left", "cost") else v
              for k, v in (row.get("params") or {}).items()}
    return str(REASONS[code]) % params


def explain(budget: Budget, election: Election, outcome: dict,
            proposals: list[Proposal]) -> list[dict]:
    """Per project: funded or not, money (cents), supporters, and why not (a REASONS code
    with its numbers). Funded projects first, in funding order."""
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
    mes = {by_id[pid] for pid in outcome.get("mes", [])}
    costs = [p.final_cost_cents for p in proposals]
    reasons: dict[int, tuple[str, dict]] = {}
    left = budget.amount_cents - sum(costs[j] for j in selected)
    if budget.rule == Budget.Rule.GREEDY:
        remaining, stopped = budget.amount_cents, False
        order = sorted(range(len(proposals)), key=lambda j: (
            -(Fraction(score[j]) / costs[j] if sat == "points" else score[j]),
            proposals[j].project_id))
        # The engine's walk down the ranking (engine/greedy.py), to tell each step.
        for j in order:
            if budget.min_votes and score[j] < budget.min_votes:
                reasons[j] = (("below_threshold", {"min": budget.min_votes}) if score[j]
                              else ("no_votes", {}))
            elif stopped:
                reasons[j] = ("after_stop", {})
            elif j in funded:
                remaining -= costs[j]
            elif not budget.greedy_skip:
                reasons[j] = ("stopped", {"left": remaining, "cost": costs[j]})
                stopped = True
            else:
                reasons[j] = ("did_not_fit", {"left": remaining, "cost": costs[j]})
    else:
        for j in range(len(proposals)):
            if j in funded:
                continue
            if not score[j]:
                reasons[j] = ("no_votes", {})
            elif budget.rule == Budget.Rule.EQUAL_SHARES:
                reasons[j] = ("equal_shares", {"left": left})
            else:
                reasons[j] = ("not_optimal", {})
    rows = []
    unfunded = sorted(set(range(len(proposals))) - funded,
                      key=lambda j: (-supporters[j], proposals[j].pk))
    for j in selected + unfunded:
        code, params = reasons.get(j, ("", {}))
        how = ""
        if j in funded and budget.rule == Budget.Rule.EQUAL_SHARES:
            how = "mes" if j in mes else "completion"
        rows.append({
            "proposal": proposals[j].pk, "project_id": proposals[j].project_id,
            "title": proposals[j].title, "cost_cents": costs[j],
            "funded": j in funded, "how": how,
            "amount_cents": costs[j] if j in funded else 0,
            "supporters": supporters[j], "score": int(score[j]) if sat == "points" else None,
            "reason": code, "params": params,
        })
    return rows


@transaction.atomic
def compute_result(budget: Budget, *, actor) -> Result:
    """Count the stored ballots with the budget's rule and publish the result. Only once,
    after voting has closed: then no ballot can be added or changed any more, so the stored
    result can always be recounted from the stored ballots (`recount`)."""
    budget = Budget.objects.select_for_update().select_related("quarter__gemeinde").get(
        pk=budget.pk)
    if budget.phase() != Phase.RESULT:
        raise ValidationError(_("The votes are counted once voting has closed."))
    if Result.objects.filter(budget=budget).exists():
        raise ValidationError(_("The votes have been counted already."))
    election, proposals, channels = build_election(budget)
    if not proposals:
        raise ValidationError(_("There are no feasible proposals to count."))
    outcome = run_count(budget, election)
    channels_count = Counter(channels)
    digest = hashlib.sha256(format_pabulib(election).encode("utf-8")).hexdigest()
    result = Result.objects.create(
        budget=budget, outcome=outcome, projects=explain(budget, election, outcome, proposals),
        ballots_online=channels_count[Channel.ONLINE], ballots_paper=channels_count[Channel.PAPER],
        ballots_imported=channels_count[Channel.IMPORTED], election_sha256=digest,
        computed_by=_person(actor),
    )
    record_event("pb.counted", budget, actor=actor, summary=budget.title,
                 selected=outcome["selected"], ballots=len(channels), sha256=digest)
    return result


def recount(budget: Budget) -> dict:
    """The engine's outcome from the stored ballots now, to compare with the stored result."""
    election, _proposals, _channels = build_election(budget)
    return run_count(budget, election)


# Deviations -------------------------------------------------------------------------------


def decided_amounts(result: Result, deviations) -> dict[int, int]:
    """Money (cents) per proposal as decided: the computed amounts, deviations applied."""
    amounts = {row["proposal"]: row["amount_cents"] for row in result.projects}
    for deviation in deviations:
        amounts[deviation.proposal_id] = deviation.amount_cents
    return amounts


@transaction.atomic
def set_deviation(budget: Budget, proposal: Proposal, *, amount_cents: int, reason: str,
                  actor) -> Deviation | None:
    """Give a project other money than computed; only with a written reason (shown on the
    result page) and within the budget. Back to the computed amount removes the deviation
    (None); the reason then goes to the audit trail."""
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    result = Result.objects.filter(budget=budget).first()
    if result is None:
        raise ValidationError(_("Deviations are possible once the result has been computed."))
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a written reason; it is shown on the result page."))
    if proposal.budget_id != budget.pk or proposal.status != Proposal.Status.FEASIBLE:
        raise ValidationError(_("Only projects that were on the ballot can be funded."))
    if amount_cents < 0 or amount_cents > MAX_AMOUNT_CENTS:
        raise ValidationError(_("Enter an amount between 0 and the budget."))
    computed = decided_amounts(result, [])
    deviations = list(budget.deviations.exclude(proposal=proposal))
    amounts = decided_amounts(result, deviations)
    amounts[proposal.pk] = amount_cents
    if sum(amounts.values()) > budget.amount_cents:
        raise ValidationError(_("With this, %(total)s would be spent, more than the budget of "
                                "%(amount)s.") % {"total": format_money(sum(amounts.values())),
                                                  "amount": format_money(budget.amount_cents)})
    Deviation.objects.filter(budget=budget, proposal=proposal).delete()
    record_event("pb.deviation", budget, actor=actor, summary=reason, proposal=proposal.pk,
                 amount_cents=amount_cents, computed_cents=computed.get(proposal.pk, 0))
    if computed.get(proposal.pk, 0) == amount_cents:
        return None
    return Deviation.objects.create(budget=budget, proposal=proposal, amount_cents=amount_cents,
                                    reason=reason, actor=_person(actor))


def result_rows(budget: Budget, result: Result) -> tuple[list[dict], list[dict], list]:
    """The result page: funded rows (with decided amounts), unfunded rows (with the reason
    in words) and the deviations, each with their proposal."""
    deviations = list(budget.deviations.select_related("proposal").order_by("created_at"))
    amounts = decided_amounts(result, deviations)
    deviated = {d.proposal_id: d for d in deviations}
    funded, unfunded = [], []
    for row in result.projects:
        row = {**row, "decided_cents": amounts.get(row["proposal"], 0),
               "deviation": deviated.get(row["proposal"]), "reason_text": reason_text(row),
               "how_text": str(HOW_FUNDED.get(row.get("how"), ""))}
        (funded if row["decided_cents"] else unfunded).append(row)
    return funded, unfunded, deviations


# .pb import -------------------------------------------------------------------------------


@transaction.atomic
def import_pb(quarter, data: bytes, *, actor, is_demo: bool = False,
              max_bytes: int | None = None, title: str = "",
              progress: Progress = no_progress) -> Budget:
    """A budget with its proposals and ballots from a Pabulib file, counted at once. The
    vote is over: the budget is in its result phase. All or nothing; errors name the line."""
    _check_size(data, max_bytes)
    try:
        election = parse_pabulib_bytes(data)
    except PabulibError as error:
        raise UploadRejected([describe(error)]) from None
    problems = _check_importable(election)
    if problems:
        raise UploadRejected(problems)
    progress(_("Read %(projects)s projects and %(voters)s ballots.")
             % {"projects": len(election.projects), "voters": election.num_voters})
    kind = BALLOT_TYPES[election.vote_type]
    meta = election.meta
    lengths = [len(v) for v in election.votes] or [1]
    now = timezone.now()
    rule = meta.get("rule", "")
    threshold = meta.get("min_project_score_threshold", "")
    budget = Budget(
        quarter=quarter, created_by=_person(actor), is_demo=is_demo,
        title=(title or meta.get("description") or meta.get("subunit") or meta.get("unit")
               or _("Imported quarter budget"))[:200],
        amount_cents=int(election.budget * 100), residents_only=False, min_age=0,
        ballot_type=kind, access=Budget.Access.ACCOUNTS,
        min_projects=min(max(1, min(lengths)), 100) if kind == BallotType.APPROVAL else 1,
        max_projects=max(1, max(lengths)), max_ranks=max(1, max(lengths)),
        points_total=min(32767, max([1] + [int(sum(p)) for p in election.points or []])),
        proposals_open=now - timedelta(days=3), proposals_close=now - timedelta(days=2),
        voting_opens=now - timedelta(days=1), voting_closes=now,
        rule=(Budget.Rule.EQUAL_SHARES if rule.startswith("equalshares") else Budget.Rule.GREEDY),
        greedy_skip=not rule.startswith("greedy-no-skip"),
        min_votes=int(threshold) if threshold.isdigit() and len(threshold) < 10 else 0,
        pb_meta=meta,
    )
    budget.min_projects = min(budget.min_projects, budget.max_projects)
    budget.full_clean()
    budget.save()
    proposals = Proposal.objects.bulk_create(
        Proposal(budget=budget, ref=p.project_id, cost_cents=int(p.cost * 100),
                 title=(p.fields.get("name") or _("Project %(id)s") % {"id": p.project_id})[:200],
                 description=p.fields.get("description", "")[:4000], pb_fields=p.fields,
                 status=Proposal.Status.FEASIBLE, reviewed_at=now, reviewed_by=_person(actor))
        for p in election.projects
    )
    columns = election.vote_fields
    ballots = Ballot.objects.bulk_create(
        (Ballot(budget=budget, channel=Channel.IMPORTED, sheet=voter_id,
                pb_fields={name: values[i] for name, values in columns.items()})
         for i, voter_id in enumerate(election.voter_ids)), batch_size=5000,
    )
    progress(_("Stored %(n)s ballots.") % {"n": len(ballots)})

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
    record_event("pb.imported", budget, actor=actor, summary=budget.title,
                 projects=len(proposals), ballots=len(ballots))
    progress(_("Counted: %(title)s.") % {"title": budget.title})
    return budget


def _check_importable(election: Election) -> list[str]:
    problems = []
    if election.vote_type not in BALLOT_TYPES:
        problems.append(_("Ballots of type “%(type)s” are not supported; quarter budgets use "
                          "approval, choose-1, ordinal and cumulative ballots.")
                        % {"type": election.vote_type})
    if (election.budget * 100).denominator != 1 or any(
            (p.cost * 100).denominator != 1 for p in election.projects):
        problems.append(_("The budget and the costs must be amounts in whole cents."))
    if not election.projects:
        problems.append(_("The file has no projects."))
    if any(len(p.project_id) > 40 for p in election.projects) or any(
            len(v) > MAX_SHEET_LENGTH for v in election.voter_ids):
        problems.append(_("Project and voter ids may have at most 40 characters."))
    if election.points is not None and any(
            Fraction(v).denominator != 1 or v > 10**6 for points in election.points
            for v in points):
        problems.append(_("Points must be whole numbers."))
    if election.budget * 100 > MAX_AMOUNT_CENTS or any(
            p.cost * 100 > MAX_AMOUNT_CENTS for p in election.projects):
        problems.append(_("The budget or a cost is larger than ten billion euros."))
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
            "properties": {"name": f"{proposal.ref}. {proposal.title}",
                           "url": proposal.get_absolute_url()},
        })
    return {"type": "FeatureCollection", "features": features}
