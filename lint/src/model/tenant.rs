//! The tenant model: which tables hold tenant data, by which column, and why.
//!
//! Every table gets one class with its evidence (see `docs/DESIGN.md`):
//! *root* (the table the tenant column references), *tenant* (has the column, is
//! listed, or is a foreign-key child of a tenant table), *shared* (declared),
//! *undecided* (tied to tenant data, yet none of these) or *global* (unrelated).

use std::collections::HashMap;

use sqlparser::ast::{Ident, ObjectName};

use crate::model::config::Config;
use crate::model::dialect::{Dialect, config_name_parts};
use crate::model::schema::{ForeignKey, Schema, Table, TableRef};

/// Index of a table in the [`TenantModel`].
pub type TableId = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TableClass {
    /// The tenant table itself (`CLIENT`): its key is the tenant id.
    Root,
    /// Holds one tenant's rows.
    Tenant,
    /// Reference data every tenant may read.
    Shared,
    /// Tied to tenant data, but not declared: isolation is not assumed either way.
    Undecided,
    /// Not tied to tenant data at all.
    Global,
}

impl TableClass {
    pub fn name(self) -> &'static str {
        match self {
            TableClass::Root => "root",
            TableClass::Tenant => "tenant",
            TableClass::Shared => "shared",
            TableClass::Undecided => "undecided",
            TableClass::Global => "global",
        }
    }

    /// Whether every use of the table needs a proof that binds it to the caller's tenant.
    pub fn is_scoped(self) -> bool {
        matches!(self, TableClass::Root | TableClass::Tenant)
    }
}

/// Why a table got its class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// Referenced by the tenant column of these tables.
    ReferencedByTenantColumn(Vec<String>),
    /// Its primary key is the tenant column and nothing references it.
    KeyIsTenantColumn,
    HasTenantColumn(String),
    ListedTenant,
    /// A foreign-key child of a tenant table (`JOB.work_order_id → WORK_ORDER`).
    ChildOf {
        parent: String,
        columns: Vec<String>,
    },
    /// A view over these tenant tables.
    ViewOver(Vec<String>),
    ListedShared,
    /// Referenced by these tenant tables, yet not declared shared.
    ReferencedBy(Vec<String>),
    /// References a table whose isolation is itself undecided (`FLOATING_POOL → EMPLOYEE`).
    References(String),
    /// Points at the root under another column name (`client_id_assigned`).
    PointsAtRoot {
        column: String,
    },
    /// A text column named after the tenant column, with no foreign key.
    TenantAsText {
        column: String,
    },
    Unrelated,
}

impl Evidence {
    pub fn describe(&self, tenant_column: &str) -> String {
        match self {
            Evidence::ReferencedByTenantColumn(tables) => {
                format!("`{tenant_column}` of {} references it", list(tables))
            }
            Evidence::KeyIsTenantColumn => format!("its primary key is `{tenant_column}`"),
            Evidence::HasTenantColumn(column) => format!("has the tenant column `{column}`"),
            Evidence::ListedTenant => "listed in `tables.tenant`".to_string(),
            Evidence::ChildOf { parent, columns } => format!(
                "child of tenant table `{parent}` through `{}`",
                columns.join("`, `")
            ),
            Evidence::ViewOver(tables) => format!("a view over tenant tables {}", list(tables)),
            Evidence::ListedShared => "listed in `tables.shared`".to_string(),
            Evidence::ReferencedBy(tables) => format!(
                "referenced by tenant tables {} but not declared shared",
                list(tables)
            ),
            Evidence::References(table) => {
                format!("references `{table}`, whose isolation is undecided")
            }
            Evidence::PointsAtRoot { column } => {
                format!("`{column}` points at the tenant root under another name")
            }
            Evidence::TenantAsText { column } => {
                format!("`{column}` keeps tenant ids as text, with no foreign key")
            }
            Evidence::Unrelated => "not tied to tenant data".to_string(),
        }
    }
}

