"""Credit lines: the lines of an article that say who reported, wrote, edited or photographed
it ("Reporting by …; Editing by …", "Follow X on Twitter", "Photo: …"). They are about the
article, not what it reports, so they are kept as its metadata and never quoted as an answer.

A line is a credit only when all of it is: the roles and "by", then nothing but names (capitalised
words, initials, handles, a place after "in"). "Reporting by the BBC suggested the pact would be
signed" has more than names after "by" and stays a paragraph.
"""

from __future__ import annotations

import re

# Roles whose people wrote or reported the article: its authors. Editors, photographers and
# the like are credited too, but are not authors.
_AUTHOR_ROLES = r"reporting|reported|writing|written|contributing|contributed"
_OTHER_ROLES = (
    r"editing|edited|compiled|compilation|production|produced|research|translation|translated|"
    r"graphics|video|illustrations?|photos?|photographs?|photography|pictures?|images?"
)
_ROLE = (
    rf"(?:(?:additional|extra|further|more|with|and)\s+)*(?:{_AUTHOR_ROLES}|{_OTHER_ROLES})"
    rf"(?:\s+and\s+(?:{_AUTHOR_ROLES}|{_OTHER_ROLES}))*"
)
_BY = re.compile(rf"(?P<role>{_ROLE})\s+by\s+(?P<names>.+)", re.IGNORECASE)
# Several credits on one line: "Reporting by A; Editing by B", "Reporting by A, editing by B".
_PARTS = re.compile(rf"\s*;\s*|\s*[,.]\s*(?=(?:{_ROLE})\s+by\s)", re.IGNORECASE)
_BYLINE = re.compile(r"by\s+(?P<names>.+)", re.IGNORECASE)
# "Follow Kana Inagaki on Twitter": one imperative word ("Follow", or a paraphrase such as
# "Comply with"), then names only. A sentence's subject and verb ("Sunak thanked Kishida on
# Twitter") are two words before the names, so it is not taken for one.
_FOLLOW = re.compile(r"[A-Z][a-z]+(?:\s+with)?\s+(?P<names>.+?)\s+on\s+(?:Twitter|X|Twitter/X|X/Twitter)")
_PHOTO = re.compile(
    r"(?:(?:(?:top|main|lead|header|cover|featured?)\s+)?(?:photo|photograph|image|picture)s?(?:\s+credits?)?|credits?)"
    r"\s*[:|]\s*(?P<names>.+)",
    re.IGNORECASE,
)
# Lower-case words that occur inside credited names: "Ursula von der Leyen", "Reporting by
# Tim Kelly in Tokyo", "John Smith/AFP via Getty Images".
_PARTICLES = frozenset(
    "and in at for from of the de del della der di da du van von den la le bin al el y via us".split()
)
_TOKEN = re.compile(r"[^\s,/&()]+")
_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b)\s*")
_PLACE = re.compile(r"\s+(?:in|at|from)\s+.*$")  # "Tim Kelly in Tokyo" -> "Tim Kelly"
_AGENCY = re.compile(r"\s*(?:/|\bvia\b).*$")  # "John Smith/AFP via Getty Images" -> "John Smith"
_MAX_WORDS = 40  # a credit is a line; a paragraph this long is prose


def _names_only(text: str) -> bool:
    """Whether `text` holds nothing but names, places and agencies."""
    words = _TOKEN.findall(text.strip().rstrip("."))
    return (
        0 < len(words) <= _MAX_WORDS
        and any(_is_name_word(w) for w in words)
        and all(_is_name_word(w) or w.lower() in _PARTICLES for w in words)
    )


def _is_name_word(word: str) -> bool:
    """A capitalised word or initial ("Élise", "J."), a handle ("@kanainagaki")."""
    return word[0].isupper() or (word[0] == "@" and len(word) > 1)


def _unwrapped(line: str) -> str:
    """The line without its enclosing brackets and final full stop: "(Reporting by X.)"."""
    text = line.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    return text.rstrip(".").strip()


def _credited(line: str) -> list[tuple[bool, str]] | None:
    """(whether they are authors, their names) for each credit on `line`; None when it is not
    a credit line."""
    text = _unwrapped(line)
    for pattern in (_BYLINE, _FOLLOW):
        match = pattern.fullmatch(text)
        if match and _names_only(match["names"]):
            return [(True, match["names"])]
    match = _PHOTO.fullmatch(text)
    if match and _names_only(match["names"]):
        return [(False, match["names"])]
    credits = []
    for part in _PARTS.split(text):
        match = _BY.fullmatch(part)
        if not match or not _names_only(match["names"]):
            return None
        is_author = re.search(rf"\b(?:{_AUTHOR_ROLES})\b", match["role"], re.IGNORECASE) is not None
        credits.append((is_author, match["names"]))
    return credits


def is_credit_line(line: str) -> bool:
    """Whether the whole of `line` credits people (reporting, writing, editing, photos)."""
    return _credited(line) is not None


def _people(names: str) -> list[str]:
    """The people in "David Brunnstrom and Humeyra Pamuk in Washington": a person's name has
    two words or more; a single word is a place or an agency ("Tokyo", "Reuters")."""
    people = []
    for name in _SEPARATORS.split(names.strip().rstrip(".")):
        name = _AGENCY.sub("", _PLACE.sub("", name)).strip()
        words = name.split()
        if len(words) >= 2 and words[0].lower() not in _PARTICLES and not name.startswith("@"):
            people.append(name)
    return people


def credited_authors(lines: list[str]) -> list[str]:
    """The people who reported or wrote the article, from its credit lines, in order, once each."""
    seen: dict[str, str] = {}
    for line in lines:
        for is_author, names in _credited(line) or []:
            for person in _people(names) if is_author else []:
                seen.setdefault(person.casefold(), person)
    return list(seen.values())
