"""The vraagbaak with the Flask client: ask (similar questions first), answer, accept, helpful,
follow and mail, the privacy guard, Markdown, edits with history, moderation and its rights,
review reminders, the parents' FAQ, sociale kaart cards, search, anonymous access and the seed.

Page texts are asserted in English (the professional chose English), so a change in the Dutch
wording does not break them; the content (questions, answers) is Dutch as users write it.
"""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import time_machine
import yaml
from flask import Flask
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from balie.clock import today
from balie.extensions import db
from balie.models import Answer, HelpfulVote, OutboxMessage, PostRevision, Question, Service, Subscription, Tag, User
from balie.models.qa import question_tag
from balie.services.accounts.lifecycle import Grant
from balie.services.qa import questions as qa
from balie.services.qa.seed import DATA_DIR, EDITOR_EMAIL
from tests.conftest import make_app
from tests.support.accounts import Account, login, make_user
from tests.support.databases import copy_sqlite
from tests.support.pages import Page
from tests.web.helpers import _FormReader, form_fields

ASK = "/vraagbaak/vragen/nieuw"
UUID = r"[0-9a-f-]{36}"


# --- fixtures and helpers ------------------------------------------------------------------


@dataclass
class Desk:
    app: Flask
    folder: Path
    asker: Account  # a midwife
    colleague: Account  # a second midwife who answers
    other: Account  # a third professional: neither author nor moderator
    moderator: Account
    sessions: dict[str, str]  # account id → the cookie of its login session (in the copied database)

    def client(self, account: Account | None = None) -> Any:
        client = self.app.test_client()
        client.set_cookie("balie_lang", "en")
        if account is not None:
            client.set_cookie(COOKIE, self.sessions[account.id])
        return client

    def count(self, model: Any) -> int:
        with self.app.app_context():
            return int(db.session.scalar(select(func.count()).select_from(model)) or 0)

    def question(self, question_id: str) -> Question:
        with self.app.app_context():
            found = db.session.get(Question, question_id)
            assert found is not None
            db.session.expunge(found)
            return found

    def answer(self, answer_id: str) -> Answer:
        with self.app.app_context():
            found = db.session.get(Answer, answer_id)
            assert found is not None
            db.session.expunge(found)
            return found

    def cli(self, *args: str) -> str:
        result = self.app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return str(result.output)

    def mails(self) -> list[Message]:
        folder = self.folder / "mail"
        return (
            [email.message_from_bytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))] if folder.exists() else []
        )


COOKIE = "balie_session"


@dataclass
class People:
    database: Path
    accounts: tuple[Account, Account, Account, Account]
    sessions: dict[str, str]


