"""``corpus-qa init [DIR]``: lay out a starter corpus repository; never overwrite a file.

What is written (each file only where no file of that name exists):

* ``pyproject.toml`` with a ``[tool.corpus_qa]`` table (corpus paths, suite, pytest on,
  baseline and waivers files) and pytest's ``testpaths``. An existing ``pyproject.toml``
  is never edited: when it has no ``[tool.corpus_qa]`` the table to add is printed instead;
* ``expectations/news.yml``: the packaged suite ``builtin:news.yml`` with this
  repository's corpus path, its pattern and phrase lists named ``builtin:…``, and
  comments on how to extend them;
* ``corpus/sample.jsonl``: three clean records (only when ``corpus/`` holds no file yet);
* ``.github/workflows/corpus-qa.yml``: the example workflow shipped with corpus-qa
  (``examples/github-actions.yml``, the same file, packaged);
* ``.pre-commit-config.yaml``: a local hook built from the hook corpus-qa defines in its
  ``.pre-commit-hooks.yaml`` (the same file, packaged), for the corpus folder;
* ``.corpus-qa-waivers.yml`` (no waivers yet) and ``.corpus-qa-baseline.json`` (no known
  findings), which the workflow passes to ``corpus-qa validate``;
* ``README.md`` with a paragraph on the checks (printed instead when a README exists);
* ``.gitignore`` with ``reports/``.

Files are created with exclusive creation (``open(..., "x")``), so even a file that
appears while ``init`` runs is not overwritten.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

STARTER = Path(__file__).resolve().parent / "starter"
"""Packaged starter files: the sample, and the example workflow and hook definition
(links to ``examples/github-actions.yml`` and ``.pre-commit-hooks.yaml`` in the source
tree; the wheel holds their content)."""
CORPUS_DIR = "corpus"
SUITE_FILE = "expectations/news.yml"
SAMPLE_FILE = f"{CORPUS_DIR}/sample.jsonl"
WORKFLOW_FILE = ".github/workflows/corpus-qa.yml"
PRE_COMMIT_FILE = ".pre-commit-config.yaml"
BASELINE_FILE = ".corpus-qa-baseline.json"
WAIVERS_FILE = ".corpus-qa-waivers.yml"


class InitError(Exception):
    """``init`` cannot lay out the repository here (a usage error: exit 2)."""


@dataclass(frozen=True)
class Starter:
    """One file ``init`` may write: its path in the repository, content and purpose."""

    path: str
    content: Callable[[], str]
    what: str


@dataclass
class InitResult:
    """What ``init`` wrote, what it left alone (and what to add by hand), what failed."""

    root: Path
    written: list[tuple[str, str]] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def text(self) -> str:
        """The terminal report: one line per file, then what to add by hand and what next."""
        lines = [f"corpus-qa init: {self.root}"]
        width = max(len(p) for p, _ in (*self.written, *self.kept, *self.failed))
        lines += [f"  wrote   {p:{width}}  {what}" for p, what in self.written]
        lines += [f"  kept    {p:{width}}  {why.splitlines()[0]}" for p, why in self.kept]
        lines += [f"  FAILED  {p:{width}}  {why}" for p, why in self.failed]
        for path, why in self.kept:
            if "\n" in why:
                lines += ["", f"{path}: {why.splitlines()[0]}", *why.splitlines()[1:]]
        lines += ["", "Nothing existing was changed. Next:",
                  f"  cd {self.root}",
                  "  corpus-qa validate            # the corpus against expectations/news.yml",
                  "  pytest                        # the same, as one test item per shard and "
                  "expectation",
                  "Put your documents (text files or .jsonl/.jsonl.gz/.jsonl.zst/.parquet shards) "
                  f"in {CORPUS_DIR}/ and remove {SAMPLE_FILE}."]
        return "\n".join(lines) + "\n"


# --- the files ------------------------------------------------------------------------------


def pyproject_section() -> str:
    """The ``[tool.corpus_qa]`` table of a corpus repository."""
    rows = [(f'paths = ["{CORPUS_DIR}"]', "what `corpus-qa validate` checks"),
            (f'suite = "{SUITE_FILE}"', "the expectations"),
            ("pytest = true", "`pytest` collects the corpus as test items"),
            (f'baseline = "{BASELINE_FILE}"', "findings known and accepted for now"),
            (f'waivers = "{WAIVERS_FILE}"', "findings accepted, each with a reason")]
    width = max(len(value) for value, _ in rows)
    return "[tool.corpus_qa]\n" + "".join(f"{value:{width}}  # {note}\n" for value, note in rows)


PYTEST_SECTION = """\

