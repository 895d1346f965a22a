//! `tenant-lint audit` and `tenant-lint init` end to end, on the seed audit's
//! application (fixtures/apps/seed-audit), on the reference application, and on a live
//! SQLite database.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use tenant_lint::cli::{Env, run};

use crate::cli::{scratch, write};

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `tenant-lint ARGS` in `cwd`: (exit code, stdout, stderr).
fn tenant_lint(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let env = Env {
        cwd,
        terminal: false,
    };
    let argv = std::iter::once("tenant-lint").chain(args.iter().copied());
    let code = run(argv, &env, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn audit_json(cwd: &Path, args: &[&str]) -> (i32, Value) {
    let mut argv = vec!["audit", "--format", "json"];
    argv.extend_from_slice(args);
    let (code, out, err) = tenant_lint(cwd, &argv);
    assert!(err.is_empty(), "{err}");
    (code, serde_json::from_str(&out).expect(&out))
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// Table name → (class, highest risk or "").
fn tables(audit: &Value) -> BTreeMap<String, (String, String)> {
    audit["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                str_of(&t["name"]).to_string(),
                (
                    str_of(&t["status"]).to_string(),
                    str_of(&t["risk"]).to_string(),
                ),
            )
        })
        .collect()
}

/// Table name → the codes of its schema findings.
fn schema_codes(audit: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in audit["findings"].as_array().unwrap() {
        let code = str_of(&f["code"]);
        if code.starts_with("TI2") {
            out.entry(str_of(&f["table"]).to_string())
                .or_default()
                .insert(code.to_string());
        }
    }
    out
}

fn owned(rows: &[(&str, &str, &str)]) -> BTreeMap<String, (String, String)> {
    rows.iter()
        .map(|(t, c, r)| (t.to_string(), (c.to_string(), r.to_string())))
        .collect()
}

/// The seed audit's schema verdicts, table by table: its five findings with the
/// severities it gave them, its seven correct tenant tables, its two shared tables.
fn seed_tables() -> BTreeMap<String, (String, String)> {
    owned(&[
        ("CLIENT", "root", ""),
        ("PRODUCT", "shared", ""),
        ("SHIFT", "shared", ""),
        ("WORK_ORDER", "tenant", ""),
        ("PRODUCTION_ENTRY", "tenant", ""),
        ("DOWNTIME_ENTRY", "tenant", ""),
        ("HOLD_ENTRY", "tenant", ""),
        ("ATTENDANCE_ENTRY", "tenant", ""),
        ("COVERAGE_ENTRY", "tenant", ""),
        ("QUALITY_ENTRY", "tenant", ""),
        // 1. CRITICAL: work order line items without client_id, and QUALITY_ENTRY
        //    hangs from it.
        ("JOB", "missing-isolation", "critical"),
        // 2. HIGH: defects without client_id.
        ("DEFECT_DETAIL", "missing-isolation", "high"),
        // 3. MEDIUM: per-client part definitions without client_id.
        ("PART_OPPORTUNITIES", "missing-isolation", "medium"),
        // 4. MEDIUM: client_id_assigned, comma-separated text.
        ("EMPLOYEE", "undecided", "medium"),
        // 5. LOW: the floating pool, no isolation.
        ("FLOATING_POOL", "undecided", "low"),
    ])
}

#[test]
fn seed_audit_app_reports_each_seed_finding_with_its_severity_and_nothing_else() {
    let (code, audit) = audit_json(workspace(), &["fixtures/apps/seed-audit"]);
    assert_eq!(code, 1, "not ready exits 1");
    assert_eq!(audit["verdict"], "not ready");
    assert_eq!(tables(&audit), seed_tables());

    // Each table's schema findings: the seed's gap, and the global natural keys that
    // come with it (JOB's job_id, DEFECT_DETAIL's defect_detail_id, part_number).
    let set = |codes: &[&str]| codes.iter().map(|c| c.to_string()).collect::<BTreeSet<_>>();
    let expected: BTreeMap<String, BTreeSet<String>> = [
        ("JOB", set(&["TI201", "TI206"])),
        ("DEFECT_DETAIL", set(&["TI201", "TI206"])),
        ("PART_OPPORTUNITIES", set(&["TI201", "TI206"])),
        ("EMPLOYEE", set(&["TI205", "TI208"])),
        ("FLOATING_POOL", set(&["TI208"])),
    ]
    .into_iter()
    .map(|(t, c)| (t.to_string(), c))
    .collect();
    assert_eq!(schema_codes(&audit), expected);

    // The CRUD functions are scoped; every KPI calculation receives `current_user`,
    // never uses it, and reads by date only.
    let functions: BTreeMap<String, (String, Vec<String>)> = audit["functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let codes = f["codes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| str_of(c).to_string())
                .collect();
            (
                str_of(&f["name"]).to_string(),
                (str_of(&f["scoping"]).to_string(), codes),
            )
        })
        .collect();
    let crud = [
        "create_production_entry",
        "get_production_entry",
        "get_production_entries",
        "update_production_entry",
        "delete_production_entry",
        "create_quality_inspection",
        "get_quality_inspections",
        "delete_quality_inspection",
    ];
    let calculations = [
        "calculate_absenteeism",
        "calculate_otd",
        "identify_late_orders",
        "calculate_ppm",
        "identify_top_defects",
        "calculate_dpmo",
    ];
    assert_eq!(functions.len(), crud.len() + calculations.len());
    for name in crud {
        assert_eq!(functions[name], ("scoped".to_string(), vec![]), "{name}");
    }
    for name in calculations {
        let (scoping, codes) = &functions[name];
        assert_eq!(scoping, "unscoped", "{name}");
        assert!(
            codes.contains(&"TI001".to_string()) && codes.contains(&"TI302".to_string()),
            "{name}: {codes:?}"
        );
    }

    // Findings outside the schema: only in the calculations and the WIP aging query,
    // every one blocking.
    for f in audit["findings"].as_array().unwrap() {
        let path = str_of(&f["place"]["path"]);
        let code = str_of(&f["code"]);
        if code.starts_with("TI2") {
            assert!(path.contains("/migrations/"), "{f}");
            continue;
        }
        assert!(
            path.contains("/src/calculations/")
                || (path.ends_with("queries/reports.sql") && f["place"]["line"] == 23),
            "unexpected finding {f}"
        );
        assert!(["TI001", "TI302"].contains(&code), "{f}");
        assert_eq!(f["risk"], "high", "{f}");
    }
    let statements = audit["statements"].as_array().unwrap();
    let unscoped: Vec<&Value> = statements
        .iter()
        .filter(|s| s["scoping"] == "unscoped")
        .collect();
    assert_eq!(statements.len(), 18, "11 CRUD statements, 7 KPI queries");
    assert_eq!(unscoped.len(), 7);

    // Blocking: the CRITICAL and HIGH tables, and the calculations.
    let blocking: BTreeSet<(String, String)> = audit["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["blocking"] == true)
        .filter(|f| str_of(&f["code"]).starts_with("TI2"))
        .map(|f| {
            (
                str_of(&f["code"]).to_string(),
                str_of(&f["table"]).to_string(),
            )
        })
        .collect();
    assert_eq!(
        blocking,
        [("TI201", "DEFECT_DETAIL"), ("TI201", "JOB")]
            .iter()
            .map(|(c, t)| (c.to_string(), t.to_string()))
            .collect()
    );
}

