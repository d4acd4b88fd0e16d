"""The blueprint of the dialogue screens (its routes live in dialogues.views.*)."""
from flask import Blueprint

bp = Blueprint("dialogues", __name__, url_prefix="/dialogues")
