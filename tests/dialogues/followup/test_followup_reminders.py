"""`flask dialogues remind`: one digest per agency of its overdue items and items due within 7
days; by e-mail through SMTP when configured (a local fake SMTP server here), else to the
outbox; never twice for the same item and day, even when two runs overlap."""
import email
import email.policy
import socketserver
import threading
from datetime import date

import pytest
import sqlalchemy as sa

from app.models import Agency, Role
from dialogues.models import CommitmentStatus, OutboxMessage, ReminderLog
from dialogues.services import reminders

S = CommitmentStatus


class _SMTPSession(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 for smtplib: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 fake.local ESMTP")
        sender, recipients = None, []
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self.reply("250-fake.local")
                self.reply("250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 fake.local")
            elif verb == "MAIL":
                sender = command.split(":", 1)[1].strip(" <>").split(">")[0]
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip(" <>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.messages.append((sender, list(recipients), data))
                recipients = []
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class FakeSMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SMTPSession)
        self.messages = []

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def smtp_server(app, monkeypatch):
    server = FakeSMTPServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setitem(app.config, "SMTP_HOST", server.address)
    monkeypatch.setitem(app.config, "MAIL_FROM", "caunoi@hoiphunu.example")
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_smtp(app, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_HOST", "")


@pytest.fixture
def due_items(db, make_dialogue, commitments_of, ubnd_user):
    """Commitments of a dialogue on 2 May 2025; today is 2 June 2025."""
    days = {"overdue": 10, "due_today": 31, "in_3_days": 34, "in_7_days": 38, "in_8_days": 39,
            "resolved_late": 5, "extended": 20, "vhxh_overdue": 15}
    rows = commitments_of(make_dialogue(items=[("VHXH-02020" if k.startswith("vhxh") else "UBND-02020", d)
                                               for k, d in days.items()]))
    items = dict(zip(days, rows))
    items["resolved_late"].move_to(S.in_progress, ubnd_user)
    items["resolved_late"].move_to(S.resolved, ubnd_user, "Xong")
    items["extended"].extend_deadline(date(2025, 6, 7), ubnd_user, "Gia hạn theo quyết định")
    items["overdue"].move_to(S.in_progress, ubnd_user)
    draft = commitments_of(make_dialogue(items=[("UBND-02020", 5)], approve=False))[0]  # minutes not approved
    db.session.commit()
    return items | {"draft": draft}


def test_digest_lists_overdue_and_due_within_seven_days_per_agency(db, due_items, agencies):
    due = reminders.due_by_agency(date(2025, 6, 2))
    ids = {agency.code: [c.id for c in items] for agency, items in due.items()}
    expected = ["overdue", "due_today", "in_3_days", "extended", "in_7_days"]  # by deadline
    assert ids == {"UBND-02020": [due_items[k].id for k in expected], "VHXH-02020": [due_items["vhxh_overdue"].id]}


def test_digest_text(db, due_items, agencies, no_smtp):
    ubnd = agencies["UBND-02020"]
    message = reminders.remind_agency(ubnd, reminders.due_by_agency(date(2025, 6, 2))[ubnd], date(2025, 6, 2))
    db.session.commit()
    assert (message.item_count, message.overdue_count, message.sent_dt) == (5, 1, None)
    assert message.subject == "Nhắc việc ngày 02/06/2025: 1 cam kết quá hạn, 4 sắp đến hạn – Ủy ban nhân dân xã Chợ Đồn"
    body = message.body
    assert body.startswith(f"Kính gửi: {ubnd.name}")
    overdue, due = body.split("ĐẾN HẠN TRONG 7 NGÀY TỚI (4):")
    assert "QUÁ HẠN (1):" in overdue and "Cam kết 1 của UBND-02020" in overdue
    assert "Thời hạn: 12/05/2025 (quá hạn 21 ngày)" in overdue and "Trạng thái: Đang thực hiện" in overdue
    assert "Thời hạn: 02/06/2025 (hôm nay)" in due and "Thời hạn: 05/06/2025 (còn 3 ngày)" in due
    assert "Thời hạn: 07/06/2025 (còn 5 ngày); đã gia hạn từ 22/05/2025" in due
    assert "Cam kết 5 của UBND-02020" not in body and "Cam kết 6 của UBND-02020" not in body  # 8 days, resolved
    assert "Cam kết 8 của VHXH-02020" not in body  # another agency's digest


def test_outbox_path_when_smtp_is_not_configured(db, runner, due_items, no_smtp, count):
    result = runner.invoke(args=["dialogues", "remind"])
    assert result.exit_code == 0, result.output
    assert "2 bản nhắc việc, 0 gửi qua thư, 2 trong hộp thư đi" in result.output
    rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(r.item_count, r.sent_dt, r.day) for r in rows] == [(5, None, date(2025, 6, 2)),
                                                                 (1, None, date(2025, 6, 2))]
    assert count(ReminderLog) == 6
    assert all(log.outbox_id is not None for log in db.session.scalars(sa.select(ReminderLog)))


def test_email_path_through_smtp(db, runner, due_items, agencies, create_user, smtp_server):
    reader = create_user(Role.authority, "02020", agency=agencies["UBND-02020"])
    reader.email = "vanphong@chodon.example"
    gone = create_user(Role.authority, "02020", agency=agencies["UBND-02020"])
    gone.email, gone.is_active_account = "nghi-viec@chodon.example", False
    officer = create_user(Role.commune, "02020")
    officer.email = "hoi@chodon.example"
    db.session.commit()
    result = runner.invoke(args=["dialogues", "remind"])
    assert result.exit_code == 0, result.output
    assert "UBND-02020\t5 mục (1 quá hạn)\te-mail" in result.output
    assert "VHXH-02020\t1 mục (1 quá hạn)\toutbox" in result.output  # nobody there has an address
    assert len(smtp_server.messages) == 1
    sender, recipients, data = smtp_server.messages[0]
    assert sender == "caunoi@hoiphunu.example" and recipients == ["vanphong@chodon.example"]
    mail = email.message_from_bytes(data, policy=email.policy.default)
    assert mail["Subject"].startswith("Nhắc việc ngày 02/06/2025: 1 cam kết quá hạn, 4 sắp đến hạn")
    assert "Thời hạn: 12/05/2025 (quá hạn 21 ngày)" in mail.get_content()
    sent = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.agency_id == agencies["UBND-02020"].id))
    assert sent.sent_dt is not None and sent.recipients == "vanphong@chodon.example"


