"""Corpus-level and story-level behaviour through the CLI on small generated corpora."""

from __future__ import annotations

import json
from pathlib import Path

from corpus_qa.runner import Runner
from corpus_qa.suite import load_suite
from tests.conftest import NEWS, ROOT, run_cli

SEED_000 = (ROOT / "seeds" / "000_c3359af66ac874be.txt").read_text(encoding="utf-8")
FOOTER = "Follow our newsroom on the Acme Daily app for more local stories."

STORIES = [
    "The city council approved a new budget on Monday after a long debate about "
    "transport spending and the future of the tram network in the old town.",
    "Farmers in the northern valley reported a record apple harvest this autumn, "
    "helped by a warm spring and new irrigation channels built last year.",
    "A local museum reopened its doors after two years of renovation, showing a "
    "restored collection of medieval maps donated by a private family trust.",
]
MORE = [
    "Opposition members said the plan delays repairs to two bridges, while the mayor "
    "promised a separate vote on cycling lanes and bus fares before the summer recess.",
    "Cooperatives expect prices to fall as storage fills, and several growers plan to "
    "press more cider or sell directly at weekend markets across the province.",
    "Curators spent months cleaning fragile parchment; visitors can book guided tours, "
    "and schools get free entry on Wednesdays throughout the coming academic year.",
]


