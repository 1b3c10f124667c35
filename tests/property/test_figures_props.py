"""Properties of figure consistency across versions.

A seed-like story is built from figure sentences (each figure rendered in one of
several equivalent forms) and figure-free sentences taken from the seeds. Changing one
figure in one version must give exactly one ``figure_changed`` pair, at that sentence;
reflowing, joining paragraphs, swapping quote styles, rewriting a figure in an
equivalent form or adding a sentence must give none; no text makes the check raise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from corpus_qa.checks.figures import (
    PerVersion,
    _pair_rows,
    _row_position,
    check_consistent_figures,
    compare_figures,
    extract_figures,
    extract_figures_reusing,
    figure_table,
)
from corpus_qa.checks.sentences import Side, align
from corpus_qa.text.segment import split_sentences, split_sentences_reusing

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEEDS = Path(__file__).resolve().parents[2] / "seeds"

_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_WORDS += ["ten", "eleven", "twelve"]
_MONTHS = [
    ("January", "Jan."), ("February", "Feb."), ("March", "March"), ("April", "April"),
    ("May", "May"), ("June", "June"), ("July", "July"), ("August", "Aug."),
    ("September", "Sept."), ("October", "Oct."), ("November", "Nov."), ("December", "Dec."),
]  # fmt: skip


def _count(n: int, style: int) -> str:
    """Equivalent renderings of a count: 10,000 / 10 000 / ten thousand, half a million …"""
    words = {500_000: ["half a million", "a half-million"], 1_000_000: ["a million", "one million"]}
    if n % 1000 == 0 and 1 <= n // 1000 <= 12:
        words[n] = [f"{_WORDS[n // 1000]} thousand"]
    forms = [f"{n:,}", f"{n:,}".replace(",", " "), *words.get(n, [])]
    return forms[style % len(forms)]


def _hours(n: int, style: int) -> str:
    unit = "hour" if n == 1 else "hours"
    return f"{_WORDS[n]} {unit}" if style % 2 else f"{n} {unit}"


def _date(md: int, style: int) -> str:
    month, day = divmod(md, 100)
    full, abbr = _MONTHS[month - 1]
    return [f"{full} {day}", f"{abbr} {day}", f"{day} {full}"][style % 3]


def _percent(n: int, style: int) -> str:
    return [f"{n}%", f"{n} percent", f"{n} per cent"][style % 3]


def _money(n: int, style: int) -> str:
    return [f"${n} million", f"{n} million dollars", f"${n * 1_000_000:,}"][style % 3]


def _factor(n: int, style: int) -> str:
    return {2: ["double", "twice"], 3: ["triple", "thrice"], 4: ["quadruple", "fourfold"]}[n][
        style % 2
    ]


@dataclass(frozen=True)
class Template:
    """A sentence with one figure slot: how to render the figure and which values it takes."""

    text: str
    render: Callable[[int, int], str]
    values: st.SearchStrategy[int]


_COUNTS = st.sampled_from([1000, 2000, 6000, 10_000, 12_000, 25_500, 500_000, 1_000_000, 2_400_000])
TEMPLATES = [
    Template("There have been as many as {} illegal crossings daily in December.", _count, _COUNTS),
    Template("Secretary Blinken met for about {} in the afternoon with the president.", _hours,
             st.integers(1, 12)),
    Template("In {}, the caravan crossed the Darien Gap jungle into Central America.",
             lambda n, s: str(n), st.integers(1990, 2030)),
    Template("On {}, the United States briefly closed a pair of rail crossings with Mexico.", _date,
             st.integers(1, 12).flatmap(lambda m: st.integers(1, 28).map(lambda d: m * 100 + d))),
    Template("More than {} migrants, many fleeing crime and poverty, crossed the jungle.", _count,
             _COUNTS),
    Template("Food prices in the border region rose {} over the last year.", _percent,
             st.integers(1, 90)),
    Template('The new program will cost {}, a senior official told "reporters" on Wednesday.',
             _money, st.integers(2, 900)),
    Template("That is {} the number of people who attempted the trek the year before.", _factor,
             st.integers(2, 4)),
    Template("Also Wednesday, about {} asylum-seekers continued their slow march north.", _count,
             _COUNTS),
]  # fmt: skip
FILLERS = [
    "He also stressed the need for more development aid for the region.",
    '"We have always talked about addressing the causes [of migration]. The ideal thing is to '
    'help poor countries," Lopez Obrador said.',
    "Foreign Relations Secretary Alicia Barcena said it was important to reopen the border.",
    "The migration crisis has become a roadblock for U.S. President Joe Biden.",
    "Congressional Republicans have made changes to immigration law a condition for passing "
    "legislation.",
    "Mayorkas said on the social media site X formerly known as Twitter that talks went well.",
]


@dataclass(frozen=True)
class Story:
    """One version's sentences: fillers as strings, figure sentences as (template, value, style)."""

    parts: tuple[str | tuple[int, int, int], ...]

    def sentences(self) -> list[str]:
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                t, value, style = part
                out.append(TEMPLATES[t].text.format(TEMPLATES[t].render(value, style)))
        return out

    def text(self, joiner: str = "\n\n") -> str:
        return joiner.join(self.sentences())


