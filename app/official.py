"""Official documents, in one place: how unions are named, the Decree 30/2020/ND-CP frame every
official PDF shares (``templates/pdf/_official.html``) and the one way a file leaves the server.

- Naming: :func:`union_name` ("HỘI LHPN XÃ CHỢ ĐỒN"), :func:`union_display_name` ("Hội LHPN xã
  Chợ Đồn"), :func:`short_name` ("Chợ Đồn"), :func:`issuing_unit` (a village's documents are
  issued by its commune's union).
- Header: :func:`header_lines` returns the wording a union set for itself (``OrgHeader``) or the
  default derived from the unit names; minutes, reports and the indicators report all read it.
- Frame: :func:`frame` builds the context of ``pdf/_official.html`` (parent and issuing body,
  number, place and date, document type and subject, signers, recipients).
- Download: :func:`send_document` sets the file name (UTF-8 safe), the disposition and, for
  files with personal data, ``Cache-Control: no-store``.

Documents are Vietnamese whatever the reader's interface language: they are official records.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from urllib.parse import quote

import sqlalchemy as sa
from flask import Response

from app.extensions import db
from app.models import OrgHeader, Unit, UnitLevel

NBSP = "\u00a0"  # an unnumbered document leaves room to write the number by hand
# Official wording of the division types, longest first so "thành phố trung ương" wins over "thành phố".
_DIVISIONS = ("thành phố trung ương", "thành phố", "thị trấn", "thị xã", "đặc khu", "phường", "huyện", "quận",
              "tỉnh", "xã")
REPORT_CODE = "BC"  # "Số: .../BC-HLHPN": the document type's symbol before the issuer's
DEFAULT_SUFFIX = "BB-HLHPN"


# --- naming ------------------------------------------------------------------------------

def short_name(unit: Unit) -> str:
    """"Xã Chợ Đồn" -> "Chợ Đồn": the place name used in the date line."""
    name = " ".join(unit.name.split())
    for division in ((unit.division_type or "").strip().lower(), *_DIVISIONS):
        if division and name.lower().startswith(division + " "):
            return name[len(division) + 1:]
    return name


def _division(unit: Unit) -> str:
    return "thành phố" if unit.division_type == "thành phố trung ương" else (unit.division_type or "")


def union_display_name(unit: Unit) -> str:
    """The union of ``unit`` in running text: "Hội LHPN xã Chợ Đồn"."""
    if unit.level is UnitLevel.country:
        return "Hội LHPN Việt Nam"
    return " ".join(f"Hội LHPN {_division(unit)} {short_name(unit)}".split())


def union_name(unit: Unit) -> str:
    """The same name as a header writes it: "HỘI LHPN XÃ CHỢ ĐỒN"."""
    return union_display_name(unit).upper()


def issuing_unit(unit: Unit) -> Unit:
    """The unit whose union issues documents about ``unit``: villages have no union of their own."""
    if unit.level is UnitLevel.village and unit.parent is not None:
        return unit.parent
    return unit


# --- header ------------------------------------------------------------------------------

def default_header(unit: Unit) -> dict:
    return {
        "parent_body": union_name(unit.parent) if unit.parent else "",
        "issuing_body": union_name(unit),
        "number_suffix": DEFAULT_SUFFIX,
        "place_name": short_name(unit),
    }


def header_lines(unit: Unit) -> dict:
    """The header the union of ``unit`` set for itself, or the default derived from the unit names.
    Keys: parent_body, issuing_body, number_suffix (of the minutes), place_name."""
    unit = issuing_unit(unit)
    row = db.session.scalar(sa.select(OrgHeader).where(OrgHeader.unit_id == unit.id))
    if row is None:
        return default_header(unit)
    return {"parent_body": row.parent_body, "issuing_body": row.issuing_body,
            "number_suffix": row.number_suffix, "place_name": row.place_name}


def number_suffix(header: dict, code: str) -> str:
    """The union's number symbol for another document type: "BB-HLHPN" -> "BC-HLHPN" for a report
    (Decree 30: the type's symbol, a hyphen, the issuer's symbol)."""
    suffix = header["number_suffix"]
    issuer = suffix.split("-", 1)[1] if "-" in suffix else suffix
    return f"{code}-{issuer}"


# --- frame -------------------------------------------------------------------------------

def frame(unit: Unit, *, doc_type: str, subject: str, doc_date: date, signers: list[tuple[str, str]],
          recipients: list[str], code: str | None = None, number: str | None = None,
          header: dict | None = None, verify_code: str | None = None, verify_url: str | None = None,
          issuer_as_recipient: bool = False) -> dict:
    """Context of ``pdf/_official.html`` for a document issued by the union of ``unit``.

    ``number`` is the full number ("05/BB-HLHPN"); without it the document is unnumbered and
    leaves room before the union's symbol: its minutes symbol, or for another document type
    ``code`` (:data:`REPORT_CODE`) joined to the union's own issuer symbol. ``header`` overrides the union's current
    settings (approved minutes keep the header they were approved with). ``issuer_as_recipient``:
    the issuing union is listed among the recipients (once, before "Lưu: VT"), see
    :func:`clean_recipients`."""
    header = header or header_lines(unit)
    suffix = number_suffix(header, code) if code else header["number_suffix"]
    return {
        "parent_body": header["parent_body"],
        "issuing_body": header["issuing_body"],
        "number": number or f"{NBSP * 8}/{suffix}",
        "place": header["place_name"],
        "doc_date": doc_date,
        "doc_type": doc_type,
        "subject": subject,
        "signers": signers,
        "recipients": clean_recipients(recipients, header["issuing_body"],
                                       issuer_line=_issuer_line(unit, header) if issuer_as_recipient else None),
        "verify_code": verify_code,
        "verify_url": verify_url,
        "verify_qr": qr_svg(verify_url) if verify_code and verify_url else "",
    }


# --- recipients ----------------------------------------------------------------------------

_ABBREVIATIONS = {"ủy ban nhân dân": "ubnd", "uỷ ban nhân dân": "ubnd", "hội đồng nhân dân": "hđnd",
                  "hội liên hiệp phụ nữ": "hội lhpn", "đảng ủy": "đảng ủy", "đảng uỷ": "đảng ủy"}
_BODY_WORDS = ("đảng ủy", "hđnd", "ubnd")


def _body_key(text: str) -> str:
    """A recipient line reduced to the body it names: lower case, no "(để báo cáo)", long names
    abbreviated the way minutes write them ("Ủy ban nhân dân xã X" == "UBND xã X")."""
    key = re.sub(r"\s*\([^)]*\)\s*$", "", text).strip().rstrip(".;").strip().lower()
    for long, short in _ABBREVIATIONS.items():
        key = key.replace(long, short)
    return re.sub(r"\s+", " ", key)


def _bodies(text: str) -> set[str]:
    """The bodies one line names: "Đảng ủy, HĐND, UBND xã X" names three (each "… xã X")."""
    key = _body_key(text)
    match = re.fullmatch(r"((?:(?:%s)\s*,\s*)+(?:%s))\s+(.+)" % ("|".join(_BODY_WORDS), "|".join(_BODY_WORDS)), key)
    if match is None:
        return {key}
    return {f"{word.strip()} {match[2]}" for word in match[1].split(",")}


def _issuer_line(unit: Unit, header: dict) -> str:
    """The issuing union as a recipient line: "Hội LHPN xã Chợ Đồn" (running text, not the header's
    capitals) when the header names the union by its usual name, else the header's own line."""
    display = union_display_name(issuing_unit(unit))
    return display if _body_key(display) == _body_key(header["issuing_body"]) else header["issuing_body"]


