"""Maps of defence agreements as PNG images: the drawing, with matplotlib, of what
bot/pactmap_content.py says a map shows, where bot/pactmap_layout.py puts it.

Countries are name boxes; agreements are curves between them, several between the same pair bent
apart, each labelled with the agreement's name where a spot along it is clear of every box. A
label with no room is shortened, then replaced by a number; shortened names and numbers are
spelled out in a key under the map. Past MAX_LABELLED_EDGES edges the curves go unlabelled.

Figures are built with `matplotlib.figure.Figure` directly (no pyplot, no global state), so maps
can be drawn in worker threads. Sizes are chosen for Discord, which previews images about 550 px
wide: 1200 x 900 px, large fonts and thick lines. The legend and the key are measured once drawn
and fitted inside the canvas; the map takes the room left between them and the title.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Text

from bot.pactmap_content import (
    STATUS_COLOURS,
    Edge,
    EdgeStyle,
    drawn_nodes,
    edge_label,
    edge_name,
    edge_style,
    font_scale,
    is_hub,
    legend_entries,
    map_edges,
    name_key,
    node_label,
    progress,
    short_name,
)
from bot.pactmap_layout import (
    REGION_LAYOUT_FROM,
    SPREAD,
    Box,
    Point,
    bend_clear_of_focus,
    bend_side,
    bezier,
    bezier_point,
    declutter,
    fit,
    hub_places,
    network_layout,
    partner_links,
    partner_order,
    place_label,
    region_layout,
    separate,
    star_layout,
)
from index.pacts.agreements import Agreement, status_label

WIDTH_IN = 10.0
HEIGHT_IN = 7.5
DPI = 120  # 1200 x 900 px
MARGIN_IN = 0.12  # kept clear round the canvas's edge

NODE_FONT = 17
FOCUS_FONT = 20
EDGE_FONT = 14
LEGEND_FONT = 14
KEY_FONT = 12
KEY_WRAP = 110  # characters per line of the name key, at most
TITLE_FONT = 21
MESSAGE_FONT = 19
NODE_FILL = "#EEF1F4"
NODE_BORDER = "#3A4250"
FOCUS_FILL = "#1F2937"
TEXT_COLOUR = "#1A1A1A"

EMPTY_MESSAGE = "No agreements found"
# Beyond this many edges, names along them would only clutter the map; the legend still applies.
MAX_LABELLED_EDGES = 24
EDGE_LABEL_PAD = 0.25  # box padding, in font sizes
NODE_GID = "node:"  # + the node's name: the id of its name box in the figure
LABEL_GID = "edge-label"  # the id of each edge label in the figure


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
    fig, nodes = pact_map_figure(agreements, names, focus, title)
    fig.savefig(out, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return [n for n in nodes if not is_hub(n)]


def pact_map_figure(
    agreements: Sequence[Agreement], names: Mapping[str, str], focus: str | None = None, title: str | None = None
) -> tuple[Figure, list[str]]:
    """The map's figure, as `draw_pact_map` writes it, and the nodes drawn (hubs included)."""
    # Which names must be shortened shows only once the labels are placed, and the key spelling
    # them out takes room from the map: so draw again, with the room the key asked for, until
    # it fits (the key only grows as the map shrinks, so a few rounds settle it).
    room = 0
    fig, nodes, needed = render_pact_map(agreements, names, focus, title, key_room=room)
    for _ in range(3):
        if needed <= room:
            break
        room = needed
        fig, nodes, needed = render_pact_map(agreements, names, focus, title, key_room=room)
    return fig, nodes


