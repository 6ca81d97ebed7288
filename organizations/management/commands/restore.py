from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _

from organizations.backup import BackupError
from organizations.backup.restore import backup_restore


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "从 backup 命令写出的备份文件恢复数据库和上传文件。先在临时目录中逐个核对文件的校验值，"
            "再写入；数据库或上传文件目录不是空的时拒绝恢复（除非加 --force）；恢复后重新计算每张表的"
            "行数和校验值并与备份清单比较，有任何不符即报错退出。"
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help=_("备份文件（sanhui-backup-….tar.gz）"))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("数据库或上传文件目录不是空的也恢复：备份中的表和文件覆盖同名的表和文件"),
        )

    def handle(self, *args, archive: Path, force: bool = False, **options) -> None:
        try:
            restored = backup_restore(path=archive, force=force)
        except (BackupError, DatabaseError) as error:
            raise CommandError(str(error)) from error
        manifest = restored.manifest
        self.stdout.write(
            self.style.SUCCESS(
                _("已从 %(path)s 恢复（备份时间 %(time)s）")
                % {"path": archive, "time": manifest["created_at"]}
            )
        )
        self.stdout.write(
            _("  %(tables)d 张表共 %(rows)d 行、%(files)d 个上传文件，行数和校验值与备份清单一致。")
            % {"tables": restored.tables, "rows": restored.rows, "files": restored.files}
        )
        if restored.other_tables:
            self.stderr.write(
                _("注意：数据库中还有备份里没有的表，未作改动：%(names)s")
                % {"names": "、".join(restored.other_tables)}
            )
        if restored.other_files:
            self.stderr.write(
                _("注意：上传文件目录中还有 %(count)d 个备份里没有的文件，未作改动。")
                % {"count": restored.other_files}
            )
        if restored.pending_migrations:
            self.stdout.write(
                _("备份早于当前版本（缺少 %(count)d 个迁移），请运行 python manage.py migrate。")
                % {"count": len(restored.pending_migrations)}
            )
