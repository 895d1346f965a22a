//! Build-time cost of `#[tenant_scoped]`: compiles a crate of N repository functions
//! with and without the attribute and prints the difference per function.
//!
//! `cargo bench -p tenant-lint-macros --bench build_cost` (N = 200 and 2000; set
//! `BUILD_COST_SIZES=200,2000` to change). Each crate is built once to warm its
//! dependencies, then rebuilt after touching its source; the fastest of three
//! rebuilds counts. The target is under 1 ms per annotated function.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn write_crate(dir: &Path, functions: usize, annotated: bool, optimized_macro: bool) {
    let macros = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema = macros.join("../fixtures/sql/schema/kpi.sql");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"build-cost\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\ntenant-lint-macros = {{ path = {:?} }}\n\n[workspace]\n{}",
            macros.display().to_string(),
            if optimized_macro {
                "\n[profile.dev.build-override]\nopt-level = 3\n"
            } else {
                ""
            }
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("tenant-lint.toml"),
        format!(
            "[tables]\nshared = [\"PRODUCT\", \"SHIFT\", \"USER\", \"EMPLOYEE\"]\n[schema]\nfiles = [{:?}]\n",
            schema.display().to_string()
        ),
    )
    .unwrap();
    let mut source = String::from("#![allow(dead_code)]\n");
    if annotated {
        source.push_str("use tenant_lint_macros::tenant_scoped;\n");
    }
    source.push_str(
        "\
         pub struct TenantScope { pub client: String }\n\
         pub struct Db;\n\
         impl Db { pub fn query(&self, _scope: &TenantScope, _sql: &str, _id: u64) -> usize { 0 } }\n",
    );
    let tables = [
        "WORK_ORDER",
        "JOB",
        "HOLD_ENTRY",
        "QUALITY_ENTRY",
        "DOWNTIME_ENTRY",
    ];
    for i in 0..functions {
        let table = tables[i % tables.len()];
        if annotated {
            source.push_str("#[tenant_scoped]\n");
        }
        writeln!(
            source,
            "pub fn find_{i}(db: &Db, scope: &TenantScope, id: u64) -> usize {{\n    \
             let rows = db.query(scope, \"SELECT t.* FROM {table} t JOIN CLIENT c ON c.client_id = t.client_id \
             WHERE t.client_id = :client_id AND c.is_active = 1 ORDER BY 1 LIMIT 50\", id);\n    \
             rows + {i}\n}}"
        )
        .unwrap();
    }
    std::fs::write(dir.join("src/lib.rs"), source).unwrap();
}

fn build(dir: &Path, target: &Path) -> Duration {
    let started = Instant::now();
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--offline"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("TENANT_LINT_CONFIG")
        .status()
        .expect("cargo runs");
    assert!(status.success(), "build of {} failed", dir.display());
    started.elapsed()
}

fn rebuild(dir: &Path, target: &Path) -> Duration {
    build(dir, target);
    (0..3)
        .map(|_| {
            let lib = dir.join("src/lib.rs");
            let text = std::fs::read_to_string(&lib).unwrap();
            std::fs::write(&lib, text).unwrap();
            build(dir, target)
        })
        .min()
        .unwrap()
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/build-cost");
    let target = root.join("target");
    let sizes: Vec<usize> = std::env::var("BUILD_COST_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![200, 2000]);
    println!(
        "build time of a crate of N repository functions (debug profile, fastest of 3 rebuilds)"
    );
    for (optimized, label) in [
        (false, "macro built at opt-level 0 (cargo's default)"),
        (true, "macro built at opt-level 3 (build-override)"),
    ] {
        println!("{label}:");
        let target = target.join(if optimized { "optimized" } else { "default" });
        for &n in &sizes {
            let plain = root.join(format!("plain-{n}-{optimized}"));
            let annotated = root.join(format!("annotated-{n}-{optimized}"));
            write_crate(&plain, n, false, optimized);
            write_crate(&annotated, n, true, optimized);
            let base = rebuild(&plain, &target);
            let with = rebuild(&annotated, &target);
            let per_fn = (with.as_secs_f64() - base.as_secs_f64()) * 1000.0 / n as f64;
            println!(
                "  N = {n:>5}: unannotated {:>7.0} ms, annotated {:>7.0} ms, attribute cost {per_fn:.3} ms per function (target: under 1 ms)",
                base.as_secs_f64() * 1000.0,
                with.as_secs_f64() * 1000.0,
            );
        }
    }
}