@pytest.fixture(scope="module")
def people(sqlite_template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[People]:
    """Four accounts, each logged in once (argon2 is slow on purpose): every test copies this database."""
    folder = tmp_path_factory.mktemp("vraagbaak-people")
    database = folder / "balie.sqlite3"
    app = make_app(copy_sqlite(sqlite_template_path, database), folder, SEARCH_INDEX_DIR=str(folder / "search"))
    midwife = [Grant("professional", profession="midwife")]
    accounts = (
        make_user(app, "anna@verloskunde.example", midwife, totp=False, name="Anna Asker"),
        make_user(app, "bram@verloskunde.example", midwife, totp=False, name="Bram Beantwoorder"),
        make_user(app, "carla@verloskunde.example", midwife, totp=False, name="Carla Collega"),
        make_user(app, "mo@balie.example", [Grant("moderator")], totp=False, name="Mo Moderator"),
    )
    sessions = {}
    for account in accounts:
        client = app.test_client()
        login(client, account)
        cookie = client.get_cookie(COOKIE)
        assert cookie is not None
        sessions[account.id] = cookie.value
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    yield People(database, accounts, sessions)


@pytest.fixture
def desk(people: People, tmp_path: Path) -> Iterator[Desk]:
    app = make_app(
        copy_sqlite(people.database, tmp_path / "balie.sqlite3"), tmp_path, SEARCH_INDEX_DIR=str(tmp_path / "search")
    )
    yield Desk(app, tmp_path, *people.accounts, sessions=people.sessions)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def csrf(client: Any, path: str = "/vraagbaak") -> str:
    return Page(client.get(path)).hidden("csrf_token")


def ask(client: Any, title: str, body: str = "", tags: tuple[str, ...] = (), other_tags: str = "") -> Any:
    """Step 1 (the title, similar questions), then step 2 (the whole question): like a browser."""
    step = Page(client.get(f"{ASK}?titel={quote(title)}"))
    assert step.status == 200
    fields = form_fields(step, ASK)
    fields.setlist("tags", list(tags))
    fields["body"], fields["other_tags"] = body, other_tags
    return client.post(ASK, data=fields)


def ask_ok(client: Any, title: str, body: str = "", tags: tuple[str, ...] = (), other_tags: str = "") -> str:
    response = ask(client, title, body, tags, other_tags)
    assert response.status_code == 303, Page(response).errors
    match = re.search(rf"/vraagbaak/vragen/({UUID})$", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def post_answer(client: Any, question_id: str, body: str) -> Any:
    page = Page(client.get(f"/vraagbaak/vragen/{question_id}"))
    fields = form_fields(page, "/antwoorden")
    fields["body"] = body
    return client.post(f"/vraagbaak/vragen/{question_id}/antwoorden", data=fields)


def answer_ok(client: Any, question_id: str, body: str) -> str:
    response = post_answer(client, question_id, body)
    assert response.status_code == 303, Page(response).errors
    return response.headers["Location"].rsplit("#antwoord-", 1)[1]


def answer_action(client: Any, answer_id: str, action: str, **extra: str) -> Any:
    return client.post(f"/vraagbaak/antwoorden/{answer_id}/{action}", data={"csrf_token": csrf(client), **extra})


def moderate(client: Any, question_id: str, action: str, **extra: str) -> Any:
    return client.post(
        f"/vraagbaak/vragen/{question_id}/moderatie", data={"csrf_token": csrf(client), "action": action, **extra}
    )


def follow(client: Any, kind: str, target: str) -> Any:
    return client.post(f"/vraagbaak/volgen/{kind}/{target}", data={"csrf_token": csrf(client), "next": "/vraagbaak"})


def visit(client: Any, path: str) -> Page:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return Page(response)


def edit_fields(shown: Page) -> MultiDict[str, str]:
    """The fields of the page's edit form (it posts to its own address: the form with a body)."""
    reader = _FormReader()
    reader.feed(shown.html)
    for _action, fields in reader.forms:
        if any(name == "body" for name, _ in fields):
            return MultiDict(fields)
    raise AssertionError("no edit form")


def flashed(client: Any, response: Any) -> str:
    """The page the user lands on after a POST, with its message."""
    assert response.status_code == 303, response.status_code
    return Page(client.get(response.headers["Location"])).text


def result_titles(html: str) -> list[str]:
    """The titles in the search result list, in order."""
    results = re.search(r'<ol class="results">(.*?)</ol>', html, re.S)
    return (
        []
        if results is None
        else [
            re.sub(r"\s+", " ", t).strip()
            for t in re.findall(r'class="result__title"><a [^>]*>(.*?)</a>', results.group(1), re.S)
        ]
    )


def faq_titles(html: str) -> list[str]:
    block = re.search(r'<ul class="list faq-list">(.*?)</ul>', html, re.S)
    return [] if block is None else [t.strip() for t in re.findall(r"<a [^>]*>(.*?)</a>", block.group(1), re.S)]


def facet_counts(html: str) -> dict[str, int]:
    block = re.search(r'<fieldset class="fieldset facet">(.*?)</fieldset>', html, re.S)
    assert block, "no tag facets shown"
    found = re.findall(
        r'value="([^"]+)"[^>]*>\s*<label[^>]*>[^<]*<span class="facet__count">\((\d+)\)</span>', block.group(1)
    )
    return {value: int(count) for value, count in found}


def similar_titles(html: str) -> list[str]:
    block = re.search(r'<div class="similar"(.*?)</div>', html, re.S)
    return [] if block is None else [t.strip() for t in re.findall(r"<a [^>]*>(.*?)</a>", block.group(1), re.S)]


# --- the whole flow ------------------------------------------------------------------------


def test_ask_with_similar_questions_answer_accept_helpful(desk: Desk) -> None:
    asker, colleague, other = desk.client(desk.asker), desk.client(desk.colleague), desk.client(desk.other)
    existing = ask_ok(
        other, "Hoe regel ik een tolk voor het kraambezoekgesprek?", "Een cliënt spreekt alleen Tigrinya.", ("tolk",)
    )

    # Step 1: the title alone; step 2 shows the similar question before the form.
    step1 = visit(asker, ASK)
    assert "First we look whether your question has been asked before." in step1.text
    assert step1.form(ASK)  # a GET form with the title only
    step2 = visit(asker, f"{ASK}?titel={quote('Wie betaalt de tolk bij het kraambezoekgesprek?')}")
    assert "These questions look like yours" in step2.text
    assert "Hoe regel ik een tolk voor het kraambezoekgesprek?" in similar_titles(step2.html)
    assert f"/vraagbaak/vragen/{existing}" in step2.html
    assert form_fields(step2, ASK)["title"] == "Wie betaalt de tolk bij het kraambezoekgesprek?"  # nothing typed lost
    # The same list as a fragment, for the page's script while typing.
    fragment = asker.get(f"/vraagbaak/vergelijkbaar?titel={quote('tolk kraambezoekgesprek')}")
    assert fragment.status_code == 200 and "Hoe regel ik een tolk voor het kraambezoekgesprek?" in fragment.get_data(
        as_text=True
    )
    assert "These questions look like yours" not in visit(asker, f"{ASK}?titel={quote('Zwemles zwemdiploma')}").text

    # Post the question: it is shown, with its tags, and the asker follows it.
    response = ask(
        asker,
        "Wie betaalt de tolk bij het kraambezoekgesprek?",
        "Ik wil het **vooraf** weten.",
        ("tolk", "financiering"),
        "Tigrinya",
    )
    assert response.status_code == 303
    question_id = response.headers["Location"].rsplit("/", 1)[1]
    shown = Page(asker.get(response.headers["Location"]))
    assert "Your question has been posted." in shown.text
    assert "Wie betaalt de tolk bij het kraambezoekgesprek?" in shown.text
    assert "Asked by Anna Asker" in shown.text
    assert {"tolk", "financiering", "tigrinya"} <= set(re.findall(r'class="tag"[^>]*>([^<]+)<', shown.html))
    assert "Stop following this question" in shown.text

    # A colleague answers; the asker accepts; another professional marks it helpful, once.
    answer_id = answer_ok(colleague, question_id, "De gemeente betaalt de tolk via het **Tolkenloket**.")
    as_colleague = visit(colleague, f"/vraagbaak/vragen/{question_id}")
    assert "Answer by Bram Beantwoorder" in as_colleague.text and "Accept as the solution" not in as_colleague.text
    assert "Accept as the solution" in visit(asker, f"/vraagbaak/vragen/{question_id}").text
    assert "The answer is marked as the solution." in flashed(asker, answer_action(asker, answer_id, "accepteren"))
    solved = visit(other, f"/vraagbaak/vragen/{question_id}")
    assert "Accepted answer" in solved.text and "answered" in solved.text
    assert desk.question(question_id).accepted_answer_id == answer_id

    assert "Thank you: marked as helpful." in flashed(other, answer_action(other, answer_id, "nuttig"))
    assert "You already marked this answer" in flashed(other, answer_action(other, answer_id, "nuttig"))
    assert "You already marked this answer (or it is your own)" in flashed(
        colleague, answer_action(colleague, answer_id, "nuttig")
    )
    assert (
        f"/vraagbaak/antwoorden/{answer_id}/nuttig" not in visit(colleague, f"/vraagbaak/vragen/{question_id}").html
    )  # no button for her own
    assert f"/vraagbaak/antwoorden/{answer_id}/nuttig" in visit(other, f"/vraagbaak/vragen/{question_id}").html
    assert "1 person found this helpful" in visit(asker, f"/vraagbaak/vragen/{question_id}").text
    assert desk.answer(answer_id).helpful_count == 1 and desk.count(HelpfulVote) == 1


def test_only_the_asker_or_a_moderator_accepts(desk: Desk) -> None:
    asker, colleague, other, moderator = (
        desk.client(a) for a in (desk.asker, desk.colleague, desk.other, desk.moderator)
    )
    question_id = ask_ok(asker, "Mag de kraamverzorgende ook een aanmelding doen?")
    first = answer_ok(colleague, question_id, "Ja, met toestemming van de zwangere.")
    second = answer_ok(other, question_id, "Alleen via de verloskundige, denk ik.")

    assert answer_action(other, first, "accepteren").status_code == 403
    assert answer_action(colleague, first, "accepteren").status_code == 403  # not even the author
    assert desk.question(question_id).accepted_answer_id is None
    assert "Accepted answer" not in visit(other, f"/vraagbaak/vragen/{question_id}").text

    assert answer_action(moderator, second, "accepteren").status_code == 303
    assert desk.question(question_id).accepted_answer_id == second
    assert answer_action(asker, first, "accepteren").status_code == 303
    shown = visit(other, f"/vraagbaak/vragen/{question_id}")
    # The accepted answer comes first.
    assert shown.text.index("Ja, met toestemming") < shown.text.index("Alleen via de verloskundige")


def test_followers_get_a_mail_with_only_a_link(desk: Desk) -> None:
    asker, colleague, other, moderator = (
        desk.client(a) for a in (desk.asker, desk.colleague, desk.other, desk.moderator)
    )
    title = "Kan het gesprek ook in het buurthuis plaatsvinden?"
    question_id = ask_ok(
        asker, title, "Mijn cliënt wil liever niet thuis afspreken vanwege haar huisgenoten.", ("huisbezoek",)
    )
    # Another professional follows the tag; the moderator follows the question; the asker follows both.
    assert "You follow this now." in flashed(other, follow(other, "tag", "huisbezoek"))
    assert "Stop following “huisbezoek”" in visit(other, "/vraagbaak").text
    assert "You follow this now." in flashed(moderator, follow(moderator, "vraag", question_id))
    assert "Stop following this question" in visit(moderator, f"/vraagbaak/vragen/{question_id}").text
    follow(asker, "tag", "huisbezoek")
    assert desk.count(OutboxMessage) == 0

    answer_text = "Ja, de jeugdverpleegkundige kan ook op het consultatiebureau of in een buurtlocatie afspreken."
    answer_ok(colleague, question_id, answer_text)
    assert desk.count(OutboxMessage) == 3  # asker, tag follower, question follower; not the one who answered

    assert "sent 3" in desk.cli("outbox", "send")
    mails = desk.mails()
    assert sorted(m["To"] for m in mails) == [
        "anna@verloskunde.example",
        "carla@verloskunde.example",
        "mo@balie.example",
    ]
    for mail in mails:
        body = mail.get_payload(decode=True).decode()
        assert f"/vraagbaak/vragen/{question_id}" in body
        for secret in ("buurthuis", "huisgenoten", "consultatiebureau", "buurtlocatie", "huisbezoek"):
            assert secret not in body and secret not in mail["Subject"]

    # Stopping: no mail any more for the tag follower.
    assert "You no longer follow this." in flashed(other, follow(other, "tag", "huisbezoek"))
    answer_ok(colleague, question_id, "Aanvulling: vraag het de JGZ-organisatie in jouw regio.")
    with desk.app.app_context():
        recipients = {
            m.payload["user_id"]
            for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)))
        }
    assert desk.other.id not in recipients and desk.asker.id in recipients


