//! Predicate proofs: which occurrences a WHERE / ON binds to the caller's tenant.
//!
//! A predicate becomes a [`Formula`] of facts: *`t` is bound* (`t.client_id = :c`) and
//! *if `a` is bound then `b` is* (`a.client_id = b.client_id`, or a child's foreign key
//! equal to its bound parent's key). [`solve`] computes the bound occurrences to a
//! fixed point; an `OR` binds an occurrence only when every branch does. Predicates
//! that mention a tenant column and still bind nothing are explained by [`Walker::explain`].

use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, Expr, FunctionArg, FunctionArgExpr, Ident, InTarget, ObjectName, Query,
    Spanned, UnaryOperator, Value, Visit, Visitor,
};

use crate::analysis::scope::{Carried, Resolved, Scope, SourceKind, carried_by, resolve};
use crate::analysis::{LiteralUse, Walker, WeakPredicate, Weakness};
use crate::model::dialect::last_ident;

/// A fact a predicate establishes, over the indices of the block's relations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fact {
    /// The relation is bound.
    Direct(usize),
    /// If the first is bound, so is the second: equal tenant columns.
    Edge(usize, usize),
    /// If the first (a parent) is bound, so is the second: the second's declared foreign
    /// key equals the first's key.
    Reference(usize, usize),
}

#[derive(Debug, Clone)]
pub(crate) enum Formula {
    Facts(Vec<Fact>),
    And(Vec<Formula>),
    Or(Vec<Formula>),
}

/// One predicate of a block with the relations it may bind: a `WHERE` or inner `ON`
/// binds any, the `ON` of a `LEFT JOIN` only its right-hand side.
pub(crate) struct Piece<'e> {
    pub expr: Option<&'e Expr>,
    pub formula: Formula,
    pub allowed: Set,
}

/// A set of a block's relations, by index. Only the first 128 relations of a block can
/// be bound; any later one stays unbound, which can only over-report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Set(u128);

impl Set {
    pub const ALL: Set = Set(u128::MAX);
    pub const NONE: Set = Set(0);

    /// The relations with indices in `range`.
    pub fn range(range: std::ops::Range<usize>) -> Set {
        let mut set = Set::NONE;
        for i in range.take_while(|&i| i < 128) {
            set.0 |= 1 << i;
        }
        set
    }

    pub fn contains(self, i: usize) -> bool {
        i < 128 && self.0 & (1 << i) != 0
    }

    /// Adds `i`; whether it was new.
    fn insert(&mut self, i: usize) -> bool {
        if i >= 128 || self.contains(i) {
            return false;
        }
        self.0 |= 1 << i;
        true
    }
}

/// A value as the proof sees it.
#[derive(Debug, Clone)]
pub(crate) enum Operand<'e> {
    /// A column of a scoped relation of this block.
    Column {
        source: usize,
        column: &'e Ident,
    },
    /// A value that carries the tenant (or a proved key), or nothing.
    Carries(Carried),
    /// A column that carries nothing, by name.
    Named(String),
    /// The tenant column of an enclosing relation that is itself unbound.
    Unproved(String),
    Literal(String),
    /// A parameter strict mode does not accept.
    Param(String),
    Other,
}

/// Table functions whose `value` column yields the elements of their argument.
const LIST_FUNCTIONS: [&str; 5] = ["json_each", "json_tree", "carray", "rarray", "unnest"];

/// `unnest(x)`: a scalar function call whose values are the elements of its argument.
fn is_element_function(name: &ObjectName) -> bool {
    name.0.len() == 1 && last_ident(name).is_some_and(|i| i.value.eq_ignore_ascii_case("unnest"))
}

/// `string_to_array(text, ',')` and `regexp_split_to_array(text, ',')`: a list of what
/// the text holds.
fn is_split_function(name: &ObjectName) -> bool {
    name.0.len() <= 2
        && last_ident(name).is_some_and(|i| {
            i.value.eq_ignore_ascii_case("string_to_array")
                || i.value.eq_ignore_ascii_case("regexp_split_to_array")
        })
}

/// The first plain argument of a function call.
fn first_argument(function: &sqlparser::ast::Function) -> Option<&Expr> {
    use sqlparser::ast::FunctionArguments;
    let FunctionArguments::List(list) = &function.args else {
        return None;
    };
    match list.args.first() {
        Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(e))) => Some(e),
        _ => None,
    }
}

/// The one plain argument of a function call (`f(x)`), if that is all it has.
fn single_argument(function: &sqlparser::ast::Function) -> Option<&Expr> {
    use sqlparser::ast::FunctionArguments;
    if function.over.is_some() || function.filter.is_some() {
        return None;
    }
    let FunctionArguments::List(list) = &function.args else {
        return None;
    };
    match list.args.as_slice() {
        [FunctionArg::Unnamed(FunctionArgExpr::Expr(e))] if list.clauses.is_empty() => Some(e),
        _ => None,
    }
}

pub(crate) fn is_list_function(name: &ObjectName) -> bool {
    last_ident(name).is_some_and(|i| {
        LIST_FUNCTIONS
            .iter()
            .any(|f| i.value.eq_ignore_ascii_case(f))
    })
}

