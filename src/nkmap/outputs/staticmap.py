"""A static map for reports: ``map.png`` at print resolution and ``map.svg``, drawn from the offline basemap.

The interactive page needs a browser; a report needs a picture that prints. Places are labelled
points sized by their mention count, countries the articles name are shaded, and when the places
span a continent but crowd in one small area (Geneva to Baku, with four places around
Stepanakert), that area gets its own detail panel instead of one blot.

matplotlib is imported here only, inside the functions, and drawn through its Agg canvas directly:
``import nkmap`` stays fast and a notebook's pyplot backend is never switched.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from nkmap.datafiles import DEFAULT_BASEMAP
from nkmap.errors import InputError
from nkmap.infra import atomic
from nkmap.model import WIDE_KINDS, GeoparseResult, kind_group
from nkmap.outputs.web.palette import BORDER as LAND_BORDER
from nkmap.outputs.web.palette import COUNTRY_INK, GROUP_STYLE
from nkmap.outputs.web.palette import LAND as WEB_LAND
from nkmap.outputs.web.palette import SEA as WEB_SEA

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 200  # print resolution
FIGSIZE = (11.0, 6.6)  # inches: 2200 x 1320 pixels at DPI
ATTRIBUTION = "Borders: Natural Earth. Places: nkmap gazetteer (GeoNames, Wikipedia)."
NOT_POINTS = WIDE_KINDS  # countries are shaded; a continent is no point (nkmap.model)
DETAIL_MIN_PLACES = 3  # a crowded area gets a detail panel when it holds this many places
DETAIL_SHARE = 0.03  # ... within this share of the main map's span

# The web map's palette (nkmap.outputs.web.palette): the same sea, land and group colours.
SEA, LAND, BORDER, INK = WEB_SEA, WEB_LAND, LAND_BORDER, "#222222"
NAMED = "#ddd0f7"  # a named country: the web map's country colour, as it looks shaded over the land
POINT, REGION, FEATURE = GROUP_STYLE["settlement"][0], GROUP_STYLE["region"][0], GROUP_STYLE["feature"][0]
COUNTRY_SIZE = 6.5  # points: country names, under the place labels


@dataclass(frozen=True, slots=True)
class MapPoint:
    """One place drawn as a point."""

    id: str
    name: str
    lon: float
    lat: float
    mentions: int
    kind: str


@dataclass(frozen=True, slots=True)
class Extent:
    """A lon/lat box."""

    west: float
    east: float
    south: float
    north: float

    @property
    def mid_lat(self) -> float:
        return (self.south + self.north) / 2

    def span(self) -> float:
        """The larger side in degrees of latitude, longitude shrunk by cos(latitude)."""
        return max((self.east - self.west) * math.cos(math.radians(self.mid_lat)), self.north - self.south)

    def contains(self, lon: float, lat: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north


@dataclass(frozen=True, slots=True)
class Layout:
    """The main map's extent and, where places crowd, a detail panel's extent and the places in it."""

    main: Extent
    detail: Extent | None = None
    detail_ids: frozenset[str] = frozenset()


def map_points(result: GeoparseResult) -> list[MapPoint]:
    """The places drawn as points, most mentioned first."""
    return [
        MapPoint(s.place.id, s.place.name, s.place.lon, s.place.lat, len(s.mentions), s.place.kind)
        for s in result.places
        if s.place.kind not in NOT_POINTS
    ]


def plan_layout(points: Sequence[MapPoint], fallback: Extent | None = None) -> Layout:
    """Choose the extents: every point in the main map, and a detail panel for the largest crowd.

    A crowd is a group of at least :data:`DETAIL_MIN_PLACES` places, each within
    :data:`DETAIL_SHARE` of the main map's span of another (single linkage), when the main map
    is wider than 5 degrees. ``fallback`` is the extent to use when there are no points.
    """
    if not points:
        return Layout(fallback or Extent(-180, 180, -60, 85))
    main = _padded(_bounds([(p.lon, p.lat) for p in points]), 0.12, min_span=4.0)
    span = main.span()
    if span < 5 or len(points) < DETAIL_MIN_PLACES:
        return Layout(main)
    cos = math.cos(math.radians(main.mid_lat))
    # crowding is decided on unique positions: a region drawn at its centre city is one spot
    spots = sorted({(round(p.lon, 4), round(p.lat, 4)) for p in points})
    groups = _single_linkage([(x * cos, y) for x, y in spots], DETAIL_SHARE * span)
    best = max(
        groups,
        key=lambda g: (sum(1 for p in points if (round(p.lon, 4), round(p.lat, 4)) in {spots[i] for i in g}), -min(g)),
    )
    crowd_spots = {spots[i] for i in best}
    crowd = [p for p in points if (round(p.lon, 4), round(p.lat, 4)) in crowd_spots]
    if len(crowd) < DETAIL_MIN_PLACES or len(crowd) == len(points):
        return Layout(main)
    detail = _padded(_bounds([(p.lon, p.lat) for p in crowd]), 0.35, min_span=0.6)
    return Layout(main, detail, frozenset(p.id for p in crowd))


def _bounds(xy: Sequence[tuple[float, float]]) -> Extent:
    xs, ys = [x for x, _ in xy], [y for _, y in xy]
    return Extent(min(xs), max(xs), min(ys), max(ys))


def _padded(e: Extent, share: float, min_span: float) -> Extent:
    cx, cy = (e.west + e.east) / 2, (e.south + e.north) / 2
    half_w = max((e.east - e.west) * (1 + 2 * share), min_span) / 2
    half_h = max((e.north - e.south) * (1 + 2 * share), min_span) / 2
    return Extent(max(cx - half_w, -180), min(cx + half_w, 180), max(cy - half_h, -89), min(cy + half_h, 89))


def _single_linkage(xy: Sequence[tuple[float, float]], threshold: float) -> list[list[int]]:
    parent = list(range(len(xy)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(xy)):
        for j in range(i + 1, len(xy)):
            if math.dist(xy[i], xy[j]) <= threshold:
                parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(xy)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def load_basemap(path: str | os.PathLike[str] = DEFAULT_BASEMAP):
    """The country polygons (``iso_a2``, ``name``; EPSG:4326) as a GeoDataFrame."""
    import geopandas as gpd

    path = Path(path)
    if not path.is_file():
        raise InputError(
            path, "", "basemap not found; it ships with nkmap in data/basemap/ (or choose other formats with --format)"
        )
    frame = gpd.read_file(path, engine="pyogrio")
    missing = {"iso_a2", "name"} - set(frame.columns)
    if missing:
        raise InputError(path, "", f"basemap lacks the field(s) {', '.join(sorted(missing))}")
    return frame


def default_title(result: GeoparseResult) -> str:
    """ "Places named in 5 news articles, 1 Oct – 4 Nov 2020 (2 undated)"."""
    n = len(result.articles)
    title = f"Places named in {n} news article{'s' if n != 1 else ''}"
    dates = sorted(a.date for a in result.articles if a.date)
    if dates:
        title += f", {date_range(dates[0], dates[-1])}"
        if len(dates) < n:
            title += f" ({n - len(dates)} undated)"
    return title


def date_range(a: date, b: date) -> str:
    if a == b:
        return f"{a.day} {a:%b %Y}"
    if a.year == b.year:
        return f"{a.day} {a:%b} – {b.day} {b:%b %Y}"
    return f"{a.day} {a:%b %Y} – {b.day} {b:%b %Y}"


def draw_static_map(
    result: GeoparseResult, basemap: str | os.PathLike[str] = DEFAULT_BASEMAP, title: str | None = None
) -> Figure:
    """The report map as a matplotlib Figure on the Agg canvas (nothing is written).

    Parameters
    ----------
    result : what :func:`nkmap.geoparse` returned.
    basemap : the country polygons (default: the packaged Natural Earth layer).
    title : default :func:`default_title`.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    countries = load_basemap(basemap)
    points = map_points(result)
    named = _named_countries(result)
    shaded = countries[countries["iso_a2"].isin(named)]
    fallback = (
        _padded(
            _bounds([(b[0], b[1]) for b in shaded.bounds.values] + [(b[2], b[3]) for b in shaded.bounds.values]),
            0.05,
            4.0,
        )
        if len(shaded)
        else None
    )
    layout = plan_layout(points, fallback)

    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout=None)
    FigureCanvasAgg(fig)
    if layout.detail is not None:
        grid = fig.add_gridspec(
            1, 2, width_ratios=[2.05, 1], left=0.05, right=0.985, top=0.89, bottom=0.17, wspace=0.12
        )
        main_ax, detail_ax = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    else:
        main_ax, detail_ax = fig.add_axes((0.06, 0.17, 0.92, 0.72)), None
    top = max((p.mentions for p in points), default=1)

    panels = [(main_ax, layout.main, [p for p in points if p.id not in layout.detail_ids] if detail_ax else points)]
    if detail_ax is not None:
        panels.append((detail_ax, layout.detail, [p for p in points if p.id in layout.detail_ids]))
    panels = [(ax, _fit(extent, ax), labelled) for ax, extent, labelled in panels]
    for ax, extent, _labelled in panels:
        _draw_base(ax, countries, shaded, extent)
        _draw_points(ax, points, top)
    if detail_ax is not None:
        _mark_detail(main_ax, detail_ax, layout.detail, points, layout.detail_ids)
    renderer = fig.canvas.get_renderer()
    for ax, extent, labelled in panels:
        ax.apply_aspect()
        obstacles = [_scale_bar(ax, extent, renderer)]
        obstacles += [_marker_box(ax, p, top) for p in points if p not in labelled]
        if ax is main_ax and layout.detail is not None:
            obstacles.append(_extent_box(ax, layout.detail))
        placed = place_labels(
            ax, [(p.name, p.lon, p.lat, _radius_pt(p.mentions, top)) for p in labelled], renderer, obstacles=obstacles
        )
        _country_names(
            ax, basemap, renderer, obstacles + [t.get_window_extent(renderer) for t in placed], labelled, top
        )

    fig.suptitle(
        title if title is not None else default_title(result),
        x=0.05,
        y=0.965,
        ha="left",
        fontsize=13,
        fontweight="bold",
        color=INK,
    )
    _legend(fig, top, bool(len(shaded)))
    _footnote(fig, result, layout, countries, named, points)
    return fig


