"""Results factories: a training filled with answers through the survey services (the path a
paper grid or a phone form takes), so results tests cover database -> statistics end to end."""
from __future__ import annotations

import pytest

from app import services as core
from app.models import Sex
from surveys import services
from surveys.models import Phase, ResponseSource


@pytest.fixture
def fill_training(db, units, create_training):
    """fill_training(people, unit="02086", questions=None) -> (training, {label: Person}).

    ``people``: list of dicts with ``label``, optional ``sex`` ("F"/"M"), ``birth_year``,
    ``ethnicity`` (code), ``village`` (a village name under the commune; created when missing),
    ``pre`` / ``post``: {item key: raw answer as typed}, or None for no response at all
    ({} is a response left entirely blank).
    """
    def fill(people: list[dict], unit: str = "02086", questions=None, **kw):
        commune = units[unit]
        villages = {u.name: u for u in commune.children}
        persons = {}
        for spec in people:
            name = spec.get("village", commune.children[0].name)
            if name not in villages:
                villages[name] = core.create_unit(commune, name, "bản")
            sex = {"F": Sex.female, "M": Sex.male}.get(spec.get("sex"))
            persons[spec["label"]] = core.save_person(
                None, full_name=f"Học viên {spec['label']}", unit=villages[name], sex=sex,
                birth_year=spec.get("birth_year"), ethnicity_code=spec.get("ethnicity"))
        training = create_training(unit=commune, people=list(persons.values()), questions=questions, **kw)
        items = training.version.items
        for spec in people:
            for phase in Phase:
                raw = spec.get(phase.value)
                if raw is None:
                    continue
                answers, errors = services.parse_answers(items, raw)
                assert not errors, errors
                services.save_response(training, phase, persons[spec["label"]], answers,
                                       source=ResponseSource.grid)
        db.session.commit()
        return training, persons
    return fill
