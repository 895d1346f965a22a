//! Build-time cost of `#[tenant_scoped]`.
//!
//! `cargo bench -p tenant-lint-macros --bench build_cost` prints two measures, each with
//! the schema in one file and in 500 migration files:
//! - the expansion, called as the macro calls it (`tenant_lint::expand::expand`), per
//!   annotated function: the median over rounds of 2 000 functions, after the first
//!   (which loads the schema). Target: at most 0.2 ms per function with 500 migrations.
//! - compiling a crate of N repository functions with and without the attribute (N =
//!   200 and 2000; `BUILD_COST_SIZES=200,2000` to change): each crate is built once to
//!   warm its dependencies, then rebuilt after touching its source; the fastest of
//!   three rebuilds counts. Target: under 1 ms per annotated function.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Where the schema is: one file, or the same tables followed by 499 migrations that
/// each add a column or an index (`migrations/0001_base.sql` … `0500_….sql`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Schema {
    OneFile,
    Migrations,
}

const MIGRATIONS: usize = 500;

/// Writes the schema into `dir`; the `[schema] files` entry that names it.
fn write_schema(dir: &Path, schema: Schema) -> String {
    let macros = Path::new(env!("CARGO_MANIFEST_DIR"));
    let base = macros.join("../fixtures/sql/schema/kpi.sql");
    match schema {
        Schema::OneFile => format!("{:?}", base.display().to_string()),
        Schema::Migrations => {
            let migrations = dir.join("migrations");
            std::fs::create_dir_all(&migrations).unwrap();
            std::fs::copy(&base, migrations.join("0001_base.sql")).unwrap();
            let tables = [
                "WORK_ORDER",
                "JOB",
                "HOLD_ENTRY",
                "QUALITY_ENTRY",
                "DOWNTIME_ENTRY",
            ];
            for n in 2..=MIGRATIONS {
                let table = tables[n % tables.len()];
                let sql = if n % 2 == 0 {
                    format!("-- migration {n}\nALTER TABLE {table} ADD COLUMN extra_{n} TEXT;\n")
                } else {
                    format!(
                        "-- migration {n}\nCREATE INDEX idx_{table}_{n} ON {table} (client_id, extra_{});\n",
                        n - 1
                    )
                };
                std::fs::write(migrations.join(format!("{n:04}_change_{n}.sql")), sql).unwrap();
            }
            "\"migrations/*.sql\"".to_string()
        }
    }
}

/// The source of a crate of `functions` repository functions.
fn source(functions: usize, annotated: bool) -> String {
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
    source
}

fn write_config(dir: &Path, schema: Schema) {
    let files = write_schema(dir, schema);
    std::fs::write(
        dir.join("tenant-lint.toml"),
        format!(
            "[tables]\nshared = [\"PRODUCT\", \"SHIFT\", \"USER\", \"EMPLOYEE\"]\n[schema]\nfiles = [{files}]\n"
        ),
    )
    .unwrap();
}

fn write_crate(
    dir: &Path,
    functions: usize,
    annotated: bool,
    optimized_macro: bool,
    schema: Schema,
) {
    let macros = Path::new(env!("CARGO_MANIFEST_DIR"));
    let _ = std::fs::remove_dir_all(dir);
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
    write_config(dir, schema);
    std::fs::write(dir.join("src/lib.rs"), source(functions, annotated)).unwrap();
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

/// The expansion's cost per function, called as the macro calls it: the median of
/// rounds of `functions` expansions (in a fresh cache: the first round loads the
/// schema and is not counted).
fn expansion_cost(dir: &Path, functions: usize) -> (f64, f64) {
    use tenant_lint::expand::{MacroEnv, expand};
    let file = dir.join("src/lib.rs");
    let parsed = syn::parse_file(&source(functions, true)).unwrap();
    let items: Vec<proc_macro2::TokenStream> = parsed
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Fn(f) => {
                let mut f = f.clone();
                f.attrs.clear();
                Some(quote::ToTokens::to_token_stream(&f))
            }
            _ => None,
        })
        .collect();
    let locate = |_: proc_macro2::Span| None;
    let file_of = |_: proc_macro2::Span| Some(file.clone());
    let env = MacroEnv {
        manifest_dir: dir.to_path_buf(),
        config: Some(dir.join("tenant-lint.toml")),
        locate: &locate,
        file_of: &file_of,
    };
    let first = Instant::now();
    let out = expand(proc_macro2::TokenStream::new(), items[0].clone(), &env).to_string();
    assert!(!out.contains("compile_error"), "{out}");
    let load = first.elapsed().as_secs_f64() * 1000.0;
    let mut rounds: Vec<f64> = (0..7)
        .map(|_| {
            let started = Instant::now();
            for item in &items {
                std::hint::black_box(expand(proc_macro2::TokenStream::new(), item.clone(), &env));
            }
            started.elapsed().as_secs_f64() * 1000.0 / items.len() as f64
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    (rounds[rounds.len() / 2], load)
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/build-cost");
    let target = root.join("target");
    let sizes: Vec<usize> = std::env::var("BUILD_COST_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![200, 2000]);
    let schemas = [
        (Schema::OneFile, "schema in one file"),
        (Schema::Migrations, "schema in 500 migration files"),
    ];
    println!(
        "the expansion, called as the macro calls it (this build's profile), per annotated function:"
    );
    for (schema, label) in schemas {
        let dir = root.join(format!("expand-{schema:?}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        write_config(&dir, schema);
        std::fs::write(dir.join("src/lib.rs"), source(2000, true)).unwrap();
        let (per_fn, load) = expansion_cost(&dir, 2000);
        println!(
            "  {label}: {per_fn:.3} ms per function (median of 7 rounds of 2000; target: at most 0.2 ms), first expansion (loads the schema) {load:.1} ms"
        );
    }
    println!(
        "build time of a crate of N repository functions (debug profile, fastest of 3 rebuilds)"
    );
    for (optimized, label) in [
        (false, "macro built at opt-level 0 (cargo's default)"),
        (true, "macro built at opt-level 3 (build-override)"),
    ] {
        println!("{label}:");
        let target = target.join(if optimized { "optimized" } else { "default" });
        for (schema, schema_label) in schemas {
            for &n in &sizes {
                let plain = root.join(format!("plain-{n}-{optimized}-{schema:?}"));
                let annotated = root.join(format!("annotated-{n}-{optimized}-{schema:?}"));
                write_crate(&plain, n, false, optimized, schema);
                write_crate(&annotated, n, true, optimized, schema);
                let base = rebuild(&plain, &target);
                let with = rebuild(&annotated, &target);
                let per_fn = (with.as_secs_f64() - base.as_secs_f64()) * 1000.0 / n as f64;
                println!(
                    "  {schema_label}, N = {n:>5}: unannotated {:>7.0} ms, annotated {:>7.0} ms, attribute cost {per_fn:.3} ms per function (target: under 1 ms)",
                    base.as_secs_f64() * 1000.0,
                    with.as_secs_f64() * 1000.0,
                );
            }
        }
    }
}
