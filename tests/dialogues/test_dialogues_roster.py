"""The dialogue roster: codes typed in are looked up in the officer's scope only (an out-of-scope
code reads exactly as an unknown one), and erased attendees are counted but never listed."""
import re

import pytest

from app.models import Role
from app.services import erase_person
from dialogues.models import DialogueAttendee
from dialogues.queries import roster_breakdown


@pytest.fixture
def officer(login_as):
    return login_as(Role.commune, "02020")


def add_codes(client, dialogue, codes: str):
    return client.post(f"/dialogues/{dialogue.id}/roster", data={"person_codes": codes})


def test_codes_are_added_from_within_the_scope(client, officer, create_dialogue, create_person, count):
    dialogue = create_dialogue()
    create_person("ban_ca", code="CD-01"), create_person("ban_ca", code="CD-02")
    assert add_codes(client, dialogue, "CD-01\n CD-02 \nCD-01").status_code == 302
    assert count(DialogueAttendee) == 2


def test_a_code_from_another_province_reads_as_an_unknown_code(client, officer, create_dialogue, create_person,
                                                               count):
    dialogue = create_dialogue()
    create_person("ban_ca", code="CD-01")
    create_person("08", code="TQ-01")  # Tuyên Quang: another province
    pages = {}
    for code in ("TQ-01", "KHONG-CO"):
        response = add_codes(client, dialogue, f"CD-01\n{code}")
        assert response.status_code == 200
        # The signed form tokens carry the second they were made: not part of the comparison.
        pages[code] = re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))
        assert f"Không có người tham gia mã “{code}” trong phạm vi của bạn." in pages[code]
    assert pages["TQ-01"].replace("TQ-01", "?") == pages["KHONG-CO"].replace("KHONG-CO", "?")
    assert count(DialogueAttendee) == 0  # nothing half-saved: the known code was not added either


def test_erased_attendees_are_counted_but_not_listed(client, officer, create_dialogue, create_person, db):
    dialogue = create_dialogue()
    kept, gone = create_person("ban_ca", code="CD-01", full_name="Lò Thị Mai"), create_person("ban_ca", code="CD-02")
    assert add_codes(client, dialogue, "CD-01\nCD-02").status_code == 302
    erase_person(gone)
    db.session.commit()
    html = client.get(f"/dialogues/{dialogue.id}/roster").get_data(as_text=True)
    assert kept.full_name in html and gone.code not in html and "(đã xóa)" not in html
    assert sum(row.total for row in roster_breakdown(dialogue)) == 2
