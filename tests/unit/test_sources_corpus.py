"""iter_corpus over text trees and JSONL: front matter / headers, and bad input that never
disappears (formerly tests/unit/test_loaders.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus_qa.documents import Document, Field
from corpus_qa.sources import CorpusPathError, InputProblem, SkippedFile, iter_corpus

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _load(*paths: Path) -> list:
    return list(iter_corpus(paths))


def _docs(items: list) -> dict[str, Document]:
    return {d.id: d for d in items if isinstance(d, Document)}


def test_seed_000_glued_date_header_is_read_with_its_span() -> None:
    docs = _docs(_load(SEEDS))
    doc = docs["000_c3359af66ac874be"]
    assert doc.fields == {"date": Field("2023-12-28", "header", (6, 16))}
    assert doc.text[6:16] == "2023-12-28"
    assert doc.text[doc.body_start:].startswith("U.S. and Mexican officials met Wednesday")
    assert doc.raw == (SEEDS / "000_c3359af66ac874be.txt").read_bytes()


def test_seed_001_has_no_header_fields() -> None:
    doc = _docs(_load(SEEDS))["001_a1d7f1edd2253686"]
    assert doc.fields == {}
    assert doc.body_start == 0
    assert "\n" not in doc.text


@pytest.mark.parametrize(
    ("text", "fields", "body"),
    [
        ("date: 2024-01-02\nsource: Reuters\n\nBody.", {"date": "2024-01-02", "source": "Reuters"},
         "\nBody."),
        ("Title: Big news\nAuthor: Ann Lee\nText here.", {"title": "Big news", "author": "Ann Lee"},
         "Text here."),
        ("date 2023-12-28T10:00:00Z The talks began.", {"date": "2023-12-28T10:00:00Z"},
         "The talks began."),
        ("url https://example.org/a Then the body.", {"url": "https://example.org/a"},
         "Then the body."),
        ("The date 2023-12-28 was chosen.", {}, "The date 2023-12-28 was chosen."),
        ("Sourced from many places.", {}, "Sourced from many places."),
    ],
    ids=["key-colon-lines", "capitalised-keys", "glued-iso-datetime", "glued-url",
         "date-in-prose-is-not-a-header", "key-prefix-word-is-not-a-header"],
)
def test_header_forms(tmp_path: Path, text: str, fields: dict[str, str], body: str) -> None:
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (doc,) = _load(tmp_path)
    assert {k: f.value for k, f in doc.fields.items()} == fields
    assert doc.text[doc.body_start:] == body
    for f in doc.fields.values():
        assert doc.text[f.span[0]:f.span[1]] == f.value


def test_front_matter_fields_keep_their_spans(tmp_path: Path) -> None:
    text = "---\ntitle: Talks\ndate: 2023-12-28\nsource: VOA\n---\nBody text.\n"
    (tmp_path / "story.md").write_text(text, encoding="utf-8")
    (doc,) = _load(tmp_path)
    assert {k: (f.value, f.origin) for k, f in doc.fields.items()} == {
        "title": ("Talks", "front_matter"),
        "date": ("2023-12-28", "front_matter"),
        "source": ("VOA", "front_matter"),
    }
    assert text[slice(*doc.fields["source"].span)] == "VOA"
    assert doc.text[doc.body_start:] == "Body text.\n"


def test_invalid_front_matter_is_a_problem_and_the_document_is_kept(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text("---\ntitle: [unclosed\n---\nBody.\n", encoding="utf-8")
    items = _load(tmp_path)
    problems = [i for i in items if isinstance(i, InputProblem)]
    assert [(p.reason, p.document) for p in problems] == [("invalid_front_matter", "bad")]
    assert "bad" in _docs(items)


def test_document_ids_are_relative_paths_without_suffix(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "c.md").write_text("x", encoding="utf-8")
    (tmp_path / "d.txt").write_text("y", encoding="utf-8")
    assert sorted(_docs(_load(tmp_path))) == ["a/b/c", "d"]


def test_invalid_utf8_file_keeps_raw_bytes(tmp_path: Path) -> None:
    (tmp_path / "latin.txt").write_bytes(b"Caf\xe9 au lait")
    (doc,) = _load(tmp_path)
    assert doc.raw == b"Caf\xe9 au lait"
    assert doc.text == "Caf\ufffd au lait"


def test_binary_file_is_a_problem_not_a_document(tmp_path: Path) -> None:
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (item,) = _load(tmp_path)
    assert isinstance(item, InputProblem)
    assert item.reason == "binary_file"
    assert item.path.endswith("image.txt")


def test_other_suffixes_are_reported_as_skipped(tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.txt").write_text("git internals", encoding="utf-8")
    assert _load(tmp_path) == [SkippedFile((tmp_path / "notes.pdf").as_posix())]


def test_jsonl_records_metadata_and_problems(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "text": "Alpha.", "date": "2024-01-01"}),
        json.dumps({"id": "b", "text": "Beta.", "metadata": {"source": "AP", "tags": ["x"]}}),
        "{not json",
        json.dumps({"id": "c"}),
        json.dumps(["a", "list"]),
        "",
        json.dumps({"text": "No id."}),
    ]
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = _load(path)
    docs = _docs(items)
    shown = path.as_posix()
    assert sorted(docs) == sorted(["a", "b", f"{shown}#7"])
    assert docs["a"].fields["date"] == Field("2024-01-01", "field", None)
    assert docs["b"].fields["source"].value == "AP"
    assert docs["b"].fields["tags"].value == '["x"]'
    assert docs[f"{shown}#7"].line == 7
    problems = [(p.line, p.reason) for p in items if isinstance(p, InputProblem)]
    assert problems == [(3, "invalid_json"), (4, "missing_text"), (5, "invalid_json")]


def test_jsonl_invalid_utf8_line_is_reported_and_read(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_bytes(b'{"id": "x", "text": "Caf\xe9"}\n')
    items = _load(path)
    problems = [(i.reason, i.line) for i in items if isinstance(i, InputProblem)]
    assert problems == [("invalid_utf8", 1)]
    assert _docs(items)["x"].text == "Caf\ufffd"


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusPathError, match="no such file or directory"):
        _load(tmp_path / "nope")


# --- hostile paths: links, special files, odd names (docs/input.md) ---------------------


def _walk(monkeypatch: pytest.MonkeyPatch, cwd: Path, *paths: str, follow: bool = False) -> list:
    monkeypatch.chdir(cwd)
    return list(iter_corpus(paths, follow_symlinks=follow))


def _problems(items: list) -> dict[str, str]:
    return {p.path: p.reason for p in items if isinstance(p, InputProblem)}


def test_links_and_special_files_are_problems_never_opened(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("Fine text.\n", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside text\n", encoding="utf-8")
    os.symlink("b.txt", corpus / "a.txt")
    os.symlink("a.txt", corpus / "b.txt")
    os.symlink("gone.txt", corpus / "dangling.txt")
    os.symlink(tmp_path / "secret.txt", corpus / "out.txt")
    os.symlink("ok.txt", corpus / "same.txt")
    os.mkfifo(corpus / "pipe.txt")  # opening it would block this test forever
    os.mkfifo(corpus / "pipe.bin")
    items = _walk(monkeypatch, tmp_path, "c")
    assert _problems(items) == {"c/a.txt": "symlink_loop", "c/b.txt": "symlink_loop",
                                "c/dangling.txt": "dangling_link", "c/out.txt": "outside_corpus",
                                "c/pipe.txt": "special_file"}
    assert sorted(d.path for d in items if isinstance(d, Document)) == ["c/ok.txt", "c/same.txt"]
    assert [s.path for s in items if isinstance(s, SkippedFile)] == ["c/pipe.bin"]
    assert not any("outside text" in d.text for d in items if isinstance(d, Document))


def test_follow_symlinks_reads_outside_and_walks_linked_folders(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    corpus, elsewhere = tmp_path / "c", tmp_path / "elsewhere"
    (corpus / "sub").mkdir(parents=True)
    elsewhere.mkdir()
    (elsewhere / "doc.txt").write_text("Outside document.\n", encoding="utf-8")
    os.symlink(elsewhere, corpus / "linked")
    os.symlink("..", corpus / "sub" / "up")  # a folder that is one of its own parents
    plain = _walk(monkeypatch, tmp_path, "c")
    assert _problems(plain) == {"c/linked": "outside_corpus"}
    followed = _walk(monkeypatch, tmp_path, "c", follow=True)
    assert _problems(followed) == {"c/sub/up": "symlink_loop"}
    assert [d.path for d in followed if isinstance(d, Document)] == ["c/linked/doc.txt"]


def test_odd_file_names_are_escaped_and_reported(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / os.fsdecode(b"bad\xffname.txt")).write_bytes(b"Some text.\n")
    (corpus / "two\nlines.txt").write_bytes(b"More text.\n")
    items = _walk(monkeypatch, tmp_path, "c")
    assert _problems(items) == {"c/bad\\xffname.txt": "unsafe_file_name",
                                "c/two\\nlines.txt": "unsafe_file_name"}
    docs = _docs(items)
    assert sorted(docs) == ["bad\\xffname", "two\\nlines"]
    json.dumps([d.path for d in docs.values()]).encode("utf-8")  # no lone surrogate left


@pytest.mark.parametrize(("data", "shown"), [
    pytest.param("Plain words.\n".encode("utf-16"), "little-endian (with a byte-order mark)",
                 id="bom"),
    pytest.param("Plain words.\n".encode("utf-16-le"), "little-endian (without", id="le"),
    pytest.param("Plain words.\n".encode("utf-16-be"), "big-endian (without", id="be"),
])
def test_utf16_files_are_named_utf16(tmp_path: Path, data: bytes, shown: str) -> None:
    (tmp_path / "u.txt").write_bytes(data)
    [problem] = _load(tmp_path)
    assert problem.reason == "utf16_file" and shown in problem.message
    assert "latin-1" not in problem.message


def test_a_summary_corpus_qa_wrote_is_skipped(tmp_path: Path) -> None:
    from corpus_qa.outputs import REPORT_MARKER

    (tmp_path / "summary.md").write_text(f"## corpus-qa: fail\n\n{REPORT_MARKER}\n",
                                         encoding="utf-8")
    (tmp_path / "notes.md").write_text("## Notes\n\nA steward's notes.\n", encoding="utf-8")
    items = _load(tmp_path)
    assert [type(i).__name__ for i in items] == ["Document", "SkippedFile"]
    assert items[1].path.endswith("summary.md")


def test_lone_surrogates_in_records_become_replacement_characters(tmp_path: Path) -> None:
    (tmp_path / "r.jsonl").write_text('{"id": "a\\udcff", "text": "lost \\ud800 here"}\n',
                                      encoding="utf-8")
    [doc] = _load(tmp_path)
    assert (doc.id, doc.text) == ("a\\xff", "lost \ufffd here")


def test_only_files_passes_over_other_files_without_a_stat(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--changed-since`` reads a few files of a large corpus: the others are passed over
    by their directory entry (no ``lstat`` each), and the walk yields exactly what it
    yields when every entry is looked at — links, odd names and the same name in another
    folder included."""
    import os

    from corpus_qa.sources import corpus as walk

    corpus = tmp_path / "c"
    (corpus / "sub").mkdir(parents=True)
    for name in ("a.txt", "b.txt", "sub/a.txt", "sub/c.txt", "o\u0301dd.txt", "skip.bin"):
        (corpus / name).write_text(f"Text of {name}.\n", encoding="utf-8")
    (corpus / "ctl\x01.txt").write_text("A control character in the name.\n", encoding="utf-8")
    os.symlink("b.txt", corpus / "link.txt")
    os.symlink("gone.txt", corpus / "dangling.txt")
    monkeypatch.chdir(tmp_path)
    real_lstat, real_plain = os.lstat, getattr(walk, "_plain_file", None)

    def walked(only: set[str], *, look_at_every_entry: bool) -> tuple[list, list[str]]:
        stated: list[str] = []

        def counting(path: object, **keywords: object) -> os.stat_result:
            # (os.lstat is patched for the whole process while the walk runs: a temporary
            # directory of an earlier test cleaned up meanwhile calls it with dir_fd=)
            if not keywords:
                stated.append(Path(path).name)  # type: ignore[arg-type]
            return real_lstat(path, **keywords)  # type: ignore[arg-type]

        monkeypatch.setattr(walk.os, "lstat", counting)
        if look_at_every_entry:
            monkeypatch.setattr(walk, "_plain_file", lambda entry: False, raising=False)
        try:
            items = [(type(i).__name__, i.path, getattr(i, "text", None),
                      getattr(i, "reason", None)) for i in iter_corpus(["c"], only_files=only)]
        finally:
            monkeypatch.setattr(walk.os, "lstat", real_lstat)
            monkeypatch.setattr(walk, "_plain_file", real_plain, raising=False)
        return items, stated

    plain = {"a.txt", "b.txt", "c.txt", "o\u0301dd.txt", "skip.bin", "ctl\x01.txt"}
    # (the files asked for, the plain files that may be looked at: those of the same
    # name; and b.txt always, as the target of a link: links are still followed)
    cases = [({"c/sub/a.txt"}, {"a.txt"}), ({"c/link.txt", "c/dangling.txt"}, set()),
             ({"c/ctl\\x01.txt"}, {"ctl\x01.txt"}),
             ({"c/o\u0301dd.txt", "c/skip.bin"}, {"o\u0301dd.txt", "skip.bin"}), (set(), set())]
    for only, may_look_at in cases:
        every, _ = walked(only, look_at_every_entry=True)
        fast, stated = walked(only, look_at_every_entry=False)
        assert fast == every
        assert any(kind == "Document" for kind, *_ in fast) == bool(only - {"c/dangling.txt"})
        assert set(stated) & plain <= may_look_at | {"b.txt"}
