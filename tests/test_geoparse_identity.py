"""Geoparsing's output is locked on the sample corpus: speed work must not change a single mention.

``tests/locks/sample-geoparse.jsonl`` holds, for every mention of ``geoparse`` over ``data/articles``
(default sources, GeoNames included), its span, surface, place id, method and role, and for every
dropped candidate its span, reason and whether it stays as unresolved. It was written by the code
before the speed work. A change that alters it on purpose (a better resolution, say) rewrites it:

    NKMAP_UPDATE_LOCKS=1 python -m pytest -q tests/test_geoparse_identity.py

and the diff of the lock file is the change to review.
"""

from __future__ import annotations

import json
import math
import os
import random
from pathlib import Path

import pytest

from nkmap.model import Place
from nkmap.resolve.features import Distances, nearest_km
from nkmap.resolve.resolver import Resolver
from nkmap.sources.base import Names, Tier, keyset

LOCK = Path(__file__).parent / "locks" / "sample-geoparse.jsonl"


def rows(result) -> list[str]:
    out = []
    for rm in result.mentions:
        m = rm.mention
        row = ["M", m.article, m.start, m.end, m.surface, rm.place.id if rm.place else None, rm.method, rm.role]
        out.append(json.dumps(row, ensure_ascii=False))
    for d in result.dropped:
        m = d.mention
        out.append(json.dumps(["D", m.article, m.start, m.end, m.surface, str(d.reason), d.kept], ensure_ascii=False))
    return out


def test_sample_corpus_output_is_locked(sample_result):
    got = rows(sample_result)
    if os.environ.get("NKMAP_UPDATE_LOCKS"):
        LOCK.write_text("\n".join(got) + "\n", encoding="utf-8")
    want = LOCK.read_text(encoding="utf-8").splitlines()
    assert len(got) == len(want)
    changed = [(w, g) for w, g in zip(want, got) if w != g]
    assert not changed, f"{len(changed)} rows differ, first: {changed[0]}"


def test_the_lock_covers_every_stage(sample_result):
    """The lock is worth having: mentions and dropped candidates with several reasons, every role."""
    assert len(sample_result.mentions) > 150 and sample_result.dropped
    assert {rm.role for rm in sample_result.mentions} >= {"dateline", "speaker", "event", ""}
    assert len({d.reason for d in sample_result.dropped}) >= 3


# Articles written for this test: names only GeoNames and the administrative areas know, with context
# (the resolver's namesake scoring, nearness and policy all take part).
WEAK_TEXTS = {
    "own-1.txt": "BANDUNG - Banjir melanda Kecamatan Dayeuhkolot di Kabupaten Bandung pada Senin. Warga Baleendah dan Majalaya mengungsi ke Soreang. Bupati mengatakan air mulai surut di Cicalengka.",
    "own-2.txt": "Heavy rain flooded the town of Sukkur in Sindh province on Tuesday. Residents of Larkana and Jacobabad moved to higher ground near Shikarpur, officials in Karachi said.",
    "own-3.txt": "Fighting was reported near Tartar and Barda, while Ganja and Mingachevir came under fire. In the village of Sugovushan, residents said the shelling lasted all night. Officials in Baku blamed Yerevan.",
    "own-4.txt": "Gempa mengguncang Kota Palu dan Donggala, Sulawesi Tengah. Warga Sigi dan Parigi Moutong mengungsi. Kabar dari Poso menyebut jalan ke Ampana rusak.",
}
WEAK_LOCK = Path(__file__).parent / "locks" / "weak-names-geoparse.jsonl"


@pytest.fixture(scope="module")
def weak_result(gazetteer):
    import nkmap
    from nkmap.model import Article

    return nkmap.geoparse([Article(name=k, path=k, text=v) for k, v in WEAK_TEXTS.items()], gazetteer)


def weak_rows(result) -> list[str]:
    out = []
    for rm in result.mentions:
        m = rm.mention
        row = [
            m.article,
            m.start,
            m.end,
            m.surface,
            rm.place.id if rm.place else None,
            rm.method,
            rm.confidence,
            rm.role,
        ]
        out.append(json.dumps(row))
    for d in result.dropped:
        m = d.mention
        cands = [[p.id, s] for p, s in d.candidates]
        out.append(json.dumps(["D", m.article, m.start, m.end, m.surface, str(d.reason), cands, d.kept]))
    return out


