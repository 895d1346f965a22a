//! The schema as the database builds it: schema files applied in migration order, each
//! statement in turn. Every face loads its schema here (the CLI, `#[tenant_scoped]`,
//! the runtime guard, `init`), so they agree on what the schema is.
//!
//! A statement that reads or writes rows inside a migration (a backfill) runs against
//! the schema of that moment, not the final one: [`Timeline`] keeps the schema each
//! such statement saw. A statement that cannot be read is a problem of its file; the
//! rest of the file, and every other file, is still applied.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::analysis::StatementKind;
use crate::engine::{ParsedStatement, SplitSql};
use crate::extract::parse::ParseFailure;
use crate::model::Dialect;
use crate::model::schema::{Schema, order_key};

/// One schema file: where it is reported, where it lies (for migration order), and
/// its statements in order.
pub struct SchemaFile<'a> {
    pub path: &'a Arc<Path>,
    pub location: &'a Path,
    /// The file's text, to name what a statement that cannot be read would define.
    pub text: &'a str,
    pub statements: &'a [ParsedStatement],
    /// Its place in the configuration's list: files without a version apply in the
    /// order they are listed (a base schema before the seed that fills it).
    pub rank: usize,
}

/// The schema at the end of the migrations, and the schema each row-touching
/// statement of a migration ran against.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    pub schema: Schema,
    snapshots: Vec<Schema>,
    /// `(file, statement index)` to its snapshot.
    at: HashMap<(Arc<Path>, usize), usize>,
    /// Statements that could not be read, by file.
    pub problems: Vec<SchemaProblem>,
}

/// A schema statement that could not be read: the schema is built without it, and
/// what it would define is unknown. Every face reports it (the CLI once, in its file);
/// a statement concerns it when it names one of the tables it names.
#[derive(Debug, Clone)]
pub struct SchemaProblem {
    pub path: Arc<Path>,
    pub failure: ParseFailure,
    /// The keys ([`Dialect::key`]) of the tables the statement names: those the schema
    /// knows, and the one it creates or alters. `None` when its text cannot even be
    /// split into words: then it may concern any statement.
    pub names: Option<Vec<String>>,
}

impl SchemaProblem {
    /// Whether a statement whose words are `words` (see [`word_keys`]) may read or
    /// write what this statement defines.
    pub fn concerns(&self, words: &std::collections::HashSet<String>) -> bool {
        match &self.names {
            Some(names) => names.iter().any(|n| words.contains(n)),
            None => true,
        }
    }
}

/// The keys of the identifiers of a SQL text (the last part of a qualified name
/// included), as [`Dialect::key`] makes them; `None` when it does not tokenize.
pub fn word_keys(text: &str, dialect: Dialect) -> Option<Vec<String>> {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let tokens = Tokenizer::new(dialect.parser(), text).tokenize().ok()?;
    Some(
        tokens
            .into_iter()
            .filter_map(|t| match t {
                Token::Word(w) => {
                    let ident = sqlparser::ast::Ident {
                        value: w.value,
                        quote_style: w.quote_style,
                        span: sqlparser::tokenizer::Span::empty(),
                    };
                    Some(dialect.key(&ident).into_owned())
                }
                _ => None,
            })
            .collect(),
    )
}

/// The tables an unreadable statement names: the words that name a table of `schema`,
/// and the word after `TABLE`, `VIEW` or `SEQUENCE` (what it would create or alter).
fn problem_names(text: &str, dialect: Dialect, schema: &Schema) -> Option<Vec<String>> {
    let words = word_keys(text, dialect)?;
    let known: std::collections::HashSet<String> = schema
        .tables()
        .map(|t| dialect.name_key(&t.name).into_owned())
        .collect();
    let mut names: Vec<String> = Vec::new();
    let mut after_kind = false;
    for word in &words {
        let keyword = ["if", "not", "exists", "only"]
            .iter()
            .any(|k| word.eq_ignore_ascii_case(k));
        if known.contains(word) || (after_kind && !keyword) {
            names.push(word.clone());
        }
        if after_kind && !keyword {
            after_kind = false;
        }
        if ["table", "view", "sequence"]
            .iter()
            .any(|k| word.eq_ignore_ascii_case(k))
        {
            after_kind = true;
        }
    }
    names.sort();
    names.dedup();
    Some(names)
}

impl Timeline {
    /// The schema statement `index` of `path` ran against, when it is a statement that
    /// reads or writes rows inside a schema file.
    pub fn schema_at(&self, path: &Arc<Path>, index: usize) -> Option<&Schema> {
        self.at
            .get(&(path.clone(), index))
            .map(|&i| &self.snapshots[i])
    }

