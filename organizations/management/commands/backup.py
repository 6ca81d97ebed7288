from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _

from organizations.backup import BackupError
from organizations.backup.create import backup_create


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "备份门户：把数据库（PostgreSQL 用 pg_dump，SQLite 用在线备份）、上传文件目录（MEDIA_ROOT）"
            "中的全部文件和一份清单（版本、迁移、每张表的行数和校验值、每个文件的 SHA-256）"
            "写成一个 tar.gz 文件，文件名带北京时间。不含 SECRET_KEY、数据库密码等配置。"
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help=_("备份文件的路径，或存放它的目录（默认为当前目录）"),
        )

    def handle(self, *args, output: Path | None = None, **options) -> None:
        try:
            backup = backup_create(output=output)
        except (BackupError, DatabaseError) as error:
            raise CommandError(str(error)) from error
        manifest = backup.manifest
        tables = manifest["tables"]
        self.stdout.write(self.style.SUCCESS(_("备份已写入 %(path)s") % {"path": backup.path}))
        self.stdout.write(
            _("  数据库（%(vendor)s）：%(tables)d 张表，共 %(rows)d 行")
            % {
                "vendor": manifest["database"]["vendor"],
                "tables": len(tables),
                "rows": sum(state["rows"] for state in tables.values()),
            }
        )
        self.stdout.write(
            _("  上传文件：%(files)d 个，共 %(bytes)d 字节")
            % {"files": manifest["media"]["files"], "bytes": manifest["media"]["bytes"]}
        )
        self.stdout.write(_("  备份文件大小：%(size)d 字节") % {"size": backup.size})
        missing = manifest["media"]["missing"]
        if missing:
            self.stderr.write(
                _("注意：%(count)d 个文件在数据库中有记录，但上传文件目录中没有：%(names)s")
                % {"count": len(missing), "names": "、".join(missing[:20])}
            )
