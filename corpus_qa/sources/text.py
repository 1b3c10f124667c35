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

import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from corpus_qa.documents import Document, Field
from corpus_qa.outputs import REPORT_MARKER
from corpus_qa.paths import printable
from corpus_qa.sources.base import FieldMap, InputProblem, SkippedFile, SourceCount

KNOWN_KEYS = (
    "date", "source", "attribution", "author", "title", "url",
    "licence", "license", "story", "version",
)
"""Header keys recognised in a leading ``key value`` / ``key: value`` block."""

BINARY_SNIFF_BYTES = 8192


class TextSource:
    """Reads one ``.txt`` / ``.md`` file as one document."""

    format = "text"

    def read(self, file: Path, shown: str, root: Path, fields: FieldMap,
             count: SourceCount) -> Iterator[Document | InputProblem | SkippedFile]:
        doc_id = printable(file.relative_to(root).with_suffix("").as_posix())
        for item in load_text_file(file, shown, doc_id):
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


def load_text_file(file: Path, shown: str,
                   doc_id: str) -> Iterator[Document | InputProblem | SkippedFile]:
    """Load one ``.txt``/``.md`` file: raw bytes kept, front matter and header fields read.

    A Markdown summary corpus-qa wrote (it ends with its marker line) is skipped: a
    report is not corpus content. A UTF-16 file is reported, not read as UTF-8.
    """
    try:
        raw = file.read_bytes()
    except OSError as exc:
        yield InputProblem(shown, 1, "unreadable_file",
                           f"cannot read file: {exc.strerror} — check its permissions")
        return
    if raw.rstrip().endswith(_REPORT_MARKER):
        yield SkippedFile(shown)
        return
    utf16 = utf16_kind(raw)
    if utf16:
        yield InputProblem(shown, 1, "utf16_file",
                           f"the file is encoded as {utf16}, not UTF-8: not read — re-encode "
                           "it as UTF-8 (iconv -f UTF-16 -t UTF-8)")
        return
    if b"\x00" in raw[:BINARY_SNIFF_BYTES]:
        yield InputProblem(shown, 1, "binary_file",
                           "not a text file (NUL bytes) — "
                           "remove it from the corpus or convert it")
        return
    text = raw.decode("utf-8", errors="replace")
    doc = Document(id=doc_id, text=text, path=shown, raw=raw)
    problem = read_text_metadata(doc)
    if problem is not None:
        yield problem
    yield doc


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
        block = match.group(1)
        return _read_front_matter(doc, block or "", match.start(1) if block else 0)
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
                            "fix the --- block", document=doc.id, loaded=True)
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return InputProblem(doc.path, 2, "invalid_front_matter",
                            "front matter is not a mapping of key: value — fix the --- block",
                            document=doc.id, loaded=True)
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
