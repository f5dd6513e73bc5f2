"""People an article ties to a country, and their later mentions by surname."""

from __future__ import annotations

from index.pacts.countries import find_countries
from index.pacts.people import people_in, people_of


def test_a_title_after_a_country_introduces_a_person_by_surname() -> None:
    people = people_of(
        [
            "Japanese Foreign Minister Yoko Kamikawa and Philippine Defence Secretary Gilberto Teodoro Jr signed.",
            "Australia's Prime Minister Anthony Albanese spoke, as did his Papua New Guinean counterpart James Marape.",
            "Indian officials said nothing.",  # no title: nobody introduced
        ]
    )
    assert people == {"Kamikawa": "JPN", "Teodoro": "PHL", "Albanese": "AUS", "Marape": "PNG"}


def test_a_portfolio_is_no_name() -> None:
    # From wiki-canberra-pact-1944 (../shared/opennews), where "Affairs" stood for Australia.
    assert people_of(["H. V. Evatt, the Australian Minister of External Affairs, had criticized it."]) == {}
    assert people_of(["Australian Minister for Foreign Affairs Penny Wong spoke."]) == {"Wong": "AUS"}
    assert people_of(["Romanian Minister of National Defense Ion Popescu spoke."]) == {"Popescu": "ROU"}


def test_a_surname_introduced_for_two_countries_stands_for_neither() -> None:
    people = people_of(
        ["French Minister Anne Lee met South Korean Minister Jun Lee and German Minister Boris Pistorius."]
    )
    assert people == {"Pistorius": "DEU"}


def test_later_mentions_become_country_mentions_outside_country_names() -> None:
    sentence = "Albanese and Marape signed the treaty in Canberra."
    countries = find_countries(sentence)
    found = people_in(sentence, {"Albanese": "AUS", "Marape": "PNG"}, countries)
    assert [(m.iso3, sentence[m.start : m.end]) for m in found] == [("AUS", "Albanese"), ("PNG", "Marape")]
    assert people_in(sentence, {}, countries) == []
