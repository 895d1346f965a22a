//! Repository scale: `tenant-lint check` over a synthetic service tree of about 2 000
//! Rust files, 500 000 lines and 20 000 SQL statements (`tenant_lint::corpus`).
//!
//! `cargo bench -p tenant-lint --bench scale` prints, for each of
//! - `check`: the full `tenant-lint check` (pre-filter on, the default),
//! - `check --no-prefilter`: every Rust file parsed by syn,
//! - `floor`: reading every file and parsing only the SQL statements (sqlparser), the
//!   least any implementation must do,
//!
//! the wall time (median of runs), statements per second, and peak memory (the
//! process's high-water mark, each run in a fresh process). Targets: `check` within
//! 1.5x of the floor, peak memory under 200 MB. All three use the same thread pool
//! (rayon, every core).
//!
//! The modes run in rounds (floor, check, check without pre-filter, then again), and
//! the `x floor` figure is the median over rounds of each round's ratio to its own
//! floor run: the speed of a shared machine drifts by more than the difference being
//! measured from one minute to the next, and a ratio taken within a round cancels it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rayon::prelude::*;
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;
use tenant_lint::corpus::{Shape, Written, generate};

const RUNS: usize = 21;

// The allocator of the `tenant-lint` binary, so the figures are the CLI's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/scale-corpus")
}

/// The process's peak resident memory in bytes (`VmHWM`).
fn peak_memory() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// One run of `mode`, in this (fresh) process: prints `seconds peak_bytes`.
fn child(mode: &str, dir: &Path) {
    let started = Instant::now();
    match mode {
        "check" | "check-no-prefilter" => {
            let mut args = vec!["tenant-lint", "check", "--format", "concise"];
            if mode == "check-no-prefilter" {
                args.push("--no-prefilter");
            }
            let env = tenant_lint::cli::Env {
                cwd: dir,
                terminal: false,
            };
            let mut out = Vec::new();
            let mut err = Vec::new();
            let code = tenant_lint::cli::run(args, &env, &mut out, &mut err);
            assert!(code <= 1, "{}", String::from_utf8_lossy(&err));
            let summary = String::from_utf8_lossy(&out);
            eprintln!("{}", summary.lines().last().unwrap_or(""));
        }
        "floor" => {
            let statements: Vec<String> = std::fs::read_to_string(dir.join("statements.txt"))
                .expect("statements.txt")
                .split("\n\u{1e}\n")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            let files: Vec<PathBuf> = walkdir::WalkDir::new(dir.join("services"))
                .into_iter()
                .flatten()
                .filter(|e| e.file_type().is_file())
                .map(|e| e.into_path())
                .collect();
            let bytes: usize = files
                .par_iter()
                .map(|f| std::fs::read_to_string(f).expect("readable").len())
                .sum();
            let parsed: usize = statements
                .par_iter()
                .map(|s| {
                    Parser::parse_sql(&SQLiteDialect {}, s)
                        .expect("corpus SQL parses")
                        .len()
                })
                .sum();
            assert!(bytes > 0 && parsed == statements.len());
        }
        other => panic!("unknown mode {other}"),
    }
    println!("{} {}", started.elapsed().as_secs_f64(), peak_memory());
}

fn main() {
    let dir = corpus_dir();
    if let Ok(mode) = std::env::var("TENANT_LINT_SCALE_MODE") {
        child(&mode, &dir);
        return;
    }
    let started = Instant::now();
    let _ = std::fs::remove_dir_all(&dir);
    let written: Written = generate(&dir, Shape::MONOREPO).expect("corpus written");
    let mut listing = String::new();
    for (_, s) in &written.statements {
        listing.push_str(s);
        listing.push_str("\n\u{1e}\n");
    }
    std::fs::write(dir.join("statements.txt"), listing).expect("statements written");
    println!(
        "corpus: {} files, {} lines, {:.1} MB, {} statements (generated in {:.1} s) at {}",
        written.files,
        written.lines,
        written.bytes as f64 / 1e6,
        written.statements.len(),
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    println!(
        "threads: {} (rayon); each figure the median of {RUNS} rounds, each run a fresh process; x floor: median of per-round ratios",
        rayon::current_num_threads()
    );

    let modes = ["floor", "check", "check-no-prefilter"];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); modes.len()];
    let mut peaks: Vec<u64> = vec![0; modes.len()];
    let exe = std::env::current_exe().expect("this binary");
    // Alternate the modes so load on the machine hits them alike.
    for _ in 0..RUNS {
        for (k, mode) in modes.iter().enumerate() {
            let out = Command::new(&exe)
                .env("TENANT_LINT_SCALE_MODE", mode)
                .output()
                .expect("child runs");
            assert!(
                out.status.success(),
                "{mode}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8_lossy(&out.stdout);
            let mut fields = text.split_whitespace();
            let seconds: f64 = fields.next().and_then(|s| s.parse().ok()).expect("seconds");
            let peak: u64 = fields.next().and_then(|s| s.parse().ok()).expect("peak");
            times[k].push(seconds);
            peaks[k] = peaks[k].max(peak);
            if k == 1 && times[k].len() == 1 {
                print!("check says: {}", String::from_utf8_lossy(&out.stderr));
            }
        }
    }
    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    // Each round's time over the floor's in the same round.
    let paired = |k: usize| {
        let ratios: Vec<f64> = times[k].iter().zip(&times[0]).map(|(t, f)| t / f).collect();
        median(&ratios)
    };
    println!(
        "{:<22} {:>9} {:>14} {:>12} {:>10}",
        "", "wall (s)", "statements/s", "peak (MB)", "x floor"
    );
    for (k, mode) in modes.iter().enumerate() {
        let t = median(&times[k]);
        println!(
            "{:<22} {:>9.3} {:>14.0} {:>12.1} {:>10.2}",
            match *mode {
                "floor" => "floor (read + parse)",
                "check" => "check",
                _ => "check --no-prefilter",
            },
            t,
            written.statements.len() as f64 / t,
            peaks[k] as f64 / 1e6,
            paired(k)
        );
    }
    let ratio = paired(1);
    println!(
        "targets: check within 1.5x of the floor: {} ({ratio:.2}x); peak memory under 200 MB: {} ({:.1} MB)",
        if ratio <= 1.5 { "met" } else { "NOT met" },
        if peaks[1] < 200_000_000 {
            "met"
        } else {
            "NOT met"
        },
        peaks[1] as f64 / 1e6
    );
}