def test_following_something_unknown_is_refused(desk: Desk) -> None:
    other = desk.client(desk.other)
    assert follow(other, "vraag", "00000000-0000-0000-0000-000000000000").status_code == 404
    assert follow(other, "tag", "Geen Code!").status_code == 404
    assert follow(other, "iets", "aanmelden").status_code == 400
    assert desk.count(Subscription) == 0


# --- the privacy guard on every post -------------------------------------------------------

GUARDED = [
    ("BSN 111222333", "citizen service number (BSN)"),
    ("bel haar op 06-12345678", "phone number"),
    ("mail ouder@example.nl", "e-mail address"),
    ("ze woont op 2611 AB 12", "postcode with a house number"),
    ("zij is geboren op 12-03-1995", "may be a date of birth"),
    # Published before the guard knew names, although the notice said it refused them.
    ("Mevrouw Fatima el Amrani is 20 weken zwanger en onverzekerd", "may be a name"),
]


def rows(desk: Desk) -> dict[str, int]:
    models = (Question, Answer, Tag, Subscription, OutboxMessage, PostRevision)
    with desk.app.app_context():
        counts = {m.__name__: int(db.session.scalar(select(func.count()).select_from(m)) or 0) for m in models}
        counts["question_tag"] = int(db.session.scalar(select(func.count()).select_from(question_tag)) or 0)
        return counts


@pytest.mark.parametrize(("text", "label"), GUARDED)
def test_a_question_with_personal_data_is_refused_and_nothing_is_stored(desk: Desk, text: str, label: str) -> None:
    asker = desk.client(desk.asker)
    before = rows(desk)
    response = ask(
        asker, "Hoe meld ik deze cliënt het beste aan?", f"Het gaat om mevrouw, {text}.", ("aanmelden",), "nieuwe-tag"
    )
    assert response.status_code == 400
    shown = Page(response)
    assert any(label in error and "Nothing has been saved" in error for error in shown.errors), shown.errors
    assert "Hoe meld ik deze cliënt het beste aan?" == form_fields(shown, ASK)["title"]  # her title is kept
    assert rows(desk) == before


