//! Tokenizes and parses one statement, with every span in the scanned file's coordinates.

use sqlparser::ast::Statement;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Span, Token, TokenWithSpan, Tokenizer};

use crate::model::dialect::Dialect;

/// Deepest nesting the parser accepts; deeper input is reported, never a stack overflow.
pub const MAX_NESTING: usize = 64;

/// Why a statement could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFailure {
    pub at: Location,
    pub message: String,
    pub kind: Unread,
}

/// Why a statement is not parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unread {
    /// It cannot be read: `unparseable-sql`.
    Unreadable,
    /// It is of a kind that reads and writes no rows (`GRANT`, `CREATE EXTENSION`,
    /// `ALTER SEQUENCE … AS bigint`, a `DO` block whose statements are read on their
    /// own): sqlparser does not read it, and nothing needs to (see
    /// [`crate::model::dialect::touches_no_rows`]). Its kind.
    NoRows(&'static str),
    /// SQL built at run time (PL/pgSQL's `EXECUTE`): `dynamic-sql`.
    Dynamic,
}

impl ParseFailure {
    pub fn new(at: Location, message: String) -> Self {
        ParseFailure {
            at,
            message,
            kind: Unread::Unreadable,
        }
    }

    /// Whether this is a real failure to read (reported as `unparseable-sql`), not a
    /// statement that touches no rows or runs dynamic SQL.
    pub fn is_unreadable(&self) -> bool {
        self.kind == Unread::Unreadable
    }
}

/// A statement inside a PostgreSQL routine body, and how to read it (see
/// [`crate::extract::plpgsql`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embedded {
    pub form: crate::extract::plpgsql::Form,
    /// The routine's parameter names: read as bind parameters (`:name`).
    pub params: std::sync::Arc<[String]>,
    /// A trigger function: `NEW.col` and `OLD.col` are the written row's columns.
    pub trigger: bool,
}

/// Parses `sql` (one statement, no trailing `;` required) and maps every token position
/// through `map`, which turns a position in `sql` into a position in the scanned file.
pub fn parse_statement(
    sql: &str,
    dialect: Dialect,
    map: &dyn Fn(Location) -> Location,
) -> Result<Statement, ParseFailure> {
    parse_statement_at(sql, dialect, Location::new(1, 1), Some(map))
}

/// [`parse_statement`] for a statement that starts at `origin` of the text `map` maps
/// into the file (`None`: the text is the file). Shifting by the origin is inlined, so
/// a `.sql` file pays no per-token indirection.
pub fn parse_statement_at(
    sql: &str,
    dialect: Dialect,
    origin: Location,
    map: Option<&dyn Fn(Location) -> Location>,
) -> Result<Statement, ParseFailure> {
    parse_embedded_at(sql, dialect, origin, map, None)
}

