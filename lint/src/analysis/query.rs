//! Walking queries: CTEs, set operations, `SELECT` blocks, `FROM` items and joins,
//! derived tables and the subqueries inside expressions.

use std::ops::{ControlFlow, Range};
use std::rc::Rc;

use sqlparser::ast::{
    BinaryOperator, Expr, FunctionArg, GroupByExpr, Ident, JoinConstraint, JoinOperator,
    LimitClause, ObjectName, OrderByExpr, OrderByKind, Query, Select, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, SetOperator, Spanned, TableAlias, TableFactor,
    TableWithJoins, Values, Visit, Visitor, With,
};
use sqlparser::tokenizer::Span;

use crate::analysis::predicate::{
    Fact, Formula, Operand, Piece, Reason, Set, is_list_function, solve,
};
use crate::analysis::scope::{
    Carried, Occ, Resolved, Scope, Shape, ShapeColumn, Source, SourceKind, carried_by, resolve,
};
use crate::analysis::{Considered, LiteralUse, Occurrence, Role, UnknownTable, Verdict, Walker};
use crate::model::dialect::{last_ident, schema_ident};

/// The relations and predicates of one block (`SELECT`, `UPDATE` or `DELETE`).
#[derive(Default)]
pub(crate) struct Block<'e> {
    pub sources: Vec<Source>,
    pub pieces: Vec<Piece<'e>>,
    /// `ON` expressions, walked for subqueries once the block is proved.
    pub on_exprs: Vec<&'e Expr>,
    /// `LATERAL` subqueries: read quietly for their columns while the block is built,
    /// walked in place once the relations they correlate with are proved.
    pub laterals: Vec<(&'e Query, Role)>,
}

/// Columns of the table functions that yield list elements.
const LIST_COLUMNS: [&str; 8] = [
    "key", "value", "type", "atom", "id", "parent", "fullkey", "path",
];

impl<'m> Walker<'m> {
    /// Walks a query whose output matters (a derived table, a CTE, a value, the rows of
    /// an `INSERT`), returning what its columns carry.
    pub(crate) fn query(&mut self, query: &Query, scope: &Scope, role: Role) -> Shape {
        let outer = std::mem::replace(&mut self.want_shape, true);
        let shape = self.query_body(query, scope, role);
        self.want_shape = outer;
        shape
    }

    /// Walks a query whose output does not matter (a statement, `EXISTS`, a subquery
    /// checked in place): its findings only.
    pub(crate) fn walk_query(&mut self, query: &Query, scope: &Scope, role: Role) {
        let outer = std::mem::replace(&mut self.want_shape, false);
        self.query_body(query, scope, role);
        self.want_shape = outer;
    }

    fn query_body(&mut self, query: &Query, scope: &Scope, role: Role) -> Shape {
        if !query.locks.is_empty()
            || query.for_clause.is_some()
            || query.settings.is_some()
            || query.format_clause.is_some()
            || !query.pipe_operators.is_empty()
        {
            self.unmodelled = true;
        }
        let mark = self.ctes.len();
        if let Some(with) = &query.with {
            self.with_clause(with, scope, role);
        }
        let order: &[OrderByExpr] = match query.order_by.as_ref().map(|o| &o.kind) {
            Some(OrderByKind::Expressions(exprs)) => exprs,
            _ => &[],
        };
        let limited = std::mem::replace(
            &mut self.limited,
            query.limit_clause.is_some() || query.fetch.is_some(),
        );
        let shape = self.set_expr(&query.body, scope, role, order);
        self.limited = limited;
        match &query.limit_clause {
            Some(LimitClause::LimitOffset {
                limit,
                offset,
                limit_by,
            }) => {
                let offset = offset.as_ref().map(|o| &o.value);
                for expr in limit.iter().chain(offset).chain(limit_by) {
                    self.subqueries_in(expr, scope, role);
                }
            }
            Some(LimitClause::OffsetCommaLimit { offset, limit }) => {
                self.subqueries_in(offset, scope, role);
                self.subqueries_in(limit, scope, role);
            }
            None => {}
        }
        if let Some(quantity) = query.fetch.as_ref().and_then(|f| f.quantity.as_ref()) {
            self.subqueries_in(quantity, scope, role);
        }
        self.ctes.truncate(mark);
        shape
    }

    fn with_clause(&mut self, with: &With, scope: &Scope, role: Role) {
        let dialect = self.model.dialect();
        for cte in &with.cte_tables {
            let name = dialect.key(&cte.alias.name).into_owned();
            let columns: Vec<String> = cte
                .alias
                .columns
                .iter()
                .map(|c| dialect.key(&c.name).into_owned())
                .collect();
            let shape = if with.recursive {
                let assumed = self.solve_recursive(&name, &cte.query, &columns, scope, role);
                self.ctes.push((name.clone(), Rc::new(assumed)));
                let mut shape = self.query(&cte.query, scope, role).renamed(&columns);
                self.ctes.pop();
                // A recursive query's rows are built from one another: nothing passes
                // a tenant column through unchecked.
                for column in &mut shape.columns {
                    if column.carried.pending().is_some() {
                        column.carried = Carried::Nothing;
                    }
                }
                shape
            } else {
                self.query(&cte.query, scope, role).renamed(&columns)
            };
            self.ctes.push((name, Rc::new(shape)));
        }
    }

    /// The greatest fixed point of what a recursive CTE's columns carry: start by
    /// assuming every column carries the tenant and re-analyse the body until the
    /// assumption holds. By induction on the recursion depth every row then carries
    /// what the result claims.
    fn solve_recursive(
        &mut self,
        name: &str,
        body: &Query,
        columns: &[String],
        scope: &Scope,
        role: Role,
    ) -> Shape {
        let mut assumed = Shape::top();
        self.quiet += 1;
        for _ in 0..16 {
            self.ctes.push((name.to_string(), Rc::new(assumed.clone())));
            let next = self.query(body, scope, role).renamed(columns);
            self.ctes.pop();
            let next = next.union(&assumed);
            let same = !assumed.top
                && next.columns.len() == assumed.columns.len()
                && next
                    .columns
                    .iter()
                    .zip(&assumed.columns)
                    .all(|(a, b)| a.carried == b.carried);
            assumed = next;
            if same {
                self.quiet -= 1;
                return assumed;
            }
        }
        self.quiet -= 1;
        // No fixed point within the bound: claim nothing, which is always sound.
        for column in &mut assumed.columns {
            column.carried = Carried::Nothing;
        }
        assumed.top = false;
        assumed
    }

