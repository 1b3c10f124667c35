"""``corpus-qa fix``: run the suite, repair each document, write a copy, validate the copy.

The steps, in order:

1. refuse an ``--out`` that is a corpus path, lies inside one or contains one (before
   anything is read);
2. validate the corpus with the suite (the findings say what to repair);
3. per document, apply the repairs of :mod:`corpus_qa.repair` family by family:
   encoding, boilerplate (checked again on the repaired text when encoding changed it),
   metadata, diacritics (the last two only with ``accept_suggestions``); each family's
   edit spans are in the text it was given;
4. write the copy in the input's format: an unchanged text file is copied byte for
   byte, a repaired one gets its new fields in YAML front matter; a file of records
   keeps every record, unchanged lines byte for byte, repaired records with the new
   text and the new fields in their metadata object;
5. validate the copy with the same suite and compare counts per expectation.

Figures and flattened paragraphs are never changed: they stay findings for a human.
The corpus itself is only read.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from corpus_qa.documents import Document
from corpus_qa.paths import display_path
from corpus_qa.repair import (
    FAMILIES,
    Edit,
    fill_missing,
    repair_boilerplate,
    repair_encoding,
    restore_diacritics,
)
from corpus_qa.results import Finding, RunResult
from corpus_qa.sources.base import FieldMap
from corpus_qa.sources.records import MISSING, lookup
from corpus_qa.sources.registry import format_of
from corpus_qa.sources.text import read_text_metadata

SCHEMA_VERSION = 1
SUGGESTION_FAMILIES = frozenset({"metadata", "diacritics"})
"""Families whose values come from another version of the story: only with --accept-suggestions."""

NOT_REPAIRED = {
    "figure_changed": "a figure that differs between versions: a human decides which is right",
    "paragraphs_flattened": "lost paragraph breaks: a human decides where they go",
}


class FixError(Exception):
    """A fix that must not run (an unsafe --out): exit code 2 with this message."""


def check_out(out: str | os.PathLike[str], paths: Iterable[str | os.PathLike[str]], *,
              existing_ok: bool = False) -> None:
    """Raise :class:`FixError` when ``out`` is a corpus path, inside one, or contains one,
    or (unless ``existing_ok``) is an existing file or a folder that is not empty.

    >>> try:
    ...     check_out("/data/news", ["/data/news"])
    ... except FixError as exc:
    ...     print(str(exc).replace(" — ", "\\n"))
    --out /data/news is the corpus path /data/news
    the copy must go to a separate folder (e.g. --out /data/news-fixed)
    """
    target = Path(os.path.realpath(out))
    for given in paths:
        corpus = Path(os.path.realpath(given))
        hint = f"— the copy must go to a separate folder (e.g. --out {Path(given)}-fixed)"
        if target == corpus:
            raise FixError(f"--out {out} is the corpus path {given} {hint}")
        if corpus in target.parents:
            raise FixError(f"--out {out} is inside the corpus path {given} {hint}")
        if target in corpus.parents:
            raise FixError(f"--out {out} contains the corpus path {given} {hint}")
    if existing_ok:
        return
    if target.exists() and not target.is_dir():
        raise FixError(f"--out {out} is an existing file — name a new folder")
    if target.is_dir() and any(target.iterdir()):
        raise FixError(f"--out {out} is not empty — name a new folder or empty this one, so "
                       "the copy holds only what this run wrote")


# --- planning: what to change in each document -------------------------------------------


@dataclass
class DocumentFix:
    """What the fixer did (or would do) to one document."""

    id: str
    path: str
    line: int
    before: str
    after: str
    edits: list[Edit] = field(default_factory=list)
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    output: str = ""

    @property
    def changed(self) -> bool:
        return self.after != self.before or bool(self.fields)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "path": self.path, "line": self.line, "output": self.output,
            "status": "repaired" if self.changed else "unchanged",
            "edits": [e.to_json() for e in self.edits],
            "fields": {k: {"value": v, "origin": o} for k, (v, o) in sorted(self.fields.items())},
            "notes": self.notes,
        }


def _hits_of(findings: list[Finding], *reasons: str) -> list[Finding]:
    return [f for f in findings if f.reason in reasons] if reasons else findings


def plan_document(
    doc: Mapping[str, Any], text: str, findings: list[Finding], *, families: Iterable[str],
    accept_suggestions: bool, versions: Callable[[], list[tuple[str, str]]],
    is_text_file: bool,
    boilerplate_hits: Callable[[str, int], list[Any]] | None = None,
) -> DocumentFix:
    """The repairs of one document (``doc`` is its entry in the run's ``documents``).

    ``versions()`` gives ``(id, text)`` of the story's versions (read only when needed).
    ``boilerplate_hits(text, body_start)`` is the suite's boilerplate check, run again
    when the encoding repairs changed the text (the findings' spans no longer fit).
    """
    fix = DocumentFix(doc["id"], doc["path"], doc.get("line", 1), text, text)
    wanted = set(families)
    if not accept_suggestions:
        skipped = sorted(wanted & SUGGESTION_FAMILIES)
        wanted -= SUGGESTION_FAMILIES
        offered = [f for f in findings if f.suggestion and (
            f.reason == "diacritics_stripped" and "diacritics" in skipped
            or f.reason == "missing_field" and "metadata" in skipped)]
        for finding in offered:
            fix.notes.append(f"{finding.reason}: suggestion {finding.suggestion!r} from another "
                             "version not applied — run with --accept-suggestions to apply it")
    for finding in findings:
        if finding.reason in NOT_REPAIRED:
            fix.notes.append(f"{finding.reason} not repaired: {NOT_REPAIRED[finding.reason]}")
    if any(f.reason in ("invalid_utf8", "replacement_character") for f in findings):
        fix.notes.append("not repaired: the text holds bytes that are not UTF-8 (or U+FFFD "
                         "characters already lost upstream); the encoding they were written in "
                         "is unknown — re-encode the source as UTF-8, then run fix again")
        return fix
    metadata = doc.get("metadata") or {}
    current = text
    if "encoding" in wanted:  # first: a mis-decoded line must not look like furniture
        repaired = repair_encoding(current)
        current, fix.edits = repaired.text, fix.edits + repaired.edits
    if "boilerplate" in wanted:
        start = _body_start(current, is_text_file)
        hits: list[Any] = [f for f in findings
                           if f.expectation == "expect_document_to_have_no_boilerplate"]
        if current != text and boilerplate_hits is not None:  # spans moved: look again
            hits = boilerplate_hits(current, start)
        repaired = repair_boilerplate(current, hits, metadata, body_start=start)
        current = repaired.text
        fix.edits += repaired.edits
        fix.fields.update(repaired.fields)
    if "metadata" in wanted:
        missing = [(f.key, f.suggestion, (metadata.get(f.key) or {}).get("suggestion_from") or "?")
                   for f in findings if f.reason == "missing_field" and f.key and f.suggestion
                   and f.key not in fix.fields]
        repaired = fill_missing(missing, current)
        fix.edits += repaired.edits
        fix.fields.update(repaired.fields)
    if "diacritics" in wanted and any(f.reason == "diacritics_stripped" for f in findings):
        repaired = restore_diacritics(current, [v for v in versions() if v[0] != doc["id"]])
        current = repaired.text
        fix.edits += repaired.edits
    fix.after = current
    return fix


def suite_boilerplate_check(suite: Any) -> Callable[[str, int], list[Any]] | None:
    """The boilerplate check as the suite configures it (pattern and cue lists), or None."""
    spec = next((e for e in suite.expectations
                 if e.type == "expect_document_to_have_no_boilerplate"), None)
    if spec is None:
        return None
    from corpus_qa.expectations.boilerplate import boilerplate_hits

    patterns, cues = spec.kwargs.get("patterns"), spec.kwargs.get("cues")
    return lambda text, start: boilerplate_hits({"text": text, "body_start": start}, patterns, cues)


def _body_start(text: str, is_text_file: bool) -> int:
    if not is_text_file:
        return 0
    doc = Document(id="", text=text, path="")
    read_text_metadata(doc)
    return doc.body_start


# --- writing the copy ------------------------------------------------------------------


def _yaml_line(name: str, value: str, origin: str) -> str:
    dumped = yaml.safe_dump({name: value}, allow_unicode=True, width=1 << 20,
                            default_flow_style=False).rstrip("\n")
    return f"{dumped}  # origin: {origin}\n"


def with_front_matter(text: str, fields: Mapping[str, tuple[str, str]]) -> tuple[str, list[Edit]]:
    """``text`` with ``fields`` in its YAML front matter (a header block becomes front matter).

    >>> print(with_front_matter("Body.", {"source": ("VOA", "notice")})[0])
    ---
    source: VOA  # origin: notice
    ---
    Body.
    """
    if not fields:
        return text, []
    doc = Document(id="", text=text, path="")
    read_text_metadata(doc)
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    origins = {f.origin for f in doc.fields.values()}
    lines = "".join(_yaml_line(k, v, o) for k, (v, o) in sorted(fields.items())
                    if k not in doc.fields)
    if "front_matter" in origins or (doc.body_start and text.lstrip("\ufeff").startswith("---")):
        close = text.rfind("---", 0, doc.body_start)
        new = text[:close] + lines + text[close:]
        return new, [Edit("metadata", "front_matter", (close, close), "", lines,
                          "fields added to the front matter")]
    header = ""
    if doc.body_start > len(bom):  # a header block: its fields move into the front matter
        header = "".join(_yaml_line(k, f.value, "header") for k, f in sorted(doc.fields.items()))
    block = f"{bom}---\n{header}{lines}---\n"
    what = ("the header became front matter, with the new fields" if header
            else "front matter added with the new fields")
    return block + text[doc.body_start:], [
        Edit("metadata", "front_matter", (0, doc.body_start), text[:doc.body_start], block, what)]


def _set_path(record: dict[str, Any], name: str, value: Any) -> None:
    if name in record or "." not in name:
        record[name] = value
        return
    *parents, last = name.split(".")
    target = record
    for part in parents:
        nxt = target.get(part)
        if not isinstance(nxt, dict):
            nxt = target[part] = {}
        target = nxt
    target[last] = value


def repaired_record(record: dict[str, Any], fix: DocumentFix, fields: FieldMap) -> dict[str, Any]:
    """``record`` with the repaired text and the new metadata fields (in its metadata object)."""
    out = json.loads(json.dumps(record))
    _set_path(out, fields.text, fix.after)
    if fix.fields:
        holder = lookup(out, fields.metadata)
        if holder is MISSING or not isinstance(holder, dict):
            _set_path(out, fields.metadata, {})
            holder = lookup(out, fields.metadata)
        for name, (value, _origin) in sorted(fix.fields.items()):
            holder.setdefault(name, value)
    return out


def _json_line(record: Mapping[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"


def write_file_copy(source: Path, target: Path, fixes: Mapping[int, DocumentFix],
                    fields: FieldMap) -> None:
    """Write the copy of one corpus file; ``fixes`` are its changed documents by line/row."""
    from corpus_qa.sources.write import write_lines, write_records

    target.parent.mkdir(parents=True, exist_ok=True)
    fmt = format_of(source.name)
    if not fixes or fmt is None:
        shutil.copyfile(source, target)
        return
    if fmt.kind == "text":
        (fix,) = fixes.values()
        text, edits = with_front_matter(fix.after, fix.fields)
        fix.edits += edits
        target.write_bytes(text.encode("utf-8"))
        return
    if fmt.kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            rows = pq.read_table(source).to_pylist()
        except (OSError, pa.ArrowException) as exc:
            _keep_damaged(source, target, fixes, f"cannot be read whole ({exc})")
            return
        for row, fix in fixes.items():
            rows[row - 1] = repaired_record(rows[row - 1], fix, fields)
        write_records(target, rows)
        return
    from corpus_qa.sources.jsonl import STREAM_ERRORS, open_stream

    def lines() -> Iterable[bytes]:
        with source.open("rb") as raw:
            for number, line in enumerate(open_stream(raw, fmt.compression), start=1):
                fix = fixes.get(number)
                yield line if fix is None else _json_line(
                    repaired_record(json.loads(line.decode("utf-8")), fix, fields))

    try:
        write_lines(target, lines())
    except STREAM_ERRORS as exc:
        _keep_damaged(source, target, fixes, f"its stream is damaged ({exc})")


def _keep_damaged(source: Path, target: Path, fixes: Mapping[int, DocumentFix],
                  why: str) -> None:
    """A file that cannot be read whole is copied as it is: its repairs are not applied."""
    shutil.copyfile(source, target)
    for fix in fixes.values():
        fix.notes.append(f"not written: {display_path(source)} {why} — the copy keeps the file "
                         "as it is; repair the file, then run fix again")
        fix.after, fix.fields, fix.edits = fix.before, {}, []


# --- the run ---------------------------------------------------------------------------


@dataclass
class FixResult:
    """Everything one fix run did: per document, and the counts before and after."""

    corpus: list[str]
    out: str
    suite: str
    families: list[str]
    accept_suggestions: bool
    dry_run: bool
    documents: list[DocumentFix]
    """The documents repaired or with a note (the others were copied as they are)."""
    before: dict[str, dict[str, int]]
    after: dict[str, dict[str, int]]
    copied_files: int = 0
    written_files: int = 0
    documents_read: int = 0

    def changed(self) -> list[DocumentFix]:
        return [d for d in self.documents if d.changed]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION, "corpus": self.corpus, "out": self.out,
            "suite": self.suite, "families": self.families,
            "accept_suggestions": self.accept_suggestions, "dry_run": self.dry_run,
            "statistics": {"documents": self.documents_read,
                           "repaired": len(self.changed()),
                           "edits": sum(len(d.edits) for d in self.documents),
                           "files_copied_unchanged": self.copied_files,
                           "files_written": self.written_files},
            "expectations": [
                {"type": t, "findings_before": self.before.get(t, {}).get("findings", 0),
                 "findings_after": self.after.get(t, {}).get("findings", 0),
                 "unexpected_before": self.before.get(t, {}).get("unexpected", 0),
                 "unexpected_after": self.after.get(t, {}).get("unexpected", 0)}
                for t in dict.fromkeys([*self.before, *self.after])],
            "documents": [d.to_json() for d in self.documents if d.changed or d.notes],
        }


def counts(result: RunResult) -> dict[str, dict[str, int]]:
    """Findings and unexpected documents per expectation of a run."""
    found: dict[str, int] = defaultdict(int)
    for finding in result.findings:
        found[finding.expectation] += 1
    return {o.type: {"findings": found.get(o.type, 0), "unexpected": o.unexpected}
            for o in result.outcomes}


def _targets(paths: list[str], out: Path) -> list[tuple[Path, Path]]:
    """Each corpus path and where its copy goes (one path: ``out`` itself)."""
    if len(paths) == 1:
        source = Path(paths[0])
        return [(source, out / source.name if source.is_file() else out)]
    names = [Path(p).name or "corpus" for p in paths]
    if len(set(names)) != len(names):
        raise FixError("two corpus paths have the same name — fix them one at a time")
    return [(Path(p), out / n) for p, n in zip(paths, names, strict=True)]


def _copy_path(file: Path, targets: list[tuple[Path, Path]]) -> Path:
    absolute = Path(os.path.abspath(file))
    for source, target in targets:
        root = Path(os.path.abspath(source))
        if absolute == root:
            return target if source.is_file() else target / file.name
        if root in absolute.parents:
            return target / absolute.relative_to(root)
    raise FixError(f"{file}: not under any corpus path")  # pragma: no cover - sources say so


def run_fix(
    paths: list[str], suite: Any, out: str, *, families: Iterable[str] | None = None,
    accept_suggestions: bool = False, dry_run: bool = False,
    make_runner: Callable[[], Any] | None = None,
) -> FixResult:
    """Validate ``paths``, write the repaired copy to ``out`` (a temporary folder when
    ``dry_run``), validate the copy; return what was done."""
    from corpus_qa.runner import Runner

    check_out(out, paths)
    families = [f for f in FAMILIES if f in set(families or FAMILIES)]
    make_runner = make_runner or (lambda: Runner(suite))
    result = make_runner().run(paths)
    by_doc: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_doc[finding.document].append(finding)
    stories: dict[str, list[str]] = defaultdict(list)
    for doc in result.documents:
        if doc.get("story"):
            stories[doc["story"]].append(doc["id"])
    text_of = result.text_of
    assert text_of is not None
    fixes = []
    check = suite_boilerplate_check(suite)
    for doc in result.documents:
        if doc["id"] not in by_doc:
            continue  # the repairs change only what the checks find: nothing here
        fmt = format_of(Path(doc["path"]).name)
        story = stories.get(doc.get("story") or "", [])
        fix = plan_document(
            doc, text_of(doc["id"]), by_doc[doc["id"]], families=families,
            accept_suggestions=accept_suggestions,
            versions=lambda story=story: [(i, text_of(i)) for i in story],
            is_text_file=fmt is not None and fmt.kind == "text", boilerplate_hits=check)
        if not fix.changed:
            fix.before = fix.after = ""  # memory: only repaired documents keep their texts
        if fix.changed or fix.notes:
            fixes.append(fix)

    work = tempfile.TemporaryDirectory(prefix="corpus-qa-fix-") if dry_run else None
    root = Path(work.name) / "copy" if work else Path(out)
    try:
        targets = _targets(paths, root)
        changed: dict[str, dict[int, DocumentFix]] = defaultdict(dict)
        for fix in fixes:
            if fix.changed:
                changed[fix.path][fix.line] = fix
        copied = written = 0
        for source in result.sources:
            file = Path(source["path"])
            target = _copy_path(file, targets)
            write_file_copy(file, target, changed.get(source["path"], {}), suite.fields)
            for fix in changed.get(source["path"], {}).values():
                fix.output = display_path(target) if not work else str(target.relative_to(root))
            copied += source["path"] not in changed
            written += source["path"] in changed
        after_paths = [str(t) for _, t in targets if t.exists()]
        after = counts(make_runner().run(after_paths)) if after_paths else {}
    finally:
        if work:
            work.cleanup()
    return FixResult(corpus=list(paths), out=str(out), suite=suite.name, families=families,
                     accept_suggestions=accept_suggestions, dry_run=dry_run, documents=fixes,
                     documents_read=len(result.documents),
                     before=counts(result), after=after, copied_files=copied,
                     written_files=written)


def format_table(fix: FixResult) -> str:
    """The terminal summary: repaired documents, then findings per expectation before/after."""
    out = []
    for doc in fix.documents:
        if doc.changed:
            reasons = ", ".join(dict.fromkeys(e.reason for e in doc.edits)) or "fields"
            out.append(f"{doc.path}{'#' + str(doc.line) if doc.line > 1 else ''}: {doc.id}: "
                       f"{len(doc.edits)} edits ({reasons})")
        for note in doc.notes:
            out.append(f"{doc.path}: {doc.id}: {note}")
    if out:
        out.append("")
    width = max([len(t) for t in fix.before] + [len("expectation")])
    out.append(f"{'expectation':{width}}  before  after")
    for item in fix.to_json()["expectations"]:
        out.append(f"{item['type']:{width}}  {item['findings_before']:6}  "
                   f"{item['findings_after']:5}")
    repaired = len(fix.changed())
    where = "(dry run: nothing written)" if fix.dry_run else f"copy in {fix.out}"
    out.append(f"\ncorpus-qa fix: {repaired} of {fix.documents_read} documents repaired, "
               f"{fix.copied_files} files copied unchanged — {where}")
    return "\n".join(out) + "\n"
