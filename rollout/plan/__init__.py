"""The programme plan and the records that carry it out: the four phases and their stages,
milestones, tasks with their history, pilots, the steering group, inspections and rectification
items with their evidence, showcase items, incentives and term reminders — their writes
(``actions``, one module per kind of record), reads (``selectors``), pages (``views``), forms
and list filters.

May import: ``rollout.models``, ``organizations`` (people, organisations, scoping, the audit
trail) and ``sanhui.clock``. It does not import ``rollout.indicators``, ``rollout.dashboards``
or ``rollout.reports``: figures about the programme are theirs.
"""
