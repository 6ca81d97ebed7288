from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RolloutConfig(AppConfig):
    name = "rollout"
    verbose_name = _("推进工作")

    def ready(self) -> None:
        from services.ledger_lock import register_closed_period_lookup

        from .reports.closing import scoping as closing_scoping
        from .reports.closing.selectors import closed_quarter_on
        from .scoping import register_rules

        register_rules()
        closing_scoping.register_rules()
        # A closed quarter's ledger is locked for organisation admins (services may not import
        # the rollout, so the rollout tells it which quarters are closed).
        register_closed_period_lookup(closed_quarter_on)
        # The exports of the rollout's lists (organizations.exports).
        from .list_exports import register_exports

        register_exports()
