"""The dashboards: the district's (district staff and supervisors), a town's (its association's
admins and district staff) and a leader's own page, as HTML pages and the JSON the charts read.

Owns: the blocks each dashboard is made of and the address of the list behind every figure
(``blocks``), the pages and JSON endpoints (``views``, ``urls``).

May import: ``rollout.indicators`` (every programme figure comes from there), ``rollout.models``
for the rollout's own counts (tasks, rectification items), ``organizations`` (scoping first:
a dashboard never shows more than the lists it links to) and ``services.models``. It does not
import ``rollout.plan`` or ``rollout.reports``.
"""

from .blocks import district_dashboard, leader_dashboard, town_dashboard

__all__ = ["district_dashboard", "leader_dashboard", "town_dashboard"]
