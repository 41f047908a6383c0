"""The event stage on sentences written for these tests: types, compound actors, modes, dates,
places, factuality, provenance and referenced past events."""

from __future__ import annotations

from datetime import date

import pytest

WEDNESDAY = date(2024, 3, 6)


def _named(extraction):
    """Events as dicts with actor names in place of ids."""
    names = {a.id: a for a in extraction.actors}
    out = []
    for e in extraction.events:
        d = e.model_dump()
        d["actor_names"] = [names[a].name for a in e.actors if a in names]
        d["recipient_names"] = [names[a].name for a in e.recipients if a in names]
        d["reported_names"] = [names[a].name if a in names else a for a in e.reported_by]
        d["countries"] = {names[a].country for a in e.actors + e.recipients if a in names}
        out.append(d)
    return out


def _one(events, type_, **where):
    found = [e for e in events if e["type"] == type_ and all(e.get(k) == v for k, v in where.items())]
    assert found, f"no {type_} event with {where} in {[(e['type'], e['actor_names'], e['status']) for e in events]}"
    return found[0]


def _has(names, fragment):
    return any(fragment.lower() in n.lower() for n in names)


# ---------------------------------------------------------------- compound actors, modes, dates, places


def test_compound_subject_is_one_consult_with_both_actors(extract_text):
    events = _named(extract_text("Angela Merkel and Emmanuel Macron met in Paris on Thursday."))
    consults = [e for e in events if e["type"] == "CONSULT"]
    assert len(consults) == 1
    e = consults[0]
    assert _has(e["actor_names"], "Merkel") and _has(e["actor_names"], "Macron")
    assert e["recipients"] == []
    assert (e["date"], e["date_precision"]) == ("2024-02-29", "day")
    assert e["location"] == "Paris, FRA"
    start, end = e["location_span"]
    assert "Angela Merkel and Emmanuel Macron met in Paris on Thursday."[start:end] == "Paris"


def test_call_with_a_counterpart_is_a_reciprocal_phone_consult(extract_text):
    text = "Indian Prime Minister Narendra Modi held a phone call with Japanese Prime Minister Fumio Kishida on Monday."
    events = _named(extract_text(text))
    e = _one(events, "CONSULT", mode="phone")
    assert _has(e["actor_names"], "Modi") and _has(e["actor_names"], "Kishida")
    assert e["recipients"] == []
    assert (e["date"], e["date_precision"]) == ("2024-03-04", "day")
    assert e["evidence"] == text
    assert tuple(e["evidence_span"]) == (0, len(text))
    assert e["status"] == "occurred"


def test_undated_event_has_no_date_rather_than_the_publication_date(extract_text):
    e = _one(_named(extract_text("Iran accused Israel of sabotaging its nuclear plant.")), "ACCUSE")
    assert (e["date"], e["date_precision"]) == (None, "unknown")
    e = _one(_named(extract_text("Iran accused Israel of sabotaging its nuclear plant.", published=None)), "ACCUSE")
    assert (e["date"], e["date_precision"]) == (None, "unknown")


@pytest.mark.parametrize(
    "text, type_, mode, actor, recipient",
    [
        ("France and Germany signed a trade agreement last week.", "AGREE", None, "France", None),
        ("Turkey invited Sweden to new talks.", "REQUEST", "meet", "Turkey", "Sweden"),
        ("The Canadian government praised Kenya for its election.", "SUPPORT", None, "Canad", "Kenya"),  # kb:gov-can, "Canada"
        ("Rebels in Colombia released twelve hostages on Friday.", "CONCEDE", "release", "Rebels", None),
        ("Brazil and Argentina cooperate closely on border security.", "COOPERATE", None, "Brazil", None),
        ("Japan sent emergency food aid to Bangladesh.", "AID", "humanitarian", "Japan", "Bangladesh"),
        ("Russian troops withdrew from Kherson last month.", "RETREAT", "withdraw", "Russian troops", None),
        ("Prime Minister Justin Trudeau urged India to cooperate with the inquiry.", "REQUEST", None, "Trudeau", "India"),
        ("Iran accused Israel of sabotaging its nuclear plant.", "ACCUSE", "allege", "Iran", "Israel"),
        ("Venezuela flatly rejected the border proposal.", "REJECT", None, "Venezuela", None),
        ("North Korea threatened South Korea with military action.", "THREATEN", "violence", "North Korea", "South Korea"),
        ("Thousands of students protested against the government in Santiago.", "PROTEST", "demonstrate", "students", None),
        ("The European Union imposed sanctions on Belarus.", "SANCTION", None, "European Union", "Belarus"),
        ("Turkey deployed troops along the Syrian border.", "MOBILIZE", "troops", "Turkey", None),
        ("Police in Hong Kong arrested ten activists.", "COERCE", "arrest", "Police", "activists"),
        ("Israeli aircraft bombed a depot in Gaza on Tuesday.", "ASSAULT", "aerial", "aircraft", None),
    ],
)
def test_each_plover_type(extract_text, text, type_, mode, actor, recipient):
    events = _named(extract_text(text))
    e = _one(events, type_)
    if mode:
        assert e["mode"] == mode
    assert _has(e["actor_names"], actor)
    if recipient:
        assert _has(e["recipient_names"], recipient)
    assert e["status"] == "occurred"


