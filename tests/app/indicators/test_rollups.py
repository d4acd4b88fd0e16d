"""Rollups (``app.indicators.rollups``) against the raw computation: after seeded random sequences
of writes of every feature (records created, edited, deleted, moved to another unit or day;
commitments followed up; teams closed, members leaving; units moved under another province),
the dashboard read from the rollups equals the one computed from the raw rows, for several
units and periods, and the counters kept write by write equal a rebuild from scratch."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app import services as core
from app.extensions import db
from app.indicators import rollups
from app.indicators.dashboard import compute_dashboard
from app.indicators.masking import dashboard_masks
from app.indicators.periods import Period
from app.models import Person, Sex
from community import indicators as community_indicators
from community import services as community
from community.models import ActivityForm, ActivityHost, GroupStatus, HostKind, SupportKind, Team, TrustedAddress
from dialogues.models import AnswerOutcome, CommitmentStatus, Dialogue, DialogueQuestion
from surveys.models import Response, Training

from indicators_reference import TODAY

# A year (twelve month rows), whole months, and odd days at both ends across a year's turn.
PERIODS = [Period.year(2025), Period("custom", date(2025, 3, 1), date(2025, 5, 31)),
           Period("custom", date(2024, 11, 15), date(2025, 4, 10))]


def _dashboards(units, commune_ids):
    from app.models import Unit

    places = [units["VN"], units["19"], units["02020"], units["08"], *(db.session.get(Unit, i) for i in commune_ids)]
    out = {}
    for unit in places:
        for period in PERIODS:
            for mode in ("rollups", "raw"):
                board = compute_dashboard(unit, period, TODAY, mode).to_json()
                out[(unit.code, period.date_from, period.date_to, mode)] = board
                # What the disclosure control works on, and what it masks (every output's cells).
                dashboard = compute_dashboard(unit, period, TODAY, mode)
                out[(unit.code, period.date_from, period.date_to, mode, "masks")] = (
                    dashboard.atoms, dashboard.cells, dashboard_masks(dashboard))
                community_figures = community_indicators.compute(unit, period, mode).to_json()
                out[(unit.code, period.date_from, period.date_to, mode, "community")] = community_figures
    return out


def _assert_same(units, commune_ids, step):
    boards = _dashboards(units, commune_ids)
    for key, board in boards.items():
        if key[3] == "rollups":
            raw = boards[(*key[:3], "raw", *key[4:])]
            assert board == raw, (step, key)


def _rollup_rows():
    rollups.settle()  # the counters of the transaction's writes so far (as rollups.read does)
    r = rollups.Rollup
    return sorted(db.session.execute(sa.select(r.unit_id, r.grain, r.day, r.counter, r.key, r.value)).all())


@pytest.mark.parametrize("seed", [1, 2])
def test_rollups_equal_raw_after_random_writes(seed, db, units, commune, make_training, make_dialogue,
                                               create_person):
    rng = random.Random(seed)
    extra = [commune(f"9{seed}01", "Xã Thử Một"), commune(f"9{seed}02", "Xã Thử Hai", parent="08")]
    commune_ids = [u.id for u in extra]
    places = ["02020", "02086", "ban_ca", "na_nguoc", *extra]
    community.seed_topics()
    from community.models import ActivityTopic
    topic_id = db.session.scalar(sa.select(ActivityTopic.id).limit(1))

    def place():
        name = rng.choice(places)
        return units[name] if isinstance(name, str) else name

    def day(start=date(2024, 10, 1), end=TODAY):
        return start + timedelta(days=rng.randrange((end - start).days + 1))

    def person_row():
        return (rng.choice([Sex.female, Sex.male]), rng.choice(["01", "02", "07", None]),
                rng.choice([None, 0, 1, 2, 3, 4]), rng.choice([None, 0, 2, 4]))

    def commitment_plan(approved=True):
        # Follow-up only once the minutes are approved.
        started = (1, CommitmentStatus.in_progress)  # an outcome comes after "in progress"
        steps = rng.choice([[], [(3, CommitmentStatus.in_progress)], [started, (5, CommitmentStatus.resolved)],
                            [started, (2, ("extend", 60)), (40, CommitmentStatus.resolved)],
                            [started, (4, CommitmentStatus.not_feasible)],
                            [started, (6, CommitmentStatus.partly_resolved)]])
        steps = steps if approved else []
        return (rng.choice([1, 10, 30, 90]), steps)  # a deadline before the meeting is refused

    def new_training():
        make_training(place(), day(end=date(2025, 12, 20)), [person_row() for _ in range(rng.randrange(1, 4))],
                      topic=rng.choice(["Bình đẳng giới", "Phòng, chống tảo hôn"]))

    def edit_training():
        training = rng.choice(db.session.scalars(sa.select(Training)).all() or [None])
        if training is None:
            return new_training()
        if rng.random() < 0.5:
            training.start_date = day(end=date(2025, 12, 20))
        else:
            target = place()
            training.unit_id, training.unit = target.id, target

    def delete_response():
        response = rng.choice(db.session.scalars(sa.select(Response)).all() or [None])
        if response is not None:
            db.session.delete(response)

    def edit_person():
        person = rng.choice(db.session.scalars(sa.select(Person)).all() or [None])
        if person is not None:
            person.sex = Sex.male if person.sex == Sex.female else Sex.female
            # Both spellings of "not recorded" and of the default system; now and then a code off
            # the list (the rollups then leave the ethnic breakdown to the raw rows).
            person.ethnicity_code = rng.choice(["01", "02", "07", None, ""]) if rng.random() < 0.85 else "99"
            person.ethnicity_system = rng.choice([None, "", "TCTK-1979"])

    def new_dialogue():
        unit = rng.choice([units["02020"], units["02086"], *extra])
        status = rng.choice(["held", "approved", "planned"])
        questions = [rng.choice([AnswerOutcome.answered, AnswerOutcome.forwarded, AnswerOutcome.noted,
                                 (AnswerOutcome.accepted, [commitment_plan(status == "approved")
                                                           for _ in range(rng.randrange(1, 3))])])
                     for _ in range(rng.randrange(0, 4))]
        make_dialogue(unit, day(start=date(2025, 1, 1), end=TODAY - timedelta(days=45)), questions,
                      status=status,
                      attendance=(rng.randrange(25, 50), 5, 3),
                      groups=rng.sample([("Hội viên phụ nữ", rng.randrange(0, 20)), ("Người có uy tín", 4),
                                         ("Cán bộ xã", rng.randrange(1, 6)), ("Khách mời", 2),
                                         ("Tổ truyền thông", 0)], rng.randrange(0, 4)))

    def edit_attendance():
        from dialogues.models import AttendanceGroup

        groups = db.session.scalars(sa.select(AttendanceGroup).join(AttendanceGroup.dialogue)
                                    .where(Dialogue.status != "approved")).all()
        if not groups:
            return new_dialogue()
        group = rng.choice(groups)
        chance = rng.random()
        if chance < 0.3:
            db.session.delete(group)
        elif chance < 0.6:
            group.count = rng.randrange(0, 30)
        else:  # now and then a kind off the list (the rollups then leave the groups to the raw rows)
            group.kind = rng.choice(["member", "prestige", "cadre", "mass_org", "team", "other"]
                                    + (["la"] if rng.random() < 0.3 else []))

    def move_dialogue():
        dialogue = rng.choice(db.session.scalars(sa.select(Dialogue).where(Dialogue.status != "approved")).all()
                              or [None])
        if dialogue is None:
            return new_dialogue()
        if rng.random() < 0.5:
            dialogue.held_on = day(start=date(2025, 1, 1), end=TODAY - timedelta(days=45))
        else:
            target = rng.choice([units["02020"], units["02086"], *extra])
            dialogue.unit_id, dialogue.unit = target.id, target

    def follow_up():
        from dialogues.models import Commitment

        # Follow-up starts once the minutes are approved; "resolved" comes after "in progress".
        open_ones = db.session.scalars(sa.select(Commitment).join(Commitment.question).join(DialogueQuestion.dialogue)
                                       .where(Dialogue.status == "approved", Commitment.status.in_(
                                           [CommitmentStatus.open, CommitmentStatus.in_progress]))).all()
        if open_ones:
            commitment = rng.choice(open_ones)
            if rng.random() < 0.5:
                if commitment.status is CommitmentStatus.open:
                    commitment.move_to(CommitmentStatus.in_progress, None, "Bắt đầu")
                commitment.move_to(CommitmentStatus.resolved, None, "Xong")
            else:
                commitment.extend_deadline(commitment.deadline + timedelta(days=rng.randrange(1, 200)), None, "Gia hạn")

    def new_team():
        unit = place()
        team = community.save_team(None, unit=unit, name=f"Tổ {rng.random()}", founded_on=rng.choice([None, day()]))
        for _ in range(rng.randrange(0, 3)):
            member = create_person(unit=unit, sex=rng.choice([Sex.female, Sex.male]))
            community.add_team_member(team, member, community.TeamRole.member, day())

    def change_team():
        team = rng.choice(db.session.scalars(sa.select(Team).where(Team.status == GroupStatus.active)).all()
                          or [None])
        if team is None:
            return new_team()
        members = [m for m in team.members if m.left_on is None]
        if members and rng.random() < 0.5:
            member = rng.choice(members)
            community.end_membership(member, max(member.joined_on, day()))
        elif rng.random() < 0.5:
            community.close_group(team, GroupStatus.dissolved, max(team.founded_on or date(2024, 10, 1), day()))
        else:
            team.founded_on = day()

    def new_club():
        from tests.community.conftest import child

        club = community.save_club(None, unit=place(), name=f"CLB {rng.random()}", founded_on=day())
        for _ in range(rng.randrange(0, 3)):
            community.add_club_member(club, child(sex=rng.choice([Sex.female, Sex.male]), consent_on=day()))

    def address_and_support():
        address = community.save_address(None, unit=place(), name=f"Địa chỉ {rng.random()}",
                                         host_kind=HostKind.household, founded_on=day())
        month = day().replace(day=1)
        community.record_support(address, month, SupportKind.counselling, rng.randrange(1, 5))
        if rng.random() < 0.3:
            address.unit_id, address.unit = place().id, place()

    def activity():
        from community.models import Activity

        existing = db.session.scalars(sa.select(Activity)).all()
        if existing and rng.random() < 0.4:
            chosen = rng.choice(existing)
            if rng.random() < 0.5:
                community.delete_activity(chosen)
            else:
                chosen.held_on = day()
                chosen.participants_women = rng.randrange(0, chosen.participants_total + 1)
            return
        data = community.ActivityData(held_on=day(), topic_id=topic_id, form=ActivityForm.meeting,
                                      participants_total=10, participants_women=rng.randrange(0, 11),
                                      participants_minority=rng.randrange(0, 11), participants_children=0,
                                      host=ActivityHost.union, unit=place())
        community.save_activity(None, data)

    def move_unit():
        unit = rng.choice(extra)
        core.move_unit(unit, units["08"] if unit.parent_id == units["19"].id else units["19"])

    operations = [new_training, edit_training, delete_response, edit_person, new_dialogue, move_dialogue,
                  edit_attendance, follow_up, new_team, change_team, new_club, address_and_support, activity, move_unit]
    for step in range(42):
        operation = operations[step % len(operations)] if step < len(operations) else rng.choice(operations)
        operation()
        db.session.commit()
        if step % 6 == 5 or step == len(operations) - 1:
            _assert_same(units, commune_ids, f"{step}: {operation.__name__}")

    kept = _rollup_rows()
    assert kept, "the writes left no counter"
    assert rollups.rebuild() == len([r for r in kept if r.grain == "d"])
    assert _rollup_rows() == kept


def test_refused_write_undoes_its_counters(db, units, make_training):
    """A service call refused after its flush undoes its counters with its rows."""
    from app.services import ServiceError, service_call

    training = make_training("02020", date(2025, 3, 3), [(Sex.female, "07", 2, 3)])
    before = _rollup_rows()
    assert {(r.grain, r.day) for r in before} == {("d", date(2025, 3, 3)), ("m", date(2025, 3, 1)),
                                                        ("y", date(2025, 1, 1))}
    with service_call(show=False) as call:
        training.start_date = date(2025, 4, 4)
        db.session.flush()
        # moved in the same transaction
        assert {(r.grain, r.day) for r in _rollup_rows()} == {("d", date(2025, 4, 4)), ("m", date(2025, 4, 1)),
                                                                   ("y", date(2025, 1, 1))}
        raise ServiceError("refused")
    assert not call.ok
    db.session.commit()
    assert _rollup_rows() == before


def test_rebuild_command_restores_the_counters(db, units, make_training, runner):
    """``flask indicators rebuild`` after rows changed behind the ORM's back (a bulk load)."""
    make_training("02020", date(2025, 3, 3), [(Sex.female, "07", 2, 3), (Sex.male, "01", 1, None)])
    kept = _rollup_rows()
    db.session.execute(sa.delete(rollups.Rollup))
    db.session.commit()
    result = runner.invoke(args=["indicators", "rebuild"])
    assert result.exit_code == 0, result.output
    assert _rollup_rows() == kept
    values = {(r.grain, r.counter): r.value for r in kept if r.key}
    assert values[("y", "surveys.training_participants")] == 2
    assert values[("y", "surveys.training_women")] == 1
    assert values[("y", "surveys.knowledge_pairs")] == 1


