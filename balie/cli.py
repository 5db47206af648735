"""Flask CLI commands. Each calls services and commits once (the outbox worker: once per step)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from balie import migrate
from balie.config import PROJECT_ROOT
from balie.crypto import new_key_text
from balie.database import truncate_wal
from balie.domain.directory import KaartInvalid
from balie.extensions import data_keys, db

if TYPE_CHECKING:
    from balie.services.audit.access_log import VerifyResult
    from balie.services.directory.importing import ImportCounts

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")
kaart_cli = AppGroup("kaart", help="The sociale kaart files in sociale_kaart/.")
outbox_cli = AppGroup("outbox", help="Deliver queued mail (organisation notifications, parent mails).")
keys_cli = AppGroup("keys", help="Data-encryption keys.")
i18n_cli = AppGroup("i18n", help="Translations (gettext catalogues in translations/).")
users_cli = AppGroup("users", help="Accounts.")
index_cli = AppGroup("index", help="Search indexes (derived data: rebuildable at any time).")
qa_cli = AppGroup("qa", help="The vraagbaak.")
audit_cli = AppGroup("audit", help="The access log (NEN 7513 style).")
backup_cli = AppGroup("backup", help="Backups: create, restore into an empty database, and the restore drill.")
monitor_cli = AppGroup(
    "monitor", help="The monitor: reference figures (live births, target group, budget) and the figures of the day."
)
demo_cli = AppGroup("demo", help="Made-up demo data for a development desk (refused in production).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Bring the schema to REVISION (default: the newest)."""
    with db.writing():
        migrate.upgrade(db.engine, revision)
    click.echo(f"schema at {migrate.current_revision(db.engine)}")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Take the schema back to REVISION."""
    with db.writing():
        migrate.downgrade(db.engine, revision)
    click.echo(f"schema at {migrate.current_revision(db.engine)}")


@db_cli.command("current")
def db_current() -> None:
    """Show the schema revision of the database."""
    click.echo(f"{migrate.current_revision(db.engine)} (newest: {migrate.head_revision()})")


def _load_reference() -> None:
    from balie.services.operations.reference_data import load_reference_data

    counts = load_reference_data(db.session)
    click.echo(f"reference data: {counts.municipalities} gemeenten, {counts.postcode_areas} postcode areas")


def _read_kaart():  # type: ignore[no-untyped-def]
    from balie.services.directory.kaart_files import read_kaart

    try:
        return read_kaart(current_app.config["SOCIALE_KAART_DIR"])
    except KaartInvalid as invalid:
        for problem in invalid.problems:
            click.echo(str(problem), err=True)
        raise click.exceptions.Exit(1) from None


def _operator() -> str:
    """Who runs the command (the login name), for the history of a forced import."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _counted(number: int, one: str, more: str) -> str:
    return f"{number} {one if number == 1 else more}"


def _report_import(counts: ImportCounts, force: bool, load_command: str, list_kept: bool = False) -> None:
    """Fields kept for editors and conflicts, by file, entry and field (never a value)."""
    if counts.kept:
        click.echo(
            f"sociale kaart: {_counted(len(counts.kept), 'field keeps', 'fields keep')} the value an editor "
            "gave on the site" + ("" if list_kept else " (list them: flask kaart load --dry-run)")
        )
        if list_kept:
            for place in counts.kept:
                click.echo(f"  {place}: changed by an editor on the site; kept")
    if not counts.conflicts:
        return
    click.echo(
        f"sociale kaart: {_counted(len(counts.conflicts), 'conflict', 'conflicts')} between the file and the site:",
        err=True,
    )
    for conflict in counts.conflicts:
        click.echo(f"  {conflict}", err=True)
    if not force:
        click.echo(
            "  To keep the site's values, write them into the files (flask kaart export-yaml DIR, see "
            f"sociale_kaart/README.md); to take the file's values instead, run {load_command} --force-files.",
            err=True,
        )


def _load_kaart(force: bool = False, dry_run: bool = False) -> None:
    from balie.services.directory.importing import FILES, import_kaart

    counts = import_kaart(db.session, _read_kaart(), FILES, force=force, operator=_operator())
    click.echo(
        ("dry run, nothing changed: " if dry_run else "")
        + f"sociale kaart: {counts.organisations} organisations, {counts.services} services"
        + (f", {counts.changed} changed" if counts.changed else "")
        + (f", {counts.retired} retired" if counts.retired else "")
    )
    _report_import(counts, force, "flask kaart load", list_kept=dry_run)


