"""The streaming results writer writes exactly the text of the one-object dump."""

from __future__ import annotations

import io
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_qa.results import dump_json, stream_json, write_json


class Flag(int):
    pass


class Name(str):
    pass

KEYS = st.text(max_size=6)
LEAVES = (st.none() | st.booleans() | st.integers() | st.text(max_size=8)
          | st.floats(allow_nan=False, allow_infinity=False))
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=30,
)
# What json writes in its own way: NaN and the infinities, tuples, keys that are not
# strings (converted by json), subclasses of int and str.
ODD_LEAVES = (LEAVES | st.floats() | st.integers().map(Flag) | st.text(max_size=4).map(Name))
ODD_VALUES = st.recursive(
    ODD_LEAVES,
    lambda inner: (st.lists(inner, max_size=4) | st.lists(inner, max_size=3).map(tuple)
                   | st.dictionaries(KEYS, inner, max_size=4)
                   | st.dictionaries(st.integers() | st.booleans(), inner, max_size=3)
                   | st.dictionaries(st.floats(allow_nan=False), inner, max_size=3)),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_streamed_json_is_byte_identical_to_the_dump(data: dict) -> None:
    out: list[str] = []
    stream_json(data, out.append)
    assert "".join(out) == dump_json(data)
    assert json.loads("".join(out)) == data


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, ODD_VALUES, max_size=6))
def test_streamed_json_writes_odd_values_as_json_does(data: dict) -> None:
    out: list[str] = []
    stream_json(data, out.append)
    assert "".join(out) == dump_json(data)


def test_records_are_not_encoded_by_jsons_python_encoder(monkeypatch) -> None:
    """json's indenting encoder is pure Python; the records are laid out without it."""
    data = {"findings": [{"document": "d", "span": [1, 2], "related": None,
                          "spans": [{"excerpt": "é \"x\"", "line": 3}], "score": 0.5}],
            "documents": [{"id": "d", "metadata": {"date": {"values": []}}}]}
    expected = dump_json(data)

    def refused(*args, **kwargs):
        raise AssertionError("json's pure-Python encoder was used")

    monkeypatch.setattr(json.encoder, "_make_iterencode", refused)
    out: list[str] = []
    stream_json(data, out.append)
    assert "".join(out) == expected


def test_results_are_written_item_by_item(tmp_path: Path) -> None:
    """No piece is the whole file: a finding at a time, not one big string."""
    findings = [{"document": f"d{i}", "excerpt": "x" * 100, "span": [i, i + 1]}
                for i in range(1000)]
    data = {"findings": findings, "statistics": {"documents": 1000}}
    pieces: list[str] = []
    stream_json(data, pieces.append)
    text = "".join(pieces)
    assert text == dump_json(data)
    assert max(map(len, pieces)) < 300 < len(text) // 100
    write_json(data, tmp_path / "r.json")
    assert (tmp_path / "r.json").read_bytes() == dump_json(data).encode("utf-8")
    buffer = io.StringIO()
    stream_json([], buffer.write)
    assert buffer.getvalue() == "[]\n"


# --- the findings of the results, laid out from their fields -----------------------------

from corpus_qa.findings import Related  # noqa: E402
from corpus_qa.results import COUNTED, Finding, GatedFindings, Occurrence  # noqa: E402

TEXT = st.text(max_size=6)  # any character: quotes, controls, surrogates, non-ASCII
SPAN = st.tuples(st.integers(), st.integers())
OCCURRENCES = st.builds(Occurrence, span=SPAN, line=st.integers(), column=st.integers(),
                        excerpt=TEXT, message=TEXT, suggestion=st.none() | TEXT,
                        text_line=st.none() | st.integers(),
                        text_column=st.none() | st.integers())
FINDINGS = st.builds(
    Finding, expectation=TEXT, severity=st.sampled_from(["error", "warning", "info"]),
    document=TEXT, path=TEXT, reason=TEXT, message=TEXT, span=SPAN, line=st.integers(),
    column=st.integers(), excerpt=TEXT,
    related=st.none() | st.builds(Related, document=TEXT, span=SPAN),
    suggestion=st.none() | TEXT, key=st.none() | TEXT, record=st.none() | TEXT,
    text_line=st.none() | st.integers(), text_column=st.none() | st.integers(),
    also=st.lists(OCCURRENCES, max_size=3).map(tuple))
# Fields of unusual types, which the fast layout leaves to the dict's way.
ODD_FINDINGS = FINDINGS.flatmap(lambda f: st.sampled_from([
    f, Finding(**{**_fields(f), "line": Flag(f.line)}),
    Finding(**{**_fields(f), "span": list(f.span)}),
    Finding(**{**_fields(f), "message": Name(f.message)}),
    Finding(**{**_fields(f), "related": Related(f.document, (1.5, 2))}),
    Finding(**{**_fields(f), "also": (*f.also, Occurrence((0, 1), 1, 1, Name("x"), "m"))})]))


def _fields(finding: Finding) -> dict:
    return {name: getattr(finding, name) for name in Finding.__dataclass_fields__}


@settings(max_examples=400, deadline=None)
@given(st.lists(ODD_FINDINGS, min_size=1, max_size=4),
       st.sampled_from(["counted", "waived", "known"]))
def test_findings_laid_out_from_their_fields_are_the_dump_of_their_dicts(findings, status):
    gated = GatedFindings(findings, [status] * len(findings))
    out: list[str] = []
    stream_json({"findings": gated, "z": 1}, out.append)
    assert "".join(out) == dump_json({"findings": list(gated), "z": 1})


def test_a_finding_of_plain_fields_is_not_built_as_a_dict(monkeypatch) -> None:
    finding = Finding("e", "error", "d", "d.txt", "r", "é \"m\"\n", (3, 9), 2, 1, "x",
                      related=Related("o", (0, 2)), key="k",
                      also=(Occurrence((10, 12), 3, 1, "y", "m2"),))
    expected = dump_json({"findings": [{**finding.to_json(), "gate": COUNTED}]})

    def refused(self):
        raise AssertionError("the finding was built as a dict")

    monkeypatch.setattr(Finding, "to_json", refused)
    out: list[str] = []
    stream_json({"findings": GatedFindings([finding], [COUNTED])}, out.append)
    assert "".join(out) == expected