def test_dashboard_page_raw_mode_shows_the_same_page(db, units, make_training, make_dialogue, client, login_as):
    from app.models import Role

    make_training("02020", date(2025, 3, 3), [(Sex.female, "07", 2, 3), (Sex.male, "01", 1, 4)])
    make_dialogue("02086", date(2025, 2, 10), [AnswerOutcome.answered,
                                               (AnswerOutcome.accepted, [(10, [(2, CommitmentStatus.in_progress)])])])
    login_as(Role.province, "19")
    url = "/indicators/?unit=19&period=year&year=2025"
    rolled, raw = client.get(url), client.get(url + "&mode=raw")
    assert rolled.status_code == raw.status_code == 200
    import re

    def cells(response):  # every figure of the page's tables (the forms differ by token and return URL)
        return re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", response.get_data(as_text=True), re.S)
    assert "Xã Chợ Đồn" in " ".join(cells(rolled)) and len(cells(rolled)) > 20
    assert cells(rolled) == cells(raw)


def test_breakdowns_off_the_lists_read_as_raw(db, units, make_training, make_dialogue):
    """An ethnicity code or an attendance kind off the fixed lists has no rollup key of its own:
    the ethnic groups and the attendance groups then come from the raw rows, the same."""
    training = make_training("02020", date(2025, 3, 3), [(Sex.female, "07", 2, 3), (Sex.male, "01", 1, 4),
                                                         (Sex.female, None, None, None)])
    dialogue = make_dialogue("02086", date(2025, 2, 10), status="held",
                             groups=(("Hội viên phụ nữ", 20), ("Khách mời", 0)))
    period = Period.year(2025)

    def boards():
        out = {}
        for mode in ("rollups", "raw"):
            board = compute_dashboard(units["19"], period, TODAY, mode)
            out[mode] = (board.to_json(), board.atoms, dashboard_masks(board))
        return out

    listed = boards()
    assert listed["rollups"] == listed["raw"]
    assert [(g["code"], g["participants"]) for g in listed["raw"][0]["by_ethnic_group"]] == [
        ("01", 1), ("07", 1), ("", 1)]
    assert [(g["label"], g["count"]) for g in listed["raw"][0]["attendance_by_group"]] == [
        ("Hội viên, phụ nữ", 20), ("Khác", 0)]

    person = training.participants[0].person
    person.ethnicity_system, person.ethnicity_code = "KHAC-2020", "07"
    next(g for g in dialogue.groups if g.kind == "member").kind = "ngoai"
    db.session.commit()
    unlisted = boards()
    assert unlisted["rollups"] == unlisted["raw"]
    assert [(g["system"], g["code"]) for g in unlisted["raw"][0]["by_ethnic_group"]] == [
        ("KHAC-2020", "07"), ("TCTK-1979", "01"), ("", "")]
    assert [(g["label"], g["count"]) for g in unlisted["raw"][0]["attendance_by_group"]] == [
        ("Khác", 20), ("Khác", 0)]
