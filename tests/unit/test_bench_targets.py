"""The benchmark's verdicts (benchmarks/targets.py): which figure passes which target."""

from benchmarks.targets import evaluate


def _page(p95, queries=7, p50=None):
    return {"p50_ms": p50 or p95 / 2, "p95_ms": p95, "queries": queries}


def _verdicts(results):
    verdicts, ratios, history = evaluate(results)
    return {(v["page"], v["target"]): v["pass"] for v in verdicts}, ratios, history


def test_ratios_compare_large_with_small_and_with_one_recent_year():
    results = {
        "small": {"triage_queue": _page(20)},
        "recent": {"triage_queue": _page(60)},
        "large": {"triage_queue": _page(90)},
    }

    verdicts, ratios, history = _verdicts(results)

    assert ratios == {"triage_queue": 4.5}
    assert history == {"triage_queue": 1.5}
    assert verdicts[("triage_queue", "p95 large/small <= 2.0")] is False
    assert verdicts[("triage_queue", "p95 large/recent (10 years vs 1, same yearly volume) <= 2.0")]
    assert verdicts[("triage_queue", "p95 < 250 ms at large")]


def test_query_counts_must_be_equal_at_every_size_measured():
    results = {
        "small": {"triage_queue": _page(20, queries=6)},
        "recent": {"triage_queue": _page(60, queries=7)},
        "large": {"triage_queue": _page(90, queries=7)},
    }

    verdicts, _, _ = _verdicts(results)

    assert verdicts[("triage_queue", "queries <= 15, equal at every size")] is False


def test_times_are_judged_at_the_largest_size_and_the_waiting_list_against_its_references():
    results = {
        "large": {
            "waiting_list": _page(240, p50=90),
            "waiting_list_admin": _page(70, queries=4, p50=60),
            "waiting_list_sql": _page(20, queries=1, p50=30),
            "submit_gp_referral": _page(160, queries=14),
        }
    }

    verdicts, ratios, history = _verdicts(results)

    assert verdicts[("waiting_list", "p95 < 250 ms at large")]
    assert verdicts[("waiting_list", "p50 no slower than the admin changelist")] is False
    assert verdicts[("waiting_list", "p50 within 3x of the bare SQL")]
    assert verdicts[("submit_gp_referral", "p95 < 150 ms at large")] is False
    assert ratios == history == {}
