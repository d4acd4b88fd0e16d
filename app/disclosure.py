"""Statistical disclosure control for every published table of people: which cells to mask.

A table here is a set of *breakdowns* of one population (sex, age band, village, child unit,
topic...), each a partition of the same people, published beside the population's total. A cell
under ``MIN_CELL`` people is masked (primary suppression). That alone protects nothing when the
total and the other cells of its breakdown are shown: total minus the visible cells is the masked
cell. So further cells are masked (secondary, or complementary, suppression) until:

1. in every breakdown that masks a cell, at least two non-empty cells are masked and the masked
   cells together hold at least ``MIN_CELL`` people (two masked cells of one person each would
   give their sum and sum of squares, so both scores up to their order);
2. when who is in which cell is known (``members``), no masked cell can be derived by adding and
   subtracting published cells and the total, across all breakdowns of the output: its
   membership vector over the cross-classified groups ("atoms") must not lie in the span of
   the published cells' vectors. Every figure the outputs show of a cell is additive over
   people (sums of scores, of squared scores, of counts), so this one linear audit covers them.

A cell holding the whole population is left alone: it shows nothing the total does not show.
Pure functions over plain labels and sizes: no Flask, no database, no feature imports; see
docs/statistics.md ("Masking small groups").
"""
from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence

MIN_CELL = 5
PRIMARY, SECONDARY = "primary", "secondary"

Key = tuple[Hashable, Hashable]  # (breakdown, cell label)


def suppress(sizes: Mapping[Hashable, Mapping[Hashable, float]],
             members: Mapping[Hashable, Mapping[Hashable, set]] | None = None,
             min_cell: int = MIN_CELL) -> dict[Key, str]:
    """Cells to mask: {(breakdown, label): PRIMARY | SECONDARY}.

    ``sizes``: breakdown -> label -> people in the cell (the count the threshold applies to).
    ``members``: optionally breakdown -> label -> the people (any hashable ids) in the cell, for
    the audit across breakdowns; without it only rule 1 applies (the breakdowns' overlaps are
    unknown, as for counts summed in SQL). Empty cells are never masked (an empty cell reveals
    no one and cannot hide another).
    """
    masked: dict[Key, str] = {(dim, label): PRIMARY for dim, cells in sizes.items()
                              for label, n in cells.items() if 0 < n < min_cell}
    if members is not None:
        everyone = set().union(*(m for cells in members.values() for m in cells.values()))
        whole = {k for k in masked if set(members[k[0]][k[1]]) == everyone}
        for k in whole:
            del masked[k]  # the total is published: this cell adds nothing to it
    audit = _LinearAudit(sizes, members) if members is not None else None
    while True:
        changed = _complete_breakdowns(sizes, masked, min_cell)
        if audit is not None:
            changed |= audit.close_gaps(masked)
        if not changed:
            return masked


def _by_size(sizes, dim, masked):
    """The breakdown's visible non-empty cells, smallest first (ties by label, for stable output)."""
    return sorted((n, str(label), label) for label, n in sizes[dim].items()
                  if n > 0 and (dim, label) not in masked)


def _complete_breakdowns(sizes, masked, min_cell) -> bool:
    """Rule 1: mask the smallest visible cells of a breakdown until its masked cells are at least
    two and hold at least ``min_cell`` people together."""
    changed = False
    for dim, cells in sizes.items():
        hidden = [label for label in cells if (dim, label) in masked]
        if not hidden:
            continue
        while len(hidden) < 2 or sum(cells[label] for label in hidden) < min_cell:
            visible = _by_size(sizes, dim, masked)
            if not visible:
                break
            label = visible[0][2]
            masked[(dim, label)] = SECONDARY
            hidden.append(label)
            changed = True
    return changed


