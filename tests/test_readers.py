"""Readers: every input format, every kind of bad input, and publication-date precedence."""

from __future__ import annotations

import io
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest

from communique.config import Settings
from communique.models import Article, Rejection
from communique.readers import detect_format, load_articles

FIXTURES = Path(__file__).parent / "fixtures" / "readers"

ENGLISH = (
    "Ministers from Ghana and Togo met in Lomé on Wednesday and agreed to reopen a border crossing "
    "that had been closed for two years, the Ghanaian foreign ministry said."
)


def load(paths, published=None, **settings) -> list[Article | Rejection]:
    return list(load_articles([str(p) for p in paths], Settings(**settings), published))


def articles(items) -> list[Article]:
    return [i for i in items if isinstance(i, Article)]


def rejections(items) -> list[Rejection]:
    return [i for i in items if isinstance(i, Rejection)]


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


# ---------------------------------------------------------------- plain text


def test_plain_text_is_read_exactly(tmp_path):
    text = "Ghana and Togo reopen border\r\n\r\n" + ENGLISH + "\r\n"
    [article] = load([write(tmp_path / "story.txt", text)])
    assert article.text == text  # no newline normalisation
    assert article.source == str(tmp_path / "story.txt")
    assert article.headline == "Ghana and Togo reopen border"
    assert article.body == ENGLISH
    assert article.language == "en"
    assert article.text[article.segments[0].text_start :].startswith(ENGLISH)


def test_file_without_extension_and_with_bom(tmp_path):
    [article] = load([write(tmp_path / "story", b"\xef\xbb\xbf" + ENGLISH.encode("utf-8"))])
    assert article.text == ENGLISH


def test_seed_text_is_the_file_as_read(shared_dir):
    seed = shared_dir / "seeds" / "000_da059f79ecee6e87.txt"
    [article] = load([seed], published=date(2022, 4, 5))
    assert article.text == seed.read_bytes().decode("utf-8")
    assert article.published == date(2022, 4, 5)
    assert article.publisher == "The Washington Post"


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_non_utf8_text_is_decoded(tmp_path, encoding):
    text = (
        "The Swiss foreign ministry said on Tuesday that the café owners near the Palais des Nations in "
        "Genève had been asked to close early for the envoys' meeting."
    )
    if encoding == "cp1252":
        text = text.replace("envoys'", "envoys\u2019") + " \u201cIt is routine,\u201d a spokeswoman said."
    [article] = load([write(tmp_path / "geneva.txt", text.encode(encoding))])
    assert article.text == text


def test_cp1252_fixture(tmp_path):
    [article] = load([FIXTURES / "geneva_cp1252.txt"])
    assert article.headline == "Gen\u00e8ve talks: the envoy\u2019s \u201cconstructive\u201d meeting"
    assert "caf\u00e9 owners" in article.body and "early \u2013 a routine step" in article.body
    assert "\r\n" in article.text


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01\x02binary\x00data" * 50,
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        bytes(range(1, 32)) * 40,
    ],
)
def test_binary_file_is_rejected(tmp_path, content):
    [rejection] = load([write(tmp_path / "image.txt", content)])
    assert isinstance(rejection, Rejection)
    assert rejection.reason == "binary file"


@pytest.mark.parametrize("content", [b"", b"   \n\n\t  \r\n"])
def test_empty_file_is_rejected(tmp_path, content):
    [rejection] = load([write(tmp_path / "empty.txt", content)])
    assert isinstance(rejection, Rejection)
    assert rejection.reason == "empty file"


def test_oversize_file_is_rejected_and_batch_goes_on(tmp_path):
    big = write(tmp_path / "a_big.txt", ENGLISH * 10)
    small = write(tmp_path / "b_small.txt", ENGLISH)
    items = load([big, small], max_bytes=1000)
    assert isinstance(items[0], Rejection)
    assert items[0].reason == f"file too large ({big.stat().st_size} bytes > limit 1000)"
    assert isinstance(items[1], Article) and items[1].text == ENGLISH