def test_running_twice_on_one_day_sends_once(db, runner, due_items, agencies, create_user, smtp_server, count):
    reader = create_user(Role.authority, "02020", agency=agencies["UBND-02020"])
    reader.email = "vanphong@chodon.example"
    db.session.commit()
    assert runner.invoke(args=["dialogues", "remind"]).exit_code == 0
    again = runner.invoke(args=["dialogues", "remind"])
    assert again.exit_code == 0 and "0 bản nhắc việc" in again.output
    assert len(smtp_server.messages) == 1 and count(OutboxMessage) == 2 and count(ReminderLog) == 6


def test_next_day_reminds_again(db, runner, due_items, no_smtp, clock_now, count):
    assert runner.invoke(args=["dialogues", "remind"]).exit_code == 0
    clock_now.day = date(2025, 6, 3)
    result = runner.invoke(args=["dialogues", "remind"])
    assert "2 bản nhắc việc" in result.output
    # 3 June: "in 8 days" (10 June) is now within 7 days
    assert count(ReminderLog) == 6 + 7


def test_an_item_already_reminded_today_is_left_out_of_a_later_digest(db, due_items, agencies, no_smtp):
    ubnd, day = agencies["UBND-02020"], date(2025, 6, 2)
    first = reminders.due_by_agency(day)[ubnd]
    db.session.execute(sa.insert(ReminderLog).values(commitment_id=first[0].id, day=day))  # another run took it
    message = reminders.remind_agency(ubnd, first, day)
    assert message.item_count == len(first) - 1 and first[0].description not in message.body


def test_mail_failure_records_nothing_and_the_next_run_sends(db, app, runner, due_items, agencies, create_user,
                                                             smtp_server, monkeypatch, count):
    reader = create_user(Role.authority, "02020", agency=agencies["UBND-02020"])
    reader.email = "vanphong@chodon.example"
    db.session.commit()
    working = app.config["SMTP_HOST"]
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1:1")  # nothing listens there
    failed = runner.invoke(args=["dialogues", "remind"])
    assert failed.exit_code != 0 and "Không gửi được: UBND-02020" in failed.output
    assert count(ReminderLog) == 1 and count(OutboxMessage) == 1  # only VHXH's outbox digest went through
    monkeypatch.setitem(app.config, "SMTP_HOST", working)
    retried = runner.invoke(args=["dialogues", "remind"])
    assert retried.exit_code == 0 and len(smtp_server.messages) == 1 and count(ReminderLog) == 6


