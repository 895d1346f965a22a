//! Relations visible in a query block, what their columns carry, and column resolution.

use std::rc::Rc;

use sqlparser::ast::Ident;
use sqlparser::tokenizer::Span;

use crate::analysis::Role;
use crate::model::{TableId, TenantModel};

/// What a value is known to be, as far as isolation goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Carried {
    /// Nothing known.
    Nothing,
    /// Always the caller's tenant id.
    Tenant,
    /// The key column of a row proved to be the caller's (used to prove a child that
    /// has no tenant column through its parent).
    Key { table: TableId, column: String },
    /// The tenant column of unproved occurrences (indices into the analysis's
    /// occurrences), passed through unchanged by a subquery that does not mix tenants'
    /// rows: a filter that binds this column outside the subquery binds them.
    Pending(Vec<usize>),
}

impl Carried {
    /// What a column carries in every row of a union of two relations.
    pub fn meet(&self, other: &Carried) -> Carried {
        match (self, other) {
            (a, b) if a == b => a.clone(),
            (Carried::Pending(a), Carried::Pending(b)) => {
                let mut both: Vec<usize> = a.iter().chain(b).copied().collect();
                both.sort_unstable();
                both.dedup();
                Carried::Pending(both)
            }
            // Rows already bound need no binding: the union's column binds the rest.
            (Carried::Pending(a), Carried::Tenant) | (Carried::Tenant, Carried::Pending(a)) => {
                Carried::Pending(a.clone())
            }
            _ => Carried::Nothing,
        }
    }

    /// The pending occurrences of a column, if it passes a tenant column through.
    pub fn pending(&self) -> Option<&[usize]> {
        match self {
            Carried::Pending(occurrences) => Some(occurrences),
            _ => None,
        }
    }
}

/// One output column of a subquery, CTE, derived table or table function.
#[derive(Debug, Clone)]
pub(crate) struct ShapeColumn {
    /// Lower-cased name, when the column has one.
    pub name: Option<String>,
    pub carried: Carried,
    pub span: Span,
}

/// The output of a query as the engine knows it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shape {
    pub columns: Vec<ShapeColumn>,
    /// Some columns are not listed (a `*` over a table whose columns are unknown),
    /// so positions past the listed ones are unknown.
    pub open: bool,
    /// The optimistic assumption used while solving a recursive CTE: every column
    /// carries the tenant.
    pub top: bool,
}

impl Shape {
    pub fn top() -> Shape {
        Shape {
            columns: Vec::new(),
            open: true,
            top: true,
        }
    }

    /// What a named column carries; `None` when the shape has no such column.
    pub fn column(&self, name: &str) -> Option<Carried> {
        if self.top {
            return Some(Carried::Tenant);
        }
        let found = self
            .columns
            .iter()
            .rev()
            .find(|c| c.name.as_deref() == Some(name));
        match found {
            Some(c) => Some(c.carried.clone()),
            None if self.open => Some(Carried::Nothing),
            None => None,
        }
    }

    /// The single column of a subquery used as a value (`IN (SELECT …)`, `= (SELECT …)`).
    pub fn single(&self) -> Carried {
        if self.top {
            return Carried::Tenant;
        }
        match self.columns.as_slice() {
            [only] if !self.open => only.carried.clone(),
            _ => Carried::Nothing,
        }
    }

    /// Position-wise meet, for `UNION`: a column carries the tenant only if every arm's does.
    pub fn union(&self, other: &Shape) -> Shape {
        if self.top {
            return other.clone();
        }
        if other.top {
            return self.clone();
        }
        let columns = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| ShapeColumn {
                carried: other
                    .columns
                    .get(i)
                    .map_or(Carried::Nothing, |o| c.carried.meet(&o.carried)),
                ..c.clone()
            })
            .collect();
        Shape {
            columns,
            open: self.open || other.open,
            top: false,
        }
    }

    /// Position-wise join, for `INTERSECT`: a row is in both arms, so it carries what
    /// either arm's row carries.
    pub fn intersect(&self, other: &Shape) -> Shape {
        let columns = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let carried = match (&c.carried, other.columns.get(i).map(|o| &o.carried)) {
                    (Carried::Nothing, Some(o)) => o.clone(),
                    (mine, _) => mine.clone(),
                };
                ShapeColumn {
                    carried,
                    ..c.clone()
                }
            })
            .collect();
        Shape {
            columns,
            open: self.open,
            top: self.top && other.top,
        }
    }

    /// Renames columns by an alias list (`x(a, b)`).
    pub fn renamed(mut self, names: &[String]) -> Shape {
        if names.is_empty() || self.top {
            return self;
        }
        for (i, name) in names.iter().enumerate() {
            match self.columns.get_mut(i) {
                Some(column) => column.name = Some(name.clone()),
                None => self.columns.push(ShapeColumn {
                    name: Some(name.clone()),
                    carried: Carried::Nothing,
                    span: Span::empty(),
                }),
            }
        }
        self
    }
}

/// A relation in a query block.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    /// How columns qualify it: the alias, else the table name (dialect key).
    pub binding: String,
    pub kind: SourceKind,
    /// Columns merged into an earlier relation by `JOIN … USING` / `NATURAL JOIN`: an
    /// unqualified reference to them is not ambiguous.
    pub merged: Vec<String>,
    /// A subquery whose tenant column passes through (see [`Carried::Pending`]) is
    /// proved by a binding filter on it: then the column carries the tenant.
    pub proved: bool,
}

impl Source {
    pub fn new(binding: String, kind: SourceKind) -> Source {
        Source {
            binding,
            kind,
            merged: Vec::new(),
            proved: false,
        }
    }

