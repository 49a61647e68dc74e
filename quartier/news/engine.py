"""Related articles: shared places and tags first, then TF-IDF cosine similarity of the text.

Pure computation (stdlib, NumPy, SciPy; never Django). `services.py` maps articles to
`Document`s, calls `build_index` and `neighbours`/`all_neighbours`, and stores the result.

Text → terms (`terms_of`):
- Unicode NFKC, case folded (ß → ss), words are runs of letters (digits and punctuation split);
  words shorter than 3 letters and German stop words (`STOP_WORDS`, the Snowball list plus a
  few press-text fillers) are dropped.
- Light normalisation: umlauts and accents folded (ä → a), then the German light stemmer of
  Savoy (2006) as in Lucene's GermanLightStemmer, which strips the common inflection endings
  only (Quartier, Quartiere, Quartieren → quarti), never derivations.
- Title words count twice.

Ranking (`neighbours`): for article A and every other document B
- shared = |keys(A) ∩ keys(B)|, where keys are the tags ("t:…") and places ("p:…") the
  service derives (a quarter also counts its Gemeinde, a Gemeinde its Kreis);
- similarity = cosine of the TF-IDF vectors: tf = 1 + ln(count), idf = ln((1 + N)/(1 + df)) + 1,
  rows normalised to length 1 (0 ≤ similarity ≤ 1);
- B is related if shared ≥ 1 or similarity ≥ MIN_SIMILARITY; order by shared (descending),
  then similarity (descending), then the higher id (the newer article); keep `limit`.
"""

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

RELATED_LIMIT = 5
MIN_SIMILARITY = 0.05
# Similarities are rounded to this many decimals, as stored, so equal texts tie exactly and
# a stored list compares with a fresh score without floating-point noise.
DECIMALS = 6
MIN_WORD_LENGTH = 3
# Rows of the similarity matrix computed at once by all_neighbours (memory: CHUNK × N floats).
CHUNK = 512

# Snowball's German stop words (https://snowballstem.org/algorithms/german/stop.txt),
# folded like the text, plus fillers of press texts.
STOP_WORDS = frozenset("""
aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes
anderm andern anderr anders auch auf aus bei bin bis bist da damit dann der den des dem die das
dass daß derselbe derselben denselben desselben demselben dieselbe dieselben dasselbe dazu dein
deine deinem deinen deiner deines denn derer dessen dich dir du dies diese diesem diesen dieser
dieses doch dort durch ein eine einem einen einer eines einig einige einigem einigen einiger
einiges einmal er ihn ihm es etwas euer eure eurem euren eurer eures für gegen gewesen hab habe
haben hat hatte hatten hier hin hinter ich mich mir ihr ihre ihrem ihren ihrer ihres euch im in
indem ins ist jede jedem jeden jeder jedes jene jenem jenen jener jenes jetzt kann kein keine
keinem keinen keiner keines können könnte machen man manche manchem manchen mancher manches mein
meine meinem meinen meiner meines mit muss musste nach nicht nichts noch nun nur ob oder ohne
sehr sein seine seinem seinen seiner seines selbst sich sie ihnen sind so solche solchem
solchen solcher solches soll sollte sondern sonst über um und uns unsere unserem unseren unser
unseres unter viel vom von vor während war waren warst was weg weil weiter welche welchem
welchen welcher welches wenn werde werden wie wieder will wir wird wirst wo wollen wollte würde
würden zu zum zur zwar zwischen
ab beim bereits bzw seit sowie wurde wurden worden sei sollen mehr sehr dabei damit heute
""".split())

_WORD = re.compile(r"[^\W\d_]+")
_FOLD = str.maketrans({
    "ä": "a", "à": "a", "á": "a", "â": "a", "ö": "o", "ò": "o", "ó": "o", "ô": "o",
    "ü": "u", "ù": "u", "ú": "u", "û": "u", "ï": "i", "ì": "i", "í": "i", "î": "i",
    "é": "e", "è": "e", "ê": "e", "ç": "c",
})
_S_ENDING = frozenset("bdfghklmnrt")
_ST_ENDING = frozenset("bdfghklmnt")


def stem(word: str) -> str:
    """Savoy's German light stemmer (as Lucene's GermanLightStemmer) on a folded word."""
    s = word.translate(_FOLD)
    n = len(s)
    # Step 1: plural and case endings.
    if n > 5 and s.endswith("ern"):
        s = s[:-3]
    elif n > 4 and s[-2] == "e" and s[-1] in "mnrs":
        s = s[:-2]
    elif n > 3 and s[-1] == "e":
        s = s[:-1]
    elif n > 3 and s[-1] == "s" and s[-2] in _S_ENDING:
        s = s[:-1]
    n = len(s)
    # Step 2: comparative, superlative and a second ending.
    if n > 5 and s.endswith("est"):
        s = s[:-3]
    elif n > 4 and s[-2] == "e" and s[-1] in "rn":
        s = s[:-2]
    elif n > 4 and s.endswith("st") and s[-3] in _ST_ENDING:
        s = s[:-2]
    return s


