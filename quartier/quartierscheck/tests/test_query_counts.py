"""Pages read stored figures with a constant number of queries, however many quarters they
list, and never touch the grid cells."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_quarter
from quartier.quartierscheck import services

pytestmark = pytest.mark.django_db


def queries(client, url, params=None) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def more_quarters(computed, count):
    for i in range(count):
        make_quarter(computed.gemeinde, name=f"Viertel {i}")
    services.recompute()


@pytest.mark.parametrize("url,params,most", [
    ("/quarter-check/", {"q": "Viertel"}, 8),
    ("/quarter-check/compare/", None, 8),
    ("/quarter-check/map/", {"area": "08416"}, 6),
    ("/quarter-check/map/", None, 6),
    ("/quarter-check/map.geojson", {"area": "08416"}, 4),
    ("/quarter-check/status/", None, 4),
])
def test_public_pages_do_not_grow_with_the_quarters(client, computed, url, params, most):
    if url.endswith("compare/"):
        params = {"q": [computed.pk]}
    client.get(url, params or {})  # warm caches (content types, kinds)
    few = queries(client, url, params)
    more_quarters(computed, 5)
    if url.endswith("compare/"):
        from quartier.places.models import Quarter

        params = {"q": list(Quarter.objects.values_list("pk", flat=True))[:6]}
    many = queries(client, url, params)
    assert len(many) == len(few) <= most, many
    assert not any("quartierscheck_cell" in sql for sql in many)


def test_the_quarter_check_reads_a_handful_of_queries(client, computed):
    client.get(f"/quarters/{computed.pk}/check/")
    sql = queries(client, f"/quarters/{computed.pk}/check/")
    assert len(sql) <= 8, sql
    assert not any("quartierscheck_cell" in q for q in sql)


def test_the_gap_list_does_not_grow_with_its_page(client, computed, staff):
    client.force_login(staff)
    client.get("/quarter-check/gaps/")
    few = queries(client, "/quarter-check/gaps/")
    more_quarters(computed, 5)
    many = queries(client, "/quarter-check/gaps/")
    assert len(many) == len(few) <= 12, many


def test_gap_scores_take_one_query(computed, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert list(services.gap_scores()) == [computed.pk]
