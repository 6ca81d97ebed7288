from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RolloutConfig(AppConfig):
    name = "rollout"
    verbose_name = _("推进工作")

    def ready(self) -> None:
        from .scoping import register_rules

        register_rules()
