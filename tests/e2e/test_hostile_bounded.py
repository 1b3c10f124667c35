"""Hostile documents through the command line: bounded work, findings, no traceback.

One corpus holds a YAML alias bomb, front matter with 400,000 keys, a duplicated
``date:``, ``attribution: null``, 100,000 nested ``[`` on a JSON Lines line and a
document over the size limit; the run must end quickly with exit 1 and an ``input``
finding naming file and line for each, every other document still validated, and the
corpus unchanged.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

BODY = "The council met on Tuesday. It approved the budget for the new school.\n"


def _corpus(root: Path) -> Path:
    corpus = root / "corpus"
    corpus.mkdir()
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    (corpus / "bomb.md").write_text("---\n" + "\n".join(levels) + "\n---\n" + BODY,
                                    encoding="utf-8")
    keys = "".join(f"k{i}: v\n" for i in range(400_000))
    (corpus / "keys.md").write_text("---\n" + keys + "---\n" + BODY, encoding="utf-8")
    (corpus / "dup.md").write_text(
        "---\ndate: 2023-01-02\nsource: VOA\ndate: 2024-05-06\nattribution: null\n---\n" + BODY,
        encoding="utf-8")
    records = [json.dumps({"id": "fine", "text": BODY, "date": "2023-01-02"}),
               '{"id": "deep", "text": "x", "m": ' + "[" * 100_000,
               json.dumps({"id": "big", "text": "word " * 1_100_000})]
    (corpus / "shard.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    return corpus


def _digest(corpus: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(corpus.iterdir())}


def test_hostile_documents_are_findings_and_the_run_is_quick(tmp_path: Path, cli) -> None:
    corpus = _corpus(tmp_path)
    before = _digest(corpus)
    out = tmp_path / "results.json"
    result = cli("validate", str(corpus), "--json", str(out), "--max-document-bytes", "5000000",
                 timeout=240)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    results = json.loads(out.read_text(encoding="utf-8"))
    inputs = sorted((Path(f["path"]).name, f["line"], f["reason"])
                    for f in results["findings"] if f["expectation"] == "input")
    assert inputs == [
        ("bomb.md", 3, "front_matter_alias"),
        ("dup.md", 4, "duplicate_front_matter_key"),
        ("keys.md", 2, "front_matter_too_large"),
        ("shard.jsonl", 2, "invalid_json"),
        ("shard.jsonl", 3, "document_too_large"),
    ]
    # The documents whose front matter was refused are still validated, as text.
    assert {d["id"] for d in results["documents"]} == {"bomb", "keys", "dup", "fine"}
    missing = {(f["document"], f["key"]) for f in results["findings"]
               if f["reason"] == "missing_field"}
    assert ("dup", "attribution") in missing  # attribution: null states nothing
    assert ("dup", "date") not in missing  # the first date is kept
    assert _digest(corpus) == before
