"""The generated ledger: activities with their leaders, teams, co-organisers and history, the
check-ins and the volunteers' hours (see ``structure`` for the towns they belong to).

Activity ``a`` (0-based over all towns) is ``base_activity + a``, of town ``a / A``; its type,
day, hour, length, place and organiser come from hashes of ``a``. It lies between the quarter
before the demo's programme year and the year's end, like the demo's own ledger
(``organizations.demo_dates``): what ends after the seeding moment is planned, what ended
before is mostly verified (three days after its end at the earliest), some held and a few
cancelled. Organisers are the town's association or an active grassroots association founded
by the activity's day.

Check-ins go to the activities that took place, except online pieces (which report their
participants): each town's ``C`` check-ins are shared out by weight with cumulative floors, so
the town's total is exactly ``C`` and each activity's share is a run of consecutive entries of
the attendee pool (``pools``), distinct phones. Every activity that took place has three
volunteers of one of the town's teams, with check-in, check-out and hours in quarter hours
(``services.models.hours_served``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection

from services.models import ActivityKind, AlignmentTag, Audience, VenueKind, stream_of

from .run import Run

AK, VK, AU = ActivityKind, VenueKind, Audience
# Type → (how often, where, for whom); popular lectures and trainings are the bulk of the work.
KINDS = {
    AK.TECH_TRAINING: (
        3,
        [VK.CIVILIZATION_CENTER, VK.PARTY_SERVICE_CENTER, VK.VILLAGE],
        [AU.FARMERS, AU.GENERAL],
    ),
    AK.FIELD_GUIDANCE: (2, [VK.VILLAGE, VK.ENTERPRISE], [AU.FARMERS]),
    AK.FREE_CLINIC: (2, [VK.HOSPITAL, VK.VILLAGE, VK.PARTY_SERVICE_CENTER], [AU.ELDERLY, AU.PATIENTS]),
    AK.RURAL_TALENT_TRAINING: (1, [VK.CIVILIZATION_CENTER, VK.VILLAGE], [AU.FARMERS]),
    AK.TECH_MATCHING: (1, [VK.ENTERPRISE], [AU.GENERAL]),
    AK.POPULAR_LECTURE: (
        4,
        [VK.CIVILIZATION_CENTER, VK.SCHOOL, VK.VILLAGE, VK.PARTY_SERVICE_CENTER],
        [AU.ELDERLY, AU.YOUTH, AU.GENERAL],
    ),
    AK.EXPERT_REPORT: (1, [VK.CIVILIZATION_CENTER, VK.SCHOOL], [AU.GENERAL]),
    AK.EXHIBITION: (1, [VK.VENUE, VK.SCHOOL], [AU.YOUTH, AU.GENERAL]),
    AK.CONSULTATION: (2, [VK.VILLAGE, VK.PARTY_SERVICE_CENTER], [AU.ELDERLY, AU.GENERAL]),
    AK.FESTIVAL: (1, [VK.SCHOOL], [AU.YOUTH]),
    AK.THEMED_DAY: (1, [VK.CIVILIZATION_CENTER, VK.VILLAGE], [AU.GENERAL, AU.ELDERLY]),
    AK.ONLINE: (1, [VK.ONLINE], [AU.GENERAL, AU.YOUTH]),
}
# Check-ins are written this many towns at a time, so that a long run shows its progress.
ATTENDANCE_TOWNS_PER_STATEMENT = 100

KIND_TABLE = """
CREATE TEMP TABLE lg_kind ON COMMIT DROP AS
SELECT k.kind, k.stream, k.label, k.venues, k.audiences
FROM jsonb_to_recordset(%(kinds)s::jsonb)
     AS k (kind text, stream text, label text, venues text[], audiences text[])
