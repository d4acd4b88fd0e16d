"""Importing this module declares every API endpoint: the core's (reference data, indicators,
the document itself), then each configured feature's, from its ``<feature>.api`` module.

``declare(features)`` runs again when the API is initialised with the application's own list
(``FEATURES`` in the configuration); a module already imported declares nothing twice. Features
are found by name (importlib), so the core imports none of them.
"""
from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from app.api import indicators, meta, units  # noqa: F401  (the core's endpoints)
from app.api.openapi import OPERATIONS
from app.config import FEATURES

__all__ = ["OPERATIONS", "declare"]


def declare(features=FEATURES) -> list:
    """Import the ``api`` module of each feature that has one (it declares its endpoints with
    ``app.api.blueprint.route``); the declared operations."""
    for name in features:
        if find_spec(f"{name}.api") is not None:
            import_module(f"{name}.api")
    return OPERATIONS


declare()
