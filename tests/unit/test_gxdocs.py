"""GX Data Docs: one GX result for the run, our sentences, id + excerpt samples, offline assets."""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
from pathlib import Path

import pytest

from corpus_qa.cli import main
from corpus_qa.expectations import (
    ExpectDocumentDateToBeValid,
    ExpectDocumentToBeUnicodeNormalized,
    ExpectDocumentToHaveMetadata,
    ExpectVersionsToHaveConsistentFigures,
    ExpectVersionsToPreserveDiacritics,
    registered,
)
from corpus_qa.gate import gate
from corpus_qa.report import gxdocs
from corpus_qa.results import Finding, Outcome, RunResult
from corpus_qa.suite import load_suite
from tests.conftest import NEWS, SEED_000, SEED_001, SEEDS

METADATA = "expect_document_to_have_metadata"
METADATA_SENTENCE = (
    "The document states each required metadata field (in fields, front matter, header or "
    "text). Fields: date, source, attribution. Must hold for every document; severity error."
)
XSS_ID = '<script>alert("id")</script>'
XSS_EXCERPT = '<img src=x onerror=alert("excerpt")> javascript:alert(1)'
XSS_SUITE = "<b onmouseover=alert(1)>suite</b>"
XSS_CORPUS = "<svg onload=alert(2)>"


def page_text(page: str) -> str:
    """The body's visible text on one line (tags, scripts and styles removed)."""
    page = page.split("<body>", 1)[-1]
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    return re.sub(r" ([.;,])", r"\1", text)  # a badge's closing tag is not a space


def rendered(template: str, params: dict[str, str]) -> str:
    """A GX string template with its params substituted, as the page shows it."""
    for name in sorted(params, key=len, reverse=True):
        template = template.replace(f"${name}", params[name])
    return " ".join(template.split())


def metadata_result(findings: list[tuple[str, str]], *, documents: int = 30,
                    suite: str = "news", corpus: str = "corpus") -> RunResult:
    """A run of one metadata expectation over ``documents``; ``findings``: (document, excerpt)."""
    failing = {doc for doc, _ in findings}
    outcomes = [
        Outcome(type="input", severity="error", mostly=1.0, kwargs={}, scope="input",
                description="Every corpus file is readable.", checked=documents),
        Outcome(type=METADATA, severity="error", mostly=1.0, kwargs={"fields": ["date"]},
                description=ExpectDocumentToHaveMetadata.summary(), checked=documents,
                unexpected=len(failing)),
    ]
    placed = [
        Finding(expectation=METADATA, severity="error", document=doc, path=f"{corpus}/{doc}.txt",
                reason="missing_field", message="no date", span=(0, 5), line=1, column=1,
                excerpt=excerpt)
        for doc, excerpt in findings
    ]
    return RunResult(suite=suite, corpus=[corpus], outcomes=outcomes, findings=placed,
                     documents=[{"id": f"d{i}"} for i in range(documents)],
                     started="2024-01-02T03:04:05+00:00", tool_version="9.9.9")


def write_docs(result: RunResult, out_dir: Path) -> Path:
    return gxdocs.write_gx_docs(result, gate(result), out_dir)


def hostile_result() -> RunResult:
    """Every string the page shows tries to run script: id, excerpt, suite name, corpus path."""
    return metadata_result([(XSS_ID, XSS_EXCERPT)], documents=1, suite=XSS_SUITE,
                           corpus=XSS_CORPUS)


@pytest.fixture
def no_assets(tmp_path, monkeypatch) -> None:
    """As on a machine where the npm assets were not installed."""
    monkeypatch.setenv(gxdocs.ASSETS_ENV, str(tmp_path / "no-node-modules"))


@pytest.fixture
def fake_assets(tmp_path, monkeypatch) -> Path:
    """A node_modules holding a small file at every asset path (and one font)."""
    root = tmp_path / "node_modules"
    for asset in gxdocs.ASSETS:
        (root / asset.path).parent.mkdir(parents=True, exist_ok=True)
        (root / asset.path).write_text(f"/* {asset.path} */", encoding="utf-8")
        if asset.tree:
            (root / asset.tree).mkdir(parents=True, exist_ok=True)
            (root / asset.tree / "fa-solid-900.woff2").write_bytes(b"wOF2")
            (root / asset.tree / "fa-solid-900.ttf").write_bytes(b"ttf")
    monkeypatch.setenv(gxdocs.ASSETS_ENV, str(root))
    return root


