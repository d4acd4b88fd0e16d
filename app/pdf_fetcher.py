"""WeasyPrint's URL fetcher locked to the static folder (see :mod:`app.pdf`).

A module of its own so that importing the app does not import WeasyPrint (about 40 MB per worker):
:func:`app.pdf.render_pdf` imports this module, and with it WeasyPrint, on the first PDF.
"""

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse


class ForbiddenResource(ValueError):
    """A document asked for a resource outside the app's static folder.

    WeasyPrint catches ordinary exceptions from its fetcher, logs a warning
    and renders the document without that resource.
    """


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint 70 URL fetcher that serves the static folder and nothing else.

    WeasyPrint 70 takes a ``URLFetcher`` instance (the function-returning-a-dict
    fetchers of older versions are gone); a subclass overrides ``fetch`` and
    returns a ``URLFetcherResponse``.

    ``data:`` URLs are allowed: they carry their bytes inline (e.g. a QR code
    made with segno) and reach nothing outside the document.
    """

    def __init__(self, static_folder: str | Path):
        super().__init__(allowed_protocols={'data'}, allow_redirects=False)
        self.root = Path(static_folder).resolve()

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == 'data':
            return super().fetch(url, headers)
        if scheme != 'file':
            raise ForbiddenResource(f'only static files may be embedded: {url}')
        path = self.static_path(url)
        mime_type = mimetypes.guess_type(path.name)[0] or 'application/octet-stream'
        return URLFetcherResponse(url, path.read_bytes(), {'Content-Type': mime_type})

    def static_path(self, url: str) -> Path:
        """Return the real file a ``file:`` URL names, if it lies in the static folder."""
        parts = urlsplit(url)
        if parts.netloc not in ('', 'localhost'):
            raise ForbiddenResource(f'remote file URL refused: {url}')
        # resolve() collapses '..' and follows symlinks, so both kinds of
        # escape end up outside the root and are refused below.
        path = Path(url2pathname(parts.path)).resolve()  # url2pathname unquotes
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ForbiddenResource(f'not a file in the static folder: {url}')
        return path
