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

from news_corpus import write_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def timed(args: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    env = {**os.environ, "CORPUS_QA_CACHE_DIR": str(cwd / ".bench-cache")}
    proc = subprocess.run([sys.executable, "-m", "corpus_qa.cli", *args], cwd=cwd,
                          capture_output=True, text=True, env=env)
    return time.perf_counter() - started, proc


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
        full, proc = timed(["validate", "corpus", "-q"], repo)
        assert proc.returncode in (0, 1), proc.stderr
        target = repo / "corpus" / "000" / "doc000007.txt"
        target.write_text(target.read_text(encoding="utf-8") + "\nOne more line.\n",
                          encoding="utf-8")
        changed, proc = timed(["validate", "corpus", "-q", "--changed-since", "HEAD"], repo)
        assert proc.returncode in (0, 1), proc.stderr
        summary = [line for line in proc.stderr.splitlines() if "--changed-since" in line]
        target = repo / "corpus" / "000" / "doc000008.txt"
        target.write_text(target.read_text(encoding="utf-8") + "\nAnother line.\n",
                          encoding="utf-8")
        warm, proc = timed(["validate", "corpus", "-q", "--changed-since", "HEAD"], repo)
        assert proc.returncode in (0, 1), proc.stderr
        noop, _ = timed(["--help"], repo)
    print(f"documents            : {args.documents:,}")
    print(f"full validate        : {full:7.1f} s")
    print(f"--changed-since HEAD : {changed:7.1f} s  ({changed / full:.2f} of the full run)")
    print(f"  {summary[0] if summary else '(no summary line)'}")
    print(f"  again, cache warm  : {warm:7.1f} s  ({warm / full:.2f} of the full run)")
    print(f"corpus-qa --help     : {noop:7.2f} s (process start, for scale)")


if __name__ == "__main__":
    main()