fn list(tables: &[String]) -> String {
    let quoted: Vec<String> = tables.iter().map(|t| format!("`{t}`")).collect();
    quoted.join(", ")
}

/// One table as the engine sees it.
#[derive(Debug, Clone)]
pub struct TableInfo {
    /// The name as SQL writes it (`orders`, `app.orders`, `"APIToken"`).
    pub name: String,
    pub class: TableClass,
    /// The column that carries the tenant, as stored. `None` for a tenant table that
    /// lacks it (a child inferred by foreign key): such a table is proved through its
    /// parent.
    pub tenant_column: Option<String>,
    pub evidence: Vec<Evidence>,
    /// Its index in the schema, when the table was declared by DDL.
    pub declared: Option<usize>,
}

/// The tenant model shared by every rule and face.
#[derive(Debug, Clone)]
pub struct TenantModel {
    pub config: Config,
    pub schema: Schema,
    /// Declared tables first, at their schema index; then tables only the
    /// configuration names.
    tables: Vec<TableInfo>,
    /// The configuration's names of the tables past the declared ones, parsed.
    listed_only: Vec<Vec<(String, bool)>>,
}

impl TenantModel {
    pub fn new(config: Config, schema: Schema) -> Self {
        let mut model = TenantModel {
            config,
            schema,
            tables: Vec::new(),
            listed_only: Vec::new(),
        };
        model.classify();
        model.prove_views();
        model
    }

    /// A view over tenant data is read like a tenant table when it passes the tenant
    /// column of everything it reads through unchanged and mixes no tenants' rows (the
    /// proof of a filter outside a subquery, `docs/design.md` rule 6): then a filter on
    /// the view's column binds every table behind it, and the view's tenant column is it.
    fn prove_views(&mut self) {
        let views: Vec<(TableId, String)> = self
            .tables
            .iter()
            .enumerate()
            .filter(|(_, info)| info.class == TableClass::Tenant && info.tenant_column.is_none())
            .filter_map(|(id, _)| {
                let def = self.definition(id)?;
                (def.is_view)
                    .then(|| (id, def.view_query.clone()))?
                    .1
                    .map(|q| (id, q))
            })
            .collect();
        if views.is_empty() {
            return;
        }
        let dialect = self.dialect();
        let param = match dialect {
            Dialect::Postgres => "$1",
            Dialect::Mysql => "?",
            _ => ":tenant",
        };
        let mut proved = Vec::new();
        for (id, body) in views {
            // The column the configuration expects of the view, then the tenant
            // columns of the tables it reads.
            let mut candidates = vec![self.configured_name(self.expected_column(id))];
            if let Some(def) = self.definition(id) {
                for source in &def.view_sources {
                    if let Some(column) = self
                        .lookup_ref(source)
                        .and_then(|t| self.tables[t].tenant_column.clone())
                        && !candidates.contains(&column)
                    {
                        candidates.push(column);
                    }
                }
            }
            for column in candidates {
                let sql = format!(
                    "SELECT * FROM ({body}) AS view_rows WHERE view_rows.{} = {param}",
                    dialect.show(&column)
                );
                let Ok(statement) = crate::extract::parse::parse_statement(
                    &sql,
                    dialect,
                    &crate::extract::parse::offset_map(sqlparser::tokenizer::Location::new(1, 1)),
                ) else {
                    continue;
                };
                let analysis = crate::analysis::analyze(self, &statement);
                let binds_all = !analysis.occurrences.is_empty()
                    && analysis.occurrences.iter().all(|o| o.proved)
                    && analysis.unsupported.is_empty()
                    && analysis.unknown_tables.is_empty();
                if binds_all {
                    proved.push((id, column));
                    break;
                }
            }
        }
        for (id, column) in proved {
            self.tables[id].tenant_column = Some(column);
        }
    }

    pub fn dialect(&self) -> Dialect {
        self.config.dialect
    }

