import re

from quartier.budget import services

# Every role of the platform but programme staff: none of them may see or book the ledger.
NOT_STAFF = ["anonymous", "resident", "member", "coordinator", "county_coordinator",
             "moderator", "juror", "consultant"]


def make_line(amount_cents=1_200_000_000, code="1202-684 01", **fields):
    """The demo's double budget 2018/2019 line unless told otherwise."""
    defaults = dict(title="Quartier 2020", first_year=2018, last_year=2019)
    defaults.update(fields)
    return services.create_line(code=code, amount_cents=amount_cents, actor=None, **defaults)


def form_key(response) -> str:
    """The idempotency key of the form on a page."""
    return re.search(r'name="idempotency_key" value="([^"]+)"',
                     response.content.decode()).group(1)


def errors_of(response, field: str) -> list[str]:
    return [str(error) for error in response.context["form"].errors.get(field, [])]
