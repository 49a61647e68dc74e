"""Read and write the Pabulib `.pb` format.

A file has three sections in this order, each a header row then semicolon-separated rows with
csv quoting ("" inside a quoted field is a quote):

    META       key;value          budget, vote_type, num_projects, num_votes, rule, ...
    PROJECTS   project_id;cost;…  one row per project, costs > 0
    VOTES      voter_id;vote;…    `vote` lists project ids separated by commas; cumulative and
                                  scoring ballots add `points`, one number per listed project

Money and points are exact: costs and the budget parse to `Fraction` (a comma may stand for the
decimal point), points to `int` or `Fraction`. Every problem raises `PabulibError`, whose
message starts with the 1-based line number. `format_pabulib(parse_pabulib(text))` parses back
to an equal `Election`.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

VOTE_TYPES = ("approval", "choose-1", "ordinal", "cumulative", "scoring")
SECTIONS = ("META", "PROJECTS", "VOTES")
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")


class PabulibError(ValueError):
    """A malformed file; `line` is the 1-based line of the problem (None for the whole file)."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        self.reason = message
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass
class Project:
    project_id: str
    cost: Fraction
    # The other PROJECTS columns (name, votes, selected, ...) as text, in header order.
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class Election:
    """One `.pb` file. Ballots refer to projects by their index in `projects` (file order)."""

    meta: dict[str, str]
    budget: Fraction
    vote_type: str
    projects: list[Project]
    voter_ids: list[str]
    # Per voter the indices of the projects on the ballot, in the ballot's order (a ranking
    # for ordinal ballots).
    votes: list[tuple[int, ...]]
    # Cumulative and scoring ballots: per voter the points, aligned with `votes`; else None
    # (a points column on other ballots stays in `vote_fields`).
    points: list[tuple[int | Fraction, ...]] | None = None
    # The other VOTES columns (age, sex, ...) as text as in the file, one list per column.
    vote_fields: dict[str, list[str]] = field(default_factory=dict)

    @property
    def num_voters(self) -> int:
        return len(self.votes)

    def index_of(self, project_id: str) -> int:
        for index, project in enumerate(self.projects):
            if project.project_id == project_id:
                return index
        raise KeyError(project_id)


def parse_number(text: str) -> Fraction:
    """Exact value of a decimal such as `1546168.66` or `12,5`; ValueError otherwise."""
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        raise ValueError(text)
    return Fraction(text.replace(",", "."))


def _points(text: str) -> int | Fraction:
    text = text.strip()
    if text.isdigit():
        return int(text)
    value = parse_number(text)
    return int(value) if value.denominator == 1 else value


def read_pabulib(path: str | Path) -> Election:
    """Parse a `.pb` file (UTF-8, with or without byte-order mark)."""
    return parse_pabulib_bytes(Path(path).read_bytes())


def parse_pabulib_bytes(data: bytes) -> Election:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PabulibError(
            f"not UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})", line
        ) from None
    return parse_pabulib(text)


@contextmanager
def _without_gc():
    # A big file makes ~10^6 small objects; the cyclic collector would rescan them all many times.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_pabulib(text: str) -> Election:
    """Parse the text of a `.pb` file; see the module docstring for the format."""
    with _without_gc():
        return _parse(text)


def _parse(text: str) -> Election:
    if text.startswith("\ufeff"):
        text = text[1:]
    # META and PROJECTS are small: read them with csv. VOTES can have 100,000 rows: split it
    # by hand unless it quotes fields.
    votes_at = _VOTES_LINE.search(text)
    head = text[: votes_at.start()] if votes_at else text
    sections, last_line = _read_sections(csv.reader(io.StringIO(head, newline=""), delimiter=";"))
    for name in SECTIONS[:2]:
        if name not in sections:
            found = " (found VOTES first)" if votes_at else ""
            raise PabulibError(f"section {name} is missing{found}", last_line + 1)
    if votes_at is None:
        raise PabulibError("section VOTES is missing", last_line + 1)
    first_line = head.count("\n") + 1
    sections["VOTES"] = _read_votes_section(text[votes_at.end() :], first_line)

    meta, meta_lines = _parse_meta(*sections["META"])
    budget = _parse_budget(meta, meta_lines, sections["META"][0])
    vote_type = meta.get("vote_type", "").strip()
    if "vote_type" not in meta:
        raise PabulibError("META has no vote_type", sections["META"][0])
    if vote_type not in VOTE_TYPES:
        raise PabulibError(
            f"unknown vote_type {vote_type!r} (expected one of {', '.join(VOTE_TYPES)})",
            meta_lines["vote_type"],
        )
    projects = _parse_projects(*sections["PROJECTS"])
    election = _parse_votes(*sections["VOTES"], meta, budget, vote_type, projects)
    _check_count(meta, meta_lines, "num_projects", len(projects), "projects")
    _check_count(meta, meta_lines, "num_votes", len(election.votes), "votes")
    return election


