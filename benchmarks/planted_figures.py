"""Planted figure changes in a generated news corpus: grouping, recall, false positives, time.

Generates stories of 2–8 versions each, news-like sentences drawn from shared topics
(names, places, nouns and stock phrasing recur across the stories of a topic), written
as ``.txt`` files with a ` date YYYY-MM-DD ` header (glued to the first sentence, on its
own line, or absent). Versions of a story differ only by harmless edits: reflowed
lines, joined paragraphs, curly or straight quotes, accents folded or kept, an added
sentence, and each figure written in one of its equivalent forms ("half a million" /
"500,000" / "a half-million", "10,000" / "10 000", "Dec. 18" / "December 18", "$1.2
million" / "$1,200,000", "two hours" / "2 hours"). In a known subset of stories exactly
one figure of one version is changed (planted); the truth records the story, the
document, the figure before and after, and its span in every version.

The corpus then goes through the real pipeline (``Runner`` with the default worker
pool, suite ``expectations/news.yml`` unless ``--figures-only``), and the run is scored:
grouping precision/recall against the generated stories; recall of the planted changes
(a ``figure_changed`` finding in the changed document at the planted span, and the
paired finding in each other version at its copy of the figure); false positives
(``figure_changed`` findings not explained by a plant, per story and per document).
In the same run, on the true stories and in one process, the aligned check alone
(``check_consistent_figures``) is timed and scored against a naive baseline that
compares the figures of every pair of versions as multisets of values, without aligning
sentences.

    .venv/bin/python benchmarks/planted_figures.py
    .venv/bin/python benchmarks/planted_figures.py --documents 10000 --stories 2000 --seed 7

Not a timed test: figures go into ``docs/figures.md`` ("Planted corpus").
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.grouping_scale import precision_recall  # noqa: E402
from corpus_qa.checks.figures import check_consistent_figures, extract_figures  # noqa: E402
from corpus_qa.results import Finding  # noqa: E402
from corpus_qa.text.fold import fold_diacritics  # noqa: E402

NEWS_SUITE = ROOT / "expectations" / "news.yml"
FIGURES_ONLY_SUITE = """\
name: planted-figures
description: Only the figures of versions (benchmarks/planted_figures.py --figures-only).
versions:
  threshold: {threshold}
expectations:
  - type: expect_versions_to_have_consistent_figures
