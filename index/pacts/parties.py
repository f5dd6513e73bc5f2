"""Which countries a sentence makes parties to the agreement it reports, read from the sentence's
dependency parse (spaCy's parser, index/models/annotate.py's pipeline).

A country is a party only when the parse ties it to an agreement: it names the agreement's
partner ("a pact with Japan", "the deal between A and B", "the U.S.-Japan alliance",
"Australia's treaty"), or it is the subject or object of a clause that signs, agrees, joins or
negotiates one ("Japan and the Philippines signed ...", "the leaders of A, B and C agreed ...",
"his Japanese counterpart"). Everything else a sentence names is left out, whatever it is:
the threat ("amid Beijing's assertiveness", "to counter China"), the venue ("talks in Berlin"),
the place ("militants based in neighbouring Somalia"), the one who only reacts ("Seoul welcomed
the deal"). The old reading, every country near an agreement word less a list of exceptions,
cannot tell "a partnership with the U.S." from "a group based in Somalia".

A sentence that reports several agreements ("a 1998 agreement with the United States and a
similar pact with Australia, and talks on deals with France") gives each its own partners.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from index.pacts.agreement_words import (
    ACCESS,
    FACILITIES,
    IRREGULAR,
    PARTNER_PREPOSITIONS,
    joint_work,
    reads_as,
    stem_of,
    verb_of,
)
from index.pacts.clauses import (
    PRONOUNS,
    RELATIVE,
    has_subject,
    holds,
    is_relative_subject,
    shares_subject,
    verb_of_object,
)
from index.pacts.countries import Mention
from index.text import stems

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


_AGREEING = frozenset(
    stems(
        "sign agree join negotiate conclude ink seal ratify approve strike forge upgrade elevate deepen launch "
        "renew extend buy sell order supply procure purchase acquire deliver build develop commit pledge meet "
        "talk discuss bind " + IRREGULAR
    )
)
# Verbs that make their subject a new member of the agreement: "Italy joined the programme".
_JOINING = frozenset(stems("join accede"))
# Verbs that only react to an agreement, or describe it: "Seoul welcomed the deal", "Belgrade
# called the declaration a threat", "officials cite China as the reason for the programme".
_REACTING = frozenset(
    stems(
        "welcome praise hail applaud congratulate criticise criticize condemn oppose reject denounce protest slam "
        "decry call describe brand label dismiss cite blame"
    )
)
# Verbs and nouns whose "to" names the other party ("sold jets to Poland", "agreed sales of the
# jet to Greece", "bound it to New Zealand"), and verbs whose "from" does ("bought tanks from
# South Korea").
_GIVING = frozenset(stems("sell sold supply deliver export transfer offer give gave sale sales delivery bind bound"))
_TAKING = frozenset(stems("buy bought purchase order procure acquire import lease"))


_TRADING = frozenset({("to", v) for v in _GIVING} | {("from", v) for v in _TAKING})
# Nouns that stand for a negotiation: "talks between Japan and the UK on a pact".
_NEGOTIATING = frozenset("talks negotiations discussions summit meeting consultations".split())
# How a country's name hangs from the phrase that plays its role: "the Japan-UK pact", "Japanese
# Foreign Minister Yoko Kamikawa", "Australia's treaty", "Japan and the Philippines", "French-built".
_MODIFIER = frozenset({"compound", "amod", "nmod", "poss", "conj", "appos", "nummod", "npadvmod"})
# A place that a clause under an agreement names is the host party: "troops stationed in Japan
# under a status of forces agreement", "access to Philippine bases under the 2014 agreement".
_HOSTING_PREPOSITIONS = frozenset("in to at on within".split())
# "The leaders of the United States ...", "ministers from both countries": the people stand for it.
_MEMBER_PREPOSITIONS = frozenset({"of", "from"})
# Roles in a clause that make a country a party when the clause agrees something.
_ACTING = frozenset({"nsubj", "nsubjpass", "dobj", "dative", "attr", "agent"})
# Words above a country in the parse that make it the threat, not a party: "threats posed by
# North Korea", "China's assertiveness", "the invasion by Russia".
_THREAT_WORDS = frozenset(
    "threat threats threaten threatened threatening menace risk risks danger dangers aggression aggressive "
    "assertiveness assertive coercion coercive pressure provocation provocations hostility invasion invade "
    "invaded attack attacks attacked war conflict tension tensions rivalry rival rivals militant militants "
    "counter countering deter deterring deterrence contain containing confront confronting expansionism "
    "expansion buildup build-up rise message warning".split()
)
# Objects that make "join" or "meet" a meeting of people, not of countries.
_PEOPLE = frozenset("me us you him her them".split())
# Subjects that stand for the subject of the clause above: "... and it opened talks".


@dataclass(frozen=True)
class Party:
    iso3: str
    # The token index of the agreement word whose phrase names it ("a pact with Japan"), else
    # None: a party to a clause ("Japan signed ...").
    anchor: int | None
    verb: int | None = None  # the clause's verb, for a party to a clause
    # Whether it is that clause's subject: a subject carries over to the clauses that share it
    # ("Japan agreed to sign a pact", "... and it opened talks on a deal"), an object does not.
    subject: bool = False


def parties_in(doc: Doc, mentions: Sequence[Mention], anchored: Sequence[Token]) -> list[Party]:
    """The mentioned countries the parse makes parties, each once per role; `anchored`: the
    sentence's `anchors`. The names of one list ("A, B and C") share their roles: the small
    parser sometimes cuts a list's first name off ("Anušić, Vengu and Maqedonci signed")."""
    words = {t.i for t in anchored}
    roles: dict[Mention, list[Role]] = {}
    for mention in mentions:
        span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if span is None or not len(span) or _threatening(span.root):
            continue
        found = [_role(span.root, words), *_relative_roles(span.root, words)]
        roles[mention] = [role for role in found if role is not None]
    for run in joined_runs(doc.text, [m for m in mentions if m in roles]):
        if " and " not in doc.text[run[0].start : run[-1].end]:
            if len(run) == 1 and not roles[run[0]]:  # "agreements with other countries, including France"
                roles[run[0]] = _group_roles(doc, run[0], words)
            continue  # "near the border with Russia, the Defence Secretary signed": no list without "and"
        shared = [role for m in run for role in roles[m]] or _group_roles(doc, run[0], words)
        for m in run:
            roles[m] = roles[m] or shared
    return list(dict.fromkeys(Party(m.iso3, *role) for m, found in roles.items() for role in found))


