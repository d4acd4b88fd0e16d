"""``flask surveys results TRAINING_ID``: the results of one training as one JSON object
(the contract other tools read; see ``TrainingResults.to_json``)."""
from __future__ import annotations

import json

import click

from app import services as core
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
    results = load_training_results(training)
    # Scores by pseudonymous code are still personal data: the export goes into the access log.
    core.log_export(None, "training_results_json", "Training", training.id, has_names=False,
                    rows=len(results.participants))
    db.session.commit()
    click.echo(json.dumps(results.to_json(), ensure_ascii=False, indent=2))
