"""The steward's HTML report: one ``index.html`` that opens fully styled from ``file://``.

The page carries the summary (verdict, counts, expectations) as server-rendered,
autoescaped HTML, and everything else as JSON data rendered lazily by our own
small script (``static/report.js``): the findings table is filtered, sorted and
paged in the browser, and a document's text or a story's alignment is built only
when the steward opens it. Per-document data (metadata, text) and per-story data
(aligned sentences, figures) live in *shards*: inside the page while they are
small, else in ``data/shard-NNNNN.js`` files next to it, loaded on demand with a
``<script>`` element (``fetch`` does not work from ``file://``). See docs/report.md.

Pass or fail is the gated verdict the results carry (``success``, ``gating``,
``expectations[].status``, ``findings[].gate``); the page shows it, in the banner and
in the embedded data (``verdict``), and never decides it.

Safety: document data never reaches HTML as markup. JSON is embedded with ``<``,
``>``, ``&``, U+2028/9 and lone surrogates escaped, the script builds the DOM with
``textContent`` only, and a Content-Security-Policy allows no network and no
script but our own (pinned by hash).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from corpus_qa.outputs import atomic_open, write_atomically

HERE = Path(__file__).resolve().parent
SEVERITIES = ("error", "warning", "info")
DEFAULT_INLINE_LIMIT = 4 * 1024 * 1024
"""Shard bytes kept inside ``index.html``; beyond that, shards go to ``data/`` files."""
SHARD_BYTES = 512 * 1024
"""A shard is closed once it holds this many bytes of JSON."""
SHARD_DIR = "data"
_SHARD_FILE = re.compile(r"shard-\d{5}\.js")
_SCRIPT_UNSAFE = re.compile("[<>&\u2028\u2029\ud800-\udfff]")


def script_json(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element and as a JavaScript expression.

    ``<``, ``>`` and ``&`` become ``\\u003c``… so no ``</script>`` or ``<!--`` can appear;
    U+2028/U+2029 and lone surrogates are escaped too (the latter cannot be encoded as UTF-8).

    >>> script_json({"t": "</script><!--"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003c!--"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    if text.isascii():  # O(1) in CPython; plain replaces are ~3x faster than the regex scan
        return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return _SCRIPT_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def write_html_report(
    results: dict[str, Any],
    texts: Callable[[str], str],
    out_dir: Path,
    *,
    inline_limit: int = DEFAULT_INLINE_LIMIT,
    pairs: Callable[[str], list[dict[str, Any]]] | None = None,
    record_texts: Callable[[dict[str, Any]], str] | None = None,
) -> Path:
    """Write ``out_dir/index.html`` (and ``out_dir/data/`` for large corpora); return its path.

    ``pairs`` gives a story's side-by-side pairs by story id (a run keeps them on disk:
    :attr:`corpus_qa.results.RunResult.pairs_of`); without it they are read from
    ``results["stories"][i]["pairs"]``, where results of earlier releases held them.
    ``record_texts``, when given, gives a document's text from its record (path, line)
    instead of ``texts`` (its id): the report of a results file reads the corpus again.

    ``results["documents"]`` and ``results["findings"]`` may be any sized iterables
    read afresh on each pass (a run's spools, :class:`corpus_qa.resultsfile.Items`):
    the findings are read twice and never held, the page is written as it is made.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_old_shards(out_dir / SHARD_DIR)
    scan = _FindingScan(results)
    shards = _Shards(out_dir / SHARD_DIR, inline_limit)
    table = _DocTable(results, scan, shards,
                      record_texts or (lambda row: texts(row["id"])))
    pairs_of = pairs or (lambda story_id: stories_by_id[story_id].get("pairs", []))
    stories_by_id = {story["id"]: story for story in results.get("stories", [])}
    figure_counts: list[list[int]] = []
    story_shard = [shards.add(f"s{i}", payload) for i, payload
                   in _story_payloads(results, table, pairs_of, figure_counts)]
    shards.close()
    data = _index_data(results, scan, table, story_shard, shards, figure_counts)
    path = out_dir / "index.html"
    with atomic_open(path) as out:
        _write_page(out.write, results, scan, table, data, shards)
    return path


# --- the findings, read once for what the page needs before them ------------------------


class _FindingScan:
    """What one pass over the findings gives the page before it lists them: the names
    tables, findings per expectation, the documents a finding is in (with the path of
    those the results do not list) and the documents whose text the page shows."""

    def __init__(self, results: dict[str, Any]) -> None:
        self.findings = results.get("findings", [])
        self.per_type: dict[str, int] = {}
        severities: set[str] = set()
        reasons: set[str] = set()
        self.in_findings: dict[str, str] = {}
        """Documents with a finding, in the order met: their path as the finding gives it."""
        self.related: set[str] = set()
        """Documents at the other end of a finding."""
        for item in self.findings:
            self.per_type[item["expectation"]] = self.per_type.get(item["expectation"], 0) + 1
            severities.add(item["severity"])
            reasons.add(item["reason"])
            if item["document"] not in self.in_findings:
                self.in_findings[item["document"]] = item.get("path") or item["document"]
            related = item.get("related")
            if related:
                self.related.add(related["document"])
        expectations = results.get("expectations", [])
        self.exp_names = _names(self.per_type, (e["type"] for e in expectations))
        self.severities = _names(severities, SEVERITIES)
        self.reasons = _names(reasons)
        self.needing_text = set(self.in_findings) | self.related
        for story in results.get("stories", []):
            if len(story["documents"]) > 1:
                self.needing_text.update(story["documents"])


# --- the document table: ids -> indices ------------------------------------------------


class _DocTable:
    """Every document the report mentions, by index (results' documents, then any unknown
    ids), as columns; each document's payload (metadata, text) goes to the shards as its
    record is read, so the records are never all in memory.

    Texts go into the report for documents with findings, their related documents and
    the versions of stories with more than one document; other texts are left out. Only
    documents that were read have a text: an input finding's file or record (binary,
    bad JSON, no text) is listed without one.
    """

    def __init__(self, results: dict[str, Any], scan: _FindingScan, shards: _Shards,
                 texts: Callable[[dict[str, Any]], str]) -> None:
        self.ids: list[str] = []
        self.paths: list[str] = []
        self.stories: list[str | None] = []
        self.lines: list[int] = []
        self.text: list[int] = []
        self.shard: list[int] = []
        self.index: dict[str, int] = {}
        for row in results.get("documents", []):
            payload: dict[str, Any] = {"m": row.get("metadata") or {}}
            with_text = row["id"] in scan.needing_text
            if with_text:
                try:
                    payload["t"] = texts(row)
                except (LookupError, OSError):
                    with_text = False  # changed or removed since the run
            self._add(row, shards.add(f"d{len(self.ids)}", payload), with_text)
        for doc_id, path in scan.in_findings.items():
            if doc_id not in self.index:
                self._add({"id": doc_id, "path": path, "story": None, "line": 1},
                          shards.add(f"d{len(self.ids)}", {"m": {}}), False)
        stories = results.get("stories", [])
        self.story_index = {story["id"]: i for i, story in enumerate(stories)}

    def _add(self, row: dict[str, Any], shard: int, with_text: bool) -> None:
        self.index[row["id"]] = len(self.ids)
        self.ids.append(row["id"])
        self.paths.append(row.get("path") or row["id"])
        self.stories.append(row.get("story"))
        self.lines.append(row.get("line", 1))
        self.text.append(int(with_text))
        self.shard.append(shard)


# --- shards ----------------------------------------------------------------------------


class _Shards:
    """Packs per-document and per-story payloads into numbered shards.

    Shards stay in memory (to be inlined into the page) until their total passes
    ``inline_limit``; from then on every shard is written to ``directory``.
    """

    def __init__(self, directory: Path, inline_limit: int) -> None:
        self.directory = directory
        self.inline_limit = inline_limit
        self.inline: list[tuple[int, str]] = []
        self.in_files = False
        self.count = 0
        self.total_bytes = 0
        self._parts: list[str] = []
        self._size = 0

    def add(self, key: str, payload: Any) -> int:
        """Add a document's (``d<index>``) or a story's (``s<index>``) payload; return its shard."""
        part = f'"{key}":{script_json(payload)}'
        self._parts.append(part)
        self._size += len(part)
        number = self.count
        if self._size >= SHARD_BYTES:
            self._close_shard()
        return number

    def close(self) -> None:
        """Flush the last shard."""
        if self._parts:
            self._close_shard()

    def _close_shard(self) -> None:
        blob = "{" + ",".join(self._parts) + "}"
        self._parts, self._size = [], 0
        self.total_bytes += len(blob)
        if not self.in_files and self.total_bytes > self.inline_limit:
            self.in_files = True
            for number, pending in self.inline:
                self._write(number, pending)
            self.inline = []
        if self.in_files:
            self._write(self.count, blob)
        else:
            self.inline.append((self.count, blob))
        self.count += 1

    def _write(self, number: int, blob: str) -> None:
        write_atomically(self.directory / f"shard-{number:05d}.js",
                         f"corpusQaShard({number},{blob});\n")


def _remove_old_shards(directory: Path) -> None:
    """Remove shard files a previous report left in ``directory`` (and nothing else)."""
    if not directory.is_dir():
        return
    for path in directory.iterdir():
        if _SHARD_FILE.fullmatch(path.name):
            path.unlink()


def _story_payloads(
    results: dict[str, Any], table: _DocTable,
    pairs_of: Callable[[str], list[dict[str, Any]]], figure_counts: list[list[int]],
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each story's shard payload; its figure counts are appended to ``figure_counts``
    (the pairs are read once, one story at a time)."""
    for i, story in enumerate(results.get("stories", [])):
        pairs = []
        story_pairs = pairs_of(story["id"])
        figure_counts.append(_figure_counts(story_pairs))
        for pair in story_pairs:
            a, b = pair["documents"]
            pairs.append(
                {
                    "docs": [table.index.get(a, -1), table.index.get(b, -1)],
                    "aligned": pair.get("aligned", []),
                    "figures": pair.get("figures", []),
                }
            )
        yield i, {"pairs": pairs}


# --- the index embedded in the page ----------------------------------------------------


def _names(values: Iterable[str], first: Iterable[str] = ()) -> list[str]:
    """Distinct values, ``first`` in their order, then the rest sorted."""
    head = list(dict.fromkeys(first))
    return head + sorted(set(values) - set(head))


def _index_data(
    results: dict[str, Any],
    scan: _FindingScan,
    table: _DocTable,
    story_shard: list[int],
    shards: _Shards,
    figure_counts: list[list[int]],
) -> dict[str, Any]:
    """The page's index, but for its findings (:func:`_write_page` writes them in place)."""
    expectations = results.get("expectations", [])
    stories = results.get("stories", [])
    return {
        "expectations": [_expectation_entry(e) for e in expectations],
        "expNames": scan.exp_names,
        "severities": scan.severities,
        "reasons": scan.reasons,
        "docs": {
            "id": table.ids,
            "path": table.paths,
            "story": [table.story_index.get(story, -1) for story in table.stories],
            "line": table.lines,
            "text": table.text,
            "shard": table.shard,
        },
        "stories": {
            "id": [story["id"] for story in stories],
            "docs": [[table.index.get(d, -1) for d in story["documents"]] for story in stories],
            "figures": figure_counts,
            "shard": story_shard,
        },
        "findings": [],  # written in place, one row at a time (_write_page)
        "verdict": _verdict_data(results),
        "shards": {"mode": "files" if shards.in_files else "inline", "dir": SHARD_DIR},
    }




def _write_page(write: Callable[[str], Any], results: dict[str, Any], scan: _FindingScan,
                table: _DocTable, data: dict[str, Any], shards: _Shards) -> None:
    """The page through ``write``: the template around the index, the index around its
    findings rows, each row made and written in turn (the same text as one
    :func:`script_json` of the whole index)."""
    marker = f"corpus-qa-data-{secrets.token_hex(16)}"
    head, tail = _render_page(results, scan, shards, marker).split(marker)
    keys = list(data)
    at = keys.index("findings")
    before = script_json({k: data[k] for k in keys[:at]})[:-1]
    after = script_json({k: data[k] for k in keys[at + 1:]})[1:]
    write(head)
    write(before + ',"findings":[')
    exp_at = {name: i for i, name in enumerate(scan.exp_names)}
    sev_at = {name: i for i, name in enumerate(scan.severities)}
    reason_at = {name: i for i, name in enumerate(scan.reasons)}
    for i, item in enumerate(scan.findings):
        write(("," if i else "") + script_json(_finding_row(item, table, exp_at, sev_at,
                                                            reason_at)))
    write("]," + after)
    write(tail)


def _verdict_data(results: dict[str, Any]) -> dict[str, Any]:
    """The run's gated verdict as the page's script sees it."""
    gating = results.get("gating") or {}
    return {
        "success": bool(results.get("success")),
        "exitCode": gating.get("exit_code"),
        "failOn": gating.get("fail_on", results.get("fail_on")),
        "failing": gating.get("failing", []),
        "counted": _counted(results),
        "waived": gating.get("waived", 0),
        "baseline": gating.get("baseline"),
        "corpusProblem": gating.get("corpus_problem"),
        "skippedFiles": results.get("skipped_files", []),
        "notes": gating.get("notes", []),
    }


def _counted(results: dict[str, Any]) -> dict[str, int]:
    """Findings the verdict counts, by severity (the run's counts for results without one)."""
    found = (results.get("gating") or {}).get("counted") or results.get(
        "statistics", {}).get("findings", {})
    return {sev: found.get(sev, 0) for sev in SEVERITIES}


def _expectation_entry(exp: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "type",
        "severity",
        "success",
        "status",
        "fails_run",
        "gated_unexpected",
        "checked",
        "unexpected",
        "mostly",
        "description",
        "scope",
        "kwargs",
        "exception",
    )
    return {key: exp.get(key) for key in keys}


def _figure_counts(pairs: list[dict[str, Any]]) -> list[int]:
    """``[figures compared, figures that differ]`` over a story's pairs."""
    figures = [f for pair in pairs for f in pair.get("figures", [])]
    compared = sum(1 for f in figures if f.get("a") and f.get("b"))
    differing = sum(1 for f in figures
                    if (f["status"] == "changed" if "status" in f else not f.get("match")))
    return [compared, differing]


def _finding_row(
    f: dict[str, Any],
    table: _DocTable,
    exp_at: dict[str, int],
    sev_at: dict[str, int],
    reason_at: dict[str, int],
) -> list[Any]:
    related = f.get("related") or None
    span = f.get("span") or [0, 0]
    rel_span = (related or {}).get("span") or [0, 0]
    row = [
        exp_at[f["expectation"]],
        sev_at[f["severity"]],
        table.index[f["document"]],
        reason_at[f["reason"]],
        f.get("message", ""),
        span[0],
        span[1],
        f.get("line"),
        f.get("column"),
        f.get("excerpt") or "",
        table.index.get(related["document"], -1) if related else -1,
        rel_span[0],
        rel_span[1],
        f.get("suggestion"),
        "" if f.get("gate", "counted") == "counted" else f["gate"],
    ]
    also = f.get("spans", [])[1:]
    if also:  # the defect's other occurrences, [start, end, message] each: the report marks all
        row.append([[o["span"][0], o["span"][1], o.get("message", "")] for o in also])
    return row


# --- the page --------------------------------------------------------------------------


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(script: str, style: str) -> str:
    """The page's policy: no network at all, only our own inline script and style (by hash).

    ``'strict-dynamic'`` lets our script load the ``data/`` shards it creates itself.
    """
    return (
        "default-src 'none'; "
        f"script-src {_csp_hash(script)} 'strict-dynamic'; "
        f"style-src {_csp_hash(style)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def _render_page(results: dict[str, Any], scan: _FindingScan, shards: _Shards,
                 marker: str) -> str:
    """The page, with ``marker`` where its index goes."""
    script = (HERE / "static" / "report.js").read_text(encoding="utf-8")
    style = (HERE / "static" / "report.css").read_text(encoding="utf-8")
    template = _environment().get_template("report.html.j2")
    return template.render(
        summary=_summary(results),
        expectations=_expectation_rows(results, scan.per_type),
        csp=content_security_policy(script, style),
        # Markup: inserted verbatim — our own files, and JSON made safe by script_json().
        script=Markup(script),
        style=Markup(style),
        data=Markup(marker),
        shards=[(number, Markup(blob)) for number, blob in shards.inline],
        in_files=shards.in_files,
    )


def _summary(results: dict[str, Any]) -> dict[str, Any]:
    stats = results.get("statistics", {})
    counts = _counted(results)
    run = results.get("run", {})
    gating = results.get("gating") or {}
    success = bool(results.get("success"))
    set_aside = []
    if gating.get("waived"):
        set_aside.append(f"{gating['waived']:,} waived")
    if gating.get("baseline"):
        set_aside.append(f"{gating['baseline']['known']:,} known in the baseline")
    return {
        "verdict": "pass" if success else "fail",
        "counts": counts,
        "headline": _headline(success, counts, gating.get("corpus_problem")),
        "problem": gating.get("corpus_problem") or "",
        "skipped_files": results.get("skipped_files", []),
        "notes": [n for n in gating.get("notes", []) if not n.startswith("skipped ")
                  and n != f"corpus-qa: {gating.get('corpus_problem')}"],
        "set_aside": ", ".join(set_aside),
        "suite": results.get("suite", ""),
        "corpus": ", ".join(str(p) for p in results.get("corpus", [])),
        "documents": stats.get("documents", len(results.get("documents", []))),
        "stories": stats.get("stories", len(results.get("stories", []))),
        "expectations": stats.get("expectations", len(results.get("expectations", []))),
        "started": _format_time(run.get("started")),
        "started_iso": run.get("started") or "",
        "duration": _format_duration(run.get("duration_s")),
        "tool_version": run.get("tool_version", ""),
    }


def _headline(success: bool, counts: dict[str, int], problem: str | None = None) -> str:
    """The one sentence that answers "may this go out?"."""
    if success:
        review = counts["warning"] + counts["info"]
        return "May be published" + (f" — {review:,} notes to review" if review else "")
    if problem:
        return "Do not publish — no document could be read"
    failing = counts["error"] or counts["warning"]
    if not failing:
        return "Do not publish — an expectation failed"
    noun = "errors" if counts["error"] else "findings"
    return f"Do not publish — {failing:,} {noun} to fix first"


def _format_time(value: str | None) -> str:
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    zone = moment.strftime("%Z") or ""
    return moment.strftime("%Y-%m-%d %H:%M:%S") + (f" {zone}" if zone else "")


def _format_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return (f"{hours} h " if hours else "") + f"{minutes} min {rest} s"


def _expectation_rows(results: dict[str, Any], per_type: dict[str, int]
                      ) -> list[dict[str, Any]]:
    rows = []
    for exp in results.get("expectations", []):
        status = exp.get("status") or (
            "error" if exp.get("exception") else ("pass" if exp.get("success") else "fail"))
        mostly = exp.get("mostly", 1.0)
        rows.append(
            {
                "type": exp["type"],
                "description": exp.get("description") or "",
                "scope": exp.get("scope") or "",
                "severity": exp.get("severity", "error"),
                "checked": exp.get("checked", 0),
                "unexpected": exp.get("gated_unexpected", exp.get("unexpected", 0)),
                "raw_unexpected": exp.get("unexpected", 0),
                "mostly": f"{mostly * 100:g}%" if isinstance(mostly, (int, float)) else "",
                "status": status,
                "findings": per_type.get(exp["type"], 0),
                "exception": exp.get("exception") or "",
            }
        )
    return rows

