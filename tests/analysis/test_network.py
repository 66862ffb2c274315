"""Network exposure, periphery, communities, centrality and exports.

Exposure is checked against NetworkX (used here only as a test oracle) on random graphs, with
the edge length re-derived from its definition in docs/network-analysis.md.
"""

import csv
import itertools
import pickle
import random
from dataclasses import dataclass
from datetime import date, timedelta

import networkx as nx
import numpy as np
import pytest

from offramp.analysis.network import (
    BASE_LENGTH,
    FADING_HALF_LIFE_YEARS,
    GUIDE_PARAGRAPH,
    NETWORK_FACTOR,
    Memberships,
    Network,
    Ties,
    TieType,
    build_graph,
    centrality,
    communities,
    components,
    compute_exposure,
    confidence_from_levels,
    member_centrality,
    periphery,
    tie_lengths,
    write_gexf,
    write_graphml,
    write_i2_csv,
)

AS_OF = date(2025, 6, 1)


@dataclass
class Tie:
    tie_id: int
    source: int
    target: int
    tie_type: TieType
    started: date | None = None
    ended: date | None = None
    confidence: float = 1.0


@dataclass
class Membership:
    person: int
    group: int
    started: date | None = None
    ended: date | None = None


def make_network(people, ties, memberships=()):
    return Network(
        person_ids=np.array(people, dtype=np.int64),
        ties=Ties.from_columns(
            source=[t.source for t in ties],
            target=[t.target for t in ties],
            tie_type=[t.tie_type.value for t in ties],
            started=[t.started for t in ties],
            ended=[t.ended for t in ties],
            confidence=[t.confidence for t in ties],
            ids=[t.tie_id for t in ties],
        ),
        memberships=Memberships.from_columns(
            person=[m.person for m in memberships],
            group=[m.group for m in memberships],
            role=["core"] * len(memberships),
            started=[m.started for m in memberships],
            ended=[m.ended for m in memberships],
        ),
    )


def a_day(rng, earliest, latest):
    return AS_OF + timedelta(days=rng.randrange(earliest, latest))


