"""Where a pact map puts things, as plain geometry (numpy, no matplotlib): node positions, the
curves of edges and the spots for their labels.

All lengths are inches of the plotting area, centred on its middle. With a focus country, it sits
in the centre and its partners round it on one to three rings; without one, the whole network is
laid out by stress majorisation from a seeded start (so the same agreements always give the same
picture), or from REGION_LAYOUT_FROM countries on, gathered by continent as on a world map. Either
way, nodes are then pushed apart and, where that is not enough, moved to the nearest free spot,
so that no two name boxes overlap.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from functools import cache

import numpy as np
import numpy.typing as npt

from bot.pactmap_content import Edge, is_hub

Point = tuple[float, float]
Box = tuple[float, float, float, float]  # centre x, centre y, half-width, half-height
Vector = npt.NDArray[np.float64]

SPREAD = 0.45  # between the midpoints of parallel curves joining the same two countries
FOCUS_CLEARANCE = (1.7, 0.95)  # half-axes of the ellipse around the focus that partner edges bend around
STRETCH = 1.5  # how much more a network may be stretched along one axis than the other, to fill the plot
SEED = 20240708
LAYOUT_ITERATIONS = 300
NODE_GAP = 0.08  # the least room between two name boxes
# Where along its curve an edge's label may sit (0 and 1 are the ends), tried nearest the preferred spot first.
LABEL_SPOTS = tuple(round(0.14 + 0.04 * i, 2) for i in range(19))  # 0.14 .. 0.86

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


def components(nodes: Sequence[str], neighbours: Mapping[str, set[str]]) -> list[list[str]]:
    """The connected groups of nodes, largest first, each sorted."""
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


def _stress_layout(nodes: Sequence[str], neighbours: Mapping[str, set[str]]) -> Vector:
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
    inverse = np.linalg.pinv(np.diag(weights.sum(axis=1)) - weights)
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


def _stretch(pos: Vector, aspect: float) -> Vector:
    """A group's positions stretched along one axis (at most STRETCH times) towards the given
    width-to-height ratio, so that a wide plot is used, within reason."""
    w, h = (float(v) for v in np.ptp(pos, axis=0))
    if len(pos) < 3 or w < 1e-9 or h < 1e-9:
        return pos
    factor = aspect * h / w
    scale = np.array([min(factor, STRETCH), 1.0] if factor >= 1 else [1.0, min(1 / factor, STRETCH)])
    return np.asarray(pos * scale, dtype=np.float64)


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


def hub_places(drawn: Sequence[Edge], layout: Mapping[str, Point]) -> dict[str, Point]:
    """Each hub at the centre of its members' places."""
    members: dict[str, list[Point]] = defaultdict(list)
    for a, b, _ in drawn:
        if is_hub(a):
            members[a].append(layout[b])
    return {hub: (sum(x for x, _ in ps) / len(ps), sum(y for _, y in ps) / len(ps)) for hub, ps in members.items()}


def network_layout(nodes: Sequence[str], drawn: Sequence[Edge], aspect: float) -> dict[str, Point]:
    """The whole network: each connected group laid out on its own (stretched towards the plot's
    width-to-height ratio `aspect`), the largest on the left and the others in columns to its
    right, each column no taller than the largest group."""
    neighbours: dict[str, set[str]] = {c: set() for c in nodes}
    for a, b, _ in drawn:
        neighbours[a].add(b)
        neighbours[b].add(a)
    groups = [(g, _stretch(_stress_layout(g, neighbours), aspect)) for g in components(nodes, neighbours)]
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


def fit(layout: Mapping[str, Point], half_w: float, half_h: float) -> dict[str, Point]:
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


def separate(
    layout: Mapping[str, Point], sizes: Mapping[str, Point], drawn: Sequence[Edge], half_plot: Point, pinned: str | None
) -> dict[str, Point]:
    """Nodes nudged apart until their label boxes do not overlap, and those joined by an edge
    leave some of it showing (where the room allows), each box kept inside the plot; the pinned
    node stays put. A soft push that keeps the layout's shape; `declutter` then settles what it
    could not."""
    nodes = sorted(layout)
    pos = np.array([layout[c] for c in nodes])
    size = np.array([sizes[c] for c in nodes])
    movable = np.array([c != pinned for c in nodes], dtype=float)
    low, high = -np.array(half_plot) + size, np.array(half_plot) - size
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


# Offsets tried when a node must move, nearest first: a grid 0.05 in apart, up to 4 in away.
_STEPS = np.arange(-80, 81) * 0.05
_OFFSETS = np.stack(np.meshgrid(_STEPS, _STEPS), axis=-1).reshape(-1, 2)
_OFFSETS = _OFFSETS[np.argsort(np.hypot(_OFFSETS[:, 0], _OFFSETS[:, 1]), kind="stable")]


