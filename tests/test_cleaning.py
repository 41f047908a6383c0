"""Cleaning: mastheads, headlines, bylines, captions and UI strings out of the body; offsets kept."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communique.cleaning import clean, publisher_for_domain
from communique.models import Article

FIXTURES = Path(__file__).parent / "fixtures" / "readers"


def cleaned(text: str, **fields) -> Article:
    return clean(Article(text=text, source="<test>", **fields))


def assert_segments_map_back(article: Article) -> None:
    covered = 0
    for seg in article.segments:
        body_part = article.body[seg.body_start : seg.body_start + seg.length]
        assert article.text[seg.text_start : seg.text_start + seg.length] == body_part
        covered += seg.length
    assert covered <= len(article.body)
    # everything in the body outside the segments is the paragraph joiner
    gaps = []
    previous_end = 0
    for seg in article.segments:
        gaps.append(article.body[previous_end : seg.body_start])
        previous_end = seg.body_start + seg.length
    gaps.append(article.body[previous_end:])
    assert all(gap.strip() == "" for gap in gaps)


# ---------------------------------------------------------------- the reference article


def test_seed_page_is_cleaned(shared_dir):
    from communique.config import Settings
    from communique.readers import load_articles

    seed = shared_dir / "seeds" / "000_da059f79ecee6e87.txt"
    [article] = list(load_articles([str(seed)], Settings()))
    assert isinstance(article, Article)
    assert article.text == seed.read_bytes().decode("utf-8")
    assert article.publisher == "The Washington Post"
    assert article.headline == "China and Ukraine\u2019s top diplomats speak for first time in weeks"
    for furniture in (
        "Democracy Dies in Darkness",
        "Placeholder while article actions load",
        "is seen on a screen at the National People's Congress",
    ):
        assert furniture not in article.body
    assert "Chinese Foreign Minister Wang Yi had a rare call" in article.body
    assert "Beijing will keep \u201cnormal\u201d trade ties with Moscow" in article.body
    assert any("Ryan Woo/Reuters" in caption for caption in article.captions)
    assert_segments_map_back(article)


# ---------------------------------------------------------------- text that must stay untouched


@pytest.mark.parametrize(
    "text",
    [
        "Putin met Xi in Moscow on Tuesday, the Kremlin said.",
        "Putin meets Xi",
        "  The envoy arrived in Doha late on Sunday.\n",
        "By Monday, the talks in Riyadh had collapsed, two diplomats said.",
        "Reuters reported that the ceasefire held overnight.",
        "Advertising revenue fell, the broadcaster said.",
        "\u201cWe will not negotiate under fire,\u201d the minister told parliament.",
        "",
    ],
)
def test_single_sentence_survives_untouched(text):
    article = cleaned(text)
    assert article.body == text
    assert article.headline is None and article.publisher is None and article.byline is None
    assert article.captions == []
    if text:
        assert [(s.body_start, s.text_start, s.length) for s in article.segments] == [(0, 0, len(text))]


def test_plain_paragraphs_survive_untouched():
    text = (
        "The foreign ministers of Chile and Argentina met in Santiago on Monday.\n\n"
        "They agreed to set up a joint commission on lithium exports, officials said.\r\n\r\n"
        "A second meeting is planned for March in Buenos Aires."
    )
    article = cleaned(text)
    assert article.body == text
    assert len(article.segments) == 1


# ---------------------------------------------------------------- mastheads and headlines


def test_masthead_glued_to_tagline_of_another_outlet():
    text = (
        "Deutsche WelleMade for minds.\n\n"
        "Berlin and Warsaw agree on new border crossing\n\n"
        "Germany and Poland agreed on Wednesday to open a new road crossing on the Oder river, "
        "the two interior ministries said in a joint statement.\n\n"
        "Work on the bridge is due to start next spring."
    )
    article = cleaned(text)
    assert article.publisher == "Deutsche Welle"
    assert article.headline == "Berlin and Warsaw agree on new border crossing"
    assert article.body.startswith("Germany and Poland agreed on Wednesday")
    assert "Made for minds" not in article.body
    assert_segments_map_back(article)


def test_fixture_page_with_all_kinds_of_furniture():
    text = (FIXTURES / "scraped_page.txt").read_text(encoding="utf-8")
    article = cleaned(text)
    assert article.publisher == "The New York Times"
    assert article.headline == "Finland and Sweden hold joint naval drill near \u00c5land"
    assert article.byline == "Lena Marsh and Tomas Veikko"
    assert article.published == date(2024, 3, 3)  # the "Published" line, not the "Updated" one
    assert article.captions == [
        "Two Finnish minelayers sail past the \u00c5land archipelago during the exercise on Saturday. "
        "(Kari Lindqvist/Agence Nord)"
    ]
    # the dateline stays with the first paragraph
    assert article.body.startswith("HELSINKI \u2014 Finland and Sweden began")
    assert article.body.endswith("watching the drill closely.")
    for furniture in ("Skip to main content", "Fit to Print", "Share this article", "Advertisement", "Reporting by", "World\n"):
        assert furniture not in article.body
    assert_segments_map_back(article)


def test_known_masthead_opening_a_sentence_is_body():
    text = "Reuters\n\nReuters was told by three officials that the summit would be delayed.\n\nNo new date was set."
    article = cleaned(text)
    assert article.publisher == "Reuters"
    assert article.body.startswith("Reuters was told by three officials")


def test_unknown_site_name_above_headline():
    text = (
        "Prairie Evening Courier\n\n"
        "Canada names new ambassador to Mexico\n\n"
        "Ottawa named a former trade negotiator as its ambassador to Mexico on Friday, the foreign ministry said."
    )
    article = cleaned(text)
    assert article.publisher == "Prairie Evening Courier"
    assert article.headline == "Canada names new ambassador to Mexico"
    assert article.body.startswith("Ottawa named")


def test_preset_headline_line_is_dropped():
    text = "Kenya offers police for Haiti mission\nKenya's cabinet approved the plan on Monday, a spokesman said."
    article = cleaned(text, headline="Kenya offers police for Haiti mission", publisher="Some Site")
    assert article.body == "Kenya's cabinet approved the plan on Monday, a spokesman said."
    assert article.publisher == "Some Site"


def test_lone_short_lines_are_not_a_headline():
    text = "Talks resume\nEnvoys return"
    article = cleaned(text)
    assert article.body == text
    assert article.headline is None


# ---------------------------------------------------------------- bylines


@pytest.mark.parametrize(
    ("line", "byline"),
    [
        ("By Jane Okafor", "Jane Okafor"),
        ("By Jane Okafor and Luis de la Vega", "Jane Okafor and Luis de la Vega"),
        ("By JANE OKAFOR, Associated Press", "JANE OKAFOR, Associated Press"),
        ("Jane Okafor, Reuters", "Jane Okafor, Reuters"),
        ("By Jane Okafor, Staff Writer", "Jane Okafor, Staff Writer"),
    ],
)
def test_byline_lines(line, byline):
    text = f"Oman hosts indirect talks\n\n{line}\n\nOmani mediators shuttled between two delegations in Muscat on Sunday, officials said."
    article = cleaned(text)
    assert article.byline == byline
    assert article.headline == "Oman hosts indirect talks"
    assert article.body == "Omani mediators shuttled between two delegations in Muscat on Sunday, officials said."


def test_sentence_starting_with_by_is_not_a_byline():
    text = "Oman hosts indirect talks\n\nBy Sunday evening, the delegations had left Muscat, officials said."
    article = cleaned(text)
    assert article.byline is None
    assert article.body == "By Sunday evening, the delegations had left Muscat, officials said."


# ---------------------------------------------------------------- captions and UI strings


@pytest.mark.parametrize(
    "caption",
    [
        "The foreign minister speaks to reporters in Ankara on Friday. (AP Photo/Deniz Kaya)",
        "Delegates arrive for the summit in Nairobi. Photograph: Amina Otieno/AFP",
        "Soldiers unload supplies near the border. (Ivan Petrenko/Getty Images)",
        "The prime minister at the podium | Photo credit: Sara Lindgren",
        "A ferry leaves the harbour at dawn. Maria Costa/Getty Images",
        "Image caption, The two leaders shook hands before the talks",
    ],
)
def test_caption_lines_between_paragraphs(caption):
    text = (
        "Turkey and Greece agreed on Friday to resume talks on maritime borders, both governments said.\n\n"
        f"{caption}\n\n"
        "The first round is expected in Athens next month."
    )
    article = cleaned(text)
    assert article.captions == [caption]
    assert caption not in article.body
    assert "Turkey and Greece agreed" in article.body and "expected in Athens" in article.body
    assert_segments_map_back(article)


def test_credit_inside_a_paragraph_is_kept():
    paragraph = (
        "A photo credited to one agency (Jane Roe/Reuters) circulated widely, and the ministry said on "
        "Monday that it had been taken in 2019."
    )
    article = cleaned(paragraph)
    assert article.body == paragraph
    assert article.captions == []


@pytest.mark.parametrize(
    "ui_line",
    [
        "Advertisement",
        "Story continues below advertisement",
        "Share this article",
        "Listen to this article",
        "Read more: Envoys meet again in Geneva",
        "We use cookies to improve your experience on our site.",
        "Sign up for our newsletter",
        "3 min read",
    ],
)
def test_ui_lines_between_paragraphs_are_dropped(ui_line):
    text = (
        "Japan and South Korea held their first security dialogue in five years on Tuesday.\n"
        f"{ui_line}\n"
        "The talks in Seoul lasted three hours, a South Korean official said."
    )
    article = cleaned(text)
    assert ui_line not in article.body
    assert article.body == (
        "Japan and South Korea held their first security dialogue in five years on Tuesday.\n\n"
        "The talks in Seoul lasted three hours, a South Korean official said."
    )
    assert_segments_map_back(article)


def test_contributor_note_in_the_middle_stays():
    text = (
        "Reporting by a team of journalists in Kyiv showed the shelter had been hit twice.\n\n"
        "The city council said repairs would take a month.\n\n"
        "(Reporting by Olena Marchuk; Editing by Peter Hale)"
    )
    article = cleaned(text)
    assert article.body.startswith("Reporting by a team of journalists")
    assert "Editing by" not in article.body


def test_update_date_does_not_become_the_publication_date():
    text = "Updated June 2, 2023\n\nThe two navies began a joint exercise in the Baltic Sea on Thursday, officials said."
    article = cleaned(text)
    assert article.published is None
    assert article.body.startswith("The two navies")


def test_publication_date_from_metadata_is_kept():
    text = "April 9, 2021\n\nThe two navies began a joint exercise in the Baltic Sea on Thursday, officials said."
    article = cleaned(text, published=date(2021, 4, 10))
    assert article.published == date(2021, 4, 10)


def test_publisher_for_domain():
    assert publisher_for_domain("www.washingtonpost.com") == "The Washington Post"
    assert publisher_for_domain("edition.cnn.com") == "CNN"
    assert publisher_for_domain("example.org") is None
    assert publisher_for_domain(None) is None


# ---------------------------------------------------------------- properties

_PARAGRAPH_WORDS = st.sampled_from(
    "the minister said talks in Geneva would resume next week after officials from both sides agreed on terms".split()
)
_paragraphs = st.lists(_PARAGRAPH_WORDS, min_size=6, max_size=30).map(
    lambda ws: ws[0].capitalize() + " " + " ".join(ws[1:]) + "."
)
_furniture = st.sampled_from(
    [
        "Advertisement",
        "Share this article",
        "Placeholder while article actions load",
        "A convoy crosses the bridge at night. (Petra Novak/Getty Images)",
        "Skip to main content",
        "Listen to this article",
    ]
)
_breaks = st.sampled_from(["\n", "\n\n", "\r\n", "\r\n\r\n", "\n \n"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.booleans(), _paragraphs, _furniture), min_size=1, max_size=8), _breaks)
def test_random_mixes_of_paragraphs_and_furniture(items, newline):
    lines = [paragraph if is_body else furniture for is_body, paragraph, furniture in items]
    text = newline.join(lines)
    article = cleaned(text)
    assert_segments_map_back(article)
    paragraphs = [paragraph for is_body, paragraph, _ in items if is_body]
    position = 0
    for paragraph in paragraphs:
        found = article.body.find(paragraph, position)
        assert found >= 0, (paragraph, article.body)
        position = found + len(paragraph)
    if paragraphs:
        for is_body, _, furniture in items:
            if not is_body:
                assert furniture not in article.body


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_clean_never_raises_and_keeps_offsets(text):
    article = cleaned(text)
    assert_segments_map_back(article)
    assert isinstance(article.body, str)


def test_standfirst_above_byline_and_date():
    text = (
        "The Guardian\n"
        "Europe\n"
        "Poland and Lithuania agree to share air patrols\n"
        "The two governments said the plan would start in spring.\n"
        "By Agata Nowak in Warsaw\n"
        "Tue 5 Mar 2024 10.45 GMT\n\n"
        "Poland and Lithuania agreed on Tuesday to share air patrols along their border, officials said.\n\n"
        "The plan still needs approval from both parliaments."
    )
    article = cleaned(text)
    assert (article.publisher, article.headline) == ("The Guardian", "Poland and Lithuania agree to share air patrols")
    assert article.byline == "Agata Nowak in Warsaw"
    assert article.published == date(2024, 3, 5)
    assert article.body == (
        "The two governments said the plan would start in spring.\n\n"
        "Poland and Lithuania agreed on Tuesday to share air patrols along their border, officials said.\n\n"
        "The plan still needs approval from both parliaments."
    )
    assert_segments_map_back(article)
