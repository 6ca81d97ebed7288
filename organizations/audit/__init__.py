"""The audit trail's reading side and its retention (GB/T 22239-2019 level 2, 安全审计).

Every action writes its ``AuditEntry`` through ``organizations.actions.audit_record``; this
package shows and keeps them:

- ``labels``: the Chinese name of each action and of the keys an entry records beside the
  record's own fields.
- ``changes``: how an entry reads on a page: its action, the record it names (linked where the
  viewer may open it) and its changes as "field: before → after", with the rows the values name
  looked up once per kind of row (and only those the viewer may see); personal fields stay
  "***" for everyone.
- ``selectors``: the entries, newest first; those of one record and of its own child records,
  for the 变更记录 pages.
- ``filters``: the filters of district staff's audit log.
- ``views``: the audit log (district staff only, read-only), the change history pages of people
  and organisations, and the page the other apps' change histories render through.
- ``actions``: pruning entries past the retention period (``SANHUI_AUDIT_LOG_DAYS``, never
  under 184 days), run daily by Celery beat.

This package may import ``organizations`` (models, scoping, page helpers). Records of the other
apps are reached by their model label through Django's app registry, never by importing the
apps, so that dependencies keep pointing one way.
"""
