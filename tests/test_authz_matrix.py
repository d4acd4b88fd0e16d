"""Authorization matrix generated from the app's URL map.

Every route must have an entry here (a new route without one fails), and every entry is checked for
every role against an object inside the user's scope and one outside it: allowed roles get a normal
answer in scope and 404 out of scope, other roles 403, anonymous visitors the login page.

JSON API routes (token, not session) declare their roles once, in their route declaration
(``app.api.openapi.OPERATIONS``); tests/app/api/test_api_matrix.py checks them the same way.
"""
import pytest
import sqlalchemy as sa

from app import services
from app.models import Role, Unit, UnitLevel

A, P, C, T, U = Role.admin, Role.province, Role.commune, Role.trainer, Role.authority
ALL = frozenset(Role)
STAFF = frozenset({A, P, C, T})

# Reachable without logging in (the public phone form, the login page, assets).
PUBLIC = {"static", "auth.login", "core.index", "core.set_language",
          "surveys_public.show_form", "surveys_public.submit_form",
          # the phone's offline script: its service worker and the address its queue sends to
          "surveys_public.service_worker", "surveys_public.sync_answer",
          # the check page printed (with a QR code) on issued minutes: no login, no content shown
          "dialogues.check_document"}

# endpoint: (method, URL template, roles allowed, kind of object in the URL or None)
MATRIX = {
    "auth.logout": ("POST", "/logout", ALL, None),
    "auth.change_password_view": ("GET", "/account/password", ALL, None),
    "auth.logout_everywhere": ("POST", "/account/logout-everywhere", ALL, None),
    "core.home": ("GET", "/home", ALL, None),
    "core.list_units": ("GET", "/units/", ALL, None),
    "core.show_unit": ("GET", "/units/{commune}", ALL, "commune"),
    "core.create_village": ("POST", "/units/{commune}/villages", {A, P, C}, "commune"),
    "core.list_people": ("GET", "/people/", STAFF, None),
    "core.create_person": ("GET", "/people/new", STAFF, None),
    "core.show_person": ("GET", "/people/{person}", STAFF, "person"),
    "core.edit_person": ("GET", "/people/{person}/edit", STAFF, "person"),
    "core.update_consent": ("POST", "/people/{person}/consent", STAFF, "person"),
    "core.erase_person": ("POST", "/people/{person}/erase", {A, P, C}, "person"),
    "admin.list_users": ("GET", "/admin/users/", {A}, None),
    "admin.create_user": ("GET", "/admin/users/new", {A}, None),
    "admin.edit_user": ("GET", "/admin/users/{user}/edit", {A}, "user"),
    "admin.unlock_user": ("POST", "/admin/users/{user}/unlock", {A}, "user"),
    "admin.list_agencies": ("GET", "/admin/agencies/", {A, P, C}, None),
    "admin.create_agency": ("GET", "/admin/agencies/new", {A, P, C}, None),
    "admin.edit_agency": ("GET", "/admin/agencies/{local_agency}/edit", {A, P, C}, "local_agency"),
    "admin.list_audit": ("GET", "/admin/audit/", {A}, None),
    "admin.show_backup": ("GET", "/admin/backup/", {A}, None),
    "admin.start_backup": ("POST", "/admin/backup/", {A}, None),
    "admin.backup_file": ("GET", "/admin/backup/{backup}/file", {A}, "backup"),
    "surveys.index": ("GET", "/surveys/", STAFF, None),
    "surveys.list_topics": ("GET", "/surveys/topics/", STAFF, None),
    "surveys.edit_topic": ("GET", "/surveys/topics/{topic}/edit", {A}, "topic"),  # a national topic
    "surveys.list_questions": ("GET", "/surveys/questions/", STAFF, None),
    "surveys.create_question": ("GET", "/surveys/questions/new", STAFF, None),
    "surveys.edit_question": ("GET", "/surveys/questions/{question}/edit", STAFF, "question"),
    "surveys.archive_question": ("POST", "/surveys/questions/{question}/archive", STAFF, "question"),
    "surveys.list_instruments": ("GET", "/surveys/tests/", STAFF, None),
    "surveys.create_instrument": ("GET", "/surveys/tests/new", STAFF, None),
    "surveys.show_instrument": ("GET", "/surveys/tests/{instrument}", STAFF, "instrument"),
    "surveys.edit_instrument": ("GET", "/surveys/tests/{instrument}/edit", STAFF, "instrument"),
    "surveys.duplicate_instrument": ("POST", "/surveys/tests/{instrument}/duplicate", STAFF, "instrument"),
    "surveys.create_training": ("GET", "/surveys/trainings/new", STAFF, None),
    "surveys.import_training": ("GET", "/surveys/trainings/import", STAFF, None),
    "surveys.workbook_template": ("GET", "/surveys/workbook-template.xlsx", STAFF, None),
    "surveys.show_training": ("GET", "/surveys/trainings/{training}", STAFF, "training"),
    "surveys.edit_training": ("GET", "/surveys/trainings/{training}/edit", STAFF, "training"),
    "surveys.set_phase": ("POST", "/surveys/trainings/{training}/pre/open", STAFF, "training"),
    "surveys.phase_qr": ("GET", "/surveys/trainings/{training}/pre/qr.png", STAFF, "training"),
    "surveys.personal_links": ("GET", "/surveys/trainings/{training}/pre/links", STAFF, "training"),
    "surveys.paper_pdf": ("GET", "/surveys/trainings/{training}/post/paper.pdf", STAFF, "training"),
    "surveys.paper_job": ("POST", "/surveys/trainings/{training}/pre/paper", STAFF, "training"),
    # A job is "in scope" for the user who queued it only.
    "jobs.show_job": ("GET", "/jobs/{job}", ALL, "job"),
    "jobs.job_file": ("GET", "/jobs/{job}/file", ALL, "job"),
    "surveys.enter_grid": ("GET", "/surveys/trainings/{training}/pre/grid", STAFF, "training"),
    "surveys.export_workbook": ("GET", "/surveys/trainings/{training}/workbook.xlsx", STAFF, "training"),
    "surveys.import_answers": ("POST", "/surveys/trainings/{training}/import", STAFF, "training"),
    "surveys.add_participant": ("POST", "/surveys/trainings/{training}/participants", STAFF, "training"),
    "surveys.import_roster": ("POST", "/surveys/trainings/{training}/participants/import", STAFF, "training"),
    "surveys.remove_participant": ("POST", "/surveys/trainings/{participant}/remove", STAFF, "participant"),
    "surveys.show_training_results": ("GET", "/surveys/trainings/{training}/results", STAFF, "training"),
    "surveys.download_results_pdf": ("GET", "/surveys/trainings/{training}/results.pdf", STAFF, "training"),
    "surveys.download_results_xlsx": ("GET", "/surveys/trainings/{training}/results.xlsx", STAFF, "training"),
    "surveys.download_results_summary_xlsx": ("GET", "/surveys/trainings/{training}/results-summary.xlsx", STAFF,
                                              "training"),
    "surveys.show_pooled_results": ("GET", "/surveys/results", STAFF, None),
    "surveys.void_response": ("POST", "/surveys/trainings/{response}/void", STAFF, "response"),
    "surveys.restore_response": ("POST", "/surveys/trainings/{response}/restore", STAFF, "response"),
    "surveys.move_response": ("POST", "/surveys/trainings/{response}/move", STAFF, "response"),
    "surveys.delete_training": ("POST", "/surveys/trainings/{training}/delete", STAFF, "training"),
    "surveys.archive_training": ("POST", "/surveys/trainings/{training}/archive", STAFF, "training"),
    "surveys.rescore_training": ("POST", "/surveys/trainings/{training}/rescore", STAFF, "training"),
    # Dialogues: trainers have no access; authority users read what concerns their agency.
    "dialogues.index": ("GET", "/dialogues/", {A, P, C, U}, None),
    "dialogues.create_dialogue": ("GET", "/dialogues/new", {A, P, C}, None),
    "dialogues.show_dialogue": ("GET", "/dialogues/{dialogue}", {A, P, C, U}, "dialogue"),
    "dialogues.edit_dialogue": ("GET", "/dialogues/{dialogue}/edit", {A, P, C}, "dialogue"),
    "dialogues.enter_questions": ("GET", "/dialogues/{dialogue}/questions", {A, P, C}, "dialogue"),
    "dialogues.similar": ("GET", "/dialogues/{dialogue}/similar?q=duong", {A, P, C}, "dialogue"),
    "dialogues.edit_roster": ("GET", "/dialogues/{dialogue}/roster", {A, P, C}, "dialogue"),
    "dialogues.remove_attendee": ("POST", "/dialogues/{dialogue}/roster/1/remove", {A, P, C}, "dialogue"),
    "dialogues.mark_held": ("POST", "/dialogues/{dialogue}/held", {A, P, C}, "dialogue"),
    "dialogues.approve_minutes": ("POST", "/dialogues/{dialogue}/approve", {A, P, C}, "dialogue"),
    "dialogues.add_addendum": ("POST", "/dialogues/{dialogue}/addenda", {A, P, C}, "dialogue"),
    "dialogues.download_minutes": ("GET", "/dialogues/{issued_dialogue}/minutes.pdf", {A, P, C, U}, "issued_dialogue"),
    "dialogues.download_issue": ("GET", "/dialogues/{issued_dialogue}/minutes/v1.pdf", {A, P, C, U},
                                 "issued_dialogue"),
    "dialogues.list_questions": ("GET", "/dialogues/questions/", {A, P, C, U}, None),
    "dialogues.show_analysis": ("GET", "/dialogues/analysis", {A, P}, None),
    "dialogues.verify_minutes": ("GET", "/dialogues/verify", {A, P, C, U}, None),
    "dialogues.edit_header": ("GET", "/dialogues/header/{commune}", {A, P, C}, "commune"),
    "dialogues.list_categories": ("GET", "/dialogues/categories/", {A, P, C, U}, None),
    "dialogues.edit_category": ("POST", "/dialogues/categories/{category}", {A}, "category"),  # a national one
    # Follow-up: authority users see and update their agency's commitments; the union the rest.
    "dialogues.list_commitments": ("GET", "/dialogues/commitments/", {A, P, C, U}, None),
    "dialogues.show_commitment": ("GET", "/dialogues/commitments/{commitment}", {A, P, C, U}, "commitment"),
    "dialogues.update_commitment": ("POST", "/dialogues/commitments/{commitment}/update", {A, P, C, U},
                                    "commitment"),
    "dialogues.forward_commitment": ("POST", "/dialogues/commitments/{commitment}/forward", {A, P, C, U},
                                     "commitment"),
    "dialogues.extend_commitment": ("POST", "/dialogues/commitments/{commitment}/extend", {A, P, C, U},
                                    "commitment"),
    "dialogues.reopen_commitment": ("POST", "/dialogues/commitments/{commitment}/reopen", {A, P, C, U},
                                    "commitment"),
    # a petition's forwarding letter is the forwarding union's, not the receiving agency's
    "dialogues.record_letter": ("POST", "/dialogues/commitments/{commitment}/letter", {A, P, C}, "commitment"),
    "dialogues.withdraw_evidence": ("POST", "/dialogues/commitments/{evidence}/withdraw", {A, P, C, U},
                                    "evidence"),
    "dialogues.download_evidence": ("GET", "/dialogues/commitments/{evidence}", {A, P, C, U}, "evidence"),
    "dialogues.download_previous_results": ("GET", "/dialogues/{dialogue}/previous-results.pdf", {A, P, C},
                                            "dialogue"),
    "dialogues.show_indicators": ("GET", "/dialogues/indicators", {A, P, C}, None),
    "dialogues.list_outbox": ("GET", "/dialogues/outbox/", {A, P, C}, None),
    # Indicators: union officers see their unit and below (by unit code); trainers and authority
    # users have no dashboard. Administrators define indicators, province officers set targets.
    "indicators.show_dashboard": ("GET", "/indicators/?unit={unit_code}", {A, P, C}, "unit_code"),
    "indicators.export_xlsx": ("GET", "/indicators/export.xlsx?unit={unit_code}", {A, P, C}, "unit_code"),
    "indicators.report_pdf": ("GET", "/indicators/report.pdf?unit={unit_code}", {A, P, C}, "unit_code"),
    "indicators.list_indicators": ("GET", "/indicators/definitions/", {A, P, C}, None),
    "indicators.create_indicator": ("GET", "/indicators/definitions/new", {A}, None),
    "indicators.edit_indicator": ("GET", "/indicators/definitions/{indicator}/edit", {A}, "indicator"),
    "indicators.edit_targets": ("GET", "/indicators/targets?unit={unit_code}", {A, P}, "unit_code"),
    # Community models: union officers of the unit and above; trainers and authority users 403.
    "community.index": ("GET", "/community/", {A, P, C}, None),
    "community.create_team": ("GET", "/community/teams/new", {A, P, C}, None),
    "community.show_team": ("GET", "/community/teams/{team}", {A, P, C}, "team"),
    "community.add_team_member": ("POST", "/community/teams/{team}/members", {A, P, C}, "team"),
    "community.end_team_membership": ("POST", "/community/teams/{team_member}/leave", {A, P, C}, "team_member"),
    "community.close_team": ("POST", "/community/teams/{team}/close", {A, P, C}, "team"),
    "community.create_club": ("GET", "/community/clubs/new", {A, P, C}, None),
    "community.show_club": ("GET", "/community/clubs/{club}", {A, P, C}, "club"),
    "community.add_club_member": ("POST", "/community/clubs/{club}/members", {A, P, C}, "club"),
    "community.withdraw_consent": ("POST", "/community/clubs/{club_member}/withdraw", {A, P, C}, "club_member"),
    "community.add_facilitator": ("POST", "/community/clubs/{club}/facilitators", {A, P, C}, "club"),
    "community.close_club": ("POST", "/community/clubs/{club}/close", {A, P, C}, "club"),
    "community.create_address": ("GET", "/community/addresses/new", {A, P, C}, None),
    "community.show_address": ("GET", "/community/addresses/{address}", {A, P, C}, "address"),
    "community.record_support": ("POST", "/community/addresses/{address}/support", {A, P, C}, "address"),
    "community.close_address": ("POST", "/community/addresses/{address}/close", {A, P, C}, "address"),
    "community.enter_grid": ("GET", "/community/grid?unit={unit_code}", {A, P, C}, "unit_code"),
    "community.grid_template": ("GET", "/community/grid/template.xlsx?unit={unit_code}", {A, P, C}, "unit_code"),
    "community.import_grid": ("POST", "/community/grid/import?unit={unit_code}", {A, P, C}, "unit_code"),
    "community.delete_activity": ("POST", "/community/activities/{activity}/delete", {A, P, C}, "activity"),
    "community.list_topics": ("GET", "/community/topics/", {A, P, C}, None),
    "community.show_indicators": ("GET", "/community/indicators?unit={unit_code}", {A, P, C}, "unit_code"),
    "community.show_drilldown": ("GET", "/community/indicators/rows?key=team_members&unit={unit_code}", {A, P, C},
                                 "unit_code"),
    "community.report_pdf": ("GET", "/community/report.pdf?unit={unit_code}", {A, P, C}, "unit_code"),
    "community.report_xlsx": ("GET", "/community/report.xlsx?unit={unit_code}", {A, P, C}, "unit_code"),
    "api_tokens.list_tokens": ("GET", "/account/api-tokens/", ALL, None),
    "api_tokens.create_token": ("POST", "/account/api-tokens/", ALL, None),
    "api_tokens.revoke_token": ("POST", "/account/api-tokens/{api_token}/revoke", ALL, "api_token"),
}