def random_case(seed, size, *, fading):
    """People with scattered ids, ties of every type (parallel ties included) and memberships.

    With fading: start and end dates before and after AS_OF, every confidence level, and
    former and future members. Without: ongoing ties and confidence 1 or 0.5, so every length
    is a multiple of 0.25 and sums are exact, which makes equally short paths comparable.
    """
    rng = random.Random(seed)
    people = rng.sample(range(10 * size), size)
    ties = []
    for tie_id in range(3 * size):
        source, target = rng.sample(people, 2)
        tie = Tie(tie_id * 7 + 3, source, target, rng.choice(list(TieType)))
        if fading:
            tie.started = rng.choice([None, a_day(rng, -6000, 0), a_day(rng, 1, 300)])
            tie.ended = rng.choice([None, None, a_day(rng, -4000, 0), a_day(rng, 1, 300)])
            if tie.started and tie.ended and tie.ended < tie.started:
                tie.started = None
            tie.confidence = rng.choice([1.0, 0.75, 0.5])
        else:
            tie.confidence = rng.choice([1.0, 0.5])
        ties.append(tie)
    memberships = [Membership(p, rng.randrange(3)) for p in rng.sample(people, max(2, size // 20))]
    if fading:
        for membership in memberships:
            membership.started = rng.choice([None, a_day(rng, -3000, 0), a_day(rng, 1, 99)])
            membership.ended = rng.choice([None, None, a_day(rng, -99, 0), a_day(rng, 1, 99)])
    return people, ties, memberships


def oracle_length(tie):
    length = BASE_LENGTH[tie.tie_type] / tie.confidence
    if tie.ended is not None and tie.ended < AS_OF:
        years = (AS_OF - tie.ended).days / 365.25
        length *= 2 ** (years / FADING_HALF_LIFE_YEARS)
    return length


def oracle_graph(people, ties):
    graph = nx.MultiGraph()
    graph.add_nodes_from(people)
    for tie in ties:
        if tie.started is None or tie.started <= AS_OF:
            graph.add_edge(tie.source, tie.target, key=tie.tie_id, weight=oracle_length(tie))
    return graph


def oracle_members(memberships):
    return sorted(
        {
            m.person
            for m in memberships
            if (m.started is None or m.started <= AS_OF) and (m.ended is None or m.ended > AS_OF)
        }
    )


def read_from(tie, person):
    """The tie's type read from `person`: the parent of a recorded child reads as parent."""
    return tie.tie_type if tie.source == person else tie.tie_type.reversed()


SIZES = [10, 60, 400, 2000]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("size", SIZES)
def test_exposure_equals_networkx_multi_source_dijkstra(size, seed):
    people, ties, memberships = random_case(seed, size, fading=True)
    members = oracle_members(memberships)
    oracle = oracle_graph(people, ties)
    distance, _ = nx.multi_source_dijkstra(oracle, members, weight="weight")
    hops = nx.multi_source_dijkstra_path_length(oracle, members, weight=lambda u, v, d: 1)
    network = make_network(people, ties, memberships)
    exposure = compute_exposure(build_graph(network, as_of=AS_OF))
    by_id = {t.tie_id: t for t in ties}

    positions = network.positions(people)
    for person, position in zip(people, positions, strict=True):
        assert exposure.distance[position] == pytest.approx(distance.get(person, np.inf))
        assert exposure.hops[position] == hops.get(person, -1)
        path = exposure.path(person)
        if person not in distance:
            assert path is None
            assert exposure.steps[position] == -1
            continue
        assert path.people[0] == person
        assert path.people[-1] in members
        assert path.people[-1] == people[exposure.nearest_member[position]]
        assert len(path.steps) == exposure.steps[position]
        assert path.length == pytest.approx(distance[person])
        for step in path.steps:
            tie = by_id[step.tie_id]
            assert {tie.source, tie.target} == {step.from_person, step.to_person}
            assert step.tie_type == read_from(tie, step.from_person)
            assert step.length == pytest.approx(
                oracle[tie.source][tie.target][tie.tie_id]["weight"]
            )


@pytest.mark.parametrize("seed", [4, 5, 6, 7])
@pytest.mark.parametrize("size", SIZES[:3])
def test_equally_short_paths_show_the_fewest_ties_and_name_every_nearest_member(size, seed):
    people, ties, memberships = random_case(seed, size, fading=False)
    members = oracle_members(memberships)
    shortest = nx.Graph()
    shortest.add_nodes_from(people)
    for tie in ties:
        length = oracle_length(tie)
        if length < shortest.get_edge_data(tie.source, tie.target, {"weight": np.inf})["weight"]:
            shortest.add_edge(tie.source, tie.target, weight=length)
    # Length first, then ties: exact in integers because every length is a multiple of 0.25.
    scale = 10**6
    for _, _, data in shortest.edges(data=True):
        data["length_then_ties"] = round(data["weight"] * 4) * scale + 1
    combined = nx.multi_source_dijkstra_path_length(shortest, members, weight="length_then_ties")
    from_member = {
        m: nx.single_source_dijkstra_path_length(shortest, m, weight="weight") for m in members
    }
    network = make_network(people, ties, memberships)
    exposure = compute_exposure(build_graph(network, as_of=AS_OF))

    for person, position in zip(people, network.positions(people), strict=True):
        if person not in combined:
            assert exposure.nearest_members(person) == ()
            continue
        assert exposure.distance[position] == combined[person] // scale / 4
        assert exposure.steps[position] == combined[person] % scale
        nearest = {m for m in members if from_member[m].get(person) == exposure.distance[position]}
        assert exposure.nearest_members(person) == tuple(sorted(nearest))


def oracle_suggestions(person, ties, members):
    """Per factor, the shortest one- or two-tie path to a member starting with that kind."""
    best = {}
    for first in ties:
        if person not in (first.source, first.target):
            continue
        near = first.target if first.source == person else first.source
        lengths = [oracle_length(first)] if near in members else []
        for second in ties:
            if near not in members and near in (second.source, second.target):
                member = second.target if second.source == near else second.source
                if member in members and member != person:
                    lengths.append(oracle_length(first) + oracle_length(second))
        factor = NETWORK_FACTOR[first.tie_type]
        if lengths:
            best[factor] = min(best.get(factor, np.inf), *lengths)
    return best


@pytest.mark.parametrize("seed", [8, 9])
def test_factor_suggestions_and_periphery_match_their_definitions(seed):
    people, ties, memberships = random_case(seed, 60, fading=False)
    members = set(oracle_members(memberships))
    hops = nx.multi_source_dijkstra_path_length(
        oracle_graph(people, ties), members, weight=lambda u, v, d: 1
    )
    network = make_network(people, ties, memberships)
    exposure = compute_exposure(build_graph(network, as_of=AS_OF))

    for person in people:
        suggestions = exposure.factor_suggestions(person)
        assert {s.factor_id: s.path.length for s in suggestions} == oracle_suggestions(
            person, ties, members
        )
        for suggestion in suggestions:
            assert suggestion.guide_paragraph == GUIDE_PARAGRAPH[suggestion.factor_id]
            assert suggestion.path.people[0] == person
            assert suggestion.path.people[-1] in members
            assert suggestion.tie_type == suggestion.path.steps[0].tie_type
        assert [s.path.length for s in suggestions] == sorted(s.path.length for s in suggestions)

    near = periphery(exposure)
    expected = {p for p in people if p not in members and 1 <= hops.get(p, -1) <= 2}
    assert {entry.person_id for entry in near} == expected
    assert all(exposure.factor_suggestions(entry.person_id) for entry in near)
    order = [(entry.distance, entry.steps, entry.person_id) for entry in near]
    assert order == sorted(order)


# A worked example. Members 1 and 2 (group 7). Person 10 is the partner of member 1 and a
# colleague of 11, who offended with member 2. 12 is 11's neighbour; 13 was 12's partner until
# four years ago. Member 1 is recorded as the parent of 14. 15 has no ties.
EXAMPLE_TIES = [
    Tie(100, 10, 1, TieType.INTIMATE_PARTNER),
    Tie(101, 10, 11, TieType.ASSOCIATE_COLLEAGUE),
    Tie(102, 11, 2, TieType.CO_OFFENDER),
    Tie(103, 12, 11, TieType.ASSOCIATE_NEIGHBOUR),
    Tie(104, 13, 12, TieType.INTIMATE_PARTNER, ended=AS_OF - timedelta(days=1461)),
    Tie(105, 1, 14, TieType.FAMILY_PARENT),
    Tie(106, 1, 2, TieType.BUSINESS),
    Tie(107, 11, 15, TieType.PRISON, started=AS_OF + timedelta(days=1)),
]
EXAMPLE_PEOPLE = [1, 2, 10, 11, 12, 13, 14, 15]


@pytest.fixture
def example():
    memberships = [Membership(1, 7), Membership(2, 7)]
    network = make_network(EXAMPLE_PEOPLE, EXAMPLE_TIES, memberships)
    return compute_exposure(build_graph(network, as_of=AS_OF))


def test_a_person_sees_each_factor_with_the_path_that_explains_it(example):
    seen = example.explain(10)
    assert not seen.is_member
    assert (seen.distance, seen.steps, seen.hops, seen.nearest_members) == (1.0, 1, 1, (1,))
    assert [(s.factor_id, s.guide_paragraph) for s in seen.factor_suggestions] == [
        ("intimate_relationships", "2.19"),
        ("associates", "2.20"),
    ]
    intimate, associates = seen.factor_suggestions
    assert intimate.path.people == (10, 1)
    assert associates.path.people == (10, 11, 2)
    assert [s.tie_id for s in associates.path.steps] == [101, 102]
    assert associates.path.length == 3.0


def test_a_family_tie_reads_from_the_person_and_suggests_the_family_factor(example):
    seen = example.explain(14)
    assert seen.path.steps[0].tie_type == TieType.FAMILY_CHILD  # 14 is the child of member 1
    assert [(s.factor_id, s.guide_paragraph) for s in seen.factor_suggestions] == [
        ("family_network", "2.18")
    ]


def test_beyond_two_ties_a_path_is_shown_but_no_factor_is_suggested(example):
    seen = example.explain(13)
    assert seen.path.people == (13, 12, 11, 2)
    assert seen.path.steps[0].length == 4.0  # ended two half-lives ago: four times as long
    assert seen.factor_suggestions == ()


def test_people_with_no_path_and_ties_not_yet_started(example):
    seen = example.explain(15)  # the prison tie starts after AS_OF
    assert (seen.distance, seen.steps, seen.hops, seen.path) == (np.inf, -1, -1, None)
    assert seen.nearest_members == ()


def test_members_are_at_distance_zero(example):
    seen = example.explain(1)
    assert (seen.is_member, seen.distance, seen.steps, seen.nearest_members) == (True, 0, 0, (1,))
    assert seen.path.people == (1,)


def test_periphery_lists_non_members_within_two_ties_nearest_first(example):
    assert [(e.person_id, e.distance, e.hops, e.nearest_member) for e in periphery(example)] == [
        (10, 1.0, 1, 1),
        (11, 1.0, 1, 2),
        (14, 1.0, 1, 1),
        (12, 4.0, 2, 2),
    ]


def test_lengths_follow_type_fading_and_confidence():
    day = timedelta(days=1)
    ties = Ties.from_columns(
        source=[1, 1, 1, 1, 1],
        target=[2, 3, 4, 5, 6],
        tie_type=["family_sibling", "associate_neighbour", "associate_peer", "prison", "business"],
        ended=[None, AS_OF - 1461 * day, AS_OF + day, AS_OF, None],
        confidence=[1.0, 1.0, 1.0, 1.0, 0.5],
    )
    assert tie_lengths(ties, as_of=AS_OF).tolist() == pytest.approx([1.0, 12.0, 1.5, 2.0, 4.0])


def test_only_current_memberships_make_members():
    memberships = [
        Membership(1, 1),
        Membership(2, 1, ended=AS_OF - timedelta(days=1)),
        Membership(3, 1, started=AS_OF + timedelta(days=1)),
        Membership(4, 1, started=AS_OF, ended=AS_OF + timedelta(days=1)),
    ]
    network = make_network([1, 2, 3, 4], [], memberships)
    assert build_graph(network, as_of=AS_OF).is_member.tolist() == [True, False, False, True]


def two_cliques_and_a_loner():
    cliques = ([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])
    pairs = [pair for clique in cliques for pair in itertools.combinations(clique, 2)]
    ties = [Tie(i, a, b, TieType.ASSOCIATE_PEER) for i, (a, b) in enumerate(pairs)]
    ties.append(Tie(99, 5, 6, TieType.ASSOCIATE_PEER))
    return build_graph(make_network(list(range(1, 12)), ties), as_of=AS_OF)


def test_components_and_seeded_leiden_communities():
    graph = two_cliques_and_a_loner()
    assert components(graph).tolist() == [0] * 10 + [1]
    found = communities(graph, seed=3)
    assert found.tolist() == [0] * 5 + [1] * 5 + [2]
    assert np.array_equal(found, communities(graph, seed=3))


def test_degree_counts_people_and_betweenness_counts_paths():
    ties = [Tie(i, 1, leaf, TieType.CO_OFFENDER) for i, leaf in enumerate([2, 3, 4, 5])]
    ties.append(Tie(9, 1, 2, TieType.BUSINESS))  # a second tie to the same person
    memberships = [Membership(p, 1) for p in (1, 2, 3)]
    graph = build_graph(make_network([1, 2, 3, 4, 5], ties, memberships), as_of=AS_OF)
    everyone = centrality(graph)
    assert everyone.degree.tolist() == [4, 1, 1, 1, 1]
    assert everyone.betweenness.tolist() == [6.0, 0, 0, 0, 0]
    members = member_centrality(graph)
    assert members.person_ids.tolist() == [1, 2, 3]
    assert (members.degree.tolist(), members.betweenness.tolist()) == ([2, 1, 1], [1.0, 0, 0])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"target": [1]}, "ties a person to themselves"),
        ({"tie_type": ["cousin"]}, "unknown tie type 'cousin'"),
        ({"confidence": [0.0]}, r"confidence is not in \(0, 1\]"),
        ({"started": ["2020-01-02"], "ended": ["2020-01-01"]}, "ended before it started"),
    ],
)
def test_bad_ties_are_refused(change, message):
    columns = {"source": [1], "target": [2], "tie_type": ["business"]} | change
    with pytest.raises(ValueError, match=message):
        Ties.from_columns(**columns)


