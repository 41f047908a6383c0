"""Made-up extractions for the store tests (imported by tests/test_store*.py).

The articles below are invented for these tests (people, outlets and the XAA / XBB codes, which
ISO 3166 leaves for user assignment); they need no spaCy, so the store tests are fast. The database
fixtures are in tests/store_db.py.
"""

from __future__ import annotations

from communique.models import Actor, ArticleOut, Event, Extraction, Quote, Rejection

# ---------------------------------------------------------------- made-up extractions


def spans_of(text: str, needle: str) -> list[tuple[int, int]]:
    out, start = [], text.find(needle)
    while start >= 0:
        out.append((start, start + len(needle)))
        start = text.find(needle, start + 1)
    return out


def span_of(text: str, needle: str) -> tuple[int, int]:
    found = spans_of(text, needle)
    assert found, f"{needle!r} not in the test text"
    return found[0]


def word_before(text: str, phrase: str) -> tuple[int, int]:
    """The span of the first word of `phrase` where the phrase occurs ("Marsh" in "Marsh told")."""
    start = span_of(text, phrase)[0]
    return (start, start + len(phrase.split()[0]))


def make_article(
    text: str, source: str, publisher: str, published: str | None, external_id: str | None = None
):
    from communique.models import content_id

    return ArticleOut(
        id=external_id or content_id(text),
        publisher=publisher,
        headline=text.split(".")[0][:60],
        published=published,
        language="en",
        text=text,
        body=text,
        source=source,
        url=f"https://news.example/{source}",
    )


HARBOUR_TEXT = (
    "Foreign Minister Elena Marsh of Norway spoke by telephone on Tuesday with her Kenyan counterpart, "
    "Daniel Otieno. Marsh told reporters that both sides had agreed to reopen talks on fishing rights, "
    'a ministry statement said. "We want a fair deal for coastal communities," Otieno said.'
)


def harbour_gazette() -> Extraction:
    """Norway's and Kenya's foreign ministers talk by phone; two quotes, one CONSULT event."""
    text = HARBOUR_TEXT
    return Extraction(
        article=make_article(text, "harbour.txt", "The Harbour Gazette", "2024-03-06"),
        actors=[
            Actor(
                id="a-marsh",
                name="Elena Marsh",
                country="NOR",
                sector="GOV",
                role="foreign minister",
                kind="person",
                kb_id="KB:marsh",
                mentions=spans_of(text, "Elena Marsh") + [word_before(text, "Marsh told")],
            ),
            Actor(
                id="a-otieno",
                name="Daniel Otieno",
                country="KEN",
                sector="GOV",
                kind="person",
                mentions=spans_of(text, "Daniel Otieno") + [word_before(text, "Otieno said")],
            ),
            Actor(id="a-ministry", name="ministry", kind="other", mentions=spans_of(text, "ministry")),
        ],
        quotes=[
            Quote(
                id="q1",
                kind="indirect",
                text="both sides had agreed to reopen talks on fishing rights",
                speaker="a-marsh",
                speaker_text="Marsh",
                cue="told",
                via=["a-ministry"],
                content_span=span_of(text, "both sides had agreed to reopen talks on fishing rights"),
                source_span=word_before(text, "Marsh told"),
                cue_span=span_of(text, "told"),
            ),
            Quote(
                id="q2",
                kind="direct",
                text="We want a fair deal for coastal communities,",
                speaker="a-otieno",
                speaker_text="Otieno",
                cue="said",
                content_span=span_of(text, "We want a fair deal for coastal communities,"),
            ),
        ],
        events=[
            Event(
                id="e1",
                type="consult",
                mode="phone",
                actors=["a-marsh"],
                recipients=["a-otieno"],
                date="2024-03-05",
                date_precision="day",
                evidence="spoke by telephone on Tuesday with her Kenyan counterpart",
                evidence_span=span_of(text, "spoke by telephone on Tuesday with her Kenyan counterpart"),
                reported_by=["a-ministry"],
            ),
        ],
    )


COAST_TEXT = (
    "Kenya's top diplomat Daniel Otieno will travel to Oslo next month, his spokeswoman Grace Wanjiru said "
    'on Friday. Otieno is expected to meet Elena Marsh, she said, adding that "nothing has been signed yet".'
)


