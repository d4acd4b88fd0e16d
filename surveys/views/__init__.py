"""Survey screens, split by screen: bank (topics, questions, tests), trainings (list, page,
roster, phases), collect (paper grid, PDF, workbook) and phone (the public form)."""
from __future__ import annotations


def register(app) -> None:
    from app.extensions import csrf
    from surveys.blueprint import bp, public_bp
    from surveys.views import bank, collect, corrections, phone, trainings  # noqa: F401  (they add the routes)

    # The phone form is anonymous: there is no session to protect, and a lost cookie on a weak
    # network must not turn a resubmit into an error. Its client token prevents duplicates.
    csrf.exempt(phone.submit_form)
    csrf.exempt(phone.sync_answer)
    app.register_blueprint(bp)
    app.register_blueprint(public_bp)
