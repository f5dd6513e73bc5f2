"""Maps of defence agreements as PNG images: countries as nodes, agreements as edges coloured by status.

Every agreement gives an edge between each pair of its parties; several agreements between the same
pair are drawn as separate curves, bent apart, each labelled with the agreement's (shortened) name.
An agreement of four parties or more is drawn as a box of its own, named, with a spoke to each
member (HUB_FROM), rather than as every pair of its members.
With a focus country, it sits highlighted in the centre and its partners around it, with the
agreements among the partners too; without one, the whole network is laid out by stress
majorisation from a seeded start, so the same agreements always give the same picture.

Figures are built with `matplotlib.figure.Figure` directly (no pyplot, no global state), so maps
can be drawn in worker threads. Sizes are chosen for Discord, which previews images about 550 px
wide: 1200 x 900 px, large fonts and thick lines.
"""

from __future__ import annotations

import itertools
import math
import re
import textwrap
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache, partial
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from index.agreements import STATUSES, Agreement, Status, status_label

Edge = tuple[str, str, Agreement]
Point = tuple[float, float]
Vector = npt.NDArray[np.float64]

WIDTH_IN = 10.0
HEIGHT_IN = 7.5
DPI = 120  # 1200 x 900 px

# The Okabe–Ito palette (distinguishable with every common colour-vision deficiency), with the
# line style as a second cue: dotted, dashed and dash-dot while an agreement is still in talks,
# solid once signed. Dash patterns are in multiples of the line width.
STATUS_COLOURS: dict[Status | None, str] = {
    "considering": "#CC79A7",  # reddish purple
    "negotiating": "#E69F00",  # orange
    "expected to sign": "#56B4E9",  # sky blue
    "signed": "#0072B2",  # blue
    "ratified": "#D55E00",  # vermillion
    "in force": "#009E73",  # bluish green
    None: "#8C8C8C",  # grey: the articles do not say how far the agreement has got
}
STATUS_DASHES: dict[Status | None, tuple[float, ...] | None] = {
    "considering": (0.1, 1.6),  # dots (round caps)
    "negotiating": (2.5, 1.5),
    "expected to sign": (3.5, 1.2, 0.1, 1.2),
    "signed": None,
    "ratified": None,
    "in force": None,
    None: None,
}

EDGE_WIDTH = 4.5
NODE_FONT = 17
FOCUS_FONT = 20
EDGE_FONT = 14
LEGEND_FONT = 14
KEY_FONT = 12
KEY_WRAP = 110  # characters per line of the name key
KEY_LINE_IN = 0.24
TITLE_FONT = 21
MESSAGE_FONT = 19
NODE_FILL = "#EEF1F4"
NODE_BORDER = "#3A4250"
FOCUS_FILL = "#1F2937"
TEXT_COLOUR = "#1A1A1A"

EMPTY_MESSAGE = "No agreements found"
# Beyond this many edges, names along them would only clutter the map; the legend still applies.
MAX_LABELLED_EDGES = 24
# Edge labels longer than this are shortened to an acronym or truncated.
LABEL_LIMIT = 18
# Where along its curve an edge's label may sit (0 and 1 are the ends), tried nearest the middle first.
EDGE_LABEL_PAD = 0.25  # box padding, in font sizes
LABEL_SPOTS = (0.2, 0.27, 0.34, 0.42, 0.5, 0.58, 0.66, 0.73, 0.8)
# Node names longer than this are split over two lines.
NODE_WRAP = 12

# Layout, in inches of the plotting area (data coordinates are inches, centred on the middle).
SPREAD = 0.45  # between the midpoints of parallel curves joining the same two countries
FOCUS_CLEARANCE = (1.7, 0.95)  # half-axes of the ellipse around the focus that partner edges bend around
STRETCH = 1.5  # how much more a network may be stretched along one axis than the other, to fill the plot
SEED = 20240708
LAYOUT_ITERATIONS = 300

_SMALL_WORDS = frozenset({"a", "an", "and", "for", "in", "of", "on", "the", "to"})
_DEFINED_ACRONYM = re.compile(r"\(([A-Z][A-Za-z0-9&]{1,9})\)")
_CAPITALISED = re.compile(r"[A-Z][A-Za-z’']*")


