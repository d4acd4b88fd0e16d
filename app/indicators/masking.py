"""Which cells of a dashboard every output masks: one call of ``app.disclosure.suppress_cells``
per population of people the dashboard counts, across all its tables at once.

A *population* is a people figure that is no part of another (``training_participants``,
``knowledge_pairs``, ``dialogue_participants``, ``team_members``, ``club_members``,
``support_given``, ``activity_participants``) with the figures that are parts of it
(``Figure.part_of``: women, ethnic minority, girls, children). Its cells are the figure's value
in the total, in each unit row, in each topic and in each row of a provider's section that
breaks it down (``IndicatorProvider.section_figures``: the ethnic groups, the attendance
groups); beside each shown part, its complement (the total of the cell minus the part: the men,
the Kinh, the boys) is an unpublished cell that is protected as well. The attacker knows who is
in which cell at the level of the provider's atoms (``Contribution.atoms``: unit row x topic x
ethnic group x woman or not for the trainings; for the rows whose parts' crossing is not
recorded, every combination their counts allow). See docs/statistics.md.
"""
from __future__ import annotations

from app import disclosure
from app.indicators.figures import FIGURES, MIN_CELL
from app.indicators.providers import product_atoms, providers

TOTAL = ("total",)


def populations() -> dict[str, list[str]]:
    """Base people figure -> its parts, in figure order."""
    out = {k: [] for k, f in FIGURES.items() if f.is_people_count and f.part_of is None}
    for key, figure in FIGURES.items():
        if figure.is_people_count and figure.part_of in out:
            out[figure.part_of].append(key)
    return out


def section_columns(dashboard) -> dict[str, dict[str, str]]:
    """Section -> figure key -> its column in the section's rows, for the sections the dashboard has."""
    out = {}
    for provider in providers():
        for name, columns in provider.section_figures.items():
            if name in dashboard.sections:
                out[name] = {key: column for column, key in columns.items()}
    return out


def dashboard_masks(dashboard) -> dict[tuple, str]:
    """{(scope, figure key): PRIMARY | SECONDARY} for the raw ``dashboard``; a scope is ``TOTAL``,
    ("row", index), ("topic", index) or (section name, index of its row)."""
    masked: dict[tuple, str] = {}
    columns = section_columns(dashboard)
    for base, parts in populations().items():
        if base not in dashboard.total:
            continue
        keys = [base, *(p for p in parts if p in dashboard.total)]
        values = {TOTAL: dashboard.total}
        values.update({("row", i): r.figures for i, r in enumerate(dashboard.rows) if base in r.figures})
        values.update({("topic", j): t for j, t in enumerate(dashboard.topics) if base in t})
        for name, by_key in columns.items():
            if base in by_key or any(p in by_key for p in keys):
                values.update({(name, g): {k: row.get(by_key[k]) for k in keys if k in by_key}
                               for g, row in enumerate(dashboard.sections[name])})
        sizes: dict[tuple, float] = {}
        for scope, figures in values.items():
            for key in keys:
                if isinstance(figures.get(key), (int, float)):
                    sizes[(scope, key)] = figures[key]
        complements = {}
        for scope, figures in values.items():
            for part in keys[1:]:
                if (scope, base) in sizes and (scope, part) in sizes:
                    complements[("not", scope, part)] = sizes[(scope, base)] - sizes[(scope, part)]
        if not any(0 < n < MIN_CELL for n in (*sizes.values(), *complements.values())):
            continue  # nothing small: nothing to mask (the common case of a province's year)
        sizes.update(complements)
        members = _members(dashboard, base, keys, values, sizes)
        breakdowns = []
        for key in keys:
            for kind in ("row", "topic", *columns):
                cells = [c for c in sizes if len(c) == 2 and c[1] == key and len(c[0]) == 2 and c[0][0] == kind]
                if cells:
                    breakdowns.append(cells)
        breakdowns += [[(scope, part), ("not", scope, part)] for (_not, scope, part) in complements]
        masked.update(disclosure.suppress_cells(sizes, members, breakdowns, unpublished=set(complements),
                                                fixed={(TOTAL, base)}, min_cell=MIN_CELL))
    return masked


def _atoms(dashboard, base: str, keys: list[str]) -> set:
    if dashboard.atoms.get(base):
        return dashboard.atoms[base]
    cells = {(path, topic, None, frozenset()) for (path, topic), counts in dashboard.cells.items() if counts.get(base)}
    if cells:
        return cells
    return {atom for r in dashboard.rows for atom in product_atoms(r.path, r.figures, base, keys[1:])}


def _members(dashboard, base: str, keys: list[str], values: dict, sizes: dict) -> dict[tuple, set]:
    """Cell -> its atoms, each atom placed once in the cells of its scopes."""
    row_of = {r.path: ("row", i) for i, r in enumerate(dashboard.rows)}
    topic_of = {t.get("topic_id"): ("topic", j) for j, t in enumerate(dashboard.topics) if "topic_id" in t}
    members: dict[tuple, set] = {cell: set() for cell in sizes}
    for atom in _atoms(dashboard, base, keys):
        path, topic, section, combo = atom
        scopes = [TOTAL, row_of.get(path), topic_of.get(topic), section]
        for scope in scopes:
            if scope not in values:
                continue
            for key in keys:
                cell = (scope, key) if key == base or key in combo else ("not", scope, key)
                if cell in members:
                    members[cell].add(atom)
    return members
