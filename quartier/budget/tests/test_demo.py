import pytest

from quartier.budget import demo

pytestmark = pytest.mark.django_db


def test_the_demo_lines_are_created_once_with_the_strategys_12_million():
    lines = demo.ensure_demo_lines()
    again = demo.ensure_demo_lines()
    assert lines.keys() == again.keys()
    line = lines[demo.LINE_2018_2019]
    assert line.amount_cents == 12_000_000_00 and line.years_label == "2018/2019" and line.is_demo
