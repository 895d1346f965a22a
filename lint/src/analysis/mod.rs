//! The analysis shared by every rule: relations, aliases, CTE scope, and the proof
//! that each occurrence of a tenant table is bound to the caller's tenant.
//!
//! [`analyze`] walks one statement and returns [`StatementAnalysis`], a plain list of
//! facts (occurrences with their proof status, inserts, assignments, upserts, unknown
//! tables, constructs the engine cannot model). Rules only read these facts.

mod predicate;
mod query;
pub(crate) mod scope;
mod statement;

use std::rc::Rc;

use sqlparser::ast::{ObjectName, Statement};
use sqlparser::tokenizer::Span;

use crate::model::{TableId, TenantModel};
use scope::Shape;

/// How an occurrence is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Read by a query, a subquery, `UPDATE … FROM` or `DELETE … USING`.
    Read,
    /// Read to produce the rows of an `INSERT … SELECT` into a tenant table.
    InsertSource,
    UpdateTarget,
    DeleteTarget,
}

/// Why a predicate on the tenant column does not bind the occurrence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Weakness {
    /// Under `NOT`, or a negated `IN` / `BETWEEN`.
    Negated,
    /// Inside one branch of an `OR` whose other branches do not bind it.
    InsideOr,
    /// `(:c IS NULL OR col = :c)`: the filter switches off when the parameter is null.
    Optional,
    /// `IS NULL` / `IS NOT NULL`.
    NullCheck,
    /// `t.client_id = t.client_id`.
    SelfEquality,
    /// `!=`, `<`, `BETWEEN` and other comparisons that admit more than one tenant.
    Comparison(String),
    /// `LIKE`, `GLOB`, `SIMILAR TO`, `REGEXP`.
    Pattern,
    /// Compared to a column that does not carry the tenant.
    NonTenantColumn(String),
    /// Compared to a parameter that strict mode does not accept.
    NonTenantParam(String),
    /// Compared to a subquery that is not itself bound to the tenant.
    UnboundSubquery,
    /// A row value (`(tenant_id, id) IN …`) compared to rows whose value in the tenant
    /// column's position is not the caller's tenant.
    UnboundRowPosition,
    /// In the `ON` of an outer join, which does not filter this side.
    OuterJoinOn,
    /// Wrapped in a function or expression (`lower(client_id) = :c`).
    Wrapped,
    /// Compared to a hard-coded tenant (`client_id = 'ACME'`): one fixed tenant, not
    /// the caller's.
    Literal(String),
    /// Any other shape.
    Other,
}

/// A predicate on an occurrence's tenant column that does not prove it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeakPredicate {
    pub span: Span,
    pub why: Weakness,
}

/// One use of a root or tenant table, and whether it is bound to the caller's tenant.
#[derive(Debug, Clone)]
pub struct Occurrence {
    pub table: TableId,
    /// The alias it is used under, when it has one.
    pub alias: Option<String>,
    /// The table reference in the file.
    pub span: Span,
    pub role: Role,
    pub proved: bool,
    /// Tenant predicates that were found but do not bind it.
    pub weak: Vec<WeakPredicate>,
    /// Other unproved occurrences its tenant column is equated with.
    pub linked: Vec<String>,
    /// Its tenant column is compared to a hard-coded literal.
    pub literal: bool,
    /// Every conjunct of the `WHERE` and `ON` predicates the proof looked at, with its
    /// verdict; filled only by [`analyze_explained`].
    pub considered: Vec<Considered>,
    /// How it was proved, when it was (filled only by [`analyze_explained`]).
    pub proved_by: Option<String>,
}

/// A top-level conjunct of a `WHERE` or `ON` clause, as the proof of one occurrence saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Considered {
    pub span: Span,
    pub verdict: Verdict,
}

/// What a conjunct did for an occurrence's proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It does not mention the occurrence's tenant column (or parent key).
    Unrelated,
    /// It mentions the tenant column and counts toward the proof.
    Binds,
    /// It mentions the tenant column but cannot bind it.
    Weak(Weakness),
    /// It equates the tenant column with relations that are not bound themselves.
    Linked(Vec<String>),
    /// It compares the tenant column with a hard-coded value.
    Literal,
    /// It mentions the tenant column, but the proof did not reach it through this
    /// conjunct (the other side is not proved to be the caller's tenant).
    NotProved,
}