class _LinearAudit:
    """Rule 2: the attacker knows every cell's size and which cells overlap (the atoms of the
    cross-classification) and solves the published sums for a masked one."""

    def __init__(self, sizes, members):
        import numpy as np  # numpy is already loaded by the statistics; kept local for the core

        self.np = np
        self.sizes = sizes
        people = sorted(set().union(*(m for cells in members.values() for m in cells.values())), key=str)
        signature = {p: tuple(next((label for label, m in cells.items() if p in m), None)
                              for cells in members.values()) for p in people}
        atoms = sorted(set(signature.values()), key=str)
        index = {a: i for i, a in enumerate(atoms)}
        self.keys: list[Key] = []
        rows = []
        for dim, cells in members.items():
            for label, m in cells.items():
                row = np.zeros(len(atoms))
                for p in m:
                    row[index[signature[p]]] = 1.0
                self.keys.append((dim, label))
                rows.append(row)
        self.vector = dict(zip(self.keys, rows))
        self.total = np.ones(len(atoms))

    def _rank(self, rows) -> int:
        return int(self.np.linalg.matrix_rank(self.np.array(rows))) if rows else 0

    def _published(self, masked):
        return [self.total, *(v for k, v in self.vector.items() if k not in masked and v.any())]

    def recoverable(self, key: Key, masked) -> bool:
        published = self._published(masked)
        return self._rank([*published, self.vector[key]]) == self._rank(published)

    def close_gaps(self, masked) -> bool:
        changed = False
        for key in [k for k in self.keys if k in masked]:
            while self.recoverable(key, masked):
                candidates = sorted(((self.sizes[d][label], d != key[0], str(d), str(label)), (d, label))
                                    for (d, label) in self.keys
                                    if (d, label) not in masked and self.vector[(d, label)].any())
                if not candidates:
                    break
                # The smallest cell whose masking stops the derivation; else the smallest one.
                pick = next((k for _, k in candidates if not self.recoverable(key, {**masked, k: SECONDARY})),
                            candidates[0][1])
                masked[pick] = SECONDARY
                changed = True
        return changed


def masked_share(cells: Mapping[Hashable, float], min_cell: int = MIN_CELL) -> set:
    """The labels of one breakdown of counts to mask (rule 1), for tables whose cells are the counts
    themselves: ``cells`` label -> count, beside their total (which is shown)."""
    return {label for (_dim, label) in suppress({None: dict(cells)}, min_cell=min_cell)}


def suppress_cells(sizes: Mapping[Hashable, float], members: Mapping[Hashable, Collection],
                   breakdowns: Iterable[Sequence[Hashable]], *, unpublished: Collection = (),
                   fixed: Collection = (), min_cell: int = MIN_CELL) -> dict[Hashable, str]:
    """Cells to mask among cells that need not form breakdowns of one kind: {cell: PRIMARY | SECONDARY}.

    For outputs that show several tables of one population, and sub-counts beside counts ("6
    people, of whom 5 women"): every cell is a set of *atoms* (``members``: cell -> the atoms it
    holds, any hashables; the attacker is assumed to know which atoms exist, not their sizes) of
    ``sizes[cell]`` people.

    - ``unpublished``: cells no output shows but anyone can compute, a shown count minus a shown
      part of it (the men beside "6 people, 5 women"). One of 1 to ``min_cell - 1`` people is
      protected like a masked cell; they are never masked themselves (nothing to mask).
    - ``breakdowns``: lists of cells that split a shown cell (rows of a table, a part and its
      complement): rule 1 of ``suppress`` applies to each, the unpublished cells counting as
      hidden ones.
    - ``fixed``: cells masked only when small themselves (the headline totals).

    Rule 2 then runs on all cells at once: no masked cell and no small unpublished cell may be
    a signed sum of the published ones.
    """
    unpublished, fixed = set(unpublished), set(fixed)
    breakdowns = [list(b) for b in breakdowns]
    small = {k for k, n in sizes.items() if 0 < n < min_cell}
    masked: dict[Hashable, str] = {k: PRIMARY for k in small if k not in unpublished}
    if not small:
        return masked
    audit = _CellAudit(sizes, members, unpublished, fixed)
    while True:
        changed = _complete_cells(sizes, breakdowns, masked, small, unpublished, fixed, min_cell)
        changed |= audit.close_gaps(masked, small)
        if not changed:
            return masked


