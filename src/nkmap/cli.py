"""The ``nkmap`` command: a thin layer over the Python API.

Each option mirrors an API argument (``--gazetteer`` ↔ ``gazetteer=``, ``--out`` ↔ ``out=``).
Errors nkmap expects (bad input, bad usage) print one line and exit 2; anything else exits 1
with a hint to report it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import NkmapError
from .formats import ALL as ALL_FORMATS
from .formats import parse_formats
from .gazetteer import DEFAULT_GAZETTEER
from .pipeline import DEFAULT_ARTICLES, DEFAULT_OUT

EXIT_OK, EXIT_BUG, EXIT_INPUT = 0, 1, 2


def _build(args: argparse.Namespace) -> int:
    from .pipeline import build

    report = build(args.articles or [DEFAULT_ARTICLES], gazetteer=args.gazetteer, out=args.out,
                   formats=parse_formats(args.format, where="--format"))
    result = report.result
    print(f"articles:   {len(result.articles)}")
    print(f"mentions:   {len(result.mentions)}")
    print(f"places:     {len(result.places)}")
    print(f"unresolved: {len(result.unresolved)}")
    if report.map_path is not None:
        print(f"map:        {report.map_path}")
    print(f"files:      {len(report.files)} in {args.out}")
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
        "build", help="find the places in articles and write the map and data files",
        description="Read articles, find and resolve the places they name, and write the map and data "
                    "files: map.html, mentions/places .geojson and .csv, places.kml, map.png, map.svg.",
    )
    build.add_argument("articles", nargs="*", type=Path, metavar="ARTICLES",
                       help=f"article files or folders of .txt files (default: {_shown(DEFAULT_ARTICLES)})")
    build.add_argument("--gazetteer", type=Path, default=DEFAULT_GAZETTEER, metavar="PATH",
                       help=f"curated gazetteer GeoJSON (default: {_shown(DEFAULT_GAZETTEER)})")
    build.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                       help=f"folder for the outputs (default: {DEFAULT_OUT}/)")
    build.add_argument("--format", default="all", metavar="LIST",
                       help=f"comma-separated formats to write: {','.join(ALL_FORMATS)} (default: all)")
    build.set_defaults(run=_build)
    return top


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except NkmapError as e:
        print(f"Error: {e}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - the last line of defence: one line, not a traceback
        print(f"Error: unexpected {type(e).__name__}: {e}. This is a bug in nkmap; please report it "
              "with the command you ran (set NKMAP_DEBUG=1 for the traceback).", file=sys.stderr)
        if _debug():
            raise
        return EXIT_BUG


def _debug() -> bool:
    import os

    return os.environ.get("NKMAP_DEBUG") == "1"


if __name__ == "__main__":
    sys.exit(main())
