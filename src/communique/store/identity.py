"""Pure helpers for the store: global ids, actor identity keys, dates, and values safe to write.

Nothing here touches the database, so the rules can be read (and tested) on their own.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from sqlalchemy import JSON, Integer, String, Table

from communique.models import content_id

MAX_KEY = 255  # matches schema.KEY
MAX_LOCAL_ID = 40  # local ids longer than this are replaced by their position in scoped ids
INT32 = (-(2**31), 2**31 - 1)  # the range of an INTEGER column on PostgreSQL


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def article_id(body: str, text: str) -> str:
    """The store's id of an article: the hash of its normalised body, as `Article.id` computes it."""
    try:
        return content_id(body or text)
    except UnicodeEncodeError:  # lone surrogates, which UTF-8 cannot encode: hash the stored form
        return content_id(safe_text(body or text))


def normalise_name(name: str) -> str:
    """A name's identity form: accents and punctuation dropped, case folded, single spaces.

    "Dmytro  Kuleba", "dmytro kuleba" and "Dmytro Kuleba." share one form; so do "Zelenskyy" spelt
    with and without diacritics on letters that carry them.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = re.sub(r"[\W_]+", " ", stripped.casefold()).split()
    return " ".join(words) or " ".join(name.casefold().split())


def normalise_country(country: str | None) -> str | None:
    country = (country or "").strip().upper()
    return country or None


def _fit_key(key: str) -> str:
    key = safe_text(key)
    if len(key) <= MAX_KEY:
        return key
    return key[: MAX_KEY - 33] + "#" + _sha(key)[:32]


def kb_key(kb_id: str | None) -> str | None:
    kb_id = (kb_id or "").strip()
    return _fit_key("kb:" + kb_id) if kb_id else None


def name_key(name: str, country: str | None) -> str:
    return _fit_key(f"name:{normalise_name(name)}|{normalise_country(country) or ''}")


def actor_keys(name: str, country: str | None, kb_id: str | None) -> list[str]:
    """The identity keys of an actor, strongest first: its KB id (if any), then name + country."""
    keys = [kb_key(kb_id), name_key(name, country)]
    return [k for k in keys if k]


def actor_id_for_key(key: str) -> str:
    """A global actor id, derived from the key the actor was first stored under."""
    return "A" + _sha(key)[:16]


def rejection_id(source: str, reason: str) -> str:
    return _sha(source + "\n" + reason)[:32]


class ScopedIds:
    """Global ids for an article's quotes or events: "<article id>:<local id>".

    Local ids are only unique within one extraction, and a malformed one may repeat or be long;
    those fall back to "<article id>:#<position>", which is unique by construction.
    """

    def __init__(self, article: str):
        self.article = article
        self.used: set[str] = set()

    def __call__(self, local_id: str, position: int) -> str:
        candidate = f"{self.article}:{local_id}"
        if not local_id or len(local_id) > MAX_LOCAL_ID or candidate in self.used or "#" in local_id:
            candidate = f"{self.article}:#{position}"
        self.used.add(candidate)
        return candidate


# ---------------------------------------------------------------- values safe for both backends

_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def safe_text(value: str) -> str:
    """NUL (which PostgreSQL text refuses) and lone surrogates (which UTF-8 cannot encode) become
    U+FFFD, one character for one so that stored offsets still line up."""
    return _UNSAFE.sub("\ufffd", value) if _UNSAFE.search(value) else value


def safe_json(value):
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, (list, tuple)):
        return [safe_json(v) for v in value]
    if isinstance(value, dict):
        return {safe_text(str(k)): safe_json(v) for k, v in value.items()}
    if isinstance(value, int) and not isinstance(value, bool) and not INT32[0] <= value <= INT32[1]:
        return None
    return value


def safe_row(table: Table, row: dict) -> dict:
    """`row` with every value made writable to `table` on SQLite and PostgreSQL alike: text cleaned,
    strings cut to their column's length, integers outside 32 bits dropped (or clamped when the
    column is required)."""
    out = {}
    for name, value in row.items():
        column = table.c[name]
        if isinstance(column.type, JSON):
            value = safe_json(value)
        elif isinstance(value, str):
            value = safe_text(value)
            length = getattr(column.type, "length", None) if isinstance(column.type, String) else None
            if length and len(value) > length:
                value = value[:length]
        elif (
            isinstance(value, int)
            and not isinstance(value, bool)
            and isinstance(column.type, Integer)
            and not INT32[0] <= value <= INT32[1]
        ):
            value = min(max(value, INT32[0]), INT32[1]) if not column.nullable else None
        out[name] = value
    return out
