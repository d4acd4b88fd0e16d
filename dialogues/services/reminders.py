"""Daily reminder digests for agencies: items due within 7 days and overdue items.

Run by ``flask dialogues remind`` (cron), one agency at a time: the caller commits after each
agency, so an e-mail sent is recorded at once and one agency's mail failure does not undo the
others'. Each digest is kept in the outbox; it is e-mailed to the agency's users when SMTP is
configured and they have addresses, otherwise it waits there to be read in the app.

Never twice for the same item and day: the items are claimed by inserting (commitment, day)
rows into ``reminder_log`` with ON CONFLICT DO NOTHING before the digest is written. A second
run that day claims nothing; a concurrent run blocks on the unique key until the first commits
(then claims nothing) or rolls back (then sends in its place). A crash between sending and
committing would let the next run send again: at least once, never silently lost.

Digests are written in Vietnamese whatever the server locale: they are official notices.
"""
from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from itertools import groupby

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale, gettext as _
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Agency, Role, User, utcnow
from app.services import ServiceError
from dialogues.labels import commitment_status
from dialogues.models import Commitment, Dialogue, DialogueQuestion, DialogueStatus, OutboxMessage, ReminderLog

WINDOW_DAYS = 7


@dataclass
class DigestItem:
    commitment: Commitment
    days_left: int  # negative when overdue

    @property
    def is_overdue(self) -> bool:
        return self.days_left < 0


def due_by_agency(day: date, window: int = WINDOW_DAYS) -> dict[Agency, list[Commitment]]:
    """Open commitments of approved minutes that are overdue or due within ``window`` days and
    were not yet reminded on ``day``, grouped by owning agency (one query)."""
    reminded = sa.select(ReminderLog.commitment_id).where(ReminderLog.day == day)
    rows = db.session.scalars(
        sa.select(Commitment).join(Commitment.question).join(DialogueQuestion.dialogue)
        .where(Dialogue.status == DialogueStatus.approved,
               sa.or_(Commitment.overdue_on(day), Commitment.due_within(day, window)),
               Commitment.id.not_in(reminded))
        .options(joinedload(Commitment.agency),
                 joinedload(Commitment.question).joinedload(DialogueQuestion.dialogue).joinedload(Dialogue.unit))
        .order_by(Commitment.agency_id, Commitment.deadline, Commitment.id)).all()
    return {agency: list(items) for agency, items in groupby(rows, key=lambda c: c.agency)}


def _claim(commitment_ids: list[int], day: date) -> set[int]:
    """Insert the (commitment, day) rows; return the ids this transaction got (others already had them)."""
    table = ReminderLog.__table__
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    now = utcnow()
    stmt = (insert(table).values([{"commitment_id": cid, "day": day, "created_dt": now} for cid in commitment_ids])
            .on_conflict_do_nothing(index_elements=["commitment_id", "day"]).returning(table.c.commitment_id))
    return set(db.session.execute(stmt).scalars())


def agency_addresses(agency: Agency) -> list[str]:
    return list(db.session.scalars(
        sa.select(User.email).where(User.agency_id == agency.id, User.role == Role.authority,
                                    User.is_active_account, User.email.is_not(None), User.email != "")
        .order_by(User.email)))


def remind_agency(agency: Agency, commitments: list[Commitment], day: date) -> OutboxMessage | None:
    """Claim the items, write the digest to the outbox and e-mail it when possible. Returns the
    digest, or None when another run already reminded every item today."""
    claimed = _claim([c.id for c in commitments], day)
    items = [DigestItem(c, (c.deadline - day).days) for c in commitments if c.id in claimed]
    if not items:
        return None
    overdue = [i for i in items if i.is_overdue]
    due = [i for i in items if not i.is_overdue]
    addresses = agency_addresses(agency)
    subject = f"Nhắc việc ngày {day:%d/%m/%Y}: {len(overdue)} cam kết quá hạn, {len(due)} sắp đến hạn – {agency.name}"
    with force_locale("vi"):  # status labels in the body
        body = render_template("dialogues/reminder_digest.txt", agency=agency, day=day, overdue=overdue, due=due,
                               window=WINDOW_DAYS, public_url=current_app.config.get("PUBLIC_URL", ""),
                               commitment_status=commitment_status)
    message = OutboxMessage(day=day, agency=agency, recipients="\n".join(addresses), subject=subject[:300],
                            body=body, item_count=len(items), overdue_count=len(overdue))
    db.session.add(message)
    db.session.flush()
    db.session.execute(sa.update(ReminderLog).where(ReminderLog.day == day, ReminderLog.commitment_id.in_(claimed))
                       .values(outbox_id=message.id))
    if current_app.config.get("SMTP_HOST") and addresses:
        send_mail(addresses, message.subject, body)
        message.sent_dt = utcnow()
    db.session.flush()
    return message


def send_mail(recipients: list[str], subject: str, body: str) -> None:
    """Send a plain-text UTF-8 message through ``SMTP_HOST`` ("host" or "host:port")."""
    config = current_app.config
    host, _sep, port = config["SMTP_HOST"].partition(":")
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(host, int(port or 25), timeout=30) as smtp:
            if config.get("SMTP_STARTTLS"):
                smtp.starttls()
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD", ""))
            smtp.send_message(message)
    except (OSError, ValueError, smtplib.SMTPException) as exc:
        raise ServiceError(_("Không gửi được thư qua %(host)s: %(error)s", host=config["SMTP_HOST"],
                             error=str(exc)[:200]), "smtp") from exc
