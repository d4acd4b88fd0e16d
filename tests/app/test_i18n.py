"""Vietnamese is the source language; every message must have its English translation."""
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
METHOD_MAP = [("**.py", "python"), ("**.html", "jinja2")]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}


def source_dirs(package: str) -> list[Path]:
    if package == "app":
        return [ROOT / "app"] + [ROOT / "templates" / d for d in ("_macros", "auth", "core", "admin", "errors", "pdf",
                                                                 "indicators", "api")] \
            + [ROOT / "templates"]
    return [ROOT / package, ROOT / "templates" / package]


def messages(package: str) -> set[str]:
    found = set()
    for directory in source_dirs(package):
        if not directory.exists():
            continue
        method_map = METHOD_MAP if directory.name != "templates" else [("*.html", "jinja2")]
        for _file, _line, message, _comments, _ctx in extract_from_dir(str(directory), method_map, keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    return found


def translated(package: str) -> dict[str, str]:
    catalogs = {}
    for pkg in ("app", "surveys", "dialogues", "community"):
        po = ROOT / pkg / "translations" / "en" / "LC_MESSAGES" / "messages.po"
        if po.exists():
            for m in read_po(po.open("rb")):
                if m.id and m.string and "fuzzy" not in m.flags:
                    catalogs[m.id if isinstance(m.id, str) else m.id[0]] = m.string
    return catalogs


@pytest.mark.parametrize("package", ["app", "surveys", "dialogues", "community"])
def test_every_message_has_an_english_translation(package):
    missing = sorted(messages(package) - set(translated(package)))
    assert not missing, f"{len(missing)} messages lack English (run `make extract`, fill the .po): {missing[:10]}"