"""

# --- vocabulary ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Topic:
    """Words the stories of one topic share: plural nouns, objects, moves, events, adjectives."""

    name: str
    nouns: tuple[str, ...]
    objects: tuple[str, ...]
    moves: tuple[str, ...]  # a past-tense verb phrase that takes a place: "arrived in"
    events: tuple[str, ...]
    adjectives: tuple[str, ...]
    orgs: tuple[str, ...]


def _topic(name: str, *fields: str) -> Topic:
    return Topic(name, *(tuple(f.split("|")) for f in fields))


# fmt: off
TOPICS = (
    _topic("migration",
           "migrants|asylum-seekers|families|crossings|border agents|shelters|deportations|visas",
           "the new asylum rules|border enforcement|the humanitarian corridor|the visa programme"
           "|regional development aid|the rail crossings|the processing centres"
           "|family reunification",
           "arrived in|crossed into|were detained in|were returned to|walked north from|waited in",
           "summit|hearing|meeting|round of talks",
           "record|irregular|daily|humanitarian|bilateral|southern",
           "Interior Ministry|Border Patrol|International Organization for Migration|Red Cross"
           "|Foreign Relations Ministry"),
    _topic("floods",
           "residents|homes|villages|rescuers|roads|bridges|hectares of farmland|schools",
           "the flood defences|the emergency fund|the river embankments|the evacuation plan"
           "|the drainage works|the weather warnings|the reconstruction programme|the dams",
           "were evacuated from|were stranded in|were cut off near|were flooded in|fled"
           "|returned to",
           "emergency session|briefing|relief operation|inspection",
           "torrential|heavy|swollen|coastal|low-lying|emergency",
           "Civil Protection Agency|Meteorological Office|Red Crescent|Ministry of Public Works"
           "|World Food Programme"),
    _topic("elections",
           "voters|ballots|polling stations|candidates|observers|seats|complaints|districts",
           "the electoral roll|the vote count|the runoff|the campaign finance law|the recount"
           "|the new constituency map|the postal ballots|the televised debate",
           "voted in|registered in|campaigned in|were counted in|were contested in|closed in",
           "debate|rally|vote|count",
           "early|provisional|disputed|opposition|ruling|regional",
           "Electoral Commission|Constitutional Court|Organization of American States"
           "|Carter Center|Supreme Electoral Tribunal"),
    _topic("energy",
           "households|power plants|wind turbines|barrels|megawatts|outages|substations|workers",
           "the grid upgrade|the fuel subsidy|the pipeline project|the solar tender"
           "|the nuclear plant|the export ban|the power tariffs|the drilling permits",
           "lost power in|were installed in|were shut down in|went offline in|were built near"
           "|ran in",
           "auction|shutdown|tender|inspection",
           "renewable|offshore|state-owned|peak|rolling|national",
           "Energy Ministry|International Energy Agency|national grid operator|OPEC"
           "|Public Utilities Commission"),
    _topic("health",
           "patients|hospitals|doctors|nurses|vaccine doses|clinics|beds|cases",
           "the vaccination campaign|the hospital budget|the new clinic|the screening programme"
           "|the drug shortage|the emergency wards|the health insurance reform"
           "|the cholera response",
           "were treated in|were admitted in|were vaccinated in|were reported in|closed in"
           "|opened in",
           "outbreak|strike|campaign|review",
           "rural|public|private|seasonal|chronic|emergency",
           "Health Ministry|World Health Organization|Doctors Without Borders|nurses' union"
           "|Pan American Health Organization"),
    _topic("farming",
           "farmers|tonnes of wheat|cattle|harvests|tractors|growers|hectares|cooperatives",
           "the grain deal|the fertiliser subsidy|the irrigation scheme|the export quota"
           "|the drought relief|the crop insurance|the land reform|the seed bank",
           "protested in|were harvested in|were lost near|were sold in|were planted in|gathered in",
           "protest|harvest|auction|fair",
           "dry|poor|bumper|local|smallholder|organic",
           "Agriculture Ministry|Food and Agriculture Organization|farmers' union|grain board"
           "|World Trade Organization"),
    _topic("transport",
           "passengers|trains|flights|buses|commuters|drivers|ferries|lorries",
           "the metro extension|the rail strike|the airport expansion|the fare increase"
           "|the new motorway|the bus network|the port upgrade|the road safety plan",
           "were delayed in|were cancelled in|ran through|were stranded at|left from|arrived at",
           "strike|inauguration|derailment|inspection",
           "high-speed|regional|night|suburban|cross-border|public",
           "Transport Ministry|rail operator|aviation authority|drivers' union|port authority"),
    _topic("fisheries",
           "fishermen|vessels|tonnes of tuna|licences|boats|trawlers|ports|crews",
           "the fishing ban|the marine reserve|the catch limits|the coastguard patrols"
           "|the fuel rebate|the licensing rules|the tuna quota|the harbour repairs",
           "docked in|were seized off|sailed from|were inspected in|returned to|anchored near",
           "patrol|inspection|auction|negotiation",
           "illegal|coastal|artisanal|industrial|deep-sea|foreign",
           "Fisheries Ministry|coastguard|fishermen's association|marine institute|navy"),
    _topic("housing",
           "tenants|apartments|families|evictions|homes|landlords|permits|units",
           "the rent freeze|the social housing plan|the mortgage relief|the building code"
           "|the eviction moratorium|the zoning reform|the public housing fund|the land registry",
           "were built in|were evicted in|moved to|protested in|were sold in|were demolished in",
           "protest|auction|inauguration|hearing",
           "affordable|vacant|social|informal|rental|municipal",
           "Housing Ministry|city council|tenants' union|development bank|planning board"),
    _topic("education",
           "students|teachers|schools|classrooms|graduates|scholarships|universities|pupils",
           "the school meals programme|the teachers' pay deal|the exam reform|the new curriculum"
           "|the literacy campaign|the tuition fees|the school repairs|the laptop scheme",
           "enrolled in|graduated in|walked out in|returned to|were taught in|sat exams in",
           "strike|exam|graduation|inspection",
           "public|rural|secondary|technical|private|state",
           "Education Ministry|teachers' union|UNESCO|students' federation|national university"),
    _topic("wildfires",
           "firefighters|hectares|homes|residents|aircraft|volunteers|fires|roads",
           "the fire season|the burn ban|the evacuation orders|the reforestation plan"
           "|the water bombers|the firebreaks|the arson inquiry|the emergency declaration",
           "burned near|were evacuated from|fought fires in|were destroyed in|spread toward"
           "|flew over",
           "emergency session|briefing|inquiry|operation",
           "dry|strong|windy|forested|rural|wild",
           "Forestry Service|fire brigade|Civil Defence|Environment Ministry"
           "|national park service"),
    _topic("trade",
           "containers|exporters|importers|tariffs|shipments|factories|jobs|companies",
           "the trade agreement|the customs reform|the export licences|the steel tariffs"
           "|the anti-dumping duties|the free trade zone|the port fees|the currency controls",
           "were shipped from|were unloaded in|closed in|opened in|were stuck in"
           "|were exported from",
           "round of talks|summit|review|negotiation",
           "bilateral|regional|foreign|domestic|industrial|manufacturing",
           "Trade Ministry|World Trade Organization|chamber of commerce|customs agency"
           "|central bank"),
)
FIRST_NAMES = (
    "Andrés", "Alicia", "José", "María", "Zoë", "François", "Søren", "Jürgen", "Inés", "Raúl",
    "Agnès", "Łukasz", "Mónica", "Héctor", "Joaquín", "Émilie", "Björn", "Ana", "Darío", "Lucía",
    "Antony", "Claire", "Samuel", "Grace", "Tomás", "Noémie", "Ramón", "Ingrid", "Nicolás",
    "Amira", "Kwame", "Leïla", "Chidi", "Hiroshi", "Mei", "Ngozi", "Olga", "Pedro", "Ruth", "Yusuf",
)
SURNAMES = (
    "López", "Bárcena", "Martínez", "Müller", "Núñez", "Gómez", "Pérez", "Sánchez", "Hernández",
    "Jiménez", "Rodríguez", "Fernández", "Álvarez", "Ibáñez", "Castaño", "Gutiérrez", "Ramírez",
    "Díaz", "Kowalczyk", "Dvořák", "Nováková", "Lindqvist", "Haugen", "Öztürk", "Şahin", "Çelik",
    "Nguyễn", "Trần", "Okafor", "Mensah", "Tanaka", "Kovačević", "Horváth", "Brennan", "Walsh",
    "Osei", "Moreau", "Lefèvre", "Dubois", "Schäfer",
)
PLACES = (
    "Mexico City", "Ciudad Juárez", "Bogotá", "São Paulo", "Kraków", "Reykjavík", "Zürich",
    "Córdoba", "Mérida", "Medellín", "Asunción", "Cancún", "Mazatlán", "Querétaro", "Málaga",
    "Gdańsk", "Łódź", "Düsseldorf", "Malmö", "Tromsø", "Brașov", "Plzeň", "Niš", "Besançon",
    "Nairobi", "Manila", "Lagos", "Karachi", "Dhaka", "Lima", "Quito", "Accra", "Tunis", "Hanoi",
    "Tegucigalpa", "Cúcuta", "Tapachula", "Panamá", "San José", "Valparaíso",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# fmt: on

# --- sentence templates -----------------------------------------------------------------------
# Word slots: A/A2 actors, S/S2 their surnames, P/P2 places, O/O2 organisations, N/N2 plural
# nouns, X/X2 objects, V a move ("arrived in"), E an event, J an adjective, D a weekday.
# Figure slots: c/c2 counts, k a small count, pct, usd, hours, days, years, dayc ("two-day"),
# date, datey (with year), year/year2, factor, clock, season.

# fmt: off
FIGURE_TEMPLATES = (
    "{A} said on {D} that as many as {c} {N} {V} {P} since {date}.",
    "The {O} reported {c} {N} in {P} last month, up from {c2} a year earlier.",
    "The {O} said it would spend {usd} on {X} over the next {years}.",
    "{pct} of the {N} surveyed in {P} said {X} was their main concern.",
    "{A} met for about {hours} with {A2} in {P} on {D}.",
    "On {date}, the {O} suspended {X} near {P}, officials said.",
    "In {year}, more than {c} {N} {V} {P}, {pct} more than in {year2}.",
    "That is {factor} the number of {N} who {V} {P} in {year2}.",
    '"We have never seen {c} {N} in a single week," {S} told reporters in {P}.',
    "The {J} {E} on {X} is due to begin at {clock} on {date}.",
    "{S} said {X} would cost about {usd} and take {years} to complete.",
    "Authorities in {P} said {k} {N} {V} {P2} on {D} and {k2} others were still missing.",
    "Figures for the {season} season show {c} {N} in the {J} districts around {P}.",
    "{A} is one of the {J} voices calling for {X} in {P}.",
    "The {O} expects {c} more {N} in {P} by {datey}.",
    "{S} flew to {P} on {date} for a {dayc} visit focused on {X}.",
    "Some {c} {N} {V} {P} during the {J} {E}, according to the {O}.",
    "Prices linked to {X} rose {pct} in {P} over the past {hours}, traders said.",
    "The {O} has set aside {usd} for {N} affected by {X}.",
    "Since {datey}, the {O} has recorded {c} {N} in {P} and {c2} in {P2}.",
    "{A} said {X} had been delayed by {days} because of the {J} {E}.",
    "About {c} {N} gathered outside the offices of the {O} in {P} on {D}.",
    "The {J} {E} lasted {hours} and ended shortly after {clock}, {S} said.",
    "Two of the top {N} in {P} reported a {pct} fall in {X} since {year}.",
    "In {P}, {c} {N} and {c2} {N2} {V} {P2} in the week to {date}.",
    "{S} said {X} had helped {c} {N} since it began in {year}.",
    "The {O} said {pct} of {X} had been completed by {datey}.",
    "Officials estimate that {c} {N} will need {X} in {year}, {factor} the figure for {year2}.",
    "The {O} said {vague} of the {N} in {P} had been waiting since {D}.",
)
PLAIN_TEMPLATES = (
    "{S} also stressed the need for {X} in the region.",
    "{A} did not respond to a request for comment on {X}.",
    "Critics say {X} has done little to help {N} in {P}.",
    "The {O} has repeatedly called on officials in {P} to do more about {X}.",
    "Officials in {P} described the situation of the {N} as critical.",
    "{S} said on the social media site X formerly known as Twitter that the {E} had gone well.",
    "The U.S. delegation stressed the need for {X} ahead of the {E}.",
    '"We have always talked about {X}. The ideal thing is to help the {N}," {S} said.',
    "{A2} said the {O} would review {X} before the end of the year.",
    "Residents of {P} said they had not been consulted about {X}.",
    "The {E} in {P} was the first of its kind since the {O} took over {X}.",
    "{S2} warned that the {J} {N} in {P} could not wait for {X}.",
    "Neither the {O} nor the {O2} would say when {X} might resume.",
    "Representatives of the {N} met {S} in {P} to discuss {X}.",
)
# fmt: on

# --- figures ------------------------------------------------------------------------------

_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten", "eleven", "twelve")
_MONTHS = (("January", "Jan."), ("February", "Feb."), ("March", "March"), ("April", "April"),
           ("May", "May"), ("June", "June"), ("July", "July"), ("August", "Aug."),
           ("September", "Sept."), ("October", "Oct."), ("November", "Nov."),
           ("December", "Dec."))


@dataclass(frozen=True, slots=True)
class Quantity:
    """A figure's meaning (the same in every version unless planted).

    ``value`` is the number; dates use ``day`` = (year or 0, month, day) instead.
    """

    kind: str
    value: float = 0.0
    day: tuple[int, int, int] = (0, 0, 0)


def _group(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


def _count_forms(n: int) -> list[str]:
    """Equivalent ways of writing the count ``n``."""
    if n <= 12:
        return [_NUMBER_WORDS[n], str(n)]
    if n < 1000:
        return [str(n)]
    out = [_group(n, ","), _group(n, " ")]
    if n == 500_000:
        out += ["half a million", "a half-million"]
    elif n == 250_000:
        out += ["a quarter million", "a quarter of a million"]
    elif n == 750_000:
        out += ["three-quarters of a million", "three quarters of a million"]
    elif n == 2_500_000:
        out += ["2.5 million", "two and a half million"]
    elif n % 1_000_000 == 0 and n // 1_000_000 <= 12:
        out += [f"{n // 1_000_000} million", f"{_NUMBER_WORDS[n // 1_000_000]} million"]
    elif n % 100_000 == 0 and n > 1_000_000:
        out += [f"{n / 1_000_000:g} million"]
    return out


def _money_forms(dollars: int) -> list[str]:
    millions = f"{dollars / 1e6:g}"
    return [f"${millions} million", f"${dollars:,}", f"{millions} million dollars",
            f"US${millions} million"]


def _date_forms(year: int, month: int, day: int) -> list[str]:
    full, abbr = _MONTHS[month - 1]
    if not year:
        return list(dict.fromkeys([f"{full} {day}", f"{abbr} {day}", f"{day} {full}"]))
    return list(dict.fromkeys([f"{full} {day}, {year}", f"{abbr} {day}, {year}",
                               f"{day} {full} {year}", f"{year}-{month:02d}-{day:02d}"]))


def _clock_forms(hour: int) -> list[str]:
    twelve, half = (hour - 1) % 12 + 1, "p" if hour >= 12 else "a"
    return [f"{twelve} {half}.m.", f"{twelve} {half}m", f"{hour:02d}:00"]


def forms(q: Quantity) -> list[str]:
    """Every way a version may write ``q`` (all read as the same value by a careful reader)."""
    n = round(q.value)
    match q.kind:
        case "count":
            return _count_forms(n)
        case "percent":
            out = [f"{q.value:g}%", f"{q.value:g} percent", f"{q.value:g} per cent"]
            if not float(q.value).is_integer():  # a decimal comma by its shape: "12,5%"
                out.append(f"{q.value:g}%".replace(".", ","))
            return out
        case "vague":
            return list(_VAGUE[n])
        case "usd":
            return _money_forms(n)
        case "hours" | "days" | "years":
            return [f"{_NUMBER_WORDS[n]} {q.kind}", f"{n} {q.kind}"]
        case "dayc":
            return [f"{_NUMBER_WORDS[n]}-day", f"{n}-day"]
        case "date":
            return _date_forms(*q.day)
        case "year":
            return [str(n)]
        case "factor":
            return ["double", "twice"] if n == 2 else ["triple"]
        case "clock":
            return _clock_forms(n)
        case "season":
            return [f"{n}–{(n + 1) % 100:02d}", f"{n}-{(n + 1) % 100:02d}", f"{n}–{n + 1}"]
    raise ValueError(f"unknown figure kind {q.kind!r}")


_ROUND_COUNTS = (500_000, 1_000_000, 2_000_000, 3_000_000, 1_200_000, 2_500_000, 4_300_000,
                 250_000, 750_000)
_VAGUE = {1: ("dozens",), 2: ("hundreds", "several hundred", "a few hundred"),
          3: ("thousands", "several thousand"), 4: ("tens of thousands",)}
"""Vague amounts by order of magnitude, with their equivalent wordings: compared only with
each other ("hundreds" = "several hundred"), never with a number."""
_MILLIONS = (1.2, 2.5, 3.5, 15, 40, 75, 120, 250, 600)


def _count(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(_ROUND_COUNTS)
    if roll < 0.35:
        return rng.randint(13, 999)
    if roll < 0.75:
        return rng.randint(10, 999) * 100
    return rng.randint(1, 99) * 1000


def _date(rng: random.Random, year: int) -> Quantity:
    return Quantity("date", day=(year, rng.randint(1, 12), rng.randint(1, 28)))


def new_quantity(slot: str, rng: random.Random) -> Quantity:
    """A random figure for a template slot (``c``, ``pct``, ``date`` …)."""
    match slot:
        case "c" | "c2":
            return Quantity("count", _count(rng))
        case "k" | "k2":
            return Quantity("count", rng.randint(2, 12))
        case "pct":
            return Quantity("percent", rng.choice([rng.randint(2, 95), rng.randint(2, 40) + 0.5]))
        case "usd":
            return Quantity("usd", round(rng.choice(_MILLIONS) * 1e6))
        case "hours" | "days" | "years":
            return Quantity(slot, rng.randint(2, 12))
        case "dayc":
            return Quantity("dayc", rng.randint(2, 5))
        case "date":
            return _date(rng, 0)
        case "datey":
            return _date(rng, rng.randint(2019, 2024))
        case "year" | "year2":
            return Quantity("year", rng.randint(2012, 2024))
        case "factor":
            return Quantity("factor", rng.choice([2, 3]))
        case "clock":
            return Quantity("clock", rng.randint(7, 21))
        case "season":
            return Quantity("season", rng.randint(2015, 2023))
        case "vague":
            return Quantity("vague", rng.randint(1, 4))
    raise ValueError(f"unknown figure slot {slot!r}")


def _changed_count(n: int, rng: random.Random) -> int:
    if n <= 12:
        return rng.choice([m for m in range(2, 13) if m != n])
    options = [n * 10, n + rng.choice([-1, 1]) * 10 ** (len(str(n)) - 1)]
    if n % 10 == 0:
        options.append(n // 10)
    return rng.choice([m for m in options if m > 12 and m != n])


def changed_quantity(q: Quantity, rng: random.Random) -> Quantity:
    """``q`` with another value of the same kind: a dropped zero, a wrong digit, a day off."""
    n = round(q.value)
    match q.kind:
        case "count":
            return Quantity("count", _changed_count(n, rng))
        case "percent":
            step = rng.choice([-5, -2, -1, 1, 3, 10])
            return Quantity("percent", min(99, max(1, q.value + step)))
        case "usd":
            return Quantity("usd", round(q.value * rng.choice([10, 0.1, 2])))
        case "hours" | "days" | "years":
            return Quantity(q.kind, rng.choice([m for m in range(2, 13) if m != n]))
        case "dayc":
            return Quantity("dayc", rng.choice([m for m in range(2, 6) if m != n]))
        case "date":
            year, month, day = q.day
            if rng.random() < 0.2:  # a typo that makes it impossible: "December 43"
                return Quantity("date", day=(year, month, rng.randint(32, 49)))
            other = rng.choice([d for d in range(1, 29) if d != day])
            return Quantity("date", day=(year, month, other))
        case "vague":
            return Quantity("vague", rng.choice([m for m in range(1, 5) if m != n]))
        case "year" | "season":
            return Quantity(q.kind, n + rng.choice([-2, -1, 1]))
        case "factor":
            return Quantity("factor", 5 - n)
        case "clock":
            return Quantity("clock", n + rng.choice([-2, -1, 1, 2]))
    raise ValueError(f"unknown figure kind {q.kind!r}")


# --- stories --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Slot:
    """A figure in a sentence: its id within the story and what it means."""

    id: int
    quantity: Quantity


Sentence = tuple[str | Slot, ...]


@dataclass
class Cast:
    """The people, places and organisations of one story, and its topic."""

    topic: Topic
    actors: list[tuple[str, str]]
    places: list[str]
    orgs: list[str]


@dataclass
class BaseStory:
    """A story's shared text: paragraphs of sentences, and its publication date.

    ``unused`` are the templates no sentence of the story uses yet: an added sentence
    takes one, so that it says something the other versions do not (two versions adding
    the same sentence shape with other figures would be a real disagreement).
    """

    index: int
    cast: Cast
    date: str
    paragraphs: list[list[Sentence]]
    unused: list[str]


_FORMATTER = string.Formatter()
_FIGURE_SLOTS = frozenset({"c", "c2", "k", "k2", "pct", "usd", "hours", "days", "years", "dayc",
                           "date", "datey", "year", "year2", "factor", "clock", "season",
                           "vague"})


class StoryWriter:
    """Writes base stories and extra sentences from topic vocabulary, deterministically."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._next_slot = 0

    def cast(self, topic: Topic) -> Cast:
        """Three people, three places and two organisations for a story of ``topic``."""
        rng = self.rng
        actors = [(rng.choice(FIRST_NAMES), rng.choice(SURNAMES)) for _ in range(3)]
        return Cast(topic, actors, rng.sample(PLACES, 3), rng.sample(topic.orgs, 2))

    def _words(self, cast: Cast) -> dict[str, str]:
        """The people, places, organisations and the weekday of one sentence."""
        (f1, s1), (f2, s2) = self.rng.sample(cast.actors, 2)
        place, place2 = self.rng.sample(cast.places, 2)
        return {
            "A": f"{f1} {s1}", "A2": f"{f2} {s2}", "S": s1, "S2": s2,
            "P": place, "P2": place2, "O": cast.orgs[0], "O2": cast.orgs[1],
            "D": self.rng.choice(WEEKDAYS),
        }  # fmt: skip

    def sentence(self, cast: Cast, template: str) -> Sentence:
        """Fill ``template``: words from the cast and topic, figures as slots with new values."""
        topic = cast.topic
        words = self._words(cast)
        pools = {"N": topic.nouns, "N2": topic.nouns, "X": topic.objects, "V": topic.moves,
                 "E": topic.events, "J": topic.adjectives}
        parts: list[str | Slot] = []
        text = ""
        for literal, name, _, _ in _FORMATTER.parse(template):
            text += literal
            if name is None:
                continue
            if name in _FIGURE_SLOTS:
                parts += [text, Slot(self._next_slot, new_quantity(name, self.rng))]
                text = ""
                self._next_slot += 1
            else:
                text += words[name] if name in words else self.rng.choice(pools[name])
        parts.append(text)
        return _capitalised(tuple(p for p in parts if p != ""))

    def story(self, index: int, topic: Topic) -> BaseStory:
        """A base story of 14–26 sentences (at least 6 with figures) in paragraphs of 1–3."""
        rng = self.rng
        cast = self.cast(topic)
        n = rng.randint(14, 26)
        with_figures = rng.randint(max(6, n - len(PLAIN_TEMPLATES)), min(n, len(FIGURE_TEMPLATES)))
        templates = (rng.sample(FIGURE_TEMPLATES, with_figures)
                     + rng.sample(PLAIN_TEMPLATES, n - with_figures))
        rng.shuffle(templates)
        unused = [t for t in (*FIGURE_TEMPLATES, *PLAIN_TEMPLATES) if t not in templates]
        sentences = [self.sentence(cast, t) for t in templates]
        paragraphs = []
        while sentences:
            size = rng.randint(1, 3)
            paragraphs.append(sentences[:size])
            sentences = sentences[size:]
        date = f"{rng.randint(2019, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return BaseStory(index, cast, date, paragraphs, unused)

    def extra(self, story: BaseStory) -> Sentence | None:
        """A sentence one version adds (figures included), from a template the story lacks."""
        if not story.unused:
            return None
        template = story.unused.pop(self.rng.randrange(len(story.unused)))
        return self.sentence(story.cast, template)