# How to make one object of each kind inside (Chợ Đồn) or outside (another province) the scope.
def _builders(units, create_person, create_user):
    far_commune = Unit(code="00001", name="Xã Xa", level=UnitLevel.commune, parent=units["08"],
                       path=Unit.make_path(units["08"], "00001"))
    from app.extensions import db
    db.session.add(far_commune)
    db.session.flush()
    far_village = services.create_unit(far_commune, "Bản Xa")
    db.session.commit()
    surveys = _survey_builders(units["02020"], units["ban_ca"], far_commune, far_village, create_person)
    community = _community_builders(units["02020"], units["ban_ca"], far_commune, far_village, create_person)
    return surveys | community | {
        "dialogue": {"in": lambda: _dialogue(units["02020"]), "out": lambda: _dialogue(far_commune)},
        "issued_dialogue": {"in": lambda: _dialogue(units["02020"], approved=True),
                            "out": lambda: _dialogue(far_commune, approved=True)},
        # One list for the whole system: "out of scope" is a category that does not exist.
        "category": {"in": lambda: _category(), "out": lambda: 999999},
        "commitment": {"in": lambda: _commitment(units["02020"]), "out": lambda: _commitment(far_commune)},
        "evidence": {"in": lambda: _evidence(units["02020"]), "out": lambda: _evidence(far_commune)},
        "commune": {"in": lambda: units["02020"].id, "out": lambda: far_commune.id},
        "local_agency": {"in": lambda: _agency(units["02020"]), "out": lambda: _agency(far_commune)},
        "unit_code": {"in": lambda: units["02020"].code, "out": lambda: far_commune.code},
        # One list for the whole system: "out of scope" is an indicator that does not exist.
        "indicator": {"in": lambda: _indicator(), "out": lambda: 999999},
        "person": {"in": lambda: create_person(unit="ban_ca").id, "out": lambda: create_person(unit=far_village).id},
        "user": {"in": lambda: create_user(T, "02020").id, "out": lambda: create_user(T, far_commune).id},
        # A token is "in scope" for its owner only: the newest user is the one just logged in.
        "api_token": {"in": lambda: _token_of(_newest_user() or create_user(C, "02020")), "out": lambda: _token_of(create_user(C, "02020"))},
        "job": {"in": lambda: _job_of(_newest_user() or create_user(C, "02020")), "out": lambda: _job_of(create_user(C, "02020"))},
        # A finished full backup (any national admin's); "out": another kind of job is no backup.
        "backup": {"in": lambda: _job_of(create_user(A, "VN"), "full_export"),
                   "out": lambda: _job_of(create_user(A, "VN"))},
    }