_VOTES_LINE = re.compile(r"^[ \t]*VOTES[ \t;\r]*$", re.IGNORECASE | re.MULTILINE)
# Starts at the newline before the line; spelled out case by case, which is 5x faster.
_SECTION_LINE = re.compile(
    r"\n[ \t]*([Mm][Ee][Tt][Aa]|[Pp][Rr][Oo][Jj][Ee][Cc][Tt][Ss]|[Vv][Oo][Tt][Ee][Ss])"
    r"[ \t;\r]*(?=\n|$)"
)


def _section_name(row: list[str]) -> str | None:
    cells = [cell.strip() for cell in row]
    while cells and not cells[-1]:
        cells.pop()
    if len(cells) == 1 and cells[0].upper() in SECTIONS:
        return cells[0].upper()
    return None


def _read_sections(reader):
    """META and PROJECTS as {name: (header line, header, [(line, row), ...])}."""
    sections: dict[str, tuple[int, list[str], list[tuple[int, list[str]]]]] = {}
    current: list[tuple[int, list[str]]] | None = None
    last_line = 0
    for row in reader:
        line = reader.line_num
        last_line = line
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        name = _section_name(row)
        if name:
            expected = SECTIONS[len(sections)]
            if name in sections:
                raise PabulibError(f"section {name} appears twice", line)
            if name != expected:
                raise PabulibError(f"section {expected} is missing (found {name} first)", line)
            header = next(reader, None)
            if header is None:
                raise PabulibError(f"section {name} has no header row", line + 1)
            current = []
            last_line = reader.line_num
            sections[name] = (last_line, [h.strip() for h in header], current)
            continue
        if current is None:
            raise PabulibError("expected the section name META on the first line", line)
        current.append((line, row))
    return sections, last_line


def _read_votes_section(body: str, votes_line: int):
    """The VOTES section (text after its name): header line, header, line numbers, rows."""
    if '"' in body:
        reader = csv.reader(io.StringIO(body, newline=""), delimiter=";")
        next(reader, None)  # the rest of the VOTES line
        numbered = [
            (votes_line + reader.line_num - 1, row)
            for row in reader
            if row and not (len(row) == 1 and not row[0].strip())
        ]
    else:
        if "\r" in body:
            body = body.replace("\r\n", "\n")
        lines = body.split("\n")
        numbered = [
            (line, text.split(";"))
            for line, text in enumerate(lines[1:], votes_line + 1)
            if text and not text.isspace()
        ]
    if not numbered:
        raise PabulibError("section VOTES has no header row", votes_line + 1)
    header_line, header = numbered[0]
    later = _SECTION_LINE.search(body)
    if later:
        line = votes_line + body.count("\n", 0, later.start()) + 1
        name = later.group(1).upper()
        again = "appears twice" if name == "VOTES" else "appears after VOTES"
        raise PabulibError(f"section {name} {again}", line)
    numbers = [line for line, _ in numbered[1:]]
    rows = [row for _, row in numbered[1:]]
    return header_line, [h.strip() for h in header], numbers, rows


def _parse_meta(header_line, header, rows):
    if header[:2] != ["key", "value"]:
        raise PabulibError("META header must be key;value", header_line)
    meta: dict[str, str] = {}
    lines: dict[str, int] = {}
    for line, row in rows:
        key = row[0].strip()
        if len(row) != 2:
            raise PabulibError(f"META row {key!r} needs exactly 2 fields, has {len(row)}", line)
        if key in meta:
            raise PabulibError(f"duplicate META key {key!r}", line)
        meta[key] = row[1].strip()
        lines[key] = line
    return meta, lines


