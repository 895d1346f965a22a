//! The database schema, built by applying DDL in order: `CREATE TABLE`, `ALTER TABLE`
//! (add, drop and rename columns, rename the table, add constraints), `DROP TABLE`,
//! `CREATE INDEX` and `DROP INDEX`. Migrations are applied in version order by the caller
//! (see [`migration_order`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sqlparser::ast::{
    AlterTableOperation, ColumnDef, ColumnOption, CreateIndex, CreateTable, Expr, Ident,
    IndexColumn, ObjectName, ObjectType, RenameTableNameKind, Spanned, Statement, TableConstraint,
};
use sqlparser::tokenizer::Span;

use crate::model::dialect::{Dialect, last_ident};

/// Where a schema object was declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub path: Arc<Path>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// The declared type as written (`TEXT`, `INTEGER`), empty when none was given.
    pub data_type: String,
    pub not_null: bool,
    pub origin: Option<Origin>,
}

/// A PRIMARY KEY or UNIQUE constraint, or a unique index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub primary: bool,
    pub origin: Option<Origin>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub table: String,
    /// Empty means the referenced table's primary key.
    pub referred: Vec<String>,
    pub origin: Option<Origin>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub unique: bool,
    pub origin: Option<Origin>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    /// False when the column list could not be read (`CREATE TABLE … AS SELECT`).
    pub columns_known: bool,
    pub keys: Vec<Key>,
    pub foreign_keys: Vec<ForeignKey>,
    pub indexes: Vec<Index>,
    /// A view: its name resolves like a table's, but it holds no rows of its own.
    pub is_view: bool,
    /// The tables a view reads.
    pub view_sources: Vec<String>,
    pub origin: Option<Origin>,
}

impl Table {
    fn new(name: String, origin: Option<Origin>) -> Self {
        Table {
            name,
            columns: Vec::new(),
            columns_known: true,
            keys: Vec::new(),
            foreign_keys: Vec::new(),
            indexes: Vec::new(),
            is_view: false,
            view_sources: Vec::new(),
            origin,
        }
    }

    /// A column by name. Declared names compare case-insensitively in every dialect:
    /// the schema reader does not keep whether a PostgreSQL name was quoted.
    pub fn column(&self, _dialect: Dialect, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    pub fn has_column(&self, name: &str) -> bool {
        self.columns
            .iter()
            .any(|c| c.name.eq_ignore_ascii_case(name))
    }

    pub fn primary_key(&self) -> Option<&Key> {
        self.keys.iter().find(|k| k.primary)
    }
}

/// Every table of the schema, by dialect key.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    dialect: Dialect,
    tables: Vec<Table>,
    by_key: HashMap<String, usize>,
}

