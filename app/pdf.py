"""Official PDF documents: minutes, follow-up lists and indicator reports.

One entry point, :func:`render_pdf`, turns a Jinja template (normally one
extending ``pdf/_official.html``, the Decree 30/2020/ND-CP layout) into PDF
bytes with WeasyPrint. Templates may reference files under the app's static
folder by relative URL (``fonts/LiberationSerif-Regular.ttf``); every other
resource is refused, so a document never reads server files or reaches the
network, whatever text users typed into it (:mod:`app.pdf_fetcher`).
"""

import threading
from datetime import date
from pathlib import Path

from flask import current_app, render_template


def render_pdf(template_name: str, **context) -> bytes:
    """Render ``template_name`` with ``context`` and return the PDF bytes.

    Needs an app context (it uses ``flask.render_template``). Relative URLs in
    the template resolve inside the app's static folder.
    """
    document = _html(render_template(template_name, **context))
    with _render_lock:
        return document.write_pdf(font_config=font_configuration())


def _html(html: str):
    """WeasyPrint's document of ``html``, reading only files under the static folder."""
    from weasyprint import HTML  # imported on the first PDF, not with the app (memory per worker)

    from app.pdf_fetcher import StaticOnlyFetcher

    static_folder = Path(current_app.static_folder).resolve()
    return HTML(string=html, base_url=static_folder.as_uri() + '/', url_fetcher=StaticOnlyFetcher(static_folder))


def render_pdf_in_parts(template_name: str, key: str, parts_of: list, progress=None, part_size: int = 20,
                        **context) -> bytes:
    """One PDF of ``parts_of`` rendered ``part_size`` at a time (``context[key]`` = one part), so a
    job can report ``progress(done, total)`` while a 900-page document is made. The parts' pages
    are joined into one document (WeasyPrint's ``Document.copy``): the result is the same PDF
    as one render of every item, as long as each item starts a new page (page numbers restart
    with each part)."""
    documents, pages = [], []
    items = parts_of
    parts = [items[i:i + part_size] for i in range(0, len(items), part_size)] or [[]]
    for done, part in enumerate(parts, 1):
        html = _html(render_template(template_name, **{**context, key: part}))
        with _render_lock:
            document = html.render(font_config=font_configuration())
        documents.append(document)
        pages.extend(document.pages)
        if progress:
            progress(min(done * part_size, len(items)), len(items) + 1)
    with _render_lock:
        data = documents[0].copy(pages).write_pdf()
    if progress:
        progress(len(items) + 1, len(items) + 1)
    return data


# One Fontconfig configuration per process, reused by every render: WeasyPrint builds a new one
# (and keeps its memory) for each document otherwise, and the @font-face files of our templates
# are registered once (WeasyPrint skips a face it has already written). Renders take turns, as
# Fontconfig and Pango are not meant to share one configuration between threads.
_font_config = None
_render_lock = threading.Lock()


def font_configuration():
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def official_date_line(place: str, d: date) -> str:
    """Place and date of issue as Decree 30/2020/ND-CP (Appendix I) writes them.

    Arabic numerals inside the words "ngày ... tháng ... năm ..."; a day
    below 10 and the months 1 and 2 take a leading zero, months 3 to 12 do
    not: "Chợ Đồn, ngày 05 tháng 01 năm 2024", "ngày 28 tháng 9 năm 2023".
    """
    month = f'{d.month:02d}' if d.month <= 2 else str(d.month)
    return f'{place}, ngày {d.day:02d} tháng {month} năm {d.year}'


def init_app(app) -> None:
    """Register ``{{ doc_date|official_date(place) }}`` (``|dmy`` lives in app.filters)."""
    app.add_template_filter(lambda d, place: official_date_line(place, d), 'official_date')
