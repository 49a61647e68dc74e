import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quartier.formats import number
from quartier.places.services import ImportRejected
from quartier.quartierscheck import engine, files, services
from quartier.quartierscheck.models import CheckRun


class Command(BaseCommand):
    help = "Quarter check (Sozialraumanalyse). `compute` checks the figures for any files."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        compute = sub.add_parser(
            "compute",
            help="Walking distance to the nearest anchor of each kind and counts within "
            "300/500/1,000 m for every cell.",
        )
        compute.add_argument("--cells", type=Path, required=True,
                             help="CSV with id,x,y,population (EPSG:25832 metres)")
        compute.add_argument("--anchors", type=Path, required=True,
                             help="CSV with id,kind,x,y (EPSG:25832 metres)")
        compute.add_argument("--out", type=Path, required=True,
                             help="CSV to write: cell_id,kind,nearest_m,within_300,…")
        compute.add_argument("--detour", type=float, default=engine.DEFAULT_DETOUR,
                             help=f"walking / straight-line distance (default "
                                  f"{engine.DEFAULT_DETOUR})")
        compute.add_argument("--kinds", default="",
                             help="comma-separated kinds to write rows for even when the "
                                  "anchors file has none of them (nearest_m stays empty)")
        grid = sub.add_parser("import-grid", help="Replace the residents by a census grid CSV "
                              "(Gitter_ID_100m, x_mp_100m, y_mp_100m, Einwohner).")
        grid.add_argument("file", type=Path)
        demo = sub.add_parser("demo-grid", help="Replace the residents by the demo grid.")
        demo.add_argument("--seed", type=int, default=2018)
        for command in (grid, demo):
            command.add_argument("--no-recompute", action="store_true",
                                 help="do not recompute the figures afterwards")
        sub.add_parser("recompute", help="Recompute the figures of every quarter, Kreis and "
                       "the Land now (the web pages show the progress too).")
        status = sub.add_parser("status", help="The state of the latest recomputations.")
        status.add_argument("--follow", action="store_true",
                            help="print the progress of a waiting or running recomputation "
                            "until it ends")

    def handle(self, *args, action, **options):
        if action == "import-grid":
            try:
                count = services.import_grid(options["file"], progress=self.stdout.write)
            except ImportRejected as rejected:
                for error in rejected.errors:
                    self.stderr.write(str(error))
                errors = len(rejected.errors)
                raise CommandError(ngettext("%(n)s error; nothing was changed.",
                                            "%(n)s errors; nothing was changed.", errors)
                                   % {"n": number(errors)}, returncode=2) from None
            except OSError as error:
                raise CommandError(_("%(file)s: %(error)s")
                                   % {"file": options["file"], "error": error.strerror},
                                   returncode=2) from None
            self.stdout.write(self.style.SUCCESS(
                ngettext("%(n)s populated cell imported.", "%(n)s populated cells imported.",
                         count) % {"n": number(count)}))
        elif action == "demo-grid":
            count = services.generate_demo_grid(seed=options["seed"], progress=self.stdout.write)
            self.stdout.write(self.style.SUCCESS(
                ngettext("%(n)s demo cell created.", "%(n)s demo cells created.", count)
                % {"n": number(count)}))
        elif action == "recompute":
            self.recompute()
            return
        elif action == "status":
            self.status(follow=options["follow"])
            return
        else:
            self.compute(**options)
            return
        if not options["no_recompute"]:
            self.recompute()

    def recompute(self):
        try:
            run = services.recompute(progress=self.stdout.write)
        except services.CheckFailed as failed:
            lines = [_(str(failed)), _("The last good results stay in place.")]
            raise CommandError("\n".join(lines), returncode=2) from None
        if run is None or run.status != CheckRun.Status.DONE:
            self.stdout.write(_("Another computation took over; see `quartierscheck status`."))
            return
        self.stdout.write(self.style.SUCCESS(
            _("%(quarters)s, %(cells)s and %(anchors)s computed in %(seconds)s s.") % {
                "quarters": _quarters(run.quarters), "cells": _cells(run.cells),
                "anchors": _anchors(run.anchors), "seconds": number(run.seconds, 1)}))
        for warning in run.warnings:
            self.stdout.write(self.style.WARNING(warning))

    def status(self, *, follow: bool):
        for run in CheckRun.objects.order_by("-pk")[:5]:
            self.stdout.write(self.describe(run))
        seen = None
        while follow:
            active = services.active_run()
            if active is None:
                break
            line = self.describe(active)
            if line != seen:
                self.stdout.write(line)
                seen = line
            time.sleep(0.5)
        current = services.current_run()
        self.stdout.write(_("Current results: run %(run)s of %(when)s")
                          % {"run": current.pk,
                             "when": f"{localtime(current.finished_at):%Y-%m-%d %H:%M}"}
                          if current else _("No results yet."))
        if services.active_run() is None and services.inputs_changed_since(current):
            self.stdout.write(self.style.WARNING(_(
                "Anchors or quarters changed after these results (imports queue no run by "
                "themselves): run `quartier quartierscheck recompute`.")))

    def describe(self, run: CheckRun) -> str:
        when = localtime(run.finished_at or run.started_at or run.created_at)
        return _("run %(run)s: %(status)s, %(pct)s %% (%(message)s), %(when)s") % {
            "run": run.pk, "status": run.get_status_display(), "pct": run.progress_pct,
            "message": _(run.message) if run.message else "-",
            "when": f"{when:%Y-%m-%d %H:%M:%S}"}

    def compute(self, *, cells, anchors, out, detour, kinds, **options):
        if not 1 <= detour <= 5:
            raise CommandError(_("--detour must lie between 1 and 5."), returncode=2)
        if not out.parent.is_dir():
            raise CommandError(_("%(folder)s does not exist. Nothing was written.")
                               % {"folder": out.parent}, returncode=2)
        if out.is_dir():
            raise CommandError(_("--out %(path)s is a directory; name a file. Nothing was "
                                 "written.") % {"path": out}, returncode=2)
        also_kinds = tuple(k.strip() for k in kinds.split(",") if k.strip())
        try:
            cell_data = files.read_cells(cells)
            self.stdout.write(_("%(cells)s read") % {"cells": _cells(len(cell_data.ids))})
            anchor_data = files.read_anchors(anchors, also_kinds=also_kinds)
            kinds = len(anchor_data.kinds)
            self.stdout.write(ngettext("%(anchors)s of %(n)s kind read",
                                       "%(anchors)s of %(n)s kinds read", kinds)
                              % {"anchors": _anchors(len(anchor_data.ids)), "n": number(kinds)})
        except files.FileProblem as problem:
            lines = [p.text(_) for p in problem.problems] + [_("Nothing was written.")]
            raise CommandError("\n".join(lines), returncode=2) from None
        started = time.perf_counter()
        result = engine.reach(cell_data.xy, anchor_data.xy, anchor_data.kind, anchor_data.kinds,
                              detour=detour)
        self.stdout.write(_("computed in %(seconds)s s")
                          % {"seconds": number(time.perf_counter() - started, 2)})
        rows = files.write_reach(out, cell_data.ids, result)
        self.stdout.write(self.style.SUCCESS(
            ngettext("%(n)s row written to %(path)s", "%(n)s rows written to %(path)s", rows)
            % {"n": number(rows), "path": out}))


def _quarters(n: int) -> str:
    return ngettext("%(n)s quarter", "%(n)s quarters", n) % {"n": number(n)}


def _cells(n: int) -> str:
    return ngettext("%(n)s cell", "%(n)s cells", n) % {"n": number(n)}


def _anchors(n: int) -> str:
    return ngettext("%(n)s anchor", "%(n)s anchors", n) % {"n": number(n)}
