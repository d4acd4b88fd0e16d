"""Who raised a question, as a given user may see it: the one rule for the web page and the API.

Authority users never receive ethnicity (sensitive data under Law 91/2025), whatever the path;
the roles that report by it (``User.can_see_ethnicity``) do.
"""
from __future__ import annotations

from app.models import User
from dialogues.models import DialogueQuestion, RaiserKind


def petitioner(question: DialogueQuestion, user: User) -> dict:
    anonymous = question.raiser_kind is RaiserKind.anonymous
    return {
        "raiser_kind": question.raiser_kind.value,
        "raiser_name": "" if anonymous else (question.raiser_label or ""),
        "raiser_sex": question.raiser_sex.value if question.raiser_sex else None,
        "ethnicity_code": question.raiser_ethnicity_code if user.can_see_ethnicity else None,
        "village_id": question.village_id,
    }