@st.composite
def stories(draw: st.DrawFn) -> Story:
    """A seed-like story: 2–6 distinct figure sentences among 0–4 fillers, in random order."""
    chosen = draw(st.lists(st.integers(0, len(TEMPLATES) - 1), min_size=2, max_size=6, unique=True))
    figures = [(t, draw(TEMPLATES[t].values), draw(st.integers(0, 5))) for t in chosen]
    fillers = draw(st.lists(st.sampled_from(FILLERS), max_size=4, unique=True))
    parts: list[str | tuple[int, int, int]] = [*figures, *fillers]
    return Story(tuple(draw(st.permutations(parts))))


def _figure_indexes(story: Story) -> list[int]:
    return [i for i, p in enumerate(story.parts) if not isinstance(p, str)]


@st.composite
def changed_pairs(draw: st.DrawFn) -> tuple[Story, Story, int]:
    """A story and a copy with one figure changed to another value; and that sentence's index."""
    story = draw(stories())
    k = draw(st.sampled_from(_figure_indexes(story)))
    t, value, style = story.parts[k]  # type: ignore[misc]
    new = draw(TEMPLATES[t].values.filter(lambda v: v != value))
    parts = list(story.parts)
    parts[k] = (t, new, draw(st.integers(0, 5)))
    return story, Story(tuple(parts)), k


def _reflow(text: str, draw: st.DrawFn) -> str:
    """Break some spaces into single newlines, as a wrapped paragraph would."""
    chars = list(text)
    spaces = [i for i, c in enumerate(chars) if c == " "]
    for i in draw(st.lists(st.sampled_from(spaces), max_size=12)) if spaces else []:
        chars[i] = "\n"
    return "".join(chars)


def _curly(text: str) -> str:
    out, opening = [], True
    for c in text:
        if c == '"':
            out.append("“" if opening else "”")
            opening = not opening
        else:
            out.append(c.replace("'", "’"))
    return "".join(out)


# --- properties ------------------------------------------------------------------------


@SETTINGS
@given(changed_pairs(), st.sampled_from(["\n\n", " ", "\n"]))
def test_one_changed_figure_gives_exactly_one_pair_at_that_sentence(
    pair: tuple[Story, Story, int], joiner: str
) -> None:
    before, after, k = pair
    a, b = before.text(), after.text(joiner)
    hits = check_consistent_figures([("a", a), ("b", b)])
    assert [h.document for h in hits] == ["b"]  # one finding, on the later version ("b" > "a")
    (hit_b,) = hits
    assert hit_b.reason == "figure_changed"
    assert hit_b.related is not None and hit_b.related.document == "a"
    start_a = sum(len(s) + 2 for s in before.sentences()[:k])
    start_b = sum(len(s) + len(joiner) for s in after.sentences()[:k])
    assert start_a <= hit_b.related.span[0] < start_a + len(before.sentences()[k])
    assert start_b <= hit_b.span[0] < start_b + len(after.sentences()[k])
    assert [h.document for h in check_consistent_figures([("b", a), ("a", b)])] == ["b"]


