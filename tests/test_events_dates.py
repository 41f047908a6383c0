"""communique.dates: date expressions resolved against the publication date, with honest precision."""

from datetime import date

import pytest

from communique.dates import find_date_expressions, resolve_date

TUESDAY = date(2022, 4, 5)  # a Tuesday


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("Monday", ("2022-04-04", "day")),
        ("on Monday", ("2022-04-04", "day")),
        ("on Friday", ("2022-04-01", "day")),
        ("Tuesday", ("2022-04-05", "day")),  # the publication day itself
        ("last Tuesday", ("2022-03-29", "day")),
        ("Monday evening", ("2022-04-04", "day")),
        ("yesterday", ("2022-04-04", "day")),
        ("today", ("2022-04-05", "day")),
        ("April 4", ("2022-04-04", "day")),
        ("on March 1", ("2022-03-01", "day")),
        ("since March 1", ("2022-03-01", "day")),
        ("1 March", ("2022-03-01", "day")),
        ("Dec. 24", ("2021-12-24", "day")),  # a month-day well after publication is last year's
        ("March 3, 2019", ("2019-03-03", "day")),
        ("2021-11-30", ("2021-11-30", "day")),
        ("last week", ("2022-03-28", "week")),
        ("this week", ("2022-04-04", "week")),
        ("two weeks ago", ("2022-03-21", "week")),
        ("last month", ("2022-03-01", "month")),
        ("in March", ("2022-03-01", "month")),
        ("in 2014", ("2014-01-01", "year")),
        ("last year", ("2021-01-01", "year")),
    ],
)
def test_expressions_resolve_against_publication(expression, expected):
    assert resolve_date(expression, TUESDAY) == expected


def test_no_expression_falls_back_to_publication_and_says_so():
    assert resolve_date("", TUESDAY) == ("2022-04-05", "publication")
    assert resolve_date(None, TUESDAY) == ("2022-04-05", "publication")


def test_relative_dates_need_a_publication_date():
    assert resolve_date("Monday", None) == (None, "unknown")
    assert resolve_date("last month", None) == (None, "unknown")
    assert resolve_date("", None) == (None, "unknown")
    # an absolute year needs none
    assert resolve_date("in 2014", None) == ("2014-01-01", "year")


@pytest.mark.parametrize("junk", ["recently", "for weeks", "the 32nd of Smarch", "February 30", "in 99999", "\x00"])
def test_unknown_expressions_are_not_guessed(junk):
    assert resolve_date(junk, TUESDAY) == (None, "unknown")


def test_weekday_on_publication_day_of_the_week_is_that_day():
    monday = date(2024, 3, 4)
    assert resolve_date("Monday", monday) == ("2024-03-04", "day")
    assert resolve_date("Sunday", monday) == ("2024-03-03", "day")


def test_find_date_expressions():
    text = "The envoys met on Thursday, their first meeting since June 2, and talk again next week."
    found = [t for _, _, t in find_date_expressions(text)]
    assert "Thursday" in found and "June 2" in found and "next week" in found