def _capitalised(parts: Sentence) -> Sentence:
    first = parts[0]
    if isinstance(first, str) and first[:1].islower():
        return (first[0].upper() + first[1:], *parts[1:])
    return parts


# --- versions ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Style:
    """The harmless edits of one version."""

    header: str  # "glued" (" date 2023-12-28 Officials…"), "line" ("date: …\\n") or "none"
    curly: bool
    folded: bool
    joined: str  # "none" (blank lines), "all" (one line), "some" (some paragraphs run together)
    width: int  # reflow at this column; 0: no reflow
    forms: dict[int, int]  # slot id -> index of the form used (modulo the forms available)


@dataclass
class Rendered:
    """One version's text and where each figure slot landed in it."""

    text: str
    spans: dict[int, tuple[int, int]]
    written: dict[int, str]


def _curly(text: str, before: str) -> str:
    """Curly quotes: “ after a space or at the start, ” elsewhere; ’ for apostrophes."""
    out = []
    for c in text:
        if c == '"':
            out.append("“" if before in " \n(" else "”")
        elif c == "'":
            out.append("’")
        else:
            out.append(c)
        before = c
    return "".join(out)


def _render_sentence(sentence: Sentence, style: Style, values: dict[int, Quantity],
                     out: list[str], pos: int, spans: dict[int, tuple[int, int]],
                     written: dict[int, str]) -> int:
    for part in sentence:
        if isinstance(part, Slot):
            options = forms(values.get(part.id, part.quantity))
            piece = options[style.forms.get(part.id, 0) % len(options)]
            spans[part.id] = (pos, pos + len(piece))
            written[part.id] = piece
        else:
            piece = fold_diacritics(part) if style.folded else part
            if style.curly:
                piece = _curly(piece, out[-1][-1] if out and out[-1] else " ")
        out.append(piece)
        pos += len(piece)
    return pos


