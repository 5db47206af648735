"""`flask qa seed` brings seeded vraagbaak texts up to date where nobody changed them, and keeps (and
reports) what an editor changed: a correction of the seed reaches existing databases, and no
editor's work is lost (issue 10, point 11)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from flask import Flask
from sqlalchemy import select

from balie.extensions import db
from balie.models import Answer, PostRevision, Question
from balie.services.qa import seed as qa_seed

MONITORING = "20475c7c-c9b8-47f7-b724-a167a0179746"  # "Welke cijfers over het PHB kan ik als gemeente zien?"
LANGUAGES = "902b9eab-cc58-4242-87e4-cdea097e36d7"  # "Mijn cliënt spreekt weinig of geen Nederlands"
OLD_ANSWER = "De monitoring op de balie laat per periode zien: het gebruikte budget, gerekend met €190 per bezoek."
OLD_PARENT_TEXT = "This website is also in Arabic, Turkish, Polish and Ukrainian."
EDITED = "Door een moderator herschreven: vraag de cijfers op bij de JGZ."


def seed_items() -> dict[str, dict[str, Any]]:
    return {
        item["id"]: item for item in yaml.safe_load((qa_seed.DATA_DIR / "vraagbaak.yaml").read_text(encoding="utf-8"))
    }


def test_every_seed_text_is_listed_as_shipped() -> None:
    """Whoever changes a seed text adds its digest, so the next seed can recognise it as untouched."""
    known = qa_seed.shipped()
    missing = {
        item_id: {field: [qa_seed.digest(item[field])]}
        for item_id, item in seed_items().items()
        for field in qa_seed.FIELDS
        if (item.get(field) or "").strip() and qa_seed.digest(item[field]) not in known.get(item_id, {}).get(field, [])
    }
    assert missing == {}, "add to balie/data/vraagbaak_shipped.yaml:\n" + yaml.safe_dump(missing, sort_keys=True)


def test_an_old_text_nobody_changed_is_corrected_and_an_edited_one_is_kept(
    app: Flask, runner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = seed_items()
    with app.app_context(), db.writing():
        answer = db.session.scalar(select(Answer).where(Answer.question_id == MONITORING))
        assert answer is not None
        answer.body = OLD_ANSWER  # as an older seed shipped it
        languages = db.session.get(Question, LANGUAGES)
        assert languages is not None
        languages.public_answer_en = OLD_PARENT_TEXT
        languages.body = EDITED  # a moderator changed the question
        db.session.commit()
    real = qa_seed.shipped()
    older = {
        MONITORING: {"answer": [qa_seed.digest(OLD_ANSWER)]},
        LANGUAGES: {"public_answer_en": [qa_seed.digest(OLD_PARENT_TEXT)]},
    }
    monkeypatch.setattr(
        qa_seed,
        "shipped",
        lambda: {
            k: {f: real.get(k, {}).get(f, []) + older.get(k, {}).get(f, []) for f in qa_seed.FIELDS} for k in real
        },
    )

    result = runner.invoke(args=["qa", "seed"])
    assert result.exit_code == 0, result.output
    assert "2 texts brought up to date, 1 kept because an editor changed them" in result.output
    assert f"kept (changed by an editor; compare with balie/data/vraagbaak.yaml): {LANGUAGES}: body" in result.output

    with app.app_context():
        answer = db.session.scalar(select(Answer).where(Answer.question_id == MONITORING))
        assert answer is not None and answer.body == items[MONITORING]["answer"].strip()
        assert "€190 per gezin" in answer.body and "per bezoek." not in answer.body.replace("niet per bezoek.", "")
        history = db.session.scalars(select(PostRevision).where(PostRevision.post_id == answer.id)).all()
        assert [revision.body for revision in history] == [OLD_ANSWER], "the old text stays in the history"
        languages = db.session.get(Question, LANGUAGES)
        assert languages is not None
        assert languages.public_answer_en == items[LANGUAGES]["public_answer_en"].strip()
        assert languages.body == EDITED, "the moderator's text is kept"

    again = runner.invoke(args=["qa", "seed"])
    assert "0 texts brought up to date" in again.output, "a second run changes nothing"