[tool.pytest.ini_options]
# `pytest` collects the corpus only (add "tests" for Python tests of your own); this also
# keeps a vendored corpus-qa/ checkout (see .github/workflows/corpus-qa.yml) out of it.
testpaths = ["corpus"]
"""


def pyproject_text() -> str:
    """A new ``pyproject.toml``: the ``[tool.corpus_qa]`` table and pytest's test paths."""
    return pyproject_section() + PYTEST_SECTION


SUITE_HEADER = """\
# This repository's suite: what every document of the corpus must satisfy.
# `corpus-qa validate` (and `pytest`) use it through [tool.corpus_qa] in pyproject.toml.
# It starts as the suite packaged with corpus-qa (builtin:news.yml) plus the corpus path;
# edit it freely. Each expectation has a type, its parameters, a severity (error |
# warning | info; default error) and mostly (the fraction of documents that must pass;
# default 1.0). `corpus-qa list` shows every expectation type and its parameters.
#
# Lists named `builtin:NAME` (phrases for metadata, boilerplate patterns) are packaged
# with corpus-qa. To extend one, keep it and add your own list next to this file:
#
#   - type: expect_document_to_have_no_boilerplate
#     patterns:
#       - builtin:boilerplate/syndication.yml
#       - boilerplate/house.yml          # yours: a path relative to this file
#
# A pattern list is a `patterns:` list of entries with an id, a phrase or a regex, a
# reason, a where and an example the entry must match. To change a packaged list
# instead, copy it from corpus-qa (corpus_qa/data/) next to this file and name your copy
# in place of the builtin: one. A mistake in any of these files stops the run before a
# document is read, naming the file, line and key.
#
# Records (.jsonl, .jsonl.gz, .jsonl.zst, .parquet …) keep their text, id and metadata
# in the fields text, id and metadata; name other fields in the corpus section below
# (text_field, id_field, metadata_field; dots reach nested fields: meta.date).
"""


def suite_text() -> str:
    """The packaged news suite with this header and ``corpus: paths: [corpus]``."""
    from corpus_qa.data import DEFAULT_SUITE, resolve_data_path

    lines = resolve_data_path(DEFAULT_SUITE).read_text(encoding="utf-8").splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)  # the packaged suite's own header describes the packaged copy
    keys = [i for i, line in enumerate(lines) if line.startswith(("description:", "name:"))]
    if not keys or any(line.startswith("corpus:") for line in lines):
        raise RuntimeError("the packaged suite has no name/description line to follow, or "
                           "already has a corpus section")  # a packaging bug, not user input
    at = max(keys) + 1
    corpus = ["corpus:\n", f"  paths: [{CORPUS_DIR}]\n"]
    return SUITE_HEADER + "".join(lines[:at] + corpus + lines[at:])


def sample_text() -> str:
    return (STARTER / "sample.jsonl").read_text(encoding="utf-8")


def workflow_text() -> str:
    return (STARTER / "github-actions.yml").read_text(encoding="utf-8")


PRE_COMMIT_HEADER = """\
# corpus-qa before each commit: `pip install pre-commit && pre-commit install`.
# A local hook: it runs the corpus-qa installed in this environment (the way the CI
# workflow installs it) on the staged corpus files; the suite and other defaults come
# from [tool.corpus_qa] in pyproject.toml. Its settings are those of the hook corpus-qa
# defines (.pre-commit-hooks.yaml in corpus-qa), limited to the corpus folder.
"""


