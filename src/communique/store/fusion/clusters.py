"""Which fused event each event report belongs to, independent of the order reports arrive in.

Reports are grouped by a canonical greedy pass: the reports to group are sorted by how specific they
are (date precision, then fewer country-level stand-ins such as "the government", then date, then
id) and each joins the best group it is compatible with, else starts one (`fusion` says what
compatible means). A fused event's id is the smallest report id of its group, so it names the
group, not whichever report came first.

A new report is placed by regrouping its neighbourhood: itself and every stored event one of whose
reports it could share an event with (same type and status, a matching participant, overlapping
dates). New reports placed together (`place_reports`: an article's, or a bulk batch's) are
regrouped with each other and their neighbourhoods, linked into components by the same test.
Regrouping lets one report merge two events (a report naming both sides of a call that two
one-sided reports gave) and lets a more specific report take over a group. The result depends on
the set of reports only as long as regrouping one neighbourhood does not change what a report
outside it would choose. When regrouping splits or merges stored events, or narrows one (new reports
shorten its window or add participants), the neighbours of their reports are brought in and the set
regrouped again (a few rounds, a few hundred reports at most, to keep one insert bounded).
Hypothesis tests (tests/test_fusion_order.py) shuffle sets of overlapping reports and find the same
events; the narrowing case was found by random runs (one actor's reports dated week - week - month -
week - day, where a day report narrowed the event it joined and a report outside the set would then
have chosen differently).

What grouping compares of an actor (country, rank) is read when a report is placed; an actor a
later article completes refreshes its events' participants and dyads (`records.refresh_events`),
not their grouping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from communique.store import identity
from communique.store.fusion.dates import (
    PRECISION_RANK,
    describe_date,
    report_window,
)
from communique.store.fusion.dates import (
    overlap as window_overlap,
)
from communique.store.fusion.participants import (
    Participant,
    build_participants,
    chunks,
    known_actors,
    overlap,
    share_one,
)
from communique.store.fusion.keys import candidate_events
from communique.store.fusion.records import refresh_events
from communique.store.schema import articles, event_dyads, event_participants, event_reports, events, fusion_keys


def event_lock_name(event_type: str) -> str:
    """The lock a writer holds while placing reports of this type (`store.locks` says why per type)."""
    return "event:" + event_type


@dataclass
class ReportView:
    """What grouping needs of one stored event report."""

    id: str
    event_id: str
    type: str
    status: str
    date: str | None
    precision: str
    window: tuple[date, date] | None
    participants: list[Participant]
    reason: str | None = None

    @property
    def fusable(self) -> bool:
        return self.window is not None and bool(self.participants)

    def order(self) -> tuple:
        stand_ins = sum(p.country_level for p in self.participants)
        return (PRECISION_RANK.get(self.precision, 9), stand_ins, self.window[0] if self.window else date.max, self.id)

    def may_share_event(self, other: ReportView) -> bool:
        """Whether the two could ever be in one fused event: a loose test (same type and status,
        overlapping dates, one matching participant) that every grouping decision implies."""
        return (
            self.type == other.type
            and self.status == other.status
            and self.fusable
            and other.fusable
            and window_overlap(self.window, other.window) is not None
            and share_one(self.participants, other.participants)
        )


def load_reports(conn: Connection, where) -> list[ReportView]:
    rows = conn.execute(
        select(
            event_reports.c.id,
            event_reports.c.event_id,
            event_reports.c.type,
            event_reports.c.status,
            event_reports.c.actors,
            event_reports.c.recipients,
            event_reports.c.date,
            event_reports.c.date_precision,
            event_reports.c.merge_reason,
            articles.c.published,
        )
        .join(articles, articles.c.id == event_reports.c.article_id)
        .where(where)
    ).all()
    refs_by_report = {
        r.id: [("actor", a) for a in (r.actors or [])] + [("recipient", a) for a in (r.recipients or [])] for r in rows
    }
    known = known_actors(conn, [ref for refs in refs_by_report.values() for _, ref in refs if isinstance(ref, str)])
    return [
        ReportView(
            id=r.id,
            event_id=r.event_id,
            type=r.type,
            status=r.status,
            date=r.date,
            precision=r.date_precision,
            window=report_window(r.date, r.date_precision, r.published),
            participants=build_participants(refs_by_report[r.id], known),
            reason=r.merge_reason,
        )
        for r in rows
    ]


# ---------------------------------------------------------------- canonical grouping


@dataclass
class Group:
    first: ReportView  # the most specific report: the group's date and the name reasons compare with
    window: tuple[date, date]
    participants: list[Participant]
    members: list[ReportView] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return min(r.id for r in self.members)

    def add(self, report: ReportView, reason: str) -> None:
        self.members.append(report)
        self.reasons[report.id] = reason
        if report is not self.first:
            self.window = window_overlap(self.window, report.window) or self.window
            keys = {p.key for p in self.participants}
            self.participants += [p for p in report.participants if p.key not in keys]


def _unfused_reason(report: ReportView) -> str:
    why = "no usable date" if report.window is None else "no participants"
    return f"first report ({why}: not fused)"


def group_reports(reports: list[ReportView]) -> list[Group]:
    """The canonical grouping of these reports (see the module docstring): the same list of groups,
    in the same order, whatever order `reports` is in."""
    groups: list[Group] = []
    for report in sorted(reports, key=ReportView.order):
        if not report.fusable:
            group = Group(report, (date.min, date.min), [])
            group.add(report, _unfused_reason(report))
            groups.append(group)
            continue
        best = None
        for group in groups:
            if not group.participants or group.first.type != report.type or group.first.status != report.status:
                continue
            pairs = overlap(report.participants, group.participants)
            if pairs is None or window_overlap(report.window, group.window) is None:
                continue
            score = (-len(pairs), abs((group.window[0] - report.window[0]).days), group.first.order())
            if best is None or score < best[0]:
                best = (score, group, pairs)
        if best is None:
            group = Group(report, report.window, list(report.participants))
            group.add(report, "first report")
            groups.append(group)
            continue
        _, group, pairs = best
        who = ", ".join(
            sorted({(p.name if p.key == q.key else f"{p.name}~{q.name} ({p.country})") for p, q in pairs})
        )
        first = group.first
        group.add(
            report,
            f"same type {report.type}; participants {{{who}}} overlap; dates "
            f"{describe_date(report.date, report.precision)} ~ {describe_date(first.date, first.precision)}",
        )
    return groups


# ---------------------------------------------------------------- placing new reports


class _Links:
    """Union-find over report ids: which reports must be regrouped together."""

    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _buckets(report: ReportView) -> set[tuple]:
    """Keys two reports that may share an event have in common (a participant, or a country)."""
    keys = {("who", p.key) for p in report.participants}
    keys |= {("country", p.country) for p in report.participants if p.country}
    return {(report.type, report.status, *k) for k in keys}


def place_report(conn: Connection, report_id: str) -> str:
    """Fuse one stored report (see `place_reports`); its event id."""
    return place_reports(conn, [report_id])[report_id]


MAX_ROUNDS = 6  # widenings of the regrouped set after a split or merge (see `place_reports`)
MAX_MEMBERS = 400  # reports regrouped at once, at most: beyond, the set is not widened further


def _touch(conn, frontier, members, links, loaded) -> None:
    """Add to `members` every stored event one of whose reports may share an event with a report of
    `frontier`, linked to it; `loaded` is the set of events already there."""
    candidates_of = {r.id: candidate_events(conn, r) - loaded for r in frontier if r.fusable}
    stored_by_event: dict[str, list[ReportView]] = {}
    for chunk in chunks(sorted(set().union(*candidates_of.values()))):
        for other in load_reports(conn, event_reports.c.event_id.in_(chunk)):
            stored_by_event.setdefault(other.event_id, []).append(other)
    for report in frontier:
        for event_id in candidates_of.get(report.id, ()):
            stored = stored_by_event.get(event_id, [])
            if any(report.may_share_event(other) for other in stored):
                loaded.add(event_id)
                for other in stored:
                    members[other.id] = other
                    links.union(report.id, other.id)


def _disturbed(groups: list[Group], new_ids: set[str], members: dict[str, ReportView]) -> list[ReportView]:
    """The stored reports of groups that are not an old event plus new reports, or that new reports
    narrowed (a shorter window, more participants): a split, a merge or a narrowing changes what
    reports outside the regrouped set would choose, so their neighbours come in too."""
    old_members: dict[str, set[str]] = {}
    for r in members.values():
        if r.id not in new_ids:
            old_members.setdefault(r.event_id, set()).add(r.id)
    out = []
    for group in groups:
        stored = [m for m in group.members if m.id not in new_ids]
        events_of = {m.event_id for m in stored}
        if len(events_of) > 1 or (stored and old_members[stored[0].event_id] != {m.id for m in stored}):
            out += stored
        elif stored and len(stored) < len(group.members) and _narrowed(group, stored):
            out += stored
    return out


def _narrowed(group: Group, stored: list[ReportView]) -> bool:
    """Whether the group's window or participants differ from those of its stored reports alone."""
    if not group.participants:
        return False
    (before, *rest) = group_reports(stored)
    return bool(rest) or before.window != group.window or (
        {p.key for p in before.participants} != {p.key for p in group.participants})


