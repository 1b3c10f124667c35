"""Shards end to end: the same corpus in every format gives the same findings; bad input
in every format is an ``input`` finding naming file and line/row, never a traceback."""

from __future__ import annotations

import gzip
import json
import random
import string
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from benchmarks.planted_corpus import build
from corpus_qa.cli import main
from corpus_qa.documents import Document
from corpus_qa.sources import iter_corpus
from corpus_qa.sources.write import write_records, write_text_tree
from tests.conftest import git

ROOT = Path(__file__).resolve().parents[2]
SUITE = str(ROOT / "expectations" / "news.yml")
RECORD_FORMATS = [".jsonl", ".jsonl.gz", ".jsonl.zst", ".parquet"]


def _validate(corpus: str | Path, out: Path, *args: str) -> tuple[int, dict]:
    code = main(["validate", str(corpus), "--suite", SUITE, "--json", str(out), "-q", *args])
    return code, json.loads(out.read_text(encoding="utf-8"))


def _comparable(data: dict) -> list[tuple]:
    """(document index, expectation, reason, span, message) of every finding, sorted."""
    order = {d["id"]: n for n, d in enumerate(data["documents"])}
    return sorted((order[f["document"]], f["expectation"], f["reason"], tuple(f["span"]),
                   f["message"]) for f in data["findings"])


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """The planted corpus (300 documents) as a text tree: id -> (text, header fields)."""
    tree = tmp_path_factory.mktemp("planted") / "tree"
    texts = {rel.removesuffix(".txt"): content for rel, content in build(documents=300).items()
             if rel.endswith(".txt") and isinstance(content, str)}
    write_text_tree(tree, texts)
    docs = [d for d in iter_corpus([tree]) if isinstance(d, Document)]
    return {d.id: {"text": d.text, "body": d.text[d.body_start:],
                   "fields": {k: f.value for k, f in d.fields.items()}} for d in docs}