def test_non_english_text_is_rejected(tmp_path):
    [rejection] = load([FIXTURES / "ministerium.txt"])
    assert isinstance(rejection, Rejection)
    assert rejection.reason == "not English (detected: de)"
    french = (
        "Le ministre des Affaires étrangères a reçu mardi son homologue marocain à Paris pour évoquer la "
        "coopération entre les deux pays."
    )
    [rejection] = load([write(tmp_path / "fr.txt", french)])
    assert rejection.reason == "not English (detected: fr)"


@pytest.mark.parametrize(
    "language,text",
    [
        ("es", "El gobierno de Chile anunció el lunes que enviará ayuda humanitaria a los países vecinos afectados por las lluvias."),
        ("it", "Il ministro degli Esteri ha incontrato ieri a Roma il suo omologo tunisino per discutere dei flussi migratori."),
        ("nl", "De minister van Buitenlandse Zaken heeft dinsdag in Den Haag gesproken met zijn Belgische collega over de grens."),
        ("pl", "Minister spraw zagranicznych spotkał się we wtorek w Warszawie z ambasadorem Niemiec w sprawie granicy."),
        ("ru", "Министр иностранных дел провёл во вторник переговоры со своим турецким коллегой в Москве."),
        ("tr", "Dışişleri Bakanı salı günü Ankara'da Yunan mevkidaşı ile bir araya gelerek deniz sınırlarını görüştü."),
    ],
)
def test_other_languages_are_rejected(tmp_path, language, text):
    items = load([write(tmp_path / "a.txt", text), write(tmp_path / "b.txt", ENGLISH)])
    assert isinstance(items[0], Rejection) and items[0].reason == f"not English (detected: {language})"
    assert isinstance(items[1], Article)


@pytest.mark.parametrize(
    "text",
    [
        "Erdogan and Putin met in Sochi.",
        "Wang Yi met Dmytro Kuleba in Kyiv on Monday.",
        "Scholz, Macron and Meloni arrived in Kyiv by train on Thursday, Ukrainian officials said.",
        "Lavrov accused NATO of escalation.",
    ],
)
def test_short_english_with_foreign_names_is_kept(tmp_path, text):
    [article] = load([write(tmp_path / "s.txt", text)])
    assert isinstance(article, Article), article
    assert article.language == "en"
    assert article.body == text


# ---------------------------------------------------------------- HTML


def test_html_page():
    [article] = load([FIXTURES / "harbour_talks.html"], published=date(2000, 1, 1))
    assert article.headline == "Envoys agree to reopen Black Sea grain corridor talks"
    assert article.publisher == "Harbour Ledger"
    assert article.byline == "Mira Castellan"
    assert article.published == date(2023, 8, 14)  # metadata beats the argument
    assert article.body.startswith("Turkish and United Nations mediators said on Monday")
    assert "voyages to Odesa" in article.body
    for furniture in ("Skip to main content", "Sign up for our newsletter", "All rights reserved", "Markets"):
        assert furniture not in article.text
    assert article.headline not in article.body
    for seg in article.segments:
        assert article.text[seg.text_start : seg.text_start + seg.length] == article.body[
            seg.body_start : seg.body_start + seg.length
        ]


def test_html_date_from_page_when_no_metadata(tmp_path):
    html = (
        "<html><head><title>Talks in Oslo</title></head><body><article>"
        '<p class="dateline"><time datetime="2021-06-17">June 17, 2021</time></p>'
        f"<p>{ENGLISH}</p><p>Both governments welcomed the decision, diplomats said.</p>"
        "</article></body></html>"
    )
    [article] = load([write(tmp_path / "page.htm", html)], published=date(2000, 1, 1))
    assert article.published == date(2021, 6, 17)


def test_malformed_html_is_read_best_effort():
    [article] = load([FIXTURES / "broken_markup.html"])
    assert isinstance(article, Article)
    assert "Baltic foreign ministers met in Vilnius" in article.body
    assert "before the end of the year" in article.body


def test_html_without_article_text_is_rejected():
    [rejection] = load([FIXTURES / "nav_only.html"])
    assert isinstance(rejection, Rejection)
    assert rejection.reason == "no article text found in HTML"


