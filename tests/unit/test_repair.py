"""The repairs (corpus_qa/repair), the fixer's writers and its --out refusal, one case each."""

from __future__ import annotations

import pytest

from corpus_qa.findings import Hit
from corpus_qa.fixer import FixError, check_out, repaired_record, with_front_matter
from corpus_qa.repair import (
    Edit,
    apply_edits,
    fill_missing,
    repair_boilerplate,
    repair_encoding,
    restore_diacritics,
)
from corpus_qa.report.fixpage import side_by_side
from corpus_qa.sources.base import FieldMap

# --- encoding ----------------------------------------------------------------------------

ENCODING_CASES = [
    ("mojibake_cp1252", "Mr L\u00c3\u00b3pez spoke.", "Mr López spoke.", ["mojibake"]),
    ("mojibake_quote", "it\u00e2\u20ac\u2122s done", "it’s done", ["mojibake"]),
    ("double_mojibake", "caf\u00c3\u0192\u00c2\u00a9", "café", ["mojibake"]),
    # French "à" written in cp1252 and read as cp1251 ("а"), or in UTF-8 ("Г\xa0")
    ("lone_a_grave_cp1252_as_cp1251", "Le ministre reste \u0430 Lyon jusqu'au lundi.",
     "Le ministre reste à Lyon jusqu'au lundi.", ["mojibake"]),
    ("lone_a_grave_utf8_as_cp1251", "Rendez-vous \u0413\xa0 midi.", "Rendez-vous à midi.",
     ["mojibake"]),
    ("control_removed", "a\x07b and c\u200b d", "ab and c d", ["control_character"] * 2),
    ("leading_bom_kept", "\ufeffHello", "\ufeffHello", []),
    ("nfd_word", "cafe\u0301 ole\u0301", "café olé", ["not_normalized"] * 2),
    ("curly_quotes_kept", "“Quoted” — ﬁne", "“Quoted” — ﬁne", []),
    ("clean_ascii", "Nothing to do.", "Nothing to do.", []),
]


@pytest.mark.parametrize(("text", "expected", "reasons"), [c[1:] for c in ENCODING_CASES],
                         ids=[c[0] for c in ENCODING_CASES])
def test_repair_encoding(text: str, expected: str, reasons: list[str]) -> None:
    fixed = repair_encoding(text)
    assert fixed.text == expected
    assert [e.reason for e in fixed.edits] == reasons


def test_each_encoding_edit_says_before_and_after() -> None:
    (edit,) = repair_encoding("Mr L\u00c3\u00b3pez").edits
    assert (edit.family, edit.span, edit.before, edit.after) == (
        "encoding", (3, 9), "L\u00c3\u00b3pez", "López")
    assert edit.message == "UTF-8 text read as cp1252, decoded again"


# --- boilerplate -------------------------------------------------------------------------

NOTICE = "Originally posted by the Voice of America."


def test_a_whole_boilerplate_line_goes_with_its_line_break() -> None:
    text = "First.\nShare this article\nLast.\n"
    fixed = repair_boilerplate(text, [Hit("call_to_action", "…", (7, 25))])
    assert fixed.text == "First.\nLast.\n"
    assert fixed.edits[0].before == "Share this article\n"


def test_a_last_line_without_newline_takes_the_break_before_it() -> None:
    text = "First.\nAdvertisement"
    assert repair_boilerplate(text, [Hit("page_furniture", "…", (7, 20))]).text == "First."


def test_glued_notice_title_and_byline_move_into_metadata() -> None:
    text = f"{NOTICE} Big Title Here by VOA News The story starts."

    def at(piece: str) -> tuple[int, int]:
        return text.index(piece), text.index(piece) + len(piece)

    hits = [
        Hit("syndication_notice", "… — move into metadata: source", at(NOTICE)),
        Hit("title_in_body", "… — move into metadata: title", at("Big Title Here"),
            suggestion="Big Title Here"),
        Hit("byline_in_body", "… — move into metadata: attribution", at("by VOA News"),
            suggestion="VOA News"),
    ]
    metadata = {"source": {"value": "Voice of America", "raw": "Voice of America",
                           "origin": "text"}}
    fixed = repair_boilerplate(text, hits, metadata)
    assert fixed.text == "The story starts."
    assert {k: v for k, (v, _) in fixed.fields.items()} == {
        "source": "Voice of America", "title": "Big Title Here", "attribution": "VOA News"}


def test_a_field_the_document_has_is_not_overwritten() -> None:
    hits = [Hit("syndication_notice", "… — move into metadata: source", (0, 42))]
    metadata = {"source": {"value": "VOA", "raw": "Voice of America", "origin": "front_matter"}}
    assert repair_boilerplate(f"{NOTICE} Text.", hits, metadata).fields == {}


def test_possible_furniture_and_flattened_paragraphs_are_not_removed() -> None:
    text = "Menu\nStory."
    hits = [Hit("possible_furniture", "…", (0, 4)), Hit("paragraphs_flattened", "…", (0, 11))]
    assert repair_boilerplate(text, hits).text == text


# --- metadata and diacritics -------------------------------------------------------------


def test_missing_field_records_its_origin() -> None:
    fixed = fill_missing([("date", "2023-12-28", "000")])
    assert fixed.fields == {"date": ("2023-12-28", "suggestion from 000")}
    assert fixed.edits[0].field == "date"


