"""The one interface through which a feature contributes figures to the indicators framework.

A feature subclasses ``IndicatorProvider`` in its own package and registers an instance from its
``init_app`` with ``app.indicators.register_provider``. The dashboard, its exports and charts,
``flask indicators``, the demo indicators and the API then read the feature's figures through it
only; the framework knows units, periods and targets, never a feature's tables.

``compute`` runs a fixed number of SQL statements for the whole subtree whatever the data, and
adds its per-unit counts up per row of the breakdown: ``row_of`` maps every unit of the subtree
(by id) to the row it counts under (the path of the child one level below, or the unit's own).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.indicators.figures import FIGURES, Figure


@dataclass
class Contribution:
    """What one provider computed for one dashboard."""

    rows: dict[str, dict]      # row path -> {figure key: value}, for every row of ``row_of``
    total: dict                # {figure key: value} for the whole subtree
    topics: list[dict] = field(default_factory=list)  # per-topic rows: {"topic_id", "name", **figures}
    # Extra breakdowns: (Dashboard attribute, key in the JSON of ``flask indicators``, rows).
    sections: list[tuple[str, str, list[dict]]] = field(default_factory=list)
    # The cross-classification of rows and topics: (row path, topic id) -> {people figure: count},
    # so that the disclosure control can check that no masked row or topic follows from the
    # other rows and topics (``app.indicators.exports.published``). Only for providers with topics.
    cells: dict[tuple[str, int], dict] = field(default_factory=dict)
    # Who is where, for the disclosure control across the tables of the dashboard: people figure
    # that others are parts of (``Figure.part_of``) -> atoms (row path, topic id or None, (section,
    # index of its row) or None, frozenset of the part figures the atom counts in). Without it the
    # atoms are assumed from the rows (``product_atoms``), or taken from ``cells``.
    atoms: dict[str, set] = field(default_factory=dict)


def product_atoms(path: str, values: dict, base: str, parts, topic=None, sections=(None,)):
    """The atoms of one row when how its parts cross is unknown (the women among the minority
    attendees of a dialogue are not written down): every combination its counts allow, i.e. an
    atom in part ``p`` when some of the row are, out of it when not all are."""
    total = values.get(base, 0)
    if not total:
        return set()
    combos = [frozenset()]
    for part in parts:
        n = values.get(part, 0)
        combos = [c | {part} for c in combos if n > 0] + [c for c in combos if n < total]
    return {(path, topic, section, combo) for section in (sections or [None]) for combo in combos}


class IndicatorProvider:
    """A feature's figure families. Override what the feature has; the defaults contribute nothing."""

    name: str = ""
    figures: tuple[Figure, ...] = ()
    # Figures whose non-zero value means a row has records in the period (rows without any are
    # hidden by default and summed up in one line in the PDF).
    record_keys: tuple[str, ...] = ()
    # Demo indicators: (code, name, unit of measure, figure key, {unit code: this year's target}).
    demo_indicators: tuple = ()
    # The provider's section of the dashboard page and of the PDF report, included in provider
    # order with the page's context (the report's with ``number``, the section's Roman numeral).
    screen_template: str | None = None
    report_template: str | None = None
    # The people figures of the provider's sections (``Contribution.sections``): section -> column
    # -> figure key, so that ``app.indicators.exports.published`` masks them with the rows (the
    # ethnic groups' "participants" break ``training_participants`` down).
    section_figures: dict[str, dict[str, str]] = {}

    # Rollups (``app.indicators.rollups``): the additive counters the provider keeps per unit ×
    # day × key, and where they come from. A provider without counters is always computed raw.
    counters: tuple = ()

    def compute(self, unit, period, today: date, row_of: dict[int, str]) -> Contribution:
        """The figures from the raw rows (the dashboard's ``raw`` mode, and the reference)."""
        raise NotImplementedError

    def compute_rollups(self, unit, period, today: date, row_of: dict[int, str]) -> Contribution:
        """The same figures from the rollups (``rollups.read``); must equal ``compute``."""
        return self.compute(unit, period, today, row_of)

    def rollup_sources(self) -> dict:
        """Model class -> function of a list of its ids returning a SELECT of (unit id, day): the
        buckets those rows count in; or a ``rollups.Source`` of such a function and the keys of
        the only counters those rows change. Every model whose rows change a counter is listed."""
        return {}

    def raw_counters(self, buckets, counters=None):
        """(unit id, day, key, counter key, value) computed from the raw rows of ``buckets``, a
        list of (unit id, day), or of every bucket when ``None``. ``counters`` (a set of counter
        keys, or None for all) says which are wanted: a provider may skip the queries of the
        others (rows of other counters are left out by the caller)."""
        return ()

    def links(self, period, today: date) -> dict[str, str]:
        """Link kind (``Figure.link``) -> address of the drill-down list over ``period``; the
        dashboard adds ``&unit_id=<id>`` for one unit."""
        return {}

    def charts(self, dashboard) -> dict:
        """Chart name -> ``app.charts.Chart`` (only those with something to show)."""
        return {}

    def sheets(self, dashboard) -> list[tuple[str, list, list[list]]]:
        """Extra XLSX sheets: (title, header, rows), aggregates only, from the published (masked)
        dashboard it is given."""
        return []

    def masked_sections(self, dashboard) -> dict[str, list[dict]]:
        """Sections (``Contribution.sections``) that need masking of their own, beyond the people
        counts of ``section_figures`` (masked by ``app.indicators.exports.published`` with the
        rest of the dashboard). Default: none."""
        return {}


_PROVIDERS: dict[str, IndicatorProvider] = {}


def register_provider(provider: IndicatorProvider) -> None:
    """Add a feature's provider (again for each application: the same object, nothing changes).
    Its figure keys join ``FIGURES``; a key already taken by another provider is an error."""
    for figure in provider.figures:
        owner = next((p.name for p in _PROVIDERS.values() if figure.key in {f.key for f in p.figures}), None)
        if owner not in (None, provider.name):
            raise ValueError(f"figure {figure.key} is already defined by {owner}")
    _PROVIDERS[provider.name] = provider
    for figure in provider.figures:
        FIGURES[figure.key] = figure


def providers() -> list[IndicatorProvider]:
    return list(_PROVIDERS.values())


def section_templates(kind: str) -> list[str]:
    """The providers' ``screen`` or ``report`` templates, in provider order."""
    return [t for provider in _PROVIDERS.values() if (t := getattr(provider, f"{kind}_template"))]


def record_keys() -> tuple[str, ...]:
    return tuple(key for provider in _PROVIDERS.values() for key in provider.record_keys)


def add_up(target: dict, values: dict, keys) -> None:
    """Add ``values`` into ``target`` for ``keys`` (the per-unit counts of a provider, per row)."""
    for key in keys:
        target[key] = target.get(key, 0) + values.get(key, 0)
