"""Which words of a question name something, and whether the indexed articles know it.

A question about "Peru", "EDCA" or "zelensky" cannot be answered from articles that never name
them, however close in meaning some passage is: Pactbot says so ("The indexed articles never
mention …") instead of quoting something near. Users type in lower case, so a name is a
capitalised word, a word that names a country, or a word rare in English (wordfreq's counts);
the articles know it when a passage or a title has it, when the glossary has it, when it names
a country they name another way ("Russian" for "Russia"), when its letters are the initials of
a name they write out ("EDCA" for "Enhanced Defense Cooperation Agreement"), or when it is a
misspelling of one of their words.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

from index.glossary import Expansion
from index.pacts.countries import TEXT_ABBREVIATIONS, names_of
from index.text import stems

_CAPITALISED = re.compile(r"\b[A-Z][\w’'-]*")
_LOWER_WORD = re.compile(r"\b[a-z][a-z’'-]{2,}\b")
_POSSESSIVE = re.compile(r"(?<=\w)[’']s?\b")
_QUESTION_OPENERS = frozenset(
    "what when who whom whose why how which where is are was were did do does can could will would "
    "should has have had tell list give show explain describe any the a an in on at".split()
)
# Below this Zipf frequency (occurrences per billion words, log10) a lower-case word is taken
# for a name or a term of art: "edca" (1.1), "aukus" (0), "zelensky" (1.8), "vfa" (2.0) are;
# "quadrilateral" (2.4), "deets" (2.4) and "vilnius" (2.8) are not, so a rare ordinary word is
# not mistaken for a name (a capitalised "Vilnius" still is one).
RARE_ZIPF = 2.2
# How close a word must be to one the articles use to be read as its misspelling.
TYPO_CUTOFF = 0.8


# Bounded: a bot that runs for weeks sees unboundedly many distinct question words.
@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    # Imported when first needed: wordfreq's English list takes 0.2 s to load.
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


def _names_country(word: str) -> bool:
    """Whether a lower-case word is a country's name, demonym or capital; of the codes, only
    the ones people type for countries ("usa", not "isr" for ISR)."""
    return bool(names_of(word)) and (len(word) > 3 or word.upper() in TEXT_ABBREVIATIONS)


def name_like(question: str, indexed: Callable[[str], bool] = lambda word: False) -> list[str]:
    """The question's words that name something: its capitalised words (but an opening "What"),
    and lower-case words that name a country or are rare in English. Lower-case words that
    `indexed` accepts are left out before wordfreq is asked: most question words are."""
    question = _POSSESSIVE.sub("", question)
    found = [
        word
        for i, word in enumerate(_CAPITALISED.findall(question))
        if not (i == 0 and question.lstrip().startswith(word) and word.lower() in _QUESTION_OPENERS)
    ]
    for word in _LOWER_WORD.findall(question):
        if stems(word) and (_names_country(word) or (not indexed(word) and _zipf(word) < RARE_ZIPF)):
            found.append(word)
    return found


class NameCheck:
    """Whether the articles of one index version know the names a question uses."""

    def __init__(
        self,
        vocabulary: Mapping[str, int],
        titles: Iterable[str],
        initialisms: Mapping[str, str],
        glossary_words: frozenset[str],
    ) -> None:
        self._vocabulary = vocabulary
        self._titles = frozenset(s for title in titles for s in stems(title, True))
        self._initialisms = initialisms
        self._glossary = glossary_words
        self._by_letter: dict[str, list[str]] = {}

    def _has(self, stem: str) -> bool:
        return stem in self._vocabulary or stem in self._titles or stem in self._glossary

    def _indexed(self, word: str) -> bool:
        return all(self._has(k) for k in stems(word, True))

    def knows(self, word: str) -> bool:
        key = stems(word, True)
        if not stems(word) or self._indexed(word):
            return True
        if self.long_form(word) is not None:
            return True
        if any(all(self._has(k) for k in stems(name, True)) for name in names_of(word)):
            return True
        return word.islower() and self._misspelt(key)

    def long_form(self, word: str) -> str | None:
        """The name the articles write out whose initials `word` is, where no passage writes
        `word` (a title may: "New EDCA Sites Named", over a text that only writes it out)."""
        if not stems(word) or any(k in self._vocabulary or k in self._glossary for k in stems(word, True)):
            return None
        long_form = self._initialisms.get(word.upper().replace(".", ""))
        # Typed in capitals, or a word rare enough to be one typed in lower case ("edca"), never
        # an ordinary word that happens to spell some name's initials.
        if long_form is None or not (word.isupper() or _zipf(word.lower()) < RARE_ZIPF):
            return None
        return long_form

    def _misspelt(self, key: list[str]) -> bool:
        """Whether each stem is a close misspelling of one the articles use ("agreemnt")."""
        return all(difflib.get_close_matches(k, self._starting(k[0]), n=1, cutoff=TYPO_CUTOFF) for k in key)

    def _starting(self, letter: str) -> list[str]:
        # Misspellings rarely change the first letter; comparing with one letter's words keeps
        # this to a few milliseconds on a large index.
        if letter not in self._by_letter:
            self._by_letter[letter] = [w for w in self._vocabulary if w.startswith(letter)]
        return self._by_letter[letter]

    def unknown(self, question: str) -> list[str]:
        """The question's names that the articles never mention, as typed."""
        return list(dict.fromkeys(w for w in name_like(question, self._indexed) if not self.knows(w)))

    def expansions(self, question: str) -> list[Expansion]:
        """For each initialism the question uses that the articles only write out, its long form."""
        found = []
        for word in re.findall(r"[\w.]+", question):
            long_form = self.long_form(word) if len(word) >= 3 else None
            if long_form is not None:
                key = frozenset(stems(long_form, True))
                found.append(Expansion(used=frozenset(stems(word, True)), phrases=[long_form], alternatives=[key]))
        return found
