"""The story pass's memory on one long story does not grow with the story (tracemalloc).

A grouping that chains thousands of short texts into one "story" (the small-document
benchmark at 200,000 documents makes one of 2,871) used to cost the story pass hundreds
of MiB: every version's text, figures, sentences and word table held at once, and a
``metadata_conflict`` message per version listing every other version (quadratic). Now a
long story is read from the row store a version at a time and compared a window at a time
(docs/versions.md, "Long and oversized stories"). What still grows with the story is its
findings (the output) and a few bytes per version (its row reference, its values of the
required and compared metadata fields). Nothing here measures a time.
"""

from __future__ import annotations

import dataclasses
import tracemalloc
from pathlib import Path

from corpus_qa.engine.passes import StoryJob, StoryPass
from corpus_qa.engine.rowstore import RowStore, unpack
from corpus_qa.expectations.metadata import as_metadata
from corpus_qa.suite import load_suite
from tests.conftest import NEWS

VERSIONS = 3000


def _text(i: int) -> str:
    """Short near-duplicates: each shares most words with the next, one figure changes."""
    mayor = "Ana López" if i % 3 else "Ana Lopez"
    return (f"Report {i}. Officials said {1000 + i:,} people were evacuated from the river "
            f"district on Monday, about {i % 40 + 10} percent more than last year. "
            f"The mayor, {mayor}, thanked the volunteers and said the shelters would stay "
            "open for the rest of the week.\n")


def _story(store_dir: Path, count: int, chunk: int = 0) -> StoryJob:
    refs = []
    with RowStore(store_dir).writer(chunk) as put:
        for i in range(count):
            text = _text(i)
            # 28 dates and no majority: every version conflicts with the others.
            meta = as_metadata({"date": f"2023-12-{i % 28 + 1:02d}", "source": "Acme Daily"})
            doc_id = f"c{chunk}d{i:05d}"
            refs.append((doc_id, "docs.jsonl", i + 1, "line", put({
                "id": doc_id, "path": "docs.jsonl", "line": i + 1, "text": text,
                "body_start": 0, "metadata": meta.to_row(), "credits": []})))
    return StoryJob(f"story-{chunk}", tuple(refs))


def test_the_story_pass_on_a_chained_story_of_3000_documents_stays_small(
        tmp_path: Path) -> None:
    suite = load_suite(NEWS)
    suite = dataclasses.replace(suite, versions=dataclasses.replace(
        suite.versions, max_story_documents=VERSIONS))  # the runner would not send it
    job = _story(tmp_path, VERSIONS)
    story_pass = StoryPass(suite).storing_in(str(tmp_path))
    story_pass([_story(tmp_path, 3, chunk=1)])  # GX's first validation is not measured
    tracemalloc.start()
    try:
        out = story_pass([job])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    reasons = {f.reason for f in out.findings}
    # The checks ran on the whole story: neighbours' figures differ, dates conflict.
    assert {"figure_changed", "metadata_conflict"} <= reasons
    assert sum(f.reason == "metadata_conflict" for f in out.findings) == VERSIONS
    # the shown tables come back packed (one bytes object, not a tree of dicts and lists)
    assert isinstance(out.stories[0]["pairs"], bytes)
    assert len(unpack(out.stories[0]["pairs"])) == 20
    assert out.stories[0]["pairs_omitted"] == VERSIONS - 21
    # Before: ~400 MiB (the conflict messages alone), all versions' tables besides.
    assert peak < 40 * 2**20, f"story pass peak {peak / 2**20:.1f} MiB"
    assert max(len(f.message) for f in out.findings) < 1000
