"""What a pact map shows, as plain data (no matplotlib): its nodes and edges, the text of its
labels, the line style of each agreement and the legend's entries.

Every agreement gives an edge between each pair of its parties; an agreement of HUB_FROM parties
or more is instead a node of its own (a hub, named HUB_MARK + its name and parties) with a spoke
to each member. With a focus country, a map keeps the focus, its partners and the agreements
among them.

An edge's style says two things at once: its status, by colour and dash pattern together (the
Okabe–Ito palette, distinguishable with every common colour-vision deficiency, with the dashes as
a second cue), and how well it is reported, by width: a single mention is a thin line in the same
full colour. (Fading a weak line instead made a faint "signed" blue read as "expected to sign".)
"""

from __future__ import annotations

import itertools
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from index.pacts.agreements import STATUSES, Agreement, Status, status_label

Edge = tuple[str, str, Agreement]


class EdgeStyle(NamedTuple):
    """How a line is drawn: its colour, its dash pattern (in multiples of its width; None for
    solid), its width in points and its opacity."""

    colour: str
    dashes: tuple[float, ...] | None
    width: float
    alpha: float = 1.0


STATUS_COLOURS: dict[Status | None, str] = {
    "considering": "#CC79A7",  # reddish purple
    "negotiating": "#E69F00",  # orange
    "expected to sign": "#56B4E9",  # sky blue
    "signed": "#0072B2",  # blue
    "ratified": "#D55E00",  # vermillion
    "in force": "#009E73",  # bluish green
    "ended": "#000000",  # black
    None: "#8C8C8C",  # grey: the articles do not say how far the agreement has got
}
# Dotted, dashed and dash-dot while still in talks, solid once signed; the colour tells the
# signed stages apart, and unknown is a long-short dash so that it is no plain grey stroke.
STATUS_DASHES: dict[Status | None, tuple[float, ...] | None] = {
    "considering": (0.1, 1.6),  # dots (round caps)
    "negotiating": (2.5, 1.5),
    "expected to sign": (3.5, 1.2, 0.1, 1.2),
    "signed": None,
    "ratified": None,
    "in force": None,
    "ended": (1.0, 2.5),  # short dashes, far apart: a line that has gone
    None: (5.0, 1.4, 1.2, 1.4),
}
STRONG_WIDTH = 4.5  # several mentions
WEAK_WIDTH = 1.8  # one mention only: thin, but in the status's full colour
STRENGTH_COLOUR = "#3A4250"  # the legend's samples of width, in no status's colour
STRONG_LEGEND = "Several mentions"
WEAK_LEGEND = "One mention only"

# An agreement of this many parties or more is drawn as a node of its own, with a spoke to each
# member: nine members would otherwise be 36 edges, a tangle that shows one agreement.
HUB_FROM = 4
HUB_MARK = "#"  # hub nodes are named "#<name>: <parties>"; country nodes are ISO3 codes

# Edge labels longer than this are shortened to an acronym or truncated.
LABEL_LIMIT = 18
# Node names longer than this are split over two lines.
NODE_WRAP = 12

_SMALL_WORDS = frozenset({"a", "an", "and", "for", "in", "of", "on", "the", "to"})
_DEFINED_ACRONYM = re.compile(r"\(([A-Z][A-Za-z0-9&]{1,9})\)")
_CAPITALISED = re.compile(r"[A-Z][A-Za-z’']*")


def is_hub(node: str) -> bool:
    return node.startswith(HUB_MARK)


def edges(agreements: Iterable[Agreement]) -> list[Edge]:
    """Each pair of parties of each agreement, as (a, b, agreement) with a < b, in input order.

    An agreement with n parties gives n(n-1)/2 pairs, or from HUB_FROM parties on n spokes from
    its hub node (HUB_MARK + its name and parties) to each party; one with a single party gives none.
    """
    pairs: list[Edge] = []
    for agreement in agreements:
        parties = sorted(set(agreement.parties))
        if len(parties) >= HUB_FROM:
            hub = f"{HUB_MARK}{agreement.name}: {', '.join(parties)}"
            pairs += [(hub, party, agreement) for party in parties]
        else:
            pairs += [(a, b, agreement) for a, b in itertools.combinations(parties, 2)]
    return pairs


def map_edges(agreements: Iterable[Agreement], focus: str | None = None) -> list[Edge]:
    """The edges a map draws: all of them, or with a focus, those from the focus to its partners
    (the countries sharing an agreement with it, and the agreements drawn as hubs it is party to,
    with their members) and those among its partners."""
    every = edges(agreements)
    if focus is None:
        return every
    partners = {b if a == focus else a for a, b, _ in every if focus in (a, b)}
    partners |= {b for a, b, _ in every if a in partners and is_hub(a)}  # a hub's members
    return [e for e in every if focus in e[:2] or (e[0] in partners and e[1] in partners)]


def drawn_nodes(drawn: Iterable[Edge], focus: str | None) -> list[str]:
    """Every node of the edges drawn (countries and hubs), and the focus, sorted."""
    nodes = {c for a, b, _ in drawn for c in (a, b)}
    if focus is not None:
        nodes.add(focus)
    return sorted(nodes)


def map_nodes(agreements: Iterable[Agreement], focus: str | None = None) -> list[str]:
    """The countries a map draws, sorted: those on its edges, and the focus if there is one."""
    return [n for n in drawn_nodes(map_edges(agreements, focus), focus) if not is_hub(n)]


