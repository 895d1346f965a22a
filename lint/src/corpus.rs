//! A synthetic repository for measuring `tenant-lint check` at monorepo scale, and for
//! testing that the pre-filter loses nothing.
//!
//! [`generate`] writes a Rust service tree: a quarter of the files are repositories
//! holding SQL in the shapes the fixtures cover (bound and unbound reads, joins, CTEs,
//! subqueries, `IN` lists, writes, upserts; single-line, multi-line, raw strings with
//! hashes, `const`s, `format!` with constant holes, `#[tenant_scoped]` functions); the
//! rest are ordinary code with ordinary string literals (log lines, messages, keys),
//! as in real services. Deterministic: the same [`Shape`] gives the same bytes.

use std::fmt::Write as _;
use std::path::Path;

/// The schema the corpus is written against (the rule fixtures' KPI schema).
pub const SCHEMA: &str = include_str!("../../fixtures/sql/schema/kpi.sql");

/// How big a corpus to write.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub files: usize,
    /// Lines per file on average.
    pub lines_per_file: usize,
    pub statements: usize,
    /// One file in this many holds SQL.
    pub sql_file_every: usize,
}

impl Shape {
    /// About 2 000 files, 500 000 lines, 20 000 statements, one file in four with SQL.
    pub const MONOREPO: Shape = Shape {
        files: 2_000,
        lines_per_file: 250,
        statements: 20_000,
        sql_file_every: 4,
    };
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub files: usize,
    pub lines: usize,
    pub bytes: usize,
    /// Each SQL statement as it reads inside its literal, by file (relative path).
    pub statements: Vec<(String, String)>,
}

/// Bound statements in the shapes the fixtures cover; `{p}` is the tenant parameter.
const BOUND: &[&str] = &[
    "SELECT p.shift_date, SUM(p.units_produced) AS units, SUM(p.run_time_hours) AS hours, pr.ideal_cycle_time_hours FROM PRODUCTION_ENTRY p JOIN PRODUCT pr ON pr.product_id = p.product_id WHERE p.client_id = :client_id AND p.shift_date BETWEEN :from AND :to GROUP BY p.shift_date, pr.ideal_cycle_time_hours ORDER BY p.shift_date",
    "SELECT w.work_order_id, w.status, j.job_id, j.completed_quantity FROM WORK_ORDER w JOIN JOB j ON j.client_id = w.client_id AND j.work_order_id = w.work_order_id WHERE w.client_id = :client_id AND w.status IN ('OPEN', 'HELD') ORDER BY w.required_date LIMIT 50 OFFSET :offset",
    "WITH held AS (SELECT h.client_id, h.work_order_id, h.hold_date FROM HOLD_ENTRY h WHERE h.client_id = :client_id AND h.hold_status NOT IN ('RELEASED', 'CANCELLED') AND (h.resume_date IS NULL OR h.resume_date > :as_of)) SELECT held.work_order_id, julianday(:as_of) - julianday(held.hold_date) AS age FROM held ORDER BY age DESC",
    "SELECT q.process_step, SUM(q.units_defective) AS defects, SUM(q.units_inspected) AS inspected FROM QUALITY_ENTRY q WHERE q.client_id IN (SELECT value FROM json_each(:scope)) AND q.shift_date >= :from GROUP BY q.process_step ORDER BY defects DESC LIMIT 10",
    "UPDATE WORK_ORDER SET status = :status, actual_delivery_date = :delivered WHERE client_id = :client_id AND work_order_id = :id",
    "INSERT INTO DOWNTIME_ENTRY (client_id, work_order_id, shift_date, reason, duration_minutes) VALUES (:client_id, :work_order_id, :shift_date, :reason, :minutes)",
    "DELETE FROM ATTENDANCE_ENTRY WHERE client_id = :client_id AND attendance_id = :id",
    "SELECT a.employee_id, SUM(COALESCE(a.absence_hours, a.scheduled_hours - a.actual_hours)) * 100.0 / SUM(a.scheduled_hours) AS rate FROM ATTENDANCE_ENTRY a JOIN EMPLOYEE e ON e.employee_id = a.employee_id WHERE a.client_id = :client_id AND a.shift_date BETWEEN :from AND :to GROUP BY a.employee_id",
    "SELECT d.defect_type, SUM(d.defect_count) FROM DEFECT_DETAIL d JOIN QUALITY_ENTRY q ON q.client_id = d.client_id AND q.quality_entry_id = d.quality_entry_id WHERE q.client_id = :client_id AND q.shift_date >= :from GROUP BY d.defect_type",
    "SELECT w.work_order_id FROM WORK_ORDER w WHERE w.client_id = :client_id AND EXISTS (SELECT 1 FROM PRODUCTION_ENTRY p WHERE p.client_id = w.client_id AND p.work_order_id = w.work_order_id AND p.confirmed_by IS NULL AND p.shift_date < :cutoff)",
    "INSERT INTO PART_OPPORTUNITIES (client_id, part_number, opportunities_per_unit) VALUES (:client_id, :part, :n) ON CONFLICT (client_id, part_number) DO UPDATE SET opportunities_per_unit = excluded.opportunities_per_unit",
    "SELECT work_order_id, status FROM WORK_ORDER WHERE client_id = :client_id AND status = 'OPEN' UNION ALL SELECT work_order_id, status FROM WORK_ORDER WHERE client_id = :client_id AND status = 'HELD'",
];