@pytest.fixture(scope="module")
def seed_docs(tmp_path_factory) -> tuple[Path, dict]:
    """``corpus-qa validate seeds --gx-docs DIR --json PATH`` (in this process: GX is loaded)."""
    out = tmp_path_factory.mktemp("seed-gx-docs")
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["validate", str(SEEDS), "--quiet", "--workers", "1",
                     "--gx-docs", str(out / "gx"), "--json", str(out / "results.json")])
    assert code == 1, stderr.getvalue()
    assert f"GX Data Docs: {out / 'gx' / 'index.html'}" in stderr.getvalue()
    return out / "gx", json.loads((out / "results.json").read_text(encoding="utf-8"))


# --- the seed page -----------------------------------------------------------------------


def test_seed_page_names_every_expectation_with_its_sentence(seed_docs):
    gx_dir, results = seed_docs
    text = page_text((gx_dir / "index.html").read_text(encoding="utf-8"))
    types = registered()
    shown = [e for e in results["expectations"] if e["type"] in types]
    assert len(shown) == len(load_suite(NEWS).expectations)
    for entry in shown:
        cls = types[entry["type"]]
        configuration = cls(**entry["kwargs"], mostly=entry["mostly"],
                            meta={"corpus_qa": {"severity": entry["severity"]}}).configuration
        assert rendered(*cls.sentence(configuration)) in text, entry["type"]
    assert METADATA_SENTENCE in text
    assert ("No version of a story writes without accents a word another version accents "
            "(Lopez/López). Must hold for every story with two or more versions; "
            "severity warning.") in text


def test_seed_page_shows_document_ids_reasons_and_excerpts_of_failures(seed_docs):
    gx_dir, results = seed_docs
    text = page_text((gx_dir / "index.html").read_text(encoding="utf-8"))
    assert "Document Reason Excerpt" in text
    missing = [f for f in results["findings"] if f["reason"] == "missing_field"]
    assert {f["document"] for f in missing} == {SEED_000, SEED_001}
    for finding in results["findings"]:
        assert f"{finding['document']} {finding['reason']} {finding['excerpt']}" in text
    assert "Data asset: " + str(SEEDS) in text
    assert "Status: Failed" in text


def test_seed_page_never_contains_a_whole_seed_text(seed_docs):
    gx_dir, _ = seed_docs
    text = page_text((gx_dir / "index.html").read_text(encoding="utf-8"))
    for seed in sorted(SEEDS.glob("*.txt")):
        words = " ".join(seed.read_text(encoding="utf-8").split())
        windows = [words[i:i + 100] for i in range(0, len(words) - 100, 25)]
        assert windows and not [w for w in windows if w in text], seed.name


def test_seed_docs_link_the_suite_page_and_back(seed_docs):
    gx_dir, _ = seed_docs
    index = (gx_dir / "index.html").read_text(encoding="utf-8")
    suite = (gx_dir / gxdocs.SUITE_PAGE).read_text(encoding="utf-8")
    assert '<a href="suite.html" >news</a>' in index
    assert page_text(suite).count("Must hold for") == len(load_suite(NEWS).expectations)
    assert re.findall(r'<a href="([^"#]*)"', suite)[:2] == ["index.html", "index.html"]
    assert not re.findall(r'href="\.\./', index + suite)


# --- the GX result -----------------------------------------------------------------------


def test_validation_result_counts_the_whole_run_and_keeps_20_short_samples():
    findings = [(f"d{i:02}", f"excerpt {i}") for i in range(25)]
    result = metadata_result(findings, documents=50)
    validation = gxdocs.gx_validation_result(result, gate(result))
    (item,) = validation.results
    assert item.success is False and validation.success is False
    stats = item.result
    assert (stats["element_count"], stats["unexpected_count"]) == (50, 25)
    assert stats["unexpected_percent"] == 50.0
    assert stats["partial_unexpected_list"] == [f"d{i:02}: excerpt {i}" for i in range(20)]
    assert stats["partial_unexpected_index_list"][0] == {"document": "d00",
                                                          "reason": "missing_field"}
    assert item.expectation_config.type == METADATA
    assert item.expectation_config.kwargs["fields"] == ["date"]
    assert validation.statistics == {"evaluated_expectations": 1, "successful_expectations": 0,
                                     "unsuccessful_expectations": 1, "success_percent": 0.0}
    assert validation.meta["run_id"] == {"run_name": "corpus-qa 9.9.9",
                                         "run_time": "2024-01-02T03:04:05+00:00"}
    assert validation.meta["great_expectations_version"] == "1.24.1"
    assert validation.suite_name == "news"


