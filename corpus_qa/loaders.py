"""Read a corpus: directory trees of ``.txt``/``.md`` files and ``.jsonl`` files.

Loaders yield :class:`Document` objects and :class:`InputProblem` objects, in a stable
order (sorted paths, file order within JSONL). Nothing is dropped silently: a file
that cannot be read, a binary file or a bad JSON line becomes an ``InputProblem``
naming file and line, and the run goes on.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from corpus_qa.documents import Document, Field

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl",)
KNOWN_KEYS = (
    "date", "source", "attribution", "author", "title", "url",
    "licence", "license", "story", "version",
)
"""Header keys recognised in a leading ``key value`` / ``key: value`` block."""

BINARY_SNIFF_BYTES = 8192


@dataclass(frozen=True, slots=True)
class InputProblem:
    """Input that could not become a document (or only partly): where and why."""

    path: str
    line: int
    reason: str  # unreadable_file | binary_file | invalid_json | missing_text | invalid_front_matter …
    message: str
    document: str | None = None  # set when the document was still loaded


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file in a corpus directory with a suffix no loader reads (counted, not dropped silently)."""

    path: str


class CorpusPathError(Exception):
    """A corpus path that does not exist (a usage error: exit 2)."""


Loaded = Document | InputProblem | SkippedFile


def display_path(path: Path) -> str:
    """The path relative to the working directory when it is below it, else as is."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def iter_corpus(paths: Iterable[str | os.PathLike[str]], *,
                only_files: set[str] | None = None) -> Iterator[Loaded]:
    """Yield every document (and every problem) of the corpus at ``paths``, in stable order.

    ``only_files`` (display paths) limits reading to those files: the others are not
    opened at all (``--changed-since`` on a large corpus).
    """
    for given in paths:
        root = Path(given)
        if not root.exists():
            raise CorpusPathError(f"{given}: no such file or directory — check the corpus path")
        if root.is_file():
            if only_files is None or display_path(root) in only_files:
                yield from _load_file(root, root.parent)
            continue
        for file in sorted(p for p in root.rglob("*") if p.is_file()):
            if any(part.startswith(".") for part in file.relative_to(root).parts):
                continue  # .git, .DS_Store …: not corpus content
            if only_files is None or display_path(file) in only_files:
                yield from _load_file(file, root)


def _load_file(file: Path, root: Path) -> Iterator[Loaded]:
    suffix = file.suffix.lower()
    shown = display_path(file)
    if suffix in JSONL_SUFFIXES:
        yield from load_jsonl(file, shown)
    elif suffix in TEXT_SUFFIXES:
        doc_id = file.relative_to(root).with_suffix("").as_posix()
        yield from load_text_file(file, shown, doc_id)
    else:
        yield SkippedFile(shown)


def load_text_file(file: Path, shown: str, doc_id: str) -> Iterator[Document | InputProblem]:
    """Load one ``.txt``/``.md`` file: raw bytes kept, front matter and header fields read."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        yield InputProblem(shown, 1, "unreadable_file",
                           f"cannot read file: {exc.strerror} — check its permissions")
        return
    if b"\x00" in raw[:BINARY_SNIFF_BYTES] and not _is_utf16(raw):
        yield InputProblem(shown, 1, "binary_file",
                           "not a text file (NUL bytes) — remove it from the corpus or convert it")
        return
    text = raw.decode("utf-8", errors="replace")
    doc = Document(id=doc_id, text=text, path=shown, raw=raw)
    problem = read_text_metadata(doc)
    if problem is not None:
        yield problem
    yield doc


def _is_utf16(raw: bytes) -> bool:
    return raw[:2] in (b"\xff\xfe", b"\xfe\xff")


# --- metadata in the text: front matter and header ---------------------------------

_FRONT_MATTER_RE = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.S)
_KEY_ALT = "|".join(KNOWN_KEYS)
# A header line on its own: "date: 2023-12-28", "source Voice of America", "Title: …".
_HEADER_LINE_RE = re.compile(
    rf"[ \t]*(?:(?P<key>{_KEY_ALT})[ \t]*:?|(?P<ckey>(?i:{_KEY_ALT}))[ \t]*:)[ \t]+"
    r"(?P<value>[^\r\n]*?)[ \t]*(?:\r?\n|\Z)"
)
# A header glued to the first sentence: " date 2023-12-28 U.S. and …". Only values of
# an unmistakable shape can be cut off the sentence that follows them.
_GLUED_VALUE = {
    "date": r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
    "url": r"https?://\S+",
    "story": r"\S+",
    "version": r"\S+",
}
_GLUED_RE = re.compile(
    r"[ \t]*(?P<key>" + "|".join(_GLUED_VALUE) + r")[ \t]*:?[ \t]+(?P<value>"
    + "|".join(f"(?<=[ \t:])(?:{v})" for v in _GLUED_VALUE.values())
    + r")(?=[ \t]+\S)[ \t]+"
)