    fn set_expr(
        &mut self,
        body: &SetExpr,
        scope: &Scope,
        role: Role,
        order: &[OrderByExpr],
    ) -> Shape {
        match body {
            SetExpr::Select(select) => self.select(select, scope, role, order),
            SetExpr::Query(query) => {
                let shape = self.query_body(query, scope, role);
                for expr in order {
                    self.subqueries_in(&expr.expr, scope, role);
                }
                shape
            }
            SetExpr::SetOperation {
                left, op, right, ..
            } => {
                let l = self.set_expr(left, scope, role, &[]);
                let r = self.set_expr(right, scope, role, &[]);
                for expr in order {
                    self.subqueries_in(&expr.expr, scope, role);
                }
                match op {
                    SetOperator::Intersect => l.intersect(&r),
                    SetOperator::Except | SetOperator::Minus => l,
                    _ => l.union(&r),
                }
            }
            SetExpr::Values(values) => self.values(values, scope, role),
            SetExpr::Merge(statement) => {
                self.unmodelled = true;
                self.statement(statement, scope);
                Shape {
                    open: true,
                    ..Shape::default()
                }
            }
            SetExpr::Insert(statement)
            | SetExpr::Update(statement)
            | SetExpr::Delete(statement) => {
                self.statement(statement, scope);
                Shape {
                    open: true,
                    ..Shape::default()
                }
            }
            SetExpr::Table(table) => {
                // `TABLE job` reads every row.
                if let Some(name) = &table.table_name {
                    let object = ObjectName::from(name.clone());
                    self.unfiltered_relation(&object, role, name.span);
                }
                Shape {
                    open: true,
                    ..Shape::default()
                }
            }
        }
    }

    fn values(&mut self, values: &Values, scope: &Scope, role: Role) -> Shape {
        let width = values.rows.first().map_or(0, |r| r.len());
        let mut columns: Vec<ShapeColumn> = (0..width)
            .map(|i| ShapeColumn {
                name: Some(format!("column{}", i + 1)),
                carried: Carried::Tenant,
                span: values.rows[0][i].span(),
            })
            .collect();
        for row in &values.rows {
            for (i, expr) in row.iter().enumerate() {
                self.subqueries_in(expr, scope, role);
                let carried = match self.operand(expr, scope) {
                    Operand::Carries(c) => c,
                    _ => Carried::Nothing,
                };
                if let Some(column) = columns.get_mut(i) {
                    column.carried = column.carried.meet(&carried);
                }
            }
        }
        Shape {
            columns,
            open: false,
            top: false,
        }
    }