def test_the_gx_status_is_the_corpus_qa_verdict_at_fail_on():
    result = metadata_result([("d1", "x")])
    result.outcomes[1].severity = "warning"
    assert gxdocs.gx_validation_result(result, gate(result)).success is True
    assert gxdocs.gx_validation_result(result, gate(result, fail_on="warning")).success is False
    validation = gxdocs.gx_validation_result(result, gate(result))
    (item,) = validation.results
    assert item.success is False  # the expectation itself failed, whatever the verdict
    assert item.meta["corpus_qa"] == {"status": "fail", "fails_run": False,
                                      "gated_unexpected": 1}
    assert validation.meta["corpus_qa_verdict"]["exit_code"] == 0


def test_an_expectation_that_raised_is_shown_as_an_exception():
    result = metadata_result([])
    result.outcomes[1].errors.append("ValueError: boom\nTraceback …")
    (item,) = gxdocs.gx_validation_result(result, gate(result)).results
    assert item.success is False
    assert item.exception_info == {"raised_exception": True,
                                   "exception_message": "ValueError: boom",
                                   "exception_traceback": "ValueError: boom\nTraceback …"}


def test_hostile_ids_excerpts_and_names_are_escaped(tmp_path, no_assets):
    page = write_docs(hostile_result(), tmp_path).read_text(encoding="utf-8")
    for raw in (XSS_ID, XSS_EXCERPT, XSS_SUITE, XSS_CORPUS, "<script>alert", "<img src=x",
                "<svg onload", "<b onmouseover"):
        assert raw not in page
    text = page_text(page)
    assert f"{XSS_ID} missing_field {XSS_EXCERPT}" in text


# --- sentences ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "kwargs", "sentence"),
    [
        pytest.param(ExpectDocumentToHaveMetadata, {"mostly": 0.95},
                     "The document states each required metadata field (in fields, front matter, "
                     "header or text). Fields: date, source, attribution. Must hold for at least "
                     "95% of documents; severity error.", id="metadata-mostly-95"),
        pytest.param(ExpectDocumentDateToBeValid, {"min_date": "2000-01-01"},
                     "The document's date is a real calendar date, not in the future, within "
                     "min/max if given. Min date: 2000-01-01. Must hold for every document; "
                     "severity error.", id="date-min-only"),
        pytest.param(ExpectDocumentToBeUnicodeNormalized, {"form": "NFKC"},
                     "The text is in one Unicode normalization form (NFC unless form says "
                     "otherwise). Form: NFKC. Must hold for every document; severity error.",
                     id="normalized-code-marks-dropped"),
        pytest.param(ExpectVersionsToHaveConsistentFigures,
                     {"tolerance": 0.02, "meta": {"corpus_qa": {"severity": "warning"}}},
                     "Aligned sentences of a story's versions report the same numbers, dates and "
                     "quantities. Tolerance: 0.02. Must hold for every story with two or more "
                     "versions; severity warning.", id="figures-tolerance-warning"),
        pytest.param(ExpectVersionsToPreserveDiacritics, {"severity": "info", "mostly": 0.5},
                     "No version of a story writes without accents a word another version "
                     "accents (Lopez/López). Must hold for at least 50% of stories; severity "
                     "info.", id="diacritics-gx-severity-only"),
    ],
)
def test_sentence(cls, kwargs, sentence):
    assert rendered(*cls.sentence(cls(**kwargs).configuration)) == sentence


def test_prescriptive_renderer_copes_without_a_configuration():
    """GX calls renderers with configuration and result absent on some paths."""
    (block,) = ExpectDocumentToHaveMetadata._prescriptive_renderer()
    template = block.to_json_dict()["string_template"]
    assert rendered(template["template"], template["params"]) == METADATA_SENTENCE
    assert ExpectDocumentToHaveMetadata._diagnostic_unexpected_table_renderer() is None


def test_atomic_summary_is_the_same_sentence():
    expectation = ExpectDocumentToHaveMetadata()
    expectation.render()
    (atomic,) = expectation.rendered_content
    value = atomic.to_json_dict()["value"]
    params = {k: v["value"] for k, v in value["params"].items()}
    assert atomic.name == "atomic.prescriptive.summary"
    assert rendered(value["template"], params) == METADATA_SENTENCE