def words(text: str) -> list[str]:
    """The indexed words of a text, folded and stemmed, stop words dropped."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return [
        stem(w) for w in _WORD.findall(folded)
        if len(w) >= MIN_WORD_LENGTH and w not in STOP_WORDS
    ]


def terms_of(title: str, text: str) -> dict[str, int]:
    """Term counts of an article: title words twice, then the words of its text."""
    counts = Counter(words(title))
    for term in counts:
        counts[term] *= 2
    counts.update(words(text))
    return dict(sorted(counts.items()))


@dataclass(frozen=True)
class Document:
    id: int
    terms: Mapping[str, int]
    # Tags and places, e.g. {"t:beteiligung", "p:08416041"}.
    keys: frozenset[str]


@dataclass(frozen=True)
class Neighbour:
    id: int
    shared: int
    similarity: float

    def sort_key(self) -> tuple:
        return (-self.shared, -self.similarity, -self.id)


@dataclass
class Index:
    ids: np.ndarray  # int64, the documents' ids in row order
    vectors: sparse.csr_matrix  # rows: TF-IDF, length 1 (or 0 for a text without words)
    keys: sparse.csr_matrix  # rows: 0/1 per key
    position: dict[int, int]

    def __len__(self) -> int:
        return len(self.ids)


def build_index(documents: Sequence[Document]) -> Index:
    """TF-IDF vectors and key sets of all candidate documents."""
    documents = sorted(documents, key=lambda d: d.id)
    vocabulary: dict[str, int] = {}
    rows, cols, tf = [], [], []
    for row, document in enumerate(documents):
        for term, count in document.terms.items():
            if count <= 0:
                continue
            rows.append(row)
            cols.append(vocabulary.setdefault(term, len(vocabulary)))
            tf.append(1.0 + math.log(count))
    n = len(documents)
    shape = (n, max(len(vocabulary), 1))
    matrix = sparse.csr_matrix((np.array(tf, dtype=np.float64), (rows, cols)), shape=shape)
    df = np.bincount(np.array(cols, dtype=np.int64), minlength=shape[1])
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    matrix = matrix.multiply(idf).tocsr()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = sparse.diags(1.0 / norms) @ matrix

    key_index: dict[str, int] = {}
    key_rows, key_cols = [], []
    for row, document in enumerate(documents):
        for key in document.keys:
            key_rows.append(row)
            key_cols.append(key_index.setdefault(key, len(key_index)))
    keys = sparse.csr_matrix(
        (np.ones(len(key_rows), dtype=np.float64), (key_rows, key_cols)),
        shape=(n, max(len(key_index), 1)),
    )
    ids = np.array([d.id for d in documents], dtype=np.int64)
    return Index(ids=ids, vectors=matrix.tocsr(), keys=keys,
                 position={int(i): p for p, i in enumerate(ids)})


def _top(index: Index, row: int, shared: np.ndarray, similarity: np.ndarray,
         limit: int) -> list[Neighbour]:
    eligible = (shared >= 1) | (similarity >= MIN_SIMILARITY)
    eligible[row] = False
    candidates = np.flatnonzero(eligible)
    if not len(candidates):
        return []
    # Lexicographic: shared first (an integer), similarity (0…1) only breaks its ties.
    score = shared[candidates] * 2.0 + similarity[candidates]
    if len(candidates) > limit * 4:
        keep = np.argpartition(-score, limit * 4)[: limit * 4]
        candidates = candidates[keep]
    found = [
        Neighbour(int(index.ids[c]), int(round(shared[c])), round(float(similarity[c]), DECIMALS))
        for c in candidates
    ]
    found.sort(key=Neighbour.sort_key)
    return found[:limit]


def scores(index: Index, document_id: int) -> tuple[np.ndarray, np.ndarray]:
    """(shared keys, cosine similarity) of one document against every row of the index."""
    row = index.position[document_id]
    shared = (index.keys @ index.keys[row].T).toarray().ravel()
    similarity = (index.vectors @ index.vectors[row].T).toarray().ravel()
    return np.rint(shared), np.clip(similarity, 0.0, 1.0)


def neighbours(index: Index, document_id: int, *, limit: int = RELATED_LIMIT) -> list[Neighbour]:
    """The related documents of one document of the index, best first."""
    shared, similarity = scores(index, document_id)
    return _top(index, index.position[document_id], shared, similarity, limit)


def all_neighbours(
    index: Index, *, limit: int = RELATED_LIMIT,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> dict[int, list[Neighbour]]:
    """The related documents of every document, in blocks of CHUNK rows."""
    result: dict[int, list[Neighbour]] = {}
    n = len(index)
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        shared = np.rint((index.keys[start:stop] @ index.keys.T).toarray())
        similarity = np.clip((index.vectors[start:stop] @ index.vectors.T).toarray(), 0.0, 1.0)
        for offset in range(stop - start):
            row = start + offset
            result[int(index.ids[row])] = _top(
                index, row, shared[offset], similarity[offset], limit
            )
        progress(stop, n)
    return result


def affected(
    index: Index, document_id: int, stored: Mapping[int, Sequence[Neighbour]],
    *, limit: int = RELATED_LIMIT,
) -> set[int]:
    """Documents whose list may change when `document_id` was added or changed.

    `stored` holds every document's current list. Affected are the document itself, those
    that list it now, and those it would now enter (it outranks their last entry, or their
    list is not full and it qualifies).
    """
    result = {document_id}
    result.update(other for other, found in stored.items()
                  if any(n.id == document_id for n in found))
    if document_id not in index.position:
        return result
    shared, similarity = scores(index, document_id)
    for row, other in enumerate(index.ids.tolist()):
        if other == document_id:
            continue
        candidate = Neighbour(document_id, int(shared[row]),
                              round(float(similarity[row]), DECIMALS))
        if candidate.shared < 1 and candidate.similarity < MIN_SIMILARITY:
            continue
        found = stored.get(other, ())
        if len(found) < limit or candidate.sort_key() < found[-1].sort_key():
            result.add(other)
    return result


def removed(document_id: int, stored: Mapping[int, Iterable[Neighbour]]) -> set[int]:
    """Documents whose list named a document that left the index."""
    return {other for other, found in stored.items() if any(n.id == document_id for n in found)}
