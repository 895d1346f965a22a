//! Adoption in CI: every output format, baselines, suppressions, `--explain` and
//! configuration errors, end to end (exit code, stdout and stderr), plus the SARIF
//! output validated against the official SARIF 2.1.0 schema.

use std::path::{Path, PathBuf};

use crate::cli::{scratch, tenant_lint, write};

const SCHEMA: &str = "CREATE TABLE CLIENT (client_id TEXT PRIMARY KEY);
CREATE TABLE WORK_ORDER (client_id TEXT NOT NULL REFERENCES CLIENT (client_id), work_order_id TEXT NOT NULL, status TEXT, PRIMARY KEY (client_id, work_order_id));
CREATE TABLE JOB (client_id TEXT NOT NULL REFERENCES CLIENT (client_id), job_id TEXT NOT NULL, work_order_id TEXT, PRIMARY KEY (client_id, job_id));
CREATE TABLE SHIFT (shift_id INTEGER PRIMARY KEY, shift_name TEXT);
";

const CONFIG: &str = "[tables]\nshared = [\"SHIFT\"]\n[schema]\nfiles = [\"db/schema.sql\"]\n";

/// Findings of several rules and both severities, one under a non-ASCII path.
const QUERIES: &str = "-- open orders
SELECT COUNT(*)
FROM WORK_ORDER w JOIN JOB j ON j.work_order_id = w.work_order_id
WHERE w.status = 'OPEN' AND (w.client_id = :client_id OR :all = 1);

SELECT * FROM JOB WHERE client_id = 'ACME' AND job_id = :id;

DELETE FROM JOB WHERE job_id = :id;
";

fn project(name: &str) -> PathBuf {
    let dir = scratch(name);
    write(&dir, "tenant-lint.toml", CONFIG);
    write(&dir, "db/schema.sql", SCHEMA);
    write(&dir, "queries/kpi.sql", QUERIES);
    write(
        &dir,
        "queries/é/other.sql",
        "SELECT shift_name FROM SHIFT;\nSELECT * FROM WORK_ORDER WHERE status = :s;\n",
    );
    dir
}

#[test]
fn every_format_reports_the_same_findings() {
    let dir = project("formats");
    for format in ["human", "concise", "json", "github", "junit"] {
        let (code, transcript) = tenant_lint(&dir, &["check", "--format", format]);
        assert_eq!(code, 1, "{format}: {transcript}");
        // Six findings in every format: one failure / annotation / line each.
        let count = match format {
            "junit" => transcript.matches("<failure ").count(),
            "github" => transcript.lines().filter(|l| l.starts_with("::")).count(),
            "json" => transcript.matches("\"code\"").count(),
            "concise" => transcript
                .lines()
                .filter(|l| l.contains("]: ") || l.contains("] "))
                .count(),
            _ => transcript.matches("\n --> ").count(),
        };
        assert_eq!(count, 6, "{format}: {transcript}");
        insta::assert_snapshot!(format!("format_{format}"), transcript);
    }
}

fn sarif(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let env = tenant_lint::cli::Env {
        cwd: dir,
        terminal: false,
    };
    let argv = ["tenant-lint", "check", "--format", "sarif"]
        .into_iter()
        .chain(args.iter().copied());
    let code = tenant_lint::cli::run(argv, &env, &mut out, &mut err);
    assert!(code <= 1, "{}", String::from_utf8_lossy(&err));
    serde_json::from_slice(&out).expect("SARIF output is JSON")
}