@pytest.mark.parametrize(("text", "label"), GUARDED)
def test_an_answer_with_personal_data_is_refused_and_nothing_is_stored(desk: Desk, text: str, label: str) -> None:
    question_id = ask_ok(
        desk.client(desk.asker), "Hoe meld ik een cliënt aan die geen Nederlands spreekt?", tags=("taal",)
    )
    follow(desk.client(desk.other), "tag", "taal")
    colleague = desk.client(desk.colleague)
    before = rows(desk)
    response = post_answer(colleague, question_id, f"Bel haar gewoon, {text}.")
    assert response.status_code == 400
    assert any(label in error for error in Page(response).errors)
    assert rows(desk) == before  # no answer, and no mail to the followers


def test_a_title_with_personal_data_and_an_edit_with_personal_data_are_refused(desk: Desk) -> None:
    asker, colleague = desk.client(desk.asker), desk.client(desk.colleague)
    before = rows(desk)
    assert ask(asker, "Cliënt met BSN 123456782: wat nu?").status_code == 400
    assert rows(desk) == before

    question_id = ask_ok(asker, "Hoe lang duurt het gesprek meestal?")
    answer_id = answer_ok(colleague, question_id, "Ongeveer een uur.")
    before = rows(desk)
    edit = edit_fields(visit(asker, f"/vraagbaak/vragen/{question_id}/bewerken"))
    edit["body"] = "Mijn cliënt (jan@example.nl) wil het weten."
    response = asker.post(f"/vraagbaak/vragen/{question_id}/bewerken", data=edit)
    assert response.status_code == 400 and any("e-mail address" in e for e in Page(response).errors)
    fields = edit_fields(visit(colleague, f"/vraagbaak/antwoorden/{answer_id}/bewerken"))
    fields["body"] = "Bel 0612345678 voor details."
    response = colleague.post(f"/vraagbaak/antwoorden/{answer_id}/bewerken", data=fields)
    assert response.status_code == 400 and any("phone number" in e for e in Page(response).errors)
    assert rows(desk) == before
    assert desk.question(question_id).body == "" and desk.answer(answer_id).body == "Ongeveer een uur."


def test_a_policy_date_and_a_link_to_the_sociale_kaart_pass(desk: Desk) -> None:
    with desk.app.app_context():
        service_id = db.session.scalar(select(Service.id).where(Service.status == "active").order_by(Service.name))
    question_id = ask_ok(desk.client(desk.asker), "Sinds wanneer hoort het gesprek bij het basispakket?")
    answer_ok(
        desk.client(desk.colleague),
        question_id,
        "Sinds 1 juli 2022 hoort een huisbezoek vóór de geboorte bij het basispakket JGZ. Zie "
        f"/sociale-kaart/aanbod/{service_id}.",
    )


# --- Markdown ------------------------------------------------------------------------------


def test_markdown_is_rendered_and_sanitised(desk: Desk) -> None:
    asker, colleague = desk.client(desk.asker), desk.client(desk.colleague)
    body = (
        "Dit is **belangrijk** en *dringend*.\n\n"
        "- eerste punt\n- tweede punt\n\n"
        "# Een kop\n\n"
        "<script>alert('q')</script>\n\n"
        '<b onclick="alert(1)">rauwe html</b>\n\n'
        '[veilig](https://www.ncj.nl/) en [gevaarlijk](javascript:alert(1)) en <a href="javascript:alert(2)">ook</a>'
    )
    question_id = ask_ok(asker, "Hoe schrijf ik een duidelijke vraag op?", body)
    answer_ok(colleague, question_id, "Zo: <img src=x onerror=alert(3)> en **vet**.")
    html = visit(asker, f"/vraagbaak/vragen/{question_id}").html
    assert "<strong>belangrijk</strong>" in html and "<em>dringend</em>" in html
    assert "<li>eerste punt</li>" in html
    assert "<h3>Een kop</h3>" in html and "<h1>Een kop</h1>" not in html  # the page keeps its own h1
    assert "<script>alert" not in html and "&lt;script&gt;alert(" in html  # raw HTML is shown as text
    assert "<b onclick" not in html and "&lt;b onclick=" in html
    assert not re.search(r"<a\b[^>]*href\s*=\s*[\"']?\s*javascript:", html, re.I)  # no link runs script
    assert "gevaarlijk" in html and "&lt;a href=" in html  # the text itself is still there, as text
    assert '<a href="https://www.ncj.nl/" rel="noopener noreferrer nofollow">veilig</a>' in html
    assert "<img" not in html and "<strong>vet</strong>" in html


# --- edits and history ---------------------------------------------------------------------


def test_edits_keep_their_history(desk: Desk) -> None:
    asker, colleague = desk.client(desk.asker), desk.client(desk.colleague)
    question_id = ask_ok(asker, "Wat neem ik mee naar het overleg?", "Eerste versie van mijn toelichting.")
    answer_id = answer_ok(colleague, question_id, "Eerste versie van het antwoord.")
    assert "The question has not been edited." in visit(asker, f"/vraagbaak/vragen/{question_id}/geschiedenis").text

    fields = edit_fields(visit(asker, f"/vraagbaak/vragen/{question_id}/bewerken"))
    assert fields["title"] == "Wat neem ik mee naar het overleg?"
    fields["title"], fields["body"] = (
        "Wat neem ik mee naar het overleg met de JGZ?",
        "Tweede versie van mijn toelichting.",
    )
    assert "Your changes have been saved." in flashed(
        asker, asker.post(f"/vraagbaak/vragen/{question_id}/bewerken", data=fields)
    )
    fields = edit_fields(visit(colleague, f"/vraagbaak/antwoorden/{answer_id}/bewerken"))
    fields["body"] = "Tweede versie van het antwoord."
    colleague.post(f"/vraagbaak/antwoorden/{answer_id}/bewerken", data=fields)

    now = visit(asker, f"/vraagbaak/vragen/{question_id}")
    assert "Tweede versie van mijn toelichting." in now.text and "Eerste versie" not in now.text
    history = visit(desk.client(desk.other), f"/vraagbaak/vragen/{question_id}/geschiedenis")
    assert "Wat neem ik mee naar het overleg?" in history.text
    assert "Eerste versie van mijn toelichting." in history.text
    assert "Eerste versie van het antwoord." in history.text
    assert "Anna Asker" in history.text and "Bram Beantwoorder" in history.text


