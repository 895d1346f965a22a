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
    /// How many tables have the column, of all tables.
    pub tables_with: usize,
    pub tables: usize,
    /// How it was found, for the configuration's comment.
    pub how: String,
    /// A second level of tenancy: a column most tables also have, whose table the
    /// root belongs to (`organization_id` over `project_id`).
    pub outer: Option<String>,
}

/// Words that name a tenant in a column (`org_id`, `teamId`, `workspace_id`).
const TENANT_WORDS: &[&str] = &[
    "tenant",
    "org",
    "organization",
    "organisation",
    "account",
    "team",
    "workspace",
    "company",
    "client",
    "customer",
    "project",
];

/// The word a column name is about: `organization_id` → `organization`, `teamId` →
/// `team`, `tenant` → `tenant`.
fn column_word(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let stem = lower
        .strip_suffix("_id")
        .or_else(|| lower.strip_suffix("id").filter(|s| !s.is_empty()))
        .unwrap_or(&lower);
    stem.trim_end_matches('_').to_string()
}

/// The tenant column: the column most tables have and most foreign keys use to
/// reference one table, preferring names that say tenant (`tenant_id`, `org_id`,
/// `teamId`). A column that few tables have (`job_id` referenced twice) is not
/// chosen over one most tables carry.
pub fn detect_tenant_column(schema: &Schema) -> Detected {
    let dialect = schema.dialect();
    let tables: Vec<&crate::model::schema::Table> = schema
        .tables()
        .filter(|t| !t.is_view && !t.is_sequence && !t.temporary)
        .collect();
    // Per column name: the tables that have it, and the tables its single-column
    // foreign keys reference.
    let mut having: HashMap<String, usize> = HashMap::new();
    let mut votes: HashMap<(String, String), usize> = HashMap::new();
    let mut total = 0;
    for table in &tables {
        let primary: Vec<&str> = table
            .primary_key()
            .map(|k| k.columns.iter().map(String::as_str).collect())
            .unwrap_or_default();
        for column in &table.columns {
            // A table's own id is not a tenant column.
            if primary == [column.name.as_str()] {
                continue;
            }
            *having.entry(column.name.clone()).or_default() += 1;
        }
        for fk in &table.foreign_keys {
            total += 1;
            if let [column] = fk.columns.as_slice() {
                *votes
                    .entry((column.clone(), fk.table.name.clone()))
                    .or_default() += 1;
            }
        }
    }
    let root_of = |column: &str| -> Option<(String, usize)> {
        votes
            .iter()
            .filter(|((c, _), _)| dialect.same_name(c, column))
            .max_by(|(ka, a), (kb, b)| a.cmp(b).then_with(|| kb.1.cmp(&ka.1)))
            .map(|((_, root), n)| (root.clone(), *n))
    };
    let hinted = |column: &str| TENANT_WORDS.contains(&column_word(column).as_str());
    let word_rank = |column: &str| {
        let word = column_word(column);
        TENANT_WORDS
            .iter()
            .position(|w| *w == word)
            .map_or(0, |p| TENANT_WORDS.len() - p)
    };
    // Candidates named like a tenant that several tables have, most tables first; else
    // a column most tables have that foreign keys use to reference one table (the
    // tenant by structure, whatever its name). A column few tables have (`job_id`
    // referenced twice) is not a tenant column.
    let enough = |n: usize| n >= 2 && n * 10 >= tables.len();
    let mut named: Vec<(&String, usize)> = having
        .iter()
        .filter(|(c, n)| hinted(c) && enough(**n))
        .map(|(c, n)| (c, *n))
        .collect();
    let by_rank = |(ca, na): &(&String, usize), (cb, nb): &(&String, usize)| {
        let fa = root_of(ca).map_or(0, |r| r.1);
        let fb = root_of(cb).map_or(0, |r| r.1);
        nb.cmp(na)
            .then_with(|| fb.cmp(&fa))
            .then_with(|| word_rank(cb).cmp(&word_rank(ca)))
            .then_with(|| ca.cmp(cb))
    };
    named.sort_by(by_rank);
    let mut structural: Vec<(&String, usize)> = having
        .iter()
        .filter(|(c, n)| {
            n.saturating_mul(4) >= tables.len() && root_of(c).is_some_and(|r| r.1 >= 2)
        })
        .map(|(c, n)| (c, *n))
        .collect();
    structural.sort_by(by_rank);
    // Two levels: of two tenant-named columns, the inner one's root table carries the
    // outer one (`projects.organization_id`): the inner one is the tenant column.
    let carries = |column: &str, other: &str| {
        root_of(column)
            .and_then(|(root, _)| {
                schema
                    .table(&root)
                    .map(|t| t.columns.iter().any(|c| dialect.same_name(&c.name, other)))
            })
            .unwrap_or(false)
    };
    let mut outer: Option<String> = None;
    let mut pick = named.first().copied();
    if let Some((top, _)) = pick {
        for (other, _) in named.iter().skip(1) {
            if carries(top, other) {
                outer = Some((*other).clone());
                break;
            }
            if carries(other, top) {
                outer = Some(top.clone());
                pick = named.iter().find(|(c, _)| c == other).copied();
                break;
            }
        }
    }
    let chosen = pick
        .or_else(|| structural.first().copied())
        .map(|(column, n)| (column.clone(), n, root_of(column)));
    let Some((column, with, root)) = chosen else {
        return Detected {
            column: "tenant_id".to_string(),
            root: None,
            votes: 0,
            foreign_keys: total,
            tables_with: 0,
            tables: tables.len(),
            how: "no column is carried by most tables or referenced like a tenant".to_string(),
            outer: None,
        };
    };
    let (root, n) = match root {
        Some((root, n)) => (Some(root), n),
        None => (None, 0),
    };
    let how = match &root {
        Some(r) => format!(
            "{with} of {} tables have `{column}`; {n} of {total} foreign keys use it to reference `{r}`",
            tables.len()
        ),
        None => format!(
            "{with} of {} tables have `{column}`; no foreign key declares what it references",
            tables.len()
        ),
    };
    Detected {
        column,
        root,
        votes: n,
        foreign_keys: total,
        tables_with: with,
        tables: tables.len(),
        how,
        outer,
    }
}