/// Unbound statements: the leaks the seed audit found (about one in fifty).
const UNBOUND: &[&str] = &[
    "SELECT COUNT(*) FROM WORK_ORDER WHERE required_date BETWEEN :from AND :to AND (actual_delivery_date IS NULL OR actual_delivery_date <= required_date)",
    "SELECT job_id, part_number FROM JOB WHERE work_order_id = :work_order_id",
    "SELECT * FROM QUALITY_ENTRY WHERE client_id = :client_id OR :all = 1",
];

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Writes the corpus under `dir` (created; existing files are overwritten).
pub fn generate(dir: &Path, shape: Shape) -> std::io::Result<Written> {
    std::fs::create_dir_all(dir.join("migrations"))?;
    std::fs::write(dir.join("migrations/V1__kpi.sql"), SCHEMA)?;
    std::fs::write(
        dir.join("tenant-lint.toml"),
        "# A synthetic service tree (tenant_lint::corpus).\ndialect = \"sqlite\"\n[tables]\nshared = [\"PRODUCT\", \"SHIFT\", \"USER\", \"EMPLOYEE\"]\n[schema]\nfiles = [\"migrations/*.sql\"]\n[scan]\ninclude = [\"**/*.rs\"]\n",
    )?;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let sql_files = shape.files.div_ceil(shape.sql_file_every);
    let per_sql_file = shape.statements.div_ceil(sql_files);
    let mut written = Written::default();
    let mut left = shape.statements;
    for i in 0..shape.files {
        let module = format!("services/svc{:02}/src/m{:04}.rs", i % 40, i);
        let text = if i % shape.sql_file_every == 0 && left > 0 {
            let n = per_sql_file.min(left);
            left -= n;
            repository(&mut rng, i, n, shape.lines_per_file, &module, &mut written)
        } else {
            plain(&mut rng, i, shape.lines_per_file)
        };
        let path = dir.join(&module);
        std::fs::create_dir_all(path.parent().expect("a parent"))?;
        written.files += 1;
        written.lines += text.lines().count();
        written.bytes += text.len();
        std::fs::write(path, text)?;
    }
    Ok(written)
}