# "with 14 other countries, among them Britain, the Netherlands and Norway": the list names members
# of the group before it.
_INCLUDING = re.compile(r"(?:among them|including|such as|notably|namely)\s*(?:the\s+)?$", re.IGNORECASE)


def _group_roles(doc: Doc, first: Mention, words: set[int]) -> list[Role]:
    """The role of the group a list of countries names members of, when the list follows one."""
    cue = _INCLUDING.search(doc.text[: first.start])
    if cue is None:
        return []
    before = [t for t in doc if t.idx + len(t) <= cue.start() and not t.is_punct]
    if not before or before[-1].pos_ not in ("NOUN", "PROPN"):
        return []
    role = _role(before[-1], words)
    return [role] if role is not None else []


_JOINED = re.compile(r"(?:\s*,)?\s*(?:and\s+)?(?:the\s+)?")


def joined_runs(text: str, mentions: Sequence[Mention]) -> list[list[Mention]]:
    """The mentions in runs joined by commas and "and" ("A, B and C"), in order."""
    runs: list[list[Mention]] = []
    for mention in mentions:
        if runs and _JOINED.fullmatch(text[runs[-1][-1].end : mention.start]):
            runs[-1].append(mention)
        else:
            runs.append([mention])
    return runs


@dataclass(frozen=True)
class Reported:
    """One agreement word of a sentence and who it makes parties."""

    word: Token
    parties: list[str]  # ISO3, in order
    partners: list[str]  # the ones its own phrase names ("a pact with A and B")
    # Whether it is one agreement with each partner: "similar pacts with A and B", "agreed sales
    # of the jet to A, B and C".
    each: bool


