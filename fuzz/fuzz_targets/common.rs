//! The engine the targets share: the rule fixtures' KPI schema and configuration.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use tenant_lint::engine::{Engine, parse_sql};
use tenant_lint::model::{Config, Schema, TenantModel};

const SCHEMA: &str = include_str!("../../fixtures/sql/schema/kpi.sql");
const CONFIG: &str = include_str!("../../fixtures/sql/tenant-lint.toml");

pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let config = Config::parse(CONFIG, Path::new("tenant-lint.toml")).expect("config");
        let mut schema = Schema::new(config.dialect);
        let path: Arc<Path> = Arc::from(Path::new("kpi.sql"));
        for statement in parse_sql(SCHEMA, config.dialect, &|at| at).statements {
            schema.apply(&statement.parsed.expect("schema parses"), &path);
        }
        Engine::new(TenantModel::new(config, schema)).expect("engine")
    })
}