def _complete_cells(sizes, breakdowns, masked, small, unpublished, fixed, min_cell) -> bool:
    """Rule 1 on each breakdown holding a small hidden cell: at least two hidden cells, holding at
    least ``min_cell`` people together, the smallest visible cells masked first."""
    changed = False
    for cells in breakdowns:
        if not any(k in small for k in cells):
            continue
        hidden = [k for k in cells if sizes[k] > 0 and (k in masked or k in unpublished)]
        while len(hidden) < 2 or sum(sizes[k] for k in hidden) < min_cell:
            visible = sorted((sizes[k], str(k), k) for k in cells
                             if sizes[k] > 0 and k not in masked and k not in unpublished and k not in fixed)
            if not visible:
                break
            masked[visible[0][2]] = SECONDARY
            hidden.append(visible[0][2])
            changed = True
    return changed


class _CellAudit:
    """Rule 2 of ``suppress_cells``: the published cells' vectors over the atoms (atoms that lie in
    exactly the same cells merged: that changes no sum), and who must stay out of their span."""

    TRIALS = 4  # candidate cells tried before masking the smallest that the derivation uses

    def __init__(self, sizes, members, unpublished, fixed):
        import numpy as np  # numpy is already loaded by the statistics; kept local for the core

        self.np = np
        self.keys = [k for k in sizes if k in members]
        where: dict[Hashable, list[int]] = {}
        for i, k in enumerate(self.keys):
            for atom in members[k]:
                where.setdefault(atom, []).append(i)
        columns = sorted({tuple(cells) for cells in where.values()})
        matrix = np.zeros((len(self.keys), len(columns)))
        for j, cells in enumerate(columns):
            matrix[list(cells), j] = 1.0
        self.vector = dict(zip(self.keys, matrix))
        self.sizes, self.unpublished, self.fixed = sizes, unpublished, fixed

    def _published(self, masked) -> list:
        return [k for k in self.keys if k not in masked and k not in self.unpublished and self.sizes[k] > 0
                and self.vector[k].any()]

    def _solve(self, published, targets):
        """For each target: None when it is not a sum of the published cells, else the published
        cells with a non-zero weight in the least-norm combination."""
        np = self.np
        out = {}
        if not targets:
            return out
        t = np.array([self.vector[k] for k in targets])
        if not published:
            return {k: None for k in targets}
        p = np.array([self.vector[k] for k in published])
        values, vectors = np.linalg.eigh(p @ p.T)
        keep = values > 1e-9 * max(values.max(), 1.0)
        values, vectors = values[keep], vectors[:, keep]
        weights = (vectors / values) @ (vectors.T @ (p @ t.T))  # least-norm solution per target
        residual = ((weights.T @ p - t) ** 2).sum(axis=1)
        for i, k in enumerate(targets):
            used = np.flatnonzero(np.abs(weights[:, i]) > 1e-7)
            out[k] = None if residual[i] > 1e-6 else [published[j] for j in used]
        return out

    def close_gaps(self, masked, small) -> bool:
        changed = False
        while True:
            published = self._published(masked)
            targets = [k for k in self.keys if (k in masked or (k in self.unpublished and k in small))
                       and self.vector[k].any()]
            found = {k: used for k, used in self._solve(published, targets).items() if used is not None}
            if not found:
                return changed
            key, used = next(iter(found.items()))
            candidates = sorted((self.sizes[k], str(k), k) for k in used if k not in self.fixed)
            if not candidates:  # only fixed cells give it away: mask the smallest published cell
                candidates = sorted((self.sizes[k], str(k), k) for k in published if k not in self.fixed)
            if not candidates:
                return changed
            pick = candidates[0][2]
            for _n, _label, k in candidates[:self.TRIALS]:
                rest = [c for c in published if c != k]
                if self._solve(rest, [key])[key] is None:
                    pick = k
                    break
            masked[pick] = SECONDARY
            changed = True