def coast_courier() -> Extraction:
    """The same two ministers in another outlet, a planned visit, a quote through a spokeswoman."""
    text = COAST_TEXT
    return Extraction(
        article=make_article(
            text, "coast.jsonl:3", "Coast Courier", "2024-03-08", external_id="cc-2024-0308-17"
        ),
        actors=[
            Actor(
                id="b1",
                name="Daniel Otieno",
                country="ken",
                kind="person",
                role="top diplomat",
                mentions=spans_of(text, "Daniel Otieno"),
            ),
            Actor(
                id="b2",
                name="Grace Wanjiru",
                country="KEN",
                kind="person",
                role="spokeswoman",
                mentions=spans_of(text, "Grace Wanjiru"),
            ),
            Actor(
                id="b3",
                name="Elena  Marsh",
                country="NOR",
                kind="person",
                kb_id="KB:marsh",
                mentions=spans_of(text, "Elena Marsh"),
            ),
        ],
        quotes=[
            Quote(
                id="q1",
                kind="indirect",
                text="will travel to Oslo next month",
                speaker="b1",
                speaker_text="Daniel Otieno",
                cue="said",
                via=["b2"],
                content_span=span_of(text, "will travel to Oslo next month"),
            ),
            Quote(
                id="q2",
                kind="mixed",
                text="nothing has been signed yet",
                speaker="b2",
                speaker_text="she",
                cue="adding",
                via=["a press office"],
                content_span=span_of(text, "nothing has been signed yet"),
            ),
        ],
        events=[
            Event(
                id="e1",
                type="CONSULT",
                mode="visit",
                status="planned",
                actors=["b1"],
                recipients=["Norway"],
                date="2024-04",
                date_precision="month",
                location="Oslo",
                location_span=span_of(text, "Oslo"),
                evidence="will travel to Oslo next month",
                evidence_span=span_of(text, "will travel to Oslo next month"),
                reported_by=["b2"],
            ),
        ],
    )


BORDER_TEXT = (
    "Artillery units of the XAA army shelled a border post held by XBB guards on 2 March, the XBB defence "
    "ministry said, calling the attack a violation of last year's truce."
)


def border_wire() -> Extraction:
    """A conflict event between two user-assigned country codes."""
    text = BORDER_TEXT
    return Extraction(
        article=make_article(text, "border.html", "Border Wire", "2024-03-03"),
        actors=[
            Actor(
                id="c1",
                name="XAA army",
                country="XAA",
                sector="MIL",
                kind="government",
                mentions=spans_of(text, "XAA army"),
            ),
            Actor(
                id="c2",
                name="XBB border guards",
                country="XBB",
                sector="MIL",
                kind="group",
                mentions=spans_of(text, "XBB guards"),
            ),
            Actor(
                id="c3",
                name="XBB defence ministry",
                country="XBB",
                sector="GOV",
                kind="government",
                mentions=spans_of(text, "XBB defence ministry"),
            ),
        ],
        quotes=[
            Quote(
                id="q1",
                kind="indirect",
                text="the attack a violation of last year's truce",
                speaker="c3",
                speaker_text="the XBB defence ministry",
                cue="calling",
                content_span=span_of(text, "the attack a violation of last year's truce"),
            ),
        ],
        events=[
            Event(
                id="e1",
                type="ASSAULT",
                mode="artillery",
                actors=["c1"],
                recipients=["c2"],
                date="2024-03-02",
                date_precision="day",
                evidence="shelled a border post held by XBB guards on 2 March",
                evidence_span=span_of(text, "shelled a border post held by XBB guards on 2 March"),
                reported_by=["c3"],
            ),
        ],
    )


def corpus() -> list[Extraction]:
    return [harbour_gazette(), coast_courier(), border_wire()]


def numbered(n: int, start: int = 0) -> list[Extraction]:
    """`n` distinct small extractions that share actors (for batch and interruption tests)."""
    out = []
    for i in range(start, start + n):
        text = (
            f"Envoy Mira Halvorsen met trade commissioner Tomas Reyes for round {i} of the customs talks, "
            f"an aide said."
        )
        out.append(
            Extraction(
                article=make_article(text, f"rounds.jsonl:{i}", "Trade Letter", f"2024-01-{1 + i % 28:02d}"),
                actors=[
                    Actor(
                        id="x1",
                        name="Mira Halvorsen",
                        country="NOR",
                        kind="person",
                        mentions=spans_of(text, "Mira Halvorsen"),
                    ),
                    Actor(
                        id="x2",
                        name="Tomas Reyes",
                        country="EU",
                        kind="person",
                        mentions=spans_of(text, "Tomas Reyes"),
                    ),
                    Actor(id="x3", name="an aide", kind="person", mentions=spans_of(text, "an aide")),
                ],
                quotes=[
                    Quote(
                        id="q1",
                        kind="according_to",
                        text=f"round {i} of the customs talks",
                        speaker="x3",
                        via=[],
                    )
                ],
                events=[
                    Event(
                        id="e1",
                        type="CONSULT",
                        mode="meet",
                        actors=["x1"],
                        recipients=["x2"],
                        date=f"2024-01-{1 + i % 28:02d}",
                        date_precision="day",
                        evidence=text[:40],
                        evidence_span=(0, 40),
                        reported_by=["x3"],
                    )
                ],
            )
        )
    return out


REJECTIONS = [Rejection("broken.html", "no article text found"), Rejection("huge.warc", "larger than 20 MB")]
