"""The real image under a figure: a relative or URL reference, or an inlined thumbnail.

References are percent-encoded, so an image id such as ``javascript:alert(1)`` or ``a" onerror="x``
is a harmless relative path: its colon, quotes and spaces never reach the page as themselves.
"""

from __future__ import annotations

import base64
import io
import os
import posixpath
from functools import lru_cache
from urllib.parse import quote

from specdsl.report.gallery.model import ImageSource

THUMBNAIL_WIDTH = 320  # px: enough to see the scene under the drawing, small enough for thousands of figures
THUMBNAIL_QUALITY = 70
URL_SCHEMES = ("http://", "https://", "file://")


def image_source(location: str, embed: bool, page_dir: str) -> ImageSource:
    """``--images LOCATION`` as the CLI gives it: a URL prefix when it starts with a web scheme, else a folder."""
    is_url = location.lower().startswith(URL_SCHEMES)
    return ImageSource(location, is_url, embed and not is_url, page_dir)


def background_href(source: ImageSource | None, image: str) -> str | None:
    """What ``<image href>`` says for ``image``, or None when there is nothing to show."""
    if source is None:
        return None
    relative = _relative_name(image)
    if source.is_url:
        return source.location.rstrip("/") + "/" + quote(relative, safe="/")
    path = os.path.join(source.location, *relative.split("/"))
    if source.embed:
        return thumbnail_uri(path)
    if not os.path.isfile(path):
        return None
    return quote(os.path.relpath(path, source.page_dir).replace(os.sep, "/"), safe="/")


def _relative_name(image: str) -> str:
    """An image id as a path below the images folder: separators unified, no leading slash, no ``..``."""
    parts = [p for p in image.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    return posixpath.join(*parts) if parts else "_"


@lru_cache(maxsize=4096)  # an image with several findings is drawn several times: encode it once
def thumbnail_uri(path: str) -> str | None:
    """A JPEG at most ``THUMBNAIL_WIDTH`` wide as a ``data:`` URI; None when the file is missing or unreadable."""
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:  # the CLI refuses --embed-images without Pillow; a library caller just gets no photo
        return None
    try:
        with Image.open(path) as opened:
            opened.thumbnail((THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * 8))
            buffer = io.BytesIO()
            opened.convert("RGB").save(buffer, format="JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
    except (OSError, UnidentifiedImageError, ValueError):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def pillow_available() -> bool:
    try:
        import PIL  # noqa: F401
    except ImportError:
        return False
    return True