"""
PLACES = """
CREATE TEMP TABLE lg_place ON COMMIT DROP AS
SELECT region_id, name FROM lg_town UNION ALL SELECT v.region_id, tw.name || v.name FROM lg_village AS v
JOIN lg_town AS tw USING (t)
"""
ACTS = """
CREATE TEMP TABLE lg_act ON COMMIT DROP AS
SELECT y.*, CASE WHEN y.ends_at > %(moment)s THEN 'planned' WHEN y.roll < 4 THEN 'cancelled'
                 WHEN y.ends_at + interval '3 days' > %(moment)s OR y.roll < 30 THEN 'held'
                 ELSE 'verified' END AS status
FROM (
  SELECT x.a, x.t, x.n, x.h, x.roll, x.kind, k.stream, %(base_activity)s + x.a AS id,
         (x.day + make_interval(hours => x.hour, mins => x.minute)) AT TIME ZONE %(tz)s AS starts_at,
         (x.day + make_interval(hours => x.hour, mins => x.minute + x.length)) AT TIME ZONE %(tz)s AS ends_at,
         CASE WHEN o.status = 'active' AND o.founded_on <= x.day THEN o.id ELSE tw.ta_id END AS organizer_id,
         tw.ta_id, tw.region_id + x.place AS region_id,
         k.venues[1 + mod(x.h / 3, array_length(k.venues, 1))] AS venue_kind
  FROM (
    SELECT a, a / %(activities)s AS t, mod(a, %(activities)s) AS n, pg_temp.lg_h(a, 1) AS h,
           (%(kind_draw)s::text[])[1 + mod(pg_temp.lg_h(a, 2), %(kind_draws)s)] AS kind,
           %(window_start)s::date + mod(pg_temp.lg_h(a, 3), %(window_days)s) AS day,
           8 + mod(pg_temp.lg_h(a, 4), 11) AS hour, 30 * mod(pg_temp.lg_h(a, 5), 2) AS minute,
           60 + 30 * mod(pg_temp.lg_h(a, 6), 7) AS length, mod(pg_temp.lg_h(a, 7), 100) AS roll,
           mod(pg_temp.lg_h(a, 8), 14) AS g,
           CASE WHEN mod(pg_temp.lg_h(a, 9), 2) = 0 THEN 0 ELSE 1 + mod(pg_temp.lg_h(a, 10), 4) END AS place
    FROM generate_series(0, %(towns)s * %(activities)s - 1) AS a
  ) AS x
  JOIN lg_kind AS k ON k.kind = x.kind JOIN lg_town AS tw ON tw.t = x.t
  JOIN lg_org AS o ON o.t = x.t AND o.g = x.g
) AS y
ORDER BY y.a
"""
ACTIVITIES = """
INSERT INTO services_activity
    (id, title, stream, kind, venue_kind, venue, starts_at, ends_at, audiences, alignment_tags,
     description, planned_participants, reported_participants, status, status_changed_at,
     is_published, published_at, checkin_token, source_key, created_at, updated_at,
     created_by_id, organizer_id, published_by_id, region_id, status_changed_by_id)
SELECT a.id, r.name || k.label, a.stream, a.kind, a.venue_kind,
       CASE a.venue_kind WHEN 'online' THEN '线上' WHEN 'village' THEN r.name || '文化礼堂'
                         ELSE r.name || vk.label END,
       a.starts_at, a.ends_at,
       jsonb_build_array(k.audiences[1 + mod(a.h / 7, array_length(k.audiences, 1))]),
       CASE WHEN mod(a.h / 11, 3) = 0
            THEN jsonb_build_array((%(tags)s::text[])[1 + mod(a.h / 13, 8)],
                (%(tags)s::text[])[1 + mod(1 + mod(a.h / 13, 8), 8)])
            ELSE jsonb_build_array((%(tags)s::text[])[1 + mod(a.h / 13, 8)]) END,
       '', 20 + 10 * mod(a.h / 17, 11),
       CASE WHEN a.status IN ('held', 'verified') AND a.kind = 'online' THEN 100 + mod(a.h / 19, 900) END,
       a.status,
       CASE a.status WHEN 'planned' THEN least(a.starts_at - interval '14 days', %(moment)s)
                     WHEN 'held' THEN a.ends_at WHEN 'verified' THEN a.ends_at + interval '3 days'
                     ELSE least(a.starts_at - interval '1 day', %(moment)s) END,
       a.published, CASE WHEN a.published THEN least(a.starts_at - interval '10 days', %(moment)s) END,
       md5(%(token_secret)s || ':' || a.a), 'loadgen:' || a.t || ':' || a.n,
       least(a.starts_at - interval '14 days', %(moment)s),
       CASE a.status WHEN 'held' THEN a.ends_at WHEN 'verified' THEN a.ends_at + interval '3 days'
                     ELSE least(a.starts_at - interval '1 day', %(moment)s) END,
       NULL, a.organizer_id, NULL, a.region_id, NULL
