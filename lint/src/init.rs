//! `tenant-lint init`: a starter `tenant-lint.toml` from a schema, so a new user
//! adopts the tool in one step. It detects the tenant column (the column most foreign
//! keys use to reference one table, the root), and lists the tenant tables, the
//! candidate shared tables and the undecided ones, with comments.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::model::schema::Schema;
use crate::model::tenant::Evidence;
use crate::model::{Config, TableClass, TenantModel};

/// The detected tenant column and root, and how sure the detection is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub column: String,
    pub root: Option<String>,
    /// How many foreign keys use the column to reference the root, of all foreign keys.
    pub votes: usize,
    pub foreign_keys: usize,
}

/// The column most single-column foreign keys use to reference the same table.
pub fn detect_tenant_column(schema: &Schema) -> Detected {
    let mut votes: HashMap<(String, String), usize> = HashMap::new();
    let mut total = 0;
    for table in schema.tables() {
        for fk in &table.foreign_keys {
            total += 1;
            if let [column] = fk.columns.as_slice() {
                let key = (column.clone(), fk.table.name.clone());
                *votes.entry(key).or_default() += 1;
            }
        }
    }
    let best = votes.into_iter().max_by(|((ca, ta), na), ((cb, tb), nb)| {
        na.cmp(nb)
            .then_with(|| ca.ends_with("_id").cmp(&cb.ends_with("_id")))
            .then_with(|| cb.cmp(ca))
            .then_with(|| tb.cmp(ta))
    });
    match best {
        Some(((column, root), n)) if n >= 2 => Detected {
            column,
            root: Some(root),
            votes: n,
            foreign_keys: total,
        },
        _ => Detected {
            column: "client_id".to_string(),
            root: None,
            votes: 0,
            foreign_keys: total,
        },
    }
}

/// A starter configuration and what it decided.
#[derive(Debug, Clone)]
pub struct Starter {
    pub text: String,
    pub detected: Detected,
    /// Tenant tables found (root included).
    pub tenant: usize,
    /// Tables proposed as shared.
    pub shared: usize,
    /// Tables left for the user to decide.
    pub undecided: usize,
}

/// The text of a starter configuration.
pub fn starter_config(schema: &Schema, schema_files: &[String], db: Option<&str>) -> String {
    starter(schema, schema_files, db).text
}

