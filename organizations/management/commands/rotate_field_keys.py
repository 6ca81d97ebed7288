from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sanhui.crypto import rotate_all


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "用 SANHUI_FIELD_KEYS 的第一个密钥重新加密全部手机号码和身份证号码，并用 SANHUI_LOOKUP_KEY "
            "重新计算查重用的哈希；在一个事务中完成，出错则不作任何修改。更换密钥的步骤：把新密钥放在"
            "SANHUI_FIELD_KEYS 的最前面（旧密钥保留在后面），如更换查重密钥则设置新的 SANHUI_LOOKUP_KEY，"
            "运行本命令，然后删去旧密钥。可重复运行。"
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--old-lookup-key",
            default=None,
            help=_(
                "更换前的 SANHUI_LOOKUP_KEY（默认取环境变量 SANHUI_OLD_LOOKUP_KEY）。给出时先核对每个"
                "已存哈希确由旧密钥（或新密钥）算出，不符则中止且不作修改。"
            ),
        )

    def handle(self, *args, old_lookup_key: str | None = None, **options) -> None:
        old_lookup_key = old_lookup_key or getattr(settings, "SANHUI_OLD_LOOKUP_KEY", "")

        def progress(model, count: int) -> None:
            self.stdout.write(
                _("  %(model)s：%(count)d 条") % {"model": model._meta.verbose_name, "count": count}
            )

        try:
            counts = rotate_all(old_lookup_key=old_lookup_key, progress=progress)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("已用第一个密钥重新加密并重算哈希，共 %(count)d 条记录。") % {"count": sum(counts.values())}
            )
        )
