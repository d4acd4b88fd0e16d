"""Importing this module declares every API endpoint (one module per resource)."""
from app.api import dialogues, meta, trainings, units  # noqa: F401
from app.api.openapi import OPERATIONS

__all__ = ["OPERATIONS"]
