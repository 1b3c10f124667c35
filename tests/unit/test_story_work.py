"""Per-version work of the story checks is done once per version, not once per pair.

Counts calls on stories of k versions — k at most ``MAX_ALL_PAIRS`` (every pair is
compared) and more (each version with the next): each version's figures, sentences and
word table are found k times in all, and the figures of a paragraph the versions share
are read once per story. Nothing here measures a time.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from corpus_qa.checks import figures, sentences
from corpus_qa.checks import versions as vc
from corpus_qa.expectations import versions as ev
from corpus_qa.text.segment import sentence_blocks, split_sentences

PARAGRAPHS = [
    f"Paragraph {n}: Andrés López said {1000 + n:,} migrants crossed on December {n + 1}, "
    f"about {n + 2} percent more than officials expected."
    for n in range(12)
]


def _story(k: int) -> list[dict[str, Any]]:
    """k versions: each drops one paragraph of the others and changes one figure."""
    out = []
    for v in range(k):
        kept = [p for n, p in enumerate(PARAGRAPHS) if n != v % len(PARAGRAPHS)]
        kept[0] = kept[0].replace("migrants", f"migrants ({v * 7} of them children)")
        text = "\n\n".join(kept) + "\n"
        if v % 2:
            text = text.replace("Andrés López", "Andres Lopez", 1)
        out.append({"id": f"doc{v:02d}", "text": text, "body_start": 0,
                    "metadata": {}, "credits": []})
    return out


def _counting(monkeypatch: pytest.MonkeyPatch, calls: Counter[str], module: Any, name: str,
              measure: Any = None) -> None:
    original = getattr(module, name, None)
    if original is None:  # a function this version does not have: counted as never called
        return

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[name] += 1
        if measure is not None:
            calls[f"{name} chars"] += measure(*args)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)


@pytest.mark.parametrize("k", [2, 3, ev.MAX_ALL_PAIRS, ev.MAX_ALL_PAIRS + 1, 12])
def test_each_version_is_split_extracted_and_folded_once(k: int,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    calls: Counter[str] = Counter()
    _counting(monkeypatch, calls, figures, "_extract_blocks")  # extract_figures_reusing's
    _counting(monkeypatch, calls, figures, "extract_figures", lambda text, **_: len(text))
    _counting(monkeypatch, calls, sentences, "split_sentences")
    _counting(monkeypatch, calls, sentences, "split_sentences_reusing")
    _counting(monkeypatch, calls, sentences, "sentence_blocks")
    _counting(monkeypatch, calls, sentences, "block_sentence_spans")
    _counting(monkeypatch, calls, sentences, "tokens")
    _counting(monkeypatch, calls, vc, "_consistent_accents")
    story = _story(k)

    checked = ev._figures(story, 0.0)
    assert checked.hits, "the changed figures are found"
    assert ev._diacritics(story), "the stripped accents are found"

    splits = (calls["split_sentences"] + calls["split_sentences_reusing"]
              + calls["sentence_blocks"])
    assert splits == k  # not k·(k−1)/2 or 2·(k−1) pairs' worth
    # A paragraph the versions share is split into sentences once per story, and each
    # distinct sentence (its figures masked) is tokenised once.
    blocks = {v["text"][s:e] for v in story for s, e in sentence_blocks(v["text"])}
    assert calls["block_sentence_spans"] == len(blocks)
    distinct_sentences = {s.text for v in story for s in split_sentences(v["text"])}
    assert calls["tokens"] <= len(distinct_sentences)
    assert calls["_consistent_accents"] == k
    # A paragraph the versions share is read once per story: the figure extractor reads
    # each distinct paragraph, never a version's whole text again.
    distinct = {p for version in story for p in version["text"].split("\n\n")}
    assert calls["extract_figures chars"] < sum(len(v["text"]) for v in story)
    assert calls["extract_figures"] == len(distinct)
    assert calls["_extract_blocks"] == k  # each version's blocks gathered once


def test_reused_figures_equal_a_fresh_extraction() -> None:
    """What is reused is what would have been found: the tables and hits are the same as
    comparing each pair from scratch (the pre-reuse path, one pair at a time)."""
    story = _story(ev.MAX_ALL_PAIRS + 2)
    texts = ev._texts(story)
    reused = ev._figures(story, 0.0)
    fresh_hits = []
    for k in range(len(texts) - 1):
        hits, _ = figures.compare_versions(texts[k:k + 2], 0.0,
                                           dates=ev._dates(story)[k:k + 2])
        fresh_hits.extend(h for h in hits if h not in fresh_hits)
    assert reused.hits == fresh_hits


@pytest.mark.parametrize("k", [2, 3, ev.MAX_ALL_PAIRS + 1])
def test_the_diacritics_check_reads_each_shared_piece_once(
        k: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The words of a stretch of text the versions share (between blank lines) are found
    once per story, and the first spans read off the pieces are the whole text's."""
    calls: Counter[str] = Counter()
    _counting(monkeypatch, calls, vc, "_Piece")
    story = _story(k)
    hits = ev._diacritics(story)
    distinct = {p for version in story for p in version["text"].split("\n\n")}
    assert calls["_Piece"] == len(distinct)
    for hit in hits:  # the span of the first stripped word and of its accented form
        text = {v["id"]: v["text"] for v in story}
        assert text[hit.document][slice(*hit.span)] == "Andres"
        assert text[hit.related.document][slice(*hit.related.span)] == "Andrés"
    assert len(hits) == k // 2


