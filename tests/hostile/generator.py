"""An adversarial corpus: every hostile input of issue 12, each written by one function.

Each :class:`Case` writes its files into its own folder of a corpus (``corpus/<case>/``),
optionally files beside the corpus (a suite, waivers, a file a link points to), and says
what ``corpus-qa validate`` must do with it: the exit code, the ``input`` finding reasons
on which paths (as the run shows them, relative to the folder the run starts in), or the
message of a usage error. The test module ``tests/e2e/test_hostile.py`` runs every case;
``python -m tests.hostile.generator DIR`` writes them all for a try by hand::

    python -m tests.hostile.generator /tmp/hostile
    cd /tmp/hostile && corpus-qa validate corpus --suite builtin:news.yml

Some cases build inputs another part of corpus-qa must keep bounded (``owner``
``"bounded"``: YAML alias bombs, user regexes, huge front matter, a huge line); they
are written here so they keep being run.
"""

from __future__ import annotations

import os
import socket
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from corpus_qa.outputs import REPORT_MARKER

SECRET = "HOSTILE-SECRET-7f3a outside the corpus"
"""Text of the file a link points to outside the corpus: it must never be shown."""

SUITE_WITH_BAD_REGEX = """\
name: hostile-regex
expectations:
  - type: expect_document_to_have_no_boilerplate
    patterns: [bad_patterns.yml]
"""
BAD_PATTERNS = """\
description: A user pattern with nested quantifiers.
patterns:
  - id: runaway
    regex: '(a+)+$'
    reason: page_furniture
    where: anywhere
    example: aaaa
"""
WAIVER_BAD_DATE = """\
- document: corpus/plain/a
  expectation: input
  why: accepted for the test
  expires: 2024-13-45
"""


@dataclass
class Case:
    """One hostile input and what a run must do with it.

    ``write(folder, outside)`` writes the case's entries into ``folder`` (inside the
    corpus) and anything else into ``outside``; it returns the names of the entries it
    made in ``folder`` as the run shows them (escaped: ``bad\\\\xffname.txt``).
    ``findings`` maps those names to the ``input`` reason each must get; ``args`` are
    extra command-line arguments (``{out}`` is the folder outside the corpus);
    ``exit_code`` and ``message`` (in stderr) describe a usage error.
    """

    name: str
    item: int
    """The item of issue 12 this case reproduces."""
    write: Callable[[Path, Path], list[str]]
    findings: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    exit_code: int = 1
    message: str | None = None
    owner: str = "paths"
    """``paths`` (paths and outputs) or ``bounded`` (bounded work per document)."""
    alone: bool = False
    """Run on its own (its exit code or arguments are its own), not in a mixed corpus."""
    mixable: bool = True
    """Safe in a random mix of cases (finishes fast today)."""


