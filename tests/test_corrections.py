"""The corrections file: its format, its one-line errors, its updates, and how builds apply it."""

from __future__ import annotations

import json
import multiprocessing
import re
import subprocess
import sys

import pytest

import nkmap
from nkmap.errors import InputError
from nkmap.model import Reason
from nkmap.sources.corrections import (
    Correction,
    Corrections,
    corrections_path,
    load_corrections,
    parse_corrections,
    update,
)

from .conftest import GAZETTEER, ROOT
from .review_corpus import write_corpus, write_gazetteer


def doc(*entries, **top):
    return json.dumps({"nkmap_corrections": 1, "corrections": list(entries), **top}, ensure_ascii=False)


BAD = {
    "not JSON": ('{"nkmap_corrections": 1,\n "corrections": [}', "line 2, column 18: not JSON: Expecting value"),
    "not a corrections file": ('{"corrections": []}', 'not a corrections file: expected {"nkmap_corrections": 1'),
    "future version": ('{"nkmap_corrections": 2, "corrections": []}', "field 'nkmap_corrections': version 2 is not"),
    "unknown top field": (doc(extra=1), "field 'extra': unknown"),
    "entries not a list": ('{"nkmap_corrections": 1, "corrections": {}}', "field 'corrections': must be a list"),
    "entry not an object": (doc("Tula"), "entry 0: not an object"),
    "unknown action": (doc({"action": "delete", "name": "Tula"}), "entry 0, field 'action': 'delete' is not one of"),
    "no name": (doc({"action": "not-a-place"}), "entry 0, field 'name': missing or empty"),
    "name with a newline": (
        doc({"action": "not-a-place", "name": "Tu\nla"}),
        "entry 0 (not-a-place 'Tu\\nla'), field 'name': holds a control character",
    ),
    "name without letters": (doc({"action": "not-a-place", "name": "--"}), "field 'name': has no letters or digits"),
    "field the action does not take": (
        doc({"action": "not-a-place", "name": "Tula", "to": "geneva"}),
        "entry 0 (not-a-place 'Tula'), field 'to': not used by not-a-place",
    ),
    "articles not a list": (
        doc({"action": "not-a-place", "name": "Tula", "articles": "a.txt"}),
        "field 'articles': must be a list of article file names",
    ),
    "pin without a place": (doc({"action": "pin", "name": "Tula"}), "a pin names its place by exactly one of"),
    "pin with two places": (
        doc({"action": "pin", "name": "Tula", "to": "geneva", "geonames": 5}),
        "a pin names its place by exactly one of",
    ),
    "latitude out of range": (
        doc({"action": "pin", "name": "Camp X", "lat": 95, "lon": 25.3}),
        "entry 0 (pin 'Camp X'), field 'lat': latitude 95 is outside [-90, 90]",
    ),
    "longitude not a number": (
        doc({"action": "pin", "name": "Camp X", "lat": 13.6, "lon": "25.3"}),
        "field 'lon': '25.3' is not a number",
    ),
    "lat without lon": (
        doc({"action": "pin", "name": "Camp X", "lat": 13.6}),
        "field 'lon': missing; a point needs both lat and lon",
    ),
    "bad geonames id": (
        doc({"action": "pin", "name": "El Fasher", "geonames": True}),
        "field 'geonames': True is not a GeoNames id",
    ),
    "bad curated id": (
        doc({"action": "alias", "name": "Jenewa", "to": "Geneva City"}),
        "is not a curated gazetteer id",
    ),
    "alias without to": (doc({"action": "alias", "name": "Jenewa"}), "field 'to': missing; an alias names"),
    "two decisions for everywhere": (
        doc({"action": "not-a-place", "name": "Tula"}, {"action": "pin", "name": "TULA", "to": "geneva"}),
        "entry 1 (pin 'TULA'): entry 0 already decides this name for every article",
    ),
    "two decisions for one article": (
        doc(
            {"action": "not-a-place", "name": "Tula", "articles": ["a.txt", "b.txt"]},
            {"action": "pin", "name": "Tula", "to": "geneva", "articles": ["b.txt"]},
        ),
        "entry 1 (pin 'Tula'): entry 0 already decides this name for article 'b.txt'",
    ),
}


