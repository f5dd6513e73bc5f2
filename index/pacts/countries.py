"""Country names the way people type and articles write them, resolved to ISO 3166-1 alpha-3.

country_converter knows official and short names, codes and many variants ("UK", "Britain",
"Korea"). What it lacks for news text, demonyms ("Filipino", "Papua New Guinean") and capitals
standing for their governments ("Tokyo", "Port Moresby"), comes from countryinfo's table and,
for the forms news uses most ("Westminster", "the Kremlin", "U.S."), the small table below.
"""

from __future__ import annotations

import csv
import difflib
import importlib.util
import logging
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import BaseModel

log = logging.getLogger(__name__)

# Demonyms and capitals, for the countries defence news is most often about.
_OWN_NAMES: dict[str, str] = {
    "GBR": "British, Briton, Brit, Brits, Britain, London, Westminster, Great Britain, U.K., England",
    "USA": "American, America, Washington, U.S., U.S.A.",
    "JPN": "Japanese, Tokyo",
    "PHL": "Filipino, Philippine, Manila",
    "AUS": "Australian, Canberra",
    "CHN": "Chinese, Beijing, PRC",
    "TWN": "Taiwanese, Taipei",
    "ITA": "Italian, Rome",
    "FRA": "French, Paris",
    "DEU": "German, Berlin",
    "IND": "Indian, New Delhi, Delhi",
    "KOR": "South Korean, Seoul, ROK",
    "PRK": "North Korean, Pyongyang, DPRK",
    "RUS": "Russian, Moscow, Kremlin",
    "CAN": "Canadian, Ottawa",
    "NZL": "New Zealander, Wellington, NZ, Kiwi",
    "VNM": "Vietnamese, Hanoi",
    "IDN": "Indonesian, Jakarta",
    "MYS": "Malaysian, Kuala Lumpur",
    "SGP": "Singaporean",
    "THA": "Thai, Bangkok",
    "UKR": "Ukrainian, Kyiv, Kiev",
    "POL": "Polish, Warsaw",
    "FIN": "Finnish, Finn, Helsinki",
    "SWE": "Swedish, Stockholm",
    "NOR": "Norwegian, Oslo",
    "NLD": "Dutch, The Hague, Amsterdam",
    "ESP": "Spanish, Madrid",
    "TUR": "Turkish, Ankara",
    "ISR": "Israeli",
    "SAU": "Saudi, Riyadh",
    "ARE": "Emirati, UAE, Abu Dhabi",
    "IRN": "Iranian, Tehran",
    "PAK": "Pakistani, Islamabad",
    "BRA": "Brazilian, Brasilia",
}
# Common English names that country_converter's short names ("Türkiye", "Brunei Darussalam",
# "Micronesia, Fed. Sts.") leave out of running text ("Greece and Turkey signed"). Not the names
# of other states ("Yugoslavia") or of more than one place ("Macedonia", "Congo", "Korea").
_COMMON_NAMES: dict[str, str] = {
    "TUR": "Turkey",
    "BRN": "Brunei",
    "FSM": "Micronesia",
    "CIV": "Ivory Coast",
    "CPV": "Cape Verde",
    "SWZ": "Swaziland",
    "MMR": "Burma",
    "TLS": "East Timor",
    "BIH": "Bosnia",
    "VNM": "Viet Nam",
    "NLD": "Holland",
    "GBR": "United Kingdom of Great Britain and Ireland",  # its name until 1922, not Ireland too
}


# Capitals that news far more often writes as a person's or another place's name.
_NOT_A_COUNTRY = frozenset(
    (
        "douglas", "hamilton", "kingston", "victoria", "stanley", "plymouth", "jamestown", "george town",
        "georgetown", "santiago", "lima", "sofia", "nassau", "moroni", "the valley", "saint-denis", "san juan",
        "jerusalem",
    )
)  # fmt: skip


class Country(BaseModel):
    name: str
    iso3: str


