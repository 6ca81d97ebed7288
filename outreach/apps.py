from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("科普宣传")

    def ready(self) -> None:
        from organizations.scoping import register
        from services.panels import register_activity_panel

        from . import scoping
        from .models import Campaign, ChannelPost, ThemedDay, ThemedDayReminder
        from .views import activity_panel

        register(Campaign, scoping.campaign_rule)
        register(ThemedDay, scoping.themed_day_rule)
        register(ChannelPost, scoping.channel_post_rule)
        register(ThemedDayReminder, scoping.reminder_rule)
        register_activity_panel(activity_panel)