#[test]
fn seed_audit_markdown_report() {
    let (code, out, err) = tenant_lint(workspace(), &["audit", "fixtures/apps/seed-audit"]);
    assert_eq!((code, err.as_str()), (1, ""));
    insta::assert_snapshot!(out);
}

#[test]
fn readiness_is_the_mean_of_its_stated_components() {
    let (_, audit) = audit_json(workspace(), &["fixtures/apps/seed-audit"]);
    let components = audit["components"].as_array().unwrap();
    let part = |name: &str| {
        let c = components.iter().find(|c| c["name"] == name).unwrap();
        (c["ready"].as_u64().unwrap(), c["total"].as_u64().unwrap())
    };
    // 13 tables tied to tenant data (15 less the 2 shared), of which JOB,
    // DEFECT_DETAIL, PART_OPPORTUNITIES, EMPLOYEE and FLOATING_POOL have error findings.
    assert_eq!(part("schema"), (8, 13));
    assert_eq!(part("statements"), (11, 18));
    assert_eq!(part("functions"), (8, 14));
    let mean = (8.0 / 13.0 + 11.0 / 18.0 + 8.0 / 14.0) * 100.0 / 3.0;
    let readiness = audit["readiness"].as_f64().unwrap();
    assert!((readiness - mean).abs() < 0.05, "{readiness} vs {mean}");
    assert!(str_of(&audit["readiness_definition"]).contains("mean"));
}

