//! PostgreSQL as the oracle of what is readable: the schema of a project is applied to
//! a scratch database, every statement of its files is prepared (queries and writes) or
//! run and rolled back (the rest); whatever PostgreSQL accepts, tenant-lint must never
//! report as unparseable (TI999) or as naming unknown tables (TI901, TI906), and a
//! statement PostgreSQL refuses for an unknown table, tenant-lint must report so too.

use std::path::{Path, PathBuf};

use postgres::Client;
use tenant_lint::engine::SplitSql;
use tenant_lint::model::Dialect;
use tenant_lint::model::schema::migration_order;
use tenant_lint::project::{Overrides, Project};

/// One statement as PostgreSQL judged it.
#[derive(Debug)]
pub struct Judged {
    pub path: PathBuf,
    /// 1-based lines the statement spans.
    pub lines: std::ops::RangeInclusive<u64>,
    pub text: String,
    /// `None` when accepted, else the SQLSTATE and message.
    pub refused: Option<(String, String)>,
}

/// What the oracle found: the statements, and tenant-lint's disagreements with it.
#[derive(Debug, Default)]
pub struct Verdict {
    pub judged: Vec<Judged>,
    /// A TI999/TI901/TI906 inside a statement PostgreSQL accepts.
    pub false_alarms: Vec<String>,
    /// A statement PostgreSQL refuses for an unknown table that tenant-lint does not
    /// report so.
    pub missed_unknown: Vec<String>,
}

