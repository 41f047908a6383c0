"""dates.iso_date: the one reader of ISO-ish date text, at each strictness its callers need."""

from datetime import date, datetime

import pytest

from communique.dates import iso_date


@pytest.mark.parametrize("value", ["2022-04-05", " 2022-04-05 ", "2022-04-05T10:45:00+02:00", "2022-04-05 10:45",
                                   "2022-04-05T10:45Z", datetime(2022, 4, 5, 23, 59), date(2022, 4, 5)])
def test_metadata_forms_name_their_day(value):
    assert iso_date(value) == date(2022, 4, 5)


@pytest.mark.parametrize("value", [None, "", "  ", "yesterday", "2022-13-01", "2022-02-30", 20220405, "2022-04"])
def test_what_names_no_day_is_none(value):
    assert iso_date(value) is None


def test_typed_input_must_be_a_date_and_nothing_more():
    assert iso_date("2022-04-05", whole=True) == date(2022, 4, 5)
    assert iso_date("2022-04-05x", whole=True) is None
    assert iso_date("2022-04-05T10:45", whole=True) is None
    assert iso_date("2022-04-05x") == date(2022, 4, 5)  # metadata keeps a valid date part


def test_periods_are_their_first_day():
    assert iso_date("2022-04", periods=True) == date(2022, 4, 1)
    assert iso_date("2022", periods=True) == date(2022, 1, 1)
    assert iso_date("2022-W14", periods=True) == date(2022, 4, 4)
    assert iso_date("2022-W60", periods=True) is None
    assert iso_date("2022-13", periods=True) is None
