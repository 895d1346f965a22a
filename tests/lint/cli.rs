//! `tenant-lint` end to end: stdout, stderr and the exit code, snapshotted.

use std::path::{Path, PathBuf};

use tenant_lint::cli::{Env, run};

/// A fresh directory under cargo's per-test temporary directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("lint-cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn write(dir: &Path, file: &str, text: &str) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Runs `tenant-lint ARGS` in `cwd`; returns the transcript (exit code, stdout, stderr).
pub fn tenant_lint(cwd: &Path, args: &[&str]) -> (i32, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let env = Env {
        cwd,
        terminal: false,
    };
    let argv = std::iter::once("tenant-lint").chain(args.iter().copied());
    let code = run(argv, &env, &mut out, &mut err);
    let transcript = format!(
        "exit: {code}\n--- stdout\n{}--- stderr\n{}",
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap()
    );
    (code, transcript)
}

const SCHEMA: &str = "CREATE TABLE CLIENT (client_id TEXT PRIMARY KEY);
CREATE TABLE WORK_ORDER (client_id TEXT NOT NULL REFERENCES CLIENT (client_id), work_order_id TEXT NOT NULL, status TEXT, PRIMARY KEY (client_id, work_order_id));
CREATE TABLE SHIFT (shift_id INTEGER PRIMARY KEY, shift_name TEXT);
";

const CONFIG: &str = "[tables]\nshared = [\"SHIFT\"]\n[schema]\nfiles = [\"db/schema.sql\"]\n";

fn project(name: &str) -> PathBuf {
    let dir = scratch(name);
    write(&dir, "tenant-lint.toml", CONFIG);
    write(&dir, "db/schema.sql", SCHEMA);
    dir
}

