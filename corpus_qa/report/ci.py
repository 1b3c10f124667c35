"""CI outputs of a validation run: JUnit XML, GitHub workflow commands, a Markdown summary.

All three read the results dict that ``RunResult.to_json(verdict)`` writes as JSON:
pass or fail comes from the gated verdict in it (``success``, ``expectations[].status``
and ``fails_run``, ``findings[].gate``, ``gating``) and is never decided here. A
finding without ``gate`` counts. Document text reaches the outputs through messages
and excerpts, so each output escapes for its own syntax: XML (and the characters XML
1.0 cannot hold at all), workflow-command data and properties, and GitHub-flavoured
Markdown (which also renders HTML and turns ``@name`` into mentions).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from corpus_qa.outputs import REPORT_MARKER, atomic_open, write_atomically
from corpus_qa.results import finding_line, in_record

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
GITHUB_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}
GITHUB_LIMIT = 10
"""Annotations of one kind GitHub shows per step; the rest are printed as plain lines."""

_OTHER_LINE_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
"""Characters other than CR/LF that log viewers (and ``str.splitlines``) may break lines at."""
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


GATE_LABELS = {"waived": "waived", "known": "in the baseline"}
"""How a finding the verdict does not count is labelled."""


def is_counted(finding: dict[str, Any]) -> bool:
    """Whether the verdict counts ``finding`` (not waived, not in the baseline)."""
    return finding.get("gate", "counted") == "counted"


def gating(results: dict[str, Any]) -> dict[str, Any]:
    """The ``gating`` object of the results (empty for results made without a verdict)."""
    return results.get("gating") or {}


def counted_by_severity(results: dict[str, Any]) -> dict[str, int]:
    """Counted findings by severity: the verdict's counts, else the run's."""
    found = gating(results).get("counted") or results.get("statistics", {}).get("findings", {})
    return {sev: found.get(sev, 0) for sev in SEVERITY_ORDER}




# --- JUnit XML -------------------------------------------------------------------------


def write_junit(results: dict[str, Any], path: Path) -> Path:
    """Write JUnit XML: one testsuite per expectation, one testcase per document it checked.

    A testcase fails when the verdict says its expectation fails the run and a counted
    finding is in that document. Findings that do not fail (below fail-on, tolerated by
    ``mostly``, waived, in the baseline) are listed in the testcase's ``<system-out>``.
    An expectation that raised is one testcase with an ``<error>``; a corpus of which
    no document could be read is one failing testcase of the suite ``corpus``.

    The findings are read once for the counts, then once per expectation that has
    any, holding that expectation's findings only; the documents once per expectation.
    """
    path = Path(path)
    seen = _FindingsSeen(results)
    suites = list(_junit_suites(results, seen))
    totals = {key: sum(s[key] for s in suites) for key in ("tests", "failures", "errors")}
    duration = (results.get("run") or {}).get("duration_s") or 0.0
    with atomic_open(path) as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(
            f'<testsuites name="corpus-qa" tests="{totals["tests"]}" '
            f'failures="{totals["failures"]}" errors="{totals["errors"]}" time="{duration:.3f}">\n'
        )
        for suite in suites:
            if suite["exp"]["type"] == CORPUS_SUITE:
                _write_corpus_suite(out, suite)
            else:
                _write_suite(out, results, suite, seen)
        out.write("</testsuites>\n")
    return path


class _FindingsSeen:
    """One pass over the findings: per expectation, each document with a finding and
    whether one of its findings counts; the documents the results do not list."""

    def __init__(self, results: dict[str, Any]) -> None:
        self.by_expectation: dict[str, dict[str, bool]] = {}
        for item in results.get("findings", []):
            docs = self.by_expectation.setdefault(item["expectation"], {})
            docs[item["document"]] = docs.get(item["document"], False) or is_counted(item)
        listed: set[str] = set()
        with_findings = {doc for docs in self.by_expectation.values() for doc in docs}
        for doc in results.get("documents", []):
            if doc["id"] in with_findings:
                listed.add(doc["id"])
        self.unlisted = with_findings - listed

    def findings_of(self, results: dict[str, Any], expectation: str
                    ) -> dict[str, list[dict[str, Any]]]:
        """The findings of one expectation by document (a pass over the findings)."""
        if expectation not in self.by_expectation:
            return {}
        grouped: dict[str, list[dict[str, Any]]] = {}
        for item in results.get("findings", []):
            if item["expectation"] == expectation:
                grouped.setdefault(item["document"], []).append(item)
        return grouped


def _junit_suites(results: dict[str, Any], seen: _FindingsSeen) -> Iterator[dict[str, Any]]:
    problem = gating(results).get("corpus_problem")
    if problem:
        yield {"exp": {"type": CORPUS_SUITE, "problem": problem}, "tests": 1,
               "failures": 1, "errors": 0}
    expectations = list(results.get("expectations", []))
    known = {exp["type"] for exp in expectations}
    expectations += [  # findings of an expectation the results do not list: shown, not judged
        {"type": name, "severity": "error", "status": "fail", "scope": "document"}
        for name in sorted(set(seen.by_expectation) - known)
    ]
    in_stories = _in_stories(results)
    for exp in expectations:
        if exp.get("exception"):
            yield {"exp": exp, "tests": 1, "failures": 0, "errors": 1}
            continue
        by_doc = seen.by_expectation.get(exp["type"], {})
        tests = failures = 0
        fails_run = bool(exp.get("fails_run"))
        for doc, _ in _checked_documents(results, exp, by_doc, seen, in_stories):
            tests += 1
            failures += fails_run and by_doc.get(doc, False)
        yield {"exp": exp, "tests": tests, "failures": failures, "errors": 0,
               "in_stories": in_stories}


def _in_stories(results: dict[str, Any]) -> set[str] | None:
    """The documents of the results' stories (``None``: read each document's ``story``)."""
    if not results.get("stories"):
        return None
    return {d for story in results["stories"] for d in story["documents"]}


def _checked_documents(
    results: dict[str, Any], exp: dict[str, Any], by_doc: Mapping[str, Any],
    seen: _FindingsSeen, in_stories: set[str] | None,
) -> Iterator[tuple[str, str | None]]:
    """Documents an expectation looked at, with their path: all of them, or for story
    scope those in stories (and any with a finding); then those the results do not list."""
    story_scope = exp.get("scope") == "story"
    for doc in results.get("documents", []):
        doc_id = doc["id"]
        if story_scope and doc_id not in by_doc and not (
                doc_id in in_stories if in_stories is not None else doc.get("story")):
            continue
        yield doc_id, doc.get("path", doc_id)
    for doc_id in sorted(d for d in by_doc if d in seen.unlisted):
        yield doc_id, None


def _fails(exp: dict[str, Any], findings: list[dict[str, Any]]) -> bool:
    """The verdict fails ``exp`` for the run and counts one of these findings."""
    return bool(exp.get("fails_run")) and any(is_counted(f) for f in findings)


def _xml_text(text: str) -> str:
    """Text that XML 1.0 can hold: characters it forbids are written as ``\\xNN`` / ``\\uNNNN``."""
    return _XML_ILLEGAL.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


def _attr(text: Any) -> str:
    return quoteattr(_xml_text(str(text)))


def _write_suite(
    out: IO[str],
    results: dict[str, Any],
    suite: dict[str, Any],
    seen: _FindingsSeen,
) -> None:
    exp = suite["exp"]
    name = exp["type"]
    started = (results.get("run") or {}).get("started")
    out.write(
        f'  <testsuite name={_attr(name)} tests="{suite["tests"]}" '
        f'failures="{suite["failures"]}" errors="{suite["errors"]}" skipped="0"'
        + (f" timestamp={_attr(started)}" if started else "")
        + ">\n"
    )
    out.write(
        f'    <properties><property name="severity" value={_attr(exp.get("severity", "error"))}/>'
        f'<property name="mostly" value={_attr(exp.get("mostly", 1.0))}/></properties>\n'
    )
    if exp.get("exception"):
        out.write(_error_testcase(name, str(exp["exception"])))
    else:
        by_doc = seen.findings_of(results, name)
        for doc, path in _checked_documents(results, exp, by_doc, seen, suite["in_stories"]):
            findings = by_doc.get(doc, [])
            out.write(_testcase(exp, doc, path or (findings[0]["path"] if findings else doc),
                                findings))
    out.write("  </testsuite>\n")


CORPUS_SUITE = "corpus"
"""The JUnit suite of a corpus that fails as a whole (no document could be read)."""


def _write_corpus_suite(out: IO[str], suite: dict[str, Any]) -> None:
    problem = str(suite["exp"]["problem"])
    out.write(f'  <testsuite name="{CORPUS_SUITE}" tests="1" failures="1" errors="0" '
              'skipped="0">\n')
    out.write(f'    <testcase classname="{CORPUS_SUITE}" name="documents read">'
              f'<failure type="no_documents" message={_attr(problem)}>'
              f"{escape(_xml_text(problem))}</failure></testcase>\n")
    out.write("  </testsuite>\n")


def _error_testcase(name: str, exception: str) -> str:
    first = exception.splitlines()[0] if exception else ""
    return (
        f'    <testcase classname={_attr(name)} name="(all documents)">'
        f"<error message={_attr(first)}>{escape(_xml_text(exception))}</error></testcase>\n"
    )


def _testcase(exp: dict[str, Any], doc: str, path: str, findings: list[dict[str, Any]]) -> str:
    head = f"    <testcase classname={_attr(exp['type'])} name={_attr(doc)} file={_attr(path)}"
    if not findings:
        return head + "/>\n"
    if _fails(exp, findings):
        errors = [f for f in findings if is_counted(f)]
        others = [f for f in findings if not is_counted(f)]
        reasons = ",".join(dict.fromkeys(f["reason"] for f in errors))
        summary = f"{len(errors)} finding{'s' if len(errors) != 1 else ''}: {errors[0]['message']}"
        body = "\n".join(finding_line(f) for f in errors)
        failure = (
            f"<failure type={_attr(reasons)} message={_attr(summary)}>"
            f"{escape(_xml_text(body))}</failure>"
        )
        return head + ">" + failure + _system_out(others, exp) + "</testcase>\n"
    return head + ">" + _system_out(findings, exp) + "</testcase>\n"


def _system_out(findings: list[dict[str, Any]], exp: dict[str, Any]) -> str:
    if not findings:
        return ""
    lines = [f"{f['severity']}{_label(f, exp)}: {finding_line(f)}" for f in findings]
    return f"<system-out>{escape(_xml_text(chr(10).join(lines)))}</system-out>"


def _label(finding: dict[str, Any], exp: dict[str, Any]) -> str:
    """Why a finding does not fail its testcase, when that is not plain from its severity."""
    if not is_counted(finding):
        return f" ({GATE_LABELS.get(finding['gate'], finding['gate'])})"
    if finding["severity"] == "error" and exp.get("status", "pass") == "pass":
        return " (tolerated: expectation passed)"
    return ""


# --- GitHub workflow commands ------------------------------------------------------------


def escape_data(text: str) -> str:
    """Escape a workflow command's message (``%``, CR, LF), as GitHub's toolkit does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (also ``:`` and ``,``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotations(
    results: dict[str, Any], *, max_per_severity: int | None = GITHUB_LIMIT
) -> str:
    """Findings as GitHub workflow commands (``::error file=…,line=…,title=…::message``).

    Only counted findings are annotated (waived and baselined ones are not news):
    error → ``::error``, warning → ``::warning``, info → ``::notice``. GitHub shows only
    10 annotations of each kind per step, so beyond ``max_per_severity`` of a kind the
    findings are printed as plain ``path:line:col:`` lines (``None``: annotate all).
    Expired waivers are ``::warning`` annotations at their line of the waiver file.
    With a verdict in ``results``, the last line gives it: ``::error`` when the run
    fails, ``::notice`` when it passes.
    """
    return "".join(github_annotation_lines(results, max_per_severity=max_per_severity))


def github_annotation_lines(
    results: dict[str, Any], *, max_per_severity: int | None = GITHUB_LIMIT
) -> Iterator[str]:
    """:func:`github_annotations` one line (with its newline) at a time, the findings
    read as they are written."""
    annotated, total = dict.fromkeys(GITHUB_COMMANDS, 0), dict.fromkeys(GITHUB_COMMANDS, 0)
    for item in results.get("findings", []):
        if not is_counted(item):
            continue
        severity = item["severity"] if item["severity"] in GITHUB_COMMANDS else "error"
        total[severity] += 1
        if max_per_severity is None or annotated[severity] < max_per_severity:
            annotated[severity] += 1
            yield _command(GITHUB_COMMANDS[severity], item) + "\n"
        else:
            yield f"{severity}: {_plain(finding_line(item))}\n"
    skipped = {sev: total[sev] - annotated[sev] for sev in total if total[sev] > annotated[sev]}
    if skipped:
        counts = ", ".join(f"{annotated[sev]} of {total[sev]} {sev}" for sev in total if total[sev])
        yield (
            f"corpus-qa: annotated {counts} findings (GitHub shows {max_per_severity} "
            "annotations of each kind per step); the others are listed above and in the "
            "report.\n"
        )
    for waiver in gating(results).get("expired_waivers", []):
        yield _waiver_command(waiver) + "\n"
    if gating(results):
        yield _verdict_command(results) + "\n"


def _waiver_command(waiver: dict[str, Any]) -> str:
    props = {"file": str(waiver["file"]), "line": str(waiver["line"]), "title": "expired waiver"}
    text = ",".join(f"{key}={escape_property(_OTHER_LINE_BREAKS.sub(' ', value))}"
                    for key, value in props.items())
    return f"::warning {text}::{escape_data(_OTHER_LINE_BREAKS.sub(' ', waiver['message']))}"


def _verdict_command(results: dict[str, Any]) -> str:
    """The verdict as one annotation: ``::error`` (failed) or ``::notice`` (passed)."""
    gate = gating(results)
    found = counted_by_severity(results)
    stats = results.get("statistics", {})
    text = (f"corpus-qa: {'passed' if results.get('success') else 'FAILED'} — "
            f"{stats.get('documents', 0):,} documents, {found['error']:,} errors, "
            f"{found['warning']:,} warnings, {found['info']:,} info")
    if gate.get("failing"):
        text += f"; failing: {', '.join(gate['failing'])}"
    if gate.get("corpus_problem"):
        text += f"; {gate['corpus_problem']}"
    command = "notice" if results.get("success") else "error"
    return f"::{command} title=corpus-qa verdict::{escape_data(_OTHER_LINE_BREAKS.sub(' ', text))}"


def _command(command: str, item: dict[str, Any]) -> str:
    """One annotation. A JSON Lines record is annotated at its line (where in its text is
    said in the message); a Parquet row at the file, its row named in the message."""
    properties = {"file": str(item["path"])}
    if item.get("record") != "row":
        properties["line"] = str(item.get("line", 1))
    if not item.get("record"):
        properties["col"] = str(item.get("column", 1))
    properties["title"] = f"{item['expectation']} [{item['reason']}]"
    props = ",".join(
        f"{key}={escape_property(_OTHER_LINE_BREAKS.sub(' ', value))}"
        for key, value in properties.items()
    )
    inside = in_record(item)
    message = (f"{inside}: " if inside else "") + str(item.get("message", ""))
    if item.get("suggestion"):
        message += f"\nsuggestion: {item['suggestion']}"
    return f"::{command} {props}::{escape_data(_OTHER_LINE_BREAKS.sub(' ', message))}"


def _plain(text: str) -> str:
    """One log line: no CR/LF, so no text can start a workflow command of its own."""
    return " ".join(_OTHER_LINE_BREAKS.sub(" ", text).splitlines())


# --- Markdown summary --------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_MENTION = re.compile(r"@(?=\w)")


def markdown_text(text: str) -> str:
    """Text that GitHub-flavoured Markdown shows as it is, on one line of a table cell.

    HTML is entity-escaped, Markdown punctuation backslash-escaped, and ``@name`` broken
    with a zero-width space so a document cannot mention (and notify) anyone.
    """
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MENTION.sub("@&#8203;", text)


def markdown_code(text: str) -> str:
    """An inline code span holding ``text`` (no Markdown, HTML, mentions), fit for a table cell."""
    text = " ".join(str(text).split()).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def write_summary_md(
    results: dict[str, Any],
    path: Path,
    report_href: str = "index.html",
    *,
    max_findings: int = 20,
) -> Path:
    """Write a short Markdown summary for a pull-request comment; links point into the report."""
    lines = [*_summary_lines(results, report_href, max_findings), "", REPORT_MARKER]
    return write_atomically(path, "\n".join(lines) + "\n")


def _summary_lines(results: dict[str, Any], href: str, max_findings: int) -> Iterator[str]:
    stats = results.get("statistics", {})
    found = counted_by_severity(results)
    passed = bool(results.get("success"))
    run = results.get("run") or {}
    yield f"## {'✅ corpus-qa: pass' if passed else '❌ corpus-qa: fail'}"
    yield ""
    yield (
        f"**{found['error']:,} errors · {found['warning']:,} warnings · "
        f"{found['info']:,} info** "
        f"in {_count(stats.get('documents', 0), 'document')} "
        f"({_count(stats.get('stories', 0), 'story', 'stories')}) — "
        f"suite {markdown_text(results.get('suite', ''))}, corpus "
        f"{markdown_text(', '.join(map(str, results.get('corpus', []))))}"
        + (f", corpus-qa {markdown_text(run['tool_version'])}" if run.get("tool_version") else "")
        + f". [Open the full report]({href})"
    )
    yield ""
    yield from _gating_lines(results)
    yield from _expectation_lines(results)
    yield from _finding_lines(results, href, max_findings)


def _gating_lines(results: dict[str, Any]) -> Iterator[str]:
    """What the verdict set aside or could not read: one bullet each, then a blank line."""
    gate = gating(results)
    lines = []
    if gate.get("corpus_problem"):
        lines.append(f"**{markdown_text(gate['corpus_problem'])}**")
    if results.get("skipped_files"):
        skipped = results["skipped_files"]
        names = ", ".join(markdown_code(name) for name in skipped[:10])
        more = f" and {len(skipped) - 10:,} more" if len(skipped) > 10 else ""
        lines.append(f"Skipped {_count(len(skipped), 'file')} no loader reads: {names}{more}")
    if gate.get("waived"):
        lines.append(f"{_count(gate['waived'], 'finding')} waived (not counted)")
    baseline = gate.get("baseline")
    if baseline:
        lines.append(f"Baseline: {baseline['new']:,} new, {baseline['known']:,} known "
                     f"(not counted), {baseline['fixed']:,} fixed")
    for waiver in gate.get("expired_waivers", []):
        lines.append(f"Expired waiver: {markdown_text(waiver['message'])}")
    for waiver in gate.get("unused_waivers", []):
        lines.append(f"Unused waiver: {markdown_text(waiver['message'])}")
    for note in gate.get("notes", []):
        if note.startswith("corpus-wide:"):  # a suite setting more likely than broken documents
            lines.append(markdown_text(note[0].upper() + note[1:]))
    if lines:
        yield from (f"- {line}" for line in lines)
        yield ""


def _expectation_lines(results: dict[str, Any]) -> Iterator[str]:
    expectations = results.get("expectations", [])
    failing = [e for e in expectations if _status(e) != "pass"]
    yield f"{len(expectations) - len(failing)} of {len(expectations)} expectations passed."
    if not failing:
        return
    yield ""
    yield "| Expectation | Severity | Result | Unexpected |"
    yield "|---|---|---|--:|"
    for exp in failing:
        result = "raised an error" if _status(exp) == "error" else "failed"
        if not exp.get("fails_run", True):
            result += " (below fail-on: does not fail the run)"
        unexpected = exp.get("gated_unexpected", exp.get("unexpected", 0))
        before = (f" ({exp['unexpected']:,} before waivers/baseline)"
                  if unexpected != exp.get("unexpected", unexpected) else "")
        yield (
            f"| {markdown_code(exp['type'])} | {markdown_text(exp.get('severity', 'error'))} "
            f"| {result} | "
            f"{unexpected:,} of {exp.get('checked', 0):,}{before} |"
        )


def _status(exp: dict[str, Any]) -> str:
    """The verdict's status of an expectation (``pass``, ``fail``, ``error``)."""
    if "status" in exp:
        return str(exp["status"])
    return "error" if exp.get("exception") else ("pass" if exp.get("success") else "fail")


def _finding_lines(results: dict[str, Any], href: str, max_findings: int) -> Iterator[str]:
    # Indices stay those of the results' findings: they are the report's anchors. The
    # counted findings, most severe first (in results order within a severity): the
    # first max_findings of each severity are kept, the others only counted.
    firsts: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    total = 0
    for i, item in enumerate(results.get("findings", [])):
        if is_counted(item):
            total += 1
            kept = firsts.setdefault(SEVERITY_ORDER.get(item["severity"], 0), [])
            if len(kept) < max_findings:
                kept.append((i, item))
    if not total:
        return
    shown = [pair for rank in sorted(firsts) for pair in firsts[rank]][:max_findings]
    yield ""
    yield f"### {'First findings' if total > len(shown) else 'Findings'}"
    yield ""
    yield "| Severity | Document | Expectation [reason] | Message |"
    yield "|---|---|---|---|"
    for index, item in shown:
        yield (
            f"| {markdown_text(item['severity'])} "
            f"| [{markdown_code(item['document'])}]({href}#finding-{index}) "
            f"| {markdown_code(item['expectation'])} {markdown_code(item['reason'])} "
            f"| {markdown_text(_shorten(item.get('message', ''), 200))} |"
        )
    if total > len(shown):
        yield ""
        yield f"… and {total - len(shown):,} more in the [report]({href}#findings)."


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
