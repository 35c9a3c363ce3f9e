"""Which language an article is written in, and how common a word is in it (``wordfreq`` data).

``Article.language`` wins when the reader set it (metadata or a detector in ``nkmap.inputs``);
otherwise the article's lower-case words are counted against each language's most frequent
words. The word lists come from ``wordfreq`` and are kept on disk after the first use, so a
start costs a JSON read rather than a second of loading.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Container

from nkmap.model import Article

# The languages told apart: those news about any place is most often written in. Malay is left
# out on purpose: it shares its common words with Indonesian, and the place words are the same.
LANGUAGES = ("en", "id", "es", "pt", "fr", "it", "de", "nl", "tr", "ru", "uk", "ar", "pl", "ro", "vi", "fil")
TOP_WORDS = 300  # per language: enough to tell languages apart from a 2,000-character excerpt
MIN_HITS = 2  # fewer matched words than this: the language is unknown ("")
_WORD = re.compile(r"(?<!\w)[^\W\d_A-Z]\w*")


@functools.cache
def _wordfreq_version() -> str:
    from importlib.metadata import version  # slow (a scan of the installed packages): asked once

    return version("wordfreq")


@functools.cache
def _top_words() -> dict[str, frozenset[str]]:
    from nkmap.infra.cache import remembered_json

    def compute() -> dict[str, list[str]]:
        import wordfreq

        return {lang: wordfreq.top_n_list(lang, TOP_WORDS) for lang in LANGUAGES}

    table = remembered_json("wordfreq-top", f"{_wordfreq_version()}\0{TOP_WORDS}\0{LANGUAGES}", compute)
    return {lang: frozenset(words) for lang, words in table.items()}


def detect(text: str) -> str:
    """The ISO 639-1 code of the language most of ``text``'s common words belong to, or ""."""
    words = [w.casefold() for w in _WORD.findall(text)]
    best, hits = "", 0
    for lang, top in _top_words().items():
        n = sum(1 for w in words if w in top)
        if n > hits:
            best, hits = lang, n
    return best if hits >= MIN_HITS else ""


def article_language(article: Article) -> str:
    """``article.language`` when known, else :func:`detect` on its text."""
    return article.language or detect(article.text)


MIN_ZIPF = 3.9  # words rarer than this are not kept: every rule that reads frequencies asks about common words


@functools.cache
def _common_words(language: str) -> dict[str, float]:
    """The words of ``language`` at Zipf >= MIN_ZIPF (a few thousand), kept on disk after the first use:
    wordfreq's own import and lists cost about a second per language at every start."""
    from nkmap.infra.cache import remembered_json

    def compute() -> dict[str, float]:
        import wordfreq

        floor = 10 ** (MIN_ZIPF - 9)  # Zipf = log10(frequency per billion words)
        return {w: round(math.log10(f) + 9, 2) for w, f in wordfreq.get_frequency_dict(language).items() if f >= floor}

    return remembered_json("wordfreq-common", f"{_wordfreq_version()}\0{language}\0{MIN_ZIPF}", compute)


def zipf(word: str, language: str) -> float:
    """``wordfreq``'s Zipf frequency of ``word`` in ``language``; 0 below MIN_ZIPF or for an unknown language."""
    if language not in LANGUAGES:
        return 0.0
    return _common_words(language).get(word.casefold(), 0.0)


COMMON_ANY_FORMAT = 1  # bump when the kept trie of common words changes


@functools.cache
def common_in_any(languages: tuple[str, ...]) -> Container[str]:
    """The words at Zipf >= MIN_ZIPF in any of ``languages``, casefolded: ``word.casefold() in
    common_in_any(languages)`` is ``any(zipf(word, lang) for lang in languages)``. Kept in the cache
    folder as a memory-mapped marisa trie (~70k words, read in well under a millisecond) instead of
    one word list per language (~8 ms each) or one list of them all (~15 ms)."""
    import marisa_trie

    from nkmap.infra.cache import memo_path

    known = tuple(language for language in languages if language in LANGUAGES)
    key = f"{_wordfreq_version()}\0{known}\0{MIN_ZIPF}\0{COMMON_ANY_FORMAT}"
    path = memo_path("wordfreq-common-any", key, ".marisa")
    trie = marisa_trie.Trie()
    try:
        trie.mmap(str(path))
        return trie
    except (OSError, RuntimeError):  # missing, unreadable or not a trie (marisa says RuntimeError): made again
        pass
    trie = marisa_trie.Trie(set().union(*(_common_words(language) for language in known)))
    try:
        from nkmap.infra import atomic

        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic.atomic_path(path) as tmp:
            trie.save(str(tmp))
    except OSError:  # a cache that cannot be written only costs time
        pass
    return trie


HOME_COUNTRIES_MAX = 6  # a language official in more countries than this (English, French, Spanish) has no home


@functools.cache
def home_countries(language: str) -> frozenset[str]:
    """The countries where ``language`` is official (CLDR via babel), when they are few: Indonesian -> ID,
    Turkish -> TR, CY. An article's own country need not be named in it: "Papua" in Indonesian news."""
    if not language:
        return frozenset()
    from nkmap.sources.countries import official_territories  # CLDR's table, kept on disk with the country names

    found = official_territories(language)
    return found if len(found) <= HOME_COUNTRIES_MAX else frozenset()
