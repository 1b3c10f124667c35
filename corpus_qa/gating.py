"""CI gating: validate what changed, fail only on new findings, accept findings by waiver.

Three independent pieces the CLI combines (see docs/pytest-and-ci.md):

* **changed documents** — :func:`changed_documents` asks git which corpus files changed
  since a revision (committed, staged, unstaged and untracked), and
  :func:`select_for_changed` adds the other versions of their stories;
* **baseline** — :func:`write_baseline` records today's findings by a fingerprint that
  ignores line numbers (document, expectation, reason and the normalised text of the
  finding), :func:`compare_to_baseline` splits a run's findings into new and known
  ones and lists the fixed ones;
* **waivers** — :func:`load_waivers` reads a YAML file of accepted findings, each with a
  justification and an optional expiry date; :func:`apply_waivers` sets the waived
  findings aside and reports expired waivers, which no longer apply.

:func:`corpus_qa.gate.gate` combines them with a run into the one verdict.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import json
import os
import subprocess
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple, cast

from corpus_qa.paths import display_path
from corpus_qa.results import Finding, RunResult, dump_json
from corpus_qa.sources.registry import DOCUMENT_SUFFIXES, is_document_file  # noqa: F401

BASELINE_VERSION = 1
WAIVER_KEYS = ("document", "expectation", "reason", "why", "expires")
INPUT = "input"


class GatingError(Exception):
    """A gating input is unusable (no git repository, unknown revision, bad file): exit 2."""


class BaselineError(GatingError):
    """The baseline file cannot be read; the message names the file."""


class WaiverError(GatingError):
    """The waiver file is wrong; the message starts with ``file:line:``."""


# --- changed documents -----------------------------------------------------------------


def _git(args: Sequence[str], cwd: Path) -> str:
    """Run git in ``cwd``; return stdout (NUL-separated output is kept as is)."""
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise GatingError("git is not installed (or not on PATH) — --changed-since needs "
                          "it") from None
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, ["git", *args],
                                            proc.stdout, proc.stderr)
    return os.fsdecode(proc.stdout)


def repository_root(cwd: Path) -> Path:
    """The top folder of the git work tree holding ``cwd``."""
    try:
        return Path(_git(["rev-parse", "--show-toplevel"], cwd).strip()).resolve()
    except subprocess.CalledProcessError:
        raise GatingError(f"{cwd}: not inside a git work tree — --changed-since needs the "
                          "corpus to be in a git repository") from None


def diff_base(rev: str, cwd: Path) -> str:
    """The commit to diff against: the merge base of ``rev`` and HEAD (else ``rev`` itself).

    Like a pull request's diff, changes made on ``rev``'s branch after this branch forked
    do not count as changes here.
    """
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", "--end-of-options",
                       f"{rev}^{{commit}}"], cwd).strip()
    except subprocess.CalledProcessError:
        raise GatingError(f"unknown git revision '{rev}' — fetch it first (in GitHub Actions: "
                          "actions/checkout with fetch-depth: 0) or pass another "
                          "--changed-since") from None
    try:
        return _git(["merge-base", commit, "HEAD"], cwd).strip() or commit
    except subprocess.CalledProcessError:
        return commit  # no HEAD yet, or unrelated histories: compare with rev itself


def changed_documents(rev: str, paths: Sequence[str | os.PathLike[str]],
                      cwd: str | os.PathLike[str] | None = None) -> set[str]:
    """Document files under ``paths`` changed since ``rev``: committed, staged, unstaged, untracked.

    Changes are counted from the merge base of ``rev`` and HEAD (see :func:`diff_base`);
    deleted files are left out (there is nothing to validate). Paths are returned as the
    sources show them: relative to the working directory when below it, else absolute.
    ``cwd`` is where git runs and where relative ``paths`` start (default: the working
    directory).
    """
    if not paths:
        return set()  # no corpus paths, no corpus documents
    where = Path(cwd or ".").resolve()
    top = repository_root(where)
    roots = [(where / p).resolve() for p in paths]
    specs = []
    for root in roots:
        try:
            relative = root.relative_to(top).as_posix()
            specs.append(f":(top,literal){relative}" if relative != "." else ":(top)")
        except ValueError:
            raise GatingError(f"{root}: corpus path outside the git repository at {top}") from None
    base = diff_base(rev, where)
    try:
        listed = _git(["diff", "--name-only", "-z", "--diff-filter=d", base, "--", *specs], where)
        listed += _git(["ls-files", "--others", "--exclude-standard", "--full-name", "-z", "--",
                        *specs], where)
    except subprocess.CalledProcessError as exc:
        message = os.fsdecode(exc.stderr).strip()
        raise GatingError(f"git could not list changes since '{rev}': {message}") from None
    changed = set()
    for name in filter(None, listed.split("\0")):
        file = top / name
        if is_document_file(file.name) and file.is_file():
            changed.add(display_path(file))
    return changed


def _field(record: Any, name: str) -> Any:
    if isinstance(record, Mapping):
        return record.get(name)
    return getattr(record, name, None)


def _path_key(path: str | os.PathLike[str], cwd: str) -> str:
    """An absolute, normalised spelling of ``path`` (``os.getcwd()`` is asked once, by callers)."""
    return os.path.normcase(os.path.normpath(os.path.join(cwd, path)))


def select_for_changed(documents: Iterable[Any], changed_paths: Iterable[str | os.PathLike[str]],
                       *, stories: Mapping[str, str | None] | None = None) -> set[str]:
    """Ids of the documents in ``changed_paths`` plus every other version of their stories.

    ``documents`` are records with ``id``, ``path`` and ``story`` (the dicts of
    ``RunResult.documents``, or objects with those attributes); ``stories`` maps a
    document id to its story id and takes precedence over the records' ``story``.
    A document without a story is a story of its own.

    >>> docs = [{"id": "a", "path": "c/a.txt", "story": "s1"},
    ...         {"id": "b", "path": "c/b.txt", "story": "s1"},
    ...         {"id": "c", "path": "c/c.txt", "story": None}]
    >>> sorted(select_for_changed(docs, ["c/a.txt"]))
    ['a', 'b']
    """
    cwd = os.getcwd()
    changed = {_path_key(p, cwd) for p in changed_paths}
    story_of: dict[str, str | None] = {}
    selected: set[str] = set()
    for record in documents:
        doc_id = str(_field(record, "id"))
        story = stories.get(doc_id) if stories is not None else _field(record, "story")
        story_of[doc_id] = str(story) if story else None
        if _path_key(str(_field(record, "path")), cwd) in changed:
            selected.add(doc_id)
    touched = {story_of[d] for d in selected if story_of[d] is not None}
    return selected | {d for d, story in story_of.items() if story in touched}


def changed_summary(rev: str, changed: Collection[str], selected: Collection[str],
                    total: int, *, label: str | None = None,
                    noun: str = "changed document") -> str:
    """What ``--changed-since`` (or ``label``) selected and skipped, in one line.

    >>> print(changed_summary("origin/main", {"a"}, {"a", "b"}, 20000))
    ... # doctest: +NORMALIZE_WHITESPACE
    --changed-since origin/main: 1 changed document and 1 other version of its stories;
    validating 2 of 20,000 documents, skipped 19,998
    >>> print(changed_summary("", {"a"}, {"a", "b"}, 50, label="files given",
    ...                       noun="document given"))
    ... # doctest: +NORMALIZE_WHITESPACE
    files given: 1 document given and 1 other version of its stories;
    validating 2 of 50 documents, skipped 48
    """
    others = len(set(selected) - set(changed))
    return (f"{label or f'--changed-since {rev}'}: {_count(len(changed), noun)} and "
            f"{_count(others, 'other version')} of {'its' if len(changed) == 1 else 'their'} "
            f"stories; validating {len(selected):,} of {total:,} documents, "
            f"skipped {total - len(selected):,}")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


# --- baseline --------------------------------------------------------------------------


def content_text(finding: Finding) -> str:
    """The finding's text, normalised: whitespace collapsed, the excerpt's ellipsis dropped.

    >>> from corpus_qa.results import Finding
    >>> content_text(Finding("e", "error", "d", "d.txt", "r", "m", (0, 5), 3, 1,
    ...                      "Originally  posted by …"))
    'Originally posted by'
    """
    if finding.span[0] == finding.span[1]:
        # A whole-document finding (a missing field) has no text of its own: the excerpt
        # is just the document's opening. It is identified by what it is about instead.
        return f"<{finding.key or finding.message}>"
    return " ".join(finding.excerpt.removesuffix("…").split())


def fingerprint(finding: Finding) -> str:
    """A finding's identity across edits: document, expectation, reason and text — no lines.

    A finding that moves to another line (text inserted above it, paragraphs reflowed)
    keeps its fingerprint; a different text, reason or document gives another.
    """
    key = [finding.document, finding.expectation, finding.reason, content_text(finding)]
    return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class BaselineEntry:
    """Findings of one fingerprint in a baseline, with ``count`` occurrences."""

    fingerprint: str
    document: str
    expectation: str
    reason: str
    severity: str
    excerpt: str
    count: int = 1

    def to_json(self) -> dict[str, Any]:
        return {"fingerprint": self.fingerprint, "document": self.document,
                "expectation": self.expectation, "reason": self.reason,
                "severity": self.severity, "excerpt": self.excerpt, "count": self.count}

    def line_text(self) -> str:
        """One line for reports: ``document: expectation [reason] "excerpt"``."""
        times = f" (×{self.count})" if self.count > 1 else ""
        return f"{self.document}: {self.expectation} [{self.reason}] \"{self.excerpt}\"{times}"


@dataclass(frozen=True)
class Baseline:
    """Accepted findings, by fingerprint."""

    entries: tuple[BaselineEntry, ...]
    path: str = ""


def baseline_entries(findings: Iterable[Finding]) -> tuple[BaselineEntry, ...]:
    """Findings grouped by fingerprint, sorted by document, expectation, reason, text."""
    entries: dict[str, BaselineEntry] = {}
    for finding in findings:
        key = fingerprint(finding)
        if key in entries:
            entries[key] = replace(entries[key], count=entries[key].count + 1)
        else:
            entries[key] = BaselineEntry(key, finding.document, finding.expectation,
                                         finding.reason, finding.severity, content_text(finding))
    return tuple(sorted(entries.values(), key=lambda e: (e.document, e.expectation, e.reason,
                                                        e.excerpt, e.fingerprint)))


def baseline_data(findings: Iterable[Finding]) -> dict[str, Any]:
    """The baseline as JSON data (no timestamps: the same findings give the same bytes)."""
    entries = baseline_entries(findings)
    return {"baseline_version": BASELINE_VERSION,
            "findings": [e.to_json() for e in entries],
            "total": sum(e.count for e in entries)}


def write_baseline(result_or_findings: RunResult | Iterable[Finding], path: str | os.PathLike[str]
                   ) -> dict[str, Any]:
    """Write the findings of a run (or any findings) as a baseline file; return its data."""
    findings = (result_or_findings.findings if isinstance(result_or_findings, RunResult)
                else result_or_findings)
    from corpus_qa.outputs import write_atomically

    data = baseline_data(findings)
    write_atomically(path, dump_json(data))
    return data


def load_baseline(path: str | os.PathLike[str]) -> Baseline:
    """Read a baseline written by :func:`write_baseline` (:class:`BaselineError` if not one).

    A results file of an earlier run (``--json``, inline or sharded) is read as the
    baseline of its findings that no waiver accepted."""
    shown = str(path)
    hint = "write one with --write-baseline"
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{shown}: cannot read the baseline ({exc.strerror}) — "
                            f"{hint}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{shown}: not a corpus-qa baseline (invalid JSON: {exc}) — "
                            f"{hint}") from None
    if isinstance(data, dict) and "baseline_version" not in data and "schema_version" in data:
        return _baseline_from_results(path)
    if not isinstance(data, dict) or data.get("baseline_version") != BASELINE_VERSION:
        raise BaselineError(f"{shown}: not a corpus-qa baseline (expected baseline_version "
                            f"{BASELINE_VERSION}) — {hint}")
    entries = []
    for i, item in enumerate(data.get("findings") or []):
        try:
            entries.append(BaselineEntry(
                str(item["fingerprint"]), str(item["document"]), str(item["expectation"]),
                str(item["reason"]), str(item.get("severity", "error")),
                str(item.get("excerpt", "")), int(item.get("count", 1))))
        except (KeyError, TypeError, ValueError):
            raise BaselineError(f"{shown}: findings[{i}] needs fingerprint, document, "
                                f"expectation and reason — {hint}") from None
    return Baseline(tuple(entries), shown)


def _baseline_from_results(path: str | os.PathLike[str]) -> Baseline:
    """A results file of an earlier run (``--json``, inline or sharded) as a baseline: its
    findings that no waiver accepted, as ``--write-baseline`` would have recorded them."""
    from corpus_qa.resultsfile import ResultsFile, ResultsFileError

    shown = str(path)
    try:
        results = ResultsFile(path)
        return Baseline(baseline_entries(
            _finding_of(item) for item in results.findings() if item.get("gate") != "waived"),
            shown)
    except ResultsFileError as exc:
        raise BaselineError(str(exc)) from None
    except (KeyError, TypeError, ValueError, IndexError):
        raise BaselineError(f"{shown}: a finding of these results lacks expectation, "
                            "document or reason — give a baseline or the results file "
                            "`corpus-qa validate --json` wrote") from None


def _finding_of(item: Mapping[str, Any]) -> Finding:
    """What a baseline needs of a finding of the JSON results (:func:`fingerprint`)."""
    span = item.get("span") or (0, 0)
    return Finding(str(item["expectation"]), str(item.get("severity", "error")),
                   str(item["document"]), str(item.get("path") or item["document"]),
                   str(item["reason"]), str(item.get("message", "")),
                   (int(span[0]), int(span[1])), int(item.get("line") or 1),
                   int(item.get("column") or 1), str(item.get("excerpt") or ""),
                   key=item.get("key"))


class BaselineComparison(NamedTuple):
    """A run against a baseline: findings not in it, findings in it, entries no longer found."""

    new: list[Finding]
    known: list[Finding]
    fixed: list[BaselineEntry]


def compare_to_baseline(findings: Iterable[Finding], baseline: Baseline | str | os.PathLike[str],
                        *, documents: Collection[str] | None = None) -> BaselineComparison:
    """Split ``findings`` into new and known; list baseline entries not found again as fixed.

    Matching is by :func:`fingerprint`, as a multiset: a baseline entry of count 2 absorbs
    two findings, a third one is new. ``documents`` limits "fixed" to the documents that
    were validated (with ``--changed-since`` the others were not looked at).
    """
    matcher = BaselineMatcher(baseline)
    new, known = [], []
    for finding in findings:
        (known if matcher.known(finding) else new).append(finding)
    return BaselineComparison(new, known, matcher.fixed(documents))


class BaselineMatcher:
    """:func:`compare_to_baseline` one finding at a time (the gate streams the findings).

    Holds the baseline's fingerprints and how many of each are left, never the findings.
    """

    def __init__(self, baseline: Baseline | str | os.PathLike[str]) -> None:
        self.baseline = baseline if isinstance(baseline, Baseline) else load_baseline(baseline)
        self._remaining: Counter[str] = Counter()
        for entry in self.baseline.entries:
            self._remaining[entry.fingerprint] += entry.count

    def known(self, finding: Finding) -> bool:
        """Whether the baseline holds ``finding`` (one of the entry's count is used up)."""
        key = fingerprint(finding)
        if self._remaining[key] > 0:
            self._remaining[key] -= 1
            return True
        return False

    def fixed(self, documents: Collection[str] | None = None) -> list[BaselineEntry]:
        """The entries (with the count left) no finding matched, of ``documents`` only if
        given; call once, after every finding."""
        remaining = Counter(self._remaining)
        fixed = []
        for entry in self.baseline.entries:
            left = min(entry.count, remaining[entry.fingerprint])
            remaining[entry.fingerprint] -= left
            if left > 0 and (documents is None or entry.document in documents):
                fixed.append(replace(entry, count=left))
        return fixed


# --- waivers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiver:
    """An accepted finding: which document(s), expectation and reason, why, until when."""

    document: str
    expectation: str
    why: str
    reason: str | None = None
    expires: dt.date | None = None
    file: str = ""
    line: int = 0

    @property
    def location(self) -> str:
        """``file:line`` of the waiver in its YAML file."""
        return f"{self.file}:{self.line}"

    def matches(self, finding: Finding) -> bool:
        """Whether the waiver covers ``finding`` (document glob on its id or its path)."""
        return (finding.expectation == self.expectation
                and (self.reason is None or finding.reason == self.reason)
                and (fnmatch.fnmatchcase(finding.document, self.document)
                     or fnmatch.fnmatchcase(finding.path, self.document)))

    def expired(self, today: dt.date) -> bool:
        """A waiver applies through its expiry date and stops the day after."""
        return self.expires is not None and today > self.expires

    def expired_text(self) -> str:
        """The line that reports an expired waiver."""
        what = f"{self.expectation}{f' [{self.reason}]' if self.reason else ''}"
        return (f"{self.location}: waiver for {what} on '{self.document}' expired on "
                f"{self.expires} and no longer applies — fix the findings, or renew it "
                f"(why: {self.why})")

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "document": self.document,
                "expectation": self.expectation, "reason": self.reason, "why": self.why,
                "expires": self.expires.isoformat() if self.expires else None}

    def unused_text(self) -> str:
        """The line that reports a waiver that matched no finding."""
        what = f"{self.expectation}{f' [{self.reason}]' if self.reason else ''}"
        return (f"{self.location}: waiver for {what} on '{self.document}' matched no finding "
                "— remove it, or check its document glob and expectation")


