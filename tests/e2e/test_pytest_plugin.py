"""The pytest plugin in real pytest sessions (``pytester``): items, outcomes, selection, xdist."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from corpus_qa import pytest_plugin
from corpus_qa.results import Finding, Outcome, RunResult
from tests.conftest import ROOT, SEEDS, run_cli

pytest_plugins = ["pytester"]

ENCODING = [
    "expect_document_to_be_valid_utf8",
    "expect_document_to_have_no_mojibake",
    "expect_document_to_have_no_control_characters",
    "expect_document_to_be_unicode_normalized",
]
DEFECT_FAILURES = {
    "corpus/bad_byte.txt::expect_document_to_be_valid_utf8",  # its U+FFFD: that one only
    "corpus/control.txt::expect_document_to_have_no_control_characters",
    "corpus/mojibake.txt::expect_document_to_have_no_mojibake",
    "corpus/nfd.txt::expect_document_to_be_unicode_normalized",
}
MOJIBAKE_LINE = ('corpus/mojibake.txt:1:5: expect_document_to_have_no_mojibake [mojibake] mojibake '
                 '"cafÃ©" — UTF-8 text read as cp1252; it should read "café" — decode the '
                 'source as UTF-8 (suggestion: café)')


@pytest.fixture(scope="module", autouse=True)
def _heavy_modules_loaded() -> None:
    """Import GX (and hypothesis, which the inner sessions' hypothesis plugin imports) once:
    pytester's in-process runs drop the modules first imported inside them."""
    import great_expectations  # noqa: F401
    import hypothesis  # noqa: F401

    import corpus_qa.expectations  # noqa: F401
    import corpus_qa.runner  # noqa: F401
    import corpus_qa.suite  # noqa: F401
    from corpus_qa.gxcontext import context

    context()


def write_suite(path: Path, severities: dict[str, str] | None = None,
                extra: dict[str, str] | None = None) -> Path:
    """An encoding-only suite, with optional severities / extra keys per expectation."""
    lines = ["name: enc", "expectations:"]
    for name in ENCODING:
        lines.append(f"  - type: {name}")
        if severities and name in severities:
            lines.append(f"    severity: {severities[name]}")
        if extra and name in extra:
            lines.append(f"    {extra[name]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def defect_corpus(root: Path) -> Path:
    corpus = root / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "clean.txt").write_text("Andrés López said “yes” — twice.\n", encoding="utf-8")
    (corpus / "bad_byte.txt").write_bytes(b"The caf\xe9 opened on Monday.\n")
    (corpus / "mojibake.txt").write_text("The cafÃ© opened on Monday.\n", encoding="utf-8")
    (corpus / "control.txt").write_text("Second line\n has a bell\x07 in it.\n", encoding="utf-8")
    (corpus / "nfd.txt").write_text("The cafe\u0301 opened.\n", encoding="utf-8")
    return corpus


CORPUS_TABLE = '[tool.corpus_qa]\npaths = ["corpus"]\nsuite = "suite.yml"\n'


def pyproject(pytester: pytest.Pytester, *, ini: str = "", corpus_qa: str = CORPUS_TABLE) -> None:
    """Write pyproject.toml: ``ini`` lines for pytest, the ``[tool.corpus_qa]`` table.

    Sessions here run in this process, so they skip pytest's unraisable-exception
    plugin: its two ``gc.collect()`` per session cost 0.3-0.5 s each with GX's objects
    in the heap. No session here needs it, nor assertion rewriting.
    """
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\n'
                               'addopts = "-p no:unraisableexception --assert=plain"\n'
                               f"{ini}\n{corpus_qa}")


@pytest.fixture
def repo(pytester: pytest.Pytester) -> pytest.Pytester:
    """A corpus repository: corpus/ with one defect per file, suite.yml, [tool.corpus_qa]."""
    defect_corpus(pytester.path)
    write_suite(pytester.path / "suite.yml")
    pyproject(pytester)
    return pytester


def outcome_ids(reprec: pytest.HookRecorder) -> tuple[set[str], set[str]]:
    passed, _, failed = reprec.listoutcomes()
    return {r.nodeid for r in passed}, {r.nodeid for r in failed}


