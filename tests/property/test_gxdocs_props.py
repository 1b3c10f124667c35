"""Properties of the Data Docs renderers: short cells whatever GX hands them, and no markup."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_qa.expectations import ExpectDocumentToHaveNoMojibake
from corpus_qa.report.gxdocs import render_results_page
from corpus_qa.results import EXCERPT_CHARS

EVIL = '<i id="evil" onmouseover="alert(1)">'

values = st.one_of(
    st.none(), st.integers(), st.floats(allow_nan=True), st.text(), st.binary(),
    st.lists(st.text(max_size=20), max_size=5),
    st.dictionaries(st.text(max_size=10), st.text(max_size=200), max_size=4),
    st.lists(st.fixed_dictionaries({"id": st.text(max_size=30), "text": st.text()}), max_size=3),
)


def gx_result(values: list, ids: list) -> object:
    """A GX result as a GX user's own run makes it: whole values, index rows with the column."""
    from great_expectations.core import ExpectationValidationResult

    return ExpectationValidationResult(
        success=False,
        expectation_config=ExpectDocumentToHaveNoMojibake().configuration,
        result={"element_count": len(values), "unexpected_count": len(values),
                "unexpected_percent": 100.0, "partial_unexpected_list": values,
                "partial_unexpected_index_list": [{"id": i, "text": v}
                                                  for i, v in zip(ids, values, strict=False)]},
        exception_info={"raised_exception": False, "exception_message": None,
                        "exception_traceback": None},
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(values, max_size=30), st.lists(values, max_size=30))
def test_cells_are_short_whatever_the_values(unexpected, ids):
    rows = ExpectDocumentToHaveNoMojibake.unexpected_rows(gx_result(unexpected, ids))
    assert len(rows) == min(len(unexpected), 20)
    for row in rows:
        assert "text" not in row  # the checked column (a whole document) is never a cell
        # results.excerpt cuts to EXCERPT_CHARS - 1 characters and adds " …" (one over).
        assert all(len(cell) <= EXCERPT_CHARS + 1 for cell in row.values())


@settings(max_examples=10, deadline=None)
@given(st.text(max_size=120), st.text(max_size=120), st.text(max_size=40))
def test_document_text_never_becomes_markup(before, after, doc_id):
    from great_expectations.core import ExpectationSuiteValidationResult

    text = before + EVIL + after
    suite_result = ExpectationSuiteValidationResult(
        success=False, results=[gx_result([text], [doc_id + EVIL])], suite_name="props")
    page = render_results_page(suite_result)
    assert "<i id=" not in page