def _plural(word: Token) -> bool:
    """Whether an agreement word is plural: "pacts", "treaties", "MoUs", "memoranda"."""
    return word.lower_.endswith("s") or word.lower_ == "memoranda"


def agreements_in(anchored: Sequence[Token], found: Sequence[Party]) -> list[Reported]:
    """The agreements the sentence reports, one per agreement word of `anchored` (its `anchors`):
    the partners its own phrase names, the parties of its clause, and the subjects of the clauses
    its clause shares a subject with. A dealing verb's partners are the parties other than its
    subjects."""
    reported = []
    for word in anchored:
        is_verb = word.pos_ in ("VERB", "AUX")
        verb = word if is_verb else verb_of(word)
        # Its clause, and the clauses inside its own phrase: "the deal Japan signed with Australia".
        own = (_sharing(verb) if verb is not None else set()) | {
            c.i for c in word.children if c.dep_ in ("relcl", "acl") and c.pos_ in ("VERB", "AUX")
        }
        above = _above(verb) if verb is not None else set()
        acting = [p for p in found if p.anchor is None and (p.verb in own or (p.subject and p.verb in above))]
        if is_verb:
            # Its objects, and what its own "from" names ("bought jets from France").
            named = [p.iso3 for p in found if p.anchor == word.i]
            partners = list(dict.fromkeys([p.iso3 for p in acting if not p.subject] + named))
            each = any(p.subject for p in acting)
            if joint_work(word):  # "developed jointly by A, B and C": its makers, together
                acting, partners, each = [p for p in found if p.anchor == word.i], [], False
            elif not each:  # "sold to Poland and Greece", "Europe should buy American and Israeli ones"
                acting, partners = [], []  # a sale needs a seller or a buyer it names: no pair of buyers
        else:
            partners = list(dict.fromkeys(p.iso3 for p in found if p.anchor == word.i))
            each = _plural(word)
        parties = list(dict.fromkeys([p.iso3 for p in acting] + partners))
        reported.append(Reported(word, parties, partners, each))
    return reported


def joins(party: Party, doc: Doc, alone: bool = False) -> bool:
    """Whether the party is the subject of a clause that joins something: "Italy joined the
    Global Combat Air Programme", "Japan acceded to the treaty"; with `alone`, a clause that
    names nothing it joins ("Denmark and Sweden joined in February")."""
    if not party.subject or party.verb is None or stem_of(doc[party.verb]) not in _JOINING:
        return False
    return not alone or not any(c.dep_ in ("dobj", "attr", "oprd") for c in doc[party.verb].children)


def _sharing(verb: Token) -> set[int]:
    """The verb and the verbs below it that take its subject ("agreed to buy ... from")."""
    found = {verb.i}
    for child in verb.children:
        if child.pos_ in ("VERB", "AUX") and shares_subject(child) and _subject_source(child) == verb.i:
            found |= _sharing(child)
    return found


def _above(verb: Token) -> set[int]:
    """The verbs above it whose subject it takes ("agreed to sign", "and it opened talks", "is in
    the early stages of considering a pact")."""
    found = set()
    while shares_subject(verb) and (source := _subject_source(verb)) is not None:
        found.add(source)
        verb = verb.doc[source]
    return found


