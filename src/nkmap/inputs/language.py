"""The language of an article's text: ISO 639-1, or "" when the text does not say clearly.

``py3langid`` (a maintained fork of langid.py: 97 languages, a naive Bayes model over byte
n-grams, no network) is loaded once, on the first call, and reads the first :data:`SAMPLE`
characters, and :data:`LONG_SAMPLE` only when that leaves it unsure: close languages such
as Indonesian and Malay need more text (on the sample corpus, 600 characters call one of five
Indonesian articles Malay; 1,500 call none). py3langid's own answer, to the last bit, is found
faster (see :data:`WINDOW`): in CPU time 0.06 ms per article for 600 characters, 0.10 ms for 1,500,
0.17 ms per sample-corpus article in all (py3langid's walk: 0.18, 0.45-0.50 and 0.77-0.83 ms;
tests/test_inputs_fast_paths.py compares the two).
"""

from __future__ import annotations

import functools
import itertools
import re
from pathlib import Path
from typing import Any

SAMPLE = 600  # characters read from the start of the text
LONG_SAMPLE = 1500  # read when the first sample leaves it open (Indonesian or Malay?)
SURE = 0.8  # a first guess this likely is kept
MIN_LETTERS = 20  # fewer letters than this: too little to tell
MIN_CONFIDENCE = 0.5  # normalised probability below this: ""
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_CODE = re.compile(r"^[a-z]{2}$")


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the language ``text`` is written in ("id", "en", ...), or "".

    "" when the text is too short, has too few letters, or no language is likely enough.
    """
    sample = text[:SAMPLE]
    if next(itertools.islice(_LETTER.finditer(sample), MIN_LETTERS - 1, None), None) is None:  # < MIN_LETTERS
        return ""
    code, confidence = _identifier().classify(sample)
    if confidence < SURE and len(text) > SAMPLE:
        code, confidence = _identifier().classify(text[:LONG_SAMPLE])
    return code if confidence >= MIN_CONFIDENCE and _CODE.match(code) else ""


def normalise_language(value: object) -> str:
    """A language given in metadata ("en-GB", "EN", "id_ID", "ind") as ISO 639-1, or "" when it is not one."""
    code = re.split(r"[-_]", str(value or "").strip().lower(), maxsplit=1)[0]
    return code if _CODE.match(code) else ""


@functools.cache
def _identifier() -> Any:
    """py3langid's model, from an unpacked copy in the cache: its packaged file is LZMA-compressed
    and took 2-3 s to unpack in every process. The copy is one ``.npy`` file per table, mapped into
    memory: a sample reads a few thousand of the 10 M automaton cells and 28 MB of rows, so reading
    them all (an ``.npz``, 0.1 s a process) is left to the pages a sample touches."""
    from array import array

    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    packed = MODEL_DIR / MODEL_FILE
    unpacked = _unpacked(packed)
    if unpacked is None:
        return _counting_class(LanguageIdentifier).from_model_file(packed, norm_probs=True)

    def column(name: str) -> Any:
        return np.load(unpacked / f"{name}.npy", mmap_mode="r", allow_pickle=False)

    def table(name: str) -> array:  # the lookup tables as py3langid keeps them: stdlib arrays
        data = column(name)
        return array({2: "H", 4: "I", 8: "L"}[data.dtype.itemsize], data.tobytes())

    counting = _counting_class(LanguageIdentifier)
    return counting(
        column("ptc"),
        np.array(column("pc")),
        column("classes").tolist(),
        # the numpy count reads the automaton as an array: no copy into a stdlib one (40 MB, a tenth
        # of a second) unless py3langid's own walk is the one used (a version not in WINDOW)
        column("nextmove") if counting.WINDOW else table("nextmove"),
        column("out_feat").tolist(),
        norm_probs=True,
        tk_row=table("nextmove_row"),
    )


MODEL_TABLES = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")  # what _identifier reads


def _unpacked(packed: Path) -> Path | None:
    """A folder of the model's tables unpacked from ``packed`` into nkmap's cache, made once per py3langid
    version; None when the cache cannot hold it (then the packed file is read, which only costs time)."""
    import lzma
    from importlib.metadata import version

    import numpy as np

    from nkmap.infra import atomic
    from nkmap.infra.cache import cache_dir

    target = cache_dir() / "langid" / f"model-{version('py3langid')}"
    if (target / "complete").is_file():
        return target
    try:
        target.mkdir(parents=True, exist_ok=True)
        with lzma.open(packed) as src, np.load(src, allow_pickle=False) as data:
            for name in MODEL_TABLES:
                with atomic.atomic_path(target / f"{name}.npy") as tmp, open(tmp, "wb") as dst:
                    np.save(dst, np.ascontiguousarray(data[name]), allow_pickle=False)
        atomic.write_text(target / "complete", "ok\n")
        (target.parent / f"{target.name}.npz").unlink(missing_ok=True)  # the one-file copy earlier nkmap made: 68 MB
    except OSError:
        return None
    return target


# py3langid's model finds its byte n-grams with an automaton whose state, after WINDOW[version] bytes,
# no longer depends on the state it started from (tests/test_inputs_language.py proves it for each
# version listed: every pair of states is led to one state by every byte string of that length). So the
# state after each byte of a sample is the state the last WINDOW bytes lead to from the start, and all
# of them are found at once with numpy: WINDOW steps over the whole sample instead of one Python step a
# byte. An unlisted version is walked as py3langid walks it.
WINDOW = {"0.4.0": 6}
_NEVER = 1 << 62  # a feature's first place when it was not met


@functools.cache
def _counting_class(base: Any) -> Any:
    """``base`` (py3langid's LanguageIdentifier) counting a sample's n-grams with numpy (see WINDOW) and
    scoring them with the model's rows as float32: the same counts, met in the same order, and the same
    float32 products and sums, hence the same scores, language and confidence to the last bit. The
    packed model's rows are float16, and numpy converted each sample's rows on every call (a third of
    reading); each row is converted once here, when first met, and kept compactly."""
    import threading
    from importlib.metadata import version

    import numpy as np

    window = WINDOW.get(version("py3langid"), 0)  # 0: not known; else at least 2 (n-grams of 2 bytes or more)

    class Counting(base):  # type: ignore[misc, valid-type]
        WINDOW = window
        __slots__ = (
            "_next",
            "_base",
            "_out",
            "_slot",
            "_rows",
            "_used",
            "_lock",
            "_one",
            "_two",
            "_first",
            "_count",
            "_counting",
        )

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            itemsize = self.tk_nextmove.itemsize
            self._next = np.frombuffer(self.tk_nextmove, dtype={2: np.uint16, 4: np.uint32, 8: np.uint64}[itemsize])
            self._base = np.asarray(self._rowbase, dtype=np.intp)
            self._out = np.asarray(self.tk_output, dtype=np.intp)
            self._slot = np.full(len(self.nb_ptc), -1, dtype=np.intp)  # feature -> its row in _rows, -1: none yet
            self._rows = np.empty((0, self.nb_ptc.shape[1]), dtype=np.float32)
            self._used = 0
            self._one = self._next[self._base[0] + np.arange(256)].astype(np.intp)  # the state after one byte
            pairs = np.arange(65536)
            self._two = self._next[self._base[self._one[pairs >> 8]] + (pairs & 255)].astype(np.intp)  # two
            self._lock = threading.Lock()  # rows are added under it: threads may read articles at once
            self._first = np.full(len(self.nb_ptc), _NEVER, dtype=np.intp)  # per feature: where first met
            self._count = np.zeros(len(self.nb_ptc), dtype=np.intp)  # per feature: how often met
            self._counting = threading.Lock()  # held while _first and _count hold a sample's

        def _raw_score(self, text: bytes) -> Any:
            if (
                not window
                or self.nb_ptc is not self._full_model[0]
                or not isinstance(text, bytes)
                or len(text) > 1 << 24
            ):
                return super()._raw_score(text)
            found = self._out[self._states(np.frombuffer(text, dtype=np.uint8))]
            found = found[found >= 0]
            if not len(found):
                return super()._raw_score(b"")  # no feature: py3langid's own answer for none
            # py3langid counts with a Counter, which holds the features in the order first met: the order
            # they are summed in. Each feature's first place and count are gathered in arrays over all
            # features (put back as they were after), so no sort is needed.
            n = len(found)
            places = np.arange(n)
            with self._counting:
                np.minimum.at(self._first, found, places)
                np.add.at(self._count, found, 1)
                features = found[self._first[found] == places]  # where each is first met, in order
                counts = self._count[features].astype(np.float32)
                self._first[features] = _NEVER
                self._count[features] = 0
            return np.log1p(counts) @ self._rows_of(features) + self.nb_pc

        def _states(self, data: Any) -> Any:
            """The automaton's state after each byte of ``data``: the state the (at most) ``window`` bytes
            ending there lead to from the start, the first two steps looked up at once."""
            n = len(data)
            states = np.zeros(n, dtype=np.intp)
            data = data.astype(np.intp)
            if n >= window:
                states[window - 1 :] = self._two[(data[: n - window + 1] << 8) | data[1 : n - window + 2]]
            if n >= window - 1:
                states[window - 2] = self._one[data[0]]
            for step in range(2, window):  # position i reads byte i - window + 1 + step, when there is one
                skip = window - 1 - step
                if skip < n:
                    states[skip:] = self._next[self._base[states[skip:]] + data[: n - skip]]
            return states

        def _rows_of(self, features: Any) -> Any:
            """The model's rows for ``features`` (distinct) as float32, converting those not met before."""
            slots = self._slot[features]
            if slots.min() >= 0:
                return self._rows.take(slots, axis=0)
            with self._lock:
                slots = self._slot[features]
                new = features[slots < 0]
                used = self._used + len(new)
                if used > len(self._rows):
                    grown = np.empty((max(used, len(self._rows) * 3 // 2, 4096), self._rows.shape[1]), np.float32)
                    grown[: self._used] = self._rows[: self._used]
                    self._rows = grown
                self._rows[self._used : used] = self.nb_ptc[new]
                self._slot[new] = np.arange(self._used, used)
                self._used = used
                return self._rows.take(self._slot[features], axis=0)

    return Counting
