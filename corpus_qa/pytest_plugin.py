"""pytest plugin: a corpus collected as test items, one per document × expectation.

Registered under the ``pytest11`` entry point as ``corpus_qa`` and **opt-in**: it
collects nothing unless ``--corpus-qa`` (or another ``--corpus-qa-*`` option) is
given, the ini options ``corpus_qa_suite`` / ``corpus_qa_paths`` are set, or
``[tool.corpus_qa]`` in ``pyproject.toml`` says ``pytest = true``. Registration only
adds options: GX and pandas are imported when the first corpus file is collected.

Items (see docs/pytest-and-ci.md):

* ``seeds/001_a1d7f1edd2253686.txt::input`` — the file is readable (the ``input``
  pseudo-expectation of ``corpus-qa validate``);
* ``seeds/001_a1d7f1edd2253686.txt::expect_document_to_have_no_mojibake`` — one per
  document × per-document expectation, for a text file;
* ``seeds/000_c3359af66ac874be.txt::expect_versions_to_have_consistent_figures`` — one
  per story × story-level expectation, hosted by the story's first version;
* ``shards/part-0.jsonl.zst::expect_document_to_have_no_mojibake`` — one per shard ×
  expectation for a file of records (JSON Lines, plain or compressed, and Parquet): it
  holds the findings of every record of the shard (and of the stories its records
  host), and a failure names each failing record by id and line or row.

The corpus is validated once per process (per xdist worker) when the first corpus
file is collected, and the run is gated once by :func:`corpus_qa.gate.gate` with the
same waivers, baseline and fail-on as ``corpus-qa validate --waivers --baseline
--fail-on``; every item then reads that verdict. An item fails exactly when the
verdict fails its expectation for the run and counts one of its findings; findings
the verdict tolerates (warning level, within ``mostly``) are pytest warnings of
category :class:`CorpusQAWarning`; info findings never fail and never warn; waived
findings and findings known in the baseline never fail or warn. All of an item's
findings are kept in its ``user_properties``, so ``--junitxml`` records them.
"""

from __future__ import annotations

import os
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

# The one suffix table (corpus_qa.sources.registry imports nothing heavy).
from corpus_qa.sources.registry import (  # noqa: F401
    DOCUMENT_SUFFIXES,
    format_of,
    is_document_file,
)

if TYPE_CHECKING:
    from corpus_qa.results import ExpectationVerdict, Finding, Outcome, RunResult, Verdict

DEFAULT_SUITE = "expectations/news.yml"
INPUT = "input"
FAIL_ON = ("error", "warning")
MARKER = "corpus_qa"
GATE_LABELS = {"waived": "waived", "known": "in the baseline"}


class CorpusQAWarning(UserWarning):
    """A finding the run tolerates (warning level, or within ``mostly``): shown, not failed."""

    def __init__(self, message: str, finding: Finding | None = None) -> None:
        super().__init__(message)
        self.finding = finding


class CorpusQAFailure(Exception):
    """An item's expectation failed; the message is the finding lines, not a traceback."""


class CorpusQAInternalError(Exception):
    """The expectation raised while validating (a bug, reported with its traceback text)."""


class CorpusQASetupError(Exception):
    """The suite cannot be used (broken suite file): a collection error naming file and line."""


