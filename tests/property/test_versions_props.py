"""Property tests for corpus_qa.checks.versions: grouping is order-free, stripped accents are
found, harmless edits (reflowed whitespace, case, folded accents) change nothing."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from corpus_qa.checks.versions import (
    StoryGrouper,
    check_consistent_metadata,
    check_preserved_diacritics,
    suggest_missing,
)
from corpus_qa.text.fold import fold_diacritics

ROOT = Path(__file__).resolve().parents[2]
SEED_000 = (ROOT / "seeds" / "000_c3359af66ac874be.txt").read_text(encoding="utf-8")
SEED_001 = (ROOT / "seeds" / "001_a1d7f1edd2253686.txt").read_text(encoding="utf-8")
TEXTS = yaml.safe_load((ROOT / "tests" / "unit" / "versions_cases.yml").read_text("utf-8"))["texts"]

CORPUS = {
    "s0": SEED_000,
    "s1": SEED_001,
    "s1-trimmed": SEED_001[: len(SEED_001) * 2 // 3],
    "caravan": TEXTS["caravan"],
    "caravan-short": TEXTS["caravan"].split(". ", 2)[2],
    "asylum": TEXTS["asylum_rules"],
    "weather": TEXTS["weather"],
    "empty": "",
}
IDS = sorted(CORPUS)

SEPARATORS = st.sampled_from([" ", "  ", "\n", "\n\n", "\t", " \n "])


def _reflow(text: str, separators: list[str]) -> str:
    """Replace every whitespace run by the next separator (cycling)."""
    words = text.split()
    return "".join(w + separators[i % len(separators)] for i, w in enumerate(words)).strip()


def _stories(order: list[str], keys: dict[str, str | None], dates: dict[str, str | None]) -> set:
    grouper = StoryGrouper()
    for doc in order:
        grouper.add(doc, CORPUS[doc], key=keys[doc], date=dates[doc])
    return {(story.id, tuple(story.documents)) for story in grouper.groups()}


@settings(max_examples=30, deadline=None)
@given(
    order=st.permutations(IDS),
    keys=st.fixed_dictionaries({d: st.sampled_from([None, None, "k1", "k2"]) for d in IDS}),
    dates=st.fixed_dictionaries(
        {d: st.sampled_from([None, "2023-12-27", "2023-12-28"]) for d in IDS}
    ),
)
def test_grouping_is_invariant_under_document_order(
    order: list[str], keys: dict[str, str | None], dates: dict[str, str | None]
) -> None:
    assert _stories(order, keys, dates) == _stories(IDS, keys, dates)


random_words = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=4, max_size=9), min_size=80, max_size=80
)


@settings(max_examples=30, deadline=None)
@given(base=random_words, fresh=random_words, near_first=st.booleans())
def test_unkeyed_document_joins_the_most_similar_keyed_story(
    base: list[str], fresh: list[str], near_first: bool
) -> None:
    free, near, far = base, base[:74] + fresh[:6], base[:48] + fresh[6:38]
    grouper = StoryGrouper()
    signatures = [grouper.signature(" ".join(words)) for words in (free, near, far)]
    assert all(signature is not None for signature in signatures)
    sims = [float(np.mean(signatures[0] == other)) for other in signatures[1:]]
    assume(sims[0] > sims[1] >= grouper.threshold)
    keyed = [("near", near, "k-near"), ("far", far, "k-far")]
    for doc, words, key in keyed if near_first else keyed[::-1]:
        grouper.add(doc, " ".join(words), key=key)
    grouper.add("free", " ".join(free))
    stories = {story.id: story.documents for story in grouper.groups()}
    assert stories == {"k-near": ["free", "near"], "k-far": ["far"]}


@settings(max_examples=25, deadline=None)
@given(
    seed=st.sampled_from([SEED_000, SEED_001]),
    separators=st.lists(SEPARATORS, min_size=1, max_size=5),
    fold=st.booleans(),
    upper=st.booleans(),
)
def test_reflowed_refolded_recased_version_joins_its_story(
    seed: str, separators: list[str], fold: bool, upper: bool
) -> None:
    edited = _reflow(seed, separators)
    edited = fold_diacritics(edited) if fold else edited
    edited = edited.upper() if upper else edited
    grouper = StoryGrouper()
    assert np.array_equal(grouper.signature(edited), grouper.signature(seed))
    grouper.add("original", seed)
    grouper.add("edited", edited)
    grouper.add("other", TEXTS["caravan"])
    stories = sorted(story.documents for story in grouper.groups())
    assert stories == [["edited", "original"], ["other"]]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(max_size=200), max_size=6))
def test_grouping_never_raises_and_places_every_document_once(texts: list[str]) -> None:
    grouper = StoryGrouper()
    for i, text in enumerate(texts):
        grouper.add(f"d{i}", text)
    placed = [doc for story in grouper.groups() for doc in story.documents]
    assert sorted(placed) == sorted(f"d{i}" for i in range(len(texts)))


# --- diacritics ------------------------------------------------------------------------------

NAMES = ["López", "Bárcena", "Andrés", "Peña", "Søren", "Zürich", "café", "Łódź", "François"]
PLAIN = ["the", "met", "in", "said", "Mexico", "and", "border", "officials", "Obrador"]
accented_words = st.text(alphabet="abcnorsáéíñóüç", min_size=1, max_size=8).filter(
    lambda w: fold_diacritics(w) != w
)
words = st.lists(
    st.one_of(st.sampled_from(NAMES), st.sampled_from(PLAIN), accented_words),
    min_size=1,
    max_size=40,
)


@settings(max_examples=100, deadline=None)
@given(words=words, data=st.data())
def test_stripping_accents_from_any_word_is_found(words: list[str], data: st.DataObject) -> None:
    accented = [i for i, w in enumerate(words) if fold_diacritics(w) != w]
    assume(accented)
    i = data.draw(st.sampled_from(accented), label="stripped word")
    plain = fold_diacritics(words[i])
    assume(plain not in words)  # the original must always accent it
    # ... and one way: with "ná" and "ña" both in the text, either restores "na".
    assume({w for w in words if fold_diacritics(w) == plain} == {words[i]})
    stripped = words[:i] + [plain] + words[i + 1 :]
    original, edited = " ".join(words), " ".join(stripped)

    (hit,) = check_preserved_diacritics([("original", original), ("edited", edited)])

    start = len(" ".join(stripped[:i])) + (1 if i else 0)
    assert hit.reason == "diacritics_stripped"
    assert hit.document == "edited"
    assert hit.span == (start, start + len(plain))
    assert f": {plain}/{words[i]} — " in hit.message
    assert hit.related is not None and hit.related.document == "original"
    assert original[hit.related.span[0] : hit.related.span[1]] == words[i]


@settings(max_examples=50, deadline=None)
@given(
    text=st.one_of(st.sampled_from([SEED_000, SEED_001]), words.map(" ".join)),
    separators=st.lists(SEPARATORS, min_size=1, max_size=5),
)
def test_reflowed_version_never_has_diacritics_findings(text: str, separators: list[str]) -> None:
    assert check_preserved_diacritics([("a", text), ("b", _reflow(text, separators))]) == []


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("abc"), st.text(max_size=120)),
        max_size=3,
        unique_by=lambda v: v[0],
    )
)
def test_diacritics_check_never_raises_and_hits_point_at_plain_words(
    versions: list[tuple[str, str]],
) -> None:
    texts = dict(versions)
    for hit in check_preserved_diacritics(versions):
        assert hit.document is not None
        word = texts[hit.document][slice(*hit.span)]
        assert re.fullmatch(r"\w+", word) and fold_diacritics(word) == word
        assert hit.suggestion is not None and fold_diacritics(hit.suggestion) == word
        assert hit.related is not None and hit.related.document in texts


# --- metadata --------------------------------------------------------------------------------

FIELDS = ["date", "source", "attribution"]
values = st.one_of(
    st.none(),
    st.sampled_from(["2023-12-28", "2023-12-29", "Voice of America", "VOA", ""]),
    st.text(max_size=20),
    st.lists(st.text(max_size=12), max_size=3),
)
metadata = st.dictionaries(st.sampled_from(FIELDS), values, max_size=3).map(
    lambda d: {k: v for k, v in d.items() if v is not None}
)


@settings(max_examples=100, deadline=None)
@given(st.lists(metadata, min_size=1, max_size=4))
def test_metadata_check_never_raises_and_suggestions_fill_only_gaps(metas: list[dict]) -> None:
    versions = [(f"v{i}", meta) for i, meta in enumerate(metas)]
    for hit in check_consistent_metadata(versions):
        assert hit.reason in {"metadata_conflict", "credit_lines_differ"}
        assert hit.related is not None and hit.related.document != hit.document
    suggestions = suggest_missing(versions, FIELDS)
    for field in FIELDS:
        someone_has = any(_present(meta.get(field)) for meta in metas)
        for doc, meta in versions:
            missing = not _present(meta.get(field))
            assert (field in suggestions.get(doc, {})) is (missing and someone_has)


def _present(value: object) -> bool:
    if isinstance(value, list):
        return any(item.strip() for item in value)
    return isinstance(value, str) and bool(value.strip())


# --- vectorised signatures: the same words as grouping_words ---------------------------------

TABLE_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x52F),
        st.characters(min_codepoint=0x1E00, max_codepoint=0x218F),
        st.sampled_from(
            list("  .,'’“”-\n")
            + ["\u0301", "\u0308", "\u0327", "ß", "İ", "가", "ﬁ", "𝐀", "😀", "𐐀"]
        ),
    ),
    max_size=60,
)


def _words_one_by_one(text: str) -> list[int]:
    from corpus_qa.checks.versions import _folded_codes, _word_hashes, grouping_words

    return [int(_word_hashes(_folded_codes(word))[0]) for word in grouping_words(text)]


@settings(max_examples=300, deadline=None)
@given(text=TABLE_TEXT)
def test_vectorised_words_are_grouping_words(text: str) -> None:
    """The code-point pipeline (fold table or fold, word runs, one hash per word) sees
    exactly the words of grouping_words, hashed as each word alone would be."""
    from corpus_qa.checks.versions import _folded_codes, _word_hashes

    assert _word_hashes(_folded_codes(text)).tolist() == _words_one_by_one(text)


@settings(max_examples=60, deadline=None)
@given(text=TABLE_TEXT)
def test_fold_table_gives_the_codes_of_fold(text: str) -> None:
    from corpus_qa.checks.versions import _folded_codes
    from corpus_qa.text.fold import fold

    assert _folded_codes(text).tobytes().decode("utf-32-le") == fold(text)


@settings(max_examples=40, deadline=None)
@given(base=random_words, fresh=random_words, keep=st.integers(min_value=20, max_value=80))
def test_estimated_jaccard_is_close_to_the_exact_one(
    base: list[str], fresh: list[str], keep: int
) -> None:
    from corpus_qa.checks.versions import grouping_words

    edited = base[:keep] + fresh[keep:]
    grouper = StoryGrouper()
    one, two = grouper.signature(" ".join(base)), grouper.signature(" ".join(edited))
    assert one is not None and two is not None

    def shingles(words: list[str]) -> set[str]:
        words = grouping_words(" ".join(words))
        return {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}

    exact = len(shingles(base) & shingles(edited)) / len(shingles(base) | shingles(edited))
    # 78 shingles into 128 bins: the estimate's spread is wider than with long texts
    assert abs(float(np.mean(one == two)) - exact) < 0.25


def _banded_pairs_by_rule(signatures: np.ndarray, bands: int, rows: int, min_equal: int,
                          max_bucket: int) -> set[tuple[int, int, int]]:
    """The banding rule written out pair by pair: in each band, the rows of a bucket
    (equal band keys) in the order of their keys' stable sort; two rows ``offset`` apart
    there are compared when ``offset < max_bucket``; kept when they share ``min_equal``
    positions."""
    from corpus_qa.checks.versions import _band_keys

    found = set()
    n = len(signatures)
    for band in range(bands):
        keys = _band_keys(signatures[:, band * rows : (band + 1) * rows]).tolist()
        order = sorted(range(n), key=lambda i: keys[i])
        for at, first in enumerate(order):
            for offset in range(1, max_bucket):
                if at + offset >= n or keys[order[at + offset]] != keys[first]:
                    break
                second = order[at + offset]
                equal = int((signatures[first] == signatures[second]).sum())
                if equal >= min_equal:
                    found.add((min(first, second), max(first, second), equal))
    return found


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 90),
    values=st.integers(1, 3),
    block=st.integers(1, 12),
    max_bucket=st.sampled_from([1, 2, 3, 5, 64]),
    min_equal=st.integers(0, 8),
    seed=st.integers(0, 2**32 - 1),
)
def test_bucket_pairs_read_block_by_block_are_the_rule_s_pairs(
        n: int, values: int, block: int, max_bucket: int, min_equal: int, seed: int) -> None:
    """``_similar_rows`` reads each band's bucketed rows ``BLOCK`` at a time (with the
    ``MAX_BUCKET - 1`` after them) and compares a block with itself shifted: the pairs and
    their counts are exactly the rule's, whatever the block size, bucket bound, and
    buckets (signatures over 1–3 values make buckets longer than any block)."""
    import corpus_qa.checks.versions as versions

    rng = np.random.default_rng(seed)
    bands, rows = 3, 2
    signatures = rng.integers(0, values, size=(n, bands * rows + 2), dtype=np.uint32)
    store = versions.SignatureRows(signatures.shape[1])
    for row in signatures:
        store.append(row)
    distinct = np.arange(n, dtype=np.int64)
    saved = versions.BLOCK, versions.MAX_BUCKET
    versions.BLOCK, versions.MAX_BUCKET = block, max_bucket
    try:
        first, second, equal = versions._similar_rows(store, distinct, bands, rows, min_equal)
    finally:
        versions.BLOCK, versions.MAX_BUCKET = saved
    got = set(zip(first.tolist(), second.tolist(), equal.tolist(), strict=True))
    assert len(got) == len(first)  # each pair once
    assert got == _banded_pairs_by_rule(signatures, bands, rows, min_equal, max_bucket)


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(0, 120),
    width=st.integers(16, 40),
    values=st.integers(1, 3),
    copies=st.integers(0, 20),
    tie_columns=st.integers(1, 9),
    block=st.integers(1, 50),
    sweep=st.sampled_from([0, 16, 10**9]),
    seed=st.integers(0, 2**32 - 1),
)
def test_identical_groups_are_numpy_unique_rows(n: int, width: int, values: int, copies: int,
                                                tie_columns: int, block: int, sweep: int,
                                                seed: int) -> None:
    """Rows that tie are read again a few columns at a time, never all at once: the groups
    and their numbering are ``np.unique(axis=0)``'s (lexicographic), whatever the ties,
    the copies, the columns read per round, the block size, and whether the tied rows'
    columns are read alone or from a sweep over every row (``sweep`` 0: always alone,
    10**9: always a sweep)."""
    import corpus_qa.checks.versions as versions

    rng = np.random.default_rng(seed)
    matrix = rng.integers(0, values, size=(n, width), dtype=np.uint32)
    if n:  # exact copies of some rows, anywhere
        matrix = np.concatenate([matrix, matrix[rng.integers(0, n, size=copies)]])
        matrix = matrix[rng.permutation(len(matrix))]
    store = versions.SignatureRows(width)
    for row in matrix:
        store.append(row)
    saved = versions.BLOCK, versions._TIE_COLUMNS, versions._TIE_SWEEP
    versions.BLOCK, versions._TIE_COLUMNS, versions._TIE_SWEEP = block, tie_columns, sweep
    try:
        inverse, groups = versions._identical_groups(store)
    finally:
        versions.BLOCK, versions._TIE_COLUMNS, versions._TIE_SWEEP = saved
    unique, expected = np.unique(matrix.reshape(len(matrix), width), axis=0, return_inverse=True)
    assert groups == len(unique)
    assert inverse.tolist() == expected.reshape(-1).tolist()
