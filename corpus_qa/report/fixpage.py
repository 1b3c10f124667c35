"""The fix report page: per repaired document its edits and a side-by-side diff.

One self-contained ``index.html`` with the validation report's stylesheet, no script at
all, and every piece of document text escaped (``html.escape``): a document holding
``<script>`` shows it as text. The diff is computed on words between the text as read
and the repaired text, so it shows the net change whatever order the repairs ran in;
long unchanged stretches are folded to their first and last words.
"""

from __future__ import annotations

import difflib
import html
import re
from pathlib import Path
from typing import Any

from corpus_qa.outputs import write_atomically
from corpus_qa.report.html import HERE, content_security_policy

MAX_DIFF_CHARS = 200_000
"""Longer documents show their edit list only (a word diff of them is slow and unreadable)."""
CONTEXT_CHARS = 120
"""Unchanged text shown on each side of a change."""

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)

EXTRA_STYLE = """
.fix-wrap { max-width: 1320px; margin: 0 auto; padding: 20px; }
.fix-doc { background: var(--card); border: 1px solid var(--border); border-radius: 8px;
  padding: 14px 16px; margin: 16px 0; }
.fix-diff { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.fix-side { font-family: var(--serif); white-space: pre-wrap; overflow-wrap: anywhere;
  background: var(--row); border: 1px solid var(--border); border-radius: 6px; padding: 10px; }
.fix-side del { background: var(--error-mark); color: var(--error); }
.fix-side ins { background: var(--pass-bg); color: var(--pass); text-decoration: none;
  outline: 1px solid var(--pass-line); }
.fix-fold { color: var(--faint); font-family: var(--sans); font-size: 12px; }
.fix-table { border-collapse: collapse; width: 100%; margin: 8px 0; }
.fix-table th, .fix-table td { border-bottom: 1px solid var(--border); padding: 4px 8px;
  text-align: left; vertical-align: top; }
.fix-table td.text { font-family: var(--mono); white-space: pre-wrap; overflow-wrap: anywhere;
  max-width: 420px; }
.fix-note { color: var(--warning); }
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _fold(text: str) -> str:
    """An unchanged stretch, its middle folded away when long."""
    if len(text) <= 2 * CONTEXT_CHARS + 40:
        return _e(text)
    hidden = len(text) - 2 * CONTEXT_CHARS
    return (f"{_e(text[:CONTEXT_CHARS])}<span class=\"fix-fold\"> … {hidden:,} characters "
            f"unchanged … </span>{_e(text[-CONTEXT_CHARS:])}")


def side_by_side(before: str, after: str) -> tuple[str, str]:
    """HTML of both sides: removed words in ``<del>`` (left), added ones in ``<ins>`` (right).

    >>> side_by_side("a <b> c", "a c")
    ('a <del>&lt;b&gt; </del>c', 'a c')
    """
    old, new = _TOKEN.findall(before), _TOKEN.findall(after)
    left, right = [], []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = "".join(old[i1:i2]), "".join(new[j1:j2])
        if op == "equal":
            left.append(_fold(a))
            right.append(_fold(b))
            continue
        if a:
            left.append(f"<del>{_e(a)}</del>")
        if b:
            right.append(f"<ins>{_e(b)}</ins>")
    return "".join(left), "".join(right)


def _document(doc: Any, index: int) -> str:
    parts = [f'<section class="fix-doc" id="doc-{index}" data-document="{_e(doc.id)}">',
             f"<h3>{_e(doc.id)} <span class=\"muted mono\">{_e(doc.path)}"
             f"{':' + str(doc.line) if doc.line > 1 else ''}</span></h3>"]
    if doc.output:
        parts.append(f'<p class="muted">copy: <code>{_e(doc.output)}</code></p>')
    for note in doc.notes:
        parts.append(f'<p class="fix-note">{_e(note)}</p>')
    if doc.fields:
        parts.append('<table class="fix-table fix-fields"><tr><th>field</th><th>value</th>'
                     "<th>origin</th></tr>")
        for name, (value, origin) in sorted(doc.fields.items()):
            parts.append(f"<tr><td>{_e(name)}</td><td>{_e(value)}</td><td>{_e(origin)}</td></tr>")
        parts.append("</table>")
    if doc.edits:
        parts.append('<table class="fix-table fix-edits"><tr><th>family</th><th>reason</th>'
                     "<th>span</th><th>before</th><th>after</th><th>why</th></tr>")
        for edit in doc.edits:
            parts.append(
                f"<tr><td>{_e(edit.family)}</td><td>{_e(edit.reason)}</td>"
                f"<td class=\"num\">{edit.span[0]}–{edit.span[1]}</td>"
                f'<td class="text">{_e(edit.before)}</td><td class="text">{_e(edit.after)}</td>'
                f"<td>{_e(edit.message)}</td></tr>")
        parts.append("</table>")
    if doc.before != doc.after:
        if len(doc.before) + len(doc.after) > MAX_DIFF_CHARS:
            parts.append('<p class="muted">document too long for a side-by-side diff: see the '
                         "edits above</p>")
        else:
            left, right = side_by_side(doc.before, doc.after)
            parts.append('<div class="fix-diff"><div><h4>before</h4>'
                         f'<div class="fix-side fix-before">{left}</div></div><div><h4>after</h4>'
                         f'<div class="fix-side fix-after">{right}</div></div></div>')
    parts.append("</section>")
    return "\n".join(parts)


def render_fix_page(fix: Any) -> str:
    """The whole page for a :class:`corpus_qa.fixer.FixResult`."""
    style = (HERE / "static" / "report.css").read_text(encoding="utf-8") + EXTRA_STYLE
    data = fix.to_json()
    rows = "".join(
        f"<tr><td class=\"mono\">{_e(e['type'])}</td><td class=\"num\">{e['findings_before']}"
        f"</td><td class=\"num\">{e['findings_after']}</td></tr>" for e in data["expectations"])
    shown = [d for d in fix.documents if d.changed or d.notes]
    docs = "\n".join(_document(d, i) for i, d in enumerate(shown))
    stats = data["statistics"]
    where = "dry run: nothing written" if fix.dry_run else f"copy in {fix.out}"
    accepted = " · suggestions accepted" if fix.accept_suggestions else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_e(content_security_policy('', style))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>corpus-qa fix — {_e(fix.suite)}</title>
<style>{style}</style></head>
<body><main class="fix-wrap">
<h1>corpus-qa fix</h1>
<p class="muted">{_e(', '.join(fix.corpus))} → {_e(where)} · suite {_e(fix.suite)} ·
families {_e(', '.join(fix.families))}{accepted}</p>
<p id="fix-summary">{stats['repaired']} of {stats['documents']} documents repaired,
{stats['edits']} edits, {stats['files_copied_unchanged']} files copied unchanged</p>
<h2>Findings per expectation, before and after</h2>
<table class="fix-table" id="fix-counts"><tr><th>expectation</th><th>before</th><th>after</th></tr>
{rows}</table>
<h2>Documents</h2>
{docs or '<p class="muted">nothing to repair</p>'}
</main></body></html>
"""


def write_fix_report(fix: Any, directory: Path) -> tuple[Path, Path]:
    """Write ``fix-report.json`` and ``index.html`` into ``directory``; return both paths."""
    import json

    directory.mkdir(parents=True, exist_ok=True)
    data = directory / "fix-report.json"
    write_atomically(data, json.dumps(fix.to_json(), indent=2, sort_keys=True,
                                       ensure_ascii=False) + "\n")
    page = directory / "index.html"
    write_atomically(page, render_fix_page(fix))
    return data, page
