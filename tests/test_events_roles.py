"""Issue 10's failure classes, on sentences written for these tests: speech verbs typed by what is said,
headline-shaped events, roles from the parse (passives, relative clauses, coordination, prepositions),
recipients never a platform."""

from __future__ import annotations

from datetime import date

import pytest

PUBLISHED = date(2023, 10, 11)


def _events(extraction):
    actors = {a.id: a for a in extraction.actors}

    def names(ids):
        return [actors[i].name if i in actors else i for i in ids]

    return [
        {"type": e.type, "actors": names(e.actors), "recipients": names(e.recipients), "trigger": e.trigger, "mode": e.mode}
        for e in extraction.events
    ]


def _has(names, fragment):
    return any(fragment.lower() in n.lower() for n in names)


def _of_type(events, type_):
    return [e for e in events if e["type"] == type_]


# ---------------------------------------------------------------- speech verbs (Why 2)


@pytest.mark.parametrize(
    "text, expected",
    [
        ('The Chilean interior minister called the bombing "a cowardly crime."', "ACCUSE"),
        ("Oslo called the naval blockade illegal.", "ACCUSE"),
        ("The Peruvian president spoke out against the raid, calling it an act of aggression.", "ACCUSE"),
        ("The governor described the shelling as a war crime.", "ACCUSE"),
        ("The Kenyan president called the retired general a hero.", "SUPPORT"),
    ],
)
def test_speech_verbs_are_typed_by_what_is_said_never_consult(extract_text, text, expected):
    events = _events(extract_text(text, published=PUBLISHED))
    assert not _of_type(events, "CONSULT"), events
    assert _of_type(events, expected), events


def test_a_phone_call_is_still_consult(extract_text):
    events = _events(extract_text("The Kenyan president called his Ugandan counterpart on Monday.", published=PUBLISHED))
    assert _of_type(events, "CONSULT")


def test_lashed_out_at_has_the_person_as_recipient_never_the_platform(extract_text):
    text = "Mexican President Andrés Manuel López Obrador lashed out at the mayor of Monterrey on Twitter."
    events = _of_type(_events(extract_text(text, published=PUBLISHED)), "ACCUSE")
    assert events
    e = events[0]
    assert _has(e["actors"], "López Obrador")
    assert _has(e["recipients"], "mayor")
    assert not any("twitter" in r.lower() for r in e["recipients"])


def test_an_interview_with_an_outlet_is_not_a_meeting(extract_text):
    text = "Speaking to Reuters, the Bolivian foreign minister said the border talks had failed."
    events = _events(extract_text(text, published=PUBLISHED))
    assert not [e for e in _of_type(events, "CONSULT") if e["trigger"].lower() == "speaking"]


# ---------------------------------------------------------------- headline-shaped events (Why 6)


def test_a_capital_saying_someone_was_poisoned_accuses(extract_text):
    text = "Paris says the dissident journalist was poisoned with a banned toxin."
    accuse = _of_type(_events(extract_text(text, published=PUBLISHED)), "ACCUSE")
    assert accuse and _has(accuse[0]["actors"], "France")


def test_an_apology_for_a_downing_concedes(extract_text):
    text = "The Iranian government apologised for the downing of the Canadian passenger jet."
    events = _events(extract_text(text, published=PUBLISHED))
    concede = _of_type(events, "CONCEDE")
    # one actor per government: the Iranian government is the government actor "Iran"
    assert concede and _has(concede[0]["actors"], "Iran")
    assert not _of_type(events, "AGREE")


# ---------------------------------------------------------------- roles (Why 3, 4)


def test_passive_agent_inside_a_statement_is_the_actor(extract_text):
    text = "Ankara was condemned in a joint statement by Egypt and Greece."
    accuse = _of_type(_events(extract_text(text, published=PUBLISHED)), "ACCUSE")
    assert accuse
    e = accuse[0]
    assert _has(e["actors"], "Egypt") and _has(e["actors"], "Greece")
    assert _has(e["recipients"], "Turkey") or _has(e["recipients"], "Ankara")
    assert not _has(e["actors"], "Turkey") and not _has(e["actors"], "Ankara")