@SETTINGS
@given(st.data())
def test_harmless_edits_never_give_a_change(data: st.DataObject) -> None:
    story = data.draw(stories())
    rewritten = Story(
        tuple(
            p if isinstance(p, str) else (p[0], p[1], data.draw(st.integers(0, 5)))
            for p in story.parts
        )
    )
    extra = [
        t
        for t in range(len(TEMPLATES))
        if t not in {p[0] for p in story.parts if not isinstance(p, str)}
    ]
    parts = list(rewritten.parts)
    if extra and data.draw(st.booleans()):  # a sentence (with a figure) only this version has
        t = data.draw(st.sampled_from(extra))
        parts.insert(data.draw(st.integers(0, len(parts))), (t, data.draw(TEMPLATES[t].values), 0))
    b = Story(tuple(parts)).text(data.draw(st.sampled_from(["\n\n", " ", "\n"])))
    b = _reflow(b, data.draw)
    if data.draw(st.booleans()):
        b = _curly(b)
    note(f"a = {story.text()!r}\nb = {b!r}")
    assert check_consistent_figures([("a", story.text()), ("b", b)]) == []


def _seed(name: str) -> str:
    return (SEEDS / f"{name}.txt").read_text("utf-8")


SEED_A, SEED_B = _seed("000_c3359af66ac874be"), _seed("001_a1d7f1edd2253686")
SEED_SAME = [r for r in figure_table(SEED_A, SEED_B) if r.status == "same"]


def _other_rendering(kind: str, value: object, unit: str, bump: int) -> str:
    """A different value of the same kind, written so that it parses back as that kind."""
    if kind == "number" and isinstance(value, int):
        return f"{value * (bump + 2):,}"
    if kind == "duration":
        return f"{int(value) + bump} {unit}s"  # type: ignore[call-overload]
    if kind == "year":
        return str(int(value) - bump)  # type: ignore[call-overload]
    if kind == "date":
        return f"December {18 + bump}"
    if kind == "factor":
        return ["triple", "quadruple", "fivefold"][bump % 3]
    raise AssertionError(f"no rendering for {kind}")


@SETTINGS
@given(st.sampled_from(range(len(SEED_SAME))), st.integers(1, 3))
def test_changing_any_seed_figure_gives_one_pair(row: int, bump: int) -> None:
    fig = SEED_SAME[row].b
    assert fig is not None
    start, end = fig.span
    changed = SEED_B[:start] + _other_rendering(fig.kind, fig.value, fig.unit, bump) + SEED_B[end:]
    hits = check_consistent_figures([("000", SEED_A), ("001", changed)])
    assert [(h.document, h.related.document) for h in hits if h.related] == [("001", "000")]
    assert hits[0].span[0] == start
    assert hits[0].related is not None
    assert hits[0].related.span == SEED_SAME[row].a.span  # type: ignore[union-attr]


@SETTINGS
@given(st.sampled_from(["\n", " ", "\n\n"]), st.booleans())
def test_seed_layout_edits_never_give_a_change(joiner: str, curly: bool) -> None:
    b = SEED_B.replace(". ", "." + joiner)
    if curly:
        b = _curly(b)
    assert check_consistent_figures([("000", SEED_A), ("001", b)]) == []
    assert check_consistent_figures([("001", " ".join(SEED_A.split())), ("000", b)]) == []


