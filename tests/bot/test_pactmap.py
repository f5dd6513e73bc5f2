from __future__ import annotations

import io
import itertools
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from matplotlib.colors import to_rgb
from matplotlib.image import imread

from bot.pactmap import (
    DPI,
    FOCUS_FILL,
    HEIGHT_IN,
    REGION_LAYOUT_FROM,
    STATUS_COLOURS,
    WEAK_ALPHA,
    WEAK_LEGEND,
    WIDTH_IN,
    draw_pact_map,
    edge_alpha,
    edge_label,
    edge_name,
    edges,
    legend_entries,
    legend_statuses,
    map_edges,
    map_nodes,
    name_key,
    node_label,
    region_layout,
    region_of,
    render_pact_map,
    short_name,
)
from index.agreements import Agreement, Status

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


def agreement(name: str, parties: list[str], status: Status | None = "signed") -> Agreement:
    return Agreement(name=name, parties=sorted(parties), status=status, date=None, citations=[])


# The sample of the brief: Japan and four partners, and AUKUS among three of them.
JAPAN = [
    agreement("Reciprocal Access Agreement", ["JPN", "PHL"], "expected to sign"),
    agreement("Reciprocal Access Agreement", ["GBR", "JPN"], "signed"),
    agreement("defence agreement", ["JPN", "USA"], "considering"),
    agreement("Visiting Forces Agreement", ["AUS", "JPN"], "negotiating"),
    agreement("AUKUS", ["AUS", "GBR", "USA"], "signed"),
]


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
    image = imread(out)
    assert image.shape[:2] == (round(HEIGHT_IN * DPI), round(WIDTH_IN * DPI)) == (900, 1200)


def test_writes_to_a_binary_stream_for_discord(japan_maps: dict[str | None, bytes]) -> None:
    assert decode(japan_maps[None]).shape[:2] == (900, 1200)
    assert draw_pact_map(JAPAN, NAMES, io.BytesIO()) == ["AUS", "GBR", "JPN", "PHL", "USA"]


def test_same_input_gives_identical_bytes(japan_maps: dict[str | None, bytes]) -> None:
    assert png_bytes(JAPAN, focus="JPN") == japan_maps["JPN"]
    assert png_bytes(JAPAN) == japan_maps[None]


def test_input_order_does_not_change_the_picture(japan_maps: dict[str | None, bytes]) -> None:
    assert png_bytes(JAPAN[::-1], focus="JPN") == japan_maps["JPN"]


def test_a_three_party_agreement_gives_every_pair() -> None:
    aukus = agreement("AUKUS", ["USA", "AUS", "GBR"])
    assert edges([aukus]) == [("AUS", "GBR", aukus), ("AUS", "USA", aukus), ("GBR", "USA", aukus)]


def test_an_agreement_of_four_or_more_is_a_hub_with_a_spoke_to_each_member() -> None:
    shield = agreement("European Sky Shield Initiative", ["DEU", "AUT", "CHE", "GBR", "NOR"])
    pact = agreement("defence agreement", ["AUT", "CHE"])
    hub = "#European Sky Shield Initiative: AUT, CHE, DEU, GBR, NOR"
    assert edges([shield]) == [(hub, c, shield) for c in ("AUT", "CHE", "DEU", "GBR", "NOR")]  # 5, not 10
    # Focused on a member, the hub's other members are drawn too; a hub is no country.
    assert {e[:2] for e in map_edges([shield, pact], "AUT")} == {("AUT", "CHE")} | {(hub, c) for c in shield.parties}
    assert map_nodes([shield, pact], "AUT") == ["AUT", "CHE", "DEU", "GBR", "NOR"]
    fig, nodes, _ = render_pact_map([shield, pact], NAMES, "AUT", None, key_room=0)
    texts = {t.get_text(): t for t in fig.axes[0].texts}
    # The hub's box names the agreement, in italics and edged in its status colour; no spoke repeats it.
    box = texts["European Sky\nShield Initiative"]
    assert box.get_fontstyle() == "italic"
    assert box.get_bbox_patch().get_edgecolor()[:3] == to_rgb(STATUS_COLOURS["signed"])  # type: ignore[union-attr]
    assert [t for t in texts if "Sky" in t] == ["European Sky\nShield Initiative"]
    assert hub in nodes and draw_pact_map([shield, pact], NAMES, io.BytesIO(), focus="AUT") == map_nodes(
        [shield, pact], "AUT"
    )


def test_edges_skip_single_party_agreements_and_repeated_parties() -> None:
    lone = agreement("defence agreement", ["JPN"])
    repeated = Agreement(name="RAA", parties=["JPN", "GBR", "JPN"], status="signed", date=None, citations=[])
    assert edges([lone, repeated]) == [("GBR", "JPN", repeated)]


