"""Tests for corpus_qa.checks.boilerplate: case file, seeds, pattern files, repeated lines."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
import yaml

from corpus_qa.checks import boilerplate
from corpus_qa.checks.boilerplate import (
    PatternError,
    PatternSet,
    RepeatedLineCounter,
    default_pattern_paths,
    find_boilerplate,
    find_document_boilerplate,
    find_flattened_paragraphs,
    find_glued_header,
    load_default_patterns,
    load_patterns,
)
from corpus_qa.findings import Hit
from corpus_qa.text.segment import sentence_spans
from corpus_qa.yamlfile import YamlError

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
SEED_000 = (SEEDS / "000_c3359af66ac874be.txt").read_text(encoding="utf-8")
SEED_001 = (SEEDS / "001_a1d7f1edd2253686.txt").read_text(encoding="utf-8")
CASES = yaml.safe_load(
    (Path(__file__).with_name("boilerplate_cases.yml")).read_text(encoding="utf-8")
)
PATTERNS = load_default_patterns()


def _params(section: str) -> list[Any]:
    params = []
    for case in CASES[section]:
        marks = []
        if "known_failure" in case:
            marks.append(pytest.mark.xfail(reason=case["known_failure"], strict=True))
        params.append(pytest.param(case, id=case["id"], marks=marks))
    return params


def _case_text(case: dict[str, Any]) -> str:
    return case["text"] * case.get("repeat", 1)


def _expected(case: dict[str, Any], text: str) -> list[tuple[str, tuple[int, int]]]:
    """(reason, span) pairs from a case: spans given directly or as the text they cover."""
    expected = []
    for item in case["expect"]:
        if "span" in item:
            expected.append((item["reason"], tuple(item["span"])))
            continue
        start = -1
        for _ in range(item.get("occurrence", 0) + 1):
            start = text.index(item["text"], start + 1)
        expected.append((item["reason"], (start, start + len(item["text"]))))
    return expected


def _actual(hits: list[Hit]) -> list[tuple[str, tuple[int, int]]]:
    return [(h.reason, h.span) for h in hits]


# --- the case file ---------------------------------------------------------------------


@pytest.mark.parametrize("case", _params("boilerplate"))
def test_boilerplate_case(case: dict[str, Any]) -> None:
    text = _case_text(case)
    assert _actual(find_boilerplate(text, PATTERNS)) == _expected(case, text)


@pytest.mark.parametrize("case", _params("header"))
def test_header_case(case: dict[str, Any]) -> None:
    text = _case_text(case)
    assert _actual(find_glued_header(text)) == _expected(case, text)


@pytest.mark.parametrize("case", _params("paragraphs"))
def test_paragraphs_case(case: dict[str, Any]) -> None:
    text = _case_text(case)
    hits = find_flattened_paragraphs(text, case.get("max_chars", 2000))
    assert _actual(hits) == _expected(case, text)


def test_case_file_has_positives_and_negatives_for_every_reason() -> None:
    positives: set[str] = set()
    negatives: set[str] = set()
    for section in CASES.values():
        for case in section:
            positives.update(item["reason"] for item in case["expect"])
            negatives.update(case.get("negative_for", []))
    reasons = {
        "syndication_notice", "licence_notice", "call_to_action", "cookie_notice", "legal_notice",
        "page_furniture", "title_in_body", "byline_in_body", "paragraphs_flattened",
    }  # fmt: skip
    assert reasons <= positives
    assert reasons <= negatives


# --- the seeds, exactly ----------------------------------------------------------------


def test_seed_000_has_no_boilerplate() -> None:
    assert find_boilerplate(SEED_000, PATTERNS) == []
    assert find_glued_header(SEED_000) == []
    assert find_flattened_paragraphs(SEED_000) == []


def test_seed_001_notice_title_byline_and_flattened_paragraphs() -> None:
    found = [
        (h.reason, SEED_001[h.span[0] : h.span[1]])
        for h in find_boilerplate(SEED_001, PATTERNS) + find_glued_header(SEED_001)
    ]
    assert found == [
        ("syndication_notice", "Originally posted by the Voice of America."),
        (
            "licence_notice",
            "Voice of America content is produced by the Voice of America, a United States federal "
            "government-sponsored entity, and is in the public domain.",
        ),
        ("title_in_body", "US, Mexico Discuss Options to Slow Surge of Migrants at Border"),
        ("byline_in_body", "by VOA News"),
    ]
    assert _actual(find_flattened_paragraphs(SEED_001)) == [
        ("paragraphs_flattened", (0, len(SEED_001)))
    ]


def test_seed_001_messages_in_full() -> None:
    notice, licence = find_boilerplate(SEED_001, PATTERNS)
    assert notice.message == (
        'syndication notice "Originally posted by the Voice of America." '
        "(pattern originally_posted) "
        "— move into metadata: source"
    )
    assert licence.message == (
        'licence notice "Voice of America content is produced by the Voice of Americ…" '
        "(pattern content_produced_public_domain) — move into metadata: source, licence"
    )
    title, byline = find_glued_header(SEED_001)
    assert title.message == (
        'title "US, Mexico Discuss Options to Slow Surge of Migrants at Border" '
        "is part of the body text "
        "— move into metadata: title"
    )
    assert title.suggestion == "US, Mexico Discuss Options to Slow Surge of Migrants at Border"
    assert (
        byline.message
        == 'byline "by VOA News" is part of the body text — move into metadata: attribution'
    )
    assert byline.suggestion == "VOA News"
    (flat,) = find_flattened_paragraphs(SEED_001)
    assert flat.message == (
        f"{len(SEED_001):,} characters without a paragraph break (limit 2,000) "
        "— restore the paragraph breaks"
    )


def test_document_boilerplate_merges_in_text_order_without_overlaps(tmp_path: Path) -> None:
    assert [h.reason for h in find_document_boilerplate(SEED_001, PATTERNS)] == [
        "syndication_notice",
        "licence_notice",
        "title_in_body",
        "byline_in_body",
    ]
    byline_pattern = _write(
        tmp_path,
        "patterns:\n  - id: staff_byline\n    regex: 'By [A-Z][a-z]+ [A-Z][a-z]+, Staff Writer'\n"
        "    reason: byline_in_body\n    where: leading\n"
        "    example: By Jane Doe, Staff Writer\n",
    )
    text = "Advertisement\nBy Jane Doe, Staff Writer\nOfficials met on Monday.\nThey agreed."
    hits = find_document_boilerplate(
        text, load_patterns([*default_pattern_paths(), byline_pattern])
    )
    assert [(h.reason, h.span) for h in hits] == [
        ("page_furniture", (0, 13)),
        ("byline_in_body", (14, 39)),
    ]
    assert "(pattern staff_byline)" in hits[1].message  # the header check's duplicate is dropped


def test_a_verbose_pattern_may_end_in_a_comment(tmp_path: Path) -> None:
    # (?x) makes "# ..." a comment up to the end of the line: the pattern is combined with
    # others inside a group, and that group must not be closed inside the comment.
    verbose = _write(
        tmp_path,
        "patterns:\n  - id: staff_byline\n"
        "    regex: '(?x) By \\s [A-Z][a-z]+ \\s [A-Z][a-z]+ , \\s Staff \\s Writer"
        "  # our bylines'\n"
        "    reason: byline_in_body\n    where: leading\n"
        "    example: By Jane Doe, Staff Writer\n",
    )
    text = "By Jane Doe, Staff Writer\nOfficials met on Monday.\nThey agreed."
    hits = find_document_boilerplate(text, load_patterns([*default_pattern_paths(), verbose]))
    assert [(h.reason, h.span) for h in hits] == [("byline_in_body", (0, 25))]


@pytest.mark.parametrize(
    "credit",
    [
        "Some information for this report came from The Associated Press and Reuters.",
        "Some information for this report came from AP, Agence France-Presse and Reuters.",
        "Jane Doe contributed to this report.",
    ],
)
def test_credit_lines_are_not_boilerplate_alone_or_glued(credit: str) -> None:
    assert find_boilerplate(f"Officials met.\n{credit}", PATTERNS) == []
    assert find_boilerplate(f"Officials met on Wednesday. {credit}", PATTERNS) == []


def test_body_start_skips_front_matter() -> None:
    text = "---\nSource: Voice of America\n---\nOfficials met.\nAdvertisement\nThey talked."
    body = text.index("Officials")
    ad = text.index("Advertisement")
    assert _actual(find_boilerplate(text, PATTERNS, body_start=body)) == [
        ("page_furniture", (ad, ad + 13))
    ]
    assert [h.reason for h in find_boilerplate(text, PATTERNS)] == [
        "syndication_notice",
        "page_furniture",
    ]


def test_leading_only_pattern_is_ignored_past_the_leading_block() -> None:
    filler = "Officials met again to talk about the border and trade.\n" * 20
    crumb = "Home > News > Americas\n"
    assert [h.reason for h in find_boilerplate(crumb + filler, PATTERNS)] == ["page_furniture"]
    assert find_boilerplate(filler + crumb + filler, PATTERNS) == []
    assert find_boilerplate(filler + crumb + filler, PATTERNS, leading_chars=10_000) != []


# --- sentence splitting ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "U.S. and Mexican officials met. They talked.",
            ["U.S. and Mexican officials met.", "They talked."],
        ),
        (
            "Sen. Smith met Dr. Jones in Washington, D.C. today.",
            ["Sen. Smith met Dr. Jones in Washington, D.C. today."],
        ),
        ('He said "no." Then he left.', ['He said "no."', "Then he left."]),
        (
            "the economic relationship ... the importance",
            ["the economic relationship ... the importance"],
        ),
        ("Is it over? Yes! Done.", ["Is it over?", "Yes!", "Done."]),
    ],
    ids=[
        "us_abbreviation",
        "titles_and_dc",
        "closing_quote",
        "ellipsis_lowercase",
        "question_exclamation",
    ],
)
def test_sentence_spans(text: str, sentences: list[str]) -> None:
    assert [text[s:e] for s, e in sentence_spans(text, 0, len(text))] == sentences


# --- pattern files ---------------------------------------------------------------------


def test_default_patterns_cover_the_four_families() -> None:
    assert {p.path.rsplit("/", 1)[-1] for p in PATTERNS} == {
        "syndication.yml", "calls_to_action.yml", "legal.yml", "furniture.yml",
    }  # fmt: skip
    assert len(PATTERNS) >= 40


@pytest.mark.parametrize("pattern", list(PATTERNS), ids=lambda p: p.id)
def test_every_example_is_found_as_a_line_by_its_own_pattern(pattern: Any) -> None:
    before = "Officials met in Mexico City on Wednesday to discuss the border.\n"
    after = "\nThey agreed to meet again in January."
    text = {"trailing": before + pattern.example, "leading": pattern.example + after}.get(
        pattern.where, before + pattern.example + after
    )
    start = text.index(pattern.example)
    (hit,) = find_boilerplate(text, PATTERNS)
    assert (hit.reason, hit.span) == (pattern.reason, (start, start + len(pattern.example)))
    assert f"(pattern {pattern.id})" in hit.message


def _write(tmp_path: Path, body: str, name: str = "custom.yml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_steward_pattern_file_takes_effect(tmp_path: Path) -> None:
    custom = _write(
        tmp_path,
        "description: Our site's footer.\n"
        "patterns:\n"
        "  - id: daily_planet_footer\n"
        "    phrase: The Daily Planet is a member of the Metro News Network\n"
        "    reason: page_furniture\n"
        "    where: trailing\n"
        "    example: The Daily Planet is a member of the Metro News Network.\n",
    )
    text = "The council met on Monday.\nTHE DAILY PLANET is a member of the Metro News Network."
    assert find_boilerplate(text, PATTERNS) == []
    patterns = load_patterns([*default_pattern_paths(), custom])
    (hit,) = find_boilerplate(text, patterns)
    assert hit.span == (27, len(text))
    assert hit.message == (
        'page furniture "THE DAILY PLANET is a member of the Metro News Network." '
        "(pattern daily_planet_footer) — remove"
    )


def test_phrase_matches_curly_apostrophes_and_case(tmp_path: Path) -> None:
    patterns = load_patterns(
        [
            _write(
                tmp_path,
                'patterns:\n  - id: editors_note\n    phrase: "Editor\'s note"\n'
                "    reason: page_furniture\n"
                '    where: anywhere\n    example: "EDITOR’S NOTE:"\n',
            )
        ]
    )
    assert [h.span for h in find_boilerplate("A.\nEditor’s note\nB.", patterns)] == [(3, 16)]


def test_regex_global_flag_and_move_to(tmp_path: Path) -> None:
    patterns = load_patterns(
        [
            _write(
                tmp_path,
                "patterns:\n  - id: wire_source\n    regex: '(?i)via (?:ap|reuters)'\n"
                "    reason: syndication_notice\n"
                "    where: edges\n    move_to: [source, attribution]\n    example: Via Reuters\n",
            )
        ]
    )
    (hit,) = find_boilerplate("VIA REUTERS\nOil rose.", patterns)
    assert hit.message.endswith("— move into metadata: source, attribution")


def test_pattern_set_survives_pickling_for_worker_processes() -> None:
    clone = pickle.loads(pickle.dumps(PATTERNS))
    assert isinstance(clone, PatternSet)
    assert _actual(find_boilerplate(SEED_001, clone)) == _actual(
        find_boilerplate(SEED_001, PATTERNS)
    )


def _entry(**fields: str) -> str:
    """One pattern file with one entry; fields in the order given, ``None`` drops a field."""
    base = {"id": "ad", "phrase": "Advertisement", "reason": "page_furniture"}
    base |= {"where": "anywhere", "example": "Advertisement"}
    lines = [f"    {key}: {value}" for key, value in (base | fields).items() if value is not None]
    return "patterns:\n" + "\n".join(lines).replace("    id:", "  - id:", 1) + "\n"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        pytest.param(
            _entry(phrase=None, regex="'(Advert'"),
            ":6: regex: invalid regular expression: missing ), unterminated subpattern",
            id="bad_regex",
        ),
        pytest.param(
            _entry(reason=None, reasn="page_furniture"),
            ":6: reasn: unknown key; did you mean 'reason'?",
            id="unknown_key",
        ),
        pytest.param(
            _entry(where="top"),
            ":5: where: unknown position 'top'; expected one of: anywhere, leading, trailing, edg",
            id="bad_where",
        ),
        pytest.param(
            _entry(reason="page_furnture"),
            ":4: reason: unknown reason 'page_furnture'; did you mean 'page_furniture'?",
            id="unknown_reason",
        ),
        pytest.param(
            _entry(example=None),
            ":2: example: missing (every pattern needs id, reason, where and example)",
            id="missing_example",
        ),
        pytest.param(
            _entry(phrase="Sponsored"),
            ":6: example: the pattern does not match its own example 'Advertisement'",
            id="example_not_matched",
        ),
        pytest.param(
            _entry(regex="Advert"),
            ":7: regex: give exactly one of 'phrase' or 'regex'",
            id="phrase_and_regex",
        ),
        pytest.param(
            _entry(phrase=None, regex="'(?P<x>Advertisement)'"),
            ":6: regex: named groups and backreferences are not supported",
            id="named_group",
        ),
        pytest.param(
            _entry(phrase=None, regex="'(?:Advertisement)?'"),
            ":6: regex: matches the empty string",
            id="matches_empty",
        ),
        pytest.param(
            _entry(phrase="no"),
            ":3: phrase: must be a non-empty string (got False; quote it in YAML)",
            id="yaml_boolean_phrase",
        ),
        pytest.param(
            _entry(id="Ad Slot"), ":2: id: 'Ad Slot' must be snake_case", id="id_not_snake"
        ),
        pytest.param(
            _entry(move_to="[licens]"),
            ":7: move_to: unknown metadata field 'licens'; did you mean 'licence'?",
            id="unknown_move_to_field",
        ),
        pytest.param(
            "patern:\n  - id: ad\n",
            ":1: patern: unknown key; did you mean 'patterns'?",
            id="unknown_top_level_key",
        ),
        pytest.param(
            "patterns: []\n", ":1: patterns: expected a non-empty list of patterns", id="empty_list"
        ),
        pytest.param(
            "patterns:\n  - id: ad\n    phrase: [x\n", ":4: invalid YAML", id="bad_yaml"
        ),
        pytest.param(
            _entry() + _entry().removeprefix("patterns:\n"),
            ":7: id: duplicate pattern id 'ad' (first defined at ",
            id="duplicate_id",
        ),
    ],
)
def test_bad_pattern_file_names_file_line_and_key(tmp_path: Path, body: str, error: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(PatternError) as info:
        load_patterns([path])
    assert str(info.value).startswith(f"{path}:")
    assert error in str(info.value)
    assert isinstance(info.value, YamlError)  # the suite loader's exit-2 path catches it


# --- flattened paragraphs --------------------------------------------------------------


def test_flattened_paragraphs_rejects_a_nonsense_limit() -> None:
    with pytest.raises(ValueError, match="max_chars_without_break must be at least 1, got 0"):
        find_flattened_paragraphs("text", 0)


# --- repeated lines --------------------------------------------------------------------

FOOTER = "The Daily Planet is a member of the Metro News Network."


def _doc(n: int, *extra: str) -> str:
    return "\n".join(
        [
            f"Story number {n} begins with its own opening line here.",
            *extra,
            f"Story {n} ends here with a fact.",
        ]
    )


def _fill(
    counter: RepeatedLineCounter, docs: list[tuple[str, str | None, str]]
) -> RepeatedLineCounter:
    for doc_id, story, text in docs:
        counter.add(doc_id, story, text)
    return counter


def test_repeated_line_flagged_in_each_document_of_different_stories() -> None:
    docs = [(f"d{n}", f"s{n}", _doc(n, FOOTER)) for n in range(3)]
    counter = _fill(RepeatedLineCounter(min_documents=3), docs)
    for _, story, text in docs:
        (hit,) = counter.repeated_spans(text, story)
        start = text.index(FOOTER)
        assert (hit.reason, hit.span) == ("repeated_line", (start, start + len(FOOTER)))
    assert hit.message == (
        '"The Daily Planet is a member of the Metro News Network." also occurs in 2 other stories '
        "of the corpus — remove it if it is site template (header, footer, promotion)"
    )


def test_versions_of_one_story_count_once() -> None:
    docs = [(f"d{n}", "same-story", _doc(n, FOOTER)) for n in range(5)] + [
        ("x", "other", _doc(9, FOOTER))
    ]
    counter = _fill(RepeatedLineCounter(min_documents=3), docs)
    assert counter.story_count(FOOTER) == 2
    assert all(counter.repeated_spans(text, story) == [] for _, story, text in docs)


def test_documents_without_story_are_their_own_story() -> None:
    docs = [(f"d{n}", None, _doc(n, FOOTER)) for n in range(3)]
    counter = _fill(RepeatedLineCounter(min_documents=3), docs)
    assert counter.stories == 3
    (hit,) = counter.repeated_spans(docs[0][2])
    assert "occurs in 3 stories of the corpus" in hit.message


def test_line_matching_is_normalised_and_short_lines_ignored() -> None:
    variants = [
        FOOTER,
        "  the daily planet IS a member of the   Metro News Network!",
        "• " + FOOTER,
    ]
    docs = [(f"d{n}", f"s{n}", _doc(n, v, "Share")) for n, v in enumerate(variants)]
    counter = _fill(RepeatedLineCounter(min_documents=3, min_chars=20), docs)
    assert [h.reason for h in counter.repeated_spans(docs[1][2], "s1")] == ["repeated_line"]
    assert counter.story_count("Share") == 0  # shorter than min_chars: never counted


def test_min_fraction_raises_the_threshold() -> None:
    docs = [(f"d{n}", f"s{n}", _doc(n, FOOTER if n < 3 else "")) for n in range(10)]
    assert (
        _fill(RepeatedLineCounter(min_documents=2, min_fraction=0.25), docs).repeated_spans(
            docs[0][2]
        )
        != []
    )
    strict = _fill(RepeatedLineCounter(min_documents=2, min_fraction=0.5), docs)
    assert strict.threshold() == 5
    assert strict.repeated_spans(docs[0][2]) == []


def test_one_line_documents_count_sentences() -> None:
    docs = [
        (f"d{n}", f"s{n}", f"Story {n} has its own lead sentence here. {FOOTER}") for n in range(3)
    ]
    counter = _fill(RepeatedLineCounter(min_documents=3), docs)
    (hit,) = counter.repeated_spans(docs[2][2], "s2")
    assert docs[2][2][hit.span[0] : hit.span[1]] == FOOTER


def test_memory_is_sixteen_bytes_per_distinct_line_and_story() -> None:
    docs = [(f"d{n}", f"s{n % 5}", _doc(n, FOOTER)) for n in range(40)]
    counter = _fill(RepeatedLineCounter(min_documents=2), docs)
    assert counter.distinct_lines == 81  # 40 openings + 40 endings + the footer
    assert counter._lines.nbytes + counter._line_stories.nbytes == 16 * (80 + 5)
    assert counter.story_count(FOOTER) == 5


def test_compacting_while_adding_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    docs = [(f"d{n}", f"s{n % 4}", _doc(n, FOOTER if n % 3 else "")) for n in range(12)]
    whole = _fill(RepeatedLineCounter(min_documents=3), docs)
    monkeypatch.setattr(boilerplate, "_COMPACT_EVERY", 3)
    often = _fill(RepeatedLineCounter(min_documents=3), docs)
    assert len(often._new_lines) < 3  # it did sort pending pairs into the table as it went
    assert [often.repeated_spans(t, s) for _, s, t in docs] == [
        whole.repeated_spans(t, s) for _, s, t in docs
    ]
    assert whole.story_count(FOOTER) == 4


def test_merge_equals_one_counter() -> None:
    docs = [(f"d{n}", f"s{n % 4}", _doc(n, FOOTER if n % 3 else "")) for n in range(12)]
    whole = _fill(RepeatedLineCounter(min_documents=3), docs)
    left = _fill(RepeatedLineCounter(min_documents=3), docs[:5])
    left.merge(_fill(RepeatedLineCounter(min_documents=3), docs[5:]))
    assert left.stories == whole.stories
    assert [left.repeated_spans(t, s) for _, s, t in docs] == [
        whole.repeated_spans(t, s) for _, s, t in docs
    ]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"min_documents": 1}, "min_documents must be at least 2"),
        ({"min_fraction": 1.5}, "min_fraction must be between 0 and 1, got 1.5"),
        ({"min_chars": 0}, "min_chars must be at least 1, got 0"),
    ],
    ids=["min_documents", "min_fraction", "min_chars"],
)
def test_repeated_line_counter_rejects_bad_settings(kwargs: dict[str, Any], error: str) -> None:
    with pytest.raises(ValueError) as info:
        RepeatedLineCounter(**kwargs)
    assert error in str(info.value)


def test_seeds_share_no_repeated_lines_as_versions_of_one_story() -> None:
    counter = _fill(
        RepeatedLineCounter(min_documents=2), [("000", "s", SEED_000), ("001", "s", SEED_001)]
    )
    assert counter.repeated_spans(SEED_000, "s") == []
    assert counter.repeated_spans(SEED_001, "s") == []


def _regex_problem(source: str) -> str | None:
    def fail(key: str, problem: str) -> ValueError:
        return ValueError(f"{key}: {problem}")

    try:
        boilerplate.check_regex(source, fail)
    except ValueError as exc:
        return str(exc)
    return None


REGEX_PROBLEMS = {
    # source -> the problem reported (None: accepted); compiled once, as it is matched
    "fine": (r"(?i)read more", None),
    "invalid as written": ("(ab", "regex: invalid regular expression: missing ), "
                                  "unterminated subpattern at position 0"),
    # A verbose pattern's trailing comment does not swallow the ")" that scopes it.
    "verbose with a comment": ("(?x)ab # note", None),
    "empty match": ("a*", "regex: matches the empty string, which would flag every blank line"),
}


@pytest.mark.parametrize(("source", "problem"), REGEX_PROBLEMS.values(), ids=REGEX_PROBLEMS.keys())
def test_check_regex(source: str, problem: str | None) -> None:
    assert _regex_problem(source) == problem


def test_no_letter_or_digit_is_lead_decoration() -> None:
    """PatternSet.match strips a unit's lead decoration only when the unit does not open
    with a letter or digit (``str.isalnum``): no such character is decoration."""
    lead = boilerplate._LEAD_DECORATION
    assert [hex(c) for c in range(0x110000)
            if chr(c).isalnum() and lead.match(chr(c)).end()] == []  # type: ignore[union-attr]


def test_a_line_no_pattern_can_start_is_not_split_into_sentences(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The relaxed alternation of a line's patterns settles a news paragraph (no
    pattern's start fits it) without deciding its first sentence, and the last line's
    last sentence is decided only when a pattern is the rest of the line from one of
    its candidate boundaries; a line whose first or last sentence is a notice is still
    split, and found."""
    decided: list[tuple[int, int]] = []
    first_sentence, last_sentence = boilerplate._first_sentence, boilerplate._last_sentence
    monkeypatch.setattr(boilerplate, "_first_sentence",
                        lambda text, s, e: decided.append((s, e)) or first_sentence(text, s, e))
    monkeypatch.setattr(boilerplate, "_last_sentence",
                        lambda text, s, e: decided.append((s, e)) or last_sentence(text, s, e))
    seed = (SEEDS / "000_c3359af66ac874be.txt").read_text(encoding="utf-8")
    body = seed.index("U.S.")
    assert find_boilerplate(seed, PATTERNS, body_start=body) == []
    assert decided == []
    text = "Advertisement. The talks went on for hours.\nThey ended late.\nMore was said."
    hits = find_boilerplate(text, PATTERNS)
    assert [(h.reason, text[h.span[0]:h.span[1]]) for h in hits] == [
        ("page_furniture", "Advertisement.")]
    assert decided == [(0, len("Advertisement. The talks went on for hours."))]
    decided.clear()
    text = "Intro.\nThe talks went on. They ended late.\nMore was said. Share this article."
    hits = find_boilerplate(text, PATTERNS)
    assert [(h.reason, text[h.span[0]:h.span[1]]) for h in hits] == [
        ("call_to_action", "Share this article.")]
    assert decided == [(text.index("More"), len(text))]


def test_relaxed_forms_are_made_when_the_set_is_loaded_and_alternations_when_needed() -> None:
    """The screens' relaxed forms are made where the set is loaded (before the command's
    workers fork, so they share them); an alternation is compiled only when a line gets
    past its screen — the same hits as with every alternation compiled beforehand."""
    lazy, eager = load_default_patterns(), load_default_patterns()
    assert len(lazy._relaxed) == len(lazy)
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    for text in texts:
        boilerplate.find_boilerplate(text, eager)
    for alternation in eager._by_first.values():
        assert alternation.regex is not None or alternation.source is None
    found = [boilerplate.find_boilerplate(text, lazy) for text in texts]
    assert found == [boilerplate.find_boilerplate(text, eager) for text in texts]
    assert set(lazy._by_first) == set(eager._by_first)
    assert any(a._regex is None and a.source is not None for a in lazy._by_first.values())
    regex, _screen = lazy._compile(True, True, "A")
    assert regex is not None and regex.pattern == lazy._alternation(True, True, "A").source