@SETTINGS
@given(st.text(max_size=300), st.text(max_size=300))
def test_never_raises_on_arbitrary_text(a: str, b: str) -> None:
    for text in (a, b):
        figures = extract_figures(text)
        assert all(text[f.span[0] : f.span[1]] == f.text for f in figures)
        assert all(x.span[1] <= y.span[0] for x, y in zip(figures, figures[1:], strict=False))
    compare_figures(a, b)
    check_consistent_figures([("a", a), ("b", b), ("c", a + b)])


_PIECES = [*"0123456789 ,.-–$%€£'\"“”\nabcdeforuyDMJ", "half", "a", "million", "one", "two"]
_PIECES += ["December", "Dec.", "U.S.", "per cent", "hours", "-fold", "1990s", "p.m."]
_NEWSY = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join)


@SETTINGS
@given(_NEWSY, _NEWSY)
def test_never_raises_on_figure_like_text(a: str, b: str) -> None:
    for text in (a, b):
        for f in extract_figures(text):
            assert text[f.span[0] : f.span[1]] == f.text
    compare_figures(a, b, tolerance=0.05)


# --- the shapes of issue 14: decimal commas, scale fractions, vague amounts, list items -------


def _german_percent(hundredths: int, style: int) -> str:
    whole, frac = divmod(hundredths, 100)
    return [f"{whole},{frac:02d} Prozent", f"{whole},{frac:02d} %", f"{whole}.{frac:02d} Prozent"][
        style % 3]


def _german_millions(tenths: int, style: int) -> str:
    whole, frac = divmod(tenths, 10)
    return [f"{whole},{frac} Millionen Euro", f"{whole},{frac} Mio. Euro",
            f"{tenths * 100_000:,}".replace(",", ".") + " Euro"][style % 3]


_QUARTERS = {1: ["a quarter million", "a quarter of a million", "250,000"],
             2: ["half a million", "a half-million", "500,000"],
             3: ["three-quarters of a million", "three quarters of a million", "750,000"]}


def _quarters(n: int, style: int) -> str:
    forms = _QUARTERS[n]
    return forms[style % len(forms)]


_VAGUE = {1: ["dozens of people", "dozens of people"],
          2: ["hundreds of people", "several hundred people", "a few hundred people"],
          3: ["thousands of people", "several thousand people"],
          4: ["tens of thousands of people", "tens of thousands of people"]}


def _vague(n: int, style: int) -> str:
    return _VAGUE[n][style % len(_VAGUE[n])]


SHAPES = {
    "decimal-comma-percent": (
        "Die Arbeitslosenquote lag im Mai bei {}, teilte das Amt in Berlin mit.",
        _german_percent, st.integers(101, 2999).filter(lambda n: n % 10)),
    "decimal-comma-millions": (
        "Der Staat gibt nach Angaben des Ministeriums {} für die neuen Schulen aus.",
        _german_millions, st.integers(11, 99).filter(lambda n: n % 10)),
    "scale-fraction": (
        "Officials said {} fled the floods in the southern provinces.",
        lambda n, s: _quarters(n, s) + " people", st.integers(1, 3)),
    "inexact": ("Officials said {} fled the floods in the southern provinces.", _vague,
                st.integers(1, 4)),
}
_GERMAN_FILLER = "Die Regierung kündigte weitere Maßnahmen für die Region an."
_ENGLISH_FILLER = "He also stressed the need for more development aid for the region."


@SETTINGS
@given(st.sampled_from(sorted(SHAPES)), st.data())
def test_a_changed_figure_of_each_new_shape_is_found(shape: str, data: st.DataObject) -> None:
    template, render, values = SHAPES[shape]
    old = data.draw(values)
    new = data.draw(values.filter(lambda v: v != old))
    filler = _GERMAN_FILLER if shape.startswith("decimal") else _ENGLISH_FILLER
    sentence_a = template.format(render(old, data.draw(st.integers(0, 5))))
    sentence_b = template.format(render(new, data.draw(st.integers(0, 5))))
    a, b = f"{filler} {sentence_a}", f"{filler}\n{sentence_b}"
    note(f"a = {a!r}\nb = {b!r}")
    hits = check_consistent_figures([("a", a), ("b", b)])
    assert [h.document for h in hits] == ["b"]
    assert hits[0].span[0] >= len(filler)


