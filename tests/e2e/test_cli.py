"""The CLI end to end, through a subprocess: exit codes, output, JSON contract."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import NEWS, ROOT, SEED_000, SEED_001, SEEDS, run_cli

ENCODING = [
    "expect_document_to_be_valid_utf8",
    "expect_document_to_have_no_mojibake",
    "expect_document_to_have_no_control_characters",
    "expect_document_to_be_unicode_normalized",
]

REQUIRED_KEYS = {"schema_version", "success", "corpus", "suite", "statistics", "expectations",
                 "documents", "findings"}
FINDING_KEYS = {"expectation", "severity", "document", "path", "reason", "message", "span",
                "line", "column", "excerpt", "related", "suggestion"}


def _results(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    out = tmp_path / "results.json"
    proc = run_cli("validate", *args, "--json", str(out))
    return proc, json.loads(out.read_text(encoding="utf-8"))


def test_help_is_fast_and_does_not_import_gx() -> None:
    # Fast means little work: the CPU seconds the child spent, interpreter start-up
    # included (about 0.1 s; importing GX alone costs 3.5). Not its wall time, which on a
    # loaded CI machine is mostly time spent waiting for a core.
    proc = subprocess.run([sys.executable, "-c",
                           "import sys, time; from corpus_qa.cli import main\n"
                           "try: main(['--help'])\nexcept SystemExit: pass\n"
                           "assert 'great_expectations' not in sys.modules\n"
                           "assert 'pandas' not in sys.modules\n"
                           "print('CPU', time.process_time())"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "validate" in proc.stdout
    cpu = float(proc.stdout.rsplit("CPU ", 1)[1])
    assert cpu < 1.5, f"corpus-qa --help spent {cpu:.2f} CPU seconds"


def test_seeds_encoding_expectations_pass(tmp_path: Path) -> None:
    proc, data = _results(tmp_path, "seeds")
    assert proc.returncode in (0, 1), proc.stderr
    assert set(data) >= REQUIRED_KEYS
    outcomes = {e["type"]: e for e in data["expectations"]}
    for name in ENCODING:
        assert outcomes[name]["success"] is True
        assert outcomes[name]["checked"] == 2
        assert outcomes[name]["unexpected"] == 0
    assert {d["id"] for d in data["documents"]} == {SEED_000, SEED_001}
    assert not [f for f in data["findings"] if f["expectation"] in ENCODING]
    assert data["statistics"]["documents"] == 2


def test_json_is_byte_identical_across_runs_except_the_run_field(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    run_cli("validate", "seeds", "--json", str(first))
    run_cli("validate", "seeds", "--json", str(second))
    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (first, second))
    assert set(a["run"]) == {"started", "duration_s", "tool_version"}
    a.pop("run"), b.pop("run")
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    text = first.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _defect_corpus(root: Path) -> Path:
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "clean.txt").write_text("Andrés López said “yes” — twice.\n", encoding="utf-8")
    (corpus / "bad_byte.txt").write_bytes(b"The caf\xe9 opened on Monday.\n")
    (corpus / "mojibake.txt").write_text("The cafÃ© opened on Monday.\n", encoding="utf-8")
    (corpus / "control.txt").write_text("Second line\n has a bell\x07 in it.\n", encoding="utf-8")
    (corpus / "nfd.txt").write_text("The cafe\u0301 opened.\n", encoding="utf-8")
    return corpus


def test_defect_corpus_fails_exactly_the_defective_documents(tmp_path: Path) -> None:
    corpus = _defect_corpus(tmp_path)
    suite = tmp_path / "enc.yml"
    suite.write_text("name: enc\nexpectations:\n" + "".join(f"  - type: {e}\n" for e in ENCODING))
    proc, data = _results(tmp_path, str(corpus), "--suite", str(suite), "--format", "lines")
    assert proc.returncode == 1, proc.stderr
    by_expectation: dict[str, list[tuple[str, str, list[int], int, int]]] = {}
    for f in data["findings"]:
        assert set(f) >= FINDING_KEYS
        by_expectation.setdefault(f["expectation"], []).append(
            (f["document"], f["reason"], f["span"], f["line"], f["column"]))
    assert by_expectation == {
        "expect_document_to_be_valid_utf8": [("bad_byte", "invalid_utf8", [7, 8], 1, 8)],
        "expect_document_to_have_no_mojibake": [("mojibake", "mojibake", [4, 9], 1, 5)],
        "expect_document_to_have_no_control_characters": [
            # The invalid byte's U+FFFD is the UTF-8 expectation's alone (docs/encoding.md).
            ("control", "control_character", [23, 24], 2, 12),
        ],
        "expect_document_to_be_unicode_normalized": [("nfd", "not_normalized", [7, 9], 1, 8)],
    }
    outcomes = {e["type"]: e for e in data["expectations"]}
    assert {k: (v["checked"], v["unexpected"]) for k, v in outcomes.items()} == {
        "input": (5, 0),
        "expect_document_to_be_valid_utf8": (5, 1),
        "expect_document_to_have_no_mojibake": (5, 1),
        "expect_document_to_have_no_control_characters": (5, 1),
        "expect_document_to_be_unicode_normalized": (5, 1),
    }
    assert "corpus/control.txt:2:12: expect_document_to_have_no_control_characters " \
           "[control_character] control character U+0007 BELL" in proc.stdout.replace(
               str(tmp_path) + "/", "")


def test_mostly_applies_across_chunks(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    for i in range(10):
        text = "cafÃ©" if i < 2 else "clean text"
        (corpus / f"d{i}.txt").write_text(text, encoding="utf-8")
    for mostly, code in ((0.8, 0), (0.85, 1)):
        suite = tmp_path / f"s{mostly}.yml"
        suite.write_text(f"name: s\nexpectations:\n  - type: expect_document_to_have_no_mojibake\n"
                         f"    mostly: {mostly}\n")
        proc = run_cli("validate", str(corpus), "--suite", str(suite), "--chunk-size", "3")
        assert proc.returncode == code, (mostly, proc.stdout, proc.stderr)


def test_warning_severity_passes_unless_fail_on_warning(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("cafe\u0301", encoding="utf-8")
    suite = tmp_path / "s.yml"
    suite.write_text("name: s\nexpectations:\n  - type: expect_document_to_be_unicode_normalized\n"
                     "    severity: warning\n")
    assert run_cli("validate", str(corpus), "--suite", str(suite)).returncode == 0
    assert run_cli("validate", str(corpus), "--suite", str(suite),
                   "--fail-on", "warning").returncode == 1


def test_broken_suite_exits_2_with_file_line_message(tmp_path: Path) -> None:
    suite = tmp_path / "broken.yml"
    suite.write_text(textwrap.dedent("""\
        name: broken
        expectations:
          - type: expect_document_to_have_no_mojibake
          - type: expect_document_to_be_unicode_normalised
        """))
    proc = run_cli("validate", "seeds", "--suite", str(suite))
    assert proc.returncode == 2
    assert f"{suite}:4: unknown expectation 'expect_document_to_be_unicode_normalised'; " \
           "did you mean 'expect_document_to_be_unicode_normalized'?" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_corpus_path_exits_2(tmp_path: Path) -> None:
    proc = run_cli("validate", str(tmp_path / "missing"))
    assert proc.returncode == 2
    assert "no such file or directory" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_chunk_size_of_zero_is_a_usage_error_not_the_default() -> None:
    proc = run_cli("validate", str(SEEDS), "--suite", str(NEWS), "--chunk-size", "0")
    assert proc.returncode == 2, proc.stderr
    assert "--chunk-size must be at least 1" in proc.stderr


def test_unreadable_inputs_are_findings_not_crashes(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("fine", encoding="utf-8")
    (corpus / "blob.txt").write_bytes(b"\x00\x01\x02binary")
    (corpus / "lines.jsonl").write_text('{"id": "j1", "text": "x"}\n{oops\n', encoding="utf-8")
    proc, data = _results(tmp_path, str(corpus), "--suite", str(NEWS))
    assert proc.returncode == 1, proc.stderr
    inputs = [(f["reason"], Path(f["path"]).name, f["line"]) for f in data["findings"]
              if f["expectation"] == "input"]
    assert inputs == [("binary_file", "blob.txt", 1), ("invalid_json", "lines.jsonl", 2)]
    assert data["statistics"]["documents"] == 2


def test_export_gx_round_trips_in_a_fresh_process(tmp_path: Path) -> None:
    out = tmp_path / "news.gx.json"
    proc = run_cli("export-gx", str(NEWS), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    exported = json.loads(out.read_text(encoding="utf-8"))
    script = textwrap.dedent(f"""
        import json, corpus_qa
        import great_expectations as gx
        from great_expectations.core import ExpectationSuite
        gx.get_context(mode="ephemeral")
        data = json.load(open({str(out)!r}))
        suite = ExpectationSuite(**data)
        print(json.dumps([e.expectation_type for e in suite.expectations]))
    """)
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    types = json.loads(loaded.stdout.strip().splitlines()[-1])
    assert types == [e["type"] for e in exported["expectations"]]
    assert len(types) == len(exported["expectations"]) > 0


def test_list_shows_every_expectation_with_parameters() -> None:
    proc = run_cli("list")
    assert proc.returncode == 0
    for name in ENCODING:
        assert name in proc.stdout
    assert "- form: NFC | NFD | NFKC | NFKD (default 'NFC')" in proc.stdout


def test_defaults_come_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("cafÃ©", encoding="utf-8")
    (tmp_path / "suite.yml").write_text(
        "name: s\nexpectations:\n  - type: expect_document_to_have_no_mojibake\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.corpus_qa]\npaths = ["docs"]\nsuite = "suite.yml"\n')
    proc = run_cli("validate", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "docs/a.txt:1:1: expect_document_to_have_no_mojibake [mojibake]" in proc.stdout


def test_seeds_copied_byte_for_byte() -> None:
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        return  # outside the workplace layout there is nothing to compare with
    for seed in shared.glob("*.txt"):
        assert (SEEDS / seed.name).read_bytes() == seed.read_bytes()


def test_worker_pool_gives_the_same_results_as_one_process(tmp_path: Path) -> None:
    corpus = _defect_corpus(tmp_path)
    results = []
    for workers, chunk in (("1", "1000"), ("2", "2")):
        out = tmp_path / f"w{workers}.json"
        proc = run_cli("validate", str(corpus), "--suite", str(NEWS), "--workers", workers,
                       "--chunk-size", chunk, "--json", str(out))
        assert proc.returncode == 1, proc.stderr
        data = json.loads(out.read_text(encoding="utf-8"))
        data.pop("run")
        results.append(data)
    assert results[0] == results[1]
    assert results[0]["findings"]