def _agency(unit) -> int:
    from app.extensions import db

    agency = services.create_agency(f"CA-{unit.code}", f"Công an {unit.name}", unit)
    db.session.commit()
    return agency.id


def _newest_user():
    from app.extensions import db
    from app.models import User

    return db.session.scalar(sa.select(User).order_by(User.id.desc()).limit(1))


def _job_of(user, kind: str = "paper_questionnaire") -> int:
    """A finished job of ``user`` with its file in STORAGE_DIR."""
    from pathlib import Path

    from flask import current_app

    from app import jobs
    from app.extensions import db

    key = jobs.new_key()
    stored = Path(current_app.config["STORAGE_DIR"]) / "jobs" / f"{key}.pdf"
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(b"%PDF-1.7 matrix")
    job = jobs.Job(key=key, kind=kind, params={}, user_id=user.id, state=jobs.DONE,
                   file_name="phieu.pdf", mimetype="application/pdf", stored_as=f"jobs/{key}.pdf")
    db.session.add(job)
    db.session.commit()
    return job.id


def _token_of(user) -> int:
    from app.api import tokens
    from app.extensions import db

    token, _secret = tokens.create_token(user, "matrix")
    db.session.commit()
    return token.id


def _dialogue(unit, approved=False):
    """A dialogue of ``unit`` with one question addressed to each of the unit's agencies (built
    after login, so an authority user's new agency is among them)."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import Agency
    from dialogues import services as ds
    from dialogues.models import AnswerOutcome

    agencies = db.session.scalars(sa.select(Agency.id).where(Agency.unit_id == unit.id)).all() or [None]
    return _build(unit, "approved" if approved else "planned", [
        ds.QuestionRow(content="Ý kiến", raiser_name="Người nêu", agency_id=a, answer="Trả lời",
                       outcome=AnswerOutcome.answered) for a in agencies]).id


def _build(unit, status, rows):
    """The matrix's dialogues: held yesterday, built by the shared factory (tests/factories.py)."""
    from datetime import time, timedelta

    from app import clock
    from factories import build_dialogue

    return build_dialogue(unit, status=status, rows=rows, title="Hội nghị đối thoại",
                          held_on=clock.today() - timedelta(days=1), start_time=time(8), end_time=time(10),
                          venue="", organiser="", chair_name="Chủ trì", chair_position="", secretary_name="Thư ký",
                          secretary_position="", attendance_total=10, attendance_women=8, attendance_minority=7)


