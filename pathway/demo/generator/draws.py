"""Random draws the generator makes millions of times, kept cheap."""

import bisect


def pick(rng, items, cum_weights):
    """rng.choices(items, cum_weights=cum_weights)[0], with the same draw and result, without
    building a list per call (it is called millions of times in a large load)."""
    return items[bisect.bisect(cum_weights, rng.random() * cum_weights[-1], 0, len(items) - 1)]
