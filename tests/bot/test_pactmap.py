"""The pact map as drawn: PNGs, and the figure's own measures (renderer extents) of where its
boxes, legend and lines ended up, at 5, 20 and 40 countries."""

from __future__ import annotations

import io
import itertools
from collections import defaultdict
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.figure import Figure
from matplotlib.image import imread
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import Bbox, BboxBase

from bot.pactmap import (
    DPI,
    FOCUS_FILL,
    HEIGHT_IN,
    LABEL_GID,
    NODE_GID,
    WIDTH_IN,
    draw_pact_map,
    pact_map_figure,
    render_pact_map,
)
from bot.pactmap_content import STATUS_COLOURS, map_nodes
from index.pacts.agreements import STATUSES, Agreement, Status
from index.pacts.countries import name_of
from tests.bot.test_pactmap_content import JAPAN, agreement

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NAMES = {
    "JPN": "Japan",
    "GBR": "United Kingdom",
    "AUS": "Australia",
    "PHL": "Philippines",
    "USA": "United States",
    "FRA": "France",
    "DEU": "Germany",
}
TOUCH = 0.5  # pixels two boxes may share where their outlines meet (antialiasing)


# Synthetic networks of 5, 20 and 40 countries round Japan, with names long and short, dates,
# and every status at both strengths (one mention, several).
CODES = (
    "JPN PHL GBR AUS USA IND FRA DEU KOR NZL CAN ITA VNM IDN MYS SGP THA POL NOR SWE "
    "BRA ZAF NGA KEN EGY SAU ARE TUR ESP NLD BEL MEX CHL ARG FIN DNK EST LTU LVA FJI"
).split()
AGREEMENT_NAMES = [
    "Reciprocal Access Agreement",
    "defence cooperation arrangements",
    "Visiting Forces Agreement",
    "Acquisition and Cross-Servicing Agreement",
    "security pact",
    "Status of Forces Agreement (SOFA)",
    "Memorandum of Understanding on Defence Cooperation",
    "logistics agreement",
    "Japan-Philippines Reciprocal Access Agreement",
    "maritime security arrangement",
    "Treaty of Mutual Cooperation and Security",
]
EVERY_STATUS: list[Status | None] = [*STATUSES, None]
SIZES = (5, 20, 40)


