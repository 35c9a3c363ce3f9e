"""The ``nkmap`` command: a thin layer over the Python API.

Each option mirrors an API argument (``--gazetteer`` ↔ ``gazetteer=``, ``--out`` ↔ ``out=``).
Errors nkmap expects (bad input, bad usage) print one line and exit 2; anything else exits 1
with a hint to report it.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from nkmap import __version__
from nkmap.errors import NkmapError
from nkmap.formats import ALL as ALL_FORMATS
from nkmap.formats import DEFAULT as DEFAULT_FORMATS
from nkmap.formats import parse_formats
from nkmap.pipeline import DEFAULT_ARTICLES, DEFAULT_OUT
from nkmap.sources.gazetteer import DEFAULT_GAZETTEER

EXIT_OK, EXIT_BUG, EXIT_INPUT = 0, 1, 2


def _build(args: argparse.Namespace) -> int:
    from nkmap.inputs.exports import Fields
    from nkmap.pipeline import build
    from nkmap.progress import set_quiet

    set_quiet(args.quiet)
    urls = []
    if args.urls:
        from nkmap.inputs.urls import read_url_list

        urls = read_url_list(args.urls)
    fields = Fields(
        text=args.text_field,
        title=args.title_field,
        date=args.date_field,
        url=args.url_field,
        outlet=args.outlet_field,
        language=args.language_field,
        id=args.id_field,
    )
    report = build(
        args.articles or ([] if urls else [DEFAULT_ARTICLES]),
        gazetteer=args.gazetteer,
        out=args.out,
        geonames=args.geonames,
        workers=args.workers,
        scheduler=args.scheduler,
        max_article_size=int(args.max_article_size * 1024 * 1024),
        formats=parse_formats(args.format, where="--format"),
        tiles=args.tiles,
        embed=args.embed,
        recursive=args.recursive,
        follow_links=args.follow_links,
        fields=fields,
        urls=urls,
        url_timeout=args.url_timeout,
        url_delay=args.url_delay,
        keep_duplicates=args.keep_duplicates,
    )
    result = report.result
    print(
        f"articles:   {len(result.articles)}"
        + (f" (and {len(report.duplicates)} duplicate(s) counted once)" if report.duplicates else "")
    )
    print(f"mentions:   {len(result.mentions)}")
    print(f"places:     {len(result.places)}")
    unresolved_csv = Path(args.out) / "unresolved.csv"
    print(
        f"unresolved: {len(result.unresolved)}"
        + (f" (see {unresolved_csv})" if result.unresolved and unresolved_csv in report.files else "")
    )
    if report.map_path is not None:
        print(f"map:        {report.map_path}")
    print(f"files:      {len(report.files)} in {args.out}")
    return EXIT_OK


def _gazetteer_check(args: argparse.Namespace) -> int:
    from nkmap.sources.gazetteer import load_gazetteer

    gazetteer = load_gazetteer(args.gazetteer)
    kinds = Counter(p.kind for p in gazetteer.places)
    print(
        f"{args.gazetteer}: {len(gazetteer)} places, valid ("
        + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        + ")"
    )
    return EXIT_OK


def _gazetteer_list(args: argparse.Namespace) -> int:
    from nkmap.sources.gazetteer import load_gazetteer

    for p in load_gazetteer(args.gazetteer).places:
        if args.kind and p.kind != args.kind:
            continue
        print(f"{p.id}\t{p.name}\t{p.kind}\t{p.country}\t{p.lat:.5f}\t{p.lon:.5f}\t{'; '.join(p.aliases)}")
    return EXIT_OK


def _gazetteer_add(args: argparse.Namespace) -> int:
    from nkmap.sources.curate import add_place, new_place

    place = new_place(
        args.name,
        args.lat,
        args.lon,
        aliases=args.alias,
        kind=args.kind,
        country=args.country,
        place_id=args.id,
        population=args.population,
        source=args.source,
        from_geonames=args.from_geonames,
    )
    add_place(args.gazetteer, place)
    print(
        f"added {place.id} ({place.name}, {place.kind}, {place.country or 'no country'}) at "
        f"{place.lat:.5f}, {place.lon:.5f} to {args.gazetteer}"
    )
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="nkmap",
        description="Turn news articles into a map of the places they report.",
        epilog="Exit status: 0 success, 1 unexpected failure (please report it), 2 bad input or usage.",
    )
    top.add_argument("--version", action="version", version=f"nkmap {__version__}")
    commands = top.add_subparsers(dest="command", metavar="COMMAND", required=True)

    build = commands.add_parser(
        "build",
        help="find the places in articles and write the map and data files",
        description="Read articles, find and resolve the places they name, and write the map and data "
        "files: map.html, mentions/places .geojson and .csv, places.kml, map.png, map.svg.",
    )
    build.add_argument(
        "articles",
        nargs="*",
        metavar="ARTICLES",
        help="article files (.txt, .html, .jsonl, .csv, .tsv, .parquet, .pdf), folders of them, or http(s) URLs to fetch "
        f"(default: {_shown(DEFAULT_ARTICLES)})",
    )
    build.add_argument(
        "--gazetteer",
        type=Path,
        default=DEFAULT_GAZETTEER,
        metavar="PATH",
        help=f"curated gazetteer GeoJSON (default: {_shown(DEFAULT_GAZETTEER)})",
    )
    build.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, metavar="DIR", help=f"folder for the outputs (default: {DEFAULT_OUT}/)"
    )
    build.add_argument(
        "--no-geonames",
        dest="geonames",
        action="store_false",
        help="use only the curated gazetteer and country names, not the GeoNames fallback",
    )
    build.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help="geoparse on N processes (default: 1); the output is the same",
    )
    build.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="geoparse on a Dask cluster, e.g. tcp://10.0.0.5:8786 (needs nkmap[dask])",
    )
    build.add_argument(
        "--max-article-size",
        type=_megabytes,
        default=20,
        metavar="MB",
        help="refuse an article file larger than this (default: 20)",
    )
    build.add_argument(
        "--tiles",
        default="none",
        metavar="none|osm|URL",
        help="online map tiles over the offline basemap: none (default: the map needs no "
        "network), osm (OpenStreetMap), or a https://.../{z}/{x}/{y}.png template",
    )
    build.add_argument(
        "--embed", action="store_true", help="also write embed.html: the <iframe> snippet to put the map in a report"
    )
    build.add_argument(
        "--format",
        default=",".join(DEFAULT_FORMATS),
        metavar="LIST",
        help=f"comma-separated formats to write: {','.join(ALL_FORMATS)}, or all (default: %(default)s)",
    )
    inputs = build.add_argument_group("inputs")
    inputs.add_argument("--recursive", action="store_true", help="read the folders inside the folders named")
    inputs.add_argument(
        "--follow-links",
        action="store_true",
        help="read symbolic links in a folder that lead outside it (skipped with a warning by default)",
    )
    inputs.add_argument(
        "--keep-duplicates",
        action="store_true",
        help="keep articles that repeat another one (by default counted once, with a warning)",
    )
    for field, usual in (
        ("text", "text, content, body"),
        ("title", "title, headline"),
        ("date", "date, published, publish_date, seendate"),
        ("url", "url, link"),
        ("outlet", "source, outlet, domain"),
        ("language", "language, lang"),
        ("id", "id, uuid, guid"),
    ):
        inputs.add_argument(
            f"--{field}-field",
            default="",
            metavar="NAME",
            help=f"the JSONL/CSV column holding the {field} (default: the first of {usual}, ...; "
            "a.b reaches into an object)",
        )
    inputs.add_argument(
        "--urls", type=Path, metavar="FILE", help="fetch the web pages listed in FILE (one URL per line) and read them"
    )
    inputs.add_argument(
        "--url-timeout",
        type=_timeout,
        default=None,
        metavar="S",
        help="give up on a page after S seconds (default: 20)",
    )
    inputs.add_argument(
        "--url-delay",
        type=_seconds,
        default=None,
        metavar="S",
        help="wait S seconds between two requests to the same host (default: 1)",
    )
    build.add_argument("--quiet", "-q", action="store_true", help="no progress output on stderr")
    build.set_defaults(run=_build)

    gazetteer = commands.add_parser(
        "gazetteer",
        help="check, list or add to the curated gazetteer",
        description="Work on the curated gazetteer (GeoJSON).",
    )
    actions = gazetteer.add_subparsers(dest="action", metavar="ACTION", required=True)
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument(
        "--gazetteer",
        type=Path,
        default=DEFAULT_GAZETTEER,
        metavar="PATH",
        help=f"curated gazetteer GeoJSON (default: {_shown(DEFAULT_GAZETTEER)})",
    )
    check = actions.add_parser("check", parents=[where], help="validate the gazetteer and count its places")
    check.set_defaults(run=_gazetteer_check)
    listing = actions.add_parser("list", parents=[where], help="print one place per line (tab-separated)")
    listing.add_argument("--kind", help="only places of this kind (city, town, village, region, country, ...)")
    listing.set_defaults(run=_gazetteer_list)
    add = actions.add_parser(
        "add",
        parents=[where],
        help="add a place (written atomically, order and format kept)",
        description="Add a place to the curated gazetteer. Coordinates come from --lat/--lon or from a GeoNames "
        "record (--from-geonames ID); duplicates and bad coordinates are refused.",
    )
    add.add_argument("name", metavar="NAME", help="the place's English name")
    add.add_argument("--lat", type=float, help="latitude in decimal degrees (WGS84)")
    add.add_argument("--lon", type=float, help="longitude in decimal degrees (WGS84)")
    add.add_argument(
        "--alias", action="append", default=[], metavar="A", help="another spelling readers meet (repeat for more)"
    )
    add.add_argument("--kind", help="city, town, village, district, province, region, country, feature ...")
    add.add_argument("--country", metavar="CC", help="ISO 3166-1 alpha-2 code, e.g. AZ")
    add.add_argument("--id", help="a stable slug (default: made from NAME)")
    add.add_argument("--population", type=int)
    add.add_argument("--source", help="where the coordinate comes from (a URL or geonames:ID)")
    add.add_argument(
        "--from-geonames",
        type=int,
        metavar="ID",
        help="take coordinates, kind, country and population from this GeoNames record",
    )
    add.set_defaults(run=_gazetteer_add)
    return top


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 1")
    return value


def _megabytes(value: str) -> float:
    size = float(value)
    if not size > 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a size in MB > 0")
    return size


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds from 0 to 3600")
    return seconds


def _timeout(value: str) -> float:
    seconds = _seconds(value)
    if seconds == 0:
        raise argparse.ArgumentTypeError(f"{value!r}: a timeout must be more than 0 seconds")
    return seconds


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    warnings = _print_warnings()
    # SIGTERM unwinds like an exception, so the atomic writers remove their temporary files.
    previous = signal.signal(signal.SIGTERM, _terminate) if _main_thread() else None
    try:
        return args.run(args)
    except NkmapError as e:
        print(f"Error: {e}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - the last line of defence: one line, not a traceback
        print(
            f"Error: unexpected {type(e).__name__}: {e}. This is a bug in nkmap; please report it "
            "with the command you ran (set NKMAP_DEBUG=1 for the traceback).",
            file=sys.stderr,
        )
        if _debug():
            raise
        return EXIT_BUG
    finally:
        logging.getLogger("nkmap").removeHandler(warnings)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _print_warnings() -> logging.Handler:
    """nkmap's warnings (a skipped file, a guessed encoding) as one ``Warning: …`` line each on stderr."""
    handler = _Echo(sys.stderr)
    handler.setFormatter(logging.Formatter("Warning: %(message)s"))
    logger = logging.getLogger("nkmap")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    return handler


class _Echo(logging.StreamHandler):
    """Warnings printed above a progress bar, not into it."""

    def emit(self, record: logging.LogRecord) -> None:
        from nkmap.progress import echo

        try:
            echo(self.format(record), self.stream)
        except Exception:  # noqa: BLE001 - logging's own policy: a failed warning must not stop the work
            self.handleError(record)


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _debug() -> bool:
    import os

    return os.environ.get("NKMAP_DEBUG") == "1"


if __name__ == "__main__":
    sys.exit(main())