def test_remind_for_a_given_date(db, runner, due_items, no_smtp):
    result = runner.invoke(args=["dialogues", "remind", "--date", "2025-05-01"])
    assert result.exit_code == 0 and "Ngày 01/05/2025: 0 bản nhắc việc" in result.output
    assert runner.invoke(args=["dialogues", "remind", "--date", "2025-13-01"]).exit_code != 0


def test_remind_for_a_future_date_is_refused_and_writes_nothing(db, runner, due_items, no_smtp, clock_now, count):
    result = runner.invoke(args=["dialogues", "remind", "--date", "2025-06-03"])  # today is 2 June
    assert result.exit_code != 0 and "không thể sau hôm nay (02/06/2025)" in result.output
    assert count(ReminderLog) == 0 and count(OutboxMessage) == 0
    # The real run of that day still reminds everything due then.
    clock_now.day = date(2025, 6, 3)
    assert runner.invoke(args=["dialogues", "remind"]).exit_code == 0 and count(ReminderLog) > 0


def test_concurrent_runs_remind_once(app, db, due_items, agencies, no_smtp, count):
    """Two runs overlap: the second blocks on the unique key until the first commits, then
    claims nothing (PostgreSQL row locks; SQLite's single writer gives the same result)."""
    agency_id, day = agencies["UBND-02020"].id, date(2025, 6, 2)  # read here: the threads have their own sessions
    first_claimed, release, results = threading.Event(), threading.Event(), {}

    def run(name, hold):
        with app.app_context():
            from app.extensions import db as session_db

            agency = session_db.session.get(Agency, agency_id)
            items = reminders.due_by_agency(day).get(agency, [])
            if not hold:
                first_claimed.wait(10)
            message = reminders.remind_agency(agency, items, day) if items else None
            if hold:
                first_claimed.set()
                release.wait(10)
            session_db.session.commit()
            results[name] = message.item_count if message else 0
            session_db.session.remove()

    first = threading.Thread(target=run, args=("first", True))
    second = threading.Thread(target=run, args=("second", False))
    first.start()
    second.start()
    first_claimed.wait(10)
    threading.Timer(0.5, release.set).start()  # let the second run reach the claim and wait on it
    first.join(20)
    second.join(20)
    assert results == {"first": 5, "second": 0}
    assert count(OutboxMessage) == 1 and count(ReminderLog) == 5


# --- the outbox page -------------------------------------------------------------------------

def test_outbox_page_shows_digests_in_scope(db, client, login_as, runner, due_items, make_dialogue, no_smtp):
    make_dialogue("02086", items=[("UBND-02086", 5)])
    assert runner.invoke(args=["dialogues", "remind"]).exit_code == 0
    login_as(Role.commune, "02020")
    page = client.get("/dialogues/outbox/").get_data(as_text=True)
    assert "Cam kết 1 của UBND-02020" in page and "của UBND-02086" not in page and "chưa gửi thư" in page
    login_as(Role.province, "19")
    page = client.get("/dialogues/outbox/").get_data(as_text=True)
    assert "Cam kết 1 của UBND-02020" in page and "Cam kết 1 của UBND-02086" in page
    login_as(Role.commune, "02086")
    page = client.get("/dialogues/outbox/").get_data(as_text=True)
    assert "UBND-02020" not in page and "Cam kết 1 của UBND-02086" in page


def test_outbox_shows_no_digest_listing_commitments_out_of_scope(db, client, login_as, make_dialogue, no_smtp):
    """UBND Chợ Đồn owes an item of the province's dialogue: its digest lists it, so the commune's
    officers (who cannot open the province's dialogue) do not get that digest; the province does."""
    make_dialogue(unit="19", items=[("UBND-02020", 30)], title="Đối thoại cấp tỉnh")
    for agency, items in reminders.due_by_agency(date(2025, 6, 2)).items():
        reminders.remind_agency(agency, items, date(2025, 6, 2))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 1
    login_as(Role.commune, "02020")
    page = client.get("/dialogues/outbox/").get_data(as_text=True)
    assert "Cam kết 1 của UBND-02020" not in page
    login_as(Role.province, "19")
    assert "Cam kết 1 của UBND-02020" in client.get("/dialogues/outbox/").get_data(as_text=True)