    /// Every table (sequences, which only resolve names, left out).
    pub fn tables(&self) -> impl Iterator<Item = (TableId, &TableInfo)> {
        self.tables
            .iter()
            .enumerate()
            .filter(|(id, _)| !self.definition(*id).is_some_and(|d| d.is_sequence))
    }

    pub fn info(&self, id: TableId) -> &TableInfo {
        &self.tables[id]
    }

    /// The schema definition of a table, when it was declared by DDL.
    pub fn definition(&self, id: TableId) -> Option<&Table> {
        self.tables[id].declared.map(|i| self.schema.table_at(i))
    }

    /// The table an identifier names (unqualified).
    pub fn lookup(&self, ident: &Ident) -> Option<TableId> {
        self.lookup_ref(&TableRef {
            schema: None,
            name: self.dialect().fold(ident),
        })
    }

    /// The table a possibly qualified name in SQL names.
    pub fn lookup_name(&self, name: &ObjectName) -> Option<TableId> {
        self.lookup_ref(&TableRef::of(name, self.dialect())?)
    }

    /// The table a reference (a foreign key's, a view's source) names.
    pub fn lookup_ref(&self, reference: &TableRef) -> Option<TableId> {
        if let Some(i) = self.schema.resolve(reference) {
            return Some(i);
        }
        let dialect = self.dialect();
        let declared = self.schema.len();
        self.listed_only
            .iter()
            .position(|parts| {
                let (schema, name) = match parts.as_slice() {
                    [name] => (None, name),
                    [.., schema, name] => (Some(schema), name),
                    [] => return false,
                };
                let name_ok = dialect
                    .same_name(&reference.name, &dialect.fold_str(&name.0, name.1))
                    || reference.name == name.0;
                let schema_ok = match (schema, &reference.schema) {
                    (None, _) => true,
                    (Some(s), Some(r)) => dialect.same_name(r, &dialect.fold_str(&s.0, s.1)),
                    (Some(_), None) => true,
                };
                name_ok && schema_ok
            })
            .map(|i| declared + i)
    }

    /// The table a configuration names (`orders`, `app.orders`, `"APIToken"`).
    pub fn lookup_str(&self, name: &str) -> Option<TableId> {
        if let Some(i) = self.schema.resolve_config(name) {
            return Some(i);
        }
        let parts = config_name_parts(name)?;
        let declared = self.schema.len();
        self.listed_only
            .iter()
            .position(|p| same_config_name(self.dialect(), p, &parts))
            .map(|i| declared + i)
    }

    /// The tenant column a table is expected to have (`tables.columns` or the
    /// default), as the configuration writes it.
    pub fn expected_column(&self, id: TableId) -> &str {
        let dialect = self.dialect();
        self.config
            .table_columns
            .iter()
            .find(|(t, _)| match self.tables[id].declared {
                Some(index) => self.schema.resolve_config(t) == Some(index),
                None => config_name_parts(t).is_some_and(|parts| {
                    self.listed_only
                        .get(id - self.schema.len())
                        .is_some_and(|p| same_config_name(dialect, p, &parts))
                }),
            })
            .map_or(self.config.tenant_column.as_str(), |(_, c)| c.as_str())
    }

    /// The stored name of the column a configuration names, for a table without DDL.
    fn configured_name(&self, configured: &str) -> String {
        match config_name_parts(configured).as_deref() {
            Some([(name, quoted)]) => self.dialect().fold_str(name, *quoted),
            _ => configured.to_string(),
        }
    }

