"""``places.kml``: one Placemark per place, for Google Earth.

Written as text, not through GDAL: a KML of points needs no geometry library, and loading
geopandas, pandas and GDAL for it cost every default build their start-up (with folium's
pandas, 1.21-1.27 -> 0.69-0.78 s of CPU for the sample build) and ~50 MB of RSS at the end. The layout is the one
GDAL's LIBKML driver wrote before (a Schema, then ``<name>``, ``<description>`` and the columns as
SimpleData), so Google Earth and GDAL read it as they did.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from nkmap.infra import atomic
from nkmap.model import Place

# (column, KML type) after <name> and <description>; a missing value is left out, as GDAL did
FIELDS = (
    ("place_id", "string"),
    ("kind", "string"),
    ("country", "string"),
    ("origin", "string"),
    ("source", "string"),
    ("geonameid", "int"),
    ("mentions", "int"),
    ("articles", "string"),
)
# what XML 1.0 cannot hold (C0 controls but tab and newline, lone surrogates, U+FFFE/U+FFFF): shown as U+FFFD
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: object) -> str:
    return escape(_NOT_XML.sub("\ufffd", str(value)))


def description(mentions: int, articles: Sequence[str]) -> str:
    """What Google Earth shows in the balloon: it reads the description as HTML, so it is escaped."""
    return html.escape(f"{mentions} mention{'s' if mentions != 1 else ''} in {', '.join(articles)}")


def placemark(number: int, place: Place, mentions: int, articles: Sequence[str]) -> str:
    values = {
        "place_id": place.id,
        "kind": place.kind,
        "country": place.country,
        "origin": place.origin,
        "source": place.source,
        "geonameid": place.geonameid,
        "mentions": mentions,
        "articles": "; ".join(articles),
    }
    data = "".join(
        f"            <SimpleData name={quoteattr(name)}>{_text(values[name])}</SimpleData>\n"
        for name, _ in FIELDS
        if values[name] is not None and values[name] != ""
    )
    return (
        f'      <Placemark id="places.{number}">\n'
        f"        <name>{_text(place.name)}</name>\n"
        f"        <description>{_text(description(mentions, articles))}</description>\n"
        "        <ExtendedData>\n"
        '          <SchemaData schemaUrl="#places.schema">\n'
        f"{data}"
        "          </SchemaData>\n"
        "        </ExtendedData>\n"
        "        <Point>\n"
        f"          <coordinates>{place.lon!r},{place.lat!r}</coordinates>\n"
        "        </Point>\n"
        "      </Placemark>\n"
    )


def write_kml(places: Iterable[tuple[Place, int, Sequence[str]]], path: str | os.PathLike[str]) -> Path:
    """Write ``(place, mentions, articles)`` as one Placemark each, atomically."""
    schema = "".join(f'      <SimpleField name="{name}" type="{kind}"/>\n' for name, kind in FIELDS)
    with atomic.atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<kml xmlns="http://www.opengis.net/kml/2.2">\n'
            '  <Document id="root_doc">\n'
            '    <Schema name="places" id="places.schema">\n'
            f"{schema}"
            "    </Schema>\n"
            '    <Document id="places">\n'
            "      <name>places</name>\n"
        )
        for number, (place, mentions, articles) in enumerate(places, 1):
            f.write(placemark(number, place, mentions, articles))
        f.write("    </Document>\n  </Document>\n</kml>\n")
    return Path(path)