# --- options and enabling --------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ``--corpus-qa*`` options and the ``corpus_qa_*`` ini options."""
    group = parser.getgroup("corpus-qa", "corpus-qa: a corpus as test items")
    group.addoption("--corpus-qa", action="store_true", default=False,
                    help="collect the corpus as test items (one per document × expectation)")
    group.addoption("--corpus-qa-suite", metavar="FILE", default=None,
                    help=f"suite YAML (default: ini corpus_qa_suite, [tool.corpus_qa] suite, "
                    f"else {DEFAULT_SUITE} if it exists, else builtin:news.yml); "
                    "implies --corpus-qa")
    group.addoption("--corpus-qa-paths", metavar="PATH", action="append", default=None,
                    help="a corpus directory or file; repeat for several (default: ini "
                    "corpus_qa_paths, [tool.corpus_qa] paths, else the suite's corpus.paths); "
                    "implies --corpus-qa")
    group.addoption("--corpus-qa-fail-on", choices=FAIL_ON, default=None,
                    help="lowest severity whose failed expectations fail items "
                    "(default: ini corpus_qa_fail_on, else error)")
    group.addoption("--corpus-qa-baseline", metavar="FILE", default=None,
                    help="fail only on findings not in this baseline (written by corpus-qa "
                    "validate --write-baseline; default: ini corpus_qa_baseline)")
    group.addoption("--corpus-qa-waivers", metavar="FILE", default=None,
                    help="YAML file of accepted findings, as for corpus-qa validate --waivers "
                    "(default: ini corpus_qa_waivers)")
    group.addoption("--corpus-qa-workers", type=int, metavar="N", default=None,
                    help="worker processes for corpora of more than one chunk (default: one "
                    "per core; 1 inside an xdist worker)")
    parser.addini("corpus_qa_suite", "corpus-qa suite YAML (setting it enables the plugin)",
                  type="string", default="")
    parser.addini("corpus_qa_paths", "corpus-qa corpus paths (setting them enables the plugin)",
                  type="paths", default=[])
    parser.addini("corpus_qa_fail_on", "corpus-qa: lowest severity that fails items "
                  "(error | warning)", type="string", default="")
    parser.addini("corpus_qa_baseline", "corpus-qa: baseline file; findings in it do not fail",
                  type="string", default="")
    parser.addini("corpus_qa_waivers", "corpus-qa: waiver file; waived findings do not fail",
                  type="string", default="")


@dataclass(frozen=True)
class Settings:
    """What the plugin validates, resolved from options, ini, ``[tool.corpus_qa]``, the suite."""

    suite: Path
    paths: tuple[Path, ...]
    fail_on: str = "error"
    workers: int | None = None
    enabled_by: str = "--corpus-qa"
    baseline: Path | None = None
    waivers: Path | None = None

    def covers(self, path: Path) -> bool:
        """Whether ``path`` is a document file under one of the corpus paths."""
        if not is_document_file(path.name):
            return False
        resolved = path.resolve()
        for root in self.paths:
            if resolved == root:
                return True
            if root in resolved.parents:
                # The sources skip hidden files and folders (.git, .DS_Store …).
                return not any(part.startswith(".") for part in resolved.relative_to(root).parts)
        return False


def enabled_by(config: pytest.Config, project: dict[str, Any]) -> str | None:
    """Why the plugin is on (the option, ini key or pyproject key), or ``None`` when it is off."""
    for option in ("corpus_qa", "corpus_qa_suite", "corpus_qa_paths"):
        if config.getoption(option):
            return "--" + option.replace("_", "-")
    for ini in ("corpus_qa_suite", "corpus_qa_paths"):
        if config.getini(ini):
            return f"ini option {ini}"
    flag = project.get("pytest", False)
    if not isinstance(flag, bool):
        raise pytest.UsageError(
            f"corpus-qa: [tool.corpus_qa] pytest must be true or false, got {flag!r}")
    return "[tool.corpus_qa] pytest = true" if flag else None