def test_nodes_without_focus_are_all_the_countries() -> None:
    pact = agreement("defence agreement", ["DEU", "FRA"], "considering")
    assert map_nodes([*JAPAN, pact]) == ["AUS", "DEU", "FRA", "GBR", "JPN", "PHL", "USA"]
    assert draw_pact_map([*JAPAN, pact], NAMES, io.BytesIO()) == ["AUS", "DEU", "FRA", "GBR", "JPN", "PHL", "USA"]


def test_focus_keeps_its_partners_and_the_agreements_among_them() -> None:
    raa = agreement("Reciprocal Access Agreement", ["GBR", "JPN"])
    vfa = agreement("Visiting Forces Agreement", ["AUS", "JPN"])
    aukus = agreement("AUKUS", ["AUS", "GBR", "USA"])  # the United States is no partner of Japan here
    elsewhere = agreement("defence agreement", ["DEU", "FRA"])
    agreements = [raa, vfa, aukus, elsewhere]
    assert map_edges(agreements, "JPN") == [("GBR", "JPN", raa), ("AUS", "JPN", vfa), ("AUS", "GBR", aukus)]
    assert map_nodes(agreements, "JPN") == ["AUS", "GBR", "JPN"]
    assert draw_pact_map(agreements, NAMES, io.BytesIO(), focus="JPN") == ["AUS", "GBR", "JPN"]
    assert draw_pact_map(agreements, NAMES, io.BytesIO(), focus="FRA") == ["DEU", "FRA"]


def test_focus_is_highlighted(japan_maps: dict[str | None, bytes]) -> None:
    fill = np.array(to_rgb(FOCUS_FILL))

    def highlighted(data: bytes) -> int:
        return int((np.abs(decode(data)[..., :3] - fill) < 0.01).all(axis=-1).sum())

    assert highlighted(japan_maps["JPN"]) > 2000
    assert highlighted(japan_maps[None]) == 0


def test_legend_lists_the_statuses_present_in_order() -> None:
    assert legend_statuses(JAPAN) == ["considering", "negotiating", "expected to sign", "signed"]
    mixed = [agreement("a", ["A", "B"], None), agreement("b", ["A", "B"], "in force"), agreement("c", ["A", "C"])]
    assert legend_statuses(mixed) == ["signed", "in force", None]
    assert legend_statuses([]) == []


@pytest.mark.parametrize(("focus", "nodes"), [(None, []), ("JPN", ["JPN"])])
def test_nothing_to_draw_still_gives_a_png(focus: str | None, nodes: list[str]) -> None:
    buffer = io.BytesIO()
    assert draw_pact_map([], NAMES, buffer, focus=focus) == nodes
    image = decode(buffer.getvalue())
    assert image.shape[:2] == (900, 1200)
    assert (image[..., :3] < 0.5).any()  # the message (and the focus) are drawn


def test_focus_without_agreements_of_its_own_shows_only_the_focus() -> None:
    assert draw_pact_map(JAPAN, NAMES, io.BytesIO(), focus="DEU") == ["DEU"]


def test_a_larger_network_renders() -> None:
    countries = ["AUS", "CAN", "DEU", "FRA", "GBR", "IND", "ITA", "JPN", "KOR", "NZL", "PHL", "USA"]
    statuses: list[Status | None] = ["considering", "negotiating", "expected to sign", "signed", "ratified", None]
    many = [
        agreement(f"Agreement {i}", [countries[i % 12], countries[(i * 5 + 1) % 12]], statuses[i % 6])
        for i in range(50)
        if countries[i % 12] != countries[(i * 5 + 1) % 12]
    ]
    buffer = io.BytesIO()
    nodes = draw_pact_map(many, {}, buffer)  # no names: the codes are shown
    assert nodes == sorted({c for a in many for c in a.parties})
    assert decode(buffer.getvalue()).shape[:2] == (900, 1200)


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("AUKUS", "AUKUS"),
        ("defence agreement", "defence agreement"),
        ("Reciprocal Access Agreement", "RAA"),
        ("Japan-Philippines Reciprocal Access Agreement", "RAA"),
        ("Enhanced Defense Cooperation Agreement", "EDCA"),
        ("Treaty of Mutual Cooperation and Security", "TMCS"),
        ("Status of Forces Agreement (SOFA)", "SOFA"),
        ("trilateral maritime security framework", "trilateral mariti…"),
    ],
)
def test_short_names(name: str, short: str) -> None:
    assert short_name(name) == short
    assert len(short_name(name)) <= 18


def test_node_labels_use_names_and_fall_back_to_codes() -> None:
    assert node_label("JPN", NAMES) == "Japan"
    assert node_label("GBR", NAMES) == "United\nKingdom"
    assert node_label("ITA", NAMES) == "ITA"


