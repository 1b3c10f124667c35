"""Text trees: ``.txt`` and ``.md`` files, one document each.

The whole file is one document: its bytes are kept (so invalid UTF-8 can be reported
by byte offset), metadata is read from YAML front matter (a ``---`` block) or else
from a leading block of ``key value`` / ``key: value`` header lines, including a header
glued to the first sentence (`` date 2023-12-28 U.S. and …``). A UTF-16 file (with or
without a byte-order mark) is reported as such, and any other file with NUL bytes in
its first 8 KiB as binary; neither is read.
The document id is the path relative to the corpus root without its suffix.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from corpus_qa.documents import Document, Field
from corpus_qa.outputs import REPORT_MARKER
from corpus_qa.paths import document_id, relative_name
from corpus_qa.sources.base import (
    DEFAULT_MAX_DOCUMENT_BYTES,
    FieldMap,
    InputProblem,
    SkippedFile,
    SourceCount,
    too_large,
)

KNOWN_KEYS = (
    "date", "source", "attribution", "author", "title", "url",
    "licence", "license", "story", "version",
)
"""Header keys recognised in a leading ``key value`` / ``key: value`` block."""

BINARY_SNIFF_BYTES = 8192


class TextSource:
    """Reads one ``.txt`` / ``.md`` file as one document."""

    format = "text"

    def read(self, file: Path | str, shown: str, root: Path | str, fields: FieldMap,
             count: SourceCount) -> Iterator[Document | InputProblem | SkippedFile]:
        doc_id = document_id(relative_name(file, root))
        for item in load_text_file(file, shown, doc_id, fields.max_document_bytes):
            if isinstance(item, SkippedFile):
                yield item
                continue
            count.records = 1
            if isinstance(item, Document):
                count.documents += 1
            else:
                count.problems += 1
            yield item


def source(compression: str | None = None) -> TextSource:
    """The text source (``compression`` is always ``None`` for text files)."""
    return TextSource()


def load_text_file(file: Path | str, shown: str, doc_id: str,
                   max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
                   ) -> Iterator[Document | InputProblem | SkippedFile]:
    """Load one ``.txt``/``.md`` file: raw bytes kept, front matter and header fields read.

    A file over ``max_bytes`` is not read: it is a ``document_too_large`` problem. A
    Markdown summary corpus-qa wrote (it ends with its marker line) is skipped: a report
    is not corpus content. A UTF-16 file is reported, not read as UTF-8.
    """
    try:
        raw, size = _read_upto(file, max_bytes)
    except OSError as exc:
        yield InputProblem(shown, 1, "unreadable_file",
                           f"cannot read file: {exc.strerror} — check its permissions")
        return
    if len(raw) > max_bytes:
        yield too_large(shown, 1, max(size, len(raw)), max_bytes, "the file", document=doc_id)
        return
    if _REPORT_MARKER in raw and raw.rstrip().endswith(_REPORT_MARKER):
        yield SkippedFile(shown)
        return
    nul = raw.find(b"\x00", 0, BINARY_SNIFF_BYTES)
    if nul >= 0 or raw[:2] in _UTF16_BOMS:  # else neither UTF-16 nor binary (most files)
        utf16 = utf16_kind(raw)
        if utf16:
            yield InputProblem(shown, 1, "utf16_file",
                               f"the file is encoded as {utf16}, not UTF-8: not read — "
                               "re-encode it as UTF-8 (iconv -f UTF-16 -t UTF-8)")
            return
        if nul >= 0:
            yield InputProblem(shown, 1, "binary_file",
                               "not a text file (NUL bytes) — "
                               "remove it from the corpus or convert it")
            return
    text = raw.decode("utf-8", errors="replace")
    doc = Document(id=doc_id, text=text, path=shown, raw=raw)
    yield from read_text_metadata(doc)
    yield doc


_READ_ON = 1 << 16
"""Bytes asked of each read after the first (which asks for the file's size)."""
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def _read_upto(file: Path | str, max_bytes: int) -> tuple[bytes, int]:
    """The file's bytes, at most ``max_bytes + 1`` of them (one more than the limit: the
    file is too large), and its size (``fstat``: again after reading, when too large).

    Read with the file's size as the read's length (a read of ``max_bytes + 1`` would
    first allocate that much: 10 MB per news article) and through the file descriptor,
    not a buffered file object (whose set-up cost as much as the read). A file that grew
    since its size was taken is read on, up to the limit.
    """
    fd = os.open(file, _OPEN_FLAGS)
    try:
        size = os.fstat(fd).st_size
        want = min(size, max_bytes) + 1
        raw = os.read(fd, want)
        if raw:  # on to the end of the file (a read may return less than asked)
            parts, got = [raw], len(raw)
            while got <= max_bytes:
                part = os.read(fd, min(max_bytes + 1 - got, _READ_ON))
                if not part:
                    break
                parts.append(part)
                got += len(part)
            if len(parts) > 1:
                raw = b"".join(parts)
        if len(raw) > max_bytes:
            size = os.fstat(fd).st_size
        return raw, size
    finally:
        os.close(fd)


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_REPORT_MARKER = REPORT_MARKER.encode("utf-8")
_UTF16_BOMS = {b"\xff\xfe": "UTF-16 little-endian (with a byte-order mark)",
               b"\xfe\xff": "UTF-16 big-endian (with a byte-order mark)"}


def utf16_kind(raw: bytes) -> str | None:
    """Which UTF-16 ``raw`` is written in, or ``None``: by its byte-order mark, else by
    NUL bytes on one side of most 2-byte units (text in the Latin range) that decode.

    >>> utf16_kind("Hi".encode("utf-16"))
    'UTF-16 little-endian (with a byte-order mark)'
    >>> utf16_kind("Hello".encode("utf-16-be"))
    'UTF-16 big-endian (without a byte-order mark)'
    >>> utf16_kind(b"plain ascii"), utf16_kind(b"\\x00\\x01binary\\x00\\xff")
    (None, None)
    """
    if raw[:2] in _UTF16_BOMS and raw[:4] != b"\xff\xfe\x00\x00":  # not UTF-32
        return _UTF16_BOMS[raw[:2]]
    if raw.find(b"\x00", 0, BINARY_SNIFF_BYTES) < 0:  # no NUL byte: not UTF-16 (most files)
        return None
    sample = raw[:BINARY_SNIFF_BYTES - BINARY_SNIFF_BYTES % 2]
    sample = sample[:len(sample) - len(sample) % 2]
    units = len(sample) // 2
    if units < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    for nul_side, other, codec, name in ((odd, even, "utf-16-le", "little"),
                                         (even, odd, "utf-16-be", "big")):
        if nul_side >= 0.5 * units and other <= 0.02 * units:
            try:
                text = sample.decode(codec)
            except UnicodeDecodeError:
                return None
            if _CONTROL.search(text):  # binary data with NUL bytes, not text
                return None
            return f"UTF-16 {name}-endian (without a byte-order mark)"
    return None


# --- metadata in the text: front matter and header ---------------------------------

_FRONT_MATTER_RE = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.S)
_KEY_ALT = "|".join(KNOWN_KEYS)
# A header line on its own: "date: 2023-12-28", "source Voice of America", "Title: …".
_HEADER_LINE_RE = re.compile(
    rf"[ \t]*(?:(?P<key>{_KEY_ALT})[ \t]*:?|(?P<ckey>(?i:{_KEY_ALT}))[ \t]*:)[ \t]+"
    # The value runs to the line's last character other than a space or tab: written
    # greedily, it is one scan of the line (a lazy ``[^\r\n]*?`` tried the end of the
    # line after every character, and a news article's first line can be its whole text).
    r"(?P<value>(?:[^\r\n]*[^\r\n \t])?)[ \t]*(?:\r?\n|\Z)"
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


FRONT_MATTER_MAX_CHARS = 65_536
"""Front matter longer than this is not parsed (an ``input`` finding): metadata is a few
short values, and PyYAML is pure Python, so a huge block would cost seconds."""
FRONT_MATTER_MAX_NODES = 2_000
"""Keys, values and list items a front matter block may hold (``front_matter_too_large``)."""
FRONT_MATTER_MAX_DEPTH = 20
"""How deeply lists and mappings may nest in front matter (``front_matter_too_large``)."""

_YAML_NULL = re.compile(r"~|null|Null|NULL|")  # YAML 1.1's plain null forms (PyYAML's)


def read_text_metadata(doc: Document) -> list[InputProblem]:
    """Fill ``doc.fields`` from YAML front matter, else from a leading header block.

    Sets ``doc.body_start`` past what was read. Returns the problems of the front matter
    (not valid YAML, too large, an alias, a duplicated key); the document is still
    loaded, with the fields that could be read.
    """
    text = doc.text
    match = _FRONT_MATTER_RE.match(text)
    if match:
        doc.body_start = match.end()
        block = match.group(1)
        return _read_front_matter(doc, block or "", match.start(1) if block else 0)
    _read_header(doc)
    return []


def body_start_of(text: str) -> int:
    """Where the body of ``text`` starts, past front matter or a leading header block."""
    doc = Document(id="", text=text, path="")
    read_text_metadata(doc)
    return doc.body_start


def _read_front_matter(doc: Document, block: str, offset: int) -> list[InputProblem]:
    def problem(line: int, reason: str, message: str) -> list[InputProblem]:
        return [InputProblem(doc.path, line, reason, message, document=doc.id, loaded=True)]

    if len(block) > FRONT_MATTER_MAX_CHARS:
        return problem(2, "front_matter_too_large",
                       f"front matter is {len(block):,} characters, over the limit of "
                       f"{FRONT_MATTER_MAX_CHARS:,} — keep only short metadata values in the "
                       "--- block; the document was checked without them")
    try:
        # Walk the events first: nothing is built, so an alias bomb, a flood of keys or a
        # deep nest is refused before PyYAML composes (and recurses into) any of it.
        bounds = _front_matter_bounds(block)
        if bounds is not None:
            line, reason, message = bounds
            return problem(line, reason, message)
        # BaseLoader keeps every scalar as written: "2023-02-30" stays a string for the
        # date expectation to report, instead of SafeLoader raising on an impossible date.
        node = yaml.compose(block, Loader=yaml.BaseLoader)  # noqa: S506 (no object construction)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 2 + (mark.line if mark else 0)
        return problem(line, "invalid_front_matter",
                       f"front matter is not valid YAML ({getattr(exc, 'problem', exc)}) — "
                       "fix the --- block")
    if node is None:
        return []
    if not isinstance(node, yaml.MappingNode):
        return problem(2, "invalid_front_matter",
                       "front matter is not a mapping of key: value — fix the --- block")
    problems: list[InputProblem] = []
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        line = 2 + key_node.start_mark.line
        if not isinstance(key_node, yaml.ScalarNode):
            problems += problem(line, "invalid_front_matter",
                                "a front matter key must be a plain word — fix the --- block")
            continue
        key = str(key_node.value).strip().lower()
        if key in first_line:
            problems += problem(line, "duplicate_front_matter_key",
                                f"front matter key '{key}' appears twice (first at line "
                                f"{first_line[key]}); the first value is used — keep one")
            continue
        first_line[key] = line
        value = _front_matter_value(value_node)
        if value is None:
            continue
        if isinstance(value_node, yaml.ScalarNode):
            span = (offset + value_node.start_mark.index, offset + value_node.end_mark.index)
            doc.fields[key] = Field(value, "front_matter", span)
        else:
            doc.fields[key] = Field(value, "front_matter", None)
    return problems


def _front_matter_bounds(block: str) -> tuple[int, str, str] | None:
    """The first limit ``block`` breaks (an alias, too many nodes, nesting too deep)."""
    nodes = depth = 0
    for event in yaml.parse(block, Loader=yaml.BaseLoader):
        line = 2 + event.start_mark.line
        if isinstance(event, yaml.AliasEvent):
            return (line, "front_matter_alias",
                    f"front matter uses the YAML alias *{event.anchor}, which is not expanded "
                    "(aliases can multiply a few lines into gigabytes) — write the value out")
        if isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
            nodes += 1
            if nodes > FRONT_MATTER_MAX_NODES:
                return (line, "front_matter_too_large",
                        f"front matter has more than {FRONT_MATTER_MAX_NODES:,} keys and "
                        "values — keep only short metadata in the --- block; the document "
                        "was checked without it")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > FRONT_MATTER_MAX_DEPTH:
                return (line, "front_matter_too_large",
                        f"front matter nests more than {FRONT_MATTER_MAX_DEPTH} levels deep — "
                        "flatten it; the document was checked without it")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def _front_matter_value(node: yaml.Node) -> str | None:
    """A front matter value as a string: a list joined by commas; ``None`` when the value
    states nothing (YAML null — ``null``, ``~`` or nothing — an empty string, a mapping)."""
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and _YAML_NULL.fullmatch(node.value):
            return None
        return node.value if node.value.strip() else None
    if isinstance(node, yaml.SequenceNode):
        items = [v for v in map(_front_matter_value, node.value) if v is not None]
        return ", ".join(items) if items else None
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