    fn select(
        &mut self,
        select: &Select,
        scope: &Scope,
        role: Role,
        order: &[OrderByExpr],
    ) -> Shape {
        if !select.lateral_views.is_empty()
            || !select.connect_by.is_empty()
            || !select.cluster_by.is_empty()
            || !select.distribute_by.is_empty()
            || !select.sort_by.is_empty()
            || !select.named_window.is_empty()
            || select.top.is_some()
            || select.into.is_some()
            || matches!(select.distinct, Some(sqlparser::ast::Distinct::On(_)))
        {
            self.unmodelled = true;
        }
        let mut block = Block::default();
        self.add_from(&select.from, scope, role, &mut block);
        let occurrences = self.prove_block(&mut block, select.selection.as_ref(), scope);
        let inner = scope.child(&block.sources);
        let passing = if self.want_shape && self.reporting() {
            self.passing_through(select, &block, &occurrences, &inner)
        } else {
            vec![None; block.sources.len()]
        };

        for item in &select.projection {
            match item {
                SelectItem::UnnamedExpr(e)
                | SelectItem::ExprWithAlias { expr: e, .. }
                | SelectItem::ExprWithAliases { expr: e, .. }
                | SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::Expr(e), _) => {
                    self.subqueries_in(e, &inner, role)
                }
                _ => {}
            }
        }
        let group: &[Expr] = match &select.group_by {
            GroupByExpr::Expressions(group, _) => group,
            GroupByExpr::All(_) => &[],
        };
        let clauses = [
            &select.selection,
            &select.prewhere,
            &select.having,
            &select.qualify,
        ];
        for expr in clauses.into_iter().flatten().chain(group) {
            self.subqueries_in(expr, &inner, role);
        }
        for expr in order {
            self.subqueries_in(&expr.expr, &inner, role);
        }
        for expr in &block.on_exprs {
            self.subqueries_in(expr, &inner, role);
        }
        if self.want_shape {
            let shape = self.projection_shape(&select.projection, &inner, &passing);
            // A subquery use whose pending tenant column this block passes on is
            // counted where the block's own output is used.
            for (k, source) in block.sources.iter().enumerate() {
                let (Some(occurrences), false) = (&passing[k], source.proved) else {
                    continue;
                };
                if matches!(source.kind, SourceKind::Derived(_))
                    && shape
                        .columns
                        .iter()
                        .any(|c| c.carried.pending() == Some(occurrences))
                {
                    for occurrence in occurrences {
                        if let Some(uses) = self.pending_uses.get_mut(occurrence) {
                            uses.0 = uses.0.saturating_sub(1);
                        }
                    }
                }
            }
            shape
        } else {
            Shape::default()
        }
    }

    /// For each relation of a block, the occurrences a filter outside the block binds
    /// when the relation's tenant column passes through unchanged: an unproved
    /// occurrence with what its proof would prove in the block, or a subquery's own
    /// pending occurrences. `None` where the block mixes tenants' rows before any
    /// outside filter applies: an aggregate or window not grouped or partitioned by the
    /// tenant column, `DISTINCT ON` not led by it, `LIMIT`, `OFFSET` or `FETCH`.
    fn passing_through(
        &mut self,
        select: &Select,
        block: &Block,
        occurrences: &[Option<usize>],
        inner: &Scope,
    ) -> Vec<Option<Vec<usize>>> {
        let mut out = vec![None; block.sources.len()];
        if self.limited || select.top.is_some() || !select.named_window.is_empty() {
            return out;
        }
        for (i, source) in block.sources.iter().enumerate() {
            let candidate = match &source.kind {
                SourceKind::Scoped(occ) if !occ.proved => {
                    let Some(column) = self.model.info(occ.table).tenant_column.clone() else {
                        continue;
                    };
                    // What proving it would prove in this block.
                    let mut pieces: Vec<Piece> = block
                        .pieces
                        .iter()
                        .map(|p| Piece {
                            expr: None,
                            formula: p.formula.clone(),
                            allowed: p.allowed,
                        })
                        .collect();
                    pieces.push(Piece {
                        expr: None,
                        formula: Formula::Facts(vec![Fact::Direct(i)]),
                        allowed: Set::ALL,
                    });
                    let closure = solve(&pieces);
                    let mut set: Vec<usize> = (0..block.sources.len())
                        .filter(|&j| closure.contains(j))
                        .filter(|&j| {
                            matches!(&block.sources[j].kind, SourceKind::Scoped(o) if !o.proved)
                        })
                        .filter_map(|j| occurrences.get(j).copied().flatten())
                        .collect();
                    set.sort_unstable();
                    (column, set)
                }
                SourceKind::Derived(_) if !source.proved => match source.pending() {
                    Some((name, pending)) => (name.to_string(), pending.to_vec()),
                    None => continue,
                },
                _ => continue,
            };
            let (column, set) = candidate;
            if set.is_empty() {
                continue;
            }
            let tenant_ref = |expr: &Expr| -> bool {
                let parts = match expr {
                    Expr::Identifier(ident) => std::slice::from_ref(ident),
                    Expr::CompoundIdentifier(parts) => parts.as_slice(),
                    _ => return false,
                };
                matches!(
                    resolve(self.model, inner, parts),
                    Some((Resolved::Local(j, _), 0)) if j == i
                ) && parts.last().is_some_and(|c| {
                    self.model.dialect().key(c) == self.model.dialect().name_key(&column)
                })
            };
            if !mixes_tenants(select, &tenant_ref) {
                out[i] = Some(set);
            }
        }
        out
    }

    /// Adds the relations of `FROM` items and their join predicates to a block.
    pub(crate) fn add_from<'e>(
        &mut self,
        from: &'e [TableWithJoins],
        outer: &Scope,
        role: Role,
        block: &mut Block<'e>,
    ) {
        for item in from {
            let start = block.sources.len();
            self.factor(&item.relation, outer, role, block);
            for join in &item.joins {
                let left = start..block.sources.len();
                self.factor(&join.relation, outer, role, block);
                let right = left.end..block.sources.len();
                self.join(&join.join_operator, left, right, outer, block);
            }
        }
    }

    fn join<'e>(
        &mut self,
        operator: &'e JoinOperator,
        left: Range<usize>,
        right: Range<usize>,
        outer: &Scope,
        block: &mut Block<'e>,
    ) {
        let only = |range: &Range<usize>, _: usize| Set::range(range.clone());
        let n = block.sources.len();
        let (constraint, allowed) = match operator {
            JoinOperator::Join(c)
            | JoinOperator::Inner(c)
            | JoinOperator::CrossJoin(c)
            | JoinOperator::StraightJoin(c) => (c, Set::ALL),
            JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (c, only(&right, n)),
            JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (c, only(&left, n)),
            JoinOperator::FullOuter(c)
            | JoinOperator::Semi(c)
            | JoinOperator::LeftSemi(c)
            | JoinOperator::RightSemi(c)
            | JoinOperator::Anti(c)
            | JoinOperator::LeftAnti(c)
            | JoinOperator::RightAnti(c) => (c, only(&(0..0), n)),
            JoinOperator::AsOf { constraint, .. } => (constraint, only(&(0..0), n)),
            _ => return,
        };
        match constraint {
            JoinConstraint::On(expr) => {
                block.on_exprs.push(expr);
                let formula = {
                    let scope = outer.child(&block.sources);
                    self.formula(expr, &scope)
                };
                block.pieces.push(Piece {
                    expr: Some(expr),
                    formula,
                    allowed,
                });
            }
            JoinConstraint::Using(columns) | JoinConstraint::UsingAlias(columns, _) => {
                let dialect = self.model.dialect();
                let names: Vec<String> = columns
                    .iter()
                    .filter_map(last_ident)
                    .map(|i| dialect.key(i).into_owned())
                    .collect();
                for source in &mut block.sources[right.clone()] {
                    source.merged.extend(names.iter().cloned());
                }
                let idents: Vec<&Ident> = columns.iter().filter_map(last_ident).collect();
                let facts = self.using_facts(&block.sources, outer, &left, &right, &idents);
                block.pieces.push(Piece {
                    expr: None,
                    formula: Formula::Facts(facts),
                    allowed,
                });
            }
            JoinConstraint::Natural => {
                let common = self.common_columns(&block.sources, &left, &right);
                for source in &mut block.sources[right.clone()] {
                    source.merged.extend(common.iter().cloned());
                }
                let facts = self.shared_tenant_columns(&block.sources, &left, &right, None);
                block.pieces.push(Piece {
                    expr: None,
                    formula: Formula::Facts(facts),
                    allowed,
                });
            }
            JoinConstraint::None => {}
        }
    }

    /// The columns a `NATURAL JOIN` equates: those both sides' tables declare.
    fn common_columns(
        &self,
        sources: &[Source],
        left: &Range<usize>,
        right: &Range<usize>,
    ) -> Vec<String> {
        let columns = |range: &Range<usize>| -> Vec<String> {
            sources[range.clone()]
                .iter()
                .filter_map(|s| match &s.kind {
                    SourceKind::Scoped(occ) => self.model.definition(occ.table),
                    SourceKind::Plain { table } => table.and_then(|t| self.model.definition(t)),
                    SourceKind::Derived(_) => None,
                })
                .flat_map(|d| {
                    d.columns
                        .iter()
                        .map(|c| self.model.dialect().name_key(&c.name).into_owned())
                })
                .collect()
        };
        let left = columns(left);
        columns(right)
            .into_iter()
            .filter(|c| left.contains(c))
            .collect()
    }

    /// `USING (c)`: the facts of `l.c = r.c` for each relation `l` on the left and `r`
    /// on the right that has `c`: equal tenant columns link them, and a foreign key
    /// column equal to its parent's key binds the child to a proved parent.
    fn using_facts<'e>(
        &mut self,
        sources: &[Source],
        outer: &Scope,
        left: &Range<usize>,
        right: &Range<usize>,
        columns: &[&'e Ident],
    ) -> Vec<Fact> {
        let scope = outer.child(sources);
        let mut facts = Vec::new();
        for column in columns {
            let operand = |i: usize| -> Option<Operand<'e>> {
                match &sources[i].kind {
                    SourceKind::Scoped(_) => Some(Operand::Column { source: i, column }),
                    _ => match carried_by(self.model, &sources[i], column) {
                        Carried::Nothing => None,
                        carried => Some(Operand::Carries(carried)),
                    },
                }
            };
            for l in left.clone() {
                for r in right.clone() {
                    let (Some(lo), Some(ro)) = (operand(l), operand(r)) else {
                        continue;
                    };
                    self.equality_facts(&lo, &ro, &scope, &|| column.span, &mut facts);
                }
            }
        }
        facts
    }

    /// `NATURAL JOIN`: equal tenant columns of scoped relations on both sides link them.
    fn shared_tenant_columns(
        &self,
        sources: &[Source],
        left: &Range<usize>,
        right: &Range<usize>,
        using: Option<&[String]>,
    ) -> Vec<Fact> {
        let tenant_of = |i: usize| match &sources[i].kind {
            SourceKind::Scoped(occ) => self.model.info(occ.table).tenant_column.clone(),
            _ => None,
        };
        let mut facts = Vec::new();
        for r in right.clone() {
            let Some(rc) = tenant_of(r) else { continue };
            let dialect = self.model.dialect();
            if using.is_some_and(|cols| !cols.iter().any(|c| *c == dialect.name_key(&rc))) {
                continue;
            }
            for l in left.clone() {
                if tenant_of(l).is_some_and(|lc| dialect.same_name(&lc, &rc)) {
                    facts.push(Fact::Edge(l, r));
                    facts.push(Fact::Edge(r, l));
                }
            }
        }
        facts
    }

    fn factor<'e>(
        &mut self,
        factor: &'e TableFactor,
        outer: &Scope,
        role: Role,
        block: &mut Block<'e>,
    ) {
        let dialect = self.model.dialect();
        let binding = |alias: &Option<TableAlias>| {
            alias
                .as_ref()
                .map(|a| dialect.key(&a.name).into_owned())
                .unwrap_or_default()
        };
        let alias_columns = |alias: &Option<TableAlias>| -> Vec<String> {
            alias.as_ref().map_or_else(Vec::new, |a| {
                a.columns
                    .iter()
                    .map(|c| dialect.key(&c.name).into_owned())
                    .collect()
            })
        };
        let source = match factor {
            TableFactor::Table {
                name,
                alias,
                args: None,
                with_hints,
                version,
                ..
            } => {
                if !with_hints.is_empty() || version.is_some() {
                    self.unmodelled = true;
                }
                self.named_relation(name, alias.as_ref(), role)
            }
            TableFactor::Table {
                name,
                alias,
                args: Some(args),
                ..
            } => {
                self.handle(name);
                let shape = self.function_shape(name, &args.args, outer, block, role);
                let fallback = last_ident(name).map(|i| dialect.key(i).into_owned());
                Source::new(
                    alias
                        .as_ref()
                        .map(|a| dialect.key(&a.name).into_owned())
                        .or(fallback)
                        .unwrap_or_default(),
                    SourceKind::Derived(Rc::new(shape.renamed(&alias_columns(alias)))),
                )
            }
            TableFactor::Function {
                name, args, alias, ..
            } => {
                let shape = self.function_shape(name, args, outer, block, role);
                Source::new(
                    binding(alias),
                    SourceKind::Derived(Rc::new(shape.renamed(&alias_columns(alias)))),
                )
            }
            TableFactor::Derived {
                lateral,
                subquery,
                alias,
                ..
            } => {
                let shape = if *lateral {
                    let scope = outer.child(&block.sources);
                    self.quiet += 1;
                    let shape = self.query(subquery, &scope, role);
                    self.quiet -= 1;
                    block.laterals.push((subquery, role));
                    shape
                } else {
                    self.query(subquery, outer, role)
                };
                Source::new(
                    binding(alias),
                    SourceKind::Derived(Rc::new(shape.renamed(&alias_columns(alias)))),
                )
            }
            TableFactor::UNNEST {
                alias, array_exprs, ..
            } => {
                let scope = outer.child(&block.sources);
                let all_tenant = !array_exprs.is_empty()
                    && array_exprs.iter().all(|e| {
                        matches!(self.operand(e, &scope), Operand::Carries(Carried::Tenant))
                    });
                let names = alias_columns(alias);
                let shape = Shape {
                    columns: vec![ShapeColumn {
                        name: Some(names.first().cloned().unwrap_or_else(|| "unnest".into())),
                        carried: if all_tenant {
                            Carried::Tenant
                        } else {
                            Carried::Nothing
                        },
                        span: Span::empty(),
                    }],
                    open: true,
                    top: false,
                };
                Source::new(binding(alias), SourceKind::Derived(Rc::new(shape)))
            }
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => {
                self.add_from(
                    std::slice::from_ref(table_with_joins.as_ref()),
                    outer,
                    role,
                    block,
                );
                return;
            }
            // Other table factors (PIVOT, JSON_TABLE, …) are not modelled: a tenant
            // table inside one is reported by the completeness check.
            _ => {
                self.unmodelled = true;
                Source::new(
                    String::new(),
                    SourceKind::Derived(Rc::new(Shape {
                        open: true,
                        ..Shape::default()
                    })),
                )
            }
        };
        // Each use of a subquery that passes a tenant column through must be bound.
        if let (Some((_, pending)), true) = (source.pending(), self.reporting()) {
            for occurrence in pending.iter().copied() {
                self.pending_uses.entry(occurrence).or_default().0 += 1;
            }
        }
        block.sources.push(source);
    }

    /// A table-valued function: `json_each(:scope)` yields tenant ids in `value`.
    fn function_shape(
        &mut self,
        name: &ObjectName,
        args: &[FunctionArg],
        outer: &Scope,
        block: &Block,
        role: Role,
    ) -> Shape {
        let scope = outer.child(&block.sources);
        for arg in args {
            if let FunctionArg::Unnamed(sqlparser::ast::FunctionArgExpr::Expr(e))
            | FunctionArg::Named {
                arg: sqlparser::ast::FunctionArgExpr::Expr(e),
                ..
            } = arg
            {
                self.subqueries_in(e, &scope, role);
            }
        }
        if !is_list_function(name) {
            return Shape {
                open: true,
                ..Shape::default()
            };
        }
        let carried = match self.list_function_value(name, Some(args), &scope) {
            Operand::Carries(Carried::Tenant) => Carried::Tenant,
            _ => Carried::Nothing,
        };
        let columns = LIST_COLUMNS
            .iter()
            .map(|c| ShapeColumn {
                name: Some((*c).to_string()),
                carried: if matches!(*c, "value" | "atom") {
                    carried.clone()
                } else {
                    Carried::Nothing
                },
                span: Span::empty(),
            })
            .collect();
        Shape {
            columns,
            open: false,
            top: false,
        }
    }

    /// A table by name: a CTE, a scoped occurrence, a plain table, or an unknown name.
    pub(crate) fn named_relation(
        &mut self,
        name: &ObjectName,
        alias: Option<&TableAlias>,
        role: Role,
    ) -> Source {
        self.handle(name);
        let dialect = self.model.dialect();
        let Some(ident) = last_ident(name) else {
            return Source::new(String::new(), SourceKind::Plain { table: None });
        };
        let binding = alias
            .map(|a| dialect.key(&a.name).into_owned())
            .unwrap_or_else(|| dialect.key(ident).into_owned());
        if name.0.len() == 1 {
            let key = dialect.key(ident);
            if let Some((_, shape)) = self.ctes.iter().rev().find(|(n, _)| *n == key) {
                let columns: Vec<String> = alias.map_or_else(Vec::new, |a| {
                    a.columns
                        .iter()
                        .map(|c| dialect.key(&c.name).into_owned())
                        .collect()
                });
                let shape = if columns.is_empty() {
                    shape.clone()
                } else {
                    Rc::new(shape.as_ref().clone().renamed(&columns))
                };
                return Source::new(binding, SourceKind::Derived(shape));
            }
        }
        let found = self.model.lookup_name(name);
        self.out.names_known_table |= found.is_some() || is_system_table(name);
        let kind = match found {
            Some(table) if self.model.info(table).class.is_scoped() => SourceKind::Scoped(Occ {
                table,
                alias: alias.map(|a| a.name.value.clone()),
                span: name.span(),
                role,
                proved: false,
            }),
            Some(table) => SourceKind::Plain { table: Some(table) },
            None => {
                if !is_system_table(name) && self.reporting() {
                    self.out.unknown_tables.push(UnknownTable {
                        span: name.span(),
                        name: name.to_string(),
                    });
                }
                SourceKind::Plain { table: None }
            }
        };
        Source::new(binding, kind)
    }

    /// A table read with no predicate at all (`TABLE job`, `x IN job`).
    pub(crate) fn unfiltered_relation(&mut self, name: &ObjectName, role: Role, span: Span) {
        if is_list_function(name) || is_system_table(name) {
            return;
        }
        let source = self.named_relation(name, None, role);
        if let SourceKind::Scoped(occ) = source.kind
            && self.reporting()
        {
            self.out.occurrences.push(Occurrence {
                table: occ.table,
                alias: None,
                span: if occ.span == Span::empty() {
                    span
                } else {
                    occ.span
                },
                role,
                proved: false,
                weak: Vec::new(),
                linked: Vec::new(),
                literal: false,
                considered: Vec::new(),
                proved_by: None,
            });
        }
    }

    /// Proves the block's scoped relations from its pieces and `WHERE`, then records
    /// them as occurrences, explaining the ones left unbound.
    /// Returns, for each relation of the block, the index of its occurrence in the
    /// analysis (when it is a scoped one, and findings are being reported).
    pub(crate) fn prove_block<'e>(
        &mut self,
        block: &mut Block<'e>,
        selection: Option<&'e Expr>,
        outer: &Scope,
    ) -> Vec<Option<usize>> {
        if let Some(selection) = selection {
            let formula = {
                let scope = outer.child(&block.sources);
                self.formula(selection, &scope)
            };
            block.pieces.push(Piece {
                expr: Some(selection),
                formula,
                allowed: Set::ALL,
            });
        }
        let proved = solve(&block.pieces);
        let reporting = self.reporting();
        for (i, source) in block.sources.iter_mut().enumerate() {
            match &mut source.kind {
                SourceKind::Scoped(occ) => occ.proved = proved.contains(i),
                SourceKind::Derived(_) if proved.contains(i) => {
                    // A filter here binds the subquery's passed-through tenant column.
                    if let (Some((_, pending)), true) = (source.pending(), reporting) {
                        for occurrence in pending.iter().copied() {
                            self.pending_uses.entry(occurrence).or_default().1 += 1;
                        }
                    }
                    source.proved = true;
                }
                _ => {}
            }
        }
        // A `LATERAL` subquery correlated with a proved relation (`e.tenant_id =
        // p.tenant_id`, `e.pipeline_id = p.id` by foreign key) is proved through it.
        let laterals = std::mem::take(&mut block.laterals);
        if !laterals.is_empty() {
            let scope = outer.child(&block.sources);
            for (query, role) in laterals {
                self.walk_query(query, &scope, role);
            }
        }
        let mut indices = vec![None; block.sources.len()];
        if !self.reporting() {
            return indices;
        }
        let reasons = if self.explaining {
            crate::analysis::predicate::reasons(&block.pieces, proved, block.sources.len())
        } else {
            Vec::new()
        };
        for (i, index) in indices.iter_mut().enumerate() {
            let SourceKind::Scoped(occ) = &block.sources[i].kind else {
                continue;
            };
            *index = Some(self.out.occurrences.len());
            let occ = occ.clone();
            let mut weak = Vec::new();
            let mut linked = Vec::new();
            if !occ.proved {
                let scope = outer.child(&block.sources);
                for piece in &block.pieces {
                    if let Some(expr) = piece.expr {
                        let allowed = piece.allowed.contains(i);
                        self.explain(expr, i, allowed, &scope, &mut weak, &mut linked);
                    }
                }
                // Joined by its foreign key to a parent that is not bound either.
                for piece in &block.pieces {
                    let mut facts = Vec::new();
                    crate::analysis::predicate::top_level_facts(&piece.formula, &mut facts);
                    for fact in facts {
                        if let Fact::Reference(from, to) = fact
                            && to == i
                            && !proved.contains(from)
                        {
                            linked.push(display_binding(self.model, &block.sources[from]));
                        }
                    }
                }
                linked.sort();
                linked.dedup();
            }
            let literal = self.out.literals.iter().any(|l| l.occurrence == occ.span);
            let considered = if self.explaining {
                self.considered(block, i, outer, occ.proved)
            } else {
                Vec::new()
            };
            let proved_by = match reasons.get(i).copied().flatten() {
                Some(_) if !self.explaining => None,
                Some(Reason::Direct) => Some("a predicate binds it (below)".to_string()),
                Some(Reason::Equal(j)) => Some(format!(
                    "its tenant column equals that of `{}`, which is bound",
                    block.sources[j].binding
                )),
                Some(Reason::Reference(j)) => Some(format!(
                    "its declared foreign key equals the key of `{}`, which is bound",
                    block.sources[j].binding
                )),
                Some(Reason::EveryBranch) => Some("every branch of an `OR` binds it".to_string()),
                None => None,
            };
            self.out.occurrences.push(Occurrence {
                table: occ.table,
                alias: occ.alias.clone(),
                span: occ.span,
                role: occ.role,
                proved: occ.proved,
                weak,
                linked,
                literal,
                considered,
                proved_by,
            });
        }
        indices
    }

    /// Runs `f` with findings off (it re-reads a predicate already reported).
    fn quietly<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        self.quiet += 1;
        let result = f(self);
        self.quiet -= 1;
        result
    }

    /// Each top-level conjunct of the block's predicates and what it did for relation
    /// `i`'s proof (`--explain`).
    fn considered(
        &mut self,
        block: &Block<'_>,
        i: usize,
        outer: &Scope,
        proved: bool,
    ) -> Vec<Considered> {
        fn conjuncts<'e>(expr: &'e Expr, out: &mut Vec<&'e Expr>) {
            match expr {
                Expr::BinaryOp {
                    left,
                    op: BinaryOperator::And,
                    right,
                } => {
                    conjuncts(left, out);
                    conjuncts(right, out);
                }
                Expr::Nested(inner)
                    if matches!(
                        &**inner,
                        Expr::BinaryOp {
                            op: BinaryOperator::And,
                            ..
                        }
                    ) =>
                {
                    conjuncts(inner, out)
                }
                other => out.push(other),
            }
        }
        let scope = outer.child(&block.sources);
        let mut out = Vec::new();
        for piece in &block.pieces {
            let Some(expr) = piece.expr else { continue };
            let allowed = piece.allowed.contains(i);
            let mut parts = Vec::new();
            conjuncts(expr, &mut parts);
            for part in parts {
                // A conjunct whose facts concern the relation (its tenant column, a
                // foreign key, an `EXISTS` over a bound row) or that mentions its tenant
                // column speaks to its proof; the others do not.
                let mut concerned = Vec::new();
                let formula = self.quietly(|w| w.formula(part, &scope));
                crate::analysis::predicate::targets(&formula, &mut concerned);
                let verdict = if !concerned.contains(&i) && !self.mentions(part, i, &scope) {
                    Verdict::Unrelated
                } else if proved && concerned.contains(&i) && allowed {
                    Verdict::Binds
                } else {
                    let mut weak = Vec::new();
                    let mut linked = Vec::new();
                    self.explain(part, i, allowed, &scope, &mut weak, &mut linked);
                    let literal = self.out.literals.iter().any(|l| {
                        part.span().start <= l.span.start && l.span.end <= part.span().end
                    });
                    if let Some(w) = weak.into_iter().next() {
                        Verdict::Weak(w.why)
                    } else if proved {
                        Verdict::Binds
                    } else if !linked.is_empty() {
                        linked.sort();
                        linked.dedup();
                        Verdict::Linked(linked)
                    } else if literal {
                        Verdict::Literal
                    } else {
                        Verdict::NotProved
                    }
                };
                out.push(Considered {
                    span: part.span(),
                    verdict,
                });
            }
        }
        out
    }

    fn projection_shape(
        &mut self,
        projection: &[SelectItem],
        scope: &Scope,
        passing: &[Option<Vec<usize>>],
    ) -> Shape {
        let dialect = self.model.dialect();
        let mut shape = Shape::default();
        for item in projection {
            match item {
                SelectItem::UnnamedExpr(expr) => {
                    let name = match expr {
                        Expr::Identifier(i) => Some(dialect.key(i).into_owned()),
                        Expr::CompoundIdentifier(parts) => {
                            parts.last().map(|i| dialect.key(i).into_owned())
                        }
                        _ => None,
                    };
                    let carried = self.passed_or_carried(expr, scope, passing);
                    shape.columns.push(ShapeColumn {
                        name,
                        carried,
                        span: expr.span(),
                    });
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let carried = self.passed_or_carried(expr, scope, passing);
                    shape.columns.push(ShapeColumn {
                        name: Some(dialect.key(alias).into_owned()),
                        carried,
                        span: expr.span(),
                    });
                }
                SelectItem::ExprWithAliases { expr, aliases } => {
                    for alias in aliases {
                        shape.columns.push(ShapeColumn {
                            name: Some(dialect.key(alias).into_owned()),
                            carried: Carried::Nothing,
                            span: expr.span(),
                        });
                    }
                }
                SelectItem::Wildcard(_) => {
                    for (i, source) in scope.sources.iter().enumerate() {
                        self.expand(source, passing.get(i).cloned().flatten(), &mut shape);
                    }
                }
                SelectItem::QualifiedWildcard(kind, _) => {
                    let qualifier = match kind {
                        SelectItemQualifiedWildcardKind::ObjectName(name) => {
                            last_ident(name).cloned()
                        }
                        SelectItemQualifiedWildcardKind::Expr(_) => None,
                    };
                    match qualifier.and_then(|q| {
                        scope
                            .sources
                            .iter()
                            .position(|s| dialect.same(&q, &s.binding))
                    }) {
                        Some(i) => self.expand(
                            &scope.sources[i],
                            passing.get(i).cloned().flatten(),
                            &mut shape,
                        ),
                        None => shape.open = true,
                    }
                }
            }
        }
        shape
    }

    /// The columns `*` yields for one relation (its tenant column passed through as
    /// `passing` says).
    fn expand(&self, source: &Source, passing: Option<Vec<usize>>, shape: &mut Shape) {
        let table = match &source.kind {
            SourceKind::Derived(inner) => {
                for column in &inner.columns {
                    let mut column = column.clone();
                    if column.carried.pending().is_some() {
                        column.carried = match (&passing, source.proved) {
                            (_, true) => Carried::Tenant,
                            (Some(set), false) => Carried::Pending(set.clone()),
                            (None, false) => Carried::Nothing,
                        };
                    }
                    shape.columns.push(column);
                }
                shape.open |= inner.open || inner.top;
                return;
            }
            SourceKind::Scoped(occ) => Some(occ.table),
            SourceKind::Plain { table } => *table,
        };
        let Some(def) = table
            .and_then(|t| self.model.definition(t))
            .filter(|d| d.columns_known)
        else {
            shape.open = true;
            return;
        };
        let tenant = match &source.kind {
            SourceKind::Scoped(occ) if !occ.proved => {
                self.model.info(occ.table).tenant_column.clone()
            }
            _ => None,
        };
        for column in &def.columns {
            let ident = sqlparser::ast::Ident::new(column.name.clone());
            let carried = match (&passing, &tenant) {
                (Some(set), Some(t)) if self.model.dialect().same_name(t, &column.name) => {
                    Carried::Pending(set.clone())
                }
                _ => carried_by(self.model, source, &ident),
            };
            shape.columns.push(ShapeColumn {
                name: Some(self.model.dialect().name_key(&column.name).into_owned()),
                carried,
                span: Span::empty(),
            });
        }
    }

    /// What an expression of a block's output carries, a tenant column passed through
    /// unchanged included (`passing`, see [`Walker::passing_through`]).
    fn passed_or_carried(
        &mut self,
        expr: &Expr,
        scope: &Scope,
        passing: &[Option<Vec<usize>>],
    ) -> Carried {
        let parts = match expr {
            Expr::Identifier(ident) => Some(std::slice::from_ref(ident)),
            Expr::CompoundIdentifier(parts) => Some(parts.as_slice()),
            _ => None,
        };
        if let Some(parts) = parts
            && let Some((Resolved::Local(i, source), 0)) = resolve(self.model, scope, parts)
            && let Some(set) = passing.get(i).cloned().flatten()
            && crate::analysis::scope::is_tenant_column(
                self.model,
                source,
                parts.last().expect("a column"),
            )
        {
            return Carried::Pending(set);
        }
        self.carried(expr, scope)
    }

    /// What an expression of a block's output carries.
    pub(crate) fn carried(&mut self, expr: &Expr, scope: &Scope) -> Carried {
        match self.operand(expr, scope) {
            Operand::Carries(carried) => carried,
            Operand::Column { source, column } => {
                carried_by(self.model, &scope.sources[source], column)
            }
            _ => Carried::Nothing,
        }
    }

    /// Walks the subqueries of an expression in place (with `scope` as their outer
    /// scope), and any table named bare inside it. The common expression shapes are
    /// walked directly; anything else goes through sqlparser's visitor, which sees
    /// every node.
    pub(crate) fn subqueries_in(&mut self, expr: &Expr, scope: &Scope, role: Role) {
        use sqlparser::ast::{FunctionArgExpr, FunctionArguments, InTarget};
        match expr {
            Expr::Identifier(_)
            | Expr::CompoundIdentifier(_)
            | Expr::Value(_)
            | Expr::TypedString(_)
            | Expr::Wildcard(_)
            | Expr::QualifiedWildcard(..) => {}
            Expr::BinaryOp { left, right, .. } => {
                self.subqueries_in(left, scope, role);
                self.subqueries_in(right, scope, role);
            }
            Expr::UnaryOp { expr, .. }
            | Expr::Nested(expr)
            | Expr::IsNull(expr)
            | Expr::IsNotNull(expr)
            | Expr::IsTrue(expr)
            | Expr::IsFalse(expr)
            | Expr::IsNotTrue(expr)
            | Expr::IsNotFalse(expr)
            | Expr::Cast { expr, .. }
            | Expr::Collate { expr, .. } => self.subqueries_in(expr, scope, role),
            Expr::Between {
                expr, low, high, ..
            } => {
                for e in [expr, low, high] {
                    self.subqueries_in(e, scope, role);
                }
            }
            Expr::Like {
                expr,
                pattern,
                escape_char: None,
                ..
            }
            | Expr::ILike {
                expr,
                pattern,
                escape_char: None,
                ..
            } => {
                self.subqueries_in(expr, scope, role);
                self.subqueries_in(pattern, scope, role);
            }
            Expr::In {
                expr,
                target: InTarget::List(items),
                ..
            } => {
                self.subqueries_in(expr, scope, role);
                for item in items {
                    self.subqueries_in(item, scope, role);
                }
            }
            Expr::In {
                expr,
                target: InTarget::Subquery(query),
                ..
            } => {
                self.subqueries_in(expr, scope, role);
                self.walk_query(query, scope, role);
            }
            Expr::Exists { subquery, .. } | Expr::Subquery(subquery) => {
                self.walk_query(subquery, scope, role)
            }
            Expr::Tuple(items) => {
                for item in items {
                    self.subqueries_in(item, scope, role);
                }
            }
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                for e in operand.iter().chain(else_result) {
                    self.subqueries_in(e, scope, role);
                }
                for when in conditions {
                    self.subqueries_in(&when.condition, scope, role);
                    self.subqueries_in(&when.result, scope, role);
                }
            }
            Expr::Function(function)
                if function.over.is_none()
                    && function.within_group.is_empty()
                    && matches!(function.parameters, FunctionArguments::None) =>
            {
                match &function.args {
                    FunctionArguments::None => {}
                    FunctionArguments::Subquery(query) => self.walk_query(query, scope, role),
                    FunctionArguments::List(list) => {
                        if !list.clauses.is_empty() {
                            return self.visit_subqueries(expr, scope, role);
                        }
                        for arg in &list.args {
                            match arg {
                                FunctionArg::Unnamed(FunctionArgExpr::Expr(e))
                                | FunctionArg::Named {
                                    arg: FunctionArgExpr::Expr(e),
                                    ..
                                } => self.subqueries_in(e, scope, role),
                                FunctionArg::Unnamed(_) | FunctionArg::Named { .. } => {}
                                FunctionArg::ExprNamed { .. } => {
                                    return self.visit_subqueries(expr, scope, role);
                                }
                            }
                        }
                    }
                }
                if let Some(filter) = &function.filter {
                    self.subqueries_in(filter, scope, role);
                }
            }
            other => self.visit_subqueries(other, scope, role),
        }
    }

    /// [`Walker::subqueries_in`] for any expression, through sqlparser's visitor.
    fn visit_subqueries(&mut self, expr: &Expr, scope: &Scope, role: Role) {
        struct Finder<'a, 'm, 's> {
            walker: &'a mut Walker<'m>,
            scope: &'a Scope<'s>,
            role: Role,
            depth: usize,
        }
        impl Visitor for Finder<'_, '_, '_> {
            type Break = ();
            fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
                if self.depth == 0 {
                    self.walker.walk_query(query, self.scope, self.role);
                }
                self.depth += 1;
                ControlFlow::Continue(())
            }
            fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
                self.depth -= 1;
                ControlFlow::Continue(())
            }
            fn pre_visit_relation(&mut self, relation: &ObjectName) -> ControlFlow<()> {
                if self.depth == 0 && !self.walker.is_handled(relation) {
                    self.walker
                        .unfiltered_relation(relation, self.role, relation.span());
                }
                ControlFlow::Continue(())
            }
        }
        let _ = expr.visit(&mut Finder {
            walker: self,
            scope,
            role,
            depth: 0,
        });
    }

    /// Resolves a column reference in a scope (used by write checks).
    pub(crate) fn resolve_column<'s>(
        &self,
        scope: &Scope<'s>,
        parts: &[sqlparser::ast::Ident],
    ) -> Option<Resolved<'s>> {
        resolve(self.model, scope, parts).map(|(r, _)| r)
    }
}

