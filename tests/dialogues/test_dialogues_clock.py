"""One clock: "today" is the local date of the unions, never the server's (a UTC server is seven
hours behind Vietnam, so between 00:00 and 07:00 local time the two dates differ)."""
from datetime import datetime, time, timedelta, timezone

import pytest

from app import clock
from app.services import ServiceError
from dialogues import services
from dialogues.models import DialogueStatus
from factories import dialogue_data


@pytest.fixture
def half_past_midnight_in_vietnam(monkeypatch):
    """The instant 00:30 in Hà Nội on the day after today's UTC date: 17:30 UTC today."""
    utc_today = datetime.now(timezone.utc).date()
    instant = datetime.combine(utc_today, time(17, 30), tzinfo=timezone.utc)
    monkeypatch.setattr(clock, "now", lambda: instant)
    monkeypatch.setenv("TZ", "UTC")  # the server's own zone, as on most hosts
    return utc_today + timedelta(days=1)


def test_local_date_at_half_past_midnight(app, half_past_midnight_in_vietnam):
    with app.app_context():
        assert clock.today() == half_past_midnight_in_vietnam


def test_dialogue_held_today_is_accepted_at_half_past_midnight(db, units, half_past_midnight_in_vietnam):
    local_today = half_past_midnight_in_vietnam
    dialogue = services.create_dialogue(dialogue_data(units["02020"], held_on=local_today), None)
    services.mark_held(dialogue, None)
    db.session.commit()
    assert dialogue.status is DialogueStatus.held
    assert dialogue.held_on == local_today


def test_dialogue_held_tomorrow_is_still_refused(db, units, half_past_midnight_in_vietnam):
    tomorrow = half_past_midnight_in_vietnam + timedelta(days=1)
    dialogue = services.create_dialogue(dialogue_data(units["02020"], held_on=tomorrow), None)
    with pytest.raises(ServiceError):
        services.mark_held(dialogue, None)