def test_plain_passive_by_agent(extract_text):
    text = "The Venezuelan opposition leader was arrested by military police."
    coerce = _of_type(_events(extract_text(text, published=PUBLISHED)), "COERCE")
    assert coerce and _has(coerce[0]["actors"], "police")
    assert _has(coerce[0]["recipients"], "leader")


def test_victim_in_a_relative_clause_is_not_the_actor(extract_text):
    text = "The envoy was greeted by a rebel commander, who was also killed in the air strike."
    events = _events(extract_text(text, published=PUBLISHED))
    killed = [e for e in _of_type(events, "ASSAULT") if e["trigger"] == "killed"]
    assert killed
    assert not _has(killed[0]["actors"], "commander")
    assert _has(killed[0]["recipients"], "commander")


def test_recipient_from_a_from_phrase_on_the_object(extract_text):
    text = "The German chancellor demanded an explanation from Moscow."
    request = _of_type(_events(extract_text(text, published=PUBLISHED)), "REQUEST")
    assert request and request[0]["recipients"]
    assert _has(request[0]["recipients"], "Russia") or _has(request[0]["recipients"], "Moscow")


def test_call_on_takes_the_recipient_from_on_and_the_actor_from_they(extract_text):
    text = "Cyprus and Greece issued a statement on Monday. They called on Turkey to halt the drilling."
    request = _of_type(_events(extract_text(text, published=PUBLISHED)), "REQUEST")
    assert request
    e = request[0]
    assert _has(e["recipients"], "Turkey")
    assert _has(e["actors"], "Cyprus") and _has(e["actors"], "Greece")


def test_coordinated_actors_are_all_kept(extract_text):
    text = "Chile, Peru and Ecuador condemned the seizure of the fishing boats."
    accuse = _of_type(_events(extract_text(text, published=PUBLISHED)), "ACCUSE")
    assert accuse
    assert all(_has(accuse[0]["actors"], c) for c in ("Chile", "Peru", "Ecuador"))


def test_apposition_resolves_to_the_named_person(extract_text):
    text = "The Brazilian foreign minister, Mauro Vieira, criticised the Venezuelan referendum."
    accuse = _of_type(_events(extract_text(text, published=PUBLISHED)), "ACCUSE")
    assert accuse and (_has(accuse[0]["actors"], "Vieira") or _has(accuse[0]["actors"], "minister"))


def test_police_without_a_stated_country_take_the_articles_country(extract_text):
    text = (
        "Protesters marched through Santiago on Sunday. The Chilean government said the march was peaceful. "
        "Chile's interior ministry praised the organisers. Police arrested twelve protesters near the palace."
    )
    out = extract_text(text, published=PUBLISHED)
    by_id = {a.id: a for a in out.actors}
    coerce = [e for e in out.events if e.type == "COERCE"]
    assert coerce
    assert any(by_id[a].country == "CHL" for a in coerce[0].actors if a in by_id)


def test_a_verb_aimed_at_an_act_targets_whoever_did_it(extract_text):
    text = "The Dutch government condemned Russia's decision to expel the diplomats."
    accuse = _of_type(_events(extract_text(text, published=PUBLISHED)), "ACCUSE")
    assert accuse and _has(accuse[0]["recipients"], "Russia")


def test_voting_against_rejects(extract_text):
    text = "The Polish parliament voted against the European Commission's migration plan."
    reject = _of_type(_events(extract_text(text, published=PUBLISHED)), "REJECT")
    assert reject and _has(reject[0]["actors"], "parliament")


