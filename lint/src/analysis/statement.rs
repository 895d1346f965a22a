//! Statements: `INSERT`, `UPDATE`, `DELETE`, triggers, and the completeness check
//! that no use of a tenant table escaped the walk.

use std::ops::ControlFlow;
use std::rc::Rc;

use sqlparser::ast::{
    Assignment, AssignmentTarget, ConditionalStatements, ConflictTarget, CreateTrigger, Delete,
    Expr, FromTable, Ident, Insert, ObjectName, OnConflictAction, OnInsert, SetExpr, Spanned,
    SqliteOnConflict, Statement, TableObject, Update, UpdateTableFromKind, visit_relations,
};
use sqlparser::tokenizer::Span;

use crate::analysis::predicate::Operand;
use crate::analysis::query::Block;
use crate::analysis::scope::{Carried, Resolved, Scope, Shape, ShapeColumn, Source, SourceKind};
use crate::analysis::{
    InsertCheck, InsertProblem, LiteralUse, ParentWrite, Role, StatementKind, TenantAssignment,
    UnknownTable, Unsupported, UpsertCheck, UpsertKind, Walker, WriteKind,
};
use crate::model::TableId;
use crate::model::dialect::last_ident;

pub(crate) fn kind_of(statement: &Statement) -> StatementKind {
    match statement {
        Statement::Query(_) => StatementKind::Query,
        Statement::Insert(_) => StatementKind::Insert,
        Statement::Update(_) => StatementKind::Update,
        Statement::Delete(_) => StatementKind::Delete,
        Statement::Explain { statement, .. } => kind_of(statement),
        Statement::CreateTable(create) if create.query.is_none() => StatementKind::Schema,
        Statement::AlterTable(_)
        | Statement::CreateView(_)
        | Statement::Drop { .. }
        | Statement::CreateIndex(_)
        | Statement::AlterIndex { .. }
        | Statement::CreatePolicy(_)
        | Statement::DropPolicy(_)
        | Statement::RenameTable(_) => StatementKind::Schema,
        _ => StatementKind::Other,
    }
}

impl<'m> Walker<'m> {
    pub(crate) fn statement(&mut self, statement: &Statement, scope: &Scope) {
        match statement {
            Statement::Query(query) => self.walk_query(query, scope, Role::Read),
            Statement::Insert(insert) => self.insert(insert, scope),
            Statement::Update(update) => self.update(update, scope),
            Statement::Delete(delete) => self.delete(delete, scope),
            Statement::Explain { statement, .. } => self.statement(statement, scope),
            Statement::CreateTable(create) => {
                if let Some(query) = &create.query {
                    self.walk_query(query, scope, Role::Read);
                }
            }
            Statement::CreateTrigger(trigger) => self.trigger(trigger, scope),
            // A policy's expressions are checked by the row-level security rules, on
            // the schema (`TI210`), not as a statement.
            Statement::CreatePolicy(_) | Statement::DropPolicy(_) => {}
            // The view's own name is a definition, not a use; its body is not modelled
            // (the completeness check reports the tenant tables it reads).
            Statement::CreateView(view) => {
                self.unmodelled = true;
                self.handle(&view.name);
            }
            _ => self.unmodelled = true,
        }
    }

