import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

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
                raise CommandError(f"{len(rejected.errors)} errors; nothing was changed.",
                                   returncode=2) from None
            except OSError as error:
                raise CommandError(f"{options['file']}: {error.strerror}", returncode=2) from None
            self.stdout.write(self.style.SUCCESS(f"{count:,} populated cells imported."))
        elif action == "demo-grid":
            count = services.generate_demo_grid(seed=options["seed"], progress=self.stdout.write)
            self.stdout.write(self.style.SUCCESS(f"{count:,} demo cells created."))
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
            raise CommandError(f"{_(str(failed))}\nThe last good results stay in place.",
                               returncode=2) from None
        if run is None or run.status != CheckRun.Status.DONE:
            self.stdout.write("Another computation took over; see `quartierscheck status`.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"{run.quarters:,} quarters, {run.cells:,} cells and {run.anchors:,} anchors "
            f"computed in {run.seconds:.1f} s."))
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
        self.stdout.write(f"Current results: run {current.pk} of "
                          f"{localtime(current.finished_at):%Y-%m-%d %H:%M}" if current
                          else "No results yet.")
        if services.active_run() is None and services.inputs_changed_since(current):
            self.stdout.write(self.style.WARNING(
                "Anchors or quarters changed after these results (imports queue no run by "
                "themselves): run `quartier quartierscheck recompute`."))

    def describe(self, run: CheckRun) -> str:
        when = localtime(run.finished_at or run.started_at or run.created_at)
        return (f"run {run.pk}: {run.get_status_display()}, {run.progress_pct} % "
                f"({_(run.message) if run.message else '-'}), {when:%Y-%m-%d %H:%M:%S}")

    def compute(self, *, cells, anchors, out, detour, kinds, **options):
        if not 1 <= detour <= 5:
            raise CommandError("--detour must lie between 1 and 5.", returncode=2)
        if not out.parent.is_dir():
            raise CommandError(f"{out.parent} does not exist. Nothing was written.",
                               returncode=2)
        if out.is_dir():
            raise CommandError(f"--out {out} is a directory; name a file. Nothing was written.",
                               returncode=2)
        also_kinds = tuple(k.strip() for k in kinds.split(",") if k.strip())
        try:
            cell_data = files.read_cells(cells)
            self.stdout.write(f"{len(cell_data.ids):,} cells read")
            anchor_data = files.read_anchors(anchors, also_kinds=also_kinds)
            self.stdout.write(f"{len(anchor_data.ids):,} anchors of "
                              f"{len(anchor_data.kinds)} kinds read")
        except files.FileProblem as problem:
            raise CommandError(f"{problem}\nNothing was written.", returncode=2) from None
        started = time.perf_counter()
        result = engine.reach(cell_data.xy, anchor_data.xy, anchor_data.kind, anchor_data.kinds,
                              detour=detour)
        self.stdout.write(f"computed in {time.perf_counter() - started:.2f} s")
        rows = files.write_reach(out, cell_data.ids, result)
        self.stdout.write(self.style.SUCCESS(f"{rows:,} rows written to {out}"))
