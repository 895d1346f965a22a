//! Helpers for rule unit tests: the fixture schema and configuration, and rendering.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use crate::engine::{Engine, parse_sql};
use crate::extract::source::SourceFile;
use crate::model::{Config, Schema, TenantModel};
use crate::report::diagnostic::Diagnostic;
use crate::report::human;

const SCHEMA: &str = include_str!("../../../fixtures/sql/schema/kpi.sql");
const CONFIG: &str = include_str!("../../../fixtures/sql/tenant-lint.toml");

/// The engine over `fixtures/sql/schema/kpi.sql` with `fixtures/sql/tenant-lint.toml`.
pub(crate) fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| engine_with(CONFIG))
}

/// An engine over the fixture schema with another configuration.
pub(crate) fn engine_with(config: &str) -> Engine {
    let config = Config::parse(config, Path::new("tenant-lint.toml")).expect("valid test config");
    let mut schema = Schema::new(config.dialect);
    let path: Arc<Path> = Arc::from(Path::new("schema/kpi.sql"));
    for statement in parse_sql(SCHEMA, config.dialect, &|at| at).statements {
        schema.apply(&statement.parsed.expect("fixture schema parses"), &path);
    }
    Engine::new(TenantModel::new(config, schema)).expect("valid rule levels")
}

pub(crate) fn check_with(engine: &Engine, sql: &str) -> (SourceFile, Vec<Diagnostic>) {
    let file = SourceFile::new("test.sql", sql);
    let path: Arc<Path> = Arc::from(Path::new("test.sql"));
    let mut diagnostics = engine.check_sql_file(&path, sql).diagnostics;
    crate::report::diagnostic::sort(&mut diagnostics);
    (file, diagnostics)
}

/// The findings on `sql`, rendered as the CLI prints them (no colour).
pub(crate) fn render(sql: &str) -> String {
    render_with(engine(), sql)
}

pub(crate) fn render_with(engine: &Engine, sql: &str) -> String {
    let (file, diagnostics) = check_with(engine, sql);
    human::render(&diagnostics, |_| Some(&file), false)
        .trim_end()
        .to_string()
}

/// The codes found on `sql`, in position order.
pub(crate) fn codes(sql: &str) -> Vec<String> {
    check_with(engine(), sql)
        .1
        .iter()
        .map(|d| d.code.to_string())
        .collect()
}

#[track_caller]
pub(crate) fn assert_clean(sql: &str) {
    let rendered = render(sql);
    assert!(
        rendered.is_empty(),
        "expected no findings for\n{sql}\ngot:\n{rendered}"
    );
}
