"""Scoring on save: points per question, multiple choice right only on the exact set,
"Không biết" wrong but flagged, likert and text never scored."""
import pytest

from app.services import ServiceError
from surveys import services
from surveys.models import Phase, Response, ResponseSource


def answers_for(training, raw: dict):
    parsed, errors = services.parse_answers(training.version.items, raw)
    assert not errors, errors
    return parsed


def test_score_sums_points_and_multi_needs_exact_set(db, create_training):
    training = create_training(people=1)
    person = training.participants[0].person
    raw = {"Q1": "2", "Q2": "2", "Q3": "1,2", "Q4": "1", "Q5": "4", "Q6": "Cách báo tin"}
    response, created = services.save_response(training, Phase.pre, person, answers_for(training, raw),
                                               source=ResponseSource.grid)
    db.session.commit()
    assert created and response.score == 1 + 1 + 2 + 0 and response.max_score == 5
    by_key = {a.item.key: a for a in response.answers}
    assert by_key["Q5"].points is None and by_key["Q5"].choice == "4"
    assert by_key["Q6"].points is None and by_key["Q6"].text == "Cách báo tin"


@pytest.mark.parametrize("raw,points", [("1", 0), ("2", 0), ("1,2,3", 0), ("2,1", 2), ("1, 2", 2)])
def test_multi_choice_right_only_when_sets_equal(db, create_training, raw, points):
    training = create_training(people=0)
    item = training.version.items[2]
    assert services.parse_answer(item, raw).points == points


def test_dont_know_scores_zero_and_is_flagged(db, create_training):
    training = create_training(people=0)
    item = training.version.items[1]  # 4 options + "Không biết" at 5
    answer = services.parse_answer(item, 5)
    assert answer.points == 0 and answer.is_dont_know and answer.choice == "5"


@pytest.mark.parametrize("key,raw,message", [
    ("Q2", "7", "Lựa chọn 7 không có: câu này chỉ có 5 lựa chọn"),
    ("Q1", "1,2", "chỉ được chọn một"),
    ("Q2", "abc", "không phải số thứ tự"),
    ("Q2", "1,5", "chỉ được chọn một"),
    ("Q4", "0", "Lựa chọn 0 không có"),
])
def test_impossible_values_are_refused(db, create_training, key, raw, message):
    training = create_training(people=0)
    item = next(it for it in training.version.items if it.key == key)
    with pytest.raises(ServiceError) as exc:
        services.parse_answer(item, raw)
    assert message in exc.value.message


def test_same_token_stores_one_response(db, create_training):
    training = create_training(people=1)
    person = training.participants[0].person
    token = "t" * 20
    first, created = services.save_response(training, Phase.pre, person, answers_for(training, {"Q1": "2"}),
                                            source=ResponseSource.phone, client_token=token)
    again, created_again = services.save_response(training, Phase.pre, person, answers_for(training, {"Q1": "1"}),
                                                  source=ResponseSource.phone, client_token=token)
    db.session.commit()
    assert created and not created_again and again.id == first.id and first.score == 1
    assert db.session.query(Response).count() == 1


def test_dont_know_cannot_be_chosen_with_another_option(db, create_training):
    from surveys.models import QuestionKind

    training = create_training(people=0, questions=[dict(
        text="Chọn các số điện thoại khẩn cấp", kind=QuestionKind.multi, options=["113", "114", "115", "Không biết"],
        correct=[1, 2, 3])])
    item = training.version.items[0]
    assert item.has_dont_know and item.options == ["113", "114", "115"]
    with pytest.raises(ServiceError) as exc:
        services.parse_answer(item, "1,4")
    assert "Không biết" in exc.value.message
