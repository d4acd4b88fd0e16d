"""The results of one training: loaded in a fixed number of queries, computed once.

``training_results(training)`` returns a ``TrainingResults``: the one object the web page, the PDF
report, the XLSX export and ``flask surveys results`` are all built from, so they never disagree.
Every formula lives in ``surveys.analytics.stats``; this module only turns database rows into its
inputs (participant code -> {item key -> points}) and keeps the labels the screens need.

Queries, whatever the class size: the items of the test, the answers (one row per answer, with its
points and its item), and the people who answered (with their village and commune).
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from app import ethnicities, services
from app.extensions import db
from app.models import Person, Unit, UnitLevel
from surveys.analytics import stats
from surveys.models import Answer, Item, Phase, QuestionKind, Response, Training
from surveys.queries import counted

# Breakdown dimensions of one training, in display order. Villages: a training happens in one
# commune, so its people differ by village; across trainings the commune is used instead.
TRAINING_DIMENSIONS = ("sex", "ethnicity", "age_band", "village")
UNKNOWN = "unknown"  # group label when the attribute was not recorded (stats.group_by)


@dataclass
class TrainingResults:
    """Everything shown about one training's results. Plain data: no ORM objects inside."""

    training_id: int
    title: str
    topic: str
    unit_name: str
    start_date: date
    end_date: date | None
    max_score: float
    n_pre: int
    n_post: int
    n_matched: int
    summary: dict
    items: list[dict]          # per scored question: stats keys + no, text
    likert: list[dict]         # per attitude question: stats.likert_shift keys + no, text, options
    participants: list[dict]   # code, pre, post, gain, g (+ full_name, birth_year, village: the trainer's page only)
    breakdowns: dict[str, dict[str, dict]] = field(default_factory=dict)  # dimension -> group -> figures
    members: dict[str, dict[str, set]] = field(default_factory=dict)  # dimension -> group -> matched codes

    @property
    def reliability(self) -> dict:
        return {"kr20_pre": self.summary["kr20_pre"], "kr20_post": self.summary["kr20_post"],
                "method": self.summary["reliability_method"]}

    def items_to_reteach(self) -> list[dict]:
        """Questions ordered by what most needs teaching again: lowest share right after the
        training first, then the smallest improvement; unanswered questions last."""
        def need(item):
            post, pre = item["pct_post"], item["pct_pre"]
            if post is None or stats.FLAG_NOT_ANSWERED in item["flags"]:
                return (1, 0.0, 0.0, item["no"])
            return (0, post, post - pre, item["no"])
        return sorted(self.items, key=need)

    def masked_breakdowns(self, min_n: int = 5) -> dict[str, dict[str, dict]]:
        """Breakdowns as every output shows them: groups under ``min_n`` matched pairs, and those
        that would let one be derived from the total and the other groups, keep their counts only."""
        return stats.suppress_breakdowns(self.breakdowns, self.members, min_n)

    def public_code(self, code: str) -> str:
        """A participant's code as the pseudonymous outputs list it: an opaque code as it is; any
        other (an older "P<village>-NNNN", a typed or imported one, which may name a village) as a
        keyed pseudonym "R-" + 10 hex digits, stable for this training, linked to no other output."""
        if services.is_opaque_code(code):
            return code
        key = str(current_app.config["SECRET_KEY"]).encode()
        return "R-" + hmac.new(key, f"{self.training_id}:{code}".encode(), hashlib.sha256).hexdigest()[:10]

    def to_json(self) -> dict:
        """The JSON contract of ``flask surveys results``: pseudonymous codes, masked breakdowns."""
        return {
            "training_id": self.training_id,
            "title": self.title,
            "max_score": self.max_score,
            "n_pre": self.n_pre,
            "n_post": self.n_post,
            "n_matched": self.n_matched,
            "summary": self.summary,
            "items": [{k: v for k, v in item.items() if k != "text"} for item in self.items],
            "reliability": {"kr20_pre": self.summary["kr20_pre"], "kr20_post": self.summary["kr20_post"]},
            "participants": [{"code": self.public_code(p["code"]), **{k: p[k] for k in ("pre", "post", "gain", "g")}}
                             for p in self.participants],
            "breakdowns": self.masked_breakdowns(),
            "likert": [{k: v for k, v in q.items() if k not in ("text", "options")} for q in self.likert],
        }