def test_only_the_author_or_a_moderator_may_edit(desk: Desk) -> None:
    asker, colleague, other, moderator = (
        desk.client(a) for a in (desk.asker, desk.colleague, desk.other, desk.moderator)
    )
    question_id = ask_ok(asker, "Moet ik het gesprek in het dossier noteren?", "Originele vraag.")
    answer_id = answer_ok(colleague, question_id, "Origineel antwoord.")
    assert "Edit question" not in visit(other, f"/vraagbaak/vragen/{question_id}").text

    token = csrf(other)
    for path, data in (
        (f"/vraagbaak/vragen/{question_id}/bewerken", {"title": "Overgenomen door een ander", "body": "Gewijzigd"}),
        (f"/vraagbaak/antwoorden/{answer_id}/bewerken", {"body": "Gewijzigd door een ander"}),
    ):
        assert other.get(path).status_code == 404
        assert other.post(path, data={"csrf_token": token, **data}).status_code == 404
    assert other.get(f"/vraagbaak/antwoorden/{answer_id}/bewerken").status_code == 404
    assert colleague.get(f"/vraagbaak/vragen/{question_id}/bewerken").status_code == 404  # the answerer, not the asker
    assert desk.question(question_id).title == "Moet ik het gesprek in het dossier noteren?"
    assert desk.answer(answer_id).body == "Origineel antwoord."
    assert desk.count(PostRevision) == 0

    fields = edit_fields(visit(moderator, f"/vraagbaak/antwoorden/{answer_id}/bewerken"))
    fields["body"] = "Aangevuld door de moderator."
    assert moderator.post(f"/vraagbaak/antwoorden/{answer_id}/bewerken", data=fields).status_code == 303
    assert desk.answer(answer_id).body == "Aangevuld door de moderator."
    assert "Mo Moderator" in visit(asker, f"/vraagbaak/vragen/{question_id}/geschiedenis").text


# --- moderation ----------------------------------------------------------------------------


def test_a_professional_has_no_moderation_rights(desk: Desk) -> None:
    asker, colleague = desk.client(desk.asker), desk.client(desk.colleague)
    question_id = ask_ok(asker, "Wie is eigenaar van de antwoorden hier?")
    answer_id = answer_ok(colleague, question_id, "De redactie.")
    answer_action(asker, answer_id, "accepteren")
    question_page = visit(asker, f"/vraagbaak/vragen/{question_id}")
    assert "Moderation" not in question_page.text and "Pin to the FAQ" not in question_page.text
    assert "Owner and review date" not in question_page.text

    for action in ("pin", "hide", "lock", "publish", "merge"):
        assert moderate(asker, question_id, action, title_en="x", answer_en="y").status_code == 403
    assert answer_action(asker, answer_id, "verbergen").status_code == 403
    assert answer_action(colleague, answer_id, "verbergen").status_code == 403
    owner = {"owner-owner": desk.asker.id, "owner-review_by": "2030-01-01"}
    assert answer_action(asker, answer_id, "eigenaar", **owner).status_code == 403
    assert (
        answer_action(colleague, answer_id, "gecontroleerd", **{"reviewed-review_by": "2030-01-01"}).status_code == 403
    )
    assert asker.get("/vraagbaak/opnieuw-bekijken").status_code == 403
    found, answer = desk.question(question_id), desk.answer(answer_id)
    assert not (found.pinned or found.hidden or found.locked or found.public or answer.hidden)
    assert answer.owner_id is None and answer.review_by is None


def test_a_moderator_pins_hides_and_locks(desk: Desk) -> None:
    asker, colleague, moderator = desk.client(desk.asker), desk.client(desk.colleague), desk.client(desk.moderator)
    question_id = ask_ok(
        asker, "Welke folder geef ik mee over de zeepkistroute?", "Over de zeepkistroute.", other_tags="zeepkist"
    )
    title = "Welke folder geef ik mee over de zeepkistroute?"

    # Pin: in the FAQ list at the top of the vraagbaak.
    assert title not in faq_titles(visit(asker, "/vraagbaak").html)
    assert moderate(moderator, question_id, "pin").status_code == 303
    assert title in faq_titles(visit(asker, "/vraagbaak").html)
    assert "in the FAQ" in visit(asker, f"/vraagbaak/vragen/{question_id}").text

    # Lock: no answer form, and an answer posted anyway is refused.
    moderate(moderator, question_id, "lock")
    locked = visit(colleague, f"/vraagbaak/vragen/{question_id}")
    assert "closed for new answers" in locked.text and "Post answer" not in locked.text
    token = csrf(colleague)
    response = colleague.post(
        f"/vraagbaak/vragen/{question_id}/antwoorden", data={"csrf_token": token, "body": "Toch nog een antwoord."}
    )
    assert response.status_code == 403
    with desk.app.app_context():
        assert db.session.scalar(select(func.count()).where(Answer.question_id == question_id)) == 0
    moderate(moderator, question_id, "unlock")
    assert "Post answer" in visit(colleague, f"/vraagbaak/vragen/{question_id}").text

    # Hide: gone from the lists and search, 404 for everyone but moderators.
    assert title in result_titles(visit(asker, "/vraagbaak?q=zeepkistroute").html)
    moderate(moderator, question_id, "hide")
    assert asker.get(f"/vraagbaak/vragen/{question_id}").status_code == 404
    assert colleague.get(f"/vraagbaak/vragen/{question_id}/geschiedenis").status_code == 404
    assert title not in visit(asker, "/vraagbaak").text  # neither in the FAQ nor in the list
    assert result_titles(visit(asker, "/vraagbaak?q=zeepkistroute").html) == []
    assert title not in similar_titles(visit(asker, f"{ASK}?titel={quote(title)}").html)
    assert "hidden" in visit(moderator, f"/vraagbaak/vragen/{question_id}").text
    moderate(moderator, question_id, "unhide")
    assert title in result_titles(visit(asker, "/vraagbaak?q=zeepkistroute").html)