def _paragraph_separators(count: int, joined: str, rng: random.Random) -> list[str]:
    if joined == "all":
        return [" "] * count
    if joined == "some":
        return [rng.choice([" ", "\n\n"]) for _ in range(count)]
    return ["\n\n"] * count


def _reflow(text: str, width: int, start: int) -> str:
    """Break lines at the last space before ``width`` columns (same length: spaces → newlines)."""
    chars = list(text)
    line_start, last_space = 0, -1
    for i in range(start, len(chars)):
        if chars[i] == "\n":
            line_start, last_space = i + 1, -1
        elif chars[i] == " ":
            if i - line_start >= width and last_space > line_start:
                chars[last_space] = "\n"
                line_start = last_space + 1
            last_space = i
    return "".join(chars)


def render(paragraphs: list[list[Sentence]], style: Style, date: str,
           values: dict[int, Quantity], rng: random.Random) -> Rendered:
    """The text of one version, with the span of every figure slot in it."""
    header = {"glued": f" date {date} ", "line": f"date: {date}\n", "none": ""}[style.header]
    out, pos = [header], len(header)
    spans: dict[int, tuple[int, int]] = {}
    written: dict[int, str] = {}
    separators = _paragraph_separators(len(paragraphs), style.joined, rng)
    for p, paragraph in enumerate(paragraphs):
        if p:
            out.append(separators[p])
            pos += len(separators[p])
        for s, sentence in enumerate(paragraph):
            if s:
                out.append(" ")
                pos += 1
            pos = _render_sentence(sentence, style, values, out, pos, spans, written)
    text = "".join(out) + "\n"
    if style.width:
        text = _reflow(text, style.width, len(header))
    return Rendered(text, spans, written)