def resolve_settings(config: pytest.Config) -> Settings | None:
    """The plugin's settings, or ``None`` when it is not enabled; bad settings are usage errors."""
    from corpus_qa.config import ConfigError, load_project_config

    try:
        project = load_project_config(config.rootpath)
    except ConfigError as exc:
        raise pytest.UsageError(f"corpus-qa: {exc}") from None
    reason = enabled_by(config, project.raw)
    if reason is None:
        return None
    here = config.invocation_params.dir
    ini_dir = config.inipath.parent if config.inipath else config.rootpath
    suite = _first_path(
        (here, config.getoption("corpus_qa_suite")),
        (ini_dir, config.getini("corpus_qa_suite")),
        (Path.cwd(), project.suite),
    ) or _default_suite(config.rootpath)
    if not suite.is_file():
        raise pytest.UsageError(
            f"corpus-qa: {_shown(suite)}: suite file not found — pass --corpus-qa-suite FILE")
    paths = (
        [here / p for p in config.getoption("corpus_qa_paths") or ()]
        or [Path(p) for p in config.getini("corpus_qa_paths")]
        or [Path.cwd() / p for p in project.paths]
        or [here / p for p in suite_corpus_paths(suite)]
    )
    if not paths:
        raise pytest.UsageError(
            "corpus-qa: no corpus paths — pass --corpus-qa-paths PATH, or set corpus_qa_paths "
            "(ini), paths in [tool.corpus_qa], or corpus.paths in the suite")
    for path in paths:
        if not path.exists():
            from corpus_qa.paths import missing_path

            raise pytest.UsageError(
                f"corpus-qa: {missing_path(path, 'the corpus paths', _shown(path))}")
    gating_files = {}
    for name in ("baseline", "waivers"):
        given = _first_path((here, config.getoption(f"corpus_qa_{name}")),
                            (ini_dir, config.getini(f"corpus_qa_{name}")),
                            (Path.cwd(), getattr(project, name)))  # as corpus-qa validate
        if given is not None and not given.is_file():
            raise pytest.UsageError(
                f"corpus-qa: {_shown(given)}: {name} file not found — check "
                f"--corpus-qa-{name} / corpus_qa_{name} / [tool.corpus_qa] {name}")
        gating_files[name] = given.resolve() if given is not None else None
    return Settings(
        suite=suite.resolve(),
        paths=tuple(p.resolve() for p in paths),
        fail_on=_fail_on(config),
        workers=_workers(config),
        enabled_by=reason,
        **gating_files,
    )


def _first_path(*candidates: tuple[Path, str | None]) -> Path | None:
    from corpus_qa.data import DataRefError, resolve_data_path

    for base, value in candidates:
        if value:
            try:
                return resolve_data_path(value, base)  # builtin:news.yml is packaged
            except DataRefError as exc:
                raise pytest.UsageError(f"corpus-qa: {exc}") from None
    return None


def _default_suite(rootpath: Path) -> Path:
    """``expectations/news.yml`` under the rootdir when it exists, else ``builtin:news.yml``."""
    from corpus_qa.data import DEFAULT_SUITE as BUILTIN_SUITE
    from corpus_qa.data import resolve_data_path

    local = rootpath / DEFAULT_SUITE
    return local if local.is_file() else resolve_data_path(BUILTIN_SUITE)


def _fail_on(config: pytest.Config) -> str:
    value = config.getoption("corpus_qa_fail_on") or config.getini("corpus_qa_fail_on") or "error"
    if value not in FAIL_ON:
        raise pytest.UsageError(
            f"corpus-qa: corpus_qa_fail_on must be one of {', '.join(FAIL_ON)}, got {value!r}")
    return str(value)


def _workers(config: pytest.Config) -> int | None:
    workers = config.getoption("corpus_qa_workers")
    if workers is not None and workers < 1:
        raise pytest.UsageError("corpus-qa: --corpus-qa-workers must be at least 1")
    if workers is None and hasattr(config, "workerinput"):
        return 1  # an xdist worker: the workers already use the cores
    return workers


def suite_corpus_paths(suite: Path) -> list[str]:
    """The suite's ``corpus.paths``, read without validating the suite (that needs GX).

    A suite that is not even YAML is a usage error here, naming file and line: with no
    corpus path there would be no corpus file to report it at collection.
    """
    from corpus_qa.yamlfile import YamlError, load_located

    try:
        data = load_located(_shown(suite)).data
    except YamlError as exc:
        raise pytest.UsageError(f"corpus-qa: {exc}") from None
    corpus = data.get("corpus") if isinstance(data, dict) else None
    paths = corpus.get("paths") if isinstance(corpus, dict) else None
    if isinstance(paths, str):
        paths = [paths]
    return [p for p in paths or () if isinstance(p, str)]


