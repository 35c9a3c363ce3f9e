"""The page's JavaScript and CSS, inlined so that map.html opens with no network.

Leaflet comes from its XStatic package on PyPI (a dependency, not a copy in this repository);
supercluster (the clustering) is vendored from its npm package, unchanged, in ``static/`` with its
licence and version (``static/supercluster.LICENSE``); nkmap's own files are in ``static/``.
"""

from __future__ import annotations

import base64
import functools
import re
from importlib import resources
from pathlib import Path

import xstatic.pkg.leaflet as xleaflet

# vendored scripts in nkmap/outputs/web/static, inlined first, each after a line naming it and its licence
VENDORED_SCRIPTS = (
    ("supercluster.min.js", "supercluster 9.1.0 (npm), ISC licence, (c) Mapbox; bundles kdbush, ISC, (c) V. Agafonkin"),
)
OWN_SCRIPTS = ("nkmap.js", "areas.js")  # nkmap's scripts in nkmap/outputs/web/static, inlined in this order
OWN_STYLES = ("nkmap.css", "areas.css")


def _read(base: str, name: str) -> str:
    return (Path(base) / name).read_text(encoding="utf-8")


def _inline_images(css: str, base: Path) -> str:
    """Replace ``url(images/x.png)`` in a stylesheet by data URIs of the packaged images."""

    def data_uri(m: re.Match[str]) -> str:
        path = base / m.group(1)
        if not path.is_file():
            return m.group(0)
        mime = "image/svg+xml" if path.suffix == ".svg" else f"image/{path.suffix.lstrip('.')}"
        return f"url(data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()})"

    return re.sub(r"url\(['\"]?(images/[^'\")]+)['\"]?\)", data_uri, css)


def _script(code: str) -> str:
    # A literal "</script" inside the code would end the element early.
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


@functools.cache
def inline_assets() -> str:
    """One HTML fragment with every script and stylesheet the map needs, for the page header."""
    own = resources.files("nkmap.outputs.web") / "static"
    css = [
        _inline_images(_read(xleaflet.BASE_DIR, "leaflet.css"), Path(xleaflet.BASE_DIR)),
        *((own / name).read_text(encoding="utf-8") for name in OWN_STYLES),
    ]
    js = [
        _read(xleaflet.BASE_DIR, "leaflet.js"),
        *(f"/* {note} */\n" + (own / name).read_text(encoding="utf-8") for name, note in VENDORED_SCRIPTS),
        *((own / name).read_text(encoding="utf-8") for name in OWN_SCRIPTS),
    ]
    return "\n".join(["<style>" + "\n".join(css) + "</style>", *map(_script, js)])
