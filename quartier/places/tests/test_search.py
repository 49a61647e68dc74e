from conftest import make_quarter
from quartier.places import services


def test_it_finds_a_gemeinde_by_name_forgiving_umlauts_and_case(db):
    for query in ("Tübingen", "Tuebingen", "tübingen", "TUBINGEN"):
        names = [g.name for g in services.search(query).gemeinden]
        assert "Tübingen, Universitätsstadt" in names, query


def test_it_finds_a_gemeinde_by_postcode(db):
    names = [g.name for g in services.search("72070").gemeinden]
    assert names == ["Tübingen, Universitätsstadt"]


def test_it_finds_published_quarters_but_not_drafts(tuebingen):
    make_quarter(tuebingen, name="Französisches Viertel")
    make_quarter(tuebingen, name="Franzosenweg", status="draft")
    names = [q.name for q in services.search("franzoesisch").quarters]
    assert names == ["Französisches Viertel"]
    assert services.search("Franzosenweg").quarters == []