class UnknownCountryError(ValueError):
    """A name that is no country; the message offers the closest ones."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"“{query}” is not a country I know.{hint}")
        self.query = query
        self.suggestions = suggestions


@dataclass(frozen=True)
class _Names:
    short: dict[str, str]  # ISO3 -> short name ("United Kingdom")
    lookup: dict[str, str]  # lower-cased surface form -> ISO3


def country_table() -> list[dict[str, str]]:
    """country_converter's table of current countries (its `country_data.tsv`, obsolete rows
    left out, as `CountryConverter().data`), read without importing the package: that imports
    pandas, and with building its converter cost every process half a second at its first
    question."""
    spec = importlib.util.find_spec("country_converter")
    assert spec is not None and spec.submodule_search_locations, "country_converter is a dependency"
    table = Path(next(iter(spec.submodule_search_locations))) / "country_data.tsv"
    with table.open(encoding="utf-8", newline="") as rows:
        return [row for row in csv.DictReader(rows, delimiter="\t") if not row["obsolete"]]


@cache
def _names() -> _Names:
    table = country_table()
    short = {row["ISO3"]: row["name_short"] for row in table}
    lookup: dict[str, str] = {}
    for row in table:
        for name in (row["name_short"], row["name_official"], row["ISO3"], row["ISO2"]):
            lookup.setdefault(name.lower(), row["ISO3"])
    # Every other country's demonym and capital ("Papua New Guinean", "Port Moresby") from
    # countryinfo, after the names above: a country's own name always wins.
    from countryinfo import all_countries

    for info in all_countries():
        iso3 = info.iso(3)
        for form in (info.demonym(), info.capital()):
            if iso3 and isinstance(form, str) and "/" not in form and form.lower() not in _NOT_A_COUNTRY:
                lookup.setdefault(form.lower(), iso3)
    for iso3, forms in (*_OWN_NAMES.items(), *_COMMON_NAMES.items()):
        for form in forms.split(", "):
            lookup[form.lower()] = iso3
    lookup["uk"] = "GBR"  # ISO2 "GB"; people write "UK"
    return _Names(short=short, lookup=lookup)


def country(iso3: str) -> Country:
    return Country(name=_names().short.get(iso3, iso3), iso3=iso3)


def name_of(iso3: str) -> str:
    return _names().short.get(iso3, iso3)


def names_of(word: str) -> list[str]:
    """Every name of the country that `word` names exactly: its name, demonym or capital, also
    as a plural ("Finns", "Filipinos"). Empty when it names none."""
    lookup = _names().lookup
    key = word.lower()
    iso3 = lookup.get(key) or (lookup.get(key[:-1]) if key.endswith("s") else None)
    return [form for form, code in lookup.items() if code == iso3 and len(form) > 3] if iso3 else []


_NOT_FOUND = "\x00not found"


@cache
def _convert(query: str) -> str | None:
    import country_converter as coco

    logging.getLogger("country_converter").setLevel(logging.ERROR)  # it logs every miss
    result = coco.convert(query, to="ISO3", not_found=_NOT_FOUND)
    return result if isinstance(result, str) and result != _NOT_FOUND else None


# Names people type for a country that running text must not be read as ("Member States").
_QUERY_ONLY = {"states": "USA"}


def resolve(query: str) -> Country:
    """The country `query` names: a name, code, short form, demonym or capital. Close
    misspellings ("Phillipines") resolve to the one close match; otherwise UnknownCountryError
    with the closest names."""
    text = " ".join(query.strip().split())
    if not text:
        raise UnknownCountryError(query, [])
    names = _names()
    key = re.sub(r"^the\s+", "", text.lower())
    iso3 = names.lookup.get(key) or _QUERY_ONLY.get(key) or _convert(text)
    if iso3:
        return country(iso3)
    # Only whole names are offered: codes are too short to be meant by a misspelling.
    candidates = sorted({form for form in names.lookup if len(form) > 3})
    close = difflib.get_close_matches(key, candidates, n=3, cutoff=0.75)
    if close and difflib.SequenceMatcher(None, key, close[0]).ratio() >= 0.85:
        return country(names.lookup[close[0]])
    close = close or difflib.get_close_matches(key, candidates, n=3, cutoff=0.5)
    suggestions = list(dict.fromkeys(name_of(names.lookup[c]) for c in close))
    raise UnknownCountryError(query, suggestions)


# Candidate spans for countries in running text: runs of capitalised words ("United Kingdom",
# "the Philippines"), dotted and plain upper-case abbreviations ("U.S.", "UK"). Hyphens split
# words, so "UK-Japan talks" names both.
_SPAN = re.compile(r"\b(?:[A-Z][\w’'.]*)(?:\s+(?:of\s+|and\s+)?[A-Z][\w’'.]*)*")
_POSSESSIVE = re.compile(r"[’']s?$")


# The short forms running text uses for countries; other two- and three-letter codes ("MP",
# "PM", "IT", "AI") are far more often something else.
TEXT_ABBREVIATIONS = frozenset("US USA UK ROK DPRK PRC ROC UAE NZ DRC".split())


@dataclass(frozen=True)
class Mention:
    iso3: str
    start: int
    end: int


# The first half of a compound that names two countries: "Anglo-Polish", "Franco-German". Not
# "Sino-": the "Sino-American Mutual Defense Treaty" was the Republic of China's, Taiwan's.
_COMBINING = {
    "Anglo": "GBR", "Franco": "FRA", "Russo": "RUS", "Finno": "FIN", "Italo": "ITA",
    "Greco": "GRC", "Austro": "AUT", "Luso": "PRT", "Hispano": "ESP", "Nippo": "JPN",
}  # fmt: skip
_COMBINED = re.compile(rf"\b({'|'.join(_COMBINING)})(?=[-–][A-Z])")


def find_countries(text: str) -> list[Mention]:
    """Countries named in `text`, in order, by their longest matching name."""
    lookup = _names().lookup
    found = [Mention(_COMBINING[m.group(1)], m.start(), m.end()) for m in _COMBINED.finditer(text)]
    for span in _SPAN.finditer(text):
        words = list(re.finditer(r"\S+", span.group()))
        i = 0
        while i < len(words):
            for j in range(len(words), i, -1):  # the longest name first: "South Korea" over "Korea"
                start = span.start() + words[i].start()
                end = span.start() + words[j - 1].end()
                raw = _POSSESSIVE.sub("", text[start:end].rstrip(",;:"))
                form = next((f for f in (raw, raw.rstrip(".")) if f.lower() in lookup), "")
                # Short forms count only in capitals and only the ones news writes for countries:
                # "US" is a country, "us" is not, and "MP" after a name is a member of parliament,
                # not the Northern Mariana Islands' ISO code.
                if form and (len(form) > 3 or form.upper() in TEXT_ABBREVIATIONS):
                    found.append(Mention(lookup[form.lower()], start, start + len(form)))
                    i = j
                    break
            else:
                i += 1
    return sorted(found, key=lambda m: m.start)


# A country as the name signals compare it: "American", "U.S.", "the States" and "Washington"
# are one entity, and no word of the text can collide with the key (words have no "@").
COUNTRY_KEY = "@"


def country_keys(text: str) -> frozenset[str]:
    """The countries that running text names, as entity keys ("@USA")."""
    return frozenset(COUNTRY_KEY + m.iso3 for m in find_countries(text))


# Lower-case short forms a question may use for a country; "us" only after "the" ("tell us").
_TYPED_ABBREVIATIONS = re.compile(r"\b(?:uk|nz|rok|dprk|usa|uae|prc|(?<=\bthe )us)\b")
_THE_STATES = re.compile(r"\bthe States\b", re.IGNORECASE)
_TYPED_WORD = re.compile(r"\b[a-z][a-z’'-]+\b")


@cache
def _country_words() -> frozenset[str]:
    """Every word of a country's names ("south", "korea", "papua"), for reading lower-case questions."""
    from index.text import stems

    return frozenset(w for form in _names().lookup if len(form) > 3 for w in form.split() if len(w) > 2 and stems(w))