def clean_recipients(lines: list[str], issuer: str, issuer_line: str | None = None) -> list[str]:
    """"Nơi nhận" as it must read: no body named twice (UBND inside "Đảng ủy, HĐND, UBND xã …" and
    again alone, "Ủy ban nhân dân xã …" and "UBND xã …"), the issuer not among its own recipients
    (its copy is "Lưu: VT", added when missing), blank lines dropped.

    ``issuer_line`` (the setting ``MINUTES_ISSUER_AS_RECIPIENT``): the issuer is listed after all,
    once, just before "Lưu: VT": as typed when a typed line names it (the first such), else as
    ``issuer_line``."""
    issuer_key = _body_key(issuer)
    seen: set[str] = set()
    kept, archive, own = [], [], []
    for line in (line.strip() for line in lines):
        if not line:
            continue
        if line.lower().startswith("lưu"):
            archive = archive or [line]
            continue
        bodies = _bodies(line)
        if issuer_key and issuer_key in bodies:
            own = own or ([line] if bodies == {issuer_key} else [])
            continue
        if bodies <= seen:
            continue
        seen |= bodies
        kept.append(line)
    if issuer_line is None:
        own = []
    elif not own:
        own = [issuer_line]
    return kept + own + (archive or ["Lưu: VT"])


def qr_svg(url: str) -> str:
    """An inline SVG QR code of ``url`` (segno, no outside request), for the PDF's verification box."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=2, border=1, omitsize=True)


# --- download ----------------------------------------------------------------------------

def content_disposition(filename: str, *, inline: bool = False) -> str:
    """``attachment; filename="bien-ban-05.pdf"``, plus ``filename*=UTF-8''...`` (RFC 6266) when the
    name is not plain ASCII: "Biên bản.pdf" keeps its accents where the browser supports it."""
    plain = unicodedata.normalize("NFKD", filename.replace("đ", "d").replace("Đ", "D"))
    plain = re.sub(r'[^\x20-\x7e]|["\\]', "", plain.encode("ascii", "ignore").decode()).strip() or "download"
    value = f'{"inline" if inline else "attachment"}; filename="{plain}"'
    if plain != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value


def send_document(data: bytes, filename: str, mimetype: str, *, personal: bool = True,
                  inline: bool = False) -> Response:
    """The one way a generated or stored file leaves the server.

    Always names the file (``filename*=UTF-8''...`` as well when the name is not ASCII) and sets
    the disposition (``inline`` shows a PDF in the browser, otherwise a download). A file with
    personal data (``personal``, the default) is never kept by a browser or proxy cache."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename, inline=inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if personal:
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["Pragma"] = "no-cache"
    return response
