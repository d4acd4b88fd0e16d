"""Official PDF documents: minutes, follow-up lists and indicator reports.

One entry point, :func:`render_pdf`, turns a Jinja template (normally one
extending ``pdf/_official.html``, the Decree 30/2020/ND-CP layout) into PDF
bytes with WeasyPrint. Templates may reference files under the app's static
folder by relative URL (``fonts/LiberationSerif-Regular.ttf``); every other
resource is refused, so a document never reads server files or reaches the
network, whatever text users typed into it (:mod:`app.pdf_fetcher`).
"""

from datetime import date
from pathlib import Path

from flask import current_app, render_template


def render_pdf(template_name: str, **context) -> bytes:
    """Render ``template_name`` with ``context`` and return the PDF bytes.

    Needs an app context (it uses ``flask.render_template``). Relative URLs in
    the template resolve inside the app's static folder.
    """
    from weasyprint import HTML  # imported on the first PDF, not with the app (memory per worker)

    from app.pdf_fetcher import StaticOnlyFetcher

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


def init_app(app) -> None:
    """Register ``{{ doc_date|official_date(place) }}`` (``|dmy`` lives in app.filters)."""
    app.add_template_filter(lambda d, place: official_date_line(place, d), 'official_date')