# ---------------------------------------------------------------- loading
def _items(training: Training) -> list[Item]:
    return list(db.session.scalars(
        sa.select(Item).where(Item.version_id == training.version_id).order_by(Item.position)))


def _answer_rows(training_ids):
    """One row per answer of the given trainings (and one with NULL answer columns for a response
    left entirely blank): training, phase, person, item, points, choice, "don't know".

    Thousands of rows for one large class: read as plain Core rows through the session's
    connection, the phase as its stored value ("pre", "post") and "don't know" as stored (0/1 on
    SQLite), without the ORM's and the column types' per-row conversions (a third of the time)."""
    session = db.session
    if session.autoflush:
        session.flush()  # what session.execute() does first, so pending changes are read too
    return session.connection().execute(
        sa.select(Response.training_id, sa.type_coerce(Response.phase, sa.String), Response.person_id,
                  Answer.item_id, Answer.points, Answer.choice, sa.type_coerce(Answer.is_dont_know, sa.Integer))
        .outerjoin(Answer, Answer.response_id == Response.id)
        .where(Response.training_id.in_(training_ids), counted())).all()


def people_facts(person_ids) -> dict[int, dict]:
    """person id -> code, name and the attributes breakdowns use (sex, birth year, ethnicity name,
    village, commune), for the people in the ``person_ids`` subquery. One query."""
    home = sa.orm.aliased(Unit)
    commune = sa.orm.aliased(Unit)
    rows = db.session.execute(
        sa.select(Person.id, Person.code, Person.full_name, Person.sex, Person.birth_year, Person.ethnicity_code,
                  Person.ethnicity_system, home.name, home.level, commune.name)
        .join(home, home.id == Person.unit_id)
        .outerjoin(commune, sa.and_(commune.level == UnitLevel.commune, home.path.startswith(commune.path)))
        .where(Person.id.in_(person_ids))).all()
    facts = {}
    for pid, code, name, sex, birth_year, eth_code, eth_system, home_name, home_level, commune_name in rows:
        facts[pid] = {
            "code": code, "full_name": name, "sex": sex.value if sex else None, "birth_year": birth_year,
            "ethnicity": ethnicities.name_of(eth_code, eth_system or ethnicities.DEFAULT_SYSTEM) or None,
            # Registered at commune (or province) level: a group of its own, not an unknown village.
            "village": home_name if home_level is UnitLevel.village else
            (gettext("%(name)s (đăng ký cấp xã)", name=home_name) if home_level is UnitLevel.commune
             else gettext("%(name)s (đăng ký cấp tỉnh)", name=home_name)),
            "commune": commune_name,
        }
    return facts


def load_training_results(training: Training) -> TrainingResults:
    """Compute the results of ``training`` (3 queries beyond the training itself)."""
    items = _items(training)
    rows = _answer_rows([training.id])
    facts = people_facts(sa.select(Response.person_id).where(Response.training_id == training.id, counted()))
    return compute_training_results(training, items, rows, facts)


def likert_value(item: Item, choice: str | None) -> int | None:
    """The scale point (1..n) chosen on an attitude question; None for blank or "Không biết"."""
    if not choice or not choice.isdigit():
        return None
    value = int(choice)
    return value if 1 <= value <= len(item.options) else None


def chance_rate(item: Item) -> float:
    """The share right by guessing: 1/k for one right option among k ("Không biết" is never a
    guess), 1/2 for true/false, 1/(2**k - 1) for a set of options that must match the key."""
    k = len(item.options)
    if item.kind is QuestionKind.truefalse:
        return 0.5
    if k == 0:
        return 0.0
    return 1 / k if item.kind is QuestionKind.single else 1 / (2 ** k - 1)