def random_style(rng: random.Random, slots: Iterable[int]) -> Style:
    """A version's harmless edits, drawn at random."""
    return Style(
        header=rng.choice(["glued", "line", "none"]),
        curly=rng.random() < 0.5,
        folded=rng.random() < 0.3,
        joined=rng.choice(["none", "none", "all", "some"]),
        width=rng.choice([0, 0, 60, 72, 80]),
        forms={slot: rng.randrange(4) for slot in slots},
    )


def _slot_ids(paragraphs: list[list[Sentence]]) -> list[int]:
    return [p.id for para in paragraphs for s in para for p in s if isinstance(p, Slot)]


def _with_extras(story: BaseStory, writer: StoryWriter) -> list[list[Sentence]]:
    """The base paragraphs with 0–2 added sentences (in a paragraph, or as a new one)."""
    rng = writer.rng
    paragraphs = [list(p) for p in story.paragraphs]
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        sentence = writer.extra(story)
        if sentence is None:
            break
        if rng.random() < 0.5:
            paragraphs.insert(rng.randint(0, len(paragraphs)), [sentence])
        else:
            para = rng.choice(paragraphs)
            para.insert(rng.randint(0, len(para)), sentence)
    return paragraphs


# --- the corpus -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Planted:
    """One planted change: in ``document``, figure ``slot`` reads ``changed`` instead of
    ``original``; ``others`` maps every other version to its span of the same figure."""

    story: int
    document: str
    slot: int
    original: str
    changed: str
    span: tuple[int, int]
    others: dict[str, tuple[int, int]]


