"""A small corpus for the review loop, written for these tests: a fictional town two curated
places share ("Velmora", so it maps with low confidence), a real curated town, and names no
source knows. Shared by the corrections, review and browser tests."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import GAZETTEER

VELMORA = [
    # two fictional namesakes (coordinates chosen inland, so the country check stays quiet)
    {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [10.0, 50.0]},
        "properties": {
            "id": "velmora-north",
            "name": "Velmora",
            "kind": "town",
            "population": 9000,
            "shared_name": True,
        },
    },
    {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [12.5, 41.9]},
        "properties": {
            "id": "velmora-south",
            "name": "Velmora",
            "kind": "town",
            "population": 3000,
            "shared_name": True,
        },
    },
]

ARTICLES = {
    "a.txt": "Residents of Velmora said the old bridge was closed on Tuesday.\n\n"
    "The market in Velmora reopened later that week.\n",
    "b.txt": "STEPANAKERT - Shelling hit Stepanakert overnight, officials said.\n\n"
    "Families left for Goris in the morning.\n",
    "c.txt": "Aid workers reached the village of Qarnavut after two days on the road.\n",
}


def write_gazetteer(path: Path) -> Path:
    from nkmap.sources.gazetteer import load_gazetteer

    base = load_gazetteer(GAZETTEER, check_countries=False)
    g = base
    for feature in VELMORA:
        g = g.with_feature(json.loads(json.dumps(feature)))
    g.save(path)
    return path


def write_corpus(folder: Path, names=ARTICLES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in names.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
