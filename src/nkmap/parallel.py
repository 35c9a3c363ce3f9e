"""Run one function over chunks of work on processes (``--workers N``) or a Dask cluster (``--scheduler ADDRESS``).

A plain executor: it knows nothing of geoparsing (the pipeline hands it the work function and
the chunks) and gives the results back in the chunks' order, so the caller can rebuild the
serial result. Errors raised by the work reach the caller as the same class and message (nkmap's
errors pickle). A cluster that cannot be reached, or a worker that dies, is an
:class:`~nkmap.errors.NkmapError` naming what failed, not a crash. Dask is imported only when a
scheduler is given.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from nkmap.errors import NkmapError
from nkmap.infra import collector

T = TypeVar("T")
R = TypeVar("R")
CONNECT_TIMEOUT = float(os.environ.get("NKMAP_SCHEDULER_TIMEOUT", "5"))  # seconds to reach a Dask scheduler


def chunked(items: Sequence[T], workers: int, per_worker: int = 4) -> list[list[T]]:
    """``items`` cut into about ``per_worker`` chunks per worker, in order (none empty)."""
    size = max(1, -(-len(items) // (max(1, workers) * per_worker)))
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def chunked_by_size(
    items: Sequence[T], sizes: Sequence[int], workers: int, per_worker: int = 4, taper: int = 4
) -> list[list[T]]:
    """``items`` cut into chunks of about equal ``sizes`` (bytes of input, say), in order, none empty:
    about ``per_worker`` chunks per worker, the last ones smaller (down to a ``taper``-th), so that
    the workers finish together and what their last chunks leave to the caller is little.

    A chunk of many small files and one of few large ones take the same time: cut by count, the
    last chunk to finish left a core idle for the difference (and its results to be taken in alone).
    """
    total = sum(sizes)
    if total <= 0 or len(items) <= 1:
        return chunked(items, workers, per_worker)
    workers = max(1, workers)
    big = total / (workers * per_worker)
    small = big / max(1, taper)
    chunks: list[list[T]] = []
    chunk: list[T] = []
    held = 0
    remaining = total
    target = big
    for item, size in zip(items, sizes, strict=True):
        chunk.append(item)
        held += size
        if held >= target:
            chunks.append(chunk)
            remaining -= held
            chunk, held = [], 0
            target = min(big, max(small, remaining / (2 * workers)))  # the last chunks smaller
    if chunk:
        chunks.append(chunk)
    return chunks


def run_chunks(
    work: Callable[[T], R],
    chunks: Sequence[T],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
) -> list[R]:
    """``[work(c) for c in chunks]``, on ``workers`` processes or the Dask ``scheduler``.

    ``work`` must be picklable (a module-level function or a :func:`functools.partial` of one).
    The first chunk (in order) whose work raises raises here, as the same exception.
    """
    return list(iter_chunks(work, chunks, workers=workers, scheduler=scheduler, connect_timeout=connect_timeout))


def iter_chunks(
    work: Callable[[T], R],
    chunks: Sequence[T],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
) -> Iterator[R]:
    """Like :func:`run_chunks`, but each result is given as soon as it and those before it are in.

    The work starts on the workers (or the cluster) when this is called, so the caller can do its
    own work meanwhile and take the results in as they come: what it does with the first chunks
    overlaps with the workers' work on the last. Iterate to the end (or close the iterator): that
    stops the workers. With one worker the chunks are worked on here, one by one, as they are asked for.
    """
    if not chunks:
        return iter(())
    if not scheduler and (workers <= 1 or len(chunks) == 1):
        return (work(c) for c in chunks)
    packed = functools.partial(_packed, work)
    if scheduler:
        return _on_dask(scheduler, packed, chunks, connect_timeout)
    return _on_processes(packed, chunks, workers)


def _packed(work: Callable[[T], R], chunk: T) -> bytes:
    """``work(chunk)`` where it runs (a worker), given back pickled, with the cyclic collector resting meanwhile.

    The work makes hundreds of thousands of objects, almost none in a cycle, beside the worker's
    long-lived ones (its sources; on a cluster, the worker's own): each collection walks them all
    again, and one after the work walked its whole result once more. Pickled here, before the
    collector is back, the result is only bytes by then: a cluster holds bytes, not objects, until
    the parent fetches them. 10 MB corpus, its 84 chunks worked on and pickled one by one in one
    process (process_time in the gc callbacks): 0.82-0.93 s collecting (of 11.4-12.8 s) with the
    collector on, 0.06-0.07 s (of 10.7-11.3 s) with it resting meanwhile. The worker is as it was
    once the chunk is done.
    """
    with collector.resting():
        return pickle.dumps(work(chunk), protocol=pickle.HIGHEST_PROTOCOL)


def _on_processes(work: Callable[[T], bytes], chunks: Sequence[T], workers: int) -> Iterator[R]:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(max_workers=min(workers, len(chunks)))
    futures = [pool.submit(work, c) for c in chunks]

    def results() -> Iterator[R]:
        try:
            # the results are unpickled here: many new objects, none of them garbage (10 MB corpus: 2.7 s
            # of unpickling with the collector on, 1.2 s with it off)
            with collector.resting():
                for future in _let_go(futures):
                    yield pickle.loads(future.result())
        except BrokenProcessPool as e:
            raise NkmapError(
                f"--workers {workers}: a worker process died ({e}); out of memory? try fewer workers"
            ) from e
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    return results()


def _let_go(futures: list) -> Iterator:
    """The futures in order, each let go of by the list as it is given: a chunk's result (its articles'
    texts and all) is freed once the caller is done with it, not held until the last one is in."""
    for i in range(len(futures)):
        future, futures[i] = futures[i], None
        yield future


def probe(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """Fail fast, with one line naming the address, unless a Dask scheduler answers there.

    Dask's own client retries until its timeout and then fails like a crash (or, when something
    else listens there, with whatever its reply decodes to), so ask the scheduler who it is first.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    def ask() -> object:  # in a thread of its own: the caller may already run an event loop (Jupyter, Dask)
        return asyncio.run(asyncio.wait_for(_identity(address, timeout), timeout + 1))

    try:
        with ThreadPoolExecutor(max_workers=1) as thread:
            reply = thread.submit(ask).result()
    except Exception as e:  # noqa: BLE001 - whatever the far end does, it is no scheduler we can use
        why = " ".join((getattr(e, "strerror", None) or str(e) or type(e).__name__).split())[:160]
        raise NkmapError(f"--scheduler {address}: no Dask scheduler answers there ({why})") from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        raise NkmapError(f"--scheduler {address}: something answers there, but it is not a Dask scheduler")


