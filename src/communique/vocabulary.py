"""Names and sizes the command line needs before anything heavy is imported (its options' choices
and defaults are built when `communique --help` runs): the PLOVER event types with their quad
codes, and the size of a timeline page. Nothing here imports beyond the standard library."""

from __future__ import annotations

# PLOVER's quad categories (the manual's "Quad categories in PLOVER" table, with its numeric codes).
# The manual's summary table lists SANCTION under material conflict; its numeric table, which
# defines `quad_code`, puts it under verbal conflict: the numeric table is followed here.
QUAD_CODES = {
    "AGREE": 1, "CONSULT": 1, "SUPPORT": 1, "CONCEDE": 1,
    "COOPERATE": 2, "AID": 2, "RETREAT": 2,
    "REQUEST": 3, "ACCUSE": 3, "REJECT": 3, "SANCTION": 3, "THREATEN": 3,
    "PROTEST": 4, "MOBILIZE": 4, "COERCE": 4, "ASSAULT": 4,
}  # fmt: skip
QUAD_CLASSES = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}

PAGE = 100  # events in a timeline page (the command's default --limit)