def _shown(path: Path) -> str:
    from corpus_qa.paths import display_path

    return display_path(path)


# --- the one validation run per process ------------------------------------------------

STATE = pytest.StashKey["CorpusQA"]()


class CorpusQA:
    """The plugin's state for one pytest process: settings and the cached run."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.result: RunResult | None = None
        self.verdict: Verdict | None = None
        self._plan: CorpusPlan | None = None
        self._error: CorpusQASetupError | None = None
        self.error_reported = False

    def plan(self) -> CorpusPlan:
        """Validate the corpus (the first time only) and return the items to collect."""
        if self._error is not None:
            raise self._error
        if self._plan is None:
            try:
                result = run_validation(self.settings)
                self.verdict = gate_run(self.settings, result)
            except CorpusQASetupError as exc:
                self._error = exc
                raise
            self.result = result
            self._plan = build_plan(result, self.verdict)
        return self._plan


def run_validation(settings: Settings) -> RunResult:
    """Load the suite and validate the corpus paths (imports GX)."""
    from corpus_qa.runner import Runner
    from corpus_qa.sources import CorpusPathError
    from corpus_qa.suite import SuiteError, load_suite

    try:
        suite = load_suite(_shown(settings.suite))
    except SuiteError as exc:
        raise CorpusQASetupError(str(exc)) from None
    try:
        return Runner(suite, workers=settings.workers).run([_shown(p) for p in settings.paths])
    except CorpusPathError as exc:
        raise CorpusQASetupError(str(exc)) from None


def gate_run(settings: Settings, result: RunResult) -> Verdict:
    """The run's verdict with the settings' waivers, baseline and fail-on (as ``validate``)."""
    from corpus_qa import gating
    from corpus_qa.gate import gate

    try:
        waivers = (gating.load_waivers(_shown(settings.waivers),
                                       expectations=[o.type for o in result.outcomes])
                   if settings.waivers else [])
        baseline = gating.load_baseline(_shown(settings.baseline)) if settings.baseline else None
    except gating.GatingError as exc:
        raise CorpusQASetupError(str(exc)) from None
    return gate(result, waivers=waivers, baseline=baseline, fail_on=settings.fail_on)


# --- what to collect: a pure plan built from the run and its verdict --------------------


@dataclass
class ItemPlan:
    """One item: an expectation applied to one document, one story or one file's input."""

    name: str
    outcome: Outcome
    judged: ExpectationVerdict
    findings: list[Finding]
    path: Path
    line: int = 1
    document: str | None = None
    story: str | None = None
    members: tuple[str, ...] = ()
    records: int | None = None
    """For a shard's item: how many records (documents) of the shard it covers."""
    set_aside: dict[int, str] = field(default_factory=dict)
    """Index in ``findings`` -> ``waived`` or ``known``: findings the verdict does not count."""

    @property
    def counted(self) -> list[Finding]:
        """The findings the verdict counts."""
        return [f for i, f in enumerate(self.findings) if i not in self.set_aside]

    @property
    def subject(self) -> str:
        """What the item checks, for messages: the document, the story or the file."""
        if self.records is not None:
            return f"shard {_shown(self.path)} ({self.records} records)"
        if self.story is not None:
            return f"story {self.story} ({', '.join(self.members)})"
        if self.document is not None:
            return f"document {self.document}"
        return f"file {_shown(self.path)}"

    def verdict(self) -> str:
        """``pass``, ``fail``, ``warn`` or ``error``, read from the run's gated verdict."""
        if self.judged.status == "error":
            return "error"
        counted = self.counted
        if not counted:
            return "pass"
        if self.judged.fails_run:
            return "fail"
        return "pass" if self.outcome.severity == "info" else "warn"

    def failure_text(self) -> str:
        """The counted finding lines, then one line on the expectation's verdict."""
        o, counted = self.outcome, self.counted
        if self.records is not None:  # name the record: a shard's line alone is a locator
            lines = [f"{f.line_text()} (record {f.document})" for f in counted]
        else:
            lines = [f.line_text() for f in counted]
        rows = "stories" if o.scope == "story" else ("inputs" if o.scope == INPUT else "documents")
        before = (f" ({o.unexpected} before waivers and baseline)"
                  if self.judged.gated_unexpected != o.unexpected else "")
        lines.append(f"{self.name} [{o.severity}] failed: {self.judged.gated_unexpected} of "
                     f"{o.checked} {rows} unexpected{before} (mostly {o.mostly}); "
                     f"{len(counted)} finding(s) in {self.subject}")
        return "\n".join(lines)


