"""Inspections (督查) and their rectification items: the steering group records them, the
organisation reports progress and closes them with evidence, the steering group may reopen."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from organizations.models import AuditEntry
from rollout.models import Inspection, Rectification, RectificationEvidence, RectificationUpdate
from rollout.plan.actions import inspections, rectifications
from tests import factories as f
from tests.rollout import factories as rf

pytestmark = pytest.mark.django_db


def statuses(item: Rectification) -> list[tuple[str, str]]:
    return list(item.updates.order_by("created_at", "pk").values_list("old_status", "new_status"))


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# --------------------------------------------------------------------------- inspections


def test_a_supervisor_records_an_inspection_with_a_rectification_item(supervisor_user, jiangshan, today):
    inspection = inspections.inspection_create(
        actor=supervisor_user,
        organization=jiangshan.association,
        inspected_on=today,
        score=Decimal("86.5"),
        findings="台账不全",
        reference="鄞科协督〔2024〕1号",
        rectifications=[
            {"title": "补齐台账", "deadline": today + datetime.timedelta(days=30), "owner_name": "秘书长"}
        ],
    )
    assert inspection.supervisor == supervisor_user
    item = inspection.rectifications.get()
    assert (item.organization, item.status, item.owner_name) == (jiangshan.association, "open", "秘书长")
    assert statuses(item) == [("", "open")]
    assert AuditEntry.objects.filter(action="inspection_create", object_id=str(inspection.pk)).exists()


@pytest.mark.parametrize("persona", ["jiangshan_admin", "leader_user"])
def test_others_cannot_record_inspections(request, persona, jiangshan, today):
    with pytest.raises(PermissionDenied):
        inspections.inspection_create(
            actor=request.getfixturevalue(persona),
            organization=jiangshan.association,
            inspected_on=today,
            findings="自查",
        )
    assert not Inspection.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"inspected_on": "tomorrow"}, "inspected_on", "督查日期不能晚于今天"),
        ({"score": Decimal("100.5")}, "score", "评分应在0到100之间"),
        ({"findings": "  "}, "findings", "请填写督查发现"),
    ],
)
def test_inspections_are_validated(supervisor_user, jiangshan, today, changes, field, message):
    data = {"organization": jiangshan.association, "inspected_on": today, "findings": "发现", "score": None}
    data.update(changes)
    if data["inspected_on"] == "tomorrow":
        data["inspected_on"] = today + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        inspections.inspection_create(actor=supervisor_user, **data)
    assert message in str(excinfo.value.message_dict[field])
    assert not Inspection.objects.exists()


def test_a_rectification_belongs_to_the_inspected_organisation_or_below_it(
    supervisor_user, jiangshan, wuxiang, today
):
    inspection = rf.InspectionFactory(organization=jiangshan.association, inspected_on=today)
    below = f.OrganizationFactory(parent=jiangshan.association)
    item = rectifications.rectification_create(
        actor=supervisor_user,
        inspection=inspection,
        organization=below,
        title="下属组织整改",
        deadline=today + datetime.timedelta(days=10),
    )
    assert item.organization == below
    with pytest.raises(ValidationError) as excinfo:
        rectifications.rectification_create(
            actor=supervisor_user,
            inspection=inspection,
            organization=wuxiang.association,
            title="别的镇",
            deadline=today + datetime.timedelta(days=10),
        )
    assert "整改单位须为被督查单位或其下属组织" in str(excinfo.value.message_dict["organization"])
    with pytest.raises(ValidationError) as excinfo:
        rectifications.rectification_create(
            actor=supervisor_user,
            inspection=inspection,
            title="倒填时限",
            deadline=today - datetime.timedelta(days=1),
        )
    assert "整改时限不能早于督查日期" in str(excinfo.value.message_dict["deadline"])


def test_the_inspection_form_records_both_at_once(client, supervisor_user, jiangshan, today):
    client.force_login(supervisor_user)
    response = client.post(
        reverse("rollout:inspection_add"),
        {
            "organization": jiangshan.association.pk,
            "inspected_on": today.isoformat(),
            "score": "91",
            "findings": "总体良好",
            "rectification_title": "更新名册",
            "rectification_deadline": (today + datetime.timedelta(days=14)).isoformat(),
        },
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response.url == inspection.get_absolute_url()
    assert inspection.rectifications.get().title == "更新名册"


def test_the_inspection_form_needs_a_deadline_with_an_item(client, supervisor_user, jiangshan, today):
    client.force_login(supervisor_user)
    response = client.post(
        reverse("rollout:inspection_add"),
        {
            "organization": jiangshan.association.pk,
            "inspected_on": today.isoformat(),
            "findings": "总体良好",
            "rectification_title": "更新名册",
        },
    )
    assert response.status_code == 200
    assert "填写整改事项时须同时填写整改时限" in response.content.decode()
    assert not Inspection.objects.exists()


def test_the_inspection_date_cannot_pass_an_items_deadline(supervisor_user, jiangshan):
    item = rf.RectificationFactory(
        inspection=rf.InspectionFactory(
            organization=jiangshan.association, inspected_on=datetime.date(2024, 5, 10)
        ),
        deadline=datetime.date(2024, 6, 30),
    )
    with pytest.raises(ValidationError) as excinfo:
        inspections.inspection_update(
            actor=supervisor_user,
            inspection=item.inspection,
            data={"inspected_on": datetime.date(2024, 7, 15)},
        )
    assert "督查日期不能晚于已有整改事项的整改时限" in str(excinfo.value)


# --------------------------------------------------------------------------- progress and closure


def test_the_admin_closes_an_item_with_evidence(jiangshan_admin, jiangshan_rectification, settings, today):
    rectifications.rectification_record_progress(
        actor=jiangshan_admin, rectification=jiangshan_rectification, status="in_progress", note="正在整改"
    )
    rectifications.rectification_record_progress(
        actor=jiangshan_admin,
        rectification=jiangshan_rectification,
        status="closed",
        note="台账已补齐",
        files=[rf.png("整改后照片.png"), rf.pdf()],
    )
    item = Rectification.objects.get(pk=jiangshan_rectification.pk)
    assert (item.status, item.closed_on, item.closure_note) == ("closed", today, "台账已补齐")
    assert statuses(item) == [("", "open"), ("open", "in_progress"), ("in_progress", "closed")]
    assert "整改后照片.png" in item.updates.order_by("-pk").first().note
    evidence = list(item.evidence.order_by("pk"))
    assert [e.original_name for e in evidence] == ["整改后照片.png", "整改报告.pdf"]
    for e in evidence:
        # Stored under a random name outside the static tree.
        assert e.file.name.startswith("evidence/rectifications/") and "整改" not in e.file.name
        assert Path(e.file.path).is_relative_to(Path(settings.MEDIA_ROOT))
    assert len(stored_files(settings)) == 2


def test_closing_needs_evidence_and_a_note(jiangshan_admin, jiangshan_rectification, settings):
    with pytest.raises(ValidationError) as excinfo:
        rectifications.rectification_record_progress(
            actor=jiangshan_admin, rectification=jiangshan_rectification, status="closed"
        )
    errors = excinfo.value.message_dict
    assert "销号须上传至少一份整改佐证材料" in str(errors["files"])
    assert "销号须填写整改情况说明" in str(errors["note"])
    # Evidence uploaded earlier counts.
    rectifications.rectification_record_progress(
        actor=jiangshan_admin, rectification=jiangshan_rectification, note="先传照片", files=[rf.png()]
    )
    rectifications.rectification_record_progress(
        actor=jiangshan_admin, rectification=jiangshan_rectification, status="closed", note="已整改"
    )
    assert Rectification.objects.get(pk=jiangshan_rectification.pk).is_closed


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("病毒.exe", b"MZ" + b"0" * 40), "只能上传图片"),
        (SimpleUploadedFile("假的.pdf", b"<html>" + b"0" * 40), "文件内容与扩展名不符"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(
    client, jiangshan_admin, jiangshan_rectification, settings, upload, message
):
    client.force_login(jiangshan_admin)
    response = client.post(
        reverse("rollout:rectification_progress", args=[jiangshan_rectification.pk]),
        {"status": "closed", "note": "已整改", "files": [rf.png(), upload]},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body and upload.name in body
    item = Rectification.objects.get(pk=jiangshan_rectification.pk)
    assert item.status == "open" and not item.evidence.exists()
    assert item.updates.count() == 1
    assert stored_files(settings) == []


def test_stored_files_are_removed_when_the_write_fails(
    jiangshan_admin, jiangshan_rectification, settings, monkeypatch
):
    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(RectificationUpdate.objects, "create", fail)
    with pytest.raises(RuntimeError):
        rectifications.rectification_record_progress(
            actor=jiangshan_admin, rectification=jiangshan_rectification, note="照片", files=[rf.png()]
        )
    assert not RectificationEvidence.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize("persona", ["wuxiang_admin", "supervisor_user", "leader_user"])
def test_only_the_organisation_reports_on_its_items(request, persona, jiangshan_rectification):
    with pytest.raises(PermissionDenied):
        rectifications.rectification_record_progress(
            actor=request.getfixturevalue(persona), rectification=jiangshan_rectification, note="越权"
        )


def test_a_closed_item_is_reopened_by_the_steering_group_only(
    jiangshan_admin, supervisor_user, jiangshan_rectification
):
    rectifications.rectification_record_progress(
        actor=jiangshan_admin,
        rectification=jiangshan_rectification,
        status="closed",
        note="已整改",
        files=[rf.png()],
    )
    with pytest.raises(ValidationError):
        rectifications.rectification_record_progress(
            actor=jiangshan_admin, rectification=jiangshan_rectification, note="再补充"
        )
    with pytest.raises(PermissionDenied):
        rectifications.rectification_reopen(
            actor=jiangshan_admin, rectification=jiangshan_rectification, note="自己打开"
        )
    with pytest.raises(ValidationError) as excinfo:
        rectifications.rectification_reopen(
            actor=supervisor_user, rectification=jiangshan_rectification, note=""
        )
    assert "请说明重新打开的原因" in str(excinfo.value.message_dict["note"])
    rectifications.rectification_reopen(
        actor=supervisor_user, rectification=jiangshan_rectification, note="照片不清晰"
    )
    item = Rectification.objects.get(pk=jiangshan_rectification.pk)
    assert item.status == "in_progress" and item.closed_on is None
    assert statuses(item)[-1] == ("closed", "in_progress")
    with pytest.raises(ValidationError):
        rectifications.rectification_reopen(actor=supervisor_user, rectification=item, note="再开一次")


def test_a_new_deadline_is_explained_in_the_history(supervisor_user, jiangshan_rectification):
    rectifications.rectification_update(
        actor=supervisor_user,
        rectification=jiangshan_rectification,
        data={"deadline": datetime.date(2030, 3, 1), "note": "因春节顺延"},
    )
    latest = jiangshan_rectification.updates.order_by("-pk").first()
    assert "2030-01-01" in latest.note and "2030-03-01" in latest.note and "因春节顺延" in latest.note


# --------------------------------------------------------------------------- pages


def test_the_supervisor_sees_the_closure_on_the_item_page(
    client, jiangshan_admin, supervisor_user, jiangshan_rectification
):
    client.force_login(jiangshan_admin)
    response = client.post(
        reverse("rollout:rectification_progress", args=[jiangshan_rectification.pk]),
        {"status": "closed", "note": "名册已更新", "files": [rf.png("名册照片.png")]},
    )
    assert response.status_code == 302
    client.force_login(supervisor_user)
    body = client.get(jiangshan_rectification.get_absolute_url()).content.decode()
    assert "已销号" in body and "名册已更新" in body and "名册照片.png" in body
    assert 'id="reopen-form"' in body and 'id="progress-form"' not in body


def test_evidence_is_served_only_through_the_scoped_view(
    client, jiangshan_admin, wuxiang_admin, jiangshan_rectification
):
    rectifications.rectification_record_progress(
        actor=jiangshan_admin, rectification=jiangshan_rectification, note="照片", files=[rf.pdf("报告.pdf")]
    )
    evidence = RectificationEvidence.objects.get()
    url = reverse("rollout:evidence_file", args=[evidence.pk])
    client.force_login(jiangshan_admin)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == rf.PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    client.force_login(wuxiang_admin)
    assert client.get(url).status_code == 404


def test_the_supervision_page_lists_open_items_overdue_first(client, supervisor_user, jiangshan, today):
    inspection = rf.InspectionFactory(
        organization=jiangshan.association, inspected_on=today - datetime.timedelta(days=60)
    )
    for title, days, status in (
        ("下月到期", 30, "open"),
        ("上月逾期", -30, "in_progress"),
        ("明天到期", 1, "open"),
        ("已经销号", -40, "closed"),
    ):
        rf.RectificationFactory(
            inspection=inspection,
            title=title,
            deadline=today + datetime.timedelta(days=days),
            status=status,
            closed_on=today if status == "closed" else None,
        )
    client.force_login(supervisor_user)
    response = client.get(reverse("rollout:supervision"))
    assert [item.title for item in response.context["open_items"]] == ["上月逾期", "明天到期", "下月到期"]
    assert response.context["counts"] == {"total": 4, "open": 3, "overdue": 1, "closed": 1}