def test_diacritics_restored_only_where_the_other_version_always_accents() -> None:
    others = [("b", "López met Bárcena; el dijo que él vino.")]
    fixed = restore_diacritics("Lopez met Barcena; el dijo que el vino.", others)
    assert fixed.text == "López met Bárcena; el dijo que el vino."  # "el"/"él": ambiguous
    assert [(e.before, e.after) for e in fixed.edits] == [("Lopez", "López"),
                                                          ("Barcena", "Bárcena")]


def test_diacritics_are_restored_in_nfc_from_a_version_in_nfd() -> None:
    fixed = restore_diacritics("San Jose", [("b", "San Jose\u0301 again")])
    assert fixed.text == "San Jos\u00e9"


def test_apply_edits_rejects_overlaps() -> None:
    with pytest.raises(ValueError, match="overlapping"):
        apply_edits("abcdef", [Edit("x", "r", (0, 3), "abc", "", ""),
                               Edit("x", "r", (2, 4), "cd", "", "")])


# --- writing -----------------------------------------------------------------------------

FRONT_MATTER_CASES = [
    ("no_header", "Body.", "---\nsource: VOA  # origin: o\n---\nBody."),
    ("glued_header", " date 2023-12-28 U.S. officials met.",
     "---\ndate: '2023-12-28'  # origin: header\nsource: VOA  # origin: o\n---\n"
     "U.S. officials met."),
    ("front_matter", "---\ndate: 2023-12-28\n---\nBody.",
     "---\ndate: 2023-12-28\nsource: VOA  # origin: o\n---\nBody."),
    ("bom", "\ufeffBody.", "\ufeff---\nsource: VOA  # origin: o\n---\nBody."),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in FRONT_MATTER_CASES],
                         ids=[c[0] for c in FRONT_MATTER_CASES])
def test_with_front_matter(text: str, expected: str) -> None:
    assert with_front_matter(text, {"source": ("VOA", "o")})[0] == expected


def test_repaired_record_keeps_fields_and_fills_the_metadata_object() -> None:
    record = {"id": "a", "text": "old", "meta": {"date": "2024-01-01"}, "extra": [1]}
    from corpus_qa.fixer import DocumentFix

    fix = DocumentFix("a", "p", 1, "old", "new", fields={"source": ("VOA", "o")})
    out = repaired_record(record, fix, FieldMap(metadata="meta"))
    assert out == {"id": "a", "text": "new", "meta": {"date": "2024-01-01", "source": "VOA"},
                   "extra": [1]}
    assert record["text"] == "old"  # the record read is not changed


# --- refusal of --out --------------------------------------------------------------------

REFUSALS = [
    ("same", "corpus", "is the corpus path"),
    ("inside", "corpus/fixed", "is inside the corpus path"),
    ("contains", ".", "contains the corpus path"),
    ("not_empty", "full", "is not empty"),
    ("a_file", "file.txt", "is an existing file"),
]


@pytest.mark.parametrize(("out", "message"), [c[1:] for c in REFUSALS],
                         ids=[c[0] for c in REFUSALS])
def test_check_out_refuses(tmp_path, monkeypatch, out: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(FixError, match=message):
        check_out(out, ["corpus"])


def test_check_out_follows_links_to_the_corpus(tmp_path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "corpus")
    with pytest.raises(FixError, match="inside the corpus path"):
        check_out(tmp_path / "link" / "out", [str(tmp_path / "corpus")])


def test_check_out_accepts_a_new_folder_beside_the_corpus(tmp_path) -> None:
    (tmp_path / "corpus").mkdir()
    check_out(tmp_path / "corpus-fixed", [str(tmp_path / "corpus")])


def test_diff_escapes_document_text() -> None:
    left, right = side_by_side("a <script>x</script> b", "a b")
    assert "<script>" not in left and "&lt;script&gt;" in left
    assert right == "a b"


def test_parquet_copy_keeps_every_row_and_changes_the_repaired_one(tmp_path) -> None:
    import pyarrow.parquet as pq

    from corpus_qa.fixer import DocumentFix, write_file_copy
    from corpus_qa.sources.write import write_records

    rows = [{"id": "a", "text": "one", "metadata": {"date": "2024-01-01"}},
            {"id": "b", "text": "caf\u00c3\u00a9", "metadata": {"date": "2024-01-02"}}]
    write_records(tmp_path / "in.parquet", rows)
    fix = DocumentFix("b", "in.parquet", 2, rows[1]["text"], "café",
                      fields={"source": ("VOA", "o")})
    write_file_copy(tmp_path / "in.parquet", tmp_path / "out" / "in.parquet", {2: fix},
                    FieldMap())
    out = pq.read_table(tmp_path / "out" / "in.parquet").to_pylist()
    assert [r["text"] for r in out] == ["one", "café"]
    assert out[1]["metadata"]["source"] == "VOA" and out[1]["metadata"]["date"] == "2024-01-02"


def test_a_damaged_stream_is_copied_as_it_is_with_a_note(tmp_path) -> None:
    import gzip

    from corpus_qa.fixer import DocumentFix, write_file_copy

    data = gzip.compress(b'{"id":"a","text":"caf\\u00c3\\u00a9"}\n' * 200)
    (tmp_path / "in.jsonl.gz").write_bytes(data[: len(data) // 2])  # cut short
    fix = DocumentFix("a", "in.jsonl.gz", 1, "caf\u00c3\u00a9", "café")
    write_file_copy(tmp_path / "in.jsonl.gz", tmp_path / "out" / "in.jsonl.gz", {1: fix},
                    FieldMap())
    assert (tmp_path / "out" / "in.jsonl.gz").read_bytes() == data[: len(data) // 2]
    assert not fix.changed and "stream is damaged" in fix.notes[0]
