//! `tenant-lint audit`: the seed audit as a computed report. Every table classified
//! with its evidence, every statement and Rust function grouped as scoped, unscoped or
//! suppressed, findings by risk with locations, a readiness percentage whose
//! definition the report states, and a verdict with the blocking findings.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use sqlparser::tokenizer::Span;

use crate::engine::FileOutcome;
use crate::model::tenant::Evidence;
use crate::model::{TableClass, TenantModel};
use crate::report::diagnostic::{Diagnostic, Severity};

/// How much a finding puts isolation at risk, as the seed audit grades it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    Low,
    Medium,
    High,
    Critical,
}

impl Risk {
    pub fn name(self) -> &'static str {
        match self {
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
            Risk::Critical => "critical",
        }
    }

    /// Critical and high findings block a deployment.
    pub fn blocks(self) -> bool {
        self >= Risk::High
    }
}

/// The risk of a finding. Reads and writes not bound to the tenant are high; a tenant
/// table without its column is critical when other tables hang from it (a leak
/// through it reaches them too), high when it is a child found only through its
/// parent, medium when it is declared tenant data with no link to any tenant table.
pub fn risk(diagnostic: &Diagnostic, model: &TenantModel) -> Risk {
    match diagnostic.code {
        "TI201" => {
            let table = diagnostic
                .table
                .as_deref()
                .and_then(|t| model.lookup_str(t));
            let Some(table) = table else {
                return Risk::High;
            };
            let dependents = model.tables().any(|(id, _)| {
                id != table
                    && model.definition(id).is_some_and(|d| {
                        d.foreign_keys
                            .iter()
                            .any(|fk| model.parent_of(fk) == Some(table))
                    })
            });
            let child = model
                .info(table)
                .evidence
                .iter()
                .any(|e| matches!(e, Evidence::ChildOf { .. }));
            if dependents {
                Risk::Critical
            } else if child {
                Risk::High
            } else {
                Risk::Medium
            }
        }
        "TI202" | "TI207" => Risk::High,
        "TI203" | "TI205" | "TI206" => Risk::Medium,
        "TI204" | "TI208" => Risk::Low,
        "TI003" | "TI903" => Risk::Low,
        "TI303" | "TI902" => Risk::Medium,
        _ if diagnostic.severity == Severity::Error => Risk::High,
        _ => Risk::Low,
    }
}

/// The schema findings that leave tenant data without isolation: no tenant column, or
/// a nullable one.
const MISSING_ISOLATION: [&str; 2] = ["TI201", "TI202"];

/// How a table is classified in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TableStatus {
    /// The tenant table itself.
    Root,
    /// Tenant data, isolated by the schema.
    Tenant,
    /// Tenant data without a tenant column, or with a nullable one.
    MissingIsolation,
    Shared,
    Undecided,
    Global,
}