@kaart_cli.command("validate")
def kaart_validate() -> None:
    """Check every file; print file: entry: field: problem and exit 1 on any problem."""
    kaart = _read_kaart()
    click.echo(f"ok: {len(kaart.organisations)} organisations, {len(kaart.categories)} categories")


FORCE_FILES = click.option(
    "--force-files",
    "force",
    is_flag=True,
    help="Where an editor changed a field on the site and the file changed it too, take the file's value "
    "(the history names who forced it). Without it the editor's value is kept and the conflict reported.",
)


@kaart_cli.command("load")
@FORCE_FILES
@click.option(
    "--dry-run",
    is_flag=True,
    help="Change nothing: show what a load would do, with every field an editor changed on the site.",
)
def kaart_load(force: bool, dry_run: bool) -> None:
    """Load the files into the database. Fields editors changed on the site are kept (see sociale_kaart/README.md);
    services that left a file are retired, unless an editor changed or made them on the site."""
    with db.writing():
        _load_kaart(force, dry_run)
        if dry_run:
            db.rollback_quietly()
            return
        db.commit()
    from balie.search import registry as search_registry

    search_registry.directory().sync(db.session)


@kaart_cli.command("export-yaml")
@click.argument("folder", type=click.Path(file_okay=False))
def kaart_export_yaml(folder: str) -> None:
    """Write the directory as sociale kaart files into FOLDER (same format as sociale_kaart/)."""
    from balie.services.directory.kaart_export import export_folder

    click.echo(f"wrote {export_folder(db.session, folder)} files to {folder}")


@kaart_cli.command("export-hsds")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--public",
    "--active-only",
    "public",
    is_flag=True,
    help="The open data as served at /sociale-kaart/hsds.json: active services, no change history, no editors' names.",
)
def kaart_export_hsds(file: str, public: bool) -> None:
    """Write the directory as Open Referral HSDS 3.0 JSON (a list of services).

    Without --public it is the region's own backup for import-hsds: every service, the change history
    and who checked each service (editors' names and the start of their user ids). Do not publish it."""
    import json

    from balie.services.directory import hsds

    services = hsds.export(db.session, public=public)
    with open(file, "w", encoding="utf-8") as handle:
        json.dump(services, handle, ensure_ascii=False, indent=2)
    click.echo(f"wrote {len(services)} services to {file}")


@kaart_cli.command("import-hsds")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@FORCE_FILES
def kaart_import_hsds(file: str, force: bool) -> None:
    """Load an HSDS 3.0 service list (as written by export-hsds) into the directory, by the same rules
    as kaart load: fields editors changed on the site since are kept unless --force-files."""
    import json

    from sqlalchemy import select

    from balie.models import Organisation
    from balie.services.directory import hsds
    from balie.services.directory.importing import hsds_list, import_kaart

    with open(file, encoding="utf-8") as handle:
        services = json.load(handle)
    slugs = {org.id: org.slug for org in db.session.scalars(select(Organisation))}
    with db.writing():
        counts = import_kaart(
            db.session, hsds.to_kaart(services, slugs), hsds_list(Path(file).name), force=force, operator=_operator()
        )
        db.commit()
    from balie.search import registry as search_registry

    search_registry.directory().sync(db.session)
    click.echo(
        f"imported {counts.services} services of {counts.organisations} organisations ({counts.changed} changed)"
    )
    _report_import(counts, force, f"flask kaart import-hsds {file}")


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Set up or update a database: schema, reference data and the sociale kaart."""
    Path(current_app.instance_path).mkdir(parents=True, exist_ok=True)
    with db.writing():
        migrate.upgrade(db.engine)
        _load_reference()
        _load_kaart()
        _seed_vraagbaak()
        db.commit()
    _rebuild_indexes()


def _seed_vraagbaak() -> None:
    from balie.models.base import utcnow
    from balie.services.qa.seed import seed

    counts = seed(db.session, utcnow())
    click.echo(
        f"vraagbaak: {counts.tags} curated tags, {counts.questions} questions added, "
        f"{counts.updated} texts brought up to date, {len(counts.kept)} kept because an editor changed them"
    )
    for kept in counts.kept:
        click.echo(f"  kept (changed by an editor; compare with balie/data/vraagbaak.yaml): {kept}")


@qa_cli.command("seed")
def qa_seed() -> None:
    """Add the starting questions and curated tags; correct seeded texts that nobody changed."""
    with db.writing():
        _seed_vraagbaak()
        db.commit()
    from balie.search import registry as search_registry

    search_registry.vraagbaak().sync(db.session)


@qa_cli.command("remind")
def qa_remind() -> None:
    """Mark answers past their review date and remind their owners (run daily from cron)."""
    from balie.clock import today
    from balie.models.base import utcnow
    from balie.services.qa import questions as qa

    with db.writing():
        count = qa.remind_owners(db.session, today(), utcnow())
        db.commit()
    click.echo(f"{count} owners reminded")


def _rebuild_indexes() -> None:
    from balie.search import registry as search_registry

    for live in search_registry.all_indexes():
        click.echo(f"search index {live.spec.name}: {live.rebuild(db.session)} documents")


@index_cli.command("rebuild")
def index_rebuild() -> None:
    """Build this node's search indexes from the database, from scratch."""
    _rebuild_indexes()