def _country_names(ax: Axes, basemap, renderer, obstacles: list, points: Sequence[MapPoint], top: int) -> list:
    """Country names at their label points (those of the web map), where they fit: never over a
    place label, a marker or another name. Larger countries first."""
    from matplotlib.transforms import Bbox

    from nkmap.outputs.web.basemap import country_labels

    frame = ax.get_window_extent(renderer)
    taken = [Bbox(o) for o in obstacles]
    taken += [_marker_box(ax, p, top) for p in points]
    drawn = []
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for name, lon, lat, zoom in country_labels(basemap):
        if not (x0 <= lon <= x1 and y0 <= lat <= y1) or (zoom >= 6 and x1 - x0 > 8):
            continue  # outside, or a micro-state on a map of a continent
        text = ax.text(
            lon,
            lat,
            name,
            ha="center",
            va="center",
            fontsize=COUNTRY_SIZE,
            color=COUNTRY_INK,
            style="italic",
            zorder=4,
        )
        box = text.get_window_extent(renderer).padded(2)
        inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
        if inside and not any(box.overlaps(t) for t in taken):
            taken.append(box)
            drawn.append(text)
        else:
            text.remove()
    return drawn


def _named_countries(result: GeoparseResult) -> set[str]:
    return {s.place.country for s in result.places if s.place.kind == "country" and s.place.country}