def read_text_metadata(doc: Document) -> InputProblem | None:
    """Fill ``doc.fields`` from YAML front matter, else from a leading header block.

    Sets ``doc.body_start`` past what was read. Returns a problem when front matter
    exists but is not valid YAML (the document is still loaded, with no fields).
    """
    text = doc.text
    match = _FRONT_MATTER_RE.match(text)
    if match:
        doc.body_start = match.end()
        return _read_front_matter(doc, match.group(1) or "", match.start(1) if match.group(1) else 0)
    _read_header(doc)
    return None


def body_start_of(text: str) -> int:
    """Where the body of ``text`` starts, past front matter or a leading header block."""
    doc = Document(id="", text=text, path="")
    read_text_metadata(doc)
    return doc.body_start


def _read_front_matter(doc: Document, block: str, offset: int) -> InputProblem | None:
    try:
        node = yaml.compose(block, Loader=yaml.SafeLoader)
        # BaseLoader keeps every scalar as written: "2023-02-30" stays a string for the
        # date expectation to report, instead of SafeLoader raising on an impossible date.
        data = yaml.load(block, Loader=yaml.BaseLoader)  # noqa: S506 (no object construction)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 2 + (mark.line if mark else 0)
        return InputProblem(doc.path, line, "invalid_front_matter",
                            f"front matter is not valid YAML ({getattr(exc, 'problem', exc)}) — "
                            "fix the --- block", document=doc.id)
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return InputProblem(doc.path, 2, "invalid_front_matter",
                            "front matter is not a mapping of key: value — fix the --- block",
                            document=doc.id)
    for key_node, value_node in node.value:
        key = str(key_node.value).strip().lower()
        value = data.get(key_node.value)
        if value is None or isinstance(value, dict | list):
            if isinstance(value, list):
                doc.fields[key] = Field(", ".join(str(v) for v in value), "front_matter", None)
            continue
        start = offset + value_node.start_mark.index
        end = offset + value_node.end_mark.index
        doc.fields[key] = Field(str(value), "front_matter", (start, end))
    return None


def _read_header(doc: Document) -> None:
    text = doc.text
    pos = 1 if text.startswith("\ufeff") else 0
    while pos < len(text):
        line = _HEADER_LINE_RE.match(text, pos)
        glued = _GLUED_RE.match(text, pos)
        if glued and (line is None or glued.end() < line.end()):
            # The value is followed by more text on the same line: a glued header.
            key = glued.group("key")
            doc.fields.setdefault(key, Field(glued.group("value"), "header", glued.span("value")))
            pos = glued.end()
            break  # the body starts right after a glued value
        if line is None or not line.group("value"):
            break
        key = (line.group("key") or line.group("ckey")).lower()
        if key == "license":
            key = "licence"
        doc.fields.setdefault(key, Field(line.group("value"), "header", line.span("value")))
        pos = line.end()
    doc.body_start = pos


# --- JSONL -------------------------------------------------------------------------


def load_jsonl(file: Path, shown: str) -> Iterator[Document | InputProblem]:
    """One document per JSON object line: ``id``, ``text``, metadata top-level or under ``metadata``."""
    try:
        handle = file.open("rb")
    except OSError as exc:
        yield InputProblem(shown, 1, "unreadable_file",
                           f"cannot read file: {exc.strerror} — check its permissions")
        return
    with handle:
        for number, line_bytes in enumerate(handle, start=1):
            if not line_bytes.strip():
                continue
            yield from jsonl_record(line_bytes, shown, number)


def jsonl_record(line_bytes: bytes, shown: str, number: int) -> Iterator[Document | InputProblem]:
    try:
        line = line_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        yield InputProblem(shown, number, "invalid_utf8",
                           f"invalid UTF-8 at byte {exc.start} of this line — re-encode the file "
                           "as UTF-8; the record was read with U+FFFD in place of the bad bytes")
        line = line_bytes.decode("utf-8", errors="replace")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        yield InputProblem(shown, number, "invalid_json",
                           f"invalid JSON at column {exc.colno}: {exc.msg} — fix or remove this line")
        return
    if not isinstance(record, dict):
        yield InputProblem(shown, number, "invalid_json",
                           "a JSONL line must be an object with 'id' and 'text' — fix this line")
        return
    text = record.get("text")
    doc_id = str(record["id"]) if record.get("id") not in (None, "") else f"{shown}#{number}"
    if not isinstance(text, str):
        yield InputProblem(shown, number, "missing_text",
                           "record has no string 'text' field — add the text or remove the line",
                           document=doc_id)
        return
    doc = Document(id=doc_id, text=text, path=shown, raw=None, line=number)
    metadata = record.get("metadata")
    items = list(metadata.items()) if isinstance(metadata, dict) else []
    items += [(k, v) for k, v in record.items() if k not in ("id", "text", "metadata")]
    for key, value in items:
        if value is None:
            continue
        shown_value = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        doc.fields.setdefault(key.lower(), Field(shown_value, "field", None))
    yield doc
