"""Suite files: valid suites compile to GX; every mistake names file, line and key."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from corpus_qa.schema import suite_schema
from corpus_qa.suite import SuiteError, load_suite

ROOT = Path(__file__).resolve().parents[2]
NEWS = ROOT / "expectations" / "news.yml"

GOOD = """\
name: mini
expectations:
  - type: expect_document_to_have_no_mojibake
  - type: expect_document_to_be_unicode_normalized
    form: NFD
    severity: warning
    mostly: 0.9
"""

BAD_SUITES = [
    ("unknown-type", """\
name: x
expectations:
  - type: expect_document_to_have_no_mojibak
""", ":3: unknown expectation 'expect_document_to_have_no_mojibak'; did you mean "
     "'expect_document_to_have_no_mojibake'?"),
    ("unknown-parameter", """\
name: x
expectations:
  - type: expect_document_to_be_unicode_normalized
    from: NFC
""", ":4: expect_document_to_be_unicode_normalized: unknown parameter 'from';"
        " did you mean 'form'?"),
    ("ill-typed-parameter", """\
name: x
expectations:
  - type: expect_document_to_be_unicode_normalized
    form: NFX
""", ":4: expect_document_to_be_unicode_normalized: parameter 'form' = 'NFX': unexpected value"),
    ("bad-severity", """\
name: x
expectations:
  - type: expect_document_to_have_no_mojibake
    severity: critical
""", ":4: expect_document_to_have_no_mojibake: severity 'critical' is not allowed; expected one "
     "of: error, warning, info"),
    ("mostly-out-of-range", """\
name: x
expectations:
  - type: expect_document_to_have_no_mojibake

  - type: expect_document_to_have_no_control_characters
    mostly: 1.5
""", ":6: expect_document_to_have_no_control_characters: 'mostly' must be a number between 0 "
     "and 1, got 1.5"),
    ("unknown-top-level-key", "name: x\nexpectation: []\n",
     ":2: unknown key 'expectation'; did you mean 'expectations'?"),
    ("no-expectations", "name: x\nexpectations: []\n",
     ":2: 'expectations' must be a non-empty list"),
    ("no-name", "expectations:\n  - type: expect_document_to_have_no_mojibake\n",
     ":1: 'name' must be a non-empty string"),
    ("invalid-yaml", "name: x\nexpectations:\n  - type: [unclosed\n", ":4: invalid YAML"),
    ("bad-regex", """\
name: x
expectations:
  - type: expect_document_metadata_to_match
    field: licence
    pattern: "public (domain"
""", ":5: expect_document_metadata_to_match: parameter 'pattern' = 'public (domain': bad regex: "
     "missing ), unterminated subpattern at position 7"),
    ("neither-allowed-nor-pattern", """\
name: x
expectations:
  - type: expect_document_metadata_to_match
    field: licence
""", ":3: expect_document_metadata_to_match: give 'allowed' (a list of values) or 'pattern' "
     "(a regex), or both"),
    ("bad-min-date", """\
name: x
expectations:
  - type: expect_document_date_to_be_valid
    min_date: last year
""", ":3: expect_document_date_to_be_valid: min_date 'last year' is not a date; write it as "
     "YYYY-MM-DD"),
    ("empty-fields", """\
name: x
expectations:
  - type: expect_document_to_have_metadata
    fields: []
""", ":4: expect_document_to_have_metadata: parameter 'fields' = []: must be a non-empty list"),
    ("missing-phrase-list", "name: x\nmetadata:\n  phrases: nope.yml\nexpectations:\n"
     "  - type: expect_document_to_have_no_mojibake\n",
     ":3: 'metadata.phrases': "),
    ("bad-threshold", "name: x\nversions:\n  threshold: 2\nexpectations:\n"
     "  - type: expect_document_to_have_no_mojibake\n",
     ":3: 'versions.threshold' must be a number in (0, 1], got 2"),
]


def test_good_suite_loads_and_compiles_to_gx(tmp_path: Path) -> None:
    path = tmp_path / "mini.yml"
    path.write_text(GOOD, encoding="utf-8")
    suite = load_suite(path)
    assert [(s.type, s.severity, s.mostly, s.line) for s in suite.expectations] == [
        ("expect_document_to_have_no_mojibake", "error", 1.0, 3),
        ("expect_document_to_be_unicode_normalized", "warning", 0.9, 4),
    ]
    gx_suite = json.loads(suite.to_gx_json())
    assert [(e["type"], e["severity"], e["kwargs"]) for e in gx_suite["expectations"]] == [
        # GX leaves parameters at their defaults (column="text") out of the JSON.
        ("expect_document_to_have_no_mojibake", "critical", {}),
        ("expect_document_to_be_unicode_normalized", "warning", {"form": "NFD", "mostly": 0.9}),
    ]


@pytest.mark.parametrize(("text", "message"), [(t, m) for _, t, m in BAD_SUITES],
                         ids=[i for i, _, _ in BAD_SUITES])
def test_bad_suite_names_file_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SuiteError) as caught:
        load_suite(path)
    where = message.split(":", 2)
    assert str(caught.value).startswith(str(path) + where[0] + ":" + where[1])
    assert message.split(":", 2)[2].strip() in str(caught.value)


def test_default_suite_is_valid() -> None:
    suite = load_suite(NEWS)
    assert suite.name == "news"
    assert len(suite.expectations) >= 4


def test_packaged_schema_is_current_and_validates_suites() -> None:
    shipped = json.loads((ROOT / "corpus_qa" / "data" / "suite.schema.json").read_text())
    assert shipped == suite_schema(), "run: corpus-qa schema -o corpus_qa/data/suite.schema.json"
    jsonschema.validate(yaml.safe_load(NEWS.read_text(encoding="utf-8")), shipped)
    # What only the loader can know (regex syntax, dates, files) is not in the schema.
    semantic = {"invalid-yaml", "bad-threshold", "bad-regex", "neither-allowed-nor-pattern",
                "bad-min-date", "empty-fields", "missing-phrase-list"}
    for case_id, text, _ in BAD_SUITES:
        if case_id in semantic:
            continue
        data = yaml.safe_load(text)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(data, shipped)


def test_an_entry_without_severity_takes_the_expectations_default(tmp_path: Path) -> None:
    path = tmp_path / "s.yml"
    path.write_text("name: s\nexpectations:\n"
                    "  - type: expect_versions_to_have_consistent_credit_lines\n"
                    "  - type: expect_document_to_have_no_mojibake\n", encoding="utf-8")
    severities = [e.severity for e in load_suite(path).expectations]
    assert severities == ["info", "error"]