def test_a_single_mention_is_drawn_faint_and_the_legend_says_what_faint_means(tmp_path: Path) -> None:
    strong = agreement("Reciprocal Access Agreement", ["JPN", "GBR"]).model_copy(
        update={"when": "2023-01", "sentences": 3, "articles": 2}
    )
    weak = agreement("defence agreement", ["IND", "FRA"], "negotiating").model_copy(
        update={"weak": True, "sentences": 1, "articles": 1}
    )
    assert edge_alpha(weak) == WEAK_ALPHA < edge_alpha(strong) == 1.0
    assert edge_label(strong) == "Reciprocal Access\nAgreement\n2023-01" and edge_label(weak) == "defence agreement"
    assert edge_label(strong, short=True) == "RAA\n2023-01"
    assert legend_entries([strong, weak]) == ["Negotiating", "Signed", WEAK_LEGEND]
    assert legend_entries([strong]) == ["Signed"]
    draw_pact_map([strong, weak], {"JPN": "Japan"}, tmp_path / "map.png")
    assert (tmp_path / "map.png").read_bytes().startswith(b"\x89PNG")


def test_a_map_of_many_countries_gathers_them_by_region() -> None:
    codes = "USA CAN BRA GBR FRA DEU POL KEN NGA EGY JPN KOR CHN IND PHL AUS NZL FJI".split()
    layout = region_layout(codes)
    assert set(layout) == set(codes) and region_of("JPN") == "Asia" and region_of("FJI") == "Oceania"

    def distance(a: str, b: str) -> float:
        return float(np.hypot(layout[a][0] - layout[b][0], layout[a][1] - layout[b][1]))

    same = [distance(a, b) for a in codes for b in codes if a < b and region_of(a) == region_of(b)]
    other = [distance(a, b) for a in codes for b in codes if a < b and region_of(a) != region_of(b)]
    assert max(same) < np.median(other)
    assert layout["USA"][0] < layout["FRA"][0] < layout["JPN"][0]  # west to east, as on a world map
    assert len(codes) >= REGION_LAYOUT_FROM
    agreements = [agreement("defence agreement", [a, b]) for a, b in itertools.pairwise(codes)]
    assert sorted(draw_pact_map(agreements, {}, io.BytesIO())) == sorted(codes)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("AUKUS", "AUKUS"),
        ("Reciprocal Access Agreement", "Reciprocal Access\nAgreement"),
        ("Japan-Philippines Reciprocal Access Agreement", "Reciprocal Access\nAgreement"),  # the ends name the parties
        ("Treaty of Mutual Cooperation and Security between Japan and the United States", "Treaty of Mutual…"),
    ],
)
def test_edges_show_full_names_on_two_lines_when_they_fit(name: str, shown: str) -> None:
    assert edge_name(name) == shown


def test_the_key_spells_out_only_the_names_shown_shortened() -> None:
    shown = [("RAA", "Reciprocal Access Agreement"), ("Visiting Forces\nAgreement", "Visiting Forces Agreement")]
    shown.append(("Reciprocal Access\nAgreement", "Japan-Philippines Reciprocal Access Agreement"))
    assert name_key(shown) == ["RAA: Reciprocal Access Agreement"]


def test_edge_labels_are_placed_clear_of_each_other_and_of_the_countries() -> None:
    fig, _, key_lines = render_pact_map(JAPAN, NAMES, "JPN", None, key_room=0)
    texts = fig.axes[0].texts
    labels = [t.get_text() for t in texts]
    assert "Reciprocal Access\nAgreement" in labels and "Visiting Forces\nAgreement" in labels
    assert key_lines == 0  # every name fitted whole
    fig.canvas.draw()  # the boxes round the labels take their final size when drawn
    boxes = [t.get_bbox_patch().get_window_extent().extents for t in texts]  # type: ignore[union-attr]
    for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
        overlap_w = min(a[2], b[2]) - max(a[0], b[0])
        overlap_h = min(a[3], b[3]) - max(a[1], b[1])
        assert overlap_w <= 1 or overlap_h <= 1, (labels[i], labels[j])


def test_a_label_with_no_room_is_shortened_and_spelled_out_in_the_key() -> None:
    crowded = [
        agreement("Reciprocal Access Agreement", ["JPN", "PHL"], "signed"),
        agreement("maritime security agreement", ["JPN", "PHL"], "negotiating"),
        agreement("Enhanced Defense Cooperation Agreement", ["JPN", "PHL"], "considering"),
        agreement("Mutual Logistics Support Agreement", ["JPN", "PHL"], "expected to sign"),
    ]
    fig, _, key_lines = render_pact_map(crowded, NAMES, "JPN", None, key_room=2)
    key = [t.get_text() for t in fig.texts if ":" in t.get_text()]
    shortened = [t.get_text() for t in fig.axes[0].texts if t.get_text() in {"RAA", "EDCA", "MLSA"}]
    assert shortened and key_lines >= 1
    assert all(f"{s}: " in key[0].replace("\n", " ") for s in shortened)