@SETTINGS
@given(st.sampled_from(sorted(SHAPES)), st.data())
def test_the_same_figure_of_each_new_shape_reworded_is_not_a_change(
        shape: str, data: st.DataObject) -> None:
    template, render, values = SHAPES[shape]
    value = data.draw(values)
    filler = _GERMAN_FILLER if shape.startswith("decimal") else _ENGLISH_FILLER
    a = f"{filler} " + template.format(render(value, data.draw(st.integers(0, 5))))
    b = f"{filler}\n\n" + template.format(render(value, data.draw(st.integers(0, 5))))
    note(f"a = {a!r}\nb = {b!r}")
    assert check_consistent_figures([("a", a), ("b", b)]) == []


_REGIONS = ["North", "South", "West", "East", "Capital district", "Coastal provinces"]


def _turnout(values: list[int], marker: int, percent: int) -> str:
    items = []
    for k, (region, value) in enumerate(zip(_REGIONS, values, strict=False)):
        bullet = ["-", "•", f"{k + 1}."][marker % 3]
        items.append(f"{bullet} {region}: {value}{['%', ' percent'][percent % 2]} of voters")
    return ("The ministry published the turnout on Monday. The turnout by region was:\n"
            + "\n".join(items) + "\n\nOfficials said the count was complete.")


@SETTINGS
@given(st.lists(st.integers(10, 90), min_size=2, max_size=6, unique=True), st.data())
def test_a_changed_list_item_is_found_and_a_restyled_list_is_not(
        values: list[int], data: st.DataObject) -> None:
    a = _turnout(values, data.draw(st.integers(0, 2)), data.draw(st.integers(0, 1)))
    restyled = _turnout(values, data.draw(st.integers(0, 2)), data.draw(st.integers(0, 1)))
    assert check_consistent_figures([("a", a), ("b", restyled)]) == []
    k = data.draw(st.integers(0, len(values) - 1))
    changed = list(values)
    changed[k] = data.draw(st.integers(10, 90).filter(lambda v: v not in values))
    b = _turnout(changed, data.draw(st.integers(0, 2)), data.draw(st.integers(0, 1)))
    note(f"a = {a!r}\nb = {b!r}")
    hits = check_consistent_figures([("a", a), ("b", b)])
    assert [(h.document, b[h.span[0]:h.span[0] + 2]) for h in hits] == [("b", str(changed[k]))]


# --- figures and sentences found paragraph by paragraph: exactly those of the whole text ---

# Paragraph ends and starts chosen to reach across a blank line if anything can: a month
# abbreviation before a day, "U.S." before "dollars", "Mio." before "Euro", a clock time,
# a figure right before the final mark, German words (decimal commas), quotes.
_ENDS = ["they said.", "12.", "a)", "at stake!", "on Dec.", "in the U.S.", "5 Mio.",
         "at 5 p.m.", "was 1,320.", "“it doubled.”", "(the others).", "a million?", "about",
         "of", "Prozent.", "no one.", "the 1990s.", "about 12", "as many as", "it rose 4"]
_STARTS = ["18 people came.", "12. Item one.", "- a bullet", "a) first", "Dollars were paid.",
           "Euro flossen.", "Hours later, 3 left.", "% of them stayed.",
           "Of 2023 little is known.", "The 2,5 Millionen Euro kamen.",
           "Die Zinsen stiegen um 1,320 Prozent.", "One of the two left.", "-5 degrees.",
           "December 12, 2023 was cold.", "Twice as many came.", "Hundreds of them left."]