    fn classify(&mut self) {
        let dialect = self.dialect();
        let schema = self.schema.clone();
        for (index, table) in schema.tables().enumerate() {
            self.tables.push(TableInfo {
                name: schema.display_name(table),
                class: TableClass::Global,
                tenant_column: None,
                evidence: Vec::new(),
                declared: Some(index),
            });
        }
        // Tables named in the configuration but not declared by any DDL.
        let mut undeclared = Vec::new();
        for (names, class) in [
            (&self.config.tenant_tables, TableClass::Tenant),
            (&self.config.shared_tables, TableClass::Shared),
        ] {
            for name in names.iter() {
                if schema.resolve_config(name).is_none()
                    && let Some(parts) = config_name_parts(name)
                    && !undeclared
                        .iter()
                        .any(|(p, _, _): &(Vec<(String, bool)>, _, _)| {
                            same_config_name(dialect, p, &parts)
                        })
                {
                    undeclared.push((parts, name.clone(), class));
                }
            }
        }
        for (parts, name, class) in undeclared {
            self.listed_only.push(parts);
            self.tables.push(TableInfo {
                name,
                class,
                tenant_column: None,
                evidence: Vec::new(),
                declared: None,
            });
        }
        for id in 0..self.tables.len() {
            let expected = self.expected_column(id).to_string();
            self.tables[id].tenant_column = match self.tables[id].declared {
                Some(index) => Some(schema.table_at(index))
                    .filter(|t| !t.is_sequence)
                    .and_then(|t| t.configured_column(dialect, &expected))
                    .map(|c| c.name.clone()),
                None if self.tables[id].class == TableClass::Tenant => {
                    Some(self.configured_name(&expected))
                }
                None => None,
            };
        }

        let listed_as = |names: &[String]| -> Vec<TableId> {
            names.iter().filter_map(|n| self.lookup_str(n)).collect()
        };
        let shared = listed_as(&self.config.shared_tables);
        let tenant = listed_as(&self.config.tenant_tables);
        let roots = self.find_roots(&schema);
        for id in 0..self.tables.len() {
            let info = &mut self.tables[id];
            if shared.contains(&id) {
                info.class = TableClass::Shared;
                info.evidence.push(Evidence::ListedShared);
            } else if let Some((key, evidence)) = roots.get(&id) {
                info.class = TableClass::Root;
                info.tenant_column = Some(key.clone());
                info.evidence.push(evidence.clone());
            } else if let Some(column) = info.tenant_column.clone() {
                info.class = TableClass::Tenant;
                info.evidence.push(Evidence::HasTenantColumn(column));
            } else if tenant.contains(&id) {
                info.class = TableClass::Tenant;
                info.evidence.push(Evidence::ListedTenant);
            }
            if tenant.contains(&id)
                && info.class == TableClass::Tenant
                && info.declared.is_some()
                && !info.evidence.contains(&Evidence::ListedTenant)
            {
                info.evidence.push(Evidence::ListedTenant);
            }
        }
        self.infer_children(&schema);
        self.mark_undecided(&schema);
    }

    /// The table a foreign key points at.
    pub fn parent_of(&self, fk: &ForeignKey) -> Option<TableId> {
        self.lookup_ref(&fk.table)
    }

    /// The column a foreign key refers to in its parent (its first column; the
    /// parent's primary key when the key names none).
    pub fn referred_column(&self, fk: &ForeignKey) -> Option<String> {
        fk.referred.first().cloned().or_else(|| {
            let parent = self.parent_of(fk)?;
            let def = self.definition(parent)?;
            def.primary_key()?.columns.first().cloned()
        })
    }