@pytest.mark.parametrize("text, message", BAD.values(), ids=BAD.keys())
def test_bad_files_say_entry_field_and_problem(text, message):
    with pytest.raises(InputError) as caught:
        parse_corrections(text, "corrections.json")
    assert str(caught.value).startswith("corrections.json: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_file_is_sorted_two_space_one_entry_per_line_and_round_trips(tmp_path):
    c = Corrections()
    for entry in (
        Correction("pin", "Tula", ("sudan-03.txt",), to="geneva"),
        Correction("alias", "Jenewa", to="geneva"),
        Correction("pin", "Camp X", lat=13.6, lon=25),
        Correction("not-a-place", "Ağdam", ("b.txt",)),
        Correction("pin", "El Fasher", geonames=379555),
    ):
        c = c.with_correction(entry)
    text = c.to_json()
    assert text.splitlines() == [
        "{",
        '  "nkmap_corrections": 1,',
        '  "corrections": [',
        '    {"action": "not-a-place", "name": "Ağdam", "articles": ["b.txt"]},',
        '    {"action": "pin", "name": "Camp X", "lat": 13.6, "lon": 25.0},',
        '    {"action": "pin", "name": "El Fasher", "geonames": 379555},',
        '    {"action": "alias", "name": "Jenewa", "to": "geneva"},',
        '    {"action": "pin", "name": "Tula", "to": "geneva", "articles": ["sudan-03.txt"]}',
        "  ]",
        "}",
    ]
    assert parse_corrections(text).to_json() == text  # stable: reading and writing changes nothing
    assert Corrections().to_json() == '{\n  "nkmap_corrections": 1,\n  "corrections": []\n}\n'


def test_a_new_decision_replaces_the_old_one_for_the_same_name_and_articles():
    c = Corrections().with_correction(Correction("not-a-place", "Tula"))
    c = c.with_correction(Correction("pin", "tula", to="geneva"))  # everywhere again: replaces
    assert [(e.action, e.name) for e in c.entries] == [("pin", "tula")]
    c = c.with_correction(Correction("not-a-place", "Tula", ("a.txt",)))
    c = c.with_correction(Correction("not-a-place", "Tula", ("b.txt",)))  # same decision: one entry, both articles
    c = c.with_correction(Correction("pin", "Tula", ("a.txt",), lat=1, lon=2))  # a.txt changes its mind
    assert sorted((e.action, e.articles) for e in c.entries) == [
        ("not-a-place", ("b.txt",)),
        ("pin", ()),
        ("pin", ("a.txt",)),
    ]
    assert [e.action for e in c.without("TULA", "pin").entries] == ["not-a-place"]
    assert len(c.without("Tula", article="b.txt")) == 2
    with pytest.raises(InputError, match="no correction 'Moskow' to remove"):
        c.without("Moskow")


def _add(path, name):
    update(path, lambda c: c.with_correction(Correction("not-a-place", name)))


@pytest.mark.slow
def test_concurrent_updates_all_survive_under_the_lock(tmp_path):
    path = tmp_path / "corrections.json"
    names = [f"Name{i}" for i in range(5)]
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_add, args=(path, n)) for n in names]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert sorted(c.name for c in load_corrections(path).entries) == sorted(names)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp.json")]


def test_build_picks_up_corrections_json_in_the_articles_folder(tmp_path):
    folder = write_corpus(tmp_path / "arts")
    assert corrections_path([folder]) is None
    (folder / "corrections.json").write_text(doc({"action": "not-a-place", "name": "Goris"}), encoding="utf-8")
    assert corrections_path([folder]) == folder / "corrections.json"
    assert corrections_path([folder / "b.txt"]) == folder / "corrections.json"  # a file: its folder
    report = nkmap.build([folder], gazetteer=GAZETTEER, out=tmp_path / "out", formats="geojson", geonames=False)
    assert report.corrections == folder / "corrections.json"
    assert "goris" not in {s.place.id for s in report.result.places}
    plain = nkmap.build(
        [folder], gazetteer=GAZETTEER, out=tmp_path / "o2", formats="geojson", geonames=False, corrections=False
    )
    assert "goris" in {s.place.id for s in plain.result.places}


