"""Suppression never leaves a count of 1-4 published or recoverable from the table's totals."""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from offramp.analysis.disclosure import SUPPRESSED, suppress, suppression_mask


def _bounds_of_hidden_small_cells(grid: np.ndarray, mask: np.ndarray) -> dict:
    """What an attacker can learn: for each hidden count of 1-4 of a table with row and column
    totals (the last row and column), the least and greatest values consistent with every published
    cell. Written independently of the implementation: one unknown per hidden cell, one equation
    per row and per column (body cells add up to the margin)."""
    hidden = [tuple(cell) for cell in np.argwhere(mask)]
    index = {cell: i for i, cell in enumerate(hidden)}
    rows, columns = grid.shape
    a_eq, b_eq = [], []
    lines = [[(r, c) for c in range(columns)] for r in range(rows)]
    lines += [[(r, c) for r in range(rows)] for c in range(columns)]
    for line in lines:
        coefficients = np.zeros(len(hidden))
        constant = 0.0
        for cell in line:
            sign = -1 if cell == line[-1] else 1
            if cell in index:
                coefficients[index[cell]] += sign
            else:
                constant -= sign * grid[cell]
        a_eq.append(coefficients)
        b_eq.append(constant)
    bounds = {}
    for cell, i in index.items():
        if not 0 < grid[cell] < 5:
            continue  # only small counts need protecting
        objective = np.zeros(len(hidden))
        objective[i] = 1
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert low.status == 0 and high.status in (0, 3)  # 3: unbounded above is safe
        bounds[cell] = (low.fun, np.inf if high.status == 3 else -high.fun)
    return bounds


def _random_tables(count: int):
    rng = np.random.default_rng(20261122)
    for _ in range(count):
        shape = tuple(rng.integers(1, 5, size=2))
        # Mostly small numbers, so most tables need primary and secondary suppression.
        yield rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 12, 30], size=shape)


def test_brute_force_no_small_count_is_published_or_pinned_down_by_totals():
    checked = 0
    for body in _random_tables(250):
        mask = suppression_mask(body, row_totals=True, column_totals=True)
        grid = np.vstack([np.column_stack([body, body.sum(1)]), np.append(body.sum(0), body.sum())])
        published = grid[~mask]
        assert not ((published > 0) & (published < 5)).any(), (body, mask)
        for cell, (low, high) in _bounds_of_hidden_small_cells(grid, mask).items():
            assert high - low >= 1 - 1e-9, (body, mask, cell, low, high)
            checked += 1
    assert checked > 120  # the random tables really exercised the rule


def test_zero_is_published_and_a_lone_small_cell_takes_a_partner_in_its_row_and_column():
    body = np.array([[0, 3, 10], [7, 9, 11]])
    mask = suppression_mask(body, row_totals=True, column_totals=True)
    assert not mask[0, 0]  # zero published
    assert mask[0, 1]  # primary
    # Row 0 (0, 3, 10 | 13): the smallest non-zero other cell is 10; column 1 (3, 9 | 12): 9.
    assert mask[0, 2] and mask[1, 1]
    # ...which leaves column 2 and row 1 with one each, so 11 goes too: a rectangle of four.
    assert mask[1, 2]
    assert mask.sum() == 4


def test_one_way_table_hides_a_second_cell_so_the_total_gives_nothing_away():
    frame = pd.DataFrame({"Kind": ["police", "school", "health"], "People": [20, 3, 9]})
    display = suppress(frame, counts=["People"])
    assert list(display["Kind"]) == ["police", "school", "health", "Total"]
    assert list(display["People"]) == [20, SUPPRESSED, SUPPRESSED, 32]


def test_rates_follow_the_count_they_come_from_and_row_totals_are_added():
    frame = pd.DataFrame(
        {"Group": ["a", "b"], "Yes": [2, 30], "No": [40, 50], "Rate": [0.05, 0.375]}
    )
    display = suppress(frame, counts=["Yes", "No"], rates={"Rate": ["Yes"]}, row_totals=True)
    assert display.loc[0, "Yes"] == SUPPRESSED and display.loc[0, "Rate"] == SUPPRESSED
    assert display.loc[0, "No"] == SUPPRESSED  # else 42 - 40 gives the 2 away
    assert display.loc[2, "Group"] == "Total" and display.loc[2, "Total"] == 122
    assert not any(
        isinstance(v, (int, np.integer)) and 0 < v < 5 for v in display.to_numpy().ravel()
    )


def test_empty_table_gets_a_zero_total_and_bad_input_is_refused():
    empty = pd.DataFrame({"Kind": pd.Series(dtype=str), "People": pd.Series(dtype="int64")})
    assert suppress(empty, counts=["People"]).to_dict("records") == [{"Kind": "Total", "People": 0}]
    with pytest.raises(KeyError, match="Missing"):
        suppress(empty, counts=["Missing"])
    with pytest.raises(ValueError, match="negative"):
        suppression_mask([[1, -1]])