/// A starter configuration and what it decided.
#[derive(Debug, Clone)]
pub struct Starter {
    pub text: String,
    pub detected: Detected,
    /// Tenant tables found (root included).
    pub tenant: usize,
    /// Tables proposed as shared candidates (commented out: the user decides).
    pub shared: usize,
    /// Tables left for the user to decide.
    pub undecided: usize,
}

/// What `init` learnt besides the schema, for the configuration's comments.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// How the dialect was chosen.
    pub dialect_reason: String,
    /// Statements of the schema files that could not be read: `file:line:column: why`.
    pub skipped: Vec<String>,
    /// The tenant column given with `--tenant-column`.
    pub tenant_column: Option<String>,
    /// Directories left out of the scan, as globs, with why.
    pub excluded: Vec<(String, String)>,
    /// Files that create tables but are not the schema, with how many tables.
    pub not_read: Vec<(String, usize)>,
}

/// The text of a starter configuration.
pub fn starter_config(schema: &Schema, schema_files: &[String], db: Option<&str>) -> String {
    starter(schema, schema_files, db, &Context::default()).text
}

/// A starter configuration, with counts of its decisions.
///
/// `schema_files` are the `[schema] files` entries (see [`schema_patterns`]).
pub fn starter(
    schema: &Schema,
    schema_files: &[String],
    db: Option<&str>,
    context: &Context,
) -> Starter {
    let mut detected = detect_tenant_column(schema);
    if let Some(column) = &context.tenant_column {
        detected.how = "given with --tenant-column".to_string();
        detected.outer = None;
        detected.column = column.clone();
    }
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
        "# Review the [tenant] column and the [tables] decisions, then run `tenant-lint check`."
    );
    if !context.dialect_reason.is_empty() {
        let _ = writeln!(w, "# Dialect: {}.", context.dialect_reason);
    }
    let _ = writeln!(w, "dialect = \"{}\"\n", schema.dialect());
    let _ = writeln!(w, "[tenant]");
    if detected.root.is_some() || detected.tables_with > 0 || context.tenant_column.is_some() {
        let _ = writeln!(w, "# Detected: {}.", detected.how);
    } else {
        let _ = writeln!(
            w,
            "# No tenant column could be detected ({}): set it here.",
            detected.how
        );
    }
    let _ = writeln!(w, "column = \"{}\"", detected.column);
    if let Some(outer) = &detected.outer {
        let _ = writeln!(
            w,
            "# Tenancy in two levels: most tables also carry `{outer}`, which `{}` belongs to.\n# This configuration isolates `{}`. Code that works across a whole `{outer}` is\n# declared below ([[cross_tenant]], with its reason), or checked with a second\n# configuration whose column is `{outer}` (`tenant-lint check --tenant-column {outer}`).",
            detected.root.as_deref().unwrap_or("the root"),
            detected.column,
        );
    }
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
    // Referenced by tenant tables, holding no tenant data: reference data, maybe.
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
        "# Shared tables: every tenant may read every row of a shared table. Nothing is\n# shared until you say so: these are referenced by tenant tables and have no\n# `{}` column, so they may be reference data (products, currencies) or they may be\n# tenant data missing its column (users, invoices). Uncomment the ones every\n# tenant may read in full.",
        detected.column
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
        let quoted = toml_string(name);
        let _ = writeln!(w, "    # {quoted}, # referenced by `{}`", by.join("`, `"));
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
        let files: Vec<String> = patterns.iter().map(|f| toml_string(f)).collect();
        let _ = writeln!(w, "files = [{}]", files.join(", "));
    } else {
        let _ = writeln!(w, "files = [");
        for f in patterns {
            let _ = writeln!(w, "    {},", toml_string(f));
        }
        let _ = writeln!(w, "]");
    }
    if !context.not_read.is_empty() {
        let _ = writeln!(
            w,
            "# The migrations are the schema. These files also create tables and are not read\n# (a dump of the same schema, another application's, test data): add one to\n# `files` if it is part of this schema."
        );
        for (file, tables) in &context.not_read {
            let _ = writeln!(
                w,
                "#   {file} ({tables} table{})",
                if *tables == 1 { "" } else { "s" }
            );
        }
    }
    if !context.skipped.is_empty() {
        let _ = writeln!(
            w,
            "# {} statement{} of the schema could not be read and {} skipped; `tenant-lint check`\n# reports {}:",
            context.skipped.len(),
            if context.skipped.len() == 1 { "" } else { "s" },
            if context.skipped.len() == 1 {
                "was"
            } else {
                "were"
            },
            if context.skipped.len() == 1 {
                "it"
            } else {
                "them"
            },
        );
        for skipped in context.skipped.iter().take(20) {
            let _ = writeln!(w, "#   {skipped}");
        }
        if context.skipped.len() > 20 {
            let _ = writeln!(w, "#   … and {} more", context.skipped.len() - 20);
        }
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
    let _ = writeln!(w, "\n[scan]\ninclude = [\"**/*.rs\", \"**/*.sql\"]");
    if context.excluded.is_empty() {
        let _ = writeln!(w, "exclude = [\"target/**\"]");
    } else {
        let _ = writeln!(w, "exclude = [\n    \"target/**\",");
        for (glob, why) in &context.excluded {
            let _ = writeln!(w, "    {}, # {why}", toml_string(glob));
        }
        let _ = writeln!(w, "]");
    }
    let _ = writeln!(
        w,
        "# Test code (tests/, *_test.rs, #[cfg(test)], #[test]): \"declared\" lists its findings\n# as cross-tenant by design; \"checked\" checks it like the rest; \"skipped\" leaves it out.\ntests = \"declared\""
    );
    let _ = writeln!(
        w,
        "\n# Code that reads or writes every tenant's rows on purpose (workers, admin\n# consoles, data migrations): its findings are listed with the reason, not reported.\n# [[cross_tenant]]\n# paths = [\"src/workers/**\"]\n# reason = \"background workers sweep every tenant's queue\""
    );
    Starter {
        text: out,
        tenant: tenant.len() + by_class(TableClass::Root).len(),
        shared: candidates.len(),
        undecided: undecided.len(),
        detected,
    }
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The dialect the schema is written in, and why: Prisma's `migration_lock.toml` names
/// its provider; otherwise the DDL's own marks (quoted identifiers and PostgreSQL types,
/// MySQL backticks and `AUTO_INCREMENT`, SQLite's `AUTOINCREMENT`), the most marks
/// winning. `None` when nothing tells.
pub fn detect_dialect(
    texts: &[&str],
    lock_files: &[String],
) -> Option<(crate::model::Dialect, String)> {
    use crate::model::Dialect;
    for lock in lock_files {
        for line in lock.lines() {
            let line = line.trim();
            let Some(value) = line.strip_prefix("provider") else {
                continue;
            };
            let value = value
                .trim_start()
                .trim_start_matches('=')
                .trim()
                .trim_matches('"');
            let dialect = match value {
                "postgresql" | "postgres" | "cockroachdb" => Dialect::Postgres,
                "mysql" => Dialect::Mysql,
                "sqlite" => Dialect::Sqlite,
                _ => continue,
            };
            return Some((
                dialect,
                format!("Prisma's migration_lock.toml names the provider `{value}`"),
            ));
        }
    }
    let marks: [(Dialect, &[&str]); 3] = [
        (
            Dialect::Postgres,
            &[
                "timestamptz",
                "jsonb",
                "bigserial",
                " serial",
                "uuid",
                "bytea",
                "::",
                "$$",
                "create extension",
                "gen_random_uuid",
                "with time zone",
                "create type",
                "plpgsql",
                "references \"",
                "create table \"",
                "text[]",
                "inet",
            ],
        ),
        (
            Dialect::Mysql,
            &[
                "`",
                "auto_increment",
                "engine=",
                "engine =",
                "unsigned",
                "charset",
                "tinyint(1)",
            ],
        ),
        (
            Dialect::Sqlite,
            &[
                "autoincrement",
                "without rowid",
                "pragma ",
                "strict;",
                ") strict",
                "integer primary key",
                " real",
                "datetime",
                " blob",
            ],
        ),
    ];
    let mut best: Option<(Dialect, usize, Vec<&str>)> = None;
    for (dialect, words) in marks {
        let mut count = 0;
        let mut seen = Vec::new();
        for text in texts {
            let lower = text.to_ascii_lowercase();
            for word in words {
                let n = lower.matches(word).count();
                if n > 0 {
                    count += n;
                    if !seen.contains(word) {
                        seen.push(*word);
                    }
                }
            }
        }
        if count > 0 && best.as_ref().is_none_or(|(_, c, _)| count > *c) {
            best = Some((dialect, count, seen));
        }
    }
    let (dialect, _, seen) = best?;
    let shown: Vec<String> = seen
        .iter()
        .take(4)
        .map(|w| format!("`{}`", w.trim()))
        .collect();
    Some((
        dialect,
        format!(
            "detected from the schema ({}); `--dialect` overrides",
            shown.join(", ")
        ),
    ))
}

/// The schema files as configuration entries, as globs where a tool's layout makes
/// one: a directory of several migrations becomes `dir/*.sql` (a down migration is
/// never read as schema, and later migrations are read too); migrations in folders of
/// their own with one name (Prisma's `migrations/*/migration.sql`, diesel's
/// `migrations/*/up.sql`) become `migrations/*/migration.sql`. A directory is taken
/// whole when each of its `.sql` files was read or is a versioned migration;
/// otherwise its files are listed. `listing(dir)` gives the `.sql` files of a directory,
/// as `dir/name`.
pub fn schema_patterns(files: &[String], listing: &dyn Fn(&str) -> Vec<String>) -> Vec<String> {
    let split = |f: &str| -> (String, String) {
        f.rsplit_once('/')
            .map_or((String::new(), f.to_string()), |(d, n)| {
                (d.to_string(), n.to_string())
            })
    };
    let versioned = |f: &str| crate::model::schema::version_of(std::path::Path::new(f)).is_some();
    let down = |f: &str| crate::extract::migration::is_down_migration(std::path::Path::new(f));
    let mut out: Vec<String> = Vec::new();
    for file in files {
        let (dir, name) = split(file);
        // Folders of one migration each: `grand/<version>_x/name`.
        let (grand, folder) = split(&dir);
        let siblings = files
            .iter()
            .filter(|f| {
                let (d, n) = split(f);
                n == name && split(&d).0 == grand && !d.is_empty()
            })
            .count();
        // The version is the folder's, not the file's (`<version>_x/migration.sql`).
        let folder_versioned = versioned(file) && !versioned(&name);
        if !dir.is_empty() && !folder.is_empty() && siblings > 1 && folder_versioned {
            let pattern = if grand.is_empty() {
                format!("*/{name}")
            } else {
                format!("{grand}/*/{name}")
            };
            if !out.contains(&pattern) {
                out.push(pattern);
            }
            continue;
        }
        let pattern = if dir.is_empty() {
            "*.sql".to_string()
        } else {
            format!("{dir}/*.sql")
        };
        let same_dir = files.iter().filter(|f| split(f).0 == dir).count();
        let whole = listing(&dir)
            .iter()
            .all(|f| files.contains(f) || down(f) || versioned(f));
        if same_dir > 1 && whole {
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
    fn a_column_most_tables_carry_wins_over_one_referenced_twice() {
        // Two of the foreign keys point at jobs; the tenant column is on every table.
        let detected = detect_tenant_column(&schema(
            "CREATE TABLE accounts (id INTEGER PRIMARY KEY);
             CREATE TABLE jobs (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL);
             CREATE TABLE runs (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, job_id INTEGER REFERENCES jobs (id));
             CREATE TABLE logs (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, job_id INTEGER REFERENCES jobs (id));
             CREATE TABLE alerts (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL);",
        ));
        assert_eq!(detected.column, "account_id", "{detected:?}");
        assert_eq!(detected.tables_with, 4);
    }

    #[test]
    fn the_dialect_is_read_from_the_tools_files_and_the_ddl() {
        use crate::model::Dialect;
        let lock = "provider = \"postgresql\"\n".to_string();
        assert_eq!(
            detect_dialect(&[], std::slice::from_ref(&lock)).map(|d| d.0),
            Some(Dialect::Postgres)
        );
        let pg = "CREATE TABLE \"Team\" (id uuid PRIMARY KEY, at timestamptz);";
        let mysql = "CREATE TABLE `team` (id int AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB;";
        let sqlite = "CREATE TABLE team (id INTEGER PRIMARY KEY AUTOINCREMENT);";
        assert_eq!(
            detect_dialect(&[pg], &[]).map(|d| d.0),
            Some(Dialect::Postgres)
        );
        assert_eq!(
            detect_dialect(&[mysql], &[]).map(|d| d.0),
            Some(Dialect::Mysql)
        );
        assert_eq!(
            detect_dialect(&[sqlite], &[]).map(|d| d.0),
            Some(Dialect::Sqlite)
        );
        assert_eq!(detect_dialect(&["CREATE TABLE t (x int);"], &[]), None);
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
        // Referenced by tenant tables only: candidates, commented out, never shared
        // without the user.
        assert!(config.shared_tables.is_empty(), "{text}");
        assert!(
            text.contains("    # \"PRODUCT\", # referenced by `WORK_ORDER`"),
            "{text}"
        );
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
