"""CI gating end to end: real git repositories, real runs, the example workflow and hook."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from corpus_qa.gate import gate
from corpus_qa.gating import (
    GatingError,
    apply_waivers,
    changed_documents,
    compare_to_baseline,
    load_baseline,
    load_waivers,
    select_for_changed,
    write_baseline,
)
from corpus_qa.results import RunResult
from corpus_qa.sources.registry import DOCUMENT_SUFFIXES
from tests.conftest import ROOT, SEED_000, SEED_001, SEEDS, git, run_cli

BIN = Path(sys.executable).parent
ENCODING_SUITE = (
    "name: enc\nexpectations:\n  - type: expect_document_to_be_valid_utf8\n"
    "  - type: expect_document_to_have_no_mojibake\n"
)


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository on ``main``: corpus/ (txt, md, jsonl) and notes/ outside the corpus."""
    root = tmp_path / "repo"
    (root / "corpus" / "sub").mkdir(parents=True)
    (root / "notes").mkdir()
    (root / "corpus" / "a.txt").write_text("Alpha story.\n", encoding="utf-8")
    (root / "corpus" / "b.txt").write_text("Beta story.\n", encoding="utf-8")
    (root / "corpus" / "sub" / "c.md").write_text("# Gamma\n", encoding="utf-8")
    (root / "corpus" / "lines.jsonl").write_text('{"id": "j", "text": "x"}\n', encoding="utf-8")
    (root / "notes" / "readme.md").write_text("notes\n", encoding="utf-8")
    (root / ".gitignore").write_text("corpus/ignored.txt\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "corpus")
    monkeypatch.chdir(root)
    return root


# --- changed_documents --------------------------------------------------------------------


def test_committed_staged_unstaged_and_untracked_changes_count(repo: Path) -> None:
    git(repo, "switch", "-q", "-c", "pr")
    (repo / "corpus" / "a.txt").write_text("Alpha story, edited.\n", encoding="utf-8")
    commit_all(repo, "edit a")
    (repo / "corpus" / "b.txt").write_text("Beta story, staged.\n", encoding="utf-8")
    git(repo, "add", "corpus/b.txt")
    (repo / "corpus" / "sub" / "c.md").write_text("# Gamma, unstaged\n", encoding="utf-8")
    (repo / "corpus" / "new doc.txt").write_text("New.\n", encoding="utf-8")
    (repo / "corpus" / "Ünïcode.txt").write_text("Neu.\n", encoding="utf-8")
    (repo / "corpus" / "image.png").write_bytes(b"\x89PNG")
    (repo / "corpus" / "ignored.txt").write_text("ignored\n", encoding="utf-8")
    (repo / "notes" / "readme.md").write_text("outside the corpus\n", encoding="utf-8")
    (repo / "corpus" / "lines.jsonl").unlink()
    assert changed_documents("main", ["corpus"]) == {
        "corpus/a.txt", "corpus/b.txt", "corpus/sub/c.md", "corpus/new doc.txt",
        "corpus/Ünïcode.txt",
    }
    assert changed_documents("main", ["corpus/sub"]) == {"corpus/sub/c.md"}
    assert "notes/readme.md" in changed_documents("main", ["."])


def test_nothing_changed_and_renames(repo: Path) -> None:
    assert changed_documents("main", ["corpus"]) == set()
    git(repo, "mv", "corpus/b.txt", "corpus/b2.txt")
    assert changed_documents("HEAD", ["corpus"]) == {"corpus/b2.txt"}


def test_changes_on_the_base_branch_after_forking_do_not_count(repo: Path) -> None:
    git(repo, "switch", "-q", "-c", "pr")
    (repo / "corpus" / "a.txt").write_text("Alpha, on the pull request.\n", encoding="utf-8")
    commit_all(repo, "pr edit")
    git(repo, "switch", "-q", "main")
    (repo / "corpus" / "b.txt").write_text("Beta, edited on main later.\n", encoding="utf-8")
    commit_all(repo, "main edit")
    git(repo, "switch", "-q", "pr")
    assert changed_documents("main", ["corpus"]) == {"corpus/a.txt"}


def test_paths_are_shown_relative_to_the_working_directory(repo: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "corpus" / "a.txt").write_text("edited\n", encoding="utf-8")
    monkeypatch.chdir(repo / "corpus")
    assert changed_documents("main", ["."]) == {"a.txt"}
    monkeypatch.chdir(repo.parent)
    assert changed_documents("main", ["corpus"], cwd=repo) == {"repo/corpus/a.txt"}


@pytest.mark.parametrize(
    ("where", "rev", "paths", "message"),
    [
        pytest.param("outside", "main", ["."], "{outside}: not inside a git work tree — "
                     "--changed-since needs the corpus to be in a git repository", id="no-repo"),
        pytest.param("repo", "origin/main", ["corpus"], "unknown git revision 'origin/main' — "
                     "fetch it first (in GitHub Actions: actions/checkout with fetch-depth: 0) or "
                     "pass another --changed-since", id="unknown-revision"),
        pytest.param("repo", "--output=x", ["corpus"], "unknown git revision '--output=x' — "
                     "fetch it first (in GitHub Actions: actions/checkout with fetch-depth: 0) or "
                     "pass another --changed-since", id="option-like-revision"),
        pytest.param("repo", "main", ["../outside"], "{outside}: corpus path outside the git "
                     "repository at {repo}", id="corpus-outside-the-repo"),
    ],
)
def test_git_problems_are_clear_errors(repo: Path, where: str, rev: str, paths: list[str],
                                       message: str) -> None:
    outside = repo.parent / "outside"
    outside.mkdir()
    cwd = outside if where == "outside" else repo
    with pytest.raises(GatingError) as error:
        changed_documents(rev, paths, cwd=cwd)
    assert str(error.value) == message.format(outside=outside, repo=repo)
    assert not (repo / "x").exists()


# --- real runs ------------------------------------------------------------------------------


def _run(paths: list[str], suite: str) -> RunResult:
    """Validate in this process (imports GX once for the test session)."""
    from corpus_qa.runner import Runner
    from corpus_qa.suite import load_suite

    return Runner(load_suite(suite), workers=1).run(paths)


def test_changed_seed_brings_its_other_version(repo: Path) -> None:
    shutil.copytree(SEEDS, repo / "seeds")
    shutil.copytree(ROOT / "expectations", repo / "expectations")
    commit_all(repo, "seeds")
    with (repo / "seeds" / f"{SEED_001}.txt").open("a", encoding="utf-8") as seed:
        seed.write(" An edit.")
    result = _run(["seeds"], "expectations/news.yml")
    changed = changed_documents("main", ["seeds"])
    assert changed == {f"seeds/{SEED_001}.txt"}
    assert select_for_changed(result.documents, changed) == {SEED_000, SEED_001}
    assert select_for_changed(result.documents, changed, stories={}) == {SEED_001}


def test_baseline_and_waivers_on_real_findings(repo: Path) -> None:
    (repo / "suite.yml").write_text(ENCODING_SUITE, encoding="utf-8")
    (repo / "corpus" / "a.txt").write_text("The cafÃ© opened.\n", encoding="utf-8")
    first = _run(["corpus"], "suite.yml")
    assert [f.document for f in first.findings] == ["a"]
    write_baseline(first, "baseline.json")

    # The finding moves down three lines, and another document gets mojibake.
    (repo / "corpus" / "a.txt").write_text("\n\nNew lead.\nThe cafÃ© opened.\n", encoding="utf-8")
    (repo / "corpus" / "b.txt").write_text("Beta for SchrÃ¶dinger.\n", encoding="utf-8")
    second = _run(["corpus"], "suite.yml")
    new, known, fixed = compare_to_baseline(second.findings, load_baseline("baseline.json"))
    assert [(f.document, f.line) for f in known] == [("a", 4)]
    assert [(f.document, f.reason) for f in new] == [("b", "mojibake")]
    assert fixed == []
    assert gate(second, baseline=load_baseline("baseline.json")).failing == (
        "expect_document_to_have_no_mojibake",)

    (repo / "waivers.yml").write_text(
        "waivers:\n  - document: b\n    expectation: expect_document_to_have_no_mojibake\n"
        "    why: The physicist's name is fixed upstream next week.\n    expires: 2099-01-01\n",
        encoding="utf-8")
    waivers = load_waivers("waivers.yml", expectations=[o.type for o in second.outcomes])
    kept, waived, expired = apply_waivers(new, waivers, dt.date(2030, 1, 1))
    assert (kept, [w.finding for w in waived], expired) == ([], new, [])
    verdict = gate(second, waivers=waivers, baseline=load_baseline("baseline.json"),
                   today=dt.date(2030, 1, 1))
    assert (verdict.failing, verdict.exit_code) == ((), 0)

    (repo / "corpus" / "a.txt").write_text("The café opened.\n", encoding="utf-8")
    third = _run(["corpus"], "suite.yml")
    _, _, fixed = compare_to_baseline(third.findings, "baseline.json")
    assert [(e.document, e.reason, e.excerpt) for e in fixed] == [("a", "mojibake", "cafÃ©")]


# --- the example workflow and the pre-commit hook ---------------------------------------------

WORKFLOW = ROOT / "examples" / "github-actions.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
CONTEXT = {"github.base_ref": "main"}


def project_repo(root: Path) -> Path:
    """A corpus repository laid out like this project, committed on main, with origin/main."""
    root.mkdir()
    shutil.copytree(SEEDS, root / "seeds")
    shutil.copytree(ROOT / "expectations", root / "expectations")
    (root / "pyproject.toml").write_text(
        '[tool.corpus_qa]\npaths = ["seeds"]\nsuite = "expectations/news.yml"\n', encoding="utf-8")
    (root / ".corpus-qa-waivers.yml").write_text(
        "waivers:\n  - document: '*'\n    expectation: expect_document_to_be_valid_utf8\n"
        "    why: Example waiver; the seeds are valid UTF-8.\n", encoding="utf-8")
    (root / ".gitignore").write_text("reports/\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "corpus")
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
    return root




def workflow_steps() -> list[dict]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"pull_request", "push"}
    (job,) = data["jobs"].values()
    return job["steps"]


def runs_on(step: dict, event: str) -> bool:
    condition = step.get("if")
    if condition in (None, "always()"):
        return True
    match = re.fullmatch(r"github\.event_name (==|!=) '(\w+)'", condition)
    assert match, f"condition the test cannot evaluate: {condition}"
    return (event == match[2]) == (match[1] == "==")


def validate_steps(steps: list[dict], event: str) -> list[dict]:
    """The steps that run ``corpus-qa validate`` on ``event``."""
    return [s for s in steps if "corpus-qa validate" in s.get("run", "") and runs_on(s, event)]


def expand(value: str) -> str:
    def lookup(match: re.Match) -> str:
        assert match[1] in CONTEXT, f"expression the test cannot evaluate: {match[0]}"
        return CONTEXT[match[1]]

    return re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lookup, value)


