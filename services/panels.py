"""Extra panels on the activity page, contributed by the apps that build on the ledger.

``outreach`` (campaigns, themed days, channel posts) depends on ``services``, never the other
way round; it registers a panel here in its AppConfig.ready(), and the activity page renders
whatever is registered without knowing the app.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

ActivityPanel = Callable[[HttpRequest, object], SafeString | str]

_PANELS: list[ActivityPanel] = []


def register_activity_panel(panel: ActivityPanel) -> None:
    """``panel(request, activity)`` returns rendered HTML (or "" to show nothing)."""
    if panel not in _PANELS:
        _PANELS.append(panel)


def render_activity_panels(request: HttpRequest, activity) -> list[SafeString | str]:
    return [html for html in (panel(request, activity) for panel in _PANELS) if html]
