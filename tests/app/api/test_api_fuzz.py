"""Schemathesis fuzzes every operation of the OpenAPI document against the app (WSGI, in process),
with valid and invalid input, a valid token, and real objects as well as generated path ids.

It must find no server error and no answer outside the document (status, content type, body).
The number of examples per operation and mode is bounded (FUZZ_EXAMPLES, default 30) and
derandomized, so the run is repeatable. (Schemathesis' own pytest integration, ``from_fixture``,
does not run under pytest 9, so the strategies are driven with hypothesis directly.)
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from app.api.routes import OPERATIONS

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def fuzz_world(write_limit, api, create_training, answers_body, dialogue_agencies, make_dialogue, quick_pdf):
    """A province officer's token and real objects of each kind the paths name."""
    write_limit(100_000)  # the limit has its own tests
    training = create_training("02020")
    client = api("province", "19")
    client.post(f"/trainings/{training.id}/responses", json=answers_body(training))
    dialogue = make_dialogue("02020", approved=True)
    ids = {"training_id": training.id, "dialogue_id": dialogue.id,
           "commitment_id": dialogue.questions[0].commitments[0].id}
    return {"headers": {"Authorization": f"Bearer {client.secret}"}, "ids": ids}


def _check(strategy, headers: dict) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)
    run()


def test_fuzz_every_operation(app, fuzz_world):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Schemathesis leaves out the document's own location; everything else is fuzzed.
    assert {op.label for op in operations} == {f"{op.method} {op.path}" for op in OPERATIONS} - {"GET /openapi.json"}
    for operation in operations:
        names = [p.name for p in operation.path_parameters]
        # Generated ids (almost always unknown: 404), then the real objects, in both generation modes.
        variants = [{}] + ([{"path_parameters": {n: fuzz_world["ids"][n] for n in names}}] if names else [])
        for mode in GenerationMode:
            for fixed in variants:
                try:
                    _check(operation.as_strategy(mode, **fixed), fuzz_world["headers"])
                except Exception as exc:
                    exc.add_note(f"{operation.label}, {mode.value}, {fixed or 'generated ids'}")
                    raise
