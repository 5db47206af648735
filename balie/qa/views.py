"""The vraagbaak for professionals, and the read-only FAQ for parents."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from balie.clock import today
from balie.domain.errors import DomainError
from balie.domain.roles import Permission
from balie.extensions import db
from balie.models import Answer, User
from balie.models.base import utcnow
from balie.qa.forms import AnswerForm, ModerateForm, OwnerForm, QuestionForm, ReviewedForm, SearchForm
from balie.rich_text import linked_services, render
from balie.search import registry as search_registry
from balie.search.engine import snippet
from balie.services.accounts import names as user_names
from balie.services.directory import queries as directory_queries
from balie.services.qa import index as qa_index
from balie.services.qa import questions as qa
from balie.services.qa.questions import Actor, PersonalDataFound
from balie.web.forms import EmptyForm
from balie.web.redirect_targets import safe_next
from balie.web.security import requires

blueprint = Blueprint("qa", __name__)
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
GUARD_LABELS = {
    "bsn": _l("a citizen service number (BSN)"),
    "phone": _l("a phone number"),
    "email": _l("an e-mail address"),
    "address": _l("a postcode with a house number"),
    "birth_date": _l("a date that may be a date of birth"),
    "name": _l("what may be a name"),
}


def _actor() -> Actor:
    return Actor(current_user.id, current_user.can(Permission.QA_MODERATE))


def _after_commit() -> None:
    search_registry.refresh_after_commit(search_registry.vraagbaak())


def _guard_message(error: PersonalDataFound) -> str:
    found = "; ".join(f"{GUARD_LABELS[f.kind]}: “{f.text}”" for f in error.findings)
    return gettext(
        "Your text seems to contain personal data of a client (%(found)s). Remove it and try again. Nothing has "
        "been saved.",
        found=found,
    )


def _question_or_404(question_id: str) -> Any:
    question = qa.get_question(db.session, question_id)
    if question is None or (
        question.hidden and not current_user.can(Permission.QA_MODERATE) and not question.merged_into_id
    ):
        abort(404)
    return question


def _similar(title: str, exclude: str | None = None) -> list[Any]:
    if not title.strip():
        return []
    engine = search_registry.vraagbaak().engine(db.session)
    result = engine.search(qa_index.search_query(title, per_page=6))
    return [q for q in qa.questions_by_ids(db.session, result.ids) if q.id != exclude][:5]


@blueprint.get("/vraagbaak")
@requires(Permission.QA_MEMBER)
def index() -> str:
    form = SearchForm(request.args)
    form.validate()
    engine = search_registry.vraagbaak().engine(db.session)
    result = engine.search(
        qa_index.search_query(
            form.q.data or "",
            tuple(form.tag.data or ()),
            bool(form.opgelost.data),
            form.sort.data or "relevance",
            form.page.data or 1,
        )
    )
    questions = qa.questions_by_ids(db.session, result.ids)
    return render_template(
        "qa/index.html",
        form=form,
        result=result,
        questions=questions,
        snippets={q.id: snippet(q.body or q.title, result.highlight) for q in questions},
        faq=qa.faq(db.session) if not request.args else [],
        followed=qa.followed_tags(db.session, current_user.id),
        tag_names={t.code: t.name for t in qa.curated_tags(db.session)},
        searching=bool(request.args),
    )


@blueprint.route("/vraagbaak/vragen/nieuw", methods=["GET", "POST"])
@requires(Permission.QA_MEMBER)
def ask() -> Any:
    """Step 1 (GET with ?titel=): similar questions first. Step 2 (POST): the question itself."""
    form = QuestionForm()
    form.fill_tags(qa.curated_tags(db.session))
    if request.method == "GET":
        form.title.data = request.args.get("titel", "")[:200]
        return render_template(
            "qa/ask.html", form=form, similar=_similar(form.title.data or ""), step=2 if form.title.data else 1
        )
    if not form.validate_on_submit():
        return render_template("qa/ask.html", form=form, similar=_similar(form.title.data or ""), step=2), 400
    try:
        question = qa.ask(
            db.session, current_user.id, form.title.data, form.body.data or "", form.tag_names(), today(), utcnow()
        )
    except PersonalDataFound as error:
        db.rollback_quietly()
        form.body.errors = [_guard_message(error)]
        return render_template("qa/ask.html", form=form, similar=[], step=2), 400
    db.commit()
    _after_commit()
    flash(gettext("Your question has been posted. You will get an e-mail when someone answers."), "success")
    return redirect(url_for("qa.question", question_id=question.id), code=303)


@blueprint.get("/vraagbaak/vergelijkbaar")
@requires(Permission.QA_MEMBER)
def similar() -> str:
    """A fragment for the ask form (progressive enhancement): similar questions while typing."""
    return render_template("qa/_similar.html", similar=_similar(request.args.get("titel", "")[:200]))


def _question_page(question: Any, answer_form: AnswerForm | None = None, status: int = 200) -> Any:
    is_moderator = current_user.can(Permission.QA_MODERATE)
    answers = qa.ordered_answers(question, include_hidden=is_moderator)
    services = {a.id: directory_queries.services_by_ids(db.session, linked_services(a.body)) for a in answers}
    owner_form = OwnerForm(prefix="owner")
    owner_form.owner.choices = [SelectChoice(u.id, u.name) for u in qa.expert_owners(db.session)]
    return render_template(
        "qa/question.html",
        question=question,
        answers=answers,
        render=render,
        services=services,
        answer_form=answer_form or AnswerForm(),
        follows=qa.is_following(db.session, current_user.id, "question", question.id),
        followed_tags=qa.followed_tags(db.session, current_user.id),
        is_moderator=is_moderator,
        moderate_form=ModerateForm(),
        owner_form=owner_form,
        reviewed_form=ReviewedForm(prefix="reviewed"),
        action_form=EmptyForm(),
        today=today(),
        needs_review=qa.needs_review,
    ), status


@blueprint.get("/vraagbaak/vragen/<question_id>")
@requires(Permission.QA_MEMBER)
def question(question_id: str) -> Any:
    found = _question_or_404(question_id)
    if found.merged_into_id:
        return redirect(url_for("qa.question", question_id=found.merged_into_id), code=301)
    return _question_page(found)


@blueprint.post("/vraagbaak/vragen/<question_id>/antwoorden")
@requires(Permission.QA_MEMBER)
def post_answer(question_id: str) -> Any:
    found = _question_or_404(question_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _question_page(found, form, 400)
    try:
        new = qa.answer(db.session, found, current_user.id, form.body.data, today(), utcnow())
    except PersonalDataFound as error:
        db.rollback_quietly()
        form.body.errors = [_guard_message(error)]
        return _question_page(qa.get_question(db.session, question_id), form, 400)
    except qa.NotAllowed:
        abort(403)
    db.commit()
    _after_commit()
    flash(gettext("Thank you for your answer."), "success")
    return redirect(url_for("qa.question", question_id=found.id, _anchor=f"antwoord-{new.id}"), code=303)


@blueprint.route("/vraagbaak/vragen/<question_id>/bewerken", methods=["GET", "POST"])
@requires(Permission.QA_MEMBER)
def edit_question(question_id: str) -> Any:
    found = _question_or_404(question_id)
    if not (current_user.can(Permission.QA_MODERATE) or found.author_id == current_user.id):
        abort(404)
    form = QuestionForm(
        data={"title": found.title, "body": found.body, "tags": [t.code for t in found.tags]}
        if request.method == "GET"
        else None
    )
    form.fill_tags(qa.curated_tags(db.session))
    if request.method == "GET":
        curated = {c.value for c in form.tags.choices}
        form.other_tags.data = ", ".join(t.name for t in found.tags if t.code not in curated)
    if form.validate_on_submit():
        try:
            qa.edit_question(
                db.session, found, _actor(), form.title.data, form.body.data or "", form.tag_names(), today(), utcnow()
            )
        except PersonalDataFound as error:
            db.rollback_quietly()
            form.body.errors = [_guard_message(error)]
        else:
            db.commit()
            _after_commit()
            flash(gettext("Your changes have been saved."), "success")
            return redirect(url_for("qa.question", question_id=found.id), code=303)
    return render_template("qa/edit_question.html", form=form, question=found), 400 if form.errors else 200


def _answer_or_404(answer_id: str) -> Answer:
    found = db.session.get(Answer, answer_id)
    if found is None or (found.hidden and not current_user.can(Permission.QA_MODERATE)):
        abort(404)
    return found


@blueprint.route("/vraagbaak/antwoorden/<answer_id>/bewerken", methods=["GET", "POST"])
@requires(Permission.QA_MEMBER)
def edit_answer(answer_id: str) -> Any:
    found = _answer_or_404(answer_id)
    if not (current_user.can(Permission.QA_MODERATE) or found.author_id == current_user.id):
        abort(404)
    form = AnswerForm(data={"body": found.body} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            qa.edit_answer(db.session, found, _actor(), form.body.data, today(), utcnow())
        except PersonalDataFound as error:
            db.rollback_quietly()
            form.body.errors = [_guard_message(error)]
        else:
            db.commit()
            _after_commit()
            flash(gettext("Your changes have been saved."), "success")
            return redirect(
                url_for("qa.question", question_id=found.question_id, _anchor=f"antwoord-{found.id}"), code=303
            )
    return render_template("qa/edit_answer.html", form=form, answer=found), 400 if form.errors else 200


@blueprint.post("/vraagbaak/antwoorden/<answer_id>/<action>")
@requires(Permission.QA_MEMBER)
def answer_action(answer_id: str, action: str) -> Any:
    """accept, helpful, hide, unhide, owner, reviewed."""
    found = _answer_or_404(answer_id)
    question_url = url_for("qa.question", question_id=found.question_id, _anchor=f"antwoord-{found.id}")
    actor = _actor()
    try:
        if action == "accepteren" and EmptyForm().validate_on_submit():
            qa.accept(db.session, found.question, found, actor)
            message = gettext("The answer is marked as the solution.")
        elif action == "nuttig" and EmptyForm().validate_on_submit():
            counted = qa.mark_helpful(db.session, found, current_user.id)
            message = (
                gettext("Thank you: marked as helpful.")
                if counted
                else gettext("You already marked this answer (or it is your own).")
            )
        elif action in ("verbergen", "tonen") and EmptyForm().validate_on_submit():
            qa.moderate_answer(db.session, found, actor, hidden=action == "verbergen")
            message = (
                gettext("The answer is hidden.") if action == "verbergen" else gettext("The answer is shown again.")
            )
        elif action == "eigenaar":
            if not actor.is_moderator:
                abort(403)
            form = OwnerForm(prefix="owner")
            form.owner.choices = [SelectChoice(u.id, u.name) for u in qa.expert_owners(db.session)]
            owner = db.session.get(User, form.owner.data or "")
            if not form.validate_on_submit() or owner is None:
                flash(gettext("Choose an owner and a date."), "warning")
                return redirect(question_url, code=303)
            qa.set_owner(db.session, found, actor, owner, form.review_by.data, utcnow())
            message = gettext("Owner and review date saved.")
        elif action == "gecontroleerd":
            form = ReviewedForm(prefix="reviewed")
            if not form.validate_on_submit():
                flash(gettext("Enter the next review date."), "warning")
                return redirect(question_url, code=303)
            qa.mark_reviewed(db.session, found, actor, form.review_by.data, utcnow())
            message = gettext("Marked as checked. Thank you.")
        else:
            abort(400)
    except qa.NotAllowed:
        abort(403)
    db.commit()
    _after_commit()
    flash(message, "success")
    return redirect(question_url, code=303)


@blueprint.post("/vraagbaak/vragen/<question_id>/moderatie")
@requires(Permission.QA_MODERATE)
def moderate(question_id: str) -> Any:
    found = _question_or_404(question_id)
    form = ModerateForm()
    if not form.validate_on_submit():
        abort(400)
    target = None
    if form.action.data == "merge":
        match = _ID.search(form.merge_into.data or "")
        target = qa.get_question(db.session, match.group()) if match else None
    try:
        qa.moderate_question(
            db.session,
            found,
            _actor(),
            form.action.data,
            merge_into=target,
            parent_text=qa.ParentText(
                form.title_nl.data or "", form.answer_nl.data or "", form.title_en.data or "", form.answer_en.data or ""
            ),
            today=today(),
        )
    except PersonalDataFound as error:
        db.rollback_quietly()
        flash(_guard_message(error), "warning")
        return redirect(url_for("qa.question", question_id=found.id), code=303)
    except DomainError as error:
        db.rollback_quietly()
        flash(
            {
                "merge_target": gettext("Give the address of another, not merged question."),
                "publish_needs_accepted_answer": gettext(
                    "Only a question with an accepted answer can be shown to parents."
                ),
                "publish_needs_parent_text": gettext("Write the question and the answer in Dutch for parents first."),
            }.get(error.code, gettext("This is not possible.")),
            "warning",
        )
        return redirect(url_for("qa.question", question_id=found.id), code=303)
    db.commit()
    _after_commit()
    flash(gettext("Saved."), "success")
    destination = target.id if target is not None else found.id
    return redirect(url_for("qa.question", question_id=destination), code=303)


@blueprint.post("/vraagbaak/volgen/<kind>/<target>")
@requires(Permission.QA_MEMBER)
def follow(kind: str, target: str) -> Any:
    if kind not in ("vraag", "tag") or not EmptyForm().validate_on_submit():
        abort(400)
    internal = "question" if kind == "vraag" else "tag"
    if internal == "question":
        _question_or_404(target)
    elif not qa.tag_code(target) == target:
        abort(404)
    following = qa.toggle_follow(db.session, current_user.id, internal, target, utcnow())
    db.commit()
    flash(
        gettext("You follow this now. You get an e-mail with a link when there is a new answer.")
        if following
        else gettext("You no longer follow this."),
        "success",
    )
    return redirect(safe_next(request.form.get("next"), url_for("qa.index")), code=303)


@blueprint.get("/vraagbaak/vragen/<question_id>/geschiedenis")
@requires(Permission.QA_MEMBER)
def history(question_id: str) -> str:
    found = _question_or_404(question_id)
    revisions = qa.revisions(db.session, "question", found.id)
    answer_revisions = {a.id: qa.revisions(db.session, "answer", a.id) for a in found.answers}
    editors = {r.edited_by for r in revisions} | {r.edited_by for rs in answer_revisions.values() for r in rs}
    return render_template(
        "qa/history.html",
        question=found,
        revisions=revisions,
        answer_revisions=answer_revisions,
        names=user_names.names(db.session, {editor for editor in editors if editor}),
    )


@blueprint.get("/vraagbaak/opnieuw-bekijken")
@requires(Permission.QA_MODERATE)
def review_list() -> str:
    return render_template("qa/review.html", answers=qa.due_for_review(db.session, today()))


@blueprint.get("/veelgestelde-vragen")
def public_faq() -> str:
    """For parents: the questions moderators chose, read-only, in Dutch or English."""
    english = str(get_locale()) == "en"
    items = []
    for found in qa.public_faq(db.session):
        if english and found.public_title_en and found.public_answer_en:
            items.append((found.id, found.public_title_en, render(found.public_answer_en)))
        elif not english and found.public_title_nl and found.public_answer_nl:
            items.append((found.id, found.public_title_nl, render(found.public_answer_nl)))
    return render_template("qa/public_faq.html", items=items)