@dataclass
class Corpus:
    """Generated documents (id → text), their true stories, and the planted changes."""

    texts: dict[str, str] = field(default_factory=dict)
    story_of: dict[str, int] = field(default_factory=dict)
    planted: list[Planted] = field(default_factory=list)

    def stories(self) -> dict[int, list[str]]:
        """Story index → its documents' ids, in id order."""
        out: dict[int, list[str]] = {}
        for doc_id in sorted(self.story_of):
            out.setdefault(self.story_of[doc_id], []).append(doc_id)
        return out


def version_counts(documents: int, stories: int, rng: random.Random) -> list[int]:
    """How many versions each story has: 2–8, summing to ``documents``."""
    if not 2 * stories <= documents <= 8 * stories:
        raise ValueError(f"{documents} documents cannot make {stories} stories of 2–8 versions")
    counts = [2] * stories
    open_ = list(range(stories))
    for _ in range(documents - 2 * stories):
        i = rng.randrange(len(open_))
        counts[open_[i]] += 1
        if counts[open_[i]] == 8:
            open_[i] = open_[-1]
            open_.pop()
    return counts


def _plant(story: BaseStory, doc_ids: list[str], rng: random.Random) -> tuple[str, int, Quantity]:
    """Which version, which figure, and its new value."""
    slots = [p for para in story.paragraphs for s in para for p in s if isinstance(p, Slot)]
    slot = rng.choice(slots)
    return rng.choice(doc_ids), slot.id, changed_quantity(slot.quantity, rng)


def generate(documents: int, stories: int, planted: int, seed: int) -> Corpus:
    """A corpus of ``documents`` in ``stories`` (2–8 versions each), ``planted`` of them changed."""
    if not 0 <= planted <= stories:
        raise ValueError(f"cannot plant {planted} changes in {stories} stories")
    rng = random.Random(seed)
    writer = StoryWriter(rng)
    counts = version_counts(documents, stories, rng)
    numbers = list(range(documents))
    rng.shuffle(numbers)  # document ids say nothing about their story
    with_plant = set(rng.sample(range(stories), planted))
    corpus = Corpus()
    next_doc = 0
    for index, count in enumerate(counts):
        if index % 5 == 0:  # consecutive stories share a topic, as a news day would
            topic = rng.choice(TOPICS)
        story = writer.story(index, topic)
        ids = [f"{numbers[next_doc + k] // 1000:03d}/doc{numbers[next_doc + k]:06d}"
               for k in range(count)]
        next_doc += count
        plant = _plant(story, ids, rng) if index in with_plant else None
        _add_versions(corpus, story, ids, plant, writer)
    return corpus


def _add_versions(corpus: Corpus, story: BaseStory, ids: list[str],
                  plant: tuple[str, int, Quantity] | None, writer: StoryWriter) -> None:
    rng = writer.rng
    rendered: dict[str, Rendered] = {}
    original: dict[str, str] = {}
    for doc_id in ids:
        paragraphs = _with_extras(story, writer)
        style = random_style(rng, _slot_ids(paragraphs))
        values: dict[int, Quantity] = {}
        if plant and plant[0] == doc_id:
            base = {p.id: p for para in paragraphs for s in para for p in s if isinstance(p, Slot)}
            options = forms(base[plant[1]].quantity)
            original[doc_id] = options[style.forms[plant[1]] % len(options)]
            values[plant[1]] = plant[2]
        rendered[doc_id] = render(paragraphs, style, story.date, values, rng)
        corpus.texts[doc_id] = rendered[doc_id].text
        corpus.story_of[doc_id] = story.index
    if plant:
        doc_id, slot, _ = plant
        others = {d: r.spans[slot] for d, r in rendered.items() if d != doc_id}
        corpus.planted.append(Planted(story.index, doc_id, slot, original[doc_id],
                                      rendered[doc_id].written[slot], rendered[doc_id].spans[slot],
                                      others))


