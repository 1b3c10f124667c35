"""What ``corpus-qa`` imports before and while it validates (start-up, issue 13 item 5).

Each case runs in a fresh interpreter and reports ``sys.modules`` at the end: which of
GX's heavy dependencies were really loaded (a module deferred by
:func:`corpus_qa.gxcontext.defer_unused_imports` sits in ``sys.modules`` as a lazy
module until first used). No time is asserted: only what was imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import NEWS, ROOT, SEEDS

WATCHED = ("great_expectations", "pandas", "scipy", "scipy.stats", "altair", "pyspark")

_REPORT = f"""
import gc, json, sys, types
loaded = {{name: ("real" if type(sys.modules[name]) is types.ModuleType else "lazy")
          for name in {WATCHED!r} if name in sys.modules}}
loaded["gc"] = {{"enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}}
print("MODULES " + json.dumps(loaded))
"""


def _modules(body: str, cwd: Path = ROOT) -> tuple[int, dict[str, str], str]:
    """Run ``body`` (which sets ``code``) in a fresh interpreter; its exit code, the
    watched modules at the end (name -> real/lazy) and its standard error."""
    script = textwrap.dedent(body) + _REPORT + "sys.exit(code)\n"
    # A bare environment, but the tests' cache directory (tests/conftest.py), not the
    # user's ~/.cache: a validate run remembers the regexes it vetted.
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PYTHONUTF8": "1",
           "CORPUS_QA_CACHE_DIR": os.environ["CORPUS_QA_CACHE_DIR"]}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=600)
    line = [x for x in proc.stdout.splitlines() if x.startswith("MODULES ")]
    assert line, proc.stdout + proc.stderr
    return proc.returncode, json.loads(line[-1][len("MODULES "):]), proc.stderr


def _command(*args: str, cwd: Path = ROOT) -> tuple[int, dict[str, str], str]:
    """``corpus-qa ARGS`` as the command runs it (``main()`` reading ``sys.argv``)."""
    return _modules(f"""
        import contextlib, io, sys
        sys.argv = ["corpus-qa", *{list(args)!r}]
        from corpus_qa.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                code = main()
            except SystemExit as exc:  # argparse: --help, a bad flag
                code = exc.code
        """, cwd)


def test_validate_loads_gx_but_not_its_unused_dependencies(tmp_path: Path) -> None:
    code, modules, err = _command("validate", str(SEEDS), "--suite", str(NEWS), "-q",
                                  "--json", str(tmp_path / "results.json"))
    assert code == 1, err  # the seeds have findings that fail the run
    assert json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["findings"]
    assert modules["great_expectations"] == "real"
    assert modules["pandas"] == "real"
    assert modules.get("scipy.stats") == "lazy"
    assert modules.get("altair") == "lazy"
    assert "pyspark" not in modules  # the local engine: GX was imported without Spark
    # The objects GX's import left are out of the collector's reach; it still runs.
    assert modules["gc"]["enabled"] and modules["gc"]["frozen"] > 100_000, modules["gc"]


def test_help_and_usage_errors_import_no_gx(tmp_path: Path) -> None:
    cases = [
        ("--help",),
        ("validate", "--help"),
        ("validate", str(tmp_path / "no-such-corpus"), "--suite", str(NEWS)),
        ("validate", str(SEEDS), "--suite", str(tmp_path / "no-such-suite.yml")),
        ("validate", str(SEEDS), "--suite", str(NEWS), "--workers", "0"),
        ("validate", str(SEEDS), "--suite", str(NEWS), "--chunk-size", "-1"),
        ("validate", str(SEEDS), "--suite", str(NEWS), "--max-findings", "-1"),
        ("validate", str(SEEDS), "--no-such-flag"),
    ]
    for args in cases:
        code, modules, err = _command(*args)
        assert code in (0, 2), (args, code, err)
        assert "great_expectations" not in modules, args
        assert "pandas" not in modules, args
    # A project config error (pyproject.toml) is reported before anything is loaded.
    (tmp_path / "pyproject.toml").write_text('[tool.corpus_qa]\nengine = "nope"\n',
                                             encoding="utf-8")
    code, modules, err = _command("validate", str(SEEDS), cwd=tmp_path)
    assert code == 2 and "engine" in err, err
    assert "great_expectations" not in modules


def test_the_spark_engine_imports_gx_with_its_spark_support(tmp_path: Path) -> None:
    """``--engine spark`` is not given GX without pyspark (its metric providers need it).
    A missing waiver file is a usage error found after the suite (and GX) is loaded, so
    no Spark session is started here."""
    missing = str(tmp_path / "no-waivers.yml")
    code, modules, err = _command("validate", str(SEEDS), "--suite", str(NEWS),
                                  "--engine", "spark", "--waivers", missing)
    assert code == 2 and "no-waivers.yml" in err, err
    assert modules["great_expectations"] == "real"
    assert modules["pyspark"] == "real"
    code, modules, err = _command("validate", str(SEEDS), "--suite", str(NEWS),
                                  "--waivers", missing)
    assert code == 2 and "no-waivers.yml" in err, err
    assert modules["great_expectations"] == "real"
    assert "pyspark" not in modules


def test_a_program_calling_main_keeps_gx_spark_support() -> None:
    """``main([...])`` called from a Python program does not hide pyspark from GX: the
    program may validate Spark DataFrames with GX afterwards."""
    code, modules, err = _modules(f"""
        import contextlib, io
        from corpus_qa.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            main(["validate", {str(SEEDS)!r}, "--suite", {str(NEWS)!r}, "-q"])
        from great_expectations.compatibility import pyspark
        assert pyspark.SparkSession.__name__ == "SparkSession", pyspark.SparkSession
        code = 0
        """)
    assert code == 0, err
    assert modules["pyspark"] == "real"
    assert modules["gc"] == {"enabled": True, "frozen": 0}  # a program's objects are its own


def test_deferred_modules_become_real_when_gx_or_a_user_uses_them() -> None:
    """A user's own GX in the same process: GX's KL-divergence expectation (which calls
    ``scipy.stats.entropy``) validates, and ``altair``/``scipy.stats`` are the real
    modules once used."""
    code, modules, err = _modules("""
        import sys, types
        import corpus_qa
        import great_expectations as gx
        import pandas as pd

        assert type(sys.modules["scipy.stats"]) is not types.ModuleType
        assert type(sys.modules["altair"]) is not types.ModuleType
        context = gx.get_context(mode="ephemeral")
        batch = (context.data_sources.add_pandas("p").add_dataframe_asset("a")
                 .add_batch_definition_whole_dataframe("all")
                 .get_batch(batch_parameters={"dataframe": pd.DataFrame({"x": list("aab")})}))
        expectation = gx.expectations.ExpectColumnKLDivergenceToBeLessThan(
            column="x", partition_object={"values": ["a", "b"], "weights": [0.6, 0.4]},
            threshold=0.1)
        result = batch.validate(expectation)
        assert result.success, result
        assert result.result["observed_value"] > 0, result.result
        assert type(sys.modules["scipy.stats"]) is types.ModuleType
        import altair as alt
        assert alt.Chart.__name__ == "Chart"
        from scipy import stats
        assert stats is sys.modules["scipy.stats"] and stats.entropy([1, 1], [1, 1]) == 0
        code = 0
        """)
    assert code == 0, err
    assert modules["scipy.stats"] == "real"
    assert modules["altair"] == "real"
    assert modules["scipy"] == "real"
    assert modules["gc"] == {"enabled": True, "frozen": 0}  # collecting again after GX's import


def test_gx_imported_before_corpus_qa_is_left_alone() -> None:
    code, modules, err = _modules("""
        import great_expectations
        import corpus_qa.expectations
        code = 0
        """)
    assert code == 0, err
    assert modules["scipy.stats"] == "real"  # GX's own import ran as GX wrote it


def test_the_expectations_that_import_gx_are_built_inside_its_import() -> None:
    """Loading a suite imports ``corpus_qa.expectations``, which imports GX: GX's import
    set-up lasts until corpus-qa's own expectation classes are built too (pydantic's
    faster field copy, no collection), and in the command they are frozen with GX's
    objects; afterwards the collector and pydantic's own copy are back."""
    code, modules, err = _modules("""
        import gc
        from corpus_qa import gxcontext
        gxcontext.as_command(spark=False)
        import corpus_qa.expectations as expectations
        from pydantic.v1 import main, utils
        ours = list(expectations.registered().values())
        assert len(ours) == 15, ours
        collected = {id(o) for o in gc.get_objects()}  # the permanent generation is not listed
        assert not [c for c in ours if id(c) in collected], "built after GX's import was done"
        assert main.smart_deepcopy is utils.smart_deepcopy
        code = 0
        """)
    assert code == 0, err
    assert modules["gc"]["enabled"] and modules["gc"]["frozen"] > 100_000


_FIELDS = """
import json, re, sys
copies = []
if sys.argv[1] == "corpus_qa first":
    import corpus_qa.gxcontext as gxcontext

    exact = gxcontext.exact_field_copy

    def counted(slotted):
        fast = exact(slotted)
        return lambda x: copies.append(1) or fast(x)

    gxcontext.exact_field_copy = counted
import great_expectations
import corpus_qa.expectations
from pydantic.v1 import BaseModel, main, utils

def shown(value):
    return re.sub(r" at 0x[0-9a-f]+", "", repr(value))

def field(f):
    return [f.name, shown(f), shown(f.field_info), shown(f.outer_type_), shown(f.type_),
            f.shape, shown(f.required), shown(f.default),
            sorted(v.func.__qualname__ for v in (f.class_validators or {}).values()),
            [v.__qualname__ for v in f.validators or []], [field(s) for s in f.sub_fields or []]]

models, stack = {}, list(BaseModel.__subclasses__())
while stack:
    cls = stack.pop()
    stack.extend(cls.__subclasses__())
    models[f"{cls.__module__}.{cls.__qualname__}"] = [field(f) for f in cls.__fields__.values()]
print(json.dumps({"copies": len(copies), "restored": main.smart_deepcopy is utils.smart_deepcopy,
                  "models": models}, sort_keys=True))
"""


def test_gx_models_are_built_alike_with_the_faster_field_copy() -> None:
    """While GX is imported after ``corpus_qa``, pydantic copies its models' base fields
    with :func:`corpus_qa.gxcontext.exact_field_copy`; every GX (and corpus-qa) model
    class ends up with the same fields as when GX is imported first, and pydantic's own
    copy is back afterwards."""
    runs = {}
    for order in ("corpus_qa first", "GX first"):
        proc = subprocess.run([sys.executable, "-c", _FIELDS, order], capture_output=True,
                              text=True, cwd=ROOT, timeout=600,
                              env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
        assert proc.returncode == 0, proc.stderr
        runs[order] = json.loads(proc.stdout)
    fast, plain = runs["corpus_qa first"], runs["GX first"]
    assert fast["copies"] > 200 and plain["copies"] == 0, (fast["copies"], plain["copies"])
    assert fast["restored"] and plain["restored"]
    assert len(fast["models"]) > 300
    assert fast["models"] == plain["models"]
