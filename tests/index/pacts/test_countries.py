from __future__ import annotations

import pytest

from index.pacts.countries import UnknownCountryError, country_table, find_countries, names_of, resolve


@pytest.mark.parametrize(
    ("query", "iso3"),
    [
        ("UK", "GBR"),
        ("Britain", "GBR"),
        ("United Kingdom", "GBR"),
        ("the United Kingdom", "GBR"),
        ("British", "GBR"),
        ("GBR", "GBR"),
        ("US", "USA"),
        ("USA", "USA"),
        ("America", "USA"),
        ("Washington", "USA"),
        ("Japanese", "JPN"),
        ("Tokyo", "JPN"),
        ("jpn", "JPN"),
        ("Filipino", "PHL"),
        ("Manila", "PHL"),
        ("the Philippines", "PHL"),
        ("Canberra", "AUS"),
        ("Namibia", "NAM"),  # country_converter needs pandas<3 for this one ("NA")
        ("Republic of Korea", "KOR"),
        ("  south   korea ", "KOR"),
        # Every other country's demonym and capital, from countryinfo.
        ("Papua New Guinean", "PNG"),
        ("Port Moresby", "PNG"),
        ("Hungarian", "HUN"),
        ("Vilnius", "LTU"),
    ],
)
def test_names_codes_demonyms_and_capitals_resolve(query: str, iso3: str) -> None:
    assert resolve(query).iso3 == iso3


def test_uk_britain_and_united_kingdom_are_one_country() -> None:
    assert resolve("UK") == resolve("Britain") == resolve("United Kingdom")
    assert resolve("UK").name == "United Kingdom"


@pytest.mark.parametrize(("typo", "iso3"), [("Phillipines", "PHL"), ("Untied Kingdom", "GBR"), ("Austrailia", "AUS")])
def test_close_misspellings_resolve(typo: str, iso3: str) -> None:
    assert resolve(typo).iso3 == iso3


def test_unknown_names_get_a_clear_error_with_suggestions() -> None:
    with pytest.raises(UnknownCountryError) as error:
        resolve("Narnia")
    assert str(error.value).startswith("“Narnia” is not a country I know. Did you mean ")
    assert error.value.suggestions
    with pytest.raises(UnknownCountryError, match=r"Did you mean.*Japan"):
        resolve("Jaaapn")
    with pytest.raises(UnknownCountryError):
        resolve("   ")


def test_countries_are_found_in_running_text() -> None:
    text = (
        "The UK-Japan talks, the U.S. and Britain’s allies, the Republic of Korea, South Korea, "
        "Trinidad and Tobago, and us, it and in."
    )
    found = [(m.iso3, text[m.start : m.end]) for m in find_countries(text)]
    assert found == [
        ("GBR", "UK"),
        ("JPN", "Japan"),
        ("USA", "U.S."),
        ("GBR", "Britain"),
        ("KOR", "Republic of Korea"),
        ("KOR", "South Korea"),
        ("TTO", "Trinidad and Tobago"),
    ]


def test_every_name_of_a_country_from_any_one_of_them() -> None:
    assert {"finland", "finnish", "helsinki"} <= set(names_of("Finns"))
    assert {"russia", "russian", "moscow"} <= set(names_of("Russian"))
    assert names_of("Russian") == names_of("Kremlin")
    assert all(len(name) > 3 for name in names_of("UK"))  # no codes: "gb" is no word to look for
    assert names_of("Narnia") == [] and names_of("Pact") == []


def test_only_the_abbreviations_news_uses_for_countries_are_read_as_countries() -> None:
    text = "Defence Secretary John Healey MP told the PM that the US, the UK and the ROK agreed."
    assert [m.iso3 for m in find_countries(text)] == ["USA", "GBR", "KOR"]


def test_capitals_that_are_mostly_peoples_names_are_not_read_as_countries() -> None:
    assert find_countries("Victoria Nuland met Douglas Hamilton in Kingston.") == []
    assert [m.iso3 for m in find_countries("Kenyan and Greek officials met in Yerevan.")] == ["KEN", "GRC", "ARM"]


def test_the_first_half_of_a_compound_names_a_country() -> None:
    text = "The Anglo-Polish alliance, the Franco–German treaty and the Indo-Pacific."
    assert [(m.iso3, text[m.start : m.end]) for m in find_countries(text)] == [
        ("GBR", "Anglo"),
        ("POL", "Polish"),
        ("FRA", "Franco"),
        ("DEU", "German"),
    ]


def test_england_is_britain_and_the_soviet_union_no_country_of_today() -> None:
    text = "Finland signed a treaty with the Soviet Union, and later the USSR with the Kingdom of England."
    assert [m.iso3 for m in find_countries(text)] == ["FIN", "GBR"]


def test_the_common_english_names_the_converter_lacks_are_found() -> None:
    # country_converter's short names are "Türkiye", "Brunei Darussalam", "Micronesia, Fed. Sts.".
    text = "Greece, Turkey and Brunei met Micronesia, Burma, Ivory Coast and Holland."
    assert [m.iso3 for m in find_countries(text)] == ["GRC", "TUR", "BRN", "FSM", "MMR", "CIV", "NLD"]
    # The United Kingdom's name until 1922 names no Ireland.
    assert [m.iso3 for m in find_countries("the United Kingdom of Great Britain and Ireland")] == ["GBR"]
    # Names of several places, or of a state that is gone, stay unread.
    assert find_countries("Macedonia, Congo, Korea and Yugoslavia") == []


def test_the_country_table_is_country_converters_own() -> None:
    import country_converter as coco

    data = coco.CountryConverter().data
    table = country_table()
    assert [row["ISO3"] for row in table] == list(data["ISO3"])
    assert [(row["name_short"], row["name_official"], row["ISO2"]) for row in table] == list(
        zip(data["name_short"], data["name_official"], data["ISO2"], strict=True)
    )
    assert "NAM" in {row["ISO3"] for row in table if row["ISO2"] == "NA"}  # "NA" is Namibia, not a gap
