"""GX Data Docs for a run: one GX validation result for the whole corpus, rendered by GX.

The runner validates in chunks, so the GX result is rebuilt here from the aggregated
outcomes and findings: per expectation its success, counts and at most
:data:`UNEXPECTED_ROWS` ``document id: excerpt`` strings (never whole documents). GX's
own ``ValidationResultsPageRenderer`` and ``DefaultJinjaPageView`` render the page; our
expectations' renderers (:class:`corpus_qa.expectations.base.CorpusExpectation`) make
them read as sentences and their failures as document id + reason + excerpt.

GX's page loads Bootstrap, jQuery, Font Awesome … from CDNs. When those packages were
installed from the npm registry at build time (``make setup``: see :data:`ASSETS`), the
files are copied next to ``index.html`` and the page points at the copies, so it opens
styled offline. Otherwise the page says, in a banner at the top, that it needs the network.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus_qa.outputs import write_atomically
from corpus_qa.results import ExpectationVerdict, Finding, Outcome, RunResult, Verdict

UNEXPECTED_ROWS = 20
ASSETS_ENV = "CORPUS_QA_GX_ASSETS"
"""Names a ``node_modules`` folder holding the npm packages below (default: the venv's)."""
ASSETS_DIR = "gx-assets"
"""The folder next to ``index.html`` the offline copies go to."""
SUITE_PAGE = "suite.html"
"""The suite's page (its expectations as sentences), linked from the results page."""


@dataclass(frozen=True)
class Asset:
    """A file GX's page loads from a CDN, and where its npm package installs it."""

    url: str
    path: str  # inside node_modules
    tree: str | None = None  # a folder of fonts to copy with it (relative to node_modules)


# Exactly the URLs GX 1.24's page.j2 / js_script_imports.j2 reference.
ASSETS = (
    Asset("https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css",
          "bootstrap-table/dist/bootstrap-table.min.css"),
    Asset("https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css",
          "bootstrap/dist/css/bootstrap.min.css"),
    Asset("https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
          "bootstrap-table-filter-control.css",
          "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.css"),
    Asset("https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
          "bootstrap-datepicker.min.css",
          "bootstrap-datepicker/dist/css/bootstrap-datepicker.min.css"),
    Asset("https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/"
          "bootstrap-prefers-dark.css",
          "@forevolve/bootstrap-dark/dist/css/bootstrap-prefers-dark.min.css"),
    Asset("https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css",
          "@fortawesome/fontawesome-free/css/all.min.css",
          tree="@fortawesome/fontawesome-free/webfonts"),
    Asset("https://code.jquery.com/jquery-3.7.1.min.js", "jquery/dist/jquery.min.js"),
    Asset("https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js",
          "popper.js/dist/umd/popper.min.js"),
    Asset("https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js",
          "bootstrap/dist/js/bootstrap.min.js"),
    Asset("https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js",
          "bootstrap-table/dist/bootstrap-table.min.js"),
    Asset("https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
          "bootstrap-table-filter-control.min.js",
          "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.js"),
    Asset("https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
          "bootstrap-datepicker.min.js",
          "bootstrap-datepicker/dist/js/bootstrap-datepicker.min.js"),
)
NPM_PACKAGES = (
    "bootstrap@4.3.1", "jquery@3.7.1", "popper.js@1.12.9", "bootstrap-table@1.19.1",
    "bootstrap-datepicker@1.9.0", "@forevolve/bootstrap-dark@1.1.0",
    "@fortawesome/fontawesome-free@6.6.0",
)
"""What ``npm install --prefix <venv>/gx-assets`` installs for :data:`ASSETS`."""

UNUSED_SCRIPTS = ("https://cdn.jsdelivr.net/npm/vega@5", "https://cdn.jsdelivr.net/npm/vega-lite@5",
                  "https://cdn.jsdelivr.net/npm/vega-embed@6")
"""Chart libraries GX includes on every page; a validation results page draws no chart."""

GX_IMAGES = {  # GX's images on its web host -> the copy in the installed GX package
    "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png":
        "logo-long.png",
    "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/full_logo_dark.png":
        "logo-long.png",
}

OFFLINE_BANNER = (
    "GX Data Docs load Bootstrap/jQuery from CDNs and render unstyled offline; the "
    "self-contained corpus-qa report is reports/index.html"
)
_EXTERNAL = re.compile(
    r"""<(?:link|script|img)\b[^>]*?\b(?:href|src)\s*=\s*["'](https?:)?//[^"']*["']"""
    r"""|url\(\s*['"]?https?://""", re.IGNORECASE)


def gx_validation_result(result: RunResult, verdict: Verdict) -> Any:
    """The whole run as one GX ``ExpectationSuiteValidationResult`` (counts over all chunks).

    Its ``success`` and each expectation's are corpus-qa's gated ``verdict`` (GX's own
    would ignore severity, waivers and the baseline); the counts are the run's.
    """
    import great_expectations as gx
    from great_expectations.core import ExpectationSuiteValidationResult

    results = [_expectation_result(o, verdict.expectation(o.type), result.findings)
               for o in _gx_outcomes(result)]
    passed = sum(1 for r in results if r.success)
    input_outcome = next((o for o in result.outcomes if o.type == "input"), None)
    return ExpectationSuiteValidationResult(
        success=verdict.success,
        results=results,
        suite_name=_escaped(result.suite),
        statistics={
            "evaluated_expectations": len(results),
            "successful_expectations": passed,
            "unsuccessful_expectations": len(results) - passed,
            "success_percent": 100.0 * passed / len(results) if results else 100.0,
        },
        meta={
            "great_expectations_version": gx.__version__,
            "run_id": {"run_name": f"corpus-qa {result.tool_version}".strip(),
                       "run_time": result.started or None},
            "batch_spec": {
                "data_asset_name": _escaped(", ".join(result.corpus)),
                "documents": len(result.documents),
                "stories": len(result.stories),
                "unreadable_inputs": input_outcome.unexpected if input_outcome else 0,
                "findings": ", ".join(f"{n} {k}" for k, n in result.counts().items()),
                "corpus_qa_version": result.tool_version,
            },
            "corpus_qa_verdict": {
                "success": verdict.success, "exit_code": verdict.exit_code,
                "fail_on": verdict.fail_on, "failing": list(verdict.failing),
                "corpus_problem": verdict.corpus_problem,
                "waived": len(verdict.waived), "known_in_baseline": len(verdict.known),
                "skipped_files": len(result.skipped_files),
            },
        },
    )


def _escaped(name: str) -> str:
    """A name GX puts into its navbar unescaped (suite, data asset), made inert."""
    return html.escape(name, quote=False)


def _gx_outcomes(result: RunResult) -> list[Outcome]:
    """The outcomes of GX expectations (not the ``input`` pseudo-expectation)."""
    from corpus_qa.expectations import registered

    types = registered()
    return [o for o in result.outcomes if o.type in types]


def _configuration(outcome: Outcome) -> Any:
    """The GX configuration of the suite entry behind ``outcome`` (kwargs, severity, mostly)."""
    from corpus_qa.expectations import registered
    from corpus_qa.suite import GX_SEVERITY

    cls = registered()[outcome.type]
    extra: dict[str, Any] = {"severity": GX_SEVERITY[outcome.severity],
                             "meta": {"corpus_qa": {"severity": outcome.severity}}}
    if outcome.mostly != 1.0:
        extra["mostly"] = outcome.mostly
    if outcome.description and outcome.description != cls.summary():
        extra["description"] = outcome.description  # the suite entry's own description
    return cls(**extra, **outcome.kwargs).configuration


def _expectation_result(outcome: Outcome, judged: ExpectationVerdict,
                        findings: list[Finding]) -> Any:
    """One expectation's GX result: the verdict's success, counts, up to 20 samples."""
    from great_expectations.core import ExpectationValidationResult

    mine = [f for f in findings if f.expectation == outcome.type][:UNEXPECTED_ROWS]
    considered = outcome.checked - outcome.missing
    percent = 100.0 * outcome.unexpected / considered if considered > 0 else 0.0
    total = max(outcome.checked, 1)
    error = outcome.errors[0] if outcome.errors else ""
    return ExpectationValidationResult(
        success=judged.success,
        expectation_config=_configuration(outcome),
        result={
            "element_count": outcome.checked,
            "missing_count": outcome.missing,
            "missing_percent": 100.0 * outcome.missing / total,
            "unexpected_count": outcome.unexpected,
            "unexpected_percent": percent,
            "unexpected_percent_nonmissing": percent,
            "unexpected_percent_total": 100.0 * outcome.unexpected / total,
            "partial_unexpected_list": [f"{f.document}: {f.excerpt}" for f in mine],
            "partial_unexpected_index_list": [{"document": f.document, "reason": f.reason}
                                              for f in mine],
        },
        exception_info={"raised_exception": bool(error),
                        "exception_message": error.splitlines()[0] if error else None,
                        "exception_traceback": error or None},
        meta={"corpus_qa": {"status": judged.status, "fails_run": judged.fails_run,
                            "gated_unexpected": judged.gated_unexpected}},
    )


def render_results_page(validation_result: Any) -> str:
    """GX's own HTML page for a suite validation result (it references GX's CDNs)."""
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    document = ValidationResultsPageRenderer().render(validation_result)
    return DefaultJinjaPageView().render(document)


def render_suite_page(suite: Any) -> str:
    """GX's own HTML page for an ``ExpectationSuite``: each expectation's prescriptive sentence."""
    from great_expectations.render.renderer import ExpectationSuitePageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    return DefaultJinjaPageView().render(ExpectationSuitePageRenderer().render(suite))


def suite_of(validation_result: Any) -> Any:
    """The ``ExpectationSuite`` a validation result was made with (its configurations)."""
    import great_expectations as gx

    configurations = [r.expectation_config for r in validation_result.results]
    return gx.ExpectationSuite(name=validation_result.suite_name,
                               expectations=[c.to_domain_obj() for c in configurations])


def installed_assets() -> Path | None:
    """The ``node_modules`` folder holding every file of :data:`ASSETS`, if installed."""
    configured = os.environ.get(ASSETS_ENV)
    root = Path(configured) if configured else Path(sys.prefix) / "gx-assets" / "node_modules"
    if all((root / asset.path).is_file() for asset in ASSETS):
        return root
    return None


def copy_assets(node_modules: Path, target: Path) -> None:
    """Copy the files of :data:`ASSETS` from ``node_modules`` into ``target``."""
    for asset in ASSETS:
        _copy(node_modules / asset.path, target / asset.path)
        if asset.tree:
            for font in sorted((node_modules / asset.tree).glob("*.woff2")):
                _copy(font, target / asset.tree / font.name)  # every browser in use reads woff2


def use_local_assets(page: str) -> str:
    """Point a GX page at the copies made by :func:`copy_assets` instead of the CDNs."""
    for asset in ASSETS:
        page = _point_to(page, asset.url, f"{ASSETS_DIR}/{asset.path}")
    for url in UNUSED_SCRIPTS:
        page = re.sub(rf'<script src="{re.escape(url)}"></script>\s*', "", page)
    return page


def copy_gx_images(target: Path) -> None:
    """Copy GX's logo and icon from the installed GX package into ``target/gx``."""
    images = _gx_images()
    for name in {*GX_IMAGES.values(), "favicon.ico"}:
        _copy(images / name, target / "gx" / name)


def use_local_images(page: str) -> str:
    """Point a GX page at the copies made by :func:`copy_gx_images` (logo from GX's web host)."""
    for url, name in GX_IMAGES.items():
        page = re.sub(rf"{re.escape(url)}(?:\?[^\"')]*)?", f"{ASSETS_DIR}/gx/{name}", page)
    return re.sub(r'href="(?:\.\./)*static/images/favicon\.ico"',
                  f'href="{ASSETS_DIR}/gx/favicon.ico"', page)


def _local_links(page: str) -> str:
    """GX's links into a Data Docs site of its own: Home -> index.html, the suite -> suite.html."""
    page = re.sub(r'href="(?:\.\./)+index\.html"', 'href="index.html"', page)
    return re.sub(r'href="(?:\.\./)+expectations/[^"]*\.html"', f'href="{SUITE_PAGE}"', page)


def _point_to(page: str, url: str, local: str) -> str:
    """Replace ``url`` by ``local``, dropping SRI/CORS attributes (they fail on file://)."""
    pattern = re.compile(rf'(<(?:script|link)\b[^>]*?)"{re.escape(url)}"([^>]*>)')

    def swap(match: re.Match[str]) -> str:
        tail = re.sub(r'\s+(?:integrity|crossorigin)="[^"]*"', "", match.group(2))
        return f'{match.group(1)}"{local}"{tail}'

    return pattern.sub(swap, page)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _gx_images() -> Path:
    import great_expectations

    return Path(great_expectations.__file__).parent / "render" / "view" / "static" / "images"


def external_references(page: str) -> list[str]:
    """Stylesheets, scripts, images and CSS ``url()`` the page would fetch from the network."""
    return [m.group(0) for m in _EXTERNAL.finditer(page)]


def with_offline_banner(page: str) -> str:
    """The page with a visible banner saying it needs the network (Option B)."""
    banner = ('<div id="corpus-qa-offline-banner" role="alert" style="background:#fff3cd;'
              "color:#664d03;border-bottom:2px solid #ffc107;padding:.75rem 1.25rem;"
              'font:16px/1.4 system-ui,sans-serif;position:relative;z-index:2000">'
              f"{html.escape(OFFLINE_BANNER)}</div>")
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + banner, page, count=1)


def write_gx_docs(result: RunResult, verdict: Verdict, out_dir: Path) -> Path:
    """Write GX Data Docs for the run (``index.html`` and the suite page); return index.html."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    validation = gx_validation_result(result, verdict)
    pages = {"index.html": render_results_page(validation),
             SUITE_PAGE: render_suite_page(suite_of(validation))}
    node_modules = installed_assets()
    copy_gx_images(out_dir / ASSETS_DIR)
    if node_modules is not None:
        copy_assets(node_modules, out_dir / ASSETS_DIR)
    for name, page in pages.items():
        page = use_local_images(_local_links(page))
        if node_modules is not None:
            page = use_local_assets(page)
        if external_references(page):
            page = with_offline_banner(page)
        write_atomically(out_dir / name, page)
    return out_dir / "index.html"
