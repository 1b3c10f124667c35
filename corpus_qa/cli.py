"""``corpus-qa``: validate a corpus, list expectations, export a suite to GX.

Heavy modules (GX, pandas) are imported inside the commands, so ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path
from typing import Any

from corpus_qa import __version__
from corpus_qa.results import EXIT_FAILED, EXIT_INTERNAL, EXIT_PASSED, EXIT_USAGE

DEFAULT_SUITE = "expectations/news.yml"
DEFAULT_REPORT_DIR = "reports"
LARGE_CORPUS_FOR_PROGRESS = 5000


class UsageError(Exception):
    """Bad command-line use or input: exit code 2 with this message."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corpus-qa",
        description="Test-driven quality assurance for text corpora.",
        epilog="Exit codes: 0 passed, 1 expectations failed, 2 usage/suite/input error, "
        "3 internal error.",
    )
    parser.add_argument("--version", action="version", version=f"corpus-qa {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = commands.add_parser(
        "validate", help="check a corpus against a suite",
        description="Check every document of a corpus against a suite's expectations. "
        "Defaults come from [tool.corpus_qa] in the nearest pyproject.toml.",
    )
    validate.add_argument("paths", nargs="*", metavar="PATH",
                          help="corpus directories (of any mix of formats), .txt/.md files, "
                          ".jsonl files (also .gz/.zst/.bz2/.xz) or .parquet files")
    validate.add_argument("--suite", metavar="FILE", help=f"suite YAML (default {DEFAULT_SUITE})")
    validate.add_argument("--json", metavar="PATH", help="write the results as JSON")
    validate.add_argument("--report", nargs="?", const=DEFAULT_REPORT_DIR, metavar="DIR",
                          help=f"write the HTML report to DIR/index.html (default DIR: "
                          f"{DEFAULT_REPORT_DIR})")
    validate.add_argument("--gx-docs", metavar="DIR",
                          help="write GX Data Docs for the run to DIR/index.html")
    validate.add_argument("--junit", metavar="PATH", help="write JUnit XML (one testcase per "
                          "document x expectation)")
    validate.add_argument("--summary-md", metavar="PATH",
                          help="write a Markdown summary for a pull-request comment")
    validate.add_argument("--format", choices=("text", "github"), default="text",
                          help="finding lines as plain text (default) or GitHub workflow "
                          "annotations")
    validate.add_argument("--fail-on", choices=("error", "warning"), default="error",
                          help="lowest severity that fails the run (default error)")
    validate.add_argument("--chunk-size", type=int, default=None, metavar="N",
                          help="documents per GX batch (default 2000)")
    validate.add_argument("--workers", type=int, default=None, metavar="N",
                          help="worker processes for corpora of more than one chunk "
                          "(default: one per core)")
    records = validate.add_argument_group(
        "record fields", "which fields of JSON Lines / Parquet records hold what (default: the "
        "suite's corpus section, else text, id, metadata); dots reach nested fields (meta.date)")
    records.add_argument("--text-field", metavar="NAME", help="the document text")
    records.add_argument("--id-field", metavar="NAME",
                         help="the document id (missing: path#line, path#rowN)")
    records.add_argument("--metadata-field", metavar="NAME",
                         help="an object of metadata fields (other top-level fields count too)")
    gate = validate.add_argument_group("CI gating")
    gate.add_argument("--changed-since", metavar="REV",
                      help="validate only documents changed since git revision REV, plus the "
                      "other versions of their stories")
    gate.add_argument("--baseline", metavar="FILE",
                      help="fail only on findings that are not in this baseline")
    gate.add_argument("--write-baseline", metavar="FILE",
                      help="write the run's findings as a baseline")
    gate.add_argument("--waivers", metavar="FILE",
                      help="YAML file of accepted findings (each with why, optional expires)")
    validate.add_argument("--quiet", "-q", action="store_true",
                          help="print only the summary, not one line per finding")

    commands.add_parser("list", help="list every expectation type with its parameters")

    export = commands.add_parser("export-gx", help="write a suite as Great Expectations suite JSON")
    export.add_argument("suite", nargs="?", metavar="SUITE", help=f"suite YAML (default {DEFAULT_SUITE})")
    export.add_argument("-o", "--output", metavar="PATH", help="output file (default: stdout)")

    schema = commands.add_parser("schema", help="print the JSON Schema of suite files")
    schema.add_argument("-o", "--output", metavar="PATH", help="output file (default: stdout)")

    selftest = commands.add_parser(
        "selftest", help="measure how well a suite finds defects injected into your corpus",
        description="Inject each defect family into copies of the corpus (your files are only "
        "read) and report, per expectation, the fraction of injected defects found and of "
        "untouched documents that stay clean. Exit 0 when every family is found every time "
        "with no false alarm, 1 otherwise.",
    )
    selftest.add_argument("paths", nargs="*", metavar="PATH",
                          help="corpus directories, .txt/.md files or .jsonl files")
    selftest.add_argument("--suite", metavar="FILE", help=f"suite YAML (default {DEFAULT_SUITE})")
    selftest.add_argument("--json", metavar="PATH", help="write the results as JSON")
    selftest.add_argument("--seed", type=int, default=0, metavar="N",
                          help="random seed of the injections (default 0)")
    selftest.add_argument("--copies", type=int, default=None, metavar="N",
                          help="mutated copies per document and family (default 3)")
    selftest.add_argument("--max-stories", type=int, default=None, metavar="N",
                          help="stories sampled from a larger corpus (default 20)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    handler = {"validate": cmd_validate, "list": cmd_list, "export-gx": cmd_export_gx,
               "schema": cmd_schema, "selftest": cmd_selftest}[args.command]
    try:
        return handler(args)
    except UsageError as exc:
        print(f"corpus-qa: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("corpus-qa: interrupted", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception:  # a bug in corpus-qa, not in the user's input
        traceback.print_exc()
        print("corpus-qa: internal error (a bug in corpus-qa) — please report it with the "
              "traceback above", file=sys.stderr)
        return EXIT_INTERNAL


def _suite_and_paths(args: argparse.Namespace) -> tuple[Any, list[str]]:
    from corpus_qa.config import load_project_config
    from corpus_qa.suite import SuiteError, load_suite

    config = load_project_config()
    suite_path = getattr(args, "suite", None) or config.suite or DEFAULT_SUITE
    if not Path(suite_path).is_file():
        raise UsageError(f"{suite_path}: suite file not found — pass --suite FILE")
    try:
        suite = load_suite(suite_path)
    except SuiteError as exc:
        raise UsageError(str(exc)) from None
    paths = list(getattr(args, "paths", None) or config.paths or suite.paths)
    return suite, paths


def _with_fields(suite: Any, args: argparse.Namespace) -> Any:
    """The suite with the record fields given by --text-field/--id-field/--metadata-field."""
    import dataclasses

    given = {k: getattr(args, f"{k}_field", None) for k in ("text", "id", "metadata")}
    for key, value in given.items():
        if value is not None and not value.strip():
            raise UsageError(f"--{key}-field needs a field name")
    chosen = {k: v.strip() for k, v in given.items() if v is not None}
    if not chosen:
        return suite
    return dataclasses.replace(suite, fields=dataclasses.replace(suite.fields, **chosen))


def cmd_validate(args: argparse.Namespace) -> int:
    from corpus_qa import gating
    from corpus_qa.sources import CorpusPathError
    from corpus_qa.results import write_json
    from corpus_qa.runner import DEFAULT_CHUNK_SIZE, Runner, story_map

    suite, paths = _suite_and_paths(args)
    suite = _with_fields(suite, args)
    if not paths:
        raise UsageError("no corpus paths given (and none in [tool.corpus_qa] paths) — "
                         "pass PATH…")
    for path in paths:
        if not Path(path).exists():
            raise UsageError(f"{path}: no such file or directory — check the corpus path")
    chunk_size = args.chunk_size or DEFAULT_CHUNK_SIZE
    if chunk_size < 1:
        raise UsageError("--chunk-size must be at least 1")
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.write_baseline and args.changed_since:
        raise UsageError("--write-baseline records the whole corpus — run it without "
                         "--changed-since")
    try:
        waivers = (gating.load_waivers(args.waivers, expectations=[
            "input", *(s.type for s in suite.expectations)]) if args.waivers else [])
        baseline = gating.load_baseline(args.baseline) if args.baseline else None
        changed = gating.changed_documents(args.changed_since, paths) if args.changed_since \
            else None
    except gating.GatingError as exc:
        raise UsageError(str(exc)) from None
    only = None
    if changed is not None:
        # Stories need every document's signature: group first, validate the selection.
        records, stories = story_map(suite, paths)
        only = gating.select_for_changed(records, changed, stories=stories)
        changed_ids = gating.select_for_changed(records, changed, stories={})
        print(gating.changed_summary(args.changed_since, changed_ids, only, len(records)),
              file=sys.stderr)
    with _progress() as progress:
        runner = Runner(suite, chunk_size=chunk_size, workers=args.workers, progress=progress)
        try:
            files = None
            if only is not None:
                files = {r["path"] for r in records if r["id"] in only} | set(changed or ())
            result = runner.run(paths, only=only, only_paths=changed, only_files=files)
        except CorpusPathError as exc:
            raise UsageError(str(exc)) from None
    if only is not None:  # unread documents were skipped too
        result.skipped_documents = len(records) - len(only)

    gate = _gate(result, waivers, baseline, args.fail_on,
                 selected=only if changed is not None else None)
    if args.write_baseline:
        gating.write_baseline(gate["counted_before_baseline"], args.write_baseline)
        print(f"baseline written: {args.write_baseline} "
              f"({len(gate['counted_before_baseline'])} findings)", file=sys.stderr)
    data = result.to_json(args.fail_on)
    data["success"] = gate["code"] == EXIT_PASSED
    data["gating"] = gate["json"]
    if args.json:
        write_json(data, args.json)
    _write_outputs(args, result, data)
    counted = sorted(gate["counted"], key=lambda f: f.sort_key())
    if args.format == "github":
        from corpus_qa.report import github_annotations

        sys.stdout.write(github_annotations({**data, "findings": [f.to_json() for f in counted]}))
        _print_summary(result, args.fail_on, quiet=True, findings=counted, gate=gate)
    else:
        _print_summary(result, args.fail_on, quiet=args.quiet, findings=counted, gate=gate)
    if gate["code"] == EXIT_INTERNAL:
        for error in result.internal_errors:
            print(f"corpus-qa: internal error in {error}", file=sys.stderr)
    return gate["code"]


def _gate(result: Any, waivers: list[Any], baseline: Any, fail_on: str,
          selected: set[str] | None) -> dict[str, Any]:
    """Which findings count after waivers and a baseline, and the resulting exit code."""
    import datetime as dt

    from corpus_qa import gating

    notes: list[str] = []
    waived = gating.apply_waivers(result.findings, waivers, dt.date.today())
    for waiver in waived.expired:
        notes.append(f"corpus-qa: {waiver.expired_text()}")
    counted = list(waived.kept)
    summary: dict[str, Any] = {"waived": len(waived.waived),
                               "expired_waivers": [w.expired_text() for w in waived.expired]}
    if baseline is not None:
        comparison = gating.compare_to_baseline(waived.kept, baseline, documents=selected)
        counted = list(comparison.new)
        fixed = sum(e.count for e in comparison.fixed)
        notes.append(f"baseline: {len(comparison.new)} new, {len(comparison.known)} known, "
                     f"{fixed} fixed")
        notes.extend(f"fixed: {entry.line_text()}" for entry in comparison.fixed)
        summary["baseline"] = {"new": len(comparison.new), "known": len(comparison.known),
                               "fixed": fixed}
    failing = gating.gated_failures(result, counted, fail_on=fail_on)
    if result.internal_errors:
        code = EXIT_INTERNAL
    else:
        code = EXIT_FAILED if failing else EXIT_PASSED
    summary["failing"] = failing
    return {"counted": counted, "counted_before_baseline": list(waived.kept), "code": code,
            "notes": notes, "json": summary}


def _write_outputs(args: argparse.Namespace, result: Any, data: dict[str, Any]) -> None:
    """The HTML report, JUnit XML and Markdown summary, as asked."""
    import os

    from corpus_qa.report import write_html_report, write_junit, write_summary_md

    report = None
    if args.report:
        report = write_html_report(data, result.text_of, Path(args.report))
        print(f"HTML report: {report}", file=sys.stderr)
    if args.junit:
        write_junit(data, Path(args.junit))
    if args.summary_md:
        summary = Path(args.summary_md)
        summary.parent.mkdir(parents=True, exist_ok=True)
        href = (os.path.relpath(report, summary.parent.resolve()) if report
                else f"{DEFAULT_REPORT_DIR}/index.html")
        write_summary_md(data, summary, href)
    if args.gx_docs:
        from corpus_qa.report.gxdocs import write_gx_docs

        gx_docs = write_gx_docs(result, Path(args.gx_docs), fail_on=args.fail_on)
        print(f"GX Data Docs: {gx_docs}", file=sys.stderr)


class _progress:
    """A progress line on stderr for large corpora, only when stderr is a terminal."""

    def __enter__(self) -> Any:
        if not sys.stderr.isatty():
            return None
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.bar = Progress(SpinnerColumn(), TextColumn("{task.completed:,} documents"),
                            TimeElapsedColumn(), transient=True, console=None)
        self.task = self.bar.add_task("validate", total=None)
        self.started = False

        def update(done: int) -> None:
            if not self.started and done >= LARGE_CORPUS_FOR_PROGRESS:
                self.bar.start()
                self.started = True
            self.bar.update(self.task, completed=done)

        return update

    def __exit__(self, *exc: Any) -> None:
        if getattr(self, "started", False):
            self.bar.stop()


def _print_summary(result: Any, fail_on: str, *, quiet: bool, findings: list[Any],
                   gate: dict[str, Any]) -> None:
    out = sys.stdout
    if not quiet:
        for finding in findings:
            print(f"{finding.line_text()}", file=out)
        if findings:
            print(file=out)
    stats = result.to_json(fail_on)["statistics"]
    counts = stats["findings"]
    for outcome in result.outcomes:
        mark = "PASS" if outcome.success else ("ERROR" if outcome.errors else "FAIL")
        print(f"{mark:5} {outcome.type} [{outcome.severity}] "
              f"{outcome.unexpected}/{outcome.checked} unexpected", file=out)
    if result.skipped_files:
        print(f"skipped {len(result.skipped_files)} file(s) with suffixes no loader reads "
              f"(first: {result.skipped_files[0]})", file=out)
    for note in gate["notes"]:
        print(note, file=out)
    if gate["json"].get("waived"):
        print(f"waived: {gate['json']['waived']} finding(s)", file=out)
    verdict = "passed" if gate["code"] == EXIT_PASSED else "FAILED"
    print(f"\ncorpus-qa: {verdict} — {stats['documents']} documents, "
          f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} info "
          f"({result.duration_s:.2f}s)", file=out)


