"""Statistical disclosure control for published tables of counts (no Django).

Counts of 1 to 4 are suppressed (primary suppression) and shown as the ONS marker "[c]"; zero is
published, because "nobody" identifies nobody. Further cells are then suppressed (secondary, or
complementary, suppression) so that no suppressed cell can be worked out by subtracting the
published cells from the row totals, column totals and grand total. Rates and percentages worked
out from a suppressed count are suppressed with it. The method and its limits are in
docs/local-profile.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import linprog

SUPPRESSED = "[c]"
THRESHOLD = 5
TOTAL_LABEL = "Total"
LEGEND = (
    "[c]: a count of 1 to 4 people, or a figure that would let one be worked out, suppressed "
    "so that nobody can be identified (the ONS marker). Zero means nobody."
)

BoolGrid = npt.NDArray[np.bool_]
IntGrid = npt.NDArray[np.int64]


def suppression_mask(
    counts: npt.ArrayLike,
    *,
    threshold: int = THRESHOLD,
    row_totals: bool = True,
    column_totals: bool = True,
) -> BoolGrid:
    """Which cells to suppress in a 2-D table of counts, returned for the table WITH its margins.

    The returned mask has one more column when `row_totals` (each row's total) and one more row
    when `column_totals` (each column's total; with both, the corner is the grand total). Those
    margins are treated as published, so they are protected against too.
    """
    body = np.asarray(counts, dtype=np.int64)
    if body.ndim != 2:
        raise ValueError(f"counts must be a 2-D table, got {body.ndim} dimension(s)")
    if (body < 0).any():
        raise ValueError("counts must not be negative")
    grid = _with_margins(body, row_totals=row_totals, column_totals=column_totals)
    mask = (grid > 0) & (grid < threshold)
    lines = _lines(grid.shape, row_totals=row_totals, column_totals=column_totals)
    if not lines:
        return mask
    while True:
        _protect_lines(grid, mask, lines, body_shape=body.shape)
        # With one kind of total, every cell is on one line and two suppressions in a line are
        # enough (a primary cell is at least 1, so the hidden cells share a positive sum).
        # Rows and columns together can still pin a cell down; only then is it checked.
        if not (row_totals and column_totals):
            return mask
        exposed = _exposed_cell(grid, mask, lines, threshold=threshold)
        if exposed is None:
            return mask
        _suppress_neighbour(grid, mask, lines, exposed, body_shape=body.shape)


def suppress(
    table: pd.DataFrame,
    *,
    counts: Sequence[str],
    threshold: int = THRESHOLD,
    rates: Mapping[str, Sequence[str]] | None = None,
    row_totals: bool = False,
    column_totals: bool = True,
    total_label: str = TOTAL_LABEL,
) -> pd.DataFrame:
    """The display frame of `table`: margins added, small and revealing counts shown as "[c]".

    `counts` are the count columns forming the table's body; with `row_totals` they add up
    across a row (a "Total" column is added), with `column_totals` each adds up down the rows (a
    "Total" row is added, labelled in the first non-count column). `rates` maps each derived
    column (a rate, a percentage) to the counts it is worked out from: it is suppressed wherever
    any of them is. Other columns (labels, denominators from elsewhere) are left as they are.
    """
    counts = list(counts)
    missing = [c for c in [*counts, *(rates or {})] if c not in table.columns]
    if missing:
        raise KeyError(f"suppress: no column(s) {missing} in the table")
    body = table[counts].to_numpy(dtype=np.int64) if len(table) else np.zeros((0, len(counts)))
    row_totals = row_totals and len(counts) > 1
    mask = suppression_mask(
        body, threshold=threshold, row_totals=row_totals, column_totals=column_totals
    )
    display = table.reset_index(drop=True).copy()
    if row_totals:
        display[total_label] = body.sum(axis=1)
        counts.append(total_label)
    if column_totals:
        total_row: dict[str, object] = {column: "" for column in display.columns}
        labels = [c for c in display.columns if c not in counts and c not in (rates or {})]
        if labels:
            total_row[labels[0]] = total_label
        for column in counts:
            total_row[column] = display[column].sum() if len(display) else 0
        for column in rates or {}:
            total_row[column] = np.nan
        display = pd.concat([display, pd.DataFrame([total_row])], ignore_index=True)
    display = display.astype({column: object for column in [*counts, *(rates or {})]})
    for position, column in enumerate(counts):
        display.loc[mask[:, position], column] = SUPPRESSED
    for rate, sources in (rates or {}).items():
        hidden = np.zeros(len(display), dtype=bool)
        for source in sources:
            hidden |= mask[:, counts.index(source)]
        display.loc[hidden, rate] = SUPPRESSED
    return display


def _with_margins(body: IntGrid, *, row_totals: bool, column_totals: bool) -> IntGrid:
    grid = body
    if row_totals:
        grid = np.column_stack([grid, grid.sum(axis=1)])
    if column_totals:
        grid = np.vstack([grid, grid.sum(axis=0, keepdims=True)])
    return grid


def _lines(
    shape: tuple[int, ...], *, row_totals: bool, column_totals: bool
) -> list[list[tuple[int, int]]]:
    """The published equations: each line's cells, with its total last."""
    rows, columns = shape
    lines: list[list[tuple[int, int]]] = []
    if row_totals:
        lines += [[(r, c) for c in range(columns)] for r in range(rows)]
    if column_totals:
        lines += [[(r, c) for r in range(rows)] for c in range(columns)]
    return lines


def _protect_lines(
    grid: IntGrid,
    mask: BoolGrid,
    lines: list[list[tuple[int, int]]],
    *,
    body_shape: tuple[int, ...],
) -> None:
    """Until no line has exactly one suppressed cell, suppress a second cell in each such line."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [cell for cell in line if mask[cell]]
            if len(hidden) == 1:
                mask[_cheapest(grid, mask, line, body_shape=body_shape)] = True
                changed = True


def _cheapest(
    grid: IntGrid,
    mask: BoolGrid,
    cells: Sequence[tuple[int, int]],
    *,
    body_shape: tuple[int, ...],
) -> tuple[int, int]:
    """The cell whose suppression loses least: the smallest non-zero body cell, then a zero one,
    then a margin."""
    rows, columns = body_shape

    def cost(cell: tuple[int, int]) -> tuple[int, int, int]:
        in_margin = int(cell[0] >= rows or cell[1] >= columns)
        return (in_margin, int(grid[cell] == 0), int(grid[cell]))

    return min((cell for cell in cells if not mask[cell]), key=cost)


def _exposed_cell(
    grid: IntGrid,
    mask: BoolGrid,
    lines: list[list[tuple[int, int]]],
    *,
    threshold: int,
) -> tuple[int, int] | None:
    """A small suppressed cell that the published cells still pin down exactly, if any.

    Checked with a linear programme, which is exact here: the equations of a table with
    margins are totally unimodular, so the bounds are whole numbers and both are reachable.
    """
    hidden = [(int(r), int(c)) for r, c in np.argwhere(mask)]
    if not hidden:
        return None
    position = {cell: i for i, cell in enumerate(hidden)}
    equations, values = [], []
    for line in lines:
        *members, total = line
        row = np.zeros(len(hidden))
        value = 0
        for cell, sign in [(cell, 1) for cell in members] + [(total, -1)]:
            if mask[cell]:
                row[position[cell]] += sign
            else:
                value -= sign * int(grid[cell])
        if row.any():
            equations.append(row)
            values.append(value)
    if not equations:
        return None
    a_eq, b_eq = np.array(equations), np.array(values, dtype=float)
    for cell in hidden:
        if not 0 < grid[cell] < threshold:
            continue
        objective = np.zeros(len(hidden))
        objective[position[cell]] = 1
        value = int(grid[cell])
        can_rise = _below(-objective, a_eq, b_eq, -value)
        if not (can_rise or _below(objective, a_eq, b_eq, value)):
            return cell
    return None


def _below(
    objective: npt.NDArray[np.float64],
    a_eq: npt.NDArray[np.float64],
    b_eq: npt.NDArray[np.float64],
    bound: int,
) -> bool:
    """Whether objective·x can go below `bound` for hidden cells x >= 0 satisfying the published
    equations (with ±1 objectives: whether a cell can be smaller, or larger, than its value)."""
    result = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if result.status == 3:  # unbounded: a hidden total can grow without limit
        return True
    return bool(round(result.fun) < bound)


def _suppress_neighbour(
    grid: IntGrid,
    mask: BoolGrid,
    lines: list[list[tuple[int, int]]],
    cell: tuple[int, int],
    *,
    body_shape: tuple[int, ...],
) -> None:
    candidates = [other for line in lines if cell in line for other in line if not mask[other]]
    if not candidates:
        raise RuntimeError(f"cell {cell} cannot be protected: every cell beside it is suppressed")
    mask[_cheapest(grid, mask, candidates, body_shape=body_shape)] = True
