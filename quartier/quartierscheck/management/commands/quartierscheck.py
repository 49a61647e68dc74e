import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quartier.places.services import ImportRejected
from quartier.quartierscheck import engine, files, services


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
        else:
            self.compute(**options)
            return
        if not options["no_recompute"]:
            self.recompute()

    def recompute(self):
        try:
            run = services.recompute(progress=self.stdout.write)
        except services.CheckFailed as failed:
            raise CommandError(f"{failed}\nThe last good results stay in place.",
                               returncode=2) from None
        self.stdout.write(self.style.SUCCESS(
            f"{run.quarters:,} quarters, {run.cells:,} cells and {run.anchors:,} anchors "
            f"computed in {run.seconds:.1f} s."))

    def compute(self, *, cells, anchors, out, detour, **options):
        if not 1 <= detour <= 5:
            raise CommandError("--detour must lie between 1 and 5.", returncode=2)
        if not out.parent.exists():
            raise CommandError(f"{out.parent} does not exist.", returncode=2)
        try:
            cell_data = files.read_cells(cells)
            self.stdout.write(f"{len(cell_data.ids):,} cells read")
            anchor_data = files.read_anchors(anchors)
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
