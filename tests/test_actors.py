"""The actor stage on sentences written for these tests: titles, appositives, counterparts, short
forms, pronouns, groups, capitals, outlets, term dates and the user's own knowledge-base file."""

from __future__ import annotations

from datetime import date

import pytest

from communique.actors import resolve_actors
from communique.actors.kb import load_kb
from communique.models import Article
from communique.nlp import annotate


@pytest.fixture(scope="module")
def resolve(nlp):
    kb = load_kb()

    def run(text: str, published: date | None = date(2022, 6, 1), kb_=None):
        article = Article(text=text, source="<test>", published=published, body=text)
        annotated = next(annotate([article], nlp))
        return resolve_actors(annotated, kb_ or kb)

    return run


def by_name(table, name):
    found = [a for a in table.actors if name.lower() in a.name.lower() or name in a.aliases]
    assert found, f"no actor named {name!r} in {[a.name for a in table.actors]}"
    return found[0]


def at(table, text, phrase, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return table.actor_at(start, start + len(phrase))


def test_title_gives_role_and_country(resolve):
    table = resolve("Chinese Foreign Minister Wang Yi arrived in Jakarta for talks on Monday.")
    wang = by_name(table, "Wang Yi")
    assert (wang.country, wang.sector, wang.role, wang.kind) == ("CHN", "GOV", "foreign minister", "person")
    assert wang.id == "kb:wang-yi" and wang.kb_id == "wang-yi"


def test_title_on_a_name_the_kb_lacks(resolve):
    table = resolve("Estonian Defence Minister Kalle Tamm visited the front line on Friday.")
    tamm = by_name(table, "Kalle Tamm")
    assert (tamm.country, tamm.sector, tamm.role) == ("EST", "GOV", "defence minister")
    assert tamm.id.startswith("a-") and tamm.kb_id is None


def test_counterpart_takes_the_office_of_its_anchor(resolve):
    text = ("Chinese Foreign Minister Wang Yi held a phone call with his Moldovan counterpart, Ion Vasilescu, "
            "on Tuesday.")
    table = resolve(text)
    ion = by_name(table, "Ion Vasilescu")
    assert (ion.country, ion.sector, ion.role) == ("MDA", "GOV", "foreign minister")


def test_appositive_after_the_name(resolve):
    table = resolve("Lucia Ferrante, Italy's trade minister, told reporters the deal was close.")
    lucia = by_name(table, "Lucia Ferrante")
    assert lucia.country == "ITA" and lucia.role == "trade minister" and lucia.sector == "GOV"


def test_counterpart_without_a_name_is_the_office_holder(resolve):
    text = "Wang Yi spoke with his Ukrainian counterpart about grain shipments."
    table = resolve(text, published=date(2022, 4, 5))
    assert at(table, text, "his Ukrainian counterpart").name == "Dmytro Kuleba"


def test_short_forms_resolve_even_when_ner_mislabels_them(resolve):
    text = ("Chinese Foreign Minister Wang Yi met Ukrainian President Volodymyr Zelensky in Warsaw. "
            "Wang said the meeting was useful. Zelensky thanked Wang for his time.")
    table = resolve(text)
    wang = by_name(table, "Wang Yi")
    assert at(table, text, "Wang", 1) is wang and at(table, text, "Wang", 2) is wang
    assert len(wang.mentions) == 3
    zelensky = at(table, text, "Zelensky", 1)
    assert zelensky.kb_id == "volodymyr-zelenskyy" and zelensky.country == "UKR" and zelensky.role == "president"


def test_pronoun_subjects_resolve_to_the_speaker(resolve):
    text = ("Ukrainian Foreign Minister Dmytro Kuleba said the talks with Wang Yi had been frank. "
            "\u201cWe want the war to end,\u201d he added. Later Kuleba wrote that he would travel to Rome.")
    table = resolve(text)
    kuleba = by_name(table, "Dmytro Kuleba")
    for phrase in ("he added", "he would"):
        start = text.index(phrase)
        assert table.actor_at(start, start + 2) is kuleba, phrase
    assert sum(1 for s, e in kuleba.mentions if text[s:e] == "he") == 2


def test_pronoun_respects_known_gender(resolve):
    text = ("Penny Wong met Antony Blinken in Canberra. Blinken spoke about trade. "
            "She said the region needed calm.")
    table = resolve(text, published=date(2023, 7, 29))
    she = text.index("She")
    assert table.actor_at(she, she + 3).kb_id == "penny-wong"


def test_demonym_groups_and_analysts(resolve):
    text = ("U.S. officials said the sanctions would stay. Chinese officials disagreed. "
            "Analysts expect more talks, and a senior Chinese diplomat said Beijing was ready.")
    table = resolve(text)
    us = at(table, text, "U.S. officials")
    assert (us.country, us.sector, us.kind) == ("USA", "GOV", "group")
    cn = at(table, text, "Chinese officials")
    assert (cn.country, cn.sector, cn.kind) == ("CHN", "GOV", "group")
    analysts = at(table, text, "Analysts")
    assert analysts.kind == "group" and analysts.country is None
    diplomat = at(table, text, "a senior Chinese diplomat")
    assert (diplomat.country, diplomat.sector, diplomat.kind) == ("CHN", "GOV", "person")
    assert us.id != cn.id


def test_capitals_and_seats_stand_for_governments(resolve):
    text = ("Beijing protested, the Kremlin stayed silent and Kiev welcomed the move, while Kyiv's allies "
            "waited. Washington and the White House said nothing. Brussels promised aid. The Pentagon "
            "sent advisers. Delegates met in Beijing on Sunday.")
    table = resolve(text)
    assert at(table, text, "Beijing").id == "kb:gov-chn"
    assert at(table, text, "the Kremlin").id == "kb:gov-rus"
    assert at(table, text, "Kiev").id == at(table, text, "Kyiv").id == "kb:gov-ukr"
    assert at(table, text, "Washington").id == at(table, text, "the White House").id == "kb:gov-usa"
    assert at(table, text, "Brussels").country == "EU"
    pentagon = at(table, text, "The Pentagon")
    assert (pentagon.country, pentagon.sector) == ("USA", "MIL")
    in_beijing = text.index("Beijing", text.index("met in"))
    assert table.actor_at(in_beijing, in_beijing + 7) is None  # a place, not an actor


def test_news_agencies_and_outlets(resolve):
    text = ("According to Xinhua, the talks went well. Reuters and the Associated Press could not confirm "
            "this, but TASS quoted an official. AFP said the same.")
    table = resolve(text)
    xinhua = by_name(table, "Xinhua")
    assert (xinhua.country, xinhua.sector, xinhua.kind) == ("CHN", "MED", "outlet")
    assert xinhua.model_dump().get("state_owned") is True
    assert by_name(table, "Reuters").country == "GBR"
    assert by_name(table, "Associated Press").country == "USA"
    assert by_name(table, "TASS").country == "RUS"
    assert by_name(table, "Agence France-Presse").sector == "MED"


@pytest.mark.parametrize(
    "published, holder",
    [(date(2015, 3, 1), "wang-yi"), (date(2023, 3, 1), "qin-gang"), (date(2024, 1, 10), "wang-yi")],
)
def test_office_resolved_by_term_dates(resolve, published, holder):
    text = "The Chinese foreign minister said trade would continue."
    table = resolve(text, published=published)
    assert at(table, text, "The Chinese foreign minister").kb_id == holder


def test_title_and_surname_by_date_with_text_winning(resolve):
    text = "Prime Minister Johnson visited the troops."
    then = by_name(resolve(text, published=date(2020, 5, 1)), "Johnson")
    later = by_name(resolve(text, published=date(2023, 5, 1)), "Johnson")
    assert then.kb_id == later.kb_id == "boris-johnson"
    assert then.role == later.role == "prime minister" and then.notes == []
    assert later.notes and "former prime minister" in later.notes[0]


def test_kb_role_depends_on_date(resolve):
    text = "Donald Trump spoke at a rally."
    assert by_name(resolve(text, published=date(2018, 6, 1)), "Trump").role == "president"
    assert by_name(resolve(text, published=date(2022, 6, 1)), "Trump").role == "former president"
    assert by_name(resolve(text, published=date(2026, 1, 10)), "Trump").role == "president"


def test_ids_are_deterministic(resolve):
    text = "Estonian Defence Minister Kalle Tamm met Lithuanian officials."
    a, b = resolve(text), resolve(text)
    assert [x.id for x in a.actors] == [x.id for x in b.actors]


def test_user_kb_file_is_merged_over_the_shipped_one(tmp_path, nlp):
    user = tmp_path / "mine.yaml"
    user.write_text(
        "people:\n"
        "  - {id: kalle-tamm, name: Kalle Tamm, aliases: [Tamm], country: EST, gender: m, terms: [[defence minister, 2021-01-01, null]]}\n"
        "outlets:\n"
        "  - {id: baltic-wire, name: Baltic Wire, country: LVA, state_owned: false}\n",
        encoding="utf-8",
    )
    kb = load_kb([user])
    assert "kalle-tamm" in kb.people and "wang-yi" in kb.people
    text = "Tamm spoke to Baltic Wire on Monday."
    article = Article(text=text, source="<test>", published=date(2022, 6, 1), body=text)
    table = resolve_actors(next(annotate([article], nlp)), kb)
    tamm = by_name(table, "Kalle Tamm")
    assert (tamm.kb_id, tamm.country, tamm.role) == ("kalle-tamm", "EST", "defence minister")
    wire = by_name(table, "Baltic Wire")
    assert (wire.country, wire.sector) == ("LVA", "MED")


@pytest.mark.parametrize("text", ["", "   ", "\u201c\u201d", "he said.", "They", "!!! ??? ...", "A" * 500,
                                  "Beijing\n\n\nKremlin\u2019s\u2019s 's", "\x00\x01 odd bytes"])
def test_no_crash_on_odd_input(resolve, text):
    table = resolve(text, published=None)
    for actor in table.actors:
        for start, end in actor.mentions:
            assert 0 <= start <= end <= len(text)


def test_seed_article_actors(pipeline, shared_dir):
    from communique.cleaning import clean

    seed = (shared_dir / "seeds" / "000_da059f79ecee6e87.txt").read_text(encoding="utf-8")
    article = clean(Article(text=seed, source="seed", published=date(2022, 4, 5)))
    extraction = next(pipeline.extract([article]))
    actors = extraction.actors

    def find(name):
        hits = [a for a in actors if name.lower() in a.name.lower() or name.lower() in [x.lower() for x in a.aliases]]
        assert hits, f"no actor {name!r}: {[a.name for a in actors]}"
        return hits[0]

    for name, country, sector in [("Wang Yi", "CHN", "GOV"), ("Dmytro Kuleba", "UKR", "GOV"),
                                  ("Xi Jinping", "CHN", "GOV"), ("Volodymyr Zelensky", "UKR", "GOV"),
                                  ("Vladimir Putin", "RUS", "GOV"), ("Xinhua", "CHN", "MED")]:
        actor = find(name)
        assert (actor.country, actor.sector) == (country, sector), name
    assert "foreign minister" in find("Wang Yi").role
    assert "foreign minister" in find("Dmytro Kuleba").role
    assert find("Reuters").sector == "MED"
    assert find("European Union").country == "EU"