def test_a_shared_sentence_has_one_token_set_per_story() -> None:
    """The versions' sides hold the same token set object for a sentence they share: its
    tokens and their set are built once per story, not once per version."""
    story = _story(3)
    per_version = figures.PerVersion(ev._texts(story))
    sides = [per_version.side(i) for i in range(3)]
    last = [side.sets[-1] for side in sides]  # the last paragraph is in every version
    assert sides[0].sentences[-1].text == sides[2].sentences[-1].text
    assert last[0] is last[1] is last[2]
    assert all(s == frozenset(t) for side in sides for s, t in zip(side.sets, side.tokens,
                                                                   strict=True))


@pytest.mark.parametrize(("name", "job"), [("StoryPass", []), ("DocumentPass", (0, []))])
def test_each_pass_validates_a_chunk_with_the_collector_paused(
        monkeypatch: pytest.MonkeyPatch, name: str, job: object) -> None:
    """The cycle collector does not run while a chunk of stories (pass 2) or of documents
    (pass 1) is validated (the checks' short-lived objects made it run thousands of
    times), and is as it was afterwards."""
    import gc

    from corpus_qa.engine import passes

    seen: list[bool] = []
    cls = getattr(passes, name)
    monkeypatch.setattr(cls, "_validated",
                        lambda self, batch: seen.append(gc.isenabled()) or "done")
    each_pass = object.__new__(cls)
    was = gc.isenabled()
    try:
        gc.enable()
        assert each_pass(job) == "done" and gc.isenabled()
        gc.disable()  # a caller that runs without the collector keeps it off
        assert each_pass(job) == "done" and not gc.isenabled()
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()
    assert seen == [False, False]


def test_each_version_s_metadata_is_read_once_per_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """The four story expectations read every version's metadata; while a batch is
    validated (a recorder active) it is made once per version, not once per expectation.
    A long story's cell, read anew each time, is not kept."""
    from corpus_qa.expectations.base import recording

    calls: Counter[str] = Counter()
    _counting(monkeypatch, calls, ev, "as_metadata")
    story = _story(3)
    checks = [lambda v: ev._figures(v, 0.0), ev._diacritics,
              lambda v: ev._metadata_hits(v, ["date"]), ev._credit_hits]
    with recording():
        found = [check(story) for check in checks]
    assert calls["as_metadata"] == 3
    calls.clear()
    assert [check(story) for check in checks] == found  # no recorder: made each time
    assert calls["as_metadata"] == 3 * len(checks)
    calls.clear()
    with recording():
        for check in checks:
            check(tuple(story))  # not a list: a cell that reads its versions anew
    assert calls["as_metadata"] == 3 * len(checks)


def test_a_block_at_the_same_offset_in_two_versions_is_placed_once() -> None:
    """Versions whose paragraphs stand at the same offsets up to an edit read the same
    placed figures there, equal to each version's own extraction."""
    base = [p + "\n\n" for p in PARAGRAPHS[:4]]
    texts = [("a", "".join(base)), ("b", "".join(base[:3]) + "Officials met twice.\n")]
    prepared = figures.PerVersion(texts)
    a, b = prepared.figures(0), prepared.figures(1)
    assert a == figures.extract_figures(texts[0][1])
    assert b == figures.extract_figures(texts[1][1])
    offset = len(base[0])  # the second paragraph stands there in both
    shared = [f for f in a if offset <= f.span[0] < offset + len(base[1])]
    assert shared and all(any(f is g for g in b) for f in shared)


def _json_of(table: figures.PairTable) -> dict[str, Any]:
    """The story view's JSON of a table, written out field by field (the dicts the check
    kept before its tables were packed as tuples)."""
    def figure(f: figures.Figure | None) -> dict[str, Any] | None:
        return None if f is None else {"text": f.text, "value": f.value, "span": list(f.span),
                                       "kind": f.kind, "noun": f.noun}

    return {"documents": [table.a, table.b],
            "aligned": [[list(a), list(b)] for a, b in table.aligned],
            "figures": [{"a": figure(r.a), "b": figure(r.b), "match": r.status == "same",
                         "status": r.status} for r in table.rows]}


@pytest.mark.parametrize("k", [3, ev.MAX_ALL_PAIRS + 1])
def test_the_packed_tables_read_back_as_the_story_view_s_json(k: int) -> None:
    """The tables a story pass packs (plain tuples, each figure once) read back, through the
    bytes the pass stores, as the JSON of each shown table."""
    from corpus_qa.engine.passes import pairs_json
    from corpus_qa.engine.rowstore import pack

    story = _story(k)
    texts = ev._texts(story)
    if k <= ev.MAX_ALL_PAIRS:
        tables = [t for t in figures.compare_versions(texts, 0.0)[1] if t.a == texts[0][0]]
    else:  # each version with the next
        tables = [figures.compare_versions(texts, 0.0, pairs=[(i, i + 1)])[1][0]
                  for i in range(k - 1)]
    assert any(row.status == "changed" for t in tables for row in t.rows)
    read_back = pairs_json(pack(ev._figures(story, 0.0).detail["pairs"]))
    assert read_back == [_json_of(t) for t in tables]
    assert [t.to_json() for t in tables] == read_back


@pytest.mark.parametrize("k", [2, 3, 5])
def test_a_pair_whose_table_is_not_shown_gives_the_same_hits(k: int) -> None:
    """The figure check makes tables only for the pairs the story view shows (the first
    version with each other); the other pairs are read for their changed figures only,
    which are the same hits."""
    texts = ev._texts(_story(k))
    every_hit, every_table = figures.compare_versions(texts, 0.0)
    hits, tables = figures.compare_versions(texts, 0.0, shown=lambda i, _: i == 0)
    assert hits == every_hit and hits
    assert [t.to_json() for t in tables] == [t.to_json() for t in every_table
                                             if t.a == texts[0][0]]