def test_location_names_the_country_of_a_city(extract_text):
    e = _one(_named(extract_text("Israeli aircraft bombed a depot in Gaza on Tuesday.")), "ASSAULT")
    assert e["location"] == "Gaza, PSE"
    assert (e["date"], e["date_precision"]) == ("2024-03-05", "day")


# ---------------------------------------------------------------- factuality


def test_negated_event_is_denied(extract_text):
    e = _one(_named(extract_text("Joe Biden did not meet Xi Jinping in Bali.")), "CONSULT")
    assert e["status"] == "denied"


def test_future_event_is_planned(extract_text):
    e = _one(_named(extract_text("Emmanuel Macron will visit Ottawa next week.")), "CONSULT", mode="visit")
    assert e["status"] == "planned"
    assert e["date_precision"] == "week"


def test_conditional_event_is_hypothetical(extract_text):
    e = _one(_named(extract_text("If Russia attacks Finland, the alliance would respond.")), "ASSAULT")
    assert e["status"] == "hypothetical"


def test_urged_event_is_requested_not_occurred(extract_text):
    e = _one(_named(extract_text("Pressure grew on Olaf Scholz to condemn the attack.")), "ACCUSE")
    assert e["status"] == "requested"
    assert _has(e["actor_names"], "Scholz")


def test_event_urged_by_a_request_verb_is_folded_into_the_request(extract_text):
    events = _named(extract_text("Prime Minister Justin Trudeau urged India to cooperate with the inquiry."))
    assert [e["type"] for e in events] == ["REQUEST"]


def test_denial_is_a_reject_and_the_denied_act_is_marked_denied(extract_text):
    events = _named(extract_text("A senior Brazilian diplomat denied that Brazil was helping Venezuela evade sanctions."))
    reject = _one(events, "REJECT")
    assert reject["status"] == "occurred"
    helped = [e for e in events if e["trigger"] == "helping"]
    assert helped and helped[0]["status"] == "denied"


# ---------------------------------------------------------------- provenance and past events


def test_according_to_source_is_in_reported_by(extract_text):
    e = _one(_named(extract_text("According to Reuters, Turkey invited Sweden to new talks.")), "REQUEST")
    assert _has(e["reported_names"], "Reuters")


def test_reporting_verb_subject_is_in_reported_by(extract_text):
    text = "Olaf Scholz met Narendra Modi on Monday. Modi told reporters that he had spoken to Scholz about trade."
    events = _named(extract_text(text))
    assert any(_has(e["reported_names"], "Modi") for e in events if e["type"] == "CONSULT") or len(
        [e for e in events if e["type"] == "CONSULT"]
    ) == 1  # the second mention may be merged into the first as the same meeting


def test_first_since_records_the_earlier_event(extract_text):
    text = (
        "Narendra Modi spoke with Olaf Scholz on Monday. "
        "It was the first conversation between the two countries since 2019, according to Reuters."
    )
    events = _named(extract_text(text))
    current = [e for e in events if e["type"] == "CONSULT" and not e["refers_to_past"]]
    past = [e for e in events if e["type"] == "CONSULT" and e["refers_to_past"]]
    assert len(current) == 1 and current[0]["date"] == "2024-03-04"
    assert len(past) == 1
    p = past[0]
    assert (p["date"], p["date_precision"]) == ("2019-01-01", "year")
    assert {"IND", "DEU"} <= p["countries"]
    assert _has(p["reported_names"], "Reuters")
    assert p["evidence"].startswith("It was the first conversation")


def test_actor_and_recipient_ids_are_in_the_actor_list(extract_text):
    ex = extract_text("North Korea threatened South Korea with military action.")
    ids = {a.id for a in ex.actors}
    for e in ex.events:
        assert set(e.actors) <= ids and set(e.recipients) <= ids


@pytest.mark.parametrize("junk", ["", "   ", "!!!", "met met met met", "\x00\x01", "a" * 5000, "Talks. " * 200])
def test_no_crash_on_odd_input(extract_text, junk):
    ex = extract_text(junk)
    assert isinstance(ex.events, list)


def test_no_events_without_classifier_model(pipeline, monkeypatch):
    """With the classifier missing the dictionary still codes events."""
    from communique.actors import resolve_actors
    from communique.events import extract_events
    from communique.models import Article
    from communique.nlp import annotate

    text = "Iran accused Israel of sabotaging its nuclear plant."
    annotated = next(annotate([Article(text=text, body=text, source="t", published=WEDNESDAY)], pipeline.nlp))
    actors = resolve_actors(annotated, pipeline.kb)
    events = extract_events(annotated, actors, [], classifier=False)
    assert [e.type for e in events] == ["ACCUSE"]


def test_a_day_named_beside_the_verb_is_a_date_not_a_participant(extract_text):
    events = _named(extract_text("The Dutch foreign minister on Thursday urged Serbia to recognise the court's ruling."))
    for e in events:
        assert not _has(e["actor_names"] + e["recipient_names"], "Thursday")
    request = _one(events, "REQUEST")
    assert request["date"] == "2024-02-29" and request["date_precision"] == "day"


# These are tests of the dictionary and parse rules (and the PLV classifier that runs with them when
# no detector is installed); the learned event stage is tested in test_events_learned.py.
pytestmark = pytest.mark.usefixtures("dictionary_events")