def cmd_list(args: argparse.Namespace) -> int:
    from corpus_qa.expectations import registered

    for name, cls in registered().items():
        print(f"{name}  [{cls.scope}]")
        print(f"    {cls.summary()}")
        for param, field in cls.parameters().items():
            default = "required" if field.required else f"default {field.default!r}"
            print(f"    - {param}: {_type_name(field.outer_type_)} ({default})")
        print("    - severity: error | warning | info (default 'error'); mostly: 0..1 (default 1.0)")
    return EXIT_PASSED


def _type_name(tp: Any) -> str:
    import typing

    if typing.get_origin(tp) is typing.Literal:
        return " | ".join(str(a) for a in typing.get_args(tp))
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def cmd_export_gx(args: argparse.Namespace) -> int:
    suite, _ = _suite_and_paths(args)
    text = suite.to_gx_json()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_PASSED


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from corpus_qa.schema import suite_schema

    text = json.dumps(suite_schema(), indent=2, sort_keys=True) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_PASSED


def cmd_selftest(args: argparse.Namespace) -> int:
    from corpus_qa.sources import CorpusPathError
    from corpus_qa.results import write_json
    from corpus_qa.selftest import DEFAULT_COPIES, DEFAULT_MAX_STORIES, format_table, run_selftest

    suite, paths = _suite_and_paths(args)
    if not paths:
        raise UsageError("no corpus paths given (and none in [tool.corpus_qa] paths) — "
                         "pass PATH…")
    copies = DEFAULT_COPIES if args.copies is None else args.copies
    max_stories = DEFAULT_MAX_STORIES if args.max_stories is None else args.max_stories
    if copies < 1 or max_stories < 1:
        raise UsageError("--copies and --max-stories must be at least 1")
    try:
        result = run_selftest(paths, suite, seed=args.seed, copies=copies,
                              max_stories=max_stories)
    except CorpusPathError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        write_json(result.to_json(), args.json)
    sys.stdout.write(format_table(result))
    if result.errors:  # the first traceback here, all of them in the JSON
        print(f"corpus-qa: internal error in {result.errors[0]}", file=sys.stderr)
    return result.exit_code()


if __name__ == "__main__":
    sys.exit(main())
