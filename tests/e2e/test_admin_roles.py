"""District staff open 后台管理 from the user menu and assign a role under 角色分配 (the
browser fails the test on any Content-Security-Policy violation, the admin's pages included)."""

import pytest

from organizations.models import AuditEntry, RoleAssignment
from tests import factories as f
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_district_staff_assign_a_role_in_the_admin(page, district_user, jiangshan):
    district_user.is_staff = True
    district_user.save(update_fields=["is_staff"])
    newcomer = f.UserFactory(username="xinren")
    login(page, "district")

    page.locator("a.dropdown-toggle", has_text="district").click()
    page.get_by_role("link", name="后台管理").click()
    page.wait_for_url("**/admin/")
    page.get_by_role("link", name="角色分配").first.click()
    page.wait_for_url("**/admin/organizations/roleassignment/")
    page.locator(".object-tools a.addlink").click()
    page.wait_for_url("**/admin/organizations/roleassignment/add/")

    # The user and the organisation are picked with the admin's search boxes.
    page.locator("[aria-labelledby=select2-id_user-container]").click()
    page.locator(".select2-search__field").fill("xinren")
    page.locator(".select2-results__option", has_text="xinren").click()
    page.select_option("select[name=role]", "org_admin")
    page.locator("[aria-labelledby=select2-id_organization-container]").click()
    page.locator(".select2-search__field").fill("姜山镇")
    page.locator(".select2-results__option", has_text="姜山镇科协").click()
    page.locator("input[name=_save]").click()

    page.wait_for_url("**/admin/organizations/roleassignment/")
    listing = page.locator("#result_list").inner_text()
    assert "xinren" in listing
    assert "姜山镇科协" in listing
    screenshot(page, "admin-role-assignment")
    assignment = RoleAssignment.objects.get(user=newcomer)
    assert (assignment.role, assignment.organization) == ("org_admin", jiangshan.association)
    assert AuditEntry.objects.filter(action="role_assign", actor=district_user).count() == 1
