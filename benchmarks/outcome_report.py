"""Benchmark: the outcome report's aggregates three ways, timed in the same run.

    .venv/bin/python benchmarks/outcome_report.py [--patients 100000] [--repeats 3]

Data: a seeded synthetic cohort (ketacare.simulation) of 100,000 patients with ≈ 2,000,000
scores. Aggregates (GAD-7): response/remission counts by route × session number; the
sessions-to-first-response histogram; the Kaplan–Meier relapse table after loading (relapse
confirmed by two consecutive check-ins); adverse-event counts per route.

Columns: ours (ketacare.analytics.core, vectorised NumPy), a straightforward pandas groupby
version, and one DuckDB SQL query per aggregate over the same in-memory frames. Each runs in a
fresh child process; time is the best of ``--repeats`` runs after one warm-up. Memory: the
child's peak RSS during the warm-up run (the kernel's high-water mark, reset after the data is
loaded) minus its RSS before it — this counts DuckDB's native allocations too — and
tracemalloc's peak (Python/NumPy allocations only; DuckDB's own memory is invisible to it).
The three results are compared and must agree exactly. Writes
benchmarks/results/outcome_report.txt.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import os
import pickle
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ketacare.analytics.core import (
    baseline_per_patient,
    counts_by_session,
    dense_codes,
    first_response_session,
    lookup_codes,
    post_session_outcomes,
    relapse_durations,
    select_rows,
)
from ketacare.analytics.definitions import OutcomeDefinitions
from ketacare.analytics.stats import kaplan_meier
from ketacare.simulation import CohortConfig, simulate_cohort

INSTRUMENT = "GAD-7"
EVENTS = ("nausea", "dissociation", "sedation", "large_bp_rise")
DEFS = OutcomeDefinitions()
Result = dict[str, pd.DataFrame]


# --- ours: NumPy scatter/gather ---------------------------------------------------------------


def ours(scores: pd.DataFrame, sessions: pd.DataFrame, patients: pd.DataFrame) -> Result:
    (codes, s_codes), ids = dense_codes(
        scores["patient_id"].to_numpy(), sessions["patient_id"].to_numpy()
    )
    n = ids.size
    rows = select_rows(codes, scores, INSTRUMENT)
    base = baseline_per_patient(rows, n)
    post = post_session_outcomes(rows, base, DEFS)
    routes = list(patients["route"].cat.categories)
    route_of = np.full(n, -1, dtype=np.int64)
    route_of[lookup_codes(patients["patient_id"].to_numpy(), ids)] = patients["route"].cat.codes
    c = counts_by_session(post, route_of, len(routes))
    g, k = np.nonzero(c.n_at_risk)
    by_session = pd.DataFrame(
        {
            "route": np.asarray(routes)[g],
            "session_number": k,
            "n_at_risk": c.n_at_risk[g, k],
            "responders": c.responders[g, k],
            "remission_eligible": c.remission_eligible[g, k],
            "remitters": c.remitters[g, k],
        }
    )
    first, seen = first_response_session(post, n)
    hist = np.bincount(first[seen & (first > 0)])
    k1 = np.flatnonzero(hist)
    first_response = pd.DataFrame({"sessions": k1, "patients": hist[k1]})
    rel = relapse_durations(rows, base, s_codes, sessions, n, DEFS)
    km = kaplan_meier(rel.duration_days, rel.relapsed)
    relapse = pd.DataFrame(
        {
            "duration_days": km.timeline,
            "at_risk": km.at_risk,
            "events": km.events,
            "survival": km.survival,
        }
    )
    s_route = sessions["route"].cat.codes.to_numpy()
    ae = {"route": routes, "sessions": np.bincount(s_route, minlength=len(routes))}
    for e in EVENTS:
        ae[e] = np.bincount(s_route, weights=sessions[e].to_numpy(), minlength=len(routes))
    return _normalise(
        {
            "by_session": by_session,
            "first_response": first_response,
            "relapse": relapse,
            "adverse": pd.DataFrame(ae),
        }
    )


# --- a straightforward pandas version -----------------------------------------------------------


def with_pandas(scores: pd.DataFrame, sessions: pd.DataFrame, patients: pd.DataFrame) -> Result:
    g = scores[scores["instrument"] == INSTRUMENT]
    base = g[g["session_number"] == 0][["patient_id", "score"]].rename(columns={"score": "base"})
    post = g[g["session_number"] >= 1].merge(base, on="patient_id")
    post = post[post["base"] > 0].merge(patients[["patient_id", "route"]], on="patient_id")
    post["responded"] = post["score"] <= 0.5 * post["base"]
    post["eligible"] = post["base"] >= 10
    post["remitted"] = post["eligible"] & (post["score"] < 5)
    by_session = (
        post.groupby(["route", "session_number"], observed=True)
        .agg(
            n_at_risk=("patient_id", "size"),
            responders=("responded", "sum"),
            remission_eligible=("eligible", "sum"),
            remitters=("remitted", "sum"),
        )
        .reset_index()
    )
    first = post[post["responded"]].groupby("patient_id")["session_number"].min()
    first_response = first.value_counts().rename_axis("sessions").reset_index(name="patients")

    loading = (
        sessions[sessions["phase"] == "loading"]
        .groupby("patient_id")
        .agg(end_day=("day", "max"), n_loading=("session_number", "max"))
    )
    booster = sessions[sessions["phase"] == "booster"].groupby("patient_id")["day"].min()
    loading["booster_day"] = booster.reindex(loading.index).fillna(np.inf)
    g2 = g.merge(base, on="patient_id").merge(loading, left_on="patient_id", right_index=True)
    end = g2[(g2["session_number"] == g2["n_loading"]) & (g2["base"] > 0)]
    responders = end.loc[end["score"] <= 0.5 * end["base"], "patient_id"]
    chk = g2[
        g2["session_number"].isna()
        & (g2["day"] > g2["end_day"])
        & (g2["day"] <= g2["booster_day"])
        & g2["patient_id"].isin(responders)
    ]
    chk = chk.sort_values(["patient_id", "day"])
    chk["lost"] = chk["score"] > 0.5 * chk["base"]
    chk["confirmed"] = chk["lost"] & chk.groupby("patient_id")["lost"].shift(-1, fill_value=False)
    per = chk.groupby("patient_id").agg(end_day=("end_day", "first"), last=("day", "max"))
    per["event"] = chk[chk["confirmed"]].groupby("patient_id")["day"].min()
    per["relapsed"] = per["event"].notna()
    per["duration_days"] = per["event"].fillna(per["last"]) - per["end_day"]
    lt = per.groupby("duration_days").agg(removed=("relapsed", "size"), events=("relapsed", "sum"))
    lt["at_risk"] = len(per) - lt["removed"].cumsum().shift(fill_value=0)
    lt["survival"] = (1 - lt["events"] / lt["at_risk"]).cumprod()
    relapse = lt.reset_index()[["duration_days", "at_risk", "events", "survival"]]

    ae = (
        sessions.groupby("route", observed=False)
        .agg(sessions=("patient_id", "size"), **{e: (e, "sum") for e in EVENTS})
        .reset_index()
    )
    return _normalise(
        {
            "by_session": by_session,
            "first_response": first_response,
            "relapse": relapse,
            "adverse": ae,
        }
    )


# --- DuckDB SQL ---------------------------------------------------------------------------------

SQL_BASE = f"""
WITH g AS (SELECT * FROM scores WHERE instrument = '{INSTRUMENT}'),
base AS (SELECT patient_id, score AS base FROM g WHERE session_number = 0),
post AS (
  SELECT g.patient_id, g.session_number, g.score, base.base, p.route
  FROM g JOIN base USING (patient_id) JOIN patients p USING (patient_id)
  WHERE g.session_number >= 1 AND base.base > 0)