class WaivedFinding(NamedTuple):
    """A finding and the waiver that accepted it."""

    finding: Finding
    waiver: Waiver


class WaiverResult(NamedTuple):
    """Findings still counted, findings waived, and waivers that expired."""

    kept: list[Finding]
    waived: list[WaivedFinding]
    expired: list[Waiver]


def load_waivers(path: str | os.PathLike[str], *,
                 expectations: Collection[str] | None = None) -> list[Waiver]:
    """Read and validate a waiver file; :class:`WaiverError` names file, line and key.

    The file is a list of waivers, or a mapping with a ``waivers`` list. ``expectations``
    (the suite's types), when given, rejects waivers for expectations the suite lacks.
    """
    from corpus_qa.yamlfile import YamlError, load_located

    try:
        located = load_located(Path(path))
    except YamlError as exc:
        raise WaiverError(str(exc)) from None
    data, where = located.data, cast(tuple[Any, ...], ())
    if isinstance(data, dict) and set(data) == {"waivers"}:
        data, where = data["waivers"], ("waivers",)
    if data is None:
        return []
    if not isinstance(data, list):
        raise WaiverError(str(located.error(
            "a waiver file is a list of waivers (or a mapping with a 'waivers' list)", *where)))
    return [_read_waiver(located, item, (*where, i), expectations) for i, item in enumerate(data)]


