"""How much the scaled data holds: the one place that turns ``--scale`` and ``--towns`` into rows.

``--towns`` new town-level regions are added under the district (default 1,400, a province's
worth); ``--scale`` sets how busy each of them is. At scale 1 every town has 358 people, 1,429
activities and 35,715 check-ins, so that 1,400 towns give the province size the benchmarks need:
more than 500,000 people, 2,000,000 activities and 50,000,000 check-ins. The structure of a
town does not scale: four villages (communities under a subdistrict), a town association and
fourteen grassroots associations, three volunteer teams of twelve, eight 三长/泛三长.

Every count below is exact and can be worked out by hand from the two arguments (the tests do
so), except those that depend on which activities have taken place by the seeding day: seats
(a grassroots association still preparing has none), volunteer service records (three per
activity that took place) and status transitions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

# Per town at scale 1 (1,400 towns give the province size).
PEOPLE_PER_TOWN = 358
ACTIVITIES_PER_TOWN = 1429
CHECKINS_PER_TOWN = 35715
# Phone numbers of residents who check in: encrypted once in Python, reused by every town.
ATTENDEE_POOL = 200_000

# Fixed structure of a generated town.
VILLAGES_PER_TOWN = 4
GRASSROOTS_PER_TOWN = 14
ORGS_PER_TOWN = 1 + GRASSROOTS_PER_TOWN
TEAMS_PER_TOWN = 3
VOLUNTEERS_PER_TEAM = 12
LEADERS_PER_TOWN = 8
VOLUNTEERS_PER_ACTIVITY = 3
# Every fourth person of a town is also a member of the town association (two organisations).
SECOND_MEMBERSHIP_EVERY = 4

# A town's people are laid out by their index in the town (see ``steps``): the association's
# chair and secretary, eight leaders, the seats of the associations, the volunteer teams.
MIN_PEOPLE_PER_TOWN = 60
MIN_ACTIVITIES_PER_TOWN = 20
MIN_ATTENDEE_POOL = 2_000
DEFAULT_TOWNS = 1400


def _scaled(per_town: int, scale: Decimal) -> int:
    return math.ceil(per_town * scale)


@dataclass(frozen=True)
class Sizes:
    towns: int
    scale: Decimal

    @property
    def people(self) -> int:
        """People per town."""
        return max(MIN_PEOPLE_PER_TOWN, _scaled(PEOPLE_PER_TOWN, self.scale))

    @property
    def activities(self) -> int:
        """Activities per town."""
        return max(MIN_ACTIVITIES_PER_TOWN, _scaled(ACTIVITIES_PER_TOWN, self.scale))

    @property
    def checkins(self) -> int:
        """Check-ins per town, shared out over its activities that took place."""
        return _scaled(CHECKINS_PER_TOWN, self.scale)

    @property
    def pool(self) -> int:
        """Distinct attendee phone numbers; more than any one activity's check-ins."""
        return max(MIN_ATTENDEE_POOL, min(ATTENDEE_POOL, _scaled(ATTENDEE_POOL, self.scale)))

    @property
    def memberships(self) -> int:
        """Memberships per town: everyone in one grassroots association, every fourth person
        in the town association too."""
        return self.people + math.ceil(self.people / SECOND_MEMBERSHIP_EVERY)

    def expected(self) -> dict[str, int]:
        """The rows the generator adds to each table that does not depend on the day."""
        towns = self.towns
        return {
            "regions": towns * (1 + VILLAGES_PER_TOWN),
            "organizations": towns * ORGS_PER_TOWN,
            "served_regions": towns * GRASSROOTS_PER_TOWN,
            "people": towns * self.people,
            "leader_roles": towns * LEADERS_PER_TOWN,
            "memberships": towns * self.memberships,
            "teams": towns * TEAMS_PER_TOWN,
            "team_memberships": towns * TEAMS_PER_TOWN * VOLUNTEERS_PER_TEAM,
            "activities": towns * self.activities,
            "attendances": towns * self.checkins,
        }


def sizes_for(*, scale: float | Decimal | str, towns: int | None) -> Sizes:
    # Decimal from the text of the number: 0.1 × 358 is 35.8, not 35.800000000000004.
    return Sizes(towns=DEFAULT_TOWNS if towns is None else towns, scale=Decimal(str(scale)))
