"""Open data of the budget ledger: the sums the public overview shows, as JSON.

Only sums: no measures, notes or people (those are for programme staff, docs/budget.md).
"""

from ninja import Router, Schema

from quartier.budget import services

router = Router()


class LineOut(Schema):
    code: str
    title: str
    fiscal_years: str
    amount_cents: int
    committed_cents: int
    disbursed_cents: int
    available_cents: int
    is_demo: bool

    @staticmethod
    def resolve_fiscal_years(line):
        return line.years_label


class KreisOut(Schema):
    ags: str
    name: str
    population: int | None
    committed_cents: int
    disbursed_cents: int


class KreiseOut(Schema):
    kreise: list[KreisOut]
    statewide_committed_cents: int
    statewide_disbursed_cents: int


@router.get("/budget-lines", response=list[LineOut], summary="Budget lines and their sums",
            description="Every budget line with its amount and the net committed, paid-out and "
                        "still available money in cents, newest budget first.")
def budget_lines(request):
    return list(services.lines_for())


@router.get("/budget-kreise", response=KreiseOut, summary="Money per Kreis",
            description="Net committed and paid-out money per Kreis over all budget lines; "
                        "statewide measures (no Kreis) separately.")
def budget_kreise(request):
    kreise, statewide = services.kreis_totals()
    return {
        "kreise": [{"ags": k.ags, "name": k.name, "population": k.population,
                    "committed_cents": k.committed_cents, "disbursed_cents": k.disbursed_cents}
                   for k in kreise],
        "statewide_committed_cents": statewide.committed_cents,
        "statewide_disbursed_cents": statewide.disbursed_cents,
    }