def write_corpus(corpus: Corpus, root: Path) -> int:
    """Write every document as ``root/<id>.txt``; return the bytes written."""
    total = 0
    for doc_id, text in corpus.texts.items():
        path = root / f"{doc_id}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    return total


# --- scoring -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Flag:
    """A ``figure_changed`` finding reduced to what scoring needs."""

    document: str
    span: tuple[int, int]
    related: str | None


@dataclass
class Score:
    """Recall of the planted changes and false positives of one method on one corpus."""

    planted: int = 0
    found_changed: int = 0  # planted changes with at least one of their expected findings
    paired_expected: int = 0  # (planted, other version) pairs
    paired_found: int = 0  # pairs whose one finding is there, on the later version of the two
    complete: int = 0  # planted changes found for every other version
    flags: int = 0
    explained: int = 0  # flags that are an expected finding
    clean_stories: int = 0
    clean_stories_flagged: int = 0
    clean_documents: int = 0
    clean_documents_flagged: int = 0
    missed: list[Planted] = field(default_factory=list)
    false_alarms: list[Flag] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """Planted changes with a finding: at the planted span, or pointing at it."""
        return self.found_changed / self.planted if self.planted else 1.0

    @property
    def paired_recall(self) -> float:
        """(Planted change, other version) pairs with their one finding on the later version."""
        return self.paired_found / self.paired_expected if self.paired_expected else 1.0

    @property
    def precision(self) -> float:
        """Findings that are expected findings."""
        return self.explained / self.flags if self.flags else 1.0

    @property
    def story_fp_rate(self) -> float:
        """Stories without a planted change that have a ``figure_changed`` finding."""
        return self.clean_stories_flagged / self.clean_stories if self.clean_stories else 0.0

    @property
    def document_fp_rate(self) -> float:
        """Documents of stories without a planted change that have a finding."""
        return self.clean_documents_flagged / self.clean_documents if self.clean_documents else 0.0


def score(corpus: Corpus, flags: Iterable[Flag], only: set[int] | None = None) -> Score:
    """Score ``flags`` against the planted changes of ``corpus`` (of the stories ``only``)."""
    stories = {k: v for k, v in corpus.stories().items() if only is None or k in only}
    flags = [f for f in flags if corpus.story_of[f.document] in stories]
    plants = [p for p in corpus.planted if p.story in stories]
    at = {(f.document, f.span): f for f in flags}
    expected: set[tuple[str, tuple[int, int]]] = set()
    out = Score(planted=len(plants), flags=len(flags))
    for plant in plants:
        # One finding per pair of versions, on the later one. The versions of a story share
        # one date (or have none), so the later version of a pair is the larger id.
        paired = 0
        for other, span in plant.others.items():
            if plant.document > other:  # on the changed version, naming the others
                expected.add((plant.document, plant.span))
                flag = at.get((plant.document, plant.span))
                paired += flag is not None and flag.related in plant.others
            else:  # on the other version, pointing at the changed one
                expected.add((other, span))
                flag = at.get((other, span))
                paired += flag is not None and flag.related == plant.document
        out.paired_expected += len(plant.others)
        out.paired_found += paired
        out.found_changed += paired > 0
        out.complete += paired == len(plant.others)
        if paired != len(plant.others):
            out.missed.append(plant)
    out.explained = sum((f.document, f.span) in expected for f in flags)
    out.false_alarms = [f for f in flags if (f.document, f.span) not in expected]
    planted_stories = {p.story for p in plants}
    flagged_docs = {f.document for f in flags}
    for story, docs in stories.items():
        if story in planted_stories:
            continue
        out.clean_stories += 1
        out.clean_documents += len(docs)
        flagged = sum(d in flagged_docs for d in docs)
        out.clean_documents_flagged += flagged
        out.clean_stories_flagged += flagged > 0
    return out


def exactly_grouped(corpus: Corpus, groups: list[list[str]]) -> set[int]:
    """The true stories whose documents the pipeline grouped exactly (nothing missing or added)."""
    truth = {story: sorted(docs) for story, docs in corpus.stories().items()}
    return {corpus.story_of[g[0]] for g in groups if sorted(g) == truth[corpus.story_of[g[0]]]}


def flags_from_findings(findings: Iterable[Finding]) -> list[Flag]:
    """The ``figure_changed`` findings of a run."""
    return [Flag(f.document, f.span, f.related.document if f.related else None)
            for f in findings if f.reason == "figure_changed"]


def aligned_flags(corpus: Corpus) -> list[Flag]:
    """``check_consistent_figures`` on each true story, in one process."""
    out = []
    for docs in corpus.stories().values():
        hits = check_consistent_figures([(d, corpus.texts[d]) for d in docs])
        out += [Flag(h.document or "", h.span, h.related.document if h.related else None)
                for h in hits]
    return out


def naive_flags(corpus: Corpus) -> list[Flag]:
    """The baseline: for every pair of versions, figures whose value the other lacks (multisets).

    No sentence alignment: a figure is flagged in a version when that version has more
    figures of its (kind, unit, value) than the other version; ``related`` is the other one.
    """
    out: dict[tuple[str, tuple[int, int]], Flag] = {}
    for docs in corpus.stories().values():
        figures = {d: extract_figures(corpus.texts[d]) for d in docs}
        keys = {d: Counter((f.kind, f.unit, f.value) for f in figs) for d, figs in figures.items()}
        for a in docs:
            for b in docs:
                if a == b:
                    continue
                surplus = keys[a] - keys[b]
                for fig in figures[a]:
                    key = (fig.kind, fig.unit, fig.value)
                    if surplus[key] > 0:
                        surplus[key] -= 1
                        out.setdefault((a, fig.span), Flag(a, fig.span, b))
    return list(out.values())


# --- the run --------------------------------------------------------------------------------


