"""``[tool.corpus_qa]``: known keys parsed, every mistake named at ``pyproject.toml:LINE``."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_qa.config import CONFIG_KEYS, ConfigError, load_project_config


def _project(tmp_path: Path, table: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "corpus"\n\n[tool.corpus_qa]\n' + table + "\n[tool.other]\nx = 1\n",
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_key_is_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path, 'paths = ["corpus"]\nsuite = "suites/news.yml"\npytest = true\n'
             'baseline = "ci/baseline.json"\nwaivers = "ci/waivers.yml"\nengine = "spark"\n'
             'spark_master = "spark://h:7077"\nspark_conf = { "spark.executor.memory" = "4g" }\n'
             'shard_results_above = 250000\n', monkeypatch)
    (tmp_path / "sub").mkdir()
    config = load_project_config(tmp_path / "sub")
    assert set(CONFIG_KEYS) == set(config.raw)
    assert config.paths == ("corpus",) and config.suite == "suites/news.yml"
    assert (config.baseline, config.waivers) == ("ci/baseline.json", "ci/waivers.yml")
    assert config.raw["pytest"] is True
    assert config.shard_results_above == 250000


def test_paths_are_relative_to_the_pyproject(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path, 'paths = "corpus"\nwaivers = "waivers.yml"\nsuite = "builtin:news.yml"\n',
             monkeypatch)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    config = load_project_config()
    assert config.paths == (str(tmp_path / "corpus"),)
    assert config.waivers == str(tmp_path / "waivers.yml")
    assert config.suite == "builtin:news.yml"  # a packaged suite is kept as written
    assert config.baseline is None


@pytest.mark.parametrize(("table", "message"), [
    ('paths = ["c"]\nsuit = "s.yml"\n',
     "pyproject.toml:6: [tool.corpus_qa] suit: unknown key; did you mean 'suite'?"),
    ('waiver = "w.yml"\n', "pyproject.toml:5: [tool.corpus_qa] waiver: unknown key; "
     "did you mean 'waivers'?"),
    ('colour = "red"\n', "pyproject.toml:5: [tool.corpus_qa] colour: unknown key; expected one "
     "of: paths, suite, pytest, baseline, waivers"),
    ('paths = [1, 2]\n', "pyproject.toml:5: [tool.corpus_qa] paths: must be a list of paths"),
    ('suite = 3\n', "pyproject.toml:5: [tool.corpus_qa] suite: must be a path (a string), got 3"),
    ('suite = "builtin:nws.yml"\n', "pyproject.toml:5: [tool.corpus_qa] suite: no packaged file "
     "'builtin:nws.yml'; did you mean 'builtin:news.yml'?"),
    ('paths = [\n', "pyproject.toml:7: invalid TOML"),
], ids=["suit", "waiver", "no-close-key", "paths-type", "suite-type", "builtin-typo", "toml"])
def test_mistakes_name_pyproject_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      table: str, message: str) -> None:
    _project(tmp_path, table, monkeypatch)
    with pytest.raises(ConfigError) as info:
        load_project_config()
    assert str(info.value).startswith(message), str(info.value)


def test_no_pyproject_means_no_defaults(tmp_path: Path) -> None:
    config = load_project_config(tmp_path)
    assert (config.paths, config.suite, config.baseline, config.waivers) == ((), None, None, None)


def test_baseline_and_waivers_from_pyproject_reach_the_gate(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from corpus_qa.cli import main

    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("Caf\u00c3\u00a9 owners met on Monday.\n",
                                               encoding="utf-8")
    (tmp_path / "suite.yml").write_text(
        "name: s\nexpectations:\n  - type: expect_document_to_have_no_mojibake\n",
        encoding="utf-8")
    _project(tmp_path, 'paths = ["corpus"]\nsuite = "suite.yml"\n', monkeypatch)
    assert main(["validate", "-q"]) == 1  # the mojibake counts
    (tmp_path / "waivers.yml").write_text(
        "waivers:\n  - document: a\n    expectation: expect_document_to_have_no_mojibake\n"
        "    why: the shop's name is written this way on purpose\n", encoding="utf-8")
    _project(tmp_path, 'paths = ["corpus"]\nsuite = "suite.yml"\nwaivers = "waivers.yml"\n',
             monkeypatch)
    capsys.readouterr()
    assert main(["validate", "-q"]) == 0
    assert "(1 waived not counted)" in capsys.readouterr().out
