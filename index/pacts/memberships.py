"""The members of an agreement that articles name in parts: each mention of a named agreement
completed with every member that other mentions of that name give (index/pacts/agreement_reader.py
reads the mentions; the service, the events and the pair classifier complete them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from index.pacts.agreement_names import is_proper_name
from index.pacts.agreements import AgreementMention


def _memberships(sets: set[frozenset[str]]) -> list[frozenset[str]]:
    """The agreements a name's party sets stand for: the largest sets, none inside another; or
    one, their union, when every one has three members or more and they link up through shared
    members: one multilateral agreement that sentences name part of ("Austria and Switzerland
    signed up to the European Sky Shield Initiative", "Germany launched the initiative with
    Britain, the Netherlands ..."). Bilateral ones of one name (each Reciprocal Access
    Agreement) stay apart."""
    largest = [s for s in sets if not any(s < other for other in sets)]
    if len(largest) < 2 or any(len(s) < 3 for s in largest):
        return largest
    union, rest = set(largest[0]), largest[1:]
    while linked := [s for s in rest if union & s]:
        union.update(*linked)
        rest = [s for s in rest if s not in linked]
    return largest if rest else [frozenset(union)]


def complete_memberships(mentions: Sequence[AgreementMention]) -> list[AgreementMention]:
    """Each named agreement with all its members. Mentions that name some of its members ("Britain
    and Japan's Global Combat Air Programme", "Italy joined the Global Combat Air Programme") are
    mentions of the one agreement of that name whose mentions name the others. A name that
    several agreements share (Japan's Reciprocal Access Agreements with Australia and with the
    UK) gives each subset the one agreement it fits, if only one; a one-country mention that
    fits none is left out, as it names no agreement between countries."""
    found: dict[str, set[frozenset[str]]] = {}
    for m in mentions:
        if is_proper_name(m.name) and len(m.parties) >= 2:
            found.setdefault(m.name, set()).add(frozenset(m.parties))
    joined: dict[str, set[str]] = {}
    for m in mentions:
        if len(m.parties) == 1 and m.name in found:
            joined.setdefault(m.name, set()).update(m.parties)
    memberships = {name: _memberships(sets) for name, sets in found.items()}
    completed = []
    for m in mentions:
        largest = memberships.get(m.name, [])
        if len(largest) == 1:
            members = largest[0] | joined.get(m.name, set())
        else:
            fitting = [s for s in largest if set(m.parties) < s]
            members = fitting[0] if len(fitting) == 1 else frozenset(m.parties)
        if len(members) >= 2:
            completed.append(m if members == set(m.parties) else replace(m, parties=sorted(members)))
    return completed