def test_a_moderator_hides_an_answer(desk: Desk) -> None:
    asker, colleague, moderator = desk.client(desk.asker), desk.client(desk.colleague), desk.client(desk.moderator)
    question_id = ask_ok(asker, "Mag ik een kopie van het verslag vragen?")
    answer_id = answer_ok(colleague, question_id, "Een ongepast antwoord over de zonnebloemvelden.")
    answer_action(asker, answer_id, "accepteren")
    assert "The answer is hidden." in flashed(moderator, answer_action(moderator, answer_id, "verbergen"))
    assert "zonnebloemvelden" not in visit(asker, f"/vraagbaak/vragen/{question_id}").text
    assert "zonnebloemvelden" in visit(moderator, f"/vraagbaak/vragen/{question_id}").text
    assert desk.question(question_id).accepted_answer_id is None  # a hidden answer is no solution
    assert result_titles(visit(asker, "/vraagbaak?q=zonnebloemvelden").html) == []


def test_a_moderator_merges_a_duplicate(desk: Desk) -> None:
    asker, colleague, other, moderator = (
        desk.client(a) for a in (desk.asker, desk.colleague, desk.other, desk.moderator)
    )
    original = ask_ok(asker, "Mag een doula bij het huisbezoek zijn?", other_tags="doula")
    duplicate = ask_ok(other, "Kan de doula mee bij het huisbezoek?", other_tags="geboortezorg")
    moved = answer_ok(colleague, duplicate, "Ja, als de zwangere dat wil mag de doula erbij zijn.")

    response = moderate(moderator, duplicate, "merge", merge_into=f"http://localhost/vraagbaak/vragen/{original}")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/vraagbaak/vragen/{original}")
    target = visit(asker, f"/vraagbaak/vragen/{original}")
    assert "als de zwangere dat wil mag de doula erbij zijn" in target.text
    assert "geboortezorg" in target.text  # the duplicate's tags come along
    assert desk.answer(moved).question_id == original
    redirect = other.get(f"/vraagbaak/vragen/{duplicate}")
    assert redirect.status_code == 301 and redirect.headers["Location"].endswith(f"/vraagbaak/vragen/{original}")
    assert "Kan de doula mee bij het huisbezoek?" not in result_titles(visit(asker, "/vraagbaak?q=doula").html)
    assert "Mag een doula bij het huisbezoek zijn?" in result_titles(visit(asker, "/vraagbaak?q=doula").html)
    # Merging into itself or into nothing is refused with a message.
    assert "Give the address of another, not merged question." in flashed(
        moderator, moderate(moderator, original, "merge", merge_into=original)
    )
    assert "Give the address of another, not merged question." in flashed(
        moderator, moderate(moderator, original, "merge", merge_into="onzin")
    )


def test_owner_review_date_reminder_and_check(desk: Desk) -> None:
    asker, colleague, moderator = desk.client(desk.asker), desk.client(desk.colleague), desk.client(desk.moderator)
    question_id = ask_ok(asker, "Hoe lang bewaart de JGZ de aanmelding?")
    answer_id = answer_ok(colleague, question_id, "Zolang als nodig voor het gesprek, daarna volgens de bewaartermijn.")
    not_accepted = answer_ok(desk.client(desk.other), question_id, "Geen idee.")

    # Owner and date only on the accepted answer.
    owner_fields = {"owner-owner": desk.moderator.id, "owner-review_by": (today() - timedelta(days=1)).isoformat()}
    assert answer_action(moderator, answer_id, "eigenaar", **owner_fields).status_code == 403
    answer_action(asker, answer_id, "accepteren")
    assert "Owner and review date" in visit(moderator, f"/vraagbaak/vragen/{question_id}").text
    assert answer_action(moderator, not_accepted, "eigenaar", **owner_fields).status_code == 403
    assert "Choose an owner and a date." in flashed(
        moderator, answer_action(moderator, answer_id, "eigenaar", **{"owner-owner": desk.moderator.id})
    )
    assert "Owner and review date saved." in flashed(
        moderator, answer_action(moderator, answer_id, "eigenaar", **owner_fields)
    )

    shown = visit(asker, f"/vraagbaak/vragen/{question_id}")
    assert "Owner: Mo Moderator." in shown.text and "to be checked again" in shown.text
    review = visit(moderator, "/vraagbaak/opnieuw-bekijken")
    assert "Hoe lang bewaart de JGZ de aanmelding?" in review.text

    # One reminder, not again within a week, again after a week.
    mails_before = desk.count(OutboxMessage)
    output = desk.cli("qa", "remind")
    assert re.search(r"\b1 owners reminded", output), output
    with desk.app.app_context():
        reminders = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == qa.KIND_REVIEW_DUE)).all()
        assert [(m.payload["user_id"], m.payload["question_id"]) for m in reminders] == [
            (desk.moderator.id, question_id)
        ]
    assert "0 owners reminded" in desk.cli("qa", "remind")
    with time_machine.travel(date.today() + timedelta(days=3), tick=False):
        assert "0 owners reminded" in desk.cli("qa", "remind")
    assert desk.count(OutboxMessage) == mails_before + 1
    desk.cli("outbox", "send")
    [mail] = [m for m in desk.mails() if m["To"] == "mo@balie.example"]
    body = mail.get_payload(decode=True).decode()
    assert (
        f"/vraagbaak/vragen/{question_id}" in body and "bewaartermijn" not in body and "bewaart" not in mail["Subject"]
    )
    with time_machine.travel(date.today() + timedelta(days=8), tick=False):
        assert re.search(r"\b1 owners reminded", desk.cli("qa", "remind"))

    # The owner checks it and sets the next date: no longer "to be checked again".
    owner_page = visit(moderator, f"/vraagbaak/vragen/{question_id}")
    assert "to be checked again" in owner_page.text
    next_date = (today() + timedelta(days=180)).isoformat()
    assert answer_action(moderator, answer_id, "gecontroleerd", **{"reviewed-review_by": next_date}).status_code == 303
    assert "to be checked again" not in visit(asker, f"/vraagbaak/vragen/{question_id}").text
    assert "Hoe lang bewaart de JGZ de aanmelding?" not in visit(moderator, "/vraagbaak/opnieuw-bekijken").text