impl<'m> Walker<'m> {
    pub(crate) fn operand<'e>(&mut self, expr: &'e Expr, scope: &Scope) -> Operand<'e> {
        match expr {
            Expr::Nested(inner) => self.operand(inner, scope),
            Expr::Cast { expr, .. } => self.operand(expr, scope),
            Expr::Identifier(ident) => self.column_operand(std::slice::from_ref(ident), scope),
            Expr::CompoundIdentifier(parts) => self.column_operand(parts, scope),
            Expr::Value(v) => match &v.value {
                Value::Placeholder(p)
                    if self.note_param(p) && self.model.config.is_tenant_param(p) =>
                {
                    Operand::Carries(Carried::Tenant)
                }
                Value::Placeholder(p) => Operand::Param(p.clone()),
                Value::Null => Operand::Other,
                other => Operand::Literal(other.to_string()),
            },
            Expr::Subquery(query) => Operand::Carries(self.subquery_value(query, scope)),
            // `current_setting('app.tenant_id')`: the tenant the connection is set to
            // (`[rls] setting`), as row-level security policies read it; split into a
            // list (`string_to_array(…, ',')`) it is the tenants of the scope.
            Expr::Function(function) if self.is_tenant_setting(function) => {
                Operand::Carries(Carried::Tenant)
            }
            Expr::Function(function) if is_split_function(&function.name) => {
                match first_argument(function).map(|a| self.operand(a, scope)) {
                    Some(Operand::Carries(Carried::Tenant)) => Operand::Carries(Carried::Tenant),
                    _ => Operand::Other,
                }
            }
            // `unnest($1::uuid[])` in a select list yields the array's elements.
            Expr::Function(function) if is_element_function(&function.name) => {
                match single_argument(function).map(|a| self.operand(a, scope)) {
                    Some(Operand::Carries(Carried::Tenant)) => Operand::Carries(Carried::Tenant),
                    _ => Operand::Other,
                }
            }
            _ => Operand::Other,
        }
    }

    /// `current_setting('<[rls] setting>')` (with `missing_ok` or not; under
    /// `pg_catalog.` or not).
    pub(crate) fn is_tenant_setting(&self, function: &sqlparser::ast::Function) -> bool {
        if function.name.0.len() > 2
            || !last_ident(&function.name)
                .is_some_and(|i| i.value.eq_ignore_ascii_case("current_setting"))
        {
            return false;
        }
        // PostgreSQL's own rendering casts the name: `'app.tenant_id'::text`.
        let mut name = first_argument(function);
        while let Some(Expr::Cast { expr, .. } | Expr::Nested(expr)) = name {
            name = Some(expr);
        }
        matches!(
            name,
            Some(Expr::Value(v)) if matches!(
                &v.value,
                Value::SingleQuotedString(name) if name.eq_ignore_ascii_case(&self.model.config.rls.setting)
            )
        )
    }

    /// Records a parameter's style for help texts; always true.
    fn note_param(&mut self, placeholder: &str) -> bool {
        if self.out.first_param.is_none() {
            self.out.first_param = Some(placeholder.to_string());
        }
        if let Some(n) = placeholder
            .strip_prefix(['$', '?'])
            .and_then(|n| n.parse::<u32>().ok())
        {
            self.out.max_positional = self.out.max_positional.max(n);
        }
        true
    }

    fn column_operand<'e>(&mut self, parts: &'e [Ident], scope: &Scope) -> Operand<'e> {
        let Some(column) = parts.last() else {
            return Operand::Other;
        };
        let display = || {
            parts
                .iter()
                .map(|p| p.value.as_str())
                .collect::<Vec<_>>()
                .join(".")
        };
        match resolve(self.model, scope, parts) {
            Some((Resolved::Local(i, source), _)) => match &source.kind {
                SourceKind::Scoped(_) => Operand::Column { source: i, column },
                // A subquery's passed-through tenant column: bound like a table's.
                SourceKind::Derived(_)
                    if crate::analysis::scope::is_tenant_column(self.model, source, column)
                        && !source.proved =>
                {
                    Operand::Column { source: i, column }
                }
                _ => match carried_by(self.model, source, column) {
                    Carried::Nothing => Operand::Named(display()),
                    carried => Operand::Carries(carried),
                },
            },
            Some((Resolved::Outer(source), _)) => {
                match (&source.kind, carried_by(self.model, source, column)) {
                    (SourceKind::Scoped(occ), Carried::Nothing) if !occ.proved => {
                        Operand::Unproved(display_name(self.model, source))
                    }
                    (_, Carried::Nothing) => Operand::Named(display()),
                    (_, carried) => Operand::Carries(carried),
                }
            }
            None => Operand::Named(display()),
        }
    }

    /// What a subquery used as a value returns. Its findings are reported when the
    /// block's subqueries are walked in place, so it is analysed quietly here.
    pub(crate) fn subquery_value(&mut self, query: &Query, scope: &Scope) -> Carried {
        self.quiet += 1;
        let shape = self.query(query, scope, crate::analysis::Role::Read);
        self.quiet -= 1;
        shape.single()
    }

    /// Whether `column` of the block's relation `s` is its tenant column.
    fn tenant_column(&self, scope: &Scope, s: usize, column: &Ident) -> bool {
        crate::analysis::scope::is_tenant_column(self.model, &scope.sources[s], column)
    }

    /// The parent a scoped relation references through `column` by a declared
    /// single-column foreign key, as (parent table, referenced column). A row of the
    /// relation whose `column` equals the key of a proved parent row belongs to that
    /// parent, hence to the caller's tenant (the child direction; see `docs/design.md`).
    pub(crate) fn parent_via(
        &self,
        scope: &Scope,
        s: usize,
        column: &Ident,
    ) -> Option<(usize, String)> {
        let SourceKind::Scoped(occ) = &scope.sources[s].kind else {
            return None;
        };
        let def = self.model.definition(occ.table)?;
        let dialect = self.model.dialect();
        def.foreign_keys.iter().find_map(|fk| {
            if fk.columns.len() != 1 || !dialect.same(column, &fk.columns[0]) {
                return None;
            }
            let parent = self.model.parent_of(fk)?;
            let referred = self.model.referred_column(fk)?;
            Some((parent, dialect.name_key(&referred).into_owned()))
        })
    }

    /// [`Walker::parent_via`] for a child without a tenant column, whose parent key is
    /// its tenant predicate (what explanations of an unbound child speak of). A table
    /// with its own tenant column is explained by that column.
    fn parent_key(&self, scope: &Scope, s: usize, column: &Ident) -> Option<(usize, String)> {
        let SourceKind::Scoped(occ) = &scope.sources[s].kind else {
            return None;
        };
        if self.model.info(occ.table).tenant_column.is_some() {
            return None;
        }
        self.parent_via(scope, s, column)
    }

    fn scoped_table(scope: &Scope, s: usize) -> Option<usize> {
        match &scope.sources[s].kind {
            SourceKind::Scoped(occ) => Some(occ.table),
            _ => None,
        }
    }

    /// Facts of `left = right`.
    pub(crate) fn equality_facts(
        &mut self,
        left: &Operand,
        right: &Operand,
        scope: &Scope,
        span: &dyn Fn() -> sqlparser::tokenizer::Span,
        facts: &mut Vec<Fact>,
    ) {
        for (mine, other) in [(left, right), (right, left)] {
            let Operand::Column { source: s, column } = mine else {
                continue;
            };
            let (s, column) = (*s, *column);
            if self.tenant_column(scope, s, column) {
                match other {
                    Operand::Carries(Carried::Tenant) => facts.push(Fact::Direct(s)),
                    Operand::Column {
                        source: t,
                        column: c,
                    } if *t != s && self.tenant_column(scope, *t, c) => {
                        facts.push(Fact::Edge(*t, s));
                    }
                    Operand::Literal(literal) => self.literal(scope, s, span, literal),
                    _ => {}
                }
            } else if let Some((parent, referred)) = self.parent_via(scope, s, column) {
                let dialect = self.model.dialect();
                match other {
                    Operand::Carries(Carried::Key { table, column: c })
                        if *table == parent && *c == referred =>
                    {
                        facts.push(Fact::Direct(s));
                    }
                    Operand::Column {
                        source: t,
                        column: c,
                    } if Self::scoped_table(scope, *t) == Some(parent)
                        && dialect.key(c) == referred.as_str() =>
                    {
                        facts.push(Fact::Reference(*t, s));
                    }
                    _ => {}
                }
            }
        }
    }

    /// Records a literal compared with relation `s`'s tenant column; the span is only
    /// computed when there is something to record.
    fn literal(
        &mut self,
        scope: &Scope,
        s: usize,
        span: &dyn Fn() -> sqlparser::tokenizer::Span,
        literal: &str,
    ) {
        if !self.reporting() {
            return;
        }
        if let SourceKind::Scoped(occ) = &scope.sources[s].kind {
            self.out.literals.push(LiteralUse::for_occurrence(
                occ.span,
                occ.table,
                span(),
                literal,
            ));
        }
    }

    /// The facts of one predicate that is neither `AND` nor `OR`.
    fn atom(&mut self, expr: &Expr, scope: &Scope) -> Vec<Fact> {
        let mut facts = Vec::new();
        match expr {
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Eq,
                right,
            } => {
                if let (Expr::Tuple(ls), Expr::Tuple(rs)) = (strip(left), strip(right)) {
                    if ls.len() == rs.len() {
                        for (l, r) in ls.iter().zip(rs) {
                            let (lo, ro) = (self.operand(l, scope), self.operand(r, scope));
                            self.equality_facts(
                                &lo,
                                &ro,
                                scope,
                                &|| l.span().union(&r.span()),
                                &mut facts,
                            );
                        }
                    }
                    return facts;
                }
                let (lo, ro) = (self.operand(left, scope), self.operand(right, scope));
                self.equality_facts(&lo, &ro, scope, &|| expr.span(), &mut facts);
            }
            // `(tenant_id, id) IN (SELECT unnest($1::uuid[]), unnest($2::uuid[]))`: each
            // position of the row value is equal to that column of some row of the
            // subquery, so a position whose subquery column carries the tenant binds.
            Expr::In {
                expr: subject,
                target: InTarget::Subquery(query),
                negated: false,
                ..
            } if matches!(strip(subject), Expr::Tuple(_)) => {
                let Expr::Tuple(items) = strip(subject) else {
                    unreachable!("matched above")
                };
                self.row_in_subquery(items, query, scope, &mut facts);
            }
            // `(tenant_id, id) IN (($1, $2), ($1, $3))`: every row binds the position.
            Expr::In {
                expr: subject,
                target: InTarget::List(rows),
                negated: false,
                ..
            } if matches!(strip(subject), Expr::Tuple(_)) => {
                let Expr::Tuple(items) = strip(subject) else {
                    unreachable!("matched above")
                };
                self.row_in_list(items, rows, scope, &mut facts);
            }
            // `= ANY (…)` is `IN (…)`: of a subquery, or of an array written out.
            Expr::AnyOp {
                left,
                compare_op: BinaryOperator::Eq,
                right,
                ..
            } if matches!(strip(right), Expr::Subquery(_) | Expr::Array(_)) => {
                match (strip(left), strip(right)) {
                    (Expr::Tuple(items), Expr::Subquery(query)) => {
                        self.row_in_subquery(items, query, scope, &mut facts);
                    }
                    (Expr::Tuple(items), Expr::Array(array)) => {
                        self.row_in_list(items, &array.elem, scope, &mut facts);
                    }
                    (subject, Expr::Subquery(query)) => {
                        let subject = self.operand(subject, scope);
                        let value = Operand::Carries(self.subquery_value(query, scope));
                        self.equality_facts(&subject, &value, scope, &|| expr.span(), &mut facts);
                    }
                    (subject, Expr::Array(array)) => {
                        let subject = self.operand(subject, scope);
                        self.scalar_in_list(&subject, &array.elem, scope, &mut facts);
                    }
                    _ => {}
                }
            }
            Expr::In {
                expr: subject,
                target,
                negated: false,
                ..
            } => {
                let subject = self.operand(subject, scope);
                match target {
                    InTarget::List(items) => {
                        self.scalar_in_list(&subject, items, scope, &mut facts);
                    }
                    InTarget::Subquery(query) => {
                        let value = Operand::Carries(self.subquery_value(query, scope));
                        self.equality_facts(&subject, &value, scope, &|| expr.span(), &mut facts);
                    }
                    InTarget::Table { name, args } => {
                        self.handle(name);
                        let value = self.list_function_value(name, args.as_deref(), scope);
                        self.equality_facts(&subject, &value, scope, &|| expr.span(), &mut facts);
                    }
                    InTarget::Unnest(array) => {
                        let value = match self.operand(array, scope) {
                            Operand::Carries(Carried::Tenant) => Operand::Carries(Carried::Tenant),
                            _ => Operand::Other,
                        };
                        self.equality_facts(&subject, &value, scope, &|| expr.span(), &mut facts);
                    }
                }
            }
            // `EXISTS (SELECT … FROM p WHERE p.id = t.parent_id AND p.org_id = $1)`: the
            // rows of `t` kept are those whose correlated columns equal those of a
            // proved row of the subquery.
            Expr::Exists {
                subquery,
                negated: false,
            } => self.semijoin_facts(subquery, scope, &mut facts),
            Expr::AnyOp {
                left,
                compare_op: BinaryOperator::Eq,
                right,
                ..
            } => {
                let subject = self.operand(left, scope);
                let value = match self.operand(right, scope) {
                    carried @ Operand::Carries(_) => carried,
                    _ => Operand::Other,
                };
                self.equality_facts(&subject, &value, scope, &|| expr.span(), &mut facts);
            }
            _ => {}
        }
        facts
    }

    /// `subject IN (a, b, …)`: what every item binds.
    fn scalar_in_list(
        &mut self,
        subject: &Operand,
        items: &[Expr],
        scope: &Scope,
        facts: &mut Vec<Fact>,
    ) {
        let mut shared: Option<Vec<Fact>> = None;
        for item in items {
            let value = self.operand(item, scope);
            let mut one = Vec::new();
            self.equality_facts(subject, &value, scope, &|| item.span(), &mut one);
            one.retain(|f| matches!(f, Fact::Direct(_)));
            shared = Some(match shared {
                None => one,
                Some(prev) => prev.into_iter().filter(|f| one.contains(f)).collect(),
            });
        }
        facts.extend(shared.unwrap_or_default());
    }

    /// `(a, b) IN ((x, y), …)`: each position binds what it binds in every row (a row
    /// that is not written out binds nothing).
    fn row_in_list(&mut self, items: &[Expr], rows: &[Expr], scope: &Scope, facts: &mut Vec<Fact>) {
        for (k, item) in items.iter().enumerate() {
            let subject = self.operand(item, scope);
            let mut shared: Option<Vec<Fact>> = None;
            for row in rows {
                let Expr::Tuple(values) = strip(row) else {
                    shared = Some(Vec::new());
                    break;
                };
                let mut one = Vec::new();
                if let Some(value) = values.get(k) {
                    let value = self.operand(value, scope);
                    self.equality_facts(&subject, &value, scope, &|| item.span(), &mut one);
                }
                one.retain(|f| matches!(f, Fact::Direct(_)));
                shared = Some(match shared {
                    None => one,
                    Some(prev) => prev.into_iter().filter(|f| one.contains(f)).collect(),
                });
            }
            facts.extend(shared.unwrap_or_default());
        }
    }

    /// `(a, b) IN (SELECT x, y …)`: each position equals that column of some row of
    /// the subquery.
    fn row_in_subquery(
        &mut self,
        items: &[Expr],
        query: &Query,
        scope: &Scope,
        facts: &mut Vec<Fact>,
    ) {
        self.quiet += 1;
        let shape = self.query(query, scope, crate::analysis::Role::Read);
        self.quiet -= 1;
        if shape.top || shape.open || shape.columns.len() != items.len() {
            return;
        }
        for (item, column) in items.iter().zip(&shape.columns) {
            let subject = self.operand(item, scope);
            let value = Operand::Carries(column.carried.clone());
            self.equality_facts(&subject, &value, scope, &|| item.span(), facts);
        }
    }

    /// The facts an `EXISTS` subquery establishes about the relations of the block
    /// around it: its own relations are proved (quietly: it is walked in place for its
    /// findings), then each top-level equality of its `WHERE` between a column of a
    /// proved inner relation and a column of an outer one is read as the outer column
    /// equal to what the inner one carries (the caller's tenant, or a proved row's key).
    fn semijoin_facts(&mut self, query: &Query, scope: &Scope, facts: &mut Vec<Fact>) {
        let sqlparser::ast::SetExpr::Select(select) = query.body.as_ref() else {
            return;
        };
        if query.with.is_some() {
            return;
        }
        let Some(selection) = &select.selection else {
            return;
        };
        self.quiet += 1;
        let mut block = crate::analysis::query::Block::default();
        self.add_from(&select.from, scope, crate::analysis::Role::Read, &mut block);
        self.prove_block(&mut block, Some(selection), scope);
        self.quiet -= 1;
        let inner = scope.child(&block.sources);
        let mut parts = Vec::new();
        top_conjuncts(selection, &mut parts);
        for part in parts {
            let Expr::BinaryOp {
                left,
                op: BinaryOperator::Eq,
                right,
            } = strip(part)
            else {
                continue;
            };
            for (mine, theirs) in [(left, right), (right, left)] {
                let (Some(mine_parts), Some(their_parts)) =
                    (column_parts(mine), column_parts(theirs))
                else {
                    continue;
                };
                let Some((Resolved::Local(_, source), 0)) = resolve(self.model, &inner, mine_parts)
                else {
                    continue;
                };
                let SourceKind::Scoped(occ) = &source.kind else {
                    continue;
                };
                if !occ.proved {
                    continue;
                }
                let carried = carried_by(self.model, source, mine_parts.last().expect("a column"));
                let outer = self.column_operand(their_parts, scope);
                if matches!(outer, Operand::Column { .. }) {
                    self.equality_facts(
                        &outer,
                        &Operand::Carries(carried),
                        scope,
                        &|| part.span(),
                        facts,
                    );
                }
            }
        }
    }

    /// `json_each(:scope)` and friends yield tenant ids when their argument carries them.
    pub(crate) fn list_function_value(
        &mut self,
        name: &ObjectName,
        args: Option<&[FunctionArg]>,
        scope: &Scope,
    ) -> Operand<'static> {
        if !is_list_function(name) {
            return Operand::Other;
        }
        let first = args.and_then(|a| a.first()).and_then(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        });
        match first.map(|e| self.operand(e, scope)) {
            Some(Operand::Carries(Carried::Tenant)) => Operand::Carries(Carried::Tenant),
            _ => Operand::Other,
        }
    }

    /// The formula of a predicate. A chain of `AND`s becomes one list of facts plus
    /// the `OR`s among its conjuncts.
    pub(crate) fn formula(&mut self, expr: &Expr, scope: &Scope) -> Formula {
        let mut facts = Vec::new();
        let mut ors = Vec::new();
        self.conjuncts(expr, scope, &mut facts, &mut ors);
        if ors.is_empty() {
            Formula::Facts(facts)
        } else {
            ors.insert(0, Formula::Facts(facts));
            Formula::And(ors)
        }
    }

    fn conjuncts(
        &mut self,
        expr: &Expr,
        scope: &Scope,
        facts: &mut Vec<Fact>,
        ors: &mut Vec<Formula>,
    ) {
        match expr {
            Expr::BinaryOp {
                left,
                op: BinaryOperator::And,
                right,
            } => {
                self.conjuncts(left, scope, facts, ors);
                self.conjuncts(right, scope, facts, ors);
            }
            Expr::BinaryOp {
                op: BinaryOperator::Or,
                ..
            } => {
                let mut branches = Vec::new();
                self.branches(expr, scope, &mut branches);
                ors.push(Formula::Or(branches));
            }
            Expr::Nested(inner) => self.conjuncts(inner, scope, facts, ors),
            atom => facts.extend(self.atom(atom, scope)),
        }
    }

    fn branches(&mut self, expr: &Expr, scope: &Scope, out: &mut Vec<Formula>) {
        match expr {
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Or,
                right,
            } => {
                self.branches(left, scope, out);
                self.branches(right, scope, out);
            }
            Expr::Nested(inner)
                if matches!(
                    **inner,
                    Expr::BinaryOp {
                        op: BinaryOperator::Or,
                        ..
                    }
                ) =>
            {
                self.branches(inner, scope, out)
            }
            branch => out.push(self.formula(branch, scope)),
        }
    }

    /// Explains why relation `s` is not bound by `expr`: every predicate that mentions
    /// its tenant column (or, for a child without one, its parent key) and why it does
    /// not bind, plus the unbound relations it is joined to.
    pub(crate) fn explain(
        &mut self,
        expr: &Expr,
        s: usize,
        allowed: bool,
        scope: &Scope,
        weak: &mut Vec<WeakPredicate>,
        linked: &mut Vec<String>,
    ) {
        self.explain_in(expr, s, allowed, scope, Context::default(), weak, linked);
    }

    #[allow(clippy::too_many_arguments)]
    fn explain_in(
        &mut self,
        expr: &Expr,
        s: usize,
        allowed: bool,
        scope: &Scope,
        ctx: Context,
        weak: &mut Vec<WeakPredicate>,
        linked: &mut Vec<String>,
    ) {
        match expr {
            Expr::BinaryOp {
                left,
                op: BinaryOperator::And,
                right,
            } => {
                self.explain_in(left, s, allowed, scope, ctx, weak, linked);
                self.explain_in(right, s, allowed, scope, ctx, weak, linked);
            }
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Or,
                right,
            } => {
                let ctx = Context {
                    or_root: ctx.or_root.or(Some((expr.span(), optional_filter(expr)))),
                    ..ctx
                };
                self.explain_in(left, s, allowed, scope, ctx, weak, linked);
                self.explain_in(right, s, allowed, scope, ctx, weak, linked);
            }
            Expr::Nested(inner) => self.explain_in(inner, s, allowed, scope, ctx, weak, linked),
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr: inner,
            } => {
                let ctx = Context {
                    negated: true,
                    ..ctx
                };
                self.explain_in(inner, s, allowed, scope, ctx, weak, linked);
            }
            atom => {
                if !self.mentions(atom, s, scope) {
                    return;
                }
                let why = if ctx.negated {
                    Some(Weakness::Negated)
                } else if let Some((span, optional)) = ctx.or_root {
                    let why = if optional {
                        Weakness::Optional
                    } else {
                        Weakness::InsideOr
                    };
                    if !weak.iter().any(|w| w.span == span) {
                        weak.push(WeakPredicate { span, why });
                    }
                    return;
                } else if !allowed {
                    Some(Weakness::OuterJoinOn)
                } else {
                    self.atom_weakness(atom, s, scope, linked)
                };
                if let Some(why) = why {
                    weak.push(WeakPredicate {
                        span: atom.span(),
                        why,
                    });
                }
            }
        }
    }

    /// Why an atom that mentions relation `s`'s tenant column does not bind it; `None`
    /// when it is a literal (its own rule) or a join to another unbound relation.
    fn atom_weakness(
        &mut self,
        atom: &Expr,
        s: usize,
        scope: &Scope,
        linked: &mut Vec<String>,
    ) -> Option<Weakness> {
        match atom {
            Expr::IsNull(_) | Expr::IsNotNull(_) => Some(Weakness::NullCheck),
            Expr::Like { negated, .. }
            | Expr::ILike { negated, .. }
            | Expr::SimilarTo { negated, .. }
            | Expr::RLike { negated, .. } => Some(if *negated {
                Weakness::Negated
            } else {
                Weakness::Pattern
            }),
            Expr::Between { negated: true, .. } | Expr::In { negated: true, .. } => {
                Some(Weakness::Negated)
            }
            Expr::Between { .. } => Some(Weakness::Comparison("BETWEEN".into())),
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Eq,
                right,
            } => {
                let (lo, ro) = (self.operand(left, scope), self.operand(right, scope));
                let mine = |o: &Operand| match o {
                    Operand::Column { source, column } if *source == s => {
                        self.tenant_column(scope, s, column)
                            || self.parent_key(scope, s, column).is_some()
                    }
                    _ => false,
                };
                let (own, other) = match (mine(&lo), mine(&ro)) {
                    (true, true) => return Some(Weakness::SelfEquality),
                    (true, false) => (lo, ro),
                    (false, true) => (ro, lo),
                    (false, false) => return Some(Weakness::Wrapped),
                };
                // A child without tenant column joined to its parent's key: bound as far
                // as the parent is, so the parent is what is unbound.
                if let Operand::Column { column, .. } = own
                    && let Some((parent, referred)) = self.parent_key(scope, s, column)
                    && let Operand::Column {
                        source: t,
                        column: c,
                    } = other
                    && Self::scoped_table(scope, t) == Some(parent)
                    && self.model.dialect().key(c) == referred.as_str()
                {
                    linked.push(display_name(self.model, &scope.sources[t]));
                    return None;
                }
                self.other_side_weakness(other, scope, linked)
            }
            Expr::BinaryOp { op, .. } if is_comparison(op) => {
                Some(Weakness::Comparison(op.to_string()))
            }
            Expr::BinaryOp { .. } => Some(Weakness::Wrapped),
            // A row value: what its tenant column's position is compared to.
            Expr::In { expr: subject, .. } | Expr::AnyOp { left: subject, .. }
                if matches!(strip(subject), Expr::Tuple(_)) =>
            {
                Some(Weakness::UnboundRowPosition)
            }
            Expr::In {
                target: InTarget::List(items),
                ..
            } => self.list_weakness(items, s, scope, linked),
            Expr::AnyOp {
                compare_op: BinaryOperator::Eq,
                right,
                ..
            } if matches!(strip(right), Expr::Array(_)) => {
                let Expr::Array(array) = strip(right) else {
                    unreachable!("matched above")
                };
                self.list_weakness(&array.elem, s, scope, linked)
            }
            Expr::AnyOp {
                compare_op: BinaryOperator::Eq,
                ..
            }
            | Expr::In { .. } => Some(Weakness::UnboundSubquery),
            Expr::AnyOp { compare_op, .. } => {
                Some(Weakness::Comparison(format!("{compare_op} ANY")))
            }
            Expr::AllOp {
                compare_op: BinaryOperator::NotEq,
                ..
            } => Some(Weakness::Negated),
            Expr::AllOp { compare_op, .. } => {
                Some(Weakness::Comparison(format!("{compare_op} ALL")))
            }
            Expr::Function(_) => Some(Weakness::Wrapped),
            _ => Some(Weakness::Other),
        }
    }

    /// Why `IN (a, b, …)` does not bind: the first item that is not a tenant value.
    fn list_weakness(
        &mut self,
        items: &[Expr],
        s: usize,
        scope: &Scope,
        linked: &mut Vec<String>,
    ) -> Option<Weakness> {
        for item in items {
            let operand = self.operand(item, scope);
            if let Operand::Column { source, column } = operand
                && source == s
                && self.tenant_column(scope, s, column)
            {
                return Some(Weakness::SelfEquality);
            }
            if let Some(why) = self.other_side_weakness(operand, scope, linked) {
                return Some(why);
            }
        }
        None
    }

    fn other_side_weakness(
        &mut self,
        other: Operand,
        scope: &Scope,
        linked: &mut Vec<String>,
    ) -> Option<Weakness> {
        match other {
            Operand::Carries(Carried::Tenant) => None,
            // A hard-coded tenant is one fixed tenant, not the caller's: never a proof.
            Operand::Literal(literal) => Some(Weakness::Literal(literal)),
            Operand::Column { source, column } => {
                if self.tenant_column(scope, source, column) {
                    linked.push(display_name(self.model, &scope.sources[source]));
                    None
                } else {
                    Some(Weakness::NonTenantColumn(format!(
                        "{}.{}",
                        scope.sources[source].binding, column.value
                    )))
                }
            }
            Operand::Unproved(binding) => {
                linked.push(binding);
                None
            }
            Operand::Named(name) => Some(Weakness::NonTenantColumn(name)),
            Operand::Param(name) => Some(Weakness::NonTenantParam(name)),
            Operand::Carries(_) => Some(Weakness::UnboundSubquery),
            Operand::Other => Some(Weakness::Wrapped),
        }
    }

    /// Whether `expr` (outside its subqueries) refers to relation `s`'s tenant column,
    /// or to the parent key of a child without one.
    pub(crate) fn mentions(&self, expr: &Expr, s: usize, scope: &Scope) -> bool {
        struct Mentions<'a, 'w> {
            walker: &'a Walker<'w>,
            scope: &'a Scope<'a>,
            s: usize,
            depth: usize,
            found: bool,
        }
        impl Visitor for Mentions<'_, '_> {
            type Break = ();
            fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
                self.depth += 1;
                ControlFlow::Continue(())
            }
            fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
                self.depth -= 1;
                ControlFlow::Continue(())
            }
            fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
                if self.depth > 0 {
                    return ControlFlow::Continue(());
                }
                let parts = match expr {
                    Expr::Identifier(i) => std::slice::from_ref(i),
                    Expr::CompoundIdentifier(parts) => parts.as_slice(),
                    _ => return ControlFlow::Continue(()),
                };
                if let Some((Resolved::Local(i, _), _)) =
                    resolve(self.walker.model, self.scope, parts)
                {
                    let column = parts.last().expect("non-empty");
                    if i == self.s
                        && (self.walker.tenant_column(self.scope, i, column)
                            || self.walker.parent_key(self.scope, i, column).is_some())
                    {
                        self.found = true;
                        return ControlFlow::Break(());
                    }
                }
                ControlFlow::Continue(())
            }
        }
        let mut visitor = Mentions {
            walker: self,
            scope,
            s,
            depth: 0,
            found: false,
        };
        let _ = expr.visit(&mut visitor);
        visitor.found
    }
}

