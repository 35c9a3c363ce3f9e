#!/usr/bin/env python3
"""Build the offline basemap layer ``data/basemap/countries.geojson``.

Source: Natural Earth Admin 0 countries as redistributed (TopoJSON) by the
npm package ``world-atlas`` (pinned below).  Steps:

1. Get the package tarball with ``npm pack world-atlas@<version>`` (or use
   ``--source`` to point at an unpacked package folder / a countries-*.json).
2. Decode the TopoJSON arcs (quantized, delta-encoded) to lon/lat.
3. Simplify every *arc* on its own (Douglas-Peucker, GEOS topology
   preserving variant; arc end points are kept).  Two neighbouring
   countries share the same arc in TopoJSON, so they are simplified
   identically: no gaps or slivers open up along land borders.
4. Let GDAL (geopandas/pyogrio, TopoJSON driver) assemble the polygons from
   the simplified, no longer quantized topology.
5. world-atlas is stitched for spherical rendering: Russia, Fiji and
   Antarctica have rings crossing the antimeridian (Antarctica's ring goes
   round the pole).  Read as planar lon/lat they are invalid and cover the
   wrong area, so those rings are unwrapped and cut at +-180.
6. Map ISO 3166-1 numeric ``id`` -> alpha-2 with pycountry; entities
   without a numeric code (Kosovo, N. Cyprus, Somaliland, ...) get "".
   Features sharing one ISO code are merged (Ashmore and Cartier Is. into
   Australia) so there is one feature per ISO code.
7. Snap to a 1e-4 degree grid (shapely.set_precision, which keeps
   geometries valid), repair anything still invalid with make_valid, keep
   only polygonal parts, write GeoJSON (EPSG:4326, 4 decimals).

Run:  python tools/make_basemap.py            (writes data/basemap/countries.geojson)
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pycountry
import shapely
import shapely.affinity
import shapely.geometry
from shapely.geometry import LineString, MultiPolygon, Polygon

WORLD_ATLAS_VERSION = "2.0.2"
RESOLUTION = "50m"
# Douglas-Peucker tolerance in degrees.  0.01 deg ~ 1.1 km north-south,
# i.e. below 2 screen pixels at zoom 8 (~611 m/px at the equator, ~470 m/px
# at 40 deg N), so borders in the Caucasus stay recognisable there.
TOLERANCE = 0.01
GRID = 1e-4  # output precision (~11 m)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "data" / "basemap" / "countries.geojson"


def fetch_world_atlas(workdir: Path, version: str) -> Path:
    """``npm pack`` the package into workdir and unpack it; return package dir."""
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm not found: install Node/npm or pass --source")
    out = (
        subprocess.run(
            [npm, "pack", f"world-atlas@{version}", "--pack-destination", str(workdir)],
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    with tarfile.open(workdir / out) as tar:
        tar.extractall(workdir, filter="data")
    return workdir / "package"


def decode_arcs(topo: dict) -> list[np.ndarray]:
    """Absolute lon/lat coordinates of every arc of a (quantized) topology."""
    tr = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        a = np.asarray(arc, dtype=float)[:, :2]
        if tr:
            a = np.cumsum(a, axis=0) * tr["scale"] + tr["translate"]
        arcs.append(a)
    return arcs


def unwrap_lon(a: np.ndarray) -> np.ndarray:
    """Make longitudes continuous (no +-360 jumps across the antimeridian)."""
    lon = a[:, 0]
    steps = -360.0 * np.round(np.diff(lon) / 360.0)
    out = a.copy()
    out[:, 0] = lon + np.concatenate([[0.0], np.cumsum(steps)])
    return out


def simplify_arcs(arcs: list[np.ndarray], tolerance: float) -> list[list]:
    """Douglas-Peucker on every arc; the arc's end points are always kept.

    world-atlas is made for spherical rendering (d3): arcs and rings cross
    the antimeridian.  Arcs are simplified with continuous longitudes and
    mapped back to their original vertices, so a jump from 179.9 to -179.9
    is not mistaken for a 360 degree long segment.
    """
    out = []
    for a in arcs:
        if tolerance > 0 and len(a) > 2:
            closed = len(a) > 3 and np.array_equal(a[0], a[-1])
            u = unwrap_lon(a)
            back = {tuple(p): q for p, q in zip(u.tolist(), a.tolist())}
            s = shapely.simplify(LineString(u), tolerance, preserve_topology=True)
            c = shapely.get_coordinates(s).tolist()
            # An island ring must stay a ring (>= 4 positions); otherwise
            # keep the original so tiny islands do not vanish.
            if closed and len(c) < 4:
                out.append(a.tolist())
            else:
                out.append([back[tuple(p)] for p in c])
        else:
            out.append(a.tolist())
    return out


WORLD = shapely.box(-180.0, -90.0, 180.0, 90.0)


def to_world(geom):
    """Cut a polygon given with continuous (possibly |lon| > 180) longitudes
    at the antimeridian and shift the pieces back into [-180, 180]."""
    geom = polygonal(geom if geom.is_valid else shapely.make_valid(geom))
    if geom is None:
        return None
    parts = []
    for k in range(-2, 3):
        piece = shapely.intersection(geom, shapely.affinity.translate(WORLD, 360.0 * k))
        piece = polygonal(piece)
        if piece is not None:
            parts.append(shapely.affinity.translate(piece, -360.0 * k))
    return polygonal(shapely.union_all(parts)) if parts else None


def fix_antimeridian(geom):
    """Turn a spherical (d3/world-atlas) polygon into a planar lon/lat one.

    Rings crossing the antimeridian are unwrapped and cut at +-180.  A ring
    whose unwrapped longitudes do not close goes round a pole (Antarctica):
    it is closed along the pole and toggles the area it caps.  Geometries
    without any jump are returned unchanged.
    """
    polys = list(getattr(geom, "geoms", [geom]))
    rings = [np.asarray(r.coords) for p in polys for r in [p.exterior, *p.interiors]]
    if not any((np.abs(np.diff(r[:, 0])) > 180).any() for r in rings):
        return geom
    result = []
    for p in polys:
        region = None
        for i, r in enumerate([p.exterior, *p.interiors]):
            u = unwrap_lon(np.asarray(r.coords)[:, :2])
            offset = u[-1, 0] - u[0, 0]
            if abs(offset) > 180:  # polar ring: close it along the pole
                pole = -90.0 if u[:, 1].mean() < 0 else 90.0
                cap = to_world(Polygon(np.vstack([u, [[u[-1, 0], pole], [u[0, 0], pole]]])))
                region = cap if region is None else region.symmetric_difference(cap)
            elif i == 0:
                shape = to_world(Polygon(u))
                region = shape if region is None else region.union(shape)
            elif region is not None:
                region = region.difference(to_world(Polygon(u)))
        if region is not None:
            result.append(region)
    return polygonal(shapely.union_all(result)) if result else None


def load_simplified(src_json: Path, tolerance: float, tmp: Path) -> gpd.GeoDataFrame:
    topo = json.loads(src_json.read_text(encoding="utf-8"))
    arcs = simplify_arcs(decode_arcs(topo), tolerance)
    n_before = sum(len(a) for a in topo["arcs"])
    n_after = sum(len(a) for a in arcs)
    print(f"arcs: {len(arcs)}, vertices {n_before} -> {n_after} (tolerance {tolerance})")
    topo = {
        "type": "Topology",
        "objects": {"countries": topo["objects"]["countries"]},
        "arcs": arcs,
    }
    path = tmp / "countries-simplified.topojson"
    path.write_text(json.dumps(topo), encoding="utf-8")
    gdf = gpd.read_file(path, layer="countries", engine="pyogrio")
    return gdf.set_crs("EPSG:4326", allow_override=True)


def alpha2(numeric) -> str:
    if not isinstance(numeric, str) or not numeric.strip().isdigit():
        return ""  # missing (NaN) or Natural Earth's "-99"
    c = pycountry.countries.get(numeric=str(numeric).zfill(3))
    return c.alpha_2 if c else ""


def polygonal(geom):
    """Keep only the (Multi)Polygon part of a geometry."""
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    polys = [p for g in parts for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
    return MultiPolygon(polys) if polys else None


def write_geojson(gdf: gpd.GeoDataFrame, out: Path) -> None:
    """Compact RFC 7946 GeoJSON: CCW exterior rings, 4 decimals, one feature
    per line (keeps diffs readable and the file small)."""
    geoms = shapely.orient_polygons(gdf.geometry.values, exterior_cw=False)
    lines = []
    for (code, name), g in zip(zip(gdf["iso_a2"], gdf["name"]), geoms):
        g = shapely.transform(g, lambda c: np.round(c, 4))
        feat = {
            "type": "Feature",
            "properties": {"iso_a2": code, "name": name},
            "geometry": shapely.geometry.mapping(g),
        }
        lines.append(json.dumps(feat, ensure_ascii=False, separators=(",", ":")))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text('{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8")


def build(src_json: Path, out: Path, tolerance: float, tmp: Path) -> gpd.GeoDataFrame:
    gdf = load_simplified(src_json, tolerance, tmp)
    gdf["iso_a2"] = [alpha2(v) for v in gdf["id"]]
    fixed = [fix_antimeridian(g) for g in gdf.geometry]
    crossing = [n for n, g, f in zip(gdf["name"], gdf.geometry, fixed) if f is not g]
    print(f"cut at the antimeridian: {crossing}")
    gdf["geometry"] = fixed
    # Repair anything still invalid (none with the pinned source and the
    # default tolerance, but a larger tolerance can make rings cross).
    bad = ~gdf.geometry.is_valid
    print(f"invalid after assembly: {int(bad.sum())} {sorted(gdf.loc[bad, 'name'])}")
    gdf["geometry"] = [polygonal(g if ok else shapely.make_valid(g)) for g, ok in zip(gdf.geometry, ~bad)]

    # One feature per ISO code: merge features that share a code, keeping the
    # name of the largest one (Australia absorbs Ashmore and Cartier Is.).
    gdf["_area"] = shapely.area(gdf.geometry.values)  # planar deg^2, only for ordering
    gdf = gdf.sort_values("_area", ascending=False)
    rows = []
    coded = gdf[gdf["iso_a2"] != ""]
    for code, grp in coded.groupby("iso_a2", sort=False):
        geom = grp.geometry.iloc[0] if len(grp) == 1 else shapely.union_all(grp.geometry.values)
        if len(grp) > 1:
            print(f"merged {list(grp['name'])} into one feature {code}")
        rows.append({"iso_a2": code, "name": grp["name"].iloc[0], "geometry": geom})
    for _, r in gdf[gdf["iso_a2"] == ""].iterrows():
        print(f"no ISO code: {r['name']}")
        rows.append({"iso_a2": "", "name": r["name"], "geometry": r.geometry})
    res = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")

    # Snap to the output grid (set_precision keeps polygons valid); repair
    # defensively in case anything is still invalid.
    geoms = [None if g is None else shapely.set_precision(g, GRID) for g in res.geometry]
    geoms = [polygonal(g if g is None or g.is_valid else shapely.make_valid(g)) for g in geoms]
    res["geometry"] = geoms
    print(f"invalid after snapping: {int((~res.geometry.dropna().is_valid).sum())}")
    dropped = res[res.geometry.isna()]
    if len(dropped):
        print("dropped (collapsed to nothing):", list(dropped["name"]))
    res = res[res.geometry.notna()]
    res = res.sort_values(["iso_a2", "name"]).reset_index(drop=True)[["iso_a2", "name", "geometry"]]

    write_geojson(res, out)
    size = out.stat().st_size
    print(f"wrote {out} : {len(res)} features, {size} bytes ({size / 1e6:.2f} MB)")
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--source",
        type=Path,
        help="unpacked world-atlas package dir or a countries-*.json "
        f"(default: npm pack world-atlas@{WORLD_ATLAS_VERSION})",
    )
    ap.add_argument("--resolution", default=RESOLUTION, choices=["10m", "50m", "110m"])
    ap.add_argument("--tolerance", type=float, default=TOLERANCE, help="simplification tolerance in degrees (0 = none)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="nkmap-basemap-") as t:
        tmp = Path(t)
        src = args.source or fetch_world_atlas(tmp, WORLD_ATLAS_VERSION)
        if src.is_dir():
            meta = json.loads((src / "package.json").read_text())
            print(f"source: {meta['name']} {meta['version']}")
            if meta["version"] != WORLD_ATLAS_VERSION:
                print(f"warning: expected world-atlas {WORLD_ATLAS_VERSION}", file=sys.stderr)
            src = src / f"countries-{args.resolution}.json"
        build(src, args.out, args.tolerance, tmp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