/// A repository module with `n` statements, padded with ordinary code to `lines`.
fn repository(
    rng: &mut Rng,
    index: usize,
    n: usize,
    lines: usize,
    module: &str,
    written: &mut Written,
) -> String {
    let mut out = String::from(
        "//! Repository functions.\n\nuse rusqlite::{Connection, Result, named_params};\n\nuse crate::scope::TenantScope;\n\nconst COLUMNS: &str = \"work_order_id, status, required_date\";\n\n",
    );
    for k in 0..n {
        let unbound = rng.below(50) == 0;
        let sql = if unbound {
            UNBOUND[rng.below(UNBOUND.len())]
        } else {
            BOUND[rng.below(BOUND.len())]
        };
        let name = format!("q{index}_{k}");
        let shape = rng.below(5);
        let text = match shape {
            // One line in a plain literal.
            0 => {
                let _ = writeln!(
                    out,
                    "pub fn {name}(conn: &Connection, client_id: &str) -> Result<usize> {{\n    conn.execute(\"{sql}\", named_params! {{ \":client_id\": client_id }})\n}}\n"
                );
                sql.to_string()
            }
            // Multi-line raw string with hashes, under `#[tenant_scoped]`.
            1 => {
                let broken = sql
                    .replace(" WHERE ", "\n         WHERE ")
                    .replace(" FROM ", "\n         FROM ");
                let _ = writeln!(
                    out,
                    "#[tenant_scoped]\npub fn {name}(conn: &Connection, scope: &TenantScope) -> Result<usize> {{\n    let sql = r#\"\n        {broken}\"#;\n    conn.execute(sql, named_params! {{ \":client_id\": scope.client_id() }})\n}}\n"
                );
                format!("\n        {broken}")
            }
            // A const, used by a call.
            2 => {
                let upper = name.to_uppercase();
                let _ = writeln!(
                    out,
                    "const {upper}: &str = \"{sql}\";\n\npub fn {name}(conn: &Connection, client_id: &str) -> Result<usize> {{\n    conn.execute({upper}, named_params! {{ \":client_id\": client_id }})\n}}\n"
                );
                sql.to_string()
            }
            // Line continuations in a plain literal.
            3 => {
                let continued = sql.replace(" WHERE ", " \\\n         WHERE ");
                let _ = writeln!(
                    out,
                    "pub fn {name}(conn: &Connection, client_id: &str) -> Result<usize> {{\n    conn.execute(\n        \"{continued}\",\n        named_params! {{ \":client_id\": client_id }},\n    )\n}}\n"
                );
                sql.to_string()
            }
            // `format!` with a constant hole.
            _ => {
                let _ = writeln!(
                    out,
                    "pub fn {name}(conn: &Connection, client_id: &str) -> Result<usize> {{\n    let sql = format!(\"SELECT {{COLUMNS}} FROM WORK_ORDER WHERE client_id = :client_id AND status = :status\");\n    conn.execute(&sql, named_params! {{ \":client_id\": client_id }})\n}}\n"
                );
                "SELECT work_order_id, status, required_date FROM WORK_ORDER WHERE client_id = :client_id AND status = :status".to_string()
            }
        };
        written.statements.push((module.to_string(), text));
    }
    let have = out.lines().count();
    if have < lines {
        out.push_str(&filler(rng, index, lines - have));
    }
    out
}

/// An ordinary module of `lines` lines.
fn plain(rng: &mut Rng, index: usize, lines: usize) -> String {
    let mut out =
        format!("//! Module {index}: domain logic.\n\nuse std::collections::HashMap;\n\n");
    out.push_str(&filler(rng, index, lines.saturating_sub(4)));
    out
}

/// Structs, functions, matches and string literals that are not SQL.
fn filler(rng: &mut Rng, index: usize, lines: usize) -> String {
    // Log lines rarely start with a SQL keyword; one in a hundred modules has one
    // ("update available"), which the pre-filter must pass on to the full scan.
    const MESSAGES: &[&str] = &[
        "processing item {}",
        "rows selected: {}",
        "an update is available",
        "cannot delete the last administrator",
        "regards, the team",
        "coin inserted",
        "order {} created for {}",
        "value out of range",
    ];
    let mut out = String::new();
    let mut written = 0;
    let mut k = 0;
    while written < lines {
        let message = if k == 0 && rng.below(100) == 0 {
            "update available: {}"
        } else {
            MESSAGES[rng.below(MESSAGES.len())]
        };
        let block = format!(
            "/// Computes part {k} of module {index}.\n#[derive(Debug, Clone, Default)]\npub struct Part{index}x{k} {{\n    pub id: u64,\n    pub name: String,\n    pub weights: Vec<f64>,\n}}\n\nimpl Part{index}x{k} {{\n    pub fn score(&self, factor: f64) -> f64 {{\n        let total: f64 = self.weights.iter().map(|w| w * factor).sum();\n        if total > {limit}.0 {{\n            log::warn!(\"{message}\", self.id);\n        }}\n        match self.name.as_str() {{\n            \"alpha\" => total * 2.0,\n            \"beta\" => total / 2.0,\n            _ => total,\n        }}\n    }}\n\n    pub fn label(&self) -> String {{\n        let mut map: HashMap<&str, u64> = HashMap::new();\n        map.insert(\"key\", self.id);\n        format!(\"{{}}-{{}}\", self.name, map[\"key\"])\n    }}\n}}\n\n",
            limit = 100 + rng.below(900),
        );
        written += block.lines().count();
        out.push_str(&block);
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_corpus_has_the_asked_shape() {
        let dir = std::env::temp_dir().join(format!("tenant-lint-corpus-{}", std::process::id()));
        let written = generate(
            &dir,
            Shape {
                files: 20,
                lines_per_file: 100,
                statements: 50,
                sql_file_every: 4,
            },
        )
        .unwrap();
        assert_eq!(written.files, 20);
        assert_eq!(written.statements.len(), 50);
        assert!(written.lines >= 20 * 95, "{}", written.lines);
        let _ = std::fs::remove_dir_all(dir);
    }
}
