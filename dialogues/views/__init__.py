"""Dialogue screens. One blueprint (dialogues.blueprint); its routes live in the modules imported below."""
from dialogues.blueprint import bp
from dialogues.views import analysis, entry, follow_up, minutes, records, repeats, settings  # noqa: F401  (register the routes)

__all__ = ["bp"]