def test_the_speaker_of_a_quote_acts_in_what_it_states(extract_text):
    text = '"We strongly condemn the attack on the embassy," the Kenyan foreign minister Alfred Mutua said.'
    accuse = _of_type(_events(extract_text(text, published=PUBLISHED)), "ACCUSE")
    assert accuse and _has(accuse[0]["actors"], "Mutua")


def test_a_label_that_neither_condemns_nor_praises_is_no_event(extract_text):
    text = "The Turkish president said his government would call the museum a mosque."
    events = _events(extract_text(text, published=PUBLISHED))
    assert not [e for e in events if e["trigger"] == "call"], events


def test_a_sanction_needs_a_recipient_as_the_plover_manual_says(extract_text):
    assert not _of_type(_events(extract_text("The European Union imposed new sanctions.", published=PUBLISHED)), "SANCTION")
    sanction = _of_type(_events(extract_text("The European Union imposed new sanctions on Belarus.", published=PUBLISHED)), "SANCTION")
    assert sanction and _has(sanction[0]["recipients"], "Belarus")


def test_a_casualty_count_is_no_accusation(extract_text):
    text = "The provincial spokesman said that forty civilians were wounded."
    assert not _of_type(_events(extract_text(text, published=PUBLISHED)), "ACCUSE")


# ---------------------------------------------------------------- recipients from what is alleged, implied actors


def _countries(extraction, ids):
    actors = {a.id: a for a in extraction.actors}
    return [actors[i].country for i in ids if i in actors]


def test_an_allegation_targets_the_subject_of_the_reported_clause(extract_text):
    ex = extract_text("The governor of Herat alleged the central government was hiding the true casualty figures.",
                      published=PUBLISHED)
    (accuse,) = _of_type(_events(ex), "ACCUSE")
    assert _has(accuse["recipients"], "government"), accuse


def test_a_nationality_adjective_names_whose_act_is_condemned(extract_text):
    ex = extract_text("Both Norway and Chile have alleged Peruvian involvement in the sabotage.", published=PUBLISHED)
    accuse = [e for e in ex.events if e.type == "ACCUSE"]
    assert accuse and _countries(ex, accuse[0].recipients) == ["PER"], _events(ex)
    assert set(_countries(ex, accuse[0].actors)) == {"NOR", "CHL"}


def test_a_participial_adjunct_acts_through_its_clause_subject(extract_text):
    ex = extract_text("Chile was more forceful in blaming Peru for the attack on the pipeline.", published=PUBLISHED)
    accuse = [e for e in ex.events if e.type == "ACCUSE"]
    assert accuse, _events(ex)
    assert _countries(ex, accuse[0].actors) == ["CHL"] and _countries(ex, accuse[0].recipients) == ["PER"]


def test_a_conviction_with_no_agent_is_a_court_of_the_article_country(extract_text):
    text = ("Lima, Peru. A former Peruvian interior minister was convicted of bribery on Tuesday. "
            "Peru has seen several such trials.")
    ex = extract_text(text, published=PUBLISHED)
    (sanction,) = [e for e in ex.events if e.type == "SANCTION"]
    actors = {a.id: a for a in ex.actors}
    (court,) = [actors[i] for i in sanction.actors]
    assert court.name == "court" and court.country == "PER" and any("implied" in n for n in court.notes)
    # a conviction whose agent the text names keeps that agent
    ex = extract_text("Lima, Peru. The former minister was convicted by a military tribunal on Tuesday.",
                      published=PUBLISHED)
    (sanction,) = [e for e in ex.events if e.type == "SANCTION"]
    assert _has(_events(ex)[0]["actors"], "tribunal")


def test_local_people_as_recipients_belong_to_the_article_country(extract_text):
    text = ("Manila, Philippines. The Philippine defence secretary urged locals to assist the police. "
            "The Philippines has raised its alert level.")
    ex = extract_text(text, published=PUBLISHED)
    request = [e for e in ex.events if e.type == "REQUEST"]
    assert request and "PHL" in _countries(ex, request[0].recipients), _events(ex)