_MIDDLES = ["", "Officials met 10,000 migrants on December 18.", "It cost $1.2 million.",
            "der die das und mit", "She won 3-2 in the 2012–13 season."]
_BREAKS = ["\n\n", "\n \n", "\n\n\n  ", "\n", " ", "\n\n    "]
_PARAGRAPHS = st.builds(lambda s, m, e: " ".join(p for p in (s, m, e) if p),
                        st.sampled_from(_STARTS), st.sampled_from(_MIDDLES),
                        st.sampled_from(_ENDS))


@SETTINGS
@given(st.lists(_PARAGRAPHS, min_size=1, max_size=8),
       st.lists(st.tuples(st.sampled_from(_BREAKS), st.integers(0, 7)), min_size=1, max_size=4))
def test_figures_reused_by_paragraph_are_the_figures_of_the_whole_text(
        paragraphs: list[str], versions: list[tuple[str, int]]) -> None:
    known: dict = {}  # shared by the versions, as a story shares it
    split: dict = {}
    for joiner, rotate in versions:
        k = rotate % len(paragraphs)
        text = joiner.join(paragraphs[k:] + paragraphs[:k])
        note(repr(text))
        assert extract_figures_reusing(text, known) == extract_figures(text)
        assert split_sentences_reusing(text, split) == split_sentences(text)


@SETTINGS
@given(_NEWSY, _NEWSY, st.sampled_from(_BREAKS))
def test_figures_reused_by_paragraph_on_figure_like_text(a: str, b: str, joiner: str) -> None:
    known: dict = {}
    split: dict = {}
    for text in (f"{a}.{joiner}{b}", f"{b} said.{joiner}{a}", f"{a}{joiner}{a}"):
        assert extract_figures_reusing(text, known) == extract_figures(text)
        assert split_sentences_reusing(text, split) == split_sentences(text)


def _sides_agree(texts: list[str]) -> None:
    """The figures and sides a story builds block by block (shared blocks read once, the
    language of a shared opening once) are those found from scratch: same figures, and
    sides with the same sentences, tokens and token sets."""
    per_version = PerVersion([(f"v{i}", t) for i, t in enumerate(texts)])
    for i, text in enumerate(texts):
        shared = per_version.side(i)
        figures = extract_figures(text)
        assert per_version.figures(i) == figures, text
        fresh = Side(text, [f.span for f in figures])
        assert shared.sentences == fresh.sentences, text
        assert shared.tokens == fresh.tokens, text
        assert shared.sets == fresh.sets, text


@SETTINGS
@given(st.lists(_PARAGRAPHS, min_size=1, max_size=8),
       st.lists(st.tuples(st.sampled_from(_BREAKS), st.integers(0, 7)), min_size=1, max_size=4))
def test_sides_read_by_block_are_the_sides_of_the_whole_text(
        paragraphs: list[str], versions: list[tuple[str, int]]) -> None:
    texts = []
    for joiner, rotate in versions:
        k = rotate % len(paragraphs)
        texts.append(joiner.join(paragraphs[k:] + paragraphs[:k]))
    _sides_agree(texts)


def _table_pair_by_pair(a: str, b: str) -> list:
    """The figure table of two versions with every aligned pair's figures paired by
    :func:`_pair_rows` (no shortcut for copied sentences)."""
    a_figs, b_figs = extract_figures(a), extract_figures(b)
    rows = []
    for al in align(a, b, a_masks=[f.span for f in a_figs], b_masks=[f.span for f in b_figs]):
        a_in = [f for f in a_figs if al.a_span and al.a_span[0] <= f.span[0]
                and f.span[1] <= al.a_span[1]]
        b_in = [f for f in b_figs if al.b_span and al.b_span[0] <= f.span[0]
                and f.span[1] <= al.b_span[1]]
        pair_rows = _pair_rows(a_in, b_in, 0.0, al.a_span, al.b_span, (a, b))
        rows += sorted(pair_rows, key=_row_position)
    return rows


