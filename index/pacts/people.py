"""The people an article ties to a country ("Australian Prime Minister Anthony Albanese", "his
Papua New Guinean counterpart James Marape"), so that a later "Albanese and Marape signed ..."
names both countries. News names leaders by surname once it has introduced them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from index.pacts.countries import Mention, find_countries

# Words that make the capitalised words after a country a title, and the ones after the title a
# person: "Foreign Minister Yoko Kamikawa", "counterpart James Marape".
_TITLES = frozenset(
    "minister president secretary chancellor premier king queen prince princess emir sultan ambassador general "
    "admiral marshal chief commander senator leader envoy counterpart".split()
)
# Sentences without any of those words introduce nobody, and are not searched for countries.
_ANY_TITLE = re.compile(r"\b(?:" + "|".join(sorted(_TITLES)) + r")\b", re.IGNORECASE)
_WORD = re.compile(r"\s*([A-Za-z][\w’'.-]*)")
_CONNECTORS = frozenset({"of", "for", "the"})
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii"})
# Words between a title and a name that are neither: "Secretary of Defense Dr. Mark T. Esper".
_PORTFOLIOS = frozenset(
    "defense defence state national foreign affairs homeland security interior dr mr mrs ms".split()
)


def _person_after(text: str, country: Mention) -> str | None:
    """The surname of the person a title after the country introduces, None when there is none."""
    words: list[str] = []
    position = country.end
    if text[position : position + 2] in ("'s", "’s"):
        position += 2
    while (match := _WORD.match(text, position)) is not None:
        word = match.group(1)
        if not (word[0].isupper() or word.lower() in _TITLES or word.lower() in _CONNECTORS):
            break
        words.append(word)
        position = match.end()
    titles = [i for i, w in enumerate(words) if w.lower().rstrip(".,") in _TITLES]
    if not titles:
        return None
    name = [w.rstrip(".,") for w in words[titles[-1] + 1 :]]
    if name and name[0].lower() in ("of", "for"):
        # A portfolio runs up to its last portfolio word, known or not before it: "Minister of
        # External Affairs" introduces nobody, "Minister for Foreign Affairs Penny Wong" Wong.
        last = max((i for i, w in enumerate(name) if w.lower() in _PORTFOLIOS), default=-1)
        name = name[last + 1 :]
    while name and name[0].lower() in _CONNECTORS | _PORTFOLIOS:
        name.pop(0)  # "Secretary of Defense Lloyd J. Austin", "Minister of National Defense Ion Popescu"
    while name and name[-1].lower() in _SUFFIXES:
        name.pop()
    if not 1 <= len(name) <= 3 or not all(w[0].isupper() for w in name):
        return None
    return name[-1].removesuffix("’s").removesuffix("'s")


def people_of(sentences: Iterable[str], speaker: str | None = None) -> dict[str, str]:
    """Surname -> ISO3 for each person the text introduces with a country's title, or, in a text
    the government of `speaker` published, with one of its own titles and no country ("Secretary
    of Defense Lloyd J. Austin III", "Defence Secretary John Healey"); a surname introduced for
    two countries is left out."""
    found: dict[str, set[str]] = {}
    for sentence in filter(_ANY_TITLE.search, sentences):
        countries = find_countries(sentence)
        titled = [(country, country.iso3) for country in countries]
        if speaker is not None:
            own = _OWN_TITLES.get(speaker, _OWN_TITLES[""]).finditer(sentence)
            titled += [
                (Mention(speaker, m.start(), m.start()), speaker)
                for m in own
                if not any(c.end <= m.start() and _BEFORE.fullmatch(sentence[c.end : m.start()]) for c in countries)
            ]
        for at, iso3 in titled:
            surname = _person_after(sentence, at)
            if surname is not None and not find_countries(surname):
                found.setdefault(surname, set()).add(iso3)
    return {surname: next(iter(codes)) for surname, codes in found.items() if len(codes) == 1}


# The titles a government's own people carry with no country before them: the United States'
# secretaries, the others' secretaries of one portfolio ("Defence Secretary").
_OWN_TITLES = {
    "USA": re.compile(r"\b(?:(?:Acting|Deputy)\s+)?(?:Defen[cs]e\s+)?Secretary\b"),
    "": re.compile(r"\b(?:Defen[cs]e|Foreign|Home)\s+Secretary\b"),
}
_BEFORE = re.compile(r"(?:[’']s)?\s*")  # a country right before the title: "Ukrainian Defence Secretary"


@cache
def _surnames(names: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for an article's surnames, made once for all its sentences."""
    return re.compile(r"\b(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b")


def people_in(sentence: str, people: dict[str, str], countries: list[Mention]) -> list[Mention]:
    """The people of `people` the sentence names, as mentions of their countries, leaving out
    the names already inside a country's mention."""
    if not people:
        return []
    pattern = _surnames(tuple(people))
    taken = [(m.start, m.end) for m in countries]
    return [
        Mention(people[m.group(1)], m.start(), m.end())
        for m in pattern.finditer(sentence)
        if not any(start < m.end() and m.start() < end for start, end in taken)
    ]


# In a text a government published, the speaker is that government: "we", "our" and "us" outside
# quotation marks, and its offices named with no country ("the Secretary", "the Defence
# Secretary", "the Department", "the Prime Minister"). The United States has secretaries and
# departments and no prime minister; the others name a prime minister, a government, a ministry
# or a secretary of one portfolio ("the Defence Secretary"), and "the Secretary" alone is theirs
# only in the United States.
FIRST_PERSON = re.compile(r"\b(?:[Ww]e|[Oo]ur|us)\b")
_QUOTED = re.compile(r"[\"“”]")
_PORTFOLIO = r"(?:(?:Acting\s+)?(?:Defen[cs]e|Foreign|Home)\s+)"
_OFFICES = {
    "USA": re.compile(
        rf"\b[Tt]he\s+(?:{_PORTFOLIO}?Secretary(?:\s+of\s+(?:Defense|State))?|Department(?:\s+of\s+(?:Defense|State))?|"
        r"Administration)\b(?![-’'\w]|\s+of\b)"
    ),
    "": re.compile(
        rf"\b[Tt]he\s+(?:{_PORTFOLIO}Secretary|Prime\s+Minister|PM|Government|Ministry(?:\s+of\s+Defen[cs]e)?)\b"
        r"(?![-’'\w]|\s+of\b)"
    ),
}


# "The country", "that nation": in a government's text, the one other country its headline names
# ("Readout of the Secretary's Meeting With Romanian Minister ...").
_THE_COUNTRY = re.compile(r"\b[Tt]h(?:e|at)\s+(?:country|nation)\b(?![-\w])")


@dataclass(frozen=True)
class Voice:
    """Who a government's text speaks as (the publishing government's country, ISO3) and to (the
    one other country its headline names); both None for any other publisher."""

    speaker: str | None = None
    addressed: str | None = None


def speaker_in(sentence: str, voice: Voice) -> list[Mention]:
    """The places where the sentence speaks as, or of, the government that published it, and of
    the country it addresses, as mentions of their countries."""
    if voice.speaker is None:
        return []
    offices = _OFFICES.get(voice.speaker, _OFFICES[""])
    found = list(offices.finditer(sentence))
    if not _QUOTED.search(sentence):
        found += FIRST_PERSON.finditer(sentence)
    addressed = [] if voice.addressed is None else _THE_COUNTRY.finditer(sentence)
    return [Mention(voice.speaker, m.start(), m.end()) for m in found] + [
        Mention(voice.addressed, m.start(), m.end()) for m in addressed if voice.addressed is not None
    ]
