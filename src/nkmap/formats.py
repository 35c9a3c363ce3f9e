"""The output formats ``nkmap build`` can write, and the ``--format`` / ``formats=`` value that picks them.

Kept apart from :mod:`nkmap.outputs.tables` so the CLI can check the value without importing geopandas.
"""

from __future__ import annotations

from collections.abc import Iterable

from nkmap.errors import InputError

# format → the files it writes, in the order they are written
FORMATS: dict[str, tuple[str, ...]] = {
    "html": ("map.html",),
    "geojson": ("mentions.geojson", "places.geojson"),
    "csv": ("mentions.csv", "places.csv", "review.csv"),
    "kml": ("places.kml",),
    "png": ("map.png",),
    "svg": ("map.svg",),
}
ALL = tuple(FORMATS)
# Written when no format is named: the static images are opt-in (``--format all`` or ``png,svg``), because
# matplotlib's import and drawing cost more than geoparsing and every other file of a small corpus together.
DEFAULT = ("html", "geojson", "csv", "kml")


def parse_formats(value: str | Iterable[str] | None, where: str = "formats") -> tuple[str, ...]:
    """The formats named by ``value`` ("html,csv" or ``["html", "csv"]``), in canonical order.

    ``None`` means :data:`DEFAULT` (every format but the static ``png`` and ``svg``); ``"all"`` every
    format. An unknown name is an :class:`InputError` that lists
    the known ones, so a typo never silently writes nothing.

    >>> parse_formats("csv, HTML")
    ('html', 'csv')
    """
    if value is None:
        return DEFAULT
    names = value.split(",") if isinstance(value, str) else list(value)
    wanted = {str(n).strip().lower() for n in names} - {""}
    if "all" in wanted:
        return ALL
    unknown = sorted(wanted - set(FORMATS))
    if unknown:
        raise InputError(
            where,
            "",
            f"unknown format {', '.join(map(repr, unknown))}; choose from {', '.join(ALL)} (comma-separated) or all",
        )
    if not wanted:
        raise InputError(where, "", f"no format given; choose from {', '.join(ALL)} or all")
    return tuple(f for f in ALL if f in wanted)
