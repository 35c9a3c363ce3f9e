"""Which language an article is written in, and how common a word is in it (``wordfreq`` data).

``Article.language`` wins when the reader set it (metadata or a detector in ``nkmap.inputs``);
otherwise the article's lower-case words are counted against each language's most frequent
words. The word lists come from ``wordfreq`` and are kept on disk after the first use, so a
start costs a JSON read rather than a second of loading.
"""

from __future__ import annotations

import functools
import json
import re

from nkmap.model import Article

# The languages told apart: those news about any place is most often written in. Malay is left
# out on purpose: it shares its common words with Indonesian, and the place words are the same.
LANGUAGES = ("en", "id", "es", "pt", "fr", "it", "de", "nl", "tr", "ru", "uk", "ar", "pl", "ro", "vi", "fil")
TOP_WORDS = 300  # per language: enough to tell languages apart from a 2,000-character excerpt
MIN_HITS = 2  # fewer matched words than this: the language is unknown ("")
_WORD = re.compile(r"(?<!\w)[^\W\d_A-Z]\w*")


@functools.cache
def _top_words() -> dict[str, frozenset[str]]:
    from importlib.metadata import version

    from nkmap.infra.cache import remembered

    def compute() -> str:
        import wordfreq

        return json.dumps({lang: wordfreq.top_n_list(lang, TOP_WORDS) for lang in LANGUAGES}, ensure_ascii=False)

    table = json.loads(remembered("wordfreq-top", f"{version('wordfreq')}\0{TOP_WORDS}\0{LANGUAGES}", compute))
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


@functools.lru_cache(maxsize=1 << 15)
def zipf(word: str, language: str) -> float:
    """``wordfreq``'s Zipf frequency of ``word`` in ``language`` (0 for an unknown language or word)."""
    if language not in LANGUAGES:
        return 0.0
    import wordfreq

    return wordfreq.zipf_frequency(word, language)
