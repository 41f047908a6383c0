"""Event and quote fusion: several reports of one event (or one quote) become one record.

A new event report joins an existing fused event when
- the type and the status are the same;
- the participants overlap: every participant of one side matches one of the other, and at least one
  matches. Two participants match when they are the same global actor, the same unresolved name,
  or when one of them stands for a whole country (a government, a state, a country's group) and
  both are of that country;
- the dates are compatible: each report allows a window of days (a day: that day; a week, month or
  year: the whole period; a date that only repeats the publication date, or an unknown one: the
  few days up to it), and the report's window must overlap the window every report of the event
  allows (so a day and the week containing it fuse; two different days do not).

Grouping does not depend on the order reports are stored in, and a fused event's id is the smallest
id of its reports (`clusters` says how, and where that stops). Each report keeps the date it gave;
the fused event takes the most precise one; dates, modes and locations on which reports disagree
are listed in `events.conflicts` (`records`). Every report records why it joined (`merge_reason`).

Quotes fuse in `quotes`: the same speaker and the same words, reported within QUOTE_WINDOW_DAYS; a
group is a connected set of such quotes, named by its smallest quote id, whatever the order.

Modules: `dates` (report windows), `participants` (who an event is about), `keys` (finding the stored
events a report may join by key, type and date), `clusters` (grouping and
placing reports), `records` (rebuilding a fused event), `quotes` (quote groups).
"""

from communique.store.fusion.clusters import (
    Group,
    ReportView,
    candidate_events,
    event_lock_name,
    group_reports,
    load_reports,
    place_report,
    place_reports,
)
from communique.store.fusion.dates import (
    CALENDAR,
    MAX_WINDOW_DAYS,
    PRECISION_RANK,
    PUBLICATION_SLACK_DAYS,
    describe_date,
    refines,
    report_window,
)
from communique.store.fusion.participants import (
    COUNTRY_LEVEL_KINDS,
    LEVEL_LEADER,
    LEVEL_MINISTER,
    Participant,
    overlap,
    participants_for,
    role_level,
)
from communique.store.fusion.quotes import (
    QUOTE_FRAGMENT_WORDS,
    QUOTE_MIN_RATIO,
    QUOTE_WINDOW_DAYS,
    normalise_quote,
    place_quotes,
    quote_lock_name,
    quote_similarity,
    same_words,
    unfused_reason,
)
from communique.store.fusion.records import (
    dyad_rows,
    events_with_actors,
    refresh_event,
    refresh_events,
    write_dyads,
)

__all__ = [
    "CALENDAR",
    "COUNTRY_LEVEL_KINDS",
    "LEVEL_LEADER",
    "LEVEL_MINISTER",
    "MAX_WINDOW_DAYS",
    "PRECISION_RANK",
    "PUBLICATION_SLACK_DAYS",
    "QUOTE_FRAGMENT_WORDS",
    "QUOTE_MIN_RATIO",
    "QUOTE_WINDOW_DAYS",
    "Group",
    "Participant",
    "ReportView",
    "candidate_events",
    "describe_date",
    "dyad_rows",
    "event_lock_name", "events_with_actors",
    "group_reports",
    "load_reports",
    "normalise_quote",
    "overlap",
    "participants_for",
    "place_quotes",
    "place_report", "place_reports",
    "quote_lock_name",
    "quote_similarity",
    "refines",
    "refresh_event", "refresh_events",
    "report_window",
    "role_level",
    "same_words",
    "unfused_reason",
    "write_dyads",
]
