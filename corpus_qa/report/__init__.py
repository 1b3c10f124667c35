"""Reports of a validation run: the steward's HTML report and the CI outputs.

``write_html_report`` writes the self-contained HTML report; ``write_junit``,
``github_annotations`` and ``write_summary_md`` turn the same results dict (what
``--json`` writes, the gated verdict included) into JUnit XML, GitHub workflow commands
and a Markdown summary. ``gxdocs.write_gx_docs`` writes GX Data Docs from the run and
its verdict.
"""

from __future__ import annotations

from corpus_qa.report.ci import github_annotations, write_junit, write_summary_md
from corpus_qa.report.html import write_html_report

__all__ = ["github_annotations", "write_html_report", "write_junit", "write_summary_md"]