def test_html_with_txt_extension_is_sniffed(tmp_path):
    html = f"<!DOCTYPE html><html><head><title>Oslo talks</title></head><body><p>{ENGLISH}</p></body></html>"
    [article] = load([write(tmp_path / "saved_page.txt", html)])
    assert article.text.strip() == ENGLISH


# ---------------------------------------------------------------- JSONL


def test_jsonl_good_and_bad_lines(tmp_path):
    path = FIXTURES / "wire_items.jsonl"
    items = load([path], published=date(2023, 12, 31))
    by_source = {i.source: i for i in items}
    first = by_source[f"{path}:1"]
    assert isinstance(first, Article)
    assert first.external_id == "wire-101"
    assert first.text.startswith("Chile and Peru signed an accord")
    assert first.body == first.text
    assert (first.publisher, first.headline, first.url) == (
        "Coastline Wire",
        "Chile and Peru sign fisheries accord",
        "https://example.org/wire-101",
    )
    assert first.published == date(2023, 11, 2)
    second = by_source[f"{path}:2"]
    assert second.external_id == "102" and second.published == date(2023, 11, 3)
    assert by_source[f"{path}:3"].reason.startswith("invalid JSON")
    assert by_source[f"{path}:4"].reason == "neither 'text' nor 'html'"
    assert by_source[f"{path}:5"].reason == "'text' must be a string"
    assert f"{path}:6" not in by_source  # a blank line is no item
    html_item = by_source[f"{path}:7"]
    assert html_item.headline == "Kenya offers police for Haiti mission"
    assert "Kenya's cabinet approved on Monday" in html_item.body
    assert by_source[f"{path}:8"].published == date(2023, 12, 31)  # no metadata: the argument
    assert by_source[f"{path}:9"].reason == "not a JSON object"
    assert [type(i).__name__ for i in items].count("Article") == 4


def test_jsonl_text_is_kept_exactly(tmp_path):
    import json

    text = "  Ghana and Togo reopen border\n\n" + ENGLISH + "\n"
    path = write(tmp_path / "items.ndjson", json.dumps({"id": "x1", "text": text}) + "\n")
    [article] = load([path])
    assert article.text == text
    assert article.source == f"{path}:1"


def test_jsonl_title_is_the_headline_and_unknown_fields_get_one_note(tmp_path):
    import json

    lines = [
        {"id": "t1", "title": "Ghana and Togo reopen border", "text": ENGLISH, "section": "world", "tags": ["a"]},
        {"id": "t2", "title": "Second", "headline": "The headline wins", "text": ENGLISH, "section": "world"},
        {"id": "t3", "text": ENGLISH, "wordcount": 40},
    ]
    path = write(tmp_path / "titled.jsonl", "\n".join(json.dumps(line) for line in lines) + "\n")
    first, second, third = load([path])
    assert first.headline == "Ghana and Togo reopen border" and second.headline == "The headline wins"
    assert len(first.notes) == 1 and "'section', 'tags' not read" in first.notes[0] and "headline" in first.notes[0]
    assert second.notes == [] and third.notes == []  # one note for the file, not one per line


# ---------------------------------------------------------------- WARC


def _html_page(title: str, paragraph: str) -> bytes:
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"<p>{paragraph}</p><p>Diplomats from both sides said the next round would follow within weeks.</p>"
        "</article></body></html>"
    ).encode("utf-8")


_PAGES = [
    ("Peru and Bolivia sign water deal", "Peru and Bolivia signed an agreement on Lake Titicaca's water levels on Monday."),
    ("Vietnam hosts Mekong summit", "Vietnam hosted leaders of the Mekong countries in Hanoi on Tuesday, officials said."),
    ("Mongolia opens rail link", "Mongolia opened a new rail link to the Chinese border on Wednesday, its government said."),
]