def _read_waiver(located: Any, item: Any, where: tuple[Any, ...],
                 expectations: Collection[str] | None) -> Waiver:
    from corpus_qa.suite import did_you_mean

    def fail(message: str, *key: str) -> WaiverError:
        return WaiverError(str(located.error(message, *where, *key)))

    if not isinstance(item, dict):
        raise fail("each waiver is a mapping with document, expectation and why")
    for key in item:
        if key not in WAIVER_KEYS:
            raise fail(f"unknown key '{key}'{did_you_mean(str(key), WAIVER_KEYS)}", key)
    for key in ("document", "expectation", "why"):
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            raise fail(f"'{key}' is required and must be a non-empty string"
                       + (" saying why the finding is accepted" if key == "why" else ""),
                       *((key,) if key in item else ()))
    if expectations is not None and item["expectation"] not in expectations:
        choices = sorted(expectations)
        raise fail(f"unknown expectation '{item['expectation']}'"
                   f"{did_you_mean(item['expectation'], choices)}", "expectation")
    reason = item.get("reason")
    if reason is not None and (not isinstance(reason, str) or not reason.strip()):
        raise fail("'reason' must be a reason code such as licence_notice", "reason")
    return Waiver(document=item["document"].strip(), expectation=item["expectation"].strip(),
                  why=" ".join(item["why"].split()), reason=reason.strip() if reason else None,
                  expires=_expiry(item.get("expires"), fail), file=located.path,
                  line=located.line(*where))


