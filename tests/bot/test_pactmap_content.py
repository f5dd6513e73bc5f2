"""The pact map's content and geometry as plain data: nodes, edges, labels, styles, layouts."""

from __future__ import annotations

import colorsys
import itertools

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from bot.pactmap_content import (
    STATUS_COLOURS,
    STRENGTH_COLOUR,
    STRONG_LEGEND,
    WEAK_LEGEND,
    edge_label,
    edge_name,
    edge_style,
    edges,
    font_scale,
    legend_entries,
    legend_statuses,
    map_edges,
    map_nodes,
    name_key,
    node_label,
    short_name,
)
from bot.pactmap_layout import (
    NODE_GAP,
    REGION_LAYOUT_FROM,
    Box,
    declutter,
    overlap,
    place_label,
    region_layout,
    region_of,
    rings,
    star_layout,
)
from index.pacts.agreements import STATUSES, Agreement, Status

NAMES = {"JPN": "Japan", "GBR": "United Kingdom", "AUS": "Australia"}
EVERY_STATUS: list[Status | None] = [*STATUSES, None]


def agreement(name: str, parties: list[str], status: Status | None = "signed") -> Agreement:
    return Agreement(name=name, parties=sorted(parties), status=status, date=None, citations=[])


JAPAN = [
    agreement("Reciprocal Access Agreement", ["JPN", "PHL"], "expected to sign"),
    agreement("Reciprocal Access Agreement", ["GBR", "JPN"], "signed"),
    agreement("defence agreement", ["JPN", "USA"], "considering"),
    agreement("Visiting Forces Agreement", ["AUS", "JPN"], "negotiating"),
    agreement("AUKUS", ["AUS", "GBR", "USA"], "signed"),
]


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
    assert node_label(hub, NAMES) == "European Sky\nShield Initiative"


def test_edges_skip_single_party_agreements_and_repeated_parties() -> None:
    lone = agreement("defence agreement", ["JPN"])
    repeated = Agreement(name="RAA", parties=["JPN", "GBR", "JPN"], status="signed", date=None, citations=[])
    assert edges([lone, repeated]) == [("GBR", "JPN", repeated)]


def test_nodes_without_focus_are_all_the_countries() -> None:
    pact = agreement("defence agreement", ["DEU", "FRA"], "considering")
    assert map_nodes([*JAPAN, pact]) == ["AUS", "DEU", "FRA", "GBR", "JPN", "PHL", "USA"]


def test_focus_keeps_its_partners_and_the_agreements_among_them() -> None:
    raa = agreement("Reciprocal Access Agreement", ["GBR", "JPN"])
    vfa = agreement("Visiting Forces Agreement", ["AUS", "JPN"])
    aukus = agreement("AUKUS", ["AUS", "GBR", "USA"])  # the United States is no partner of Japan here
    elsewhere = agreement("defence agreement", ["DEU", "FRA"])
    agreements = [raa, vfa, aukus, elsewhere]
    assert map_edges(agreements, "JPN") == [("GBR", "JPN", raa), ("AUS", "JPN", vfa), ("AUS", "GBR", aukus)]
    assert map_nodes(agreements, "JPN") == ["AUS", "GBR", "JPN"]
    assert map_nodes(agreements, "DEU") == ["DEU", "FRA"]


def test_legend_lists_the_statuses_present_in_order() -> None:
    assert legend_statuses(JAPAN) == ["considering", "negotiating", "expected to sign", "signed"]
    mixed = [agreement("a", ["A", "B"], None), agreement("b", ["A", "B"], "in force"), agreement("c", ["A", "C"])]
    assert legend_statuses(mixed) == ["signed", "in force", None]
    assert legend_statuses([]) == []


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("AUKUS", "AUKUS"),
        ("defence agreement", "defence agreement"),
        ("Reciprocal Access Agreement", "RAA"),
        ("Japan-Philippines Reciprocal Access Agreement", "RAA"),
        ("Enhanced Defense Cooperation Agreement", "EDCA"),
        ("Acquisition and Cross-Servicing Agreement", "ACSA"),
        ("Treaty of Mutual Cooperation and Security", "TMCS"),
        ("Status of Forces Agreement (SOFA)", "SOFA"),
        ("trilateral maritime security framework", "trilateral mariti…"),
    ],
)
def test_short_names(name: str, short: str) -> None:
    assert short_name(name) == short
    assert len(short_name(name)) <= 18


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


def test_node_labels_use_names_and_fall_back_to_codes() -> None:
    assert node_label("JPN", NAMES) == "Japan"
    assert node_label("GBR", NAMES) == "United\nKingdom"
    assert node_label("ITA", NAMES) == "ITA"


def test_the_key_spells_out_only_the_names_shown_shortened_or_numbered_each_once() -> None:
    shown = [("RAA", "Reciprocal Access Agreement"), ("Visiting Forces\nAgreement", "Visiting Forces Agreement")]
    shown.append(("Reciprocal Access\nAgreement", "Japan-Philippines Reciprocal Access Agreement"))
    assert name_key(shown) == ["RAA: Reciprocal Access Agreement"]
    numbered = [("10", "security pact"), ("2", "logistics agreement"), ("10", "security pact")]
    numbered.append(("RAA", "Reciprocal Access Agreement"))
    numbered.append(("3", "Reciprocal Access Agreement"))
    assert name_key(numbered) == ["2: logistics agreement", "3, RAA: Reciprocal Access Agreement", "10: security pact"]


