"""The fix report's diff page in headless chromium: offline, side by side, inert."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_qa.findings import Hit
from corpus_qa.fixer import DocumentFix, FixResult
from corpus_qa.repair import repair_boilerplate, repair_encoding
from corpus_qa.report.fixpage import write_fix_report

pytestmark = pytest.mark.browser

BEFORE = ("Share this article\nThe caf\u00c3\u00a9 <script>alert(1)</script> opened on "
          "Monday.\n" + "The mayor spoke at length about the river. " * 20 + "\nThe end.\n")


def _result() -> FixResult:
    fixed = repair_encoding(BEFORE)
    cut = repair_boilerplate(fixed.text, [Hit("call_to_action", "…", (0, 18))])
    doc = DocumentFix("news/a", "news/a.txt", 1, BEFORE, cut.text, fixed.edits + cut.edits,
                      fields={"source": ("Voice of America", "syndication_notice at 0-42")},
                      notes=["paragraphs_flattened not repaired: a human decides"],
                      output="out/news/a.txt")
    same = DocumentFix("news/b", "news/b.txt", 1, "Clean.", "Clean.")
    counts = {"expect_document_to_have_no_mojibake": {"findings": 1, "unexpected": 1},
              "expect_document_to_have_no_boilerplate": {"findings": 1, "unexpected": 1}}
    after = {k: {"findings": 0, "unexpected": 0} for k in counts}
    return FixResult(["news"], "out", "news", ["encoding", "boilerplate"], False, False,
                     [doc, same], counts, after, copied_files=1, written_files=1,
                     documents_read=2)


@pytest.fixture
def page(offline_context, tmp_path):
    _, index = write_fix_report(_result(), tmp_path / "fix")
    page = offline_context.new_page()
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(Path(index).resolve().as_uri())
    yield page
    shot = tmp_path / "fix.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert errors == [] and dialogs == []
    page.close()


def test_diff_page_shows_before_and_after_side_by_side(page) -> None:
    assert page.inner_text("#fix-summary").startswith("1 of 2 documents repaired")
    counts = page.eval_on_selector_all(
        "#fix-counts tr", "trs => trs.slice(1).map(tr => [...tr.cells].map(c => c.innerText))")
    assert counts == [["expect_document_to_have_no_mojibake", "1", "0"],
                      ["expect_document_to_have_no_boilerplate", "1", "0"]]
    section = page.locator("section[data-document='news/a']")
    deleted = section.locator(".fix-before del").all_inner_texts()
    inserted = section.locator(".fix-after ins").all_inner_texts()
    assert any("Share this article" in d for d in deleted)
    assert any("caf\u00c3\u00a9" in d for d in deleted) and "café" in inserted
    # The two sides sit next to each other, not one below the other.
    left = section.locator(".fix-before").bounding_box()
    right = section.locator(".fix-after").bounding_box()
    assert right["x"] > left["x"] + left["width"] - 1 and abs(right["y"] - left["y"]) < 2
    assert "characters unchanged" in section.locator(".fix-before").inner_text()
    assert section.locator(".fix-fields td").all_inner_texts()[:2] == ["source",
                                                                       "Voice of America"]
    assert page.locator("section[data-document='news/b']").count() == 0


def test_document_markup_is_shown_as_text_never_run(page) -> None:
    assert page.locator("script").count() == 0
    assert "<script>alert(1)</script>" in page.locator(".fix-before").first.inner_text()