def _indicator():
    from app.extensions import db
    from app.indicators.services import save_indicator

    indicator = save_indicator(None, code="DA8-TH", name="Số lớp tập huấn", unit_of_measure="lớp",
                               figure="trainings_held")
    db.session.commit()
    return indicator.id
def _commitment(unit):
    """A commitment in approved minutes of ``unit``, owned by the unit's newest agency (the one an
    authority user logged in just before got)."""
    from datetime import timedelta

    import sqlalchemy as sa

    from app import clock
    from app.extensions import db
    from app.models import Agency
    from dialogues import services as ds
    from dialogues.models import AnswerOutcome

    agency_id = db.session.scalar(sa.select(sa.func.max(Agency.id)).where(Agency.unit_id == unit.id)) \
        or services.create_agency(f"AG-{unit.code}", "Cơ quan", unit).id
    dialogue = _build(unit, "approved", [ds.QuestionRow(
        content="Ý kiến", raiser_name="Người nêu", agency_id=agency_id, answer="Tiếp thu",
        outcome=AnswerOutcome.accepted, commitments=[ds.CommitmentRow(
            agency_id=agency_id, description="Cam kết", deadline=clock.today() + timedelta(days=30))])])
    return dialogue.questions[0].commitments[0].id


def _evidence(unit):
    """"<commitment id>/files/<attachment id>" of a PNG attached to a commitment of ``unit``."""
    from app.extensions import db
    from dialogues.models import Commitment
    from dialogues.services import follow_up

    commitment = db.session.get(Commitment, _commitment(unit))
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buffer, "PNG")  # a real image: evidence must decode
    png = buffer.getvalue()
    event = follow_up.update_commitment(commitment, None, note="Ảnh", evidence=follow_up.Evidence("anh.png", png))
    db.session.commit()
    return f"{commitment.id}/files/{event.attachment_id}"


