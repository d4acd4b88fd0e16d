"""Question bank screens: topics, questions, and tests built from them."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import can_edit_shared, shared_list_filter
from app.collation import matches, sort_key
from app.extensions import db
from app.services import ServiceError, service_call
from surveys import services
from surveys.access import (
    get_instrument_or_404, get_question_or_404, surveys_required, visible_instruments, visible_questions,
)
from surveys.blueprint import bp
from surveys.forms import KIND_LABELS, InstrumentForm, QuestionForm, TopicForm
from surveys.models import Instrument, InstrumentVersion, Question, Topic, Training
from surveys.views.common import topic_choices, vi_order


# --- topics ------------------------------------------------------------------------------

@bp.route("/topics/", methods=["GET", "POST"])
@surveys_required
def list_topics():
    form = TopicForm()
    if form.validate_on_submit():
        with service_call(form, "name") as call:
            # An administrator adds to the national list, anyone else to their unit's own topics.
            topic = services.save_topic(None, form.name.data, form.is_active.data,
                                        unit=None if current_user.is_admin else current_user.unit)
        if call.ok:
            flash(_("Đã thêm chủ đề “%(name)s”.", name=topic.name), "success")
            return redirect(url_for("surveys.list_topics"))
    counts = dict(db.session.execute(sa.select(Question.topic_id, sa.func.count(Question.id))
                                     .where(visible_filter_questions()).group_by(Question.topic_id)).all())
    topics = sorted(db.session.scalars(sa.select(Topic).where(shared_list_filter(current_user, Topic.unit_id))),
                    key=lambda t: (not t.is_active, sort_key(t.name)))
    return render_template("surveys/list_topics.html", topics=topics, counts=counts, form=form,
                           can_edit=lambda t: can_edit_shared(current_user, t.unit))


def visible_filter_questions():
    return Question.id.in_(visible_questions(current_user).with_only_columns(Question.id).where(Question.is_active))


@bp.route("/topics/<int:topic_id>/edit", methods=["GET", "POST"])
@surveys_required
def edit_topic(topic_id: int):
    topic = db.session.scalar(sa.select(Topic).where(Topic.id == topic_id,
                                                     shared_list_filter(current_user, Topic.unit_id)))
    if topic is None:
        abort(404)
    if not can_edit_shared(current_user, topic.unit):
        abort(403)
    form = TopicForm(obj=topic)
    if form.validate_on_submit():
        with service_call(form, "name") as call:
            services.save_topic(topic, form.name.data, form.is_active.data)
        if call.ok:
            flash(_("Đã lưu."), "success")
            return redirect(url_for("surveys.list_topics"))
    return render_template("surveys/edit_topic.html", form=form, topic=topic)


# --- questions ---------------------------------------------------------------------------

@bp.route("/questions/")
@surveys_required
def list_questions():
    q = request.args.get("q", "").strip()[:100]
    topic_id = request.args.get("topic", type=int)
    stmt = visible_questions(current_user).where(Question.is_active)
    if topic_id:
        stmt = stmt.where(Question.topic_id == topic_id)
    if q:
        # Words of the text, tones and case ignored ("lua dao" finds "Lừa đảo"), by the same rule
        # as the test builder's filter (app.collation.matches); the page then pages over the ids.
        texts = db.session.execute(stmt.with_only_columns(Question.id, Question.text)).all()
        stmt = stmt.where(Question.id.in_([qid for qid, text in texts if matches(q, text)]))
    stmt = stmt.options(sa.orm.joinedload(Question.topic), sa.orm.joinedload(Question.unit)) \
        .order_by(Question.topic_id, Question.id)
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("surveys/list_questions.html", page=page, q=q, topic_id=topic_id,
                           topics=topic_choices(), kind_labels=KIND_LABELS)


def _question_form(question: Question | None) -> QuestionForm:
    if question is None:
        form = QuestionForm(topic_id=request.args.get("topic", type=int))
    else:
        form = QuestionForm(data={
            "topic_id": question.topic_id, "text": question.text, "kind": question.kind.value,
            "options": "\n".join(question.options), "correct": ",".join(map(str, question.correct)),
            "points": question.points, "has_dont_know": question.has_dont_know})
    form.topic_id.choices = topic_choices(question.topic_id if question else None)
    return form


def _save_question_from(form: QuestionForm, question: Question | None) -> Question | None:
    topic = db.session.get(Topic, form.topic_id.data)
    with service_call(form, "text") as call:
        saved = services.save_question(
            question, topic=topic, unit=question.unit if question else current_user.unit, user=current_user,
            text=form.text.data, kind=form.kind.data, options=(form.options.data or "").splitlines(),
            correct=form.correct.data, points=form.points.data, has_dont_know=form.has_dont_know.data)
    return saved if call.ok else None


@bp.route("/questions/new", methods=["GET", "POST"])
@surveys_required
def create_question():
    form = _question_form(None)
    if form.validate_on_submit() and (question := _save_question_from(form, None)):
        flash(_("Đã thêm câu hỏi vào ngân hàng."), "success")
        return redirect(url_for("surveys.list_questions", topic=question.topic_id))
    return render_template("surveys/edit_question.html", form=form, question=None)


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@surveys_required
def edit_question(question_id: int):
    question = get_question_or_404(question_id, edit=True)
    form = _question_form(question)
    if form.validate_on_submit() and _save_question_from(form, question):
        flash(_("Đã lưu. Các bài kiểm tra đã có giữ nguyên nội dung cũ cho đến khi được sửa."), "success")
        return redirect(url_for("surveys.list_questions", topic=question.topic_id))
    return render_template("surveys/edit_question.html", form=form, question=question)


@bp.route("/questions/<int:question_id>/archive", methods=["POST"])
@surveys_required
def archive_question(question_id: int):
    question = get_question_or_404(question_id, edit=True)
    services.archive_question(question)
    flash(_("Đã cất câu hỏi khỏi ngân hàng."), "success")
    return redirect(url_for("surveys.list_questions", topic=question.topic_id))


# --- tests (instruments) -----------------------------------------------------------------

@bp.route("/tests/")
@surveys_required
def list_instruments():
    stmt = visible_instruments(current_user).where(Instrument.is_active)
    stmt = stmt.options(sa.orm.joinedload(Instrument.topic), sa.orm.joinedload(Instrument.unit)).order_by(
        vi_order(stmt, Instrument.id, Instrument.title))
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)
    ids = [i.id for i in page.items]
    versions = dict(db.session.execute(sa.select(InstrumentVersion.instrument_id, sa.func.max(InstrumentVersion.number))
                                       .where(InstrumentVersion.instrument_id.in_(ids))
                                       .group_by(InstrumentVersion.instrument_id)).all()) if ids else {}
    return render_template("surveys/list_instruments.html", page=page, versions=versions)


def _bank_for_picker(instrument: Instrument | None) -> tuple[list[Question], dict[int, int]]:
    """Questions the picker offers (visible, active, plus those in the test) and their positions."""
    positions = {it.question_id: it.position for it in instrument.current_version.items} if instrument else {}
    g.required_ids = {it.question_id for it in instrument.current_version.items if it.required} if instrument else set()
    stmt = visible_questions(current_user).where(sa.or_(Question.is_active, Question.id.in_(list(positions))))
    questions = db.session.scalars(stmt.options(sa.orm.joinedload(Question.topic))
                                   .order_by(Question.topic_id, Question.id)).all()
    return questions, positions


def _bank_filter() -> tuple[str, int | None]:
    """The picker's filter from the query string: words of the text (tones and case ignored) and a topic."""
    return request.args.get("q", "").strip()[:100], request.args.get("topic", type=int)