    /// The root is what tenant columns reference (`client_id → CLIENT`); failing any
    /// foreign key, a table whose single-column primary key is the tenant column.
    fn find_roots(&self, schema: &Schema) -> HashMap<TableId, (String, Evidence)> {
        let dialect = self.dialect();
        let mut roots: HashMap<TableId, (String, Vec<String>)> = HashMap::new();
        for (index, table) in schema.tables().enumerate() {
            let Some(column) = self.tables[index].tenant_column.as_deref() else {
                continue;
            };
            for fk in &table.foreign_keys {
                if fk.columns.len() != 1 || !dialect.same_name(&fk.columns[0], column) {
                    continue;
                }
                let Some(parent) = self.parent_of(fk) else {
                    continue;
                };
                let Some(key) = self.referred_column(fk) else {
                    continue;
                };
                if parent == index {
                    continue;
                }
                roots
                    .entry(parent)
                    .or_insert((key, Vec::new()))
                    .1
                    .push(self.tables[index].name.clone());
            }
        }
        let mut out: HashMap<TableId, (String, Evidence)> = roots
            .into_iter()
            .map(|(id, (key, by))| (id, (key, Evidence::ReferencedByTenantColumn(by))))
            .collect();
        if out.is_empty() {
            // No foreign keys: a table keyed by the tenant column alone is the root,
            // if there is one such table, or one named after the column (`client_id` → `CLIENT`).
            let keyed: Vec<usize> = (0..schema.len())
                .filter(|&i| {
                    let t = schema.table_at(i);
                    let tenant = self.tables[i].tenant_column.as_deref();
                    t.primary_key().is_some_and(|k| {
                        k.columns.len() == 1
                            && tenant.is_some_and(|c| dialect.same_name(&k.columns[0], c))
                    })
                })
                .collect();
            let stem = self.config.tenant_column.to_ascii_lowercase();
            let stem = stem
                .trim_matches('"')
                .trim_end_matches("_id")
                .trim_end_matches("id");
            let root = match keyed.as_slice() {
                [only] => Some(*only),
                many => many.iter().copied().find(|&i| {
                    let name = schema.table_at(i).name.to_ascii_lowercase();
                    name == stem || name.trim_end_matches('s') == stem
                }),
            };
            if let Some(id) = root {
                let column = self.tables[id].tenant_column.clone().unwrap_or_default();
                out.insert(id, (column, Evidence::KeyIsTenantColumn));
            }
        }
        out
    }