def _category():
    from app.extensions import db
    from dialogues import services as ds

    category = ds.save_category(None, name="Lĩnh vực thử")
    db.session.commit()
    return category.id


def committed(make):
    """A builder that makes the object, commits, and returns its id (or its URL part)."""
    def build():
        from app.extensions import db

        value = make()
        db.session.commit()
        return value if isinstance(value, str) else value.id
    return build


def _survey_builders(commune, village, far_commune, far_village, create_person):
    """Survey objects in Chợ Đồn or in the far commune. Topics are one shared list: "out" is a
    topic that does not exist."""
    from datetime import date

    from app.extensions import db
    from surveys import services as surveys

    topic = surveys.save_topic(None, "Bình đẳng giới")

    def question(unit):
        return surveys.save_question(None, topic=topic, unit=unit, user=None, text="Bạo lực gia đình là chuyện riêng?",
                                     kind="truefalse", correct=2)

    def instrument(unit):
        return surveys.create_instrument(title="Bài kiểm tra", topic=topic, unit=unit, user=None,
                                         contents=surveys.question_contents([question(unit)]))

    def training(unit):
        return surveys.save_training(None, title="Tập huấn", topic=topic, unit=unit, instrument=instrument(unit),
                                     start_date=date(2025, 9, 20))

    def participant(unit, home):
        one = training(unit)
        person = create_person(unit=home)
        surveys.add_participant(one, person)
        return f"{one.id}/participants/{person.id}"

    def response(unit, home):
        from app import services as core
        from surveys.models import Phase, ResponseSource

        one = training(unit)
        person = create_person(unit=home)
        surveys.add_participant(one, person)
        core.give_consent(person, surveys.CONSENT_PURPOSE)
        stored, _created = surveys.save_response(one, Phase.pre, person, [], source=ResponseSource.grid)
        return f"{one.id}/responses/{stored.id}"

    db.session.commit()
    return {
        "topic": {"in": lambda: topic.id, "out": lambda: 10 ** 6},
        "question": {"in": committed(lambda: question(commune)), "out": committed(lambda: question(far_commune))},
        "instrument": {"in": committed(lambda: instrument(commune)), "out": committed(lambda: instrument(far_commune))},
        "training": {"in": committed(lambda: training(commune)), "out": committed(lambda: training(far_commune))},
        "participant": {"in": committed(lambda: participant(commune, village)),
                        "out": committed(lambda: participant(far_commune, far_village))},
        "response": {"in": committed(lambda: response(commune, village)),
                     "out": committed(lambda: response(far_commune, far_village))},
    }


