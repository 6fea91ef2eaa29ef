"""The noun lexicon: only the rows a glossary needs are read from german-nouns' data."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from builder.text import lexicon as lexicon_module
from builder.text.lexicon import Lexicon, data_file, lexicon_version

HEADER = ("lemma,pos,genus,genus 1,genus 2,genus 3,genus 4,nominativ singular,nominativ plural,"
          "genitiv singular,genitiv singular*,dativ plural\n")


def small(tmp_path: Path) -> Lexicon:
    """A lexicon file of four rows in the package's format."""
    path = tmp_path / "nouns.csv"
    path.write_text(HEADER
                    + "Rat,Substantiv,m,,,,,Rat,Räte,Rates,Rats,Räten\n"
                    + "Rate,Substantiv,f,,,,,Rate,Raten,Rate,,Raten\n"
                    + 'Deutsche,"Substantiv,adjektivische Deklination",f,,,,,Deutsche,Deutschen,Deutschen,,\n'
                    + "Nation,\"Nachname,Substantiv\",,,,,,,,,,\n", encoding="utf-8")
    return Lexicon(path)


def test_entries_hold_gender_and_forms_by_case(tmp_path: Path) -> None:
    found = small(tmp_path).entries(["Rat", "Deutsche", "Unbekannt"])
    assert set(found) == {"Rat", "Deutsche"}
    rat = found["Rat"][0]
    assert (rat.lemma, rat.gender, rat.adjectival) == ("Rat", "m", False)
    assert rat.forms() == ("Rat", "Räte", "Rates", "Rats", "Räten")
    assert rat.forms("plural") == ("Räte", "Räten")
    assert ("genitiv", "singular", "Rats") in rat.cells
    assert found["Deutsche"][0].adjectival


def test_a_row_without_forms_is_found_without_cells(tmp_path: Path) -> None:
    assert small(tmp_path).entries(["Nation"])["Nation"][0].cells == ()


def test_lemmas_with_forms_names_every_row_holding_a_form(tmp_path: Path) -> None:
    found = small(tmp_path).lemmas_with_forms(["Rate", "Raten", "Räte", "Rat", "Nichts", "genitiv singular"])
    assert found == {"Rate": {"Rate"}, "Raten": {"Rate"}, "Räte": {"Rat"}, "Rat": {"Rat"}}   # not a column name


def test_the_installed_data_is_found_without_importing_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    if data_file() is None:
        pytest.skip("german-nouns not installed")
    assert data_file().name == "nouns.csv"   # type: ignore[union-attr]
    assert lexicon_version().startswith("german-nouns ")
    assert "german_nouns.lookup" not in __import__("sys").modules


def test_without_the_package_there_is_no_lexicon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert data_file() is None
    assert lexicon_version() == "none"
    with pytest.raises(FileNotFoundError):
        Lexicon()
    assert lexicon_module.data_file is data_file


def test_the_version_is_the_installed_distributions() -> None:
    if data_file() is None:
        pytest.skip("german-nouns not installed")
    import importlib.metadata
    assert lexicon_version() == f"german-nouns {importlib.metadata.version('german-nouns')}"


def test_without_a_dist_info_folder_the_version_comes_from_the_metadata(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata
    (tmp_path / "german_nouns").mkdir()
    (tmp_path / "german_nouns" / "nouns.csv").write_text("lemma\n", encoding="utf-8")
    monkeypatch.setattr(lexicon_module, "data_file", lambda: tmp_path / "german_nouns" / "nouns.csv")
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "7.7.7")
    assert lexicon_version() == "german-nouns 7.7.7"
    (tmp_path / "german_nouns-1.2.3.dist-info").mkdir()
    assert lexicon_version() == "german-nouns 1.2.3"