# An agreement of this many parties or more is drawn as a node of its own, with a spoke to each
# member: nine members would otherwise be 36 edges, a tangle that shows one agreement.
HUB_FROM = 4
HUB_MARK = "#"  # hub nodes are named "#<name>"; country nodes are ISO3 codes


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


def map_nodes(agreements: Iterable[Agreement], focus: str | None = None) -> list[str]:
    """The countries a map draws, sorted: those on its edges, and the focus if there is one."""
    return [n for n in _nodes(map_edges(agreements, focus), focus) if not is_hub(n)]


def _nodes(drawn: Iterable[Edge], focus: str | None) -> list[str]:
    nodes = {c for a, b, _ in drawn for c in (a, b)}
    if focus is not None:
        nodes.add(focus)
    return sorted(nodes)


def legend_statuses(agreements: Iterable[Agreement]) -> list[Status | None]:
    """The statuses the agreements have, in order of progress (STATUSES), then None (unknown) if any."""
    present = {a.status for a in agreements}
    return [s for s in (*STATUSES, None) if s in present]


def _progress(status: Status | None) -> int:
    return -1 if status is None else STATUSES.index(status)


# A single mention (index/agreements.py `weak`) is drawn faint: a possible misreading should not
# look as authoritative as a treaty reported again and again.
WEAK_ALPHA = 0.3
WEAK_LEGEND = "Faint: one mention only"


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
    edge shows the name only shortened."""
    key = {}
    for label, name in shown:
        if label.replace("\n", " ") != _without_party_prefix(" ".join(name.split())):
            key[label] = f"{label}: {name}"
    return [key[label] for label in sorted(key)]


def _without_party_prefix(name: str) -> str:
    """'Japan-Philippines Reciprocal Access Agreement' -> 'Reciprocal Access Agreement'."""
    words = name.split(" ")
    if len(words) > 2 and "-" in words[0] and all(_CAPITALISED.fullmatch(w) for w in words[0].split("-")):
        return " ".join(words[1:])
    return name


def edge_alpha(agreement: Agreement) -> float:
    return WEAK_ALPHA if agreement.weak else 1.0


def legend_entries(agreements: Sequence[Agreement]) -> list[str]:
    """The legend's labels: the statuses present, in the one status vocabulary, then the faint-edge note."""
    labels = [status_label(s).capitalize() for s in legend_statuses(agreements)]
    return labels + ([WEAK_LEGEND] if any(a.weak for a in agreements) else [])


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
    words = _without_party_prefix(name).split(" ")
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


def _box_size(label: Text, focused: bool, hub: bool) -> Point:
    """The half-width and half-height, in inches, of a node's label with its box."""
    return _text_half(label, _node_style(focused, hub)[1])


def _components(nodes: Sequence[str], neighbours: Mapping[str, set[str]]) -> list[list[str]]:
    """The connected groups of countries, largest first, each sorted."""
    seen: set[str] = set()
    groups = []
    for start in nodes:
        if start in seen:
            continue
        group, todo = {start}, [start]
        while todo:
            for other in neighbours[todo.pop()] - group:
                group.add(other)
                todo.append(other)
        seen |= group
        groups.append(sorted(group))
    return sorted(groups, key=lambda g: (-len(g), g))