/// How a relation is written in the SQL: its alias, else its table name as declared.
fn display_name(
    model: &crate::model::TenantModel,
    source: &crate::analysis::scope::Source,
) -> String {
    match &source.kind {
        SourceKind::Scoped(occ) => occ
            .alias
            .clone()
            .unwrap_or_else(|| model.info(occ.table).name.clone()),
        _ => source.binding.clone(),
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Context {
    negated: bool,
    /// The outermost enclosing `OR` and whether it is an optional filter.
    or_root: Option<(sqlparser::tokenizer::Span, bool)>,
}

/// The top-level `AND` conjuncts of a predicate.
pub(crate) fn top_conjuncts<'e>(expr: &'e Expr, out: &mut Vec<&'e Expr>) {
    match expr {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            top_conjuncts(left, out);
            top_conjuncts(right, out);
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
            top_conjuncts(inner, out)
        }
        other => out.push(other),
    }
}

/// The parts of a column reference (`c`, `t.c`), through parentheses and casts.
fn column_parts(expr: &Expr) -> Option<&[Ident]> {
    match expr {
        Expr::Identifier(ident) => Some(std::slice::from_ref(ident)),
        Expr::CompoundIdentifier(parts) => Some(parts),
        Expr::Nested(inner) | Expr::Cast { expr: inner, .. } => column_parts(inner),
        _ => None,
    }
}