#[test]
fn sarif_is_valid_sarif_2_1_0_with_exact_regions_and_rule_docs() {
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sarif/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::draft4::new(&schema).expect("the SARIF schema compiles");

    let dir = project("sarif");
    let log = sarif(&dir, &[]);
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");

    // The schema accepts a log without results: make sure it is not that one.
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 6, "{results:#?}");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), tenant_lint::rules::ALL.len());
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(
            rules[index]["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("## Example")
        );
        assert!(
            result["message"]["text"]
                .as_str()
                .unwrap()
                .contains("\nhelp: ")
        );
    }
    // Regions point at the exact table: `JOB j` on line 3 starts at column 24.
    let job = results
        .iter()
        .find(|r| r["ruleId"] == "TI001")
        .expect("the unfiltered JOB");
    let region = &job["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (
            &region["startLine"],
            &region["startColumn"],
            &region["endColumn"]
        ),
        (&3.into(), &24.into(), &27.into())
    );
    assert_eq!(
        job["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "queries/kpi.sql"
    );
    let other = results
        .iter()
        .find(|r| r["ruleId"] == "TI001" && r != &job)
        .unwrap();
    assert_eq!(
        other["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "queries/%C3%A9/other.sql"
    );

    // Fingerprints do not change when the findings move down the file.
    let prints = |log: &serde_json::Value| -> Vec<String> {
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["tenantLint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let before = prints(&log);
    write(
        &dir,
        "queries/kpi.sql",
        &format!("{}{QUERIES}", "-- moved\n".repeat(40)),
    );
    let moved = sarif(&dir, &[]);
    assert_eq!(prints(&moved), before);
    assert_eq!(
        moved["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        43
    );
}

#[test]
fn github_shows_the_most_important_first_and_counts_the_rest() {
    let dir = scratch("github-cap");
    write(&dir, "tenant-lint.toml", CONFIG);
    write(&dir, "db/schema.sql", SCHEMA);
    // 15 warnings (SQL for another database) first in the file, then 12 errors.
    let mut sql = String::new();
    for i in 0..15 {
        sql.push_str(&format!("SELECT * FROM ANALYTICS_{i} WHERE id = '{i}';\n"));
    }
    for i in 0..12 {
        sql.push_str(&format!("SELECT * FROM JOB WHERE job_id = '{i}';\n"));
    }
    write(&dir, "q.sql", &sql);
    let (code, transcript) = tenant_lint(&dir, &["check", "--format", "github"]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = transcript.lines().collect();
    let errors: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("::error "))
        .collect();
    let warnings: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("::warning "))
        .collect();
    assert_eq!((errors.len(), warnings.len()), (10, 10), "{transcript}");
    assert!(
        errors.iter().max() < warnings.iter().min(),
        "errors first: {transcript}"
    );
    // The first error shown is the first in the file (line 16).
    assert!(lines[errors[0]].contains("line=16,"), "{transcript}");
    let notice = lines
        .iter()
        .find(|l| l.starts_with("::notice "))
        .expect("a count of the rest");
    assert_eq!(
        *notice,
        "::notice title=tenant-lint::7 more findings not shown as annotations (TI001 x2, TI906 x5); run `tenant-lint check` for all of them"
    );
}

#[test]
fn baseline_survives_moves_and_renames_and_fails_only_on_new_findings() {
    let dir = scratch("baseline");
    write(&dir, "tenant-lint.toml", CONFIG);
    write(&dir, "db/schema.sql", SCHEMA);
    let rust = |padding: usize, var: &str, extra: &str| {
        format!(
            "pub fn totals(conn: &Connection) -> i64 {{\n    let {var} = 2;\n    {var} * 2\n}}\n{}\npub fn open_orders(conn: &Connection) -> Result<i64> {{\n    conn.query_row(\n        \"SELECT COUNT(*)\n         FROM WORK_ORDER\n         WHERE status = 'OPEN'\",\n        [],\n        |r| r.get(0),\n    )\n}}\n{extra}",
            "// padding\n".repeat(padding)
        )
    };
    write(&dir, "src/repo.rs", &rust(0, "total", ""));
    write(&dir, "queries/kpi.sql", QUERIES);
    let (code, transcript) = tenant_lint(
        &dir,
        &["check", "--write-baseline", "tenant-lint.baseline.json"],
    );
    assert_eq!(code, 0, "{transcript}");
    insta::assert_snapshot!("baseline_written", transcript);
    let baseline = std::fs::read_to_string(dir.join("tenant-lint.baseline.json")).unwrap();
    insta::assert_snapshot!("baseline_file", baseline);

    // Move the Rust finding 40 lines down, rename an unrelated variable, and move the
    // SQL file's findings too: the baseline still accounts for every one.
    write(&dir, "src/repo.rs", &rust(40, "sum", ""));
    write(
        &dir,
        "queries/kpi.sql",
        &format!("{}{QUERIES}", "\n".repeat(40)),
    );
    let (code, transcript) =
        tenant_lint(&dir, &["check", "--baseline", "tenant-lint.baseline.json"]);
    assert_eq!(code, 0, "{transcript}");
    insta::assert_snapshot!("baseline_after_move", transcript);

    // A new finding fails the gate, alone.
    let new = "\npub fn jobs(conn: &Connection) -> Result<i64> {\n    conn.query_row(\"SELECT COUNT(*) FROM JOB\", [], |r| r.get(0))\n}\n";
    write(&dir, "src/repo.rs", &rust(40, "sum", new));
    let (code, transcript) = tenant_lint(
        &dir,
        &[
            "check",
            "--baseline",
            "tenant-lint.baseline.json",
            "--format",
            "concise",
        ],
    );
    assert_eq!(code, 1, "{transcript}");
    insta::assert_snapshot!("baseline_new_finding", transcript);

    // A fixed finding leaves a stale entry, which is listed so the file can shrink.
    write(
        &dir,
        "queries/kpi.sql",
        "SELECT * FROM JOB WHERE client_id = :client_id;\n",
    );
    let (code, transcript) = tenant_lint(
        &dir,
        &[
            "check",
            "--baseline",
            "tenant-lint.baseline.json",
            "--format",
            "concise",
        ],
    );
    assert_eq!(code, 1, "{transcript}");
    insta::assert_snapshot!("baseline_stale_entries", transcript);
}

#[test]
fn an_unusable_baseline_is_an_error() {
    let dir = project("baseline-bad");
    let (code, transcript) = tenant_lint(&dir, &["check", "--baseline", "missing.json"]);
    assert_eq!(code, 2);
    assert!(
        transcript.contains("error: missing.json: cannot read the baseline"),
        "{transcript}"
    );
    write(&dir, "broken.json", "{\"version\": 1,\n \"findings\": [\n");
    let (code, transcript) = tenant_lint(&dir, &["check", "--baseline", "broken.json"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("baseline_broken", transcript);
    write(&dir, "v9.json", "{\"version\": 9, \"findings\": []}");
    let (code, transcript) = tenant_lint(&dir, &["check", "--baseline", "v9.json"]);
    assert_eq!(code, 2);
    assert!(
        transcript.contains("baseline version 9 is not supported"),
        "{transcript}"
    );
}

#[test]
fn suppressions_in_sql_and_rust_with_their_meta_findings_and_listing() {
    let dir = scratch("suppressions");
    write(&dir, "tenant-lint.toml", CONFIG);
    write(&dir, "db/schema.sql", SCHEMA);
    write(
        &dir,
        "reports/admin.sql",
        "-- tenant-lint: allow-file(missing-tenant-filter) reason=\"platform admin reports, run by operators only\"\nSELECT COUNT(*) FROM JOB;\nSELECT COUNT(*) FROM WORK_ORDER;\n",
    );
    write(
        &dir,
        "queries/q.sql",
        "-- tenant-lint: allow(TI001) reason=\"nightly export of every client\"\nSELECT * FROM JOB;\n\n-- tenant-lint: allow(TI001)\nSELECT * FROM WORK_ORDER;\n\n-- tenant-lint: allow(TI0001) reason=\"typo\"\nSELECT * FROM JOB WHERE client_id = :client_id;\n\n-- tenant-lint: allow(unscoped-delete) reason=\"nothing to suppress\"\nSELECT * FROM JOB WHERE client_id = :client_id;\n",
    );
    write(
        &dir,
        "src/export.rs",
        "//! tenant-lint: allow-file(TI001) reason=\"export runs outside any tenant\"\n\npub fn all_jobs(conn: &Connection) -> Result<i64> {\n    conn.query_row(\"SELECT COUNT(*) FROM JOB\", [], |r| r.get(0))\n}\n\n#[tenant_scoped(cross_tenant = \"operators see every client\")]\npub fn every_order(conn: &Connection) -> Result<i64> {\n    conn.query_row(\"SELECT COUNT(*) FROM WORK_ORDER\", [], |r| r.get(0))\n}\n\npub fn one(conn: &Connection) -> Result<i64> {\n    // tenant-lint: allow(TI001) reason=\"checked by the caller\"\n    conn.query_row(\"SELECT COUNT(*) FROM JOB WHERE client_id = :client_id\", [], |r| r.get(0))\n}\n",
    );
    let (code, transcript) = tenant_lint(&dir, &["check", "--format", "concise"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("suppression_findings", transcript);
    let (code, transcript) = tenant_lint(&dir, &["check", "--list-suppressions"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("suppression_list", transcript);
    let (code, transcript) = tenant_lint(
        &dir,
        &[
            "check",
            "--list-suppressions",
            "--format",
            "json",
            "reports",
        ],
    );
    assert_eq!(code, 0);
    insta::assert_snapshot!("suppression_list_json", transcript);
    // The readiness audit names each suppressed statement with its reason.
    let (_, audit) = tenant_lint(&dir, &["audit", "--format", "markdown"]);
    assert!(
        audit.contains("- suppressed queries/q.sql:2: \"nightly export of every client\""),
        "{audit}"
    );
    assert!(
        audit.contains("| `every_order` | suppressed: \"operators see every client\" |"),
        "{audit}"
    );
}

#[test]
fn explain_shows_the_proof_attempted_per_table() {
    let dir = project("explain");
    let (code, transcript) = tenant_lint(
        &dir,
        &[
            "check",
            "--explain",
            "--format",
            "concise",
            "queries/kpi.sql",
        ],
    );
    assert_eq!(code, 1);
    insta::assert_snapshot!("explain", transcript);
    // In a Rust string, positions are in the Rust file; a bound table says what binds it.
    write(
        &dir,
        "src/repo.rs",
        "pub fn jobs(conn: &Connection) -> Result<i64> {\n    conn.query_row(\n        \"SELECT COUNT(*)\n         FROM WORK_ORDER w JOIN JOB j ON j.work_order_id = w.work_order_id\n         WHERE w.client_id = :client_id AND (j.job_id = :id OR j.client_id = :client_id)\",\n        [],\n        |r| r.get(0),\n    )\n}\n",
    );
    let (code, transcript) = tenant_lint(
        &dir,
        &["check", "--explain", "--format", "concise", "src/repo.rs"],
    );
    assert_eq!(code, 1);
    insta::assert_snapshot!("explain_rust", transcript);
}

#[test]
fn explain_goes_inside_json_and_sarif_documents() {
    let dir = project("explain-structured");
    // JSON: every diagnostic of a statement carries its proof; the document parses.
    let (code, transcript) = tenant_lint(
        &dir,
        &["check", "--explain", "--format", "json", "queries/kpi.sql"],
    );
    assert_eq!(code, 1);
    let json = transcript
        .split("--- stdout\n")
        .nth(1)
        .and_then(|t| t.split("--- stderr\n").next())
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(json).expect("one JSON document");
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert!(!diagnostics.is_empty());
    for d in diagnostics {
        let explain = &d["explain"];
        assert_eq!(explain["path"], d["path"], "{d:#}");
        assert!(explain["line"].as_u64().unwrap() <= d["line"].as_u64().unwrap());
        let tables = explain["tables"].as_array().unwrap();
        // The table a diagnostic names is explained, and not as bound.
        if let Some(table) = d["table"].as_str() {
            assert!(
                tables.iter().any(|t| t["table"]
                    .as_str()
                    .unwrap()
                    .starts_with(table)
                    && t["bound"] == false),
                "{d:#}"
            );
        }
    }
    // Without --explain the contract is unchanged: no `explain` key.
    let (_, plain) = tenant_lint(&dir, &["check", "--format", "json", "queries/kpi.sql"]);
    assert!(!plain.contains("\"explain\""), "{plain}");

    // SARIF: in each result's properties, and still valid SARIF 2.1.0.
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sarif/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::draft4::new(&schema).expect("the SARIF schema compiles");
    let log = sarif(&dir, &["--explain", "queries/kpi.sql"]);
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        assert!(
            result["properties"]["explain"]["tables"].is_array(),
            "{result:#}"
        );
    }
}

#[test]
fn configuration_errors_name_file_line_and_key() {
    let dir = scratch("config-errors");
    write(&dir, "q.sql", "SELECT 1;\n");
    let cases = [
        ("misspelt_table", "[tabels]\nshared = [\"SHIFT\"]\n"),
        (
            "misspelt_key",
            "[tenant]\ncolumn = \"client_id\"\nparam = [\":client_id\"]\n",
        ),
        ("wrong_type", "[tables]\nshared = \"SHIFT\"\n"),
        ("unknown_rule", "[rules]\nmissing-tenant-filtr = \"off\"\n"),
        ("bad_toml", "[tenant\ncolumn = 1\n"),
    ];
    for (name, config) in cases {
        write(&dir, "tenant-lint.toml", config);
        let (code, transcript) = tenant_lint(&dir, &["check"]);
        assert_eq!(code, 2, "{name}: {transcript}");
        insta::assert_snapshot!(format!("config_{name}"), transcript);
    }
}

#[test]
fn rules_lists_every_rule_with_code_name_severity_and_summary() {
    let (code, transcript) = tenant_lint(Path::new("."), &["rules"]);
    assert_eq!(code, 0);
    for rule in tenant_lint::rules::ALL {
        let line = transcript
            .lines()
            .find(|l| l.starts_with(rule.code))
            .unwrap_or_else(|| panic!("{} not listed", rule.code));
        assert!(
            line.contains(rule.name) && line.contains(rule.summary),
            "{line}"
        );
        assert!(line.contains(rule.severity.name()), "{line}");
    }
}