def _stress_layout(nodes: Sequence[str], neighbours: Mapping[str, set[str]]) -> npt.NDArray[np.float64]:
    """Positions for one connected group, with edges about one unit long: stress majorisation
    (SMACOF) on the hop distances from a seeded start, turned so its widest spread is horizontal."""
    n = len(nodes)
    if n <= 2:  # a pair, drawn a little shorter than the edges of larger groups
        return np.array([[-0.35 * (n - 1), 0.0], [0.35, 0.0]][:n])
    index = {c: i for i, c in enumerate(nodes)}
    hops = np.zeros((n, n))
    for c in nodes:  # breadth-first search from each node
        frontier, seen, depth = {c}, {c}, 0
        while frontier:
            depth += 1
            frontier = {o for f in frontier for o in neighbours[f]} - seen
            seen |= frontier
            for o in frontier:
                hops[index[c], index[o]] = depth
    weights = np.zeros((n, n))
    off = hops > 0
    weights[off] = hops[off] ** -2.0
    laplacian = np.diag(weights.sum(axis=1)) - weights
    inverse = np.linalg.pinv(laplacian)
    pos = np.random.default_rng(SEED).uniform(-1.0, 1.0, (n, 2))
    for _ in range(LAYOUT_ITERATIONS):
        dist = np.linalg.norm(pos[:, None, :] - pos[None, :, :], axis=-1)
        ratio = np.divide(hops, dist, out=np.zeros_like(hops), where=dist > 1e-9)
        b = -weights * ratio
        b[np.diag_indices(n)] = -b.sum(axis=1)
        pos = inverse @ b @ pos
    pos -= pos.mean(axis=0)
    _, vectors = np.linalg.eigh(np.cov(pos.T))
    turn = vectors[:, ::-1]  # principal axis first
    turn = turn * np.where(turn.sum(axis=0) < 0, -1.0, 1.0)  # a fixed sign, whatever eigh returns
    return np.asarray(pos @ turn, dtype=np.float64)


def _stretch(pos: npt.NDArray[np.float64], aspect: float) -> npt.NDArray[np.float64]:
    """A group's positions stretched along one axis (at most STRETCH times) towards the given
    width-to-height ratio, so that a wide plot is used, within reason."""
    w, h = (float(v) for v in np.ptp(pos, axis=0))
    if len(pos) < 3 or w < 1e-9 or h < 1e-9:
        return pos
    factor = aspect * h / w
    scale = np.array([min(factor, STRETCH), 1.0] if factor >= 1 else [1.0, min(1 / factor, STRETCH)])
    return np.asarray(pos * scale, dtype=np.float64)


# Past this many countries an all-countries map is laid out by region, roughly where the regions
# lie on a world map, so that thirty countries read as a map rather than a tangle.
REGION_LAYOUT_FROM = 16
# Where each continent's countries gather, in units of the plot's half-width and half-height.
REGION_ANCHORS: dict[str, Point] = {
    "America": (-0.8, 0.0),
    "Europe": (-0.3, 0.45),
    "Africa": (-0.25, -0.6),
    "Asia": (0.45, 0.3),
    "Oceania": (0.75, -0.6),
}
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


@cache
def _continents() -> dict[str, str]:
    import country_converter as coco

    data = coco.CountryConverter().data
    return dict(zip(data["ISO3"], data["continent"], strict=True))


def region_of(iso3: str) -> str:
    """The continent a country is drawn in ("America", "Europe", "Africa", "Asia", "Oceania")."""
    return _continents().get(iso3, "")


def region_layout(nodes: Sequence[str], spacing: float = 0.13) -> dict[str, Point]:
    """Countries gathered by continent round the continent's anchor (REGION_ANCHORS), each
    gathering a sunflower spiral in name order; positions in units of the plot's half-axes."""
    by_region: dict[str, list[str]] = defaultdict(list)
    for c in sorted(nodes):
        by_region[region_of(c)].append(c)
    layout: dict[str, Point] = {}
    for region, members in by_region.items():
        ax, ay = REGION_ANCHORS.get(region, (0.0, 0.0))
        for k, c in enumerate(members):
            r = spacing * math.sqrt(k)
            layout[c] = (ax + r * math.cos(k * _GOLDEN_ANGLE), ay + r * math.sin(k * _GOLDEN_ANGLE))
    return layout


def _hub_places(drawn: Sequence[Edge], layout: Mapping[str, Point]) -> dict[str, Point]:
    """Each hub at the centre of its members' places."""
    members: dict[str, list[Point]] = defaultdict(list)
    for a, b, _ in drawn:
        if is_hub(a):
            members[a].append(layout[b])
    return {hub: (sum(x for x, _ in ps) / len(ps), sum(y for _, y in ps) / len(ps)) for hub, ps in members.items()}


