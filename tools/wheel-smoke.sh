#!/usr/bin/env bash
# Build nkmap's wheel, install it (not editable) into a fresh venv outside the checkout, and build
# the sample map from there: proves the package carries every data file it reads.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$repo/.venv/bin/python" -m pip wheel -q --no-deps "$repo" -w "$work/dist"
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q "$work"/dist/nkmap-*.whl 2>&1 | grep -v "^WARNING: Location" || true
cd "$work"  # nothing of the checkout on the path from here on
export NKMAP_CACHE_DIR="$work/cache"
"$work/venv/bin/nkmap" build --no-geonames --format html,geojson,csv --out "$work/out" >"$work/build.log"
grep -q "^places: *19$" "$work/build.log" || { cat "$work/build.log"; echo "wheel smoke: expected 19 places"; exit 1; }
test -s "$work/out/map.html"
grep -q 'Borders and provinces: Natural Earth' "$work/out/map.html" || { echo "wheel smoke: no provinces in map.html"; exit 1; }
"$work/venv/bin/python" - <<'PY'
import nkmap, pathlib
where = pathlib.Path(nkmap.__file__)
assert "site-packages" in where.parts, where
assert nkmap.DEFAULT_GAZETTEER.is_file() and "site-packages" in nkmap.DEFAULT_GAZETTEER.parts
from nkmap.datafiles import DEFAULT_ADMIN1
assert DEFAULT_ADMIN1.is_file() and "site-packages" in DEFAULT_ADMIN1.parts, DEFAULT_ADMIN1
result = nkmap.geoparse(nkmap.read_articles([nkmap.pipeline.DEFAULT_ARTICLES]), geonames=False)
assert {p.place.name for p in result.places} >= {"Stepanakert", "Shushi", "Martakert", "Tonashen", "Yerevan", "Baku"}
print(f"wheel smoke: nkmap {nkmap.__version__} from {where.parent}, {len(result.places)} places")
PY