def test_weak_names_resolve_as_locked(weak_result):
    """Place, method, confidence and role of GeoNames and administrative names, as before the speed work."""
    got = weak_rows(weak_result)
    if os.environ.get("NKMAP_UPDATE_LOCKS"):
        WEAK_LOCK.write_text("\n".join(got) + "\n", encoding="utf-8")
    assert got == WEAK_LOCK.read_text(encoding="utf-8").splitlines()
    assert {rm.place.origin for rm in weak_result.mentions if rm.place} == {"gazetteer", "geonames", "admin"}


def place(i: int, lat: float, lon: float) -> Place:
    return Place(id=f"p{i}", name=f"P{i}", lat=lat, lon=lon, kind="town")


def test_distance_table_gives_nearest_kms_floats_bit_for_bit():
    rng = random.Random(15)
    places = [place(i, rng.uniform(-90, 90), rng.uniform(-180, 180)) for i in range(300)]
    places += [place(1000 + i, rng.uniform(-8, 8), rng.uniform(90, 120)) for i in range(200)]  # close together
    anchors = [*rng.sample(places, 40), place(2000, 0.0, 0.0), place(2001, -90.0, 180.0)]
    table = Distances(places)
    assert table.nearest(places, anchors) == [nearest_km(p, anchors) for p in places]
    assert table.nearest(places[:3], places[:3]) == [0.0, 0.0, 0.0]  # a place is 0 km from itself


def test_distance_table_falls_back_for_coordinates_geopy_normalises():
    places, anchors = [place(0, 10.0, 190.0), place(1, 5.0, 5.0)], [place(2, 10.0, -170.0)]
    got = Distances(places).nearest(places, anchors)
    assert got == [nearest_km(p, anchors) for p in places]
    assert math.isclose(got[0], 0.0, abs_tol=1e-6)


class Scoped:
    """A correction-like source whose answer depends on the article it is set to."""

    tier = Tier.CORRECTION

    def __init__(self) -> None:
        self.article = "a"

    def names(self) -> Names:
        return Names(folded=keyset(["zenda"]))

    def lookup(self, name: str) -> list[Place]:
        return [place(1, 1.0, 1.0)] if self.article == "a" else []


class Plain:
    tier = Tier.CURATED

    def __init__(self) -> None:
        self.asked = 0

    def names(self) -> Names:
        return Names(folded=keyset(["zenda"]))

    def lookup(self, name: str) -> list[Place]:
        self.asked += 1
        return [place(2, 2.0, 2.0)]


def test_a_names_candidates_are_remembered_across_articles():
    plain = Plain()
    resolver = Resolver([plain])
    assert resolver.candidates("Zenda") == resolver.candidates("Zenda") == ([place(2, 2.0, 2.0)], True)
    assert plain.asked == 1


def test_candidates_of_a_per_article_source_are_asked_again():
    scoped, plain = Scoped(), Plain()
    resolver = Resolver([scoped, plain])
    assert resolver.candidates("Zenda")[0] == [place(1, 1.0, 1.0)]
    scoped.article = "b"
    assert resolver.candidates("Zenda")[0] == [place(2, 2.0, 2.0)]


@pytest.mark.parametrize("word", ["Jawa", "Sudan", "Kecamatan", "Zzyzx"])
def test_start_flags_are_what_the_sources_say(word):
    import nkmap
    from nkmap.names import name_key
    from nkmap.pipeline import ScanRecognizer, default_sources
    from nkmap.recognize.scan import ADMIN_START, COUNTRY_START

    names = ScanRecognizer(default_sources(nkmap.load_gazetteer(nkmap.DEFAULT_GAZETTEER))).names
    (flags,) = names.start_flags([word])
    key = name_key(word)
    admin = key in names.admin or names.admin.starts_longer(key)
    countries = names.country_source.names().folded
    country = key in countries or any(k.startswith(key + " ") for k in countries)
    assert bool(flags & ADMIN_START) == admin and bool(flags & COUNTRY_START) == country