    /// The pending occurrences of a subquery that passes a tenant column through, and
    /// that column's name.
    pub fn pending(&self) -> Option<(&str, &[usize])> {
        let SourceKind::Derived(shape) = &self.kind else {
            return None;
        };
        shape.columns.iter().find_map(|c| {
            let occurrences = c.carried.pending()?;
            Some((c.name.as_deref()?, occurrences))
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) enum SourceKind {
    /// An occurrence of a root or tenant table: it needs a proof.
    Scoped(Occ),
    /// A table that needs no proof (shared, global, undecided, system, or unknown).
    Plain { table: Option<TableId> },
    /// A subquery, CTE reference or table function, with what its columns carry.
    Derived(Rc<Shape>),
}

/// An occurrence of a scoped table while its block is being proved.
#[derive(Debug, Clone)]
pub(crate) struct Occ {
    pub table: TableId,
    pub alias: Option<String>,
    pub span: Span,
    pub role: Role,
    pub proved: bool,
}

/// The relations of a block and, through `parent`, of the blocks around it
/// (correlated subqueries resolve outer columns there).
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    pub sources: &'a [Source],
    pub parent: Option<&'a Scope<'a>>,
}

impl<'a> Scope<'a> {
    pub const EMPTY: Scope<'static> = Scope {
        sources: &[],
        parent: None,
    };

    pub fn child(&'a self, sources: &'a [Source]) -> Scope<'a> {
        Scope {
            sources,
            parent: Some(self),
        }
    }
}

/// Where a column reference points.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Resolved<'s> {
    /// A relation of the innermost block, by index.
    Local(usize, &'s Source),
    /// A relation of an enclosing block.
    Outer(&'s Source),
}

/// Whether a relation has a column: yes, no, or unknown (its columns are not known).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Has {
    Yes,
    No,
    Maybe,
}

fn has_column(model: &TenantModel, source: &Source, column: &Ident) -> Has {
    let dialect = model.dialect();
    if source.merged.iter().any(|m| dialect.same(column, m)) {
        return Has::No;
    }
    let table = match &source.kind {
        SourceKind::Scoped(occ) => Some(occ.table),
        SourceKind::Plain { table } => *table,
        SourceKind::Derived(shape) => {
            return match shape.column(&dialect.key(column)) {
                Some(_) if shape.top || shape.open => Has::Maybe,
                Some(_) => Has::Yes,
                None => Has::No,
            };
        }
    };
    let Some(def) = table.and_then(|t| model.definition(t)) else {
        return Has::Maybe;
    };
    if !def.columns_known {
        Has::Maybe
    } else if def.columns.iter().any(|c| dialect.same(column, &c.name)) {
        Has::Yes
    } else {
        Has::No
    }
}

/// Resolves a column reference (`col`, `alias.col`, `schema.table.col`) from the
/// innermost block outwards. An ambiguous reference resolves to nothing, so it never
/// proves anything.
pub(crate) fn resolve<'s>(
    model: &TenantModel,
    scope: &Scope<'s>,
    parts: &[Ident],
) -> Option<(Resolved<'s>, usize)> {
    let dialect = model.dialect();
    let mut depth = 0;
    let mut current = Some(scope);
    while let Some(block) = current {
        let found = match parts {
            [column] => {
                let mut yes = Vec::new();
                let mut maybe = Vec::new();
                for (i, source) in block.sources.iter().enumerate() {
                    match has_column(model, source, column) {
                        Has::Yes => yes.push(i),
                        Has::Maybe => maybe.push(i),
                        Has::No => {}
                    }
                }
                match (yes.as_slice(), maybe.as_slice()) {
                    ([one], _) => Some(Some(*one)),
                    ([], [one]) => Some(Some(*one)),
                    ([], []) => None,
                    _ => Some(None),
                }
            }
            [.., qualifier, _] => block
                .sources
                .iter()
                .position(|s| dialect.same(qualifier, &s.binding))
                .map(Some),
            [] => return None,
        };
        match found {
            Some(Some(i)) => {
                let source = &block.sources[i];
                let resolved = if depth == 0 {
                    Resolved::Local(i, source)
                } else {
                    Resolved::Outer(source)
                };
                return Some((resolved, depth));
            }
            Some(None) => return None,
            None => {
                depth += 1;
                current = block.parent;
            }
        }
    }
    None
}

/// What a column of a relation carries once the relation's proof is known.
pub(crate) fn carried_by(model: &TenantModel, source: &Source, column: &Ident) -> Carried {
    let dialect = model.dialect();
    match &source.kind {
        SourceKind::Scoped(occ) if occ.proved => {
            let info = model.info(occ.table);
            if info
                .tenant_column
                .as_deref()
                .is_some_and(|t| dialect.same(column, t))
            {
                Carried::Tenant
            } else {
                Carried::Key {
                    table: occ.table,
                    column: dialect.key(column).into_owned(),
                }
            }
        }
        SourceKind::Derived(shape) => match shape.column(&dialect.key(column)) {
            // A passed-through tenant column of a proved subquery is the tenant.
            Some(Carried::Pending(_)) if source.proved => Carried::Tenant,
            Some(carried) => carried,
            None => Carried::Nothing,
        },
        _ => Carried::Nothing,
    }
}

/// Whether `column` is the tenant column of the scoped table behind `source`, or the
/// tenant column a subquery passes through.
pub(crate) fn is_tenant_column(model: &TenantModel, source: &Source, column: &Ident) -> bool {
    match &source.kind {
        SourceKind::Scoped(occ) => model
            .info(occ.table)
            .tenant_column
            .as_deref()
            .is_some_and(|t| model.dialect().same(column, t)),
        SourceKind::Derived(_) => source
            .pending()
            .is_some_and(|(name, _)| model.dialect().key(column) == name),
        _ => false,
    }
}