def _parse_budget(meta, lines, header_line) -> Fraction:
    if "budget" not in meta:
        raise PabulibError("META has no budget", header_line)
    try:
        budget = parse_number(meta["budget"])
    except ValueError:
        raise PabulibError(f"budget {meta['budget']!r} is not a number", lines["budget"]) from None
    if budget <= 0:
        raise PabulibError(f"budget must be positive, is {meta['budget']}", lines["budget"])
    return budget


def _check_count(meta, lines, key, actual, what) -> None:
    if key not in meta:
        return
    value = meta[key]
    if not value.isdigit() or int(value) != actual:
        raise PabulibError(f"{key} is {value} but the file has {actual} {what}", lines[key])


def _parse_projects(header_line, header, rows) -> list[Project]:
    for column in ("project_id", "cost"):
        if column not in header:
            raise PabulibError(f"PROJECTS header has no {column} column", header_line)
    if len(set(header)) != len(header):
        raise PabulibError("PROJECTS header repeats a column", header_line)
    id_at, cost_at = header.index("project_id"), header.index("cost")
    projects: list[Project] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        if len(row) != len(header):
            raise PabulibError(f"project row has {len(row)} fields, header has {len(header)}", line)
        project_id = row[id_at].strip()
        if not project_id:
            raise PabulibError("empty project_id", line)
        if project_id in seen:
            raise PabulibError(
                f"duplicate project_id {project_id!r} (first on line {seen[project_id]})", line
            )
        seen[project_id] = line
        try:
            cost = parse_number(row[cost_at])
        except ValueError:
            raise PabulibError(
                f"cost {row[cost_at]!r} of project {project_id} is not a number", line
            ) from None
        if cost <= 0:
            raise PabulibError(f"cost of project {project_id} must be positive, is {cost}", line)
        fields = {
            name: value.strip()
            for name, value in zip(header, row, strict=True)
            if name not in ("project_id", "cost")
        }
        projects.append(Project(project_id, cost, fields))
    return projects


def _parse_votes(header_line, header, numbers, rows, meta, budget, vote_type, projects):
    for column in ("voter_id", "vote"):
        if column not in header:
            raise PabulibError(f"VOTES header has no {column} column", header_line)
    if len(set(header)) != len(header):
        raise PabulibError("VOTES header repeats a column", header_line)
    with_points = vote_type in ("cumulative", "scoring")
    if with_points and "points" not in header:
        raise PabulibError(f"VOTES header has no points column ({vote_type} ballots)", header_line)
    id_at, vote_at = header.index("voter_id"), header.index("vote")
    points_at = header.index("points") if "points" in header else None
    extra = [(i, name) for i, name in enumerate(header) if name not in ("voter_id", "vote")]
    if with_points:
        extra = [(i, name) for i, name in extra if name != "points"]
    index = {p.project_id: i for i, p in enumerate(projects)}
    width = len(header)
    if set(map(len, rows)) - {width}:
        at = next(i for i, row in enumerate(rows) if len(row) != width)
        raise PabulibError(f"vote row has {len(rows[at])} fields, header has {width}", numbers[at])
    cells = list(zip(*rows, strict=True)) or [()] * width
    voter_ids = [v.strip() for v in cells[id_at]]
    if len(set(voter_ids)) != len(voter_ids):
        seen: dict[str, int] = {}
        for line, voter_id in zip(numbers, voter_ids, strict=True):
            if voter_id in seen:
                raise PabulibError(
                    f"duplicate voter_id {voter_id!r} (first on line {seen[voter_id]})", line
                )
            seen[voter_id] = line
    # Many voters cast the same ballot: check and convert each distinct text once, in the
    # order of first appearance so that an error names the first bad line.
    texts = cells[vote_at]
    ballots = {}
    for text, at in _first_rows(texts).items():
        ballots[text] = _ballot(text, index, vote_type, voter_ids[at], numbers[at])
    votes = list(map(ballots.__getitem__, texts))
    points: list[tuple[int | Fraction, ...]] | None = None
    if with_points:
        raws = cells[points_at]
        known = {}
        for raw, at in _first_rows(raws).items():
            known[raw] = _point_list(raw, voter_ids[at], numbers[at])
        points = list(map(known.__getitem__, raws))
        for at, (ballot, numbers_given) in enumerate(zip(votes, points, strict=True)):
            if len(numbers_given) != len(ballot):
                raise PabulibError(
                    f"voter {voter_ids[at]} lists {len(ballot)} projects "
                    f"but {len(numbers_given)} points",
                    numbers[at],
                )
    columns = {name: list(cells[i]) for i, name in extra}
    return Election(meta, budget, vote_type, projects, voter_ids, votes, points, columns)