fn strip(expr: &Expr) -> &Expr {
    match expr {
        Expr::Nested(inner) => strip(inner),
        other => other,
    }
}

fn is_comparison(op: &BinaryOperator) -> bool {
    matches!(
        op,
        BinaryOperator::NotEq
            | BinaryOperator::Lt
            | BinaryOperator::LtEq
            | BinaryOperator::Gt
            | BinaryOperator::GtEq
            | BinaryOperator::Spaceship
    )
}

/// `(:c IS NULL OR col = :c)`: some branch tests a parameter for NULL.
fn optional_filter(expr: &Expr) -> bool {
    match strip(expr) {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Or,
            right,
        } => optional_filter(left) || optional_filter(right),
        Expr::IsNull(inner) => matches!(
            strip(inner),
            Expr::Value(v) if matches!(v.value, Value::Placeholder(_))
        ),
        _ => false,
    }
}

/// How a relation of a proved block was bound, for `--explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    /// A predicate compares its tenant column with the caller's tenant (or with a
    /// proved row's key, through a subquery or `EXISTS`).
    Direct,
    /// Its tenant column equals that of a bound relation.
    Equal(usize),
    /// Its foreign key equals the key of a bound parent.
    Reference(usize),
    /// Every branch of an `OR` binds it.
    EveryBranch,
}

