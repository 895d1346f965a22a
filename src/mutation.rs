//! The report of a mutation run: each mutant of a tenant predicate (from
//! `tenant_lint::mutate`), whether the suite killed it (and with which check), and
//! whether `tenant-lint` flags it statically.

use std::collections::BTreeMap;
use std::fmt::Write as _;

pub use tenant_lint::mutate::{Mutant, Operator, mutants};

/// What became of one mutant.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Where the statement comes from (a function name, or its first words).
    pub origin: String,
    /// The tenant tables the statement uses.
    pub tables: Vec<String>,
    pub mutant: Mutant,
    /// The first check that failed with the mutant in place; `None`: it survived.
    pub killed_by: Option<String>,
    /// The codes `tenant-lint` reports for the mutated statement.
    pub lint_codes: Vec<&'static str>,
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub outcomes: Vec<Outcome>,
}

impl Report {
    pub fn total(&self) -> usize {
        self.outcomes.len()
    }

    pub fn killed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.killed_by.is_some())
            .count()
    }

    pub fn survivors(&self) -> Vec<&Outcome> {
        self.outcomes
            .iter()
            .filter(|o| o.killed_by.is_none())
            .collect()
    }

    /// Mutants the lint does not flag (each must be flagged).
    pub fn unflagged(&self) -> Vec<&Outcome> {
        self.outcomes
            .iter()
            .filter(|o| o.lint_codes.is_empty())
            .collect()
    }

    /// Killed over total, in percent (100 when there are no mutants).
    pub fn kill_rate(&self) -> f64 {
        if self.outcomes.is_empty() {
            100.0
        } else {
            self.killed() as f64 * 100.0 / self.total() as f64
        }
    }

    /// Table → (killed, total), a mutant counted under each table its statement uses.
    pub fn per_table(&self) -> BTreeMap<&str, (usize, usize)> {
        let mut out: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for o in &self.outcomes {
            for t in &o.tables {
                let e = out.entry(t.as_str()).or_default();
                e.1 += 1;
                if o.killed_by.is_some() {
                    e.0 += 1;
                }
            }
        }
        out
    }

    /// The report as Markdown: totals, per operator, per table, survivors.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let w = &mut out;
        let _ = writeln!(
            w,
            "# Mutation report\n\n{} mutants of tenant predicates, {} killed by the isolation suite: kill rate {:.1}%. {} flagged by tenant-lint.\n",
            self.total(),
            self.killed(),
            self.kill_rate(),
            self.total() - self.unflagged().len()
        );
        let _ = writeln!(w, "| operator | killed | total |\n|---|---|---|");
        for op in Operator::ALL {
            let of: Vec<&Outcome> = self
                .outcomes
                .iter()
                .filter(|o| o.mutant.operator == op)
                .collect();
            let killed = of.iter().filter(|o| o.killed_by.is_some()).count();
            let _ = writeln!(w, "| {op} | {killed} | {} |", of.len());
        }
        let _ = writeln!(w, "\n| table | killed | total |\n|---|---|---|");
        for (table, (killed, total)) in self.per_table() {
            let _ = writeln!(w, "| {table} | {killed} | {total} |");
        }
        let mut by_check: BTreeMap<&str, usize> = BTreeMap::new();
        for o in &self.outcomes {
            if let Some(check) = &o.killed_by {
                let kind = check.split(':').next().unwrap_or(check);
                *by_check.entry(kind).or_default() += 1;
            }
        }
        let _ = writeln!(w, "\n| killed by | mutants |\n|---|---|");
        for (check, n) in by_check {
            let _ = writeln!(w, "| {check} | {n} |");
        }
        let survivors = self.survivors();
        let _ = writeln!(w, "\n## Survivors ({})\n", survivors.len());
        if survivors.is_empty() {
            let _ = writeln!(w, "None.");
        }
        for o in survivors {
            let _ = writeln!(w, "- `{}` in {}: {}", o.mutant.operator, o.origin, o.mutant);
        }
        let unflagged = self.unflagged();
        let _ = writeln!(w, "\n## Not flagged by tenant-lint ({})\n", unflagged.len());
        if unflagged.is_empty() {
            let _ = writeln!(w, "None.");
        }
        for o in unflagged {
            let _ = writeln!(w, "- {}: {}", o.origin, o.mutant);
        }
        out
    }
}