def pre_commit_text() -> str:
    """A ``repo: local`` pre-commit config running corpus-qa's own hook on the corpus."""
    import yaml

    from corpus_qa.sources.registry import DOCUMENT_SUFFIXES

    hooks = yaml.safe_load((STARTER / "pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next((h for h in hooks if h.get("id") == "corpus-qa"), hooks[0])
    local = {key: hook[key] for key in ("id", "name", "entry") if key in hook}
    local["language"] = "system"  # the installed corpus-qa, not a fresh environment
    suffixes = "|".join(re.escape(s) for s in DOCUMENT_SUFFIXES)
    local["files"] = f"(?i)^{CORPUS_DIR}/.*({suffixes})$"
    local.update({key: hook[key] for key in ("pass_filenames", "require_serial") if key in hook})
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    return PRE_COMMIT_HEADER + yaml.safe_dump(config, sort_keys=False, allow_unicode=True,
                                              width=1000)


WAIVERS_TEXT = """\
# Findings accepted for now, each with the reason (see corpus-qa's docs/pytest-and-ci.md).
# An entry names the document (or a glob), the expectation, optionally the reason code,
# why it is accepted and when the waiver expires:
#
#   - document: "valley-*"              # a document id, or a glob of ids
#     expectation: expect_document_to_have_paragraphs
#     why: The wire service sends one-paragraph briefs.
#     expires: 2030-01-01
waivers: []
"""


def baseline_text() -> str:
    """A baseline with no known finding (``corpus-qa validate --write-baseline`` rewrites it)."""
    from corpus_qa.gating import baseline_data
    from corpus_qa.results import dump_json

    return dump_json(baseline_data([]))


README_PARAGRAPH = f"""\
## Corpus quality checks

This corpus is checked with corpus-qa. The documents live in `{CORPUS_DIR}/`: text files
(`.txt`, `.md`) or shards of records (`.jsonl`, `.jsonl.gz`, `.jsonl.zst`, `.jsonl.bz2`,
`.jsonl.xz`, `.parquet`) whose fields are `text`, `id` and `metadata`.
`{SUITE_FILE}` says what every document must satisfy (encoding, metadata,
boilerplate, versions of a story that agree). `corpus-qa validate` checks the corpus
(`--report reports` adds an HTML report) and `pytest` shows the same verdict as one test
item per shard and expectation. The workflow in `{WORKFLOW_FILE}` runs the check on
every pull request and `{PRE_COMMIT_FILE}` before each commit (`pre-commit install`).
A finding accepted for a reason goes in `{WAIVERS_FILE}`;
`corpus-qa validate --write-baseline {BASELINE_FILE}` records today's findings so
that CI fails only on new ones.
"""


def readme_text() -> str:
    return f"# Corpus\n\n{README_PARAGRAPH}"


STARTERS = (
    Starter("pyproject.toml", pyproject_text,
            "[tool.corpus_qa]: corpus paths, suite, pytest = true, baseline, waivers"),
    Starter(SUITE_FILE, suite_text,
            "the suite: the packaged news suite, its lists named builtin:…, how to extend them"),
    Starter(SAMPLE_FILE, sample_text, "a sample shard of 3 clean records (replace it)"),
    Starter(WORKFLOW_FILE, workflow_text, "CI: validate each pull request and push to main "
            "(installs corpus-qa from a corpus-qa/ submodule; see its header)"),
    Starter(PRE_COMMIT_FILE, pre_commit_text, "pre-commit: validate the staged corpus files"),
    Starter(WAIVERS_FILE, lambda: WAIVERS_TEXT, "accepted findings (none yet)"),
    Starter(BASELINE_FILE, baseline_text, "known findings (none yet)"),
    Starter("README.md", readme_text, "how the corpus is checked"),
    Starter(".gitignore", lambda: "reports/\n", "generated reports stay out of git"),
)


# --- laying them out ------------------------------------------------------------------------


def init(root: Path) -> InitResult:
    """Write every starter file that does not exist under ``root`` (created if needed)."""
    if root.exists() and not root.is_dir():
        raise InitError(f"{root}: not a directory — give a new or existing folder")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InitError(f"{root}: cannot create the folder ({exc.strerror})") from None
    result = InitResult(root)
    for starter in STARTERS:
        target = root / starter.path
        reason = _why_kept(root, starter.path)
        if reason is not None:
            result.kept.append((starter.path, reason))
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("x", encoding="utf-8", newline="\n") as handle:
                handle.write(starter.content())
        except FileExistsError:
            result.kept.append((starter.path, "exists; left as it is"))
        except OSError as exc:
            result.failed.append((starter.path, f"cannot write it ({exc.strerror or exc})"))
        else:
            result.written.append((starter.path, starter.what))
    return result


def _why_kept(root: Path, path: str) -> str | None:
    """Why ``path`` is not written (with what to add by hand), or ``None`` to write it."""
    target = root / path
    if path == SAMPLE_FILE and (root / CORPUS_DIR).is_dir() and any(
            p.is_file() for p in (root / CORPUS_DIR).rglob("*")):
        return f"{CORPUS_DIR}/ already holds documents; no sample added"
    if not (target.exists() or target.is_symlink()):
        return None
    if path == "pyproject.toml":
        return _pyproject_advice(target)
    if path == "README.md":
        try:
            mentions = "corpus-qa" in target.read_text(encoding="utf-8", errors="replace")
        except OSError:
            mentions = False
        if mentions:
            return "exists and mentions corpus-qa; left as it is"
        return "exists; left as it is — to describe the checks, add this paragraph:\n\n" + \
            README_PARAGRAPH
    return "exists; left as it is"


def _pyproject_advice(target: Path) -> str:
    try:
        data = tomllib.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return (f"exists but cannot be read as TOML ({exc}); left as it is — once it can, "
                "add this table:\n\n" + pyproject_section())
    tool = data.get("tool")
    if isinstance(tool, dict) and "corpus_qa" in tool:
        return "exists and has [tool.corpus_qa]; left as it is"
    return "exists without [tool.corpus_qa]; left as it is — add this table to it:\n\n" + \
        pyproject_section()
