"""Loading published networks: the CAVIAR network (Morselli) and the importer's errors."""

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from offramp.analysis.network import TIE_TYPES, TieType, build_graph, centrality
from offramp.analysis.network_import import (
    NetworkImportError,
    RowError,
    read_adjacency_matrix,
    read_edge_list,
)

# Kept beside the repository, never copied into it.
MORSELLI_CAVIAR = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "networks" / "morselli_caviar.csv"
)


@pytest.fixture(scope="module")
def caviar():
    if not MORSELLI_CAVIAR.exists():
        pytest.skip(f"the CAVIAR network is not at {MORSELLI_CAVIAR}")
    network = read_adjacency_matrix(MORSELLI_CAVIAR, tie_type=TieType.CO_OFFENDER, symmetric=False)
    graph = build_graph(network, as_of=date(2000, 1, 1))
    return network, centrality(graph)


def test_caviar_loads_110_traffickers_and_their_205_ties(caviar):
    network, _ = caviar
    assert len(network.person_ids) == 110
    assert len(network.ties) == 205
    assert network.labels[:4] == ("1", "2", "83", "3")


def test_caviar_matches_morsellis_published_centralities(caviar):
    network, measured = caviar
    label = dict(zip(measured.person_ids.tolist(), network.labels, strict=True))
    by_degree = [label[p] for p in measured.person_ids[np.argsort(-measured.degree, kind="stable")]]
    by_betweenness = label[int(measured.person_ids[np.argmax(measured.betweenness)])]
    assert by_degree[0] == "1"  # N1, Daniel Serero, the principal trafficker
    assert by_betweenness == "1"
    assert {"3", "12"} <= set(by_degree[:3])


def test_a_directed_matrix_becomes_one_tie_per_pair_weighing_both_directions(tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text('\ufeff"",a,b,c\r\na,0,2,0\r\nb,3,0,0\r\nc,0,1,0\r\n\r\n', encoding="utf-8")
    network = read_adjacency_matrix(path, tie_type=TieType.ASSOCIATE_PEER, symmetric=False)
    assert network.labels == ("a", "b", "c")
    ties = network.ties
    assert list(zip(ties.source.tolist(), ties.target.tolist(), strict=True)) == [(0, 1), (1, 2)]
    assert ties.weight.tolist() == [5.0, 1.0]
    assert {TIE_TYPES[code] for code in ties.tie_type} == {TieType.ASSOCIATE_PEER}


def test_a_symmetric_matrix_keeps_each_weight_once(tmp_path):
    path = tmp_path / "kin.csv"
    path.write_text(",x,y\nx,0,2.5\ny,2.5,0\n")
    network = read_adjacency_matrix(path, tie_type=TieType.FAMILY_SIBLING, symmetric=True)
    assert network.ties.weight.tolist() == [2.5]


def errors_from(call):
    with pytest.raises(NetworkImportError) as raised:
        call()
    return raised.value.errors


def matrix_errors(tmp_path, text, *, symmetric=True):
    path = tmp_path / "m.csv"
    path.write_text(text)
    return errors_from(
        lambda: read_adjacency_matrix(path, tie_type=TieType.PRISON, symmetric=symmetric)
    )


def test_a_non_numeric_cell_is_named_by_file_row_column_and_value(tmp_path):
    (error,) = matrix_errors(tmp_path, ",a,b\na,0,x\nb,1,0\n", symmetric=False)
    assert error == RowError(str(tmp_path / "m.csv"), 2, "b", "x", "not a number")
    assert str(error).endswith("m.csv, row 2, column 'b': 'x': not a number")


@pytest.mark.parametrize(
    ("text", "row", "column", "value", "reason"),
    [
        (",a,b\na,0,1\n", 2, "", "1 rows", "not square: 2 column labels but 1 rows"),
        (",a,b\na,0,1\nb,1\n", 3, "", "2 cells", "expected 3 cells"),
        (",a,b\na,0,1\nc,1,0\n", 3, "(row labels)", "c", "must be labelled 'b'"),
        (",a,a\na,0,1\na,1,0\n", 1, "a", "a", "used for two columns"),
        (",a,b\na,0,1\nb,2,0\n", 3, "a", "2", "asymmetric: row 'a', column 'b' holds '1'"),
        (",a,b\na,1,1\nb,1,0\n", 2, "a", "1", "cannot be tied to themselves"),
        (",a,b\na,0,-1\nb,-1,0\n", 2, "b", "-1", "must be 0 or more"),
        (",a,b\na,0,\nb,0,0\n", 2, "b", "", "empty cell: write 0 for no tie"),
        (",a,b\na,0,inf\nb,inf,0\n", 2, "b", "inf", "not a finite number"),
    ],
)
def test_matrix_errors_say_what_is_wrong(tmp_path, text, row, column, value, reason):
    error = matrix_errors(tmp_path, text)[0]
    assert (error.row, error.column, error.value) == (row, column, value)
    assert reason in error.reason


def test_every_problem_is_reported_at_once(tmp_path):
    errors = matrix_errors(tmp_path, ",a,b,c\na,0,x,y\nb,0,0,z\nc,0,0,0\n", symmetric=False)
    assert [(e.row, e.column, e.value) for e in errors] == [
        (2, "b", "x"),
        (2, "c", "y"),
        (3, "c", "z"),
    ]


def test_text_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b",a,b\na,0,1\nb,1,0\n\xe9\n")
    (error,) = errors_from(
        lambda: read_adjacency_matrix(path, tie_type=TieType.PRISON, symmetric=True)
    )
    assert (error.row, error.value) == (4, "e9")
    assert "not UTF-8" in error.reason


