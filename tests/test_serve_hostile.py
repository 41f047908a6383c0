"""No script from the record: a store full of hostile input (script tags, event-handler attributes,
javascript: and data: URLs, SVG, broken entities) in every field the pages show, every page rendered,
and each page parsed as a browser would tokenise it: no executable construct may appear. Every answer
carries the security headers (docs/security.md)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from fastapi.testclient import TestClient

from communique.models import Actor, ArticleOut, Event, Extraction, Quote, content_id
from communique.serve import create_app
from communique.serve.security import web_url

pytest_plugins = ["store_db"]

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "' onmouseover='alert(3)' x='",
    "<svg onload=alert(4)><script>alert(5)</script></svg>",
    "javascript:alert(6)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCg3KTwvc2NyaXB0Pg==",
    "&lt;script&gt;alert(8)&lt;/script&gt; &#x3C;script&#x3E; &amp &#0; &#xD800;",
    '<a href="javascript:alert(9)">click</a>',
    "</textarea></title></style><iframe src=javascript:alert(10)>",
    '<style>body{background:url("javascript:alert(11)")}</style>',
    '<math><mi xlink:href="javascript:alert(12)">x</mi></math>',
    '<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=javascript:alert(13)">',
    '<object data="data:text/html,<script>alert(14)</script>"></object><embed src=x>',
    "<!--<img src=--><img src=x onerror=alert(15)//-->",
    "{{ 7*7 }}{% raw %} ${alert(16)} `alert(17)`",
    "\u202e<scr\u200bipt>alert(18)</script> \ufeff",
]
URLS = [
    "javascript:alert(101)",
    "JaVaScRiPt:alert(102)",
    " javascript:alert(103)",
    "java\tscript:alert(104)",
    "java\nscript:alert(105)",
    "data:text/html,<script>alert(106)</script>",
    "vbscript:msgbox(107)",
    "//evil.example/path",
    "https://news.example/ok\"><script>alert(108)</script>",
    "http://news.example/plain",
    "\x01javascript:alert(109)",
    "&#106;avascript:alert(110)",
]
_COUNTRIES = ["NOR", "KEN", "<script>alert(20)</script>", "BRA"]

# elements that run, load or redirect: none may come from the record
_FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "math", "template",
                   "img", "video", "audio", "source", "link", "meta", "textarea", "noscript", "portal"}
_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc",
              "srcset", "ping", "manifest", "codebase", "cite", "longdesc"}
_OUR_OWN = {("script", "src", "/static/app.js"), ("link", "href", "/static/style.css"),
            ("link", "href", "/static/favicon.svg")}


def _hostile_extraction(i: int, payload: str) -> Extraction:
    """One article with `payload` in every text field the pages show; two actors, a quote, an event."""
    a_name, b_name = f"Ana {payload} Vik", f"Ben {payload} Oduya"
    words = f"We will {payload} never stop"
    evidence = f"{a_name} spoke by phone with {b_name} on Tuesday"
    text = f'{evidence}. "{words}," {b_name} said. {payload} The talks went on. Case {i}.'
    article = ArticleOut(
        id=content_id(text), url=URLS[i % len(URLS)], publisher=f"{payload} Wire", headline=payload,
        byline=f"By {payload}", published=f"2024-03-{i % 28 + 1:02d}", language="en", text=text, body=text,
        source=f"hostile-{i}.jsonl:{i}",
    )

    def span(needle: str) -> tuple[int, int]:
        start = text.index(needle)
        return (start, start + len(needle))

    actors = [
        Actor(id="a0", name=a_name, country=_COUNTRIES[i % 2], sector="GOV", role=f"minister {payload}",
              kind="person", mentions=[span(a_name)]),
        Actor(id="a1", name=b_name, country=_COUNTRIES[(i + 1) % 2 if i % 5 else 2], sector=payload[:8],
              role=payload, kind="person", mentions=[span(b_name)]),
    ]
    quotes = [Quote(id="q1", kind="direct", text=words, speaker="a1", speaker_text=b_name, cue=payload,
                    via=[payload], channel=payload, content_span=span(words))]
    events = [Event(id="e1", type="CONSULT" if i % 3 else payload[:20], mode=payload[:30], actors=["a0"],
                    recipients=["a1"], date=f"2024-03-{i % 28 + 1:02d}", date_precision="day",
                    location=payload, evidence=evidence, evidence_span=span(evidence), reported_by=[payload])]
    return Extraction(article=article, actors=actors, quotes=quotes, events=events)


class _Constructs(HTMLParser):
    """Executable or loading constructs in a page, as an HTML tokeniser sees them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if (tag, name, value) in _OUR_OWN:
                continue
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            elif name in _URL_ATTRS and not _safe_url(value):
                self.found.append(f"<{tag} {name}={value[:60]!r}>")
            elif name == "style" and re.search(r"url\(|expression|javascript|@import|\\", value, re.I):
                self.found.append(f"<{tag} style={value[:60]!r}>")
        if tag == "script":
            if not any((tag, n, v) in _OUR_OWN for n, v in attrs):
                self.found.append("<script> not our own")
            self._in_script = True
        elif tag in _FORBIDDEN_TAGS and not any((tag, n, v) in _OUR_OWN for n, v in attrs) and not (
            tag == "meta" and {n for n, _ in attrs} <= {"charset", "name", "content"} and
            dict(attrs).get("name") in (None, "viewport")
        ):
            self.found.append(f"<{tag}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append("inline script")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def _safe_url(value: str) -> bool:
    """A relative link into the site, or an absolute http(s) URL, as a browser would read the value
    (controls and whitespace dropped)."""
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", value)
    if cleaned.startswith(("#", "?")) or (cleaned.startswith("/") and not cleaned.startswith(("//", "/\\"))):
        return True
    return urlsplit(cleaned).scheme.lower() in ("http", "https") and web_url(value) is not None


@pytest.fixture
def hostile(store):
    items = [_hostile_extraction(i, payload) for i, payload in enumerate(PAYLOADS)]
    report = store.ingest(items)
    assert report.errors == [] and report.added == len(PAYLOADS)
    return store


def _pages(client) -> list[str]:
    """Every page of the hostile record: the lists, each article, actor and event, the timelines of
    every pair, searches and missing ids holding the payloads."""
    api = client.get
    pages = ["/", "/articles", "/articles?offset=5", "/actors", "/timeline", "/search", "/docs"]
    articles = api("/api/articles", params={"limit": 500}).json()["items"]
    actors = api("/api/actors", params={"limit": 500}).json()["items"]
    events = api("/api/events", params={"limit": 500}).json()["items"]
    assert len(articles) == len(PAYLOADS) and actors and events
    pages += [f"/article/{quote(a['id'], safe='')}" for a in articles]
    pages += [f"/actor/{quote(a['id'], safe='')}" for a in actors]
    pages += [f"/event/{quote(e['id'], safe='')}" for e in events]
    codes = sorted({a["country"] for a in actors if a.get("country")})
    pages += [f"/timeline/{quote(x, safe='')}/{quote(y, safe='')}" for x in codes for y in codes if x < y]
    pages += [f"/timeline/{quote(actors[0]['name'], safe='')}/{quote(actors[1]['name'], safe='')}"]
    for payload in PAYLOADS[:8]:
        p = quote(payload, safe="")
        pages += [f"/search?q={p}", f"/actors?q={p}&country={p[:16]}", f"/article/{p}", f"/actor/{p}", f"/event/{p}",
                  f"/timeline/{p}/{p}?type={p[:32]}", f"/timeline?a={p}&b="]
    pages += ["/search?q=never", "/search?q=phone", "/search?q=talks"]
    return pages


def test_no_page_carries_an_executable_construct_from_hostile_input(hostile):
    with TestClient(create_app(hostile, token="")) as client:
        pages = _pages(client)
        found: dict[str, list[str]] = {}
        shown = 0
        for page in pages:
            got = client.get(page)
            assert got.status_code in (200, 404, 422), (page, got.status_code)
            if got.status_code == 200:
                assert got.headers["content-type"].startswith("text/html"), page
            parser = _Constructs()
            parser.feed(got.text)
            parser.close()
            if parser.found:
                found[page] = parser.found
            shown += sum(1 for p in PAYLOADS if p.split("(")[0][:12] in _unescaped_text(got.text))
    print(f"hostile render: {len(PAYLOADS)} payloads and {len(URLS)} URLs, {len(pages)} pages, "
          f"{sum(map(len, found.values()))} executable constructs")
    assert found == {}
    assert shown > len(PAYLOADS)  # the payloads are on the pages, as text


def _unescaped_text(page: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]*>", "", page))


def test_only_http_urls_become_links_others_are_shown_as_text(hostile):
    with TestClient(create_app(hostile, token="")) as client:
        for item in client.get("/api/articles", params={"limit": 500}).json()["items"]:
            found = client.get(f"/api/articles/{quote(item['id'], safe='')}").json()["article"]
            page = client.get(f"/article/{quote(item['id'], safe='')}").text
            original = re.search(r'<a href="([^"]*)" rel="noreferrer noopener">original</a>', page)
            if found["url"].startswith(("http://", "https://")):
                assert original is not None
            else:
                assert original is None and "original: <code>" in page


@pytest.mark.parametrize(
    ("value", "link"),
    [("https://news.example/a?b=c#d", True), ("http://x.example", True), ("HTTPS://X.EXAMPLE/", True),
     ("javascript:alert(1)", False), (" javascript:alert(1)", False), ("java\tscript:alert(1)", False),
     ("data:text/html,x", False), ("//evil.example/", False), ("/relative/path", False), ("https:///nohost", False),
     ("https://ex ample.com", False), ("https://[::1", False), ("", False), (None, False), (42, False)],
)
def test_web_url_lets_through_absolute_http_urls_only(value, link):
    assert (web_url(value) is not None) == link


def test_every_answer_carries_the_security_headers(hostile):
    app = create_app(hostile, token="")

    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("/secret/path SELECT * FROM articles")

    with TestClient(app, raise_server_exceptions=False) as client:
        article = client.get("/api/articles").json()["items"][0]["id"]
        answers = {
            path: client.get(path)
            for path in ["/", f"/article/{article}", "/api/articles", "/api/articles/nope", "/static/style.css",
                         "/static/app.js", "/openapi.json", "/no-such-page", "/articles?offset=-1",
                         "/api/articles?limit=100000", "/api/search?q=%00", "/boom-for-test"]
        }
        answers["POST /api/articles"] = client.post("/api/articles", json={"text": "x"})
    for path, got in answers.items():
        csp = got.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "default-src 'none'" in csp, path
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0], path
        assert got.headers.get("x-content-type-options") == "nosniff", path
        assert got.headers.get("referrer-policy") == "no-referrer", path
    crash = answers["/boom-for-test"]
    assert crash.status_code == 500 and "/secret" not in crash.text and "SELECT" not in crash.text
    assert crash.json()["detail"].startswith("internal error")


def test_the_pages_hold_no_inline_script_and_no_database_url(hostile):
    with TestClient(create_app(hostile, token="")) as client:
        for path in ["/", "/articles", "/actors", "/search?q=talks", "/docs", "/article/nope", "/timeline/NOR/KEN"]:
            page = client.get(path).text
            assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", page), path
            url = str(hostile.engine.url)
            assert url not in page and hostile.engine.url.database not in page, path
            assert not re.search(r"sqlite|postgres|psycopg", page, re.I), path


def test_the_security_page_is_linked_from_the_serve_section_and_states_the_headers_sent():
    from pathlib import Path

    from communique.serve.security import CONTENT_SECURITY_POLICY, SECURITY_HEADERS

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text("utf-8")
    serve_section = readme.split("### Serve", 1)[1].split("\n### ", 1)[0]
    assert "(docs/security.md)" in serve_section
    page = (root / "docs" / "security.md").read_text("utf-8")
    assert f"`{CONTENT_SECURITY_POLICY}`" in page
    for name, value in SECURITY_HEADERS.items():
        assert f"`{value}`" in page and name.lower() in page.lower(), name
