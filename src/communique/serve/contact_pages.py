"""The pages about a pair of sides: the last contact (when two sides last talked before a date, the
reports of it with their source chains, what each side said around it, the contacts before and
after) and the counts by month; and the claims check of an article, and the favicon. The sides may
be codes, country names or demonyms, organisations or people (see `sides`)."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select

from communique.query.record import next_contact
from communique.serve import cache, counts, marks, params, sides, statements
from communique.serve.pages import article_text, missing, reader, render
from communique.store.schema import events

router = APIRouter(include_in_schema=False)

REPORTS_SHOWN = 12  # reports side by side; the event page lists them all


def contact_href(a: str, b: str, before: date | None, level: str) -> str:
    query = {k: v for k, v in (("before", before.isoformat() if before else ""), ("level", level if level != "any" else "")) if v}
    return f"/last-contact/{quote(a, safe='')}/{quote(b, safe='')}" + ("?" + urlencode(query) if query else "")


def side_note(sa: sides.SideName, sb: sides.SideName) -> str:
    """How the typed sides were read, when that is not plain from the heading."""
    read = []
    for s in (sa, sb):
        if s.reread:
            read.append(f"“{s.term}” is read as {s.name} ({s.code}).")
        elif s.kind == "actor":
            read.append(f"“{s.term}” is read as an actor's name.")
    return " ".join(read)


@router.get("/last-contact", response_class=HTMLResponse)
def last_contact_form(request: Request, a: str = "", b: str = "", before: str = "", level: str = ""):
    a, b = a.strip(), b.strip()
    if a and b:
        query = {k: v for k, v in (("before", before.strip()), ("level", level.strip())) if v and v != "any"}
        target = f"/last-contact/{quote(a, safe='')}/{quote(b, safe='')}" + ("?" + urlencode(query) if query else "")
        return RedirectResponse(target, status_code=303)
    return render(request, "last_contact.html", asked=False, problem=None, before=None, level="any", levels=params.LEVELS)


@router.get("/last-contact/{a}/{b}", response_class=HTMLResponse)
def last_contact(request: Request, a: str, b: str, before: str = "", level: str = ""):
    r = reader(request)
    sa, sb = sides.describe(r.store, a), sides.describe(r.store, b)
    page = {"asked": True, "sa": sa, "sb": sb, "levels": params.LEVELS, "side_note": side_note(sa, sb)}
    try:
        day = params.day("before", before)
        level = params.one_of("level", level, params.LEVELS) or "any"
    except params.BadParameter as exc:
        return render(request, "last_contact.html", status=422, problem=str(exc), before=None, level="any", **page)
    page.update(before=day, level=level, problem=None)
    found = r.last_contact(a, b, before=day, level=level)
    if found is None:
        offers = []
        for which, s in (("a", sa), ("b", sb)):
            if s.kind == "country":
                continue
            for option in sides.suggestions(r.store, s.term):
                pair = (option["code"], b) if which == "a" else (a, option["code"])
                offers.append({"label": f"{option['name']} ({option['code']}) for “{s.term}”",
                               "href": contact_href(*pair, day, level)})
        return render(request, "last_contact.html", status=200, contact=None, suggestions=offers, **page)
    event = r.event(found["id"]) or found
    previous = following = None
    when = found.get("date")
    if when:
        when = date.fromisoformat(when[:10])
        earlier = r.last_contact(a, b, before=when, level=level)
        if earlier and earlier.get("date") and earlier["id"] != found["id"]:
            previous = {**earlier, "href": contact_href(a, b, when, level)}
        with r.store.engine.connect() as conn:
            later = next_contact(conn, a, b, after=when, level=level)
            said = statements.statements(conn, event, statements.by_side(event, [sa, sb]))
        if later:
            following = {**later, "href": contact_href(a, b, date.fromisoformat(later["date"][:10]) + timedelta(days=1), level)}
    else:
        said = [{"label": s.name, "quotes": [], "window": None} for s in (sa, sb)]
    return render(
        request, "last_contact.html", contact=event, columns=marks.report_columns(event["reports"][:REPORTS_SHOWN], lambda ident: article_text(r, ident)), previous=previous,
        following=following, said=said, undated=r.undated_contacts(a, b, level=level), **page,
    )


@router.get("/claims/{article_id}", response_class=HTMLResponse)
def claims(request: Request, article_id: str):
    r = reader(request)
    found = r.check_claims(article_id)
    if found is None:
        return missing(request, "article", article_id, "Pick an article from the list of articles.")
    article = r.article(article_id) or {"article": {}}
    return render(request, "claims.html", claims=found, article_id=article["article"].get("id", article_id),
                  headline=article["article"].get("headline"))


@router.get("/favicon.ico", include_in_schema=False)
def favicon():
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/counts", response_class=HTMLResponse)
def record_counts(request: Request):
    with reader(request).store.engine.connect() as conn:
        dated = conn.execute(select(func.count()).select_from(events).where(events.c.date.is_not(None))).scalar() or 0
        drawn = counts.chart(cache.kept(conn, "record months", dated, lambda: counts.record_months(conn)))
    return render(request, "counts.html", sa=None, sb=None, chart=drawn, problem=None)


@router.get("/counts/{a}/{b}", response_class=HTMLResponse)
def dyad_counts(request: Request, a: str, b: str):
    r = reader(request)
    sa, sb = sides.describe(r.store, a), sides.describe(r.store, b)
    if not (sa.code and sb.code):
        named = " and ".join(f"“{s.term}”" for s in (sa, sb) if not s.code)
        return render(request, "counts.html", sa=sa, sb=sb, chart=None, status=422,
                      problem=f"Counts by month are kept per pair of countries (or organisations): {named} is no country "
                              "the record knows. Give a code such as CHN or a name such as China.")
    with r.store.engine.connect() as conn:
        drawn = counts.chart(counts.dyad_months(conn, *sorted((sa.code, sb.code))))
    return render(request, "counts.html", sa=sa, sb=sb, chart=drawn, problem=None)