impl Schema {
    pub fn new(dialect: Dialect) -> Self {
        Schema {
            dialect,
            ..Schema::default()
        }
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.tables.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// The table at an index of [`Schema::tables`].
    pub fn table_at(&self, index: usize) -> &Table {
        &self.tables[index]
    }

    pub fn table(&self, name: &str) -> Option<&Table> {
        self.by_key
            .get(self.dialect.key_str(name, false).as_ref())
            .map(|&i| &self.tables[i])
    }

    pub fn table_by_ident(&self, ident: &Ident) -> Option<&Table> {
        self.by_key
            .get(self.dialect.key(ident).as_ref())
            .map(|&i| &self.tables[i])
    }

    fn table_mut(&mut self, name: &ObjectName) -> Option<&mut Table> {
        let ident = last_ident(name)?;
        let i = *self.by_key.get(self.dialect.key(ident).as_ref())?;
        Some(&mut self.tables[i])
    }

    /// Adds or replaces a table (used by the live-database reader and by tests).
    pub fn insert(&mut self, table: Table) {
        let key = self.dialect.key_str(&table.name, false).into_owned();
        match self.by_key.get(&key) {
            Some(&i) => self.tables[i] = table,
            None => {
                self.by_key.insert(key, self.tables.len());
                self.tables.push(table);
            }
        }
    }

    fn remove(&mut self, name: &ObjectName) {
        let Some(ident) = last_ident(name) else {
            return;
        };
        let Some(i) = self.by_key.remove(self.dialect.key(ident).as_ref()) else {
            return;
        };
        self.tables.remove(i);
        for index in self.by_key.values_mut() {
            if *index > i {
                *index -= 1;
            }
        }
    }

    /// Applies one statement; statements that are not DDL change nothing.
    /// Returns whether the statement was schema-changing DDL.
    pub fn apply(&mut self, statement: &Statement, path: &Arc<Path>) -> bool {
        let origin = |span: Span| {
            Some(Origin {
                path: path.clone(),
                span,
            })
        };
        match statement {
            Statement::CreateTable(create) => {
                self.create_table(create, path);
                true
            }
            Statement::CreateView(view) => {
                let Some(ident) = last_ident(&view.name) else {
                    return true;
                };
                let mut table = Table::new(ident.value.clone(), origin(ident.span));
                table.is_view = true;
                table.columns_known = false;
                let _ = sqlparser::ast::visit_relations(&view.query, |relation| {
                    if let Some(source) = last_ident(relation) {
                        table.view_sources.push(source.value.clone());
                    }
                    std::ops::ControlFlow::<()>::Continue(())
                });
                self.insert(table);
                true
            }
            Statement::AlterTable(alter) => {
                let dialect = self.dialect;
                let renamed = self.table_mut(&alter.name).and_then(|table| {
                    let mut renamed = None;
                    for op in &alter.operations {
                        renamed = alter_table(table, op, dialect, path).or(renamed);
                    }
                    renamed
                });
                if let Some(new_name) = renamed
                    && let Some(mut table) = self.table_mut(&alter.name).map(|t| t.clone())
                {
                    self.remove(&alter.name);
                    table.name = new_name;
                    self.insert(table);
                }
                true
            }
            Statement::Drop {
                object_type, names, ..
            } => {
                match object_type {
                    ObjectType::Table | ObjectType::View => {
                        for name in names {
                            self.remove(name);
                        }
                    }
                    ObjectType::Index => {
                        for name in names {
                            self.drop_index(name);
                        }
                    }
                    _ => {}
                }
                true
            }
            Statement::CreateIndex(index) => {
                self.create_index(index, path);
                true
            }
            _ => false,
        }
    }

    fn create_table(&mut self, create: &CreateTable, path: &Arc<Path>) {
        let Some(ident) = last_ident(&create.name) else {
            return;
        };
        if create.if_not_exists && self.table_by_ident(ident).is_some() {
            return;
        }
        let origin = |span: Span| {
            Some(Origin {
                path: path.clone(),
                span,
            })
        };
        let mut table = Table::new(ident.value.clone(), origin(ident.span));
        if create.query.is_some() && create.columns.is_empty() {
            table.columns_known = false;
        }
        for column in &create.columns {
            add_column(&mut table, column, path);
        }
        for constraint in &create.constraints {
            add_constraint(&mut table, constraint, path);
        }
        self.insert(table);
    }

    fn create_index(&mut self, index: &CreateIndex, path: &Arc<Path>) {
        let name = index
            .name
            .as_ref()
            .and_then(last_ident)
            .map(|i| i.value.clone());
        let columns = index_columns(&index.columns);
        let origin = Some(Origin {
            path: path.clone(),
            span: index.table_name.span(),
        });
        let Some(table) = self.table_mut(&index.table_name) else {
            return;
        };
        if index.unique && index.predicate.is_none() {
            table.keys.push(Key {
                name: name.clone(),
                columns: columns.clone(),
                primary: false,
                origin: origin.clone(),
            });
        }
        table.indexes.push(Index {
            name,
            columns,
            unique: index.unique,
            origin,
        });
    }

    fn drop_index(&mut self, name: &ObjectName) {
        let Some(ident) = last_ident(name) else {
            return;
        };
        let dialect = self.dialect;
        let named = |n: &Option<String>| n.as_deref().is_some_and(|n| dialect.same(ident, n));
        for table in &mut self.tables {
            table.indexes.retain(|i| !named(&i.name));
            table.keys.retain(|k| k.primary || !named(&k.name));
        }
    }
}

fn add_column(table: &mut Table, column: &ColumnDef, path: &Arc<Path>) {
    let origin = Some(Origin {
        path: path.clone(),
        span: column.name.span,
    });
    let name = column.name.value.clone();
    let mut not_null = false;
    for option in &column.options {
        match &option.option {
            ColumnOption::NotNull => not_null = true,
            ColumnOption::PrimaryKey(_) => {
                not_null = true;
                table.keys.push(Key {
                    name: option.name.as_ref().map(|n| n.value.clone()),
                    columns: vec![name.clone()],
                    primary: true,
                    origin: origin.clone(),
                });
            }
            ColumnOption::Unique(_) => table.keys.push(Key {
                name: option.name.as_ref().map(|n| n.value.clone()),
                columns: vec![name.clone()],
                primary: false,
                origin: origin.clone(),
            }),
            ColumnOption::ForeignKey(fk) => {
                if let Some(parent) = last_ident(&fk.foreign_table) {
                    table.foreign_keys.push(ForeignKey {
                        columns: vec![name.clone()],
                        table: parent.value.clone(),
                        referred: fk
                            .referred_columns
                            .iter()
                            .map(|c| c.value.clone())
                            .collect(),
                        origin: origin.clone(),
                    });
                }
            }
            _ => {}
        }
    }
    table.columns.push(Column {
        name,
        data_type: column.data_type.to_string(),
        not_null,
        origin,
    });
}

fn add_constraint(table: &mut Table, constraint: &TableConstraint, path: &Arc<Path>) {
    let origin = Some(Origin {
        path: path.clone(),
        span: constraint.span(),
    });
    match constraint {
        TableConstraint::PrimaryKey(pk) => {
            let columns = index_columns(&pk.columns);
            for column in &mut table.columns {
                if columns.iter().any(|c| c.eq_ignore_ascii_case(&column.name)) {
                    column.not_null = true;
                }
            }
            table.keys.push(Key {
                name: pk.name.as_ref().map(|n| n.value.clone()),
                columns,
                primary: true,
                origin,
            });
        }
        TableConstraint::Unique(unique) => table.keys.push(Key {
            name: unique.name.as_ref().map(|n| n.value.clone()),
            columns: index_columns(&unique.columns),
            primary: false,
            origin,
        }),
        TableConstraint::ForeignKey(fk) => {
            if let Some(parent) = last_ident(&fk.foreign_table) {
                table.foreign_keys.push(ForeignKey {
                    columns: fk.columns.iter().map(|c| c.value.clone()).collect(),
                    table: parent.value.clone(),
                    referred: fk
                        .referred_columns
                        .iter()
                        .map(|c| c.value.clone())
                        .collect(),
                    origin,
                });
            }
        }
        TableConstraint::Index(index) => table.indexes.push(Index {
            name: index.name.as_ref().map(|n| n.value.clone()),
            columns: index_columns(&index.columns),
            unique: false,
            origin,
        }),
        _ => {}
    }
}

/// Applies one `ALTER TABLE` operation; returns the new name on `RENAME TO`.
fn alter_table(
    table: &mut Table,
    op: &AlterTableOperation,
    dialect: Dialect,
    path: &Arc<Path>,
) -> Option<String> {
    match op {
        AlterTableOperation::AddColumn { column_def, .. }
            if table.column(dialect, &column_def.name.value).is_none() =>
        {
            add_column(table, column_def, path);
        }
        AlterTableOperation::DropColumn { column_names, .. } => {
            for dropped in column_names {
                let gone = |c: &String| dialect.same(dropped, c);
                table.columns.retain(|c| !gone(&c.name));
                table.keys.retain(|k| !k.columns.iter().any(gone));
                table.foreign_keys.retain(|f| !f.columns.iter().any(gone));
                table.indexes.retain(|i| !i.columns.iter().any(gone));
            }
        }
        AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => {
            let rename = |c: &mut String| {
                if dialect.same(old_column_name, c) {
                    *c = new_column_name.value.clone();
                }
            };
            table.columns.iter_mut().for_each(|c| rename(&mut c.name));
            for key in &mut table.keys {
                key.columns.iter_mut().for_each(rename);
            }
            for fk in &mut table.foreign_keys {
                fk.columns.iter_mut().for_each(rename);
            }
            for index in &mut table.indexes {
                index.columns.iter_mut().for_each(rename);
            }
        }
        AlterTableOperation::RenameTable { table_name } => {
            let (RenameTableNameKind::As(name) | RenameTableNameKind::To(name)) = table_name;
            return last_ident(name).map(|i| i.value.clone());
        }
        AlterTableOperation::AddConstraint { constraint, .. } => {
            add_constraint(table, constraint, path);
        }
        AlterTableOperation::DropConstraint { name, .. } => {
            let named = |n: &Option<String>| n.as_deref().is_some_and(|n| dialect.same(name, n));
            table.keys.retain(|k| !named(&k.name));
            table.indexes.retain(|i| !named(&i.name));
        }
        _ => {}
    }
    None
}

/// The plain column names of an index; expressions are kept in their SQL form.
fn index_columns(columns: &[IndexColumn]) -> Vec<String> {
    columns
        .iter()
        .map(|c| match &c.column.expr {
            Expr::Identifier(ident) => ident.value.clone(),
            Expr::CompoundIdentifier(parts) => {
                parts.last().map(|p| p.value.clone()).unwrap_or_default()
            }
            other => other.to_string(),
        })
        .collect()
}

/// Orders DDL files the way a migration tool applies them: files without a version
/// first (a base `schema.sql`), then by the number in the name (`V2__a.sql` before
/// `V10__b.sql`, `0002_x.sql` before `0010_y.sql`), then by path.
pub fn migration_order(paths: &mut [PathBuf]) {
    paths.sort_by(|a, b| {
        let key = |p: &PathBuf| (version_of(p), p.clone());
        key(a).cmp(&key(b))
    });
}

/// The version number a migration file name carries: the first run of digits in
/// `V12__add_job.sql`, `0012_add_job.sql`, `12-add-job.up.sql`.
pub fn version_of(path: &Path) -> Option<u128> {
    let name = path.file_name()?.to_str()?;
    let rest = name.strip_prefix(['V', 'v']).unwrap_or(name);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::parse::{offset_map, parse_statement};
    use sqlparser::tokenizer::Location;

    fn schema(ddl: &[&str]) -> Schema {
        let mut schema = Schema::new(Dialect::Sqlite);
        let path: Arc<Path> = Arc::from(Path::new("schema.sql"));
        for sql in ddl {
            let statement =
                parse_statement(sql, Dialect::Sqlite, &offset_map(Location::new(1, 1))).unwrap();
            assert!(schema.apply(&statement, &path), "{sql}");
        }
        schema
    }

    #[test]
    fn create_table_reads_columns_keys_and_foreign_keys() {
        let s = schema(&[
            "CREATE TABLE job (job_id TEXT PRIMARY KEY, client_id TEXT NOT NULL REFERENCES client(client_id), \
             wo TEXT, UNIQUE (client_id, wo), FOREIGN KEY (client_id, wo) REFERENCES work_order(client_id, id))",
        ]);
        let job = s.table("JOB").unwrap();
        assert_eq!(job.columns.len(), 3);
        assert!(job.column(Dialect::Sqlite, "CLIENT_ID").unwrap().not_null);
        assert!(!job.column(Dialect::Sqlite, "wo").unwrap().not_null);
        assert_eq!(job.primary_key().unwrap().columns, ["job_id"]);
        assert_eq!(job.keys[1].columns, ["client_id", "wo"]);
        assert_eq!(job.foreign_keys.len(), 2);
        assert_eq!(job.foreign_keys[1].referred, ["client_id", "id"]);
    }

    #[test]
    fn alter_and_drop_are_applied_in_order() {
        let s = schema(&[
            "CREATE TABLE job (job_id TEXT PRIMARY KEY)",
            "ALTER TABLE job ADD COLUMN client_id TEXT REFERENCES client(client_id)",
            "ALTER TABLE job RENAME COLUMN job_id TO id",
            "CREATE TABLE tmp (x INT)",
            "DROP TABLE tmp",
            "ALTER TABLE job RENAME TO jobs",
            "CREATE INDEX idx_jobs_client ON jobs (client_id, id)",
        ]);
        assert!(s.table("tmp").is_none());
        assert!(s.table("job").is_none());
        let jobs = s.table("jobs").unwrap();
        assert_eq!(jobs.primary_key().unwrap().columns, ["id"]);
        assert_eq!(jobs.foreign_keys[0].columns, ["client_id"]);
        assert_eq!(jobs.indexes[0].columns, ["client_id", "id"]);
    }

    #[test]
    fn drop_column_removes_its_keys() {
        let s = schema(&[
            "CREATE TABLE t (a INT, b INT UNIQUE)",
            "ALTER TABLE t DROP COLUMN b",
        ]);
        let t = s.table("t").unwrap();
        assert!(t.keys.is_empty());
        assert_eq!(t.columns.len(), 1);
    }

    #[test]
    fn migrations_sort_by_number_not_text() {
        let mut paths: Vec<PathBuf> = ["m/V10__c.sql", "m/V2__b.sql", "schema.sql", "m/V1__a.sql"]
            .iter()
            .map(PathBuf::from)
            .collect();
        migration_order(&mut paths);
        assert_eq!(
            paths,
            ["schema.sql", "m/V1__a.sql", "m/V2__b.sql", "m/V10__c.sql"].map(PathBuf::from)
        );
    }
}
