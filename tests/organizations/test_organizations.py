import pytest
from django.urls import reverse

from organizations.models import AuditEntry, Organization, Region
from organizations.validators import credit_code_check_char
from tests import factories as f

pytestmark = pytest.mark.django_db


def org_form(**overrides):
    data = {
        "code": "GA-JS-PROD",
        "name": "姜山镇农技服务科普协会",
        "kind": "grassroots_association",
        "category": "production",
        "home_region": f.region("姜山镇").pk,
        "status": "active",
        "founded_on": "2022-05-01",
        "credit_code": "",
        "contact_name": "",
        "contact_phone": "",
        "address": "",
        "description": "",
    }
    data.update(overrides)
    return data


def test_the_regions_are_loaded(db):
    district = Region.objects.get(kind="district")
    towns = Region.objects.towns()
    assert towns.count() == 25
    assert towns.filter(kind="town").count() == 10 and towns.filter(kind="subdistrict").count() == 15
    assert all(region.parent_id == district.pk for region in towns)
    jiangshan = towns.get(name="姜山镇")
    assert jiangshan.code == "330212110" and jiangshan.code_set.startswith("国家统计局")
    assert towns.get(name="梅墟街道").managed_by == "宁波国家高新区"


def test_region_subtrees_follow_any_depth(db):
    town = f.region("姜山镇")
    village = Region.objects.create(name="陈家团村", kind="village", parent=town)
    hamlet = Region.objects.create(name="某自然村", kind="village", parent=village)
    assert set(Region.objects.subtree_of(town)) == {town, village, hamlet}
    # Moving a village moves what lies below it.
    village.parent = f.region("五乡镇")
    village.save()
    hamlet.refresh_from_db()
    assert hamlet.path.startswith(f.region("五乡镇").path)


def test_district_staff_create_a_grassroots_association(client, district_user, jiangshan):
    client.force_login(district_user)
    data = org_form(
        parent=jiangshan.association.pk,
        served_regions=[f.region("姜山镇").pk, f.region("云龙镇").pk],
    )
    response = client.post(reverse("organizations:organization_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organization.objects.get(code="GA-JS-PROD")
    assert org.parent == jiangshan.association
    assert set(org.served_regions.values_list("name", flat=True)) == {"姜山镇", "云龙镇"}
    assert AuditEntry.objects.filter(action="organization_create", object_id=str(org.pk)).exists()


def test_a_grassroots_association_needs_a_category(client, district_user):
    client.force_login(district_user)
    response = client.post(reverse("organizations:organization_add"), org_form(category=""))
    assert "必须选择类别" in response.content.decode()
    assert not Organization.objects.filter(code="GA-JS-PROD").exists()


def test_one_town_association_per_town(client, district_user, jiangshan):
    client.force_login(district_user)
    data = org_form(code="TA-JS-2", name="另一个姜山镇科协", kind="town_association", category="")
    response = client.post(reverse("organizations:organization_add"), data)
    assert "该镇（街道）已有一个镇（街）科协" in response.content.decode()


def test_a_bad_credit_code_check_char_warns_but_saves(client, district_user):
    client.force_login(district_user)
    code17 = "51330212MJ0000001"
    wrong = code17 + ("1" if credit_code_check_char(code17) != "1" else "2")
    response = client.post(
        reverse("organizations:organization_add"), org_form(credit_code=wrong), follow=True
    )
    org = Organization.objects.get(code="GA-JS-PROD")
    assert org.credit_code == wrong and org.credit_code_warning
    assert "校验位不符合 GB 32100" in response.content.decode()


def test_a_good_credit_code_saves_without_warning(client, district_user):
    client.force_login(district_user)
    code17 = "51330212MJ0000001"
    good = code17 + credit_code_check_char(code17)
    response = client.post(
        reverse("organizations:organization_add"), org_form(credit_code=good.lower()), follow=True
    )
    org = Organization.objects.get(code="GA-JS-PROD")
    assert org.credit_code == good and not org.credit_code_warning
    assert "校验位不符合" not in response.content.decode()


def test_a_malformed_credit_code_is_refused(client, district_user):
    client.force_login(district_user)
    response = client.post(reverse("organizations:organization_add"), org_form(credit_code="12345"))
    assert "统一社会信用代码应为18位" in response.content.decode()


def test_an_org_admin_edits_contact_details_but_not_kind_or_status(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    org = jiangshan.association
    data = org_form(
        code="HACKED", name="姜山镇科学技术协会", kind="district_society", category="",
        status="dissolved", contact_name="王秘书",
    )  # fmt: skip
    response = client.post(reverse("organizations:organization_edit", args=[org.pk]), data)
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "姜山镇科学技术协会" and org.contact_name == "王秘书"
    assert (org.code, org.kind, org.status) == ("TA-JS", "town_association", "active")


def test_an_org_admin_manages_the_associations_below_their_town(client, jiangshan_admin, jiangshan):
    child = f.OrganizationFactory(
        kind="grassroots_association", category="ecology", parent=jiangshan.association,
        home_region=f.region("姜山镇"), name="姜山镇生态科普协会",
    )  # fmt: skip
    client.force_login(jiangshan_admin)
    assert client.get(reverse("organizations:organization_edit", args=[child.pk])).status_code == 200
    assert "姜山镇生态科普协会" in client.get(reverse("organizations:organization_list")).content.decode()


def test_district_staff_filter_organisations(client, district_user, jiangshan, wuxiang):
    f.OrganizationFactory(
        kind="grassroots_association", category="life_health", home_region=f.region("五乡镇"),
        name="五乡镇健康科普协会",
    )  # fmt: skip
    served = f.OrganizationFactory(
        kind="grassroots_association", category="production", home_region=f.region("云龙镇"),
        name="云龙镇农技协会", status="preparing",
    )  # fmt: skip
    served.served_regions.add(f.region("五乡镇"))
    village = Region.objects.create(name="五乡某村", kind="village", parent=f.region("五乡镇"))
    f.OrganizationFactory(
        kind="grassroots_association", category="ecology", home_region=village, name="某村生态协会"
    )
    client.force_login(district_user)
    url = reverse("organizations:organization_list")

    def names(**params):
        return {org.name for org in client.get(url, params).context["page"]}

    assert names(kind="town_association") == {"姜山镇科协", "五乡镇科协"}
    assert names(category="life_health") == {"五乡镇健康科普协会"}
    assert names(region=f.region("五乡镇").pk) == {
        "五乡镇科协",
        "五乡镇健康科普协会",
        "云龙镇农技协会",
        "某村生态协会",
    }
    assert names(status="preparing") == {"云龙镇农技协会"}
    assert names(q="健康") == {"五乡镇健康科普协会"}


def test_organisation_detail_shows_seats_members_and_teams(client, district_user, jiangshan):
    client.force_login(district_user)
    response = client.get(reverse("organizations:organization_detail", args=[jiangshan.association.pk]))
    body = response.content.decode()
    assert "姜山会员" in body and "姜山院长" in body and "姜山镇科技志愿服务队" in body
    assert response.context["seat_summary"]["share"] == 0.5
    assert 'id="leader-share">50.0%' in body