FROM (SELECT *, stream = 'popularization' AND status <> 'cancelled' AND mod(h / 23, 3) = 0 AS published
      FROM lg_act) AS a
JOIN lg_kind AS k USING (kind) JOIN lg_place AS r USING (region_id)
JOIN (SELECT * FROM jsonb_to_recordset(%(venues)s::jsonb) AS v (kind text, label text)) AS vk
  ON vk.kind = a.venue_kind
ORDER BY a.id
"""
LEADERS = """
INSERT INTO services_activity_leaders (activity_id, person_id)
SELECT id, %(base_person)s + t * %(people)s + 2 + mod(h / 29, 8) FROM lg_act WHERE mod(h / 31, 100) < 40
ORDER BY id
"""
CO_ORGANIZERS = """
INSERT INTO services_activity_co_organizers (activity_id, organization_id)
SELECT id, ta_id FROM lg_act WHERE organizer_id <> ta_id AND mod(h / 37, 10) = 0 ORDER BY id
"""
TRANSITIONS = """
INSERT INTO services_activitytransition (from_status, to_status, note, created_at, activity_id, actor_id)
SELECT s.from_status, s.to_status, s.note, s.at, a.id, NULL
FROM lg_act AS a CROSS JOIN LATERAL (VALUES
    ('', 'planned', '登记', least(a.starts_at - interval '14 days', %(moment)s), true),
    ('planned', 'held', '', a.ends_at, a.status IN ('held', 'verified')),
    ('held', 'verified', '', a.ends_at + interval '3 days', a.status = 'verified'),
    ('planned', 'cancelled', '天气原因取消', least(a.starts_at - interval '1 day', %(moment)s),
     a.status = 'cancelled')
) AS s (from_status, to_status, note, at, applies)
WHERE s.applies
ORDER BY a.id, s.at
"""


def _kind_rows() -> tuple[list[dict], list[str]]:
    rows, draw = [], []
    for kind, (weight, venues, audiences) in KINDS.items():
        rows.append(
            {
                "kind": str(kind),
                "stream": str(stream_of(kind)),
                "label": str(kind.label),
                "venues": [str(v) for v in venues],
                "audiences": [str(a) for a in audiences],
            }
        )
        draw += [str(kind)] * weight
    return rows, draw


def activities(run: Run) -> dict[str, int]:
    kinds, draw = _kind_rows()
    run.params.update(
        kinds=run.json(kinds),
        kind_draw=draw,
        kind_draws=len(draw),
        venues=run.json([{"kind": str(v), "label": str(v.label)} for v in VenueKind]),
        tags=[str(tag) for tag in AlignmentTag],
    )
    run.sql(KIND_TABLE)
    run.sql(PLACES)
    run.sql(ACTS)
    run.sql("ANALYZE lg_act")
    return {"activities": run.sql(ACTIVITIES)}


def activity_links(run: Run) -> dict[str, int]:
    return {
        "activity_leaders": run.sql(LEADERS),
        "activity_co_organizers": run.sql(CO_ORGANIZERS),
        "activity_transitions": run.sql(TRANSITIONS),
    }


TOOK_PLACE = """
CREATE TEMP TABLE lg_tp ON COMMIT DROP AS
SELECT id, a, t, h, starts_at, ends_at, row_number() OVER (ORDER BY id) - 1 AS rank,
       mod(h / 41, 3) AS k, CASE WHEN kind = 'online' THEN 0 ELSE 1 + mod(h / 43, 60) END AS w