"""
SQL_BY_SESSION = (
    SQL_BASE
    + """
SELECT route::VARCHAR AS route, session_number, count(*) AS n_at_risk,
       count(*) FILTER (WHERE score <= 0.5 * base) AS responders,
       count(*) FILTER (WHERE base >= 10) AS remission_eligible,
       count(*) FILTER (WHERE base >= 10 AND score < 5) AS remitters
FROM post GROUP BY ALL"""
)
SQL_FIRST = (
    SQL_BASE
    + """
SELECT sessions, count(*) AS patients FROM (
  SELECT patient_id, min(session_number) AS sessions FROM post
  WHERE score <= 0.5 * base GROUP BY patient_id) GROUP BY sessions"""
)
SQL_RELAPSE = f"""
WITH g AS (SELECT * FROM scores WHERE instrument = '{INSTRUMENT}'),
base AS (SELECT patient_id, score AS base FROM g WHERE session_number = 0 AND score > 0),
loading AS (SELECT patient_id, max(day) AS end_day, max(session_number) AS n_loading
            FROM sessions WHERE phase = 'loading' GROUP BY patient_id),
booster AS (SELECT patient_id, min(day) AS booster_day FROM sessions
            WHERE phase = 'booster' GROUP BY patient_id),
resp AS (SELECT l.patient_id, l.end_day, coalesce(b.booster_day, 'infinity'::DOUBLE) AS booster_day,
                base.base
         FROM loading l JOIN base USING (patient_id) LEFT JOIN booster b USING (patient_id)
         JOIN g ON g.patient_id = l.patient_id AND g.session_number = l.n_loading
         WHERE g.score <= 0.5 * base.base),
