import importlib
import importlib.util
import os
import time
import unicodedata
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from organizations.demo import DemoDataError, build_demo
from organizations.demo_dates import DemoCalendar

LABELS = (
    ("organizations", "组织", "个"),
    ("people", "人员", "人"),
    ("leader_roles", "三长/泛三长身份", "个"),
    ("seats", "领导机构职务", "个"),
    ("memberships", "会员关系", "条"),
    ("teams", "科技志愿服务队", "支"),
    ("team_memberships", "服务队志愿者", "人次"),
    ("users", "演示账号", "个"),
)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    # Chinese characters take two columns in a terminal; str.ljust counts them as one.
    return text + " " * max(width - _width(text), 0)


class Command(BaseCommand):
    help = (
        "生成鄞州区“三长带三会”演示数据：区科协、25个镇（街）科协、19家示例区级学会、"
        "基层科普协会（三会）、人员、三长、领导机构职务、科技志愿服务队和5个演示账号。"
        "可重复运行，不会产生重复数据。加 --scale 时在演示区之上另生成全省规模的扩容数据"
        "（仅限 PostgreSQL，每个数据库只生成一次）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=None,
            help="演示账号的密码（默认取 settings.DEMO_PASSWORD）",
        )
        parser.add_argument(
            "--scale",
            type=Decimal,
            default=None,
            help="在演示区之上再生成扩容数据（仅限 PostgreSQL）：1 为全省规模，每个新增镇 358 人、"
            "1429 项活动、35715 人次签到；0.1 为其十分之一",
        )
        parser.add_argument(
            "--towns",
            type=int,
            default=None,
            help="与 --scale 一起使用：新增的镇（街道）数，默认 1400",
        )

    def _other_apps(self) -> list[tuple[str, int, str, int]]:
        """Demo data of the apps that build on the organisations, in INSTALLED_APPS order.

        Each such app may have a ``demo`` module with ``build_demo()``, idempotent and
        deterministic like this one, returning rows of (label, count, unit, created). They are
        found by name so that this app imports none of the apps that depend on it."""
        rows: list[tuple[str, int, str, int]] = []
        for app_config in apps.get_app_configs():
            if app_config.name == "organizations":
                continue
            module_name = f"{app_config.name}.demo"
            if importlib.util.find_spec(module_name) is None:
                continue
            rows.extend(importlib.import_module(module_name).build_demo())
        return rows

    def _scaled_generators(self) -> list:
        """Generators of scaled load data: an app's ``loadgen`` module, found by name like the
        demo modules, with ``refuse_unless_possible(scale=, towns=)`` (raises ``DemoDataError``)
        and ``generate(scale=, towns=, progress=)``."""
        modules = []
        for app_config in apps.get_app_configs():
            module_name = f"{app_config.name}.loadgen"
            if importlib.util.find_spec(module_name) is not None:
                modules.append(importlib.import_module(module_name))
        return modules

    def _generate_scaled(self, generators: list, scale: Decimal, towns: int | None) -> None:
        for generator in generators:
            self.stdout.write("")
            self.stdout.write(f"生成扩容数据（--scale {scale}，--towns {towns or '默认'}）：")
            started = time.monotonic()
            try:
                result = generator.generate(scale=scale, towns=towns, progress=self.stdout.write)
            except DemoDataError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                self.style.SUCCESS(f"扩容数据已生成（用时 {time.monotonic() - started:.1f} 秒）：")
            )
            for label, count, unit in result.rows():
                self.stdout.write(f"  {_pad(label, 20)}{count:>10} {unit}")

    def handle(
        self,
        *args,
        password: str | None = None,
        scale: Decimal | None = None,
        towns: int | None = None,
        **options,
    ) -> None:
        password = password or settings.DEMO_PASSWORD
        if towns is not None and scale is None:
            raise CommandError("--towns 须与 --scale 一起使用。")
        generators = self._scaled_generators() if scale is not None else []
        if scale is not None and not generators:
            raise CommandError("未找到扩容数据生成器。")
        try:
            for generator in generators:
                # Refused before the demo is touched: on SQLite, or on a database already scaled.
                generator.refuse_unless_possible(scale=scale, towns=towns)
        except DemoDataError as error:
            raise CommandError(str(error)) from error
        started = time.monotonic()
        try:
            summary = build_demo(password=password)
        except DemoDataError as error:
            raise CommandError(str(error)) from error
        elapsed = time.monotonic() - started

        self.stdout.write(self.style.SUCCESS(f"鄞州区“三长带三会”演示数据已就绪（用时 {elapsed:.1f} 秒）。"))
        calendar = DemoCalendar.seeded_on()
        self.stdout.write(
            f"  演示项目年度 {calendar.programme_start:%Y-%m-%d} 至 {calendar.programme_end:%Y-%m-%d}，"
            "今天处于第三阶段的全面覆盖期"
        )
        for key, label, unit in LABELS:
            count, created = summary.counts[key], summary.created.get(key, 0)
            self.stdout.write(f"  {_pad(label, 16)}{count:>5} {unit}（本次新建 {created}）")
        self.stdout.write(
            f"  现任职务 {summary.current_seats} 个，其中 90 天内任期届满 {summary.seats_ending_soon} 个"
        )
        for label, count, unit, created in self._other_apps():
            self.stdout.write(f"  {_pad(label, 16)}{count:>5} {unit}（本次新建 {created}）")
        self.stdout.write("")
        self.stdout.write("演示账号：")
        rows = [("用户名", "角色", "密码")] + [
            (login.username, f"{login.role} · {login.target}" if login.target else login.role, password)
            for login in summary.logins
        ]
        widths = [max(_width(row[column]) for row in rows) + 2 for column in range(2)]
        for username, role, secret in rows:
            self.stdout.write(f"  {_pad(username, widths[0])}{_pad(role, widths[1])}{secret}")
        self.stdout.write("")
        address = os.environ.get("SANHUI_ADDRESS", "http://127.0.0.1:8000/")
        self.stdout.write(f"门户地址：{address}（make run 启动后用以上账号登录）")
        self._generate_scaled(generators, scale, towns)
