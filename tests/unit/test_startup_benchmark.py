"""benchmarks/startup.py --imports: the import log read back by family, and why each
family was loaded. (The script itself runs on the seeds in tests/unit/test_benchmarks.py.)"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from benchmarks.startup import import_families

# What ``python -X importtime`` prints: an import once it is done, after everything it
# imported, two spaces of depth per level below the import that started it.
LOG = """\
import time: self [us] | cumulative | imported package
import time:       100 |        100 |   encodings.aliases
import time:       200 |        300 | encodings
import time:        10 |         10 |       great_expectations.core.util
import time:        40 |         40 |           pandas.compat
import time:        60 |        100 |         pandas
import time:        20 |        130 |       great_expectations.util
import time:         5 |        145 |     great_expectations
import time:         7 |        152 |   corpus_qa.expectations.base
import time:        30 |        182 | corpus_qa.expectations
import time:        50 |         50 |   pandas.io
import time:         9 |         59 | corpus_qa.report
corpus-qa-startup: first document
import time:      9999 |       9999 | altair
"""


def test_families_sum_their_own_time_up_to_the_first_document() -> None:
    families, total = import_families(LOG)
    by_name = {family: (own, count) for family, own, count, _ in families}
    assert by_name == {
        "encodings": (300, 2), "great_expectations": (5, 1), "great_expectations.core": (10, 1),
        "great_expectations.util": (20, 1), "pandas": (150, 3), "corpus_qa.expectations": (37, 2),
        "corpus_qa.report": (9, 1),
    }
    assert "altair" not in by_name  # imported after the first document
    assert total == 531
    assert [f[0] for f in families][:2] == ["encodings", "pandas"]  # largest first


def test_each_family_names_the_imports_that_first_loaded_it() -> None:
    why = {family: chain for family, _, _, chain in import_families(LOG)[0]}
    # pandas came first through GX (not corpus_qa.report, which imported pandas.io later).
    # A chain of more than four is shortened to its outermost import and last three.
    assert why["pandas"] == ("corpus_qa.expectations > … > great_expectations > "
                             "great_expectations.util > pandas")
    assert why["great_expectations.core"] == (
        "corpus_qa.expectations > corpus_qa.expectations.base > great_expectations > "
        "great_expectations.core.util")
    assert why["encodings"] == "encodings"
    assert why["corpus_qa.report"] == "corpus_qa.report"


def test_a_real_import_log_is_read_alike(tmp_path: Path) -> None:
    (tmp_path / "top.py").write_text("import mid\nimport leafpkg\n", encoding="utf-8")
    (tmp_path / "mid.py").write_text("import leafpkg.sub\n", encoding="utf-8")
    (tmp_path / "leafpkg").mkdir()
    (tmp_path / "leafpkg" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "leafpkg" / "sub.py").write_text("", encoding="utf-8")
    script = textwrap.dedent("""
        import sys
        import top
        sys.stderr.write("corpus-qa-startup: first document\\n")
    """)
    log = subprocess.run([sys.executable, "-X", "importtime", "-c", script], cwd=tmp_path,
                         capture_output=True, text=True, check=True).stderr
    families = {family: (count, chain) for family, _, count, chain in import_families(log)[0]}
    # ``import leafpkg.sub`` starts with the submodule, which imports its package.
    assert families["leafpkg"] == (2, "top > mid > leafpkg.sub")
    assert families["mid"] == (1, "top > mid")
