"""Properties over arbitrary input: recognition never raises and its offsets are exact; loaders fail only with InputError."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import nkmap
from nkmap.inputs.articles import SkippedFile, article_from_text, decode
from nkmap.recognize.scan import NameIndex, find_mentions
from nkmap.sources.gazetteer import parse_gazetteer

from .conftest import GAZETTEER

REAL = nkmap.load_gazetteer(GAZETTEER, check_countries=False)
NAMES = NameIndex.from_sources(REAL)
SPELLINGS = sorted({n for p in REAL.places for n in (p.name, *p.aliases)})
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Arbitrary Unicode, and text woven from real place names with arbitrary glue: the second reaches the
# recogniser's interesting paths (multi-word names, apostrophe suffixes, adjacent names).
glue = st.text(alphabet=st.sampled_from(" -‐'’.,\n\r\t()\u00a0\u202eAaSsİıß😀"), max_size=3)
woven = st.lists(
    st.one_of(st.sampled_from(SPELLINGS), st.sampled_from(SPELLINGS).map(str.upper), glue, st.text(max_size=4)),
    max_size=25,
).map("".join)


@FAST
@given(st.one_of(st.text(), woven))
def test_recognition_never_raises_and_offsets_are_exact(text):
    article = article_from_text("a.txt", text)
    mentions = find_mentions(article, NAMES)
    end = 0
    for m in mentions:
        assert text[m.start : m.end] == m.surface and m.surface
        assert m.start >= end  # in order, never overlapping
        end = m.end
        assert text[m.sentence_start : m.sentence_start + len(m.sentence)] == m.sentence


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
coordinate = st.one_of(st.floats(), st.integers(-1000, 1000), st.text(max_size=3), st.none())
feature = st.fixed_dictionaries(
    {"type": st.sampled_from(["Feature", "Feature", "Point", 1])},
    optional={
        "geometry": st.one_of(
            json_values,
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from(["Point", "Polygon"]),
                    "coordinates": st.lists(coordinate, min_size=0, max_size=4),
                }
            ),
        ),
        "properties": st.one_of(
            json_values,
            st.fixed_dictionaries(
                {
                    "id": st.one_of(st.sampled_from(["baku", "baku", "x-1", "Bad id"]), json_values),
                    "name": st.one_of(st.sampled_from(["Baku", "", " ", "--"]), json_values),
                },
                optional={
                    "aliases": st.one_of(
                        st.lists(st.one_of(st.sampled_from(["Baku", "AS", "-"]), json_values), max_size=3), json_values
                    ),
                    "country": st.one_of(st.sampled_from(["AZ", "az", ""]), json_values),
                    "population": json_values,
                    "shared_name": json_values,
                    "kind": json_values,
                },
            ),
        ),
    },
)
plausible = st.builds(
    lambda pid, name, aliases, lon, lat, country, shared: {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"id": pid, "name": name, "aliases": aliases, "country": country, "shared_name": shared},
    },
    st.from_regex(r"[a-z0-9][a-z0-9-]{0,6}", fullmatch=True),
    st.text(min_size=1, max_size=12),
    st.lists(st.text(max_size=8), max_size=3),
    st.floats(-181, 181),
    st.floats(-91, 91),
    st.sampled_from(["AZ", "AM", ""]),
    st.booleans(),
)
collections = st.fixed_dictionaries(
    {"type": st.just("FeatureCollection"), "features": st.lists(st.one_of(feature, plausible, plausible), max_size=4)}
)


@FAST
@given(st.one_of(json_values, collections))
def test_gazetteer_loader_loads_or_raises_input_error(data):
    try:
        text = json.dumps(data)
    except ValueError:
        return
    try:
        gazetteer = parse_gazetteer(text, "g.geojson")
    except nkmap.InputError as e:
        assert str(e).startswith("g.geojson: ") and "\n" not in str(e)  # one line for the CLI
    else:
        event(f"loaded {len(gazetteer)} places")
        again = parse_gazetteer(gazetteer.to_geojson()).places  # saves what it loaded (sorted by id)
        assert again == tuple(sorted(gazetteer.places, key=lambda p: p.id))


@FAST
@given(st.text(max_size=200))
def test_gazetteer_loader_on_arbitrary_text(text):
    try:
        gazetteer = parse_gazetteer(text, "g.geojson")
    except nkmap.InputError as e:  # anything else (a crash) fails the test
        message = str(e)
        assert message.startswith("g.geojson: ") and "\n" not in message and len(message) < 400
    else:  # the few texts that load are valid GeoJSON FeatureCollections
        assert json.loads(text)["type"] == "FeatureCollection"
        assert all(-90 <= p.lat <= 90 and -180 <= p.lon <= 180 for p in gazetteer.places)


@FAST
@given(st.binary(max_size=300))
def test_decoding_arbitrary_bytes_gives_text_or_a_skip(raw):
    try:
        text = decode("a.txt", raw)
    except SkippedFile:
        return
    except nkmap.InputError as e:
        assert "byte-order mark" in str(e)
        return
    assert isinstance(text, str)
    if raw.startswith(b"\xef\xbb\xbf") and b"\0" not in raw and _utf8(raw[3:]):
        assert text == raw[3:].decode("utf-8")  # the BOM dropped, the rest exactly as written


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
