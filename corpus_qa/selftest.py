"""``corpus-qa selftest``: how well a suite catches each defect family on your own corpus.

The corpus is copied into a temporary directory (your files are only read). The
suite runs once on the untouched copies: the *baseline*. Then, round after round,
one defect of one family is injected into a copy of one document (or of one version
of a story; see :mod:`corpus_qa.mutations`) and the suite runs again. Per family:

- **found**: the family's expectation reported the expected reason for the mutated
  document, at the injected span (or naming the dropped field, for a missing field);
  a changed figure may be reported on another version, pointing (``related``) at it;
- **false alarms**: in each round, every document that was not mutated is an
  untouched copy; it raises a false alarm when it gets a finding the baseline did not
  have (same document, expectation, reason, key and span) — except a cross-version
  finding whose other end is the mutated document (that is the injected defect seen
  from the other version). Findings the corpus already has, like a missing source,
  are in the baseline and never count.

Shards of records (compressed JSON Lines, Parquet) are copied as plain JSON Lines, one
record per line at the same line (or row) number, with the text, id and metadata under
the default field names (``text``, ``id``, ``metadata``), so a record is rewritten in
place; findings still name the user's shard (``part-0.parquet#row12``). A damaged shard
contributes the records before the damage, and the result says so in its notes.

Defects that need versions (figure changes, stripped diacritics) go into one version
of a story in place when the story allows it (a figure or an accented name that
another version states too); otherwise a mutated copy of a version is added to the
story as a new version — as when the seeds' ASCII-folded 000 leaves no accented
word in two versions to strip.

A large corpus is sampled: at most ``max_stories`` stories (half of them with
several versions when there are some), and rounds mutate at most one document per
story, so most corpora need only a few rounds per family and copy.
"""

from __future__ import annotations

import dataclasses
import json
import random
import shutil
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus_qa.documents import Document, Field
from corpus_qa.metadata import Phrases, parse_date, resolve
from corpus_qa.mutations import (
    FAMILIES,
    InjectedDefect,
    drop_metadata,
    impossible_date,
    mutate_document,
    mutate_story,
)
from corpus_qa.paths import display_path, missing_path
from corpus_qa.results import EXIT_FAILED, EXIT_INTERNAL, EXIT_PASSED, Finding, RunResult
from corpus_qa.sources import DEFAULT_FIELDS, CorpusPathError, FieldMap
from corpus_qa.sources.records import MISSING, lookup, metadata_items, plain
from corpus_qa.sources.registry import JSONL_SUFFIXES, Format, format_of
from corpus_qa.suite import Suite

DEFAULT_COPIES = 3
"""Mutated copies per document (or story) and family, each with its own random draw."""
DEFAULT_MAX_STORIES = 20
"""Stories sampled from a larger corpus (each round validates only their documents)."""
DEFAULT_REQUIRED = ("date", "source", "attribution")
"""Fields dropped when the suite has no expect_document_to_have_metadata (its default)."""
DETERMINISTIC = frozenset({"dropped_metadata"})
"""Families whose mutation does not depend on the random draw: one copy is enough."""
ADDED_VERSION_SUFFIX = ".selftest-copy"
"""Appended to the id of a version added to a story by a story-level injection."""


# --- results ------------------------------------------------------------------------------


@dataclass
class Injection:
    """One injected defect, where it went and whether the suite found it."""

    family: str
    document: str
    copy: int
    defect: InjectedDefect
    round: int = 0
    added_version: bool = False
    found: bool = False
    finding: str | None = None
    reported: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        d = self.defect
        return {
            "family": self.family, "document": self.document, "copy": self.copy,
            "round": self.round, "added_version": self.added_version,
            "expectation": d.expected_expectation, "reason": d.expected_reason,
            "span": list(d.span), "key": d.key, "detail": d.detail, "found": self.found,
            "finding": self.finding, "reported": self.reported,
        }


@dataclass(frozen=True)
class FalseAlarm:
    """A new finding on an untouched document in a round that mutated another one."""

    round: int
    family: str
    mutated: str
    document: str
    expectation: str
    reason: str
    message: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"round": self.round, "family": self.family, "mutated": self.mutated,
                "document": self.document, "expectation": self.expectation,
                "reason": self.reason, "message": self.message}