/// Sqlc's and other tools' parameters (`@name`, `sqlc.arg(name)`, `:name`, `?`, `?N`)
/// written as PostgreSQL's `$N`, as those tools send them; strings, quoted names,
/// dollar quotes, comments and `::` casts are left alone.
pub fn as_server_parameters(sql: &str) -> String {
    let chars: Vec<char> = sql.chars().collect();
    let mut names: Vec<String> = Vec::new();
    let index = |name: String, names: &mut Vec<String>| -> usize {
        match names.iter().position(|n| *n == name) {
            Some(i) => i + 1,
            None => {
                names.push(name);
                names.len()
            }
        }
    };
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(sql.len());
    let mut positional = 0usize;
    let mut highest = 0usize;
    // Highest `$N` already written, so new numbers do not collide.
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '$' && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()) {
            let digits: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            highest = highest.max(digits.parse().unwrap_or(0));
        }
        i += 1;
    }
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let rest: String = chars[i..chars.len().min(i + 12)].iter().collect();
        match c {
            '\'' | '"' => {
                let close = (i + 1..chars.len())
                    .find(|&j| chars[j] == c)
                    .unwrap_or(chars.len() - 1);
                out.extend(&chars[i..=close]);
                i = close + 1;
            }
            '-' if chars.get(i + 1) == Some(&'-') => {
                let end = (i..chars.len())
                    .find(|&j| chars[j] == '\n')
                    .unwrap_or(chars.len());
                out.extend(&chars[i..end]);
                i = end;
            }
            '$' if chars.get(i + 1).is_some_and(|c| !c.is_ascii_digit()) => {
                // A dollar quote `$tag$ … $tag$`, copied whole.
                let tag_end = (i + 1..chars.len()).find(|&j| !ident(chars[j]));
                match tag_end {
                    Some(t) if chars[t] == '$' => {
                        let tag: String = chars[i..=t].iter().collect();
                        let body: String = chars[t + 1..].iter().collect();
                        let close = body.find(&tag).map_or(chars.len(), |k| {
                            t + 1 + body[..k].chars().count() + tag.chars().count()
                        });
                        out.extend(&chars[i..close]);
                        i = close;
                    }
                    _ => {
                        out.push(c);
                        i += 1;
                    }
                }
            }
            ':' if chars.get(i + 1) == Some(&':') => {
                out.push_str("::");
                i += 2;
            }
            ':' | '@'
                if chars
                    .get(i + 1)
                    .is_some_and(|c| c.is_alphabetic() || *c == '_')
                    && (i == 0 || !ident(chars[i - 1])) =>
            {
                let name: String = chars[i + 1..].iter().take_while(|c| ident(**c)).collect();
                let n = index(name.clone(), &mut names);
                out.push_str(&format!("${}", highest + n));
                i += 1 + name.chars().count();
            }
            's' if rest.starts_with("sqlc.") && (i == 0 || !ident(chars[i - 1])) => {
                let close = (i..chars.len())
                    .find(|&j| chars[j] == ')')
                    .unwrap_or(chars.len() - 1);
                let call: String = chars[i..=close].iter().collect();
                let name = call
                    .split_once('(')
                    .map_or("", |(_, a)| a.trim_end_matches(')'))
                    .trim_matches(['\'', ' '])
                    .to_string();
                let n = index(name, &mut names);
                out.push_str(&format!("${}", highest + n));
                i = close + 1;
            }
            '?' => {
                let digits: String = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .collect();
                if digits.is_empty() {
                    positional += 1;
                    out.push_str(&format!("${}", highest + names.len() + positional));
                } else {
                    out.push_str(&format!("${digits}"));
                }
                i += 1 + digits.len();
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Runs `sql` as PostgreSQL would receive it, inside the file's transaction: queries
/// and writes are prepared (parsed and analysed against the schema), other statements
/// executed and kept for the statements after them (a function, then its trigger); a
/// refused statement is rolled back to the savepoint before it.
fn judge(tx: &mut postgres::Transaction, sql: &str) -> Option<(String, String)> {
    let sql = as_server_parameters(sql);
    let first = sql
        .trim_start()
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    tx.batch_execute("SAVEPOINT statement").expect("savepoint");
    let result = match first.as_str() {
        "SELECT" | "WITH" | "INSERT" | "UPDATE" | "DELETE" | "VALUES" | "TABLE" | "MERGE" => {
            tx.prepare(&sql).map(|_| ())
        }
        _ => tx.batch_execute(&sql),
    };
    let refused = result.err().map(|e| {
        let code = e.code().map_or("?".to_string(), |c| c.code().to_string());
        let message = e
            .as_db_error()
            .map_or_else(|| e.to_string(), |d| d.message().to_string());
        (code, message)
    });
    let end = if refused.is_some() {
        "ROLLBACK TO SAVEPOINT statement"
    } else {
        "RELEASE SAVEPOINT statement"
    };
    tx.batch_execute(end).expect("ends the savepoint");
    refused
}

/// The top-level statements of a file (those the database runs on their own), with
/// the lines they span.
fn statements(text: &str) -> Vec<(std::ops::RangeInclusive<u64>, String)> {
    let split = SplitSql::new(text, Dialect::Postgres, None);
    (0..split.len())
        .filter(|&i| !split.is_embedded(i))
        .map(|i| {
            let span = split.spans[i];
            (
                span.start.line..=span.end.line,
                split.text_of(i).to_string(),
            )
        })
        .collect()
}

/// Applies `schema_files` (in migration order) to `db`, each statement on its own
/// (some, like `CREATE INDEX CONCURRENTLY`, refuse a transaction); returns the
/// statements PostgreSQL refused.
pub fn apply_schema(db: &mut Client, schema_files: &[PathBuf]) -> Vec<String> {
    let mut files = schema_files.to_vec();
    migration_order(&mut files);
    let mut refused = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (lines, sql) in statements(&text) {
            if let Err(e) = db.batch_execute(&sql) {
                let message = e
                    .as_db_error()
                    .map_or_else(|| e.to_string(), |d| d.message().to_string());
                refused.push(format!("{}:{}: {message}", file.display(), lines.start()));
            }
        }
    }
    refused
}

/// Judges every statement of `files` and compares tenant-lint's findings on them.
pub fn compare(db: &mut Client, project_dir: &Path, files: &[PathBuf]) -> Verdict {
    let mut verdict = Verdict::default();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        // Each file runs in order in one transaction, rolled back at its end.
        let mut tx = db.transaction().expect("begins a transaction");
        for (lines, sql) in statements(&text) {
            let refused = judge(&mut tx, &sql);
            verdict.judged.push(Judged {
                path: file.clone(),
                lines,
                text: sql,
                refused,
            });
        }
        tx.rollback().expect("rolls the file back");
    }
    let relative: Vec<PathBuf> = files
        .iter()
        .map(|f| f.strip_prefix(project_dir).unwrap_or(f).to_path_buf())
        .collect();
    let project = Project::load(project_dir, &relative, &Overrides::default()).expect("loads");
    let report = project.check();
    let unreadable = ["TI999", "TI901", "TI906"];
    for judged in &verdict.judged {
        let here: Vec<&str> = report
            .diagnostics
            .iter()
            .filter(|d| {
                project_dir.join(&d.path) == judged.path && judged.lines.contains(&d.line())
            })
            .map(|d| d.code)
            .collect();
        let place = format!(
            "{}:{}: {}",
            judged.path.display(),
            judged.lines.start(),
            judged.text.lines().next().unwrap_or("")
        );
        match &judged.refused {
            None => {
                if let Some(code) = here.iter().find(|c| unreadable.contains(c)) {
                    verdict.false_alarms.push(format!(
                        "{place}: PostgreSQL accepts it, tenant-lint says {code}"
                    ));
                }
            }
            Some((state, message)) if state == "42P01" => {
                if !here.iter().any(|c| *c == "TI901" || *c == "TI906") {
                    verdict.missed_unknown.push(format!(
                        "{place}: PostgreSQL: {message}; tenant-lint: {here:?}"
                    ));
                }
            }
            Some(_) => {}
        }
    }
    verdict
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/postgres")
}

