//! `cargo bench -p kpi-ops`: the reference application's figures.
//!
//! - seeding 50 clients × 365 days into a database file (rows per second);
//! - each KPI over the 50 clients of an ADMIN scope, last 30 days (median latency);
//! - the runtime guard's overhead on the KPI workload: the statements the 18 KPIs run,
//!   with the values they ran with, replayed through the guarded connection and through
//!   raw rusqlite (`prepare_cached`, bind, step every row, read every column), in
//!   alternating rounds; the median of the per-round ratios;
//! - what the guard costs per statement: its first check (parse and proof) and a
//!   cached check.
//!
//! `KPI_BENCH_CLIENTS` and `KPI_BENCH_DAYS` change the data size (CI runs a small one).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kpi_ops::date::Date;
use kpi_ops::kpi::{self, Kpi, Options, Window};
use kpi_ops::seed::{self, SeedOptions};
use kpi_ops::{Db, Role, TenantScope};
use rusqlite::ToSql;
use tenant_lint::guard::{Executed, Guard};

fn env_u32(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let clients = env_u32("KPI_BENCH_CLIENTS", 50);
    let days = env_u32("KPI_BENCH_DAYS", 365);
    let until: Date = "2026-06-30".parse().unwrap();
    let dir = std::env::temp_dir().join(format!("kpi-ops-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    // Seeding, three times into fresh files.
    println!("seeding {clients} clients × {days} days (database file, one transaction)");
    let mut rates = Vec::new();
    let mut path = dir.join("seed-0.sqlite");
    for run in 0..3 {
        path = dir.join(format!("seed-{run}.sqlite"));
        let db = Db::open(&path).unwrap();
        let started = Instant::now();
        let report = seed::seed(
            &db,
            SeedOptions {
                clients,
                days,
                until,
                seed: 7,
            },
        )
        .unwrap();
        let seconds = started.elapsed().as_secs_f64();
        let rate = report.rows as f64 / seconds;
        println!(
            "  run {run}: {} rows in {seconds:.2} s = {rate:.0} rows/s",
            report.rows
        );
        rates.push(rate);
    }
    println!("  median: {:.0} rows/s", median(rates));

    // KPI latency over every client.
    let mut db = Db::open(&path).unwrap();
    let names: Vec<String> = (1..=clients).map(seed::client_id).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let admin = TenantScope::for_clients("admin", Role::Admin, &refs).unwrap();
    let window = Window::new(Some(until.add_days(-29)), Some(until)).unwrap();
    println!("\nKPI latency, ADMIN scope of {clients} clients, 30-day window (median of 11 runs)");
    let mut total = 0.0;
    for kpi in Kpi::ALL {
        let mut runs = Vec::new();
        for _ in 0..11 {
            let started = Instant::now();
            let report = kpi::compute(&db, &admin, kpi, window, Options::default()).unwrap();
            runs.push(ms(started.elapsed()));
            std::hint::black_box(report);
        }
        let m = median(runs);
        total += m;
        println!("  {:<16} {m:>8.2} ms", kpi.name());
    }
    println!("  {:<16} {total:>8.2} ms", "all 18");

    // The KPI workload's statements, recorded once with their values.
    let seen: Arc<Mutex<Vec<Executed>>> = Arc::default();
    let sink = seen.clone();
    db.conn_mut()
        .set_observer(Some(Arc::new(move |e: &Executed| {
            sink.lock().unwrap().push(e.clone())
        })));
    for kpi in Kpi::ALL {
        kpi::compute(&db, &admin, kpi, window, Options::default()).unwrap();
    }
    db.conn_mut().set_observer(None);
    let workload = seen.lock().unwrap().clone();
    let guard = db.conn().guard();
    let reserved: Vec<String> = guard.reserved().to_vec();

    let raw = |conn: &rusqlite::Connection| -> usize {
        let mut cells = 0;
        for e in &workload {
            let mut statement = conn.prepare_cached(&e.sql).unwrap();
            for (name, value) in &e.params {
                let index = statement.parameter_index(name).unwrap().unwrap();
                statement.raw_bind_parameter(index, value).unwrap();
            }
            let columns = statement.column_count();
            let mut rows = statement.raw_query();
            while let Some(row) = rows.next().unwrap() {
                for i in 0..columns {
                    std::hint::black_box(row.get_ref(i).unwrap());
                    cells += 1;
                }
            }
        }
        cells
    };
    let guarded = |db: &Db| -> usize {
        let mut cells = 0;
        for e in &workload {
            let params: Vec<(&str, &dyn ToSql)> = e
                .params
                .iter()
                .filter(|(name, _)| !reserved.contains(name))
                .map(|(name, value)| (name.as_str(), value as &dyn ToSql))
                .collect();
            let rows = db
                .conn()
                .query(&admin, &e.sql, &params, |row| {
                    let columns = row.as_ref().column_count();
                    for i in 0..columns {
                        std::hint::black_box(row.get_ref(i)?);
                    }
                    Ok(columns)
                })
                .unwrap();
            cells += rows.iter().sum::<usize>();
        }
        cells
    };
    let conn = db.conn().unguarded("benchmark: the raw baseline");
    assert_eq!(raw(conn), guarded(&db), "both replays read the same cells");
    let mut ratios = Vec::new();
    let (mut raw_ms, mut guarded_ms) = (Vec::new(), Vec::new());
    for round in 0..21 {
        // Alternate which goes first, so drift of the machine cancels out.
        let time_raw = || {
            let t = Instant::now();
            std::hint::black_box(raw(conn));
            ms(t.elapsed())
        };
        let time_guarded = || {
            let t = Instant::now();
            std::hint::black_box(guarded(&db));
            ms(t.elapsed())
        };
        let (r, g) = if round % 2 == 0 {
            let r = time_raw();
            (r, time_guarded())
        } else {
            let g = time_guarded();
            (time_raw(), g)
        };
        raw_ms.push(r);
        guarded_ms.push(g);
        ratios.push(g / r);
    }
    println!(
        "\nguard overhead on the KPI workload ({} statements, {clients} clients, 21 alternating rounds)",
        workload.len()
    );
    println!("  raw rusqlite   {:>8.2} ms (median)", median(raw_ms));
    println!("  guarded        {:>8.2} ms (median)", median(guarded_ms));
    println!(
        "  overhead       {:>+8.2} % (median of per-round ratios)",
        (median(ratios) - 1.0) * 100.0
    );

    // The guard's own cost per statement.
    let mut distinct: Vec<&str> = workload.iter().map(|e| e.sql.as_str()).collect();
    distinct.sort();
    distinct.dedup();
    let fresh = Guard::new(kpi_ops::db::LINT_CONFIG, kpi_ops::db::MIGRATIONS).unwrap();
    let started = Instant::now();
    for sql in &distinct {
        fresh.check(sql).unwrap();
    }
    let first = started.elapsed().as_secs_f64() * 1e6 / distinct.len() as f64;
    let repeats = 10_000;
    let started = Instant::now();
    for _ in 0..repeats {
        for sql in &distinct {
            fresh.check(std::hint::black_box(sql)).unwrap();
        }
    }
    let cached = started.elapsed().as_secs_f64() * 1e9 / (repeats * distinct.len()) as f64;
    println!(
        "\nguard check per statement ({} distinct KPI statements): first {first:.0} µs (parse and proof), cached {cached:.0} ns",
        distinct.len()
    );
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
}
