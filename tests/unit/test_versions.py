"""Case-file tests for corpus_qa.checks.versions: grouping, diacritics, metadata."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml

from corpus_qa.checks.versions import (
    DEFAULT_NUM_PERM,
    DEFAULT_THRESHOLD,
    MetadataValue,
    Story,
    StoryGrouper,
    check_consistent_metadata,
    check_preserved_diacritics,
    suggest_missing,
)
from corpus_qa.findings import Related
from corpus_qa.text.fold import fold_diacritics

HERE = Path(__file__).parent
SEEDS = HERE.parents[1] / "seeds"
SEED_000 = "000_c3359af66ac874be"
SEED_001 = "001_a1d7f1edd2253686"
CASES = yaml.safe_load((HERE / "versions_cases.yml").read_text(encoding="utf-8"))
TEXTS: dict[str, str] = CASES["texts"]


def _text(entry: dict) -> str:
    if "seed" in entry:
        return (SEEDS / f"{entry['seed']}.txt").read_text(encoding="utf-8")
    return TEXTS.get(entry["text"], entry["text"])


def _seed(stem: str) -> str:
    return (SEEDS / f"{stem}.txt").read_text(encoding="utf-8")


def _ids(cases: list[dict]) -> list[str]:
    return [case["id"] for case in cases]


def _group(documents: list[dict], **options: float) -> list[Story]:
    grouper = StoryGrouper(**options)  # type: ignore[arg-type]
    for doc in documents:
        grouper.add(doc["id"], _text(doc), key=doc.get("key"), date=doc.get("date"))
    return grouper.groups()


# --- grouping ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES["grouping"], ids=_ids(CASES["grouping"]))
def test_grouping_case(case: dict) -> None:
    stories = _group(case["documents"])
    assert sorted(story.documents for story in stories) == sorted(case["stories"])


@pytest.mark.parametrize("case", CASES["grouping"], ids=_ids(CASES["grouping"]))
def test_grouping_case_reversed_gives_same_stories(case: dict) -> None:
    assert _group(case["documents"][::-1]) == _group(case["documents"])


def test_seeds_story_id_is_hash_of_sorted_member_ids() -> None:
    grouper = StoryGrouper()
    grouper.add(SEED_001, _seed(SEED_001))
    grouper.add(SEED_000, _seed(SEED_000))
    digest = hashlib.sha1(f"{SEED_000}\n{SEED_001}".encode()).hexdigest()[:12]
    assert grouper.groups() == [Story(f"story-{digest}", [SEED_000, SEED_001])]
    assert digest == "66202f4b48ed"


def test_keyed_story_id_is_the_key() -> None:
    grouper = StoryGrouper()
    grouper.add("a", TEXTS["weather"], key="storm-2024")
    grouper.add("b", _seed(SEED_000), key=None)
    stories = {story.id: story.documents for story in grouper.groups()}
    assert stories["storm-2024"] == ["a"]
    assert len(stories) == 2


def test_seeds_estimated_similarity_clears_threshold_and_topic_twins_do_not() -> None:
    grouper = StoryGrouper()
    s0, s1 = grouper.signature(_seed(SEED_000)), grouper.signature(_seed(SEED_001))
    caravan, asylum = grouper.signature(TEXTS["caravan"]), grouper.signature(TEXTS["asylum_rules"])
    assert s0 is not None and s1 is not None and caravan is not None and asylum is not None
    assert (s0 == s1).mean() >= DEFAULT_THRESHOLD + 0.1
    assert (caravan == asylum).mean() <= DEFAULT_THRESHOLD - 0.15


def test_unkeyed_document_joins_the_more_similar_of_two_keyed_stories() -> None:
    sentences = _seed(SEED_001).split(". ")
    grouper = StoryGrouper()
    grouper.add("keyed-far", _seed(SEED_000), key="k-far")
    grouper.add("keyed-near", ". ".join(sentences[1:]), key="k-near")
    grouper.add("free", ". ".join(sentences[:-1]))
    stories = {story.id: story.documents for story in grouper.groups()}
    assert stories == {"k-far": ["keyed-far"], "k-near": ["free", "keyed-near"]}


def test_many_identical_documents_form_one_story() -> None:
    grouper = StoryGrouper()
    for i in range(200):
        grouper.add(f"copy-{i:03d}", _seed(SEED_001))
    grouper.add("other", TEXTS["weather"])
    stories = grouper.groups()
    assert sorted(len(story.documents) for story in stories) == [1, 200]


def test_stricter_threshold_splits_the_seeds() -> None:
    documents = [{"id": "a", "seed": SEED_000}, {"id": "b", "seed": SEED_001}]
    assert len(_group(documents, threshold=0.8)) == 2


def test_grouper_counts_documents() -> None:
    grouper = StoryGrouper()
    grouper.add("a", "text")
    grouper.add("b", "")
    assert len(grouper) == 2


BAD_OPTIONS = [
    pytest.param({"threshold": 0.0}, "threshold must be in (0, 1], got 0.0", id="threshold-0"),
    pytest.param({"threshold": 1.5}, "threshold must be in (0, 1], got 1.5", id="threshold-1.5"),
    pytest.param({"num_perm": 8}, "num_perm must be at least 16, got 8", id="num-perm-8"),
    pytest.param({"shingle_words": 0}, "shingle_words must be at least 1, got 0", id="shingle-0"),
]


@pytest.mark.parametrize(("options", "message"), BAD_OPTIONS)
def test_bad_options_raise_at_once(options: dict, message: str) -> None:
    with pytest.raises(ValueError) as error:
        StoryGrouper(**options)
    assert str(error.value) == message


def test_duplicate_document_id_raises() -> None:
    grouper = StoryGrouper()
    grouper.add("a", "one text")
    with pytest.raises(ValueError, match="document 'a' was already added"):
        grouper.add("a", "another text")


def test_non_iso_date_raises_with_advice() -> None:
    grouper = StoryGrouper()
    with pytest.raises(ValueError) as error:
        grouper.add("a", "text", date="December 28, 2023")
    assert str(error.value) == (
        "document 'a': date 'December 28, 2023' is not ISO 8601 (YYYY-MM-DD); "
        "resolve dates before grouping so that versions sort chronologically"
    )


# --- diacritics ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES["diacritics"], ids=_ids(CASES["diacritics"]))
def test_diacritics_case(case: dict) -> None:
    versions = [(v["id"], _text(v)) for v in case["versions"]]
    texts = dict(versions)
    hits = check_preserved_diacritics(versions)
    assert [(h.reason, h.document) for h in hits] == [
        ("diacritics_stripped", expected["document"]) for expected in case["hits"]
    ]
    for hit, expected in zip(hits, case["hits"], strict=True):
        listed = hit.message.split(" keeps: ")[1].split(" — ")[0]
        assert listed.split(", ") == expected["pairs"]
        start, end = hit.span
        assert texts[hit.document][start:end] == expected["span_text"]
        assert fold_diacritics(hit.suggestion or "") == expected["span_text"]
        other, related_text = expected["related"]
        assert hit.related is not None and hit.related.document == other
        assert texts[other][hit.related.span[0] : hit.related.span[1]] == related_text


def test_seeds_diacritics_hit_in_full() -> None:
    (hit,) = check_preserved_diacritics([(SEED_000, _seed(SEED_000)), (SEED_001, _seed(SEED_001))])
    assert hit.message == (
        "3 words have lost the diacritics that 001_a1d7f1edd2253686 keeps: Andres/Andrés, "
        "Lopez/López (4×), Barcena/Bárcena (2×) — restore them, or export this version "
        "without ASCII folding"
    )
    assert hit.span == (331, 337)
    assert hit.suggestion == "Andrés"
    assert hit.related == Related(SEED_001, (579, 585))
    assert hit.document == SEED_000


def test_diacritics_single_version_or_none_gives_nothing() -> None:
    assert check_preserved_diacritics([]) == []
    assert check_preserved_diacritics([("a", "Lopez met López")]) == []


def test_diacritics_message_names_every_source_version() -> None:
    in_plain, in_x = check_preserved_diacritics(
        [("plain", "Jose and Pena"), ("x", "José and Pena"), ("y", "Peña spoke")]
    )
    assert in_plain.message == (
        "2 words have lost the diacritics that other versions (x, y) keep: Jose/José, "
        "Pena/Peña — restore them, or export this version without ASCII folding"
    )
    assert (in_x.document, in_x.related) == ("x", Related("y", (0, 4)))


REPEATED_IDS = [
    pytest.param(
        lambda: check_preserved_diacritics([("a", "x"), ("b", "y"), ("a", "z")]), id="diacritics"
    ),
    pytest.param(lambda: check_consistent_metadata([("a", {}), ("a", {})]), id="metadata"),
    pytest.param(lambda: suggest_missing([("a", {}), ("a", {})], ["date"]), id="suggest-missing"),
]


@pytest.mark.parametrize("call", REPEATED_IDS)
def test_repeated_version_ids_raise(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError) as error:
        call()
    assert str(error.value) == "versions of a story must have distinct ids; repeated: ['a']"


# --- metadata ------------------------------------------------------------------------------


def _metadata_versions(case: dict) -> list[tuple[str, dict]]:
    return [(v["id"], v["fields"]) for v in case["versions"]]


@pytest.mark.parametrize("case", CASES["metadata"], ids=_ids(CASES["metadata"]))
def test_metadata_case(case: dict) -> None:
    hits = check_consistent_metadata(_metadata_versions(case))
    assert [[h.reason, h.document] for h in hits] == case["hits"]
    for hit in hits:
        assert hit.related is not None and hit.related.document != hit.document


@pytest.mark.parametrize(
    "case",
    [c for c in CASES["metadata"] if "suggestions" in c],
    ids=_ids([c for c in CASES["metadata"] if "suggestions" in c]),
)
def test_suggest_missing_case(case: dict) -> None:
    versions = _metadata_versions(case)
    assert suggest_missing(versions, ["date", "source"]) == case["suggestions"]


SEED_METADATA: list[tuple[str, dict[str, MetadataValue]]] = [
    (SEED_000, {"date": "2023-12-28", "attribution": ["The Associated Press", "Reuters"]}),
    (
        SEED_001,
        {
            "source": "Voice of America",
            "attribution": ["VOA News", "The Associated Press", "Agence France-Presse", "Reuters"],
        },
    ),
]


def test_seeds_credit_line_messages_in_full() -> None:
    in_000, in_001 = check_consistent_metadata(SEED_METADATA)
    assert in_000.message == (
        "attribution differs between versions of the story (info): not credited here: "
        "VOA News (in 001_a1d7f1edd2253686), Agence France-Presse (in 001_a1d7f1edd2253686) — "
        "no action needed unless a credit was dropped by mistake"
    )
    assert in_001.message == (
        "attribution differs between versions of the story (info): credited only here: "
        "VOA News, Agence France-Presse — no action needed unless a credit was dropped by mistake"
    )
    assert in_001.related == Related(SEED_000, (0, 0))


def test_date_conflict_message_and_spans() -> None:
    spans = {"a": {"date": (1, 11)}, "b": {"date": (40, 50)}}
    hit_a, hit_b = check_consistent_metadata(
        [("a", {"date": "2023-12-28"}), ("b", {"date": "2023-12-29"})], spans=spans
    )
    assert hit_a.message == (
        'date differs between versions of the story: "2023-12-28" here, "2023-12-29" in b '
        "— correct the version that is wrong"
    )
    assert (hit_a.span, hit_a.related) == ((1, 11), Related("b", (40, 50)))
    assert (hit_b.span, hit_b.related) == ((40, 50), Related("a", (1, 11)))


def test_metadata_hits_without_spans_are_document_level() -> None:
    (hit,) = check_consistent_metadata(
        [("a", {"source": "VOA"}), ("b", {"source": "Reuters"}), ("c", {"source": "Reuters"})]
    )
    assert (hit.document, hit.span, hit.related) == ("a", (0, 0), Related("b", (0, 0)))


def test_metadata_fields_are_configurable() -> None:
    versions = [
        ("a", {"section": "World", "date": "2023-12-28"}),
        ("b", {"section": "Americas", "date": "2024-01-01"}),
    ]
    hits = check_consistent_metadata(versions, fields=["section"], credit_fields=[])
    assert [(h.reason, h.document) for h in hits] == [
        ("metadata_conflict", "a"),
        ("metadata_conflict", "b"),
    ]


def test_suggest_missing_leaves_out_complete_versions_and_unknown_fields() -> None:
    versions = [("a", {"date": "2023-12-28"}), ("b", {"date": "2023-12-28"})]
    assert suggest_missing(versions, ["date", "source"]) == {}


def test_suggest_missing_keeps_list_values() -> None:
    versions: list[tuple[str, dict[str, MetadataValue]]] = [
        ("a", {"attribution": ["AP", "Reuters"]}),
        ("b", {"attribution": []}),
    ]
    assert suggest_missing(versions, ["attribution"]) == {"b": {"attribution": ["AP", "Reuters"]}}


# --- signatures and LSH --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("threshold", "shape"),
    # datasketch 2.0's MinHashLSH(threshold, 128, weights=(0.3, 0.7)) chose these .b, .r
    [(0.2, (44, 2)), (0.3, (42, 3)), (0.5, (25, 5)), (0.8, (11, 11))],
    ids=["0.2", "0.3", "0.5", "0.8"],
)
def test_band_shape_is_the_weighted_optimum(threshold: float, shape: tuple[int, int]) -> None:
    from corpus_qa.checks.versions import _lsh_shape

    assert _lsh_shape(threshold, 128) == shape


def test_fold_table_agrees_with_fold_on_every_character_next_to_every_removed_mark() -> None:
    import unicodedata

    from corpus_qa.checks.versions import _FOLDS_AWAY, _NO_CHAR, _fold_table
    from corpus_qa.text.fold import fold

    table = _fold_table()
    marks = "\u0300\u0301\u0303\u0308\u030c\u0327\u0345"
    for code in np.flatnonzero(table != _NO_CHAR).tolist():
        char = chr(code)
        want = "" if table[code] == _FOLDS_AWAY else chr(table[code])
        assert fold(char) == want, f"U+{code:04X}"
        for mark in marks:
            assert fold(char + mark) == want, f"U+{code:04X} + U+{ord(mark):04X}"
    # No two base characters the table keeps compose canonically (as Hangul jamo would).
    kept = {chr(c) for c in np.flatnonzero(table < _FOLDS_AWAY).tolist()}
    for code in range(0x110000):
        parts = unicodedata.normalize("NFD", chr(code))
        if len(parts) == 2 and not unicodedata.combining(parts[1]):
            assert not (parts[0] in kept and parts[1] in kept), f"U+{code:04X}"


def test_grouping_signatures_that_tie_on_their_first_columns_copies_none_of_them() -> None:
    """Short texts that share their commonest phrases often share their first minimum
    hashes: finding identical signatures re-reads only the rows that still tie, a few
    columns at a time, and never copies them whole (it copied every tied row twice,
    ~1.5 KB a document, which made a million small documents' grouping peak at 1.5 GB).
    The peak within grouping grows by under half a signature per extra document."""
    import tracemalloc

    def peak_of_grouping(count: int) -> int:
        rng = np.random.default_rng(3)
        grouper = StoryGrouper()
        for i in range(count):
            signature = rng.integers(0, 2**32, size=grouper.num_perm, dtype=np.uint32)
            signature[:10] = 7  # every row ties on its first ten columns
            grouper.add_signature(f"doc-{i:06d}", signature)
        tracemalloc.start()
        try:
            held = tracemalloc.get_traced_memory()[0]
            assert grouper.several() == []  # the rest of each signature is its own
            return tracemalloc.get_traced_memory()[1] - held
        finally:
            tracemalloc.stop()

    # both above a block of rows read at once (``BLOCK``), which costs the same at any size
    small, large = peak_of_grouping(8_000), peak_of_grouping(24_000)
    half = 16_000 * DEFAULT_NUM_PERM * 4 // 2
    assert large - small < half, (small, large, half)


def test_a_long_bucket_of_near_duplicates_is_one_story(monkeypatch) -> None:
    """In a bucket larger than MAX_BUCKET each document meets only its neighbours in
    signature order: near-duplicates still form one story (a chain is enough)."""
    from corpus_qa.checks import versions

    monkeypatch.setattr(versions, "MAX_BUCKET", 2)
    base = _seed(SEED_000).split()
    grouper = StoryGrouper()
    for i in range(30):
        edited = base[:]
        edited[10 + 7 * i] = f"edit{i}"
        grouper.add(f"v{i:02d}", " ".join(edited))
    grouper.add("other", TEXTS["caravan"])
    assert sorted(len(story.documents) for story in grouper.groups()) == [1, 30]


def test_max_bucket_bounds_the_comparisons_of_a_bucket(monkeypatch) -> None:
    """MAX_BUCKET = 1: a document is compared with no one in its buckets, so even two
    near-identical texts stay apart (the bound is what the grouping obeys)."""
    from corpus_qa.checks import versions

    monkeypatch.setattr(versions, "MAX_BUCKET", 1)
    grouper = StoryGrouper()
    grouper.add("a", _seed(SEED_000))
    grouper.add("b", _seed(SEED_000) + " One more sentence at the end.")
    assert [len(story.documents) for story in grouper.groups()] == [1, 1]


def test_a_long_text_is_signed_in_bounded_memory_to_the_same_signature(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A 50 MB document used to take ~40 bytes a character while signed (2 GB): a text
    over ``_SIGN_CHARS`` is hashed in pieces, to the signature one piece would give."""
    import random
    import tracemalloc

    from benchmarks.news_corpus import sentence

    rng = random.Random(4)
    text = " ".join(sentence(rng) for _ in range(30_000)) + " Łódź ﬁnal\n"  # ~4 M characters
    grouper = StoryGrouper()
    whole = grouper._sign_batch([text])[0]  # one piece: the reference
    tracemalloc.start()
    try:
        signed = grouper.signature(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert signed is not None and whole is not None and (signed == whole).all()
    assert peak < 10 * len(text), (peak, len(text))
    import corpus_qa.checks.versions as vc

    monkeypatch.setattr(vc, "_SIGN_CHARS", 50)  # pieces cut in many places, tiny texts too
    for sample in (text[:5_000], "a b", "one", " ", "x " * 200, "é\u0301 " * 80):
        reference = grouper._sign_batch([sample])[0]
        pieced = grouper.signature(sample)
        assert (reference is None) == (pieced is None), sample[:20]
        assert reference is None or (reference == pieced).all(), sample[:20]
