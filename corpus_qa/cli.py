"""``corpus-qa``: validate a corpus, list expectations, export a suite to GX.

Heavy modules (GX, pandas) are imported inside the commands, so ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import signal
import sys
import traceback
from pathlib import Path
from typing import Any

from corpus_qa import __version__
from corpus_qa.outputs import (
    COMPLETED,
    STDOUT,
    Output,
    OutputError,
    check_outputs,
    write_atomically,
)
from corpus_qa.results import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_PASSED, EXIT_USAGE

DEFAULT_SUITE = "expectations/news.yml"
"""The default suite when it exists in the working directory; else ``builtin:news.yml``."""
SUITE_HELP = (f"suite YAML, or builtin:news.yml for the packaged one (default: "
              f"[tool.corpus_qa] suite, else {DEFAULT_SUITE} if it exists, else builtin:news.yml)")
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
    validate.add_argument("--suite", metavar="FILE", help=SUITE_HELP)
    validate.add_argument("--json", metavar="PATH",
                          help="write the results as JSON (- for standard output)")
    validate.add_argument("--shard-results-above", type=int, default=None, metavar="N",
                          help="with --json FILE: when the run has more than N documents plus "
                          "findings, write them as JSON Lines shards next to FILE, which names "
                          "them (default: [tool.corpus_qa] shard_results_above, else 100000; "
                          "0: always)")
    validate.add_argument("--follow-symlinks", action="store_true",
                          help="read symbolic links that lead outside the corpus paths and walk "
                          "linked directories (default: report them as input findings)")
    validate.add_argument("--report", nargs="?", const=DEFAULT_REPORT_DIR, metavar="DIR",
                          help=f"write the HTML report to DIR/index.html (default DIR: "
                          f"{DEFAULT_REPORT_DIR})")
    validate.add_argument("--gx-docs", metavar="DIR",
                          help="write GX Data Docs for the run to DIR/index.html")
    validate.add_argument("--junit", metavar="PATH", help="write JUnit XML (one testcase per "
                          "document x expectation)")
    validate.add_argument("--summary-md", metavar="PATH",
                          help="write a Markdown summary for a pull-request comment")
    validate.add_argument("--format", choices=("text", "lines", "github"), default="text",
                          help="text (default): the verdict, a table by expectation and "
                          "reason, then the worst findings (--max-findings); lines: every "
                          "finding on its own line (for grep and editors); github: workflow "
                          "annotations")
    validate.add_argument("--max-findings", type=int, default=None, metavar="N",
                          help="finding lines the text format prints, worst first (default "
                          "40; the rest are in --json, --report and --format lines)")
    validate.add_argument("--statistics", action="store_true",
                          help="print only the table of findings by expectation and reason")
    validate.add_argument("--fail-on", choices=("error", "warning"), default="error",
                          help="lowest severity that fails the run (default error)")
    validate.add_argument("--chunk-size", type=int, default=None, metavar="N",
                          help="documents per GX batch (default 2000; fewer once their texts "
                          "reach 3.5 million characters)")
    validate.add_argument("--workers", type=int, default=None, metavar="N",
                          help="worker processes for corpora of more than one chunk "
                          "(default: one per core)")
    validate.add_argument("--max-story-documents", type=int, default=None, metavar="N",
                          help="a story grouped from more documents is an input finding, its "
                          "versions not compared with each other (default: the suite's "
                          "versions.max_story_documents, else 1000)")
    engine = validate.add_argument_group(
        "engine", "where documents are validated (default: [tool.corpus_qa] engine, else local)")
    engine.add_argument("--engine", choices=("local", "spark"), default=None,
                        help="local: a process pool on this machine; spark: the same checks in "
                        "Spark tasks, identical results (pip install 'corpus-qa[spark]', Java 17)")
    engine.add_argument("--spark-master", metavar="URL", default=None,
                        help="Spark master for --engine spark (default: [tool.corpus_qa] "
                        "spark_master, else local[*]), e.g. spark://HOST:7077")
    engine.add_argument("--spark-conf", metavar="KEY=VALUE", action="append", default=[],
                        help="a Spark setting for --engine spark (repeatable), e.g. "
                        "spark.executor.memory=4g")
    records = validate.add_argument_group(
        "record fields", "which fields of JSON Lines / Parquet records hold what (default: the "
        "suite's corpus section, else text, id, metadata); dots reach nested fields (meta.date)")
    records.add_argument("--text-field", metavar="NAME", help="the document text")
    records.add_argument("--id-field", metavar="NAME",
                         help="the document id (missing: path#line, path#rowN)")
    records.add_argument("--metadata-field", metavar="NAME",
                         help="an object of metadata fields (other top-level fields count too)")
    records.add_argument("--max-document-bytes", type=int, metavar="N",
                         help="a larger document (file, record, text) is an input finding, "
                         "not validated (default 10000000)")
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
                          help="print only the verdict and the table, no finding lines")
    validate.add_argument("--verbose", "-v", action="store_true",
                          help="also print how the engine ran (on stderr), e.g. the story "
                          "grouping's Spark rounds")

    commands.add_parser("list", help="list every expectation type with its parameters")

    export = commands.add_parser("export-gx", help="write a suite as Great Expectations suite JSON")
    export.add_argument("suite", nargs="?", metavar="SUITE", help=SUITE_HELP)
    export.add_argument("-o", "--output", metavar="PATH", help="output file (default: stdout)")

    schema = commands.add_parser("schema", help="print the JSON Schema of suite files (or, with "
                                 "--results, of the --json results file)")
    schema.add_argument("--results", action="store_true",
                        help="the schema of the results JSON (docs/results.md) instead")
    schema.add_argument("-o", "--output", metavar="PATH", help="output file (default: stdout)")

    selftest = commands.add_parser(
        "selftest", help="measure how well a suite finds defects injected into your corpus",
        description="Inject each defect family into copies of the corpus (your files are only "
        "read) and report, per expectation, the fraction of injected defects found and of "
        "untouched documents that stay clean. Exit 0 when every family is found every time "
        "with no false alarm, 1 otherwise.",
    )
    selftest.add_argument("paths", nargs="*", metavar="PATH",
                          help="corpus directories (of any mix of formats), .txt/.md files, "
                          ".jsonl files (also .gz/.zst/.bz2/.xz) or .parquet files")
    selftest.add_argument("--suite", metavar="FILE", help=SUITE_HELP)
    selftest.add_argument("--json", metavar="PATH",
                          help="write the results as JSON (- for standard output)")
    selftest.add_argument("--seed", type=int, default=0, metavar="N",
                          help="random seed of the injections (default 0)")
    selftest.add_argument("--copies", type=int, default=None, metavar="N",
                          help="mutated copies per document and family (default 3)")
    selftest.add_argument("--max-stories", type=int, default=None, metavar="N",
                          help="stories sampled from a larger corpus (default 20)")
    fix = commands.add_parser(
        "fix", help="write a repaired copy of a corpus (never in place) and show what changed",
        description="Validate the corpus, repair what the findings say how to repair "
        "(encoding, boilerplate; with --accept-suggestions also metadata and diacritics from "
        "another version of the story), write the copy in the input's format to --out, report "
        "every edit (JSON and an HTML diff page) and validate the copy. Figures and flattened "
        "paragraphs are never changed. Exit 0 when the copy was written.")
    fix.add_argument("paths", nargs="*", metavar="PATH", help="the corpus (as for validate)")
    fix.add_argument("--out", required=True, metavar="DIR",
                     help="a new (or empty) folder for the repaired copy, outside the corpus")
    fix.add_argument("--suite", metavar="FILE", help=SUITE_HELP)
    fix.add_argument("--only", nargs="+", metavar="FAMILY",
                     choices=("encoding", "boilerplate", "metadata", "diacritics"),
                     help="repair only these families (default: all)")
    fix.add_argument("--accept-suggestions", action="store_true",
                     help="also fill missing metadata and restore diacritics from other "
                     "versions of the story")
    fix.add_argument("--dry-run", action="store_true",
                     help="write only the fix report (the copy is made and validated in a "
                     "temporary folder, then removed)")
    fix.add_argument("--report", default=f"{DEFAULT_REPORT_DIR}/fix", metavar="DIR",
                     help=f"where fix-report.json and index.html go (default "
                     f"{DEFAULT_REPORT_DIR}/fix)")
    fix_records = fix.add_argument_group("record fields", "as for validate")
    fix_records.add_argument("--text-field", metavar="NAME", help="the document text")
    fix_records.add_argument("--id-field", metavar="NAME", help="the document id")
    fix_records.add_argument("--metadata-field", metavar="NAME",
                             help="the object repaired metadata fields are written to")
    report = commands.add_parser(
        "report", help="write the HTML report (and CI outputs) from a --json results file",
        description="Build the HTML report, JUnit XML or Markdown summary from a results "
        "file `corpus-qa validate --json` wrote (inline or sharded), without validating "
        "again: the verdict is the one in the file. Document texts are read again from the "
        "corpus files (run from the folder validate ran in). Exit 0 when written.")
    report.add_argument("results", metavar="RESULTS", help="the results JSON file")
    report.add_argument("--out", default=DEFAULT_REPORT_DIR, metavar="DIR",
                        help=f"write the HTML report to DIR/index.html (default "
                        f"{DEFAULT_REPORT_DIR})")
    report.add_argument("--junit", metavar="PATH", help="also write JUnit XML")
    report.add_argument("--summary-md", metavar="PATH", help="also write the Markdown summary")
    report.add_argument("--text-field", metavar="NAME",
                        help="the record field that held the text (JSON Lines / Parquet; "
                        "default text, as for validate)")
    init = commands.add_parser(
        "init", help="write a starter corpus repository (never overwrites a file)",
        description="Write a starter corpus repository in DIR: [tool.corpus_qa] in "
        "pyproject.toml, expectations/news.yml, a sample shard, the CI workflow, a pre-commit "
        "config, waiver and baseline files, a README. An existing file is never changed; "
        "what to add to an existing pyproject.toml or README.md is printed instead.")
    init.add_argument("dir", nargs="?", default=".", metavar="DIR",
                      help="the repository folder (default: the current folder)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.own_process = argv is None  # the corpus-qa command, not a call from a program
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    handler = {"validate": cmd_validate, "list": cmd_list, "export-gx": cmd_export_gx,
               "schema": cmd_schema, "selftest": cmd_selftest, "init": cmd_init,
               "fix": cmd_fix, "report": cmd_report}[args.command]
    COMPLETED.clear()
    if args.own_process:
        _printable_streams()
    try:
        code = handler(args)
    except (UsageError, OutputError) as exc:
        print(f"corpus-qa: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"corpus-qa: interrupted — {_written_before_interrupt(COMPLETED)}",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception:  # a bug in corpus-qa, not in the user's input
        traceback.print_exc()
        print("corpus-qa: internal error (a bug in corpus-qa) — please report it with the "
              "traceback above", file=sys.stderr)
        return EXIT_INTERNAL
    if args.own_process:
        # the verdict is final and every output is in place: a Ctrl-C from here on
        # (the interpreter's shutdown) would only turn the verdict's exit code into 130
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    return code


def _printable_streams() -> None:
    """Messages reach a terminal whose encoding cannot show every character (a file name,
    an excerpt, the "—" of a summary): what it cannot encode is written as an escape,
    never an error (``PYTHONIOENCODING=ascii``, a C locale)."""
    for stream in (sys.stdout, sys.stderr):
        if _is_utf(stream) or not hasattr(stream, "reconfigure"):
            continue
        stream.reconfigure(errors="backslashreplace")


def _is_utf(stream: Any) -> bool:
    return (getattr(stream, "encoding", None) or "").lower().replace("-", "") in ("utf8",
                                                                                "utf8sig")


def _json_stdout() -> Any:
    """The writer of JSON to stdout: UTF-8 whatever the terminal's encoding (JSON is
    UTF-8; an escape written for a character the encoding lacks would not be JSON)."""
    if _is_utf(sys.stdout) or not hasattr(sys.stdout, "buffer"):
        return sys.stdout.write
    sys.stdout.flush()
    buffer = sys.stdout.buffer
    return lambda text: buffer.write(text.encode("utf-8"))


def _written_before_interrupt(completed: list[str]) -> str:
    """What an interrupted run left: each output is whole or absent (written atomically)."""
    from corpus_qa.paths import display_path

    if not completed:
        return "no output was written or completed"
    shown = [display_path(path) for path in completed[:3]]
    more = f" and {len(completed) - 3:,} more" if len(completed) > 3 else ""
    return (f"complete before it: {', '.join(shown)}{more}; the other outputs were not "
            "written (each output is whole or absent)")


def _suite_and_paths(args: argparse.Namespace) -> tuple[Any, list[str]]:
    from corpus_qa.config import ConfigError, load_project_config
    from corpus_qa.data import DEFAULT_SUITE as BUILTIN_SUITE
    from corpus_qa.data import is_builtin
    from corpus_qa.suite import load_suite
    from corpus_qa.yamlfile import YamlError

    try:
        config = load_project_config()
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if getattr(args, "own_process", False):  # how GX is imported (GX's Spark support or not)
        from corpus_qa.gxcontext import as_command

        as_command(spark=hasattr(args, "engine") and (args.engine or config.engine) == "spark")
    suite_path = getattr(args, "suite", None) or config.suite
    if not suite_path:
        suite_path = DEFAULT_SUITE if Path(DEFAULT_SUITE).is_file() else BUILTIN_SUITE
        where = "found here" if suite_path == DEFAULT_SUITE else f"no {DEFAULT_SUITE} here"
        print(f"corpus-qa: suite {suite_path} (the default: no --suite, no [tool.corpus_qa] "
              f"suite, {where})", file=sys.stderr)
    elif not is_builtin(suite_path) and not Path(suite_path).is_file():
        raise UsageError(f"{suite_path}: suite file not found (relative paths are read from "
                         f"the working directory, {Path.cwd()}) — pass --suite FILE, or "
                         f"--suite {BUILTIN_SUITE} for the packaged news suite")
    try:
        suite = load_suite(suite_path)
    except YamlError as exc:
        raise UsageError(str(exc)) from None
    paths = list(getattr(args, "paths", None) or config.paths or suite.paths)
    args.corpus_roots = list(config.paths or suite.paths)  # where ids of single files start
    if hasattr(args, "engine"):  # the flags win over [tool.corpus_qa]
        args.spark_flags = bool(args.spark_master or args.spark_conf)
        args.engine = args.engine or config.engine or "local"
        args.spark_master = args.spark_master or config.spark_master
        args.spark_conf = [*config.spark_conf, *args.spark_conf]
    if hasattr(args, "shard_results_above") and args.shard_results_above is None:
        args.shard_results_above = config.shard_results_above  # the flag wins, as below
    for name in ("baseline", "waivers"):  # the flag wins over [tool.corpus_qa]
        if hasattr(args, name) and not getattr(args, name):
            if name == "baseline" and getattr(args, "write_baseline", None):
                continue  # writing the baseline (perhaps the first one): nothing to compare to
            setattr(args, name, getattr(config, name))
    return suite, paths


def _with_fields(suite: Any, args: argparse.Namespace) -> Any:
    """The suite with the record fields given by --text-field/--id-field/--metadata-field
    and --max-document-bytes, and the story limit given by --max-story-documents."""
    import dataclasses

    given = {k: getattr(args, f"{k}_field", None) for k in ("text", "id", "metadata")}
    for key, value in given.items():
        if value is not None and not value.strip():
            raise UsageError(f"--{key}-field needs a field name")
    chosen: dict[str, Any] = {k: v.strip() for k, v in given.items() if v is not None}
    limit = getattr(args, "max_document_bytes", None)
    if limit is not None:
        if limit < 1:
            raise UsageError("--max-document-bytes needs a positive number of bytes")
        chosen["max_document_bytes"] = limit
    stories = getattr(args, "max_story_documents", None)
    if stories is not None:
        if stories < 2:
            raise UsageError("--max-story-documents needs a number of documents, 2 or more")
        suite = dataclasses.replace(suite, versions=dataclasses.replace(
            suite.versions, max_story_documents=stories))
    if not chosen:
        return suite
    return dataclasses.replace(suite, fields=dataclasses.replace(suite.fields, **chosen))


def _suite_and_corpus(args: argparse.Namespace) -> tuple[Any, list[str]]:
    """The suite (with the field flags applied) and the corpus paths, which must exist."""
    suite, paths = _suite_and_paths(args)
    suite = _with_fields(suite, args)
    if not paths:
        report = getattr(args, "report", None)
        if (args.command == "validate" and report not in (None, DEFAULT_REPORT_DIR)
                and Path(report).is_dir()):
            raise UsageError(f"no corpus paths given — '--report {report}' took {report} as "
                             "the report folder (--report takes an optional folder); put the "
                             f"corpus first: corpus-qa {args.command} {report} --report")
        raise UsageError("no corpus paths given (and none in [tool.corpus_qa] paths) — "
                         "pass PATH…")
    _check_exist(paths)
    return suite, paths


def _check_exist(paths: list[str]) -> None:
    for path in paths:
        if not Path(path).exists():
            from corpus_qa.paths import missing_path

            raise UsageError(missing_path(path))


def cmd_validate(args: argparse.Namespace) -> int:
    from corpus_qa import gating
    from corpus_qa.gate import gate
    from corpus_qa.resultsfile import SHARD_ABOVE, write_results
    from corpus_qa.runner import DEFAULT_CHUNK_SIZE, Runner, story_map
    from corpus_qa.sources import CorpusPathError

    # Mistakes in the flags and paths given are reported before the suite (and with it
    # GX, seconds of imports) is loaded.
    chunk_size = DEFAULT_CHUNK_SIZE if args.chunk_size is None else args.chunk_size
    if chunk_size < 1:
        raise UsageError("--chunk-size must be at least 1")
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.max_findings is not None and args.max_findings < 0:
        raise UsageError("--max-findings must be 0 or more")
    if args.shard_results_above is not None and args.shard_results_above < 0:
        raise UsageError("--shard-results-above must be 0 or more")
    _check_exist(args.paths or [])
    suite, paths = _suite_and_corpus(args)
    given = list(paths)
    roots = [p for p in args.corpus_roots if Path(p).is_dir()]
    explicit = _given_in_corpus(given, roots) if args.paths else None
    if explicit is not None:  # files inside the configured corpus: read as part of it
        paths = [*roots, *(p for p in given if not _inside(p, roots))]
    if args.write_baseline and (args.changed_since or explicit is not None):
        raise UsageError("--write-baseline records the whole corpus — run it without "
                         "--changed-since, on the corpus folders rather than single files")
    _check_validate_outputs(args, paths)
    try:
        waivers = (gating.load_waivers(args.waivers, expectations=[
            "input", *(s.type for s in suite.expectations)]) if args.waivers else [])
        baseline = gating.load_baseline(args.baseline) if args.baseline else None
        changed = (gating.changed_documents(args.changed_since, given) if args.changed_since
                   else explicit)
    except gating.GatingError as exc:
        raise UsageError(str(exc)) from None
    only = None
    if changed is not None:
        # Stories need every document's signature: group first, validate the selection
        # (the changed documents and the other versions of their stories).
        records, stories = story_map(suite, paths, id_roots=roots,
                                     follow_symlinks=args.follow_symlinks)
        only = gating.select_for_changed(records, changed, stories=stories)
        changed_ids = gating.select_for_changed(records, changed, stories={})
        print(gating.changed_summary(args.changed_since, changed_ids, only, len(records),
                                     **({} if args.changed_since else
                                        {"label": "files given", "noun": "document given"})),
              file=sys.stderr)
    spark = _spark_session(args)
    with _progress() as progress:
        runner = Runner(suite, chunk_size=chunk_size, workers=args.workers, progress=progress,
                        follow_symlinks=args.follow_symlinks, spark=spark)
        try:
            files = None
            if only is not None:
                files = {r["path"] for r in records if r["id"] in only} | set(changed or ())
            result = runner.run(paths, only=only, only_paths=changed, only_files=files,
                                id_roots=roots)
        except CorpusPathError as exc:
            raise UsageError(str(exc)) from None
    if args.verbose:
        _print_engine_stats(runner.stats)
    selected = only
    if only is not None:  # unread documents were skipped too
        result.skipped_documents = len(records) - len(only)
    elif any(Path(p).is_file() for p in paths):
        # Files given alone: baseline entries and waivers of other documents were not
        # looked at, so they are neither "fixed" nor "unused".
        selected = {d["id"] for d in result.documents} | {
            f.document for f in result.findings if f.expectation == "input"}

    # The one verdict, made before any output is written; every output reads it.
    verdict = gate(result, waivers=waivers, baseline=baseline, selected=selected,
                   fail_on=args.fail_on)
    if args.write_baseline:
        recorded = gating.write_baseline(verdict.not_waived(), args.write_baseline)
        print(f"baseline written: {args.write_baseline} ({recorded['total']} findings)",
              file=sys.stderr)
    data = result.to_json(verdict)
    if args.json == STDOUT:
        from corpus_qa.results import stream_json

        stream_json(data, _json_stdout())
    elif args.json:
        above = SHARD_ABOVE if args.shard_results_above is None else args.shard_results_above
        written = write_results(data, args.json, shard_above=above)
        if len(written) > 1:
            print(f"results: {args.json}, its documents and findings in {len(written) - 1} "
                  f"JSON Lines shards next to it (more than {above:,} of them)",
                  file=sys.stderr)
    report = _write_outputs(args, result, verdict, data)
    if args.format == "github":
        from corpus_qa.report.ci import github_annotation_lines

        sys.stdout.writelines(github_annotation_lines(data))
    _print_summary(args, result, verdict, report)
    if verdict.exit_code == EXIT_INTERNAL:
        for error in verdict.internal_errors:
            print(f"corpus-qa: internal error in {error}", file=sys.stderr)
    return verdict.exit_code


def _spark_session(args: argparse.Namespace) -> Any:
    """The SparkSession of ``--engine spark`` (None for the local engine)."""
    if args.engine != "spark":
        if args.spark_flags:
            raise UsageError("--spark-master and --spark-conf need --engine spark (or "
                             "engine = \"spark\" in [tool.corpus_qa])")
        return None
    from corpus_qa.engine.spark import DEFAULT_MASTER, SparkError, parse_conf, start_session

    try:
        return start_session(args.spark_master or DEFAULT_MASTER, parse_conf(args.spark_conf))
    except SparkError as exc:
        raise UsageError(str(exc)) from None


def _inside(path: str, roots: list[str]) -> bool:
    """Whether ``path`` is one of ``roots`` or lies below one."""
    import os

    absolute = Path(os.path.abspath(path))
    return any(absolute == Path(os.path.abspath(r)) or Path(os.path.abspath(r)) in absolute.parents
               for r in roots)


def _given_in_corpus(given: list[str], roots: list[str]) -> set[str] | None:
    """The files named by ``given`` (folders: the files below them, as shown), when at
    least one given file lies inside a configured corpus folder; else ``None``.

    ``corpus-qa validate corpus/a.txt`` (the pre-commit hook's call) then reads
    ``corpus/a.txt`` as part of ``corpus/``: the same ids as a run on the folder, and the
    other versions of its stories as context, exactly as ``--changed-since`` does.
    """
    from corpus_qa.paths import display_path

    if not any(Path(p).is_file() and _inside(p, roots) for p in given):
        return None
    files = set()
    for path in map(Path, given):
        if path.is_dir():
            files |= {display_path(f) for f in path.rglob("*") if f.is_file()
                      and not any(part.startswith(".") for part in f.relative_to(path).parts)}
        else:
            files.add(display_path(path))
    return files


def _check_validate_outputs(args: argparse.Namespace, paths: list[str]) -> None:
    """Refuse outputs that cannot or must not be written, before anything is read."""
    from corpus_qa.report.gxdocs import ASSETS_DIR, SUITE_PAGE
    from corpus_qa.report.html import SHARD_DIR

    if args.json == STDOUT and args.format == "github":
        raise UsageError("--json - and --format github both write to standard output — "
                         "write the JSON to a file")
    asked = [("--json", args.json, ()), ("--junit", args.junit, ()),
             ("--summary-md", args.summary_md, ()), ("--write-baseline", args.write_baseline, ()),
             ("--report", args.report, ("index.html", SHARD_DIR)),
             ("--gx-docs", args.gx_docs, ("index.html", SUITE_PAGE, ASSETS_DIR))]
    outputs = [Output(option, path, writes) for option, path, writes in asked if path]
    if args.json and args.json != STDOUT:  # and the shards it may write next to it
        from corpus_qa.resultsfile import shard_pattern

        outputs[0] = Output("--json", args.json, siblings=shard_pattern(args.json))
    suite_file = getattr(args, "suite", None)
    inputs = [("--suite", suite_file or ""), ("--waivers", args.waivers or ""),
              ("--baseline", args.baseline or "")]
    check_outputs(outputs, corpus=paths, inputs=inputs)


def _write_outputs(args: argparse.Namespace, result: Any, verdict: Any,
                   data: dict[str, Any]) -> Path | None:
    """The HTML report, JUnit XML, Markdown summary and GX Data Docs, as asked.

    Returns the report's path, if one was written."""
    import os

    from corpus_qa.report import write_html_report, write_junit, write_summary_md

    report = None
    if args.report:
        report = write_html_report(data, result.text_of, Path(args.report),
                                   pairs=result.pairs_of)
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

        gx_docs = write_gx_docs(result, verdict, Path(args.gx_docs))
        print(f"GX Data Docs: {gx_docs}", file=sys.stderr)
    return report


def _print_engine_stats(stats: dict[str, Any]) -> None:
    """-v: how the engine ran (check runs, metadata resolutions, Spark grouping)."""
    print(f"engine: {stats.get('check_runs', 0):,} check runs, "
          f"{stats.get('resolutions', 0):,} metadata resolutions", file=sys.stderr)
    if stats.get("stages"):
        print("stages (wall s): " + ", ".join(f"{name} {seconds:.2f}" for name, seconds
                                             in stats["stages"].items()), file=sys.stderr)
    lines = stats.get("lines")
    if lines:
        print(f"repeated lines counted on Spark: {lines['stories']:,} stories, "
              f"{lines['repeated_lines']:,} lines repeated", file=sys.stderr)
    grouping = stats.get("grouping")
    if grouping:
        ended = ("converged" if grouping["converged"]
                 else "did not converge: finished on the driver")
        print(f"story grouping on Spark: {grouping['signed']:,} signatures, "
              f"{grouping['links']:,} verified links, {grouping['rounds']} label-propagation "
              f"rounds ({ended}), {grouping['keyed_conflicts']} components with two story "
              "keys replayed in the local order", file=sys.stderr)


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


def _print_summary(args: argparse.Namespace, result: Any, verdict: Any,
                   report: Path | None) -> None:
    """The terminal output (corpus_qa.report.summary): default, -q, --statistics or lines."""
    from corpus_qa.paths import display_path
    from corpus_qa.report import summary

    seconds = result.duration_s
    out = sys.stderr if args.json == STDOUT else sys.stdout  # --json -: stdout is the JSON
    width = summary.terminal_width(out)
    if args.statistics:
        lines = summary.statistics_lines(result, verdict, width=width, seconds=seconds)
    elif args.format == "lines":
        lines = summary.all_lines(result, verdict, seconds=seconds)
    else:
        lines = summary.summary_lines(
            result, verdict, findings=not (args.quiet or args.format == "github"),
            max_findings=(summary.DEFAULT_MAX_FINDINGS if args.max_findings is None
                          else args.max_findings),
            width=width, report=display_path(report) if report else None, seconds=seconds)
    out.write("\n".join(lines) + "\n")


def cmd_list(args: argparse.Namespace) -> int:
    from corpus_qa.expectations import registered
    from corpus_qa.expectations.base import COLUMN_CONTENT

    print("Each expectation by suite type and by class (Python: from corpus_qa import <class>;"
          " corpus_qa.gx_dataframe(paths) builds the DataFrame it reads).\n")
    for name, cls in registered().items():
        column = cls.__fields__["column"].default
        print(f"{name}  [{cls.scope}]")
        print(f"    class corpus_qa.{cls.__name__}; reads column '{column}': "
              f"{COLUMN_CONTENT.get(column, column)}")
        print(f"    {cls.summary()}")
        for param, field in cls.parameters().items():
            default = "required" if field.required else f"default {field.default!r}"
            print(f"    - {param}: {_type_name(field.outer_type_)} ({default})")
        print(f"    - severity: error | warning | info (default {cls.default_severity!r}); "
              "mostly: 0..1 (default 1.0)")
    return EXIT_PASSED


def _type_name(tp: Any) -> str:
    import typing

    if typing.get_origin(tp) is typing.Literal:
        return " | ".join(str(a) for a in typing.get_args(tp))
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def cmd_export_gx(args: argparse.Namespace) -> int:
    suite, _ = _suite_and_paths(args)
    try:
        text = suite.to_gx_json()
    except OSError as exc:  # a list file the suite names went away since it was loaded
        raise UsageError(f"cannot embed {exc.filename}: {exc.strerror or exc} — the suite "
                         "names it; restore it or fix the suite") from None
    if args.output:
        write_atomically(args.output, text)
    else:
        sys.stdout.write(text)
    return EXIT_PASSED


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from corpus_qa.schema import results_schema, suite_schema

    schema = results_schema() if args.results else suite_schema()
    text = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if args.output:
        write_atomically(args.output, text)
    else:
        sys.stdout.write(text)
    return EXIT_PASSED


def cmd_selftest(args: argparse.Namespace) -> int:
    from corpus_qa.results import write_json
    from corpus_qa.selftest import DEFAULT_COPIES, DEFAULT_MAX_STORIES, format_table, run_selftest
    from corpus_qa.sources import CorpusPathError

    suite, paths = _suite_and_paths(args)
    if not paths:
        raise UsageError("no corpus paths given (and none in [tool.corpus_qa] paths) — "
                         "pass PATH…")
    copies = DEFAULT_COPIES if args.copies is None else args.copies
    max_stories = DEFAULT_MAX_STORIES if args.max_stories is None else args.max_stories
    if copies < 1 or max_stories < 1:
        raise UsageError("--copies and --max-stories must be at least 1")
    if args.json:
        check_outputs([Output("--json", args.json)], corpus=paths,
                      inputs=[("--suite", args.suite or "")])
    try:
        result = run_selftest(paths, suite, seed=args.seed, copies=copies,
                              max_stories=max_stories)
    except CorpusPathError as exc:
        raise UsageError(str(exc)) from None
    if args.json == STDOUT:  # the JSON on stdout, the table on stderr
        from corpus_qa.results import dump_json

        _json_stdout()(dump_json(result.to_json()))
        sys.stderr.write(format_table(result))
    else:
        if args.json:
            write_json(result.to_json(), args.json)
        sys.stdout.write(format_table(result))
    if result.errors:  # the first traceback here, all of them in the JSON
        print(f"corpus-qa: internal error in {result.errors[0]}", file=sys.stderr)
    return result.exit_code()


def cmd_fix(args: argparse.Namespace) -> int:
    from corpus_qa.fixer import FixError, check_out, format_table, run_fix
    from corpus_qa.report.fixpage import write_fix_report
    from corpus_qa.sources import CorpusPathError

    suite, paths = _suite_and_corpus(args)
    try:
        check_out(args.out, paths)  # before anything is read
        report = Path(args.report)
        check_out(report / "fix-report.json", paths, existing_ok=True)
        result = run_fix(paths, suite, args.out, families=args.only or None,
                         accept_suggestions=args.accept_suggestions, dry_run=args.dry_run)
    except (FixError, CorpusPathError) as exc:
        raise UsageError(str(exc)) from None
    data, page = write_fix_report(result, report)
    sys.stdout.write(format_table(result))
    print(f"fix report: {data} and {page}", file=sys.stderr)
    return EXIT_PASSED


def cmd_report(args: argparse.Namespace) -> int:
    """``corpus-qa report RESULTS``: the report of an earlier run, from its results file."""
    import os

    from corpus_qa.report import write_html_report, write_junit, write_summary_md
    from corpus_qa.report.html import SHARD_DIR
    from corpus_qa.resultsfile import ResultsFile, ResultsFileError

    if args.text_field is not None and not args.text_field.strip():
        raise UsageError("--text-field needs a field name")
    try:
        results = ResultsFile(args.results)
    except ResultsFileError as exc:
        raise UsageError(str(exc)) from None
    corpus = [str(p) for p in results.summary.get("corpus") or [] if isinstance(p, str)]
    asked = [("--out", args.out, ("index.html", SHARD_DIR)), ("--junit", args.junit, ()),
             ("--summary-md", args.summary_md, ())]
    inputs = [("RESULTS", str(results.path)),
              *(("RESULTS", str(results.path.parent / entry["path"]))
                for entries in (results.shards or {}).values() for entry in entries)]
    check_outputs([Output(option, path, writes) for option, path, writes in asked if path],
                  corpus=[p for p in corpus if Path(p).exists()], inputs=inputs)
    data = results.results()
    try:
        page = write_html_report(data, _no_text, Path(args.out),
                                 record_texts=_text_reader(args.text_field))
        print(f"HTML report: {page}", file=sys.stderr)
        if args.junit:
            write_junit(data, Path(args.junit))
        if args.summary_md:
            summary = Path(args.summary_md)
            write_summary_md(data, summary,
                             os.path.relpath(page.resolve(), summary.parent.resolve()))
    except ResultsFileError as exc:  # a shard changed while it was read
        raise UsageError(str(exc)) from None
    return EXIT_PASSED


def _no_text(doc_id: str) -> str:
    raise LookupError(doc_id)


def _text_reader(text_field: str | None) -> Any:
    """A document's text from its record in the results (``corpus-qa report``): read
    again from its corpus file by path and line (``LookupError`` when it cannot be)."""
    import dataclasses

    from corpus_qa.sources.base import DEFAULT_FIELDS
    from corpus_qa.sources.locate import read_document

    fields = (DEFAULT_FIELDS if text_field is None
              else dataclasses.replace(DEFAULT_FIELDS, text=text_field.strip()))

    def text_of(record: dict[str, Any]) -> str:
        path, line = record["path"], record.get("line") or 1
        try:
            return read_document(path, line, fields=fields).text
        except (ValueError, OSError) as exc:
            raise LookupError(f"{path}:{line}: {exc}") from None

    return text_of


def cmd_init(args: argparse.Namespace) -> int:
    from corpus_qa.scaffold import InitError, init

    try:
        result = init(Path(args.dir))
    except InitError as exc:
        raise UsageError(str(exc)) from None
    sys.stdout.write(result.text())
    return EXIT_USAGE if result.failed else EXIT_PASSED


if __name__ == "__main__":
    sys.exit(main())
