"""Network exposure, periphery, communities and centrality over people and their ties.

No Django: arrays in, results out. Offramp uses network proximity only as a reason to offer
support, always with the path that explains it; nothing here is a score that labels a person
(docs/adr/0001). The definitions, and why each constant has its value, are in
docs/network-analysis.md.

Typical use::

    graph = build_graph(network, as_of=date.today())
    exposure = compute_exposure(graph)
    exposure.explain(person_id)        # distance, path, nearest members, factor suggestions
    periphery(exposure)                # non-members within two ties of a member
"""

from .arrays import DateArray, FloatArray
from .exports import write_gexf, write_graphml, write_i2_csv
from .exposure import Exposure, FactorSuggestion, PathStep, compute_exposure
from .graph import (
    BASE_LENGTH,
    CONFIDENCE_LEVELS,
    FADING_HALF_LIFE_YEARS,
    GUIDE_PARAGRAPH,
    NETWORK_FACTOR,
    PERIPHERY_MAX_HOPS,
    TIE_TYPES,
    MembershipRole,
    Memberships,
    Network,
    NetworkGraph,
    Ties,
    TieType,
    build_graph,
    confidence_from_levels,
    tie_lengths,
)
from .structure import centrality, communities, components, member_centrality, periphery

__all__ = [
    "BASE_LENGTH",
    "CONFIDENCE_LEVELS",
    "FADING_HALF_LIFE_YEARS",
    "GUIDE_PARAGRAPH",
    "NETWORK_FACTOR",
    "PERIPHERY_MAX_HOPS",
    "TIE_TYPES",
    "DateArray",
    "Exposure",
    "FactorSuggestion",
    "FloatArray",
    "MembershipRole",
    "Memberships",
    "Network",
    "NetworkGraph",
    "PathStep",
    "TieType",
    "Ties",
    "build_graph",
    "centrality",
    "communities",
    "components",
    "compute_exposure",
    "confidence_from_levels",
    "member_centrality",
    "periphery",
    "tie_lengths",
    "write_gexf",
    "write_graphml",
    "write_i2_csv",
]
