"""The generated towns: regions, organisations, people, leaders, seats, memberships, teams.

Set-based SQL, one statement per table: rows come from ``generate_series`` and every choice
from ``hashint8`` of the row's index (``lg_h`` below), never from primary keys, so that the same
arguments give the same rows on any database. Primary keys come from blocks reserved on each
table's sequence (``Run.reserve``), which is what lets one statement refer to rows another
writes (person ``g`` of all towns is ``base_person + g``).

The layout of a town ``t`` (0-based), by index:

- region ``base_region + 5t`` (a town, every fifth a subdistrict) and its four villages
  (communities) ``+1…+4``;
- organisation ``base_org + 15t``, its association (科协, always active, under the district
  association), and fourteen grassroots associations ``g = 0…13`` below it, of the category
  ``g mod 3``, serving village ``g mod 4``: about 7 % still preparing and 7 % dissolved;
- person ``i`` of the town: 0 chair and 1 secretary of the association, 2…9 the 三长/泛三长,
  4…11 further seats of the association, 12 + 3g… the chair, vice chair and secretary of
  grassroots association ``g``, 20 + 12k… the twelve volunteers of team ``k``; everyone is a
  member of grassroots association ``i mod 14`` and every fourth of the association too;
- teams ``k = 0, 1, 2`` of the association and of grassroots associations 0 (production) and
  2 (life and health).
"""

from __future__ import annotations

from organizations.demo import GIVEN_FEMALE, GIVEN_MALE, SURNAMES, TITLES
from organizations.models import LeaderRole, Organization, Person

from .run import Run

# A non-negative pseudo-random integer of an index and a salt (each use of an index takes its own
# salt). A one-line SQL function: PostgreSQL inlines it into the statements that call it.
HASH_FUNCTION = """
CREATE FUNCTION pg_temp.lg_h(bigint, integer) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS 'SELECT hashint8($1 * 16 + $2) & 2147483647'
"""


# First and second characters of the generated towns' names: no first character is that of one
# of the district's own towns, so no generated name can equal one of theirs.
TOWN_FIRST = "澄岙柏碧岚枫桂禾鹤虹湖嘉锦兰莲林柳龙鹿茗宁平秋泉桑杉松潭桃亭湾霞杏岩杨益银玉樟竹"
TOWN_SECOND = "安川岱店丰港汇家涧江郊口里陵浦桥山墅水亭头湾溪霞祥乡堰洋阳屿源苑岳洲庄渡埠"
VILLAGE_FIRST = "前后上东西南北大小高新老中里外长圆方塘田"
VILLAGE_SECOND = "家岙桥岭头湾溪浦山埠"
LEADER_KINDS = [
    LeaderRole.Kind.HOSPITAL_DIRECTOR,
    LeaderRole.Kind.SCHOOL_PRINCIPAL,
    LeaderRole.Kind.AGRITECH_STATION_HEAD,
    LeaderRole.Kind.MUSEUM_DIRECTOR,
    LeaderRole.Kind.BASE_LEADER,
    LeaderRole.Kind.LECTURER_GROUP_HEAD,
    LeaderRole.Kind.SCHOOL_PRINCIPAL,
    LeaderRole.Kind.HOSPITAL_DIRECTOR,
]
P = Person.Profession
LEADER_PROFESSIONS = [
    P.MEDICAL,
    P.TEACHER,
    P.AGRITECH,
    P.VENUE_STAFF,
    P.VENUE_STAFF,
    P.LECTURER,
    P.TEACHER,
    P.MEDICAL,
]
LEADER_TITLES = ["院长", "校长", "站长", "馆长", "负责人", "团长", "校长", "院长"]
# Professions of everyone else in a town, drawn with these weights.
PROFESSION_DRAW = [
    P.MEDICAL,
    P.MEDICAL,
    P.TEACHER,
    P.TEACHER,
    P.AGRITECH,
    P.AGRITECH,
    P.LECTURER,
    P.VENUE_STAFF,
    P.OTHER,
    P.OTHER,
]
PERSON_TITLES = {
    **{str(key): list(value) for key, value in TITLES.items()},
    P.VENUE_STAFF: ["讲解员", "科普辅导员"],
}
CATEGORIES = [
    Organization.Category.PRODUCTION,
    Organization.Category.ECOLOGY,
    Organization.Category.LIFE_HEALTH,
]
CATEGORY_NAMES = ["农技服务科普协会", "生态科普协会", "健康科普协会"]
TEAM_NAMES = ["科技志愿服务队", "农技服务志愿服务队", "健康义诊志愿服务队"]
TEAM_AREAS = ["科普宣传、科技咨询、新时代文明实践", "农技推广、实地技术指导", "医疗义诊、健康科普"]