def _expiry(value: Any, fail: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise fail(f"'expires' must be a date written YYYY-MM-DD, got {value!r}", "expires")


def apply_waivers(findings: Iterable[Finding], waivers: Sequence[Waiver],
                  today: dt.date) -> WaiverResult:
    """Set aside the findings an unexpired waiver covers; expired waivers do not apply."""
    active = [w for w in waivers if not w.expired(today)]
    kept: list[Finding] = []
    waived: list[WaivedFinding] = []
    for finding in findings:
        waiver = waiver_for(finding, active)
        if waiver is None:
            kept.append(finding)
        else:
            waived.append(WaivedFinding(finding, waiver))
    return WaiverResult(kept, waived, [w for w in waivers if w.expired(today)])


def waiver_for(finding: Finding, active: Sequence[Waiver]) -> Waiver | None:
    """The first of the ``active`` (unexpired) waivers that covers ``finding``, if any."""
    return next((w for w in active if w.matches(finding)), None)


def unused_waivers(waivers: Sequence[Waiver], waived: Iterable[WaivedFinding],
                   today: dt.date) -> list[Waiver]:
    """Unexpired waivers that matched no finding (candidates for removal)."""
    used = {id(w.waiver) for w in waived}
    return [w for w in waivers if not w.expired(today) and id(w) not in used]