@dataclass
class Row:
    """One line of the table: an expectation, the family it must find, and the counts."""

    expectation: str
    family: str | None
    in_suite: bool
    injected: int = 0
    found: int = 0
    not_applicable: int = 0
    untouched: int = 0
    false_alarms: int = 0

    @property
    def found_fraction(self) -> float | None:
        """Found / injected, or None when nothing could be injected."""
        return self.found / self.injected if self.injected else None

    @property
    def false_alarm_fraction(self) -> float | None:
        """Untouched documents with a new finding of this expectation / untouched documents."""
        return self.false_alarms / self.untouched if self.untouched else None

    @property
    def passed(self) -> bool:
        """Every injected defect found, and no false alarm."""
        return self.found == self.injected and self.false_alarms == 0

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "expectation": self.expectation, "family": self.family, "in_suite": self.in_suite,
            "injected": self.injected, "found": self.found,
            "found_fraction": self.found_fraction, "not_applicable": self.not_applicable,
            "untouched": self.untouched, "false_alarms": self.false_alarms,
            "false_alarm_fraction": self.false_alarm_fraction, "passed": self.passed,
        }


@dataclass
class SelftestResult:
    """The mutation score of a suite on a corpus."""

    suite: str
    corpus: list[str]
    seed: int
    copies: int
    documents: int
    stories: int
    sampled_documents: int
    rows: list[Row]
    injections: list[Injection]
    false_alarms: list[FalseAlarm]
    rounds: int
    errors: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    notes: list[str] = field(default_factory=list)
    """What of the corpus the selftest could not use (a damaged shard), one line each."""

    @property
    def success(self) -> bool:
        """Every family found every time, no false alarm, no internal error."""
        return not self.errors and all(r.passed for r in self.rows)

    def exit_code(self) -> int:
        """0 every family found 100% with no false alarm, 1 otherwise, 3 a check raised."""
        if self.errors:
            return EXIT_INTERNAL
        return EXIT_PASSED if self.success else EXIT_FAILED

    def to_json(self) -> dict[str, Any]:
        """The whole result as a JSON-ready dict (deterministic but for ``duration_s``)."""
        return {
            "schema_version": 1, "success": self.success, "suite": self.suite,
            "corpus": self.corpus, "seed": self.seed, "copies": self.copies,
            "statistics": {"documents": self.documents, "stories": self.stories,
                           "sampled_documents": self.sampled_documents,
                           "rounds": self.rounds, "injections": len(self.injections),
                           "false_alarms": len(self.false_alarms)},
            "rows": [r.to_json() for r in self.rows],
            "injections": [i.to_json() for i in self.injections],
            "false_alarms": [f.to_json() for f in self.false_alarms],
            "errors": self.errors,
            "notes": self.notes,
            "duration_s": round(self.duration_s, 3),
        }


# --- the working copy -----------------------------------------------------------------------


@dataclass
class _Doc:
    """A document of the working copy, as the runner names it and as the user does."""

    id: str
    user_id: str
    file: Path
    line: int | None  # JSONL line (1-based), None for a .txt/.md file
    story: str