@pytest.mark.slow
def test_text_tree_and_every_record_format_give_the_same_findings(
        planted: dict[str, dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Headers are a text-tree convention (records keep metadata in fields), so the
    # documents are compared without them: same text, no metadata, in every format.
    bodies = {doc_id: doc["body"] for doc_id, doc in planted.items()}
    monkeypatch.chdir(tmp_path)
    write_text_tree("tree", bodies)
    assert all(not d.fields for d in iter_corpus(["tree"]) if isinstance(d, Document))
    _, reference = _validate("tree", tmp_path / "tree.json")
    expected = _comparable(reference)
    reasons = {f[2] for f in expected}
    for reason in ("mojibake", "control_character", "not_normalized", "missing_field",
                   "figure_changed", "diacritics_stripped", "repeated_line"):
        assert reason in reasons, reason
    records = [{"id": doc_id, "text": text} for doc_id, text in bodies.items()]
    for suffix in RECORD_FORMATS:
        shard = f"shards/part{suffix}"
        write_records(shard, records)
        code, data = _validate(shard, tmp_path / f"{suffix}.json")
        assert code == 1
        assert [d["id"] for d in data["documents"]] == [d["id"] for d in reference["documents"]]
        assert _comparable(data) == expected, suffix
        first = data["findings"][0]
        assert first["path"] == shard
        assert data["sources"] == [{"path": shard, "format": {
            ".jsonl": "jsonl", ".jsonl.gz": "jsonl.gzip", ".jsonl.zst": "jsonl.zstd",
            ".parquet": "parquet"}[suffix], "records": 293, "documents": 293, "problems": 0}]


@pytest.mark.slow
def test_record_formats_with_metadata_fields_agree(
        planted: dict[str, dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    records = [{"id": doc_id, "text": doc["body"], "metadata": doc["fields"]}
               for doc_id, doc in planted.items()]
    results = {}
    for suffix in RECORD_FORMATS:
        write_records(f"m/part{suffix}", records)
        results[suffix] = _comparable(_validate(f"m/part{suffix}", tmp_path / "r.json")[1])
    reasons = {f[2] for f in results[".jsonl"]}
    assert {"invalid_date", "metadata_conflict"} <= reasons  # dates read from the fields
    assert all(results[s] == results[".jsonl"] for s in RECORD_FORMATS)


def test_a_directory_of_mixed_shards_reads_in_sorted_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_records("c/b.parquet", [{"id": "p1", "text": "From Parquet."}])
    write_records("c/a.jsonl.zst", [{"id": "z1", "text": "From zstd."}])
    write_text_tree("c/sub", {"t1": "A text file."})
    write_records("c/sub/a.jsonl.gz", [{"id": "g1", "text": "From gzip."}])
    (Path("c") / "notes.pdf").write_bytes(b"%PDF")
    code, data = _validate("c", tmp_path / "r.json")
    assert [d["id"] for d in data["documents"]] == ["z1", "p1", "g1", "sub/t1"]
    assert [(s["path"], s["format"]) for s in data["sources"]] == [
        ("c/a.jsonl.zst", "jsonl.zstd"), ("c/b.parquet", "parquet"),
        ("c/sub/a.jsonl.gz", "jsonl.gzip"), ("c/sub/t1.txt", "text")]
    assert data["skipped_files"] == ["c/notes.pdf"]


def _lines(n: int) -> bytes:
    """``n`` records of distinct word soup (near-identical texts would form one huge story)."""
    rng = random.Random(5)
    words = ["".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))
             for _ in range(3000)]
    return b"".join(json.dumps({"id": f"d{i}", "text": " ".join(rng.choices(words, k=40))})
                    .encode() + b"\n" for i in range(n))


def _truncated_gzip(path: Path) -> None:
    whole = gzip.compress(_lines(3000), mtime=0)
    path.write_bytes(whole[: len(whole) // 2])


def _truncated_zstd(path: Path) -> None:
    whole = zstandard.ZstdCompressor(level=1).compress(_lines(3000))
    path.write_bytes(whole[: len(whole) // 2])


def _no_text_column(path: Path) -> None:
    write_records(path, [{"id": "a", "content": "The body."}])


def _int_text_column(path: Path) -> None:
    pq.write_table(pa.table({"id": ["a"], "text": [42]}), path)


def _corrupt_footer(path: Path) -> None:
    write_records(path, [{"id": "a", "text": "The body."}])
    data = path.read_bytes()
    path.write_bytes(data[:-8] + b"\0" * 8)


def _record_without_text(path: Path) -> None:
    path.write_text('{"id": "ok", "text": "Fine."}\n{"id": "r2", "content": "The body."}\n')


def _deep_json(path: Path) -> None:
    path.write_text('{"id": "ok", "text": "Fine."}\n{"text": ' + "[" * 100_000 + "]" * 100_000
                    + "}\n")


BAD = [
    ("truncated.jsonl.gz", _truncated_gzip, "truncated_stream", None,
     "the gzip stream breaks at line {line} near compressed byte"),
    ("truncated.jsonl.zst", _truncated_zstd, "truncated_stream", None,
     "the zstd stream breaks at line {line} near compressed byte"),
    ("notext.parquet", _no_text_column, "missing_text", 1,
     "no 'text' column (columns: id, content) — pass --text-field content"),
    ("inttext.parquet", _int_text_column, "missing_text", 1,
     "column 'text' holds int64, not strings (columns: id, text) — "
     "pass --text-field NAME of a string column"),
    ("footer.parquet", _corrupt_footer, "invalid_parquet", 1, "not a readable Parquet file ("),
    ("notext.jsonl", _record_without_text, "missing_text", 2,
     "record has no string 'text' field (fields: content, id) — pass --text-field content"),
    ("deep.jsonl", _deep_json, "invalid_json", 2, "JSON nested too deeply to read"),
]


@pytest.mark.parametrize(("name", "make", "reason", "line", "message"), BAD,
                         ids=[b[0] for b in BAD])
def test_bad_input_is_an_input_finding_and_the_run_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        name: str, make: object, reason: str, line: int | None, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    Path("c").mkdir()
    write_records("c/good.jsonl", [{"id": "good", "text": "date 2024-01-01 A good record."}])
    make(Path("c") / name)  # type: ignore[operator]
    code = main(["validate", "c", "--suite", SUITE, "--json", "r.json"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in out + err and "internal error" not in err
    data = json.loads(Path("r.json").read_text(encoding="utf-8"))
    (finding,) = [f for f in data["findings"] if f["expectation"] == "input"]
    shown = f"c/{name}"
    (source,) = [s for s in data["sources"] if s["path"] == shown]
    if line is None:  # a damaged stream: reported at the line after the last one read
        line = source["documents"] + 1
        assert source["documents"] > 1000  # the documents before the break were validated
        assert len(data["documents"]) == source["documents"] + 1  # and the good record
    assert (finding["path"], finding["line"], finding["reason"]) == (shown, line, reason)
    assert message.format(line=line) in finding["message"]
    # A record's problem is placed at the record (its line, or its row for Parquet).
    row = f"row {line}: " if name.endswith(".parquet") else ""
    assert f"{shown}:{line}: input [{reason}] {row}" in out
    assert "good" in [d["id"] for d in data["documents"]]
    assert source["problems"] == 1
    assert source["records"] == source["documents"] + (reason in ("missing_text", "invalid_json")
                                                       and name.endswith(".jsonl"))


def test_field_flags_and_the_suite_corpus_section(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_records("c/a.parquet", [
        {"key": f"k{i}", "content": f"The council met on Monday. Story {i}.",
         "attrs": {"meta": {"date": "2024-01-02", "source": "Wire", "attribution": "AP"}}}
        for i in range(3)])
    code, data = _validate("c", tmp_path / "default.json")
    assert [f["reason"] for f in data["findings"]] == ["missing_text"]
    code, data = _validate("c", tmp_path / "flags.json", "--text-field", "content",
                           "--id-field", "key", "--metadata-field", "attrs.meta")
    assert [d["id"] for d in data["documents"]] == ["k0", "k1", "k2"]
    assert [f for f in data["findings"] if f["expectation"] == "input"] == []
    assert data["documents"][0]["metadata"]["date"]["value"] == "2024-01-02"
    entries = ("expectations:\n  - type: expect_document_to_have_metadata\n"
               "    fields: [date, source, attribution]\n")
    Path("plain.yml").write_text(f"name: s\n{entries}")
    Path("fields.yml").write_text("name: s\ncorpus:\n  text_field: content\n  id_field: key\n"
                                  f"  metadata_field: attrs.meta\n{entries}")
    runs = {}
    for suite, flags in (("plain.yml", ["--text-field", "content", "--id-field", "key",
                                        "--metadata-field", "attrs.meta"]),
                         ("fields.yml", []), ("plain.yml", [])):
        code = main(["validate", "c", "--suite", suite, "--json", "s.json", "-q", *flags])
        result = json.loads(Path("s.json").read_text(encoding="utf-8"))
        runs[(suite, bool(flags))] = (code, result["documents"], result["findings"])
    assert runs[("plain.yml", True)] == runs[("fields.yml", False)]
    assert runs[("fields.yml", False)][0] == 0  # date, source, attribution all found
    assert runs[("plain.yml", False)][0] == 1  # without the mapping: no text


def test_a_bad_field_name_in_the_suite_is_a_suite_error(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    suite = tmp_path / "s.yml"
    suite.write_text("name: s\ncorpus:\n  text_field: 3\nexpectations:\n"
                     "  - type: expect_document_to_be_valid_utf8\n")
    (tmp_path / "a.jsonl").write_text('{"text": "x"}\n')
    assert main(["validate", str(tmp_path / "a.jsonl"), "--suite", str(suite)]) == 2
    err = capsys.readouterr().err
    assert f"{suite}:3:" in err and "'corpus.text_field' must be a field name" in err


def test_changed_since_revalidates_a_changed_shard(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    topics = ["water", "roads", "schools", "trains"]
    write_records("c/a.jsonl.gz", [{"id": f"a-{t}", "text": f"The {t} budget grew by {n}0 "
                                    f"percent this year, officials in town {t} said."}
                                   for n, t in enumerate(topics)])
    write_records("c/b.parquet", [{"id": f"b-{t}", "text": f"Fishermen counted {n}00 boats in "
                                   f"the {t} harbour on Sunday, a record."}
                                  for n, t in enumerate(topics)])
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "corpus")
    write_records("c/b.parquet", [{"id": "b-new", "text": "A new record about ferries."}])
    code, data = _validate("c", tmp_path / "r.json", "--changed-since", "HEAD")
    assert code == 1
    assert sorted(d["id"] for d in data["documents"]) == ["b-new"]
    assert data["statistics"]["skipped_documents"] == 4
    assert [s["path"] for s in data["sources"]] == ["c/b.parquet"]
    assert "1 changed document" in capsys.readouterr().err
