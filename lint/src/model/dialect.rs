//! SQL dialects and how each one matches identifiers.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use sqlparser::ast::{Ident, ObjectName, ObjectNamePart};
use sqlparser::dialect::{
    Dialect as SqlDialect, GenericDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect,
};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// The SQL dialect a project is written in. It decides how SQL is parsed and how
/// identifiers are compared (`JOB`, `job` and `"job"` are one table in SQLite).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    #[default]
    Sqlite,
    Postgres,
    Mysql,
    Generic,
}

impl Dialect {
    pub const NAMES: [&'static str; 4] = ["sqlite", "postgres", "mysql", "generic"];

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
            Dialect::Generic => "generic",
        }
    }

    /// The sqlparser dialect that parses this one.
    pub fn parser(self) -> &'static dyn SqlDialect {
        static SQLITE: SQLiteDialect = SQLiteDialect {};
        static POSTGRES: PostgreSqlDialect = PostgreSqlDialect {};
        static MYSQL: MySqlDialect = MySqlDialect {};
        static GENERIC: GenericDialect = GenericDialect {};
        match self {
            Dialect::Sqlite => &SQLITE,
            Dialect::Postgres => &POSTGRES,
            Dialect::Mysql => &MYSQL,
            Dialect::Generic => &GENERIC,
        }
    }

    /// The key an identifier is looked up by: the hash key of the name it denotes.
    /// SQLite, MySQL and the generic dialect compare table and column names
    /// case-insensitively, quoted or not; PostgreSQL folds unquoted names to lower case
    /// and keeps quoted ones exact.
    pub fn key<'a>(self, ident: &'a Ident) -> Cow<'a, str> {
        if self == Dialect::Postgres && ident.quote_style.is_some() {
            return Cow::Borrowed(&ident.value);
        }
        lower(&ident.value)
    }

    /// The name an identifier denotes, as the schema stores it: PostgreSQL's folded
    /// name (unquoted lower-cased, quoted exact); in the other dialects the name as
    /// written, compared case-insensitively ([`Dialect::name_key`]).
    pub fn fold(self, ident: &Ident) -> String {
        self.fold_str(&ident.value, ident.quote_style.is_some())
    }

    /// [`Dialect::fold`] for a name and whether it was quoted.
    pub fn fold_str(self, name: &str, quoted: bool) -> String {
        if self == Dialect::Postgres && !quoted {
            name.to_ascii_lowercase()
        } else {
            name.to_string()
        }
    }

    /// The hash key of a stored (folded) name: itself in PostgreSQL, lower-cased in
    /// the dialects that compare names case-insensitively.
    pub fn name_key(self, stored: &str) -> Cow<'_, str> {
        if self == Dialect::Postgres {
            Cow::Borrowed(stored)
        } else {
            lower(stored)
        }
    }

    /// Whether an identifier names the object stored under `stored`.
    pub fn same(self, a: &Ident, stored: &str) -> bool {
        self.key(a) == self.name_key(stored)
    }

    /// Whether two stored names are one name.
    pub fn same_name(self, a: &str, b: &str) -> bool {
        if self == Dialect::Postgres {
            a == b
        } else {
            a.eq_ignore_ascii_case(b)
        }
    }

    /// A stored name as SQL would write it: quoted when PostgreSQL would fold it into
    /// another name (`"APIToken"`), or when it is not a plain identifier.
    pub fn show(self, stored: &str) -> String {
        let plain = stored
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && stored
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
        let folds = self == Dialect::Postgres && stored.bytes().any(|b| b.is_ascii_uppercase());
        if plain && !folds {
            stored.to_string()
        } else {
            let quote = if self == Dialect::Mysql { '`' } else { '"' };
            let doubled = stored.replace(quote, &format!("{quote}{quote}"));
            format!("{quote}{doubled}{quote}")
        }
    }

    /// The schema a name lands in when DDL does not qualify it.
    pub fn default_schema(self) -> &'static str {
        match self {
            Dialect::Postgres => "public",
            Dialect::Sqlite => "main",
            Dialect::Mysql | Dialect::Generic => "",
        }
    }

    /// Whether a qualified name may name a table declared without that qualifier: a
    /// MySQL database name, a SQLite attached-database name, a generic catalogue. In
    /// PostgreSQL a schema is part of the name.
    pub fn lenient_qualifiers(self) -> bool {
        self != Dialect::Postgres
    }
}