# --- registration and opt-in ------------------------------------------------------------


def test_registration_is_light_and_help_lists_the_options(tmp_path: Path) -> None:
    script = ("import sys, pytest\n"
              "code = pytest.main(['--help'])\n"
              "assert code == 0, code\n"
              "heavy = [m for m in ('great_expectations', 'pandas') if m in sys.modules]\n"
              "assert not heavy, heavy\n"
              "print('LIGHT')\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "LIGHT" in proc.stdout
    assert "corpus-qa: a corpus as test items:" in proc.stdout
    for option in ("--corpus-qa ", "--corpus-qa-suite=FILE", "--corpus-qa-paths=PATH",
                   "--corpus-qa-fail-on", "--corpus-qa-workers=N", "corpus_qa_suite (string)",
                   "corpus_qa_paths (paths)", "--corpus-qa-baseline=FILE",
                   "--corpus-qa-waivers=FILE", "corpus_qa_baseline (string)",
                   "corpus_qa_waivers (string)"):
        assert option in proc.stdout, option


def test_without_opt_in_nothing_is_collected(repo: pytest.Pytester) -> None:
    repo.makepyfile(test_plain="def test_plain():\n    assert True\n")
    result = repo.runpytest("-v")
    result.assert_outcomes(passed=1)
    assert "corpus-qa: suite" not in result.stdout.str()  # no header line: the plugin is off
    assert "corpus/" not in result.stdout.str()


@pytest.mark.parametrize(
    ("ini", "table", "args"),
    [
        pytest.param("", "", ["--corpus-qa"], id="flag"),
        pytest.param("", "", ["--corpus-qa-paths", "corpus"], id="paths-option"),
        pytest.param("", "", ["--corpus-qa-suite", "suite.yml"], id="suite-option"),
        pytest.param('corpus_qa_paths = ["corpus"]', "", [], id="ini-paths"),
        pytest.param('corpus_qa_suite = "suite.yml"', "", [], id="ini-suite"),
        pytest.param("", "pytest = true\n", [], id="pyproject-pytest-true"),
    ],
)
def test_each_switch_enables_the_plugin(repo: pytest.Pytester, ini: str, table: str,
                                        args: list[str]) -> None:
    pyproject(repo, ini=ini, corpus_qa=CORPUS_TABLE + table)
    result = repo.runpytest("--collect-only", "-q", *args)
    assert result.ret == 0, result.stdout.str()
    ids = [line for line in result.outlines if line.startswith("corpus/")]
    assert len(ids) == 5 * 5  # 5 files × (input + 4 expectations)
    assert "corpus/clean.txt::input" in ids
    assert "corpus/nfd.txt::expect_document_to_be_unicode_normalized" in ids


def test_pyproject_pytest_key_must_be_a_boolean(repo: pytest.Pytester) -> None:
    pyproject(repo, corpus_qa=CORPUS_TABLE + 'pytest = "yes"\n')
    result = repo.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert ("corpus-qa: [tool.corpus_qa] pytest must be true or false, got 'yes'"
            in result.stderr.str())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--corpus-qa-suite", "missing.yml"],
                     "corpus-qa: missing.yml: suite file not found — pass --corpus-qa-suite FILE",
                     id="missing-suite"),
        pytest.param(["--corpus-qa-paths", "nowhere"],
                     "corpus-qa: nowhere: no such file or directory — check the corpus paths",
                     id="missing-corpus"),
        pytest.param(["--corpus-qa", "--corpus-qa-fail-on", "info"], "invalid choice: 'info'",
                     id="bad-fail-on"),
        pytest.param(["--corpus-qa", "--corpus-qa-workers", "0"],
                     "corpus-qa: --corpus-qa-workers must be at least 1", id="zero-workers"),
    ],
)
def test_bad_settings_are_usage_errors(repo: pytest.Pytester, args: list[str],
                                       message: str) -> None:
    result = repo.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()
    assert "Traceback" not in result.stderr.str()