/// A starter configuration, with counts of its decisions.
///
/// `schema_files` are the `[schema] files` entries (see [`schema_patterns`]).
pub fn starter(schema: &Schema, schema_files: &[String], db: Option<&str>) -> Starter {
    let detected = detect_tenant_column(schema);
    let config = Config {
        dialect: schema.dialect(),
        tenant_column: detected.column.clone(),
        ..Config::default()
    };
    let model = TenantModel::new(config, schema.clone());
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# tenant-lint.toml, written by `tenant-lint init`.");
    let _ = writeln!(
        w,
        "# Review the [tables] decisions, then run `tenant-lint check` (or `tenant-lint audit`)."
    );
    let _ = writeln!(w, "dialect = \"{}\"\n", schema.dialect());
    let _ = writeln!(w, "[tenant]");
    match &detected.root {
        Some(root) => {
            let _ = writeln!(
                w,
                "# Detected: {} of {} foreign keys reference `{root}` through `{}`.",
                detected.votes, detected.foreign_keys, detected.column
            );
        }
        None => {
            let _ = writeln!(
                w,
                "# No tenant column could be detected from foreign keys: set it here."
            );
        }
    }
    let _ = writeln!(w, "column = \"{}\"", detected.column);
    let _ = writeln!(
        w,
        "# Strict mode: list the bind parameters your data layer fills from the\n# authenticated tenant (e.g. \":{}\"), so no caller-supplied value passes for it.\nparams = []\n",
        detected.column
    );
    let _ = writeln!(w, "[tables]");
    let by_class = |class: TableClass| -> Vec<(String, String)> {
        model
            .tables()
            .filter(|(_, info)| info.class == class)
            .map(|(_, info)| {
                let why = info
                    .evidence
                    .iter()
                    .map(|e| e.describe(&detected.column))
                    .collect::<Vec<_>>()
                    .join("; ");
                (info.name.clone(), why)
            })
            .collect()
    };
    let tenant = by_class(TableClass::Tenant);
    let _ = writeln!(
        w,
        "# Tenant tables, found from the schema (listed for review; nothing to add here):"
    );
    for (name, why) in by_class(TableClass::Root).iter().chain(&tenant) {
        let _ = writeln!(w, "#   {name:<28} {why}");
    }
    let _ = writeln!(w, "tenant = []");
    // Referenced by tenant tables, holding no tenant data: reference data.
    type Listed = Vec<(String, String)>;
    let (candidates, undecided): (Listed, Listed) = by_class(TableClass::Undecided)
        .into_iter()
        .partition(|(name, _)| {
            let id = model.lookup_str(name).expect("listed");
            model
                .info(id)
                .evidence
                .iter()
                .all(|e| matches!(e, Evidence::ReferencedBy(_)))
        });
    let _ = writeln!(
        w,
        "# Candidate shared tables: referenced by tenant tables, holding no tenant data.\n# Keep a table here only if every tenant may read all of it."
    );
    let _ = writeln!(w, "shared = [");
    for (name, _) in &candidates {
        let id = model.lookup_str(name).expect("listed");
        let by: Vec<String> = model
            .info(id)
            .evidence
            .iter()
            .filter_map(|e| match e {
                Evidence::ReferencedBy(tables) => Some(tables.join("`, `")),
                _ => None,
            })
            .collect();
        let _ = writeln!(w, "    \"{name}\", # referenced by `{}`", by.join("`, `"));
    }
    let _ = writeln!(w, "]");
    if !undecided.is_empty() {
        let _ = writeln!(
            w,
            "# Undecided: tied to tenant data; add each to `shared`, or give it a `{}` column:",
            detected.column
        );
        for (name, why) in &undecided {
            let _ = writeln!(w, "#   {name:<28} {why}");
        }
    }
    let unlinked = by_class(TableClass::Global);
    if !unlinked.is_empty() {
        let _ = writeln!(
            w,
            "# No foreign key links these to tenant data, so they are checked as global.\n# Tenant data without its `{}` column? Add it to `tenant` (then fix the schema):",
            detected.column
        );
        for (name, _) in &unlinked {
            let _ = writeln!(w, "#   {name}");
        }
    }
    let _ = writeln!(w, "\n[schema]");
    let patterns = schema_files;
    if patterns.len() <= 1 {
        let files: Vec<String> = patterns.iter().map(|f| format!("\"{f}\"")).collect();
        let _ = writeln!(w, "files = [{}]", files.join(", "));
    } else {
        let _ = writeln!(w, "files = [");
        for f in patterns {
            let _ = writeln!(w, "    \"{f}\",");
        }
        let _ = writeln!(w, "]");
    }
    if let Some(db) = db {
        let _ = writeln!(
            w,
            "# The schema was read from the database {db}; pass it again with `--db {db}`."
        );
    }
    let _ = writeln!(
        w,
        "\n# Rust: the type of the tenant scope parameter `#[tenant_scoped]` functions take.\n# [rust]\n# scope_types = [\"TenantScope\"]"
    );
    let _ = writeln!(
        w,
        "\n[scan]\ninclude = [\"**/*.rs\", \"**/*.sql\"]\nexclude = [\"target/**\"]"
    );
    Starter {
        text: out,
        tenant: tenant.len() + by_class(TableClass::Root).len(),
        shared: candidates.len(),
        undecided: undecided.len(),
        detected,
    }
}