#[test]
fn reference_app_is_ready_with_no_blocking_finding() {
    let (code, audit) = audit_json(workspace(), &["reference-app"]);
    let blocking: Vec<&Value> = audit["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["blocking"] == true)
        .collect();
    assert!(blocking.is_empty(), "{blocking:#?}");
    assert_eq!((code, str_of(&audit["verdict"])), (0, "ready"));
    for (name, (class, _)) in tables(&audit) {
        assert!(
            ["root", "tenant", "shared"].contains(&class.as_str()),
            "{name} is {class}"
        );
    }
}

/// The seed application's migrations, applied to a SQLite database file.
fn seed_database(dir: &Path) -> PathBuf {
    let path = dir.join("app.sqlite");
    let connection = rusqlite::Connection::open(&path).unwrap();
    let mut migrations: Vec<PathBuf> =
        std::fs::read_dir(workspace().join("fixtures/apps/seed-audit/migrations"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
    // V1, V2, V3, V10: by version number, not by name.
    migrations.sort_by_key(|p| {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        name[1..name.find("__").unwrap()].parse::<u32>().unwrap()
    });
    for migration in migrations {
        connection
            .execute_batch(&std::fs::read_to_string(migration).unwrap())
            .unwrap();
    }
    path
}

#[test]
fn audit_reads_the_schema_of_a_live_database() {
    let dir = scratch("audit-db");
    seed_database(&dir);
    let config =
        std::fs::read_to_string(workspace().join("fixtures/apps/seed-audit/tenant-lint.toml"))
            .unwrap()
            .replace("files = [\"migrations/*.sql\"]", "files = []");
    write(&dir, "tenant-lint.toml", &config);
    let (code, audit) = audit_json(&dir, &["--db", "app.sqlite"]);
    assert_eq!(code, 1);
    assert_eq!(tables(&audit), seed_tables());
    // Findings point into the DDL SQLite keeps, under the database's name.
    let job = audit["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "TI201" && f["table"] == "JOB")
        .unwrap();
    assert_eq!(job["place"]["path"], "app.sqlite");

    // The database is opened read-only: the audit leaves it byte for byte.
    let before = std::fs::read(dir.join("app.sqlite")).unwrap();
    let (code, _, _) = tenant_lint(&dir, &["check", "--db", "app.sqlite"]);
    assert_eq!(code, 1);
    assert_eq!(std::fs::read(dir.join("app.sqlite")).unwrap(), before);
}

#[test]
fn a_missing_or_corrupt_database_is_an_error_not_a_pass() {
    let dir = scratch("audit-bad-db");
    write(&dir, "tenant-lint.toml", "[tables]\nshared = []\n");
    let (code, _, err) = tenant_lint(&dir, &["audit", "--db", "missing.sqlite"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("missing.sqlite: no such database file"),
        "{err}"
    );
    write(&dir, "corrupt.sqlite", "this is not a database, just text");
    let (code, _, err) = tenant_lint(&dir, &["check", "--db", "corrupt.sqlite"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("corrupt.sqlite: not a SQLite database"),
        "{err}"
    );
}

#[test]
fn init_writes_a_config_that_checks_the_app_it_came_from() {
    let dir = scratch("init");
    for entry in std::fs::read_dir(workspace().join("fixtures/apps/seed-audit/migrations")).unwrap()
    {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        std::fs::create_dir_all(dir.join("migrations")).unwrap();
        std::fs::copy(&path, dir.join("migrations").join(name)).unwrap();
    }
    let (code, out, err) = tenant_lint(&dir, &["init"]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert!(
        out.contains("tenant column `client_id` (root `CLIENT`)"),
        "{out}"
    );
    let text = std::fs::read_to_string(dir.join("tenant-lint.toml")).unwrap();
    insta::assert_snapshot!("init_seed_app", text);

    // The written configuration is valid and finds the seed's gaps.
    let (code, audit) = audit_json(&dir, &[]);
    assert_eq!(code, 1);
    let tables = tables(&audit);
    assert_eq!(
        tables["JOB"],
        ("missing-isolation".into(), "critical".into())
    );
    assert_eq!(
        tables["PRODUCT"].0, "shared",
        "proposed as shared: referenced by tenant data only"
    );

    // It never overwrites a configuration without --force.
    let (code, _, err) = tenant_lint(&dir, &["init"]);
    assert_eq!(code, 2);
    assert!(err.contains("already exists; pass --force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("tenant-lint.toml")).unwrap(),
        text
    );
    let (code, _, _) = tenant_lint(&dir, &["init", "--force"]);
    assert_eq!(code, 0);
}

#[test]
fn init_from_a_database_to_stdout() {
    let dir = scratch("init-db");
    seed_database(&dir);
    let (code, out, err) = tenant_lint(&dir, &["init", "--db", "app.sqlite", "--output", "-"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(out.contains("column = \"client_id\""), "{out}");
    assert!(out.contains("#   JOB "), "{out}");
    assert!(!dir.join("tenant-lint.toml").exists());
}

#[test]
fn init_fails_closed_on_a_schema_it_cannot_read() {
    let dir = scratch("init-bad");
    write(
        &dir,
        "schema.sql",
        "CREATE TABLE CLIENT (client_id TEXT PRIMARY KEY);\nCREATE TABLE JOB (job_id TEXT PRIMARY KEY,, client_id TEXT);\n",
    );
    let (code, _, err) = tenant_lint(&dir, &["init"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: schema.sql:2:"), "{err}");
    assert!(!dir.join("tenant-lint.toml").exists());

    let empty = scratch("init-empty");
    write(&empty, "notes.sql", "SELECT 1;\n");
    let (code, _, err) = tenant_lint(&empty, &["init"]);
    assert_eq!(code, 2);
    assert!(err.contains("no CREATE TABLE found"), "{err}");
}
