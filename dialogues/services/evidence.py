"""Checking an evidence file before it is stored: its name, its size, and its type read from
its bytes (a text file renamed ``.pdf`` is not a PDF).

Accepted: PDF, PNG, JPEG, GIF, WebP, and office documents (docx, xlsx, odt, ods). Office
formats are ZIP archives; they are recognised by the entries a real document must have, read
from the archive's directory without unpacking anything. Macro-carrying documents are refused.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from flask_babel import gettext as _

from app.services import ServiceError

MAX_NAME = 200


@dataclass(frozen=True)
class FileType:
    code: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


TYPES = {t.code: t for t in (
    FileType("pdf", "PDF", "application/pdf", (".pdf",)),
    FileType("png", "PNG", "image/png", (".png",)),
    FileType("jpeg", "JPEG", "image/jpeg", (".jpg", ".jpeg")),
    FileType("gif", "GIF", "image/gif", (".gif",)),
    FileType("webp", "WebP", "image/webp", (".webp",)),
    FileType("docx", "Word (docx)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             (".docx",)),
    FileType("xlsx", "Excel (xlsx)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             (".xlsx",)),
    FileType("odt", "OpenDocument (odt)", "application/vnd.oasis.opendocument.text", (".odt",)),
    FileType("ods", "OpenDocument (ods)", "application/vnd.oasis.opendocument.spreadsheet", (".ods",)),
)}
BY_EXTENSION = {ext: t for t in TYPES.values() for ext in t.extensions}
ACCEPT = ",".join(BY_EXTENSION)  # for <input type=file accept=...>

# OOXML: the part a real document of each kind has besides [Content_Types].xml.
_OOXML_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
# ODF: the first entry, "mimetype", holds the exact media type.
_ODF_MIMETYPES = {TYPES["odt"].content_type: "odt", TYPES["ods"].content_type: "ods"}


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    file_type: FileType
    data: bytes

    @property
    def suffix(self) -> str:
        return self.file_type.extensions[0]


def _is_pdf(data: bytes) -> bool:
    """A PDF, structurally: the header, at least one indirect object, a document catalogue, and at the
    end a ``startxref`` offset that points inside the file, then ``%%EOF`` (a text file that merely
    starts with ``%PDF-1.4`` is not one). No PDF library is needed for this; WeasyPrint's own output
    and every mainstream writer pass it."""
    if not data.startswith(b"%PDF-"):
        return False
    tail = data[-2048:]
    found = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", tail)
    if found is None or not 0 < int(found[1]) < len(data):
        return False
    has_object = re.search(rb"\d+\s+\d+\s+obj\b", data) is not None and b"endobj" in data
    return has_object and (b"/Root" in data or re.search(rb"/Type\s*/Catalog\b", data) is not None)


def _is_image(data: bytes) -> bool:
    """The image decodes (Pillow reads every pixel): a PNG header on garbage is not an image."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
        return True
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return False


def detect_type(data: bytes) -> str | None:
    """The file type code the bytes really are, or None (a PDF must parse, an image must decode)."""
    code = _magic_type(data)
    if code == "pdf" and not _is_pdf(data):
        return None
    if code in ("png", "jpeg", "gif", "webp") and not _is_image(data):
        return None
    return code


def _magic_type(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    return None


def _office_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return None  # macros: not evidence we want to hand to other users
            if "[Content_Types].xml" in names:
                return next((code for code, part in _OOXML_MAIN_PART.items() if part in names), None)
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                return _ODF_MIMETYPES.get(archive.read("mimetype").decode("ascii", "replace").strip())
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, NotImplementedError):
        return None
    return None


def check_upload(filename: str | None, data: bytes, max_bytes: int, field: str = "file") -> CheckedFile:
    """Refuse (ServiceError on ``field``) a missing or path-like name, an empty or too big file,
    or bytes that are not the type the name claims; return the checked file otherwise."""
    name = (filename or "").strip()
    if not name:
        raise ServiceError(_("Hãy chọn một tệp minh chứng."), field)
    if "/" in name or "\\" in name or name in (".", "..") or re.search(r"[\x00-\x1f\x7f]", name):
        raise ServiceError(_("Tên tệp không được chứa đường dẫn hay ký tự điều khiển (như “/”, “\\”). "
                             "Hãy đổi tên tệp rồi tải lên lại."), field)
    if len(name) > MAX_NAME:
        raise ServiceError(_("Tên tệp dài quá %(n)d ký tự.", n=MAX_NAME), field)
    if not data:
        raise ServiceError(_("Tệp “%(name)s” rỗng.", name=name), field)
    if len(data) > max_bytes:
        raise ServiceError(_("Tệp “%(name)s” lớn quá giới hạn %(limit)s.", name=name, limit=readable_size(max_bytes)),
                           field)
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    claimed = BY_EXTENSION.get(extension)
    if claimed is None:
        raise ServiceError(_("Chỉ nhận tệp PDF, ảnh (PNG, JPEG, GIF, WebP) hoặc văn bản (docx, xlsx, odt, ods); "
                             "“%(name)s” không thuộc các loại này.", name=name), field)
    actual = detect_type(data)
    if actual != claimed.code:
        raise ServiceError(_("Tệp “%(name)s” có đuôi %(ext)s nhưng nội dung không phải tệp %(type)s thật. "
                             "Hãy tải lên đúng tệp gốc.", name=name, ext=extension, type=claimed.label), field)
    return CheckedFile(name, claimed, data)


def readable_size(n: int) -> str:
    """2048 -> "2 KB", 10485760 -> "10 MB", with a decimal comma."""
    value, unit = (n / (1024 * 1024), "MB") if n >= 1024 * 1024 else (n / 1024, "KB")
    return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",") + " " + unit