class _WorkingCopy:
    """The corpus copied into a temporary directory; documents are read and written here.

    Text files are copied as they are; every file of records becomes plain JSON Lines
    with the default field names (see the module's docstring).
    """

    def __init__(self, paths: list[str], root: Path, fields: FieldMap = DEFAULT_FIELDS) -> None:
        self.corpus: list[str] = []
        self.user_path: dict[str, str] = {}  # display path in the copy -> the user's
        self.row_files: set[str] = set()  # copies of Parquet files (ids path#rowN)
        self.fields = fields
        self.notes: list[str] = []
        for index, given in enumerate(paths):
            source = Path(given)
            if not source.exists():
                raise CorpusPathError(missing_path(given))
            target = root / f"c{index}"
            if source.is_file():
                target.mkdir(parents=True)
                copy = self._copy(source, target / source.name, given=True)
                self.corpus.append(str(copy))
            else:
                for file in sorted(p for p in source.rglob("*") if p.is_file()):
                    relative = file.relative_to(source)
                    if not any(part.startswith(".") for part in relative.parts):
                        self._copy(file, target / relative)
                target.mkdir(parents=True, exist_ok=True)
                self.corpus.append(str(target))
        self.saved: dict[Path, bytes] = {}
        self.added: list[Path] = []

    def _copy(self, source: Path, target: Path, *, given: bool = False) -> Path | None:
        """Copy one file; return the copy (``None`` when the sources would skip it)."""
        fmt = format_of(source.name)
        if fmt is None and not given:
            return None  # the sources skip it in a directory; validating needs nothing else
        target.parent.mkdir(parents=True, exist_ok=True)
        if fmt is None or fmt.kind == "text":
            shutil.copyfile(source, target)
        else:
            if fmt != Format("jsonl") or self.fields != DEFAULT_FIELDS:
                target = target.with_name(target.name + ".jsonl")
            with target.open("wb") as out:
                for line in self._record_lines(source, fmt):
                    out.write(line)
            if fmt.kind == "parquet":
                self.row_files.add(display_path(target))
        self.user_path[display_path(target)] = display_path(source)
        return target

    def _record_lines(self, source: Path, fmt: Format) -> Iterator[bytes]:
        """The lines of the plain JSON Lines copy of a file of records."""
        shown = display_path(source)
        if fmt.kind == "parquet":
            yield from self._parquet_lines(source, shown)
            return
        from corpus_qa.sources.jsonl import STREAM_ERRORS, open_stream

        number = 0
        with source.open("rb") as raw:
            if not raw.peek(1):
                return  # an empty shard
            try:
                for number, line in enumerate(open_stream(raw, fmt.compression), start=1):  # noqa: B007
                    yield self._normalized_line(line)
            except STREAM_ERRORS as exc:
                self.notes.append(
                    f"{shown}: the {fmt.compression or 'file'} stream breaks after line "
                    f"{number} ({str(exc).strip() or type(exc).__name__}); the selftest uses "
                    "the records before it — corpus-qa validate reports the damage")

    def _parquet_lines(self, source: Path, shown: str) -> Iterator[bytes]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        from corpus_qa.sources.parquet import row_batches, text_column_problem

        row = 0
        try:
            parquet = pq.ParquetFile(source)
            problem = text_column_problem(parquet.schema_arrow, self.fields, shown)
            if problem is not None:
                self.notes.append(f"{shown}: {problem.message}; the selftest leaves it out")
                return
            for batch in row_batches(parquet):
                for record in batch.to_pylist():
                    row += 1
                    yield _jsonl_line(_normalized(record, self.fields))
        except (OSError, pa.ArrowException) as exc:
            self.notes.append(f"{shown}: cannot be read past row {row} "
                              f"({str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r})"
                              "; the selftest uses the rows before it — corpus-qa validate "
                              "reports the damage")

    def _normalized_line(self, line: bytes) -> bytes:
        """A JSON Lines line with the default field names; a line that is not a readable
        object stays as it is (the run reports it, in the baseline and in every round)."""
        if self.fields == DEFAULT_FIELDS or not line.strip():
            return line
        try:
            record = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return line
        if not isinstance(record, dict):
            return line
        return _jsonl_line(_normalized(record, self.fields))

    def user_id(self, doc_id: str) -> str:
        """The id the user's own corpus gives a document (record ids may name the file)."""
        path, hash_, line = doc_id.rpartition("#")
        if hash_ and path in self.user_path:
            return f"{self.user_path[path]}#{'row' if path in self.row_files else ''}{line}"
        return doc_id

    # -- reading and writing documents --

    def _lines(self, file: Path) -> list[bytes]:
        """The file's lines as the JSONL loader numbers them (split at ``\\n`` only)."""
        parts = file.read_bytes().split(b"\n")
        return [p + b"\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])

    def record(self, doc: _Doc) -> dict[str, Any]:
        """The JSON record of a JSONL document."""
        assert doc.line is not None
        return json.loads(self._lines(doc.file)[doc.line - 1].decode("utf-8", errors="replace"))

    def text(self, doc: _Doc) -> str:
        """The document's text as the loader decodes it."""
        if doc.line is None:
            return doc.file.read_bytes().decode("utf-8", errors="replace")
        return str(self.record(doc).get("text", ""))

    def _save(self, file: Path) -> None:
        if file not in self.saved and file not in self.added:
            self.saved[file] = file.read_bytes()

    def write(self, doc: _Doc, content: str | bytes | dict[str, Any]) -> None:
        """Replace a document: text or bytes for a file, a record for a JSONL line."""
        self._save(doc.file)
        if doc.line is None:
            doc.file.write_bytes(content if isinstance(content, bytes) else
                                 str(content).encode("utf-8"))
            return
        lines = self._lines(doc.file)
        lines[doc.line - 1] = _jsonl_line(content)
        doc.file.write_bytes(b"".join(lines))

    def add_version(self, of: _Doc, text: str) -> str:
        """Add a copy of ``of`` holding ``text`` as a new document; return its id."""
        if of.line is None:
            new = of.file.with_name(of.file.stem + ADDED_VERSION_SUFFIX + of.file.suffix)
            new.write_bytes(text.encode("utf-8"))
            self.added.append(new)
            return of.id + ADDED_VERSION_SUFFIX
        record = self.record(of)
        record["text"] = text
        self._save(of.file)
        lines = self._lines(of.file)
        if lines and not lines[-1].endswith(b"\n"):
            lines[-1] += b"\n"
        if record.get("id") not in (None, ""):
            record["id"] = f"{record['id']}{ADDED_VERSION_SUFFIX}"
            new_id = record["id"]
        else:
            new_id = f"{display_path(of.file)}#{len(lines) + 1}"
        lines.append(_jsonl_line(record))
        of.file.write_bytes(b"".join(lines))
        return new_id

    def restore(self) -> None:
        """Undo every write and addition since the last restore."""
        for file, data in self.saved.items():
            file.write_bytes(data)
        for file in self.added:
            file.unlink()
        self.saved.clear()
        self.added.clear()

    def keep_only(self, docs: list[_Doc]) -> None:
        """Drop every other document (JSONL lines are blanked, so line numbers stay)."""
        wanted_files = {d.file for d in docs if d.line is None}
        wanted_lines: dict[Path, set[int]] = {}
        for d in docs:
            if d.line is not None:
                wanted_lines.setdefault(d.file, set()).add(d.line)
        for corpus in self.corpus:
            base = Path(corpus).resolve()
            for file in [base] if base.is_file() else sorted(base.rglob("*")):
                if not file.is_file():
                    continue
                if file.suffix.lower() in JSONL_SUFFIXES:
                    keep = wanted_lines.get(file, set())
                    lines = self._lines(file)
                    file.write_bytes(b"".join(
                        line if n in keep else b"\n" for n, line in enumerate(lines, start=1)))
                elif file not in wanted_files:
                    file.unlink()


def _jsonl_line(record: object) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


def _normalized(record: dict[str, Any], fields: FieldMap) -> dict[str, Any]:
    """The record with its id, text and metadata under ``id``, ``text`` and ``metadata``,
    JSON-ready, and read as the same document (:func:`~corpus_qa.sources.records.make_document`).

    >>> _normalized({"body": "Hi.", "key": 7, "meta": {"date": "2024-01-02"}, "lang": "en"},
    ...             FieldMap(text="body", id="key", metadata="meta"))
    {'id': '7', 'text': 'Hi.', 'metadata': {'date': '2024-01-02', 'lang': 'en'}}
    """
    out: dict[str, Any] = {}
    raw_id = lookup(record, fields.id)
    if raw_id is not MISSING and raw_id not in (None, ""):
        out["id"] = plain(raw_id)
    text = lookup(record, fields.text)
    if text is not MISSING:  # a string or not: make_document says which
        out["text"] = _json_ready(text)
    metadata: dict[str, Any] = {}
    for key, value in metadata_items(record, fields):
        if value is not None and str(key).lower() not in {k.lower() for k in metadata}:
            metadata[str(key)] = _json_ready(value)
    out["metadata"] = metadata
    return out


def _json_ready(value: Any) -> Any:
    """A value JSON can hold that :func:`~corpus_qa.sources.records.plain` renders the same."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict | list):
        return json.loads(json.dumps(value, ensure_ascii=False, default=str))
    return plain(value)  # dates (ISO form), bytes …


# --- planning -----------------------------------------------------------------------------


@dataclass
class _Planned:
    """An injection and how to apply it to the working copy."""

    injection: Injection
    story: str
    writes: list[tuple[_Doc, str | bytes | dict[str, Any]]]
    added: tuple[_Doc, str] | None = None  # (version copied, mutated text)


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random("/".join(str(p) for p in (seed, *parts)))


def _field_keys(
    record: dict[str, Any], name: str, phrases: Phrases
) -> list[tuple[dict[str, Any], str]]:
    """(mapping, key) of every record field that resolves to metadata field ``name``."""
    found = []
    meta = record.get("metadata")
    for mapping in (record, meta if isinstance(meta, dict) else {}):
        for key in mapping:
            if key not in ("id", "text", "metadata") and phrases.canonical(key.lower()) == name:
                found.append((mapping, key))
    return found


def _record_document(record: dict[str, Any], text: str) -> Document:
    doc = Document(id="record", text=text, path="<record>")
    meta = record.get("metadata")
    items = list(meta.items()) if isinstance(meta, dict) else []
    items += [(k, v) for k, v in record.items() if k not in ("id", "text", "metadata")]
    for key, value in items:
        if value is not None:
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            doc.fields.setdefault(key.lower(), Field(shown, "field", None))
    return doc


def _spoil_record_date(new: dict[str, Any], mapping: dict[str, Any], key: str, text: str,
                       rng: random.Random, phrases: Phrases) -> InjectedDefect | None:
    """Make the record's date field impossible, in place; None if it then is no date at all."""
    bad = impossible_date(str(mapping[key]), rng)
    if bad is None:
        return None
    mapping[key] = bad
    meta = resolve(_record_document(new, text), phrases)
    if "date" not in meta or parse_date(meta["date"].raw).date is not None:
        return None
    return InjectedDefect("invalid_date", FAMILIES["invalid_date"].expectation, "invalid_date",
                          (0, 0), f"field {key!r} → {bad!r}", span_checked=False)


def _drop_record_field(new: dict[str, Any], keys: list[tuple[dict[str, Any], str]], name: str,
                       rng: random.Random, phrases: Phrases) -> InjectedDefect | None:
    """Remove a field from the record and from its text, in place; None if it survives."""
    for mapping, key in keys:
        del mapping[key]
    dropped = drop_metadata(str(new.get("text", "")), rng, field_name=name, phrases=phrases)
    if dropped is not None:
        new["text"] = dropped[0]
    if name in resolve(_record_document(new, str(new.get("text", ""))), phrases):
        return None
    return InjectedDefect("dropped_metadata", FAMILIES["dropped_metadata"].expectation,
                          "missing_field", (0, 0), f"field '{name}' removed", key=name,
                          span_checked=False)


def _mutate_record(record: dict[str, Any], family: str, rng: random.Random, field_name: str,
                   phrases: Phrases) -> tuple[dict[str, Any], InjectedDefect] | None:
    """Inject into a JSONL record: metadata in its fields if it has them there, else its text."""
    if family == "invalid_bytes":
        return None  # a JSON string holds text, not bytes: bad bytes make the line unreadable
    new = json.loads(json.dumps(record))
    text = str(new.get("text", ""))
    name = "date" if family == "invalid_date" else field_name
    keys = _field_keys(new, name, phrases) if family in ("dropped_metadata", "invalid_date") else []
    if not keys:
        out = mutate_document(family, text, rng, field_name=field_name, phrases=phrases)
        if out is None or isinstance(out[0], bytes):
            return None
        new["text"] = out[0]
        return new, out[1]
    if family == "invalid_date":
        defect = _spoil_record_date(new, *keys[0], text, rng, phrases)
    else:
        defect = _drop_record_field(new, keys, name, rng, phrases)
    return None if defect is None else (new, defect)


class _Planner:
    """Turns (family, document or story, copy) into injections for the working copy."""

    def __init__(self, work: _WorkingCopy, seed: int, phrases: Phrases,
                 required: tuple[str, ...]) -> None:
        self.work, self.seed, self.phrases, self.required = work, seed, phrases, required
        self.not_applicable: Counter[str] = Counter()
        self.errors: list[str] = []

    def _mutate(self, family: str, doc: _Doc, rng: random.Random, name: str) -> Any:
        """The mutation of one document; a crash (reading the mutated text) is an error."""
        try:
            if doc.line is None:
                return mutate_document(family, self.work.text(doc), rng, field_name=name,
                                       phrases=self.phrases)
            return _mutate_record(self.work.record(doc), family, rng, name, self.phrases)
        except Exception:  # a bug in corpus-qa (e.g. the loader), not in the user's corpus
            self.errors.append(f"{family} in {doc.user_id}: reading the mutated document "
                               f"raised\n{traceback.format_exc()}")
            return None

    def document(self, family: str, doc: _Doc, copies: int) -> Iterator[_Planned]:
        fields = self.required if family == "dropped_metadata" else ("",)
        for name in fields:
            for copy in range(1 if family in DETERMINISTIC else copies):
                out = self._mutate(family, doc, _rng(self.seed, family, doc.id, name, copy),
                                   name or "date")
                if out is None:
                    self.not_applicable[family] += 1
                    break
                content, defect = out
                injection = Injection(family, doc.user_id, copy, defect)
                yield _Planned(injection, doc.story, [(doc, content)])

    def story(self, family: str, versions: list[_Doc], copies: int) -> Iterator[_Planned]:
        texts = [self.work.text(d) for d in versions]
        for copy in range(copies):
            rng = _rng(self.seed, family, versions[0].story, copy)
            planned = self._in_place(family, versions, texts, rng, copy)
            planned = planned or self._added(family, versions, texts, rng, copy)
            if planned is None:
                self.not_applicable[family] += 1
                return
            yield planned

    def _in_place(self, family: str, versions: list[_Doc], texts: list[str],
                  rng: random.Random, copy: int) -> _Planned | None:
        if len(versions) < 2:
            return None
        out = mutate_story(family, texts, rng)
        if out is None:
            return None
        mutated, defect = out
        assert defect.version is not None
        doc = versions[defect.version]
        content: Any = mutated[defect.version]
        if doc.line is not None:
            record = self.work.record(doc)
            record["text"] = content
            content = record
        return _Planned(Injection(family, doc.user_id, copy, defect), doc.story, [(doc, content)])

    def _added(self, family: str, versions: list[_Doc], texts: list[str],
               rng: random.Random, copy: int) -> _Planned | None:
        """A mutated copy of one version, added to the story as a new version."""
        order = list(range(len(versions)))
        rng.shuffle(order)
        for index in order:
            out = mutate_story(family, [*texts, texts[index]], rng, target=len(texts))
            if out is not None:
                mutated, defect = out
                doc = versions[index]
                injection = Injection(family, doc.user_id + ADDED_VERSION_SUFFIX, copy, defect,
                                      added_version=True)
                return _Planned(injection, doc.story, [], (doc, mutated[-1]))
        return None


def _rounds(plans: list[_Planned]) -> list[list[_Planned]]:
    """Pack injections into rounds that mutate at most one document per story."""
    rounds: list[list[_Planned]] = []
    stories: list[set[str]] = []
    for plan in plans:
        for batch, used in zip(rounds, stories, strict=True):
            if plan.story not in used:
                batch.append(plan)
                used.add(plan.story)
                break
        else:
            rounds.append([plan])
            stories.append({plan.story})
    return rounds


# --- running ------------------------------------------------------------------------------


def _key(f: Finding) -> tuple[Any, ...]:
    return (f.document, f.expectation, f.reason, f.key, f.span)


def _docs(work: _WorkingCopy, result: RunResult) -> list[_Doc]:
    out = []
    for record in result.documents:
        shown = record["path"]
        file = (Path.cwd() / shown).resolve()  # display paths are relative to the cwd, or absolute
        line = int(record.get("line") or 1) if file.suffix.lower() in JSONL_SUFFIXES else None
        out.append(_Doc(record["id"], work.user_id(record["id"]), file, line,
                        record.get("story") or record["id"]))
    return out


def _sample(docs: list[_Doc], max_stories: int, seed: int) -> list[_Doc]:
    """All documents of at most ``max_stories`` stories, half with several versions if any."""
    stories: dict[str, list[_Doc]] = {}
    for doc in docs:
        stories.setdefault(doc.story, []).append(doc)
    if len(stories) <= max_stories:
        return docs
    rng = _rng(seed, "sample")
    multi = sorted(s for s, d in stories.items() if len(d) > 1)
    single = sorted(s for s, d in stories.items() if len(d) == 1)
    chosen = rng.sample(multi, min(len(multi), max_stories // 2))
    rest = sorted(set(multi) - set(chosen)) + single
    chosen += rng.sample(rest, max_stories - len(chosen))
    keep = set(chosen)
    return [d for d in docs if d.story in keep]


class _Evaluator:
    """Scores each round against the baseline."""

    def __init__(self, baseline: RunResult, docs: list[_Doc], work: _WorkingCopy) -> None:
        self.baseline = {_key(f) for f in baseline.findings}
        self.doc_ids = [d.id for d in docs]
        self.work = work
        self.untouched = 0
        self.false_alarms: list[FalseAlarm] = []
        self.alarmed: Counter[str] = Counter()  # expectation -> untouched docs with a new finding

    def score(self, number: int, batch: list[_Planned], ids: dict[int, str],
              result: RunResult) -> None:
        by_doc: dict[str, list[Finding]] = {}
        for finding in result.findings:
            by_doc.setdefault(finding.document, []).append(finding)
        mutated = set(ids.values())
        for plan in batch:
            injection = plan.injection
            injection.round = number
            expected = injection.defect.expected_expectation
            doc = ids[id(plan)]
            mine = [f for f in by_doc.get(doc, []) if f.expectation == expected]
            # a changed figure is reported on the later version of each pair: maybe another
            pointing = [f for f in result.findings if f.expectation == expected
                        and f.document != doc and f.related and f.related.document == doc]
            match = next((o for f in [*mine, *pointing] for o in f.occurrences()
                          if injection.defect.found_in_versions([o], doc)), None)
            injection.found = match is not None
            injection.finding = self._line(match) if match else None
            injection.reported = [] if match else [self._line(f) for f in mine]
        for doc_id in self.doc_ids:
            if doc_id in mutated:
                continue
            self.untouched += 1
            seen: set[str] = set()
            for f in by_doc.get(doc_id, []):
                if _key(f) in self.baseline or (f.related and f.related.document in mutated):
                    continue
                family = batch[0].injection.family
                self.false_alarms.append(FalseAlarm(
                    number, family, ", ".join(sorted(self.work.user_id(m) for m in mutated)),
                    self.work.user_id(doc_id), f.expectation, f.reason, f.message))
                if f.expectation not in seen:
                    seen.add(f.expectation)
                    self.alarmed[f.expectation] += 1

    def _line(self, f: Finding) -> str:
        return f"{self.work.user_id(f.document)}:{f.line}:{f.column}: {f.expectation} " \
               f"[{f.reason}] {f.message}"


def _required_fields(suite: Suite) -> tuple[str, ...]:
    fields: list[str] = []
    for expectation in suite.instances():
        if expectation.expectation_type == "expect_document_to_have_metadata":
            fields.extend(f for f in expectation.params()["fields"] if f not in fields)
    return tuple(fields) or DEFAULT_REQUIRED


def run_selftest(
    paths: list[str],
    suite: Suite,
    *,
    seed: int = 0,
    copies: int = DEFAULT_COPIES,
    max_stories: int = DEFAULT_MAX_STORIES,
) -> SelftestResult:
    """Inject every defect family into copies of the corpus at ``paths`` and score ``suite``."""
    from corpus_qa.runner import Runner

    if copies < 1:
        raise ValueError(f"copies must be at least 1, got {copies}")
    if max_stories < 1:
        raise ValueError(f"max_stories must be at least 1, got {max_stories}")
    clock = time.perf_counter()
    # The working copy holds records under the default field names (see _WorkingCopy).
    runner = Runner(dataclasses.replace(suite, fields=DEFAULT_FIELDS), workers=1)
    with tempfile.TemporaryDirectory(prefix="corpus-qa-selftest-") as tmp:
        work = _WorkingCopy(paths, Path(tmp), suite.fields)
        full = runner.run(work.corpus)
        all_docs = _docs(work, full)
        docs = _sample(all_docs, max_stories, seed)
        baseline = full
        if len(docs) < len(all_docs):
            work.keep_only(docs)
            baseline = runner.run(work.corpus)
        errors = list(dict.fromkeys(baseline.internal_errors))
        planner = _Planner(work, seed, suite.load_phrases(), _required_fields(suite))
        plans = _plan(planner, docs, copies)
        evaluator = _Evaluator(baseline, docs, work)
        rounds = _run_rounds(runner, work, plans, evaluator, errors)
        errors.extend(planner.errors)
    types = [spec.type for spec in suite.expectations]
    injections = [p.injection for p in plans]
    return SelftestResult(
        suite=suite.name, corpus=[str(p) for p in paths], seed=seed, copies=copies,
        documents=len(all_docs), stories=len({d.story for d in all_docs}),
        sampled_documents=len(docs),
        rows=_table_rows(types, injections, planner.not_applicable, evaluator),
        injections=injections, false_alarms=evaluator.false_alarms, rounds=rounds,
        errors=errors, duration_s=time.perf_counter() - clock, notes=work.notes,
    )


def _run_rounds(runner: Any, work: _WorkingCopy, plans: list[_Planned], evaluator: _Evaluator,
                errors: list[str]) -> int:
    """Validate the copies once per round of injections, family by family; the round count."""
    rounds = 0
    for family in FAMILIES:
        for batch in _rounds([p for p in plans if p.injection.family == family]):
            rounds += 1
            ids = _apply(work, batch)
            try:
                result = runner.run(work.corpus)
            except Exception:  # a bug in corpus-qa: report it, go on with the next round
                errors.append(f"round {rounds} ({family}): validating the mutated copies "
                              f"raised\n{traceback.format_exc()}")
                for plan in batch:
                    plan.injection.round = rounds
                    plan.injection.reported = ["the run raised (see internal errors)"]
                continue
            finally:
                work.restore()
            errors.extend(e for e in result.internal_errors if e not in errors)
            evaluator.score(rounds, batch, ids, result)
    return rounds


def _plan(planner: _Planner, docs: list[_Doc], copies: int) -> list[_Planned]:
    stories: dict[str, list[_Doc]] = {}
    for doc in docs:
        stories.setdefault(doc.story, []).append(doc)
    plans: list[_Planned] = []
    for name, family in FAMILIES.items():
        if family.scope == "document":
            for doc in docs:
                plans.extend(planner.document(name, doc, copies))
        else:
            for versions in stories.values():
                plans.extend(planner.story(name, versions, copies))
    return plans


def _apply(work: _WorkingCopy, batch: list[_Planned]) -> dict[int, str]:
    """Write a round's mutations; map each plan to the id of the document it mutated."""
    ids: dict[int, str] = {}
    for plan in batch:
        for doc, content in plan.writes:
            work.write(doc, content)
            ids[id(plan)] = doc.id
        if plan.added is not None:
            ids[id(plan)] = work.add_version(*plan.added)
            plan.injection.document = work.user_id(ids[id(plan)])
    return ids


def _table_rows(types: list[str], injections: list[Injection], not_applicable: Counter[str],
                evaluator: _Evaluator) -> list[Row]:
    rows = []
    for name, family in FAMILIES.items():
        mine = [i for i in injections if i.family == name]
        rows.append(Row(family.expectation, name, family.expectation in types,
                        injected=len(mine), found=sum(i.found for i in mine),
                        not_applicable=not_applicable[name], untouched=evaluator.untouched,
                        false_alarms=evaluator.alarmed[family.expectation]))
    covered = {f.expectation for f in FAMILIES.values()}
    for expectation in dict.fromkeys(["input", *types]):
        if expectation not in covered:
            rows.append(Row(expectation, None, True, untouched=evaluator.untouched,
                            false_alarms=evaluator.alarmed[expectation]))
    return rows


# --- the terminal table -------------------------------------------------------------------


def _summary(error: str) -> str:
    """An internal error on one line: where it happened and the exception."""
    lines = error.strip().splitlines()
    return lines[0] if len(lines) == 1 else f"{lines[0]} {lines[-1]}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def format_table(result: SelftestResult) -> str:
    """The per-expectation table, the misses and false alarms, and a verdict line."""
    header = ("expectation", "family", "injected", "found", "false alarms")
    lines = [header]
    for row in result.rows:
        expectation = row.expectation if row.in_suite else f"{row.expectation} (not in suite)"
        if row.family is None:
            injected = found = "—"
        else:
            injected = str(row.injected)
            found = f"{row.found}/{row.injected} {_percent(row.found_fraction)}"
            if row.not_applicable:
                injected += f" ({row.not_applicable} n/a)"
        alarms = f"{row.false_alarms}/{row.untouched} {_percent(row.false_alarm_fraction)}"
        lines.append((expectation, row.family or "—", injected, found, alarms))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = ["  ".join(cell.ljust(w) if i < 2 else cell.rjust(w)
                     for i, (cell, w) in enumerate(zip(line, widths, strict=True))).rstrip()
           for line in lines]
    misses = [i for i in result.injections if not i.found]
    if misses:
        out += ["", "not found:"]
        for miss in misses:
            reported = "; ".join(miss.reported) or "nothing from this expectation"
            out.append(f"  {miss.family} in {miss.document} (copy {miss.copy}): "
                       f"{miss.defect.detail} — reported: {reported}")
    if result.false_alarms:
        out += ["", "false alarms:"]
        out += [f"  round {a.round} ({a.family} in {a.mutated}): {a.document}: {a.expectation} "
                f"[{a.reason}] {a.message}" for a in result.false_alarms]
    if result.errors:
        out += ["", "internal errors (bugs in corpus-qa; tracebacks in the JSON):"]
        summaries = Counter(_summary(e) for e in result.errors)
        out += [f"  {text}" + (f" (×{n})" if n > 1 else "") for text, n in summaries.items()]
    if result.notes:
        out += ["", "notes:"] + [f"  {note}" for note in result.notes]
    verdict = "passed" if result.success else "FAILED"
    out += ["", f"corpus-qa selftest: {verdict} — {len(result.injections)} defects injected into "
                f"{result.sampled_documents} of {result.documents} documents in {result.rounds} "
                f"rounds, seed {result.seed} ({result.duration_s:.1f}s)"]
    return "\n".join(out) + "\n"