TOWNS = """
CREATE TEMP TABLE lg_town ON COMMIT DROP AS
SELECT t, %(base_region)s + t * 5 AS region_id, %(base_org)s + t * 15 AS ta_id,
       substr(%(town_first)s, 1 + mod(t, 40), 1) || substr(%(town_second)s, 1 + mod(t / 40, 37), 1)
       || CASE WHEN t >= 1480 THEN (t / 1480)::text ELSE '' END
       || CASE WHEN sub THEN '街道' ELSE '镇' END AS name,
       CASE WHEN sub THEN 'subdistrict' ELSE 'town' END AS kind,
       CASE WHEN sub THEN '社区卫生服务中心' ELSE '卫生院' END AS clinic,
       CASE WHEN sub THEN '街道办事处' ELSE '人民政府' END AS office,
       CASE WHEN sub THEN '办事处副主任' ELSE '副镇长' END AS chair_title,
       %(window_start)s::date + 60 + mod(pg_temp.lg_h(t, 1), 120) AS elected
FROM (SELECT t, mod(t, 5) = 4 AS sub FROM generate_series(0, %(towns)s - 1) AS t) AS s
"""
VILLAGES = """
CREATE TEMP TABLE lg_village ON COMMIT DROP AS
SELECT tw.t, v, tw.region_id + 1 + v AS region_id,
       substr(%(village_first)s, 1 + mod(tw.t * 3 + v, 20), 1)
       || substr(%(village_second)s, 1 + mod(tw.t * 7 + v * 3, 10), 1)
       || CASE WHEN tw.kind = 'town' THEN '村' ELSE '社区' END AS name
FROM lg_town AS tw CROSS JOIN generate_series(0, 3) AS v
"""
REGIONS = """
INSERT INTO organizations_region
    (id, name, name_en, kind, code, code_set, managed_by, in_scope, sort_order, path, parent_id)
SELECT region_id, name, '', kind, 'LG' || lpad((t + 1)::text, 5, '0'), %(code_set)s, '', true,
       1000 + t, %(district_path)s || region_id || '/', %(district_region)s
FROM lg_town
UNION ALL
SELECT v.region_id, v.name, '', CASE WHEN tw.kind = 'town' THEN 'village' ELSE 'community' END,
       'LG' || lpad((v.t + 1)::text, 5, '0') || '-' || (v.v + 1), %(code_set)s, '', true, v.v,
       %(district_path)s || tw.region_id || '/' || v.region_id || '/', tw.region_id
FROM lg_village AS v JOIN lg_town AS tw USING (t)
"""
ORGS = """
CREATE TEMP TABLE lg_org ON COMMIT DROP AS
SELECT t, g, id, category, status, founded_on,
       CASE WHEN status = 'dissolved' THEN founded_on + 120 + mod(h3, 240) END AS dissolved_on
FROM (
  SELECT t, g, %(base_org)s + t * 15 + 1 + g AS id, h3,
         CASE WHEN g < 0 THEN '' ELSE (%(categories)s::text[])[1 + mod(g, 3)] END AS category,
         CASE WHEN g < 0 THEN 'active' WHEN roll < 7 THEN 'preparing'
              WHEN roll < 14 THEN 'dissolved' ELSE 'active' END AS status,
         CASE WHEN g < 0 THEN date '1988-01-01' + mod(h2, 10000) WHEN roll < 7 THEN NULL
              WHEN roll < 14 THEN %(window_start)s::date - 720 + mod(h2, 360)
              ELSE %(window_start)s::date - 720 + mod(h2, 900) END AS founded_on
  FROM (SELECT t, g, mod(pg_temp.lg_h(t * 15 + g + 1, 1), 100) AS roll, pg_temp.lg_h(t * 15 + g + 1, 2) AS h2,
               pg_temp.lg_h(t * 15 + g + 1, 3) AS h3
        FROM generate_series(0, %(towns)s - 1) AS t CROSS JOIN generate_series(-1, 13) AS g) AS r
) AS s
"""
ORGANIZATIONS = """
INSERT INTO organizations_organization
    (id, code, name, kind, category, status, founded_on, dissolved_on, credit_code, contact_name,
     contact_phone, address, description, is_demo, created_at, updated_at, parent_id, home_region_id,
     region_order)
SELECT o.id,
       'LG-' || lpad((o.t + 1)::text, 5, '0')
       || CASE WHEN o.g < 0 THEN '-KX' ELSE '-G' || lpad((o.g + 1)::text, 2, '0') END,
       CASE WHEN o.g < 0 THEN tw.name || '科协'
            WHEN o.g < 3 THEN tw.name || (%(category_names)s::text[])[1 + mod(o.g, 3)]
            ELSE tw.name || v.name || (%(category_names)s::text[])[1 + mod(o.g, 3)] END,
       CASE WHEN o.g < 0 THEN 'town_association' ELSE 'grassroots_association' END,
       o.category, o.status, o.founded_on, o.dissolved_on, '', '', '',
       CASE WHEN o.g < 0 THEN tw.name || tw.office ELSE tw.name || v.name END,
       %(note)s, true, %(moment)s, %(moment)s,
       CASE WHEN o.g < 0 THEN %(district_org)s ELSE tw.ta_id END, tw.region_id,
       (SELECT r.sort_order FROM organizations_region AS r WHERE r.id = tw.region_id)
FROM lg_org AS o JOIN lg_town AS tw USING (t)
JOIN lg_village AS v ON v.t = o.t AND v.v = mod(greatest(o.g, 0), 4)
ORDER BY o.id
"""
SERVED = """
INSERT INTO organizations_organization_served_regions (organization_id, region_id)
SELECT o.id, v.region_id FROM lg_org AS o JOIN lg_village AS v ON v.t = o.t AND v.v = mod(o.g, 4)
WHERE o.g >= 0 ORDER BY o.id
"""


