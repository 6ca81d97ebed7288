from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from organizations.models import Organization
from organizations.scoping import Scope
from rollout.indicators import Period
from rollout.models import ReportRun
from rollout.reports import ReportScopeError, build_report, render


class Command(BaseCommand):
    help = (
        "生成“三长带三会”覆盖情况报表或季度督查报告并写入文件（不经 Celery，与报表页面使用同一套代码）。"
        "默认统计全区；--organization 限定为某一组织及其下属组织。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ReportRun.Kind.values)
        parser.add_argument(
            "--quarter", required=True, help="统计期间：2022Q4、2022 或 2022-01-01..2022-06-30"
        )
        parser.add_argument("--format", required=True, choices=ReportRun.Format.values, dest="fmt")
        parser.add_argument("--output", required=True, help="输出文件路径")
        parser.add_argument("--organization", help="组织代码")

    def handle(self, *args, kind: str, quarter: str, fmt: str, output: str, organization=None, **options):
        try:
            period = Period.parse(quarter)
        except ValueError as error:
            raise CommandError(str(error)) from error
        org = None
        if organization:
            org = Organization.objects.filter(code=organization).first()
            if org is None:
                raise CommandError(f"没有代码为 {organization} 的组织")
        try:
            report = build_report(kind, period, scope=Scope(read_all=True), organization=org)
        except ReportScopeError as error:
            raise CommandError(str(error)) from error
        data = render(report, fmt)
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.stdout.write(f"{report.title}：{path}（{len(data)} 字节）")
