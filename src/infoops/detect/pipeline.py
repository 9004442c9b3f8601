"""`detect_case`: every signal, fusion, networks, then attribution, recorded as one run.

Results replace the previous detection results of the case (all result tables
are cleared in the same transaction that writes the new ones); the `runs`
table keeps every run's parameters and counts, and every result row carries
the `run_id` of the run that wrote it.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from infoops.detect import fusion, networks
from infoops.detect.attach import DEFAULT_ATTACH_ALPHA, attach_amplifiers, merge_attached
from infoops.detect.base import Signal
from infoops.detect.batch import DEFAULT_BATCH_ALPHA, attach_batches
from infoops.errors import InfoopsError, NothingDetected
from infoops.registry import signals
from infoops.store import Case

ProgressFn = Callable[[str, "SignalSummary | None"], None]


@dataclass
class DetectParams:
    """Parameters of a detection run (CLI defaults come from here)."""

    signals: list[str] | None = None  # None: every registered signal with default_enabled
    # None: each signal keeps its own default (co-action signals: window 60 s,
    # alpha 0.05, max_fanout 50, min_activity 2); a value applies to every
    # signal whose constructor takes that parameter
    window: float | None = None
    alpha: float | None = None
    max_fanout: int | None = None
    min_activity: int | None = None
    min_degree: int = networks.DEFAULT_MIN_DEGREE
    min_size: int = networks.DEFAULT_MIN_SIZE
    min_centrality: float = networks.DEFAULT_MIN_CENTRALITY
    resolution: float = networks.DEFAULT_RESOLUTION
    attach: bool = True  # attach amplifiers of the networks (infoops.detect.attach)
    attach_alpha: float = DEFAULT_ATTACH_ALPHA
    # attach accounts created in a network's creation batch that amplify it (infoops.detect.batch)
    attach_batch: bool = True
    batch_alpha: float = DEFAULT_BATCH_ALPHA
    seed: int = 1
    attribute: bool = True
    # per-signal overrides, e.g. {"fast_repost": {"seconds": 5}}
    signal_params: dict[str, dict[str, Any]] = field(default_factory=dict)

    def shared(self) -> dict[str, Any]:
        """Parameters passed to every signal whose constructor takes them (the ones set)."""
        shared = {
            "window": self.window,
            "alpha": self.alpha,
            "max_fanout": self.max_fanout,
            "min_activity": self.min_activity,
            "seed": self.seed,
        }
        return {k: v for k, v in shared.items() if v is not None}


@dataclass
class SignalSummary:
    name: str
    params: dict[str, Any]
    edges_raw: int
    threshold: float
    edges_kept: int
    seconds: float
    stats: dict[str, Any]


@dataclass
class DetectSummary:
    run_id: str
    signals: list[SignalSummary]
    fused_edges: int
    networks: int
    accounts_in_networks: int
    network_stats: dict[str, Any]
    attribution: dict[str, int] | None
    seconds: float

    def counts(self) -> dict[str, Any]:
        return {
            "signal_edges": sum(s.edges_kept for s in self.signals),
            "edges": self.fused_edges,
            "networks": self.networks,
            "memberships": self.accounts_in_networks,
            **{f"attribute.{k}": v for k, v in (self.attribution or {}).items()},
        }


def selected_signals(names: list[str] | None) -> list[str]:
    known = signals.names()
    if names is None:
        return sorted(n for n in known if getattr(signals.get(n), "default_enabled", True))
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InfoopsError(
            f"unknown signal(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    return list(dict.fromkeys(names))


def make_signal(name: str, params: DetectParams) -> Signal:
    """Instantiate a registered signal with the shared parameters its constructor accepts."""
    cls = signals.get(name)
    accepted = set(inspect.signature(cls).parameters)
    kwargs = {k: v for k, v in params.shared().items() if k in accepted}
    kwargs.update(params.signal_params.get(name, {}))
    obj = cls(**kwargs)
    if not isinstance(obj, Signal):
        raise InfoopsError(f"signal {name!r} is not a Signal subclass")
    return obj


def run_signals(
    case: Case, params: DetectParams, progress: ProgressFn | None = None
) -> list[tuple[Signal, SignalSummary]]:
    out = []
    for name in selected_signals(params.signals):
        sig = make_signal(name, params)
        if progress:
            progress(name, None)
        t0 = time.perf_counter()
        sig.fit(case.con)
        stats = dict(getattr(sig, "stats_", {}) or {})
        summ = SignalSummary(
            name=name,
            params=sig.get_params(),
            edges_raw=int(stats.get("edges_raw", sig.edges_.num_rows)),
            threshold=float(sig.threshold_),
            edges_kept=int(sig.edges_.num_rows),
            seconds=round(time.perf_counter() - t0, 3),
            stats=stats,
        )
        out.append((sig, summ))
        if progress:
            progress(name, summ)
    return out


def _signal_table(fitted: list[tuple[Signal, SignalSummary]]) -> pa.Table:
    parts = []
    for sig, summ in fitted:
        e = sig.edges_
        parts.append(e.append_column("signal", pa.array([summ.name] * e.num_rows, pa.string())))
    if not parts:
        return pa.table({"signal": pa.array([], pa.string()), "src": [], "dst": [], "weight": []})
    return pa.concat_tables(parts)


def detect_case(
    case: Case,
    params: DetectParams | None = None,
    priors: list[Path] | None = None,
    progress: ProgressFn | None = None,
) -> DetectSummary:
    """Run detection on a case and store the results (see module doc)."""
    params = params or DetectParams()
    priors = list(priors or [])
    if not case.has_rows("posts"):
        raise NothingDetected(f"{case.path}: the case has no posts; run 'infoops ingest' first")
    t0 = time.perf_counter()
    with case.run("detect", asdict(params), list[str | Path](priors)) as rec:
        fitted = run_signals(case, params, progress)
        sig_edges = _signal_table(fitted)
        scales = {
            s.name: fusion.scale_of(s.threshold, sig.edges_.column("weight")) for sig, s in fitted
        }
        fused = fusion.fuse(case.con, sig_edges, scales)
        if progress:
            progress("networks", None)
        nets = networks.find_networks(
            fused,
            params.min_degree,
            params.min_size,
            params.min_centrality,
            params.resolution,
            params.seed,
        )
        if params.attach:
            att = attach_amplifiers(case.con, nets.memberships, alpha=params.attach_alpha)
            nets.networks, nets.memberships = merge_attached(
                nets.networks, nets.memberships, att.memberships
            )
            nets.stats.update(att.stats)
        if params.attach_batch:
            bat = attach_batches(case.con, nets.memberships, alpha=params.batch_alpha)
            nets.networks, nets.memberships = merge_attached(
                nets.networks, nets.memberships, bat.memberships
            )
            nets.stats.update(bat.stats)
        _write(case, rec.run_id, fitted, sig_edges, fused, nets)
        attribution = _attribute(case, rec.run_id, priors) if params.attribute else None
        summary = DetectSummary(
            run_id=rec.run_id,
            signals=[s for _, s in fitted],
            fused_edges=fused.num_rows,
            networks=nets.networks.num_rows,
            accounts_in_networks=nets.memberships.num_rows,
            network_stats=nets.stats,
            attribution=attribution,
            seconds=round(time.perf_counter() - t0, 3),
        )
        rec.counts.update(summary.counts())
        rec.counts["network_stats"] = dict(summary.network_stats)
        rec.counts["signals"] = {
            s.name: {
                "edges_raw": s.edges_raw,
                "threshold": s.threshold,
                "edges_kept": s.edges_kept,
                "seconds": s.seconds,
            }
            for s in summary.signals
        }
    return summary


def _write(
    case: Case,
    run_id: str,
    fitted: list[tuple[Signal, SignalSummary]],
    sig_edges: pa.Table,
    fused: pa.Table,
    nets: networks.NetworkResult,
) -> None:
    import json

    thr = pa.table(
        {
            "signal": [s.name for _, s in fitted],
            "threshold": pa.array([s.threshold for _, s in fitted], pa.float64()),
            "method": [str(s.stats.get("method", "")) for _, s in fitted],
            "edges_raw": pa.array([s.edges_raw for _, s in fitted], pa.int64()),
            "edges_kept": pa.array([s.edges_kept for _, s in fitted], pa.int64()),
            "details": [
                json.dumps({"params": s.params, **s.stats}, default=str) for _, s in fitted
            ],
        }
    )
    con = case.con
    views = {
        "_io_w_sig": sig_edges,
        "_io_w_thr": thr,
        "_io_w_edges": fused,
        "_io_w_nets": nets.networks,
        "_io_w_mem": nets.memberships,
    }
    for name, tab in views.items():
        con.register(name, tab)
    try:
        with case.transaction():
            case.clear_results()
            if sig_edges.num_rows:
                con.execute(
                    "INSERT INTO signal_edges SELECT ?, signal, src, dst, weight, n_events, evidence "
                    "FROM _io_w_sig",
                    [run_id],
                )
            con.execute(
                "INSERT INTO signal_thresholds SELECT ?, signal, threshold, method, edges_raw, "
                "edges_kept, details::JSON FROM _io_w_thr",
                [run_id],
            )
            con.execute(
                "INSERT INTO edges SELECT ?, src, dst, weight, signal_weights FROM _io_w_edges",
                [run_id],
            )
            con.execute(
                "INSERT INTO networks SELECT ?, network_id, size, n_edges, density, signal_mix, "
                "NULL, NULL, NULL FROM _io_w_nets",
                [run_id],
            )
            con.execute(
                "INSERT INTO memberships SELECT ?, network_id, account_id, centrality, NULL, NULL, NULL "
                "FROM _io_w_mem",
                [run_id],
            )
    finally:
        for name in views:
            con.unregister(name)


def _attribute(case: Case, run_id: str, priors: list[Path]) -> dict[str, int]:
    try:
        from infoops.attribute.pipeline import attribute_case
    except ImportError as exc:
        raise InfoopsError(
            "attribution (infoops.attribute.pipeline.attribute_case) is not available in this installation "
            f"({exc}); detection results were stored -- rerun with --no-attribute to skip it"
        ) from exc
    return dict(attribute_case(case, run_id, priors))