@index_cli.command("sync")
def index_sync() -> None:
    """Catch this node's indexes up with the database (what every app node does by itself)."""
    from balie.search import registry as search_registry

    for live in search_registry.all_indexes():
        click.echo(f"search index {live.spec.name}: {live.sync(db.session)} documents updated")


@outbox_cli.command("send")
def outbox_send() -> None:
    """Deliver what is due now, once (for cron)."""
    from balie.outbox_worker import run_pass

    result = run_pass()
    click.echo(f"sent {result.sent}, failed {result.failed}, skipped {result.skipped}")


@outbox_cli.command("work")
def outbox_work() -> None:
    """Keep delivering until stopped (SIGTERM or Ctrl-C)."""
    from balie.outbox_worker import StopFlag, work_forever

    stop = StopFlag()
    signal.signal(signal.SIGTERM, stop.stop)
    signal.signal(signal.SIGINT, stop.stop)
    click.echo("outbox worker running")
    work_forever(stop)


@outbox_cli.command("status")
def outbox_status() -> None:
    """How many messages wait to be sent."""
    from balie.services.outbox import pending_count

    click.echo(f"{pending_count(db.session)} waiting")


@keys_cli.command("new")
@click.argument("key_id")
def keys_new(key_id: str) -> None:
    """Print a fresh key as KEY_ID:base64, to put first in BALIE_DATA_KEYS."""
    click.echo(new_key_text(key_id))


@keys_cli.command("rotate")
@click.option("--batch", default=200, show_default=True, help="Rows per transaction.")
def keys_rotate(batch: int) -> None:
    """Re-encrypt every stored personal field with the first key of BALIE_DATA_KEYS.

    Commits per batch, so it can be stopped and run again: rows already done are skipped.
    """
    from balie.services.operations.key_rotation import rotate_batch, rotate_users

    keys = data_keys()
    total = 0
    while True:
        with db.writing():
            done = rotate_batch(db.session, keys, batch)
            db.commit()
        total += done
        if done < batch:
            break
    with db.writing():
        users = rotate_users(db.session, keys)
        db.commit()
    click.echo(f"re-encrypted {total} registrations and {users} second-factor secrets with key {keys.primary_id}")


@users_cli.command("create-admin")
@click.option("--email", required=True, help="E-mail address of the first administrator.")
@click.option("--name", required=True, help="Their name.")
def users_create_admin(email: str, name: str) -> None:
    """Print a one-time link (valid 24 hours) with which the administrator sets a password."""
    from balie.models.base import utcnow
    from balie.services.accounts import lifecycle as accounts

    with db.writing():
        invitation = accounts.bootstrap_admin(db.session, email, name, utcnow())
        db.commit()
    signature = accounts.link_signature(current_app.config["SECRET_KEY"], accounts.KIND_INVITATION, invitation.id)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    click.echo(f"Open within 24 hours to set the password:\n{base}/uitnodiging/{invitation.id}/{signature}")


