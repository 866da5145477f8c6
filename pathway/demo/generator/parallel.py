"""Living a region's care in several processes at once, for the large size.

One Python process spends most of a large load making rows (the random draws, scores and
dicts), so the load takes as long as one core can make them. Each worker here is a forked
process with its own random source, writer and database connection that lives an equal share
of the region's referrals over the same years. The shares are independent samples of the
same process, so together they follow the same distributions as one run; what differs is
only which random numbers are drawn. Ids are interleaved (context.Ids) and NHS numbers are
dealt round the workers, so nothing collides.
"""

import itertools
import multiprocessing
import multiprocessing.connection
import os
import random
import signal
import sys
import time
import traceback

from django.db import connections

from pathway.demo.generator.context import Ids


def live_in_parallel(*, workers, live, episodes, seed, ids, nhs_numbers, report, started):
    """Run `live(rng, ids, share, nhs_numbers, report)` in `workers` forked processes; return
    (rows written per model, summed; episodes lived, summed). Raises if any worker failed,
    after stopping the others."""
    # A forked child must not share the parent's socket to the database.
    connections.close_all()
    first = ids.first_free()
    waiting = {}
    for number in range(workers):
        receiver, sender = multiprocessing.Pipe(duplex=False)
        # os.fork, not multiprocessing.Process: a Process runs the parent's after-fork hooks
        # in the child, and kombu's closes the parent's broker connections, which blocks
        # forever on a socket the child inherited (seen in the test suite after a Celery
        # test). The child runs only the worker and leaves with os._exit, so nothing of the
        # parent's (its atexit handlers, its open connections) runs twice.
        pid = os.fork()
        if pid == 0:  # the worker: whatever happens, it never returns into the parent's code
            try:
                receiver.close()
                _worker(sender, live, number, workers, episodes, seed, first, nhs_numbers, report)
            finally:
                os._exit(0)
        sender.close()
        waiting[receiver] = (pid, f"generator worker {number + 1}")
    results, failures = [], []
    while waiting and not failures:
        # Whichever worker ends first is heard first, so a failure stops the others at once.
        for receiver in multiprocessing.connection.wait(list(waiting)):
            pid, name = waiting.pop(receiver)
            try:
                outcome = receiver.recv()
            except EOFError:
                outcome = ("failed", f"{name} ended without a result")
            os.waitpid(pid, 0)
            (results if outcome[0] == "done" else failures).append(outcome[1])
    for pid, _ in waiting.values():
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    if failures:
        raise RuntimeError(f"A generator worker failed:\n{failures[0]}")
    counts, lived = {}, 0
    for worker_counts, worker_episodes in results:
        lived += worker_episodes
        for model, count in worker_counts.items():
            counts[model] = counts.get(model, 0) + count
    report(f"{workers} workers lived {lived:,} episodes in {time.monotonic() - started:.0f} s")
    return counts, lived


def share_of(episodes, number, workers):
    """Worker `number`'s share of `episodes`: equal, the remainder going to the first ones."""
    return episodes // workers + (1 if number < episodes % workers else 0)


def _worker(sender, live, number, workers, episodes, seed, first, nhs_numbers, report):
    try:
        counts, lived = live(
            random.Random(f"{seed}:{number}"),
            Ids(first, offset=number, step=workers),
            share_of(episodes, number, workers),
            itertools.islice(nhs_numbers, number, None, workers),
            lambda text: report(f"[worker {number + 1}/{workers}] {text}"),
        )
        sender.send(("done", (counts, lived)))
    except BaseException:  # reported to the parent, which raises it
        sender.send(("failed", traceback.format_exc()))
    finally:
        connections.close_all()
        sender.close()
        # Output written by the worker reaches the terminal before os._exit skips the flush.
        sys.stdout.flush()
        sys.stderr.flush()
