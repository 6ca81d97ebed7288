from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("服务台账")

    def ready(self) -> None:
        from organizations.scoping import register

        from . import scoping
        from .models import (
            Activity,
            ActivityTransition,
            Attendance,
            Evidence,
            VolunteerHoursChange,
            VolunteerService,
        )

        register(Activity, scoping.activity_rule)
        register(Attendance, scoping.attendance_rule)
        register(Evidence, scoping.evidence_rule)
        register(ActivityTransition, scoping.transition_rule)
        register(VolunteerService, scoping.volunteer_service_rule)
        register(VolunteerHoursChange, scoping.hours_change_rule)
        # The exports of the ledger's lists (organizations.exports).
        from .list_exports import register_exports

        register_exports()
        # The activity import (organizations.imports serves it by its kind).
        from .imports import register_importers

        register_importers()
        # The ledger's sums per organiser category follow a change of an organiser's category.
        from organizations.actions import on_category_change

        from .tallies import recategorize

        on_category_change(recategorize)
        # The ledger's sums per town follow a region's move from one town to another.
        from organizations.models import on_region_towns_change

        from .tallies import retown

        on_region_towns_change(retown)