fn sql_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "sql"))
        .map(|e| e.into_path())
        .collect();
    out.sort();
    out
}

#[test]
fn what_postgresql_accepts_is_never_unreadable_and_what_it_cannot_find_is_unknown() {
    let mut db = crate::server::Scratch::new("oracle");
    db.client
        .batch_execute(
            "DO $$ BEGIN CREATE ROLE reporting; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        )
        .unwrap();
    let migrations = sql_files(&fixtures().join("migrations"));
    assert_eq!(
        apply_schema(&mut db.client, &migrations),
        Vec::<String>::new()
    );
    let queries: Vec<PathBuf> = sql_files(&fixtures())
        .into_iter()
        .filter(|p| !p.starts_with(fixtures().join("migrations")))
        .collect();
    assert!(queries.len() >= 8, "the fixture files: {queries:?}");
    let verdict = compare(&mut db.client, &fixtures(), &queries);
    let accepted = verdict
        .judged
        .iter()
        .filter(|j| j.refused.is_none())
        .count();
    let refused: Vec<String> = verdict
        .judged
        .iter()
        .filter_map(|j| {
            j.refused.as_ref().map(|(code, message)| {
                format!("{}:{}: {code} {message}", j.path.display(), j.lines.start())
            })
        })
        .collect();
    assert!(
        accepted >= 35,
        "statements accepted: {accepted}; refused: {refused:#?}"
    );
    assert_eq!(verdict.false_alarms, Vec::<String>::new());
    assert_eq!(verdict.missed_unknown, Vec::<String>::new());
    // The fixtures' deliberate unknown tables are the only statements refused.
    assert_eq!(
        refused.len(),
        2,
        "only `document` and the renamed-away `\"Templ\"` are refused: {refused:#?}"
    );
}

#[test]
fn tool_parameters_are_sent_as_postgresql_numbers() {
    assert_eq!(
        as_server_parameters(
            "SELECT a::int FROM t WHERE x = @x AND y = sqlc.narg('y') AND z = @x AND s = ':no'"
        ),
        "SELECT a::int FROM t WHERE x = $1 AND y = $2 AND z = $1 AND s = ':no'"
    );
    assert_eq!(
        as_server_parameters("UPDATE t SET a = ?1 WHERE b = $2 AND c = ?"),
        "UPDATE t SET a = $1 WHERE b = $2 AND c = $3"
    );
}
