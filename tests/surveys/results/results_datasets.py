"""Two data sets for the results tests, as a trainer would type them (raw answers per person).

A: 8 people on the sample test (4 scored questions worth 1, 1, 2 and 1 point, a "Không biết"
   option, an attitude scale and a free text): tied and zero gains, blank cells, a response left
   entirely blank, a participant missing the post test. Small enough to check by hand.
B: 36 people on a 6-question right/wrong test generated with a fixed seed: an item everyone
   knew, one still misunderstood, one that favours weaker participants (negative
   discrimination), blanks, "Không biết", people missing the pre or the post test.
"""
from __future__ import annotations

import random

from surveys.models import QuestionKind

# Answer keys of the scored questions: key -> (right option set, points, "Không biết" option).
KEY_A = {"Q1": ({2}, 1, None), "Q2": ({2}, 1, "5"), "Q3": ({1, 2}, 2, None), "Q4": ({2}, 1, None)}
LIKERT_A = "Q5"


def _p(q1, q2, q3, q4, q5=None, q6=None) -> dict:
    return {k: v for k, v in zip(("Q1", "Q2", "Q3", "Q4", "Q5", "Q6"), (q1, q2, q3, q4, q5, q6)) if v is not None}


PEOPLE_A = [
    dict(label="P1", sex="F", birth_year=1990, ethnicity="02", village="Nà Nguộc",
         pre=_p("2", "1", "1", "3", "2"), post=_p("2", "2", "1,2", "3", "4", "Gọi 111")),
    dict(label="P2", sex="F", birth_year=1985, ethnicity="09", village="Nà Nguộc",
         pre=_p("2", "2", "1,2", "3", "3"), post=_p("2", "2", "1,2", "2", "5")),
    dict(label="P3", sex="F", birth_year=1970, ethnicity="02", village="Nà Nguộc",
         pre=_p("1", "5", None, "2"), post=_p("2", "5", "1,3", "2", "3")),
    dict(label="P4", sex="M", birth_year=2000, ethnicity="01", village="Bản Nhùng",
         pre=_p("2", "2", "2", "2", "4"), post=_p("2", "2", "2", "2", "4")),
    dict(label="P5", sex="F", birth_year=1995, ethnicity="09", village="Bản Nhùng",
         pre=_p("1", "5", "1,2", None, "1"), post=_p("2", "2", "1,2", "3", "5")),
    dict(label="P6", sex="F", birth_year=1960, ethnicity="08", village="Bản Nhùng",
         pre=_p("2", "1", "1", "3", "2"), post=_p("2", "1", "1", "3")),
    dict(label="P7", sex="F", village="Nà Nguộc", pre={}, post=_p("2", "2", None, "2", "4")),
    dict(label="P8", sex="F", birth_year=1992, ethnicity="02", village="Nà Nguộc",
         pre=_p("2", "2", "1,2", "2", "5"), post=None),
]
# Worked out by hand from the keys above (P8 has no post test, P7 a blank pre test).
HAND_TOTALS_A = {"P1": (1, 4), "P2": (4, 5), "P3": (1, 2), "P4": (3, 3), "P5": (2, 4), "P6": (1, 1),
                 "P7": (0, 3), "P8": (5, None)}

