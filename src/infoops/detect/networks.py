"""From the fused account graph to networks: prune weakly embedded accounts, Leiden, describe.

1. **k-core pruning**: keep the `min_degree`-core of the fused graph (an
   account tied to the rest by a single edge is a coincidence more often than
   a member);
2. **Leiden** (igraph `community_leiden`, modularity objective, edge weights,
   `n_iterations=-1` until stable, seeded) splits the remaining graph into
   communities; those smaller than `min_size` are dropped;
3. **centrality pruning** (Luceri et al. 2024): inside each community, accounts
   whose weighted eigenvector centrality (max scaled to 1) is below
   `min_centrality` are dropped, and the community is dropped if it falls
   below `min_size`;
4. each network gets size, edges, density and signal mix (share of the fused
   weight of its internal edges coming from each signal); each member its
   centrality. Network ids are N0001, N0002, ... by decreasing size.
"""

from __future__ import annotations

import random
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DEFAULT_MIN_DEGREE = 2
DEFAULT_MIN_SIZE = 5
DEFAULT_MIN_CENTRALITY = 0.0
DEFAULT_RESOLUTION = 1.0

NETWORK_SCHEMA = pa.schema(
    [
        ("network_id", pa.string()),
        ("size", pa.int64()),
        ("n_edges", pa.int64()),
        ("density", pa.float64()),
        ("signal_mix", pa.map_(pa.string(), pa.float64())),
    ]
)
MEMBER_SCHEMA = pa.schema(
    [("network_id", pa.string()), ("account_id", pa.string()), ("centrality", pa.float64())]
)


@dataclass
class NetworkResult:
    networks: pa.Table
    memberships: pa.Table
    stats: dict[str, Any] = field(default_factory=dict)


def build_graph(edges: pa.Table) -> ig.Graph:
    """Undirected weighted igraph graph with vertex attribute `name` and edge attribute `weight`."""
    both = pa.concat_arrays(
        [edges.column("src").combine_chunks(), edges.column("dst").combine_chunks()]
    )
    names = pc.unique(both).sort() if len(both) else pa.array([], pa.string())
    src = pc.index_in(edges.column("src"), value_set=names).to_numpy(zero_copy_only=False)
    dst = pc.index_in(edges.column("dst"), value_set=names).to_numpy(zero_copy_only=False)
    g = ig.Graph(n=len(names), edges=np.column_stack([src, dst]).astype(np.int64).tolist())
    g.vs["name"] = names.to_pylist()
    g.es["weight"] = edges.column("weight").to_numpy().tolist()
    return g


def leiden(g: ig.Graph, resolution: float, seed: int) -> list[int]:
    """Seeded Leiden membership (modularity, weighted)."""
    if g.vcount() == 0:
        return []
    rng = random.Random(seed)
    ig.set_random_number_generator(rng)
    try:
        part = g.community_leiden(
            objective_function="modularity",
            weights="weight",
            resolution=resolution,
            n_iterations=-1,
        )
    finally:
        ig.set_random_number_generator(random)
    return list(part.membership)


def centrality(sub: ig.Graph) -> list[float]:
    """Weighted eigenvector centrality scaled to max 1 (1.0 for everyone in a 1-2 node graph)."""
    if sub.vcount() <= 2 or sub.ecount() == 0:
        return [1.0] * sub.vcount()
    with warnings.catch_warnings():
        # igraph warns on weakly connected communities; their near-zero scores are the point
        warnings.simplefilter("ignore", RuntimeWarning)
        vals = sub.eigenvector_centrality(weights="weight", scale=True)
    return [float(v) for v in vals]