@dataclass
class DocumentPlan:
    """The items of one document."""

    id: str
    line: int
    items: list[ItemPlan] = field(default_factory=list)


@dataclass
class FilePlan:
    """The items of one corpus file: its ``input`` item and its documents' items."""

    path: Path
    input: ItemPlan
    documents: list[DocumentPlan] = field(default_factory=list)
    expectations: list[tuple[Outcome, ExpectationVerdict]] = field(default_factory=list)
    """Every expectation but ``input``, in suite order (a shard has one item for each)."""


    def shard_items(self) -> list[ItemPlan]:
        """One item per expectation for the whole file (a shard of records).

        Each holds the findings of the document-level items of every record and of the
        story-level items the records host, in record order; the verdict is read as for
        a document's item (it fails when the run fails the expectation and the shard has
        a counted finding of it).
        """
        if not self.documents:
            return []  # nothing was validated: the input item says why
        merged = {outcome.type: ItemPlan(outcome.type, outcome, judged, [], self.path,
                                         records=len(self.documents))
                  for outcome, judged in self.expectations}
        for doc in self.documents:
            for item in doc.items:
                shard = merged[item.name]
                for index, finding in enumerate(item.findings):
                    if index in item.set_aside:
                        shard.set_aside[len(shard.findings)] = item.set_aside[index]
                    shard.findings.append(finding)
        return list(merged.values())


def is_shard(path: Path) -> bool:
    """Whether a corpus file holds records (JSON Lines, compressed or not, or Parquet)."""
    fmt = format_of(path.name)
    return fmt is not None and fmt.kind != "text"


@dataclass
class CorpusPlan:
    """Every file's items, by resolved path."""

    files: dict[Path, FilePlan]
    input_outcome: Outcome
    input_verdict: ExpectationVerdict

    def for_file(self, path: Path) -> FilePlan:
        """The plan of ``path`` (a file the run did not see gets only a passing ``input`` item)."""
        resolved = path.resolve()
        return self.files.get(resolved) or FilePlan(
            resolved, ItemPlan(INPUT, self.input_outcome, self.input_verdict, [], resolved))

    def items(self) -> Iterator[ItemPlan]:
        """Every planned item, in collection order."""
        for plan in self.files.values():
            yield plan.input
            if is_shard(plan.path):
                yield from plan.shard_items()
            else:
                for doc in plan.documents:
                    yield from doc.items


