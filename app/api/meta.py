"""The OpenAPI document itself: public (it describes the API, it holds no data)."""
from __future__ import annotations

from flask import jsonify

from app.api import openapi
from app.api.blueprint import route
from app.api.openapi import Answer

OPENAPI_SCHEMA = {"type": "object", "required": ["openapi", "info", "paths"],
                  "description": "An OpenAPI 3.1 document (this one)."}


@route("/openapi.json", summary="This OpenAPI document", tag="meta", public=True,
       answers={200: Answer("The OpenAPI 3.1 document of this API.", OPENAPI_SCHEMA)})
def openapi_document():
    return jsonify(openapi.document())
