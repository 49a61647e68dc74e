"""The related-articles engine: words, TF-IDF, ranking, and what a change affects."""

from hypothesis import given, settings
from hypothesis import strategies as st

from quartier.news import engine
from quartier.news.engine import Document, Neighbour


def doc(id, text="", keys=(), title=""):
    return Document(id=id, terms=engine.terms_of(title, text), keys=frozenset(keys))


def test_inflected_forms_of_a_word_share_one_term():
    assert {engine.stem(w) for w in ("quartier", "quartiere", "quartieren")} == {"quarti"}
    assert engine.words("Die Quartiere und das Quartier") == ["quarti", "quarti"]


def test_stop_words_short_words_and_digits_are_dropped():
    assert engine.words("Das ist in 2018 so, aber wir bauen ein Haus") == ["bau", "haus"]


def test_umlauts_and_sharp_s_are_folded():
    assert engine.words("Straße Strasse") == engine.words("STRASSE strasse")
    assert engine.words("Bürger") == engine.words("Burger")


def test_title_words_count_twice():
    assert engine.terms_of("Beratung", "Beratung vor Ort") == {"beratung": 3, "ort": 1}


def test_shared_places_and_tags_rank_before_text_similarity():
    index = engine.build_index([
        doc(1, "Mehrgenerationenhaus eröffnet im Quartier", keys={"p:1"}),
        doc(2, "Mehrgenerationenhaus eröffnet im Quartier heute", keys=set()),
        doc(3, "Ganz anderes Thema: Haushalt", keys={"p:1"}),
    ])
    found = engine.neighbours(index, 1)
    assert [n.id for n in found] == [3, 2]
    assert found[0].shared == 1 and found[1].shared == 0
    assert found[1].similarity > 0.5


def test_unrelated_documents_are_not_listed():
    index = engine.build_index([doc(1, "Beratung Kommunen"), doc(2, "Wetter Regen Sonne")])
    assert engine.neighbours(index, 1) == []


def test_ties_go_to_the_newer_document():
    index = engine.build_index([doc(1, keys={"t:a"}), doc(2, keys={"t:a"}),
                                doc(3, keys={"t:a"})])
    assert [n.id for n in engine.neighbours(index, 1)] == [3, 2]


def test_the_list_is_limited():
    index = engine.build_index([doc(i, keys={"t:a"}) for i in range(1, 10)])
    assert len(engine.neighbours(index, 1, limit=3)) == 3


def test_a_text_without_words_has_no_similarity_but_keeps_its_keys():
    index = engine.build_index([doc(1, "", keys={"t:a"}), doc(2, "Quartier", keys={"t:a"})])
    assert engine.neighbours(index, 1) == [Neighbour(2, 1, 0.0)]


def test_all_neighbours_equals_neighbours_of_each(monkeypatch):
    monkeypatch.setattr(engine, "CHUNK", 2)
    texts = ["Quartier Beratung Kommune", "Beratung Prozess", "Quartier Kommune Haushalt",
             "Ideenwettbewerb Preisgeld", "Preisgeld Kommune Quartier"]
    docs = [doc(i + 1, t, keys={f"t:{i % 2}"}) for i, t in enumerate(texts)]
    index = engine.build_index(docs)
    seen = []
    result = engine.all_neighbours(index, progress=lambda done, total: seen.append(done))
    assert result == {d.id: engine.neighbours(index, d.id) for d in docs}
    assert seen == [2, 4, 5]


def test_a_new_document_affects_the_lists_it_enters_and_those_naming_it():
    docs = [doc(1, "Quartier Beratung"), doc(2, "Quartier Beratung Kommune"),
            doc(3, "Wetter Sonne")]
    index = engine.build_index(docs)
    stored = {d.id: engine.neighbours(index, d.id) for d in docs}
    docs.append(doc(4, "Wetter Sonne Regen"))
    index = engine.build_index(docs)
    assert engine.affected(index, 4, stored) == {3, 4}
    assert engine.removed(1, stored) == {2}


# No deadline: the machine is shared, a slow example is not a wrong one.
@settings(deadline=None)
@given(st.lists(st.text(alphabet="abcdeäöüß ", max_size=40), min_size=2, max_size=12),
       st.lists(st.sets(st.sampled_from(["t:a", "t:b", "p:1"])), min_size=12, max_size=12))
def test_lists_are_ordered_unique_and_never_name_the_document_itself(texts, keysets):
    docs = [doc(i + 1, t, keys=keysets[i]) for i, t in enumerate(texts)]
    index = engine.build_index(docs)
    for d in docs:
        found = engine.neighbours(index, d.id)
        assert d.id not in {n.id for n in found}
        assert len({n.id for n in found}) == len(found) <= engine.RELATED_LIMIT
        assert [n.sort_key() for n in found] == sorted(n.sort_key() for n in found)
        assert all(0.0 <= n.similarity <= 1.0 for n in found)
