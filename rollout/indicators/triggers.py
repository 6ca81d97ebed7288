"""The database triggers that mark the towns' standing out of date (``TownStandingChange``).

Triggers rather than calls from the actions: the spans are built from organisations, their
served regions, seats, leader roles and regions, which pages, the admin, imports and bulk loads
all write; a trigger sees every one of them. Only writes that can change a span count: a new
or removed row, or a change of one of the columns the spans are built from.

On PostgreSQL an insert, delete or truncate marks the transaction once per statement and an
update once per row whose columns changed, each transaction a row of its own (by its id), so
that writers never queue on a shared row. SQLite (one writer at a time) keeps a single row.

A migration that remakes one of these tables on SQLite (Django copies the table to alter it)
drops its triggers: such a migration calls ``install`` again. ``tests/rollout`` checks that
every trigger is in place after the migrations.
"""

from __future__ import annotations

# table → the columns whose change moves a span
WATCHED = {
    "organizations_organization": (
        "kind",
        "category",
        "status",
        "founded_on",
        "dissolved_on",
        "home_region_id",
    ),
    "organizations_organization_served_regions": ("organization_id", "region_id"),
    "organizations_seat": ("organization_id", "person_id", "term_start", "term_end"),
    "organizations_leaderrole": ("person_id", "started_on", "ended_on"),
    # Which towns are counted and in what order they are listed, too: the district's overview
    # is kept in the cache under the spans' token (``coverage.coverage_overview``).
    "organizations_region": ("path", "kind", "in_scope", "sort_order", "code", "name"),
}

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION rollout_town_standing_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rollout_townstandingchange (txid, changed_at) VALUES (txid_current(), now())
    ON CONFLICT (txid) DO NOTHING;
    RETURN NULL;
END
$$
"""


def trigger_names(table: str) -> list[str]:
    return [f"{table}_standing_{event}" for event in ("write", "update")]


def _pg(table: str, columns: tuple[str, ...]) -> list[str]:
    write, update = trigger_names(table)
    changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in columns)
    return [
        f"DROP TRIGGER IF EXISTS {write} ON {table}",
        f"DROP TRIGGER IF EXISTS {update} ON {table}",
        f"CREATE TRIGGER {write} AFTER INSERT OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION rollout_town_standing_changed()",
        f"CREATE TRIGGER {update} AFTER UPDATE ON {table} FOR EACH ROW WHEN ({changed}) "
        "EXECUTE FUNCTION rollout_town_standing_changed()",
    ]


def _sqlite(table: str, columns: tuple[str, ...]) -> list[str]:
    mark = (
        "INSERT OR IGNORE INTO rollout_townstandingchange (txid, changed_at) VALUES (0, CURRENT_TIMESTAMP);"
    )
    changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in columns)
    statements = []
    for name, event in (
        (f"{table}_standing_insert", "INSERT"),
        (f"{table}_standing_delete", "DELETE"),
    ):
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {mark} END",
        ]
    name = f"{table}_standing_update"
    statements += [
        f"DROP TRIGGER IF EXISTS {name}",
        f"CREATE TRIGGER {name} AFTER UPDATE ON {table} FOR EACH ROW WHEN {changed} BEGIN {mark} END",
    ]
    return statements


def statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [PG_FUNCTION] + [sql for table, columns in WATCHED.items() for sql in _pg(table, columns)]
    if vendor == "sqlite":
        return [sql for table, columns in WATCHED.items() for sql in _sqlite(table, columns)]
    raise NotImplementedError(vendor)


def installed(connection) -> set[str]:
    """The names of the triggers in place on the watched tables."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY(%s)",
                [list(WATCHED)],
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


def expected(vendor: str) -> set[str]:
    if vendor == "postgresql":
        return {name for table in WATCHED for name in trigger_names(table)}
    return {f"{table}_standing_{event}" for table in WATCHED for event in ("insert", "delete", "update")}


def install(apps, schema_editor) -> None:
    """Create (or replace) every trigger; a migration operation (``RunPython``)."""
    for sql in statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)