def regions_and_organizations(run: Run) -> dict[str, int]:
    run.params.update(
        town_first=TOWN_FIRST,
        town_second=TOWN_SECOND,
        village_first=VILLAGE_FIRST,
        village_second=VILLAGE_SECOND,
        categories=[str(c) for c in CATEGORIES],
        category_names=CATEGORY_NAMES,
    )
    run.sql(TOWNS)
    run.sql(VILLAGES)
    run.sql(ORGS)
    return {
        "regions": run.sql(REGIONS),
        "organizations": run.sql(ORGANIZATIONS),
        "served_regions": run.sql(SERVED),
    }


PEOPLE = """
INSERT INTO organizations_person
    (id, name, gender, phone, phone_hash, id_number, id_number_hash, birth_date, employer, title,
     profession, email, notes, created_at, updated_at)
SELECT %(base_person)s + x.g, x.name, x.gender, p.phone, p.phone_hash, '', '', x.birth,
       tw.name || CASE x.profession
           WHEN 'medical' THEN tw.clinic
           WHEN 'teacher' THEN CASE WHEN mod(x.h, 2) = 0 THEN '中心小学' ELSE '初级中学' END
           WHEN 'agritech' THEN '农业综合服务站' WHEN 'venue_staff' THEN '科普教育基地'
           WHEN 'lecturer' THEN '新时代文明实践所' ELSE tw.office END,
       CASE WHEN x.i = 0 THEN tw.chair_title WHEN x.i = 1 THEN '科员'
            WHEN x.i < 10 THEN (%(leader_titles)s::text[])[x.i - 1]
            ELSE (%(titles)s::jsonb -> x.profession)
                 ->> mod(x.h / 3, jsonb_array_length(%(titles)s::jsonb -> x.profession)) END,
       x.profession, '', %(note)s, %(moment)s, %(moment)s
FROM (
  SELECT g, t, i, h, profession,
         substr(%(surnames)s, 1 + mod(h / 5, length(%(surnames)s)), 1)
         || substr(given, 1 + mod(h / 7, length(given)), 1)
         || CASE WHEN mod(h / 11, 10) < 7 THEN substr(given, 1 + mod(h / 13, length(given)), 1) ELSE '' END
         AS name,
         CASE WHEN female THEN 'female' ELSE 'male' END AS gender,
         date '1960-01-01' + mod(h / 17, 13000) AS birth
  FROM (
    SELECT g, t, i, h, female, CASE WHEN female THEN %(given_female)s ELSE %(given_male)s END AS given,
           CASE WHEN i < 2 THEN 'other' WHEN i < 10 THEN (%(leader_professions)s::text[])[i - 1]
                ELSE (%(profession_draw)s::text[])[1 + mod(h / 19, 10)] END AS profession
    FROM (SELECT g, g / %(people)s AS t, mod(g, %(people)s) AS i, pg_temp.lg_h(g, 1) AS h,
                 mod(pg_temp.lg_h(g, 2), 2) = 0 AS female
          FROM generate_series(0, %(towns)s * %(people)s - 1) AS g) AS s
  ) AS r
) AS x
JOIN lg_phone AS p USING (g) JOIN lg_town AS tw USING (t)
ORDER BY x.g
"""
LEADER_ROLES = """
INSERT INTO organizations_leaderrole (id, kind, institution, started_on, ended_on, person_id)
SELECT %(base_leader_role)s + x.t * 8 + x.i - 2, (%(leader_kinds)s::text[])[x.i - 1], p.employer,
       %(window_start)s::date - 30 - mod(pg_temp.lg_h(x.t * 8 + x.i, 3), 3000), NULL, p.id
FROM (SELECT t, i FROM generate_series(0, %(towns)s - 1) AS t CROSS JOIN generate_series(2, 9) AS i) AS x
JOIN organizations_person AS p ON p.id = %(base_person)s + x.t * %(people)s + x.i
ORDER BY 1
"""