def test_a_moderator_shows_a_question_to_parents_in_dutch_and_english(desk: Desk) -> None:
    asker, colleague, moderator = desk.client(desk.asker), desk.client(desk.colleague), desk.client(desk.moderator)
    question_id = ask_ok(asker, "Mag mijn moeder bij het gesprek met de jeugdverpleegkundige zijn?")
    answer_id = answer_ok(colleague, question_id, "Ja, **iedereen** die de zwangere erbij wil hebben is welkom.")
    parent = desk.app.test_client()

    assert "Only a question with an accepted answer can be shown to parents." in flashed(
        moderator, moderate(moderator, question_id, "publish", title_en="May my mother join?", answer_en="Yes.")
    )
    answer_action(asker, answer_id, "accepteren")
    before = desk.question(question_id)
    assert "Write the question and the answer in Dutch for parents first." in flashed(
        moderator, moderate(moderator, question_id, "publish", title_en="May my mother join?", answer_en="Yes.")
    )
    assert "Your text seems to contain personal data" in flashed(
        moderator,
        moderate(
            moderator,
            question_id,
            "publish",
            title_nl="Mag mijn moeder erbij zijn?",
            answer_nl="Bel 0612345678.",
            title_en="May my mother join?",
            answer_en="Yes.",
        ),
    )
    assert desk.question(question_id).public == before.public is False

    response = moderate(
        moderator,
        question_id,
        "publish",
        title_nl="Mag mijn moeder bij het gesprek met de jeugdverpleegkundige zijn?",
        answer_nl="Ja, **iedereen** die u erbij wilt hebben is welkom.",
        title_en="May my mother join the conversation with the youth nurse?",
        answer_en="Yes, **anyone** you would like to be there is welcome.",
    )
    assert response.status_code == 303
    assert "shown to parents" in visit(asker, f"/vraagbaak/vragen/{question_id}").text

    dutch = parent.get("/veelgestelde-vragen")
    assert dutch.status_code == 200
    shown = Page(dutch)
    assert "Mag mijn moeder bij het gesprek met de jeugdverpleegkundige zijn?" in shown.text
    assert "<strong>iedereen</strong>" in dutch.get_data(as_text=True)
    assert "May my mother join" not in shown.text
    assert "Bram Beantwoorder" not in shown.text and "Anna Asker" not in shown.text  # no names for parents
    assert not [f for f in re.findall(r"<form[^>]*>", dutch.get_data(as_text=True)) if "vraagbaak" in f]  # read-only
    english = parent.get("/veelgestelde-vragen?lang=en")
    english_text = Page(english).text
    assert "May my mother join the conversation with the youth nurse?" in english_text
    assert "<strong>anyone</strong>" in english.get_data(as_text=True)
    assert "Mag mijn moeder" not in english_text

    moderate(moderator, question_id, "unpublish")
    assert "Mag mijn moeder" not in Page(parent.get("/veelgestelde-vragen")).text


def test_links_to_the_sociale_kaart_show_as_cards(desk: Desk) -> None:
    with desk.app.app_context():
        service = db.session.scalars(select(Service).where(Service.status == "active").order_by(Service.name)).first()
        assert service is not None
        service_id, name, organisation = service.id, service.name, service.organisation.name
    question_id = ask_ok(desk.client(desk.asker), "Waar verwijs ik naar voor een cursus voor aanstaande ouders?")
    answer_ok(
        desk.client(desk.colleague),
        question_id,
        f"Kijk bij [dit aanbod](http://127.0.0.1:5000/sociale-kaart/aanbod/{service_id}).",
    )
    html = visit(desk.client(desk.other), f"/vraagbaak/vragen/{question_id}").html
    cards = re.search(r'<ul class="service-cards">(.*?)</ul>', html, re.S)
    assert cards, "no card shown"
    assert f'href="/sociale-kaart/aanbod/{service_id}"' in cards.group(1)
    assert name in cards.group(1).replace("&#39;", "'").replace("&amp;", "&")
    assert organisation in cards.group(1).replace("&#39;", "'").replace("&amp;", "&")
    # A link to an entry that does not exist shows no card.
    other_id = answer_ok(
        desk.client(desk.other), question_id, "Of /sociale-kaart/aanbod/00000000-0000-4000-8000-000000000000."
    )
    html = visit(desk.client(desk.other), f"/vraagbaak/vragen/{question_id}").html
    assert html.count('class="service-card"') == 1 and other_id


# --- search --------------------------------------------------------------------------------


def test_solved_questions_rank_first(desk: Desk) -> None:
    asker, colleague = desk.client(desk.asker), desk.client(desk.colleague)
    # The open question matches better (the word twice, in title and body) and sorts first by title.
    open_id = ask_ok(
        asker, "Aanvraag vlinderpakket: vlinderpakket kwijt?", "Het vlinderpakket is zoek, wie heeft een vlinderpakket?"
    )
    solved_id = ask_ok(asker, "Zit er iets over het vlinderpakket in de folder?")
    answer_action(asker, answer_ok(colleague, solved_id, "Ja, achterin."), "accepteren")
    titles = result_titles(visit(asker, "/vraagbaak?q=vlinderpakket").html)
    assert titles == [
        "Zit er iets over het vlinderpakket in de folder?",
        "Aanvraag vlinderpakket: vlinderpakket kwijt?",
    ]
    # Only answered questions, when asked.
    assert result_titles(visit(asker, "/vraagbaak?q=vlinderpakket&opgelost=y").html) == [
        "Zit er iets over het vlinderpakket in de folder?"
    ]
    # Similar questions while asking: the solved one first too, marked answered.
    step = visit(asker, f"{ASK}?titel={quote('Vlinderpakket')}")
    assert similar_titles(step.html)[:2] == titles
    assert open_id and "answered" in step.text