@users_cli.command("list")
def users_list() -> None:
    """Accounts with their roles (no personal data of parents)."""
    from balie.services.accounts import lifecycle as accounts

    for user in accounts.users(db.session):
        roles = ", ".join(sorted(grant.role for grant in user.roles)) or "-"
        state = "" if user.is_active else " (disabled)"
        click.echo(f"{user.id}  {user.email}  {roles}{state}")


@monitor_cli.command("import-births")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--gemeente",
    "gemeenten",
    multiple=True,
    metavar="GM0000",
    help="Store only this gemeente's births (repeatable); default: every gemeente of the region.",
)
def monitor_import_births(file: Path, gemeenten: tuple[str, ...]) -> None:
    """Store live births per gemeente and year from a CBS StatLine export of table 37230ned (CSV).

    Any problem in the file stores nothing; exit 1 listing the problems row by row."""
    from flask_babel import force_locale

    from balie.config import region_ggd_codes
    from balie.models.base import utcnow
    from balie.services.monitoring import cbs_births
    from balie.services.monitoring.scope import MonitorScope, region_municipality_codes
    from balie.web.labels import births_file_problem

    region = region_municipality_codes(db.session, region_ggd_codes(current_app.config))
    outside_region = sorted(set(gemeenten) - region)
    if outside_region:
        raise click.UsageError(f"not a gemeente of the region: {', '.join(outside_region)}")
    scope = MonitorScope(frozenset(gemeenten) or region)
    max_bytes = int(current_app.config["MONITOR_BIRTHS_IMPORT_MAX_BYTES"])
    with db.writing():
        imported = cbs_births.import_births(db.session, scope, file.read_bytes(), None, utcnow(), max_bytes)
        db.commit()
    found = imported.file
    if found.problems:
        with force_locale("en"):
            for problem in found.problems:
                click.echo(births_file_problem(problem.code, problem.row, problem.value), err=True)
        click.echo("Nothing stored.", err=True)
        sys.exit(1)
    for code, year, months in found.incomplete:
        click.echo(f"not stored: {code} {year} has {months} of 12 months and no year total")
    if found.outside_scope:
        click.echo(f"not stored (not imported for these gemeenten): {', '.join(found.outside_scope)}")
    years = ", ".join(f"{year}: {total}" for year, total in cbs_births.births_by_year(found).items())
    click.echo(
        f"live births read for {len(found.births)} gemeente-year(s) ({years or 'none'}); {imported.changed} changed"
    )


@demo_cli.command("monitor")
@click.option("--months", type=click.IntRange(1, 120), default=24, show_default=True, help="How far back it starts.")
@click.option(
    "--registrations",
    type=click.IntRange(1, 1_000_000),
    default=None,
    help="Parents who register over those months (default: 60 a month).",
)
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed gives the same figures.")
def demo_monitor(months: int, registrations: int | None, seed: int) -> None:
    """A made-up history of the demo region for the monitor, through the real services.

    Parents register, nurses take the inbox's steps and the purge runs, month by month up to now.
    Only into a desk without registrations: when there are any, nothing is added (exit 0)."""
    from balie.config import region_ggd_codes
    from balie.models.base import utcnow
    from balie.services.monitoring import demo_history

    if current_app.config["ENV"] == "production":
        click.echo("Refused: BALIE_ENV is production. Demo data belongs on a development desk only.", err=True)
        sys.exit(1)
    settings = demo_history.DemoSettings(
        keys=data_keys(),
        region_ggd_codes=region_ggd_codes(current_app.config),
        purge_weeks_after_due=int(current_app.config["PURGE_WEEKS_AFTER_DUE"]),
        purge_days_after_close=int(current_app.config["PURGE_DAYS_AFTER_CLOSE"]),
        secret=current_app.config["SECRET_KEY"],
    )
    size = demo_history.DemoSize(months, registrations or 60 * months, seed)
    try:
        with db.writing():
            made = demo_history.generate(db.session, settings, size, utcnow())
            db.commit()
    except demo_history.HistoryExists:
        click.echo("The desk holds registrations already: no demo history added.")
        return
    except demo_history.NothingToRoute:
        raise click.ClickException(
            "no gemeente of the region has a home-visit service: run `flask init` first"
        ) from None
    truncate_wal(db.engine)
    click.echo(
        f"demo history of {months} months: {made.registrations} registrations ({made.merged} merged twice-registered, "
        f"{made.withdrawn} withdrawn), {made.steps} inbox steps, {made.purged} purged; "
        f"{made.not_yet} steps lie after today"
    )