def test_ties_must_join_known_people():
    ties = Ties.from_columns(source=[1], target=[99], tie_type=["business"])
    with pytest.raises(ValueError, match="tie target 99 is not among the people"):
        build_graph(Network(person_ids=np.array([1, 2]), ties=ties), as_of=AS_OF)
    with pytest.raises(ValueError, match="not unique"):
        Network(person_ids=np.array([1, 1]), ties=ties)


@pytest.fixture
def exported(tmp_path, example):
    graph = example.graph
    found = communities(graph)
    paths = {name: tmp_path / name for name in ("net.graphml", "net.gexf", "n.csv", "e.csv")}
    write_graphml(graph, paths["net.graphml"], exposure=example, community=found)
    write_gexf(graph, paths["net.gexf"], exposure=example, community=found)
    write_i2_csv(graph, paths["n.csv"], paths["e.csv"], exposure=example, community=found)
    return paths


def test_graphml_export_reads_back(exported):
    graph = nx.read_graphml(exported["net.graphml"])
    assert sorted(graph.nodes) == sorted(str(p) for p in EXAMPLE_PEOPLE)
    assert graph.number_of_edges() == 7  # the prison tie has not started
    assert graph.nodes["1"]["group_member"] is True
    assert graph.nodes["1"]["groups"] == "7"
    assert graph.nodes["13"]["steps_to_member"] == 3
    assert "distance_to_member" not in graph.nodes["15"]
    assert graph.edges["1", "14"]["tie_type"] == "family_parent"