/// [`parse_statement_at`] for a statement that may sit inside a routine body.
pub fn parse_embedded_at(
    sql: &str,
    dialect: Dialect,
    origin: Location,
    map: Option<&dyn Fn(Location) -> Location>,
    embedded: Option<&Embedded>,
) -> Result<Statement, ParseFailure> {
    let shift = |at: Location| {
        let at = if at.line == 0 {
            at
        } else if at.line == 1 {
            Location::new(origin.line, at.column + origin.column - 1)
        } else {
            Location::new(at.line + origin.line - 1, at.column)
        };
        match map {
            Some(map) => map(at),
            None => at,
        }
    };
    let map = &shift;
    // Sized for about one token (whitespace included) per two bytes of SQL, so the
    // buffer does not regrow while tokenizing.
    let mut tokens: Vec<TokenWithSpan> = Vec::with_capacity(sql.len() / 2 + 16);
    Tokenizer::new(dialect.parser(), sql)
        .tokenize_with_location_into_buf(&mut tokens)
        .map_err(|e| ParseFailure::new(map(e.location), tidy(&e.message)))?;
    if let Some(embedded) = embedded {
        crate::extract::normalize::plpgsql(&mut tokens, embedded);
    }
    crate::extract::normalize::normalize(&mut tokens, dialect);
    // Whitespace and comment tokens matter to sqlparser only for dialects and features
    // the engine does not use (BigQuery's hyphenated names, Redshift's string
    // continuation, optimizer hints); dropping them halves the tokens the parser skips
    // (and the positions to map into the file).
    tokens.retain_mut(|t| {
        if matches!(t.token, Token::Whitespace(_)) {
            return false;
        }
        t.span = Span::new(map(t.span.start), map(t.span.end));
        true
    });
    let first = tokens
        .first()
        .map_or_else(|| map(Location::new(1, 1)), |t| t.span.start);
    // A chain `a AND b AND c …` parses into a tree as deep as it is long, which every
    // walk over the tree (analysis, dropping it) recurses through: bound it.
    let operators = tokens
        .iter()
        .filter(|t| is_binary_operator(&t.token))
        .count();
    if operators > MAX_OPERATORS {
        return Err(ParseFailure::new(
            first,
            format!(
                "a statement with {operators} operators is more than the {MAX_OPERATORS} the engine analyses"
            ),
        ));
    }
    let last = tokens.last().map_or(first, |t| t.span.end);
    let no_rows = crate::model::dialect::touches_no_rows(&tokens, dialect);
    let mut parser = Parser::new(dialect.parser())
        .with_recursion_limit(MAX_NESTING)
        .with_tokens_with_locations(tokens);
    let with_kind = |mut failure: ParseFailure| {
        if let Some(kind) = no_rows {
            failure.kind = Unread::NoRows(kind);
        }
        failure
    };
    let statement = parser
        .parse_statement()
        .map_err(|e| with_kind(failure(e, first, last)))?;
    // A statement is one statement: anything after it is an error, not a second statement.
    while parser.consume_token(&Token::SemiColon) {}
    let next = parser.peek_token();
    if next.token != Token::EOF {
        return Err(with_kind(ParseFailure::new(
            next.span.start,
            format!("expected end of statement, found `{}`", next.token),
        )));
    }
    Ok(statement)
}

/// The most binary operators (`AND`, `OR`, `=`, `+`, `||`, …) a statement may hold.
/// Chosen so the deepest chain fits a 2 MiB thread stack in a debug build, since
/// the runtime guard and `#[tenant_scoped]` analyse on their caller's thread.
pub const MAX_OPERATORS: usize = 500;

fn is_binary_operator(token: &Token) -> bool {
    use sqlparser::keywords::Keyword;
    match token {
        Token::Word(w) => matches!(w.keyword, Keyword::AND | Keyword::OR | Keyword::XOR),
        Token::Eq
        | Token::DoubleEq
        | Token::Neq
        | Token::Lt
        | Token::Gt
        | Token::LtEq
        | Token::GtEq
        | Token::Spaceship
        | Token::Plus
        | Token::Minus
        | Token::Mul
        | Token::Div
        | Token::Mod
        | Token::StringConcat
        | Token::Ampersand
        | Token::Pipe
        | Token::Caret
        | Token::ShiftLeft
        | Token::ShiftRight => true,
        _ => false,
    }
}

/// Positions in a statement that starts at `start` of a file: the first line is shifted
/// right by the start column, later lines only down.
pub fn offset_map(start: Location) -> impl Fn(Location) -> Location {
    move |at: Location| {
        if at.line == 0 {
            return at;
        }
        let column = if at.line == 1 {
            at.column + start.column - 1
        } else {
            at.column
        };
        Location::new(at.line + start.line - 1, column)
    }
}

