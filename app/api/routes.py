"""Importing this module declares every API endpoint (one module per resource)."""
from app.api import commitments, dialogues, indicators, meta, trainings, units  # noqa: F401
from app.api.openapi import OPERATIONS

__all__ = ["OPERATIONS"]