def make_warc(path: Path, gzip: bool) -> Path:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        for i, (title, paragraph) in enumerate(_PAGES):
            uri = f"https://news.example.net/story/{i}"
            request = writer.create_warc_record(uri, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
            writer.write_record(request)
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            response = writer.create_warc_record(
                uri, "response", payload=io.BytesIO(_html_page(title, paragraph)), http_headers=headers
            )
            writer.write_record(response)
        image_headers = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        image = writer.create_warc_record(
            "https://news.example.net/logo.png", "response", payload=io.BytesIO(b"\x89PNG...."), http_headers=image_headers
        )
        writer.write_record(image)
    return path


@pytest.mark.parametrize("name,gzip", [("crawl.warc", False), ("crawl.warc.gz", True)])
def test_warc_response_records(tmp_path, name, gzip):
    path = make_warc(tmp_path / name, gzip)
    items = load([path])
    assert all(isinstance(i, Article) for i in items), items
    assert [a.headline for a in items] == [title for title, _ in _PAGES]
    assert [a.source for a in items] == [f"{path}#record-{n}" for n in (2, 4, 6)]
    assert [a.url for a in items] == [f"https://news.example.net/story/{i}" for i in range(3)]
    assert all(a.external_id and a.external_id.startswith("<urn:uuid:") for a in items)
    assert items[0].body.startswith("Peru and Bolivia signed an agreement")


@pytest.mark.parametrize("name,gzip", [("crawl.warc", False), ("crawl.warc.gz", True)])
@pytest.mark.parametrize("fraction", [0.35, 0.5, 0.62, 0.75, 0.8, 0.9, 0.97])
def test_truncated_warc(tmp_path, name, gzip, fraction):
    whole = make_warc(tmp_path / ("whole-" + name), gzip).read_bytes()
    # cut part way: the pages before the cut survive, then one Rejection
    cut = whole[: int(len(whole) * fraction)]
    path = write(tmp_path / name, cut)
    items = load([path])
    pages = articles(items)
    assert [a.headline for a in pages] == [title for title, _ in _PAGES[: len(pages)]]
    assert len(pages) <= 3
    assert all(isinstance(i, Article) for i in items[:-1])
    assert isinstance(items[-1], Rejection)
    assert items[-1].source == str(path)
    assert items[-1].reason.startswith("truncated WARC after ")
    assert int(items[-1].reason.split()[3]) >= 2 * len(pages)


def test_file_named_warc_that_is_not_one(tmp_path):
    [rejection] = load([write(tmp_path / "fake.warc", ENGLISH)])
    assert isinstance(rejection, Rejection)
    assert "WARC" in rejection.reason


# ---------------------------------------------------------------- directories, globs, stdin


def test_directory_is_walked_recursively(tmp_path):
    write(tmp_path / "b" / "nested" / "two.txt", ENGLISH)
    write(tmp_path / "a_one.txt", "Ghana and Togo reopen border\n\n" + ENGLISH)
    write(tmp_path / ".hidden.txt", ENGLISH)
    shutil.copy(FIXTURES / "harbour_talks.html", tmp_path / "b" / "page.html")
    items = load([tmp_path])
    assert [Path(i.source).name for i in items] == ["a_one.txt", "page.html", "two.txt"]
    assert all(isinstance(i, Article) for i in items)


def test_glob_and_missing_paths(tmp_path):
    write(tmp_path / "one.txt", ENGLISH)
    write(tmp_path / "two.txt", ENGLISH)
    write(tmp_path / "three.html", "<p>x</p>")
    items = load([tmp_path / "*.txt", tmp_path / "nothing-*.txt", tmp_path / "absent.txt"])
    assert [Path(i.source).name for i in articles(items)] == ["one.txt", "two.txt"]
    missing = rejections(items)
    assert [r.source for r in missing] == [str(tmp_path / "nothing-*.txt"), str(tmp_path / "absent.txt")]
    assert all(r.reason.startswith("no such file") for r in missing)


class _Stdin:
    def __init__(self, data: bytes):
        self.buffer = io.BytesIO(data)


@pytest.mark.parametrize(
    "data,expected",
    [
        (("Ghana and Togo reopen border\n\n" + ENGLISH).encode(), ["-"]),
        (b'{"id": "s1", "text": "' + ENGLISH.encode() + b'"}\n{"id": "s2"}\n', ["-:1", "-:2"]),
        (b"<!doctype html><html><body><p>" + ENGLISH.encode() + b"</p></body></html>", ["-"]),
    ],
)
def test_stdin_formats_are_sniffed(monkeypatch, data, expected):
    monkeypatch.setattr(sys, "stdin", _Stdin(data))
    items = list(load_articles(["-"], Settings()))
    assert [i.source for i in items] == expected
    assert isinstance(items[0], Article)
    assert ENGLISH in items[0].body


def test_stdin_warc(monkeypatch, tmp_path):
    data = make_warc(tmp_path / "in.warc.gz", gzip=True).read_bytes()
    monkeypatch.setattr(sys, "stdin", _Stdin(data))
    items = list(load_articles(["-"], Settings()))
    assert [i.source for i in items] == ["-#record-2", "-#record-4", "-#record-6"]


def test_empty_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Stdin(b""))
    [rejection] = list(load_articles(["-"], Settings()))
    assert isinstance(rejection, Rejection)


