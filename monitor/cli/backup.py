"""`monitor backup` and `monitor restore`: a checked copy of the store, and putting one back."""

from __future__ import annotations

import sys

import click

from monitor.evidence.paths import evidence_root
from monitor.store import open_db, resolve_db_path
from monitor.store.backup import BackupCheck, BackupError, backup_store, restore_store, verify_backup

EXIT_REFUSED = 1


def _counts_line(check: BackupCheck) -> str:
    counts = check.info.get("counts") or check.counts
    main = [f"{name} {counts[name]}" for name in ("listings", "flags", "reviews", "crawl_runs", "custody")
            if name in counts]
    return f"{sum(counts.values())} rows in {len(counts)} tables ({', '.join(main)})"


def _evidence_note(db_path) -> str:
    root = evidence_root(db_path)
    return (f"Not in the backup: the evidence files in {root} (WARC, screenshots; written once, never "
            f"changed). Copy that folder too, e.g. rsync -a {root}/ BACKUP-FOLDER/evidence/")


@click.command()
@click.argument("path", type=click.Path(path_type=str))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@click.option("--verify", "verify_only", is_flag=True,
              help="Only check the existing backup PATH (integrity and row counts); write nothing.")
@click.pass_context
def backup(ctx, path, force, verify_only):
    """Back up the store to PATH while it is in use (SQLite's online backup), checked.

    The copy is one consistent snapshot, taken while crawls, imports and the web app go on
    writing. It is then checked (PRAGMA integrity_check, every table's row count against the
    store's at that moment) before it is put at PATH, readable by its owner only; a copy that
    fails is not kept. A folder as PATH gets a file named after the store and the time.

    The evidence files (WARC, screenshots) live beside the database, in its evidence folder,
    and are NOT in the backup: copy that folder as well (they never change once written, so
    rsync -a is their backup). The command prints the folder.

    Exit status: 0 backed up (or, with --verify, the backup is sound); 1 refused or failed.

    Example:

        monitor backup /backups/monitor-2026-12-07.db

        monitor --db data/monitor.db backup /backups/

        monitor backup --verify /backups/monitor-2026-12-07.db
    """
    if verify_only:
        check = verify_backup(path)
        if not check.ok:
            click.echo(f"error: {path} is not a sound backup: {'; '.join(check.problems)}", err=True)
            sys.exit(EXIT_REFUSED)
        click.echo(f"{path}: sound (integrity ok; {_counts_line(check)}; taken {check.info.get('taken_at')} "
                   f"from {check.info.get('source')})")
        return
    db_path = resolve_db_path(ctx.obj.get("db_path"))
    if db_path.is_file():
        open_db(db_path).close()  # a store from an older version is brought up to date first
    try:
        check = backup_store(db_path, path, force=force)
    except BackupError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_REFUSED)
    click.echo(f"Backed up {db_path} to {check.path}: integrity ok, {_counts_line(check)}.")
    click.echo(_evidence_note(db_path))


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--force", is_flag=True,
              help="Restore even if the store is open in another process or changed after the backup.")
@click.pass_context
def restore(ctx, path, force):
    """Put the backup PATH in place of the store (--db), after checking it.

    The backup is checked first (integrity, row counts against those it recorded, a schema this
    version knows); one that fails is refused, whatever --force says. Without --force the
    restore is also refused while another process has the store open (stop `monitor serve`,
    `monitor schedule` and crawls first) and when the store has changes made after the backup
    was taken. The replaced store is kept beside it as <name>.replaced-<UTC time>. (Forced
    while a process has the store open, that process goes on with the replaced file: restart it.)

    Evidence files are not in a backup: restore the evidence folder with the same tool that
    copied it.

    Exit status: 0 restored; 1 refused or failed.

    Example:

        monitor --db data/monitor.db restore /backups/monitor-2026-12-07.db
    """
    db_path = resolve_db_path(ctx.obj.get("db_path"))
    try:
        restored = restore_store(path, db_path, force=force)
    except BackupError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_REFUSED)
    open_db(db_path).close()  # WAL again, and migrated if the backup is from an older version
    click.echo(f"Restored {db_path} from {path} (taken {restored.check.info.get('taken_at')}): "
               f"{_counts_line(restored.check)}.")
    if restored.kept:
        click.echo(f"The store it replaced is kept as {restored.kept}.")
    click.echo(_evidence_note(db_path))


COMMANDS = [backup, restore]