/// A tenant column compared to, or inserted as, a hard-coded literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiteralUse {
    pub span: Span,
    pub table: TableId,
    pub literal: String,
    /// The table reference of the occurrence (or insert target) it belongs to.
    pub occurrence: Span,
}

/// What is wrong with an `INSERT` into a tenant table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsertProblem {
    /// No column list: the tenant column cannot be checked by name.
    NoColumnList,
    /// The column list leaves the tenant column out (or `DEFAULT VALUES`).
    MissingTenantColumn,
    /// The tenant column is set from something that is not the caller's tenant: a
    /// value (shown), or a column of the `SELECT` (`None`).
    UnboundValue { value: Option<String> },
    /// A tenant table with no tenant column and no tenant parent: nothing can bind it.
    TableLacksTenantColumn,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsertCheck {
    pub table: TableId,
    /// Where the problem is: the table name, the column list, or the value.
    pub span: Span,
    pub problem: InsertProblem,
}

/// How a statement writes a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    Insert,
    Update,
    /// `ON CONFLICT … DO UPDATE SET`.
    Upsert,
}

/// A parent key written into a tenant table from a value not proved to be a key of the
/// caller's parent row (a child attached to another tenant's parent), or, for a child
/// without a tenant column, no parent key written at all (`column: None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentWrite {
    /// The value written, or the table when no parent key is.
    pub span: Span,
    pub table: TableId,
    pub column: Option<String>,
    pub parent: Option<TableId>,
    pub kind: WriteKind,
}

/// `SET client_id = …` in an `UPDATE` or `ON CONFLICT DO UPDATE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantAssignment {
    pub span: Span,
    pub table: TableId,
    pub column: String,
}

/// How a write may replace an existing row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertKind {
    /// `ON CONFLICT (…) DO UPDATE`.
    OnConflict,
    /// `INSERT OR REPLACE` / `REPLACE INTO`.
    Replace,
    /// MySQL `ON DUPLICATE KEY UPDATE`.
    DuplicateKey,
    /// SQLite `UPDATE OR REPLACE`.
    UpdateOrReplace,
}

/// An upsert whose conflict key does not include the tenant column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpsertCheck {
    pub span: Span,
    pub table: TableId,
    pub kind: UpsertKind,
    /// The key's columns; empty when the key could not be determined.
    pub key: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownTable {
    pub span: Span,
    pub name: String,
}

/// A use of a tenant table in a construct the engine does not model: never assumed safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    pub span: Span,
    pub table: TableId,
    pub construct: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementKind {
    Query,
    Insert,
    Update,
    Delete,
    /// Schema DDL (`CREATE TABLE`, `ALTER TABLE`, …).
    Schema,
    Other,
}

/// Everything the rules need to know about one statement.
#[derive(Debug, Clone)]
pub struct StatementAnalysis {
    pub kind: StatementKind,
    pub occurrences: Vec<Occurrence>,
    pub literals: Vec<LiteralUse>,
    pub inserts: Vec<InsertCheck>,
    pub tenant_assignments: Vec<TenantAssignment>,
    pub upserts: Vec<UpsertCheck>,
    pub parent_writes: Vec<ParentWrite>,
    pub unknown_tables: Vec<UnknownTable>,
    pub unsupported: Vec<Unsupported>,
    /// Whether the statement names a table the schema (or the catalogue) knows: when
    /// it names only unknown ones, it is written for another database.
    pub names_known_table: bool,
    /// The first bind parameter the statement uses, as written (`$2`, `:id`, `@id`),
    /// so help speaks the statement's parameter style.
    pub first_param: Option<String>,
    /// The highest `$N` / `?N` the statement uses.
    pub max_positional: u32,
}

impl StatementAnalysis {
    fn new(kind: StatementKind) -> Self {
        StatementAnalysis {
            kind,
            occurrences: Vec::new(),
            literals: Vec::new(),
            inserts: Vec::new(),
            tenant_assignments: Vec::new(),
            upserts: Vec::new(),
            parent_writes: Vec::new(),
            unknown_tables: Vec::new(),
            unsupported: Vec::new(),
            names_known_table: false,
            first_param: None,
            max_positional: 0,
        }
    }

