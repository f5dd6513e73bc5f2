"""Glossary and acronym expansion: bridges the words people type and the words articles use.

The seed article was machine-paraphrased ("Reciprocal Entry Settlement" for "Reciprocal Access
Agreement", "workouts" for "exercises"), so a question in ordinary English shares few words
with it. Each glossary entry is a group of interchangeable phrases; a question that contains
one phrase of a group is searched with the others too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from index.text import stems, words
from index.yamlfile import load_yaml, yaml_problem

GLOSSARY_FILE = "glossary.yaml"  # in the knowledge folder


class GlossaryError(ValueError):
    """The glossary file is unusable; the message says where."""


class GlossaryEntry(BaseModel):
    term: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)

    def phrases(self) -> list[str]:
        return [self.term, *self.aliases]


class Glossary(BaseModel):
    terms: list[GlossaryEntry] = Field(default_factory=list)


def load_glossary(path: Path) -> Glossary:
    """The glossary at `path`; an empty one when the file does not exist."""
    if not path.exists():
        return Glossary()
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
        return Glossary.model_validate(data)
    except yaml.YAMLError as exc:
        raise GlossaryError(f"{path}: not valid YAML ({yaml_problem(exc)})") from None
    except UnicodeDecodeError:
        raise GlossaryError(f"{path}: not UTF-8") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise GlossaryError(f"{path}: {where}: {first['msg']}") from None


# "Long Form (ABBR)": a parenthesised acronym after a run of capitalised words.
_ACRONYM = re.compile(r"\(([A-Z][A-Z0-9&]{1,9})\)")
_CAPITALISED_RUN = re.compile(r"((?:[A-Z][\w'’-]*\s+(?:(?:of|and|for|the|on|de)\s+)?)+)$")


def find_acronyms(text: str) -> dict[str, str]:
    """Acronyms defined in `text` as "Long Form (ABBR)", mapped to their long form.

    Where the initials match, the long form is exactly those words; where they do not (the
    spun text writes "Reciprocal Entry Settlement (RAA)"), the whole capitalised run of two or
    more words is taken, since the text still defines the acronym by it.
    """
    found: dict[str, str] = {}
    for match in _ACRONYM.finditer(text):
        abbr = match.group(1)
        run = _CAPITALISED_RUN.search(text, 0, match.start())
        if not run:
            continue
        run_words = run.group(1).split()
        capitals = [w for w in run_words if w[0].isupper()]
        if len(capitals) < 2:
            continue
        tail = run_words[-len(abbr) :]
        if "".join(w[0] for w in tail).upper() == abbr.replace("&", ""):
            run_words = tail
        found.setdefault(abbr, " ".join(run_words))
    return found


# Bumped when find_initialisms reads differently: the index then reads its articles' names again.
INITIALISMS_VERSION = 1
# A run of two or more capitalised words, small joining words allowed inside it: "Enhanced
# Defense Cooperation Agreement", "Status of Visiting Forces Agreement", "U.S. Forces Japan".
_TITLED_RUN = re.compile(r"\b[A-Z][\w’'.-]*(?:\s+(?:(?:of|and|for|the|on|de)\s+)?[A-Z][\w’'.-]*)+")
_JOINING_WORDS = frozenset({"of", "and", "for", "the", "on", "de"})
_DOTTED = re.compile(r"(?:[A-Z]\.)+[A-Z]?\.?")


def _letters(word: str) -> set[str]:
    """What one word may give an acronym: its initial; every letter of "U.S." or "US" too; a
    joining word its initial or nothing (SOVFA and SVFA both stand for "Status of Visiting
    Forces Agreement")."""
    if word in _JOINING_WORDS:
        return {"", word[0].upper()}
    bare = word.strip(".,;:’'")
    if _DOTTED.fullmatch(word.rstrip(",;:")) or (bare.isupper() and 2 <= len(bare) <= 4):
        return {bare[0], bare.replace(".", "")}
    return {bare[:1].upper()}


def find_initialisms(text: str) -> dict[str, str]:
    """Names in `text` keyed by their initials: "EDCA" -> "Enhanced Defense Cooperation
    Agreement", "USFJ" -> "U.S. Forces Japan". News writes the acronym in a headline and the
    long form in the body, or the other way round, without ever defining one by the other; a
    question may use either."""
    found: dict[str, str] = {}
    for match in _TITLED_RUN.finditer(text):
        run = [_bare(w) for w in match.group().split()]
        starts = [i for i, w in enumerate(run) if w not in _JOINING_WORDS]
        # Every stretch of two to six capitalised words, so that "Defense Cooperation Agreement"
        # (DCA) is found inside "Enhanced Defense Cooperation Agreement".
        for a, start in enumerate(starts):
            for end in starts[a + 1 : a + 6]:
                name = run[start : end + 1]
                for initials in _spellings(name):
                    if 3 <= len(initials) <= 7:
                        found.setdefault(initials, " ".join(name))
    return found


def _bare(word: str) -> str:
    """The word without the punctuation after it; "U.S." keeps its dots."""
    word = word.rstrip(",;:")
    return word if _DOTTED.fullmatch(word) else word.rstrip(".")


def _spellings(name: list[str]) -> set[str]:
    spelt = {""}
    for word in name:
        spelt = {before + letters for before in spelt for letters in _letters(word)}
    return spelt


@dataclass(frozen=True)
class Expansion:
    """Question words that name a glossary group, and the group's other phrases."""

    used: frozenset[str]  # stems in the question
    phrases: list[str]  # the other phrases, as written in the glossary
    alternatives: list[frozenset[str]]  # their stems, stop words kept


class Expander:
    """Finds glossary phrases in a question and returns the other phrases of their groups."""

    def __init__(self, glossary: Glossary, acronyms: dict[str, str] | None = None) -> None:
        groups = [entry.phrases() for entry in glossary.terms]
        for abbr, long_form in (acronyms or {}).items():
            keys = {tuple(stems(abbr, True)), tuple(stems(long_form, True))}
            home = next((g for g in groups if keys & {tuple(stems(p, True)) for p in g}), None)
            if home is None:
                groups.append([long_form, abbr])
            else:
                home.extend(p for p in (long_form, abbr) if p not in home)
        self._groups = groups
        # Matching is on stemmed words, stop words kept, so "signing" finds "sign" and
        # "Reciprocal Access Agreements" finds "Reciprocal Access Agreement".
        self._keys = [[tuple(stems(p, True)) for p in group] for group in groups]
        self.known_words = frozenset(w for keys in self._keys for key in keys for w in key)

    def _groups_in(self, text: str) -> list[tuple[list[str], list[tuple[str, ...]], list[tuple[str, ...]]]]:
        """(phrases, keys, keys present) of each group that `text` mentions. The set test comes
        first: most keys share no word with a text, and this runs for every sentence at index time."""
        text_stems = tuple(stems(text, True))
        vocabulary = set(text_stems)
        found = []
        for group, keys in zip(self._groups, self._keys, strict=True):
            present = [k for k in keys if k and vocabulary.issuperset(k) and _contains(text_stems, k)]
            if present:
                found.append((group, keys, present))
        return found

    def canonical_terms(self, text: str) -> list[str]:
        """The canonical term (the glossary's `term`) of every group that `text` mentions."""
        return [group[0] for group, _, _ in self._groups_in(text)]

    def written_terms(self, text: str) -> list[str]:
        """The canonical terms of the groups that `text` writes one phrase of, up to inflection:
        "amassed" is "amass" (read as "acquire"), but "criticized" is not "critical", although
        both stem to "critic"."""
        typed = words(text)
        return [
            group[0]
            for group, keys, present in self._groups_in(text)
            if any(k in present and _writes(typed, words(p)) for p, k in zip(group, keys, strict=True))
        ]

    def expand(self, question: str) -> list[Expansion]:
        """For each glossary group the question mentions, the words it used and the alternatives.

        A phrase counts only where the question writes it, up to inflection: stems alone would
        read "what did zack cooper say" as asking about "cooperation" (both stem to "cooper")."""
        found: list[Expansion] = []
        typed = words(question)
        for group, keys, every in self._groups_in(question):
            present = [k for k, p in zip(keys, group, strict=True) if k in every and _writes(typed, words(p))]
            if not present:
                continue
            others = [(p, k) for p, k in zip(group, keys, strict=True) if k not in present]
            if others:
                found.append(
                    Expansion(
                        used=frozenset(w for k in present for w in k),
                        phrases=[p for p, _ in others],
                        alternatives=[frozenset(k) for _, k in others if k],
                    )
                )
        return found


def _inflects(typed: str, word: str) -> bool:
    """Whether `typed` is `word` up to an inflection ("signed", "countries", "agreements"), not
    a different word with the same stem ("cooper" and "cooperation")."""
    short, long = sorted((typed, word), key=len)
    root = short[:-1] if short.endswith(("e", "y")) else short
    return long.startswith(root) and len(long) - len(root) <= 3


def _writes(typed: list[str], phrase: list[str]) -> bool:
    """Whether the question's words `typed` hold `phrase`'s words in order, each up to inflection."""
    n = len(phrase)
    return n > 0 and any(
        all(_inflects(t, w) for t, w in zip(typed[i : i + n], phrase, strict=True)) for i in range(len(typed) - n + 1)
    )


def _contains(text_stems: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(text_stems[i : i + n] == phrase for i in range(len(text_stems) - n + 1))
