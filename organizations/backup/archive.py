"""The backup archive: a gzip-compressed tar of the database dump, the uploaded files under
``media/`` and ``manifest.json``, written and read back against the manifest.

Reading never trusts a member's name or kind: only regular files named like the members a backup
writes are accepted, and each is hashed as it is unpacked.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import zlib
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.utils.translation import gettext as _

from organizations.backup import BackupError

FORMAT = "sanhui-backup/1"
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_FILES = {"database.dump", "database.sqlite3"}
BUFFER = 1024 * 1024


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(BUFFER):
            digest.update(chunk)
    return digest.hexdigest()


def media_files(root: Path) -> list[tuple[str, Path]]:
    """Every regular file under ``root`` as (path relative to it, in POSIX form; the path),
    sorted; symbolic links are not followed."""
    found = []
    if not root.is_dir():
        return found
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in files:
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(root).as_posix(), path))
    return sorted(found)


class _HashingReader:
    """A file read by tarfile, hashed on the way: the checksum is of the bytes archived."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        stat = os.fstat(handle.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return {"size": info.size, "sha256": reader.digest.hexdigest()}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mtime: int) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), mtime, 0o600
    tar.addfile(info, io.BytesIO(data))


def write(
    target: Path,
    *,
    database: Path,
    media_root: Path,
    manifest: dict[str, Any],
    referenced: set[str],
    mtime: int,
) -> dict:
    """Write the archive to ``target`` (readable by its owner only, never overwriting) and return
    the manifest completed with the files' sizes and checksums, and the files that rows name
    (``referenced``, relative to MEDIA_ROOT) but MEDIA_ROOT does not hold.

    The archive appears under its name only once complete: it is written beside it first."""
    partial = target.with_name(f".{target.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar:
                files = {database.name: _add_file(tar, database.name, database)}
                media = {}
                for relative, path in media_files(media_root):
                    try:
                        media[relative] = _add_file(tar, f"{MEDIA}/{relative}", path)
                    except FileNotFoundError:
                        continue  # deleted since the folder was listed
                files.update((f"{MEDIA}/{relative}", entry) for relative, entry in media.items())
                manifest = {
                    **manifest,
                    "format": FORMAT,
                    "files": files,
                    "media": {
                        "files": len(media),
                        "bytes": sum(entry["size"] for entry in media.values()),
                        "missing": sorted(referenced - media.keys()),
                    },
                }
                text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True)
                _add_bytes(tar, MANIFEST, text.encode(), mtime)
            raw.flush()
            os.fsync(raw.fileno())
        if target.exists():
            raise BackupError(_("文件 %(path)s 已存在，不会覆盖。") % {"path": target})
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _member_name(member: tarfile.TarInfo) -> str:
    path = PurePosixPath(member.name)
    parts = path.parts
    safe = (
        not path.is_absolute()
        and parts
        and all(part not in ("", ".", "..") for part in parts)
        and (
            path.as_posix() in DATABASE_FILES | {MANIFEST}
            or (parts[0] == MEDIA and (len(parts) > 1 or member.isdir()))
        )
    )
    if not safe or not (member.isfile() or member.isdir()):
        raise BackupError(_("备份文件中有不应有的内容：%(name)s") % {"name": member.name})
    return path.as_posix()


def _unpack(source: IO[bytes], destination: Path | None) -> dict[str, Any]:
    digest, size = hashlib.sha256(), 0
    output = None
    if destination is not None:
        destination.parent.mkdir(parents=True, exist_ok=True)
        output = destination.open("xb")
    try:
        while chunk := source.read(BUFFER):
            digest.update(chunk)
            size += len(chunk)
            if output is not None:
                output.write(chunk)
    finally:
        if output is not None:
            output.close()
    return {"size": size, "sha256": digest.hexdigest()}


def _members(path: Path, into: Path | None) -> tuple[dict[str, dict], bytes | None]:
    found: dict[str, dict] = {}
    manifest = None
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                name = _member_name(member)
                if member.isdir():
                    continue
                if name in found or (name == MANIFEST and manifest is not None):
                    raise BackupError(_("备份文件中 %(name)s 出现了不止一次。") % {"name": name})
                source = tar.extractfile(member)
                if name == MANIFEST:
                    manifest = source.read()
                else:
                    found[name] = _unpack(source, into / name if into is not None else None)
    except (tarfile.TarError, gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise BackupError(
            _("无法读取备份文件 %(path)s：%(error)s") % {"path": path, "error": error}
        ) from error
    return found, manifest


def read(path: Path, *, into: Path | None = None) -> dict[str, Any]:
    """Check the archive at ``path`` against its manifest and return the manifest; with
    ``into``, unpack it there as well. Raises BackupError naming every file that is missing,
    unlisted or changed."""
    if not path.is_file():
        raise BackupError(_("找不到备份文件 %(path)s。") % {"path": path})
    found, raw_manifest = _members(path, into)
    try:
        manifest = json.loads(raw_manifest or b"")
        listed = manifest["files"]
        database = manifest["database"]["file"]
        if manifest["format"] != FORMAT:
            raise ValueError(manifest["format"])
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(_("备份文件中没有可用的清单（manifest.json）。")) from error
    problems = []
    if database not in DATABASE_FILES or database not in found:
        problems.append(_("缺少数据库文件 %(name)s") % {"name": database})
    for name in sorted(listed.keys() | found.keys()):
        if name not in found:
            problems.append(_("%(name)s：清单中有，备份文件中没有") % {"name": name})
        elif name not in listed:
            problems.append(_("%(name)s：备份文件中有，清单中没有") % {"name": name})
        elif found[name] != {"size": listed[name].get("size"), "sha256": listed[name].get("sha256")}:
            problems.append(_("%(name)s：大小或 SHA-256 校验值与清单不符") % {"name": name})
    if problems:
        raise BackupError(
            _("备份文件 %(path)s 与其清单不符：\n%(problems)s")
            % {"path": path, "problems": "\n".join(f"  - {line}" for line in problems)}
        )
    return manifest