def _subject_source(verb: Token) -> int | None:
    """The verb whose subject a verb that shares one takes: the verb above it, except that a
    pronoun subject stands for the nearest subject before it ("Croatia, which bought jets from
    France, is taking delivery, while Serbia agreed to buy Rafales, and it has also bought
    drones from China": "it" is Serbia, whatever clause the parse hangs it from)."""
    pronoun = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in PRONOUNS), None)
    if pronoun is not None:
        subjects = [
            t
            for t in verb.doc[: pronoun.i]
            if t.dep_ in ("nsubj", "nsubjpass")
            and t.lower_ not in PRONOUNS | RELATIVE
            and t.head.pos_ in ("VERB", "AUX")
        ]
        if subjects:
            return subjects[-1].head.i
    above = verb_of(verb)
    return above.i if above is not None else None


def _threatening(token: Token) -> bool:
    return any(a.lower_ in _THREAT_WORDS for a in token.ancestors)


Role = tuple[int | None, int | None, bool]  # Party's anchor, verb and subject


def _role(token: Token, words: set[int]) -> Role | None:
    """How the parse ties a country to an agreement: through an agreement word's phrase, or as a
    subject or object of an agreeing clause; None when it does not."""
    x = token
    while x.head.i != x.i:  # spaCy makes a new Token on every access: compare indexes
        if x.i in words:
            return x.i, None, False
        head = x.head
        if _loose_subject(x) and _agrees(head, words):
            return None, head.i, True  # "Washington, meanwhile, is negotiating deals with ..."
        if x.dep_ in _MODIFIER:
            x = head
        elif x.dep_ == "pobj":
            owner, preposition = head.head, head.lower_
            if owner.i in words and preposition in PARTNER_PREPOSITIONS | _MEMBER_PREPOSITIONS:
                return owner.i, None, False
            if preposition in PARTNER_PREPOSITIONS and (subject := _subject_of(owner, words)) is not None:
                return subject, None, False  # "a declaration of trust and co-operation between A and B"
            if (host := _access_of(owner, preposition, words)) is not None:
                return host, None, False  # the country whose bases are reached
            if preposition in PARTNER_PREPOSITIONS and owner.dep_ in ("relcl", "acl") and owner.head.i in words:
                return owner.head.i, None, False  # "the deal signed between A and B"
            # The verb the phrase belongs to: "signed with", or through its object: "bought
            # frigates from South Korea", "concluded the Falepili Union with Tuvalu".
            verb = owner if owner.pos_ in ("VERB", "AUX") else verb_of_object(owner)
            if preposition in PARTNER_PREPOSITIONS:
                if verb is not None:
                    if not _agrees(verb, words):
                        return None
                    # "signed by Japan", "three pacts were discussed by A and B": the ones who sign.
                    if head.dep_ == "agent":
                        return None, verb.i, True
                    # "has similar pacts with Tokyo": the partner of the agreement the verb holds.
                    held = [i for i in words if holds(verb, verb.doc[i])]
                    return (held[0], None, False) if len(held) == 1 else (None, verb.i, False)
                if owner.lower_ in _NEGOTIATING:  # "talks between Japan and the UK"
                    above = verb_of(owner)
                    return None, above.i if above is not None else None, False
                return None
            if (x.i == token.i or x.lower_ == "behalf") and _signs_for(owner, preposition, x) and _agrees(owner, words):
                return None, owner.i, True  # "Humphrys signed for the United Kingdom": the UK signed
            if preposition in _HOSTING_PREPOSITIONS and verb is not None and _under_agreement([owner, verb], words):
                return None, verb.i, False
            if preposition in _MEMBER_PREPOSITIONS and owner.pos_ in ("NOUN", "PROPN"):
                x = owner
            elif verb is not None and _trades(verb, preposition):
                return None, verb.i, False
            else:
                verb = _misread_subject(x, words)
                return (None, verb.i, True) if verb is not None else None
        elif x.dep_ in _ACTING and head.pos_ in ("VERB", "AUX"):
            if head.dep_ in ("aux", "auxpass") and head.head.pos_ in ("VERB", "AUX"):
                head = head.head  # the small parser hangs a subject from "are" in "are not only bound by"
            if x.dep_ == "nsubj" and stem_of(head) in _REACTING:
                return None  # "Shanahan applauded efforts by Greece and North Macedonia to implement the agreement"
            if (partner := _copula_partner(x, words)) is not None:
                return partner
            if (agreement := _visiting(x, words)) is not None:
                return agreement, None, False
            return (None, head.i, x.dep_ in ("nsubj", "nsubjpass")) if _agrees(head, words) else None
        else:
            return None
    return (x.i, None, False) if x.i in words else None