def _shown_questions(questions: list[Question], positions: dict[int, str]) -> list[Question]:
    """The picker rows: those matching the filter, and always those given a position, so that a
    filter never hides (and saving never drops) a question of the test."""
    q, topic_id = _bank_filter()
    if not q and not topic_id:
        return questions
    return [qn for qn in questions if positions.get(qn.id, "").strip()
            or ((not topic_id or qn.topic_id == topic_id) and matches(q, qn.text))]


def _render_builder(form: InstrumentForm, instrument: Instrument | None, questions: list[Question],
                    positions: dict[int, int]):
    shown_positions = _posted_positions(positions)
    q, topic_id = _bank_filter()
    return render_template("surveys/edit_instrument.html", form=form, instrument=instrument,
                           questions=_shown_questions(questions, shown_positions), bank_size=len(questions),
                           positions=shown_positions, required=_posted_required(), kind_labels=KIND_LABELS,
                           q=q, topic_id=topic_id, topics=topic_choices())


def _picked_questions(questions: list[Question]) -> list[dict]:
    """The contents of the questions given a position number in the picker, in that order, each
    marked required when its box is ticked; two questions at one position are refused."""
    picked, taken = [], {}
    for index, question in enumerate(questions):
        raw = request.form.get(f"pos_{question.id}", "").strip()
        if raw:
            if not raw.isdigit() or not 1 <= int(raw) <= 999:
                raise ServiceError(_("Thứ tự câu hỏi phải là số từ 1 đến 999."), "questions")
            if int(raw) in taken:
                raise ServiceError(_("Hai câu hỏi cùng thứ tự %(n)d: “%(a)s” và “%(b)s”. Mỗi câu một số khác nhau.",
                                     n=int(raw), a=_short(taken[int(raw)].text), b=_short(question.text)),
                                   "questions")
            taken[int(raw)] = question
            picked.append((int(raw), index, question))
    ordered = [q for _pos, _i, q in sorted(picked, key=lambda t: (t[0], t[1]))]
    required = {q.id for q in ordered if request.form.get(f"req_{q.id}") == "1"}
    return services.question_contents(ordered, required)


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "…"