    /// Whether every tenant-table use in the statement is proved and no write problem
    /// was found (what the runtime guard asks).
    pub fn is_proved(&self) -> bool {
        self.occurrences.iter().all(|o| o.proved)
            && self.inserts.is_empty()
            && self.tenant_assignments.is_empty()
            && self.upserts.is_empty()
            && self.parent_writes.is_empty()
            && self.unknown_tables.is_empty()
            && self.unsupported.is_empty()
    }
}

/// What a statement does: reads, writes, changes the schema, or something else.
pub fn statement_kind(statement: &Statement) -> StatementKind {
    statement::kind_of(statement)
}

/// Analyses one statement against the tenant model.
pub fn analyze(model: &TenantModel, statement: &Statement) -> StatementAnalysis {
    analyze_with(model, statement, false)
}

/// [`analyze`], recording for every occurrence the conjuncts its proof considered
/// ([`Occurrence::considered`]), for `tenant-lint check --explain`.
pub fn analyze_explained(model: &TenantModel, statement: &Statement) -> StatementAnalysis {
    analyze_with(model, statement, true)
}

fn analyze_with(model: &TenantModel, statement: &Statement, explain: bool) -> StatementAnalysis {
    let mut walker = Walker::new(model, statement::kind_of(statement));
    walker.explaining = explain;
    walker.statement(statement, &scope::Scope::EMPTY);
    // An occurrence whose tenant column a subquery passes through is proved when every
    // use of the subquery is bound by a filter outside it.
    for (&occurrence, &(uses, bound)) in &walker.pending_uses {
        if uses > 0 && bound >= uses {
            let occurrence = &mut walker.out.occurrences[occurrence];
            occurrence.proved = true;
            occurrence.weak.clear();
            occurrence.linked.clear();
            if explain {
                occurrence.proved_by = Some(
                    "a filter outside the subquery binds the tenant column it passes through unchanged"
                        .to_string(),
                );
            }
        }
    }
    // The check visits the whole tree, so it runs only when the walk met something it
    // does not model. Debug builds (every test) always run it, and assert that a walk
    // that claimed to model everything indeed accounted for every tenant table.
    if walker.unmodelled || cfg!(debug_assertions) {
        let before = walker.out.unsupported.len();
        walker.completeness_check(statement);
        debug_assert!(
            walker.unmodelled || walker.out.unsupported.len() == before,
            "the walk missed a tenant table it claimed to model in `{statement}`"
        );
    }
    walker.out
}

/// Walks a statement, collecting facts into `out`.
pub(crate) struct Walker<'m> {
    pub model: &'m TenantModel,
    pub out: StatementAnalysis,
    /// Above zero while a subquery is analysed only for what it returns (its findings
    /// are reported when it is analysed in place).
    pub quiet: u32,
    /// CTEs in scope, innermost last.
    pub ctes: Vec<(String, Rc<Shape>)>,
    /// Table names the walk has accounted for (by address in the AST).
    pub handled: Vec<*const ObjectName>,
    /// Whether the walk is computing what queries return (see `Walker::query`).
    pub want_shape: bool,
    /// The statement has parts the walk does not model, so the completeness check
    /// must look for tenant tables there.
    pub unmodelled: bool,
    /// Record the conjuncts each occurrence's proof considered.
    pub explaining: bool,
    /// For occurrences whose tenant column a subquery passes through (see
    /// `scope::Carried::Pending`), by occurrence index: how many uses of the subquery
    /// there are, and how many of them a filter outside binds. Proved when all are.
    pub pending_uses: std::collections::HashMap<usize, (u32, u32)>,
    /// The query being walked has `LIMIT`, `OFFSET` or `FETCH`: its rows are picked
    /// across tenants, so no column of it passes a tenant column through.
    pub limited: bool,
}

impl<'m> Walker<'m> {
    fn new(model: &'m TenantModel, kind: StatementKind) -> Self {
        Walker {
            model,
            out: StatementAnalysis::new(kind),
            quiet: 0,
            ctes: Vec::new(),
            handled: Vec::with_capacity(16),
            want_shape: false,
            unmodelled: false,
            explaining: false,
            pending_uses: std::collections::HashMap::new(),
            limited: false,
        }
    }

    pub fn reporting(&self) -> bool {
        self.quiet == 0
    }

    /// Records that the walk accounted for a table name.
    pub fn handle(&mut self, name: &ObjectName) {
        self.handled.push(name as *const ObjectName);
    }

    pub fn is_handled(&self, name: &ObjectName) -> bool {
        self.handled.contains(&(name as *const ObjectName))
    }
}
