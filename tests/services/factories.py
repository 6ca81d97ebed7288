"""factory_boy factories for the service ledger."""

import datetime

import factory
from django.utils import timezone

from services import tallies
from services.models import Activity, ActivityKind, Attendance, VenueKind, VolunteerService
from tests import factories as f


def at(days: float = 0, hour: int = 9) -> datetime.datetime:
    """A moment ``days`` from today at ``hour`` o'clock, Asia/Shanghai."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class Counted:
    """Rows a test makes stand where the actions would have left them: counted in the ledger's
    summary tables (``services.tallies``), as every write through the actions is. A test that
    changes a row afterwards without an action calls ``tallies.refresh`` itself."""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        made = super()._create(model_class, *args, **kwargs)
        tallies.refresh([made.pk if model_class is Activity else made.activity_id])
        return made


class ActivityFactory(Counted, factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"测试活动{n}")
    kind = ActivityKind.POPULAR_LECTURE
    organizer = factory.SubFactory(f.OrganizationFactory)
    region = factory.LazyAttribute(lambda o: o.organizer.home_region)
    venue_kind = VenueKind.CIVILIZATION_CENTER
    venue = "文明实践所"
    starts_at = factory.LazyFunction(lambda: at(-7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    status = Activity.Status.HELD
    planned_participants = 50

    @factory.post_generation
    def leaders(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.leaders.set(extracted)

    @factory.post_generation
    def teams(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.teams.set(extracted)

    @factory.post_generation
    def co_organizers(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.co_organizers.set(extracted)


class AttendanceFactory(Counted, factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    activity = factory.SubFactory(ActivityFactory)
    name = factory.Sequence(lambda n: f"参加者{n}")
    phone = factory.Sequence(lambda n: f"137{n:08d}")


class VolunteerServiceFactory(Counted, factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerService

    activity = factory.SubFactory(ActivityFactory)
    person = factory.SubFactory(f.PersonFactory)
    checked_in_at = factory.LazyAttribute(lambda o: o.activity.starts_at)
    checked_out_at = factory.LazyAttribute(lambda o: o.activity.ends_at)
    hours = 2