def _community_builders(commune, village, far_commune, far_village, create_person):
    """A team (with a member), a club (with a child), a trusted address and an activity in Chợ Đồn
    or in the far commune."""
    from datetime import date

    from app.extensions import db
    from community import services as cs
    from app.models import Sex
    from community.models import ActivityForm, ActivityTopic, HostKind, TeamRole

    def team(unit, home):
        made = cs.save_team(None, unit=unit, name="Tổ truyền thông", founded_on=date(2024, 1, 1))
        cs.add_team_member(made, create_person(unit=home), TeamRole.member, date(2024, 1, 2))
        return made

    def club(unit):
        made = cs.save_club(None, unit=unit, name="CLB Thủ lĩnh", founded_on=date(2024, 1, 1))
        cs.add_club_member(made, cs.ChildData(full_name="Em", birth_year=2013, sex=Sex.female, guardian_name="Mẹ", guardian_relation="mẹ",
            consent_on=date(2024, 1, 2), guardian_consents=True))
        return made

    def activity(unit, home):
        cs.seed_topics()
        topic = db.session.scalar(sa.select(sa.func.min(ActivityTopic.id)))
        return cs.save_activity(None, cs.ActivityData(held_on=date(2025, 9, 1), topic_id=topic,
                                                      form=ActivityForm.meeting, participants_total=10,
                                                      team=team(unit, home)))

    def team_member(unit, home):
        made = team(unit, home)
        return f"{made.id}/members/{made.members[0].id}"

    def club_member(unit):
        made = club(unit)
        return f"{made.id}/members/{made.members[0].id}"

    def address(unit):
        return cs.save_address(None, unit=unit, name="Địa chỉ tin cậy", host_kind=HostKind.household,
                               contact_name="Bà Hoa", contact_phone="0912000111")

    return {
        "team": {"in": committed(lambda: team(commune, village)), "out": committed(lambda: team(far_commune, far_village))},
        "team_member": {"in": committed(lambda: team_member(commune, village)),
                        "out": committed(lambda: team_member(far_commune, far_village))},
        "club": {"in": committed(lambda: club(commune)), "out": committed(lambda: club(far_commune))},
        "club_member": {"in": committed(lambda: club_member(commune)), "out": committed(lambda: club_member(far_commune))},
        "address": {"in": committed(lambda: address(village)), "out": committed(lambda: address(far_village))},
        "activity": {"in": committed(lambda: activity(commune, village)),
                     "out": committed(lambda: activity(far_commune, far_village))},
    }


