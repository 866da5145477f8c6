"""The performance targets (issue 9) and the verdict on a set of results."""

STAFF_PAGE_P95_MS = 250
SUBMISSION_P95_MS = 150
OUTCOMES_P95_MS = 1000
MAX_QUERIES = 15
MAX_RATIO = 2.0
# The sizes in order. "recent" is one year at the large size's yearly volume (50,000
# episodes), so large/recent isolates what ten years of history cost, at the same workload.
SIZES = ("small", "recent", "large")
ADMIN_FACTOR = 1.0  # the waiting list no slower than the admin changelist
SQL_FACTOR = 3.0  # and within 3x of its bare SQL
SWEEP_PER_S = 2000

# A GP system's referral over the FHIR API has the web form's target (issue 17).
SUBMISSIONS = ("submit_gp_referral", "submit_questionnaire", "api_referral")
REFERENCES = ("waiting_list_admin", "waiting_list_sql")
PAGES = (
    "triage_queue",
    "ttp_caseload",
    "gp_referral_list",
    "patient_timeline",
    "waiting_list",
    "activity_dashboard",
    "manager_dashboard",
    "outcomes_report",
    # A patient's episodes with the patient included, as a care record reads them over FHIR.
    "api_patient_records",
    # Their scores: every Observation, outcome questionnaires' and STarT Back's merged.
    "api_patient_scores",
    *SUBMISSIONS,
)


def page_names(results):
    present = {name for size in SIZES for name in results.get(size, {})}
    return [name for name in (*PAGES, *REFERENCES) if name in present]


def _check(verdicts, page, target, measured, passed):
    verdicts.append({"page": page, "target": target, "measured": measured, "pass": passed})


def evaluate(results):
    """([verdict], {page: large/small p95 ratio}, {page: large/recent p95 ratio}). Time
    targets are judged at the largest size measured; query counts at every size, and equal
    between sizes; the ratios when both sizes were measured."""
    verdicts, ratios, history = [], {}, {}
    sizes = [size for size in SIZES if size in results]
    if not sizes:
        return verdicts, ratios, history
    judged = results[sizes[-1]]
    for page in PAGES:
        row = judged.get(page)
        if row is None:
            continue
        if page == "outcomes_report":
            limit = OUTCOMES_P95_MS
        elif page in SUBMISSIONS:
            limit = SUBMISSION_P95_MS
        else:
            limit = STAFF_PAGE_P95_MS
        _check(
            verdicts,
            page,
            f"p95 < {limit} ms at {sizes[-1]}",
            f"{row['p95_ms']} ms",
            row["p95_ms"] < limit,
        )
        counts = {size: results[size][page]["queries"] for size in sizes if page in results[size]}
        _check(
            verdicts,
            page,
            f"queries <= {MAX_QUERIES}, equal at every size",
            ", ".join(f"{size} {n}" for size, n in counts.items()),
            max(counts.values()) <= MAX_QUERIES and len(set(counts.values())) == 1,
        )
        for base, found, label in (
            ("small", ratios, "large/small"),
            ("recent", history, "large/recent (10 years vs 1, same yearly volume)"),
        ):
            if sizes[-1] == "large" and page in results.get(base, {}):
                ratio = row["p95_ms"] / max(results[base][page]["p95_ms"], 0.1)
                found[page] = round(ratio, 2)
                _check(verdicts, page, f"p95 {label} <= {MAX_RATIO}", f"{ratio:.2f}", ratio <= 2)
    waiting = judged.get("waiting_list")
    admin, sql = judged.get("waiting_list_admin"), judged.get("waiting_list_sql")
    if waiting and admin:
        _check(
            verdicts,
            "waiting_list",
            "p50 no slower than the admin changelist",
            f"{waiting['p50_ms']} ms vs {admin['p50_ms']} ms",
            waiting["p50_ms"] <= admin["p50_ms"] * ADMIN_FACTOR,
        )
    if waiting and sql:
        _check(
            verdicts,
            "waiting_list",
            f"p50 within {SQL_FACTOR:g}x of the bare SQL",
            f"{waiting['p50_ms']} ms vs {sql['p50_ms']} ms",
            waiting["p50_ms"] <= sql["p50_ms"] * SQL_FACTOR,
        )
    sweep = next(
        (results[s]["reminder_sweep"] for s in reversed(sizes) if "reminder_sweep" in results[s]),
        None,
    )
    if sweep:
        _check(
            verdicts,
            "reminder_sweep",
            f">= {SWEEP_PER_S}/s, no duplicates, none missing",
            f"{sweep['per_s']}/s, {sweep['duplicates']} duplicates, {sweep['missing']} missing, "
            f"{sweep['requeued_by_second_sweep']} queued again",
            sweep["per_s"] >= SWEEP_PER_S
            and sweep["duplicates"] == 0
            and sweep["missing"] == 0
            and sweep["requeued_by_second_sweep"] == 0,
        )
    return verdicts, ratios, history
