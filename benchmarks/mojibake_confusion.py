"""Confusion table of the mojibake check by code-page pair, on generated text.

For each language, sentences are generated from its word list (seeded), written in each
code page that can hold the language, and read back with each wrong single-byte code
page (the way a lenient reader does: cp125x's undefined bytes become C1 characters).
The mis-decoded sentence is put between two correct English sentences; the check must
find a hit on it (found) and name the pair so that its repair gives the sentence back
(named: the two code pages named, or a pair that reads these bytes identically).
Clean sentences of every language give the false-alarm row.

    .venv/bin/python benchmarks/mojibake_confusion.py [--samples 40] [--seed 1]
        [--languages cs,pl,hu] [--written-in cp1250,iso-8859-2]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from corpus_qa.checks.encoding import CODE_PAGES, WRONG_READINGS, find_mojibake  # noqa: E402

# Words of ordinary news prose, written for this benchmark (not taken from any test set).
WORDS: dict[str, str] = {
    "ru": "правительство объявило сегодня новые меры поддержки малого бизнеса в регионах "
          "страны министр финансов заявил что бюджет вырос на пять процентов по сравнению "
          "с прошлым годом жители города встретились с мэром обсудить ремонт дорог и школ",
    "uk": "уряд оголосив сьогодні нові заходи підтримки малого бізнесу в областях країни "
          "міністр сказав що бюджет зріс на п'ять відсотків порівняно з минулим роком",
    "bg": "правителството обяви днес нови мерки в подкрепа на малкия бизнес в страната "
          "министърът каза че бюджетът е нараснал с пет процента спрямо миналата година",
    "sr": "влада је данас објавила нове мере подршке малим предузећима у свим регионима "
          "министар је рекао да је буџет порастао за пет одсто у односу на прошлу годину",
    "el": "η κυβέρνηση ανακοίνωσε σήμερα νέα μέτρα στήριξης για τις μικρές επιχειρήσεις "
          "ο υπουργός δήλωσε ότι ο προϋπολογισμός αυξήθηκε κατά πέντε τοις εκατό φέτος",
    "fr": "le gouvernement a annoncé aujourd'hui de nouvelles mesures pour les entreprises "
          "de la région l'été dernier à zürich les élèves étaient réunis près du lycée où "
          "le ministre a déclaré que la sécurité économique reste une priorité",
    "es": "el gobierno anunció hoy nuevas medidas para las pequeñas empresas de la región "
          "según el ministro la inflación bajó más de lo previsto y el año próximo habrá "
          "elecciones en todo el país después de la reunión en méxico",
    "de": "die regierung hat heute neue maßnahmen für kleine unternehmen angekündigt "
          "der minister sagte dass die größten städte über mehr geld verfügen würden "
          "nach dem treffen in münchen äußerten sich die bürger zufrieden",
    "pt": "o governo anunciou hoje novas medidas para as pequenas empresas da região "
          "segundo o ministro a inflação caiu mais do que o previsto e as eleições "
          "serão realizadas no próximo ano em todo o país após a reunião",
    "cs": "vláda dnes oznámila nová opatření na podporu malých podniků v regionech "
          "ministr řekl že rozpočet vzrostl o pět procent oproti loňskému roku a "
          "příliš žluťoučký kůň úpěl ďábelské ódy na náměstí",
    "pl": "rząd ogłosił dziś nowe środki wsparcia dla małych firm w całym kraju "
          "minister powiedział że budżet wzrósł o pięć procent w porównaniu z zeszłym "
          "rokiem a mieszkańcy łodzi spotkali się z prezydentem miasta",
    "hu": "a kormány ma új intézkedéseket jelentett be a kisvállalkozások támogatására "
          "a miniszter szerint a költségvetés öt százalékkal nőtt a tavalyi évhez képest",
    "sk": "vláda dnes schválila nové opatrenia na podporu malých podnikov v regiónoch "
          "minister povedal že rozpočet vzrástol o päť percent oproti minulému roku a "
          "obyvatelia mesta sa stretli so starostom kvôli oprave ciest a škôl",
    "sl": "vlada je danes sprejela nove ukrepe za podporo malim podjetjem v vseh regijah "
          "minister je dejal da se je proračun povečal za pet odstotkov v primerjavi z "
          "lanskim letom prebivalci so se sestali z županom glede šol in cest",
    "hr": "vlada je danas objavila nove mjere potpore malim poduzećima u svim županijama "
          "ministar je rekao da je proračun porastao za pet posto u odnosu na prošlu "
          "godinu a građani su se sastali s gradonačelnikom zbog popravka škola",
    "ro": "guvernul a anunţat astăzi noi măsuri de sprijin pentru firmele mici din ţară "
          "ministrul a declarat că bugetul a crescut cu cinci procente faţă de anul "
          "trecut iar locuitorii oraşului s-au întâlnit cu primarul pentru şcoli",
    "vi": "chính phủ hôm nay công bố các biện pháp mới hỗ trợ doanh nghiệp nhỏ ông nguyễn "
          "văn an cho biết ngân sách tăng năm phần trăm so với năm ngoái tại hà nội",
    "zh": "政府 今天 宣布 了 支持 小型 企业 的 新 措施 财政部长 表示 预算 比 去年 增长 了 百分之五 "
          "市民 与 市长 会面 讨论 修建 道路 和 学校",
    "ja": "政府 は 今日 中小企業 を 支援 する 新しい 対策 を 発表 しました 財務大臣 は 予算 が "
          "昨年 より 五パーセント 増えた と 述べました 市民 は 市長 と 会い ました",
    "ko": "정부는 오늘 중소기업을 지원하는 새로운 대책을 발표했다 재무장관은 예산이 지난해보다 "
          "오퍼센트 늘었다고 말했다 시민들은 시장과 만나 도로와 학교 건설을 논의했다",
}
JOIN = {"zh": "", "ja": ""}
"""Languages written without spaces between words."""

# The code pages each language is commonly written in (besides UTF-8).
LEGACY: dict[str, tuple[str, ...]] = {
    "ru": ("cp1251", "koi8-r"), "uk": ("cp1251",), "bg": ("cp1251",), "sr": ("cp1251",),
    "el": ("cp1253",), "fr": ("cp1252", "mac-roman", "cp437"), "es": ("cp1252",),
    "de": ("cp1252", "mac-roman", "cp437"), "pt": ("cp1252",), "cs": ("cp1250",
    "iso-8859-2"), "pl": ("cp1250", "iso-8859-2"), "hu": ("cp1250", "iso-8859-2"),
    "sk": ("cp1250", "iso-8859-2"), "sl": ("cp1250", "iso-8859-2"),
    "hr": ("cp1250", "iso-8859-2"), "ro": ("cp1250", "iso-8859-2"),
    "vi": (), "zh": ("gbk",), "ja": ("shift_jis",), "ko": ("euc-kr",),
}
CONTEXT = ("The report was published on Monday.", "Officials did not comment further.")


def sentence(language: str, rng: random.Random, *, min_words: int = 5,
             max_words: int = 9) -> str:
    """A sentence of ``language``: words drawn from its list, first word capitalized."""
    words = WORDS[language].split()
    picked = [rng.choice(words) for _ in range(rng.randint(min_words, max_words))]
    text = JOIN.get(language, " ").join(picked)
    return text[:1].upper() + text[1:] + ("。" if language in JOIN else ".")


def misread(text: str, right: str, wrong: str) -> str | None:
    """``text`` written in ``right`` and read with ``wrong`` (None when it cannot be)."""
    try:
        data = text.encode(CODE_PAGES[right].decode)
        broken = data.decode(CODE_PAGES[wrong].encode)
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    return None if broken == text else broken


def misdecoded_corpus(count: int, seed: int) -> list[str]:
    """Generated news (``benchmarks/news_corpus.py``) after sentences of the languages
    above; about 70 % of the documents written in UTF-8 or the language's legacy code page
    and read with a wrong single-byte one."""
    from benchmarks.news_corpus import document

    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        language = rng.choice(sorted(WORDS))
        text = " ".join(sentence(language, rng) for _ in range(rng.randint(1, 4)))
        text += " " + document(rng, rng.randint(50, 600))
        right = rng.choice(("UTF-8", "UTF-8", *LEGACY[language]))
        broken = misread(text, right, rng.choice(WRONG_READINGS)) if rng.random() < 0.7 else None
        texts.append(broken or text)
    return texts


def evaluate(language: str, right: str, wrong: str, rng: random.Random,
             samples: int) -> tuple[int, int, int]:
    """(found, named right, total) for one language and code-page pair."""
    found = named = total = 0
    for _ in range(samples * 3):
        if total == samples:
            break
        original = sentence(language, rng)
        broken = misread(original, right, wrong)
        if broken is None:
            continue
        total += 1
        text = f"{CONTEXT[0]} {broken} {CONTEXT[1]}"
        start = len(CONTEXT[0]) + 1
        hits = [h for h in find_mojibake(text)
                if h.span[0] < start + len(broken) and h.span[1] > start]
        if not hits:
            continue
        found += 1
        repaired = text
        for hit in sorted(hits, key=lambda h: h.span, reverse=True):
            repaired = repaired[:hit.span[0]] + (hit.suggestion or "") + repaired[hit.span[1]:]
        named += repaired == f"{CONTEXT[0]} {original} {CONTEXT[1]}"
    return found, named, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--languages", default=",".join(WORDS),
                        help="comma-separated language codes (default: all)")
    parser.add_argument("--written-in", default="",
                        help="comma-separated code pages the text is written in "
                             "(default: UTF-8 and each language's legacy pages)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    chosen = args.languages.split(",")
    unknown = sorted(set(chosen) - set(WORDS))
    if unknown:
        parser.error(f"unknown language(s) {', '.join(unknown)}; known: {', '.join(WORDS)}")
    written_in = set(filter(None, args.written_in.split(",")))

    rows: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    languages: dict[tuple[str, str], set[str]] = defaultdict(set)
    for language in chosen:
        for right in ("UTF-8", *LEGACY[language]):
            for wrong in WRONG_READINGS:
                if wrong == right or written_in and right not in written_in:
                    continue
                found, named, total = evaluate(language, right, wrong, rng, args.samples)
                if total:
                    row = rows[(right, wrong)]
                    row[0] += found
                    row[1] += named
                    row[2] += total
                    languages[(right, wrong)].add(language)

    print("| written in | read as | languages | found | named right |")
    print("|---|---|---|---|---|")
    totals = [0, 0, 0]
    for (right, wrong), (found, named, total) in sorted(rows.items()):
        langs = ",".join(sorted(languages[(right, wrong)]))
        print(f"| {right} | {wrong} | {langs} | {found}/{total} | {named}/{total} |")
        totals = [totals[0] + found, totals[1] + named, totals[2] + total]
    print(f"| **all** | | | {totals[0]}/{totals[2]} | {totals[1]}/{totals[2]} |")

    alarms = 0
    clean = 0
    for language in chosen:
        for _ in range(args.samples):
            text = f"{CONTEXT[0]} {sentence(language, rng)} {CONTEXT[1]}"
            clean += 1
            alarms += bool(find_mojibake(text))
    print(f"\nfalse alarms on clean generated sentences: {alarms}/{clean}")


if __name__ == "__main__":
    main()