def build_plan(result: RunResult, verdict: Verdict) -> CorpusPlan:
    """Which items to collect, the findings of each and the verdict they read."""
    input_outcome = next(o for o in result.outcomes if o.type == INPUT or o.scope == INPUT)
    input_verdict = verdict.expectation(input_outcome.type)
    by_scope: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in result.outcomes:
        if outcome is not input_outcome:
            by_scope["story" if outcome.scope == "story" else "document"].append(outcome)
    status: dict[int, str] = {}
    input_by_path: dict[Path, list[Finding]] = defaultdict(list)
    by_document: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding, gate_status in zip(result.findings, verdict.statuses, strict=True):
        status[id(finding)] = gate_status
        if finding.expectation == INPUT:
            input_by_path[Path(finding.path).resolve()].append(finding)
        else:
            by_document[(finding.expectation, finding.document)].append(finding)

    def item(outcome: Outcome, found: list[Finding], path: Path, line: int = 1,
             **where: Any) -> ItemPlan:
        aside = {i: status[id(f)] for i, f in enumerate(found) if status[id(f)] != "counted"}
        return ItemPlan(outcome.type, outcome, verdict.expectation(outcome.type), found, path,
                        line, set_aside=aside, **where)

    files: dict[Path, FilePlan] = {}

    expectations = [(o, verdict.expectation(o.type)) for o in result.outcomes
                    if o is not input_outcome]

    def file_plan(path: Path) -> FilePlan:
        if path not in files:
            files[path] = FilePlan(path, item(input_outcome, input_by_path.get(path, []), path),
                                   expectations=expectations)
        return files[path]

    documents: dict[str, tuple[DocumentPlan, Path]] = {}
    for record in result.documents:
        path = Path(record["path"]).resolve()
        doc = DocumentPlan(record["id"], int(record.get("line") or 1))
        for outcome in by_scope["document"]:
            found = by_document.get((outcome.type, doc.id), [])
            doc.items.append(item(outcome, found, path, doc.line, document=doc.id))
        file_plan(path).documents.append(doc)
        documents[doc.id] = (doc, path)
    for path in input_by_path:
        file_plan(path)
    for story, members in stories(result, by_scope["story"], by_document):
        host, path = documents[members[0]]
        for outcome in by_scope["story"]:
            found = [f for m in (*members, story) for f in by_document.get((outcome.type, m), [])]
            host.items.append(item(outcome, found, path, host.line, story=story,
                                   members=members))
    return CorpusPlan(files, input_outcome, input_verdict)


def stories(result: RunResult, outcomes: list[Outcome],
            by_document: dict[tuple[str, str], list[Finding]]) -> list[tuple[str, tuple[str, ...]]]:
    """Each story of ``result.stories`` with its members in corpus order (the first hosts).

    ``result.stories`` lists the stories the story-level expectations checked (those
    with two or more versions). A document with story-level findings outside them is a
    story of its own, so no finding is left without an item.
    """
    if not outcomes:
        return []
    order = {record["id"]: i for i, record in enumerate(result.documents)}
    groups: dict[str, list[str]] = {}
    for story in result.stories:
        groups[str(story["id"])] = [d for d in story.get("documents", []) if d in order]
    placed = {d for members in groups.values() for d in members}
    types = {o.type for o in outcomes}
    for expectation, document in by_document:
        if expectation in types and document in order and document not in placed:
            groups.setdefault(document, []).append(document)
            placed.add(document)
    return [(story, tuple(sorted(members, key=order.__getitem__)))
            for story, members in groups.items() if members]


# --- collection ------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    """Resolve the settings once; without path arguments, add the corpus paths to collection."""
    config.addinivalue_line("markers", f"{MARKER}: an item collected from the corpus by corpus-qa")
    if config.option.help or getattr(config.option, "version", False):
        return
    settings = resolve_settings(config)
    if settings is None:
        return
    config.stash[STATE] = CorpusQA(settings)
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        # No path arguments: pytest collects testpaths (or the invocation directory); the
        # corpus joins them. With path arguments, only corpus files under them are collected.
        given = [(config.invocation_params.dir / a).resolve() for a in config.args]
        for path in settings.paths:
            if not any(path == g or g in path.parents for g in given):
                config.args.append(str(path))


def pytest_report_header(config: pytest.Config) -> list[str]:
    """One header line saying what corpus-qa validates, when it is enabled."""
    state = config.stash.get(STATE, None)
    if state is None:
        return []
    s = state.settings
    return [f"corpus-qa: suite {_shown(s.suite)}, corpus {', '.join(_shown(p) for p in s.paths)} "
            f"(fail on {s.fail_on}; enabled by {s.enabled_by})"]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> CorpusFile | None:
    """A corpus file under the corpus paths becomes a :class:`CorpusFile`."""
    state = parent.config.stash.get(STATE, None)
    if state is None or not state.settings.covers(file_path):
        return None
    return CorpusFile.from_parent(parent, path=file_path)