/// Why each relation `solve` proved is bound (read back from the facts).
pub(crate) fn reasons(pieces: &[Piece], proved: Set, n: usize) -> Vec<Option<Reason>> {
    let mut facts = Vec::new();
    for piece in pieces {
        top_facts(&piece.formula, piece.allowed, &mut facts);
    }
    (0..n)
        .map(|i| {
            if !proved.contains(i) {
                return None;
            }
            let allowed = |a: Set| a.contains(i);
            facts
                .iter()
                .filter(|(_, a)| allowed(*a))
                .find_map(|(fact, _)| match *fact {
                    Fact::Direct(t) if t == i => Some(Reason::Direct),
                    Fact::Edge(from, to) if to == i && proved.contains(from) => {
                        Some(Reason::Equal(from))
                    }
                    Fact::Reference(from, to) if to == i && proved.contains(from) => {
                        Some(Reason::Reference(from))
                    }
                    _ => None,
                })
                .or(Some(Reason::EveryBranch))
        })
        .collect()
}

/// The facts a formula establishes through `AND`s only.
pub(crate) fn top_level_facts(formula: &Formula, out: &mut Vec<Fact>) {
    match formula {
        Formula::Facts(facts) => out.extend(facts.iter().copied()),
        Formula::And(children) => children.iter().for_each(|c| top_level_facts(c, out)),
        Formula::Or(_) => {}
    }
}