# ---------------------------------------------------------------- dates and formats


def test_published_precedence(tmp_path):
    import json

    lines = [
        json.dumps({"id": "m", "text": ENGLISH, "published": "2020-02-02"}),
        json.dumps({"id": "n", "text": ENGLISH}),
        json.dumps({"id": "b", "text": ENGLISH, "published": "not a date"}),
    ]
    path = write(tmp_path / "dates.jsonl", "\n".join(lines))
    with_arg = load([path], published=date(2021, 1, 1))
    assert [a.published for a in with_arg] == [date(2020, 2, 2), date(2021, 1, 1), date(2021, 1, 1)]
    without = load([path])
    assert [a.published for a in without] == [date(2020, 2, 2), None, None]  # never today
    [plain] = load([write(tmp_path / "plain.txt", ENGLISH)])
    assert plain.published is None


def test_detect_format():
    assert detect_format("a.warc.gz", b"") == "warc"
    assert detect_format("a.JSONL", b"") == "jsonl"
    assert detect_format("page.HTM", b"plain") == "html"
    assert detect_format("notes", b'{"text": "x"}\n') == "jsonl"
    assert detect_format("notes.txt", b'{"text": "x"}\n') == "text"
    assert detect_format("dump", b"WARC/1.0\r\n") == "warc"
    assert detect_format("dump.txt", b"  <html><body>") == "html"
    assert detect_format("story", b"The minister said.") == "text"


def test_whole_batch_survives_a_mix_of_bad_inputs(tmp_path):
    make_warc(tmp_path / "full.warc", gzip=False)
    truncated = (tmp_path / "full.warc").read_bytes()[:700]
    write(tmp_path / "cut.warc", truncated)
    write(tmp_path / "bin.txt", b"\x00" * 100)
    write(tmp_path / "bad.jsonl", b"\xff\xfe{not json\n")
    write(tmp_path / "arr.json", b'[{"text": "x"}]')
    write(tmp_path / "ok.txt", ENGLISH)
    items = load([tmp_path, tmp_path / "missing.txt"])
    assert any(isinstance(i, Article) and i.text == ENGLISH for i in items)
    assert len(rejections(items)) >= 5


# ---------------------------------------------------------------- no input crashes a batch

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(
        st.binary(max_size=600),
        st.text(max_size=600).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.sampled_from([b"WARC/1.0\r\n", b"\x1f\x8b\x08\x00", b'{"text": ', b"<html><p>", b"[1, 2"]).flatmap(
            lambda head: st.binary(max_size=300).map(lambda tail: head + tail)
        ),
    ),
    suffix=st.sampled_from([".txt", "", ".html", ".jsonl", ".warc", ".warc.gz", ".json", ".md"]),
)
def test_arbitrary_bytes_never_raise(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"input{suffix}"
    path.write_bytes(data)
    items = load([path], max_bytes=400)
    assert all(isinstance(i, Article | Rejection) for i in items)
    for item in items:
        if isinstance(item, Article):
            assert item.language == "en"
            for seg in item.segments:
                assert item.text[seg.text_start : seg.text_start + seg.length] == item.body[
                    seg.body_start : seg.body_start + seg.length
                ]
