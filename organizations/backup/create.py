"""Taking a backup: the database and the uploaded files into one archive, read back before it
is reported written."""

from __future__ import annotations

import datetime
import logging
import platform
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.backup import BackupError, archive, database
from sanhui import clock

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    manifest: dict[str, Any]


def archive_name(moment: datetime.datetime) -> str:
    """``sanhui-backup-<yyyymmdd-hhmmss>.tar.gz`` in the portal's time zone (Asia/Shanghai)."""
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return f"sanhui-backup-{local:%Y%m%d-%H%M%S}.tar.gz"


def portal_version() -> str:
    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return ""


def _target(output: Path | None, moment: datetime.datetime, media_root: Path) -> Path:
    target = Path(output) if output is not None else Path.cwd()
    if target.is_dir():
        target = target / archive_name(moment)
    target = target.absolute()
    if target.exists():
        raise BackupError(_("文件 %(path)s 已存在，不会覆盖。") % {"path": target})
    if not target.parent.is_dir():
        raise BackupError(_("目录 %(path)s 不存在。") % {"path": target.parent})
    if target.resolve().is_relative_to(media_root.resolve()):
        # The archive would end up inside the next backup, and served as an upload.
        raise BackupError(_("备份文件不能放在上传文件目录（MEDIA_ROOT）中。"))
    return target


def backup_create(*, output: Path | None = None, using: str = "default") -> Backup:
    """Write a backup of the database ``using`` and of MEDIA_ROOT to ``output`` (a file, or a
    folder to name the archive in; the current folder by default)."""
    moment = clock.now()
    media_root = Path(settings.MEDIA_ROOT)
    target = _target(output, moment, media_root)
    with tempfile.TemporaryDirectory(prefix="sanhui-backup-") as work:
        # The database first: files its rows name were stored before the snapshot, so they are
        # on disk when the folder is read.
        dump = database.dump(Path(work), using=using)
        manifest = {
            "created_at": timezone.localtime(moment, timezone.get_default_timezone()).isoformat(),
            "portal": {
                "version": portal_version(),
                "django": django.get_version(),
                "python": platform.python_version(),
            },
            "database": {"vendor": dump.vendor, "file": dump.path.name, **dump.details},
            "migrations": dump.migrations,
            "tables": dump.tables,
        }
        manifest = archive.write(
            target,
            database=dump.path,
            media_root=media_root,
            manifest=manifest,
            referenced=dump.file_names,
            mtime=int(moment.timestamp()),
        )
    # Read back what was written, as a restore will.
    archive.read(target)
    size = target.stat().st_size
    logger.info("backup written: %s (%d bytes)", target, size)
    return Backup(target, size, manifest)