class CorpusFile(pytest.File):
    """A text file (items per expectation) or a shard of records (per expectation, for all)."""

    def collect(self) -> Iterable[pytest.Item | pytest.Collector]:
        state: CorpusQA = self.config.stash[STATE]
        try:
            plan = state.plan()
        except CorpusQASetupError as exc:
            if state.error_reported:
                return []  # reported once, by the first corpus file collected
            state.error_reported = True
            raise self.CollectError(str(exc)) from None
        file = plan.for_file(self.path)
        items = (file.shard_items() if is_shard(self.path)
                 else [item for doc in file.documents for item in doc.items])
        return [CorpusItem.from_parent(self, name=item.name, plan=item)
                for item in (file.input, *items)]


class CorpusItem(pytest.Item):
    """One expectation on one document, story or file; fails with its finding lines."""

    def __init__(self, *, plan: ItemPlan, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plan = plan
        self.add_marker(MARKER)
        self.user_properties.extend(
            ("corpus_qa_finding", f.line_text() + (f" ({GATE_LABELS[plan.set_aside[i]]})"
                                                   if i in plan.set_aside else ""))
            for i, f in enumerate(plan.findings))

    def runtest(self) -> None:
        verdict = self.plan.verdict()
        if verdict == "error":
            raise CorpusQAInternalError(
                f"{self.name} raised while validating (a bug in the expectation, not a finding):\n"
                + "\n".join(self.plan.outcome.errors))
        if verdict == "fail":
            raise CorpusQAFailure(self.plan.failure_text())
        if verdict == "warn":
            for finding in self.plan.counted:
                warn(finding, self.plan.outcome)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str | Any:
        """The finding lines (no traceback) for corpus-qa failures."""
        error = excinfo.value
        if isinstance(error, CorpusQAFailure | CorpusQAInternalError):
            return str(error)
        if isinstance(error, CorpusQAWarning) and error.finding is not None:
            return f"{error.finding.line_text()}\n(a CorpusQAWarning turned into an error by -W)"
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        """The document's file and the first finding's line (0-based), else the document's line."""
        plan = self.plan
        # The domain heads a failure's section; it never ends the node id, so pytest's
        # verbose lines keep showing the node id unchanged.
        domain = f"{self.name} on {plan.subject}"
        if plan.findings:
            first = plan.findings[0]
            return Path(first.path), first.line - 1, domain
        return plan.path, plan.line - 1, domain


def warn(finding: Finding, outcome: Outcome) -> None:
    """Report a tolerated finding as a :class:`CorpusQAWarning` located at its document.

    The location is given as ``path:line`` with the column as the line number, so pytest's
    warnings summary reads like a finding line (``seeds/a.txt:1:5: CorpusQAWarning: …``)
    and does not print the document's (possibly very long) line beneath it.
    """
    text = finding.line_text().removeprefix(f"{finding.location()}: ")
    if outcome.severity == "error":
        text += f" (tolerated: mostly {outcome.mostly})"
    warnings.warn_explicit(CorpusQAWarning(text, finding), CorpusQAWarning,
                           filename=f"{finding.path}:{finding.line}", lineno=finding.column,
                           module=__name__)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The verdict's notes and a closing line with the exit code ``corpus-qa validate`` gives."""
    state = config.stash.get(STATE, None)
    if state is None or state.result is None or state.verdict is None:
        return  # not enabled, or an xdist controller (the workers validated)
    result, verdict = state.result, state.verdict
    for note in verdict.notes:
        terminalreporter.write_line(note)
    terminalreporter.write_line(
        f"{verdict.closing_line(len(result.documents))} (corpus-qa validate would exit "
        f"{verdict.exit_code})")