/// `fallback` is the statement's start; an error at the end of input points after the
/// last token instead.
fn failure(error: ParserError, fallback: Location, end: Location) -> ParseFailure {
    match error {
        ParserError::RecursionLimitExceeded => ParseFailure::new(
            fallback,
            format!("nesting deeper than {MAX_NESTING} levels cannot be analysed"),
        ),
        ParserError::TokenizerError(message) | ParserError::ParserError(message) => {
            let (message, at) = split_location(&message);
            let at = match at {
                Some(at) => at,
                None if message.ends_with("found: EOF") => end,
                None => fallback,
            };
            ParseFailure::new(
                at,
                tidy(message).replace("`EOF`", "the end of the statement"),
            )
        }
    }
}

/// sqlparser ends its messages with ` at Line: X, Column: Y`.
fn split_location(message: &str) -> (&str, Option<Location>) {
    let Some(i) = message.rfind(" at Line: ") else {
        return (message, None);
    };
    let rest = &message[i + " at Line: ".len()..];
    let mut parts = rest.split(", Column: ");
    let line = parts.next().and_then(|l| l.trim().parse().ok());
    let column = parts.next().and_then(|c| c.trim().parse().ok());
    match (line, column) {
        (Some(line), Some(column)) => (&message[..i], Some(Location::new(line, column))),
        _ => (message, None),
    }
}

/// `Expected: an expression, found: FROM` → `expected an expression, found `FROM``.
fn tidy(message: &str) -> String {
    let message = message.trim().trim_start_matches("sql parser error: ");
    if let Some(rest) = message.strip_prefix("Expected: ")
        && let Some((expected, found)) = rest.split_once(", found: ")
    {
        return format!("expected {expected}, found `{found}`");
    }
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::ast::Spanned;

    #[test]
    fn spans_are_shifted_to_the_file() {
        let map = offset_map(Location::new(3, 5));
        let statement = parse_statement("SELECT a\nFROM job", Dialect::Sqlite, &map).unwrap();
        let Statement::Query(query) = &statement else {
            panic!("{statement:?}")
        };
        let span = query.body.span();
        assert_eq!(span.start, Location::new(3, 5));
        assert_eq!(span.end, Location::new(4, 9));
    }

    #[test]
    fn parse_error_points_at_the_offending_token_in_the_file() {
        let map = offset_map(Location::new(10, 1));
        let err = parse_statement("SELECT * FROM WHERE x = 1", Dialect::Sqlite, &map).unwrap_err();
        assert_eq!(err.at, Location::new(10, 15));
        assert!(err.message.starts_with("expected"), "{}", err.message);
    }

    #[test]
    fn an_error_at_the_end_points_after_the_last_token() {
        let map = offset_map(Location::new(1, 1));
        let err = parse_statement("SELECT 1 WHERE a AND", Dialect::Sqlite, &map).unwrap_err();
        assert_eq!(err.at, Location::new(1, 21));
        assert!(
            err.message.ends_with("found the end of the statement"),
            "{}",
            err.message
        );
    }

    #[test]
    fn trailing_tokens_are_an_error() {
        let map = offset_map(Location::new(1, 1));
        let err = parse_statement("SELECT 1 SELECT 2", Dialect::Sqlite, &map).unwrap_err();
        assert_eq!(err.at, Location::new(1, 10));
    }

    #[test]
    fn deep_nesting_is_reported_not_overflowed() {
        let sql = format!("SELECT {}1{}", "(".repeat(10_000), ")".repeat(10_000));
        let map = offset_map(Location::new(1, 1));
        let err = parse_statement(&sql, Dialect::Sqlite, &map).unwrap_err();
        assert!(err.message.contains("nesting deeper"), "{}", err.message);
    }

    #[test]
    fn unterminated_string_is_a_tokenizer_error_with_its_position() {
        let map = offset_map(Location::new(2, 1));
        let err = parse_statement("SELECT 'abc", Dialect::Sqlite, &map).unwrap_err();
        assert_eq!(err.at.line, 2);
        assert!(err.message.contains("unterminated"), "{}", err.message);
    }
}
