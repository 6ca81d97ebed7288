"""The Django admin for district staff: the permissions come from the district staff role (and
go with it), roles are assigned and taken away through the audited actions, every save leaves
an audit entry, logs stay read-only, and superuser status, groups and permissions are for
superusers only. Anyone else — an organisation admin, a staff account without the role — gets
the admin's login page."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from organizations.models import AuditEntry, Membership, RoleAssignment
from tests import factories as f

pytestmark = pytest.mark.django_db

User = get_user_model()


def staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def district(district_user):
    return staff(district_user)


@pytest.fixture
def newcomer(db):
    return f.UserFactory(username="xinren")


def admin_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def fresh(user):
    """The account as the next request loads it (no scope cached on the object)."""
    return User.objects.get(pk=user.pk)


# --------------------------------------------------------------------------- district staff


def test_district_staff_see_the_portals_models_on_the_admin_index(client, district):
    client.force_login(district)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    page = response.content.decode()
    for name in (
        "organizations_organization",
        "organizations_person",
        "organizations_roleassignment",
        "organizations_seat",
        "organizations_auditentry",
        "services_activity",
        "outreach_themedday",
        "rollout_task",
        "auth_user",
    ):
        assert reverse(f"admin:{name}_changelist") in page, name
    assert "你没有查看或编辑的权限" not in page
    assert reverse("admin:auth_group_changelist") not in page


@pytest.mark.parametrize("model", ["organization", "person", "roleassignment"])
def test_district_staff_open_lists_and_records(client, district, jiangshan_admin, jiangshan, model):
    record = {
        "organization": jiangshan.association,
        "person": jiangshan.member,
        "roleassignment": RoleAssignment.objects.get(user=jiangshan_admin),
    }[model]
    client.force_login(district)
    assert client.get(reverse(f"admin:organizations_{model}_changelist")).status_code == 200
    response = client.get(reverse(f"admin:organizations_{model}_change", args=[record.pk]))
    assert response.status_code == 200
    assert str(record) in response.content.decode()


def test_an_organisations_regions_are_searched_not_picked_with_ctrl_held_down(client, district, jiangshan):
    """Django's multiple select asks for 按住 Control 键 (or Ctrl, ⌘): the served regions are a
    searched box instead, and the search finds the district's regions for district staff."""

    client.force_login(district)
    response = client.get(reverse("admin:organizations_organization_change", args=[jiangshan.association.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for hint in ("Control", "Ctrl", "Command"):
        assert hint not in page, hint
    served = page[page.index('name="served_regions"') - 400 : page.index('name="served_regions"') + 400]
    assert "admin-autocomplete" in served
    found = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "organizations",
            "model_name": "organization",
            "field_name": "served_regions",
            "term": "姜山",
        },
    )
    assert found.status_code == 200
    assert [row["text"] for row in found.json()["results"]] == ["姜山镇"]


def test_district_staff_assign_a_role_in_the_admin(client, district, jiangshan, newcomer):
    client.force_login(district)
    response = client.post(
        reverse("admin:organizations_roleassignment_add"),
        {"user": newcomer.pk, "role": "org_admin", "organization": jiangshan.association.pk, "person": ""},
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=newcomer)
    assert (assignment.role, assignment.organization) == ("org_admin", jiangshan.association)
    entry = AuditEntry.objects.get(action="role_assign")
    assert (entry.actor, entry.object_id) == (district, str(assignment.pk))
    assert entry.changes["role"] == [None, "org_admin"]
    assert entry.changes["organization"] == [None, jiangshan.association.pk]
    listing = client.get(reverse("admin:organizations_roleassignment_changelist")).content.decode()
    assert "xinren" in listing


def test_a_role_that_does_not_fit_its_target_is_refused_on_the_form(client, district, newcomer):
    client.force_login(district)
    response = client.post(
        reverse("admin:organizations_roleassignment_add"),
        {"user": newcomer.pk, "role": "org_admin", "organization": "", "person": ""},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not RoleAssignment.objects.filter(user=newcomer).exists()
    assert not AuditEntry.objects.exists()


def test_an_assignment_is_not_edited_in_place(client, district, jiangshan_admin, wuxiang):
    assignment = RoleAssignment.objects.get(user=jiangshan_admin)
    client.force_login(district)
    url = reverse("admin:organizations_roleassignment_change", args=[assignment.pk])
    response = client.post(
        url, {"user": jiangshan_admin.pk, "role": "org_admin", "organization": wuxiang.association.pk}
    )
    assert response.status_code == 403
    assignment.refresh_from_db()
    assert assignment.organization.name == "姜山镇科协"


def test_taking_a_role_away_in_the_admin_is_recorded(client, district, jiangshan_admin, jiangshan):
    assignment = RoleAssignment.objects.get(user=jiangshan_admin)
    client.force_login(district)
    response = client.post(
        reverse("admin:organizations_roleassignment_delete", args=[assignment.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(user=jiangshan_admin).exists()
    entry = AuditEntry.objects.get(action="role_revoke")
    assert (entry.actor, entry.object_id) == (district, str(assignment.pk))
    assert entry.changes["role"] == ["org_admin", None]
    assert entry.changes["organization"] == [jiangshan.association.pk, None]


def test_a_save_in_the_admin_leaves_an_audit_entry(client, district, jiangshan):
    membership = jiangshan.membership
    client.force_login(district)
    response = client.post(
        reverse("admin:organizations_membership_change", args=[membership.pk]),
        {
            "person": membership.person.pk,
            "organization": membership.organization.pk,
            "joined_on": str(membership.joined_on),
            "left_on": "2026-03-01",
        },
    )
    assert response.status_code == 302
    assert str(Membership.objects.get(pk=membership.pk).left_on) == "2026-03-01"
    entry = AuditEntry.objects.get(action="admin_update")
    assert (entry.actor, entry.object_type, entry.object_id) == (
        district,
        "organizations.membership",
        str(membership.pk),
    )
    assert entry.changes == {"left_on": [None, "2026-03-01"]}


def test_district_staff_may_not_delete_programme_records(client, district, jiangshan):
    client.force_login(district)
    url = reverse("admin:organizations_organization_delete", args=[jiangshan.association.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert jiangshan.association.__class__.objects.filter(pk=jiangshan.association.pk).exists()


def test_the_audit_trail_and_login_log_stay_read_only(client, district, jiangshan_admin):
    entry = AuditEntry.objects.create(actor=district, action="role_assign", object_type="x", object_id="1")
    client.force_login(district)
    assert client.get(reverse("admin:organizations_auditentry_changelist")).status_code == 200
    change = client.get(reverse("admin:organizations_auditentry_change", args=[entry.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert client.post(reverse("admin:organizations_auditentry_add"), {}).status_code == 403
    delete = reverse("admin:organizations_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:organizations_loginevent_changelist")).status_code == 200
    assert client.get(reverse("admin:organizations_loginevent_add")).status_code == 403


def test_the_admins_password_link_leads_to_the_portals_page(client, district):
    client.force_login(district)
    response = client.get(reverse("admin:password_change"))
    assert (response.status_code, response["Location"]) == (302, reverse("password_change"))


# --------------------------------------------------------------------------- escalation


def test_district_staff_neither_see_nor_set_superuser_status_or_groups(client, district, newcomer):
    client.force_login(district)
    url = reverse("admin:auth_user_change", args=[newcomer.pk])
    page = client.get(url).content.decode()
    assert 'name="username"' in page
    for field in ("is_superuser", "groups", "user_permissions"):
        assert f'name="{field}"' not in page, field
    group = Group.objects.create(name="全部权限")
    response = client.post(
        url,
        {
            "username": "xinren",
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [group.pk],
            "date_joined_0": "2026-01-05",
            "date_joined_1": "09:00:00",
            "last_login_0": "",
            "last_login_1": "",
        },
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.is_staff is True
    assert newcomer.is_superuser is False
    assert list(newcomer.groups.all()) == []


def test_district_staff_may_not_promote_themselves(client, district):
    client.force_login(district)
    client.post(
        reverse("admin:auth_user_change", args=[district.pk]),
        {
            "username": "district",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-01-05",
            "date_joined_1": "09:00:00",
        },
    )
    district.refresh_from_db()
    assert district.is_superuser is False


def test_groups_and_permissions_are_closed_to_district_staff(client, district):
    client.force_login(district)
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_group_add")).status_code == 403
    page = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "is_superuser__exact" not in page
    assert "groups__id__exact" not in page


def test_a_superusers_account_is_read_only_to_district_staff(client, district):
    root = User.objects.create_superuser(username="root", password="Root-pass-2026")
    client.force_login(district)
    assert client.get(reverse("admin:auth_user_change", args=[root.pk])).status_code == 200
    response = client.post(
        reverse("admin:auth_user_password_change", args=[root.pk]),
        {"password1": "Taken-over-2026", "password2": "Taken-over-2026"},
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.check_password("Root-pass-2026")


def test_a_superuser_still_sees_superuser_status(client):
    root = User.objects.create_superuser(username="root", password="Root-pass-2026")
    client.force_login(root)
    page = client.get(reverse("admin:auth_user_change", args=[root.pk])).content.decode()
    assert 'name="is_superuser"' in page


# --------------------------------------------------------------------------- everyone else


def test_an_organisation_admin_is_sent_to_the_admin_login(client, jiangshan_admin):
    client.force_login(jiangshan_admin)
    assert admin_login_redirect(client.get(reverse("admin:index")))
    assert admin_login_redirect(client.get(reverse("admin:organizations_organization_changelist")))


def test_a_staff_account_without_the_role_gets_nothing(client, newcomer):
    staff(newcomer)
    client.force_login(newcomer)
    assert admin_login_redirect(client.get(reverse("admin:index")))
    assert admin_login_redirect(client.get(reverse("admin:organizations_roleassignment_changelist")))
    assert fresh(newcomer).get_all_permissions() == set()


def test_a_staff_organisation_admin_gets_nothing_either(client, jiangshan_admin):
    staff(jiangshan_admin)
    client.force_login(jiangshan_admin)
    assert admin_login_redirect(client.get(reverse("admin:index")))
    assert not fresh(jiangshan_admin).has_perm("organizations.view_organization")


def test_the_permissions_come_from_the_role_and_go_with_it(client, district):
    user = fresh(district)
    assert user.has_perm("organizations.change_organization")
    assert user.has_perm("organizations.add_roleassignment")
    assert user.has_perm("organizations.delete_roleassignment")
    assert user.has_perm("auth.add_user")
    assert user.has_module_perms("rollout")
    assert not user.has_perm("organizations.delete_organization")
    assert not user.has_perm("auth.delete_user")
    assert not user.has_perm("auth.change_group")
    assert not user.has_perm("auth.change_permission")
    assert user.user_permissions.count() == 0, "nothing is granted by hand"

    RoleAssignment.objects.filter(user=district, role="district_staff").delete()
    ended = fresh(district)
    assert ended.get_all_permissions() == set()
    assert not ended.has_module_perms("organizations")
    client.force_login(district)
    assert admin_login_redirect(client.get(reverse("admin:index")))


def test_an_inactive_district_account_has_no_permissions(district):
    district.is_active = False
    district.save(update_fields=["is_active"])
    assert fresh(district).get_all_permissions() == set()