def test_export_gx_json_renders_our_sentences_in_a_plain_gx_context(tmp_path):
    import great_expectations as gx

    exported = json.loads(load_suite(NEWS).to_gx_json())  # what `corpus-qa export-gx` writes
    context = gx.get_context(mode="ephemeral")
    suite = context.suites.add(gx.ExpectationSuite(**exported))
    assert len(suite.expectations) == len(exported["expectations"]) == len(
        load_suite(NEWS).expectations)
    text = page_text(gxdocs.render_suite_page(suite))
    assert METADATA_SENTENCE in text
    assert text.count("Must hold for") == len(suite.expectations)
    assert "expect_document_to_have_metadata(**" not in text  # GX's fallback rendering


def test_a_plain_gx_run_with_complete_results_renders_excerpts_not_documents():
    """A GX user's own run: GX copies whole texts into the result; Data Docs show excerpts."""
    import pandas as pd

    from corpus_qa.gxcontext import batch_definition, context

    context()
    long_text = "Cafe\u0301 " + "word " * 400 + "THE END"
    rows = pd.DataFrame({"id": ["doc-nfd", "doc-ok"], "text": [long_text, "plain"]})
    batch = batch_definition("document").get_batch(batch_parameters={"dataframe": rows})
    item = batch.validate(ExpectDocumentToBeUnicodeNormalized(),
                          result_format={"result_format": "COMPLETE",
                                         "unexpected_index_column_names": ["id"]})
    assert item.result["partial_unexpected_list"] == [long_text]  # what GX itself keeps
    rows_shown = ExpectDocumentToBeUnicodeNormalized.unexpected_rows(item)
    assert rows_shown == [{"id": "doc-nfd", "excerpt": ("Cafe\u0301 " + "word " * 16)[:79]
                           + " …"}]
    (table,) = ExpectDocumentToBeUnicodeNormalized._diagnostic_unexpected_table_renderer(
        result=item)
    assert table.header_row == ["Id", "Excerpt"]


# --- offline -----------------------------------------------------------------------------


def test_installed_assets_are_copied_and_no_request_leaves_the_page(tmp_path, fake_assets):
    index = write_docs(metadata_result([("d1", "x")]), tmp_path / "gx")
    for page in (index, index.parent / gxdocs.SUITE_PAGE):
        content = page.read_text(encoding="utf-8")
        assert gxdocs.external_references(content) == []
        assert "corpus-qa-offline-banner" not in content
        assert "integrity=" not in content and "crossorigin=" not in content
        local = re.findall(r'<(?:link|script|img)\b[^>]*?(?:href|src)="([^"]+)"', content)
        assert len(local) >= len(gxdocs.ASSETS) + 2  # the assets, GX's favicon and logo
        assert all((page.parent / ref).is_file() for ref in local), local
    fonts = sorted(p.name for p in (tmp_path / "gx/gx-assets/@fortawesome/fontawesome-free/"
                                    "webfonts").iterdir())
    assert fonts == ["fa-solid-900.woff2"]


def test_without_installed_assets_the_page_says_it_needs_the_network(tmp_path, no_assets):
    assert gxdocs.installed_assets() is None
    index = write_docs(metadata_result([("d1", "x")]), tmp_path / "gx")
    page = index.read_text(encoding="utf-8")
    assert page_text(page).startswith(
        "GX Data Docs load Bootstrap/jQuery from CDNs and render unstyled offline; the "
        "self-contained corpus-qa report is reports/index.html")
    assert "https://code.jquery.com/jquery-3.7.1.min.js" in page
    assert not (tmp_path / "gx" / gxdocs.ASSETS_DIR / "jquery").exists()
    assert (tmp_path / "gx" / gxdocs.ASSETS_DIR / "gx" / "logo-long.png").is_file()


def test_every_cdn_reference_of_gx_is_known(no_assets):
    """A GX upgrade that adds or renames a CDN file fails here, not silently on users' pages."""
    page = gxdocs.render_results_page(gxdocs.gx_validation_result(
        metadata_result([]), gate(metadata_result([]))))
    page = gxdocs.use_local_images(gxdocs.use_local_assets(page))
    assert gxdocs.external_references(page) == []
