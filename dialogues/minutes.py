"""Minutes of a dialogue as an official PDF (Decree 30/2020 layout, ``templates/pdf/minutes.html``).

The document is always in Vietnamese, whatever the reader's interface language: it is an
official record. Drafts (before approval) carry no number and are not stored; approved
versions are rendered once, stored and served as stored (see ``services.minutes``).
"""
from __future__ import annotations

from collections import Counter

from markupsafe import Markup, escape
from datetime import time

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from app import official
from app.extensions import db
from app.models import Sex
from dialogues.models import Addendum, AnswerOutcome, Dialogue, QuestionOrigin, RaiserKind
from dialogues.queries import leaders_for, questions_for, roster_breakdown
from dialogues.storage import read_stored



def spoken_time(value: time | None) -> str:
    """08:00 -> "08 giờ 00 phút", as minutes write it."""
    return f"{value.hour:02d} giờ {value.minute:02d} phút" if value else ""


def raiser_text(question) -> str:
    """Who raised a question, as the minutes name them (no name for an anonymous raiser)."""
    village = f", {question.village.division_type} {question.village.name}" if question.village else ""
    if question.raiser_kind is RaiserKind.anonymous:
        return f"Ý kiến không nêu tên{village}"
    if question.raiser_kind is RaiserKind.group:
        return question.raiser_label + village
    honorific = {Sex.female: "Bà ", Sex.male: "Ông "}.get(question.raiser_sex, "")
    return f"{honorific}{question.raiser_label}{village}"


def default_recipients(dialogue: Dialogue, questions) -> list[str]:
    """Recipients when the dialogue names none: the leaders' bodies, the parent union, the
    agencies that must act, and the archive."""
    agencies = []
    for question in questions:
        for agency in [c.agency for c in question.commitments] + [
                question.answer.forwarded_agency if question.answer else None]:
            if agency is not None and agency.name not in agencies:
                agencies.append(agency.name)
    unit = dialogue.unit
    lines = [f"Đảng ủy, HĐND, UBND {unit.name[:1].lower()}{unit.name[1:]} (để báo cáo)"]
    if unit.parent is not None and unit.parent.parent is not None:
        lines.append(f"{official.union_display_name(unit.parent)} (để báo cáo)")
    return lines + agencies + ["Lưu: VT"]


def lines(text: str | None) -> Markup:
    """User text with its line breaks kept, escaped."""
    return Markup("<br>").join(escape(line) for line in (text or "").splitlines())


def check_url(code: str) -> str:
    """The public check page of ``code``, absolute (``PUBLIC_URL`` when set, else this request's host)."""
    from flask import current_app, has_request_context, request, url_for

    path = (url_for("dialogues.check_document", code=code) if has_request_context()
            else current_app.url_map.bind("localhost").build("dialogues.check_document", {"code": code}))
    base = current_app.config.get("PUBLIC_URL") or (request.host_url if has_request_context() else "")
    return base.rstrip("/") + path


def minutes_context(dialogue: Dialogue, *, version: int | None = None, verify_code: str | None = None) -> dict:
    """Everything the minutes template needs. ``version`` None renders an unnumbered draft."""
    draft = version is None
    questions = questions_for(dialogue)
    raised = [q for q in questions if q.is_raised]
    outcomes = Counter(q.answer.outcome for q in raised if q.answer)
    recipients = dialogue.recipients.splitlines() if dialogue.recipients else default_recipients(dialogue, raised)
    commitments = [(q, c) for q in raised for c in q.commitments]
    # Version v shows the first v - 1 addenda (each addendum issued one version), whenever it is rendered.
    addenda = [] if draft else sorted(db.session.scalars(
        sa.select(Addendum).where(Addendum.dialogue_id == dialogue.id).order_by(Addendum.id).limit(version - 1)),
        key=lambda a: (a.written_on, a.id))
    return {
        **official.frame(dialogue.unit, doc_type="Biên bản", subject=dialogue.title, doc_date=dialogue.held_on,
                         signers=[("Thư ký", dialogue.secretary_name), ("Chủ trì", dialogue.chair_name)],
                         recipients=recipients, number=None if draft else dialogue.minutes_number_text,
                         header=dialogue.minutes_header, verify_code=verify_code,
                         verify_url=check_url(verify_code) if verify_code else None,
                         issuer_as_recipient=bool(current_app.config.get("MINUTES_ISSUER_AS_RECIPIENT"))),
        # minutes body
        "draft": draft,
        "version": version,
        "dialogue": dialogue,
        "leaders": leaders_for(dialogue),
        "roster": roster_breakdown(dialogue) if dialogue.attendees else [],
        "questions": raised,
        "not_raised": [q for q in questions if not q.is_raised],
        "collected": sum(1 for q in raised if q.origin is QuestionOrigin.collected),
        "outcomes": outcomes,
        "Outcome": AnswerOutcome,
        "commitments": commitments,
        "commitment_no": {c.id: i for i, (_q, c) in enumerate(commitments, start=1)},  # numbers in section III
        "addenda": addenda,
        "spoken_time": spoken_time,
        "lines": lines,
        "raiser_text": raiser_text,
        "percent": lambda part, whole: f"{100 * part / whole:.1f}".replace(".", ",") if whole else "0",
    }


def render_minutes(dialogue: Dialogue, *, version: int | None = None, verify_code: str | None = None) -> bytes:
    from app.pdf import render_pdf

    with force_locale("vi"):
        return render_pdf("pdf/minutes.html", **minutes_context(dialogue, version=version, verify_code=verify_code))


def minutes_pdf(dialogue: Dialogue, user) -> tuple[bytes, str] | None:
    """(PDF, file name) of the minutes ``user`` may download (the web page and the API): the latest
    issued version, or before approval a numberless draft, which agency readers do not get (None)."""
    from dialogues.access import is_agency_reader

    issue = dialogue.current_issue
    if issue is not None:
        return _logged(user, dialogue, read_stored(issue), issue.filename)
    if is_agency_reader(user) or dialogue.is_locked:  # approved, its first version still being made: no draft
        return None
    return _logged(user, dialogue, render_minutes(dialogue), f"du-thao-bien-ban-{dialogue.id}.pdf")


def issued_minutes_pdf(dialogue: Dialogue, version: int, user) -> tuple[bytes, str] | None:
    """(PDF, file name) of one issued version, or None when there is no such version."""
    from dialogues.models import MinutesIssue

    issue = db.session.scalar(sa.select(MinutesIssue).where(MinutesIssue.dialogue_id == dialogue.id,
                                                            MinutesIssue.version == version))
    return None if issue is None else _logged(user, dialogue, read_stored(issue), issue.filename)


def _logged(user, dialogue: Dialogue, data: bytes, filename: str) -> tuple[bytes, str]:
    """Minutes name every petitioner: each download goes into the export access log."""
    from app.services import log_export

    log_export(user, "dialogue_minutes_pdf", "Dialogue", dialogue.id, has_names=True)
    return data, filename