impl TableStatus {
    fn label(self) -> &'static str {
        match self {
            TableStatus::Root => "root",
            TableStatus::Tenant => "tenant",
            TableStatus::MissingIsolation => "missing isolation",
            TableStatus::Shared => "shared",
            TableStatus::Undecided => "undecided",
            TableStatus::Global => "global",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TableRow {
    pub name: String,
    pub status: TableStatus,
    pub evidence: Vec<String>,
    /// The highest risk of its schema findings.
    pub risk: Option<Risk>,
    pub findings: Vec<String>,
}

/// Where something is: a file and a 1-based line.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    pub path: String,
    pub line: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scoping {
    Scoped,
    Unscoped,
    Suppressed,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatementRow {
    pub place: Place,
    pub function: Option<String>,
    pub scoping: Scoping,
    /// Codes of the error findings that make it unscoped.
    pub codes: Vec<String>,
    /// The reason of the suppression, when it is suppressed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FunctionRow {
    pub name: String,
    pub place: Place,
    pub scoping: Scoping,
    pub codes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingRow {
    pub risk: Risk,
    pub code: &'static str,
    pub name: &'static str,
    pub severity: &'static str,
    pub place: Place,
    pub column: u64,
    pub message: String,
    pub table: Option<String>,
    pub blocking: bool,
}

/// One component of the readiness score.
#[derive(Debug, Clone, Serialize)]
pub struct Component {
    pub name: &'static str,
    pub ready: usize,
    pub total: usize,
    pub percent: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    pub version: u32,
    pub verdict: &'static str,
    pub readiness: f64,
    pub readiness_definition: &'static str,
    pub components: Vec<Component>,
    pub tables: Vec<TableRow>,
    pub statements: Vec<StatementRow>,
    pub functions: Vec<FunctionRow>,
    pub findings: Vec<FindingRow>,
}

impl Audit {
    /// Ready: no finding of critical or high risk.
    pub fn ready(&self) -> bool {
        !self.findings.iter().any(|f| f.blocking)
    }
}

pub const READINESS_DEFINITION: &str = "the mean, over the components that exist, of: \
tables tied to tenant data (root, tenant, missing isolation, undecided) with no error-severity schema finding, \
as a share of all such tables; SQL statements that are scoped or suppressed with a reason, \
as a share of all statements; Rust functions with SQL or #[tenant_scoped] that are scoped or \
suppressed, as a share of all such functions";

fn place(path: &Path, span: Span) -> Place {
    Place {
        path: path.display().to_string().replace('\\', "/"),
        line: span.start.line.max(1),
    }
}

fn within(d: &Diagnostic, lines: &std::ops::Range<u64>) -> bool {
    lines.contains(&d.line())
}

/// Builds the audit from a check.
pub fn audit(
    model: &TenantModel,
    files: &[(Arc<Path>, FileOutcome)],
    diagnostics: &[Diagnostic],
) -> Audit {
    let findings: Vec<FindingRow> = {
        let mut rows: Vec<FindingRow> = diagnostics
            .iter()
            .map(|d| {
                let risk = risk(d, model);
                FindingRow {
                    risk,
                    code: d.code,
                    name: d.name,
                    severity: d.severity.name(),
                    place: place(&d.path, d.span),
                    column: d.column(),
                    message: d.message.clone(),
                    table: d.table.clone(),
                    blocking: risk.blocks(),
                }
            })
            .collect();
        rows.sort_by(|a, b| b.risk.cmp(&a.risk).then_with(|| a.place.cmp(&b.place)));
        rows
    };

    let tables = model
        .tables()
        .map(|(id, info)| {
            let own: Vec<&Diagnostic> = diagnostics
                .iter()
                .filter(|d| {
                    d.code.starts_with("TI2") && d.table.as_deref() == Some(info.name.as_str())
                })
                .collect();
            let status = match info.class {
                TableClass::Root => TableStatus::Root,
                TableClass::Tenant if own.iter().any(|d| MISSING_ISOLATION.contains(&d.code)) => {
                    TableStatus::MissingIsolation
                }
                TableClass::Tenant => TableStatus::Tenant,
                TableClass::Shared => TableStatus::Shared,
                TableClass::Undecided => TableStatus::Undecided,
                TableClass::Global => TableStatus::Global,
            };
            let _ = id;
            TableRow {
                name: info.name.clone(),
                status,
                evidence: info
                    .evidence
                    .iter()
                    .map(|e| e.describe(&model.config.tenant_column))
                    .collect(),
                risk: own.iter().map(|d| risk(d, model)).max(),
                findings: own
                    .iter()
                    .map(|d| format!("{} {}", d.code, d.message))
                    .collect(),
            }
        })
        .collect::<Vec<_>>();

    let mut statements = Vec::new();
    let mut functions = Vec::new();
    for (path, outcome) in files {
        let errors: Vec<&Diagnostic> = outcome
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error && !d.code.starts_with("TI2"))
            .collect();
        let overlaps = |s: &std::ops::RangeInclusive<u64>, lines: &std::ops::Range<u64>| {
            lines.start <= *s.end() && *s.start() < lines.end.max(lines.start + 1)
        };
        let classify = |lines: std::ops::Range<u64>| -> (Scoping, Vec<String>, Option<String>) {
            let mut codes: Vec<String> = errors
                .iter()
                .filter(|d| within(d, &lines))
                .map(|d| d.code.to_string())
                .collect();
            codes.sort();
            codes.dedup();
            if !codes.is_empty() {
                (Scoping::Unscoped, codes, None)
            } else if outcome.suppressed.iter().any(|s| overlaps(s, &lines)) {
                // The reason of the innermost suppression that covers it.
                let reason = outcome
                    .suppressions
                    .iter()
                    .filter(|s| s.used && overlaps(&s.lines, &lines))
                    .min_by_key(|s| s.lines.end() - s.lines.start())
                    .map(|s| match s.extent {
                        crate::report::suppress::Extent::Declared { .. } => {
                            format!("declared cross-tenant: {}", s.reason)
                        }
                        _ => s.reason.clone(),
                    });
                (Scoping::Suppressed, codes, reason)
            } else {
                (Scoping::Scoped, codes, None)
            }
        };
        for site in outcome.statements.iter().filter(|s| !s.schema) {
            let span = site.span;
            let lines = span.start.line.max(1)..span.end.line.max(span.start.line) + 1;
            let (scoping, codes, reason) = classify(lines);
            statements.push(StatementRow {
                place: place(path, span),
                function: site.function.clone(),
                scoping,
                codes,
                reason,
            });
        }
        for (name, lines) in &outcome.functions {
            let (scoping, codes, reason) = classify(lines.clone());
            functions.push(FunctionRow {
                reason,
                name: name.clone(),
                place: Place {
                    path: path.display().to_string().replace('\\', "/"),
                    line: lines.start,
                },
                scoping,
                codes,
            });
        }
    }

    let share = |name: &'static str, ready: usize, total: usize| Component {
        name,
        ready,
        total,
        percent: if total == 0 {
            100.0
        } else {
            ready as f64 * 100.0 / total as f64
        },
    };
    let tied: Vec<&TableRow> = tables
        .iter()
        .filter(|t| {
            matches!(
                t.status,
                TableStatus::Root
                    | TableStatus::Tenant
                    | TableStatus::MissingIsolation
                    | TableStatus::Undecided
            )
        })
        .collect();
    let tied_ready = tied
        .iter()
        .filter(|t| {
            !diagnostics.iter().any(|d| {
                d.code.starts_with("TI2")
                    && d.severity == Severity::Error
                    && d.table.as_deref() == Some(t.name.as_str())
            })
        })
        .count();
    let mut components = Vec::new();
    if !tied.is_empty() {
        components.push(share("schema", tied_ready, tied.len()));
    }
    if !statements.is_empty() {
        let ok = statements
            .iter()
            .filter(|s| s.scoping != Scoping::Unscoped)
            .count();
        components.push(share("statements", ok, statements.len()));
    }
    if !functions.is_empty() {
        let ok = functions
            .iter()
            .filter(|f| f.scoping != Scoping::Unscoped)
            .count();
        components.push(share("functions", ok, functions.len()));
    }
    let readiness = if components.is_empty() {
        100.0
    } else {
        components.iter().map(|c| c.percent).sum::<f64>() / components.len() as f64
    };
    let blocked = findings.iter().any(|f| f.blocking);
    Audit {
        version: 1,
        verdict: if blocked { "not ready" } else { "ready" },
        readiness: (readiness * 10.0).round() / 10.0,
        readiness_definition: READINESS_DEFINITION,
        components,
        tables,
        statements,
        functions,
        findings,
    }
}

pub fn render_json(audit: &Audit) -> String {
    let mut text = serde_json::to_string_pretty(audit).expect("plain data serializes");
    text.push('\n');
    text
}

fn count(rows: impl Iterator<Item = Scoping>) -> [usize; 3] {
    let mut out = [0; 3];
    for s in rows {
        out[s as usize] += 1;
    }
    out
}

/// The Markdown report, in the spirit of the seed audit.
pub fn render_markdown(audit: &Audit) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# Multi-tenant isolation audit\n");
    let _ = writeln!(
        w,
        "**Verdict: {}.** Readiness: **{:.1}%**.\n",
        audit.verdict.to_uppercase(),
        audit.readiness
    );
    let _ = writeln!(w, "Readiness is {}.\n", READINESS_DEFINITION);
    let _ = writeln!(w, "| component | ready | total | % |\n|---|---|---|---|");
    for c in &audit.components {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {:.1} |",
            c.name, c.ready, c.total, c.percent
        );
    }
    let blocking: Vec<&FindingRow> = audit.findings.iter().filter(|f| f.blocking).collect();
    let _ = writeln!(w, "\n## Blocking findings ({})\n", blocking.len());
    if blocking.is_empty() {
        let _ = writeln!(w, "None.");
    }
    for f in &blocking {
        let _ = writeln!(
            w,
            "- **{}** `{}` {} ({}:{}:{})",
            f.risk.name().to_uppercase(),
            f.code,
            f.message,
            f.place.path,
            f.place.line,
            f.column
        );
    }
    let _ = writeln!(
        w,
        "\n## Tables\n\n| table | class | risk | evidence |\n|---|---|---|---|"
    );
    for t in &audit.tables {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} |",
            t.name,
            t.status.label(),
            t.risk.map_or("", |r| r.name()),
            t.evidence.join("; ").replace('|', "\\|")
        );
    }
    let [scoped, unscoped, suppressed] = count(audit.statements.iter().map(|s| s.scoping));
    let _ = writeln!(
        w,
        "\n## SQL statements\n\n{scoped} scoped, {unscoped} unscoped, {suppressed} suppressed.\n"
    );
    for s in audit
        .statements
        .iter()
        .filter(|s| s.scoping != Scoping::Scoped)
    {
        let _ = writeln!(
            w,
            "- {} {}:{}{}{}{}",
            if s.scoping == Scoping::Unscoped {
                "unscoped"
            } else {
                "suppressed"
            },
            s.place.path,
            s.place.line,
            s.function
                .as_ref()
                .map_or(String::new(), |f| format!(" in `{f}`")),
            if s.codes.is_empty() {
                String::new()
            } else {
                format!(" ({})", s.codes.join(", "))
            },
            s.reason
                .as_ref()
                .map_or(String::new(), |r| format!(": \"{r}\"")),
        );
    }
    if !audit.functions.is_empty() {
        let [scoped, unscoped, suppressed] = count(audit.functions.iter().map(|f| f.scoping));
        let _ = writeln!(
            w,
            "\n## Rust functions\n\n{scoped} scoped, {unscoped} unscoped, {suppressed} suppressed.\n\n| function | status | location | findings |\n|---|---|---|---|"
        );
        for f in &audit.functions {
            let _ = writeln!(
                w,
                "| `{}` | {} | {}:{} | {} |",
                f.name,
                match (f.scoping, &f.reason) {
                    (Scoping::Scoped, _) => "scoped".to_string(),
                    (Scoping::Unscoped, _) => "unscoped".to_string(),
                    (Scoping::Suppressed, None) => "suppressed".to_string(),
                    (Scoping::Suppressed, Some(r)) =>
                        format!("suppressed: \"{}\"", r.replace('|', "\\|")),
                },
                f.place.path,
                f.place.line,
                f.codes.join(", ")
            );
        }
    }
    let _ = writeln!(w, "\n## Findings by risk\n");
    for risk in [Risk::Critical, Risk::High, Risk::Medium, Risk::Low] {
        let rows: Vec<&FindingRow> = audit.findings.iter().filter(|f| f.risk == risk).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(w, "### {} ({})\n", risk.name().to_uppercase(), rows.len());
        for f in rows {
            let _ = writeln!(
                w,
                "- `{}` {}: {} ({}:{}:{})",
                f.code, f.name, f.message, f.place.path, f.place.line, f.column
            );
        }
        let _ = writeln!(w);
    }
    let _ = writeln!(w, "## How risk is graded\n\n{RISK_LEGEND}");
    out.trim_end().to_string() + "\n"
}

