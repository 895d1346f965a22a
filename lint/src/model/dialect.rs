//! SQL dialects and how each one matches identifiers.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use sqlparser::ast::{Ident, ObjectName, ObjectNamePart};
use sqlparser::dialect::{
    Dialect as SqlDialect, GenericDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect,
};

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

    /// The key an identifier is looked up by. SQLite, MySQL and the generic dialect
    /// compare table and column names case-insensitively, quoted or not; PostgreSQL
    /// folds unquoted names to lower case and keeps quoted ones exact.
    pub fn key<'a>(self, ident: &'a Ident) -> Cow<'a, str> {
        self.key_str(&ident.value, ident.quote_style.is_some())
    }

    /// Like [`Dialect::key`], for a name that comes from configuration or a
    /// catalogue rather than from SQL text.
    pub fn key_str(self, name: &str, quoted: bool) -> Cow<'_, str> {
        if self == Dialect::Postgres && quoted {
            return Cow::Borrowed(name);
        }
        if name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(name)
        }
    }

    /// Whether two identifiers name the same object.
    pub fn same(self, a: &Ident, b: &str) -> bool {
        if self == Dialect::Postgres && a.quote_style.is_some() {
            a.value == b
        } else {
            a.value.eq_ignore_ascii_case(b)
        }
    }
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

/// Calls `f` with the ASCII-lower-cased `name`, without allocating for names that fit
/// a small buffer (the lookup on every table reference is on the hot path).
pub fn with_lowercase<R>(name: &str, f: impl FnOnce(&str) -> R) -> R {
    if !name.bytes().any(|b| b.is_ascii_uppercase()) {
        return f(name);
    }
    let mut buffer = [0u8; 64];
    if name.len() <= buffer.len() {
        let bytes = &mut buffer[..name.len()];
        bytes.copy_from_slice(name.as_bytes());
        bytes.make_ascii_lowercase();
        // Lower-casing ASCII bytes keeps the text valid UTF-8.
        f(std::str::from_utf8(bytes).expect("ASCII lower-casing keeps UTF-8"))
    } else {
        f(&name.to_ascii_lowercase())
    }
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