    /// A table with a foreign key to a tenant table holds that tenant's data, unless it
    /// is declared shared; repeated until nothing changes (a grandchild is tenant too).
    /// A partition is tenant data when its parent is, and so is a view over tenant data.
    fn infer_children(&mut self, schema: &Schema) {
        loop {
            let mut changed = false;
            for (id, table) in schema.tables().enumerate() {
                if self.tables[id].class != TableClass::Global || table.is_sequence {
                    continue;
                }
                let parent = table.foreign_keys.iter().find_map(|fk| {
                    let parent = self.parent_of(fk)?;
                    (self.tables[parent].class == TableClass::Tenant && parent != id)
                        .then(|| (self.tables[parent].name.clone(), fk.columns.clone()))
                });
                let parent = parent.or_else(|| {
                    let p = self.lookup_ref(table.parent.as_ref()?)?;
                    self.tables[p]
                        .class
                        .is_scoped()
                        .then(|| (self.tables[p].name.clone(), Vec::new()))
                });
                if let Some((parent, columns)) = parent {
                    let info = &mut self.tables[id];
                    info.class = TableClass::Tenant;
                    info.evidence.push(Evidence::ChildOf { parent, columns });
                    changed = true;
                    continue;
                }
                if table.is_view {
                    let over: Vec<String> = table
                        .view_sources
                        .iter()
                        .filter_map(|s| self.lookup_ref(s))
                        .filter(|&p| self.tables[p].class.is_scoped())
                        .map(|p| self.tables[p].name.clone())
                        .collect();
                    if !over.is_empty() {
                        let info = &mut self.tables[id];
                        info.class = TableClass::Tenant;
                        info.evidence.push(Evidence::ViewOver(over));
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Tables tied to tenant data that nobody classified: referenced by a tenant table,
    /// pointing at the root under another name, or keeping tenant ids as text.
    fn mark_undecided(&mut self, schema: &Schema) {
        let tenant_column = self
            .config
            .tenant_column
            .trim_matches('"')
            .to_ascii_lowercase();
        let stem = tenant_column.trim_end_matches("_id").trim_end_matches("id");
        for (id, table) in schema.tables().enumerate() {
            if self.tables[id].class != TableClass::Global || table.is_sequence {
                continue;
            }
            let mut evidence = Vec::new();
            let referenced_by: Vec<String> = schema
                .tables()
                .enumerate()
                .filter(|(_, t)| {
                    t.foreign_keys
                        .iter()
                        .any(|fk| self.parent_of(fk) == Some(id))
                })
                .map(|(t, _)| t)
                .filter(|&t| t != id && self.tables[t].class.is_scoped())
                .map(|t| self.tables[t].name.clone())
                .collect();
            if !referenced_by.is_empty() {
                evidence.push(Evidence::ReferencedBy(referenced_by));
            }
            for fk in &table.foreign_keys {
                let to_root = self
                    .parent_of(fk)
                    .is_some_and(|p| self.tables[p].class == TableClass::Root);
                if to_root {
                    evidence.push(Evidence::PointsAtRoot {
                        column: fk.columns.join(", "),
                    });
                }
            }
            for column in &table.columns {
                let lower = column.name.to_ascii_lowercase();
                let named_after = lower != tenant_column
                    && (lower.starts_with(&tenant_column)
                        || lower.ends_with(&tenant_column)
                        || !stem.is_empty() && lower.contains(stem) && lower.contains("client"));
                let has_fk = table.foreign_keys.iter().any(|fk| {
                    fk.columns
                        .iter()
                        .any(|c| self.dialect().same_name(c, &column.name))
                });
                let textual = column.data_type.is_empty()
                    || ["TEXT", "CHAR", "CLOB", "STRING"]
                        .iter()
                        .any(|t| column.data_type.to_ascii_uppercase().contains(t));
                if named_after && !has_fk && textual {
                    evidence.push(Evidence::TenantAsText {
                        column: column.name.clone(),
                    });
                }
            }
            if !evidence.is_empty() {
                let info = &mut self.tables[id];
                info.class = TableClass::Undecided;
                info.evidence = evidence;
            }
        }
        // A table that references an undecided one is tied to the same data.
        loop {
            let mut changed = false;
            for (id, table) in schema.tables().enumerate() {
                if self.tables[id].class != TableClass::Global {
                    continue;
                }
                let undecided = table.foreign_keys.iter().find_map(|fk| {
                    let parent = self.parent_of(fk)?;
                    (self.tables[parent].class == TableClass::Undecided)
                        .then(|| self.tables[parent].name.clone())
                });
                if let Some(parent) = undecided {
                    let info = &mut self.tables[id];
                    info.class = TableClass::Undecided;
                    info.evidence.push(Evidence::References(parent));
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for info in &mut self.tables {
            if info.class == TableClass::Global && info.evidence.is_empty() {
                info.evidence.push(Evidence::Unrelated);
            }
        }
    }
}

/// Whether two configuration names name one table.
fn same_config_name(dialect: Dialect, a: &[(String, bool)], b: &[(String, bool)]) -> bool {
    let fold = |p: &(String, bool)| dialect.fold_str(&p.0, p.1);
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.0 == y.0 || dialect.same_name(&fold(x), &fold(y)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::parse::{offset_map, parse_statement};
    use sqlparser::tokenizer::Location;
    use std::path::Path;
    use std::sync::Arc;

    fn model(ddl: &str, config: &str) -> TenantModel {
        let config = Config::parse(config, Path::new("tenant-lint.toml")).unwrap();
        let mut schema = Schema::new(config.dialect);
        let path: Arc<Path> = Arc::from(Path::new("schema.sql"));
        for sql in ddl.split(';').filter(|s| !s.trim().is_empty()) {
            let st =
                parse_statement(sql, config.dialect, &offset_map(Location::new(1, 1))).unwrap();
            schema.apply(&st, &path);
        }
        TenantModel::new(config, schema)
    }

    fn class(model: &TenantModel, table: &str) -> TableClass {
        model.info(model.lookup_str(table).unwrap()).class
    }

    const AUDIT_SCHEMA: &str = "
        CREATE TABLE CLIENT (client_id TEXT PRIMARY KEY, client_name TEXT);
        CREATE TABLE PRODUCT (product_id INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE WORK_ORDER (work_order_id TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES CLIENT(client_id), product_id INT REFERENCES PRODUCT(product_id));
        CREATE TABLE JOB (job_id TEXT PRIMARY KEY, work_order_id TEXT REFERENCES WORK_ORDER(work_order_id));
        CREATE TABLE QUALITY_ENTRY (quality_entry_id TEXT PRIMARY KEY, client_id TEXT REFERENCES CLIENT(client_id));
        CREATE TABLE DEFECT_DETAIL (defect_detail_id TEXT PRIMARY KEY,
            quality_entry_id TEXT REFERENCES QUALITY_ENTRY(quality_entry_id));
        CREATE TABLE PART_OPPORTUNITIES (part_number TEXT PRIMARY KEY, opportunities_per_unit INT);
        CREATE TABLE EMPLOYEE (employee_id INTEGER PRIMARY KEY, client_id_assigned TEXT, is_floating_pool INT);
        CREATE TABLE FLOATING_POOL (pool_id INTEGER PRIMARY KEY, employee_id INT REFERENCES EMPLOYEE(employee_id),
            current_assignment TEXT);
        CREATE TABLE SCHEMA_MIGRATIONS (version INT)";

    #[test]
    fn the_audit_schema_is_classified_with_evidence() {
        let m = model(AUDIT_SCHEMA, "[tables]\nshared = [\"PRODUCT\"]\n");
        assert_eq!(class(&m, "CLIENT"), TableClass::Root);
        assert_eq!(class(&m, "WORK_ORDER"), TableClass::Tenant);
        assert_eq!(class(&m, "PRODUCT"), TableClass::Shared);
        // JOB and DEFECT_DETAIL lack client_id but are children of tenant tables.
        assert_eq!(class(&m, "JOB"), TableClass::Tenant);
        let job = m.info(m.lookup_str("JOB").unwrap());
        assert_eq!(job.tenant_column, None);
        assert!(
            matches!(&job.evidence[0], Evidence::ChildOf { parent, .. } if parent == "WORK_ORDER")
        );
        assert_eq!(class(&m, "DEFECT_DETAIL"), TableClass::Tenant);
        // EMPLOYEE keeps the tenant as text; FLOATING_POOL is referenced by nothing
        // tenant but is not declared either.
        assert_eq!(class(&m, "EMPLOYEE"), TableClass::Undecided);
        assert_eq!(class(&m, "FLOATING_POOL"), TableClass::Undecided);
        assert_eq!(class(&m, "SCHEMA_MIGRATIONS"), TableClass::Global);
        assert_eq!(class(&m, "PART_OPPORTUNITIES"), TableClass::Global);
    }

    #[test]
    fn root_key_is_the_referenced_column() {
        let m = model(AUDIT_SCHEMA, "");
        let client = m.info(m.lookup_str("client").unwrap());
        assert_eq!(client.tenant_column.as_deref(), Some("client_id"));
    }

    #[test]
    fn referenced_reference_data_is_undecided_until_declared() {
        let m = model(AUDIT_SCHEMA, "");
        assert_eq!(class(&m, "PRODUCT"), TableClass::Undecided);
    }

    #[test]
    fn listed_tables_without_ddl_are_known() {
        let m = model(
            "",
            "[tables]\ntenant = [\"AUDIT_LOG\"]\nshared = [\"SHIFT\"]\n",
        );
        assert_eq!(class(&m, "audit_log"), TableClass::Tenant);
        assert_eq!(class(&m, "shift"), TableClass::Shared);
        let log = m.info(m.lookup_str("AUDIT_LOG").unwrap());
        assert_eq!(log.tenant_column.as_deref(), Some("client_id"));
    }

    #[test]
    fn per_table_column_overrides_the_default() {
        let m = model(
            "CREATE TABLE client (id TEXT PRIMARY KEY); CREATE TABLE job (id TEXT, owner TEXT REFERENCES client(id))",
            "[tables.columns]\njob = \"owner\"\n",
        );
        let job = m.info(m.lookup_str("job").unwrap());
        assert_eq!(job.tenant_column.as_deref(), Some("owner"));
        assert_eq!(class(&m, "client"), TableClass::Root);
    }
}
