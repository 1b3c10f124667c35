"""Unit tests for corpus_qa.metadata: resolver cases, dates, phrase list, checks, seeds."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml

from corpus_qa.documents import Document, Field
from corpus_qa.findings import Hit
from corpus_qa.metadata import (
    Metadata,
    PhraseListError,
    Signal,
    check_date_valid,
    check_has_metadata,
    check_metadata_matches,
    load_phrases,
    parse_date,
    parse_phrases,
    resolve,
)

ROOT = Path(__file__).resolve().parents[2]
CASES = yaml.safe_load((Path(__file__).with_name("metadata_cases.yml")).read_text(encoding="utf-8"))
DEFAULT_YAML = ROOT / "corpus_qa" / "data" / "metadata.yml"  # builtin:metadata.yml
SEED_000 = ROOT / "seeds" / "000_c3359af66ac874be.txt"
SEED_001 = ROOT / "seeds" / "001_a1d7f1edd2253686.txt"


def at(text: str, span: tuple[int, int] | None) -> str:
    """The text at ``span`` (which must be known)."""
    assert span is not None
    return text[span[0] : span[1]]


def doc(text: str, fields: dict[str, Field] | None = None, body_start: int = 0) -> Document:
    """A document as the loader would give it."""
    return Document(id="d", text=text, path="d.txt", fields=fields or {}, body_start=body_start)


def case_doc(case: dict) -> Document:
    fields = {
        key: Field(value, origin, tuple(span) if span else None)
        for key, (value, origin, span) in (case.get("fields") or {}).items()
    }
    return doc(case["text"], fields, case.get("body_start", 0))


def case_params(section: str) -> list:
    return [
        pytest.param(
            case,
            id=case["id"],
            marks=[pytest.mark.xfail(reason=case["xfail"], strict=True)] if "xfail" in case else [],
        )
        for case in CASES[section]
    ]


# --- resolver cases -------------------------------------------------------------------


@pytest.mark.parametrize("case", case_params("resolve"))
def test_resolve_case(case: dict) -> None:
    document = case_doc(case)
    meta = resolve(document)
    assert sorted(meta) == sorted(case["expect"]), "resolved fields differ"
    for name, want in case["expect"].items():
        got = meta[name]
        assert list(got.values) == want["values"], name
        assert got.origin == want["origin"], name
        if "signal" in want:
            assert got.signal == want["signal"], name
        if "span_text" in want:
            assert got.span is not None and at(document.text, got.span) == want["span_text"], name
        if "value_text" in want:
            assert got.value_span is not None
            assert at(document.text, got.value_span) == want["value_text"], name
        assert [[c.value, c.origin] for c in got.conflicts] == want.get("conflicts", []), name


@pytest.mark.parametrize("case", case_params("dates"))
def test_parse_date_case(case: dict) -> None:
    parsed = parse_date(case["raw"])
    if "date" in case:
        assert (parsed.date.isoformat() if parsed.date else parsed.problem) == case["date"]
    else:
        assert (parsed.date, parsed.problem) == (None, case["problem"])


# --- seeds ----------------------------------------------------------------------------


def seed_000() -> Document:
    text = SEED_000.read_text(encoding="utf-8")
    assert text.startswith(" date 2023-12-28 U.S. and")
    return doc(text, {"date": Field("2023-12-28", "header", (6, 16))}, body_start=17)


def seed_001() -> Document:
    return doc(SEED_001.read_text(encoding="utf-8"))


def test_seed_000_date_from_glued_header_attribution_from_credit_line() -> None:
    document = seed_000()
    meta = resolve(document)
    assert sorted(meta) == ["attribution", "date"]
    assert (meta["date"].value, meta["date"].origin, meta["date"].span) == (
        "2023-12-28",
        "header",
        (6, 16),
    )
    attribution = meta["attribution"]
    assert attribution.values == ("The Associated Press", "Reuters")
    assert attribution.origin == "text"
    assert (
        at(document.text, attribution.span)
        == "Some information for this report came from The Associated Press and Reuters"
    )
    assert check_has_metadata(meta, ["date", "source", "attribution"]) == [
        Hit(
            "missing_field",
            "missing required metadata field 'source' — add it as front matter, "
            "a header line or a field",
            (0, 0),
            key="source",
        )
    ]
    assert check_date_valid(meta, today=dt.date(2024, 1, 1)) == []


def test_seed_001_source_licence_byline_and_credit_line_no_date() -> None:
    document = seed_001()
    meta = resolve(document)
    assert sorted(meta) == ["attribution", "licence", "source", "title"]
    source, licence, attribution = meta["source"], meta["licence"], meta["attribution"]
    assert (source.value, source.origin, source.span, source.value_span) == (
        "Voice of America",
        "text",
        (0, 41),
        (25, 41),
    )
    assert document.text[0:41] == "Originally posted by the Voice of America"
    assert [e.signal for e in source.evidence] == ["originally-posted-by", "content-is-produced-by"]
    assert source.conflicts == ()
    assert (licence.value, licence.origin, at(document.text, licence.span)) == (
        "public domain",
        "text",
        "is in the public domain",
    )
    assert attribution.values == (
        "VOA News",
        "The Associated Press",
        "Agence France-Presse",
        "Reuters",
    )
    assert [(e.signal, at(document.text, e.span)) for e in attribution.evidence] == [
        ("byline", "by VOA News"),
        (
            "some-information-came-from",
            "Some information for this report came from "
            "The Associated Press, Agence France-Presse and Reuters",
        ),
    ]
    assert meta["title"].value == "US, Mexico Discuss Options to Slow Surge of Migrants at Border"
    assert "author" not in meta  # VOA News is an organisation
    hits = check_has_metadata(meta, ["date", "source", "attribution"])
    assert [(h.reason, h.message) for h in hits] == [
        (
            "missing_field",
            (
                "missing required metadata field 'date' — add it as front matter, "
                "a header line or a field"
            ),
        )
    ]
    assert check_metadata_matches(meta, "licence", allowed=["public domain", "CC-BY-4.0"]) == []
    assert check_metadata_matches(meta, "source", allowed=["Voice of America"]) == []


def test_seeds_through_the_real_loader_resolve_the_same() -> None:
    loaders = pytest.importorskip("corpus_qa.sources")
    loaded = {d.id[:3]: d for d in loaders.iter_corpus([ROOT / "seeds"]) if isinstance(d, Document)}
    assert resolve(loaded["000"]).to_json() == resolve(seed_000()).to_json()
    assert resolve(loaded["001"]).to_json() == resolve(seed_001()).to_json()


def test_to_json_is_json_ready_with_value_origin_span() -> None:
    data = resolve(seed_001()).to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["source"]["value"] == "Voice of America"
    assert data["source"]["origin"] == "text"
    assert data["source"]["span"] == [0, 41]
    assert data["licence"]["conflicts"] == []
    assert data["attribution"]["values"] == [
        "VOA News",
        "The Associated Press",
        "Agence France-Presse",
        "Reuters",
    ]
    assert resolve(doc("x", {"source": Field("VOA", "field")})).to_json()["source"]["span"] is None


def test_conflict_is_in_json() -> None:
    meta = resolve(
        doc(
            "Originally posted by the Voice of America. Talks.",
            {"source": Field("Reuters", "field")},
        )
    )
    conflicts = meta.to_json()["source"]["conflicts"]
    assert isinstance(conflicts, list) and len(conflicts) == 1
    conflict = conflicts[0]
    assert (conflict["value"], conflict["origin"], conflict["span"], conflict["signal"]) == (
        "Voice of America",
        "text",
        [0, 41],
        "originally-posted-by",
    )


def test_metadata_mapping_accepts_license_spelling() -> None:
    meta = resolve(doc("Talks.", {"licence": Field("public domain", "field")}))
    assert "license" in meta and meta["license"].value == "public domain"
    assert isinstance(meta, Metadata) and len(meta) == 1 and list(meta) == ["licence"]


# --- phrase list ------------------------------------------------------------------------


def test_default_phrase_list_loads_from_path_and_package() -> None:
    from_path, packaged = load_phrases(DEFAULT_YAML), load_phrases()
    assert [s.id for s in from_path.signals] == [s.id for s in packaged.signals]
    assert len({s.id for s in packaged.signals}) == len(packaged.signals) >= 20
    assert packaged.multi_valued == {"attribution", "author"}


STEWARD_LINE = (
    "The talks began.\n\nWire services contributing to this story: "
    "The Associated Press and Reuters."
)


def test_steward_adds_a_credit_line_phrasing_and_it_takes_effect(tmp_path: Path) -> None:
    assert "attribution" not in resolve(doc(STEWARD_LINE))
    custom = DEFAULT_YAML.read_text(encoding="utf-8").replace(
        "  attribution:\n",
        "  attribution:\n"
        "    - id: wire-services-contributing\n"
        '      phrase: "Wire services contributing to this story: {NAMES}"\n'
        "      where: end\n",
        1,
    )
    path = tmp_path / "metadata.yml"
    path.write_text(custom, encoding="utf-8")
    meta = resolve(doc(STEWARD_LINE), load_phrases(path))
    assert meta["attribution"].values == ("The Associated Press", "Reuters")
    assert meta["attribution"].signal == "wire-services-contributing"


def test_steward_phrase_with_fixed_value(tmp_path: Path) -> None:
    path = tmp_path / "licence.yml"
    path.write_text(
        "schema: 1\nsignals:\n  licence:\n    - id: ogl\n"
        "      phrase: Open Government Licence v3.0\n      value: OGL-UK-3.0\n"
        "      example: published under the Open Government Licence v3.0.\n",
        encoding="utf-8",
    )
    meta = resolve(
        doc("Crown copyright. Published under the Open Government Licence v3.0."),
        load_phrases(path),
    )
    assert (meta["licence"].value, meta["licence"].signal) == ("OGL-UK-3.0", "ogl")


BAD_LISTS = [
    pytest.param("schema: 1\nsignals: [\n", 3, None, "invalid YAML", id="invalid-yaml"),
    pytest.param("signals: {}\n", 1, "schema", "required key is missing", id="missing-schema"),
    pytest.param("schema: 2\n", 1, "schema", "only schema 1 is known", id="wrong-schema"),
    pytest.param(
        "schema: 1\nsignal: {}\n", 2, "signal", "did you mean 'signals'?", id="unknown-top-key"
    ),
    pytest.param(
        "schema: 1\nwindows: {start: -5}\n", 2, "windows.start", "positive number", id="bad-window"
    ),
    pytest.param(
        "schema: 1\nsignals:\n  source:\n    - id: a\n      regex: '(?P<value>[A-Z'\n",
        5,
        "signals.source[0].regex",
        "bad regex",
        id="bad-regex",
    ),
    pytest.param(
        "schema: 1\nsignals:\n  source:\n    - id: a\n      pharse: x {ORG}\n",
        5,
        "signals.source[0].pharse",
        "did you mean 'phrase'?",
        id="unknown-entry-key",
    ),
    pytest.param(
        "schema: 1\nsignals:\n  source:\n    - id: a\n      phrase: by {NOPE}\n",
        5,
        "signals.source[0].phrase",
        "unknown fragment {NOPE}",
        id="unknown-fragment",
    ),
    pytest.param(
        "schema: 1\nsignals:\n  source:\n    - id: a\n      regex: '[A-Z]+'\n",
        5,
        "signals.source[0].regex",
        "no value to record",
        id="no-value-group",
    ),
    pytest.param(
        "schema: 1\nsignals:\n  source:\n    - id: a\n      regex: x\n      phrase: y\n"
        "      value: v\n",
        5,
        "signals.source[0].regex",
        "exactly one of",
        id="phrase-and-regex",
    ),
    pytest.param(
        "schema: 1\nsignals:\n  source:\n    - {id: a, phrase: x, value: v}\n"
        "    - {id: a, phrase: y, value: v}\n",
        5,
        "signals.source[1].id",
        "duplicate id 'a'",
        id="duplicate-id",
    ),
    pytest.param(
        "schema: 1\nsignals:\n  source:\n    - {id: a, phrase: x, value: v, where: middle}\n",
        4,
        "signals.source[0].where",
        "expected one of start, end, both",
        id="bad-where",
    ),
    pytest.param(
        "schema: 1\nsignals:\n  sauce: []\n",
        3,
        "signals.sauce",
        "did you mean 'source'?",
        id="unknown-field-section",
    ),
    pytest.param(
        "schema: 1\nsignals:\n  source:\n    - id: a\n"
        "      regex: 'posted by (?P<value>[A-Z]\\w+)'\n      example: Nothing here\n",
        6,
        "signals.source[0].example",
        "finds no value in its own example",
        id="example-does-not-match",
    ),
    pytest.param(
        "schema: 1\nfragments:\n  A: '{B}'\n  B: '{A}'\n",
        3,
        "fragments.A",
        "cycle: A → B → A",
        id="fragment-cycle",
    ),
    pytest.param(
        "schema: 1\nmulti_valued: [atribution]\n",
        2,
        "multi_valued",
        "unknown field 'atribution'",
        id="unknown-multi-valued-field",
    ),
]


@pytest.mark.parametrize(("text", "line", "key", "problem"), BAD_LISTS)
def test_bad_phrase_list_names_file_line_and_key(
    tmp_path: Path, text: str, line: int, key: str, problem: str
) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PhraseListError) as info:
        load_phrases(path)
    prefix = f"{path}:{line}: " + (f"{key}: " if key else "")
    assert str(info.value).startswith(prefix), str(info.value)
    assert problem in str(info.value)
    assert (info.value.path, info.value.line, info.value.key) == (str(path), line, key)


def test_bad_regex_message_in_full() -> None:
    with pytest.raises(PhraseListError) as info:
        parse_phrases(
            "schema: 1\nsignals:\n  source:\n    - id: a\n      regex: '(?P<value>x'\n",
            "expectations/metadata.yml",
        )
    assert str(info.value) == (
        "expectations/metadata.yml:5: signals.source[0].regex: "
        "bad regex: missing ), unterminated subpattern at position 0"
    )


def test_missing_phrase_file_is_a_phrase_list_error(tmp_path: Path) -> None:
    with pytest.raises(PhraseListError, match=r"nope\.yml:1: cannot read"):
        load_phrases(tmp_path / "nope.yml")


# --- checks -----------------------------------------------------------------------------

TODAY = dt.date(2024, 6, 1)


def dated(value: str, origin: str = "header", span: tuple[int, int] | None = (6, 16)) -> Metadata:
    return resolve(doc(" date " + value + " Talks.", {"date": Field(value, origin, span)}))


def test_has_metadata_one_hit_per_missing_field_in_order() -> None:
    meta = resolve(doc("Talks.", {"source": Field("VOA", "field")}))
    hits = check_has_metadata(meta, ["date", "source", "attribution"])
    assert [(h.reason, h.span) for h in hits] == [("missing_field", (0, 0))] * 2
    assert [h.message.split("'")[1] for h in hits] == ["date", "attribution"]
    assert check_has_metadata(meta, ["source"]) == []


def test_date_missing_after_header_removed() -> None:
    assert check_has_metadata(dated("2023-12-28"), ["date"]) == []
    assert [h.reason for h in check_has_metadata(resolve(doc("Talks.")), ["date"])] == [
        "missing_field"
    ]


DATE_CHECKS = [
    pytest.param("2023-12-28", {}, [], id="valid"),
    pytest.param("December 28, 2023", {}, [], id="valid-english"),
    pytest.param("2023-13-45", {}, [("invalid_date", (6, 16))], id="month-13"),
    pytest.param("2023-02-30", {}, [("invalid_date", (6, 16))], id="february-30"),
    pytest.param("2031-01-01", {}, [("future_date", (6, 16))], id="future"),
    pytest.param("2024-06-01", {}, [], id="today-is-not-future"),
    pytest.param(
        "2019-12-31", {"min_date": "2020-01-01"}, [("date_out_of_range", (6, 16))], id="before-min"
    ),
    pytest.param(
        "2024-01-02",
        {"max_date": dt.date(2024, 1, 1)},
        [("date_out_of_range", (6, 16))],
        id="after-max",
    ),
    pytest.param(
        "2020-01-01",
        {"min_date": "2020-01-01", "max_date": "2020-01-01"},
        [],
        id="bounds-inclusive",
    ),
]


@pytest.mark.parametrize(("value", "bounds", "expected"), DATE_CHECKS)
def test_date_valid(value: str, bounds: dict, expected: list) -> None:
    hits = check_date_valid(dated(value), today=TODAY, **bounds)
    assert [(h.reason, h.span) for h in hits] == expected


def test_date_valid_messages_in_full() -> None:
    [invalid] = check_date_valid(dated("2023-13-45"), today=TODAY)
    assert (
        invalid.message == "date '2023-13-45' is not a valid date (month 13 does not exist) "
        "— write it as YYYY-MM-DD"
    )
    [future] = check_date_valid(dated("2031-01-01"), today=TODAY)
    assert (
        future.message == "date 2031-01-01 is in the future (today is 2024-06-01) — check the year"
    )
    [early] = check_date_valid(dated("2019-12-31"), min_date="2020-01-01", today=TODAY)
    assert (
        early.message
        == "date 2019-12-31 is before min_date 2020-01-01 — check the date or the suite's min_date"
    )


def test_relative_date_in_text_is_invalid_with_its_span() -> None:
    text = "Posted yesterday\nThe talks began."
    [hit] = check_date_valid(resolve(doc(text)), today=TODAY)
    assert (hit.reason, at(text, hit.span)) == ("invalid_date", "yesterday")
    assert hit.message == (
        "date 'yesterday' is not a valid date ('yesterday' is relative, not a "
        "calendar date) — write it as YYYY-MM-DD"
    )


def test_date_checks_skip_documents_without_date_and_fields_without_span() -> None:
    assert check_date_valid(resolve(doc("Talks.")), today=TODAY) == []
    [hit] = check_date_valid(dated("2023-13-45", origin="field", span=None), today=TODAY)
    assert hit.span == (0, 0)


MATCH_CHECKS = [
    pytest.param("licence", {"allowed": ["public domain", "CC-BY-4.0"]}, [], id="allowed"),
    pytest.param(
        "licence", {"allowed": ["PUBLIC  DOMAIN"]}, [], id="allowed-ignores-case-and-spacing"
    ),
    pytest.param(
        "licence",
        {"allowed": ["CC-BY-4.0"]},
        [("licence", "is in the public domain")],
        id="not-allowed",
    ),
    pytest.param("source", {"pattern": "^Voice of"}, [], id="pattern"),
    pytest.param(
        "source", {"pattern": "^Reuters$"}, [("source", "Voice of America")], id="pattern-mismatch"
    ),
    pytest.param(
        "source",
        {"allowed": ["Voice of America"], "pattern": "Reuters"},
        [("source", "Voice of America")],
        id="allowed-and-pattern-both-apply",
    ),
    pytest.param(
        "attribution",
        {"allowed": ["VOA News", "The Associated Press", "Reuters"]},
        [("attribution", "Agence France-Presse")],
        id="each-value-of-a-list",
    ),
    pytest.param("date", {"allowed": ["2023-12-28"]}, [], id="missing-field-skipped"),
]


@pytest.mark.parametrize(("field", "kwargs", "expected"), MATCH_CHECKS)
def test_metadata_matches(field: str, kwargs: dict, expected: list) -> None:
    document = seed_001()
    hits = check_metadata_matches(resolve(document), field, **kwargs)
    assert [h.reason for h in hits] == ["metadata_mismatch"] * len(expected)
    assert [(h.message.split(" ")[0], at(document.text, h.span)) for h in hits] == expected


def test_metadata_mismatch_messages_in_full() -> None:
    meta = resolve(seed_001())
    [hit] = check_metadata_matches(meta, "licence", allowed=["CC-BY-4.0", "CC0-1.0"])
    assert hit.message == (
        "licence 'public domain' is not one of the allowed values ('CC-BY-4.0', "
        "'CC0-1.0') — correct it or allow it in the suite"
    )
    [hit] = check_metadata_matches(meta, "source", pattern="^Reuters$")
    assert (
        hit.message == "source 'Voice of America' does not match /^Reuters$/ "
        "— correct it or widen the pattern in the suite"
    )


BAD_ARGUMENTS = [
    pytest.param(lambda m: check_has_metadata(m, []), "non-empty list", id="fields-empty"),
    pytest.param(lambda m: check_has_metadata(m, "date"), "non-empty list", id="fields-a-string"),
    pytest.param(
        lambda m: check_date_valid(m, min_date="2023-13-01"),
        "min_date '2023-13-01' is not a date",
        id="bad-min-date",
    ),
    pytest.param(
        lambda m: check_date_valid(m, min_date="2024-01-02", max_date="2024-01-01"),
        "min_date 2024-01-02 is after max_date 2024-01-01",
        id="min-after-max",
    ),
    pytest.param(
        lambda m: check_metadata_matches(m, "source"),
        "give 'allowed'",
        id="neither-allowed-nor-pattern",
    ),
    pytest.param(
        lambda m: check_metadata_matches(m, "source", pattern="(unclosed"),
        "not a valid regex",
        id="bad-pattern",
    ),
    pytest.param(
        lambda m: check_metadata_matches(m, "source", allowed="VOA"),
        "not one string",
        id="allowed-a-string",
    ),
]


@pytest.mark.parametrize(("call", "message"), BAD_ARGUMENTS)
def test_bad_arguments_raise_at_once(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call(resolve(doc("Talks.")))


@pytest.mark.parametrize(("triggers", "window", "fires"), [
    ((), "anything", True),
    (("by",), "reporting by jane doe", True),
    (("jan", "feb"), "on 3 feb 2024", True),
    (("jan", "feb"), "in march", False),
])
def test_a_signal_fires_where_one_of_its_triggers_is(
    triggers: tuple[str, ...], window: str, fires: bool
) -> None:
    signal = Signal("s", "date", re.compile("x"), "start", triggers=triggers)
    assert signal.fires(window) is fires