QUESTIONS_B = [
    dict(text="Bạo lực gia đình là hành vi vi phạm pháp luật.", kind=QuestionKind.truefalse, correct=[1]),
    dict(text="Khi bị bạo lực, chị có thể gọi số nào?", kind=QuestionKind.single,
         options=["113", "115", "111", "114"], correct=[3], has_dont_know=True),
    dict(text="Ai có quyền quyết định việc kết hôn?", kind=QuestionKind.single,
         options=["Hai người kết hôn", "Bố mẹ", "Trưởng họ"], correct=[1]),
    dict(text="Nữ đủ 17 tuổi được phép kết hôn.", kind=QuestionKind.truefalse, correct=[2]),
    dict(text="Tin nhắn trúng thưởng yêu cầu chuyển phí trước là gì?", kind=QuestionKind.single,
         options=["Quà tặng", "Khuyến mãi", "Cơ hội", "Lừa đảo"], correct=[4]),
    dict(text="Việc nào giúp chia sẻ việc nhà?", kind=QuestionKind.multi,
         options=["Cùng nấu ăn", "Để vợ làm hết", "Cùng chăm con"], correct=[1, 3]),
    dict(text="Tôi sẽ khuyên hàng xóm không cho con kết hôn sớm.", kind=QuestionKind.likert),
]
KEY_B = {"Q1": ({1}, 1, None), "Q2": ({3}, 1, "5"), "Q3": ({1}, 1, None), "Q4": ({2}, 1, None),
         "Q5": ({4}, 1, None), "Q6": ({1, 3}, 1, None)}
OPTIONS_B = {"Q1": 2, "Q2": 4, "Q3": 3, "Q4": 2, "Q5": 4, "Q6": 3}
LIKERT_B = "Q7"


def _people_b() -> list[dict]:
    rng = random.Random(2025)
    # Chance of a right answer before / after for a participant of ability u in [0, 1).
    chance = {
        "Q1": lambda u, post: 0.99,
        "Q2": lambda u, post: 0.25 + 0.4 * u + (0.35 if post else 0),
        "Q3": lambda u, post: 0.4 + 0.3 * u + (0.25 if post else 0),
        "Q4": lambda u, post: 0.15 + 0.2 * u + (0.1 if post else 0),
        "Q5": lambda u, post: 0.3 + 0.3 * u + (0.3 if post else 0),
        "Q6": lambda u, post: 0.9 - 0.7 * u,
    }
    ethnicities = ["02", "02", "09", "09", "08", "01", "07"]
    people = []
    for i in range(36):
        u = rng.random()

        def answers(post: bool) -> dict:
            out = {}
            for key, (right, _points, dont_know) in KEY_B.items():
                roll = rng.random()
                if roll < 0.05:
                    continue  # left blank on paper
                if rng.random() < chance[key](u, post):
                    out[key] = ",".join(map(str, sorted(right)))
                elif dont_know and rng.random() < 0.3:
                    out[key] = dont_know
                else:
                    wrong = [o for o in range(1, OPTIONS_B[key] + 1) if {o} != right]
                    out[key] = str(rng.choice(wrong))
            if rng.random() < 0.9:
                out[LIKERT_B] = str(min(5, max(1, round(2 + 2 * u + (1 if post else 0) + rng.uniform(-1, 1)))))
            return out

        pre, post = answers(False), answers(True)
        people.append(dict(label=f"B{i + 1:02d}", sex="M" if i % 6 == 5 else "F", birth_year=1955 + (i * 7) % 50,
                           ethnicity=ethnicities[i % len(ethnicities)],
                           village="Nà Nguộc" if i % 3 else "Khuổi Hát",
                           pre=pre if i != 34 else None, post=post if i not in (32, 33) else None))
    people[35]["pre"] = {}  # a pre test handed in blank
    return people


PEOPLE_B = _people_b()

DATASETS = {
    "A": dict(people=PEOPLE_A, questions=None, key=KEY_A, likert=LIKERT_A, likert_points=5),
    "B": dict(people=PEOPLE_B, questions=QUESTIONS_B, key=KEY_B, likert=LIKERT_B, likert_points=5),
}


def points(key: dict, raw: dict) -> tuple[dict, set]:
    """Scores of one raw response by the answer key, written independently of the app:
    {item: points} (blank items absent) and the items answered "Không biết"."""
    out, dont_know = {}, set()
    for item, (right, pts, dk) in key.items():
        value = raw.get(item)
        if value is None:
            continue
        chosen = {int(v) for v in str(value).split(",")}
        out[item] = pts if chosen == right else 0
        if dk is not None and str(value) == dk:
            dont_know.add(item)
    return out, dont_know
