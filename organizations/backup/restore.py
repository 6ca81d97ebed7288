"""Restoring a backup: checked in full before anything is touched, loaded, then compared table by
table and file by file with the manifest."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

from organizations.backup import BackupError, archive, database, tables

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Restored:
    manifest: dict[str, Any]
    tables: int
    rows: int
    files: int
    # Migrations of this version of the portal that the backup predates: run ``migrate``.
    pending_migrations: list[str] = field(default_factory=list)
    # Left in place by a forced restore because the backup does not have them.
    other_tables: list[str] = field(default_factory=list)
    other_files: int = 0


def _check_version(manifest: dict[str, Any]) -> list[str]:
    """Refuse a backup of a newer portal; return the migrations it predates."""
    known = tables.known_migrations()
    backed_up = set(manifest.get("migrations", []))
    unknown = sorted(backed_up - known)
    if unknown:
        raise BackupError(
            _("备份来自更新版本的门户，当前代码没有这些迁移：%(names)s。请先部署与备份相同（或更新）的版本。")
            % {"names": "、".join(unknown)}
        )
    return sorted(known - backed_up)


def _check_empty(*, using: str, media_root: Path) -> None:
    existing = tables.table_names(using)
    if existing:
        raise BackupError(
            _(
                "数据库 %(name)s 不是空的（已有 %(count)d 张表），没有改动任何数据。"
                "恢复会用备份覆盖其中的数据；确认无误后加 --force 重新运行。"
            )
            % {"name": connections[using].settings_dict["NAME"], "count": len(existing)}
        )
    files = archive.media_files(media_root)
    if files:
        raise BackupError(
            _(
                "上传文件目录 %(path)s 不是空的（已有 %(count)d 个文件），没有改动任何数据。"
                "确认无误后加 --force 重新运行。"
            )
            % {"path": media_root, "count": len(files)}
        )


def _copy_media(source: Path, media_root: Path, manifest: dict[str, Any]) -> int:
    count = 0
    for name in sorted(manifest["files"]):
        if not name.startswith(f"{archive.MEDIA}/"):
            continue
        relative = name.removeprefix(f"{archive.MEDIA}/")
        destination = media_root / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        # Each file appears whole under its name or not at all.
        partial = destination.with_name(f".{destination.name}.restoring")
        shutil.copyfile(source / name, partial)
        os.replace(partial, destination)
        count += 1
    return count


def differences(manifest: dict[str, Any], *, using: str = "default", media_root: Path) -> list[str]:
    """What the database ``using`` and ``media_root`` hold that differs from ``manifest``: one
    line per table or file, empty when everything matches."""
    found = []
    models = tables.table_models(using)
    for table, expected in sorted(manifest["tables"].items()):
        if table not in models:
            found.append(_("表 %(table)s：恢复后不存在") % {"table": table})
            continue
        try:
            state = tables.table_state(models[table], using=using, columns=expected["columns"])
        except LookupError as error:
            found.append(
                _("表 %(table)s：当前版本的门户没有列 %(columns)s，无法核对")
                % {"table": table, "columns": error}
            )
            continue
        if state["rows"] != expected["rows"]:
            found.append(
                _("表 %(table)s：备份中 %(expected)d 行，恢复后 %(actual)d 行")
                % {"table": table, "expected": expected["rows"], "actual": state["rows"]}
            )
        elif state["sha256"] != expected["sha256"]:
            found.append(_("表 %(table)s：行数相同，但内容的校验值不符") % {"table": table})
    for name, expected in sorted(manifest["files"].items()):
        if not name.startswith(f"{archive.MEDIA}/"):
            continue
        path = media_root / name.removeprefix(f"{archive.MEDIA}/")
        if not path.is_file():
            found.append(_("文件 %(name)s：恢复后不存在") % {"name": name})
        elif archive.sha256_of(path) != expected["sha256"]:
            found.append(_("文件 %(name)s：SHA-256 校验值不符") % {"name": name})
    return found


def backup_restore(*, path: Path, force: bool = False, using: str = "default") -> Restored:
    """Restore the archive at ``path`` into the database ``using`` and MEDIA_ROOT.

    Without ``force`` only an empty database (no tables at all) and an empty upload folder are
    written to. With it, the backup's tables replace those of the same name and its files those
    of the same path; anything else is left where it is and reported."""
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="sanhui-restore-") as work:
        work = Path(work)
        # Every check before the first write: the archive, the version, the target.
        manifest = archive.read(Path(path), into=work)
        pending = _check_version(manifest)
        if not force:
            _check_empty(using=using, media_root=media_root)
        database.load(work / manifest["database"]["file"], vendor=manifest["database"]["vendor"], using=using)
        files = _copy_media(work, media_root, manifest)
    found = differences(manifest, using=using, media_root=media_root)
    if found:
        raise BackupError(
            _("恢复后的数据与备份不符：\n%(lines)s") % {"lines": "\n".join(f"  - {line}" for line in found)}
        )
    listed = {name.removeprefix(f"{archive.MEDIA}/") for name in manifest["files"]}
    restored = Restored(
        manifest=manifest,
        tables=len(manifest["tables"]),
        rows=sum(state["rows"] for state in manifest["tables"].values()),
        files=files,
        pending_migrations=pending,
        other_tables=sorted(set(tables.table_names(using)) - manifest["tables"].keys()),
        other_files=sum(1 for relative, _path in archive.media_files(media_root) if relative not in listed),
    )
    logger.info(
        "backup restored: %s (%d tables, %d rows, %d files)", path, restored.tables, restored.rows, files
    )
    return restored
