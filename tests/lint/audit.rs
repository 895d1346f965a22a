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
        out.contains("dialect sqlite (detected from the schema")
            && out.contains("tenant column `client_id` (7 of 15 tables have `client_id`; 7 of 19 foreign keys use it to reference `CLIENT`)"),
        "{out}"
    );
    // After writing, the first check with it, summed up, and what to decide next.
    insta::assert_snapshot!("init_seed_app_summary", out);
    let text = std::fs::read_to_string(dir.join("tenant-lint.toml")).unwrap();
    insta::assert_snapshot!("init_seed_app", text);

    // The written configuration is valid and finds the seed's gaps. Nothing is shared
    // until the user says so.
    let (code, audit) = audit_json(&dir, &[]);
    assert_eq!(code, 1);
    let tables = tables(&audit);
    assert_eq!(
        tables["JOB"],
        ("missing-isolation".into(), "critical".into())
    );
    assert_eq!(
        tables["PRODUCT"].0, "undecided",
        "a candidate, commented out"
    );
    let decided = text.replace("    # \"PRODUCT\",", "    \"PRODUCT\",");
    assert_ne!(decided, text);
    std::fs::write(dir.join("tenant-lint.toml"), &decided).unwrap();
    let (_, audit) = audit_json(&dir, &[]);
    assert_eq!(
        self::tables(&audit)["PRODUCT"].0,
        "shared",
        "once uncommented"
    );
    std::fs::write(dir.join("tenant-lint.toml"), &text).unwrap();

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

/// `tenant-lint init` on one schema in the layouts of five migration tools.
#[test]
fn init_reads_the_layouts_of_the_migration_tools() {
    let layouts = [
        ("sqlx", "migrations/*.sql", "org_id"),
        ("flyway", "src/main/resources/db/migration/*.sql", "org_id"),
        ("golang-migrate", "db/migrations/*.sql", "org_id"),
        ("prisma", "prisma/migrations/*/migration.sql", "teamId"),
        ("diesel", "migrations/*/up.sql", "org_id"),
    ];
    for (layout, files, column) in layouts {
        let dir = scratch(&format!("init-{layout}"));
        for entry in walkdir::WalkDir::new(workspace().join("fixtures/init").join(layout)) {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                let relative = entry
                    .path()
                    .strip_prefix(workspace().join("fixtures/init").join(layout))
                    .unwrap();
                write(
                    &dir,
                    relative.to_str().unwrap(),
                    &std::fs::read_to_string(entry.path()).unwrap(),
                );
            }
        }
        let (code, out, err) = tenant_lint(&dir, &["init"]);
        assert_eq!(code, 0, "{layout}: {out}{err}");
        assert!(out.contains("dialect postgres ("), "{layout}: {out}");
        let text = std::fs::read_to_string(dir.join("tenant-lint.toml")).unwrap();
        let config = tenant_lint::model::Config::parse(&text, &dir.join("tenant-lint.toml"))
            .unwrap_or_else(|e| panic!("{layout}: {e}\n{text}"));
        assert_eq!(config.tenant_column, column, "{layout}");
        // Migrations by a glob; a down migration is never read.
        assert_eq!(
            config
                .schema_files
                .iter()
                .map(|(f, _)| f.as_str())
                .collect::<Vec<_>>(),
            [files],
            "{layout}: {text}"
        );
        // Nothing shared without the user; the table referenced by tenant data is a
        // candidate, commented out, with the warning.
        assert!(config.shared_tables.is_empty(), "{layout}: {text}");
        assert!(
            text.contains("every tenant may read every row of a shared table"),
            "{layout}"
        );
        let users = if layout == "prisma" {
            "\"User\""
        } else {
            "users"
        };
        assert!(
            text.contains(&format!("    # {}, # referenced by", toml_quoted(users))),
            "{layout}: {text}"
        );
        // The table a later migration drops is gone.
        assert!(!text.contains("legacy_notes"), "{layout}: {text}");
        // The first check with it: what cannot be read is the skipped statement only.
        let (code, check) = crate::cli::tenant_lint(&dir, &["check", "--format", "concise"]);
        assert!(code <= 1, "{layout}: {check}");
        let unread: Vec<&str> = check.lines().filter(|l| l.contains("error[TI9")).collect();
        if layout == "flyway" {
            assert!(
                text.contains("1 statement of the schema could not be read and was skipped")
                    && text.contains("V10__comments.sql:10:43"),
                "{text}"
            );
            assert!(
                err.contains("warning: skipped a statement it cannot read"),
                "{err}"
            );
            assert_eq!(unread.len(), 1, "{check}");
            assert!(unread[0].contains("V10__comments.sql:10:43"), "{check}");
        } else {
            assert!(unread.is_empty(), "{layout}: {check}");
            assert!(err.is_empty(), "{layout}: {err}");
        }
    }
}