# Forces that an agreement's own clause lets in: "an agreement that would let Japanese troops train
# in the country", "a deal under which British marines will train in Norway".
_FORCES = frozenset("troops forces soldiers personnel military marines sailors ships warships aircraft units".split())


_PRESENCE = frozenset(stems("let allow permit enable train station deploy visit enter use operate rotate stay host"))


def _visiting(noun: Token, words: set[int]) -> int | None:
    """The agreement word whose relative clause lets the forces (a country's: "Japanese troops")
    in, station them or train them; not one that tracks or deters them."""
    if noun.lower_ not in _FORCES:
        return None
    verb, present = noun.head, False
    while verb.pos_ in ("VERB", "AUX"):
        present = present or stem_of(verb) in _PRESENCE
        if verb.dep_ in ("relcl", "acl") and verb.head.i in words:
            return verb.head.i if present else None
        if verb.dep_ not in ("xcomp", "ccomp", "conj"):
            return None
        verb = verb.head
    return None


_COPULAS = frozenset("is are was were be been remains remained".split())


def _copula_partner(token: Token, words: set[int]) -> Role | None:
    """A country that a copula equates with the partner an agreeing relative clause leaves open:
    "the only other country we have such a treaty with is France", "France is the one country with
    which we signed it": a party to that clause."""
    if token.dep_ not in ("nsubj", "attr") or token.head.lower_ not in _COPULAS:
        return None
    other = [c for c in token.head.children if c.dep_ in ("nsubj", "attr") and c.i != token.i]
    for clause in (c for noun in other for c in noun.children if c.dep_ == "relcl"):
        left_open = any(
            t.dep_ == "prep" and t.lower_ in PARTNER_PREPOSITIONS and all(c.lower_ in RELATIVE for c in t.children)
            for t in clause.subtree
        )
        if left_open and _agrees(clause, words):
            return None, clause.i, False
    return None


def _loose_subject(token: Token) -> bool:
    """A name the small parser hangs loose before a verb that has no subject ("Washington,
    meanwhile, is negotiating ..." read as a noun modifying the verb): it is the verb's subject."""
    head = token.head
    return (
        token.dep_ in ("npadvmod", "dep")
        and head.pos_ in ("VERB", "AUX")
        and token.i < head.i
        and not has_subject(head)
    )


def _access_of(owner: Token, preposition: str, words: set[int]) -> int | None:
    """The access word (`_access`) a place names the host of: "access to bases in the
    Philippines", "access to Philippine bases", "access within Poland"."""
    if preposition in _HOSTING_PREPOSITIONS and owner.i in words and reads_as(owner) == ACCESS:
        return owner.i
    if owner.lower_ in FACILITIES and owner.head.lower_ == "to" and owner.head.head.i in words:
        access = owner.head.head
        return access.i if reads_as(access) == ACCESS else None
    return None


def _under_agreement(tokens: Sequence[Token], words: set[int]) -> bool:
    """Whether one of the tokens has an "under" phrase that holds an agreement word ("under a
    status of forces agreement")."""
    return any(
        c.dep_ == "prep" and c.lower_ == "under" and any(_names_agreement(g, words) for g in c.children)
        for t in tokens
        for c in t.children
    )


def _names_agreement(noun: Token, words: set[int]) -> bool:
    """Whether the noun is an agreement word, or begins the name of one ("a status of forces
    agreement", but not "the glare of a pact")."""
    if noun.i in words:
        return True
    named = [g for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children]
    return any(g.i in words and not any(d.dep_ == "det" for d in g.children) for g in named)


