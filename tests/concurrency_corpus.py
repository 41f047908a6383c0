"""Forty made-up news articles for the concurrent-writer tests and bench/concurrent_ingest_bench.py.

Ten phone calls between five foreign ministers (every pair once), each reported by four outlets.
Outlet k's forty-odd articles go to writer k, so four concurrent writers all report every call at
the same moment and all meet the same ministers and governments: actor upserts collide, and each
call must still end as one fused event with four reports. The outlets describe the actors
differently on purpose (with and without a KB id, in another order, with or without a role), which
is what makes identity keys and actor completion race.

The people, outlets and quotes are invented for these tests; the countries are real. `texts()` gives
the plain article texts (for the real CLI); `extractions()` the same articles as pre-extracted
records, so that the store can be exercised without spaCy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import combinations

from communique.models import Actor, ArticleOut, Event, Extraction, Quote, content_id
from store_fixtures import span_of, spans_of

WRITERS = 4


@dataclass(frozen=True)
class Minister:
    first: str
    last: str
    country: str  # ISO 3166 alpha-3
    country_name: str
    adjective: str
    capital: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def kb_id(self) -> str:
        return f"KB:test-{self.last.lower()}"


MINISTERS = [
    Minister("Anna", "Lindqvist", "SWE", "Sweden", "Swedish", "Stockholm"),
    Minister("Kwame", "Mensah", "GHA", "Ghana", "Ghanaian", "Accra"),
    Minister("Rafael", "Ortega", "CHL", "Chile", "Chilean", "Santiago"),
    Minister("Sofia", "Petrescu", "ROU", "Romania", "Romanian", "Bucharest"),
    Minister("Hiroshi", "Tanabe", "JPN", "Japan", "Japanese", "Tokyo"),
]

TOPICS = [
    "fisheries quotas in shared waters",
    "a stalled grain shipping corridor",
    "visa rules for seasonal workers",
    "a joint bid to host a climate summit",
    "the return of two detained journalists",
    "tariffs on recycled steel",
    "a vaccine donation programme",
    "cooperation against cyber attacks on ports",
    "a disputed research vessel licence",
    "a planned trade mission next spring",
]

OUTLETS = ["The Baltic Ledger", "Coastal Times", "Meridian Daily", "Harbour Post"]
FIRST_CALL = date(2024, 3, 4)


@dataclass(frozen=True)
class Call:
    number: int
    caller: Minister
    callee: Minister
    day: date
    topic: str

    @property
    def quote(self) -> str:
        return f"We spoke frankly about {self.topic} and agreed to keep our teams in touch"


def calls() -> list[Call]:
    pairs = list(combinations(MINISTERS, 2))
    return [
        Call(i, a, b, FIRST_CALL + timedelta(days=2 * i), TOPICS[i]) for i, (a, b) in enumerate(pairs)
    ]


def _text(call: Call, outlet: int) -> str:
    a, b, weekday = call.caller, call.callee, call.day.strftime("%A")
    if outlet == 0:
        return (
            f"{a.adjective} Foreign Minister {a.name} spoke by telephone with her {b.adjective} counterpart "
            f"{b.name} on {weekday}, the two foreign ministries said.\n\n"
            f'"{call.quote}," {a.last} told reporters in {a.capital} after the call. '
            f"The {a.adjective} government said the conversation had covered {call.topic}.\n"
        )
    if outlet == 1:
        return (
            f"{b.country_name}'s top diplomat {b.name} held a phone call with {a.name} of {a.country_name} "
            f"on {weekday}, according to a statement from {b.capital}.\n\n"
            f'{a.name} said: "{call.quote}." Officials in {b.capital} described the talks as constructive '
            f"and said {call.topic} had been the main subject.\n"
        )
    if outlet == 2:
        return (
            f"The government of {b.country_name} confirmed on {weekday} that its foreign minister, {b.name}, "
            f"had spoken with {a.name} by phone.\n\n"
            f'"{call.quote}," {a.name} said in a post on social media. Diplomats said the call was the first '
            f"between the two since the dispute over {call.topic} began.\n"
        )
    return (
        f"{a.name} and {b.name} discussed {call.topic} in a telephone call on {weekday}, "
        f"the {a.adjective} foreign ministry said in a brief statement.\n\n"
        f"\u201c{call.quote},\u201d {a.last} was quoted as saying by the ministry.\n"
    )


def texts() -> list[list[tuple[str, str]]]:
    """Per writer, its articles as (file name, text)."""
    out: list[list[tuple[str, str]]] = [[] for _ in range(WRITERS)]
    for call in calls():
        for outlet in range(WRITERS):
            out[outlet].append((f"call{call.number:02d}_{outlet}.txt", _text(call, outlet)))
    return out


def _person(local: str, m: Minister, text: str, *, kb: bool, role: bool, country: bool = True) -> Actor:
    return Actor(
        id=local,
        name=m.name,
        country=m.country if country else None,
        sector="GOV",
        role="foreign minister" if role else None,
        kind="person",
        kb_id=m.kb_id if kb else None,
        mentions=spans_of(text, m.name),
    )


def _government(local: str, m: Minister, text: str, phrase: str) -> Actor:
    return Actor(
        id=local,
        name=f"Government of {m.country_name}",
        country=m.country,
        sector="GOV",
        kind="government",
        kb_id=f"KB:test-gov-{m.country.lower()}",
        mentions=spans_of(text, phrase),
    )


def _extraction(call: Call, outlet: int) -> Extraction:
    text = _text(call, outlet)
    a, b = call.caller, call.callee
    published = (call.day + timedelta(days=1)).isoformat()
    # Each outlet lists and describes the actors its own way (see the module docstring).
    if outlet == 0:
        people = [
            _person("p1", a, text, kb=True, role=True),
            _person("p2", b, text, kb=False, role=False),
            _government("g1", a, text, f"The {a.adjective} government"),
        ]
        date_given, precision = call.day.isoformat(), "day"
    elif outlet == 1:
        people = [
            _person("p2", b, text, kb=True, role=False),
            _person("p1", a, text, kb=False, role=False),
        ]
        date_given, precision = call.day.isoformat(), "day"
    elif outlet == 2:
        people = [
            _government("g2", b, text, f"The government of {b.country_name}"),
            _person("p2", b, text, kb=False, role=True),
            _person("p1", a, text, kb=True, role=False),
        ]
        # this outlet only gives the week: a day and the week containing it fuse
        date_given, precision = call.day.isoformat(), "week"
    else:
        people = [
            _person("p1", a, text, kb=False, role=True),
            _person("p2", b, text, kb=True, role=True),
        ]
        date_given, precision = call.day.isoformat(), "day"
    evidence = text.split("\n")[0]
    return Extraction(
        article=ArticleOut(
            id=content_id(text),
            publisher=OUTLETS[outlet],
            headline=None,
            published=published,
            language="en",
            text=text,
            body=text,
            source=f"call{call.number:02d}_{outlet}.txt",
        ),
        actors=people,
        quotes=[
            Quote(
                id="q1",
                kind="direct",
                text=call.quote,
                speaker="p1",
                speaker_text=a.name,
                cue="said",
                content_span=span_of(text, call.quote),
            )
        ],
        events=[
            Event(
                id="e1",
                type="CONSULT",
                mode="phone",
                actors=["p1"],
                recipients=["p2"],
                date=date_given,
                date_precision=precision,
                evidence=evidence,
                evidence_span=(0, len(evidence)),
            )
        ],
    )


def extractions() -> list[list[Extraction]]:
    """Per writer, its articles as pre-extracted records (the outlet k articles go to writer k)."""
    return [[_extraction(call, outlet) for call in calls()] for outlet in range(WRITERS)]


def expected_actor_count() -> int:
    """Five ministers plus the governments outlets 0 and 2 name (each call's caller and callee)."""
    governments = {c.caller.country for c in calls()} | {c.callee.country for c in calls()}
    return len(MINISTERS) + len(governments)