def test_edge_labels_carry_the_date_the_text_gives() -> None:
    raa = agreement("Reciprocal Access Agreement", ["JPN", "GBR"]).model_copy(update={"when": "2023-01"})
    assert edge_label(raa) == "Reciprocal Access\nAgreement\n2023-01"
    assert edge_label(raa, short=True) == "RAA\n2023-01"


def _on_white(colour: str, alpha: float) -> np.ndarray:
    return alpha * np.array(to_rgb(colour)) + (1 - alpha) * np.ones(3)


def _hue_apart(a: str, b: str) -> float:
    """Degrees between two colours' hues: a light and a dark blue are 0 apart."""
    difference = abs(colorsys.rgb_to_hsv(*to_rgb(a))[0] - colorsys.rgb_to_hsv(*to_rgb(b))[0]) * 360
    return min(difference, 360 - difference)


def test_every_status_and_strength_has_its_own_style() -> None:
    styles = {(s, weak): edge_style(s, weak) for s in EVERY_STATUS for weak in (False, True)}
    assert len(set(styles.values())) == len(styles) == 2 * len(EVERY_STATUS)
    for (s1, w1), (s2, w2) in itertools.combinations(styles, 2):
        a, b = styles[s1, w1], styles[s2, w2]
        if s1 != s2:  # told apart by colour as drawn on white, at whatever strength, and by hue or dashes
            apart = float(np.linalg.norm(_on_white(a.colour, a.alpha) - _on_white(b.colour, b.alpha)))
            assert apart > 0.25 and (_hue_apart(a.colour, b.colour) > 30 or a.dashes != b.dashes), (s1, s2)
        else:  # the same status: the same colour and dashes, a clearly thinner line for one mention
            assert (a.colour, a.dashes) == (b.colour, b.dashes)
            thick, thin = (a, b) if w2 else (b, a)
            assert thin.width <= thick.width / 2
    # One mention is no fainter colour: a faint blue "signed" read as "expected to sign".
    assert all(style.alpha == 1.0 for style in styles.values())
    # Each status has a pattern of its own or a colour no other solid status has.
    assert len({(s.colour, s.dashes) for s in styles.values()}) == len(EVERY_STATUS)


def test_the_legend_explains_colours_dashes_and_widths() -> None:
    strong = agreement("Reciprocal Access Agreement", ["JPN", "GBR"])
    weak = agreement("defence agreement", ["IND", "FRA"], "negotiating").model_copy(update={"weak": True})
    entries = legend_entries([strong, weak])
    assert [label for label, _ in entries] == ["Negotiating", "Signed", STRONG_LEGEND, WEAK_LEGEND]
    assert entries[0][1] == edge_style("negotiating", weak=False)
    thick, thin = entries[2][1], entries[3][1]
    assert thick.colour == thin.colour == STRENGTH_COLOUR not in STATUS_COLOURS.values()
    assert thin.width == edge_style("signed", weak=True).width < thick.width == edge_style("signed", False).width
    assert [label for label, _ in legend_entries([strong])] == ["Signed"]


def test_fonts_shrink_with_the_number_of_nodes() -> None:
    scales = [font_scale(n) for n in (5, 12, 13, 20, 24, 25, 40)]
    assert scales == sorted(scales, reverse=True) and scales[0] == 1.0 and scales[-1] >= 0.7


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


def test_many_partners_take_turns_on_inner_rings() -> None:
    assert [rings(n) for n in (4, 12, 13, 26, 39)] == [1, 1, 2, 2, 3]
    partners = [f"P{i:02}" for i in range(39)]
    layout = star_layout("F", partners, 4.0, 2.5)
    assert layout["F"] == (0.0, 0.0)
    radius = {p: np.hypot(layout[p][0] / 4.0, layout[p][1] / 2.5) for p in partners}
    assert len({round(r, 1) for r in radius.values()}) >= 3
    assert radius["P00"] > radius["P01"] > radius["P02"]  # neighbours round the focus on different rings


@pytest.mark.parametrize("count", [5, 20, 40])
def test_decluttered_boxes_never_overlap_and_stay_inside(count: int) -> None:
    rng = np.random.default_rng(count)
    names = [f"N{i:02}" for i in range(count)]
    crowded = {c: (float(x), float(y)) for c, (x, y) in zip(names, rng.normal(0, 0.5, (count, 2)), strict=True)}
    sizes = {c: (0.55, 0.18) for c in names}
    half_plot = (4.8, 2.9)
    layout = declutter(crowded, sizes, half_plot, pinned="N00")
    assert layout["N00"] == crowded["N00"]  # the pinned node stays put
    boxes: list[Box] = [
        (*layout[c], sizes[c][0] + NODE_GAP / 2 - 1e-6, sizes[c][1] + NODE_GAP / 2 - 1e-6) for c in names
    ]
    assert all(overlap(a, b) == 0 for a, b in itertools.combinations(boxes, 2))
    assert all(abs(x) + w <= half_plot[0] + 1e-6 and abs(y) + h <= half_plot[1] + 1e-6 for x, y, w, h in boxes)


def test_a_label_goes_to_the_nearest_clear_spot_or_reports_its_clash() -> None:
    def along(t: float) -> tuple[float, float]:
        return (-2.0 + 4.0 * t, 0.0)

    node: Box = (0.0, 0.0, 0.5, 0.3)
    box, clash = place_label(along, (0.3, 0.1), 0.5, [node], (5.0, 3.0))
    assert clash == 0 and overlap(box, node) == 0 and abs(box[0]) < 1.2  # just clear of the node
    wall: Box = (0.0, 0.0, 3.0, 0.3)
    _, clash = place_label(along, (0.3, 0.1), 0.5, [wall], (5.0, 3.0))
    assert clash > 0