def compute_training_results(training: Training, items: list[Item], rows, facts: dict[int, dict]) -> TrainingResults:
    """Turn loaded rows into the statistics inputs and run ``stats`` on them (no queries)."""
    scored = [it for it in items if it.is_scored]
    likert_items = [it for it in items if it.kind is QuestionKind.likert]
    # Plain lookups for the loop over every answer (thousands of rows): no ORM attribute access.
    scored_key = {it.id: it.key for it in scored}
    likert_by_id = {it.id: it for it in likert_items}
    # Keyed by the phase's stored value, as the rows give it (``_answer_rows``).
    answers: dict[str, dict[str, dict]] = {Phase.pre.value: {}, Phase.post.value: {}}
    dont_know: dict[str, dict[str, set]] = {Phase.pre.value: {}, Phase.post.value: {}}
    likert: dict[int, dict[str, dict]] = {it.id: {Phase.pre.value: {}, Phase.post.value: {}} for it in likert_items}
    for _training_id, phase, person_id, item_id, points, choice, is_dont_know in rows:
        code = facts[person_id]["code"]
        person_answers = answers[phase].setdefault(code, {})  # a blank response still counts
        if (key := scored_key.get(item_id)) is not None:
            person_answers[key] = points
            if is_dont_know:
                dont_know[phase].setdefault(code, set()).add(key)
        elif (item := likert_by_id.get(item_id)) is not None and (value := likert_value(item, choice)) is not None:
            likert[item_id][phase][code] = value

    stat_items = [stats.Item(it.key, float(it.max_points), chance_rate(it)) for it in scored]
    pre, post = answers[Phase.pre.value], answers[Phase.post.value]
    if stat_items:
        figures = stats.training_results(stat_items, pre, post, dont_know[Phase.pre.value],
                                         dont_know[Phase.post.value])
    else:  # a test of attitude questions only: nothing to score
        figures = {"max_score": 0.0, "n_pre": len(pre), "n_post": len(post),
                   "n_matched": len(pre.keys() & post.keys()), "summary": dict.fromkeys(stats.SUMMARY_KEYS),
                   "questions": []}
    questions = [{"no": it.position, "text": it.text, **q} for it, q in zip(scored, figures["questions"])]
    max_score = figures["max_score"]

    by_code = {f["code"]: f for f in facts.values()}
    attributes = {
        "sex": {c: by_code[c]["sex"] for c in by_code},
        "ethnicity": {c: by_code[c]["ethnicity"] for c in by_code},
        "age_band": {c: stats.age_band(by_code[c]["birth_year"], training.start_date.year) for c in by_code},
        "village": {c: by_code[c]["village"] for c in by_code},
    }
    breakdowns, members = {}, {}
    if stat_items:
        grouped = {dim: ordered_groups(attributes[dim]) for dim in TRAINING_DIMENSIONS}
        breakdowns = stats.breakdowns(stat_items, pre, post, grouped)
        matched = pre.keys() & post.keys()
        members = {dim: {label: set(codes) & matched for label, codes in groups.items()}
                   for dim, groups in grouped.items()}

    return TrainingResults(
        training_id=training.id, title=training.title, topic=training.topic.name, unit_name=training.unit.name,
        start_date=training.start_date, end_date=training.end_date, max_score=max_score,
        n_pre=figures["n_pre"], n_post=figures["n_post"], n_matched=figures["n_matched"],
        summary=figures["summary"], items=questions,
        likert=[{"no": it.position, "text": it.text, "options": list(it.options),
                 **stats.likert_shift(likert[it.id][Phase.pre.value], likert[it.id][Phase.post.value],
                                     len(it.options))}
                for it in likert_items],
        participants=_participants(pre, post, max_score, by_code),
        breakdowns=breakdowns, members=members,
    )


def ordered_groups(attribute: dict[str, str | None]) -> dict[str, list[str]]:
    """``stats.group_by`` with the groups sorted by label and "unknown" last, so every screen and
    export lists them in the same order."""
    groups = stats.group_by(attribute, missing=UNKNOWN)
    return dict(sorted(groups.items(), key=lambda kv: (kv[0] == UNKNOWN, kv[0])))


def _participants(pre: dict, post: dict, max_score: float, by_code: dict) -> list[dict]:
    """Per person: total before, after, gain and individual normalised gain g = gain / (max - pre)
    (None when the pre score was already the maximum, as in stats.mean_individual_g)."""
    def total(answers):
        return float(sum(v or 0 for v in answers.values()))

    out = []
    for code in sorted(pre.keys() | post.keys()):
        x = total(pre[code]) if code in pre else None
        y = total(post[code]) if code in post else None
        gain = y - x if x is not None and y is not None else None
        g = round(gain / (max_score - x), 4) if gain is not None and x < max_score else None
        person = by_code[code]
        out.append({"code": code, "full_name": person["full_name"], "birth_year": person.get("birth_year"),
                    "village": person.get("village"), "pre": x, "post": y, "gain": gain, "g": g})
    return out
