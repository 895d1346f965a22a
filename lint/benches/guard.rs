//! The runtime guard under load: one guard shared by 16 threads.
//!
//! `cargo bench -p tenant-lint --bench guard` prints
//! - the cost of one check on one thread: a miss (split, parse, proof) and a hit;
//! - throughput with 16 threads over 100 000 checks of 10 000 distinct texts (a tenth
//!   of them nine checks in ten, as a service's fixed statements; the rest values
//!   formatted into the SQL), with the default cache and with a cache of 2 000;
//! - the cost of a miss under contention: 16 threads checking texts never seen before;
//! - memory: the resident set after 100 000 distinct texts through a guard with the
//!   default limit, against one that keeps none.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tenant_lint::guard::{DEFAULT_CACHE_ENTRIES, Guard};

const SCHEMA: &str = include_str!("../../fixtures/sql/schema/kpi.sql");
const CONFIG: &str = include_str!("../../fixtures/sql/tenant-lint.toml");
const THREADS: usize = 16;

fn guard(limit: usize) -> Arc<Guard> {
    Arc::new(
        Guard::new(CONFIG, &[("kpi.sql", SCHEMA)])
            .expect("the guard builds")
            .with_cache_limit(limit),
    )
}

/// A text per `i`: half bound to the tenant, half not, each with a value formatted in.
fn text(i: usize) -> String {
    if i.is_multiple_of(2) {
        format!(
            "SELECT w.work_order_id, w.status, j.job_id FROM WORK_ORDER w JOIN JOB j ON j.client_id = w.client_id AND j.work_order_id = w.work_order_id WHERE w.client_id = :client_id AND w.work_order_id = 'wo-{i}'"
        )
    } else {
        format!(
            "SELECT w.work_order_id, w.status FROM WORK_ORDER w WHERE w.work_order_id = 'wo-{i}' ORDER BY w.required_date"
        )
    }
}

#[path = "../src/guard/workload.rs"]
mod workload;

/// `checks` texts of `distinct` kinds: a tenth of them nine checks in ten.
fn workload(checks: usize, distinct: usize) -> Vec<String> {
    workload::mixed(checks, distinct, &text)
}

/// Runs `statements` through `guard` on `THREADS` threads: the wall time, and every
/// check's latency.
fn run(guard: &Arc<Guard>, statements: &[String]) -> (Duration, Vec<Duration>) {
    let chunk = statements.len().div_ceil(THREADS);
    let started = Instant::now();
    let latencies = std::thread::scope(|scope| {
        let handles: Vec<_> = statements
            .chunks(chunk)
            .map(|part| {
                let guard = guard.clone();
                scope.spawn(move || {
                    part.iter()
                        .map(|sql| {
                            let t = Instant::now();
                            let _ = std::hint::black_box(guard.check(sql));
                            t.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a thread"))
            .collect::<Vec<_>>()
    });
    (started.elapsed(), latencies)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// The resident set size in bytes (Linux), if known.
fn resident() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn main() {
    println!("tenant guard under load ({THREADS} threads share one guard)");

    // One thread: a miss and a hit.
    let alone = guard(DEFAULT_CACHE_ENTRIES);
    let mut misses: Vec<Duration> = (0..2_000)
        .map(|i| {
            let sql = text(1_000_000 + i);
            let t = Instant::now();
            let _ = std::hint::black_box(alone.check(&sql));
            t.elapsed()
        })
        .collect();
    misses.sort();
    let hot = text(1_000_000);
    let mut hits: Vec<Duration> = (0..20_000)
        .map(|_| {
            let t = Instant::now();
            let _ = std::hint::black_box(alone.check(&hot));
            t.elapsed()
        })
        .collect();
    hits.sort();
    println!(
        "one thread: a miss {:.1} µs (median; p99 {:.1} µs), a hit {:.2} µs (median)",
        micros(percentile(&misses, 0.5)),
        micros(percentile(&misses, 0.99)),
        micros(percentile(&hits, 0.5)),
    );

    // Throughput on the mixed workload.
    let statements = workload(100_000, 10_000);
    for (limit, label) in [
        (DEFAULT_CACHE_ENTRIES, "default cache (10 000)"),
        (2_000, "cache of 2 000"),
    ] {
        let mut rates = Vec::new();
        let mut p99 = Vec::new();
        for _ in 0..3 {
            let shared = guard(limit);
            let (wall, mut latencies) = run(&shared, &statements);
            latencies.sort();
            rates.push(statements.len() as f64 / wall.as_secs_f64());
            p99.push(micros(percentile(&latencies, 0.99)));
            assert!(shared.cached() <= limit);
        }
        rates.sort_by(f64::total_cmp);
        p99.sort_by(f64::total_cmp);
        println!(
            "100 000 checks, 10 000 distinct texts, {label}: {:.0} checks/s (median of 3), p99 latency {:.1} µs",
            rates[1], p99[1]
        );
    }

    // Misses under contention: every text new.
    let fresh: Vec<String> = (0..20_000).map(|i| text(2_000_000 + i)).collect();
    let shared = guard(DEFAULT_CACHE_ENTRIES);
    let (wall, mut latencies) = run(&shared, &fresh);
    latencies.sort();
    println!(
        "misses under contention: {:.0} checks/s, a miss {:.1} µs (median; p99 {:.1} µs)",
        fresh.len() as f64 / wall.as_secs_f64(),
        micros(percentile(&latencies, 0.5)),
        micros(percentile(&latencies, 0.99)),
    );

    // Memory: 100 000 distinct texts through the default limit, and through none.
    for (limit, label) in [(0, "no cache"), (DEFAULT_CACHE_ENTRIES, "default cache")] {
        let before = resident();
        let shared = guard(limit);
        let texts: Vec<String> = (0..100_000).map(|i| text(3_000_000 + i)).collect();
        let (wall, _) = run(&shared, &texts);
        drop(texts);
        let after = resident();
        let grown = match (before, after) {
            (Some(b), Some(a)) => format!("{:.1} MiB", a.saturating_sub(b) as f64 / 1048576.0),
            _ => "unknown".to_string(),
        };
        println!(
            "100 000 distinct texts, {label}: {} cached, resident set grew {grown} ({:.1} s)",
            shared.cached(),
            wall.as_secs_f64()
        );
    }
}