# ---------------------------------------------------------------- condemning words in reported statements


def test_saying_someone_is_a_culprit_accuses_them(extract_text):
    ex = extract_text("Peru's interior minister said the rebels were responsible for the attack on the pipeline.",
                      published=PUBLISHED)
    accuse = _of_type(_events(ex), "ACCUSE")
    assert accuse and _has(accuse[0]["actors"], "minister") and _has(accuse[0]["recipients"], "rebels"), _events(ex)


def test_a_quoted_condemnation_accuses_the_one_it_names(extract_text):
    text = 'Alberto Fujimori ruled Peru for a decade. "He was a dictator," said the opposition leader Keiko Ramos.'
    ex = extract_text(text, published=PUBLISHED)
    accuse = _of_type(_events(ex), "ACCUSE")
    assert accuse and _has(accuse[0]["actors"], "Ramos") and _has(accuse[0]["recipients"], "Fujimori"), _events(ex)


@pytest.mark.parametrize("text", [
    "The city council said the mayor was a lawyer.",  # a description, not a condemnation
    "Police said the gunman was not a terrorist.",  # denied
    '"He was a great statesman," said the opposition leader Keiko Ramos of Alberto Fujimori.',  # praise
])
def test_descriptions_denials_and_praise_are_no_accusation(extract_text, text):
    assert not _of_type(_events(extract_text(text, published=PUBLISHED)), "ACCUSE")


def test_we_are_with_you_is_support_from_the_speaker(extract_text):
    text = ('Mayor Jan Kowal of Gdansk was stabbed on Sunday. Prime Minister Mateusz Morawiecki tweeted '
            '"We are with Mayor Kowal in our thoughts and prayers."')
    support = _of_type(_events(extract_text(text, published=PUBLISHED)), "SUPPORT")
    assert support and _has(support[0]["actors"], "Morawiecki") and _has(support[0]["recipients"], "Kowal"), support


def test_being_with_friends_is_no_support(extract_text):
    assert not _of_type(_events(extract_text("We were with friends in Warsaw, the minister said.", published=PUBLISHED)), "SUPPORT")


def test_bringing_to_justice_threatens_and_a_purpose_clause_is_the_subjects(extract_text):
    text = ('"We will use the full force of the law to bring to justice the men behind this attack," '
            'said Peru\'s interior minister Carla Ruiz.')
    threaten = _of_type(_events(extract_text(text, published=PUBLISHED)), "THREATEN")
    assert threaten and _has(threaten[0]["actors"], "Ruiz") and _has(threaten[0]["recipients"], "men"), threaten
    assert not _has(threaten[0]["actors"], "force")


def test_object_control_verbs_keep_their_object_as_the_doer(extract_text):
    request = _of_type(_events(extract_text("Chile asked Peru to delay the vote.", published=PUBLISHED)), "REQUEST")
    assert request and _has(request[0]["actors"], "Chile") and _has(request[0]["recipients"], "Peru"), request


# ---------------------------------------------------------------- non-political happenings, one attack told twice


@pytest.mark.parametrize("text", [
    "This morning the former Chilean president, who served for twelve years, died at home in Santiago.",
    "The former ruler of Peru has died, according to the current president.",
])
def test_a_death_is_no_event(extract_text, text):
    assert _events(extract_text(text, published=PUBLISHED)) == []


def test_coordinated_harm_verbs_are_one_attack(extract_text):
    text = "Two villagers were killed and at least eight villagers were injured in a suicide bombing in Peru on Monday."
    assault = _of_type(_events(extract_text(text, published=PUBLISHED)), "ASSAULT")
    assert len(assault) == 1, assault


def test_pressuring_someone_to_act_is_a_request(extract_text):
    events = _events(extract_text("Chile said it would pressure the Peruvian government to protect its fishermen.",
                                  published=PUBLISHED))
    assert _of_type(events, "REQUEST") and not _of_type(events, "COERCE"), events