def progress(status: Status | None) -> int:
    """How far along an agreement is: -1 for unknown, then the index in STATUSES."""
    return -1 if status is None else STATUSES.index(status)


def edge_style(status: Status | None, weak: bool) -> EdgeStyle:
    """The line of an agreement with this status, reported once only (`weak`) or more."""
    return EdgeStyle(STATUS_COLOURS[status], STATUS_DASHES[status], WEAK_WIDTH if weak else STRONG_WIDTH)


def legend_statuses(agreements: Iterable[Agreement]) -> list[Status | None]:
    """The statuses the agreements have, in order of progress (STATUSES), then None (unknown) if any."""
    present = {a.status for a in agreements}
    return [s for s in (*STATUSES, None) if s in present]


def legend_entries(agreements: Sequence[Agreement]) -> list[tuple[str, EdgeStyle]]:
    """The legend: each status present, in the one status vocabulary, with its line; then, when
    some agreements are reported once only, what a thick and a thin line mean."""
    entries = [(status_label(s).capitalize(), edge_style(s, weak=False)) for s in legend_statuses(agreements)]
    if any(a.weak for a in agreements):
        entries.append((STRONG_LEGEND, EdgeStyle(STRENGTH_COLOUR, None, STRONG_WIDTH)))
        entries.append((WEAK_LEGEND, EdgeStyle(STRENGTH_COLOUR, None, WEAK_WIDTH)))
    return entries


def font_scale(nodes: int) -> float:
    """How much smaller than at full size a map of this many nodes writes its names, so that forty
    countries fit the same canvas without their boxes overlapping."""
    return 1.0 if nodes <= 12 else 0.85 if nodes <= 24 else 0.72


def edge_label(agreement: Agreement, short: bool = False) -> str:
    """What an edge says: the agreement's name (`short_name` when `short` or too long to show
    whole), and the date the text gives, if any."""
    name = short_name(agreement.name) if short else edge_name(agreement.name)
    return f"{name}\n{agreement.when}" if agreement.when else name


def edge_name(name: str) -> str:
    """The agreement's full name on at most two lines, without a prefix naming the parties (the
    edge's ends show them); a name too long for that falls back to `short_name`, spelled out in
    the map's key (`name_key`)."""
    lines = textwrap.wrap(_without_party_prefix(" ".join(name.split())), LABEL_LIMIT, break_long_words=False)
    if len(lines) <= 2 and all(len(line) <= LABEL_LIMIT for line in lines):
        return "\n".join(lines)
    return short_name(name)


def name_key(shown: Iterable[tuple[str, str]]) -> list[str]:
    """'RAA: Reciprocal Access Agreement' for each (name shown on an edge, full name) where the
    edge shows the name only shortened or as a number; a name shown several ways is spelled out
    once ('3, RAA: ...'); numbered names first, in order, then the others by their label."""
    labels: dict[str, set[str]] = {}
    for label, name in shown:
        # Without a prefix naming the parties, as on the edges: the pair's RAA is the RAA.
        name = _without_party_prefix(" ".join(name.split()))
        if label.replace("\n", " ") != name:
            labels.setdefault(name, set()).add(label)
    ordered = {name: sorted(found, key=_label_order) for name, found in labels.items()}
    return [
        f"{', '.join(found)}: {name}" for name, found in sorted(ordered.items(), key=lambda i: _label_order(i[1][0]))
    ]


def _label_order(label: str) -> tuple[bool, int, str]:
    return (not label.isdigit(), int(label) if label.isdigit() else 0, label)


def _without_party_prefix(name: str) -> str:
    """'Japan-Philippines Reciprocal Access Agreement' -> 'Reciprocal Access Agreement'."""
    words = name.split(" ")
    if len(words) > 2 and "-" in words[0] and all(_CAPITALISED.fullmatch(w) for w in words[0].split("-")):
        return " ".join(words[1:])
    return name


def short_name(name: str, limit: int = LABEL_LIMIT) -> str:
    """A name short enough for an edge label.

    Kept whole when it fits; else its defined acronym ("... (VFA)"); else the initials of a name
    made of capitalised words, after a hyphenated prefix naming the parties ("Japan-Philippines
    Reciprocal Access Agreement" -> "RAA"); else truncated with an ellipsis.
    """
    name = " ".join(name.split())
    if len(name) <= limit:
        return name
    defined = _DEFINED_ACRONYM.search(name)
    if defined:
        return defined.group(1)
    # A hyphenated word gives an initial per part: "Cross-Servicing" is the CS of ACSA.
    words = _without_party_prefix(name).replace("-", " ").split(" ")
    significant = [w for w in words if w.lower() not in _SMALL_WORDS]
    if 2 <= len(significant) <= 6 and all(_CAPITALISED.fullmatch(w) for w in significant):
        return "".join(w[0] for w in significant)
    return name[: limit - 1].rstrip() + "…"


def node_label(iso3: str, names: Mapping[str, str]) -> str:
    """The country's display name (or its code), split over two lines when long; a hub's, its
    agreement's name as an edge would show it."""
    if is_hub(iso3):
        return edge_name(iso3[len(HUB_MARK) :].rsplit(": ", 1)[0])
    label = names.get(iso3) or iso3
    if len(label) <= NODE_WRAP or " " not in label:
        return label
    spaces = [i for i, ch in enumerate(label) if ch == " "]
    cut = min(spaces, key=lambda i: abs(len(label) - 2 * i))
    return label[:cut] + "\n" + label[cut + 1 :]
