"""config.yaml: typed settings, errors and warnings that name the line."""

from __future__ import annotations

from pathlib import Path

from builder.content.config import load_config


def _load(tmp_path: Path, text: str):
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    config, problems = load_config(tmp_path)
    return config, [str(p) for p in problems]


def test_defaults_without_a_config_file(tmp_path: Path) -> None:
    config, problems = load_config(tmp_path)
    assert problems == []
    assert config.timezone == "Europe/Berlin" and config.glossary.mode == "first"
    assert config.related.count == 5


def test_values_and_sub_path(tmp_path: Path) -> None:
    config, problems = _load(tmp_path, 'base_url: "https://example.org/zeitung"\nrelated:\n  count: 3\n'
                                       "  min_score: 1\nglossary:\n  inflect: true\n")
    assert problems == []
    assert config.base_url == "https://example.org/zeitung/" and config.base_path == "/zeitung/"
    assert config.related.count == 3 and config.related.min_score == 1.0
    assert config.glossary.inflect is True


def test_errors_and_warnings_name_the_line(tmp_path: Path) -> None:
    _, problems = _load(tmp_path, "titel: x\nrelated:\n  count: fünf\n  cont: 3\npaginate: 0\n"
                                  "timezone: Mars/Olymp\nglossary:\n  mode: manchmal\nmarkdown: [1]\n")
    assert problems == [
        "config.yaml:1: warning: unknown setting 'titel'\n  hint: did you mean 'title'?",
        "config.yaml:3: error: 'related.count' must be an integer, got 'fünf'",
        "config.yaml:4: warning: unknown setting 'related.cont'\n  hint: did you mean 'related.count'?",
        "config.yaml:9: error: 'markdown' must be a mapping",
        "config.yaml:6: error: 'timezone' must be an IANA time zone like 'Europe/Berlin', got 'Mars/Olymp'",
        "config.yaml:8: error: 'glossary.mode' must be 'first' or 'all', got 'manchmal'",
        "config.yaml:5: error: 'paginate' must be a positive integer",
    ]


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    _, problems = _load(tmp_path, "title: x\nbase_url: [\n")
    assert problems == ["config.yaml:3:1: error: invalid YAML: did not find expected node content"]


def test_yaml_11_words_stay_text(tmp_path: Path) -> None:
    config, problems = _load(tmp_path, "title: NO\nauthor: on\n")
    assert problems == [] and config.title == "NO" and config.author == "on"