def find_networks(
    edges: pa.Table,
    min_degree: int = DEFAULT_MIN_DEGREE,
    min_size: int = DEFAULT_MIN_SIZE,
    min_centrality: float = DEFAULT_MIN_CENTRALITY,
    resolution: float = DEFAULT_RESOLUTION,
    seed: int = 1,
) -> NetworkResult:
    """Networks and memberships (NETWORK_SCHEMA, MEMBER_SCHEMA) from fused edges."""
    g = build_graph(edges)
    stats: dict[str, Any] = {"accounts_in_graph": g.vcount(), "edges_in_graph": g.ecount()}
    if min_degree > 1 and g.vcount():
        core = np.asarray(g.coreness(), dtype=np.int64)
        g = g.induced_subgraph(np.flatnonzero(core >= min_degree).tolist())
    stats["accounts_after_kcore"] = g.vcount()
    member = leiden(g, resolution, seed)
    groups: dict[int, list[int]] = defaultdict(list)
    for v, c in enumerate(member):
        groups[c].append(v)
    found: list[tuple[list[int], list[float]]] = []
    dropped_small = dropped_central = 0
    for vs in groups.values():
        if len(vs) < min_size:
            dropped_small += len(vs)
            continue
        sub = g.induced_subgraph(vs)
        cent = centrality(sub)
        keep = [i for i, c in enumerate(cent) if c >= min_centrality]
        dropped_central += len(vs) - len(keep)
        if len(keep) < min_size:
            dropped_small += len(keep)
            continue
        found.append(([vs[i] for i in keep], [cent[i] for i in keep]))
    found.sort(key=lambda f: (-len(f[0]), min(g.vs[v]["name"] for v in f[0])))
    stats.update(
        communities=len(groups),
        accounts_in_small_communities=dropped_small,
        accounts_below_min_centrality=dropped_central,
        networks=len(found),
    )
    return _describe(g, found, stats, edges)


def _signal_mix(edges: pa.Table, label: dict[str, int], n_networks: int) -> list[dict[str, float]]:
    """Per network: each signal's share of the fused weight of its internal edges."""
    src = np.array([label.get(a, -1) for a in edges.column("src").to_pylist()], dtype=np.int64)
    dst = np.array([label.get(a, -1) for a in edges.column("dst").to_pylist()], dtype=np.int64)
    internal = (src >= 0) & (src == dst)
    maps = edges.column("signal_weights").combine_chunks()
    offsets = maps.offsets.to_numpy(zero_copy_only=False)
    net_per_entry = np.repeat(np.where(internal, src, -1), np.diff(offsets))
    flat = (
        maps.values.slice(int(offsets[0]), int(offsets[-1] - offsets[0]))
        if len(maps)
        else maps.values
    )
    keys = np.asarray(flat.field("key").to_pylist(), dtype=object)
    vals = flat.field("value").to_numpy(zero_copy_only=False)
    out: list[dict[str, float]] = [defaultdict(float) for _ in range(n_networks)]
    for i in np.flatnonzero(net_per_entry >= 0):
        out[net_per_entry[i]][keys[i]] += float(vals[i])
    return out


def _describe(
    g: ig.Graph, found: list[tuple[list[int], list[float]]], stats: dict[str, Any], edges: pa.Table
) -> NetworkResult:
    label = {g.vs[v]["name"]: i for i, (vs, _) in enumerate(found) for v in vs}
    mixes = _signal_mix(edges, label, len(found))
    nets: dict[str, list[Any]] = {k: [] for k in NETWORK_SCHEMA.names}
    mem: dict[str, list[Any]] = {k: [] for k in MEMBER_SCHEMA.names}
    for i, (vs, cent) in enumerate(found, start=1):
        nid = f"N{i:04d}"
        sub = g.induced_subgraph(vs)
        mix = mixes[i - 1]
        total = sum(mix.values()) or 1.0
        n = len(vs)
        nets["network_id"].append(nid)
        nets["size"].append(n)
        nets["n_edges"].append(sub.ecount())
        nets["density"].append(2.0 * sub.ecount() / (n * (n - 1)) if n > 1 else 0.0)
        nets["signal_mix"].append(sorted((k, v / total) for k, v in mix.items()))
        mem["network_id"].extend([nid] * n)
        mem["account_id"].extend(g.vs[v]["name"] for v in vs)
        mem["centrality"].extend(cent)
    return NetworkResult(
        networks=pa.table(nets, schema=NETWORK_SCHEMA),
        memberships=pa.table(mem, schema=MEMBER_SCHEMA),
        stats=stats,
    )