fn lower(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// A name written in the configuration (`orders`, `app.orders`, `"APIToken"`,
/// `app."Order"`), split into its parts, each with whether it was quoted. `None` when
/// the text is not a name (an unterminated quote, an empty part).
pub fn config_name_parts(text: &str) -> Option<Vec<(String, bool)>> {
    let mut parts = Vec::new();
    let mut chars = text.trim().chars().peekable();
    loop {
        match chars.peek() {
            Some('"') | Some('`') => {
                let quote = chars.next().expect("peeked");
                let mut part = String::new();
                loop {
                    match chars.next() {
                        Some(c) if c == quote => {
                            if chars.peek() == Some(&quote) {
                                chars.next();
                                part.push(quote);
                            } else {
                                break;
                            }
                        }
                        Some(c) => part.push(c),
                        None => return None,
                    }
                }
                parts.push((part, true));
            }
            Some(_) => {
                let mut part = String::new();
                while let Some(&c) = chars.peek() {
                    if c == '.' {
                        break;
                    }
                    part.push(c);
                    chars.next();
                }
                let part = part.trim().to_string();
                if part.is_empty() {
                    return None;
                }
                parts.push((part, false));
            }
            None => return None,
        }
        match chars.next() {
            None => return Some(parts),
            Some('.') => continue,
            Some(_) => return None,
        }
    }
}

/// Whether a stored name is the one a configuration name part denotes. A quoted part
/// is exact; an unquoted one names the object spelled exactly so, or else the object
/// its folded form names (so `tenantId` finds a PostgreSQL column declared
/// `"tenantId"`, and `tenant_id` one declared `TENANT_ID` in SQLite).
pub fn config_part_matches(dialect: Dialect, part: &(String, bool), stored: &str) -> bool {
    let (name, quoted) = part;
    if *quoted {
        return dialect.same_name(stored, name);
    }
    stored == name || dialect.same_name(stored, &dialect.fold_str(name, false))
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Dialect {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "sqlite" | "sqlite3" => Ok(Dialect::Sqlite),
            "postgres" | "postgresql" | "pg" => Ok(Dialect::Postgres),
            "mysql" | "mariadb" => Ok(Dialect::Mysql),
            "generic" | "ansi" => Ok(Dialect::Generic),
            _ => Err(format!(
                "unknown dialect `{s}`: expected one of {}",
                Dialect::NAMES.join(", ")
            )),
        }
    }
}

/// Statement kinds that read and write no rows, by their leading words (after
/// `CREATE OR REPLACE` is read as `CREATE`). Their syntax is the database's business:
/// when sqlparser cannot read one, nothing the engine proves depends on it. Kinds that
/// run queries (`CREATE RULE`, `CREATE SUBSCRIPTION`, `COPY`, `CALL`, `DO`) are not here.
const NO_ROW_STATEMENTS: &[&str] = &[
    "SET",
    "RESET",
    "SHOW",
    "GRANT",
    "REVOKE",
    "COMMENT ON",
    "SECURITY LABEL",
    "ALTER DEFAULT PRIVILEGES",
    "REINDEX",
    "VACUUM",
    "ANALYZE",
    "ANALYSE",
    "CLUSTER",
    "CHECKPOINT",
    "DISCARD",
    "DEALLOCATE",
    "LISTEN",
    "UNLISTEN",
    "NOTIFY",
    "LOAD",
    "REFRESH MATERIALIZED VIEW",
    "CREATE EXTENSION",
    "ALTER EXTENSION",
    "DROP EXTENSION",
    "CREATE PUBLICATION",
    "ALTER PUBLICATION",
    "DROP PUBLICATION",
    "CREATE EVENT TRIGGER",
    "ALTER EVENT TRIGGER",
    "DROP EVENT TRIGGER",
    "CREATE TRIGGER",
    "CREATE CONSTRAINT TRIGGER",
    "ALTER TRIGGER",
    "DROP TRIGGER",
    "ALTER SEQUENCE",
    "DROP SEQUENCE",
    "CREATE TYPE",
    "ALTER TYPE",
    "DROP TYPE",
    "CREATE DOMAIN",
    "ALTER DOMAIN",
    "DROP DOMAIN",
    "CREATE COLLATION",
    "ALTER COLLATION",
    "DROP COLLATION",
    "CREATE OPERATOR",
    "ALTER OPERATOR",
    "DROP OPERATOR",
    "CREATE CAST",
    "DROP CAST",
    "CREATE CONVERSION",
    "CREATE TEXT SEARCH",
    "ALTER TEXT SEARCH",
    "DROP TEXT SEARCH",
    "CREATE LANGUAGE",
    "CREATE TRUSTED LANGUAGE",
    "CREATE ROLE",
    "ALTER ROLE",
    "DROP ROLE",
    "CREATE USER",
    "ALTER USER",
    "DROP USER",
    "CREATE GROUP",
    "ALTER GROUP",
    "DROP GROUP",
    "CREATE SCHEMA",
    "ALTER SCHEMA",
    "DROP SCHEMA",
    "CREATE POLICY",
    "ALTER POLICY",
    "DROP POLICY",
    "CREATE INDEX",
    "CREATE UNIQUE INDEX",
    "ALTER INDEX",
    "DROP INDEX",
    "CREATE STATISTICS",
    "ALTER STATISTICS",
    "DROP STATISTICS",
    "CREATE SERVER",
    "ALTER SERVER",
    "DROP SERVER",
    "CREATE FOREIGN DATA WRAPPER",
    "CREATE USER MAPPING",
    "CREATE TABLESPACE",
    "ALTER TABLESPACE",
    "DROP TABLESPACE",
    "CREATE DATABASE",
    "ALTER DATABASE",
    "DROP DATABASE",
    "ALTER SYSTEM",
    "ALTER LARGE OBJECT",
    "CREATE ACCESS METHOD",
    "CREATE AGGREGATE",
    "ALTER AGGREGATE",
    "DROP AGGREGATE",
    "ALTER FUNCTION",
    "ALTER PROCEDURE",
    "ALTER ROUTINE",
    "DROP FUNCTION",
    "DROP PROCEDURE",
    "DROP ROUTINE",
];

