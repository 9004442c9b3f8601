"""`simulate()`: build the synthetic platform and write it to a folder."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from infoops import __version__
from infoops.simulate import organic as org
from infoops.simulate.params import SimParams
from infoops.simulate.platform import Platform
from infoops.simulate.writer import write_outputs

SIMULATOR_VERSION = 1
Progress = Callable[[str], None]


class Operation(Protocol):
    def post(self, pf: Platform) -> None: ...

    def mix(self, pf: Platform) -> None: ...


def _noop(_: str) -> None:
    return None


def simulate(
    out: str | Path, params: SimParams | None = None, progress: Progress = _noop
) -> dict[str, Any]:
    """Generate the platform described by `params` into `out`; returns the summary written to simulation.json."""
    p = params or SimParams()
    p.validate()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    scratch = out / ".simulate-tmp"
    shutil.rmtree(scratch, ignore_errors=True)
    started = time.perf_counter()
    pf = Platform(p, scratch)
    try:
        _generate(pf, progress)
        progress("writing CSV files")
        files = write_outputs(pf, out)
    finally:
        pf.close()
        shutil.rmtree(scratch, ignore_errors=True)
    summary = _summary(pf, files)
    (out / "simulation.json").write_text(
        json.dumps(summary, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )
    # wall time is reported to the caller but kept out of the file (same seed, same bytes)
    return {**summary, "seconds": round(time.perf_counter() - started, 2)}


def _generate(pf: Platform, progress: Progress) -> None:
    from infoops.simulate import authentic, ops_cn, ops_ru_tr

    progress("accounts")
    organic = org.add_people(pf, pf.size("organic", org.N_ORGANIC, 300), "organic")
    influencers = org.add_influencers(pf)
    casual = org.add_people(pf, pf.size("viral", org.N_CASUAL, 100), "viral", followers_median=60)
    fandom = authentic.Fandoms.create(pf)
    activists = authentic.Activists.create(pf)
    news = authentic.News.create(pf)
    pops = [
        org.population(pf, organic, org.POSTS_PER_ORGANIC),
        org.population(pf, casual, 3.0, p_orig=0.4),
        fandom.population(pf),
        activists.population(pf),
    ]
    progress("original posts")
    keep = min(1.0, 300_000 / max(1.0, 0.55 * org.N_ORGANIC * org.POSTS_PER_ORGANIC * pf.p.scale))
    for i, pop in enumerate(pops):
        org.post_originals(pf, pop, keep, tag=("organic", "viral", "fandom", "activist")[i])
    news.post(pf)
    progress("viral cascades")
    org.cascades(pf, influencers, casual, organic)
    progress("fandoms, activists")
    fandom.post(pf)
    activists.post(pf)
    progress("operations")
    ops: list[Operation] = [
        ops_cn.CnOperation.create(pf),
        ops_ru_tr.RuMedia.create(pf),
        ops_ru_tr.TrRing.create(pf),
    ]
    for op in ops:
        op.post(pf)
    progress("reposts, replies, quotes")
    for i, pop in enumerate(pops):
        org.post_interactions(pf, pop, tag=("organic", "viral", "fandom", "activist")[i])
    for op in ops:
        op.mix(pf)


def _summary(pf: Platform, files: dict[str, int]) -> dict[str, Any]:
    groups = pf.acc.col("group")
    campaign = pf.acc.col("campaign")
    dest = pf.acc.col("dest")
    keys = np.where(campaign != "", campaign, groups)
    acc_counts = {
        str(k): int(((keys == k) & (dest == "archive")).sum())
        for k in np.unique(keys[dest == "archive"])
    }
    acc_counts["prior"] = int((dest == "prior").sum())
    posts: dict[str, int] = {}
    for k, v in pf.counts.items():
        posts[k] = v
    return {
        "version": __version__,
        "simulator_version": SIMULATOR_VERSION,
        "params": pf.p.to_json(),
        "seed": pf.p.seed,
        "scale": pf.p.scale,
        "scenario": pf.p.scenario,
        "counts": {
            "accounts": acc_counts,
            "posts": posts,
            "archive_posts": sum(v for k, v in posts.items() if k.startswith("archive")),
            "prior_posts": sum(v for k, v in posts.items() if k.startswith("prior")),
            "files": files,
        },
    }
