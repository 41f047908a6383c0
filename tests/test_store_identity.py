"""The store's pure rules: actor identity keys, scoped ids, dates, and values safe for both backends."""

from __future__ import annotations

from datetime import date

from communique.dates import iso_date
from communique.store import identity
from communique.store.schema import actor_mentions, actors, quotes


def test_names_normalise_across_case_spacing_punctuation_and_accents():
    forms = {
        identity.normalise_name(n) for n in ["José  Ortega.", "jose ortega", "JOSÉ-ORTEGA", " José Ortega "]
    }
    assert forms == {"jose ortega"}
    assert identity.normalise_name("...") == "..."  # nothing left to normalise: keep the raw form


def test_actor_keys_prefer_the_kb_id():
    assert identity.actor_keys("Ana Reyes", " chl ", "KB:7") == ["kb:KB:7", "name:ana reyes|CHL"]
    assert identity.actor_keys("Ana Reyes", None, None) == ["name:ana reyes|"]
    assert identity.actor_keys("Ana Reyes", "", "  ") == ["name:ana reyes|"]


def test_long_keys_are_shortened_but_stay_distinct():
    a = identity.name_key("x" * 1000 + "a", None)
    b = identity.name_key("x" * 1000 + "b", None)
    assert len(a) <= identity.MAX_KEY and len(b) <= identity.MAX_KEY and a != b


def test_actor_ids_are_stable():
    key = identity.name_key("Ana Reyes", "CHL")
    assert identity.actor_id_for_key(key) == identity.actor_id_for_key(key)
    assert identity.actor_id_for_key(key) != identity.actor_id_for_key(identity.name_key("Ana Reyes", "ARG"))


def test_scoped_ids_fall_back_to_positions():
    scoped = identity.ScopedIds("abc")
    assert scoped("q1", 0) == "abc:q1"
    assert scoped("q1", 1) == "abc:#1"  # repeated
    assert scoped("q" * 100, 2) == "abc:#2"  # too long
    assert scoped("", 3) == "abc:#3"


def test_dates_parse_to_the_first_day_they_cover():
    assert iso_date("2022-04-04", periods=True) == date(2022, 4, 4)
    assert iso_date("2022-04", periods=True) == date(2022, 4, 1)
    assert iso_date("2022", periods=True) == date(2022, 1, 1)
    assert iso_date("2022-W14", periods=True) == date(2022, 4, 4)
    assert iso_date("2022-04-04T10:00:00+02:00", periods=True) == date(2022, 4, 4)
    for bad in [None, "", "yesterday", "2022-13-01", "2022-02-30", "2022-W60"]:
        assert iso_date(bad, periods=True) is None


def test_unsafe_text_keeps_its_length():
    text = "a\x00b\ud800c"
    assert identity.safe_text(text) == "a\ufffdb\ufffdc"
    assert identity.safe_text("plain") == "plain"


def test_rows_are_fitted_to_their_columns():
    row = identity.safe_row(actors, {"country": "X" * 40, "name": "n\x00", "kind": "person"})
    assert row == {"country": "X" * 16, "name": "n\ufffd", "kind": "person"}
    assert identity.safe_row(quotes, {"content_start": 2**40, "via": ["a\x00", 2**40]}) == {
        "content_start": None,
        "via": ["a\ufffd", None],
    }
    assert identity.safe_row(actor_mentions, {"start": -(2**40), "end": 2**40}) == {
        "start": -(2**31),
        "end": 2**31 - 1,
    }