/// The relations a predicate's facts concern: those it could bind.
pub(crate) fn targets(formula: &Formula, out: &mut Vec<usize>) {
    match formula {
        Formula::Facts(facts) => out.extend(facts.iter().map(|f| match *f {
            Fact::Direct(t) | Fact::Edge(_, t) | Fact::Reference(_, t) => t,
        })),
        Formula::And(children) | Formula::Or(children) => {
            children.iter().for_each(|c| targets(c, out))
        }
    }
}

/// Computes which relations the pieces bind, to a fixed point.
pub(crate) fn solve(pieces: &[Piece]) -> Set {
    let mut proved = Set::NONE;
    // Facts that hold whatever branch an `OR` takes; needed only when there is an `OR`.
    let mut context = Vec::new();
    if pieces
        .iter()
        .any(|p| matches!(p.formula, Formula::And(_) | Formula::Or(_)))
    {
        for piece in pieces {
            top_facts(&piece.formula, piece.allowed, &mut context);
        }
    }
    loop {
        let mut changed = false;
        for piece in pieces {
            changed |= apply(&piece.formula, &mut proved, piece.allowed, &context);
        }
        if !changed {
            return proved;
        }
    }
}

/// The facts reached through `AND`s only.
fn top_facts(formula: &Formula, allowed: Set, out: &mut Vec<(Fact, Set)>) {
    match formula {
        Formula::Facts(facts) => out.extend(facts.iter().map(|f| (*f, allowed))),
        Formula::And(children) => children.iter().for_each(|c| top_facts(c, allowed, out)),
        Formula::Or(_) => {}
    }
}