def test_gexf_export_reads_back(exported):
    graph = nx.read_gexf(exported["net.gexf"])
    assert graph.number_of_nodes() == 8
    assert graph.nodes["10"]["label"] == "10"
    assert graph.nodes["10"]["nearest_member"] == 1
    edge = graph.edges["13", "12"]
    assert (edge["tie_type"], edge["ended"], edge["length"]) == (
        "intimate_partner",
        "2021-06-01",
        4.0,
    )


def test_i2_csv_export_has_the_documented_columns(exported):
    with open(exported["n.csv"], newline="") as handle:
        nodes = list(csv.DictReader(handle))
    with open(exported["e.csv"], newline="") as handle:
        edges = list(csv.DictReader(handle))
    assert list(nodes[0]) == [
        "entity_id",
        "entity_type",
        "label",
        "group_member",
        "groups",
        "roles",
        "component",
        "community",
        "distance_to_member",
        "steps_to_member",
        "nearest_member",
    ]
    assert list(edges[0]) == [
        "from_entity_id",
        "to_entity_id",
        "tie_id",
        "tie_type",
        "started",
        "ended",
        "confidence",
        "weight",
        "length",
    ]
    loner = next(row for row in nodes if row["entity_id"] == "15")
    assert (loner["entity_type"], loner["nearest_member"], loner["group_member"]) == (
        "Person",
        "",
        "false",
    )
    assert len(edges) == 7


