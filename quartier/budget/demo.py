"""Demo budget lines: the strategy's double budget 2018/2019 with 12 million euros and a
plausible follow-up line (marked as demo data). Calls and consulting book against them."""

from django.utils.translation import gettext as _

from quartier.budget import services
from quartier.budget.models import BudgetLine

# The real Haushaltstitel is not published with the strategy; the codes are demo values.
LINE_2018_2019 = "0918-68401-2018"
LINE_2020_2021 = "0918-68401-2020"

DEMO_LINES = [
    dict(code=LINE_2018_2019, first_year=2018, last_year=2019, amount_cents=12_000_000_00,
         title="Quartier 2020 – Gemeinsam.Gestalten. (Doppelhaushalt 2018/2019)",
         description="Ideenwettbewerb, Fach- und Prozessberatung und Förderung der "
                     "Quartiersentwicklung; Mittel im Doppelhaushalt 2018/2019 des Ministeriums "
                     "für Soziales und Integration."),
    dict(code=LINE_2020_2021, first_year=2020, last_year=2021, amount_cents=10_000_000_00,
         title="Quartier 2020 – Fortführung (Doppelhaushalt 2020/2021)",
         description="Fortführung der Beratungs- und Förderangebote (Demodaten)."),
]


def ensure_demo_lines(progress=lambda message: None) -> dict[str, BudgetLine]:
    """Create the demo lines where missing; idempotent. Returns them by code."""
    lines = {}
    for fields in DEMO_LINES:
        line = BudgetLine.objects.filter(code=fields["code"]).first()
        if line is None:
            line = services.create_line(**fields, is_demo=True, actor=None)
            progress(_("Budget line %(line)s created") % {"line": line})
        lines[line.code] = line
    return lines