def render_pact_map(
    agreements: Sequence[Agreement], names: Mapping[str, str], focus: str | None, title: str | None, key_room: int
) -> tuple[Figure, list[str], int]:
    """The map's figure with `key_room` lines kept for the name key; the nodes drawn (hubs
    included); and the lines the key took."""
    drawn = map_edges(agreements, focus)
    nodes = drawn_nodes(drawn, focus)
    if title is None:
        title = f"Defence agreements of {names.get(focus) or focus}" if focus else "Defence agreements"
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)  # this figure's own canvas, to measure text with (no pyplot, no global backend)
    top = _draw_title(fig, title)
    legend_top = _draw_legend(fig, [agreement for _, _, agreement in drawn])
    key_bottom = legend_top + 0.05
    key_height = key_room * KEY_FONT * 1.2 / 72
    bottom = key_bottom + key_height + (0.1 if key_room else 0.0) + MARGIN_IN
    ax = _plot_axes(fig, bottom, top)
    half_plot = (WIDTH_IN / 2 - MARGIN_IN, (top - bottom) / 2)

    shown: list[tuple[str, str]] = []
    if not drawn:
        _draw_empty(ax, focus, names)
    else:
        scale = font_scale(len(nodes))
        borders = {a: STATUS_COLOURS[agreement.status] for a, _, agreement in drawn if is_hub(a)}
        labels = {c: _draw_node(ax, c, names, c == focus, borders.get(c, NODE_BORDER), scale) for c in nodes}
        sizes = {c: _text_half(label, _node_style(c == focus, is_hub(c), scale)[1]) for c, label in labels.items()}
        layout = _layout(nodes, drawn, focus, sizes, half_plot)
        node_boxes = [(*layout[c], *sizes[c]) for c in nodes]
        shown = _draw_edges(ax, drawn, layout, focus, node_boxes, half_plot, scale)
        for c, label in labels.items():
            label.set_position(layout[c])

    key_lines = _key_lines(fig, name_key(shown))
    if key_lines:  # the full names behind shortened and numbered edge labels, just above the legend
        fig.text(
            0.5,
            key_bottom / HEIGHT_IN,
            "\n".join(key_lines),
            fontsize=KEY_FONT,
            color=TEXT_COLOUR,
            ha="center",
            va="bottom",
            linespacing=1.2,
        )
    return fig, nodes, len(key_lines)


def _draw_title(fig: Figure, title: str) -> float:
    """The title across the top, if any; returns the height (in inches) the map may reach to."""
    if not title:
        return HEIGHT_IN - 0.15
    top = 0.75
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
    return HEIGHT_IN - top


