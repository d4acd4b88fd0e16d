"""``flask dialogues ...`` and the demo data: exact forms, one clear line on error, same rules
as the screens."""
import sqlalchemy as sa

from app.models import Role
from dialogues import services
from dialogues.models import Commitment, Dialogue, DialogueStatus, MinutesIssue, DialogueQuestion


def one_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def test_minutes_command_writes_a_draft_or_the_issued_copy(runner, create_dialogue, tmp_path):
    held = create_dialogue(status="held", questions=2)
    draft = tmp_path / "draft.pdf"
    result = runner.invoke(args=["dialogues", "minutes", str(held.id), "--out", str(draft)])
    assert result.exit_code == 0 and "dự thảo" in result.output
    assert draft.read_bytes().startswith(b"%PDF")
    approved = create_dialogue(status="approved", questions=1)
    issued = tmp_path / "issued.pdf"
    result = runner.invoke(args=["dialogues", "minutes", str(approved.id), "--out", str(issued)])
    assert result.exit_code == 0 and "01/BB-HLHPN" in result.output
    assert issued.read_bytes() == services.read_issue(approved.current_issue)


def test_minutes_command_errors(runner, create_dialogue, tmp_path):
    assert "Không có cuộc đối thoại số 999" in one_line(
        runner.invoke(args=["dialogues", "minutes", "999", "--out", str(tmp_path / "x.pdf")]))
    dialogue = create_dialogue(status="approved", questions=1)
    result = runner.invoke(args=["dialogues", "minutes", str(dialogue.id), "--out", str(tmp_path / "x.pdf"),
                                 "--version", "7"])
    assert result.exit_code != 0 and "lần 7" in one_line(result)


def test_approve_command(runner, create_dialogue, create_user, db):
    officer = create_user(Role.commune, "02020", username="chodon_cli")
    other = create_user(Role.commune, "02086", username="chomoi_cli")
    dialogue = create_dialogue(status="held", questions=1)
    refused = runner.invoke(args=["dialogues", "approve", str(dialogue.id), "--user", other.username])
    assert refused.exit_code != 0 and "không quản lý" in one_line(refused)
    unknown = runner.invoke(args=["dialogues", "approve", str(dialogue.id), "--user", "nobody"])
    assert unknown.exit_code != 0 and "Không có người dùng" in one_line(unknown)
    result = runner.invoke(args=["dialogues", "approve", str(dialogue.id), "--user", officer.username])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    fresh = db.session.get(Dialogue, dialogue.id)
    assert fresh.status is DialogueStatus.approved and fresh.approved_by_id == officer.id
    assert fresh.history[-1].user_id == officer.id
    again = runner.invoke(args=["dialogues", "approve", str(dialogue.id), "--user", officer.username])
    assert again.exit_code != 0 and "đã được duyệt" in one_line(again)


def test_add_question_command(runner, create_dialogue, categories, agencies, db):
    dialogue = create_dialogue()
    ok = runner.invoke(args=["dialogues", "add-question", str(dialogue.id), "--content", "Đề nghị sửa bể nước",
                             "--raised-by", "Chi hội bản Bản Ca", "--group", "--collected", "--category",
                             "infrastructure", "--agency", "UBND-02020"])
    assert ok.exit_code == 0 and "số 1" in ok.output
    question = db.session.scalar(sa.select(DialogueQuestion))
    assert question.category_id == categories["infrastructure"] and not question.is_raised
    for args, message in [
        (["--content", ""], "đang để trống"),
        (["--content", "Ý kiến", "--raised-by", "A", "--agency", "NOPE"], "Không có cơ quan mã “NOPE”"),
        (["--content", "Ý kiến", "--raised-by", "A", "--agency", "UBND-02086"], "Không có cơ quan này"),
        (["--content", "Ý kiến", "--raised-by", "A", "--category", "nope"], "Không có lĩnh vực mã “nope”"),
        (["--content", "Ý kiến"], "nhập tên người nêu ý kiến"),
    ]:
        result = runner.invoke(args=["dialogues", "add-question", str(dialogue.id), *args])
        assert result.exit_code != 0 and message in one_line(result), (args, result.output)
    assert db.session.scalar(sa.select(sa.func.count(DialogueQuestion.id))) == 1


def test_addendum_and_verify_commands(runner, create_dialogue, create_user, tmp_path, db):
    officer = create_user(Role.commune, "02020", username="chodon_cli2")
    dialogue = create_dialogue(status="approved", questions=1)
    first = tmp_path / "v1.pdf"
    first.write_bytes(services.read_issue(dialogue.current_issue))
    result = runner.invoke(args=["dialogues", "add-addendum", str(dialogue.id), "--text", "Bổ sung đại biểu.",
                                 "--user", officer.username])
    assert result.exit_code == 0 and "lần 2" in result.output
    verified = runner.invoke(args=["dialogues", "verify", str(first)])
    assert verified.exit_code == 0 and "bản phát hành lần 1" in verified.output and "nguyên vẹn" in verified.output
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(first.read_bytes() + b"\n")
    refused = runner.invoke(args=["dialogues", "verify", str(forged)])
    assert refused.exit_code != 0 and "Không khớp" in one_line(refused)


def test_demo_adds_the_ban_ca_dialogue_once(runner, db):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    dialogues = db.session.scalars(sa.select(Dialogue).order_by(Dialogue.id)).all()
    assert len(dialogues) == 2
    ban_ca, na_nguoc = dialogues
    assert ban_ca.venue_unit.name == "Bản Ca" and ban_ca.unit.code == "02020"
    assert ban_ca.status is DialogueStatus.approved and ban_ca.minutes_number_text == "01/BB-HLHPN"
    assert len(ban_ca.questions) == 10
    # made at the meeting (the follow-up demo adds a copy forwarded to the Department of Health)
    assert db.session.scalar(sa.select(sa.func.count(Commitment.id)).where(
        Commitment.forwarded_from_id.is_(None), Commitment.is_petition.is_(False))) == 5
    # and the petition forwarded in writing to the Department of Health, followed there
    (petition,) = db.session.scalars(sa.select(Commitment).where(Commitment.is_petition.is_(True))).all()
    assert petition.agency.code == "SYT-19" and petition.letter_number == "45/UBND-VP"
    assert {c.agency.code for q in ban_ca.questions for c in q.commitments} == {"UBND-02020", "VHXH-02020"}
    assert db.session.scalar(sa.select(sa.func.count(MinutesIssue.id))) == 1
    assert na_nguoc.status is DialogueStatus.planned and all(not q.is_raised for q in na_nguoc.questions)