/// The schema files as configuration entries: a directory whose `.sql` files were
/// all read (and are more than one) becomes `dir/*.sql`, so migrations added later are
/// read too. `listing(dir)` gives the `.sql` files of a directory, as `dir/name`.
pub fn schema_patterns(files: &[String], listing: &dyn Fn(&str) -> Vec<String>) -> Vec<String> {
    let dir_of = |f: &str| {
        f.rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_string())
    };
    let mut out: Vec<String> = Vec::new();
    for file in files {
        let dir = dir_of(file);
        let pattern = if dir.is_empty() {
            "*.sql".to_string()
        } else {
            format!("{dir}/*.sql")
        };
        let same_dir = files.iter().filter(|f| dir_of(f) == dir).count();
        let all = listing(&dir).iter().all(|f| files.contains(f));
        if same_dir > 1 && all {
            if !out.contains(&pattern) {
                out.push(pattern);
            }
        } else {
            out.push(file.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::parse_sql;
    use crate::model::Dialect;
    use std::path::Path;
    use std::sync::Arc;

    fn schema(sql: &str) -> Schema {
        let mut schema = Schema::new(Dialect::Sqlite);
        let path: Arc<Path> = Arc::from(Path::new("schema.sql"));
        for statement in parse_sql(sql, Dialect::Sqlite, &|at| at).statements {
            schema.apply(&statement.parsed.unwrap(), &path);
        }
        schema
    }

    const SEED: &str = include_str!("../../fixtures/sql/seed-audit/schema.sql");

    #[test]
    fn detects_the_column_most_tables_reference_the_root_with() {
        let detected = detect_tenant_column(&schema(SEED));
        assert_eq!(detected.column, "client_id");
        assert_eq!(detected.root.as_deref(), Some("CLIENT"));
        assert_eq!(detected.votes, 2);
    }

    #[test]
    fn detects_a_tenant_column_of_any_name() {
        let detected = detect_tenant_column(&schema(
            "CREATE TABLE orgs (id INTEGER PRIMARY KEY);
             CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
             CREATE TABLE projects (id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs (id), owner INTEGER REFERENCES users (id));
             CREATE TABLE tasks (id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs (id), project_id INTEGER REFERENCES projects (id));
             CREATE TABLE comments (id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs (id), author INTEGER REFERENCES users (id));",
        ));
        assert_eq!(
            (
                detected.column.as_str(),
                detected.root.as_deref(),
                detected.votes
            ),
            ("org_id", Some("orgs"), 3)
        );
    }

    #[test]
    fn without_a_repeated_reference_the_column_is_left_for_review() {
        let detected = detect_tenant_column(&schema(
            "CREATE TABLE a (id INTEGER PRIMARY KEY); CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id));",
        ));
        assert_eq!(detected.root, None);
        let text = starter_config(
            &schema("CREATE TABLE a (id INTEGER PRIMARY KEY);"),
            &[],
            None,
        );
        assert!(
            text.contains("No tenant column could be detected"),
            "{text}"
        );
    }

    #[test]
    fn starter_config_parses_and_lists_the_decisions() {
        let app = [
            include_str!("../../fixtures/apps/seed-audit/migrations/V1__clients_and_reference.sql"),
            include_str!("../../fixtures/apps/seed-audit/migrations/V2__orders_and_production.sql"),
            include_str!("../../fixtures/apps/seed-audit/migrations/V3__quality.sql"),
            include_str!("../../fixtures/apps/seed-audit/migrations/V10__attendance.sql"),
        ]
        .concat();
        let text = starter_config(&schema(&app), &["migrations/*.sql".to_string()], None);
        let config = Config::parse(&text, Path::new("tenant-lint.toml")).expect(&text);
        assert_eq!(config.tenant_column, "client_id");
        // Referenced by tenant tables only: proposed as shared.
        assert_eq!(config.shared_tables, ["PRODUCT", "SHIFT"]);
        assert!(config.tenant_tables.is_empty(), "inferred, not listed");
        assert!(text.contains("#   JOB "), "{text}");
        assert!(text.contains("EMPLOYEE"), "{text}");
        assert!(text.contains("FLOATING_POOL"), "{text}");
        assert!(text.contains("#   PART_OPPORTUNITIES\n"), "{text}");
    }

    #[test]
    fn a_directory_of_migrations_becomes_a_glob() {
        let files = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let listing = |dir: &str| match dir {
            "db" => files(&["db/V1__a.sql", "db/V2__b.sql"]),
            "queries" => files(&["queries/a.sql", "queries/b.sql", "queries/reports.sql"]),
            _ => files(&["schema.sql"]),
        };
        assert_eq!(
            schema_patterns(
                &files(&["db/V1__a.sql", "db/V2__b.sql", "extra/seed.sql"]),
                &listing
            ),
            ["db/*.sql", "extra/seed.sql"]
        );
        assert_eq!(
            schema_patterns(&files(&["schema.sql"]), &listing),
            ["schema.sql"]
        );
        // Not every file of the directory holds DDL: listed one by one.
        assert_eq!(
            schema_patterns(&files(&["queries/a.sql", "queries/b.sql"]), &listing),
            ["queries/a.sql", "queries/b.sql"]
        );
    }
}
