"""The editable list of question categories (land, credit, health...)."""
from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.services import ServiceError
from dialogues.models import QuestionCategory
from dialogues.services._checks import clean_text

# Stable codes let statistics survive a renamed category.
DEFAULT_CATEGORIES = [
    ("land", "Đất đai"),
    ("credit", "Vốn vay, tín dụng"),
    ("livelihood", "Sinh kế, việc làm"),
    ("health", "Y tế, chăm sóc sức khỏe"),
    ("education", "Giáo dục"),
    ("domestic_violence", "Bạo lực gia đình"),
    ("child_marriage", "Tảo hôn, hôn nhân cận huyết thống"),
    ("infrastructure", "Hạ tầng, giao thông, nước sạch"),
    ("social_policy", "Chính sách xã hội"),
    ("security", "An ninh, trật tự, lừa đảo"),
    ("other", "Khác"),
]


def ensure_default_categories() -> int:
    """Add the default categories that are missing (by code); returns how many were added."""
    present = set(db.session.scalars(sa.select(QuestionCategory.code)))
    names = set(db.session.scalars(sa.select(QuestionCategory.name)))
    added = 0
    for position, (code, name) in enumerate(DEFAULT_CATEGORIES):
        if code not in present and name not in names:
            db.session.add(QuestionCategory(code=code, name=name, position=position * 10))
            added += 1
    db.session.flush()
    return added


def save_category(category: QuestionCategory | None, *, name: str, is_active: bool = True,
                  code: str | None = None, unit=None) -> QuestionCategory:
    """Create (category=None) or rename/(de)activate a category. Categories are never deleted:
    old questions keep pointing at them."""
    name = " ".join(clean_text(name, 200, "name", _("tên lĩnh vực"), required=True).split())
    clash = db.session.scalar(sa.select(QuestionCategory).where(sa.func.lower(QuestionCategory.name) == name.lower()))
    if clash is not None and clash is not category:
        raise ServiceError(_("Lĩnh vực “%(name)s” đã có.", name=name), "name")
    if category is None:
        code = (code or "").strip().lower() or _code_for(name)
        if not re.fullmatch(r"[a-z0-9_]{1,40}", code):
            raise ServiceError(_("Mã lĩnh vực chỉ gồm chữ thường không dấu, số và dấu gạch dưới."), "code")
        position = (db.session.scalar(sa.select(sa.func.max(QuestionCategory.position))) or 0) + 10
        category = QuestionCategory(code=code, position=position, unit=unit)  # unit None: national
        db.session.add(category)
    category.name, category.is_active = name, is_active
    db.session.flush()
    return category


def _code_for(name: str) -> str:
    """A free code from the name without diacritics ("Nước sạch" -> "nuoc_sach")."""
    import unicodedata

    plain = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    base = re.sub(r"[^a-z0-9]+", "_", "".join(c for c in plain if not unicodedata.combining(c)).lower()).strip("_")
    base = (base or "category")[:34]
    code, n = base, 1
    while db.session.scalar(sa.select(QuestionCategory.id).where(QuestionCategory.code == code)):
        n += 1
        code = f"{base}_{n}"
    return code
