"""`events(dyad=...)`: two country codes the store knows are answered from `event_dyads`, with the
events the participant join (which names need) finds for them."""

from __future__ import annotations

import pytest

from communique.models import Actor, Event, Extraction
from communique.store.filters import EventFilter, dyad_countries, event_id_query
from communique.store.queries import list_events
from store_fixtures import make_article

pytest_plugins = ["store_db"]

# (actor id, name, country, kind); countries are user-assigned ISO codes, plus Norway and Kenya,
# whose names the country list knows ("Norway" unresolved stands for NOR)
PEOPLE = {
    "min-a": ("Ines Varga", "XAA", "person"),
    "gov-a": ("government of the first state", "XAA", "government"),
    "min-b": ("Tomas Lind", "XBB", "person"),
    "gov-b": ("government of the second state", "XBB", "government"),
    "off-b": ("Rui Costa", "XBB", "person"),
    "min-c": ("Amara Diallo", "XCC", "person"),
    "min-k": ("Daniel Otieno", "KEN", "person"),
    "min-n": ("Elena Marsh", "NOR", "person"),
    "stateless": ("Ann Lee", None, "person"),
}

# (type, date, actors, recipients): ids above, or unresolved names
EVENTS = [
    ("CONSULT", "2024-01-02", ["min-a"], ["min-b"]),  # two countries
    ("ASSAULT", "2024-01-05", ["gov-a"], ["protesters"]),  # one country and an unresolved name
    ("CONSULT", "2024-01-09", ["gov-b"], ["off-b"]),  # one country on both sides
    ("COOPERATE", "2024-01-12", ["min-a"], ["min-b", "min-c"]),  # three countries
    ("DISAPPROVE", "2024-01-15", ["min-c"], []),  # a solo country, alone
    ("ASSAULT", "2024-01-18", ["gunmen"], ["villagers"]),  # no country at all
    ("REQUEST", "2024-01-21", ["stateless"], ["gov-a"]),  # an actor without a country
    ("ACCUSE", "2024-01-24", ["min-b"], ["min-a"]),  # the other direction
    ("CONSULT", "2024-01-27", ["min-k"], ["Norway"]),  # an unresolved country name
    ("AID", "2024-01-30", ["min-n"], ["min-c"]),
    ("SANCTION", None, ["gov-b"], ["min-a"]),  # undated: last in the order
]


def _extraction(i: int, event_type: str, when: str | None, sources: list[str], targets: list[str]) -> Extraction:
    text = f"Report {i}: a {event_type.lower()} event between the parties named here."
    used = [ref for ref in sources + targets if ref in PEOPLE]
    return Extraction(
        article=make_article(text, f"dyad-{i}.txt", "Dyad Wire", when or "2024-02-15"),
        actors=[
            Actor(id=ref, name=PEOPLE[ref][0], country=PEOPLE[ref][1], kind=PEOPLE[ref][2], mentions=[(0, 6)])
            for ref in used
        ],
        events=[
            Event(id="e1", type=event_type, status="occurred", actors=sources, recipients=targets,
                  date=when, date_precision="day" if when else "unknown", evidence=text)
        ],
    )


@pytest.fixture
def dyad_store(store):
    result = store.ingest([_extraction(i, *spec) for i, spec in enumerate(EVENTS)])
    assert result.added == len(EVENTS) and not result.errors
    return store


CODES = ["XAA", "XBB", "XCC", "KEN", "NOR"]


def test_country_dyads_read_event_dyads_and_find_what_the_participant_join_finds(dyad_store):
    found_any = 0
    with dyad_store.engine.connect() as conn:
        for a in CODES:
            for b in CODES:
                if a == b:
                    continue
                for dyad in ((a, b), (a.lower(), b)):
                    assert dyad_countries(conn, dyad) == (a, b)  # the event_dyads path is the one taken
                    new = [e["id"] for e in list_events(conn, EventFilter(dyad=dyad))]
                    old = list(conn.execute(event_id_query(None, EventFilter(dyad=dyad))).scalars())
                    assert new == old, dyad
                    found_any += bool(new)
    assert found_any >= 10  # the pairs above do have events (both directions, both spellings)
    events = {e["type"]: e for e in dyad_store.events(dyad=("XAA", "XBB"))}
    assert set(events) == {"CONSULT", "COOPERATE", "ACCUSE", "SANCTION"}
    assert [e["type"] for e in dyad_store.events(dyad=("KEN", "NOR"))] == ["CONSULT"]  # via "Norway"


def test_names_one_country_and_unknown_codes_keep_the_participant_join(dyad_store):
    with dyad_store.engine.connect() as conn:
        assert dyad_countries(conn, ("XBB", "XBB")) is None  # two participants of one country
        assert dyad_countries(conn, ("XAA", "XZZ")) is None  # no actor of XZZ in the store
        assert dyad_countries(conn, ("Lind", "XAA")) is None  # a name
        assert dyad_countries(conn, ("Ann", "XAA")) is None  # three letters, but no country ANN
    # one country on both sides: the event with two XBB participants, not the solo-country events
    assert [e["date"] for e in dyad_store.events(dyad=("XBB", "XBB"))] == ["2024-01-09"]
    assert dyad_store.events(dyad=("XCC", "XCC")) == []  # its only participant cannot be both sides
    assert [e["type"] for e in dyad_store.events(dyad=("Ann", "XAA"))] == ["REQUEST"]
    assert [e["type"] for e in dyad_store.events(dyad=("gunmen", "villagers"))] == ["ASSAULT"]
    assert [e["type"] for e in dyad_store.events(dyad=("XAA", "protesters"))] == ["ASSAULT"]
