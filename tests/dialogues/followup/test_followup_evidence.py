"""Evidence files: type read from the bytes, size limit, names without paths, storage with the
SHA-256, and downloads only for users in scope (always as an attachment, never sniffed)."""
import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from app.models import Role
from app.services import ServiceError
from dialogues.services.evidence import check_upload, detect_type
from dialogues.models import CommitmentAttachment, CommitmentEvent, CommitmentEventKind
from dialogues.services import follow_up
from factories import real_pdf

def image(kind: str) -> bytes:
    """A real 2x2 image (Pillow writes it; an image must decode to pass)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 30, 90)).save(buffer, kind)
    return buffer.getvalue()


PNG = image("PNG")
JPEG = image("JPEG")
LIMIT = 10 * 1024 * 1024


def zipped(entries: dict[str, bytes], first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if first:
            archive.writestr(zipfile.ZipInfo(first), entries.pop(first))  # ODF: "mimetype" first, stored
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"}, "mimetype")
PDF = real_pdf()
# What closed a commitment as resolved before #14: 35 bytes of text behind a PDF header.
FAKE_PDF = b"%PDF-1.4\nthis is only a text file.\n"


@pytest.mark.parametrize("data, kind", [
    (PDF, "pdf"), (PNG, "png"), (JPEG, "jpeg"), (image("GIF"), "gif"), (image("WEBP"), "webp"),
    (FAKE_PDF, None), (b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", None),
    (PDF[:len(PDF) // 2], None), (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", None), (b"GIF89a\x01\x00\x01\x00", None),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", None), (PNG[:40], None), (DOCX, "docx"), (XLSX, "xlsx"), (ODT, "odt"),
    (b"Bien ban gia mao, chi la van ban", None), (b"PK\x03\x04 not really a zip", None),
    (zipped({"readme.txt": b"hi"}), None),
    (zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"x", "word/vbaProject.bin": b"x"}), None),
    (b"\x89PNG\r\n\x1a\nnot a png header", None), (b"", None),
])
def test_type_is_read_from_the_bytes(data, kind):
    assert detect_type(data) == kind


@pytest.mark.parametrize("name, data", [
    ("bao-cao.pdf", PDF), ("anh hiện trường.PNG", PNG), ("ket-qua.docx", DOCX), ("so-lieu.xlsx", XLSX),
    ("bien-ban.odt", ODT), ("anh.jpeg", JPEG),
])
def test_real_files_pass(name, data):
    checked = check_upload(name, data, LIMIT)
    assert checked.filename == name and checked.data == data


@pytest.mark.parametrize("name, data, message", [
    ("bien-ban.pdf", b"Day la van ban thuong, doi ten thanh .pdf", "có đuôi .pdf nhưng nội dung không phải tệp PDF"),
    ("bien-ban.pdf", FAKE_PDF, "có đuôi .pdf nhưng nội dung không phải tệp PDF"),
    ("anh.png", PDF, "có đuôi .png nhưng nội dung không phải tệp PNG"),
    ("ket-qua.docx", zipped({"readme.txt": b"x"}), "không phải tệp Word (docx) thật"),
    ("virus.exe", b"MZ\x90\x00", "Chỉ nhận tệp PDF, ảnh"),
    ("khong-duoi", PDF, "Chỉ nhận tệp PDF, ảnh"),
    ("../../etc/passwd.pdf", PDF, "không được chứa đường dẫn"),
    ("C:\\Users\\can-bo\\bao-cao.pdf", PDF, "không được chứa đường dẫn"),
    ("bao\x00cao.pdf", PDF, "không được chứa đường dẫn"),
    ("", PDF, "Hãy chọn một tệp minh chứng."),
    ("rong.pdf", b"", "rỗng"),
    ("x" * 197 + ".pdf", PDF, "Tên tệp dài quá 200 ký tự."),
])
def test_bad_files_are_refused_with_a_clear_message(name, data, message):
    with pytest.raises(ServiceError) as refused:
        check_upload(name, data, LIMIT)
    assert message in refused.value.message and refused.value.field == "file"


def test_oversized_file_is_refused(app, db, commitment, ubnd_user, count, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_BYTES", 1024)
    big = PDF + b"0" * 2000
    with pytest.raises(ServiceError) as refused:
        follow_up.update_commitment(commitment, ubnd_user, evidence=follow_up.Evidence("lon.pdf", big))
    assert "lớn quá giới hạn" in refused.value.message
    assert count(CommitmentAttachment) == 0 and count(CommitmentEvent) == 0


def test_real_png_is_stored_with_its_hash_and_a_timeline_row(app, db, commitment, ubnd_user):
    event = follow_up.update_commitment(commitment, ubnd_user, note="Ảnh hiện trường",
                                        evidence=follow_up.Evidence("hien-truong.png", PNG))
    db.session.commit()
    attachment = event.attachment
    assert event.kind is CommitmentEventKind.attachment and event.note == "Ảnh hiện trường"
    assert (attachment.file_type, attachment.content_type, attachment.size_bytes) == ("png", "image/png", len(PNG))
    assert attachment.sha256 == hashlib.sha256(PNG).hexdigest() and attachment.uploaded_by_id == ubnd_user.id
    stored = Path(app.config["STORAGE_DIR"]) / attachment.storage_key
    assert stored.read_bytes() == PNG and attachment.storage_key.startswith("evidence/")


def test_status_change_with_evidence_makes_two_rows_and_a_bad_file_makes_none(db, commitment, ubnd_user, count):
    with pytest.raises(ServiceError):
        follow_up.update_commitment(commitment, ubnd_user, status=follow_up.CommitmentStatus.in_progress,
                                    note="Bắt đầu", evidence=follow_up.Evidence("gia.pdf", b"khong phai pdf"))
    db.session.rollback()
    assert commitment.status.value == "open" and count(CommitmentEvent) == 0
    follow_up.update_commitment(commitment, ubnd_user, status=follow_up.CommitmentStatus.in_progress,
                                note="Bắt đầu", evidence=follow_up.Evidence("ke-hoach.pdf", PDF))
    db.session.commit()
    assert [e.kind.value for e in commitment.events] == ["status", "attachment"]


def test_same_file_twice_is_refused(db, commitment, ubnd_user, count):
    follow_up.update_commitment(commitment, ubnd_user, evidence=follow_up.Evidence("a.png", PNG))
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        follow_up.update_commitment(commitment, ubnd_user, evidence=follow_up.Evidence("b.png", PNG))
    assert "đã được đính kèm" in refused.value.message and count(CommitmentAttachment) == 1


# --- through the screens -------------------------------------------------------------------

def upload(client, commitment, name, data, **fields):
    return client.post(f"/dialogues/commitments/{commitment.id}/update", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name), "token": "", **fields})


@pytest.mark.parametrize("name, data, message", [
    ("bien-ban.pdf", b"van ban thuong", "nhưng nội dung không phải tệp PDF thật"),
    ("../bien-ban.pdf", PDF, "không được chứa đường dẫn"),
])
def test_bad_upload_on_the_form_shows_the_message_and_stores_nothing(client, login_as, agencies, commitment, count,
                                                                     name, data, message):
    login_as(Role.authority, "02020", agency=agencies["UBND-02020"])
    response = upload(client, commitment, name, data, status="in_progress")
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert count(CommitmentAttachment) == 0 and count(CommitmentEvent) == 0


def test_oversized_upload_on_the_form(app, client, login_as, agencies, commitment, count, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_BYTES", 2048)
    login_as(Role.authority, "02020", agency=agencies["UBND-02020"])
    response = upload(client, commitment, "lon.png", PNG + bytes(5000))
    assert "“lon.png” lớn quá giới hạn 2 KB." in response.get_data(as_text=True)
    assert count(CommitmentAttachment) == 0


def test_download_is_an_attachment_with_nosniff(client, db, login_as, agencies, commitment):
    login_as(Role.authority, "02020", agency=agencies["UBND-02020"])
    assert upload(client, commitment, "anh.png", PNG).status_code == 302
    attachment = db.session.query(CommitmentAttachment).one()
    response = client.get(f"/dialogues/commitments/{commitment.id}/files/{attachment.id}")
    assert response.status_code == 200 and response.data == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]


@pytest.fixture
def evidence_urls(db, make_dialogue, commitments_of, agencies):
    """A PNG on a UBND-02020 commitment and one on a UBND-02086 commitment."""
    urls = {}
    for unit, code in (("02020", "UBND-02020"), ("02086", "UBND-02086")):
        commitment = commitments_of(make_dialogue(unit=unit, items=[(code, 30)]))[0]
        event = follow_up.update_commitment(commitment, None, evidence=follow_up.Evidence("anh.png", PNG))
        db.session.commit()
        urls[code] = f"/dialogues/commitments/{commitment.id}/files/{event.attachment_id}"
    return urls


@pytest.mark.parametrize("role, unit, agency, sees", [
    (Role.commune, "02020", None, {"UBND-02020"}),
    (Role.commune, "02086", None, {"UBND-02086"}),
    (Role.province, "19", None, {"UBND-02020", "UBND-02086"}),
    (Role.province, "08", None, set()),
    (Role.authority, "02020", "UBND-02020", {"UBND-02020"}),
    (Role.authority, "02020", "VHXH-02020", set()),
])
def test_download_only_in_scope(client, login_as, agencies, evidence_urls, role, unit, agency, sees):
    login_as(role, unit, **({"agency": agencies[agency]} if agency else {}))
    for code, url in evidence_urls.items():
        assert client.get(url).status_code == (200 if code in sees else 404), (code, url)


def test_attachment_of_another_commitment_is_not_reachable_through_mine(client, login_as, agencies, evidence_urls,
                                                                        make_dialogue, commitments_of):
    mine = commitments_of(make_dialogue(items=[("UBND-02020", 30)]))[0]
    other_attachment = evidence_urls["UBND-02086"].rsplit("/", 1)[1]
    login_as(Role.authority, "02020", agency=agencies["UBND-02020"])
    assert client.get(f"/dialogues/commitments/{mine.id}/files/{other_attachment}").status_code == 404


# --- issue #14: a result note to resolve, evidence withdrawn but never deleted ------------------

def _held_commitment(create_dialogue):
    dialogue = create_dialogue(status="approved", questions=1, commitments=1)
    return dialogue.questions[0].commitments[0]


def test_resolving_needs_a_result_note(create_dialogue, db):
    from dialogues.models import CommitmentStatus

    commitment = _held_commitment(create_dialogue)
    follow_up.update_commitment(commitment, None, status=CommitmentStatus.in_progress)
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        follow_up.update_commitment(commitment, None, status=CommitmentStatus.resolved, evidence=follow_up.Evidence(
            "bao-cao.pdf", PDF))
    assert "ghi kết quả" in refused.value.message and refused.value.field == "note"
    db.session.rollback()
    follow_up.update_commitment(commitment, None, status=CommitmentStatus.resolved, note="Đã cấp 12 suất vay")
    assert commitment.status is CommitmentStatus.resolved


def test_the_fake_pdf_of_the_issue_does_not_close_a_commitment(create_dialogue, count):
    from dialogues.models import CommitmentStatus

    commitment = _held_commitment(create_dialogue)
    follow_up.update_commitment(commitment, None, status=CommitmentStatus.in_progress)
    with pytest.raises(ServiceError):
        follow_up.update_commitment(commitment, None, status=CommitmentStatus.resolved, note="Xong",
                                    evidence=follow_up.Evidence("ket-qua.pdf", FAKE_PDF))
    assert count(CommitmentAttachment) == 0


def test_withdrawn_evidence_stays_in_the_history(client, login_as, create_dialogue, db, count):
    from dialogues.models import AttachmentWithdrawal

    commitment = _held_commitment(create_dialogue)
    event = follow_up.update_commitment(commitment, None, note="Ảnh", evidence=follow_up.Evidence("nham.png", PNG))
    db.session.commit()
    login_as(Role.commune, "02020")
    url = f"/dialogues/commitments/{commitment.id}/files/{event.attachment_id}/withdraw"
    refused = client.post(url, data={"token": "w1", "reason": ""})
    assert refused.status_code == 200 and count(AttachmentWithdrawal) == 0
    assert client.post(url, data={"token": "w2", "reason": "Đính kèm nhầm ảnh"}).status_code == 302
    assert client.post(url, data={"token": "w2", "reason": "Đính kèm nhầm ảnh"}).status_code == 302  # resubmit
    assert count(AttachmentWithdrawal) == 1 and count(CommitmentAttachment) == 1  # nothing deleted
    again = client.post(url, data={"token": "w3", "reason": "Lần nữa"})
    assert "đã được rút trước đó" in again.get_data(as_text=True)
    page = client.get(f"/dialogues/commitments/{commitment.id}").get_data(as_text=True)
    assert "<del>nham.png</del>" in page and "Đã rút" in page and "Rút minh chứng “nham.png”: Đính kèm nhầm ảnh" in page
    assert client.get(f"/dialogues/commitments/{commitment.id}/files/{event.attachment_id}").status_code == 200
