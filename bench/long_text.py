"""Long articles for the long-article benchmark and test.

`real_article(chars)` joins the distinct paragraphs of real news articles (PolNeAR, read from
../shared when it is there), in a fixed order and none twice: hundreds of different people, places
and surnames, as a long real article holds. `varied_article(chars)` is the stand-in when ../shared is
absent: paragraphs written from sentence frames with a new pair of people in each (names combined
from lists written for this file), so the number of distinct surnames also grows with the length.
`long_article(chars)` is the older, synthetic text (six people, eight frames): kept for comparison,
it hides costs that grow with the number of actors.
"""

from __future__ import annotations

import os
from pathlib import Path

SHARED = Path(os.environ.get("COMMUNIQUE_SHARED", Path(__file__).resolve().parents[1] / ".." / "shared"))
POLNEAR_TEXTS = [SHARED / "data" / "polnear" / split / "text" for split in ("train", "dev")]

_PEOPLE = [
    ("Foreign Minister", "Dmytro Kuleba", "Ukraine", "Kyiv"),
    ("Foreign Minister", "Wang Yi", "China", "Beijing"),
    ("Secretary of State", "Antony Blinken", "the United States", "Washington"),
    ("Chancellor", "Olaf Scholz", "Germany", "Berlin"),
    ("President", "Emmanuel Macron", "France", "Paris"),
    ("Prime Minister", "Narendra Modi", "India", "New Delhi"),
]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August"]

_TEMPLATES = [
    '{t1} {p1} spoke by phone with {t2} {p2} on {month} {day}, the ministry in {c1} said in a statement.',
    '"We expect {country2} to play a constructive role in ending the fighting," {p1} told reporters in {c1}.',
    '{p2} rejected the proposal on {weekday}, saying it ignored the concerns of {country2}, according to the state news agency.',
    'Officials in {c2} accused {country1} of delaying the talks, a charge {p1} denied.',
    'The two governments agreed to meet again in {month}, and {p1} said both sides wanted the ceasefire to hold.',
    '{t2} {p2} urged {country1} to release the detained journalists, adding that "dialogue is the only way forward."',
    'Troops from {country1} carried out exercises near the border last week, local officials said.',
    'A spokesman for {p1} said the minister would visit {c2} on {weekday} to discuss trade and security.',
]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def paragraph(i: int) -> str:
    """The i-th paragraph: three sentences from the templates, filled in by position."""
    sentences = []
    for k in range(3):
        n = i * 3 + k
        a = _PEOPLE[n % len(_PEOPLE)]
        b = _PEOPLE[(n * 5 + 1) % len(_PEOPLE)]
        if a == b:
            b = _PEOPLE[(n + 2) % len(_PEOPLE)]
        sentences.append(
            _TEMPLATES[n % len(_TEMPLATES)].format(
                t1=a[0], p1=a[1], country1=a[2], c1=a[3],
                t2=b[0], p2=b[1], country2=b[2], c2=b[3],
                month=_MONTHS[n % len(_MONTHS)], day=1 + n % 28, weekday=_WEEKDAYS[n % len(_WEEKDAYS)],
            )
        )
    return " ".join(sentences)


def long_article(chars: int) -> str:
    """A headline line and paragraphs separated by blank lines, about `chars` characters long."""
    parts = ["Ministers trade calls as talks on the ceasefire resume"]
    size = len(parts[0])
    i = 0
    while size < chars:
        para = paragraph(i)
        parts.append(para)
        size += len(para) + 2
        i += 1
    return "\n\n".join(parts)[:chars].rstrip() + "\n"


def real_paragraphs():
    """The distinct paragraphs of the PolNeAR texts, in file order (none when ../shared is absent)."""
    seen: set[str] = set()
    for folder in POLNEAR_TEXTS:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.txt")):
            for para in path.read_text("utf-8", errors="replace").split("\n\n"):
                para = " ".join(para.split())
                if len(para) > 40 and para not in seen:
                    seen.add(para)
                    yield para


_FIRST = ["Amara", "Bogdan", "Chiara", "Dmitri", "Elif", "Farid", "Greta", "Hamid", "Ines", "Jonas", "Kwame",
          "Leila", "Mateo", "Nadia", "Oskar", "Priya", "Rafael", "Sanna", "Tomasz", "Umar", "Vera", "Wen",
          "Yusuf", "Zofia", "Anton", "Beatriz", "Carlos", "Dalia", "Emil", "Fatima"]
_LAST = ["Abeyta", "Baranov", "Castellano", "Demir", "Eriksen", "Fontaine", "Gashi", "Haddad", "Ivanova",
         "Jovanovic", "Kamau", "Lindqvist", "Mbeki", "Novak", "Okafor", "Petrenko", "Quispe", "Rahimi", "Sato",
         "Tadesse", "Uribe", "Varga", "Wojcik", "Xiong", "Yilmaz", "Zapata", "Adeyemi", "Bauer", "Chowdhury",
         "Dubois", "Esposito", "Ferreira", "Grunwald", "Hosseini", "Ilunga", "Jansen", "Kowalczyk", "Larsen"]