fn set(fact: Fact, proved: &mut Set, allowed: Set) -> bool {
    let target = match fact {
        Fact::Direct(t) => t,
        Fact::Edge(from, to) | Fact::Reference(from, to) if proved.contains(from) => to,
        Fact::Edge(..) | Fact::Reference(..) => return false,
    };
    allowed.contains(target) && proved.insert(target)
}

fn apply(formula: &Formula, proved: &mut Set, allowed: Set, context: &[(Fact, Set)]) -> bool {
    match formula {
        Formula::Facts(facts) => {
            let mut changed = false;
            for fact in facts {
                changed |= set(*fact, proved, allowed);
            }
            changed
        }
        Formula::And(children) => {
            let mut changed = false;
            for child in children {
                changed |= apply(child, proved, allowed, context);
            }
            changed
        }
        Formula::Or(branches) => {
            let mut common = Set::ALL;
            for branch in branches {
                let mut mine = *proved;
                let mut local = context.to_vec();
                top_facts(branch, allowed, &mut local);
                loop {
                    let mut changed = apply(branch, &mut mine, allowed, &local);
                    for (fact, allowed) in &local {
                        changed |= set(*fact, &mut mine, *allowed);
                    }
                    if !changed {
                        break;
                    }
                }
                common = Set(common.0 & mine.0);
            }
            let before = *proved;
            *proved = Set(proved.0 | common.0);
            *proved != before
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn piece(formula: Formula, allowed: Set) -> Piece<'static> {
        Piece {
            expr: None,
            formula,
            allowed,
        }
    }

    fn bound(set: Set, n: usize) -> Vec<bool> {
        (0..n).map(|i| set.contains(i)).collect()
    }

    #[test]
    fn edges_propagate_to_a_fixed_point() {
        let f = Formula::Facts(vec![Fact::Edge(1, 2), Fact::Edge(0, 1), Fact::Direct(0)]);
        assert_eq!(bound(solve(&[piece(f, Set::ALL)]), 3), [true, true, true]);
    }

    #[test]
    fn or_binds_only_what_every_branch_binds() {
        let f = Formula::Or(vec![
            Formula::Facts(vec![Fact::Direct(0), Fact::Direct(1)]),
            Formula::Facts(vec![Fact::Direct(0)]),
        ]);
        assert_eq!(bound(solve(&[piece(f, Set::ALL)]), 2), [true, false]);
    }

    #[test]
    fn or_branches_see_facts_outside_the_or() {
        // b.c = a.c AND (a.c = :x OR b.c = :x)
        let f = Formula::And(vec![
            Formula::Facts(vec![Fact::Edge(0, 1), Fact::Edge(1, 0)]),
            Formula::Or(vec![
                Formula::Facts(vec![Fact::Direct(0)]),
                Formula::Facts(vec![Fact::Direct(1)]),
            ]),
        ]);
        assert_eq!(bound(solve(&[piece(f, Set::ALL)]), 2), [true, true]);
    }

    #[test]
    fn outer_join_on_binds_only_the_right_side() {
        let on = Formula::Facts(vec![Fact::Direct(0), Fact::Edge(0, 1), Fact::Edge(1, 0)]);
        let right = Set::range(1..2);
        assert_eq!(bound(solve(&[piece(on.clone(), right)]), 2), [false, false]);
        let wh = Formula::Facts(vec![Fact::Direct(0)]);
        assert_eq!(
            bound(solve(&[piece(wh, Set::ALL), piece(on, right)]), 2),
            [true, true]
        );
    }

    #[test]
    fn relations_past_128_are_never_bound() {
        let f = Formula::Facts(vec![Fact::Direct(130), Fact::Direct(3)]);
        let proved = solve(&[piece(f, Set::ALL)]);
        assert!(proved.contains(3) && !proved.contains(130));
    }
}