FROM lg_act WHERE status IN ('held', 'verified') ORDER BY id
"""
SHARES = """
CREATE TEMP TABLE lg_share ON COMMIT DROP AS
SELECT id, t, h, starts_at, %(checkins)s::bigint * cw / total - %(checkins)s::bigint * (cw - w) / total AS n,
       %(checkins)s::bigint * (cw - w) / total AS off
FROM (SELECT id, t, h, starts_at, w, sum(w) OVER (PARTITION BY t ORDER BY id) AS cw,
             sum(w) OVER (PARTITION BY t) AS total
      FROM lg_tp WHERE w > 0) AS s
ORDER BY id
"""
ATTENDANCES = """
INSERT INTO services_attendance (id, activity_id, name, phone, phone_hash, checked_in_at)
SELECT %(base_attendance)s + c.t * %(checkins)s::bigint + c.off + j, c.id, p.name, p.phone, p.phone_hash,
       c.starts_at + (mod(c.h + j * 37, 66) - 25) * interval '1 minute'
FROM lg_share AS c CROSS JOIN LATERAL generate_series(0, c.n - 1) AS j
JOIN lg_pool AS p ON p.idx = mod(mod(c.h, %(pool)s) + j, %(pool)s)
WHERE c.t >= %(from_town)s AND c.t < %(to_town)s
"""
TEAM_LINKS = """
INSERT INTO services_activity_teams (activity_id, volunteerteam_id)
SELECT id, %(base_team)s + t * 3 + k FROM lg_tp ORDER BY id
"""
SERVICES = """
INSERT INTO services_volunteerservice
    (id, checked_in_at, checked_out_at, hours, source, created_at, updated_at, activity_id,
     person_id, team_id)
SELECT %(base_service)s + v.rank * 3 + v.j, v.cin, v.cout,
       floor(extract(epoch FROM v.cout - v.cin) / 900) * 0.25, 'checkin', v.cout, v.cout, v.id,
       %(base_person)s + v.t * %(people)s + 20 + 12 * v.k + mod(v.h / 47 + v.j, 12),
       %(base_team)s + v.t * 3 + v.k
FROM (SELECT tp.*, j, tp.starts_at - 15 * (1 + mod(tp.h / 53 + j, 3)) * interval '1 minute' AS cin,
             tp.ends_at + mod(tp.h / 59 + j * 13, 41) * interval '1 minute' AS cout
      FROM lg_tp AS tp CROSS JOIN generate_series(0, 2) AS j) AS v
ORDER BY v.rank, v.j
"""


def checkins(run: Run, progress: Callable[[str], None]) -> dict[str, int]:
    run.sql(TOOK_PLACE)
    run.sql(SHARES)
    towns = run.params["towns"]
    run.params["base_attendance"] = run.reserve("services_attendance", towns * run.params["checkins"])
    written = 0
    started = time.monotonic()
    for first in range(0, towns, ATTENDANCE_TOWNS_PER_STATEMENT):
        last = min(first + ATTENDANCE_TOWNS_PER_STATEMENT, towns)
        run.params.update(from_town=first, to_town=last)
        written += run.sql(ATTENDANCES)
        if towns > ATTENDANCE_TOWNS_PER_STATEMENT:
            progress(
                f"    签到记录：第 {last}/{towns} 个镇，{written} 条，{time.monotonic() - started:.0f} 秒"
            )
    return {"attendances": written}


def volunteer_services(run: Run) -> dict[str, int]:
    took_place = run.value("SELECT count(*) FROM lg_tp")
    run.params["base_service"] = run.reserve("services_volunteerservice", 3 * took_place)
    return {"activity_teams": run.sql(TEAM_LINKS), "volunteer_services": run.sql(SERVICES)}


def analyze(tables: list[str]) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
