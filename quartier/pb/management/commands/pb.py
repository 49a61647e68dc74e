import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quartier.pb.engine.count import RULES, SATS, count
from quartier.pb.engine.pabulib import PabulibError, parse_number, read_pabulib
from quartier.pb.engine.profile import SatisfactionError
from quartier.pb.engine.published import UnknownRule


class Command(BaseCommand):
    help = "Participatory budgeting: `pb count FILE.pb` prints the outcome of a rule as JSON."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        counting = actions.add_parser(
            "count",
            help="Count a Pabulib file; exit status 2 on a bad file.",
            description=(
                "Prints one JSON object: selected (project ids, in the order the rule funded "
                "them; file order for max-welfare), spent, budget, rule, sat, voters."
            ),
        )
        counting.add_argument("file", type=Path)
        counting.add_argument("--rule", choices=RULES, default="greedy")
        counting.add_argument(
            "--sat",
            choices=SATS,
            help="satisfaction: cost or cardinality for approval, choose-1 and ordinal "
            "ballots, points for cumulative and scoring ballots (default: the first)",
        )
        counting.add_argument(
            "--no-skip",
            action="store_true",
            help="greedy: stop at the first project that does not fit",
        )
        counting.add_argument(
            "--min-score", help="greedy: leave out projects with fewer votes (or points)"
        )

    def handle(self, *args, action, file, rule, sat, no_skip, min_score, **options):
        try:
            election = read_pabulib(file)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}", returncode=2) from None
        except PabulibError as error:
            raise CommandError(f"{file}: {error}", returncode=2) from None
        try:
            threshold = parse_number(min_score) if min_score is not None else None
        except ValueError:
            raise CommandError(f"--min-score {min_score!r} is not a number", returncode=2) from None
        try:
            result = count(election, rule, sat, skip=not no_skip, min_score=threshold)
        except (SatisfactionError, UnknownRule) as error:
            raise CommandError(f"{file}: {error}", returncode=2) from None
        self.stdout.write(json.dumps({"file": file.name, **result}, ensure_ascii=False))