def synthetic(countries: int) -> list[Agreement]:
    """A spoke from Japan to each other country, some agreements among them, at least fourteen
    in all (parallel curves where the countries are few): the i-th has status i mod 7 and is a
    single mention when i div 7 is odd."""
    codes = CODES[:countries]
    pairs = [("JPN", c) for c in codes[1:]] + [(codes[i], codes[i + 2]) for i in range(1, countries - 2, 6)]
    pairs = list(itertools.islice(itertools.cycle(pairs), max(len(pairs), 2 * len(EVERY_STATUS))))
    return [
        Agreement(
            name=AGREEMENT_NAMES[i % len(AGREEMENT_NAMES)],
            parties=sorted(pair),
            status=EVERY_STATUS[i % len(EVERY_STATUS)],
            weak=(i // len(EVERY_STATUS)) % 2 == 1,
            when=f"2024-0{1 + i % 9}" if i % 4 == 1 else None,
            date=None,
            citations=[],
        )
        for i, pair in enumerate(pairs)
    ]


@pytest.fixture(scope="module")
def drawn() -> dict[tuple[int, str | None], Figure]:
    """Each synthetic network drawn round Japan and as a whole, with the real country names."""
    figures = {}
    for countries, focus in itertools.product(SIZES, ("JPN", None)):
        found = synthetic(countries)
        fig, _ = pact_map_figure(found, {c: name_of(c) for c in CODES}, focus)
        fig.canvas.draw()  # the boxes round the texts take their final size when drawn
        figures[countries, focus] = fig
    return figures


CASES = [pytest.param(n, focus, id=f"{n}-{focus or 'all'}") for n in SIZES for focus in ("JPN", None)]


def _box(text: Text) -> Bbox:
    patch = text.get_bbox_patch()
    return patch.get_window_extent() if patch is not None else text.get_window_extent()


def _boxed(fig: Figure, gid: str) -> list[tuple[str, Bbox]]:
    return [(t.get_gid() or "", _box(t)) for t in fig.axes[0].texts if (t.get_gid() or "").startswith(gid)]


def _overlaps(a: BboxBase, b: BboxBase) -> bool:
    """Whether two boxes share more than where their outlines meet."""
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return bool(w > TOUCH and h > TOUCH)


def _inside(inner: BboxBase, outer: BboxBase) -> bool:
    grown = outer.expanded(1 + 2 * TOUCH / outer.width, 1 + 2 * TOUCH / outer.height)
    return bool(
        grown.containsx(inner.x0)
        and grown.containsx(inner.x1)
        and grown.containsy(inner.y0)
        and grown.containsy(inner.y1)
    )


@pytest.mark.parametrize(("countries", "focus"), CASES)
def test_the_legend_the_key_and_the_title_lie_inside_the_canvas(
    drawn: dict[tuple[int, str | None], Figure], countries: int, focus: str | None
) -> None:
    fig = drawn[countries, focus]
    canvas = fig.bbox
    assert (canvas.width, canvas.height) == (WIDTH_IN * DPI, HEIGHT_IN * DPI)
    (legend,) = fig.legends
    assert _inside(legend.get_window_extent(), canvas)
    assert len(legend.get_texts()) == len(EVERY_STATUS) + 2  # every status, then thick and thin
    for text in fig.texts:  # the title and the key
        assert _inside(text.get_window_extent(), canvas), text.get_text()
        assert not _overlaps(text.get_window_extent(), legend.get_window_extent()), text.get_text()


@pytest.mark.parametrize(("countries", "focus"), CASES)
def test_no_box_overlaps_another_and_all_lie_inside_the_map(
    drawn: dict[tuple[int, str | None], Figure], countries: int, focus: str | None
) -> None:
    fig = drawn[countries, focus]
    nodes, labels = _boxed(fig, NODE_GID), _boxed(fig, LABEL_GID)
    assert sorted(gid.removeprefix(NODE_GID) for gid, _ in nodes) == map_nodes(synthetic(countries), focus)
    assert len(nodes) == countries
    boxes = nodes + labels
    for (gid_a, a), (gid_b, b) in itertools.combinations(boxes, 2):
        assert not _overlaps(a, b), (gid_a, gid_b)
    plot = fig.axes[0].get_window_extent()
    outside = [t.get_window_extent() for t in (*fig.texts, *fig.legends)]
    for gid, box in boxes:
        assert _inside(box, plot), gid
        assert not any(_overlaps(box, other) for other in outside), gid


def test_labels_are_drawn_where_edges_are_few_and_a_label_with_no_room_is_numbered(
    drawn: dict[tuple[int, str | None], Figure],
) -> None:
    labels = [t.get_text() for t in drawn[20, "JPN"].axes[0].texts if t.get_gid() == LABEL_GID]
    assert len(labels) >= 15  # 22 edges: most named along their curve
    assert any("\n" in label for label in labels)  # some full names, on two lines
    numbered = [label for label in labels if label.isdigit()]
    key = " ".join(t.get_text() for t in drawn[20, "JPN"].texts).replace("\n", " ")
    assert all(f"{n}: " in key or f"{n}, " in key for n in numbered)
    # Past MAX_LABELLED_EDGES, none: the legend still says what the lines mean.
    assert not [t for t in drawn[40, "JPN"].axes[0].texts if t.get_gid() == LABEL_GID]


def _style(line: Line2D) -> tuple[tuple[float, ...], tuple[float, ...] | None, float]:
    # Line2D has no public getter for a custom dash pattern; this is what set_dashes stored.
    _, dashes = line._unscaled_dash_pattern  # type: ignore[attr-defined]
    return to_rgba(line.get_color(), line.get_alpha()), tuple(dashes) if dashes else None, line.get_linewidth()


@pytest.mark.parametrize(("countries", "focus"), CASES)
def test_lines_have_one_style_per_status_and_strength_matching_the_legend(
    drawn: dict[tuple[int, str | None], Figure], countries: int, focus: str | None
) -> None:
    fig = drawn[countries, focus]
    styles: dict[str, set[tuple[tuple[float, ...], tuple[float, ...] | None, float]]] = defaultdict(set)
    for line in fig.axes[0].lines:
        styles[str(line.get_gid())].add(_style(line))
    assert len(styles) == 2 * len(EVERY_STATUS)  # every status at both strengths is on the map
    assert all(len(found) == 1 for found in styles.values())  # one style each ...
    assert len({next(iter(found)) for found in styles.values()}) == len(styles)  # ... each its own
    legend = {text.get_text(): _style(handle) for text, handle in zip(*_legend_items(fig), strict=True)}
    for gid, (style,) in styles.items():
        _, status, strength = gid.split(":")
        if strength == "strong":  # the legend shows each status's line as it is drawn
            assert legend[status.capitalize()] == style, status
        else:
            assert style[2] == legend["One mention only"][2] < legend["Several mentions"][2]
            assert style[0][3] == 1.0  # full colour: faded blue "signed" looked like "expected to sign"


def _legend_items(fig: Figure) -> tuple[list[Text], list[Line2D]]:
    (legend,) = fig.legends
    return legend.get_texts(), legend.legend_handles  # type: ignore[return-value]


def png_bytes(agreements: list[Agreement], focus: str | None = None) -> bytes:
    buffer = io.BytesIO()
    draw_pact_map(agreements, NAMES, buffer, focus=focus)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def japan_maps() -> dict[str | None, bytes]:
    """The sample drawn once with Japan as the focus and once as a whole network."""
    return {focus: png_bytes(JAPAN, focus) for focus in ("JPN", None)}


def decode(data: bytes) -> npt.NDArray[np.float32]:
    assert data.startswith(PNG_SIGNATURE)
    return np.asarray(imread(io.BytesIO(data), format="png"))


def test_writes_a_png_of_the_expected_size(tmp_path: Path) -> None:
    out = tmp_path / "map.png"
    nodes = draw_pact_map(JAPAN, NAMES, out, focus="JPN")
    assert nodes == ["AUS", "GBR", "JPN", "PHL", "USA"]
    assert out.read_bytes().startswith(PNG_SIGNATURE)
    assert imread(out).shape[:2] == (round(HEIGHT_IN * DPI), round(WIDTH_IN * DPI)) == (900, 1200)


def test_writes_to_a_binary_stream_for_discord(japan_maps: dict[str | None, bytes]) -> None:
    assert decode(japan_maps[None]).shape[:2] == (900, 1200)
    assert draw_pact_map(JAPAN, NAMES, io.BytesIO()) == ["AUS", "GBR", "JPN", "PHL", "USA"]


def test_same_input_gives_identical_bytes(japan_maps: dict[str | None, bytes]) -> None:
    assert png_bytes(JAPAN, focus="JPN") == japan_maps["JPN"]
    assert png_bytes(JAPAN) == japan_maps[None]


def test_input_order_does_not_change_the_picture(japan_maps: dict[str | None, bytes]) -> None:
    assert png_bytes(JAPAN[::-1], focus="JPN") == japan_maps["JPN"]


def test_focus_is_highlighted(japan_maps: dict[str | None, bytes]) -> None:
    fill = np.array(to_rgb(FOCUS_FILL))

    def highlighted(data: bytes) -> int:
        return int((np.abs(decode(data)[..., :3] - fill) < 0.01).all(axis=-1).sum())

    assert highlighted(japan_maps["JPN"]) > 2000
    assert highlighted(japan_maps[None]) == 0


def test_the_countries_drawn_are_returned() -> None:
    pact = agreement("defence agreement", ["DEU", "FRA"], "considering")
    assert draw_pact_map([*JAPAN, pact], NAMES, io.BytesIO()) == ["AUS", "DEU", "FRA", "GBR", "JPN", "PHL", "USA"]
    assert draw_pact_map([*JAPAN, pact], NAMES, io.BytesIO(), focus="FRA") == ["DEU", "FRA"]
    assert draw_pact_map(JAPAN, NAMES, io.BytesIO(), focus="DEU") == ["DEU"]  # no agreements of its own


@pytest.mark.parametrize(("focus", "nodes"), [(None, []), ("JPN", ["JPN"])])
def test_nothing_to_draw_still_gives_a_png(focus: str | None, nodes: list[str]) -> None:
    buffer = io.BytesIO()
    assert draw_pact_map([], NAMES, buffer, focus=focus) == nodes
    image = decode(buffer.getvalue())
    assert image.shape[:2] == (900, 1200)
    assert (image[..., :3] < 0.5).any()  # the message (and the focus) are drawn


def test_a_hub_is_a_named_box_edged_in_its_status_colour() -> None:
    shield = agreement("European Sky Shield Initiative", ["DEU", "AUT", "CHE", "GBR", "NOR"])
    pact = agreement("defence agreement", ["AUT", "CHE"])
    fig, nodes = pact_map_figure([shield, pact], NAMES, "AUT")
    texts = {t.get_text(): t for t in fig.axes[0].texts}
    box = texts["European Sky\nShield Initiative"]
    assert box.get_fontstyle() == "italic"
    assert box.get_bbox_patch().get_edgecolor()[:3] == to_rgb(STATUS_COLOURS["signed"])  # type: ignore[union-attr]
    assert [t for t in texts if "Sky" in t] == ["European Sky\nShield Initiative"]  # no spoke repeats it
    assert "#European Sky Shield Initiative: AUT, CHE, DEU, GBR, NOR" in nodes
    assert draw_pact_map([shield, pact], NAMES, io.BytesIO(), focus="AUT") == map_nodes([shield, pact], "AUT")


def test_full_names_where_they_fit() -> None:
    fig, _, key_lines = render_pact_map(JAPAN, NAMES, "JPN", None, key_room=0)
    labels = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == LABEL_GID]
    assert "Reciprocal Access\nAgreement" in labels and "Visiting Forces\nAgreement" in labels
    assert key_lines == 0  # every name fitted whole


def test_a_label_with_no_room_is_shortened_and_spelled_out_in_the_key() -> None:
    crowded = [
        agreement("Reciprocal Access Agreement", ["JPN", "PHL"], "signed"),
        agreement("maritime security agreement", ["JPN", "PHL"], "negotiating"),
        agreement("Enhanced Defense Cooperation Agreement", ["JPN", "PHL"], "considering"),
        agreement("Mutual Logistics Support Agreement", ["JPN", "PHL"], "expected to sign"),
    ]
    fig, _ = pact_map_figure(crowded, NAMES, "JPN")
    key = " ".join(t.get_text() for t in fig.texts if ":" in t.get_text()).replace("\n", " ")
    shortened = [t.get_text() for t in fig.axes[0].texts if t.get_text() in {"RAA", "EDCA", "MLSA"}]
    assert shortened
    assert all(f"{s}: " in key for s in shortened)
