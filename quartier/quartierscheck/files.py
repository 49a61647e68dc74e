"""Reading and writing the quarter check's plain files (no Django): cells, anchors, results.

Bad input raises FileProblem naming the file, the line and what is wrong; nothing is written
then. The messages are English msgids with their values, so the command can give them in the
reader's language.
"""

import csv
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from quartier.quartierscheck.engine import Reach

MAX_ERRORS = 20


def gettext_noop(message: str) -> str:
    """Marks a message for the catalog (makemessages); translating is the caller's part."""
    return message


def _as_written(message: str) -> str:
    return message


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: the line (0: the file as a whole), the column ("" for
    none) and the reason, an English msgid with its values."""

    path: str
    line: int
    column: str
    reason: str
    values: dict = field(default_factory=dict)

    def text(self, gettext=_as_written) -> str:
        """The problem in words; `gettext` translates (the default leaves it English)."""
        values = {"file": self.path, "line": self.line, "field": self.column,
                  "reason": gettext(self.reason) % self.values}
        if not self.line:
            return gettext(gettext_noop("%(file)s: %(reason)s")) % values
        if not self.column:
            return gettext(gettext_noop("%(file)s, line %(line)s: %(reason)s")) % values
        return gettext(gettext_noop("%(file)s, line %(line)s, %(field)s: %(reason)s")) % values

    def __str__(self) -> str:
        return self.text()


class FileProblem(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Cells:
    ids: list[str]
    xy: np.ndarray
    population: np.ndarray


@dataclass(frozen=True)
class Anchors:
    ids: list[str]
    xy: np.ndarray
    kind: np.ndarray  # index into kinds
    kinds: tuple[str, ...]  # sorted


def _rows(path: Path, required: tuple[str, ...]):
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except OSError as error:
        raise FileProblem([Problem(str(path), 0, "", gettext_noop("cannot be read (%(error)s)"),
                                   {"error": error.strerror})]) from None
    with handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            if missing:
                raise FileProblem([Problem(str(path), 1, "",
                                           gettext_noop("missing columns: %(cols)s"),
                                           {"cols": ", ".join(missing)})])
            for row in reader:
                yield reader.line_num, row
        except UnicodeDecodeError:
            raise FileProblem([Problem(str(path), 0, "", gettext_noop("not UTF-8 text"))]) \
                from None
        except csv.Error as error:
            raise FileProblem([Problem(str(path), reader.line_num, "",
                                       gettext_noop("not a CSV file: %(error)s"),
                                       {"error": str(error)})]) from None


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _check_id(problems, seen, path, line, value):
    value = (value or "").strip()
    if not value:
        problems.append(Problem(str(path), line, "id", gettext_noop("is empty")))
    elif value in seen:
        problems.append(Problem(str(path), line, "id", gettext_noop("%(id)s appears twice"),
                                {"id": value}))
    seen.add(value)
    return value


def read_cells(path: Path) -> Cells:
    """`id,x,y,population`: cell centres in EPSG:25832 metres, residents ≥ 0."""
    ids, xs, ys, people, problems, seen = [], [], [], [], [], set()
    for line, row in _rows(path, ("id", "x", "y", "population")):
        if None in row or None in row.values():
            problems.append(Problem(str(path), line, "", gettext_noop("wrong number of columns")))
            continue
        cell_id = _check_id(problems, seen, path, line, row["id"])
        x, y = _number(row["x"]), _number(row["y"])
        if x is None or y is None:
            problems.append(Problem(str(path), line, "x/y",
                                    gettext_noop("must be numbers (EPSG:25832 metres)")))
        population = row["population"].strip()
        if not (population.isascii() and population.isdigit()):
            problems.append(Problem(str(path), line, "population",
                                    gettext_noop("must be a whole number ≥ 0")))
        if len(problems) >= MAX_ERRORS:
            break
        if not problems:
            ids.append(cell_id)
            xs.append(x)
            ys.append(y)
            people.append(int(population))
    if problems:
        raise FileProblem(problems)
    return Cells(ids, np.column_stack([xs, ys]).reshape(-1, 2), np.array(people, dtype=np.int64))


def read_anchors(path: Path, *, also_kinds: tuple[str, ...] = ()) -> Anchors:
    """`id,kind,x,y`: anchors in EPSG:25832 metres. The kinds are those of the file and
    `also_kinds` (kinds that may have no anchor), sorted by name."""
    ids, xs, ys, kinds, problems, seen = [], [], [], [], [], set()
    for line, row in _rows(path, ("id", "kind", "x", "y")):
        if None in row or None in row.values():
            problems.append(Problem(str(path), line, "", gettext_noop("wrong number of columns")))
            continue
        anchor_id = _check_id(problems, seen, path, line, row["id"])
        kind = row["kind"].strip()
        if not kind:
            problems.append(Problem(str(path), line, "kind", gettext_noop("is empty")))
        x, y = _number(row["x"]), _number(row["y"])
        if x is None or y is None:
            problems.append(Problem(str(path), line, "x/y",
                                    gettext_noop("must be numbers (EPSG:25832 metres)")))
        if len(problems) >= MAX_ERRORS:
            break
        if not problems:
            ids.append(anchor_id)
            xs.append(x)
            ys.append(y)
            kinds.append(kind)
    if problems:
        raise FileProblem(problems)
    names = tuple(sorted(set(kinds) | set(also_kinds)))
    index = {name: i for i, name in enumerate(names)}
    return Anchors(ids, np.column_stack([xs, ys]).reshape(-1, 2),
                   np.array([index[k] for k in kinds], dtype=np.int64), names)


def write_reach(path: Path, cell_ids: list[str], result: Reach) -> int:
    """One row per cell and kind; written to a temporary file first, so a failure leaves
    no partial output. Returns the number of rows."""
    path = Path(path)
    header = ["cell_id", "kind", "nearest_m", *[f"within_{r}" for r in result.radii_m]]
    handle, temporary = tempfile.mkstemp(dir=path.parent or ".", suffix=".part")
    rows = 0
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(header)
            for c, cell_id in enumerate(cell_ids):
                for k, kind in enumerate(result.kinds):
                    nearest = result.nearest_m[k, c]
                    writer.writerow([
                        cell_id, kind,
                        f"{nearest:.3f}" if math.isfinite(nearest) else "",
                        *result.within[k, :, c].tolist(),
                    ])
                    rows += 1
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return rows
