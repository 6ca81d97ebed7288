"""The import pages: the list, the upload form, the templates, a batch's rows and filter."""

from __future__ import annotations

import csv
import io

import openpyxl
from django.urls import reverse

from organizations.imports.models import ImportBatch
from tests.organizations.test_imports_members import MEMBER_HEADER, upload, xlsx_file


def test_the_xlsx_template(jiangshan_admin, client):
    client.force_login(jiangshan_admin)
    response = client.get(reverse("organizations:import_template", args=["people"]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet, notes = workbook.worksheets
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["姓名*", "手机号码", "身份证号码", "性别"]
    assert [cell.value for cell in sheet[2]][:2] == ["张三", "13812345678"]
    assert sheet.freeze_panes == "A2"
    assert sheet["B2"].number_format == "@" and sheet["C5"].number_format == "@"
    assert sheet.column_dimensions["A"].width >= 10
    assert notes.title == "说明"
    rows = {row[0]: row for row in notes.iter_rows(min_row=2, values_only=True)}
    assert rows["姓名"][1] == "必填" and "名字" in rows["姓名"][2]
    assert "联系电话" in rows["手机号码"][2]


def test_the_csv_template_and_the_leaders_one(jiangshan_admin, client):
    client.force_login(jiangshan_admin)
    response = client.get(reverse("organizations:import_template", args=["leaders"]) + "?format=csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:7] == ["姓名*", "手机号码", "身份证号码", "性别", "身份*", "任职单位*", "职务*"]
    assert client.get(reverse("organizations:import_template", args=["nothing"])).status_code == 404


def test_the_template_imports_as_it_is(jiangshan, jiangshan_admin, client):
    """The template's example row is a valid row: the header with its stars matches."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(jiangshan_admin)
    content = client.get(reverse("organizations:import_template", args=["people"])).content
    batch = upload(jiangshan_admin, jiangshan.association, SimpleUploadedFile("模板.xlsx", content))
    assert (batch.new_count, batch.error_count) == (1, 0), list(batch.rows.values("errors"))


def test_the_upload_form_offers_only_ones_own_organisations(jiangshan, wuxiang, jiangshan_admin, client):
    client.force_login(jiangshan_admin)
    response = client.get(reverse("organizations:import_new") + "?kind=leaders")
    form = response.context["form"]
    assert list(form.fields["organization"].queryset) == [jiangshan.association]
    assert form["organization"].initial == jiangshan.association.pk
    assert form["kind"].initial == "leaders"
    body = response.content.decode()
    assert reverse("organizations:import_template", args=["leaders"]) in body
    assert "GB18030" in body and "MB" in body


def test_a_refused_file_is_said_on_the_form(jiangshan, jiangshan_admin, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(jiangshan_admin)
    response = client.post(
        reverse("organizations:import_new"),
        {
            "kind": "people",
            "organization": jiangshan.association.pk,
            "file": SimpleUploadedFile("名单.xlsx", b"not a spreadsheet at all"),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ImportBatch.objects.exists()


def test_the_batch_page_shows_errors_first_in_their_cells(jiangshan, jiangshan_admin, client):
    batch = upload(
        jiangshan_admin,
        jiangshan.association,
        xlsx_file(
            [*MEMBER_HEADER, "籍贯"],
            [["何一", "13600000401", "", "", "", "", "宁波"], ["何二", "123", "", "", "", "", ""]],
        ),
    )
    client.force_login(jiangshan_admin)
    response = client.get(batch.get_absolute_url())
    assert response.context["outcome"] == "error"
    assert [row.number for row in response.context["page"]] == [3]
    body = response.content.decode()
    assert 'data-error="手机号码"' in body and "籍贯" in body
    assert "确认导入 1 行" in body and "下载未通过的行" in body
    everything = client.get(batch.get_absolute_url() + "?outcome=all")
    assert [row.number for row in everything.context["page"]] == [2, 3]


def test_the_list_shows_the_users_batches_only(
    jiangshan, wuxiang, jiangshan_admin, wuxiang_admin, district_user, client
):
    upload(
        jiangshan_admin,
        jiangshan.association,
        xlsx_file(MEMBER_HEADER, [["何三", "13600000411", "", "", "", ""]]),
    )
    upload(
        wuxiang_admin,
        wuxiang.association,
        xlsx_file(MEMBER_HEADER, [["何四", "13600000412", "", "", "", ""]]),
    )
    client.force_login(jiangshan_admin)
    page = client.get(reverse("organizations:import_list")).context["page"]
    assert [batch.organization for batch in page] == [jiangshan.association]
    client.force_login(district_user)
    assert len(client.get(reverse("organizations:import_list")).context["page"]) == 2


def test_the_people_list_offers_the_import_to_managers(jiangshan_admin, leader_user, client):
    client.force_login(jiangshan_admin)
    assert (
        reverse("organizations:import_new")
        in client.get(reverse("organizations:person_list")).content.decode()
    )
    client.force_login(leader_user)
    assert (
        reverse("organizations:import_new")
        not in client.get(reverse("organizations:person_list")).content.decode()
    )
