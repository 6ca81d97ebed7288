"""The shape of the code base: which part may import which, where each rule of the programme is
defined (once), and how long a function may grow.

These read the source, not the running portal: a second definition of a figure, or an import
against the direction of the layers, fails here before it can drift from the first.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ("sanhui", "organizations", "services", "outreach", "rollout")
MAX_FUNCTION_LINES = 80


def sources(*folders: str):
    for folder in folders or APPS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved, at any depth of the file."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _imports_any(path: Path, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        module
        for module in imported_modules(path)
        if any(module == prefix or module.startswith(prefix + ".") for prefix in forbidden)
    )


# Each rule: (the modules it applies to, the modules they may not import).
LAYERS = [
    # organizations ← services ← outreach; rollout may use all three; no app imports rollout.
    ("organizations", ("services", "outreach", "rollout")),
    ("services", ("outreach", "rollout")),
    ("outreach", ("rollout",)),
    # Inside rollout each room keeps to its own job.
    ("rollout.plan", ("rollout.indicators", "rollout.dashboards", "rollout.reports")),
    ("rollout.indicators", ("rollout.plan", "rollout.dashboards", "rollout.reports")),
    ("rollout.dashboards", ("rollout.plan", "rollout.reports")),
    ("rollout.reports", ("rollout.plan", "rollout.dashboards")),
    ("rollout.loadgen", ("rollout.plan", "rollout.indicators", "rollout.dashboards", "rollout.reports")),
]


@pytest.mark.parametrize(("layer", "forbidden"), LAYERS, ids=[layer for layer, _forbidden in LAYERS])
def test_dependencies_point_one_way(layer, forbidden):
    folder = ROOT / layer.replace(".", "/")
    offenders = {}
    for path in sorted(folder.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        found = _imports_any(path, forbidden)
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert not offenders, f"{layer} may not import {forbidden}: {offenders}"


def test_report_renderers_import_the_report_model_not_the_package_that_imports_them():
    for name in ("xlsx", "pdf", "docx", "csv", "charts", "document"):
        path = ROOT / "rollout" / "reports" / f"{name}.py"
        found = {m for m in imported_modules(path) if m.startswith("rollout.reports")}
        allowed = {"rollout.reports.model", "rollout.reports.charts", "rollout.reports.document"}
        assert {m.rsplit(".", 1)[0] if m.rsplit(".", 1)[0] in allowed else m for m in found} <= allowed, (
            name,
            found,
        )


def test_the_scan_resolves_relative_imports():
    found = imported_modules(ROOT / "rollout" / "reports" / "xlsx.py")
    assert "rollout.reports.model" in found
    assert "rollout.reports" not in found


@pytest.mark.parametrize("package", ["rollout.plan", "rollout.plan.actions", "rollout.indicators",
                                     "rollout.dashboards", "rollout.reports"])  # fmt: skip
def test_each_room_says_what_it_holds(package):
    path = ROOT / package.replace(".", "/") / "__init__.py"
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert docstring and len(docstring) > 200, package
    if package != "rollout.plan.actions":
        assert "import" in docstring, f"{package} says what it may import"


# --------------------------------------------------------------------------- one home per rule

# Names that define a programme figure; only their home module may define them.
FIGURES = {
    "town_coverage",
    "TownCoverage",
    "CoverageSummary",
    "summarize",
    "coverage_trend",
    "CONDITIONS",
    "CONDITION_LABELS",
    "activity_figures",
    "ActivityFigures",
    "activity_breakdown",
    "people_served",
    "with_people_served",
    "volunteer_hours",
    "seat_share",
    "SeatShare",
    "red_flags",
    "RedFlags",
    # The programme's records as they stood on a day.
    "overdue_on",
    "task_overdue_on",
    "task_done_on",
    "tasks_on",
    "rectification_open_on",
    "rectifications_on",
    "leaderless_associations",
}
INDICATORS = "rollout/indicators/"


def _defined_names(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name.lstrip("_"))
        elif isinstance(node, ast.Assign):
            names.update(t.id.lstrip("_") for t in node.targets if isinstance(t, ast.Name))
    return names


def _aggregated_fields(tree: ast.AST) -> set[str]:
    """Fields passed by name to Sum/Count/Avg/Max/Min anywhere in the tree."""
    fields = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"Sum", "Count", "Avg", "Max", "Min"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            fields.add(str(node.args[0].value))
    return fields


def test_programme_figures_are_defined_only_in_the_indicator_module():
    offenders = []
    for path in sources():
        relative = str(path.relative_to(ROOT))
        if relative.startswith(INDICATORS) or path.name == "demo.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name in sorted(_defined_names(tree) & FIGURES):
            offenders.append(f"{relative}: defines {name}")
        # People served: checked-in attendees, or the reported count when nobody checked in.
        if "reported_participants" in _aggregated_fields(tree):
            offenders.append(f"{relative}: aggregates reported_participants")
    assert not offenders, "\n".join(offenders)


def test_volunteer_hours_are_summed_in_one_place():
    """``services.models.hours_total`` (with ``VolunteerServiceQuerySet.counted``) is the one
    definition: the volunteer records of ``services`` and the indicators both use it, and
    ``services`` may not import ``rollout``."""
    summing = [
        str(path.relative_to(ROOT))
        for path in sources()
        if "hours" in _aggregated_fields(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert summing == ["services/models.py"]


TALLIES = "services/tallies.py"


def test_the_ledger_summaries_are_counted_in_one_place_and_summed_in_another():
    """``services.tallies`` applies the per-activity rules (check-ins, the reported fallback,
    hours) and writes the summary tables; only ``rollout.indicators`` adds them up over a period.
    A second sum of the tallies elsewhere would be a second definition of the figures."""
    tally_fields = {"checkins", "reported_people", "reported_activities", "hours_hundredths"}
    summing = sorted(
        str(path.relative_to(ROOT))
        for path in sources()
        if {
            name.rpartition("__")[2]
            for name in _aggregated_fields(ast.parse(path.read_text(encoding="utf-8")))
        }
        & tally_fields
    )
    assert summing == ["rollout/indicators/ledger.py", TALLIES]
    users = sorted(
        str(path.relative_to(ROOT))
        for path in sources()
        if any(
            isinstance(node, ast.ImportFrom)
            and {"LedgerMonth", "LedgerRegionMonth", "ActivityTally"} & {a.name for a in node.names}
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    )
    assert users == ["rollout/indicators/ledger.py", TALLIES]


def test_the_guards_find_a_second_definition():
    second = ast.parse(
        "def people_served(qs):\n    return qs.aggregate(n=Sum('reported_participants'), h=Sum('hours'))\n"
    )
    assert "people_served" in _defined_names(second)
    assert {"reported_participants", "hours"} <= _aggregated_fields(second)


# --------------------------------------------------------------------------- size


def long_functions(tree: ast.AST) -> list[tuple[str, int]]:
    return [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]


def test_no_function_is_longer_than_80_lines_outside_demo_data():
    offenders = []
    for path in sources():
        if path.name == "demo.py":  # demo data: long literal plans, read top to bottom
            continue
        for name, lines in long_functions(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{path.relative_to(ROOT)}: {name} ({lines} lines)")
    assert not offenders, "\n".join(offenders)
