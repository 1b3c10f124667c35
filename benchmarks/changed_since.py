"""How long `--changed-since` takes for a one-document change, next to a full run.

    .venv/bin/python benchmarks/changed_since.py [--documents 20000]

Generates a corpus of news-sized documents in a temporary git repository, times a full
`corpus-qa validate`, changes one document, and times `corpus-qa validate
--changed-since HEAD` (which groups every document into stories first, then validates
the changed document and the other versions of its story). Both through the CLI in a
subprocess, so both include the GX import. The first ``--changed-since`` signs every
document and fills the signature cache (a temporary ``CORPUS_QA_CACHE_DIR``); a second
one, after another one-document change, reads the others' signatures from it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Run, run_measured  # noqa: E402
from news_corpus import write_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def timed(args: list[str], cwd: Path) -> Run:
    """The command through the CLI of this checkout: CPU of the process tree, wall."""
    env = {**os.environ, "CORPUS_QA_CACHE_DIR": str(cwd / ".bench-cache"),
           "PYTHONPATH": str(ROOT)}
    run = run_measured([sys.executable, "-m", "corpus_qa.cli", *args], cwd=cwd, env=env)
    assert run.returncode in (0, 1), run.stderr
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        write_corpus(repo / "corpus", args.documents)
        shutil.copytree(ROOT / "expectations", repo / "expectations")
        for cmd in (["init", "-q"], ["add", "-A"], ["-c", "user.email=b@b", "-c", "user.name=b",
                                                     "commit", "-qm", "corpus"]):
            subprocess.run(["git", *cmd], cwd=repo, check=True)
        full = timed(["validate", "corpus", "-q"], repo)

        def change(name: str, line: str) -> None:
            target = repo / "corpus" / "000" / name
            target.write_text(target.read_text(encoding="utf-8") + line, encoding="utf-8")

        change("doc000007.txt", "\nOne more line.\n")
        cold = timed(["validate", "corpus", "-q", "--changed-since", "HEAD"], repo)
        summary = [line for line in cold.stderr.splitlines() if "--changed-since" in line]
        time.sleep(2.5)  # files written just before a run are read again (racy stamps)
        change("doc000008.txt", "\nAnother line.\n")
        warm = timed(["validate", "corpus", "-q", "--changed-since", "HEAD"], repo)
        change("doc000009.txt", "\nA third line.\n")
        time.sleep(2.5)
        warm2 = timed(["validate", "corpus", "-q", "--changed-since", "HEAD"], repo)
        noop = timed(["--help"], repo)
    print(f"documents            : {args.documents:,}")
    print(f"{'':21}   CPU s   wall s   CPU share of the full run")
    for label, run in (("full validate", full), ("--changed-since, cold", cold),
                       ("  again, warm", warm), ("  once more, warm", warm2),
                       ("corpus-qa --help", noop)):
        print(f"{label:21}: {run.cpu:7.2f}  {run.wall:7.2f}   {run.cpu / full.cpu:.3f}")
    print(f"  {summary[0] if summary else '(no summary line)'}")


if __name__ == "__main__":
    main()
