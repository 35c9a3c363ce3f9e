"""Read a saved web page: the article's main text, without the page's menus, sidebars and lists.

``trafilatura`` finds the main text (navigation, "read also" and "most read" lists, ads,
footers and comments are left out) and the page's own metadata: title, site name, canonical
URL, and the publication date (through ``htmldate``, from the page's metadata only: meta tags,
``<time>``, the URL; never guessed from the body). The language is the ``<html lang>``
attribute where the page has one, else detected from the text. ``Article.text`` is the
extracted text, so offsets and the in-page article view index into it.

Cost grows with the markup: about 10 ms for the 3 kB example page, 0.4 s for 80 kB and 2.3 s
for 480 kB of paragraphs on a loaded 2-core machine; pages over :data:`FAST_ABOVE` skip the
fallback extractors (justext, readability), which halves that.
"""

from __future__ import annotations

import re

from nkmap.inputs.articles import SkippedFile, article_from_text
from nkmap.inputs.language import normalise_language
from nkmap.model import Article

_HTML_LANG = re.compile(r"<html\b[^<>]{0,500}?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})?)", re.I)
_LETTER = re.compile(r"[^\W\d_]")
MIN_LETTERS = 20
FAST_ABOVE = 512 * 1024  # larger pages skip trafilatura's fallback extractors: half the time
HEAD = 65536  # the language attributes are looked for in the first 64 kB of markup


def article_from_html(name: str, html: str, path: str = "", url: str = "") -> Article:
    """The article in the web page ``html`` (``url``: where it was fetched, if it was).

    Raises :class:`SkippedFile` when the page holds no article text.
    """
    import trafilatura

    doc = trafilatura.bare_extraction(
        html,
        url=url or None,
        fast=len(html) > FAST_ABOVE,
        with_metadata=True,
        include_comments=False,
        include_images=False,
        include_formatting=False,
        include_links=False,
        deduplicate=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = (getattr(doc, "text", None) or "") if doc is not None else ""
    if doc is None or isinstance(doc, dict) or len(_LETTER.findall(text, 0, 1000)) < MIN_LETTERS:
        # "Home" from a page that is all menu is no article
        raise SkippedFile(path or name, "", "no article text found in the web page")
    head = html[:HEAD]
    lang = _HTML_LANG.search(head)
    given = {
        "title": doc.title or "",
        "outlet": doc.sitename or doc.hostname or "",
        "url": doc.url or url or "",
        "date": doc.date or "",
        "language": normalise_language(lang.group(1)) if lang else "",
    }
    return article_from_text(name, text, path=path, **{k: v for k, v in given.items() if v})