def test_an_edge_list_with_every_column(tmp_path):
    path = tmp_path / "ties.csv"
    path.write_text(
        "Source,Target,Weight,Tie_Type,Started,Ended,Confidence\n"
        "ann,bob,2,family_parent,2010-01-01,,high\n"
        "bob,cat,,prison,2019-03-01,2020-05-01,0.5\n"
        "cat,ann,1,,,,\n"
    )
    network = read_edge_list(path, default_tie_type=TieType.ASSOCIATE_PEER)
    ties = network.ties
    assert network.labels == ("ann", "bob", "cat")
    assert ties.source.tolist() == [0, 1, 2]
    assert ties.target.tolist() == [1, 2, 0]
    assert [TIE_TYPES[c] for c in ties.tie_type] == [
        TieType.FAMILY_PARENT,
        TieType.PRISON,
        TieType.ASSOCIATE_PEER,
    ]
    assert ties.weight.tolist() == [2.0, 1.0, 1.0]
    assert ties.confidence.tolist() == [1.0, 0.5, 1.0]
    assert [str(d) for d in ties.started] == ["2010-01-01", "2019-03-01", "NaT"]
    assert [str(d) for d in ties.ended] == ["NaT", "2020-05-01", "NaT"]


def edge_list_errors(tmp_path, text, **options):
    path = tmp_path / "e.csv"
    path.write_text(text)
    return [
        (e.row, e.column, e.value, e.reason)
        for e in errors_from(lambda: read_edge_list(path, **options))
    ]


def test_edge_list_rows_with_problems(tmp_path):
    errors = edge_list_errors(
        tmp_path,
        "source,target,weight,tie_type,started,ended,confidence\n"
        "a,b,1,cousin,,,\n"
        "a,a,0,prison,2020-13-01,,\n"
        "a,b,1,prison,2020-02-01,2020-01-01,certain\n"
        "a,b,1\n",
    )
    assert [error[:3] for error in errors] == [
        (2, "tie_type", "cousin"),
        (3, "target", "a"),
        (3, "weight", "0"),
        (3, "started", "2020-13-01"),
        (4, "ended", "2020-01-01"),
        (4, "confidence", "certain"),
        (5, "", "3 cells"),
    ]
    reasons = [error[3] for error in errors]
    assert reasons[0].startswith("unknown tie type; expected one of family_parent,")
    assert reasons[1] == "a person cannot be tied to themselves"
    assert reasons[3] == "not a date: write YYYY-MM-DD"
    assert reasons[4] == "the tie ended before it started (2020-02-01)"


def test_edge_list_headers_and_missing_types(tmp_path):
    expected = "source, target, weight, tie_type, started, ended, confidence"
    assert edge_list_errors(tmp_path, "from,target\na,b\n") == [
        (1, "from", "from", f"unknown column; expected some of {expected}"),
        (1, "source", "", "the header has no 'source' column"),
    ]
    assert edge_list_errors(tmp_path, "source,target\na,b\n") == [
        (2, "tie_type", "", "no tie type, and no default tie type was given")
    ]
    assert edge_list_errors(tmp_path, "source,target\n", default_tie_type=TieType.BUSINESS) == [
        (1, "", "", "the file has a header but no ties")
    ]