def people(run: Run) -> dict[str, int]:
    run.params.update(
        surnames=SURNAMES,
        given_female=GIVEN_FEMALE,
        given_male=GIVEN_MALE,
        leader_titles=LEADER_TITLES,
        leader_kinds=[str(kind) for kind in LEADER_KINDS],
        leader_professions=[str(p) for p in LEADER_PROFESSIONS],
        profession_draw=[str(p) for p in PROFESSION_DRAW],
        titles=run.json(PERSON_TITLES),
    )
    return {"people": run.sql(PEOPLE), "leader_roles": run.sql(LEADER_ROLES)}


MEMBERSHIPS = """
INSERT INTO organizations_membership (joined_on, left_on, organization_id, person_id)
SELECT CASE WHEN o.status = 'preparing' THEN NULL
            WHEN o.status = 'dissolved' THEN o.founded_on + mod(m.h, o.dissolved_on - o.founded_on)
            WHEN o.g < 0 THEN o.founded_on + mod(m.h, %(today)s::date - o.founded_on)
            ELSE least(o.founded_on + mod(m.h, 200), %(today)s::date) END,
       CASE WHEN o.status = 'dissolved' THEN o.dissolved_on END,
       o.id, %(base_person)s + m.g
FROM (
  SELECT g, g / %(people)s AS t, mod(mod(g, %(people)s), 14) AS og, pg_temp.lg_h(g, 4) AS h
  FROM generate_series(0, %(towns)s * %(people)s - 1) AS g
  UNION ALL
  SELECT g, g / %(people)s, -1, pg_temp.lg_h(g, 5)
  FROM generate_series(0, %(towns)s * %(people)s - 1) AS g WHERE mod(mod(g, %(people)s), 4) = 0
) AS m
JOIN lg_org AS o ON o.t = m.t AND o.g = m.og
ORDER BY m.g, o.id
"""
SEATS = """
INSERT INTO organizations_seat (position, term_start, term_end, notes, created_at, organization_id, person_id)
SELECT s.position, s.term_start, s.term_end, '', %(moment)s, s.org_id,
    %(base_person)s + s.t * %(people)s + s.i
FROM (
  SELECT tw.t, tw.ta_id AS org_id, p.i, p.position, tw.elected AS term_start,
         (tw.elected + interval '5 years' - interval '1 day')::date AS term_end
  FROM lg_town AS tw CROSS JOIN (VALUES (0, 'chair'), (1, 'secretary_general'),
      (2, 'vice_chair_parttime'), (3, 'vice_chair_parttime'), (4, 'standing_member'),
      (5, 'standing_member'), (6, 'standing_member'), (7, 'member'), (8, 'member'), (9, 'member'),
      (10, 'member'), (11, 'member')) AS p (i, position)
  UNION ALL
  SELECT o.t, o.id, CASE WHEN p.n < 3 THEN 12 + 3 * o.g + p.n ELSE 2 + mod(o.g, 8) END, p.position,
         o.founded_on,
         CASE WHEN o.status = 'dissolved' THEN o.dissolved_on - 1
              ELSE (o.founded_on + interval '5 years' - interval '1 day')::date END
  FROM lg_org AS o CROSS JOIN (VALUES (0, 'chair'), (1, 'vice_chair_parttime'),
      (2, 'secretary_general'), (3, 'standing_member')) AS p (n, position)
  WHERE o.g >= 0 AND o.status <> 'preparing' AND (p.n < 3 OR mod(pg_temp.lg_h(o.t * 15 + o.g + 1, 4), 5) <> 0)
) AS s
ORDER BY s.org_id, s.i
"""
TEAMS_TEMP = """
CREATE TEMP TABLE lg_team ON COMMIT DROP AS
SELECT o.t, k.k, %(base_team)s + o.t * 3 + k.k AS id, o.id AS org_id, o.status AS org_status,
       least(coalesce(o.founded_on, %(window_start)s::date) + mod(pg_temp.lg_h(o.t * 3 + k.k, 6), 200),
             %(today)s::date) AS founded_on,
       (ARRAY[1, 12, 18])[k.k + 1] AS leader_i
FROM generate_series(0, 2) AS k (k)
JOIN lg_org AS o ON o.g = (ARRAY[-1, 0, 2])[k.k + 1]
"""
TEAMS = """
INSERT INTO organizations_volunteerteam
    (id, name, founded_on, service_area, status, created_at, leader_id, organization_id)
SELECT tm.id, tw.name || (%(team_names)s::text[])[tm.k + 1], tm.founded_on,
       (%(team_areas)s::text[])[tm.k + 1],
       CASE WHEN tm.org_status = 'active' THEN 'active' ELSE 'inactive' END, %(moment)s,
       %(base_person)s + tm.t * %(people)s + tm.leader_i, tm.org_id
FROM lg_team AS tm JOIN lg_town AS tw USING (t)
ORDER BY tm.id
"""
TEAM_MEMBERSHIPS = """
INSERT INTO organizations_teammembership (joined_on, left_on, person_id, team_id)
SELECT least(tm.founded_on + mod(pg_temp.lg_h(tm.t * 36 + tm.k * 12 + m, 7), 120), %(today)s::date), NULL,
       %(base_person)s + tm.t * %(people)s + 20 + 12 * tm.k + m, tm.id
FROM lg_team AS tm CROSS JOIN generate_series(0, 11) AS m
ORDER BY tm.id, m
"""


def memberships_seats_teams(run: Run) -> dict[str, int]:
    run.params.update(team_names=TEAM_NAMES, team_areas=TEAM_AREAS)
    counts = {"memberships": run.sql(MEMBERSHIPS), "seats": run.sql(SEATS)}
    run.sql(TEAMS_TEMP)
    counts["teams"] = run.sql(TEAMS)
    counts["team_memberships"] = run.sql(TEAM_MEMBERSHIPS)
    return counts
