"""One address per article: tracking parameters, AMP and mobile editions and fragments taken off.

courlan normalises the URL (scheme and host case, default ports, sorted query, its own list of
tracking parameters); the rules in `url_rules.yaml` then drop the parameters and host and path
variants that outlets add for AMP, mobile and campaign links. `canonical_url` is the identity of a
watched article (`watch_items.url`); `fetch_url` is what is requested: the listed link without its
tracking parameters, but otherwise as the outlet gave it (a guessed desktop address may not exist).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import yaml

_CANONICAL_LINK = re.compile(
    rb"""<link\b[^>]*\brel\s*=\s*["']?canonical["'\s>][^>]*>""", re.IGNORECASE
)
_HREF = re.compile(rb"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


@lru_cache(maxsize=1)
def _rules() -> dict:
    with (resources.files("communique") / "watch" / "url_rules.yaml").open("r", encoding="utf-8") as handle:
        rules = yaml.safe_load(handle)
    return {
        "drop": {p.lower() for p in rules["drop_parameters"]},
        "prefixes": tuple(p.lower() for p in rules["drop_parameter_prefixes"]),
        "labels": tuple(rules["edition_host_labels"]),
        "amp_suffixes": tuple(sorted(rules["amp_path_suffixes"], key=len, reverse=True)),
    }


def is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _strip_query(query: str) -> str:
    rules = _rules()
    kept = [
        (k, v)
        for k, v in parse_qsl(query, keep_blank_values=True)
        if k.lower() not in rules["drop"] and not k.lower().startswith(rules["prefixes"])
    ]
    return urlencode(sorted(kept))


def fetch_url(url: str) -> str:
    """The link as listed, without tracking parameters or fragment (what is requested)."""
    from courlan import normalize_url

    try:
        url = normalize_url(url.strip())  # not strict: that keeps only a short list of known parameters
    except Exception:  # noqa: BLE001 - courlan on an odd URL: keep ours
        pass
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", _strip_query(parts.query), ""))


def canonical_url(url: str) -> str:
    """The article's one address: `fetch_url`, then https, no edition label (m., amp., www.) on the
    host, no AMP path ending and no trailing slash."""
    parts = urlsplit(fetch_url(url))
    host = (parts.hostname or "").lower()
    labels = host.split(".")
    while len(labels) > 2 and labels[0] in _rules()["labels"]:
        labels = labels[1:]
    host = ".".join(labels)
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    lowered = path.lower()
    for suffix in _rules()["amp_suffixes"]:
        if lowered.endswith(suffix) and len(path) > len(suffix):
            path = path[: -len(suffix)]
            break
    if path.lower().startswith("/amp/"):
        path = path[4:]
    path = path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, parts.query, ""))


def url_id(url: str) -> str:
    """The short id of a canonical URL (a key that fits every backend's index)."""
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def canonical_link(html: bytes, base: str) -> str | None:
    """The page's own `<link rel="canonical">`, absolute, when it names a web address."""
    match = _CANONICAL_LINK.search(html[:200_000])
    if not match:
        return None
    href = _HREF.search(match.group(0))
    if not href:
        return None
    value = next(g for g in href.groups() if g is not None).decode("utf-8", "replace").strip()
    absolute = urljoin(base, value)
    return absolute if is_web_url(absolute) else None


def host_of(url: str) -> str:
    """scheme://host[:port]: the unit robots.txt and the rate limits apply to."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"