def test_exports_are_byte_for_byte_repeatable(tmp_path, exported, example):
    again = tmp_path / "again.gexf"
    write_gexf(example.graph, again, exposure=example, community=communities(example.graph))
    assert again.read_bytes() == exported["net.gexf"].read_bytes()


def test_exported_names_survive_xml_escaping(tmp_path):
    names = ('O"Brien & Sons', "<script>", "Zoë")
    ties = Ties.from_columns(source=[0, 1], target=[1, 2], tie_type=["business", "business"])
    network = Network(person_ids=np.arange(3), ties=ties, labels=names)
    graph = build_graph(network, as_of=AS_OF)
    write_graphml(graph, tmp_path / "n.graphml")
    write_gexf(graph, tmp_path / "n.gexf")
    for read in (nx.read_graphml(tmp_path / "n.graphml"), nx.read_gexf(tmp_path / "n.gexf")):
        assert [read.nodes[str(i)]["label"] for i in range(3)] == list(names)


def test_exposure_survives_a_cache_round_trip(example):
    cached = pickle.loads(pickle.dumps(example))
    assert cached.explain(10) == example.explain(10)
    assert periphery(cached) == periphery(example)


def test_confidence_levels_become_divisors():
    assert confidence_from_levels(["high", "medium", "low"]).tolist() == [1.0, 0.75, 0.5]
    with pytest.raises(ValueError, match="unknown confidence level 'sure'"):
        confidence_from_levels(["sure"])