/// How a relation is written in the SQL: its alias, else its table name.
fn display_binding(model: &crate::model::TenantModel, source: &Source) -> String {
    match &source.kind {
        SourceKind::Scoped(occ) => occ
            .alias
            .clone()
            .unwrap_or_else(|| model.info(occ.table).name.clone()),
        _ => source.binding.clone(),
    }
}

/// Whether a block mixes rows of several tenants before a filter outside it could
/// apply, for a tenant column `tenant_ref` recognises: an aggregate or `HAVING` not
/// grouped by it, a window not partitioned by it, `DISTINCT ON` not led by it.
fn mixes_tenants(select: &Select, tenant_ref: &dyn Fn(&Expr) -> bool) -> bool {
    let grouped = match &select.group_by {
        GroupByExpr::Expressions(exprs, modifiers) => {
            if !modifiers.is_empty() {
                return true;
            }
            if !exprs.is_empty() && !exprs.iter().any(tenant_ref) {
                return true;
            }
            !exprs.is_empty()
        }
        GroupByExpr::All(_) => return true,
    };
    if let Some(sqlparser::ast::Distinct::On(exprs)) = &select.distinct
        && !exprs.first().is_some_and(tenant_ref)
    {
        return true;
    }
    let mut aggregate = select.having.is_some();
    let mut unpartitioned_window = false;
    let _ = select.projection.visit(&mut FunctionVisitor {
        on_function: &mut |function: &sqlparser::ast::Function| match &function.over {
            Some(sqlparser::ast::WindowType::WindowSpec(spec)) => {
                if !spec.partition_by.iter().any(tenant_ref) {
                    unpartitioned_window = true;
                }
            }
            Some(_) => unpartitioned_window = true,
            None => aggregate |= is_aggregate(&function.name),
        },
    });
    unpartitioned_window || (aggregate && !grouped)
}

