"""Read a PDF report's text layer (optional: ``pip install 'nkmap[pdf]'`` installs ``pypdf``).

Pages are joined with a blank line; the title comes from the document's metadata where it
has one. A PDF without a text layer (a scan) holds no article text and is skipped.
"""

from __future__ import annotations

import io
import logging

from nkmap.errors import InputError
from nkmap.inputs.articles import SkippedFile, article_from_text
from nkmap.model import Article


def article_from_pdf(name: str, raw: bytes, path: str = "") -> Article:
    """The article in the PDF bytes ``raw``; :class:`SkippedFile` when it has no text layer."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:
        raise InputError(path or name, "", "reading PDF needs pypdf: pip install 'nkmap[pdf]'") from None
    quiet = logging.getLogger("pypdf")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # pypdf's notes on a damaged file are not the user's warnings; nkmap's are
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise SkippedFile(path or name, "", "an encrypted PDF: nkmap cannot read its text")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        title = (reader.metadata.title or "") if reader.metadata else ""
    except SkippedFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as e:
        raise SkippedFile(path or name, "", f"not a readable PDF ({type(e).__name__}: {e})") from None
    finally:
        quiet.setLevel(level)
    text = "\n\n".join(p for p in pages if p)
    if not text.strip():
        raise SkippedFile(path or name, "", "a PDF without a text layer (a scan?): no article text")
    return article_from_text(name, text, path=path, **({"title": str(title).strip()} if str(title).strip() else {}))
