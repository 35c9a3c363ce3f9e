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
    formats = parse_formats(args.format, where="--format")
    report = build(
        args.articles or ([] if urls else [DEFAULT_ARTICLES]),
        gazetteer=args.gazetteer,
        out=args.out,
        geonames=args.geonames,
        workers=args.workers,
        scheduler=args.scheduler,
        max_article_size=int(args.max_article_size * 1024 * 1024),
        formats=formats,
        tiles=args.tiles,
        embed=args.embed,
        corrections=args.corrections if args.corrections is not None else None,
        cache=args.cache,
        recursive=args.recursive,
        follow_links=args.follow_links,
        fields=fields,
        urls=urls,
        url_timeout=args.url_timeout,
        url_delay=args.url_delay,
        keep_duplicates=args.keep_duplicates,
        title=args.title,
        keep_result=False,  # the outputs are written as the articles are geoparsed: bounded memory
    )
    counts = report.counts
    assert counts is not None
    print(
        f"articles:   {counts.articles}"
        + (f" (and {len(report.duplicates)} duplicate(s) counted once)" if report.duplicates else "")
    )
    print(f"mentions:   {counts.mentions}")
    print(f"places:     {counts.places}")
    unresolved_csv = Path(args.out) / "review.csv"
    print(
        f"unresolved: {counts.unresolved}"
        + (f" (see {unresolved_csv})" if counts.unresolved and unresolved_csv in report.files else "")
    )
    _print_review(args, report)
    if report.map_path is not None:
        print(f"map:        {report.map_path}")
    print(f"files:      {len(report.files)} in {args.out}")
    return EXIT_OK


def _print_review(args: argparse.Namespace, report: object) -> None:
    from nkmap.outputs.review import FILE_NAME

    waiting = report.counts.awaiting  # type: ignore[attr-defined]
    review_csv = Path(args.out) / FILE_NAME
    shown = f" (see {review_csv})" if waiting and review_csv in report.files else ""  # type: ignore[attr-defined]
    print(f"review:     {waiting} name{'s' if waiting != 1 else ''} awaiting review{shown}")
    if report.corrections is not None:  # type: ignore[attr-defined]
        print(f"corrections: {report.corrections}")  # type: ignore[attr-defined]


def _fix_file(args: argparse.Namespace) -> Path:
    from nkmap.sources.corrections import file_for

    return file_for(args.corrections)


def _fix_add(args: argparse.Namespace, correction: object) -> int:
    from nkmap.sources.corrections import update

    path = _fix_file(args)
    if correction.action != "not-a-place":  # type: ignore[attr-defined]
        _check_target(args, correction)
    update(path, lambda c: c.with_correction(correction))  # type: ignore[arg-type]
    scope = ", ".join(correction.articles) if correction.articles else "every article"  # type: ignore[attr-defined]
    target = correction.target()  # type: ignore[attr-defined]
    print(f"{correction.action} {correction.name!r}{' -> ' + target if target else ''} in {scope}: {path}")  # type: ignore[attr-defined]
    return EXIT_OK


def _check_target(args: argparse.Namespace, correction: object) -> None:
    """The place a pin or alias names must exist: checked now, not at the next build."""
    from nkmap.sources.corrections import Corrections
    from nkmap.sources.gazetteer import load_gazetteer

    lookup = None
    if correction.geonames is not None:  # type: ignore[attr-defined]
        from nkmap.sources.geonames import load_geonames

        lookup = load_geonames().by_geonameid
    from nkmap.errors import InputError

    try:
        Corrections((correction,)).bind(load_gazetteer(args.gazetteer, check_countries=False).get, lookup)  # type: ignore[arg-type]
    except InputError as e:
        where = "--to" if "'to'" in e.where else "--geonames"
        raise InputError(args.gazetteer if where == "--to" else where, "", e.problem) from None


def _fix_not_a_place(args: argparse.Namespace) -> int:
    from nkmap.sources.corrections import Correction

    return _fix_add(args, _checked(Correction("not-a-place", args.name, tuple(args.article))))


def _fix_pin(args: argparse.Namespace) -> int:
    from nkmap.errors import InputError
    from nkmap.sources.corrections import Correction

    given = [args.to is not None, args.geonames is not None, args.lat is not None or args.lon is not None]
    if sum(given) != 1:
        raise InputError("nkmap fix pin", args.name, "give exactly one of --to ID, --geonames ID, or --lat and --lon")
    return _fix_add(
        args,
        _checked(Correction("pin", args.name, tuple(args.article), args.to, args.geonames, args.lat, args.lon)),
    )


def _fix_alias(args: argparse.Namespace) -> int:
    from nkmap.sources.corrections import Correction

    return _fix_add(args, _checked(Correction("alias", args.name, tuple(args.article), to=args.to)))


def _checked(correction: object) -> object:
    """Validated exactly as an entry of the file is, so the CLI and the file say the same thing."""
    from nkmap.sources.corrections import parse_entry

    return parse_entry("nkmap fix", 0, correction.to_json())  # type: ignore[attr-defined]


def _fix_list(args: argparse.Namespace) -> int:
    from nkmap.sources.corrections import load_corrections

    path = _fix_file(args)
    if not path.exists():
        print(f"{path}: no corrections yet")
        return EXIT_OK
    for c in load_corrections(path).entries:
        scope = ", ".join(c.articles) if c.articles else "*"
        print(f"{c.action}\t{c.name}\t{c.target()}\t{scope}")
    return EXIT_OK