_PLACES = [("Norway", "Oslo"), ("Kenya", "Nairobi"), ("Chile", "Santiago"), ("Poland", "Warsaw"),
           ("Ghana", "Accra"), ("Vietnam", "Hanoi"), ("Morocco", "Rabat"), ("Peru", "Lima"), ("Finland", "Helsinki"),
           ("Indonesia", "Jakarta"), ("Egypt", "Cairo"), ("Canada", "Ottawa"), ("Turkey", "Ankara")]
_ROLES = ["foreign minister", "defence minister", "trade minister", "president", "prime minister", "ambassador",
          "central bank governor", "opposition leader", "army chief", "energy minister"]
_FRAMES = [
    "{role1} {a} of {c1} met {b}, the {role2} of {c2}, in {city2} on {day} to discuss {topic}. {sa} later told "
    "reporters the meeting had been \"{adj} but necessary\", while {sb} declined to comment.",
    "In a telephone call on {day}, {a} urged {b} to {ask}. According to a statement from {city1}, {sa} said "
    "{c1} was ready to {offer}; {sb}'s office said only that the two had agreed to speak again.",
    "{b} accused {c1} of {charge} on {day}, a claim {a} rejected. \"There is no truth in it,\" {sa} said in "
    "{city1}, adding that {c1} would {offer}.",
    "Officials in {city2} said {b} would travel to {city1} next month, the first visit by a {role2} of {c2} "
    "since {year}. {sa} welcomed the plan; {sb} said talks on {topic} would top the agenda.",
    "{sa}, speaking after {sb} left the room, said the talks on {topic} had stalled over {charge}. A spokesman "
    "for {sb} called that account {adj} and said {c2} still hoped to {offer}.",
    "Protesters gathered outside the {c1} embassy in {city2} on {day} as {a} and {b} signed an agreement on "
    "{topic}. Police said several people were detained; {sb} later promised an inquiry.",
]
_TOPICS = ["fishing rights", "grain exports", "a prisoner exchange", "border crossings", "debt relief",
           "a pipeline", "visa rules", "refugee returns", "a ceasefire", "customs duties", "airspace", "water sharing"]
_ASKS = ["release detained journalists", "reopen the border", "withdraw troops from the frontier",
         "lift the export ban", "return to the negotiating table", "stop the shelling"]
_OFFERS = ["resume talks without conditions", "send humanitarian aid", "cut tariffs on farm goods",
           "restore flights", "hold a joint inquiry", "extend the truce"]
_CHARGES = ["violating the truce", "blocking shipments", "spying on its diplomats", "hoarding fuel",
            "backing armed groups", "ignoring a court ruling"]
_ADJ = ["difficult", "frank", "misleading", "constructive", "tense", "premature"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def varied_paragraph(i: int) -> str:
    """The i-th written paragraph: a frame with a pair of people not used in the paragraphs before."""
    a = f"{_FIRST[i % len(_FIRST)]} {_LAST[(i * 7) % len(_LAST)]}"
    b = f"{_FIRST[(i * 11 + 3) % len(_FIRST)]} {_LAST[(i * 13 + 5) % len(_LAST)]}-{_LAST[(i // len(_LAST)) % len(_LAST)]}"
    (c1, city1), (c2, city2) = _PLACES[i % len(_PLACES)], _PLACES[(i * 5 + 2) % len(_PLACES)]
    if c1 == c2:
        c2, city2 = _PLACES[(i + 1) % len(_PLACES)]
    pick = lambda seq, k: seq[(i * k + i // len(seq)) % len(seq)]  # noqa: E731
    return _FRAMES[i % len(_FRAMES)].format(
        a=a, b=b, sa=a.split()[-1], sb=b.split()[-1], c1=c1, c2=c2, city1=city1, city2=city2,
        role1=pick(_ROLES, 3).capitalize(), role2=pick(_ROLES, 7), day=pick(_DAYS, 5), topic=pick(_TOPICS, 5),
        ask=pick(_ASKS, 7), offer=pick(_OFFERS, 11), charge=pick(_CHARGES, 13), adj=pick(_ADJ, 17),
        year=1990 + i % 33,
    )


def _joined(paragraphs, chars: int) -> str:
    parts, size = ["Talks, calls and accusations: a long day of diplomacy"], 0
    for para in paragraphs:
        if size >= chars:
            break
        parts.append(para)
        size += len(para) + 2
    if size < chars:
        raise ValueError(f"not enough distinct paragraphs for {chars} characters")
    return "\n\n".join(parts)[:chars].rstrip() + "\n"


def varied_article(chars: int) -> str:
    """About `chars` characters of written paragraphs, none repeated."""
    return _joined((varied_paragraph(i) for i in range(10**7)), chars)


def real_article(chars: int) -> tuple[str, str]:
    """(text, where it came from): real news paragraphs when ../shared holds them, else `varied_article`."""
    try:
        return _joined(real_paragraphs(), chars), "PolNeAR news paragraphs (../shared)"
    except ValueError:
        return varied_article(chars), "written varied paragraphs (bench/long_text.py)"
