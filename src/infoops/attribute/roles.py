"""Roles of the members of a network, from what they post and who reposts whom inside it.

- core: originates content: members repost it at least twice as often as it
  reposts them (3+ times); failing a clear repost flow, at least half of its
  own activity is original (posts, replies, quotes) -- unless the network has
  a repost flow (some member reposted 3+ times by members) and no member ever
  reposts this account: the network's content is what its members boost, so an
  account whose posts nobody in it boosts does not originate it (amplifier);
- amplifier: boosts members' content (reposts them 2+ times while hardly
  reposted back), or mostly reposts;
- repurposed: an old account (created long before it joined the activity) whose
  timeline switches language mid-way: bought, hijacked or re-used (it keeps its
  core/amplifier behaviour in the reasons).
"""

from __future__ import annotations

from typing import Any

from infoops.attribute.scoring import timeline_switch

CORE_ORIGINAL_SHARE = 0.5
# members repost a core account at least this many times as often as it reposts them
CORE_FLOW_RATIO = 2.0
# reposts received from members that make a repost flow (a core account; a network with a flow)
FLOW_MIN_RECEIVED = 3
# days between account creation and first post above which a switching account counts as repurposed
REPURPOSED_MIN_AGE_DAYS = 365


def behaviour_role(
    n_posts: int, n_repost: int, made_in: int, received_in: int, network_flow: bool = False
) -> tuple[str, str]:
    """'core' or 'amplifier' with the figure behind it.

    The network's own repost flow decides first: an account the members repost
    clearly more than it reposts them originates (core); one that reposts members
    but is hardly reposted back boosts (amplifier); in a network with a repost
    flow (`network_flow`: some member is reposted 3+ times by members) one that
    no member reposts originates nothing the network boosts (amplifier).
    Otherwise the share of original posts decides.
    """
    if n_posts <= 0:
        return "amplifier", "no posts in the case"
    if received_in >= FLOW_MIN_RECEIVED and received_in >= CORE_FLOW_RATIO * made_in:
        return "core", f"reposted {received_in} times by members, reposts them {made_in} times"
    if made_in >= 2 and received_in <= 1:
        return "amplifier", f"reposts members {made_in} times, reposted by them {received_in} times"
    original = n_posts - n_repost
    if network_flow and received_in == 0:
        return "amplifier", (
            f"no member reposts it while members boost other members ({original} of {n_posts} posts original)"
        )
    if original / n_posts >= CORE_ORIGINAL_SHARE:
        return "core", f"{original} of {n_posts} posts original"
    return "amplifier", f"{n_repost} of {n_posts} posts are reposts ({made_in} of members' posts)"


def assign_role(
    cols: dict[str, list[Any]], i: int, made_in: int, received_in: int, network_flow: bool = False
) -> tuple[str, list[str]]:
    role, why = behaviour_role(
        int(cols["n_posts"][i]), int(cols["n_repost"][i]), made_in, received_in, network_flow
    )
    reasons = [f"{role}: {why}"]
    c, fp = cols["created_at"][i], cols["first_post"][i]
    old = c is not None and fp is not None and (fp - c).days >= REPURPOSED_MIN_AGE_DAYS
    if old and timeline_switch(cols, i):
        reasons.append(
            f"repurposed: created {c.date().isoformat()}, switched from {cols['early_lang'][i]} "
            f"to {cols['late_lang'][i]} (acts as {role})"
        )
        return "repurposed", reasons
    return role, reasons
