"""Official PDF documents: minutes, follow-up lists and indicator reports.

One entry point, :func:`render_pdf`, turns a Jinja template (normally one
extending ``pdf/_official.html``, the Decree 30/2020/ND-CP layout) into PDF
bytes with WeasyPrint. Templates may reference files under the app's static
folder by relative URL (``fonts/LiberationSerif-Regular.ttf``); every other
resource is refused, so a document never reads server files or reaches the
network, whatever text users typed into it.
"""

import hashlib
import mimetypes
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import current_app, render_template
from weasyprint import HTML
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


def render_pdf(template_name: str, **context) -> bytes:
    """Render ``template_name`` with ``context`` and return the PDF bytes.

    Needs an app context (it uses ``flask.render_template``). Relative URLs in
    the template resolve inside the app's static folder.
    """
    html = render_template(template_name, **context)
    static_folder = Path(current_app.static_folder).resolve()
    document = HTML(string=html, base_url=static_folder.as_uri() + '/',
                    url_fetcher=StaticOnlyFetcher(static_folder))
    return document.write_pdf()


def official_date_line(place: str, d: date) -> str:
    """Place and date of issue as Decree 30/2020/ND-CP (Appendix I) writes them.

    Arabic numerals inside the words "ngày ... tháng ... năm ..."; a day
    below 10 and the months 1 and 2 take a leading zero, months 3 to 12 do
    not: "Chợ Đồn, ngày 05 tháng 01 năm 2024", "ngày 28 tháng 9 năm 2023".
    """
    month = f'{d.month:02d}' if d.month <= 2 else str(d.month)
    return f'{place}, ngày {d.day:02d} tháng {month} năm {d.year}'


def sha256_hex(data: bytes) -> str:
    """Hex digest used to record and later verify an issued PDF."""
    return hashlib.sha256(data).hexdigest()


def init_app(app) -> None:
    """Register ``{{ doc_date|official_date(place) }}`` (``|dmy`` lives in app.filters)."""
    app.add_template_filter(lambda d, place: official_date_line(place, d), 'official_date')