def run_step(step: dict, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "PYTHONUTF8": "1"}
    env.update({k: expand(str(v)) for k, v in (step.get("env") or {}).items()})
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_workflow_shape() -> None:
    steps = workflow_steps()
    uses = {s["uses"].split("@")[0]: s for s in steps if "uses" in s}
    assert uses["actions/checkout"]["with"]["fetch-depth"] == 0
    assert "actions/setup-python" in uses
    assert uses["actions/upload-artifact"]["with"]["path"] == "reports/"
    assert uses["actions/upload-artifact"]["if"] == "always()"
    assert any(s.get("run", "").startswith("python -m pip install -c corpus-qa/constraints.txt")
               for s in steps)
    for event in ("pull_request", "push"):
        validate = validate_steps(steps, event)
        assert len(validate) == 1, event
        assert "--report reports" in validate[0]["run"]
    (pr,) = [s for s in steps if "--changed-since" in s.get("run", "")]
    assert expand(pr["env"]["BASE"]) == "origin/main"


@pytest.mark.slow
def test_workflow_commands_gate_a_pull_request(tmp_path: Path) -> None:
    root = project_repo(tmp_path / "corpus-repo")
    baseline = run_cli("validate", "--write-baseline", ".corpus-qa-baseline.json", cwd=root)
    assert baseline.returncode in (0, 1), baseline.stderr
    commit_all(root, "baseline")
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
    steps = workflow_steps()
    (pr,) = validate_steps(steps, "pull_request")
    (push,) = validate_steps(steps, "push")

    git(root, "switch", "-q", "-c", "pr")
    clean = run_step(pr, root)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert (root / "reports" / "results.json").is_file()
    assert list((root / "reports").glob("*.html"))
    assert run_step(push, root).returncode == 0

    (root / "seeds" / "002_mojibake.txt").write_text(
        "date 2024-01-02 The cafÃ© opened. Originally published by Voice of America.\n",
        encoding="utf-8")
    broken = run_step(pr, root)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "::error" in broken.stdout and "mojibake" in broken.stdout
    results = json.loads((root / "reports" / "results.json").read_text(encoding="utf-8"))
    assert {d["id"] for d in results["documents"]} == {"002_mojibake"}
    assert run_step(push, root).returncode == 1


