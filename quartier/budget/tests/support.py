from quartier.budget import services


def make_line(amount_cents=1_200_000_000, code="1202-684 01", **fields):
    """The demo's double budget 2018/2019 line unless told otherwise."""
    defaults = dict(title="Quartier 2020", first_year=2018, last_year=2019)
    defaults.update(fields)
    return services.create_line(code=code, amount_cents=amount_cents, actor=None, **defaults)