def test_corrections_win_over_every_source_and_say_correction(tmp_path):
    gazetteer = write_gazetteer(tmp_path / "g.geojson")
    folder = write_corpus(tmp_path / "arts")
    corrections = tmp_path / "mine.json"
    corrections.write_text(
        doc(
            {"action": "pin", "name": "Velmora", "to": "velmora-south"},  # a curated namesake
            {"action": "pin", "name": "Stepanakert", "lat": 13.6, "lon": 25.3, "articles": ["b.txt"]},  # a point
            {"action": "alias", "name": "Qarnavut", "to": "goris"},  # a name no source knows
            {"action": "not-a-place", "name": "Goris", "articles": ["b.txt"]},
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    report = nkmap.build(
        [folder], gazetteer=gazetteer, out=out, formats="geojson,csv", geonames=False, corrections=corrections
    )
    by_surface = {(rm.mention.article, rm.mention.surface): rm for rm in report.result.mentions}
    assert by_surface[("a.txt", "Velmora")].place.id == "velmora-south"
    assert by_surface[("a.txt", "Velmora")].method == "correction"
    stepanakert = by_surface[("b.txt", "Stepanakert")]
    assert (stepanakert.place.lat, stepanakert.place.lon, stepanakert.method) == (13.6, 25.3, "correction")
    assert by_surface[("b.txt", "STEPANAKERT")].role == "dateline"  # roles still tagged
    assert by_surface[("c.txt", "Qarnavut")].place.id == "goris"  # recognised though no source knows it
    assert ("b.txt", "Goris") not in by_surface
    assert [(d.mention.surface, d.reason) for d in report.result.dropped] == [("Goris", Reason.CORRECTION)]
    features = json.loads((out / "mentions.geojson").read_text(encoding="utf-8"))["features"]
    methods = {f["properties"]["surface"]: f["properties"]["method"] for f in features}
    assert methods["Velmora"] == methods["Qarnavut"] == methods["Stepanakert"] == "correction"


def test_a_pin_to_a_missing_place_fails_before_anything_is_written(tmp_path):
    folder = write_corpus(tmp_path / "arts")
    (folder / "corrections.json").write_text(doc({"action": "pin", "name": "Goris", "to": "nowhere"}), encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(InputError) as caught:
        nkmap.build([folder], gazetteer=GAZETTEER, out=out, geonames=False)
    assert str(caught.value) == (
        f"{folder / 'corrections.json'}: entry 0 (pin 'Goris'), field 'to': no place with id 'nowhere' in the"
        " curated gazetteer"
    )
    assert not out.exists()


def nkmap_cli(*args):
    return subprocess.run([sys.executable, "-m", "nkmap", *args], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.slow
def test_cli_fix_then_rebuild_and_new_articles_bring_the_same_name(tmp_path):
    gazetteer = write_gazetteer(tmp_path / "g.geojson")
    folder = write_corpus(tmp_path / "arts")
    out = tmp_path / "out"
    common = ["--gazetteer", str(gazetteer), "--out", str(out), "--no-geonames", "--format", "geojson,csv"]
    first = nkmap_cli("build", str(folder), *common)
    assert first.returncode == 0, first.stderr
    assert "review:     2 names awaiting review" in first.stdout  # Velmora (low confidence), Qarnavut

    fixed = nkmap_cli("fix", "not-a-place", "Velmora", "--corrections", str(folder))
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout.strip() == f"not-a-place 'Velmora' in every article: {folder / 'corrections.json'}"
    pinned = nkmap_cli(
        "fix",
        "pin",
        "Qarnavut",
        "--lat",
        "39.5",
        "--lon",
        "46.3",
        "--corrections",
        str(folder),
        "--gazetteer",
        str(gazetteer),
    )
    assert pinned.returncode == 0, pinned.stderr
    bad = nkmap_cli(
        "fix", "pin", "Goris", "--to", "nowhere", "--corrections", str(folder), "--gazetteer", str(gazetteer)
    )
    assert (
        bad.returncode == 2
        and bad.stderr == f"Error: {gazetteer}: no place with id 'nowhere' in the curated gazetteer\n"
    )
    both = nkmap_cli("fix", "pin", "Goris", "--to", "goris", "--lat", "1", "--lon", "2", "--corrections", str(folder))
    assert both.returncode == 2 and "exactly one of --to ID, --geonames ID, or --lat and --lon" in both.stderr
    listed = nkmap_cli("fix", "list", "--corrections", str(folder))
    assert listed.stdout.splitlines() == ["pin\tQarnavut\t39.5, 46.3\t*", "not-a-place\tVelmora\t\t*"]

    second = nkmap_cli("build", str(folder), *common)
    assert second.returncode == 0, second.stderr
    assert "review:     0 names awaiting review" in second.stdout
    assert second.stderr == ""  # corrections.json beside the articles is no article: no warning
    assert f"corrections: {folder / 'corrections.json'}" in second.stdout
    places = {f["properties"]["place_id"] for f in _features(out / "places.geojson")}
    assert not {"velmora-north", "velmora-south"} & places
    qarnavut = [f for f in _features(out / "mentions.geojson") if f["properties"]["surface"] == "Qarnavut"]
    assert [f["geometry"]["coordinates"] for f in qarnavut] == [[46.3, 39.5]]

    # a new article with the same names: the corrections hold there too, and survive a re-run
    (folder / "d.txt").write_text("Travellers from Velmora reached Qarnavut at dusk.\n", encoding="utf-8")
    third = nkmap_cli("build", str(folder), *common)
    assert third.returncode == 0, third.stderr
    rows = [f["properties"] for f in _features(out / "mentions.geojson") if f["properties"]["article"] == "d.txt"]
    assert [(r["surface"], r["method"]) for r in rows] == [("Qarnavut", "correction")]

    removed = nkmap_cli("fix", "remove", "Velmora", "--corrections", str(folder))
    assert removed.returncode == 0, removed.stderr
    again = nkmap_cli("fix", "remove", "Velmora", "--corrections", str(folder))
    assert again.returncode == 2 and "no correction 'Velmora' to remove" in again.stderr
    fourth = nkmap_cli("build", str(folder), *common)
    assert "velmora-north" in {f["properties"]["place_id"] for f in _features(out / "places.geojson")}
    assert fourth.returncode == 0


def _features(path):
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def test_a_broken_corrections_file_is_one_line_exit_2(tmp_path):
    folder = write_corpus(tmp_path / "arts")
    (folder / "corrections.json").write_text(doc({"action": "pin", "name": "X", "lat": 91, "lon": 0}), encoding="utf-8")
    done = nkmap_cli("build", str(folder), "--out", str(tmp_path / "out"), "--no-geonames")
    assert done.returncode == 2
    assert done.stderr == (
        f"Error: {folder / 'corrections.json'}: entry 0 (pin 'X'), field 'lat': latitude 91 is outside [-90, 90]\n"
    )
    assert not (tmp_path / "out").exists()
    fix = nkmap_cli("fix", "not-a-place", "Goris", "--corrections", str(folder))
    assert fix.returncode == 2 and re.match(r"Error: .*corrections.json: entry 0", fix.stderr)


def test_a_geonames_pin_takes_the_record_and_an_unknown_id_is_refused():
    from nkmap.sources.geonames import load_geonames

    index = load_geonames()
    applied = Corrections((Correction("pin", "Al Fashir", geonames=379555),)).bind(lambda _: None, index.by_geonameid)
    [place] = applied.lookup("AL FASHIR")
    assert (place.name, place.country, place.geonameid) == ("El Fasher", "SD", 379555)
    with pytest.raises(InputError, match=r"entry 0 \(pin 'X'\), field 'geonames': no settlement with GeoNames id 1$"):
        Corrections((Correction("pin", "X", geonames=1),), "c.json").bind(lambda _: None, index.by_geonameid)


@pytest.mark.slow
def test_workers_apply_the_corrections_like_the_serial_build(tmp_path):
    folder = write_corpus(tmp_path / "arts")
    (folder / "corrections.json").write_text(
        doc(
            {"action": "not-a-place", "name": "Goris"}, {"action": "pin", "name": "Qarnavut", "lat": 39.5, "lon": 46.3}
        ),
        encoding="utf-8",
    )
    kwargs = {"gazetteer": GAZETTEER, "formats": "csv", "geonames": False}
    serial = nkmap.build([folder], out=tmp_path / "serial", **kwargs).result
    parallel = nkmap.build([folder], out=tmp_path / "parallel", workers=2, **kwargs).result
    assert parallel.mentions == serial.mentions and parallel.dropped == serial.dropped
    assert (tmp_path / "serial" / "review.csv").read_bytes() == (tmp_path / "parallel" / "review.csv").read_bytes()