    /// The index in [`Timeline::snapshots`] of the schema statement `index` of `path`
    /// ran against.
    pub fn snapshot_of(&self, path: &Arc<Path>, index: usize) -> Option<usize> {
        self.at.get(&(path.clone(), index)).copied()
    }

    /// The schemas row-touching statements of schema files ran against.
    pub fn snapshots(&self) -> &[Schema] {
        &self.snapshots
    }
}

/// Every statement of a schema file's text, parsed (down sections dropped, the
/// statements inside routines read).
pub fn read_statements(text: &str, dialect: Dialect) -> Vec<ParsedStatement> {
    let split = SplitSql::new(text, dialect, None);
    (0..split.len())
        .map(|i| ParsedStatement {
            span: split.spans[i],
            parsed: split.parse(i),
        })
        .collect()
}

/// Applies `files` in migration order.
pub fn build(dialect: Dialect, search_path: &[String], mut files: Vec<SchemaFile>) -> Timeline {
    files.sort_by_cached_key(|f| {
        let (class, version, path) = order_key(f.location);
        (class, version, f.rank, path)
    });
    let mut timeline = Timeline {
        schema: Schema::with_search_path(dialect, search_path),
        ..Timeline::default()
    };
    // Unreadable statements, named once the whole schema is known.
    let mut unread: Vec<(Arc<Path>, ParseFailure, &str)> = Vec::new();
    // Whether the schema changed since the last snapshot.
    let mut changed = true;
    for file in files {
        timeline.schema.begin_file();
        for (index, statement) in file.statements.iter().enumerate() {
            let parsed = match &statement.parsed {
                Ok(parsed) => parsed,
                Err(failure) => {
                    if failure.is_unreadable() {
                        let lines = crate::extract::source::LineIndex::new(file.text);
                        let range = lines.byte_range(file.text, statement.span);
                        let text = file.text.get(range).unwrap_or_default();
                        unread.push((file.path.clone(), failure.clone(), text));
                    }
                    continue;
                }
            };
            if timeline.schema.apply(parsed, file.path) {
                changed = true;
                continue;
            }
            let rows = matches!(
                crate::analysis::statement_kind(parsed),
                StatementKind::Query
                    | StatementKind::Insert
                    | StatementKind::Update
                    | StatementKind::Delete
            );
            if rows {
                if changed {
                    timeline.snapshots.push(timeline.schema.clone());
                    changed = false;
                }
                let snapshot = timeline.snapshots.len() - 1;
                timeline.at.insert((file.path.clone(), index), snapshot);
            }
        }
    }
    timeline.problems = unread
        .into_iter()
        .map(|(path, failure, text)| SchemaProblem {
            names: problem_names(text, dialect, &timeline.schema),
            path,
            failure,
        })
        .collect();
    timeline
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeline(files: &[(&str, &str)]) -> (Timeline, Vec<Arc<Path>>) {
        let paths: Vec<Arc<Path>> = files.iter().map(|(p, _)| Arc::from(Path::new(p))).collect();
        let statements: Vec<Vec<ParsedStatement>> = files
            .iter()
            .map(|(_, text)| read_statements(text, Dialect::Postgres))
            .collect();
        let built = build(
            Dialect::Postgres,
            &[],
            paths
                .iter()
                .zip(&statements)
                .enumerate()
                .map(|(rank, (path, statements))| SchemaFile {
                    path,
                    location: path,
                    text: files[rank].1,
                    statements,
                    rank,
                })
                .collect(),
        );
        (built, paths)
    }

    #[test]
    fn a_backfill_runs_against_the_schema_of_its_migration() {
        let (t, paths) = timeline(&[
            (
                "m/0002_b.sql",
                "INSERT INTO tmp SELECT * FROM job;\nALTER TABLE tmp RENAME TO job2;",
            ),
            (
                "m/0001_a.sql",
                "CREATE TABLE job (id int);\nCREATE TABLE tmp (id int);",
            ),
        ]);
        assert!(t.schema.table("tmp").is_none());
        assert!(t.schema.table("job2").is_some());
        let at = t
            .schema_at(&paths[0], 0)
            .expect("a snapshot for the backfill");
        assert!(at.table("tmp").is_some(), "the backfill sees `tmp`");
    }

    #[test]
    fn one_unreadable_statement_does_not_cost_the_rest_of_its_file() {
        let (t, _) = timeline(&[(
            "schema.sql",
            "CREATE TABLE a (id int);\nCREATE TABLE b (id int,, x int);\nCREATE TABLE c (id int);",
        )]);
        assert!(t.schema.table("a").is_some() && t.schema.table("c").is_some());
        assert_eq!(t.problems.len(), 1);
    }
}
