"""Who may read the closings of quarters and the issued reports, registered with
``organizations.scoping``.

- District staff and supervisors read every closing, issued report and file.
- An organisation admin reads the closings (they need to know which quarters are locked) and
  the issued reports' numbers and dates, but not the files: an issued report covers the whole
  district, every other organisation's figures included.
- Nobody changes these rows through the scoping helper: closings change only through the
  actions, and issued reports and their files never change.
"""

from __future__ import annotations

from django.db.models import QuerySet

from organizations.scoping import Scope, register
from rollout import models


def _closing(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    if write:
        return qs if scope.write_all else qs.none()
    return qs if scope.read_all or scope.is_org_admin else qs.none()


def _issued(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    if write:
        return qs.none()
    return qs if scope.read_all or scope.is_org_admin else qs.none()


def _district_only(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    if write:
        return qs.none()
    return qs if scope.read_all else qs.none()


def register_rules() -> None:
    register(models.QuarterClosing, _closing)
    register(models.IssuedReport, _issued)
    register(models.IssuedReportFile, _district_only)
    register(models.ReportNumberSequence, _district_only)