def _draw_base(ax: Axes, countries, shaded, extent: Extent) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    box = (extent.west, extent.south, extent.east, extent.north)
    pad = extent.span() * 0.5
    clip = (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)
    ax.set_facecolor(SEA)
    land = countries.clip_by_rect(*clip)
    land[~land.is_empty].plot(ax=ax, color=LAND, edgecolor=BORDER, linewidth=0.6, zorder=1)
    named = shaded.clip_by_rect(*clip)
    if len(named) and not named.is_empty.all():
        named[~named.is_empty].plot(ax=ax, color=NAMED, edgecolor=BORDER, linewidth=0.6, zorder=2)
    ax.set_xlim(extent.west, extent.east)
    ax.set_ylim(extent.south, extent.north)
    ax.set_aspect(1 / math.cos(math.radians(extent.mid_lat)), adjustable="box")
    ax.set_xlabel("")
    ax.set_ylabel("")
    # graticule: degree lines and labels at the frame
    ax.grid(True, color="#8aa0b4", linewidth=0.4, alpha=0.6, zorder=3)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _degrees(v, "E", "W")))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _degrees(v, "N", "S")))
    ax.tick_params(labelsize=6.5, colors="#555555", length=2)
    for spine in ax.spines.values():
        spine.set_color("#8aa0b4")


