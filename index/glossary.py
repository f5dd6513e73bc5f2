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

from index.text import stems
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
        words = tuple(stems(text, True))
        vocabulary = set(words)
        found = []
        for group, keys in zip(self._groups, self._keys, strict=True):
            present = [k for k in keys if k and vocabulary.issuperset(k) and _contains(words, k)]
            if present:
                found.append((group, keys, present))
        return found

    def canonical_terms(self, text: str) -> list[str]:
        """The canonical term (the glossary's `term`) of every group that `text` mentions."""
        return [group[0] for group, _, _ in self._groups_in(text)]

    def expand(self, question: str) -> list[Expansion]:
        """For each glossary group the question mentions, the words it used and the alternatives."""
        found: list[Expansion] = []
        for group, keys, present in self._groups_in(question):
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


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))