def _network_layout(nodes: Sequence[str], drawn: Sequence[Edge], aspect: float) -> dict[str, Point]:
    """The whole network: each connected group laid out on its own (stretched towards the plot's
    width-to-height ratio `aspect`), the largest on the left and the others in columns to its
    right, each column no taller than the largest group."""
    neighbours: dict[str, set[str]] = {c: set() for c in nodes}
    for a, b, _ in drawn:
        neighbours[a].add(b)
        neighbours[b].add(a)
    groups = [(g, _stretch(_stress_layout(g, neighbours), aspect)) for g in _components(nodes, neighbours)]
    gap = 0.6
    height = max(1.0, float(np.ptp(groups[0][1][:, 1])))
    layout: dict[str, Point] = {}
    x = y = column_width = 0.0
    for group, pos in groups:
        w, h = (float(v) for v in np.ptp(pos, axis=0))
        if y < 0 and -y + h > height:  # start a new column
            x, y, column_width = x + column_width + gap, 0.0, 0.0
        corner = pos.min(axis=0)
        top = float(pos.max(axis=0)[1])
        for c, (px, py) in zip(group, pos, strict=True):
            layout[c] = (x + float(px - corner[0]), y + float(py) - top)
        y -= h + gap
        column_width = max(column_width, w)
    return layout