@pytest.mark.parametrize("text, agreed", [
    ("Peru's interior minister agreed, saying only the rebels could have planned the attack.", False),
    ("The Chilean president signed a decree on fishing quotas.", False),
    ("Chile and Peru signed a treaty on Friday.", True),
    ("Chile and Peru agreed.", True),
    ("Chile agreed on Friday to restore relations with Peru.", True),
])
def test_agreement_needs_something_agreed(extract_text, text, agreed):
    assert bool(_of_type(_events(extract_text(text, published=PUBLISHED)), "AGREE")) == agreed


def test_an_instrument_acts_for_its_maker_and_keeps_the_clause_date(extract_text):
    text = "On Friday, the Chilean interior minister signed a decree banning protests outside parliament."
    ex = extract_text(text, published=PUBLISHED)
    coerce = [e for e in ex.events if e.type == "COERCE"]
    assert coerce and _has([a.name for a in ex.actors if a.id in coerce[0].actors], "minister"), _events(ex)
    assert coerce[0].date == "2023-10-06"  # the Friday before Wednesday 11 October 2023


def test_a_quoted_tribute_is_support_and_a_job_description_is_not(extract_text):
    text = 'Alberto Fujimori ruled Peru for a decade. "He was an icon," said the Peruvian president Keiko Ramos.'
    support = _of_type(_events(extract_text(text, published=PUBLISHED)), "SUPPORT")
    assert support and _has(support[0]["actors"], "Ramos") and _has(support[0]["recipients"], "Fujimori"), support
    assert not _of_type(_events(extract_text("The council said the mayor was a great lawyer.", published=PUBLISHED)), "SUPPORT")


@pytest.mark.parametrize("text, actors", [
    ("Chile did not accept the proposal from Peru.", ["Chile"]),
    ("Neither Chile nor Peru would endorse the result.", ["Chile", "Peru"]),
])
def test_refusing_to_agree_or_support_is_a_rejection(extract_text, text, actors):
    events = _events(extract_text(text, published=PUBLISHED))
    reject = _of_type(events, "REJECT")
    assert reject and all(_has(reject[0]["actors"], a) for a in actors), events
    assert not _of_type(events, "AGREE") and not _of_type(events, "SUPPORT")


def test_the_way_up_to_a_verbless_root_ends():
    """A participle whose clause has no verb up to the root ("A new video from Clinton blaming
    Trump", parsed with the participle under "from" and a noun as root): the search for its clause's
    verb stops at the root. It used to compare tokens by identity and circle the root forever."""
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    from communique.events.roles import clause_verb

    words = ["A", "video", "from", "Clinton", "blaming", "Trump"]
    doc = Doc(Vocab(), words=words, heads=[1, 1, 1, 2, 2, 4], deps=["det", "ROOT", "prep", "pobj", "pcomp", "dobj"],
              pos=["DET", "NOUN", "ADP", "PROPN", "VERB", "PROPN"])
    assert clause_verb(doc[2]) is None
    assert clause_verb(doc[4]).text == "blaming"


def test_a_short_call_between_two_countries_survives_a_no_event_classifier(extract_text):
    """The classifier calls this short sentence "no event" (NONE 0.96); a meeting verb whose two sides
    are of two countries stands anyway. Talking to reporters stays no event."""
    events = _events(extract_text("Wang Yi and Dmytro Kuleba talked by phone on Monday.", published=PUBLISHED))
    consult = _of_type(events, "CONSULT")
    assert consult and _has(consult[0]["actors"], "Wang Yi") and _has(consult[0]["actors"], "Kuleba"), events
    assert not _of_type(_events(extract_text("The minister talked to reporters on Monday.", published=PUBLISHED)), "CONSULT")


# These are tests of the dictionary and parse rules (and the PLV classifier that runs with them when
# no detector is installed); the learned event stage is tested in test_events_learned.py.
pytestmark = pytest.mark.usefixtures("dictionary_events")