def place_reports(conn: Connection, report_ids: list[str]) -> dict[str, str]:
    """Fuse stored reports, each written as an event of its own (event id = report id), with the
    events they belong with, and with each other: every new report and each stored event holding a
    report it may share an event with are regrouped together (see the module docstring); when that
    splits or merges stored events, the neighbours of their reports are brought in and the set is
    regrouped again (up to MAX_ROUNDS times, MAX_MEMBERS reports). What changed is rewritten.
    Returns each report's event id."""
    new: list[ReportView] = []
    for chunk in chunks(list(report_ids)):
        new += load_reports(conn, event_reports.c.id.in_(chunk))
    new_ids = {r.id for r in new}
    members: dict[str, ReportView] = {r.id: r for r in new}
    loaded = {r.event_id for r in new}
    links = _Links()
    for report in new:
        links.find(report.id)
    by_bucket: dict[tuple, list[ReportView]] = {}
    for report in new:
        if report.fusable:
            for key in _buckets(report):
                by_bucket.setdefault(key, []).append(report)
    for bucket in by_bucket.values():
        for i, report in enumerate(bucket):
            for other in bucket[i + 1 :]:
                if links.find(report.id) != links.find(other.id) and report.may_share_event(other):
                    links.union(report.id, other.id)

    frontier, widened = list(new), set(new_ids)
    for _ in range(MAX_ROUNDS):
        _touch(conn, frontier, members, links, loaded)
        components: dict[str, list[ReportView]] = {}
        for report in members.values():
            components.setdefault(links.find(report.id), []).append(report)
        grouped = [(component, group_reports(component)) for component in components.values()]
        frontier = [
            r
            for _, groups in grouped
            for r in _disturbed(groups, new_ids, members)
            if r.id not in widened
        ]
        if not frontier or len(members) >= MAX_MEMBERS:
            break
        widened.update(r.id for r in frontier)

    placed: dict[str, str] = {}
    changed: set[str] = set()
    gone: set[str] = set()
    moves: list[dict] = []
    for component, groups in grouped:
        _rewrite(conn, component, groups, new_ids, placed, changed, gone, moves)
    if moves:  # one executemany: a bulk batch moves or explains every report it places
        conn.execute(
            update(event_reports)
            .where(event_reports.c.id == bindparam("b_id"))
            .values(event_id=bindparam("b_event"), merge_reason=bindparam("b_reason")),
            moves,
        )
    for chunk in chunks(sorted(gone)):
        for table in (event_dyads, event_participants, fusion_keys):
            conn.execute(delete(table).where(table.c.event_id.in_(chunk)))
        conn.execute(delete(events).where(events.c.id.in_(chunk)))
    refresh_events(conn, sorted(changed - gone))
    return placed


def _rewrite(conn, members, groups, new_ids, placed, changed, gone, moves) -> None:
    """Write a regrouped component's new event rows; note the reports to move or re-explain
    (`moves`), which events changed and which are gone."""
    old_events = {r.event_id for r in members}
    group_ids = {g.id for g in groups}
    for group in groups:
        if group.id not in old_events:
            _insert_event_row(conn, group)
        for member in group.members:
            reason = group.reasons[member.id]
            if member.event_id != group.id or member.reason != reason:
                moves.append({"b_id": member.id, "b_event": group.id, "b_reason": reason})
            if member.event_id != group.id or member.id in new_ids:
                changed.update({group.id, member.event_id} & group_ids)
            if member.id in new_ids:
                placed[member.id] = group.id
    gone |= old_events - group_ids


def _insert_event_row(conn: Connection, group: Group) -> None:
    """A placeholder row for a group's new id (`refresh_events` fills it in from the reports)."""
    first = group.first
    conn.execute(
        insert(events),
        identity.safe_row(
            events,
            {"id": group.id, "type": first.type, "status": first.status, "date_precision": first.precision},
        ),
    )