def _text(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


STORY = ("date: 2024-03-01\nsource: Example Wire\nattribution: Staff\n\n"
         "The council approved the budget on Tuesday after a long debate.\n")


def duplicate_ids(folder: Path, outside: Path) -> list[str]:
    _text(folder, "records.jsonl", '{"id": "r1", "text": "The first record."}\n'
          '{"id": "r1", "text": "The second record, same id."}\n')
    return ["records.jsonl"]


def yaml_alias_bomb(folder: Path, outside: Path) -> list[str]:
    lines = ["---", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    lines += ["---", "A short body."]
    _text(folder, "bomb.txt", "\n".join(lines) + "\n")
    return ["bomb.txt"]


def catastrophic_regex(folder: Path, outside: Path) -> list[str]:
    _text(outside, "suite.yml", SUITE_WITH_BAD_REGEX)
    _text(outside, "bad_patterns.yml", BAD_PATTERNS)
    _text(folder, "aaa.txt", STORY + "a" * 34 + "X\n")
    return ["aaa.txt"]


def non_utf8_name(folder: Path, outside: Path) -> list[str]:
    (folder / os.fsdecode(b"bad\xffname.txt")).write_bytes(STORY.encode())
    return ["bad\\xffname.txt"]


def output_over_corpus_file(folder: Path, outside: Path) -> list[str]:
    _text(folder, "b.txt", STORY)
    return ["b.txt"]


def report_inside_corpus(folder: Path, outside: Path) -> list[str]:
    _text(folder, "summary.md", "## ❌ corpus-qa: fail\n\nA summary an earlier run wrote.\n\n"
          f"{REPORT_MARKER}\n")
    return ["summary.md"]


def symlink_loop(folder: Path, outside: Path) -> list[str]:
    os.symlink("loop_b.txt", folder / "loop_a.txt")
    os.symlink("loop_a.txt", folder / "loop_b.txt")
    return ["loop_a.txt", "loop_b.txt"]


def dangling_link(folder: Path, outside: Path) -> list[str]:
    os.symlink("nowhere.txt", folder / "dangling.txt")
    return ["dangling.txt"]


def fifo(folder: Path, outside: Path) -> list[str]:
    os.mkfifo(folder / "x.txt")
    return ["x.txt"]


def unix_socket(folder: Path, outside: Path) -> list[str]:
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(os.fspath(folder / "s.txt"))
    finally:
        server.close()  # the socket file stays
    return ["s.txt"]


def outside_link(folder: Path, outside: Path) -> list[str]:
    _text(outside, "secret.txt", SECRET + "\n")
    os.symlink(os.path.abspath(outside / "secret.txt"), folder / "passwd.txt")
    return ["passwd.txt"]


def outside_directory_link(folder: Path, outside: Path) -> list[str]:
    (outside / "elsewhere").mkdir(exist_ok=True)
    _text(outside / "elsewhere", "doc.txt", SECRET + "\n")
    os.symlink(os.path.abspath(outside / "elsewhere"), folder / "linked")
    return ["linked"]


def deep_nesting(folder: Path, outside: Path) -> list[str]:
    _text(folder, "deep.jsonl", "[" * 100_000 + "\n")
    return ["deep.jsonl"]


def huge_line(folder: Path, outside: Path, megabytes: float = 2.0) -> list[str]:
    words = ("The figure rose to 10,000 in the city on Monday. " * 20)
    size = int(megabytes * 1024 * 1024)
    text = (words * (size // len(words) + 1))[:size]
    _text(folder, "huge.jsonl", '{"id": "huge", "text": "' + text + '"}\n')
    return ["huge.jsonl"]


def many_front_matter_keys(folder: Path, outside: Path, keys: int = 400_000) -> list[str]:
    body = "".join(f"k{i}: v\n" for i in range(keys))
    _text(folder, "keys.txt", f"---\n{body}---\nA short body.\n")
    return ["keys.txt"]


def json_to_directory(folder: Path, outside: Path) -> list[str]:
    (outside / "outdir").mkdir(exist_ok=True)
    _text(folder, "a.txt", STORY)
    return ["a.txt"]


def json_unwritable(folder: Path, outside: Path) -> list[str]:
    _text(outside, "plainfile", "not a directory\n")
    _text(folder, "a.txt", STORY)
    return ["a.txt"]


def waiver_bad_date(folder: Path, outside: Path) -> list[str]:
    _text(outside, "waivers.yml", WAIVER_BAD_DATE)
    _text(folder, "a.txt", STORY)
    return ["a.txt"]


def newline_name(folder: Path, outside: Path) -> list[str]:
    _text(folder, "two\nlines.txt", STORY)
    return ["two\\nlines.txt"]


def attribution_null(folder: Path, outside: Path) -> list[str]:
    _text(folder, "null.txt", "---\ndate: 2024-03-01\nsource: Example Wire\nattribution: null\n"
          "---\nThe council approved the budget on Tuesday.\n")
    return ["null.txt"]


def duplicate_date_key(folder: Path, outside: Path) -> list[str]:
    _text(folder, "twodates.txt", "---\ndate: 2024-03-01\nsource: Example Wire\n"
          "attribution: Staff\ndate: 2019-01-01\n---\nThe council approved the budget.\n")
    return ["twodates.txt"]


def only_unsupported(folder: Path, outside: Path) -> list[str]:
    (folder / "a.docx").write_bytes(b"PK\x03\x04 not a corpus file")
    (folder / "b.pdf").write_bytes(b"%PDF-1.7")
    return ["a.docx", "b.pdf"]


def utf16_bom(folder: Path, outside: Path) -> list[str]:
    (folder / "utf16.txt").write_bytes(STORY.encode("utf-16"))
    return ["utf16.txt"]


def utf16_no_bom(folder: Path, outside: Path) -> list[str]:
    (folder / "utf16le.txt").write_bytes(STORY.encode("utf-16-le"))
    return ["utf16le.txt"]


def plain(folder: Path, outside: Path) -> list[str]:
    _text(folder, "a.txt", STORY)
    return ["a.txt"]


CASES: tuple[Case, ...] = (
    Case("duplicate_ids", 1, duplicate_ids, {"records.jsonl": "duplicate_id"}),
    Case("yaml_alias_bomb", 2, yaml_alias_bomb, {"bomb.txt": "*"}, owner="bounded",
         mixable=False),
    Case("catastrophic_regex", 3, catastrophic_regex, args=("--suite", "{out}/suite.yml"),
         exit_code=-1, owner="bounded", alone=True, mixable=False),
    Case("non_utf8_name", 4, non_utf8_name, {"bad\\xffname.txt": "unsafe_file_name"}),
    Case("output_over_corpus_file", 5, output_over_corpus_file,
         args=("--summary-md", "{case}/b.txt"), exit_code=2, message="inside the corpus",
         alone=True),
    Case("report_inside_corpus", 5, report_inside_corpus),
    Case("json_inside_corpus", 5, plain, args=("--json", "{case}/results.json"), exit_code=2,
         message="inside the corpus", alone=True),
    Case("symlink_loop", 6, symlink_loop,
         {"loop_a.txt": "symlink_loop", "loop_b.txt": "symlink_loop"}),
    Case("dangling_link", 6, dangling_link, {"dangling.txt": "dangling_link"}),
    Case("fifo", 6, fifo, {"x.txt": "special_file"}),
    Case("socket", 6, unix_socket, {"s.txt": "special_file"}),
    Case("outside_link", 6, outside_link, {"passwd.txt": "outside_corpus"}),
    Case("outside_directory_link", 6, outside_directory_link, {"linked": "outside_corpus"}),
    Case("deep_nesting", 7, deep_nesting, {"deep.jsonl": "invalid_json"}),
    Case("huge_line", 8, huge_line, mixable=False),
    Case("many_front_matter_keys", 8, many_front_matter_keys, {"keys.txt": "*"},
         owner="bounded", mixable=False),
    Case("json_to_directory", 9, json_to_directory, args=("--json", "{out}/outdir"),
         exit_code=2, message="is a directory", alone=True),
    Case("json_unwritable", 9, json_unwritable, args=("--json", "{out}/plainfile/r.json"),
         exit_code=2, message="not a directory", alone=True),
    Case("same_output_twice", 9, plain,
         args=("--json", "{out}/r.xml", "--junit", "{out}/r.xml"), exit_code=2,
         message="both write", alone=True),
    Case("waiver_bad_date", 9, waiver_bad_date, args=("--waivers", "{out}/waivers.yml"),
         exit_code=2, message="waivers.yml:4: invalid date '2024-13-45'", alone=True),
    Case("newline_name", 10, newline_name, {"two\\nlines.txt": "unsafe_file_name"}),
    Case("attribution_null", 10, attribution_null, owner="bounded", mixable=False),
    Case("duplicate_date_key", 10, duplicate_date_key, owner="bounded", mixable=False),
    Case("only_unsupported", 10, only_unsupported, alone=True,
         message="no document could be read"),
    Case("utf16_bom", 10, utf16_bom, {"utf16.txt": "utf16_file"}),
    Case("utf16_no_bom", 10, utf16_no_bom, {"utf16le.txt": "utf16_file"}),
)
"""Every case, in the order of the issue's list (Ctrl-C, item 10, is a test of its own)."""

BY_NAME = {case.name: case for case in CASES}


def snapshot(root: Path) -> dict[str, tuple[str, bytes | str]]:
    """Every entry below ``root`` by kind and content, without following links or opening
    special files: what a run must leave unchanged."""
    found: dict[str, tuple[str, bytes | str]] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in sorted(dirs + files):
            path = Path(folder) / name
            st = os.lstat(path)
            key = os.fsencode(path.relative_to(root)).hex()
            if stat.S_ISLNK(st.st_mode):
                found[key] = ("link", os.readlink(path))
            elif stat.S_ISREG(st.st_mode):
                found[key] = ("file", path.read_bytes())
            elif stat.S_ISDIR(st.st_mode):
                found[key] = ("dir", "")
            else:
                found[key] = ("special", oct(stat.S_IFMT(st.st_mode)))
    return found


def write_case(case: Case, corpus: Path, outside: Path) -> list[str]:
    """Write ``case`` into ``corpus/<case.name>/``; return its entries as shown by a run
    started in ``corpus``'s parent (``corpus/<case>/<name>``)."""
    folder = corpus / case.name
    folder.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    return [f"{corpus.name}/{case.name}/{name}" for name in case.write(folder, outside)]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.hostile.generator DIR", file=sys.stderr)
        return 2
    target = Path(argv[0])
    for case in CASES:
        write_case(case, target / "corpus", target / "outside")
    print(f"wrote {len(CASES)} cases to {target}/corpus (files they need: {target}/outside)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