/// Words that start a query inside another statement: after `(` or `AS` they mean the
/// statement holds one.
const QUERY_STARTS: [Keyword; 7] = [
    Keyword::SELECT,
    Keyword::WITH,
    Keyword::VALUES,
    Keyword::INSERT,
    Keyword::UPDATE,
    Keyword::DELETE,
    Keyword::TABLE,
];

/// The kind of a statement that reads and writes no rows, recognised conservatively
/// from its tokens (whitespace dropped): its leading words are one of the kinds above,
/// and nothing inside it could run a query (no `(SELECT …` or `AS SELECT`, no
/// dollar-quoted body, `EXECUTE` only as a trigger's `EXECUTE FUNCTION`).
pub fn touches_no_rows(tokens: &[TokenWithSpan], _dialect: Dialect) -> Option<&'static str> {
    // Queries and writes, most statements by far, are none of these kinds.
    if let Some(Token::Word(w)) = tokens.first().map(|t| &t.token)
        && matches!(
            w.keyword,
            Keyword::SELECT
                | Keyword::INSERT
                | Keyword::UPDATE
                | Keyword::DELETE
                | Keyword::WITH
                | Keyword::VALUES
                | Keyword::MERGE
        )
    {
        return None;
    }
    let mut words: Vec<String> = Vec::with_capacity(5);
    for token in tokens {
        match &token.token {
            Token::Word(w) if w.quote_style.is_none() && words.len() < 5 => {
                words.push(w.value.to_ascii_uppercase());
            }
            _ => break,
        }
    }
    if words.len() >= 3 && words[0] == "CREATE" && words[1] == "OR" && words[2] == "REPLACE" {
        words.drain(1..3);
    }
    let kind: &'static str = NO_ROW_STATEMENTS.iter().copied().find(|kind| {
        let parts = kind.split(' ');
        parts.clone().count() <= words.len() && parts.zip(&words).all(|(k, w)| k == w)
    })?;
    let trigger = kind.ends_with("TRIGGER");
    let keyword = |i: usize| match tokens.get(i).map(|t| &t.token) {
        Some(Token::Word(w)) if w.quote_style.is_none() => Some(w.keyword),
        _ => None,
    };
    for (i, token) in tokens.iter().enumerate() {
        let opens_query = matches!(token.token, Token::LParen) || keyword(i) == Some(Keyword::AS);
        if opens_query && keyword(i + 1).is_some_and(|k| QUERY_STARTS.contains(&k)) {
            return None;
        }
        if matches!(token.token, Token::DollarQuotedString(_)) {
            return None;
        }
        if keyword(i) == Some(Keyword::EXECUTE)
            && !(trigger && matches!(keyword(i + 1), Some(Keyword::FUNCTION | Keyword::PROCEDURE)))
        {
            return None;
        }
    }
    Some(kind)
}

/// The last identifier of a possibly schema-qualified name: `main.JOB` is `JOB`.
pub fn last_ident(name: &ObjectName) -> Option<&Ident> {
    name.0.last().and_then(ObjectNamePart::as_ident)
}

/// The schema part of a qualified name, if any: `main` in `main.JOB`.
pub fn schema_ident(name: &ObjectName) -> Option<&Ident> {
    let n = name.0.len();
    if n >= 2 {
        name.0[n - 2].as_ident()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_matches_quoted_and_unquoted_names_case_insensitively() {
        let quoted = Ident::with_quote('"', "Job");
        assert_eq!(Dialect::Sqlite.key(&quoted), "job");
        assert!(Dialect::Sqlite.same(&quoted, "JOB"));
    }

    #[test]
    fn postgres_keeps_quoted_names_exact() {
        let quoted = Ident::with_quote('"', "Job");
        assert_eq!(Dialect::Postgres.key(&quoted), "Job");
        assert!(!Dialect::Postgres.same(&quoted, "job"));
        assert!(Dialect::Postgres.same(&Ident::new("JOB"), "job"));
    }

    #[test]
    fn unknown_dialect_is_rejected_with_the_choices() {
        let err = "oracle".parse::<Dialect>().unwrap_err();
        assert!(err.contains("sqlite, postgres, mysql, generic"), "{err}");
    }
}
