"""Property tests for the repairs: fix(mutate(clean)) gives back clean; clean text and
changed figures are never touched.

Each repair gets what the default suite's check finds in the mutated text (the pure
check, as the fixer's findings would say), exactly as :mod:`corpus_qa.fixer` calls it.
Tolerance per family (docs/repair.md): none — every family here must restore the
clean document character for character.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from corpus_qa.checks import boilerplate as bp
from corpus_qa.checks import furniture as fu
from corpus_qa.mutations import body_start
from corpus_qa.repair import repair_boilerplate, repair_encoding, restore_diacritics
from corpus_qa.strategies import news_documents, story_versions, with_defect, with_story_defect

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def boilerplate_fixed(text: str) -> str:
    start = body_start(text)
    hits = bp.find_document_boilerplate(text, bp.load_default_patterns(), body_start=start,
                                        furniture=fu.load_default_cues())
    return repair_boilerplate(text, hits, {}, body_start=start).text


def all_repairs(text: str, others: list[tuple[str, str]]) -> str:
    text = repair_encoding(text).text
    text = boilerplate_fixed(text)
    return restore_diacritics(text, others).text


@SETTINGS
@given(with_defect("mojibake"))
def test_mojibake_is_repaired_exactly(case) -> None:
    fixed = repair_encoding(case.mutated)
    assert fixed.text == case.original
    assert {e.reason for e in fixed.edits} == {"mojibake"}


@SETTINGS
@given(with_defect("control_character"))
def test_control_character_is_removed_exactly(case) -> None:
    fixed = repair_encoding(case.mutated)
    assert fixed.text == case.original
    assert [e.reason for e in fixed.edits] == ["control_character"]


@SETTINGS
@given(with_defect("nfd"))
def test_nfd_is_normalized_exactly(case) -> None:
    fixed = repair_encoding(case.mutated)
    assert fixed.text == case.original
    assert {e.reason for e in fixed.edits} == {"not_normalized"}


@SETTINGS
@given(with_defect("boilerplate_line"))
def test_inserted_boilerplate_line_is_removed_exactly(case) -> None:
    assert boilerplate_fixed(case.mutated) == case.original


@SETTINGS
@given(with_story_defect("stripped_diacritics"))
def test_stripped_diacritics_are_restored_exactly(case) -> None:
    index = case.defect.version
    others = [(str(i), t) for i, t in enumerate(case.mutated) if i != index]
    fixed = restore_diacritics(case.mutated[index], others)
    assert fixed.text == case.versions[index]
    assert fixed.edits and all(e.reason == "diacritics_stripped" for e in fixed.edits)


@SETTINGS
@given(with_story_defect("figure_change"))
def test_a_changed_figure_is_never_repaired(case) -> None:
    index = case.defect.version
    others = [(str(i), t) for i, t in enumerate(case.mutated) if i != index]
    assert all_repairs(case.mutated[index], others) == case.mutated[index]


@SETTINGS
@given(news_documents())
def test_a_clean_document_is_left_as_it_is(text: str) -> None:
    assert all_repairs(text, []) == text


@SETTINGS
@given(story_versions())
def test_clean_versions_are_left_as_they_are(versions: list[str]) -> None:
    for i, text in enumerate(versions):
        others = [(str(j), t) for j, t in enumerate(versions) if j != i]
        assert all_repairs(text, others) == text


@SETTINGS
@given(with_defect("mojibake"))
def test_repairs_are_idempotent(case) -> None:
    once = all_repairs(case.mutated, [])
    assert all_repairs(once, []) == once
