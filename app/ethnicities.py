"""The 54 ethnic groups of Viet Nam.

Two official code lists number them differently, so a person's ethnicity is stored as
(code system, code). We ship the list of Decision 121-TCTK/PPCĐ (1979), the numbering used
by the population censuses; another system can be added here without a schema change.
"""
from __future__ import annotations

DEFAULT_SYSTEM = "TCTK-1979"

_NAMES_1979 = [
    "Kinh", "Tày", "Thái", "Hoa", "Khơ Me", "Mường", "Nùng", "Mông", "Dao", "Gia Rai",
    "Ngái", "Ê Đê", "Ba Na", "Xơ Đăng", "Sán Chay", "Cơ Ho", "Chăm", "Sán Dìu", "Hrê", "Mnông",
    "Ra Glai", "Xtiêng", "Bru-Vân Kiều", "Thổ", "Giáy", "Cơ Tu", "Gié Triêng", "Mạ", "Khơ Mú", "Co",
    "Tà Ôi", "Chơ Ro", "Kháng", "Xinh Mun", "Hà Nhì", "Chu Ru", "Lào", "La Chí", "La Ha", "Phù Lá",
    "La Hủ", "Lự", "Lô Lô", "Chứt", "Mảng", "Pà Thẻn", "Cờ Lao", "Cống", "Bố Y", "Si La",
    "Pu Péo", "Brâu", "Ơ Đu", "Rơ Măm",
]

SYSTEMS: dict[str, dict[str, str]] = {
    DEFAULT_SYSTEM: {f"{i:02d}": name for i, name in enumerate(_NAMES_1979, start=1)},
}
MAJORITY = {DEFAULT_SYSTEM: "01"}  # Kinh: everyone else counts as ethnic minority


def name_of(code: str | None, system: str = DEFAULT_SYSTEM) -> str:
    return SYSTEMS.get(system, {}).get(code or "", "")


def code_for_name(name: str, system: str = DEFAULT_SYSTEM) -> str | None:
    """Match a typed name ("tày", "Mông", "H'Mông") to its code, ignoring case and spacing."""
    def norm(s: str) -> str:
        return s.lower().replace("'", "").replace("-", " ").replace("  ", " ").strip()

    wanted = norm(name)
    if wanted in {"hmông", "h mông"}:
        wanted = "mông"
    for code, label in SYSTEMS.get(system, {}).items():
        if norm(label) == wanted:
            return code
    return None


def is_minority(code: str | None, system: str = DEFAULT_SYSTEM) -> bool:
    return bool(code) and code != MAJORITY.get(system)


def choices(system: str = DEFAULT_SYSTEM) -> list[tuple[str, str]]:
    return list(SYSTEMS[system].items())
