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
