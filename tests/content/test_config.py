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


def test_the_front_page_defaults_to_lead_a_block_per_section_and_latest(tmp_path: Path) -> None:
    config, problems = _load(tmp_path, "sections:\n  - {slug: politik, title: Politik}\n"
                                       "  - {slug: kultur, title: Kultur}\n")
    assert problems == [] and config.front_page is None
    assert [(b.kind, b.section) for b in config.front_blocks] == [
        ("lead", ""), ("section", "politik"), ("section", "kultur"), ("latest", "")]
    assert config.paths.archive == "archive"


def test_front_page_blocks_are_read_in_their_order(tmp_path: Path) -> None:
    config, problems = _load(tmp_path, "sections:\n  - {slug: politik, title: Politik}\n"
                                       "paths: {archive: archiv}\nfront_page:\n  - latest\n"
                                       "  - {section: Politik, count: 6, title: Inland}\n  - lead\n")
    assert problems == []
    assert [(b.kind, b.section, b.count, b.title, b.line) for b in config.front_blocks] == [
        ("latest", "", 0, "", 4), ("section", "politik", 6, "Inland", 6), ("lead", "", 0, "", 4)]
    assert config.paths.archive == "archiv"


def test_front_page_problems_name_their_line(tmp_path: Path) -> None:
    _, problems = _load(tmp_path, "front_page:\n  - {lead: true, count: 3}\n  - {section: [1]}\n"
                                  "  - {latest: ja}\n  - 7\n")
    assert problems == [
        "config.yaml:2: warning: the lead block shows one article\n  hint: leave 'count' out",
        "config.yaml:3: error: 'section' of a front page block must name a section's slug",
        "config.yaml:4: error: write '- latest' or 'latest: true'",
        "config.yaml:1: error: front page block 4 must be 'lead', 'latest' or a mapping like '{section: politik}'",
    ]
