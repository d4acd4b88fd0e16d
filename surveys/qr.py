"""Public links of the phone form and their QR codes (segno: no outside service, no JavaScript)."""
from __future__ import annotations

import functools
import io

from flask import url_for

from surveys.models import TrainingPhase


def public_url(phase: TrainingPhase, person_id: int | None = None) -> str:
    """The shared link (it asks for a code); with a person, her own link: the form opens with her
    already chosen (paper QR, the printed list of links)."""
    if person_id is not None:
        from surveys.access import respondent_key

        return url_for("surveys_public.show_form", token=phase.public_token, p=respondent_key(phase, person_id),
                       _external=True)
    return url_for("surveys_public.show_form", token=phase.public_token, _external=True)


def _qr(url: str):
    import segno  # on first use, not with the app (memory per worker)

    return segno.make(url, error="m")


@functools.lru_cache(maxsize=64)
def qr_svg(url: str, scale: int = 4) -> str:
    """Inline SVG markup (no style attributes, so the page's CSP needs no exception). Remembered
    for the last 64 links (~2 KB each): the training page shows two on every visit, and making
    one costs ~2.5 ms, a quarter of that page."""
    return _qr(url).svg_inline(scale=scale, title=url)


def qr_png(url: str, scale: int = 10) -> bytes:
    out = io.BytesIO()
    _qr(url).save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def qr_data_uri(url: str, scale: int = 3) -> str:
    """For the PDF: an SVG data URI (the PDF fetcher accepts data: and nothing outside)."""
    return _qr(url).svg_data_uri(scale=scale)
