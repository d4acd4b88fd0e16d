"""Dialogue screens. One blueprint; its routes live in the modules imported below."""
from flask import Blueprint

bp = Blueprint("dialogues", __name__, url_prefix="/dialogues")

from dialogues.views import entry, follow_up, minutes, records, settings  # noqa: E402,F401  (register the routes)