@SETTINGS
@given(st.lists(_PARAGRAPHS, min_size=1, max_size=6), st.integers(0, 5), st.sampled_from(_BREAKS),
       _NEWSY)
def test_copied_sentences_pair_as_the_full_search_pairs_them(
        paragraphs: list[str], k: int, joiner: str, inserted: str) -> None:
    """A copied sentence's figures pair without the search, as the search pairs them."""
    a = joiner.join(paragraphs)
    edited = list(paragraphs)
    edited.insert(k % (len(edited) + 1), inserted)
    for b in (a, joiner.join(edited), "\n\n".join(reversed(paragraphs))):
        note(f"a = {a!r}\nb = {b!r}")
        assert figure_table(a, b) == _table_pair_by_pair(a, b)


def test_a_copied_sentence_read_in_another_language_is_compared() -> None:
    """The same sentence in a text that writes decimal commas and in one that does not:
    its figure reads 1.32 in one and 1,320 in the other, so it is not copied unchanged."""
    a = "Die Bank und die Zinsen, sagte der Chef, mit der die das und mit.\n\nIt rose by 1,320."
    b = "The bank said that the rates of the year were the highest.\n\nIt rose by 1,320."
    table = figure_table(a, b)
    assert table == _table_pair_by_pair(a, b)
    assert [row.status for row in table] == ["changed"]


def test_a_block_whose_figure_reaches_into_the_next_is_read_again() -> None:
    """The same paragraph with a figure that reaches across its blank line in one version
    ("on Dec.\\n\\n18") and with none in another: masked differently, read apart."""
    _sides_agree(["It was on Dec.\n\n18 people came.", "It was on Dec.\n\nThey said.",
                  "Sie zahlten 5 Mio.\n\nEuro flossen.", "Sie zahlten 5 Mio.\n\nDie Zinsen."])


@SETTINGS
@given(_NEWSY, _NEWSY, st.sampled_from(_BREAKS))
def test_sides_read_by_block_on_figure_like_text(a: str, b: str, joiner: str) -> None:
    _sides_agree([f"{a}.{joiner}{b}", f"{b} said.{joiner}{a}", f"{a}{joiner}{a}",
                  f"{a}\n\n{b}\n"])


# --- the screens before costly regexes --------------------------------------------------

_SCREENED = "".join(sorted(set(
    "halvesthirdquarterdoubletriplequadrupletwicethricefolddozensscoresmillionsseveral"
    "fewdutzendehundertetausendemilliersmiles")))
_SCREEN_TEXT = st.text(
    alphabet=st.sampled_from([*_SCREENED, *_SCREENED.upper(), "İ", "ı", "ſ", "K", " ", "-",
                              "–", "—", "'", "’", "0", "1", "9", "\n"]),
    max_size=40)


@SETTINGS
@given(_SCREEN_TEXT)
def test_a_screened_recogniser_is_skipped_only_where_its_regex_cannot_match(text: str) -> None:
    """Each recogniser skipped for lack of a word, a dash or a decade ending is skipped
    only on texts where its regex finds nothing — in any case, "İ", "ı", "ſ" and the
    Kelvin sign included (``re.IGNORECASE`` matches them to ASCII letters)."""
    from corpus_qa.checks import figures as f

    lang = f._Language(text, False)
    for pattern, words in [(f._FRACTION, f._FRACTION_RUNS),
                           (f._SCALE_FRACTION, f._FRACTION_RUNS),
                           (f._FACTOR, f._FACTOR_RUNS), (f._INEXACT, f._INEXACT_RUNS)]:
        if pattern.search(text):
            assert lang.has_any(words), pattern.pattern
    if f._RANGE.search(text) or f._ISO_DATE.search(text):
        assert any(dash in text for dash in f._DASHES)
    if f._DECADE.search(text):
        assert any(end in text for end in f._DECADE_ENDS)