def declutter(
    layout: Mapping[str, Point], sizes: Mapping[str, Point], half_plot: Point, pinned: str | None
) -> dict[str, Point]:
    """Each node kept where it is if its box is clear of those settled before it (the pinned node
    first, then in name order) and inside the plot, else moved to the nearest spot that is."""
    order = sorted(layout, key=lambda c: (c != pinned, c))
    placed: list[Box] = []
    result: dict[str, Point] = {}
    for c in order:
        (w, h), (x, y) = sizes[c], layout[c]
        low_x, low_y = -half_plot[0] + w, -half_plot[1] + h
        high_x, high_y = max(half_plot[0] - w, low_x), max(half_plot[1] - h, low_y)
        spots = np.array([min(max(x, low_x), high_x), min(max(y, low_y), high_y)]) + _OFFSETS
        inside = (spots[:, 0] >= low_x - 1e-9) & (spots[:, 0] <= high_x + 1e-9)
        inside &= (spots[:, 1] >= low_y - 1e-9) & (spots[:, 1] <= high_y + 1e-9)
        spots = spots[inside]
        if placed:
            others = np.array(placed)
            apart_x = np.abs(spots[:, None, 0] - others[None, :, 0]) >= w + others[None, :, 2] + NODE_GAP
            apart_y = np.abs(spots[:, None, 1] - others[None, :, 1]) >= h + others[None, :, 3] + NODE_GAP
            free = (apart_x | apart_y).all(axis=1)
            spot = spots[int(np.argmax(free))] if free.any() else spots[0]
        else:
            spot = spots[0]
        result[c] = (float(spot[0]), float(spot[1]))
        placed.append((*result[c], w, h))
    return result


def partner_links(focus: str, drawn: Sequence[Edge]) -> dict[tuple[str, str], int]:
    """How many edges join each pair of the focus's partners."""
    links: dict[tuple[str, str], int] = defaultdict(int)
    for a, b, _ in drawn:
        if focus not in (a, b):
            links[a, b] += 1
    return links


def partner_order(partners: Sequence[str], links: Mapping[tuple[str, str], int]) -> list[str]:
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


def rings(partners: int) -> int:
    """On how many rings a focus's partners go: one squircle holds about a dozen name boxes."""
    return 1 if partners <= 12 else 2 if partners <= 26 else 3


def star_layout(focus: str, partners: Sequence[str], half_w: float, half_h: float) -> dict[str, Point]:
    """The focus in the centre, its partners round it on a squircle (a rounded rectangle, which
    fills the wide plot better than an ellipse); many partners take turns on inner rings, so
    that neighbours round the focus are not side by side."""
    layout: dict[str, Point] = {focus: (0.0, 0.0)}
    n = len(partners)
    count = rings(n)
    # One partner to the right; two left and right; three as a triangle; four in the corners.
    start = 0.0 if n == 1 else math.pi / 2 + math.pi / n
    for i, p in enumerate(partners):
        angle = start - 2 * math.pi * i / n
        c, s = math.cos(angle), math.sin(angle)
        r = (c**4 + s**4) ** -0.25 * (1.0 - 0.45 * (i % count) / max(count - 1, 1))
        layout[p] = (half_w * c * r, half_h * s * r)
    return layout


def bend_clear_of_focus(mid: Vector, normal: Vector) -> float:
    """How far a curve's midpoint must move along `normal` to lie outside the focus's clearance."""
    a, b = FOCUS_CLEARANCE
    qc = (mid[0] / a) ** 2 + (mid[1] / b) ** 2 - 1.0
    if qc >= 0:
        return 0.0
    # Solve ((mx + t nx) / a)^2 + ((my + t ny) / b)^2 = 1 for the positive t.
    qa = (normal[0] / a) ** 2 + (normal[1] / b) ** 2
    qb = 2 * (mid[0] * normal[0] / a**2 + mid[1] * normal[1] / b**2)
    return float((-qb + math.sqrt(qb * qb - 4 * qa * qc)) / (2 * qa))


def bend_side(
    a: str,
    b: str,
    normal: Vector,
    mid: Vector,
    layout: Mapping[str, Point],
    links: Mapping[tuple[str, str], int],
    focus: str,
) -> float:
    """Which way (+1 or -1 along `normal`) an edge between partners a and b bends round the focus:
    outwards, or where its chord passes near the centre, away from the partners tied to a and b."""
    plus, minus = bend_clear_of_focus(mid, normal), bend_clear_of_focus(mid, -normal)
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


def overlap(a: Box, b: Box) -> float:
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
    margin = NODE_GAP / 2  # a label touching a box reads as part of it

    def clash(t: float) -> float:
        x, y = curve(t)
        box = (x, y, half[0] + margin, half[1] + margin)
        outside = max(abs(x) + half[0] - half_plot[0], 0.0) + max(abs(y) + half[1] - half_plot[1], 0.0)
        return sum(overlap(box, other) for other in taken) + outside

    scores = {t: clash(t) for t in spots}
    best = min(spots, key=lambda t: (scores[t] > 1e-9, scores[t]))
    return (*curve(best), *half), scores[best]


def bezier(p1: Vector, control: Vector, p2: Vector, t: Vector) -> Vector:
    """Points of the quadratic Bézier curve from p1 to p2 through `control`, at parameters `t` (a column)."""
    return (1 - t) ** 2 * p1 + 2 * (1 - t) * t * control + t**2 * p2


def bezier_point(p1: Vector, control: Vector, p2: Vector, at: float) -> Point:
    x, y = bezier(p1, control, p2, np.array([at]))
    return float(x), float(y)
