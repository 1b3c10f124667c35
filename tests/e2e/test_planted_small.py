"""A small planted corpus through the real Runner: every planted change found, no false alarm.

The generator is ``benchmarks/planted_figures.py`` (the 10,000-document benchmark) at
60 documents in 15 stories, 5 of them with one figure of one version changed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.grouping_scale import precision_recall
from benchmarks.planted_figures import (
    Corpus,
    PipelineRun,
    Quantity,
    Score,
    describe_misses,
    forms,
    generate,
    run_pipeline,
    score,
    version_counts,
    write_corpus,
)
from corpus_qa.checks.figures import extract_figures
from tests.conftest import NEWS

pytestmark = pytest.mark.slow  # about 10 s: three small corpora through the Runner

DOCUMENTS, STORIES, PLANTED = 60, 15, 5

# Seed 3 plants "9 April" -> "11 April" in "Çelik flew to Kraków on 9 April for a 3-day
# visit …", the first sentence of its story, where versions carry a glued
# ` date 2022-04-12 ` header. Headers are blanked before figures are compared (they are
# metadata), so the finding lands on "9 April", not on the header date.


def _explain(corpus: Corpus, found: Score) -> str:
    return "\n".join(describe_misses(corpus, found))


def _run(seed: int, root: Path) -> tuple[Corpus, Score, PipelineRun]:
    corpus = generate(DOCUMENTS, STORIES, PLANTED, seed=seed)
    write_corpus(corpus, root)
    run = run_pipeline(root, NEWS)
    return corpus, score(corpus, run.flags), run


@pytest.fixture(scope="module", params=[1, 2], ids=["seed1", "seed2"])
def planted_run(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> tuple[Corpus, Score, PipelineRun]:
    return _run(request.param, tmp_path_factory.mktemp(f"planted{request.param}"))


def test_groups_are_the_generated_stories(planted_run) -> None:
    corpus, _, run = planted_run
    assert precision_recall(run.groups, corpus.story_of) == (1.0, 1.0)


def test_every_planted_change_is_found_in_every_version(planted_run) -> None:
    corpus, found, _ = planted_run
    assert found.planted == PLANTED
    assert (found.recall, found.paired_recall) == (1.0, 1.0), _explain(corpus, found)


def test_no_false_alarm(planted_run) -> None:
    corpus, found, _ = planted_run
    assert found.false_alarms == [], _explain(corpus, found)
    assert (found.clean_stories_flagged, found.clean_documents_flagged) == (0, 0)
    assert found.clean_stories == STORIES - PLANTED


def test_changed_date_in_a_sentence_with_a_header_date(tmp_path: Path) -> None:
    corpus, found, _ = _run(3, tmp_path)
    assert (found.recall, found.paired_recall) == (1.0, 1.0), _explain(corpus, found)
    assert found.false_alarms == [], _explain(corpus, found)


def test_one_finding_per_pair_on_the_later_version(planted_run) -> None:
    """The changed version's finding names every earlier version; each later version has
    one finding pointing at the changed one."""
    corpus, _, run = planted_run
    for plant in corpus.planted:
        earlier = sorted(o for o in plant.others if o < plant.document)
        later = sorted(o for o in plant.others if o > plant.document)
        mine = [f for f in run.findings if f.document == plant.document]
        assert len(mine) == (1 if earlier else 0)
        for finding in mine:
            assert finding.span == plant.span
            assert finding.expectation == "expect_versions_to_have_consistent_figures"
            assert finding.severity == "error"
            assert finding.message.startswith(
                f'figure changed between versions: "{plant.changed}')
            assert finding.message.endswith(" — check which is right")
            assert finding.related is not None and finding.related.document in earlier
            assert earlier == sorted(o for o in plant.others if f'" in {o}' in finding.message)
        pointing = sorted(f.document for f in run.findings
                          if f.related and f.related.document == plant.document)
        assert pointing == later
        for finding in run.findings:
            if finding.document in later:
                assert finding.span == plant.others[finding.document]
                assert f'" in {plant.document}' in finding.message


# --- the generator's truth ------------------------------------------------------------------


def test_truth_spans_hold_the_planted_and_original_figures() -> None:
    corpus = generate(DOCUMENTS, STORIES, PLANTED, seed=4)
    assert len(corpus.planted) == PLANTED
    for plant in corpus.planted:
        changed = corpus.texts[plant.document]
        assert changed[slice(*plant.span)] == plant.changed
        (figure,) = [f for f in extract_figures(changed) if f.span == plant.span]
        originals = set()
        for other, span in plant.others.items():
            (same,) = [f for f in extract_figures(corpus.texts[other]) if f.span == span]
            originals.add((same.kind, same.unit, same.value))
        assert len(originals) == 1, "every other version writes the same original value"
        assert (figure.kind, figure.unit, figure.value) not in originals


def test_stories_have_two_to_eight_versions_and_the_sizes_add_up() -> None:
    corpus = generate(DOCUMENTS, STORIES, PLANTED, seed=5)
    sizes = [len(docs) for docs in corpus.stories().values()]
    assert len(sizes) == STORIES and sum(sizes) == DOCUMENTS
    assert min(sizes) >= 2 and max(sizes) <= 8


@pytest.mark.parametrize(("documents", "stories"), [(29, 15), (121, 15)],
                         ids=["too-few-documents", "too-many-documents"])
def test_version_counts_refuse_impossible_sizes(documents: int, stories: int) -> None:
    import random

    with pytest.raises(ValueError, match="cannot make"):
        version_counts(documents, stories, random.Random(0))


def test_equivalent_forms_read_as_one_value() -> None:
    """The harmless rewritings the generator uses are equal for the extractor."""
    for quantity in [Quantity("count", 500_000), Quantity("count", 10_000),
                     Quantity("count", 2_500_000), Quantity("usd", 1.2e6),
                     Quantity("percent", 12.5), Quantity("date", day=(0, 12, 18)),
                     Quantity("date", day=(2023, 12, 18)),
                     Quantity("hours", 2), Quantity("clock", 15), Quantity("season", 2022)]:
        values = {(f.kind, f.unit, f.value)
                  for form in forms(quantity) for f in extract_figures(f"rose {form} in all")}
        assert len(values) == 1, (quantity, values)