def _posted_required() -> set[int]:
    if request.method == "POST":
        return {int(k[4:]) for k, v in request.form.items() if k.startswith("req_") and k[4:].isdigit() and v == "1"}
    return getattr(g, "required_ids", set())


def _instrument_form(instrument: Instrument | None) -> InstrumentForm:
    form = InstrumentForm(obj=instrument) if instrument else InstrumentForm()
    form.topic_id.choices = topic_choices(instrument.topic_id if instrument else None)
    return form


@bp.route("/tests/new", methods=["GET", "POST"])
@surveys_required
def create_instrument():
    form = _instrument_form(None)
    questions, positions = _bank_for_picker(None)
    if form.validate_on_submit():
        with service_call(form, "title") as call:
            instrument = services.create_instrument(
                title=form.title.data, topic=db.session.get(Topic, form.topic_id.data), unit=current_user.unit,
                user=current_user, contents=_picked_questions(questions),
                shuffle_options=form.shuffle_options.data)
        if call.ok:
            flash(_("Đã tạo bài kiểm tra."), "success")
            return redirect(url_for("surveys.show_instrument", instrument_id=instrument.id))
    return _render_builder(form, None, questions, positions)


def _posted_positions(default: dict[int, int]) -> dict[int, str]:
    if request.method == "POST":
        return {int(k[4:]): v for k, v in request.form.items() if k.startswith("pos_") and k[4:].isdigit()}
    return {k: str(v) for k, v in default.items()}


@bp.route("/tests/<int:instrument_id>")
@surveys_required
def show_instrument(instrument_id: int):
    instrument = get_instrument_or_404(instrument_id)
    trainings = db.session.scalars(sa.select(Training).join(InstrumentVersion)
                                   .where(InstrumentVersion.instrument_id == instrument.id,
                                          current_user.unit.subtree_filter(Training.unit_id))
                                   .order_by(Training.start_date.desc())).all()
    return render_template("surveys/show_instrument.html", instrument=instrument, trainings=trainings,
                           kind_labels=KIND_LABELS, can_edit=current_user.can_see_unit(instrument.unit))


@bp.route("/tests/<int:instrument_id>/edit", methods=["GET", "POST"])
@surveys_required
def edit_instrument(instrument_id: int):
    instrument = get_instrument_or_404(instrument_id, edit=True)
    form = _instrument_form(instrument)
    questions, positions = _bank_for_picker(instrument)
    if form.validate_on_submit():
        with service_call(form, "title") as call:
            before = instrument.current_version
            version = services.update_instrument(
                instrument, title=form.title.data, topic=db.session.get(Topic, form.topic_id.data), user=current_user,
                contents=_picked_questions(questions),
                shuffle_options=form.shuffle_options.data)
        if call.ok:
            if version is not before:
                flash(_("Bài kiểm tra đã có câu trả lời nên đã tạo phiên bản %(n)d; câu trả lời cũ giữ phiên bản cũ.",
                        n=version.number), "info")
            flash(_("Đã lưu."), "success")
            return redirect(url_for("surveys.show_instrument", instrument_id=instrument.id))
    return _render_builder(form, instrument, questions, positions)


@bp.route("/tests/<int:instrument_id>/duplicate", methods=["POST"])
@surveys_required
def duplicate_instrument(instrument_id: int):
    """A copy of the test (same questions, key and points) to change without touching the trainings
    that use the original."""
    instrument = get_instrument_or_404(instrument_id, edit=True)
    copy = services.duplicate_instrument(instrument, current_user)
    flash(_("Đã nhân bản thành “%(title)s”; chưa lớp nào dùng bản này, có thể sửa tùy ý.", title=copy.title),
          "success")
    return redirect(url_for("surveys.show_instrument", instrument_id=copy.id))
