"""``flask surveys results TRAINING_ID``: the results of one training as one JSON object
(the contract other tools read; see ``TrainingResults.to_json``)."""
from __future__ import annotations

import json

import click

from app.extensions import db
from surveys.analytics.results import load_training_results
from surveys.models import Training


@click.command("results")
@click.argument("training_id", type=int)
def results_command(training_id: int):
    """Print the results of a training as JSON (pseudonymous codes, small groups masked)."""
    training = db.session.get(Training, training_id)
    if training is None:
        raise click.ClickException(f"Không có lớp tập huấn số {training_id}.")
    click.echo(json.dumps(load_training_results(training).to_json(), ensure_ascii=False, indent=2))