/// Calls back on every function call of a tree.
struct FunctionVisitor<'a> {
    on_function: &'a mut dyn FnMut(&sqlparser::ast::Function),
}

impl Visitor for FunctionVisitor<'_> {
    type Break = ();
    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        if let Expr::Function(function) = expr {
            (self.on_function)(function);
        }
        ControlFlow::Continue(())
    }
}

/// Aggregate functions: they fold many rows into one.
fn is_aggregate(name: &ObjectName) -> bool {
    const AGGREGATES: [&str; 24] = [
        "count",
        "sum",
        "avg",
        "min",
        "max",
        "array_agg",
        "string_agg",
        "json_agg",
        "jsonb_agg",
        "json_object_agg",
        "jsonb_object_agg",
        "bool_and",
        "bool_or",
        "every",
        "bit_and",
        "bit_or",
        "group_concat",
        "stddev",
        "variance",
        "percentile_cont",
        "percentile_disc",
        "mode",
        "any_value",
        "listagg",
    ];
    last_ident(name).is_some_and(|i| AGGREGATES.iter().any(|a| i.value.eq_ignore_ascii_case(a)))
}

/// The tables migration tools keep their history in: they hold no tenant rows, and
/// they exist though no migration creates them.
const MIGRATION_TABLES: [&str; 11] = [
    "_sqlx_migrations",
    "flyway_schema_history",
    "schema_migrations",
    "__diesel_schema_migrations",
    "goose_db_version",
    "gorp_migrations",
    "_prisma_migrations",
    "refinery_schema_history",
    "seaql_migrations",
    "atlas_schema_revisions",
    "knex_migrations",
];

/// SQLite's and PostgreSQL's catalogue tables and migration tools' history tables,
/// which hold no tenant rows.
pub(crate) fn is_system_table(name: &ObjectName) -> bool {
    let Some(table) = last_ident(name) else {
        return false;
    };
    let t = table.value.to_ascii_lowercase();
    let schema = schema_ident(name).map(|s| s.value.to_ascii_lowercase());
    t.starts_with("sqlite_")
        || t.starts_with("pragma_")
        || t.starts_with("pg_")
        || t == "dual"
        || MIGRATION_TABLES.contains(&t.as_str())
        || matches!(
            schema.as_deref(),
            Some("information_schema" | "pg_catalog" | "sys" | "performance_schema")
        )
}

/// Records a literal comparison against the occurrence at `occurrence`.
impl LiteralUse {
    pub(crate) fn for_occurrence(
        occurrence: Span,
        table: usize,
        span: Span,
        literal: &str,
    ) -> Self {
        LiteralUse {
            span,
            table,
            literal: literal.to_string(),
            occurrence,
        }
    }
}