@dataclass
class PipelineRun:
    """What the real pipeline produced on the corpus."""

    seconds: float
    documents_seconds: float  # pass 1 (documents, in the worker pool); the rest is pass 2 (stories)
    flags: list[Flag]
    groups: list[list[str]]
    suite: str
    findings: list[Finding]  # the figure_changed findings


def run_pipeline(root: Path, suite_path: Path, workers: int | None = None) -> PipelineRun:
    """``Runner`` on the corpus at ``root`` (default workers: one per core)."""
    from corpus_qa.runner import Runner
    from corpus_qa.suite import load_suite

    suite = load_suite(suite_path)
    last_progress = [0.0]

    def progress(_: int) -> None:
        last_progress[0] = time.perf_counter()

    runner = Runner(suite, workers=workers, progress=progress)
    start = time.perf_counter()
    result = runner.run([str(root)])
    seconds = time.perf_counter() - start
    groups: dict[str, list[str]] = {}
    for record in result.documents:
        groups.setdefault(record["story"], []).append(record["id"])
    findings = [f for f in result.findings if f.reason == "figure_changed"]
    return PipelineRun(seconds, last_progress[0] - start, flags_from_findings(findings),
                       list(groups.values()), suite.name, findings)


def _timed(fn: Callable[[Corpus], list[Flag]], corpus: Corpus) -> tuple[list[Flag], float]:
    start = time.process_time()
    flags = fn(corpus)
    return flags, time.process_time() - start


def _rate(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.2%})" if whole else "0/0"


def _row(name: str, s: Score, seconds: float, docs: int) -> str:
    return (f"{name:<28} {s.recall:>7.4f} {s.paired_recall:>7.4f} {s.precision:>9.4f} "
            f"{_rate(s.clean_stories_flagged, s.clean_stories):>18} "
            f"{_rate(s.clean_documents_flagged, s.clean_documents):>20} "
            f"{seconds:>8.2f} {seconds / docs * 1e3:>8.3f}")


def describe_misses(corpus: Corpus, s: Score, limit: int = 10) -> list[str]:
    """Readable lines for missed plants and false alarms: document, span, text around it."""
    lines = []
    for plant in s.missed[:limit]:
        text = corpus.texts[plant.document]
        a, b = plant.span
        lines.append(f"  missed: story {plant.story} {plant.document} {plant.span} "
                     f"{plant.original!r} -> {plant.changed!r}: …{_context(text, a, b)}…")
    for flag in s.false_alarms[:limit]:
        text = corpus.texts[flag.document]
        a, b = flag.span
        story = corpus.story_of[flag.document]
        lines.append(f"  false alarm: story {story} {flag.document} {flag.span} {text[a:b]!r} "
                     f"(related {flag.related}): …{_context(text, a, b)}…")
    return lines


def _context(text: str, a: int, b: int) -> str:
    return " ".join(f"{text[max(0, a - 70):a]}[{text[a:b]}]{text[b:b + 50]}".split())


def main(argv: Sequence[str] | None = None) -> None:
    """Generate, validate, score and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--stories", type=int, default=2_000)
    parser.add_argument("--planted", type=int, default=None,
                        help="stories with a planted change (default: a quarter of the stories)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--figures-only", action="store_true",
                        help="a suite with only expect_versions_to_have_consistent_figures")
    parser.add_argument("--workers", type=int, default=None, help="default: one per core")
    args = parser.parse_args(argv)
    planted = args.stories // 4 if args.planted is None else args.planted

    start = time.perf_counter()
    corpus = generate(args.documents, args.stories, planted, args.seed)
    with tempfile.TemporaryDirectory(prefix="planted-") as tmp:
        root = Path(tmp) / "corpus"
        size = write_corpus(corpus, root)
        made = time.perf_counter() - start
        suite_path = NEWS_SUITE
        if args.figures_only:
            suite_path = Path(tmp) / "figures.yml"
            suite_path.write_text(FIGURES_ONLY_SUITE.format(threshold=0.3), encoding="utf-8")
        run = run_pipeline(root, suite_path, args.workers)
    docs = len(corpus.texts)
    precision, recall = precision_recall(run.groups, corpus.story_of)
    print(f"corpus: {docs} documents in {args.stories} stories ({size / docs:,.0f} bytes/doc), "
          f"{len(corpus.planted)} planted changes, seed {args.seed}; generated and written "
          f"in {made:.1f} s")
    print(f"pipeline: suite {run.suite!r} ({suite_path.name}), Runner workers "
          f"{args.workers or 'default'}; {run.seconds:.1f} s wall = pass 1 (documents, pool) "
          f"{run.documents_seconds:.1f} s + pass 2 (grouping, stories) "
          f"{run.seconds - run.documents_seconds:.1f} s; {len(run.groups)} stories found; "
          f"grouping precision {precision:.4f}, recall {recall:.4f}")
    aligned, aligned_s = _timed(aligned_flags, corpus)
    naive, naive_s = _timed(naive_flags, corpus)
    print(f"{'method':<28} {'recall':>7} {'paired':>7} {'precision':>9} "
          f"{'FP stories':>18} {'FP documents':>20} {'seconds':>8} {'ms/doc':>8}")
    pipeline_score = score(corpus, run.flags)
    aligned_score = score(corpus, aligned)
    naive_score = score(corpus, naive)
    print(_row("pipeline (Runner, wall)", pipeline_score, run.seconds, docs))
    exact = exactly_grouped(corpus, run.groups)
    print(_row(f"  {len(exact)} stories grouped exactly", score(corpus, run.flags, exact),
               run.seconds, docs))
    print(_row("aligned check (1 cpu)", aligned_score, aligned_s, docs))
    print(_row("naive sets (1 cpu)", naive_score, naive_s, docs))
    print(f"ratios: aligned check / naive = ×{aligned_s / naive_s:.2f}; "
          f"pipeline wall / naive = ×{run.seconds / naive_s:.2f}; "
          f"findings: pipeline {pipeline_score.flags}, aligned {aligned_score.flags}, "
          f"naive {naive_score.flags}")
    for line in describe_misses(corpus, pipeline_score):
        print(line)


if __name__ == "__main__":
    main()
