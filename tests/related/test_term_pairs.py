"""Terms used together: the Python count of a small site and numpy's of a large one agree."""

from __future__ import annotations

import random

import pytest

from builder.related import term_pairs
from builder.related.term_pairs import related_terms


@pytest.fixture(params=["python", "numpy"])
def counter(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(term_pairs, "PAIRS_FOR_NUMPY", 10**12 if request.param == "python" else 0)
    return str(request.param)


def test_the_terms_found_most_often_with_a_term_come_first_then_in_code_point_order(counter: str) -> None:
    uses = [["nato", "osze", "kreml"], ["osze", "nato"], ["nato"], ["kreml", "osze"], ["ölpreis", "zoll"],
            ["zoll", "opec", "ölpreis"], ["opec", "zoll"]]
    assert related_terms(uses) == {
        "nato": ("osze", "kreml"), "osze": ("kreml", "nato"), "kreml": ("osze", "nato"),
        "zoll": ("opec", "ölpreis"),          # tied at 2: "o" before "ö"
        "ölpreis": ("zoll", "opec"), "opec": ("zoll", "ölpreis"),
    }


def test_at_most_five_and_a_term_used_alone_has_none(counter: str) -> None:
    uses = [["a", "b", "c", "d", "e", "f", "g"], ["g", "f"], ["einsam"], ["einsam"]]
    found = related_terms(uses)
    assert found["a"] == ("b", "c", "d", "e", "f") and found["g"] == ("f", "a", "b", "c", "d")
    assert "einsam" not in found


def test_numpy_counts_a_large_site_as_python_does(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(11)
    terms = [f"begriff-{i}" for i in range(60)] + ["ärger", "zank", "Z"]   # few terms: many ties
    uses = [rng.sample(terms, rng.randrange(0, 12)) for _ in range(3000)]
    monkeypatch.setattr(term_pairs, "PAIRS_FOR_NUMPY", 10**12)
    expected = related_terms(uses)
    monkeypatch.setattr(term_pairs, "PAIRS_FOR_NUMPY", 0)
    monkeypatch.setattr(term_pairs, "BLOCK_PAIRS", 500)   # several blocks per number of terms
    assert related_terms(uses) == expected
    monkeypatch.setattr(term_pairs, "MATRIX_CELLS", 400)  # the counts of 6 terms at a time
    assert related_terms(uses) == expected
    assert len(expected) == len(terms) and all(len(found) == 5 for found in expected.values())
