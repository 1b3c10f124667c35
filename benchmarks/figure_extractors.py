"""Score figure extractors on the case table, and time ours on news-sized documents.

Accuracy: every case of ``tests/unit/figure_cases.yml`` (traps and known failures
included) is right for an extractor when the multiset of values it finds equals the
expected one (numbers compared to 6 decimals; dates, ranges and times as canonical
strings). quantulum3 is used as is; number-parser and text2num rewrite number words
into digits, after which a plain digits regex reads the values (that regex alone is
the naive baseline). Ours is also scored strictly: every field of every figure
(text, span, value, kind, noun, unit, qualifier) must match.

Speed (CPU time, best of several runs): documents per second for extraction,
milliseconds per pair and per story for the whole version comparison, and the
sentence alignment against a naive all-pairs difflib baseline on a long document,
all measured in this run.

Run (the libraries are evaluated in a throwaway venv, not installed in the project):

    python -m venv /tmp/figeval
    /tmp/figeval/bin/pip install pyyaml quantulum3==0.10.0 number-parser==0.3.2 text2num==3.1.0
    PYTHONPATH=. /tmp/figeval/bin/python benchmarks/figure_extractors.py

In the project venv alone it scores ours and the baseline and skips the libraries.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import yaml

from corpus_qa.checks.figures import check_consistent_figures, compare_figures, extract_figures
from corpus_qa.checks.sentences import align
from corpus_qa.text.segment import split_sentences

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "unit" / "figure_cases.yml"
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
_DIGITS = re.compile(r"-?\d[\d,]*(?:\.\d+)?")

Extractor = Callable[[str], list[object]]


def _norm(value: object) -> object:
    if isinstance(value, int | float):
        return round(float(value), 6)
    return str(value)


def _digits(text: str) -> list[object]:
    out: list[object] = []
    for m in _DIGITS.finditer(text):
        try:
            out.append(float(m.group(0).replace(",", "").rstrip(".")))
        except ValueError:
            continue
    return out


def ours(text: str) -> list[object]:
    """corpus_qa.checks.figures.extract_figures."""
    return [f.value for f in extract_figures(text)]


def baseline(text: str) -> list[object]:
    """A plain digits regex (the naive baseline)."""
    return _digits(text)


def _library_extractors() -> dict[str, Extractor | str]:
    """The libraries that are installed, or why not."""
    found: dict[str, Extractor | str] = {}
    try:
        warnings.simplefilter("ignore")
        from quantulum3 import parser as q_parser

        found["quantulum3"] = lambda t: [q.value for q in q_parser.parse(t)]
    except ImportError as exc:
        found["quantulum3"] = f"not installed ({exc.name})"
    try:
        from number_parser import parse as np_parse

        found["number-parser"] = lambda t: _digits(np_parse(t))
    except ImportError as exc:
        found["number-parser"] = f"not installed ({exc.name})"
    try:
        from text_to_num import alpha2digit

        found["text2num"] = lambda t: _digits(alpha2digit(t, "en", threshold=0))
    except ImportError as exc:
        found["text2num"] = f"not installed ({exc.name})"
    return found


def score(extract: Extractor, cases: list[dict]) -> tuple[int, list[str]]:
    """Cases whose multiset of values is right, and the ids of the others."""
    right, wrong = 0, []
    for case in cases:
        try:
            got = Counter(_norm(v) for v in extract(case["text"]))
        except Exception as exc:  # a library crashing on a case gets it wrong
            got = Counter({f"error: {type(exc).__name__}": 1})
        if got == Counter(_norm(f["value"]) for f in case["figures"]):
            right += 1
        else:
            wrong.append(case["id"])
    return right, wrong


def strict_score(cases: list[dict]) -> tuple[int, list[str]]:
    """Cases where every field of every figure of ours matches the table."""
    right, wrong = 0, []
    for case in cases:
        rows = [
            {
                "text": f.text,
                "span": list(f.span),
                "value": f.value,
                "kind": f.kind,
                **{k: getattr(f, k) for k in ("noun", "unit", "qualifier") if getattr(f, k)},
            }
            for f in extract_figures(case["text"])
        ]
        if rows == case["figures"]:
            right += 1
        else:
            wrong.append(case["id"])
    return right, wrong


def _rate(fn: Callable[[], object], min_seconds: float = 0.3, repeats: int = 5) -> float:
    """Calls per CPU second of ``fn``: the best of ``repeats`` runs of at least ``min_seconds``.

    CPU time of this process (not wall time) and the best run, so that other work on a
    shared machine disturbs the figure as little as possible.
    """
    best = 0.0
    for _ in range(repeats):
        n, started = 0, time.process_time()
        while (elapsed := time.process_time() - started) < min_seconds:
            fn()
            n += 1
        best = max(best, n / elapsed)
    return best


def _naive_align(a: str, b: str) -> int:
    """All pairs of sentences through difflib: the quadratic baseline."""
    sa, sb = split_sentences(a), split_sentences(b)
    paired = 0
    for x in sa:
        best = max((difflib.SequenceMatcher(None, x.text, y.text).ratio() for y in sb), default=0)
        paired += best >= 0.6
    return paired


def accuracy(cases: list[dict]) -> None:
    print(f"## Accuracy on {CASES.relative_to(ROOT)} ({len(cases)} cases; values must match)\n")
    print("| extractor | cases right | share |")
    print("|---|---|---|")
    rows: list[tuple[str, Extractor | str]] = [
        ("corpus_qa (ours)", ours),
        ("digits regex (baseline)", baseline),
        *_library_extractors().items(),
    ]
    failures: dict[str, list[str]] = {}
    for name, extract in rows:
        if isinstance(extract, str):
            print(f"| {name} | {extract} | |")
            continue
        right, wrong = score(extract, cases)
        failures[name] = wrong
        print(f"| {name} | {right} / {len(cases)} | {right / len(cases):.0%} |")
    right, wrong = strict_score(cases)
    print(f"| corpus_qa (ours), every field | {right} / {len(cases)} | {right / len(cases):.0%} |")
    print()
    for name, wrong in failures.items():
        shown = ", ".join(wrong[:12]) + (f", … ({len(wrong) - 12} more)" if len(wrong) > 12 else "")
        print(f"- {name} wrong on: {shown or 'none'}")
    print()


def speed() -> None:
    texts = [p.read_text("utf-8") for p in SEEDS]
    size = sum(len(t) for t in texts) / len(texts)
    print(f"## Speed (seed documents, {size:,.0f} characters on average)\n")
    print("| what | rate | vs baseline |")
    print("|---|---|---|")
    base = _rate(lambda: [baseline(t) for t in texts]) * len(texts)
    ext = _rate(lambda: [extract_figures(t) for t in texts]) * len(texts)
    print(f"| digits regex (baseline) | {base:,.0f} docs/s | 1.0× |")
    print(
        f"| extract_figures | {ext:,.0f} docs/s ({ext * size / 1e6:.1f} MB/s) | {ext / base:.3f}× |"
    )
    big = " ".join(texts * 6)
    big_rate = _rate(lambda: extract_figures(big))
    print(
        f"| extract_figures, one {len(big) / 1000:.0f} KB document | "
        f"{1000 / big_rate:.1f} ms ({big_rate * len(big) / 1e6:.1f} MB/s) | |"
    )
    if len(texts) >= 2:
        pair = _rate(lambda: compare_figures(texts[0], texts[1]))
        print(f"| compare_figures (extract both + align + pair) | {1000 / pair:.2f} ms/pair | |")
        story = [(f"v{i}", texts[i % 2]) for i in range(5)]
        five = _rate(lambda: check_consistent_figures(story))
        print(f"| check_consistent_figures, 5 versions (10 pairs) | {1000 / five:.1f} ms/story | |")
        long_a = " ".join([texts[0]] * 8)
        long_b = " ".join([texts[1]] * 8)
        n = len(split_sentences(long_a)) + len(split_sentences(long_b))
        naive = _rate(lambda: _naive_align(long_a, long_b), 0.1, repeats=2)
        fast = _rate(lambda: align(long_a, long_b), 1.0)
        print(
            f"| align, {n} sentences (8× seeds) | {1000 / fast:.1f} ms | "
            f"{fast / naive:.0f}× faster than all-pairs difflib ({1000 / naive:.0f} ms) |"
        )
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-speed", action="store_true", help="only score accuracy")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}\n")
    accuracy(yaml.safe_load(CASES.read_text("utf-8")))
    if not args.no_speed:
        speed()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