/// The grading [`risk`] applies, stated in the report.
pub const RISK_LEGEND: &str = "- **critical**: tenant data without its tenant column that other tables reference (a leak through it reaches them too).
- **high**: tenant data without its tenant column found through its parent; a nullable tenant column; a child key that can point at another tenant's parent; any read or write not bound to the caller's tenant, or a tenant scope never used (error-severity statement and Rust rules); anything the engine could not read or analyse (unparseable or unsupported SQL, an unknown table, an unreadable file), since it fails closed. Critical and high findings block: the verdict is *ready* only without them.
- **medium**: tenant data declared in the configuration without its column; a tenant column without a foreign key to the root; tenant ids kept as text; a global key on a tenant table; SQL built at run time; a malformed suppression.
- **low**: a tenant column no index starts with; a table whose isolation is undecided; a hard-coded tenant literal, an unused suppression, and other warnings.";

/// A terminal summary.
pub fn render_human(audit: &Audit) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "verdict: {} (readiness {:.1}%)",
        audit.verdict, audit.readiness
    );
    for c in &audit.components {
        let _ = writeln!(
            w,
            "  {:<10} {:>4} of {:<4} {:>5.1}%",
            c.name, c.ready, c.total, c.percent
        );
    }
    let _ = writeln!(w, "tables:");
    for t in &audit.tables {
        let _ = writeln!(
            w,
            "  {:<28} {:<18} {}",
            t.name,
            t.status.label(),
            t.risk.map_or(String::new(), |r| r.name().to_string())
        );
    }
    let blocking: Vec<&FindingRow> = audit.findings.iter().filter(|f| f.blocking).collect();
    let _ = writeln!(w, "blocking findings: {}", blocking.len());
    for f in blocking {
        let _ = writeln!(
            w,
            "  {:<8} {} {}:{}:{} {}",
            f.risk.name(),
            f.code,
            f.place.path,
            f.place.line,
            f.column,
            f.message
        );
    }
    out
}