chk AS (SELECT g.patient_id, g.day, r.end_day, g.score > 0.5 * r.base AS lost
        FROM g JOIN resp r USING (patient_id)
        WHERE g.session_number IS NULL AND g.day > r.end_day AND g.day <= r.booster_day),
runs AS (SELECT *, lost AND coalesce(lead(lost) OVER (PARTITION BY patient_id ORDER BY day), false)
                  AS confirmed FROM chk),
per AS (SELECT patient_id, coalesce(min(day) FILTER (WHERE confirmed), max(day)) - min(end_day)
               AS duration_days, bool_or(confirmed) AS relapsed FROM runs GROUP BY patient_id),
lt AS (SELECT duration_days, count(*) AS removed, count(*) FILTER (WHERE relapsed) AS events
       FROM per GROUP BY duration_days),
risk AS (SELECT duration_days, events, (SELECT count(*) FROM per)
              - coalesce(sum(removed) OVER (ORDER BY duration_days
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS at_risk FROM lt)
SELECT duration_days, at_risk, events,
       product(1 - events / at_risk) OVER (ORDER BY duration_days
         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS survival
FROM risk"""
SQL_ADVERSE = f"""
SELECT route::VARCHAR AS route, count(*) AS sessions,
       {", ".join(f"count(*) FILTER (WHERE {e}) AS {e}" for e in EVENTS)}
FROM sessions GROUP BY ALL"""


def with_duckdb(scores: pd.DataFrame, sessions: pd.DataFrame, patients: pd.DataFrame) -> Result:
    import duckdb

    con = duckdb.connect()
    con.register("scores", scores)
    con.register("sessions", sessions)
    con.register("patients", patients)
    out = {
        name: con.sql(sql).df()
        for name, sql in (
            ("by_session", SQL_BY_SESSION),
            ("first_response", SQL_FIRST),
            ("relapse", SQL_RELAPSE),
            ("adverse", SQL_ADVERSE),
        )
    }
    con.close()
    return _normalise(out)


# --- harness ------------------------------------------------------------------------------------


def _normalise(result: Result) -> Result:
    keys = {
        "by_session": ["route", "session_number"],
        "first_response": ["sessions"],
        "relapse": ["duration_days"],
        "adverse": ["route"],
    }
    out = {}
    for name, frame in result.items():
        f = frame.copy()
        for col in f.columns:
            if isinstance(f[col].dtype, pd.CategoricalDtype) or f[col].dtype == object:
                f[col] = f[col].astype(str)
            elif col != "survival":
                f[col] = f[col].astype(np.float64)
        out[name] = f.sort_values(keys[name]).reset_index(drop=True)
    return out


IMPLEMENTATIONS: dict[str, Callable[[pd.DataFrame, pd.DataFrame, pd.DataFrame], Result]] = {
    "ours (NumPy)": ours,
    "pandas groupby": with_pandas,
    "DuckDB SQL": with_duckdb,
}


def _status_mb(field: str) -> float | None:
    """VmRSS / VmHWM from /proc/self/status (Linux), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (Linux ≥ 4.0) so the next peak is this run's own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_rss_mb() -> float:
    hwm = _status_mb("VmHWM")
    if hwm is not None:
        return hwm
    scale = 1.0 if sys.platform == "darwin" else 1024.0  # ru_maxrss: bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e6


def _child(name: str, path: str, repeats: int, queue: Any) -> None:
    with open(path, "rb") as fh:
        scores, sessions, patients = pickle.load(fh)
    fn = IMPLEMENTATIONS[name]
    gc.collect()
    _reset_peak_rss()
    rss_loaded = _status_mb("VmRSS") or _peak_rss_mb()
    result = fn(scores, sessions, patients)  # warm-up (imports, caches); its peak RSS is measured
    rss_peak = _peak_rss_mb()
    tracemalloc.start()
    fn(scores, sessions, patients)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(scores, sessions, patients)
        times.append(time.perf_counter() - t0)
    queue.put(
        {
            "name": name,
            "best_s": min(times),
            "median_s": float(np.median(times)),
            "rss_extra_mb": rss_peak - rss_loaded,
            "rss_peak_mb": rss_peak,
            "traced_peak_mb": traced_peak / 1e6,
            "result": result,
        }
    )


def _compare(a: Result, b: Result) -> list[str]:
    problems = []
    for key in a:
        x, y = a[key], b[key]
        if list(x.columns) != list(y.columns) or len(x) != len(y):
            problems.append(f"{key}: shape/columns differ {x.shape} vs {y.shape}")
            continue
        for col in x.columns:
            if x[col].dtype == object:
                same = bool((x[col] == y[col]).all())
            else:
                same = bool(np.allclose(x[col], y[col], rtol=1e-9, atol=1e-12))
            if not same:
                problems.append(f"{key}.{col} differs")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument(
        "--out", default=str(Path(__file__).parent / "results" / "outcome_report.txt")
    )
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    # Fortnightly check-ins over 6 weeks: ≈ 20 scores per patient (2 instruments).
    config = CohortConfig(followup_days=42, checkin_interval_days=14.0)
    cohort = simulate_cohort(args.patients, args.seed, config=config)
    generate_s = time.perf_counter() - t0
    frames = (cohort.scores, cohort.sessions, cohort.patients)
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "frames.pkl")
        with open(path, "wb") as fh:
            pickle.dump(frames, fh, protocol=pickle.HIGHEST_PROTOCOL)
        runs = []
        for name in IMPLEMENTATIONS:
            queue = ctx.Queue()
            proc = ctx.Process(target=_child, args=(name, path, args.repeats, queue))
            proc.start()
            runs.append(queue.get())
            proc.join()

    reference = runs[0]["result"]
    agreement = {r["name"]: _compare(reference, r["result"]) for r in runs[1:]}
    lines = _report(args, cohort, generate_s, runs, agreement)
    text = "\n".join(lines) + "\n"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    print(text)
    return 0 if not any(agreement.values()) else 1


def _report(
    args: argparse.Namespace,
    cohort: Any,
    generate_s: float,
    runs: list[dict[str, Any]],
    agreement: dict[str, list[str]],
) -> list[str]:
    import duckdb

    ref = runs[0]["result"]
    lines = [
        "Outcome-report aggregates: ours vs pandas vs DuckDB (same run, same data)",
        f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"duckdb {duckdb.__version__}, {os.cpu_count()} CPU(s), {platform.machine()}",
        f"data: {len(cohort.patients):,} patients, {len(cohort.scores):,} scores, "
        f"{len(cohort.sessions):,} sessions (seed {args.seed}; generated in {generate_s:.1f} s)",
        f"timing: best of {args.repeats} after a warm-up, each implementation in its own process",
        "",
        f"{'implementation':<16} {'best s':>8} {'median s':>9} {'vs DuckDB':>10} "
        f"{'peak RSS MB':>12} {'+MB over data':>14} {'tracemalloc MB':>15}",
    ]
    duck = next(r for r in runs if r["name"] == "DuckDB SQL")["best_s"]
    for r in runs:
        lines.append(
            f"{r['name']:<16} {r['best_s']:>8.3f} {r['median_s']:>9.3f} "
            f"{r['best_s'] / duck:>9.2f}x {r['rss_peak_mb']:>12.0f} "
            f"{r['rss_extra_mb']:>14.0f} "
            f"{r['traced_peak_mb']:>15.0f}"
        )
    lines += ["", "agreement with ours:"]
    for name, problems in agreement.items():
        lines.append(f"  {name}: {'identical numbers' if not problems else '; '.join(problems)}")
    km = ref["relapse"]
    median = km.loc[km["survival"] <= 0.5, "duration_days"]
    lines += [
        "",
        "headline numbers (ours):",
        f"  rows by route x session: {len(ref['by_session'])}; "
        f"patients who responded: {int(ref['first_response']['patients'].sum()):,}",
        f"  relapse: {int(km['at_risk'].iloc[0]):,} responders followed, "
        f"{int(km['events'].sum()):,} relapses, median "
        f"{median.iloc[0] if len(median) else float('inf'):.0f} days",
        f"  adverse-event sessions: {int(ref['adverse']['sessions'].sum()):,}",
    ]
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