def _fit(extent: Extent, ax: Axes) -> Extent:
    """``extent`` grown in one direction so that it fills the panel at the right shape.

    A degree of longitude is cos(latitude) as long as one of latitude; growing the extent rather
    than shrinking the panel keeps the panels the size the layout gave them.
    """
    box = ax.get_position()
    width_in, height_in = box.width * ax.figure.get_figwidth(), box.height * ax.figure.get_figheight()
    cos = math.cos(math.radians(extent.mid_lat))
    w, h = (extent.east - extent.west) * cos, extent.north - extent.south
    cx, cy = (extent.west + extent.east) / 2, (extent.south + extent.north) / 2
    if w / h < width_in / height_in:
        w = h * width_in / height_in
    else:
        h = w * height_in / width_in
    return Extent(cx - w / cos / 2, cx + w / cos / 2, cy - h / 2, cy + h / 2)


def _degrees(value: float, pos: str, neg: str) -> str:
    text = f"{abs(value):.2f}".rstrip("0").rstrip(".")
    return f"{text}°{pos if value > 0 else neg if value < 0 else ''}"


def _radius_pt(mentions: int, top: int) -> float:
    """Marker radius in points: area grows with the mention count, 2.5 to 10 points."""
    return 2.5 + 7.5 * math.sqrt((mentions - 1) / max(top - 1, 1))


def _draw_points(ax: Axes, points: Sequence[MapPoint], top: int) -> None:
    for p in sorted(points, key=lambda p: -p.mentions):  # small markers drawn over big ones
        r = _radius_pt(p.mentions, top)
        group = kind_group(p.kind)
        region = group == "region"
        ax.scatter(
            [p.lon],
            [p.lat],
            s=(2 * r) ** 2,
            marker="o",
            zorder=5,
            facecolors="none" if region else FEATURE if group == "feature" else POINT,
            edgecolors=REGION if region else "white",
            linewidths=1.4 if region else 0.7,
            alpha=0.95,
        )


def _marker_box(ax: Axes, p: MapPoint, top: int):
    from matplotlib.transforms import Bbox

    x, y = ax.transData.transform((p.lon, p.lat))
    r = _radius_pt(p.mentions, top) * ax.figure.dpi / 72
    return Bbox.from_extents(x - r, y - r, x + r, y + r)


def _extent_box(ax: Axes, e: Extent):
    from matplotlib.transforms import Bbox

    return Bbox.from_extents(*ax.transData.transform((e.west, e.south)), *ax.transData.transform((e.east, e.north)))


def _mark_detail(
    main_ax: Axes, detail_ax: Axes, detail: Extent, points: Sequence[MapPoint], ids: frozenset[str]
) -> None:
    from matplotlib.patches import ConnectionPatch, Rectangle

    main_ax.add_patch(
        Rectangle(
            (detail.west, detail.south),
            detail.east - detail.west,
            detail.north - detail.south,
            fill=False,
            edgecolor=INK,
            linewidth=0.9,
            zorder=6,
        )
    )
    for y in (detail.north, detail.south):
        main_ax.add_artist(
            ConnectionPatch(
                (detail.east, y),
                (0, 1 if y == detail.north else 0),
                "data",
                "axes fraction",
                axesA=main_ax,
                axesB=detail_ax,
                color="#777777",
                linewidth=0.6,
                linestyle=(0, (3, 2)),
                zorder=6,
            )
        )
    for spine in detail_ax.spines.values():
        spine.set_color(INK)
        spine.set_linewidth(0.9)
    crowd = sorted((p for p in points if p.id in ids), key=lambda p: -p.mentions)
    detail_ax.set_title(f"Detail: {crowd[0].name}" if crowd else "Detail", fontsize=8.5, loc="left", color=INK)