def _fit(layout: Mapping[str, Point], half_w: float, half_h: float) -> dict[str, Point]:
    """The layout centred and scaled to fill the box [-half_w, half_w] x [-half_h, half_h], one
    axis stretched at most STRETCH times as much as the other."""
    xs = [p[0] for p in layout.values()]
    ys = [p[1] for p in layout.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    span_x, span_y = (max(xs) - min(xs)) / 2, (max(ys) - min(ys)) / 2
    scale_x = half_w / span_x if span_x > 1e-9 else math.inf
    scale_y = half_h / span_y if span_y > 1e-9 else math.inf
    if math.isinf(scale_x) and math.isinf(scale_y):
        scale_x = scale_y = 1.0
    scale_x, scale_y = min(scale_x, STRETCH * scale_y), min(scale_y, STRETCH * scale_x)
    return {c: ((x - cx) * scale_x, (y - cy) * scale_y) for c, (x, y) in layout.items()}


def _separate(
    layout: Mapping[str, Point],
    sizes: Mapping[str, Point],
    drawn: Sequence[Edge],
    half_w: float,
    half_h: float,
    pinned: str | None,
) -> dict[str, Point]:
    """Nodes nudged apart until their label boxes do not overlap, and those joined by an edge
    leave some of it showing (where the room allows), each box kept inside the plot; the pinned
    node stays put."""
    nodes = sorted(layout)
    pos = np.array([layout[c] for c in nodes])
    size = np.array([sizes[c] for c in nodes])
    movable = np.array([c != pinned for c in nodes], dtype=float)
    low, high = -np.array([half_w, half_h]) + size, np.array([half_w, half_h]) - size
    index = {c: i for i, c in enumerate(nodes)}
    gap = np.full((len(nodes), len(nodes), 1), 0.12)
    for a, b, _ in drawn:
        gap[index[a], index[b]] = gap[index[b], index[a]] = 0.6
    n = len(nodes)
    tie_break = np.sign(np.arange(n)[:, None] - np.arange(n)[None, :]).astype(float)[..., None]
    share = 1.0 / np.maximum(movable[:, None] + movable[None, :], 1.0)  # a pinned node's share goes to the other
    for _ in range(100):
        delta = pos[:, None, :] - pos[None, :, :]
        overlap = size[:, None, :] + size[None, :, :] + gap - np.abs(delta)
        clash = (overlap > 0).all(axis=-1)
        np.fill_diagonal(clash, False)
        if not clash.any():
            break
        # Push each clashing pair apart along the axis where they overlap least.
        along_x = overlap[..., 0] <= overlap[..., 1]
        mask = np.stack([along_x, ~along_x], axis=-1) & clash[..., None]
        direction = np.where(np.abs(delta) < 1e-9, tie_break, np.sign(delta))
        push = (mask * direction * overlap * share[..., None]).sum(axis=1) * 0.6
        pos = np.clip(pos + push * movable[:, None], low, np.maximum(high, low))
    return {c: (float(x), float(y)) for c, (x, y) in zip(nodes, pos, strict=True)}


def _partner_links(focus: str, drawn: Sequence[Edge]) -> dict[tuple[str, str], int]:
    links: dict[tuple[str, str], int] = defaultdict(int)
    for a, b, _ in drawn:
        if focus not in (a, b):
            links[a, b] += 1
    return links


def _partner_order(partners: Sequence[str], links: Mapping[tuple[str, str], int]) -> list[str]:
    """The partners in the order they go round the focus, with partners that have agreements
    among them close together, so that those edges stay short and clear of the centre: the best
    arrangement for up to eight partners, a greedy one beyond."""
    degree = {p: sum(n for pair, n in links.items() if p in pair) for p in partners}
    ranked = sorted(partners, key=lambda p: (-degree[p], p))
    if not links or len(ranked) <= 3:
        return ranked
    n = len(ranked)

    def cost(order: Sequence[str]) -> int:
        seat = {p: i for i, p in enumerate(order)}
        return sum(k * min(abs(seat[a] - seat[b]), n - abs(seat[a] - seat[b])) ** 2 for (a, b), k in links.items())

    if n <= 8:
        return min(([ranked[0], *rest] for rest in itertools.permutations(ranked[1:])), key=cost)
    order, remaining = [ranked[0]], ranked[1:]
    while remaining:
        last = order[-1]
        nxt = min(remaining, key=lambda p: (-links.get((min(last, p), max(last, p)), 0), -degree[p], p))
        remaining.remove(nxt)
        order.append(nxt)
    return order


def _star_layout(focus: str, partners: Sequence[str], half_w: float, half_h: float) -> dict[str, Point]:
    """The focus in the centre, its partners round it on a squircle (a rounded rectangle, which
    fills the wide plot better than an ellipse)."""
    layout: dict[str, Point] = {focus: (0.0, 0.0)}
    n = len(partners)
    # One partner to the right; two left and right; three as a triangle; four in the corners.
    start = 0.0 if n == 1 else math.pi / 2 + math.pi / n
    for i, p in enumerate(partners):
        angle = start - 2 * math.pi * i / n
        c, s = math.cos(angle), math.sin(angle)
        r = (c**4 + s**4) ** -0.25
        layout[p] = (half_w * c * r, half_h * s * r)
    return layout


def _bend_clear_of_focus(mid: npt.NDArray[np.float64], normal: npt.NDArray[np.float64]) -> float:
    """How far a curve's midpoint must move along `normal` to lie outside the focus's clearance."""
    a, b = FOCUS_CLEARANCE
    qc = (mid[0] / a) ** 2 + (mid[1] / b) ** 2 - 1.0
    if qc >= 0:
        return 0.0
    # Solve ((mx + t nx) / a)^2 + ((my + t ny) / b)^2 = 1 for the positive t.
    qa = (normal[0] / a) ** 2 + (normal[1] / b) ** 2
    qb = 2 * (mid[0] * normal[0] / a**2 + mid[1] * normal[1] / b**2)
    return float((-qb + math.sqrt(qb * qb - 4 * qa * qc)) / (2 * qa))


def _status_line(status: Status | None, xs: npt.ArrayLike, ys: npt.ArrayLike) -> Line2D:
    line = Line2D(xs, ys, color=STATUS_COLOURS[status], linewidth=EDGE_WIDTH)
    line.set_solid_capstyle("round")
    line.set_dash_capstyle("round")
    dashes = STATUS_DASHES[status]
    if dashes is not None:
        line.set_dashes(dashes)
    return line


def _bend_side(
    a: str,
    b: str,
    normal: npt.NDArray[np.float64],
    mid: npt.NDArray[np.float64],
    layout: Mapping[str, Point],
    links: Mapping[tuple[str, str], int],
    focus: str,
) -> float:
    """Which way (+1 or -1 along `normal`) an edge between partners a and b bends round the focus:
    outwards, or where its chord passes near the centre, away from the partners tied to a and b."""
    plus, minus = _bend_clear_of_focus(mid, normal), _bend_clear_of_focus(mid, -normal)
    if plus == minus == 0.0:
        return 1.0 if float(normal @ mid) >= 0 else -1.0
    if max(plus, minus) > 1.6 * min(plus, minus):
        return 1.0 if plus < minus else -1.0
    pull = np.zeros(2)
    for c, point in layout.items():
        if c not in (a, b, focus):
            ties = 1 + links.get((min(a, c), max(a, c)), 0) + links.get((min(b, c), max(b, c)), 0)
            pull += ties * np.array(point)
    return -1.0 if float(normal @ pull) > 0 else 1.0


Box = tuple[float, float, float, float]  # centre x, centre y, half-width, half-height (inches)


def _overlap(a: Box, b: Box) -> float:
    """The area two boxes share."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0] - a[2], b[0] - b[2])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1] - a[3], b[1] - b[3])
    return max(w, 0.0) * max(h, 0.0)


def place_label(
    curve: Callable[[float], Point], half: Point, preferred: float, taken: Sequence[Box], half_plot: Point
) -> tuple[Box, float]:
    """Where along its curve an edge label goes: the spot nearest `preferred` (a curve parameter)
    whose box overlaps no box already taken (nodes, earlier labels) and stays inside the plot,
    else the spot that overlaps least. Returns the box and how much it overlaps (0: none)."""
    spots = sorted(LABEL_SPOTS, key=lambda t: abs(t - preferred))

    def clash(t: float) -> float:
        x, y = curve(t)
        box = (x, y, *half)
        outside = max(abs(x) + half[0] - half_plot[0], 0.0) + max(abs(y) + half[1] - half_plot[1], 0.0)
        return sum(_overlap(box, other) for other in taken) + outside

    best = min(spots, key=lambda t: (clash(t) > 1e-9, clash(t)))
    return (*curve(best), *half), clash(best)


def _draw_edges(
    ax: Axes, drawn: Sequence[Edge], layout: Mapping[str, Point], focus: str | None, taken: list[Box], half_plot: Point
) -> list[tuple[str, str]]:
    """Draw each edge's curve and, unless there are too many, its label: the full name where it
    fits clear of the boxes in `taken` (the nodes, then each label placed), else the short name.
    Returns (name shown, full name) for each label drawn."""
    by_pair: dict[tuple[str, str], list[Agreement]] = defaultdict(list)
    for a, b, agreement in drawn:
        by_pair[a, b].append(agreement)
    links = _partner_links(focus, drawn) if focus is not None else {}
    labelled = len(drawn) <= MAX_LABELLED_EDGES
    shown = []
    t = np.linspace(0.0, 1.0, 60)[:, None]
    for (a, b), group in sorted(by_pair.items()):
        if focus == b:  # spokes run out from the focus
            a, b = b, a
        p1, p2 = np.array(layout[a]), np.array(layout[b])
        chord = p2 - p1
        normal = np.array([-chord[1], chord[0]]) / max(float(np.linalg.norm(chord)), 1e-9)
        mid = (p1 + p2) / 2
        base = 0.0
        spread = min(SPREAD, 0.3 * float(np.linalg.norm(chord)))  # no loops between close neighbours
        if focus is not None and focus not in (a, b):  # between two partners: bend round the focus
            normal *= _bend_side(a, b, normal, mid, layout, links, focus)
            bend = _bend_clear_of_focus(mid, normal)
            base = bend + (len(group) - 1) / 2 * spread if bend > 0 else 0.0
        group = sorted(group, key=lambda ag: (_progress(ag.status), ag.name))
        for i, agreement in enumerate(group):
            offset = base + (i - (len(group) - 1) / 2) * spread
            control = mid + 2 * offset * normal  # a quadratic Bézier through mid + offset * normal
            curve = _bezier(p1, control, p2, t)
            colour = STATUS_COLOURS[agreement.status]
            line = _status_line(agreement.status, curve[:, 0], curve[:, 1])
            line.set_alpha(edge_alpha(agreement))
            line.set_zorder(1.5 + _progress(agreement.status) / 10)  # the furthest along on top
            ax.add_line(line)
            if labelled and not is_hub(a) and not is_hub(b):  # a hub's box names it
                # Spoke labels prefer a spot a little out from the crowded centre.
                preferred = 0.58 if focus == a else 0.5
                for short in (False, True):
                    text = _edge_text(ax, edge_label(agreement, short), colour, edge_alpha(agreement))
                    half = _text_half(text, EDGE_LABEL_PAD)
                    box, clash = place_label(partial(_bezier_point, p1, control, p2), half, preferred, taken, half_plot)
                    if clash == 0 or short:
                        break
                    text.remove()
                text.set_position(box[:2])
                taken.append(box)
                name = short_name(agreement.name) if short else edge_name(agreement.name)
                shown.append((name, agreement.name))
    return shown


def _bezier(p1: Vector, control: Vector, p2: Vector, t: Vector) -> Vector:
    """Points of the quadratic Bézier curve from p1 to p2 through `control`, at parameters `t` (a column)."""
    return (1 - t) ** 2 * p1 + 2 * (1 - t) * t * control + t**2 * p2


def _bezier_point(p1: Vector, control: Vector, p2: Vector, at: float) -> Point:
    x, y = _bezier(p1, control, p2, np.array([at]))
    return float(x), float(y)


def _edge_text(ax: Axes, label: str, colour: str, alpha: float) -> Text:
    return ax.text(
        0.0,
        0.0,
        label,
        fontsize=EDGE_FONT,
        color=TEXT_COLOUR,
        alpha=alpha,
        ha="center",
        va="center",
        multialignment="center",
        zorder=2.5,
        bbox={"boxstyle": f"round,pad={EDGE_LABEL_PAD}", "facecolor": "white", "edgecolor": colour, "linewidth": 2},
    )


def _text_half(text: Text, pad: float) -> Point:
    """The half-width and half-height, in inches, of a text with its box (`pad` in font sizes)."""
    extent = text.get_window_extent()
    margin = pad * float(text.get_fontsize()) / 72
    return extent.width / DPI / 2 + margin, extent.height / DPI / 2 + margin


def _node_style(focused: bool, hub: bool = False) -> tuple[float, float]:
    """A node label's font size and box padding (in font sizes)."""
    if hub:
        return EDGE_FONT, EDGE_LABEL_PAD
    return (FOCUS_FONT, 0.45) if focused else (NODE_FONT, 0.35)


def _draw_node(ax: Axes, iso3: str, point: Point, names: Mapping[str, str], focused: bool, border: str) -> Text:
    """A country's box, or a hub's: its agreement's name in italics, edged in its status colour."""
    hub = is_hub(iso3)
    fontsize, pad = _node_style(focused, hub)
    return ax.text(
        point[0],
        point[1],
        node_label(iso3, names),
        fontsize=fontsize,
        fontweight="normal" if hub else "bold",
        fontstyle="italic" if hub else "normal",
        color="white" if focused else TEXT_COLOUR,
        ha="center",
        va="center",
        multialignment="center",
        linespacing=1.05,
        zorder=3,
        bbox={
            "boxstyle": f"{'square' if hub else 'round'},pad={pad}",
            "facecolor": FOCUS_FILL if focused else "white" if hub else NODE_FILL,
            "edgecolor": FOCUS_FILL if focused else border,
            "linewidth": 2,
        },
    )


def draw_pact_map(
    agreements: Sequence[Agreement],
    names: Mapping[str, str],
    out: Path | BinaryIO,
    focus: str | None = None,
    title: str | None = None,
) -> list[str]:
    """Draw the agreements as a network and write it to `out` as a PNG; return the countries drawn.

    `names` maps ISO3 codes to display names (a missing code is shown as itself). With `focus`,
    only the focus, its partners and the agreements among them are drawn. `title` defaults to
    "Defence agreements of <focus>" or "Defence agreements"; "" leaves it out. With nothing to
    draw, the image says so (showing the focus, if given).
    """
    # Which names must be shortened shows only once the labels are placed, and the key spelling
    # them out needs room below the map: so draw once, and again if the key needs other room.
    fig, nodes, key_lines = render_pact_map(agreements, names, focus, title, key_room=0)
    if key_lines:
        fig, nodes, _ = render_pact_map(agreements, names, focus, title, key_room=key_lines)
    fig.savefig(out, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return [n for n in nodes if not is_hub(n)]


def render_pact_map(
    agreements: Sequence[Agreement], names: Mapping[str, str], focus: str | None, title: str | None, key_room: int
) -> tuple[Figure, list[str], int]:
    """The map's figure with `key_room` lines kept for the name key; the countries drawn; and the
    lines the key took."""
    drawn = map_edges(agreements, focus)
    nodes = _nodes(drawn, focus)
    if title is None:
        title = f"Defence agreements of {names.get(focus) or focus}" if focus else "Defence agreements"
    statuses = legend_statuses(agreement for _, _, agreement in drawn)
    entries = len(statuses) + any(agreement.weak for _, _, agreement in drawn)
    legend_rows = 0 if not statuses else 1 if entries <= 4 else 2

    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)  # this figure's own canvas, to measure text with (no pyplot, no global backend)
    top = 0.75 if title else 0.15
    bottom = (0.15, 0.6, 0.95)[legend_rows] + KEY_LINE_IN * key_room
    left = right = 0.1
    width, height = WIDTH_IN - left - right, HEIGHT_IN - top - bottom
    ax = fig.add_axes((left / WIDTH_IN, bottom / HEIGHT_IN, width / WIDTH_IN, height / HEIGHT_IN))
    ax.set_axis_off()
    ax.set_xlim(-width / 2, width / 2)
    ax.set_ylim(-height / 2, height / 2)
    ax.set_aspect("equal")

    if title:
        fig.text(
            0.5,
            1 - (top / 2 + 0.03) / HEIGHT_IN,
            title if len(title) <= 70 else title[:69].rstrip() + "…",
            fontsize=TITLE_FONT,
            fontweight="bold",
            color=TEXT_COLOUR,
            ha="center",
            va="center",
        )

    shown: list[tuple[str, str]] = []
    if not drawn:
        if focus is not None:
            _draw_node(ax, focus, (0.0, 0.35), names, True, NODE_BORDER)
        ax.text(
            0.0,
            -0.45 if focus is not None else 0.0,
            EMPTY_MESSAGE,
            fontsize=MESSAGE_FONT,
            color="#555555",
            ha="center",
            va="center",
        )
    else:
        borders = {a: STATUS_COLOURS[agreement.status] for a, _, agreement in drawn if is_hub(a)}
        labels = {c: _draw_node(ax, c, (0.0, 0.0), names, c == focus, borders.get(c, NODE_BORDER)) for c in nodes}
        sizes = {c: _box_size(label, c == focus, is_hub(c)) for c, label in labels.items()}
        half_w = width / 2 - max(w for w, _ in sizes.values()) - 0.15
        half_h = height / 2 - max(h for _, h in sizes.values()) - 0.1
        if focus is not None:
            partners = [c for c in nodes if c != focus]
            layout = _star_layout(focus, _partner_order(partners, _partner_links(focus, drawn)), half_w, half_h)
        elif len(nodes) >= REGION_LAYOUT_FROM:
            countries = [c for c in nodes if not is_hub(c)]
            layout = {c: (x * half_w, y * half_h) for c, (x, y) in region_layout(countries).items()}
            layout |= _hub_places(drawn, layout)
        else:
            layout = _fit(_network_layout(nodes, drawn, half_w / half_h), half_w, half_h)
        layout = _separate(layout, sizes, drawn, width / 2, height / 2, pinned=focus)
        node_boxes = [(*layout[c], *sizes[c]) for c in nodes]
        shown = _draw_edges(ax, drawn, layout, focus, node_boxes, (width / 2, height / 2))
        for c, label in labels.items():
            label.set_position(layout[c])

    if statuses:
        on_map = [agreement for _, _, agreement in drawn]
        handles = [_status_line(s, [], []) for s in statuses]
        if any(a.weak for a in on_map):
            faint = _status_line(None, [], [])
            faint.set_alpha(WEAK_ALPHA)
            handles.append(faint)
        fig.legend(
            handles,
            legend_entries(on_map),
            loc="lower center",
            bbox_to_anchor=(0.5, 0.08 / HEIGHT_IN),
            ncol=len(handles) if legend_rows == 1 else math.ceil(len(handles) / 2),
            fontsize=LEGEND_FONT,
            frameon=False,
            handlelength=3.0,
            columnspacing=1.8,
        )

    key_lines = textwrap.wrap("; ".join(name_key(shown)), KEY_WRAP)
    if key_lines:  # the full names behind shortened edge labels, just above the legend
        fig.text(
            0.5,
            ((0.15, 0.6, 0.95)[legend_rows] - 0.05) / HEIGHT_IN,
            "\n".join(key_lines),
            fontsize=KEY_FONT,
            color=TEXT_COLOUR,
            ha="center",
            va="bottom",
            linespacing=1.2,
        )
    return fig, nodes, len(key_lines)