def _results(tmp_path: Path, corpus: Path, suite: Path = NEWS) -> dict:
    out = tmp_path / "r.json"
    proc = run_cli("validate", str(corpus), "--suite", str(suite), "--json", str(out))
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def test_line_repeated_across_stories_is_flagged_in_each(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    for i, story in enumerate(STORIES):
        (corpus / f"s{i}.txt").write_text(f"{story}\n\n{FOOTER}\n", encoding="utf-8")
    data = _results(tmp_path, corpus)
    repeated = [(f["document"], f["reason"], f["excerpt"]) for f in data["findings"]
                if f["expectation"] == "expect_corpus_to_have_no_repeated_lines"]
    assert repeated == [(f"s{i}", "repeated_line", FOOTER) for i in range(3)]


def test_versions_of_one_story_sharing_lines_are_not_repeated_lines(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    for i in range(3):  # three versions of the same story: one story, not three
        (corpus / f"v{i}.txt").write_text(f"{STORIES[0]}\n\n{FOOTER}\n", encoding="utf-8")
    data = _results(tmp_path, corpus)
    assert len({d["story"] for d in data["documents"]}) == 1
    assert not [f for f in data["findings"]
                if f["expectation"] == "expect_corpus_to_have_no_repeated_lines"]


def test_changed_figure_in_a_seed_copy_flips_the_figures_expectation(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    for seed in (ROOT / "seeds").glob("*.txt"):
        (corpus / seed.name).write_bytes(seed.read_bytes())
    changed = SEED_000.replace("as many as 10,000 illegal", "as many as 1,000 illegal")
    assert changed != SEED_000
    (corpus / "000_c3359af66ac874be.txt").write_text(changed, encoding="utf-8")
    data = _results(tmp_path, corpus)
    found = [(f["document"][:3], f["reason"], f["excerpt"], f["related"]["document"][:3])
             for f in data["findings"]
             if f["expectation"] == "expect_versions_to_have_consistent_figures"]
    # one finding for the pair, on the later version: 001 has no date, so by id
    assert sorted(found) == [("001", "figure_changed", "10,000", "000")]
    outcome = {e["type"]: e for e in data["expectations"]}
    assert outcome["expect_versions_to_have_consistent_figures"]["success"] is False


def test_a_new_boilerplate_line_or_removed_date_flips_the_expectations(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    for seed in (ROOT / "seeds").glob("*.txt"):
        (corpus / seed.name).write_bytes(seed.read_bytes())
    text = SEED_000.replace(" date 2023-12-28 ", "", 1)
    text = text.replace("\n\nRecord levels of migrants\n",
                        "\n\nSubscribe to our newsletter\n\nRecord levels of migrants\n")
    (corpus / "000_c3359af66ac874be.txt").write_text(text, encoding="utf-8")
    data = _results(tmp_path, corpus)
    found = {(f["document"][:3], f["expectation"], f["reason"], f.get("key"))
             for f in data["findings"] if f["severity"] == "error"}
    assert ("000", "expect_document_to_have_no_boilerplate", "call_to_action", None) in {
        (d, e, r, None) for d, e, r, _ in found}
    assert ("000", "expect_document_to_have_metadata", "missing_field", "date") in found


def test_bad_pattern_list_named_by_the_suite_exits_2(tmp_path: Path) -> None:
    (tmp_path / "mine.yml").write_text(
        "patterns:\n  - id: bad\n    regex: '(unclosed'\n    reason: call_to_action\n"
        "    where: anywhere\n    example: x\n", encoding="utf-8")
    suite = tmp_path / "s.yml"
    suite.write_text("name: s\nexpectations:\n  - type: expect_document_to_have_no_boilerplate\n"
                     "    patterns: [mine.yml]\n", encoding="utf-8")
    proc = run_cli("validate", "seeds", "--suite", str(suite))
    assert proc.returncode == 2
    assert f"{tmp_path / 'mine.yml'}:3:" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_credit_line_shared_by_many_stories_is_not_a_repeated_line(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    credit = "Some information for this report came from The Associated Press and Reuters."
    for i, story in enumerate(STORIES):
        (corpus / f"s{i}.txt").write_text(f"{story}\n\n{credit}\n", encoding="utf-8")
    data = _results(tmp_path, corpus)
    assert not [f for f in data["findings"]
                if f["expectation"] == "expect_corpus_to_have_no_repeated_lines"]
    assert all(d["metadata"]["attribution"]["values"] == ["The Associated Press", "Reuters"]
               for d in data["documents"])


def test_a_glued_header_date_is_metadata_not_a_figure(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    body = ("Officials met on 9 April to discuss the 12 new bridges planned for the river "
            "crossing, and agreed on a budget of 40 million for the first phase of works.")
    (corpus / "a.txt").write_text(f" date 2022-04-12 {body}\n", encoding="utf-8")
    (corpus / "b.txt").write_text(f" date 2022-04-13 {body}\n", encoding="utf-8")
    data = _results(tmp_path, corpus)
    assert len({d["story"] for d in data["documents"]}) == 1
    figures = [f for f in data["findings"]
               if f["expectation"] == "expect_versions_to_have_consistent_figures"]
    assert figures == []
    conflicts = [f["reason"] for f in data["findings"]
                 if f["expectation"] == "expect_versions_to_have_consistent_metadata"]
    assert conflicts == ["metadata_conflict", "metadata_conflict"]


def test_a_story_of_many_versions_is_compared_in_linear_time(tmp_path: Path) -> None:
    """30 versions (more than MAX_ALL_PAIRS): each is compared with the next, not all pairs."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    for i in range(30):
        text = SEED_000.replace(" date 2023-12-28 ", f" date 2023-12-{i % 28 + 1:02d} ", 1)
        if i == 17:
            text = text.replace("about 6,000 migrants", "about 7,000 migrants")
        (corpus / f"v{i:02d}.txt").write_text(text, encoding="utf-8")
    suite = tmp_path / "s.yml"
    suite.write_text("name: s\nexpectations:\n"
                     "  - type: expect_versions_to_have_consistent_figures\n"
                     "  - type: expect_versions_to_preserve_diacritics\n")
    data = _results(tmp_path, corpus, suite)
    assert len({d["story"] for d in data["documents"]}) == 1
    changed = [f for f in data["findings"] if f["reason"] == "figure_changed"]
    assert ("v17", "7,000") in {(f["document"], f["excerpt"]) for f in changed}
    assert all(f["excerpt"] in ("6,000", "7,000") for f in changed)
    assert "pairs" not in data["stories"][0]  # the story view's tables are not results
    result = Runner(load_suite(suite), workers=1).run([str(corpus)])
    assert len(result.pairs_of(next(iter(result.stories))["id"])) == 20


def test_a_boilerplate_line_repeated_across_stories_is_one_finding(tmp_path: Path) -> None:
    """The boilerplate expectation owns a line its patterns match; the repeated-line count
    reports only the repeated lines nothing else reported (docs/results.md, one defect)."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    cta = "Subscribe to our newsletter to get the latest news every morning."
    # Each story gets a second paragraph of its own, so the two shared lines are well
    # under the story threshold (a word-shingle Jaccard of 0.3): three stories, not one.
    for i, (story, more) in enumerate(zip(STORIES, MORE, strict=True)):
        (corpus / f"s{i}.txt").write_text(f"{story}\n\n{more}\n\n{cta}\n\n{FOOTER}\n",
                                          encoding="utf-8")
    data = _results(tmp_path, corpus)
    assert data["statistics"]["stories"] == 3
    by_line: dict[str, set[tuple[str, str]]] = {}
    for f in data["findings"]:
        if f["excerpt"] in (cta, FOOTER):
            by_line.setdefault(f["excerpt"], set()).add((f["document"], f["reason"]))
    assert by_line[cta] == {(f"s{i}", "call_to_action") for i in range(3)}
    assert by_line[FOOTER] == {(f"s{i}", "repeated_line") for i in range(3)}
