"""The ``nkmap`` command: a thin layer over the Python API.

Each option mirrors an API argument (``--gazetteer`` ↔ ``gazetteer=``, ``--out`` ↔ ``out=``).
Errors nkmap expects (bad input, bad usage, and every OS error: a full disk, a read-only
folder, a name too long) print one line naming the path and exit 2; anything else exits 1
with a hint to report it. SIGTERM exits 143 and Ctrl-C 130, even where a library turned the
interrupt into an error of its own. A closed stdout (``| head``) ends quietly with 0.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import math
import signal
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from nkmap import __version__
from nkmap.errors import NkmapError, os_error_message
from nkmap.formats import ALL as ALL_FORMATS
from nkmap.formats import parse_formats
from nkmap.pipeline import DEFAULT_ARTICLES, DEFAULT_OUT
from nkmap.sources.gazetteer import DEFAULT_GAZETTEER

EXIT_OK, EXIT_BUG, EXIT_INPUT = 0, 1, 2


def _build(args: argparse.Namespace) -> int:
    from nkmap.pipeline import build

    report = build(
        args.articles or [DEFAULT_ARTICLES],
        gazetteer=args.gazetteer,
        out=args.out,
        geonames=args.geonames,
        workers=args.workers,
        scheduler=args.scheduler,
        max_article_size=int(args.max_article_size * 1024 * 1024),
        formats=parse_formats(args.format, where="--format"),
        tiles=args.tiles,
        embed=args.embed,
    )
    result = report.result
    print(f"articles:   {len(result.articles)}")
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
        type=Path,
        metavar="ARTICLES",
        help=f"article files or folders of .txt files (default: {_shown(DEFAULT_ARTICLES)})",
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
        default="all",
        metavar="LIST",
        help=f"comma-separated formats to write: {','.join(ALL_FORMATS)} (default: all)",
    )
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


MAX_MEGABYTES = 1024 * 1024  # 1 TB: far above any article, and its byte count is still an exact int


def _megabytes(value: str) -> float:
    """A size in MB for --max-article-size: a finite number > 0 (not inf, nan or 1e999)."""
    try:
        size = float(value)
    except ValueError:
        size = math.nan
    if not (math.isfinite(size) and 0 < size <= MAX_MEGABYTES):
        raise argparse.ArgumentTypeError(f"{value!r} is not a size in MB: give a number > 0 and <= {MAX_MEGABYTES}")
    return size


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):  # OSError: the working folder was deleted under us
        return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    warnings = _print_warnings()
    # SIGTERM and Ctrl-C unwind like exceptions, so the atomic writers remove their temporary files;
    # they wait for the few steps that must not be cut in two (see nkmap.infra.atomic.when_safe).
    _stop.clear()
    previous = (
        {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGINT)} if _main_thread() else {}
    )
    for sig in previous:
        # Restart system calls the signal interrupts: Python retries its own (PEP 475), but C libraries
        # (GDAL writing GeoJSON/KML) would fail with EINTR and report their own error instead of ours.
        with contextlib.suppress(AttributeError, OSError, ValueError):
            signal.siginterrupt(sig, False)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError as e:
        if _stdout_closed():  # `nkmap gazetteer list | head -1`: the reader has all it wanted
            _silence_stdout()
            return EXIT_OK
        return _error(os_error_message(e))
    except NkmapError as e:
        return _stopped() or _error(str(e))
    except OSError as e:  # the environment, not nkmap: a full disk, a read-only folder, a name too long...
        return _stopped() or _error(os_error_message(e))
    except Exception as e:  # noqa: BLE001 - the last line of defence: one line, not a traceback
        if _stopped():  # a library turned our SIGTERM into its own error: the signal is the cause
            return _stopped()
        print(
            _one_line(
                f"Error: unexpected {type(e).__name__}: {e}. This is a bug in nkmap; please report it "
                "with the command you ran (set NKMAP_DEBUG=1 for the traceback)."
            ),
            file=sys.stderr,
        )
        if _debug():
            raise
        return EXIT_BUG
    finally:
        logging.getLogger("nkmap").removeHandler(warnings)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _error(message: str) -> int:
    print(_one_line(f"Error: {message}"), file=sys.stderr)
    return EXIT_INPUT


_stop: list[float] = []  # [signal number, when] once a signal asked us to stop
REPEAT_GRACE = 5.0  # seconds in which a repeated signal leaves the first one's unwinding alone


def _on_signal(signum: int, frame: object) -> None:
    import time

    now = time.monotonic()
    if _stop and now - _stop[1] < REPEAT_GRACE:
        return  # already unwinding: a second exception would cut the clean-up (temporary files) short
    _stop[:] = [signum, now]
    from nkmap.infra.atomic import when_safe

    when_safe(lambda: _raise_stop(signum))


def _raise_stop(signum: int) -> None:
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


def _stopped() -> int:
    """128 + the signal that asked us to stop (130, 143), or 0 when none did."""
    if not _stop:
        return 0
    if _stop[0] == signal.SIGINT:
        print("Interrupted.", file=sys.stderr)
    return 128 + int(_stop[0])


def _stdout_closed() -> bool:
    """Whether stdout is a pipe whose reader has gone (POSIX poll says POLLERR)."""
    try:
        import select

        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(event & (select.POLLERR | select.POLLHUP) for _, event in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll (Windows), or stdout is not a real file
        return True


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not raise again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _one_line(text: str) -> str:
    """``text`` with line breaks and other control characters escaped: one message, one line."""
    return text if text.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _print_warnings() -> logging.Handler:
    """nkmap's warnings (a skipped file, a guessed encoding) as one ``Warning: …`` line each on stderr.

    A file name holding a newline cannot forge a second ``Warning:`` line: control characters
    in a message are escaped.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLineFormatter("Warning: %(message)s"))
    logger = logging.getLogger("nkmap")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    return handler


class _OneLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return _one_line(super().format(record))


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _debug() -> bool:
    import os

    return os.environ.get("NKMAP_DEBUG") == "1"


if __name__ == "__main__":
    sys.exit(main())