def _draw_legend(fig: Figure, on_map: Sequence[Agreement]) -> float:
    """The legend along the bottom, in as many columns as fit the canvas's width; returns the
    height (in inches) of its top, or of the bottom margin when there is none."""
    entries = legend_entries(on_map)
    if not entries:
        return MARGIN_IN
    room = (WIDTH_IN - 2 * MARGIN_IN) * DPI
    legend = None
    for most in range(len(entries), 0, -1):
        columns = -(-len(entries) // -(-len(entries) // most))  # as many rows, filled evenly
        legend = _legend(fig, entries, columns)
        if legend.get_window_extent().width <= room:
            break
        legend.remove()
    assert legend is not None  # range() above is never empty
    return float(legend.get_window_extent().y1) / DPI


def _legend(fig: Figure, entries: Sequence[tuple[str, EdgeStyle]], columns: int) -> Legend:
    # Entries fill rows first (matplotlib fills columns), so that the statuses read in order.
    rows = -(-len(entries) // columns)
    by_column = [
        entries[r * columns + c] for c in range(columns) for r in range(rows) if r * columns + c < len(entries)
    ]
    return fig.legend(
        [_styled_line(style, [], []) for _, style in by_column],
        [label for label, _ in by_column],
        loc="lower center",
        bbox_to_anchor=(0.5, MARGIN_IN / HEIGHT_IN),
        ncol=columns,
        fontsize=LEGEND_FONT,
        frameon=False,
        handlelength=2.6,
        columnspacing=1.2,
        borderaxespad=0.0,
        borderpad=0.0,
    )


def _key_lines(fig: Figure, key: Sequence[str]) -> list[str]:
    """The key's entries joined and wrapped into lines as wide as the canvas allows."""
    if not key:
        return []
    text = "; ".join(key)
    probe = fig.text(0, 0, "", fontsize=KEY_FONT)
    room = (WIDTH_IN - 2 * MARGIN_IN) * DPI
    width = KEY_WRAP
    lines = textwrap.wrap(text, width)
    while width > 20:
        lines = textwrap.wrap(text, width)
        probe.set_text("\n".join(lines))
        if probe.get_window_extent().width <= room:
            break
        width -= 5
    probe.remove()
    return lines


def _plot_axes(fig: Figure, bottom: float, top: float) -> Axes:
    """Axes between `bottom` and `top` (inches), in inches of data centred on their middle."""
    width, height = WIDTH_IN - 2 * MARGIN_IN, top - bottom
    ax = fig.add_axes((MARGIN_IN / WIDTH_IN, bottom / HEIGHT_IN, width / WIDTH_IN, height / HEIGHT_IN))
    ax.set_axis_off()
    ax.set_xlim(-width / 2, width / 2)
    ax.set_ylim(-height / 2, height / 2)
    ax.set_aspect("equal")
    return ax


def _draw_empty(ax: Axes, focus: str | None, names: Mapping[str, str]) -> None:
    if focus is not None:
        _draw_node(ax, focus, names, True, NODE_BORDER, 1.0).set_position((0.0, 0.35))
    ax.text(
        0.0,
        -0.45 if focus is not None else 0.0,
        EMPTY_MESSAGE,
        fontsize=MESSAGE_FONT,
        color="#555555",
        ha="center",
        va="center",
    )


def _layout(
    nodes: Sequence[str], drawn: Sequence[Edge], focus: str | None, sizes: Mapping[str, Point], half_plot: Point
) -> dict[str, Point]:
    """Where each node goes: round the focus, by region, or as a network; then clear of each other."""
    half_w = half_plot[0] - max(w for w, _ in sizes.values()) - 0.05
    half_h = half_plot[1] - max(h for _, h in sizes.values()) - 0.05
    if focus is not None:
        partners = [c for c in nodes if c != focus]
        layout = star_layout(focus, partner_order(partners, partner_links(focus, drawn)), half_w, half_h)
    elif len(nodes) >= REGION_LAYOUT_FROM:
        countries = [c for c in nodes if not is_hub(c)]
        layout = fit(region_layout(countries), half_w, half_h)  # the regions' places, filling the plot
        layout |= hub_places(drawn, layout)
    else:
        layout = fit(network_layout(nodes, drawn, half_w / half_h), half_w, half_h)
    layout = separate(layout, sizes, drawn, half_plot, pinned=focus)
    return declutter(layout, sizes, half_plot, pinned=focus)


def _styled_line(style: EdgeStyle, xs: npt.ArrayLike, ys: npt.ArrayLike) -> Line2D:
    line = Line2D(xs, ys, color=style.colour, linewidth=style.width, alpha=style.alpha)
    line.set_solid_capstyle("round")
    line.set_dash_capstyle("round")
    if style.dashes is not None:
        line.set_dashes(style.dashes)
    return line


def _draw_edges(
    ax: Axes,
    drawn: Sequence[Edge],
    layout: Mapping[str, Point],
    focus: str | None,
    taken: list[Box],
    half_plot: Point,
    scale: float,
) -> list[tuple[str, str]]:
    """Draw each edge's curve and, unless there are too many, its label: the full name where it
    fits clear of the boxes in `taken` (the nodes, then each label placed), else the short name,
    else a number. Returns (name shown, full name) for each label drawn."""
    by_pair: dict[tuple[str, str], list[Agreement]] = defaultdict(list)
    for a, b, agreement in drawn:
        by_pair[a, b].append(agreement)
    links = partner_links(focus, drawn) if focus is not None else {}
    labelled = len(drawn) <= MAX_LABELLED_EDGES
    shown: list[tuple[str, str]] = []
    numbers: dict[str, int] = {}
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
            normal *= bend_side(a, b, normal, mid, layout, links, focus)
            bend = bend_clear_of_focus(mid, normal)
            base = bend + (len(group) - 1) / 2 * spread if bend > 0 else 0.0
        group = sorted(group, key=lambda ag: (progress(ag.status), ag.name))
        for i, agreement in enumerate(group):
            offset = base + (i - (len(group) - 1) / 2) * spread
            control = mid + 2 * offset * normal  # a quadratic Bézier through mid + offset * normal
            curve = bezier(p1, control, p2, t)
            line = _styled_line(edge_style(agreement.status, agreement.weak), curve[:, 0], curve[:, 1])
            line.set_gid(edge_gid(agreement))
            line.set_zorder(1.5 + progress(agreement.status) / 10)  # the furthest along on top
            ax.add_line(line)
            if labelled and not is_hub(a) and not is_hub(b):  # a hub's box names it
                # Spoke labels prefer a spot a little out from the crowded centre.
                preferred = 0.6 if focus == a else 0.5
                along = partial(bezier_point, p1, control, p2)
                # Agreements of the same name share a number, so the key names each once.
                number = numbers.get(agreement.name, len(numbers) + 1)
                label = _place_edge_label(ax, agreement, along, preferred, taken, half_plot, scale, number)
                if label is not None:
                    shown.append((label, agreement.name))
                    if label == str(number):
                        numbers[agreement.name] = number
    return shown


def _place_edge_label(
    ax: Axes,
    agreement: Agreement,
    along: Callable[[float], Point],
    preferred: float,
    taken: list[Box],
    half_plot: Point,
    scale: float,
    number: int,
) -> str | None:
    """An edge's label at a spot along it clear of every box taken: its full name, else its short
    name, else `number` (spelled out in the key); None, and no label, when not even that fits."""
    colour = STATUS_COLOURS[agreement.status]
    choices = [
        (edge_label(agreement), edge_name(agreement.name)),
        (edge_label(agreement, short=True), short_name(agreement.name)),
        (str(number), str(number)),
    ]
    for text_, name in choices:
        text = _edge_text(ax, text_, colour, scale)
        half = _text_half(text, EDGE_LABEL_PAD)
        box, clash = place_label(along, half, preferred, taken, half_plot)
        if clash == 0:
            text.set_gid(LABEL_GID)
            text.set_position(box[:2])
            taken.append(box)
            return name
        text.remove()
    return None


def _edge_text(ax: Axes, label: str, colour: str, scale: float) -> Text:
    return ax.text(
        0.0,
        0.0,
        label,
        fontsize=EDGE_FONT * scale,
        color=TEXT_COLOUR,
        ha="center",
        va="center",
        multialignment="center",
        zorder=3.5,  # above the name boxes: a label is placed clear of them, never hidden by one
        bbox={"boxstyle": f"round,pad={EDGE_LABEL_PAD}", "facecolor": "white", "edgecolor": colour, "linewidth": 2},
    )


def _text_half(text: Text, pad: float) -> Point:
    """The half-width and half-height, in inches, of a text with its box (`pad` in font sizes)."""
    extent = text.get_window_extent()
    margin = pad * float(text.get_fontsize()) / 72 + 1 / DPI  # and the box's line, half in and half out
    return extent.width / DPI / 2 + margin, extent.height / DPI / 2 + margin


def _node_style(focused: bool, hub: bool, scale: float) -> tuple[float, float]:
    """A node label's font size and box padding (in font sizes)."""
    if hub:
        return EDGE_FONT * scale, EDGE_LABEL_PAD
    # The focus shrinks less than the others: it is what the map is about.
    return (FOCUS_FONT * max(scale, 0.9), 0.45) if focused else (NODE_FONT * scale, 0.35)


def _draw_node(ax: Axes, iso3: str, names: Mapping[str, str], focused: bool, border: str, scale: float) -> Text:
    """A country's box, or a hub's: its agreement's name in italics, edged in its status colour."""
    hub = is_hub(iso3)
    fontsize, pad = _node_style(focused, hub, scale)
    text = ax.text(
        0.0,
        0.0,
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
    text.set_gid(NODE_GID + iso3)
    return text


def edge_gid(agreement: Agreement) -> str:
    """The id an edge's line carries in the figure: its status and strength, for whoever reads
    the figure back (the tests) rather than the pixels."""
    return f"edge:{status_label(agreement.status)}:{'weak' if agreement.weak else 'strong'}"