/// A TOML string of `text`.
fn toml_quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[test]
fn init_proposes_two_level_tenancy_and_takes_a_column_it_is_given() {
    let dir = scratch("init-two-levels");
    write(
        &dir,
        "migrations/0001_init.sql",
        "CREATE TABLE organizations (id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE projects (id uuid PRIMARY KEY, organization_id uuid NOT NULL REFERENCES organizations (id));
CREATE TABLE deployments (id uuid PRIMARY KEY, organization_id uuid NOT NULL REFERENCES organizations (id), project_id uuid NOT NULL REFERENCES projects (id));
CREATE TABLE toolsets (id uuid PRIMARY KEY, organization_id uuid NOT NULL REFERENCES organizations (id), project_id uuid NOT NULL REFERENCES projects (id));
CREATE TABLE keys (id uuid PRIMARY KEY, organization_id uuid NOT NULL REFERENCES organizations (id), project_id uuid REFERENCES projects (id));
",
    );
    write(
        &dir,
        "migrations/0002_more.sql",
        "CREATE TABLE assets (id uuid PRIMARY KEY, project_id uuid NOT NULL REFERENCES projects (id));\n",
    );
    let (code, out, _) = tenant_lint(&dir, &["init", "--output", "-"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("column = \"project_id\""), "{out}");
    assert!(
        out.contains("Tenancy in two levels: most tables also carry `organization_id`, which `projects` belongs to."),
        "{out}"
    );
    let (_, out, _) = tenant_lint(
        &dir,
        &[
            "init",
            "--output",
            "-",
            "--tenant-column",
            "organization_id",
        ],
    );
    assert!(out.contains("column = \"organization_id\""), "{out}");
    assert!(
        out.contains("# Detected: given with --tenant-column."),
        "{out}"
    );
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
fn init_skips_what_it_cannot_read_and_says_so() {
    let dir = scratch("init-bad");
    write(
        &dir,
        "schema.sql",
        "CREATE TABLE CLIENT (client_id TEXT PRIMARY KEY);\nCREATE TABLE JOB (job_id TEXT PRIMARY KEY,, client_id TEXT);\nCREATE TABLE WORK_ORDER (id INTEGER PRIMARY KEY, client_id TEXT NOT NULL REFERENCES CLIENT (client_id));\nCREATE TABLE HOLD (id INTEGER PRIMARY KEY, client_id TEXT NOT NULL REFERENCES CLIENT (client_id));\n",
    );
    let (code, out, err) = tenant_lint(&dir, &["init"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.starts_with("warning: skipped a statement it cannot read: schema.sql:2:"),
        "{err}"
    );
    let text = std::fs::read_to_string(dir.join("tenant-lint.toml")).unwrap();
    assert!(
        text.contains("# 1 statement of the schema could not be read and was skipped")
            && text.contains("#   schema.sql:2:"),
        "{text}"
    );
    assert!(text.contains("#   WORK_ORDER"), "the rest is read: {text}");

    let empty = scratch("init-empty");
    write(&empty, "notes.sql", "SELECT 1;\n");
    let (code, _, err) = tenant_lint(&empty, &["init"]);
    assert_eq!(code, 2);
    assert!(err.contains("no CREATE TABLE found"), "{err}");
}
