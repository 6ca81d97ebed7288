"""factory_boy factories for the rollout's models."""

import datetime
import struct
import zlib
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from rollout.models import (
    Incentive,
    Inspection,
    Milestone,
    Phase,
    Pilot,
    Rectification,
    RectificationUpdate,
    ShowcaseItem,
    Stage,
    SteeringMember,
    Task,
    TaskUpdate,
)
from tests import factories as f
from tests import files


def phase(number: int) -> Phase:
    """The plan's phases are reference data loaded by migration; tests look them up."""
    return Phase.objects.get(number=number)


def stage(code: str) -> Stage:
    return Stage.objects.get(code=code)


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task
        skip_postgeneration_save = True

    phase = factory.LazyFunction(lambda: phase(3))
    stage = None
    title = factory.Sequence(lambda n: f"测试任务{n}")
    organization = factory.SubFactory(f.OrganizationFactory)
    due_date = datetime.date(2022, 12, 31)
    status = Task.Status.NOT_STARTED

    @factory.post_generation
    def history(obj, create, extracted, **kwargs):
        if create:
            TaskUpdate.objects.create(task=obj, old_status="", new_status=obj.status)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    phase = factory.LazyFunction(lambda: phase(3))
    title = factory.Sequence(lambda n: f"测试里程碑{n}")
    due_date = datetime.date(2022, 6, 30)


class PilotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pilot

    organization = factory.SubFactory(f.OrganizationFactory)
    stage = factory.LazyFunction(lambda: stage("3a"))
    started_on = datetime.date(2022, 3, 15)
    findings = "存在问题：活动台账不统一。"
    measures = "具体对策：统一在平台登记。"


class SteeringMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SteeringMember

    role = SteeringMember.Role.MEMBER
    name = factory.Sequence(lambda n: f"指导组成员{n}")
    title = "区科协科普科"


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    organization = factory.SubFactory(f.OrganizationFactory)
    supervisor = None
    inspected_on = datetime.date(2024, 5, 10)
    score = Decimal("85.0")
    findings = factory.Sequence(lambda n: f"督查发现{n}")


class RectificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rectification
        skip_postgeneration_save = True

    inspection = factory.SubFactory(InspectionFactory)
    organization = factory.LazyAttribute(lambda o: o.inspection.organization)
    title = factory.Sequence(lambda n: f"整改事项{n}")
    deadline = datetime.date(2024, 6, 30)
    status = Rectification.Status.OPEN

    @factory.post_generation
    def history(obj, create, extracted, **kwargs):
        if create:
            RectificationUpdate.objects.create(rectification=obj, old_status="", new_status=obj.status)


class ShowcaseItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShowcaseItem

    kind = ShowcaseItem.Kind.PRACTICE
    title = factory.Sequence(lambda n: f"典型做法{n}")
    summary = "摘要"
    nominated_on = datetime.date(2022, 10, 1)
    status = ShowcaseItem.Status.NOMINATED


class IncentiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incentive

    kind = Incentive.Kind.AWARD
    title = factory.Sequence(lambda n: f"先进个人{n}")
    granted_on = datetime.date(2023, 1, 10)
    granted_by = "鄞州区科协"


def _png_bytes(width: int = 24, height: int = 16) -> bytes:
    """A real (tiny, green) PNG, so that browsers can show it as a thumbnail."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = (b"\x00" + bytes((40, 160, 90)) * width) * height
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = _png_bytes()
PDF = files.PDF


def png(name: str = "照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name: str = "整改报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")