async def _identity(address: str, timeout: float) -> object:
    from distributed.comm import connect

    comm = await connect(address, timeout=timeout)
    try:
        await comm.write({"op": "identity", "reply": True})
        return await comm.read()
    finally:
        comm.abort()


class _Shared(threading.local):
    """Per thread (two builds in two threads each have their own): address -> the client that every use of
    that scheduler shares, inside :func:`connected`."""

    def __init__(self) -> None:
        self.clients: dict[str, Any] = {}


_SHARED = _Shared()


@contextlib.contextmanager
def connected(scheduler: str | None, timeout: float = CONNECT_TIMEOUT) -> Iterator[None]:
    """Inside, every use of the Dask ``scheduler`` (asking its size, running chunks) shares one client,
    connected when first needed (not at all if none is) and closed on the way out.

    A build asks the cluster whether it sees the files, how many threads it has, and then gives it the
    chunks: without this, each connects anew (a probe and a client: handshakes, a thread, ~0.1 s of the
    build's serial head each). Nothing happens without a scheduler, or inside another ``connected`` of it
    in this thread.
    """
    if not scheduler or scheduler in _SHARED.clients:
        yield
        return
    _SHARED.clients[scheduler] = None  # connected by the first use
    try:
        yield
    finally:
        client = _SHARED.clients.pop(scheduler)
        if client is not None:
            client.close()


def cluster_threads(scheduler: str, timeout: float = CONNECT_TIMEOUT) -> int:
    """How many threads the cluster's workers have between them now (0 if it has no worker yet)."""
    with connected(scheduler, timeout):
        return sum(_client(scheduler, timeout)[0].nthreads().values())


def _client(address: str, timeout: float) -> tuple[Any, bool]:
    """A client of ``address``, and whether the caller closes it (it is not shared by :func:`connected`)."""
    if address not in _SHARED.clients:
        return _connect(address, timeout), True
    if _SHARED.clients[address] is None:
        _SHARED.clients[address] = _connect(address, timeout)
    return _SHARED.clients[address], False


def _connect(address: str, timeout: float) -> Any:
    try:
        from dask.distributed import Client
    except ImportError:
        raise NkmapError("--scheduler needs Dask: pip install 'nkmap[dask]'") from None
    probe(address, timeout)
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as e:
        why = " ".join(str(e).split()) or type(e).__name__
        raise NkmapError(
            f"--scheduler {address}: cannot reach a Dask scheduler within {timeout:g} s ({why[:200]})"
        ) from None


def _on_dask(address: str, work: Callable[[T], bytes], chunks: Sequence[T], timeout: float) -> Iterator[R]:
    client, owned = _client(address, timeout)
    from dask.distributed import as_completed

    futures = client.map(work, list(chunks), pure=False)
    order = {future.key: i for i, future in enumerate(futures)}
    # Each result is fetched (and unpickled, in the client's thread) as soon as it is done, not when the
    # caller asks for it: asked for one by one, each chunk cost the caller a round trip to the cluster
    # while the cluster held its result ready.
    arriving = as_completed(futures, loop=client.loop, with_results=True, raise_errors=False)
    del futures  # the cluster lets each result go once it has been fetched and given

    def results() -> Iterator[R]:
        with client if owned else contextlib.nullcontext(), collector.resting():
            try:
                early: dict[int, tuple[object, bytes]] = {}  # fetched before those before them
                for i in range(len(order)):
                    while i not in early:
                        future, result = next(arriving)
                        early[order[future.key]] = (future, result)
                    future, result = early.pop(i)
                    if future.status == "error":  # type: ignore[attr-defined]
                        future.result()  # type: ignore[attr-defined]  # raises the work's own error
                    yield pickle.loads(result)
            except OSError as e:  # the connection dropped mid-run (CommClosedError is an OSError)
                if isinstance(e, NkmapError):
                    raise
                raise NkmapError(f"--scheduler {address}: lost the connection to the cluster ({e})") from None

    return results()
