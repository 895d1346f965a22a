//! Code cross-tenant by design: `[[cross_tenant]]` declarations and test code.

use std::path::{Path, PathBuf};

use crate::cli::{scratch, tenant_lint, write};

fn service() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apps/service")
}

/// A copy of the service fixture in a scratch directory, to change.
fn copy_of_service(name: &str) -> PathBuf {
    let dir = scratch(name);
    for entry in walkdir::WalkDir::new(service()) {
        let entry = entry.unwrap();
        let relative = entry.path().strip_prefix(service()).unwrap();
        if entry.file_type().is_file() {
            write(
                &dir,
                relative.to_str().unwrap(),
                &std::fs::read_to_string(entry.path()).unwrap(),
            );
        }
    }
    dir
}

#[test]
fn a_service_with_one_declaration_per_module_is_clean_and_lists_them() {
    let (code, transcript) = tenant_lint(&service(), &["check"]);
    assert_eq!(code, 0, "{transcript}");
    assert!(transcript.contains("0 errors, 0 warnings"), "{transcript}");
    let (_, listed) = tenant_lint(&service(), &["check", "--list-suppressions"]);
    insta::assert_snapshot!("declared_listing", listed);
    // The audit gives each statement the reason of the declaration that covers it.
    let (code, audit) = tenant_lint(&service(), &["audit"]);
    assert_eq!(code, 0, "{audit}");
    for reason in [
        "declared cross-tenant: background workers sweep every organisation's queue",
        "declared cross-tenant: the operator console lists every organisation, behind staff login",
        "declared cross-tenant: data migrations backfill every organisation's rows once",
    ] {
        assert!(audit.contains(reason), "{reason}\n{audit}");
    }
}

#[test]
fn without_its_declarations_the_same_service_has_errors_in_each_module() {
    let dir = copy_of_service("undeclared");
    let config = std::fs::read_to_string(dir.join("tenant-lint.toml")).unwrap();
    let bare = config.split("[[cross_tenant]]").next().unwrap().to_string();
    write(&dir, "tenant-lint.toml", &bare);
    let (code, transcript) = tenant_lint(&dir, &["check", "--format", "concise"]);
    assert_eq!(code, 1, "{transcript}");
    for place in [
        "src/workers/sweep.rs:4:",
        "src/admin/mod.rs:4:",
        "migrations/0002_backfill.sql:2:",
    ] {
        assert!(transcript.contains(place), "{place}\n{transcript}");
    }
    // Test code is declared by default: not among the errors.
    assert!(!transcript.contains("tests/orders.rs"), "{transcript}");
    assert!(!transcript.contains("src/api/orders.rs"), "{transcript}");
}

#[test]
fn a_declaration_that_covers_nothing_is_reported_where_it_is_written() {
    let dir = copy_of_service("unused-declaration");
    let config = std::fs::read_to_string(dir.join("tenant-lint.toml")).unwrap();
    write(
        &dir,
        "tenant-lint.toml",
        &format!(
            "{config}\n[[cross_tenant]]\npaths = [\"src/reports/**\"]\nreason = \"reports cover every organisation\"\n"
        ),
    );
    let (code, transcript) = tenant_lint(&dir, &["check", "--format", "concise"]);
    assert_eq!(code, 0, "a warning: {transcript}");
    assert!(
        transcript.contains(
            "tenant-lint.toml:24:1: warning[TI903] the cross-tenant declaration (paths src/reports/**) covers no finding"
        ),
        "{transcript}"
    );
}

#[test]
fn a_declaration_never_hides_what_the_engine_could_not_read() {
    let dir = copy_of_service("declared-unreadable");
    write(
        &dir,
        "src/workers/broken.rs",
        "use crate::Db;\n\npub fn broken(db: &Db) -> usize {\n    db.query(\"SELECT id FROM orders WHERE (\")\n}\n",
    );
    let (code, transcript) = tenant_lint(&dir, &["check", "--format", "concise"]);
    assert_eq!(code, 1, "{transcript}");
    assert!(
        transcript.contains("src/workers/broken.rs:4:") && transcript.contains("TI999"),
        "{transcript}"
    );
}

#[test]
fn test_code_can_be_checked_or_skipped_instead() {
    let dir = copy_of_service("tests-checked");
    let config = std::fs::read_to_string(dir.join("tenant-lint.toml")).unwrap();
    let with = |tests: &str| {
        config.replace(
            "[schema]",
            &format!(
                "[scan]\ninclude = [\"**/*.rs\", \"**/*.sql\"]\ntests = \"{tests}\"\n\n[schema]"
            ),
        )
    };
    write(&dir, "tenant-lint.toml", &with("checked"));
    let (code, transcript) = tenant_lint(&dir, &["check", "--format", "concise"]);
    assert_eq!(code, 1, "{transcript}");
    // The `#[cfg(test)]` module's set-up and check, and the integration test.
    assert!(transcript.contains("src/api/orders.rs:16:"), "{transcript}");
    assert!(transcript.contains("src/api/orders.rs:17:"), "{transcript}");
    assert!(transcript.contains("tests/orders.rs:6:"), "{transcript}");

    write(&dir, "tenant-lint.toml", &with("skipped"));
    let (code, transcript) = tenant_lint(&dir, &["check"]);
    assert_eq!(code, 0, "{transcript}");
    let (_, listed) = tenant_lint(&dir, &["check", "--list-suppressions"]);
    assert!(
        listed.contains("test code covers findings in 1 file"),
        "the tests/ file is not read, the module in src/ is not checked: {listed}"
    );

    write(&dir, "tenant-lint.toml", &with("sometimes"));
    let (code, transcript) = tenant_lint(&dir, &["check"]);
    assert_eq!(code, 2);
    assert!(
        transcript.contains("`scan.tests`: `sometimes` is not one of"),
        "{transcript}"
    );
}

#[test]
fn a_declaration_needs_a_reason_and_something_to_cover() {
    let dir = scratch("declaration-errors");
    write(&dir, "q.sql", "SELECT 1;\n");
    for (config, message) in [
        (
            "[[cross_tenant]]\npaths = [\"workers/**\"]\n",
            "a declaration needs a `reason`",
        ),
        (
            "[[cross_tenant]]\nreason = \"why\"\n",
            "a declaration names `paths` (globs) or `functions`",
        ),
    ] {
        write(&dir, "tenant-lint.toml", config);
        let (code, transcript) = tenant_lint(&dir, &["check"]);
        assert_eq!(code, 2, "{transcript}");
        assert!(
            transcript.contains("tenant-lint.toml:1:1: `cross_tenant`")
                && transcript.contains(message),
            "{transcript}"
        );
    }
}