def test_pre_commit_hook_definition() -> None:
    (hook,) = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert hook["id"] == "corpus-qa"
    assert hook["entry"] == "corpus-qa validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True and hook["require_serial"] is True
    files = re.compile(hook["files"])
    # Every suffix a source reads (the registry's one table), in any case, is staged.
    for suffix in DOCUMENT_SUFFIXES:
        assert files.search(f"corpus/part-1{suffix}"), suffix
        assert files.search(f"corpus/PART-1{suffix.upper()}"), suffix
    assert not any(files.search(p) for p in ("a.py", "a.txt.orig", "pyproject.toml",
                                              "x.jsonl.gz.part", "x.gz", "x.parquet.crc"))


def test_pre_commit_hook_runs_on_the_staged_documents(tmp_path: Path) -> None:
    (hook,) = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    root = project_repo(tmp_path / "corpus-repo")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "PYTHONUTF8": "1"}
    staged = [f"seeds/{SEED_000}.txt", f"seeds/{SEED_001}.txt"]
    hooked = subprocess.run([*shlex.split(hook["entry"]), *staged], cwd=root, env=env,
                            capture_output=True, text=True, timeout=600)
    whole = run_cli("validate", "seeds", cwd=root)
    assert hooked.returncode == whole.returncode, hooked.stderr
    lines = [line for line in hooked.stdout.splitlines() if line.startswith("seeds/")]
    assert lines == [line for line in whole.stdout.splitlines() if line.startswith("seeds/")]

    (root / "seeds" / "002.txt").write_text("The cafÃ© opened.\n", encoding="utf-8")
    one = subprocess.run([*shlex.split(hook["entry"]), "seeds/002.txt"], cwd=root, env=env,
                         capture_output=True, text=True, timeout=600)
    assert one.returncode == 1, one.stderr
    assert "seeds/002.txt:1:5: expect_document_to_have_no_mojibake [mojibake]" in one.stdout
