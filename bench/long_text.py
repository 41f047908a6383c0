"""A long, news-like article built from sentences written for this benchmark.

The paragraphs cycle through a fixed set of templates with varied names, countries and dates, so the
text has what the pipeline looks for (quotes with cues, actors, diplomatic events, dates) at a steady
density whatever its length.
"""

from __future__ import annotations

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