#[test]
fn findings_exit_1_with_rustc_style_output() {
    let dir = project("findings");
    write(
        &dir,
        "queries/kpi.sql",
        "-- open orders\nSELECT COUNT(*)\nFROM WORK_ORDER\nWHERE status = 'OPEN';\n\nSELECT * FROM WORK_ORDER WHERE client_id = :client_id;\n",
    );
    let (code, transcript) = tenant_lint(&dir, &["check", "queries"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(transcript);
}

#[test]
fn json_output_follows_the_contract() {
    let dir = project("json");
    write(
        &dir,
        "q.sql",
        "SELECT * FROM WORK_ORDER WHERE status = :s; SELECT * FROM SHIFT;\n",
    );
    let (code, transcript) = tenant_lint(&dir, &["check", "--format", "json", "q.sql"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(transcript);
}

#[test]
fn clean_code_exits_0_and_warnings_do_not_fail() {
    let dir = project("clean");
    write(
        &dir,
        "q.sql",
        "SELECT * FROM WORK_ORDER WHERE client_id = :client_id;\nSELECT * FROM ANALYTICS_EVENTS;\n",
    );
    let (code, transcript) = tenant_lint(&dir, &["check"]);
    assert_eq!(code, 0, "{transcript}");
    insta::assert_snapshot!(transcript);
}

#[test]
fn default_paths_are_the_config_directory_found_from_a_subdirectory() {
    let dir = project("discovery");
    write(&dir, "app/sql/q.sql", "SELECT * FROM WORK_ORDER;\n");
    let (code, transcript) = tenant_lint(&dir.join("app/sql"), &["check"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(transcript);
}

#[test]
fn cli_flags_override_the_configuration() {
    let dir = project("overrides");
    write(
        &dir,
        "q.sql",
        "SELECT * FROM WORK_ORDER WHERE client_id = :client;\n",
    );
    let (code, _) = tenant_lint(&dir, &["check", "q.sql"]);
    assert_eq!(code, 0, "any parameter binds outside strict mode");
    let (code, transcript) = tenant_lint(&dir, &["check", "--param", ":client_id", "q.sql"]);
    assert_eq!(code, 1, "{transcript}");
    assert!(
        transcript.contains("`:client` is not a tenant parameter"),
        "{transcript}"
    );
}

#[test]
fn missing_path_is_a_usage_error() {
    let dir = project("missing");
    let (code, transcript) = tenant_lint(&dir, &["check", "nope.sql"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(transcript);
}

#[test]
fn without_a_configuration_the_check_stops_and_suggests_init() {
    let dir = scratch("no-config");
    write(&dir, "queries/kpi.sql", "SELECT * FROM WORK_ORDER;\n");
    let (code, transcript) = tenant_lint(&dir, &["check"]);
    assert_eq!(code, 2, "{transcript}");
    assert!(
        transcript.contains("no tenant-lint.toml in . or a parent directory")
            && transcript.contains("tenant-lint init"),
        "{transcript}"
    );
    // A schema named on the command line configures the check.
    write(&dir, "db/schema.sql", SCHEMA);
    let (code, transcript) = tenant_lint(&dir, &["check", "--schema", "db/schema.sql", "queries"]);
    assert_eq!(code, 1, "{transcript}");
    assert!(transcript.contains("TI001"), "{transcript}");
}

#[test]
fn directory_without_sql_is_an_error() {
    let dir = project("empty");
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    write(&dir, "docs/readme.txt", "no sql here");
    let (code, transcript) = tenant_lint(&dir, &["check", "docs"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(transcript);
}

#[test]
fn bad_config_key_is_reported_with_its_line() {
    let dir = scratch("bad-key");
    write(
        &dir,
        "tenant-lint.toml",
        "dialect = \"sqlite\"\n[tenant]\ncolumn = \"client_id\"\nparam = [\":client_id\"]\n",
    );
    write(&dir, "q.sql", "SELECT 1;");
    let (code, transcript) = tenant_lint(&dir, &["check"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(transcript);
}

#[test]
fn unknown_dialect_in_config_and_on_the_command_line() {
    let dir = scratch("bad-dialect");
    write(&dir, "tenant-lint.toml", "dialect = \"oracle\"\n");
    write(&dir, "q.sql", "SELECT 1;");
    let (code, transcript) = tenant_lint(&dir, &["check"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("dialect_in_config", transcript);
    let (code, transcript) = tenant_lint(
        &dir,
        &["check", "--config", "none.toml", "--dialect", "oracle"],
    );
    assert_eq!(code, 2);
    insta::assert_snapshot!("dialect_on_command_line", transcript);
}

#[test]
fn bad_rule_level_is_a_config_error() {
    let dir = scratch("bad-level");
    write(&dir, "tenant-lint.toml", "[rules]\nTI001 = \"loud\"\n");
    write(&dir, "q.sql", "SELECT 1;");
    let (code, transcript) = tenant_lint(&dir, &["check"]);
    assert_eq!(code, 2);
    assert!(
        transcript.contains("tenant-lint.toml:2:9: `rules.TI001`: unknown level `loud`"),
        "{transcript}"
    );
}

#[test]
fn rule_levels_from_config_change_severity() {
    let dir = project("levels");
    write(
        &dir,
        "tenant-lint.toml",
        &format!("{CONFIG}[rules]\nhard-coded-tenant-literal = \"error\"\n"),
    );
    write(
        &dir,
        "q.sql",
        "SELECT * FROM WORK_ORDER WHERE client_id = 'ACME';\n",
    );
    let (code, transcript) = tenant_lint(&dir, &["check"]);
    assert_eq!(code, 1, "{transcript}");
    assert!(transcript.contains("error[TI003]"), "{transcript}");
}

#[test]
fn missing_schema_file_is_a_config_error_at_its_entry() {
    let dir = scratch("missing-schema");
    write(
        &dir,
        "tenant-lint.toml",
        "[schema]\nfiles = [\"db/schema.sql\"]\n",
    );
    write(&dir, "q.sql", "SELECT 1;");
    let (code, transcript) = tenant_lint(&dir, &["check"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(transcript);
}

#[test]
fn rule_prints_its_documentation() {
    let dir = scratch("rule-docs");
    let (code, transcript) = tenant_lint(&dir, &["rule", "missing-tenant-filter"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(transcript);
    let (code, by_code) = tenant_lint(&dir, &["rule", "ti001"]);
    assert_eq!(code, 0);
    assert_eq!(by_code, transcript, "code and name print the same page");
}

#[test]
fn unknown_rule_is_a_usage_error() {
    let dir = scratch("rule-unknown");
    let (code, transcript) = tenant_lint(&dir, &["rule", "TI000"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(transcript);
}

#[test]
fn rules_lists_every_rule() {
    let dir = scratch("rules");
    let (code, transcript) = tenant_lint(&dir, &["rules"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(transcript);
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    let dir = scratch("usage");
    let (code, _) = tenant_lint(&dir, &["lint"]);
    assert_eq!(code, 2);
}

#[test]
fn included_files_are_sql_when_named_so_or_when_they_read_as_sql() {
    // Regression: `include_str!("../tenant-lint.toml")` in the reference app was read as
    // SQL and reported unparseable.
    // Included files are scanned files: `[scan]` covers the text file and the
    // configuration alike, and only the one that reads as SQL is checked.
    let dir = project("includes");
    write(
        &dir,
        "tenant-lint.toml",
        &format!("{CONFIG}[scan]\ninclude = [\"**/*.rs\", \"**/*.txt\", \"**/*.toml\"]\n"),
    );
    write(
        &dir,
        "src/lib.rs",
        r#"const CONFIG: &str = include_str!("../tenant-lint.toml");
const REPORT: &str = include_str!("report.txt");
"#,
    );
    write(&dir, "src/report.txt", "SELECT status FROM WORK_ORDER;\n");
    let (code, transcript) = tenant_lint(&dir, &["check", "src"]);
    assert_eq!(code, 1, "{transcript}");
    assert!(transcript.contains("src/report.txt:1:20"), "{transcript}");
    assert!(!transcript.contains("tenant-lint.toml"), "{transcript}");
}

#[test]
fn the_rules_document_is_generated_from_the_rules() {
    // docs/rules.md is the output of `tenant-lint rules --format markdown`; regenerate
    // it with that command when a rule's documentation changes.
    let dir = scratch("rules-markdown");
    let (code, transcript) = tenant_lint(&dir, &["rules", "--format", "markdown"]);
    assert_eq!(code, 0);
    let generated = transcript
        .strip_prefix("exit: 0\n--- stdout\n")
        .and_then(|t| t.split_once("--- stderr").map(|(out, _)| out))
        .expect("the transcript's stdout");
    let committed =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md"))
            .unwrap();
    assert!(
        committed == generated,
        "docs/rules.md is stale: run `cargo run -p tenant-lint -- rules --format markdown > docs/rules.md`"
    );
}