    fn insert(&mut self, insert: &Insert, scope: &Scope) {
        let TableObject::TableName(name) = &insert.table else {
            return;
        };
        self.handle(name);
        let target = self.target_table(name);
        let scoped = target.filter(|&t| self.model.info(t).class.is_scoped());
        let role = if scoped.is_some() {
            Role::InsertSource
        } else {
            Role::Read
        };
        // Without a column list, the values fill the table's columns in order, as the
        // database fills them, when the columns are known.
        let implicit: Vec<Ident> = match target.and_then(|t| self.model.definition(t)) {
            Some(def)
                if insert.columns.is_empty()
                    && insert.assignments.is_empty()
                    && insert.source.is_some()
                    && def.columns_known =>
            {
                def.columns
                    .iter()
                    .map(|c| match self.model.dialect() {
                        crate::model::Dialect::Postgres => Ident::with_quote('"', c.name.clone()),
                        _ => Ident::new(c.name.clone()),
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        let columns: Vec<&Ident> = if !implicit.is_empty() {
            implicit.iter().collect()
        } else if insert.columns.is_empty() {
            insert
                .assignments
                .iter()
                .flat_map(|a| assignment_columns(a))
                .collect()
        } else {
            insert.columns.iter().filter_map(last_ident).collect()
        };

        // The rows being inserted, and what each column of them carries.
        let rows = match &insert.source {
            Some(query) => match query.body.as_ref() {
                SetExpr::Values(values) if query.with.is_none() => {
                    let rows: Vec<Vec<&Expr>> =
                        values.rows.iter().map(|r| r.iter().collect()).collect();
                    for expr in rows.iter().flatten() {
                        self.subqueries_in(expr, scope, role);
                    }
                    Rows::Values(rows)
                }
                _ => Rows::Query(self.query(query, scope, role), query.span()),
            },
            None if !insert.assignments.is_empty() => {
                for assignment in &insert.assignments {
                    self.subqueries_in(&assignment.value, scope, role);
                }
                Rows::Values(vec![insert.assignments.iter().map(|a| &a.value).collect()])
            }
            None => Rows::Default,
        };

        if let Some(table) = scoped
            && self.reporting()
        {
            self.insert_tenant_value(table, name, insert, &columns, &rows, scope);
            self.insert_parent_keys(table, &columns, &rows, scope);
        }
        if let Some(table) = target {
            // Only a table holding tenant data can have one tenant's row overwritten by
            // another's; an upsert into global or shared data is not this rule's.
            if scoped.is_some() {
                self.insert_conflicts(table, name, insert, &columns, scope);
            } else if let Some(OnInsert::OnConflict(on_conflict)) = &insert.on
                && let OnConflictAction::DoUpdate(update) = &on_conflict.action
            {
                let target = self.excluded_scope(table, name);
                let inner = scope.child(&target);
                for assignment in &update.assignments {
                    self.subqueries_in(&assignment.value, &inner, Role::Read);
                }
                if let Some(selection) = &update.selection {
                    self.subqueries_in(selection, &inner, Role::Read);
                }
            }
            if let Some(returning) = &insert.returning {
                let row = self.excluded_scope(table, name);
                let inner = scope.child(&row);
                for expr in returning_exprs(returning) {
                    self.subqueries_in(expr, &inner, Role::Read);
                }
            }
        }
        if insert.output.is_some()
            || insert.partitioned.is_some()
            || insert.insert_alias.is_some()
            || !insert.multi_table_into_clauses.is_empty()
            || !insert.multi_table_when_clauses.is_empty()
            || insert.multi_table_else_clause.is_some()
            || (target.is_none() && insert.returning.is_some())
        {
            self.unmodelled = true;
        }
    }

    /// The tenant column of an inserted row must come from the caller's tenant.
    fn insert_tenant_value(
        &mut self,
        table: TableId,
        name: &ObjectName,
        insert: &Insert,
        columns: &[&Ident],
        rows: &Rows,
        scope: &Scope,
    ) {
        let dialect = self.model.dialect();
        let target_span = name.span();
        let check = |span: Span, problem: InsertProblem| InsertCheck {
            table,
            span,
            problem,
        };
        if columns.is_empty() {
            let problem = match rows {
                Rows::Default => InsertProblem::MissingTenantColumn,
                _ => InsertProblem::NoColumnList,
            };
            self.out.inserts.push(check(target_span, problem));
            return;
        }
        let info = self.model.info(table);
        let Some(tenant) = info.tenant_column.clone() else {
            self.insert_child(table, name, columns, rows);
            return;
        };
        let Some(index) = columns.iter().position(|c| dialect.same(c, &tenant)) else {
            let span = insert.columns.first().map_or(target_span, |first| {
                first
                    .span()
                    .union(&insert.columns.last().expect("non-empty").span())
            });
            self.out
                .inserts
                .push(check(span, InsertProblem::MissingTenantColumn));
            return;
        };
        match rows {
            Rows::Values(rows) => {
                for row in rows {
                    let Some(value) = row.get(index) else {
                        continue;
                    };
                    match self.operand(value, scope) {
                        Operand::Carries(Carried::Tenant) => {}
                        // A hard-coded tenant is written for one fixed tenant, whoever
                        // the caller is: the value is not bound (and the literal is
                        // reported as such too).
                        Operand::Literal(literal) => {
                            self.out.literals.push(LiteralUse::for_occurrence(
                                target_span,
                                table,
                                value.span(),
                                &literal,
                            ));
                            self.out.inserts.push(check(
                                value.span(),
                                InsertProblem::UnboundValue {
                                    value: Some(short(&literal)),
                                },
                            ));
                        }
                        _ => self.out.inserts.push(check(
                            value.span(),
                            InsertProblem::UnboundValue {
                                value: Some(short(&value.to_string())),
                            },
                        )),
                    }
                }
            }
            Rows::Query(shape, span) => {
                let column = shape.columns.get(index);
                if column.is_none_or(|c| c.carried != Carried::Tenant) {
                    let at = column.map(|c| c.span).filter(|s| *s != Span::empty());
                    self.out.inserts.push(check(
                        at.unwrap_or(*span),
                        InsertProblem::UnboundValue { value: None },
                    ));
                }
            }
            Rows::Default => {}
        }
    }

    /// A child without a tenant column is bound through its parent: the foreign key
    /// must take the key of a parent row proved to be the caller's.
    fn insert_child(&mut self, table: TableId, name: &ObjectName, columns: &[&Ident], rows: &Rows) {
        let dialect = self.model.dialect();
        let Some(def) = self.model.definition(table) else {
            return;
        };
        let has_parent = def.foreign_keys.iter().any(|fk| {
            fk.columns.len() == 1
                && self
                    .model
                    .parent_of(fk)
                    .is_some_and(|p| self.model.info(p).class.is_scoped())
        });
        if !has_parent {
            self.out.inserts.push(InsertCheck {
                table,
                span: name.span(),
                problem: InsertProblem::TableLacksTenantColumn,
            });
            return;
        }
        // Its tenant is its parents': at least one of their keys must be written (each
        // written one is checked by `insert_parent_keys`).
        let writes_a_parent = self
            .parent_keys(table)
            .iter()
            .any(|key| columns.iter().any(|c| dialect.same(c, &key.column)));
        if !writes_a_parent && !matches!(rows, Rows::Default) {
            self.out.parent_writes.push(ParentWrite {
                span: name.span(),
                table,
                column: None,
                parent: None,
                kind: WriteKind::Insert,
            });
        }
    }

    /// The single-column foreign keys of a tenant table to a scoped parent that no key
    /// including the tenant column covers: the parent keys a write must take from a
    /// proved row (a key that includes the tenant column is checked by the database).
    pub(crate) fn parent_keys(&self, table: TableId) -> Vec<ParentKey> {
        let Some(def) = self.model.definition(table) else {
            return Vec::new();
        };
        let dialect = self.model.dialect();
        let tenant = self.model.info(table).tenant_column.clone();
        let is_tenant = |c: &String| tenant.as_deref().is_some_and(|t| dialect.same_name(c, t));
        let mut out = Vec::new();
        for fk in &def.foreign_keys {
            let [column] = fk.columns.as_slice() else {
                continue;
            };
            if is_tenant(column) {
                continue;
            }
            let Some(parent) = self.model.parent_of(fk) else {
                continue;
            };
            if !self.model.info(parent).class.is_scoped() {
                continue;
            }
            let covered = def.foreign_keys.iter().any(|other| {
                other.columns.len() > 1
                    && other.columns.iter().any(is_tenant)
                    && other.columns.iter().any(|c| dialect.same_name(c, column))
            });
            if covered {
                continue;
            }
            let Some(referred) = self.model.referred_column(fk) else {
                continue;
            };
            out.push(ParentKey {
                column: column.clone(),
                parent,
                referred: dialect.name_key(&referred).into_owned(),
            });
        }
        out
    }

    /// `SET parent_id = …` on a tenant table: the value must be a proved parent row's
    /// key. In `ON CONFLICT DO UPDATE`, `EXCLUDED.parent_id` is the value the `INSERT`
    /// part wrote, which is checked there.
    fn assigned_parent_keys(
        &mut self,
        table: TableId,
        assignments: &[Assignment],
        scope: &Scope,
        kind: WriteKind,
        upsert_target: Option<&ObjectName>,
    ) {
        let keys = self.parent_keys(table);
        if keys.is_empty() {
            return;
        }
        let dialect = self.model.dialect();
        for assignment in assignments {
            for column in assignment_columns(assignment) {
                let Some(key) = keys.iter().find(|k| dialect.same(column, &k.column)) else {
                    continue;
                };
                let excluded = upsert_target.is_some()
                    && matches!(&assignment.value, Expr::CompoundIdentifier(parts)
                        if parts.len() == 2
                            && parts[0].value.eq_ignore_ascii_case("excluded")
                            && dialect.same(&parts[1], &key.column));
                if excluded || self.proves_parent(&assignment.value, key, scope) {
                    continue;
                }
                self.out.parent_writes.push(ParentWrite {
                    span: assignment.value.span(),
                    table,
                    column: Some(key.column.clone()),
                    parent: Some(key.parent),
                    kind,
                });
            }
        }
    }

    /// Whether a value written into a parent key is a proved parent row's key (or
    /// nothing: `NULL` points at no parent).
    fn proves_parent(&mut self, value: &Expr, key: &ParentKey, scope: &Scope) -> bool {
        let parent_is_root = self.model.info(key.parent).class == crate::model::TableClass::Root;
        let operand = match self.operand(value, scope) {
            // A column of a relation of this statement (`UPDATE … SET parent_id = p.id
            // FROM parent p WHERE p.tenant_id = $1`): what it carries once proved.
            Operand::Column { source, column } => {
                match crate::analysis::scope::carried_by(self.model, &scope.sources[source], column)
                {
                    Carried::Nothing => Operand::Other,
                    carried => Operand::Carries(carried),
                }
            }
            other => other,
        };
        match operand {
            Operand::Carries(Carried::Key { table, column }) => {
                table == key.parent && column == key.referred
            }
            Operand::Carries(Carried::Tenant) => parent_is_root,
            Operand::Other => matches!(
                value,
                Expr::Value(v) if matches!(v.value, sqlparser::ast::Value::Null)
            ),
            _ => false,
        }
    }

    /// Every parent key an `INSERT` writes into a tenant table comes from a proved row.
    fn insert_parent_keys(
        &mut self,
        table: TableId,
        columns: &[&Ident],
        rows: &Rows,
        scope: &Scope,
    ) {
        let dialect = self.model.dialect();
        for key in self.parent_keys(table) {
            let Some(index) = columns.iter().position(|c| dialect.same(c, &key.column)) else {
                continue;
            };
            let mut unproved: Vec<Span> = Vec::new();
            match rows {
                Rows::Values(rows) => {
                    for row in rows {
                        if let Some(value) = row.get(index)
                            && !self.proves_parent(value, &key, scope)
                        {
                            unproved.push(value.span());
                        }
                    }
                }
                Rows::Query(shape, span) => {
                    let column = shape.columns.get(index);
                    let proved = column.is_some_and(|c| match &c.carried {
                        Carried::Key { table, column } => {
                            *table == key.parent && *column == key.referred
                        }
                        Carried::Tenant => {
                            self.model.info(key.parent).class == crate::model::TableClass::Root
                        }
                        Carried::Nothing | Carried::Pending(_) => false,
                    });
                    if !proved {
                        let at = column.map(|c| c.span).filter(|s| *s != Span::empty());
                        unproved.push(at.unwrap_or(*span));
                    }
                }
                Rows::Default => {}
            }
            for span in unproved {
                self.out.parent_writes.push(ParentWrite {
                    span,
                    table,
                    column: Some(key.column.clone()),
                    parent: Some(key.parent),
                    kind: WriteKind::Insert,
                });
            }
        }
    }

    /// Upserts: the key a conflict is detected on must include the tenant column.
    fn insert_conflicts(
        &mut self,
        table: TableId,
        name: &ObjectName,
        insert: &Insert,
        columns: &[&Ident],
        scope: &Scope,
    ) {
        let replace = insert.replace_into || insert.or == Some(SqliteOnConflict::Replace);
        if replace {
            self.check_keys(table, name.span(), UpsertKind::Replace, Some(columns), None);
        }
        match &insert.on {
            Some(OnInsert::OnConflict(on_conflict)) => {
                let OnConflictAction::DoUpdate(update) = &on_conflict.action else {
                    return;
                };
                match &on_conflict.conflict_target {
                    Some(ConflictTarget::Columns {
                        columns: target, ..
                    }) => {
                        let key: Vec<String> = target.iter().map(|c| c.value.clone()).collect();
                        let span = target.first().map_or(name.span(), |f| {
                            f.span.union(&target.last().expect("non-empty").span)
                        });
                        self.check_key(table, span, UpsertKind::OnConflict, key);
                    }
                    Some(ConflictTarget::OnConstraint(constraint)) => {
                        let named = last_ident(constraint).map(|c| c.value.clone());
                        self.check_keys(
                            table,
                            constraint.span(),
                            UpsertKind::OnConflict,
                            None,
                            named,
                        );
                    }
                    None => self.check_keys(
                        table,
                        name.span(),
                        UpsertKind::OnConflict,
                        Some(columns),
                        None,
                    ),
                }
                self.tenant_assignments(&update.assignments, table);
                let target = self.excluded_scope(table, name);
                let inner = scope.child(&target);
                if self.reporting() {
                    self.assigned_parent_keys(
                        table,
                        &update.assignments,
                        &inner,
                        WriteKind::Upsert,
                        Some(name),
                    );
                }
                for assignment in &update.assignments {
                    self.subqueries_in(&assignment.value, &inner, Role::Read);
                }
                if let Some(selection) = &update.selection {
                    self.subqueries_in(selection, &inner, Role::Read);
                }
            }
            Some(OnInsert::DuplicateKeyUpdate(assignments)) => {
                self.check_keys(
                    table,
                    name.span(),
                    UpsertKind::DuplicateKey,
                    Some(columns),
                    None,
                );
                self.tenant_assignments(assignments, table);
            }
            _ => {}
        }
    }

    /// The row being upserted and `excluded`, for subqueries in `DO UPDATE`.
    fn excluded_scope(&self, table: TableId, name: &ObjectName) -> Vec<Source> {
        let dialect = self.model.dialect();
        let tenant = self.model.info(table).tenant_column.clone();
        let shape = Rc::new(Shape {
            columns: tenant
                .map(|t| ShapeColumn {
                    name: Some(dialect.name_key(&t).into_owned()),
                    carried: Carried::Tenant,
                    span: Span::empty(),
                })
                .into_iter()
                .collect(),
            open: true,
            top: false,
        });
        let binding = last_ident(name)
            .map(|i| dialect.key(i).into_owned())
            .unwrap_or_default();
        vec![
            Source::new(binding, SourceKind::Derived(shape.clone())),
            Source::new("excluded".to_string(), SourceKind::Derived(shape)),
        ]
    }

    /// Checks the table's PRIMARY KEY and UNIQUE keys that a write can hit: those
    /// whose columns are all written (`written`), or the one named `named`.
    fn check_keys(
        &mut self,
        table: TableId,
        span: Span,
        kind: UpsertKind,
        written: Option<&[&Ident]>,
        named: Option<String>,
    ) {
        if !self.reporting() {
            return;
        }
        let Some(def) = self.model.definition(table) else {
            self.out.upserts.push(UpsertCheck {
                span,
                table,
                kind,
                key: Vec::new(),
            });
            return;
        };
        let dialect = self.model.dialect();
        let mut keys: Vec<Vec<String>> = Vec::new();
        let mut found_named = false;
        for key in &def.keys {
            if let Some(named) = &named {
                if key
                    .name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(named))
                {
                    found_named = true;
                    keys.push(key.columns.clone());
                }
                continue;
            }
            let hit = match written {
                Some(written) if !written.is_empty() => key
                    .columns
                    .iter()
                    .all(|c| written.iter().any(|w| dialect.same(w, c))),
                _ => true,
            };
            if hit {
                keys.push(key.columns.clone());
            }
        }
        if named.is_some() && !found_named {
            self.out.upserts.push(UpsertCheck {
                span,
                table,
                kind,
                key: Vec::new(),
            });
            return;
        }
        for key in keys {
            self.check_key(table, span, kind, key);
        }
    }

    fn check_key(&mut self, table: TableId, span: Span, kind: UpsertKind, key: Vec<String>) {
        if !self.reporting() {
            return;
        }
        let tenant = self.model.info(table).tenant_column.clone();
        let covered = tenant.is_some_and(|t| key.iter().any(|c| c.eq_ignore_ascii_case(&t)));
        if !covered {
            self.out.upserts.push(UpsertCheck {
                span,
                table,
                kind,
                key,
            });
        }
    }

    /// `SET client_id = …` on a tenant table.
    fn tenant_assignments(&mut self, assignments: &[Assignment], table: TableId) {
        if !self.reporting() {
            return;
        }
        let Some(tenant) = self.model.info(table).tenant_column.clone() else {
            return;
        };
        for assignment in assignments {
            for column in assignment_columns(assignment) {
                if self.model.dialect().same(column, &tenant) {
                    self.out.tenant_assignments.push(TenantAssignment {
                        span: column.span,
                        table,
                        column: column.value.clone(),
                    });
                }
            }
        }
    }

    fn update(&mut self, update: &Update, scope: &Scope) {
        let mut block = Block::default();
        self.add_from(
            std::slice::from_ref(&update.table),
            scope,
            Role::Read,
            &mut block,
        );
        let target_count = block.sources.len();
        if let Some(SourceKind::Scoped(occ)) = block.sources.first_mut().map(|s| &mut s.kind) {
            occ.role = Role::UpdateTarget;
        }
        if let Some(UpdateTableFromKind::BeforeSet(from) | UpdateTableFromKind::AfterSet(from)) =
            &update.from
        {
            self.add_from(from, scope, Role::Read, &mut block);
        }
        // Which relation each assignment writes: `SET j.x = …` may name a joined one.
        let mut written_columns: Vec<&Ident> = Vec::new();
        for assignment in &update.assignments {
            let targets: Vec<&ObjectName> = match &assignment.target {
                AssignmentTarget::ColumnName(name) => vec![name],
                AssignmentTarget::Tuple(names) => names.iter().collect(),
            };
            for target in targets {
                let parts: Vec<Ident> = target
                    .0
                    .iter()
                    .filter_map(|p| p.as_ident().cloned())
                    .collect();
                let Some(column) = target.0.last().and_then(|p| p.as_ident()) else {
                    continue;
                };
                written_columns.push(column);
                let index = if parts.len() > 1 {
                    let inner = scope.child(&block.sources);
                    match self.resolve_column(&inner, &parts) {
                        Some(Resolved::Local(i, _)) => Some(i),
                        _ => None,
                    }
                } else {
                    (target_count > 0).then_some(0)
                };
                let Some(index) = index else { continue };
                if let SourceKind::Scoped(occ) = &mut block.sources[index].kind {
                    occ.role = Role::UpdateTarget;
                    let table = occ.table;
                    let tenant = self.model.info(table).tenant_column.clone();
                    if self.reporting()
                        && tenant.is_some_and(|t| self.model.dialect().same(column, &t))
                    {
                        self.out.tenant_assignments.push(TenantAssignment {
                            span: column.span,
                            table,
                            column: column.value.clone(),
                        });
                    }
                }
            }
        }
        self.prove_block(&mut block, update.selection.as_ref(), scope);
        if let Some(SourceKind::Scoped(occ)) = block.sources.first().map(|s| &s.kind)
            && self.reporting()
        {
            let table = occ.table;
            let inner = scope.child(&block.sources);
            self.assigned_parent_keys(table, &update.assignments, &inner, WriteKind::Update, None);
        }

        if update.or == Some(SqliteOnConflict::Replace)
            && let Some(SourceKind::Scoped(occ)) = block.sources.first().map(|s| &s.kind)
        {
            let (table, span) = (occ.table, occ.span);
            self.check_updated_keys(table, span, &written_columns);
        }
        let inner = scope.child(&block.sources);
        let mut exprs: Vec<&Expr> = update.assignments.iter().map(|a| &a.value).collect();
        exprs.extend(update.selection.as_ref());
        exprs.extend(block.on_exprs.iter().copied());
        exprs.extend(update.limit.as_ref());
        exprs.extend(update.order_by.iter().map(|o| &o.expr));
        exprs.extend(update.returning.iter().flat_map(|r| returning_exprs(r)));
        if update.output.is_some() {
            self.unmodelled = true;
        }
        for expr in exprs {
            self.subqueries_in(expr, &inner, Role::Read);
        }
    }

    /// `UPDATE OR REPLACE` deletes any row that collides on a key an assignment touches.
    fn check_updated_keys(&mut self, table: TableId, span: Span, written: &[&Ident]) {
        let Some(def) = self.model.definition(table) else {
            self.check_keys(table, span, UpsertKind::UpdateOrReplace, None, None);
            return;
        };
        let dialect = self.model.dialect();
        let keys: Vec<Vec<String>> = def
            .keys
            .iter()
            .filter(|k| {
                k.columns
                    .iter()
                    .any(|c| written.iter().any(|w| dialect.same(w, c)))
            })
            .map(|k| k.columns.clone())
            .collect();
        for key in keys {
            self.check_key(table, span, UpsertKind::UpdateOrReplace, key);
        }
    }

    fn delete(&mut self, delete: &Delete, scope: &Scope) {
        let mut block = Block::default();
        let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = &delete.from;
        self.add_from(from, scope, Role::Read, &mut block);
        if let Some(using) = &delete.using {
            self.add_from(using, scope, Role::Read, &mut block);
        }
        let dialect = self.model.dialect();
        if delete.tables.is_empty() {
            if let Some(SourceKind::Scoped(occ)) = block.sources.first_mut().map(|s| &mut s.kind) {
                occ.role = Role::DeleteTarget;
            }
        } else {
            // MySQL `DELETE j FROM job j JOIN …`: the listed names are the targets.
            for name in &delete.tables {
                self.handle(name);
                let Some(ident) = last_ident(name) else {
                    continue;
                };
                for source in &mut block.sources {
                    if dialect.same(ident, &source.binding)
                        && let SourceKind::Scoped(occ) = &mut source.kind
                    {
                        occ.role = Role::DeleteTarget;
                    }
                }
            }
        }
        self.prove_block(&mut block, delete.selection.as_ref(), scope);
        let inner = scope.child(&block.sources);
        let mut exprs: Vec<&Expr> = Vec::new();
        exprs.extend(delete.selection.as_ref());
        exprs.extend(block.on_exprs.iter().copied());
        exprs.extend(delete.limit.as_ref());
        exprs.extend(delete.returning.iter().flat_map(|r| returning_exprs(r)));
        if delete.output.is_some() {
            self.unmodelled = true;
        }
        exprs.extend(delete.order_by.iter().map(|o| &o.expr));
        for expr in exprs {
            self.subqueries_in(expr, &inner, Role::Read);
        }
    }

    /// A trigger body runs for one row: `NEW` and `OLD` carry that row's tenant, so a
    /// statement bound to `NEW.client_id` is bound to whoever wrote the row.
    fn trigger(&mut self, trigger: &CreateTrigger, scope: &Scope) {
        self.handle(&trigger.table_name);
        let Some(statements) = &trigger.statements else {
            return;
        };
        let dialect = self.model.dialect();
        let tenant = self
            .model
            .lookup_name(&trigger.table_name)
            .filter(|&t| self.model.info(t).class.is_scoped())
            .and_then(|t| self.model.info(t).tenant_column.clone());
        let row = Rc::new(Shape {
            columns: tenant
                .map(|t| ShapeColumn {
                    name: Some(dialect.name_key(&t).into_owned()),
                    carried: Carried::Tenant,
                    span: Span::empty(),
                })
                .into_iter()
                .collect(),
            open: true,
            top: false,
        });
        let sources = [
            Source::new("new".into(), SourceKind::Derived(row.clone())),
            Source::new("old".into(), SourceKind::Derived(row)),
        ];
        let inner = scope.child(&sources);
        let body = match statements {
            ConditionalStatements::Sequence { statements } => statements,
            ConditionalStatements::BeginEnd(block) => &block.statements,
        };
        for statement in body {
            self.statement(statement, &inner);
        }
    }

    fn target_table(&mut self, name: &ObjectName) -> Option<TableId> {
        let found = self.model.lookup_name(name);
        let system = crate::analysis::query::is_system_table(name);
        self.out.names_known_table |= found.is_some() || system;
        if found.is_none() && self.reporting() && !system {
            self.out.unknown_tables.push(UnknownTable {
                span: name.span(),
                name: name.to_string(),
            });
        }
        found
    }

    /// Every tenant table the statement names that the walk did not account for is
    /// reported: the engine never calls safe what it did not analyse.
    pub(crate) fn completeness_check(&mut self, statement: &Statement) {
        if kind_of(statement) == StatementKind::Schema {
            return;
        }
        let mut missed: Vec<(Span, TableId)> = Vec::new();
        let _ = visit_relations(statement, |relation| {
            if !self.is_handled(relation)
                && let Some(table) = self.model.lookup_name(relation)
                && self.model.info(table).class.is_scoped()
            {
                missed.push((relation.span(), table));
            }
            ControlFlow::<()>::Continue(())
        });
        if missed.is_empty() {
            return;
        }
        let construct = construct_name(statement);
        for (span, table) in missed {
            self.out.unsupported.push(Unsupported {
                span,
                table,
                construct: construct.clone(),
            });
        }
    }
}

/// A parent key of a tenant table that a write must take from a proved row.
pub(crate) struct ParentKey {
    /// The child's column (stored name).
    pub column: String,
    pub parent: TableId,
    /// The parent's referenced column (its name key).
    pub referred: String,
}

/// The rows an `INSERT` writes.
enum Rows<'e> {
    Values(Vec<Vec<&'e Expr>>),
    Query(Shape, Span),
    Default,
}

/// The expressions of a `RETURNING` list.
fn returning_exprs(items: &[sqlparser::ast::SelectItem]) -> impl Iterator<Item = &Expr> {
    use sqlparser::ast::SelectItem;
    items.iter().filter_map(|item| match item {
        SelectItem::UnnamedExpr(e)
        | SelectItem::ExprWithAlias { expr: e, .. }
        | SelectItem::ExprWithAliases { expr: e, .. } => Some(e),
        _ => None,
    })
}

fn assignment_columns(assignment: &Assignment) -> Vec<&Ident> {
    match &assignment.target {
        AssignmentTarget::ColumnName(name) => last_ident(name).into_iter().collect(),
        AssignmentTarget::Tuple(names) => names.iter().filter_map(last_ident).collect(),
    }
}

/// `CREATE VIEW`, `TRUNCATE`, `MERGE`…: the statement's leading keywords.
fn construct_name(statement: &Statement) -> String {
    let text = statement.to_string();
    let words: Vec<&str> = text
        .split_whitespace()
        .take_while(|w| sqlparser::keywords::ALL_KEYWORDS.binary_search(w).is_ok())
        .take(3)
        .collect();
    match words.as_slice() {
        [] => "this statement".to_string(),
        ["SELECT" | "WITH", ..] => "this query construct".to_string(),
        words => format!("`{}`", words.join(" ")),
    }
}

fn short(text: &str) -> String {
    if text.chars().count() > 40 {
        let cut: String = text.chars().take(37).collect();
        format!("{cut}...")
    } else {
        text.to_string()
    }
}
