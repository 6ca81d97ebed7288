"""Backup and restore of the whole portal: its database and every uploaded file, in one archive.

A backup (``create.backup_create``, ``manage.py backup``) is one ``sanhui-backup-<time>.tar.gz``,
named with the Asia/Shanghai time it was taken, holding:

- ``database.dump`` — PostgreSQL: ``pg_dump --format=custom`` of the configured database, or
  ``database.sqlite3`` — SQLite: a copy made through the online backup API;
- ``media/…`` — every file under ``MEDIA_ROOT`` (activity evidence, rectification evidence,
  built and issued report files);
- ``manifest.json`` — the portal's version and applied migrations, the time, the row count and
  checksum of every table, and the size and SHA-256 of every other file in the archive.

The dump and the table checksums are read from one snapshot of the database (PostgreSQL: an
exported snapshot that ``pg_dump --snapshot`` shares; SQLite: one read transaction), so the
manifest describes exactly the rows the dump holds, also while the portal is in use.

A restore (``restore.backup_restore``, ``manage.py restore``) unpacks the archive into a
temporary folder and checks every file against the manifest before it touches anything; it
refuses a database or upload folder that is not empty unless forced; it loads the database
(``pg_restore`` in a single transaction; SQLite: the backup API, in one step), copies the files
back, and then counts and checksums the restored tables and files against the manifest, failing
with the names of the tables and files that differ.

Table checksums (``tables``) hash a canonical serialisation of each row as the ORM reads it, in
primary-key order under byte-wise collation: they depend neither on the order rows were written
in nor on how the database formats text, dates or numbers.

Not in the archive: the settings and environment (``SECRET_KEY``, the database password,
mail credentials), static files and installed packages. The database holds personal data and
password hashes, so archives are written readable by their owner only.

This package reads models through the app registry only: ``organizations`` imports none of the
apps built on it.
"""


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in the user's language."""