def _trades(verb: Token, preposition: str) -> bool:
    """Whether the preposition names the verb's other party: "sold jets to Poland", "agreed
    sales of the jet to Greece", "bought frigates from South Korea"."""
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    return any((preposition, stem_of(t)) in _TRADING for t in [verb, *objects])


_SIGNING = frozenset(stems("sign ratify initial"))


def _signs_for(owner: Token, preposition: str, noun: Token) -> bool:
    """Whether the phrase names the one a signature is given for: "signed for the United Kingdom",
    "signed on behalf of Iraq" (the country's phrase climbed to "behalf")."""
    on_behalf = preposition == "on" and noun.lower_ == "behalf"
    return owner.pos_ == "VERB" and stem_of(owner) in _SIGNING and (preposition == "for" or on_behalf)


def _subject_of(noun: Token, words: set[int]) -> int | None:
    """The agreement word whose subject the noun (or the noun it is joined to) names: "a
    declaration of trust and co-operation", "a pact of friendship" (the small parser may join the
    subject to the agreement word itself: "declaration ... and co-operation"). Not what an
    agreement is about: "an agreement on the border dispute between A and B"."""
    while noun.dep_ == "conj" and noun.head.i != noun.i and noun.i not in words:
        noun = noun.head
    if noun.i in words:
        return noun.i
    if noun.dep_ == "pobj" and noun.head.lower_ == "of" and noun.head.head.i in words:
        return noun.head.head.i
    return None


def _relative_roles(token: Token, words: set[int]) -> list[Role]:
    """A country's roles as the subject of a relative clause about it: "Japan, which signed an
    agreement with the Philippines in 2016, ...", "the United States, whose forces are stationed
    in Japan under a status of forces agreement"."""
    return [
        (None, clause.i, True)
        for clause in token.children
        if clause.dep_ == "relcl" and any(is_relative_subject(c) for c in clause.children) and _agrees(clause, words)
    ]


def _misread_subject(token: Token, words: set[int]) -> Token | None:
    """The small parser reads "In April Warsaw agreed to buy ..." as "in Warsaw": a name right
    before an agreeing verb that has no subject of its own is that verb's subject."""
    doc = token.doc
    verb = doc[token.i + 1] if token.i + 1 < len(doc) else None
    if verb is None or verb.pos_ not in ("VERB", "AUX") or verb.dep_ not in ("ROOT", "conj"):
        return None
    return verb if not has_subject(verb) and _agrees(verb, words) else None


def _agrees(verb: Token, words: set[int]) -> bool:
    """Whether a clause's subject and object are parties: its verb agrees something, or an
    agreement word hangs from it or from a clause that shares its subject ("agreed to sign a
    pact", "is in the early stages of considering a pact") other than as the object of a reaction
    ("welcomed the deal")."""
    if any(
        (c.dep_ == "dobj" and c.lower_ in _PEOPLE and not c.text.isupper()) or c.dep_ == "neg" for c in verb.children
    ):
        # "the minister joins me on the line", "met him", "Moscow is not a party"; but "the US" is no "us"
        return False
    verbs = [verb, *(c for c in verb.children if c.pos_ in ("VERB", "AUX") and shares_subject(c))]
    if verb.dep_ == "conj" and shares_subject(verb):
        verbs.append(verb.head)  # "ratified by Japan's Diet and concurred in by the Philippine Senate"
    if any(stem_of(v) in _AGREEING for v in verbs):
        return True
    reached = {v.i for v in verbs}
    for i in words:
        word = verb.doc[i]
        holder = word if word.pos_ in ("VERB", "AUX") else verb_of(word)
        if holder is None or stem_of(holder) in _REACTING:
            continue
        if ({holder.i} | _above(holder)) & reached:
            return True
    return False