ROLE_UNIT = {A: "19", P: "19", C: "02020", T: "02020", U: "02020"}
# A full backup holds every unit's data: the national administrator's only (a province admin gets
# 404: tests/app/test_backup_page.py).
NATIONAL_ONLY = {"admin.show_backup", "admin.start_backup", "admin.backup_file"}


def _unit_of(role, endpoint) -> str:
    return "VN" if role is A and endpoint in NATIONAL_ONLY else ROLE_UNIT[role]


def test_every_route_has_an_entry(app):
    from app.api.routes import OPERATIONS

    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {op.endpoint for op in OPERATIONS}
    missing = endpoints - PUBLIC - set(MATRIX)
    assert not missing, f"routes without an authorization entry: {sorted(missing)}"
    stale = set(MATRIX) - endpoints
    assert not stale, f"entries for routes that no longer exist: {sorted(stale)}"


def _url(template, kind, builders, where):
    return template.format(**({kind: builders[kind][where]()} if kind else {}))


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_matrix(endpoint, role, client, login_as, units, create_person, create_user):
    method, template, allowed, kind = MATRIX[endpoint]
    builders = _builders(units, create_person, create_user)
    login_as(role, _unit_of(role, endpoint))
    send = client.post if method == "POST" else client.get
    inside = send(_url(template, kind, builders, "in"))
    if role in allowed:
        assert inside.status_code < 400, f"{role.value} {endpoint}: {inside.status_code}"
        if kind:
            login_as(role, _unit_of(role, endpoint))  # the in-scope call may have logged out
            outside = send(_url(template, kind, builders, "out"))
            assert outside.status_code == 404, f"{role.value} {endpoint} out of scope: {outside.status_code}"
    else:
        assert inside.status_code == 403, f"{role.value} {endpoint}: {inside.status_code}"


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_anonymous_goes_to_login(endpoint, client, units, create_person, create_user):
    method, template, _allowed, kind = MATRIX[endpoint]
    builders = _builders(units, create_person, create_user)
    response = (client.post if method == "POST" else client.get)(_url(template, kind, builders, "in"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# Files with personal data (names, answers, minutes, evidence) or meant for official filing:
# served by app.official.send_document, never kept by a browser or proxy cache.
PERSONAL_DOWNLOADS = ["surveys.paper_pdf", "surveys.export_workbook", "surveys.download_results_pdf",
                      "surveys.download_results_xlsx", "surveys.download_results_summary_xlsx", "dialogues.download_minutes", "dialogues.download_issue",
                      "dialogues.download_previous_results", "dialogues.download_evidence",
                      "indicators.export_xlsx", "indicators.report_pdf"]


@pytest.mark.parametrize("endpoint", PERSONAL_DOWNLOADS)
def test_personal_files_are_never_cached(endpoint, client, login_as, units, create_person, create_user):
    _method, template, _allowed, kind = MATRIX[endpoint]
    builders = _builders(units, create_person, create_user)
    login_as(C, "02020")
    response = client.get(_url(template, kind, builders, "in"))
    assert response.status_code == 200, f"{endpoint}: {response.status_code}"
    assert response.headers["Cache-Control"] == "private, no-store" and response.headers["Pragma"] == "no-cache"
    assert response.headers["Content-Disposition"].startswith(("inline; filename=\"", "attachment; filename=\""))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