def _scale_bar(ax: Axes, extent: Extent, renderer):
    """A scale bar of a round length near the lower left; returns its bounding box (display units)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    lat = (y0 + y1) / 2
    km_per_deg = 111.32 * math.cos(math.radians(lat))
    width_km = (x1 - x0) * km_per_deg
    target = width_km / 5
    length = max(n * 10**e for e in range(-1, 5) for n in (1, 2, 5) if n * 10**e <= target)
    left, base = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05
    right = left + length / km_per_deg
    ax.plot([left, right], [base, base], color=INK, linewidth=2.2, solid_capstyle="butt", zorder=7)
    ax.plot([left, right], [base, base], color="white", linewidth=0.8, solid_capstyle="butt", zorder=7, dashes=(2, 2))
    note = f"{length:g} km" + (f" (at {abs(lat):.0f}°{'N' if lat >= 0 else 'S'})" if extent.span() > 8 else "")
    text = ax.text(
        (left + right) / 2, base + (y1 - y0) * 0.015, note, ha="center", va="bottom", fontsize=6.5, color=INK, zorder=7
    )
    from matplotlib.transforms import Bbox

    bar = Bbox.from_extents(*ax.transData.transform((left, base)), *ax.transData.transform((right, base)))
    return Bbox.union([bar.expanded(1.0, 1.0).padded(3), text.get_window_extent(renderer)])


LABEL_SIZE = 7.5  # points
_DIRECTIONS = [
    (1, 0, "left", "center"),
    (-1, 0, "right", "center"),
    (1, 1, "left", "bottom"),
    (-1, 1, "right", "bottom"),
    (1, -1, "left", "top"),
    (-1, -1, "right", "top"),
    (0, 1, "center", "bottom"),
    (0, -1, "center", "top"),
]


def place_labels(
    ax: Axes, items: Sequence[tuple[str, float, float, float]], renderer, obstacles: Sequence = ()
) -> list:
    """Label points so that no label overlaps another label, a marker or an obstacle.

    ``items`` are ``(text, lon, lat, marker radius in points)``, most important first. Each label
    tries eight positions around its point, then the same eight further out with a leader line;
    a label that fits nowhere is left out rather than drawn over another. Greedy and
    deterministic: at the few dozen labels a report map holds, this is enough, and it needs no
    extra dependency (adjustText would bring scipy and moves labels by simulation).
    Returns the Text artists placed.
    """
    from matplotlib.transforms import Bbox

    to_px = ax.figure.dpi / 72
    frame = ax.get_window_extent(renderer)
    taken = [Bbox(o) for o in obstacles]
    for _, lon, lat, r in items:
        x, y = ax.transData.transform((lon, lat))
        taken.append(Bbox.from_extents(x - r * to_px, y - r * to_px, x + r * to_px, y + r * to_px))
    placed = []
    for text, lon, lat, r in items:
        x, y = ax.transData.transform((lon, lat))
        if not frame.contains(x, y):
            continue
        for reach, leader in ((r + 2.5, False), (r + 14, True)):
            artist = _try_label(ax, text, lon, lat, reach, leader, renderer, frame, taken, to_px)
            if artist is not None:
                placed.append(artist)
                break
    return placed


def _try_label(ax, text, lon, lat, reach, leader, renderer, frame, taken, to_px):
    from matplotlib.text import Text

    for dx, dy, ha, va in _DIRECTIONS:
        scale = reach / math.hypot(dx, dy) if (dx and dy) else reach
        offset = (dx * scale, dy * scale)
        artist = ax.annotate(
            text,
            (lon, lat),
            xytext=offset,
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=LABEL_SIZE,
            color=INK,
            zorder=8,
            arrowprops=dict(arrowstyle="-", color="#555555", linewidth=0.5, shrinkA=0, shrinkB=0) if leader else None,
            # a halo as a box, not a path effect: path effects would turn the SVG's text into outlines
            bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none", alpha=0.7),
        )
        artist.update_positions(renderer)
        box = Text.get_window_extent(artist, renderer).padded(1.5 * to_px)  # the text, not its leader line
        inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
        if inside and not any(box.overlaps(t) for t in taken):
            taken.append(box)
            return artist
        artist.remove()
    return None


def _legend(fig: Figure, top: int, shaded: bool) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles, labels = [], []
    for n in _legend_counts(top):
        r = _radius_pt(n, top)
        handles.append(
            Line2D(
                [], [], linestyle="none", marker="o", markersize=2 * r, markerfacecolor=POINT, markeredgecolor="white"
            )
        )
        labels.append(f"{n} mention{'s' if n != 1 else ''}")
    handles.append(
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=9,
            markerfacecolor="none",
            markeredgecolor=REGION,
            markeredgewidth=1.4,
        )
    )
    labels.append("region (at its centre)")
    if shaded:
        handles.append(Patch(facecolor=NAMED, edgecolor="#cccccc"))
        labels.append("country named in the articles")
    fig.legend(
        handles,
        labels,
        loc="lower left",
        bbox_to_anchor=(0.05, 0.045),
        ncol=len(handles),
        fontsize=7,
        frameon=False,
        handletextpad=0.6,
        handlelength=2.2,
        columnspacing=1.6,
        borderaxespad=0,
    )


def _legend_counts(top: int) -> list[int]:
    """1, up to two round counts between, and the largest: 1, 5, 10, 26."""
    middle = [n for n in (2, 5, 10, 20, 50, 100, 200, 500, 1000) if 2 <= n <= top / 2]
    if len(middle) > 2:
        middle = [middle[len(middle) // 3], middle[-1]] if len(middle) > 3 else middle[-2:]
    return [1, *middle, *([top] if top > 1 else [])]


def _footnote(
    fig: Figure, result: GeoparseResult, layout: Layout, countries, named: set[str], points: Sequence[MapPoint]
) -> None:
    notes = []
    outside = [p.name for p in points if not layout.main.contains(p.lon, p.lat)]
    inside_iso = set()
    box = layout.main
    for iso, geom in zip(countries["iso_a2"], countries.geometry):
        if iso in named and geom is not None and geom.intersects(_box(box)):
            inside_iso.add(iso)
    off = [s for s in result.places if s.place.kind == "country" and s.place.country not in inside_iso]
    continents = [s for s in result.places if s.place.kind == "continent"]
    if off:
        notes.append(
            "Named countries outside the frame: " + ", ".join(f"{s.place.name} ({len(s.mentions)})" for s in off)
        )
    if continents:
        notes.append("Not drawn: " + ", ".join(f"{s.place.name} ({len(s.mentions)}, continent)" for s in continents))
    if outside:
        notes.append("Outside the frame: " + ", ".join(outside))
    unresolved = len(result.unresolved)
    if unresolved:
        notes.append(f"{unresolved} mention{'s' if unresolved != 1 else ''} unresolved")
    text = ". ".join(notes) + ("." if notes else "")
    fig.text(0.05, 0.012, text, fontsize=6.3, color="#555555", ha="left", va="bottom", wrap=True)
    fig.text(0.985, 0.012, ATTRIBUTION, fontsize=6.3, color="#555555", ha="right", va="bottom")


def _box(e: Extent):
    from shapely.geometry import box

    return box(e.west, e.south, e.east, e.north)


def write_static_maps(
    result: GeoparseResult,
    paths: Mapping[str, str | os.PathLike[str]],
    basemap: str | os.PathLike[str] = DEFAULT_BASEMAP,
    title: str | None = None,
) -> list[Path]:
    """Draw the map once and write it in each format of ``paths`` (``{"png": ..., "svg": ...}``), atomically.

    The SVG carries no creation date and fixed element ids, so the same input gives the same file.
    """
    from matplotlib import rc_context

    fig = draw_static_map(result, basemap, title)
    written = []
    # svg.fonttype "none": labels stay <text> elements, editable in Inkscape or Illustrator
    with rc_context({"svg.hashsalt": "nkmap", "svg.fonttype": "none"}):
        for fmt, path in paths.items():
            metadata = {"Date": None} if fmt == "svg" else {"Software": "nkmap"}
            with atomic.atomic_path(path) as tmp:
                fig.savefig(tmp, format=fmt, dpi=DPI, metadata=metadata, facecolor="white")
            written.append(Path(path))
    return written
