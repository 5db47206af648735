"""A gemeente editor's offers as a spreadsheet: download, upload, check the changes, confirm."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from balie.clock import today
from balie.directory.manage_views import after_commit, editor_scope, index_page
from balie.directory.spreadsheet_forms import FILE_PROBLEMS, ROW_PROBLEMS, SpreadsheetForm
from balie.domain.roles import Permission
from balie.extensions import db
from balie.models.base import utcnow
from balie.services import pending_uploads
from balie.services.directory import spreadsheet
from balie.services.directory import spreadsheet_files as files
from balie.web.forms import EmptyForm
from balie.web.security import requires
from balie.web.uploads import accepts_upload

blueprint = Blueprint("directory_spreadsheet", __name__, url_prefix="/sociale-kaart/beheer/spreadsheet")
MIMETYPES = {
    files.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    files.CSV: "text/csv; charset=utf-8",
}


@blueprint.get("/sociale-kaart.<file_format>")
@requires(Permission.DIRECTORY_EDIT)
def download(file_format: str) -> Any:
    if file_format not in files.FORMATS:
        abort(404)
    data = spreadsheet.download(db.session, editor_scope(), file_format)
    name = f"sociale-kaart-{today().isoformat()}.{file_format}"
    return send_file(io.BytesIO(data), mimetype=MIMETYPES[file_format], as_attachment=True, download_name=name)


def _refused(form: SpreadsheetForm, code: str, value: str = "") -> Any:
    form.file.errors = [str(FILE_PROBLEMS[code]) % {"value": value}]
    return index_page(form), 400


def _megabytes() -> str:
    return str(current_app.config["DIRECTORY_UPLOAD_MAX_BYTES"] // 2**20)


@blueprint.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> Any:
    """The body was refused before the view ran (while the token was checked)."""
    if not current_user.is_authenticated or not current_user.can(Permission.DIRECTORY_EDIT):
        return error
    form = SpreadsheetForm(formdata=None)
    form.file.errors = [str(FILE_PROBLEMS["too_large"]) % {"value": _megabytes()}]
    return index_page(form), 413


@blueprint.post("")
@accepts_upload("DIRECTORY_UPLOAD_MAX_BYTES")
@requires(Permission.DIRECTORY_EDIT)
def upload() -> Any:
    max_bytes = current_app.config["DIRECTORY_UPLOAD_MAX_BYTES"]
    form = SpreadsheetForm()
    if not form.validate_on_submit():
        return index_page(form), 400
    name = form.file.data.filename or ""
    file_format = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if file_format not in files.FORMATS:
        return _refused(form, "file_type")
    try:
        content = spreadsheet.read_upload(
            db.session,
            editor_scope(),
            file_format,
            form.file.data.read(max_bytes + 1),
            max_bytes,
            current_app.config["DIRECTORY_UPLOAD_MAX_ROWS"],
        )
    except files.FileRefused as refused:
        problem = refused.problem
        return _refused(form, problem.code, _megabytes() if problem.code == "too_large" else problem.value)
    upload = spreadsheet.store(db.session, current_user.id, name, content, utcnow())
    db.commit()
    return redirect(url_for("directory_spreadsheet.preview", upload_id=upload.id), code=303)


def _problem_text(problem: dict[str, Any]) -> str:
    message = str(ROW_PROBLEMS[problem["code"]]) % {
        "value": problem["value"],
        "cell": f"{problem['column']}{problem['row']}",
    }
    if problem["column"]:
        return gettext(
            "Row %(row)s, column %(column)s (%(header)s): %(message)s",
            row=problem["row"],
            column=problem["column"],
            header=problem["header"],
            message=message,
        )
    return gettext("Row %(row)s: %(message)s", row=problem["row"], message=message)


@blueprint.route("/<upload_id>", methods=["GET", "POST"])
@requires(Permission.DIRECTORY_EDIT)
def preview(upload_id: str) -> Any:
    try:
        upload = spreadsheet.pending(db.session, current_user.id, upload_id, utcnow())
    except pending_uploads.UploadGone:
        flash(gettext("This upload is no longer waiting (saved, cancelled, or older than two hours)."), "warning")
        return redirect(url_for("directory_manage.index"), code=303)
    form = EmptyForm()
    if request.method == "GET" or not form.validate_on_submit():
        problems = [_problem_text(p) for p in upload.content["problems"]]  # type: ignore[attr-defined]
        page = render_template("directory/manage/spreadsheet_preview.html", upload=upload, problems=problems, form=form)
        return page, 400 if request.method == "POST" else 200
    if "confirm" not in request.form:
        pending_uploads.cancel(db.session, upload)
        db.commit()
        flash(gettext("Cancelled: nothing from the spreadsheet was saved."), "success")
        return redirect(url_for("directory_manage.index"), code=303)
    if upload.content["problems"]:  # no button for it: a hand-made request
        abort(400)
    try:
        saved = spreadsheet.confirm(db.session, editor_scope(), upload, today(), utcnow())
    except spreadsheet.ChangedMeanwhile:
        db.rollback_quietly()
        flash(
            gettext("Nothing was saved: an offer in the file was changed meanwhile. Download the spreadsheet again."),
            "warning",
        )
        return redirect(url_for("directory_manage.index"), code=303)
    db.commit()
    after_commit()
    flash(
        ngettext(
            "Saved: %(num)d offer changed. The sociale kaart shows the change now.",
            "Saved: %(num)d offers changed. The sociale kaart shows the changes now.",
            len(saved),
        ),
        "success",
    )
    return redirect(url_for("directory_manage.index"), code=303)