@monitor_cli.command("snapshot")
def monitor_snapshot() -> None:
    """Count today's figures for every monitor's scope (this year and the two before) and delete
    those older than a week (run nightly, so that no monitor waits for the first view of the day)."""
    from balie.clock import today
    from balie.config import region_ggd_codes
    from balie.services.monitoring.snapshot_job import make_snapshots

    with db.writing():
        done = make_snapshots(db.session, region_ggd_codes(current_app.config), today())
        db.commit()
    click.echo(
        f"monitor figures of {today().isoformat()}: {done.snapshots} snapshots for {done.scopes} scopes; "
        f"{done.deleted} old snapshots deleted"
    )


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Remove personal data that is due (run daily from cron); anonymous counts stay."""
    from balie.clock import today
    from balie.models.base import utcnow
    from balie.services.operations import retention

    with db.writing():
        result = retention.purge(db.session, utcnow(), today(), int(current_app.config["PURGE_DAYS_AFTER_CLOSE"]))
        db.commit()
    truncate_wal(db.engine)
    click.echo(
        f"purged {result.registrations} registrations; removed {result.sessions} sessions, "
        f"{result.links} links, {result.mails} old mail records"
    )


@audit_cli.command("verify")
@click.option(
    "--head",
    "head_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The exported head to check against (default: BALIE_AUDIT_HEAD_FILE).",
)
def audit_verify(head_file: Path | None) -> None:
    """Recompute the hash chain and check it holds the exported head; exit 1 naming what changed."""
    from balie import audit_head

    exporter = current_app.extensions[audit_head.EXPORTER_KEY]
    path = head_file or exporter.path
    result = audit_head.verify(db.session, exporter.keys, path)
    if result.ok:
        held = f"; it holds the exported head (seq {result.head.seq})" if result.head else ""
        click.echo(f"access log intact: {result.rows} rows{held}")
        return
    if result.broken:
        click.echo(f"access log BROKEN at rows (seq): {', '.join(result.broken_ranges)}", err=True)
    if result.head_problem is not None:
        click.echo(_head_problem_text(result, path), err=True)
    raise click.exceptions.Exit(1)


def _head_problem_text(result: VerifyResult, path: Path) -> str:
    from balie.services.audit.access_log import HeadProblem

    problem, head = result.head_problem, result.head
    if problem is HeadProblem.UNREADABLE:
        return f"access log head UNREADABLE: {path} holds no head"
    if head is None:  # HeadProblem.MISSING
        return f"access log head MISSING: no head in {path}; a cut or rewritten tail cannot be ruled out"
    if problem is HeadProblem.SIGNATURE:
        return f"access log head INVALID: the head in {path} is not signed by a configured audit key"
    exported = f"the exported head is seq {head.seq} (exported at {head.exported_at})"
    if problem is HeadProblem.CUT:
        end = f"the log ends at seq {result.last_seq}" if result.rows else "the log is empty"
        return f"access log CUT or REWRITTEN: {exported} but {end}"
    if problem is HeadProblem.ROW_GONE:
        return f"access log CUT or REWRITTEN: {exported} but row {head.seq} is gone"
    return f"access log REWRITTEN: {exported} but row {head.seq} has another hash"


def _backup_failed(error: Exception) -> click.exceptions.Exit:
    click.echo(str(error), err=True)
    return click.exceptions.Exit(1)


@backup_cli.command("create")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_create(file: Path) -> None:
    """Write a consistent backup of the running database to the new FILE (mode 0600).

    SQLite: SQLite's online backup (like the shell's .backup); PostgreSQL: pg_dump --format=custom.
    """
    from balie.services.operations import backup

    try:
        result = backup.create(db.engine, file)
    except backup.BackupError as error:
        raise _backup_failed(error) from None
    figures = {name: figure.rows for name, figure in result.tables.items()}
    click.echo(
        f"wrote {file}: {result.size / 1e6:.1f} MB, {len(figures)} tables, {result.rows} rows "
        f"({figures.get('registration', 0)} registrations, {figures.get('access_log', 0)} access-log rows) "
        f"in {result.seconds:.1f} s"
    )


@backup_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--into", "target", required=True, help="URL of an EMPTY database (sqlite:///path or postgresql+psycopg://…)."
)
def backup_restore(file: Path, target: str) -> None:
    """Restore FILE into an empty database, bring its schema up to date and purge what expired since."""
    from balie import audit_head
    from balie.clock import today
    from balie.models.base import utcnow
    from balie.services.operations import backup

    try:
        restored = backup.restore(file, target)
    except backup.BackupError as error:
        raise _backup_failed(error) from None
    audit_keys = current_app.extensions[audit_head.EXPORTER_KEY].keys
    with backup.open_database(target, audit_keys, int(current_app.config["SQLITE_BUSY_TIMEOUT_MS"])) as session:
        with db.writing():
            ready = backup.make_ready(session, utcnow(), today(), int(current_app.config["PURGE_DAYS_AFTER_CLOSE"]))
            session.commit()
        truncate_wal(session.get_bind())  # type: ignore[arg-type]
    click.echo(f"restored {file} into {restored.target} in {restored.seconds:.1f} s")
    if ready.schema_before != ready.schema_after:
        click.echo(f"schema upgraded from {ready.schema_before} to {ready.schema_after}")
    click.echo(f"purged {ready.purge.registrations} registrations that expired since the backup")
    click.echo("Point the app at it, then run `flask index rebuild` on every app node.")
    click.echo("Move every node's access-log head (BALIE_AUDIT_HEAD_FILE) aside: it describes the old database.")


@backup_cli.command("drill")
@click.option("--keep", is_flag=True, help="Keep the backup file and the restored copy (default: removed).")
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path), help="Where the temporary files go.")
def backup_drill(keep: bool, folder: Path | None) -> None:
    """Back up, restore into a fresh empty database and check the copy; exit 1 naming failed checks."""
    from balie import audit_head
    from balie.clock import today
    from balie.models.base import utcnow
    from balie.search import registry as search_registry
    from balie.services.operations import backup_drill as drill

    settings = drill.DrillSettings(
        keys=data_keys(),
        audit_keys=current_app.extensions[audit_head.EXPORTER_KEY].keys,
        purge_days_after_close=int(current_app.config["PURGE_DAYS_AFTER_CLOSE"]),
        now=utcnow(),
        today=today(),
        make_indexes=search_registry.unshared_indexes,
        folder=folder,
        keep=keep,
        busy_timeout_ms=int(current_app.config["SQLITE_BUSY_TIMEOUT_MS"]),
    )
    report = drill.run(db.engine, settings)  # reads the source only: no write lock taken
    click.echo(f"backup drill on {report.dialect}")
    for check in report.checks:
        click.echo(f"  {'ok' if check.ok else 'FAILED':6}  {check.name:12}  {check.seconds:6.2f} s  {check.detail}")
    for line in report.kept:
        click.echo(f"  kept {line}")
    if not report.ok:
        not_run = f" (not run: {', '.join(report.not_run)})" if report.not_run else ""
        click.echo(f"drill FAILED: {', '.join(report.failed)}{not_run}", err=True)
        raise click.exceptions.Exit(1)
    click.echo(f"drill passed in {report.seconds:.1f} s")


def _pybabel(*args: str) -> None:
    # No shell; the arguments are this command's own.
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=PROJECT_ROOT)  # noqa: S603


@i18n_cli.command("extract")
def i18n_extract() -> None:
    """Collect messages from code and templates into translations/messages.pot."""
    _pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "-k",
        "N_",
        "--ignore-dirs",
        ".* __pycache__",
        "--no-location",
        "-o",
        "translations/messages.pot",
        ".",
    )


@i18n_cli.command("update")
def i18n_update() -> None:
    """Merge new messages into every catalogue."""
    _pybabel("update", "-i", "translations/messages.pot", "-d", "translations", "--no-fuzzy-matching")


@i18n_cli.command("compile")
def i18n_compile() -> None:
    """Compile the catalogues (.po → .mo)."""
    _pybabel("compile", "-d", "translations")


def register(app: Flask) -> None:
    for group in (
        db_cli,
        kaart_cli,
        outbox_cli,
        keys_cli,
        i18n_cli,
        users_cli,
        audit_cli,
        index_cli,
        qa_cli,
        backup_cli,
        monitor_cli,
        demo_cli,
    ):
        app.cli.add_command(group)
    app.cli.add_command(init_command)
    app.cli.add_command(purge_command)