def test_no_corpus_paths_anywhere_is_a_usage_error(pytester: pytest.Pytester) -> None:
    write_suite(pytester.path / "suite.yml")
    pyproject(pytester, corpus_qa="")
    result = pytester.runpytest("--corpus-qa-suite", "suite.yml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "corpus-qa: no corpus paths — pass --corpus-qa-paths PATH" in result.stderr.str()
    (pytester.path / "suite.yml").write_text("name: s\ncorpus: {paths: [c]\n", encoding="utf-8")
    unreadable = pytester.runpytest("--corpus-qa-suite", "suite.yml")
    assert unreadable.ret == pytest.ExitCode.USAGE_ERROR
    assert "ERROR: corpus-qa: suite.yml:3: invalid YAML: expected ',' or '}', but got " \
           "'<stream end>'" in unreadable.stderr.str()


# --- items, outcomes and failure output ------------------------------------------------


def test_items_fail_exactly_for_the_defective_pairs(repo: pytest.Pytester) -> None:
    reprec = repo.inline_run("--corpus-qa")
    passed, failed = outcome_ids(reprec)
    assert failed == DEFECT_FAILURES
    assert len(passed) == 25 - len(DEFECT_FAILURES)
    assert "corpus/clean.txt::expect_document_to_have_no_mojibake" in passed
    assert "corpus/bad_byte.txt::input" in passed


def test_failure_shows_the_finding_lines_not_a_traceback(repo: pytest.Pytester) -> None:
    result = repo.runpytest("--corpus-qa", "-k", "no_mojibake")
    result.assert_outcomes(failed=1, passed=4)
    out = result.stdout.str()
    assert MOJIBAKE_LINE in result.outlines
    assert ("expect_document_to_have_no_mojibake [error] failed: 1 of 5 documents unexpected "
            "(mostly 1.0); 1 finding(s) in document mojibake") in result.outlines
    result.stdout.fnmatch_lines(["*_ expect_document_to_have_no_mojibake on document mojibake _*"])
    assert "Traceback" not in out and "def runtest" not in out and "raise " not in out
    assert "corpus-qa: FAILED — 5 documents" in out


def test_reportinfo_points_at_the_document_and_the_finding_line(repo: pytest.Pytester) -> None:
    reprec = repo.inline_run("--corpus-qa")
    reports = {r.nodeid: r for r in reprec.getreports("pytest_runtest_logreport")
               if r.when == "call"}
    assert reports["corpus/control.txt::expect_document_to_have_no_control_characters"].location \
        == ("corpus/control.txt", 1, "expect_document_to_have_no_control_characters on "
            "document control")
    assert reports["corpus/clean.txt::input"].location == (
        "corpus/clean.txt", 0, "input on file corpus/clean.txt")


def test_keyword_selection_exitfirst_and_a_single_node_id(repo: pytest.Pytester) -> None:
    selected = repo.runpytest("--corpus-qa", "-k", "unicode_normalized")
    selected.assert_outcomes(passed=4, failed=1, deselected=20)
    first = repo.runpytest("--corpus-qa", "-x")
    assert first.parseoutcomes()["failed"] == 1
    one = repo.runpytest("--corpus-qa", "corpus/nfd.txt::expect_document_to_be_unicode_normalized")
    one.assert_outcomes(failed=1)
    by_file = repo.runpytest("--corpus-qa", "corpus/clean.txt")
    by_file.assert_outcomes(passed=5)


def test_last_failed_reruns_only_the_failures(repo: pytest.Pytester) -> None:
    repo.runpytest("--corpus-qa").assert_outcomes(passed=21, failed=4)
    again = repo.runpytest("--corpus-qa", "--lf")
    again.assert_outcomes(failed=4, deselected=0)
    assert "rerun previous 4 failures" in again.stdout.str()
    (repo.path / "corpus" / "mojibake.txt").write_text("The café opened.\n", encoding="utf-8")
    fixed = repo.runpytest("--corpus-qa", "--lf")
    fixed.assert_outcomes(failed=3, passed=1)
    assert "corpus/mojibake.txt::expect_document_to_have_no_mojibake PASSED" \
        not in fixed.stdout.str()
    _, failed = outcome_ids(repo.inline_run("--corpus-qa", "--lf"))
    assert failed == DEFECT_FAILURES - {"corpus/mojibake.txt::expect_document_to_have_no_mojibake"}


def test_testpaths_and_the_corpus_are_collected_together(repo: pytest.Pytester) -> None:
    pyproject(repo, ini='testpaths = ["tests"]', corpus_qa=CORPUS_TABLE + "pytest = true\n")
    (repo.path / "tests").mkdir()
    (repo.path / "tests" / "test_unit.py").write_text("def test_one():\n    pass\n")
    result = repo.runpytest()
    result.assert_outcomes(passed=22, failed=4)
    only_tests = repo.runpytest("tests")
    only_tests.assert_outcomes(passed=1)


def test_records_in_shards_are_one_item_per_shard_and_expectation(
        pytester: pytest.Pytester) -> None:
    from corpus_qa.sources.write import write_records

    write_suite(pytester.path / "suite.yml")
    pyproject(pytester, corpus_qa="")
    (pytester.path / "c").mkdir()
    (pytester.path / "c" / "lines.jsonl").write_text(
        '{"id": "j1", "text": "fine"}\n{"id": "j2", "text": "cafÃ©"}\n{oops\n', encoding="utf-8")
    write_records(pytester.path / "c" / "part-1.jsonl.gz",
                  [{"id": "g1", "text": "Fine."}, {"id": "g2", "text": "The cafÃ© opened."},
                   {"id": "g3", "text": "A crÃ¨me brûlée."}])
    write_records(pytester.path / "c" / "part-2.parquet",
                  [{"text": "Clean."}, {"text": "The cafe\u0301 opened."}])
    result = pytester.runpytest("--corpus-qa-suite", "suite.yml", "--corpus-qa-paths", "c",
                                "-rf", "-v")
    result.assert_outcomes(passed=11, failed=4)  # 3 shards x (input + 4 expectations)
    failed = {line.split(" ")[1] for line in result.outlines if line.startswith("FAILED ")}
    assert failed == {"c/lines.jsonl::input",
                      "c/lines.jsonl::expect_document_to_have_no_mojibake",
                      "c/part-1.jsonl.gz::expect_document_to_have_no_mojibake",
                      "c/part-2.parquet::expect_document_to_be_unicode_normalized"}
    out = result.stdout.str()
    assert "c/part-1.jsonl.gz::expect_document_to_be_valid_utf8 PASSED" in out
    # A failure names each failing record: its locator (line, or Parquet row) and its id.
    assert ('c/part-1.jsonl.gz:2: expect_document_to_have_no_mojibake [mojibake] text line 1, '
            'column 5: mojibake "cafÃ©"') in out
    assert "(suggestion: café) (record g2)" in out
    assert ("c/part-1.jsonl.gz:3: expect_document_to_have_no_mojibake [mojibake] text line 1, "
            "column 3") in out
    assert "(record g3)" in out
    assert ("expect_document_to_have_no_mojibake [error] failed: 3 of 7 documents unexpected "
            "(mostly 1.0); 2 finding(s) in shard c/part-1.jsonl.gz (3 records)") in out
    assert ("c/part-2.parquet:2: expect_document_to_be_unicode_normalized [not_normalized] "
            "row 2, text line 1, column 8") in out
    assert "(record c/part-2.parquet#row2)" in out
    assert "Traceback" not in out


# --- severities: warnings, info, mostly -----------------------------------------------


def test_warning_level_is_a_pytest_warning_not_a_failure(repo: pytest.Pytester) -> None:
    write_suite(repo.path / "suite.yml",
                {"expect_document_to_be_unicode_normalized": "warning"})
    result = repo.runpytest("--corpus-qa", "-k", "unicode_normalized")
    result.assert_outcomes(passed=5, deselected=20, warnings=1)
    summary = result.outlines[result.outlines.index("corpus/nfd.txt::"
                                                    "expect_document_to_be_unicode_normalized") + 1]
    assert summary == ("  corpus/nfd.txt:1:8: CorpusQAWarning: expect_document_to_be_unicode_"
                       "normalized [not_normalized] not NFC-normalized: 'e\\u0301' should be 'é' "
                       "(1 run in this document) — normalize the text to NFC")
    as_error = repo.runpytest("--corpus-qa", "-k", "unicode_normalized",
                              "-W", "error::corpus_qa.pytest_plugin.CorpusQAWarning")
    as_error.assert_outcomes(passed=4, failed=1, deselected=20)
    assert "Traceback" not in as_error.stdout.str()
    assert any(line.startswith("corpus/nfd.txt:1:8: expect_document_to_be_unicode_normalized "
                               "[not_normalized]") for line in as_error.outlines)
    fail_on_warning = repo.runpytest("--corpus-qa", "-k", "unicode_normalized",
                                     "--corpus-qa-fail-on", "warning")
    fail_on_warning.assert_outcomes(passed=4, failed=1, deselected=20)


def test_info_level_never_fails_or_warns(repo: pytest.Pytester) -> None:
    write_suite(repo.path / "suite.yml", {name: "info" for name in ENCODING})
    result = repo.runpytest("--corpus-qa", "--corpus-qa-fail-on", "warning")
    result.assert_outcomes(passed=25)
    assert "CorpusQAWarning" not in result.stdout.str()


def test_findings_within_mostly_warn_instead_of_failing(repo: pytest.Pytester) -> None:
    write_suite(repo.path / "suite.yml",
                extra={"expect_document_to_have_no_mojibake": "mostly: 0.8"})
    result = repo.runpytest("--corpus-qa", "-k", "no_mojibake")
    result.assert_outcomes(passed=5, deselected=20, warnings=1)
    assert "(tolerated: mostly 0.8)" in result.stdout.str()


def test_findings_are_user_properties_in_junit(repo: pytest.Pytester) -> None:
    repo.runpytest("--corpus-qa", "--junitxml=junit.xml")
    tree = ET.parse(repo.path / "junit.xml")
    props = {
        (case.get("classname"), case.get("name")): [p.get("value") for p in case.iter("property")]
        for case in tree.iter("testcase")
    }
    assert props[("corpus.mojibake.txt", "expect_document_to_have_no_mojibake")] == [MOJIBAKE_LINE]
    assert props[("corpus.clean.txt", "input")] == []


# --- broken suite ---------------------------------------------------------------------


def test_broken_suite_is_one_collection_error_naming_file_and_line(repo: pytest.Pytester) -> None:
    (repo.path / "suite.yml").write_text(textwrap.dedent("""\
        name: broken
        expectations:
          - type: expect_document_to_have_no_mojibake
          - type: expect_document_to_be_unicode_normalised
        """), encoding="utf-8")
    result = repo.runpytest("--corpus-qa")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    out = result.stdout.str()
    assert ("suite.yml:4: unknown expectation 'expect_document_to_be_unicode_normalised'; "
            "did you mean 'expect_document_to_be_unicode_normalized'?") in result.outlines
    assert "Interrupted: 1 error during collection" in out
    assert out.count("ERROR collecting") == 1
    assert "Traceback" not in out


# --- baseline and waivers: the same gate as corpus-qa validate --------------------------

MOJIBAKE_WAIVER = """\
waivers:
  - document: mojibake
    expectation: expect_document_to_have_no_mojibake
    why: The mojibake is fixed upstream next week.
"""


def validate_code(root: Path, *args: str) -> int:
    """``corpus-qa validate`` with the project's [tool.corpus_qa] settings, in this process."""
    from tests.e2e.test_one_verdict import validate

    code, _, stderr = validate(root, *args)
    assert code in (0, 1), stderr
    return code


@pytest.fixture
def baselined(repo: pytest.Pytester) -> pytest.Pytester:
    """The defect corpus with a baseline of every defect but the mojibake, and a waiver file."""
    mojibake = repo.path / "corpus" / "mojibake.txt"
    text = mojibake.read_text(encoding="utf-8")
    mojibake.write_text("The café opened on Monday.\n", encoding="utf-8")
    assert validate_code(repo.path, "--write-baseline", "baseline.json") == 1
    mojibake.write_text(text, encoding="utf-8")
    (repo.path / "waivers.yml").write_text(MOJIBAKE_WAIVER, encoding="utf-8")
    return repo


def test_baseline_leaves_only_the_new_finding_failing(baselined: pytest.Pytester) -> None:
    result = baselined.runpytest("--corpus-qa", "--corpus-qa-baseline", "baseline.json", "-rf")
    result.assert_outcomes(passed=24, failed=1)
    assert [line.split(" ")[1] for line in result.outlines if line.startswith("FAILED ")] == \
        ["corpus/mojibake.txt::expect_document_to_have_no_mojibake"]
    assert validate_code(baselined.path, "--baseline", "baseline.json") == 1
    out = result.stdout.str()
    # One finding per encoding defect: the bad byte's U+FFFD is not also a control character.
    assert "baseline: 1 new, 3 known, 0 fixed" in result.outlines
    assert ("corpus-qa: FAILED — 5 documents, 1 errors, 0 warnings, 0 info (3 known in the "
            "baseline not counted) (corpus-qa validate would exit 1)") in out


@pytest.mark.parametrize(
    ("args", "ini"),
    [
        pytest.param(["--corpus-qa", "--corpus-qa-baseline", "baseline.json",
                      "--corpus-qa-waivers", "waivers.yml"], "", id="options"),
        pytest.param([], 'corpus_qa_paths = ["corpus"]\ncorpus_qa_baseline = "baseline.json"\n'
                     'corpus_qa_waivers = "waivers.yml"', id="ini"),
    ],
)
def test_waived_and_baselined_findings_pass_as_validate_exits_0(
        baselined: pytest.Pytester, args: list[str], ini: str) -> None:
    pyproject(baselined, ini=ini)
    reprec = baselined.inline_run(*args, "--junitxml=junit.xml")
    passed, failed = outcome_ids(reprec)
    assert (len(passed), failed) == (25, set())
    assert validate_code(baselined.path, "--baseline", "baseline.json",
                         "--waivers", "waivers.yml") == 0
    recorded = [p.get("value") for p in ET.parse(baselined.path / "junit.xml").iter("property")
                if p.get("name") == "corpus_qa_finding"]
    assert MOJIBAKE_LINE + " (waived)" in recorded
    assert len(recorded) == 4 and all(v.endswith(("(waived)", "(in the baseline)"))
                                      for v in recorded)


def test_project_baseline_and_waivers_gate_items_as_they_gate_validate(
        baselined: pytest.Pytester) -> None:
    pyproject(baselined, corpus_qa=CORPUS_TABLE + 'baseline = "baseline.json"\n'
                                                  'waivers = "waivers.yml"\n')
    result = baselined.runpytest("--corpus-qa")
    result.assert_outcomes(passed=25)
    assert validate_code(baselined.path) == 0


def test_terminal_summary_of_a_gated_session(baselined: pytest.Pytester) -> None:
    result = baselined.runpytest("--corpus-qa", "--corpus-qa-baseline", "baseline.json",
                                 "--corpus-qa-waivers", "waivers.yml")
    result.assert_outcomes(passed=25)
    assert ("corpus-qa: passed — 5 documents, 0 errors, 0 warnings, 0 info (1 waived, 3 known "
            "in the baseline not counted) (corpus-qa validate would exit 0)") in result.outlines


@pytest.mark.parametrize(
    ("option", "content", "message"),
    [
        pytest.param("--corpus-qa-waivers", None, "corpus-qa: nowhere.yml: waivers file not "
                     "found — check --corpus-qa-waivers / corpus_qa_waivers", id="no-waivers"),
        pytest.param("--corpus-qa-baseline", None, "corpus-qa: nowhere.yml: baseline file not "
                     "found — check --corpus-qa-baseline / corpus_qa_baseline", id="no-baseline"),
    ],
)
def test_missing_gating_files_are_usage_errors(repo: pytest.Pytester, option: str,
                                               content: str | None, message: str) -> None:
    result = repo.runpytest("--corpus-qa", option, "nowhere.yml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()


def test_a_bad_waiver_file_is_one_collection_error(repo: pytest.Pytester) -> None:
    (repo.path / "waivers.yml").write_text(
        "waivers:\n  - document: a\n    expectation: expect_document_to_have_no_mojibak\n"
        "    why: w\n", encoding="utf-8")
    result = repo.runpytest("--corpus-qa", "--corpus-qa-waivers", "waivers.yml")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines([
        "waivers.yml:3: unknown expectation 'expect_document_to_have_no_mojibak'; did you mean "
        "'expect_document_to_have_no_mojibake'?"])
    assert result.stdout.str().count("ERROR collecting") == 1


# --- stories (a fabricated run: story-level expectations through the same plugin) -----


def _finding(expectation: str, document: str, reason: str, severity: str = "error") -> Finding:
    return Finding(expectation=expectation, severity=severity, document=document,
                   path=f"corpus/{document}.txt", reason=reason, message=f"{reason} in {document}",
                   span=(0, 4), line=1, column=1, excerpt="text")


def _story_run() -> RunResult:
    outcomes = [
        Outcome("input", "error", 1.0, {}, "readable", scope="input", checked=3),
        Outcome("expect_document_x", "error", 1.0, {}, "doc", scope="document", checked=3),
        Outcome("expect_versions_figures", "error", 1.0, {}, "figures", scope="story",
                checked=1, unexpected=1),
        Outcome("expect_versions_diacritics", "warning", 1.0, {}, "diacritics", scope="story",
                checked=1, unexpected=1),
        Outcome("expect_versions_credits", "info", 1.0, {}, "credits", scope="story",
                checked=1, unexpected=1),
    ]
    findings = [
        _finding("expect_versions_figures", "b", "figure_changed"),
        _finding("expect_versions_figures", "a", "figure_changed"),
        _finding("expect_versions_diacritics", "b", "diacritics_stripped", "warning"),
        _finding("expect_versions_credits", "a", "credit_lines_differ", "info"),
    ]
    documents = [{"id": d, "path": f"corpus/{d}.txt", "line": 1, "story": s, "metadata": {}}
                 for d, s in (("a", "s1"), ("b", "s1"), ("c", None))]
    return RunResult(suite="fake", corpus=["corpus"], outcomes=outcomes, findings=findings,
                     documents=documents, stories=[{"id": "s1", "documents": ["b", "a"]}])


def test_story_items_are_hosted_by_the_first_version(pytester: pytest.Pytester,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    write_suite(pytester.path / "suite.yml")
    pyproject(pytester, corpus_qa="")
    (pytester.path / "corpus").mkdir()
    for name in "abc":
        (pytester.path / "corpus" / f"{name}.txt").write_text("text\n", encoding="utf-8")
    runs = []

    def fake_run(settings: pytest_plugin.Settings) -> RunResult:
        runs.append(settings)
        return _story_run()

    monkeypatch.setattr(pytest_plugin, "run_validation", fake_run)
    result = pytester.runpytest("--corpus-qa-suite", "suite.yml", "--corpus-qa-paths", "corpus",
                                "-v", "-rf")
    result.assert_outcomes(passed=8, failed=1, warnings=1)
    assert len(runs) == 1  # validated once for the whole session
    result.stdout.fnmatch_lines([
        "corpus/a.txt::expect_versions_figures FAILED*",
        "corpus/a.txt::expect_versions_diacritics PASSED*",
        "corpus/a.txt::expect_versions_credits PASSED*",
    ])
    out = result.stdout.str()
    assert "corpus/b.txt::expect_versions" not in out and "corpus/c.txt::expect_versions" not in out
    assert "corpus/b.txt:1:1: expect_versions_figures [figure_changed] figure_changed in b" in out
    assert "corpus/a.txt:1:1: expect_versions_figures [figure_changed] figure_changed in a" in out
    assert ("expect_versions_figures [error] failed: 1 of 1 stories unexpected (mostly 1.0); "
            "2 finding(s) in story s1 (a, b)") in out
    assert ("corpus/b.txt:1:1: CorpusQAWarning: expect_versions_diacritics "
            "[diacritics_stripped]") in out


def test_plan_gives_every_finding_an_item() -> None:
    from corpus_qa.gate import gate

    run = _story_run()
    plan = pytest_plugin.build_plan(run, gate(run))
    placed = [f for item in plan.items() for f in item.findings]
    assert sorted(placed, key=Finding.sort_key) == sorted(run.findings, key=Finding.sort_key)
    verdicts = {(i.path.name, i.name): i.verdict() for i in plan.items()}
    assert verdicts[("a.txt", "expect_versions_figures")] == "fail"
    assert verdicts[("a.txt", "expect_versions_diacritics")] == "warn"
    assert verdicts[("a.txt", "expect_versions_credits")] == "pass"
    assert pytest_plugin.build_plan(run, gate(run)).items().__next__().name == "input"


# --- xdist --------------------------------------------------------------------------------


@pytest.mark.slow
def test_xdist_workers_give_the_same_outcomes(repo: pytest.Pytester) -> None:
    result = repo.runpytest_subprocess("--corpus-qa", "-n", "2", "-rf", timeout=600)
    result.assert_outcomes(passed=21, failed=4)
    failed = {line.split(" ")[1] for line in result.outlines if line.startswith("FAILED ")}
    assert failed == DEFECT_FAILURES
    assert MOJIBAKE_LINE in result.stdout.str()


# --- the same verdict as corpus-qa validate, on a repository laid out like this one ------


def expected_failures(data: dict) -> set[str]:
    """Node ids that must fail, read from the verdict in ``corpus-qa validate --json`` results."""
    failed = {e["type"]: e for e in data["expectations"] if e["fails_run"]}
    docs = data["documents"]
    path_of = {d["id"]: d["path"] for d in docs}
    host: dict[str, str] = {}
    for story in data.get("stories") or []:
        members = [d["id"] for d in docs if d["id"] in story["documents"]]
        host.update({m: members[0] for m in members})
    ids = set()
    for f in data["findings"]:
        exp = failed.get(f["expectation"])
        if exp is None or f["gate"] != "counted":
            continue
        if f["expectation"] == "input":
            ids.add(f"{f['path']}::input")
        elif exp.get("scope") == "story":
            ids.add(f"{path_of[host.get(f['document'], f['document'])]}::{f['expectation']}")
        else:
            ids.add(f"{f['path']}::{f['expectation']}")
    return ids


def test_same_verdict_as_validate_and_junit_on_a_project_layout(pytester: pytest.Pytester) -> None:
    shutil.copytree(SEEDS, pytester.path / "seeds")
    shutil.copytree(ROOT / "expectations", pytester.path / "expectations")
    pyproject(pytester, corpus_qa='[tool.corpus_qa]\npaths = ["seeds"]\n'
                                  'suite = "expectations/news.yml"\n')
    cli = run_cli("validate", "--json", "results.json", cwd=pytester.path)
    assert cli.returncode in (0, 1), cli.stderr
    data = json.loads((pytester.path / "results.json").read_text(encoding="utf-8"))
    reprec = pytester.inline_run("--corpus-qa", "--junitxml=junit.xml")
    passed, failed = outcome_ids(reprec)
    assert (cli.returncode == 1) == bool(failed)
    assert failed == expected_failures(data)
    scopes = [e.get("scope", "document") for e in data["expectations"] if e["type"] != "input"]
    per_story = scopes.count("story")
    stories = len(data.get("stories") or [])
    files = len({d["path"] for d in data["documents"]})
    assert len(passed | failed) == (files + len(data["documents"]) * (len(scopes) - per_story)
                                    + stories * per_story)
    suite = ET.parse(pytester.path / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    assert (int(suite.get("failures")) + int(suite.get("errors")) > 0) == (cli.returncode == 1)
    assert int(suite.get("tests")) == len(passed | failed)