def countries_typed(question: str) -> list[Mention]:
    """The countries a question names, as people type them: in lower case ("south korea"), by
    a demonym in the plural ("the brits", "Americans"), "the States". Positions are the
    question's own: each rewrite below keeps the text's length."""
    states = [Mention("USA", m.start(), m.end()) for m in _THE_STATES.finditer(question)]
    text = _THE_STATES.sub(lambda m: " " * len(m.group()), question)
    text = _TYPED_ABBREVIATIONS.sub(lambda m: m.group().upper(), text)
    words = _country_words()

    def cased(match: re.Match[str]) -> str:
        word = match.group()
        if word in words:
            return word.capitalize()
        # A plural's "s" becomes a space: "americans" is read as "American".
        return word[:-1].capitalize() + " " if word.endswith("s") and word[:-1] in words else word

    return sorted([*states, *find_countries(_TYPED_WORD.sub(cased, text))], key=lambda m: m.start)


# A publisher that is a government ("U.S. Department of Defense", "Prime Minister's Office, 10
# Downing Street (GOV.UK)", "Australian Government, Department of Defence"), not a newspaper that
# only names a country ("The Japan Times"). Some name their country only by an office or a domain.
_GOVERNMENT = re.compile(
    r"\b(?:Government|Department|Ministry|Embassy|High Commission|Minister|Office|Command|Cabinet)\b|"
    r"GOV\.UK|White House",
)
_GOVERNMENT_PLACES = (
    ("United States", re.compile(r"\bWhite House\b|\bPentagon\b|\bDoD\b|\bDOD\b|\bDepartment of (?:Defense|State)\b")),
    ("United Kingdom", re.compile(r"\bGOV\.UK\b|\bDowning Street\b|\bWhitehall\b")),
)


def publisher_country(publisher: str | None) -> str | None:
    """The country (ISO3) whose government published an article, None for any other publisher:
    the first country the publisher names, by name or by its government's offices."""
    if not publisher or not _GOVERNMENT.search(publisher):
        return None
    for name, office in _GOVERNMENT_PLACES:
        publisher = office.sub(name, publisher)
    found = find_countries(publisher)
    return found[0].iso3 if found else None
