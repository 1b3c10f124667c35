"""A long story checked a window at a time finds what the whole story held at once finds.

Stories of more than ``MAX_ALL_PAIRS`` versions are compared each version with the next;
the story pass reads them a window of ``WINDOW`` pairs at a time (each window's caches
dropped). With ``WINDOW`` larger than the story, one window holds every version, as the
pass did before; small windows must give the same hits, in the same order, and the same
tables for the report. The metadata checks' linear rewrite is compared with the quadratic
one it replaced (kept here as the reference), on stories small enough for it.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_qa.checks import versions as vc
from corpus_qa.expectations import versions as ev
from corpus_qa.strategies import mutate_story, story_versions

DATES = ("2023-12-01", "2023-12-02", "2023-12-03", "not a date")


@st.composite
def long_stories(draw: Any) -> list[dict[str, Any]]:
    """9–14 versions of one story, some with a changed figure or stripped accents, with
    dates (a few of them equal, some unparsed) that decide which version is the later."""
    texts = draw(story_versions(min_versions=ev.MAX_ALL_PAIRS + 1, max_versions=14))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    for family in draw(st.lists(st.sampled_from(("figure_change", "stripped_diacritics")),
                                max_size=4)):
        mutated = mutate_story(family, texts, rng)
        if mutated is not None:
            texts = mutated[0]
    dates = draw(st.lists(st.sampled_from(DATES), min_size=len(texts), max_size=len(texts)))
    return [{"id": f"v{n:02d}", "text": text, "metadata": {"date": date}}
            for n, (text, date) in enumerate(zip(texts, dates, strict=True))]


class Cell(Sequence[dict[str, Any]]):
    """A cell that is not a list, as the runner's long-story cell: read when iterated."""

    def __init__(self, versions: list[dict[str, Any]]) -> None:
        self.versions = versions

    def __len__(self) -> int:
        return len(self.versions)

    def __getitem__(self, index: Any) -> Any:
        return self.versions[index]


@settings(max_examples=25, deadline=None)
@given(long_stories(), st.integers(1, 5))
def test_windowed_story_checks_equal_the_whole_story(story: list[dict[str, Any]],
                                                     window: int) -> None:
    with mock.patch.object(ev, "WINDOW", 10**6):
        whole_figures = ev._figures(story, 0.0)
        whole_diacritics = ev._diacritics(story)
    with mock.patch.object(ev, "WINDOW", window):
        for cell in (story, Cell(story)):
            figures = ev._figures(cell, 0.0)
            assert figures.hits == whole_figures.hits
            assert figures.detail == whole_figures.detail
            assert ev._diacritics(cell) == whole_diacritics


@settings(max_examples=10, deadline=None)
@given(long_stories())
def test_windowed_story_checks_find_an_injected_defect(story: list[dict[str, Any]]) -> None:
    """A figure changed in one version of a long story is found with the smallest window."""
    texts = [v["text"] for v in story]
    mutated = mutate_story("figure_change", texts, random.Random(0))
    if mutated is None:
        return
    changed = [dict(v, text=t) for v, t in zip(story, mutated[0], strict=True)]
    with mock.patch.object(ev, "WINDOW", 1):
        before = {(h.document, h.span) for h in ev._figures(story, 0.0).hits}
        after = {(h.document, h.span) for h in ev._figures(changed, 0.0).hits}
    assert after - before


# --- the metadata checks against the quadratic code they replaced -----------------------

def _old_conflicts(versions: Sequence[tuple[str, Mapping[str, Any]]], field: str,
                   spans: Any) -> list[vc.Hit]:
    having = [(doc, meta[field]) for doc, meta in versions if vc._present(meta.get(field))]
    comparable = {doc: vc._comparable(field, value) for doc, value in having}
    votes = vc.Counter(comparable.values())
    if len(votes) < 2:
        return []
    top, top_votes = votes.most_common(1)[0]
    majority = top if top_votes * 2 > len(having) else None
    hits = []
    for doc, value in having:
        if comparable[doc] == majority:
            continue
        differing = [(o, v) for o, v in having if comparable[o] != comparable[doc]]
        elsewhere = "; ".join(f'"{vc._shown(v)}" in {o}' for o, v in differing)
        message = (f'{field} differs between versions of the story: "{vc._shown(value)}" '
                   f"here, {elsewhere} — correct the version that is wrong")
        other = differing[0][0]
        hits.append(vc.Hit("metadata_conflict", message, vc._span(spans, doc, field), None,
                           vc.Related(other, vc._span(spans, other, field)), doc))
    return hits


def _old_credit_differences(versions: Sequence[tuple[str, Mapping[str, Any]]], field: str,
                            spans: Any) -> list[vc.Hit]:
    credits = [(doc, vc._credits(meta[field])) for doc, meta in versions
               if vc._present(meta.get(field))]
    having = [(doc, names) for doc, names in credits if names]
    if len(having) < 2:
        return []
    hits = []
    for doc, names in having:
        missing: dict[str, tuple[str, str]] = {}
        elsewhere: set[str] = set()
        others = [other for other, _ in having if other != doc]
        for other, other_names in having:
            if other == doc:
                continue
            elsewhere |= other_names.keys()
            for name, written in other_names.items():
                if name not in names:
                    missing.setdefault(name, (written, other))
        only_here = [written for name, written in names.items() if name not in elsewhere]
        if missing or only_here:
            compared = next(iter(missing.values()))[1] if missing else others[0]
            hits.append(vc._credit_hit(doc, field, missing, only_here, compared, spans))
    return hits


SOURCES = ("AP", "Reuters", "the AP", "AFP", "", "VOA News")
CREDITS = st.lists(st.sampled_from(("AP", "Reuters", "AFP", "VOA", "dpa", "EFE", "Xinhua",
                                    "Kyodo", "ANSA", "TASS", "PTI", "Yonhap")), max_size=3)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(DATES[:3]), st.sampled_from(SOURCES), CREDITS),
                min_size=2, max_size=vc.MAX_LISTED + 1))
def test_metadata_hits_equal_the_quadratic_version(rows: list[Any]) -> None:
    """Up to MAX_LISTED + 1 versions (at most MAX_LISTED others differ) the messages and
    hits are the old ones exactly; credit lines (names never counted) at any size here."""
    versions = [(f"v{n:02d}", {"date": date, "source": source, "credit": credit})
                for n, (date, source, credit) in enumerate(rows)]
    for field in ("date", "source"):
        assert vc._conflicts(versions, field, {}) == _old_conflicts(versions, field, {})
    if all(len(set(credit)) <= vc.MAX_LISTED for _, _, credit in rows):
        assert (vc._credit_differences(versions, "credit", {})
                == _old_credit_differences(versions, "credit", {}))


def test_a_conflict_message_lists_ten_versions_and_counts_the_rest() -> None:
    versions = [(f"v{n:04d}", {"date": f"2023-12-{n % 28 + 1:02d}"}) for n in range(2000)]
    hits = vc.check_consistent_metadata(versions, fields=("date",), credit_fields=())
    assert len(hits) == 2000  # no majority: every version
    first = hits[0].message
    assert first.count('" in v') == vc.MAX_LISTED
    assert first.endswith("; and 1,918 other versions — correct the version that is wrong")
    assert max(len(h.message) for h in hits) < 600