def _first_rows(values) -> dict:
    """Each distinct value with the index of its first row, in the order of first rows."""
    last_wins = dict(zip(reversed(values), range(len(values) - 1, -1, -1), strict=True))
    return dict(sorted(last_wins.items(), key=lambda item: item[1]))


def _ballot(text, index, vote_type, voter_id, line) -> tuple[int, ...]:
    text = text.strip()
    names = [name.strip() for name in text.split(",")] if text else []
    try:
        ballot = tuple(index[name] for name in names)
    except KeyError:
        unknown = next(name for name in names if name not in index)
        raise PabulibError(
            f"voter {voter_id} votes for unknown project {unknown!r}", line
        ) from None
    if len(set(ballot)) != len(ballot):
        twice = next(name for name in names if names.count(name) > 1)
        raise PabulibError(f"voter {voter_id} lists project {twice!r} twice", line)
    if vote_type == "choose-1" and len(ballot) > 1:
        raise PabulibError(
            f"voter {voter_id} chooses {len(ballot)} projects on a choose-1 ballot", line
        )
    return ballot


def _point_list(raw, voter_id, line) -> tuple[int | Fraction, ...]:
    raw = raw.strip()
    try:
        numbers = tuple(_points(v) for v in raw.split(",")) if raw else ()
    except ValueError:
        raise PabulibError(f"points {raw!r} of voter {voter_id} are not numbers", line) from None
    if any(n < 0 for n in numbers):
        raise PabulibError(f"points of voter {voter_id} must not be negative", line)
    return numbers


def format_number(value: int | Fraction) -> str:
    """`Fraction(154616866, 100)` -> `1546168.66`; raises ValueError for non-decimal values."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    denominator, twos, fives = value.denominator, 0, 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        raise ValueError(f"{value} has no finite decimal expansion")
    digits = max(twos, fives)
    scaled = abs(value) * 10**digits
    whole, fraction = divmod(int(scaled), 10**digits)
    sign = "-" if value < 0 else ""
    return f"{sign}{whole}.{fraction:0{digits}d}"


def format_pabulib(election: Election) -> str:
    """The `.pb` text of an election; budget, vote_type and the counts come from the data."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = dict(election.meta)
    meta["budget"] = format_number(election.budget)
    meta["vote_type"] = election.vote_type
    meta["num_projects"] = str(len(election.projects))
    meta["num_votes"] = str(len(election.votes))
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(meta.items())
    columns = ["project_id", "cost"]
    for project in election.projects:
        columns += [name for name in project.fields if name not in columns]
    writer.writerow(["PROJECTS"])
    writer.writerow(columns)
    for project in election.projects:
        row = [project.project_id, format_number(project.cost)]
        writer.writerow(row + [project.fields.get(name, "") for name in columns[2:]])
    header = ["voter_id", "vote"]
    if election.points is not None:
        header.append("points")
    header += list(election.vote_fields)
    writer.writerow(["VOTES"])
    writer.writerow(header)
    ids = [p.project_id for p in election.projects]
    for i, (voter_id, ballot) in enumerate(zip(election.voter_ids, election.votes, strict=True)):
        row = [voter_id, ",".join(ids[j] for j in ballot)]
        if election.points is not None:
            row.append(",".join(format_number(v) for v in election.points[i]))
        row += [values[i] for values in election.vote_fields.values()]
        writer.writerow(row)
    return out.getvalue()


def write_pabulib(election: Election, path: str | Path) -> None:
    Path(path).write_text(format_pabulib(election), encoding="utf-8")