@pytest.mark.parametrize(
    ("written", "searched"),
    [
        ("Hoe werkt de aanmelding via het formulier?", "aanmelden"),
        ("Bezoek in andere huizen dan het eigen huis", "huizen"),
        ("Wie betaalt de tolken?", "tolk"),
    ],
)
def test_dutch_stemming(desk: Desk, written: str, searched: str) -> None:
    asker = desk.client(desk.asker)
    ask_ok(asker, written, other_tags="stamtest")
    ask_ok(asker, "Een vraag over iets heel anders dan dat", other_tags="stamtest")
    assert result_titles(visit(asker, f"/vraagbaak?q={searched}&tag=stamtest").html) == [written]


def test_tags_are_facets_with_counts(desk: Desk) -> None:
    asker = desk.client(desk.asker)
    ask_ok(asker, "Eerste vraag over de wolkenkrabbertest", other_tags="wolk, regen")
    ask_ok(asker, "Tweede vraag over de wolkenkrabbertest", other_tags="wolk")
    ask_ok(asker, "Derde vraag over de wolkenkrabbertest", other_tags="zon")
    html = visit(asker, "/vraagbaak?q=wolkenkrabbertest").html
    assert facet_counts(html) == {"wolk": 2, "regen": 1, "zon": 1}
    assert "3 questions" in Page(asker.get("/vraagbaak?q=wolkenkrabbertest")).text
    chosen = visit(asker, "/vraagbaak?q=wolkenkrabbertest&tag=wolk").html
    assert sorted(result_titles(chosen)) == [
        "Eerste vraag over de wolkenkrabbertest",
        "Tweede vraag over de wolkenkrabbertest",
    ]
    assert facet_counts(chosen)["zon"] == 1  # the other choices stay visible
    assert re.search(r'value="wolk" checked', chosen)


def test_a_search_without_results_says_so(desk: Desk) -> None:
    shown = visit(desk.client(desk.asker), "/vraagbaak?q=xqzwvbnmklp")
    assert "0 questions" in shown.text
    assert "No questions found. Ask it yourself!" in shown.text


# --- anonymous visitors --------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(desk: Desk) -> None:
    question_id = ask_ok(desk.client(desk.asker), "Een vraag die alleen professionals mogen zien")
    answer_id = answer_ok(desk.client(desk.colleague), question_id, "Een antwoord.")
    anonymous = desk.client()
    token = Page(anonymous.get("/inloggen")).hidden("csrf_token")
    gets = [
        "/vraagbaak",
        "/vraagbaak?q=aanmelden",
        ASK,
        f"{ASK}?titel=aanmelden",
        "/vraagbaak/vergelijkbaar?titel=aanmelden",
        f"/vraagbaak/vragen/{question_id}",
        f"/vraagbaak/vragen/{question_id}/bewerken",
        f"/vraagbaak/vragen/{question_id}/geschiedenis",
        f"/vraagbaak/antwoorden/{answer_id}/bewerken",
        "/vraagbaak/opnieuw-bekijken",
    ]
    posts = [
        ASK,
        f"/vraagbaak/vragen/{question_id}/antwoorden",
        f"/vraagbaak/vragen/{question_id}/bewerken",
        f"/vraagbaak/vragen/{question_id}/moderatie",
        f"/vraagbaak/antwoorden/{answer_id}/bewerken",
        *(
            f"/vraagbaak/antwoorden/{answer_id}/{a}"
            for a in ("accepteren", "nuttig", "verbergen", "tonen", "eigenaar", "gecontroleerd")
        ),
        f"/vraagbaak/volgen/vraag/{question_id}",
        "/vraagbaak/volgen/tag/aanmelden",
    ]
    for path in gets:
        response = anonymous.get(path)
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"], path
        assert "Een vraag die alleen" not in response.get_data(as_text=True)
    before = rows(desk)
    for path in posts:
        response = anonymous.post(
            path, data={"csrf_token": token, "title": "Een anonieme vraag hier", "body": "x", "action": "pin"}
        )
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"], path
    assert rows(desk) == before
    assert anonymous.get("/veelgestelde-vragen").status_code == 200  # the parents' FAQ is public


# --- the seed ------------------------------------------------------------------------------


def seed_items() -> list[dict[str, Any]]:
    path = DATA_DIR / "vraagbaak.yaml"
    items = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    if not items:
        pytest.skip("balie/data/vraagbaak.yaml has no questions yet")
    return list(items)


def test_the_seed_loads_once_with_an_owner_and_review_date(desk: Desk) -> None:
    items = seed_items()
    ids = [item["id"] for item in items]
    with desk.app.app_context(), db.writing():  # start from a database without the seeded questions
        for found in db.session.scalars(select(Question).where(Question.id.in_(ids))):
            db.session.delete(found)
        db.session.commit()
    assert f"{len(items)} questions added" in desk.cli("qa", "seed")
    counts = rows(desk)
    assert "0 questions added" in desk.cli("qa", "seed")
    assert rows(desk) == counts

    with desk.app.app_context():
        editor = db.session.scalar(select(User).where(User.email == EDITOR_EMAIL))
        assert editor is not None and editor.password_hash is None  # the editorial account cannot log in
        for question_id in ids:
            found = qa.get_question(db.session, question_id)
            assert found is not None and not found.hidden
            accepted = qa.accepted(found)
            assert accepted is not None, found.title
            assert accepted.owner_id is not None and accepted.review_by is not None, found.title
            assert accepted.review_by > date(2026, 1, 1), found.title
            # An editor can save it again: the seed passes the privacy guard.
            qa.guard(today(), found.title, found.body, accepted.body, found.public_title_en, found.public_answer_en)
    # And it is found: a seeded question appears among similar questions while asking.
    shown = visit(desk.client(desk.asker), f"{ASK}?titel={quote(items[0]['title'])}")
    assert items[0]["title"].strip() in similar_titles(shown.html)
