"""Public links of the phone form and their QR codes (segno: no outside service, no JavaScript)."""
from __future__ import annotations

import io

from flask import url_for

from surveys.models import TrainingPhase


def public_url(phase: TrainingPhase, person_code: str | None = None) -> str:
    """The short link; with a person's code the form opens with her already chosen (paper QR)."""
    if person_code:
        return url_for("surveys_public.show_form", token=phase.public_token, code=person_code, _external=True)
    return url_for("surveys_public.show_form", token=phase.public_token, _external=True)


def _qr(url: str):
    import segno  # on first use, not with the app (memory per worker)

    return segno.make(url, error="m")


def qr_svg(url: str, scale: int = 4) -> str:
    """Inline SVG markup (no style attributes, so the page's CSP needs no exception)."""
    return _qr(url).svg_inline(scale=scale, title=url)


def qr_png(url: str, scale: int = 10) -> bytes:
    out = io.BytesIO()
    _qr(url).save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def qr_data_uri(url: str, scale: int = 3) -> str:
    """For the PDF: an SVG data URI (the PDF fetcher accepts data: and nothing outside)."""
    return _qr(url).svg_data_uri(scale=scale)