def _fix_remove(args: argparse.Namespace) -> int:
    from nkmap.sources.corrections import update

    path = _fix_file(args)
    if not path.exists():
        from nkmap.errors import InputError

        raise InputError(path, "", "no such file: there is no correction to remove")
    update(path, lambda c: c.without(args.name, args.kind, args.article))
    print(
        f"removed {args.kind + ' ' if args.kind else ''}{args.name!r}{' in ' + args.article if args.article else ''}: {path}"
    )
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
        "--title",
        metavar="TEXT",
        help="the title of map.html and map.png/svg (default: what the corpus is, e.g. "
        "'Places named in 5 news articles from 4 outlets')",
    )
    build.add_argument(
        "--format",
        default=",".join(DEFAULT_FORMATS),
        metavar="LIST",
        help=f"comma-separated formats to write: {','.join(ALL_FORMATS)}, or all (default: %(default)s)",
    )
    build.add_argument(
        "--corrections",
        type=Path,
        metavar="FILE",
        help="your corrections file (default: corrections.json in the first ARTICLES folder, when it exists)",
    )
    build.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="read and geoparse every article again instead of reusing what earlier builds found",
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
    _fix_parser(commands)

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


def _fix_parser(commands: argparse._SubParsersAction) -> None:
    fix = commands.add_parser(
        "fix",
        help="correct what nkmap found: not a place, pin a name, add an alias (the corrections file)",
        description="Record a correction in the corrections file (written atomically under a lock; "
        "sorted, one entry per line). nkmap build applies it over every source.",
    )
    actions = fix.add_subparsers(dest="action", metavar="ACTION", required=True)
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument(
        "--corrections",
        type=Path,
        default=DEFAULT_ARTICLES,
        metavar="PATH",
        help=f"the corrections file, or the articles folder whose corrections.json to use "
        f"(default: {_shown(DEFAULT_ARTICLES)}/corrections.json)",
    )
    scoped = argparse.ArgumentParser(add_help=False)
    scoped.add_argument(
        "--article",
        action="append",
        default=[],
        metavar="A",
        help="only in this article (its file name; repeat for more; default: every article)",
    )
    curated = argparse.ArgumentParser(add_help=False)
    curated.add_argument(
        "--gazetteer",
        type=Path,
        default=DEFAULT_GAZETTEER,
        metavar="PATH",
        help=f"the curated gazetteer whose ids --to names (default: {_shown(DEFAULT_GAZETTEER)})",
    )
    nap = actions.add_parser("not-a-place", parents=[where, scoped], help="NAME is not a place: never map it")
    nap.add_argument("name", metavar="NAME", help="the name as the articles write it")
    nap.set_defaults(run=_fix_not_a_place)
    pin = actions.add_parser(
        "pin", parents=[where, scoped, curated], help="NAME means this place: a curated id, a GeoNames id or a point"
    )
    pin.add_argument("name", metavar="NAME", help="the name as the articles write it")
    pin.add_argument("--to", metavar="ID", help="a curated gazetteer id, e.g. geneva")
    pin.add_argument("--geonames", type=int, metavar="ID", help="a GeoNames id, e.g. 379555")
    pin.add_argument("--lat", type=float, help="latitude of the point (WGS84)")
    pin.add_argument("--lon", type=float, help="longitude of the point (WGS84)")
    pin.set_defaults(run=_fix_pin)
    alias = actions.add_parser(
        "alias", parents=[where, scoped, curated], help="NAME is another spelling of a curated place"
    )
    alias.add_argument("name", metavar="NAME", help="the spelling, e.g. Jenewa")
    alias.add_argument("--to", required=True, metavar="ID", help="the curated place's id, e.g. geneva")
    alias.set_defaults(run=_fix_alias)
    listing = actions.add_parser("list", parents=[where], help="print one correction per line (tab-separated)")
    listing.set_defaults(run=_fix_list)
    remove = actions.add_parser("remove", parents=[where], help="remove the corrections of NAME")
    remove.add_argument("name", metavar="NAME")
    remove.add_argument(
        "--action", dest="kind", choices=("not-a-place", "pin", "alias"), help="only corrections of this kind"
    )
    remove.add_argument("--article", metavar="A", help="only for this article")
    remove.set_defaults(run=_fix_remove)


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
        code = args.run(args)
        sys.stdout.flush()  # here, not at exit: a reader gone by now (`| head -1`) is caught below, not exit 120
        return code
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
    in a message are escaped. Printed above a progress bar, not into it.
    """
    handler = _Echo(sys.stderr)
    handler.setFormatter(_OneLineFormatter("Warning: %(message)s"))
    logger = logging.getLogger("nkmap")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    return handler


class _OneLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return _one_line(super().format(record))


class _Echo(logging.StreamHandler):
    """Warnings printed above a progress bar, not into it."""

    def emit(self, record: logging.LogRecord) -> None:
        from nkmap.progress import echo

        try:
            echo(self.format(record), self.stream)
        except Exception:  # noqa: BLE001 - logging's own policy: a failed warning must not stop the work
            self.handleError(record)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _debug() -> bool:
    import os

    return os.environ.get("NKMAP_DEBUG") == "1"


if __name__ == "__main__":
    sys.exit(main())
