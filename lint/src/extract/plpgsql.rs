//! The SQL inside PostgreSQL routines: `DO $$ … $$` blocks, and the bodies of
//! `CREATE FUNCTION` / `CREATE PROCEDURE` in `plpgsql` or `sql`.
//!
//! A body is a string to the statement around it, so its queries would go unchecked.
//! [`routine`] finds the body of such a statement and [`pieces`] splits a PL/pgSQL body
//! into the SQL it runs, each piece a byte range of the body and the way it is read
//! ([`Form`]): plain statements (`SELECT … INTO`, `INSERT`, `UPDATE`, `DELETE`, `RETURN
//! QUERY`, the query of `FOR … IN … LOOP`), `PERFORM` (a `SELECT` whose result is
//! dropped), conditions and assigned values that hold a query (read as `SELECT
//! <expression>`), and `EXECUTE` (SQL built at run time, which the engine cannot see).
//! Control statements (`IF … THEN`, `LOOP`, `RAISE`, assignments without a query) hold
//! no SQL of their own and are skipped; a piece that holds a query keyword the reader
//! cannot place is reported unreadable, never skipped.

use std::ops::Range;

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use crate::extract::source::LineIndex;

/// The language a routine body is written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Language {
    PlPgSql,
    Sql,
    /// Another language (`c`, `plpython3u`, …), named.
    Other(String),
}

/// A routine's body and what the SQL inside it can refer to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routine {
    /// The body's bytes in the statement's text (inside the quotes).
    pub body: Range<usize>,
    pub language: Language,
    /// `DO` rather than `CREATE FUNCTION` / `PROCEDURE`.
    pub anonymous: bool,
    /// The routine's parameter names (folded), which its SQL reads as bind parameters.
    pub params: Vec<String>,
    /// A trigger function (`RETURNS trigger`): `NEW` and `OLD` are the written row.
    pub trigger: bool,
    /// Why the body cannot be read, when it cannot (a single-quoted body with `''`
    /// escapes, whose positions the reader does not map).
    pub unreadable: Option<String>,
}

/// How a piece of a body is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    /// A statement as written, less PL/pgSQL's `INTO` targets.
    Statement,
    /// `PERFORM …`: read as `SELECT …`.
    Perform,
    /// An expression that holds a query (`IF EXISTS (SELECT …) THEN`, `x := (SELECT …)`):
    /// read as `SELECT <expression>`.
    Expression,
    /// `EXECUTE …`: SQL built at run time.
    Dynamic,
    /// A query keyword the reader cannot place: reported, never skipped.
    Unreadable(&'static str),
}

/// One piece of SQL in a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// The piece's bytes in the body.
    pub range: Range<usize>,
    pub form: Form,
}

/// The significant tokens of `text`, each with its byte range; `None` when the text
/// does not tokenize (an unterminated quote).
fn tokens(text: &str) -> Option<Vec<(Token, Range<usize>)>> {
    let index = LineIndex::new(text);
    let tokens: Vec<TokenWithSpan> = Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize_with_location()
        .ok()?;
    Some(
        tokens
            .into_iter()
            .filter(|t| !matches!(t.token, Token::Whitespace(_)))
            .map(|t| {
                let range = index.offset(text, t.span.start)..index.offset(text, t.span.end);
                (t.token, range)
            })
            .collect(),
    )
}

fn keyword(token: &Token) -> Keyword {
    match token {
        Token::Word(w) if w.quote_style.is_none() => w.keyword,
        _ => Keyword::NoKeyword,
    }
}

fn is_word(token: &Token, word: &str) -> bool {
    matches!(token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
}

/// Whether a statement's text starts like a routine whose body holds SQL: `DO`, or
/// `CREATE [OR REPLACE] FUNCTION|PROCEDURE` (a cheap test before [`routine`]).
pub fn may_be_routine(text: &str) -> bool {
    let upper: String = text
        .trim_start()
        .chars()
        .take(40)
        .collect::<String>()
        .to_ascii_uppercase();
    let words: Vec<&str> = upper.split_whitespace().take(4).collect();
    matches!(
        words.as_slice(),
        ["DO", ..]
            | ["CREATE", "FUNCTION" | "PROCEDURE", ..]
            | ["CREATE", "OR", "REPLACE", "FUNCTION" | "PROCEDURE"]
    )
}

/// The body of a `DO` block or a `CREATE FUNCTION` / `PROCEDURE` statement.
pub fn routine(text: &str) -> Option<Routine> {
    if !may_be_routine(text) {
        return None;
    }
    let tokens = tokens(text)?;
    let anonymous = keyword(&tokens.first()?.0) == Keyword::DO;
    let mut language = None;
    let mut body = None;
    let mut unreadable = None;
    let mut params = Vec::new();
    let mut trigger = false;
    let mut i = 0;
    while i < tokens.len() {
        let (token, range) = &tokens[i];
        match token {
            Token::Word(_) if keyword(token) == Keyword::LANGUAGE => {
                if let Some((Token::Word(w), _)) = tokens.get(i + 1) {
                    language = Some(w.value.to_ascii_lowercase());
                } else if let Some((Token::SingleQuotedString(s), _)) = tokens.get(i + 1) {
                    language = Some(s.to_ascii_lowercase());
                }
                i += 1;
            }
            Token::Word(_) if keyword(token) == Keyword::RETURNS => {
                trigger |= tokens
                    .get(i + 1)
                    .is_some_and(|(t, _)| is_word(t, "trigger") || is_word(t, "event_trigger"));
            }
            Token::LParen if !anonymous && body.is_none() && params.is_empty() && i > 0 => {
                params = parameter_names(&tokens, i);
            }
            Token::DollarQuotedString(quoted) if body.is_none() => {
                let open = quoted.tag.as_ref().map_or(2, |t| t.len() + 2);
                body = Some(range.start + open..range.end.saturating_sub(open));
            }
            Token::SingleQuotedString(_) if body.is_none() && follows_as_or_do(&tokens, i) => {
                let inner = range.start + 1..range.end.saturating_sub(1);
                if text[inner.clone()].contains('\'') || text[inner.clone()].contains('\\') {
                    unreadable = Some(
                        "a routine body in a single-quoted string with escapes is not read: write it between dollar quotes (`$$ … $$`)"
                            .to_string(),
                    );
                }
                body = Some(inner);
            }
            _ => {}
        }
        i += 1;
    }
    let language = match language.as_deref() {
        None if anonymous => Language::PlPgSql,
        None => return None,
        Some("plpgsql") => Language::PlPgSql,
        Some("sql") => Language::Sql,
        Some(other) => Language::Other(other.to_string()),
    };
    Some(Routine {
        body: body?,
        language,
        anonymous,
        params,
        trigger,
        unreadable,
    })
}

/// `AS 'body'` or `DO 'body'`.
fn follows_as_or_do(tokens: &[(Token, Range<usize>)], i: usize) -> bool {
    i > 0 && matches!(keyword(&tokens[i - 1].0), Keyword::AS | Keyword::DO)
}

/// The names in a parameter list `(a uuid, OUT b int, VARIADIC c text[] DEFAULT …)`
/// that starts at token `open`: a parameter with a name has at least two words before
/// any default.
fn parameter_names(tokens: &[(Token, Range<usize>)], open: usize) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0usize;
    let mut current: Vec<&Token> = Vec::new();
    let mut finish = |current: &mut Vec<&Token>| {
        let mut words = current.iter().copied().skip_while(|t| {
            matches!(
                keyword(t),
                Keyword::IN | Keyword::OUT | Keyword::INOUT | Keyword::VARIADIC
            )
        });
        if let (Some(Token::Word(name)), Some(Token::Word(_))) = (words.next(), words.next()) {
            names.push(if name.quote_style.is_some() {
                name.value.clone()
            } else {
                name.value.to_ascii_lowercase()
            });
        }
        current.clear();
    };
    for (token, _) in &tokens[open..] {
        match token {
            Token::LParen => {
                depth += 1;
                if depth == 1 {
                    continue;
                }
            }
            Token::RParen => {
                depth -= 1;
                if depth == 0 {
                    finish(&mut current);
                    break;
                }
            }
            Token::Comma if depth == 1 => {
                finish(&mut current);
                continue;
            }
            _ => {}
        }
        if depth >= 1 {
            current.push(token);
        }
    }
    names
}

/// Keywords that start a query.
const QUERY_KEYWORDS: [Keyword; 7] = [
    Keyword::SELECT,
    Keyword::INSERT,
    Keyword::UPDATE,
    Keyword::DELETE,
    Keyword::MERGE,
    Keyword::VALUES,
    Keyword::TRUNCATE,
];

fn holds_query(tokens: &[(Token, Range<usize>)]) -> bool {
    tokens
        .iter()
        .any(|(t, _)| QUERY_KEYWORDS.contains(&keyword(t)))
}

/// The statements of a `LANGUAGE sql` body: its `;`-separated statements.
pub fn sql_pieces(body: &str) -> Vec<Piece> {
    let Some(tokens) = tokens(body) else {
        return vec![Piece {
            range: 0..body.len(),
            form: Form::Unreadable("the routine body does not tokenize"),
        }];
    };
    let mut out = Vec::new();
    for statement in tokens.split(|(t, _)| matches!(t, Token::SemiColon)) {
        if let (Some(first), Some(last)) = (statement.first(), statement.last()) {
            out.push(Piece {
                range: first.1.start..last.1.end,
                form: Form::Statement,
            });
        }
    }
    out
}

/// The SQL pieces of a PL/pgSQL body.
pub fn pieces(body: &str) -> Vec<Piece> {
    let Some(tokens) = tokens(body) else {
        return vec![Piece {
            range: 0..body.len(),
            form: Form::Unreadable("the routine body does not tokenize"),
        }];
    };
    let mut reader = Reader {
        tokens: &tokens,
        out: Vec::new(),
        declaring: false,
    };
    let mut start = 0;
    let mut depth = 0usize;
    for (i, (token, _)) in tokens.iter().enumerate() {
        match token {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            Token::SemiColon if depth == 0 => {
                reader.statement(start, i);
                start = i + 1;
            }
            _ => {}
        }
    }
    reader.statement(start, tokens.len());
    reader.out
}

struct Reader<'t> {
    tokens: &'t [(Token, Range<usize>)],
    out: Vec<Piece>,
    /// Inside a `DECLARE` section (until its `BEGIN`).
    declaring: bool,
}

impl Reader<'_> {
    fn push(&mut self, from: usize, to: usize, form: Form) {
        if from < to {
            self.out.push(Piece {
                range: self.tokens[from].1.start..self.tokens[to - 1].1.end,
                form,
            });
        }
    }

    /// An expression: a piece only when it holds a query.
    fn expression(&mut self, from: usize, to: usize) {
        if from < to && holds_query(&self.tokens[from..to]) {
            self.push(from, to, Form::Expression);
        }
    }

    /// The position of the first token in `from..to` that is the word `w` at
    /// parenthesis depth 0, or `to`.
    fn find(&self, from: usize, to: usize, w: &str) -> usize {
        let mut depth = 0usize;
        for i in from..to {
            match &self.tokens[i].0 {
                Token::LParen | Token::LBracket => depth += 1,
                Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
                t if depth == 0 && is_word(t, w) => return i,
                _ => {}
            }
        }
        to
    }

    fn is(&self, i: usize, w: &str) -> bool {
        self.tokens.get(i).is_some_and(|(t, _)| is_word(t, w))
    }

    /// Reads the tokens `from..to` (one `;`-terminated PL/pgSQL statement, which may
    /// begin with block structure: labels, `DECLARE`, `BEGIN`, `THEN`, `ELSE`, `LOOP`).
    fn statement(&mut self, mut from: usize, to: usize) {
        while from < to {
            if matches!(self.tokens[from].0, Token::ShiftLeft) {
                // `<<label>>`
                from = (from..to)
                    .find(|&i| matches!(self.tokens[i].0, Token::ShiftRight))
                    .map_or(to, |i| i + 1);
            } else if self.is(from, "declare") {
                self.declaring = true;
                from += 1;
            } else if self.is(from, "begin") {
                self.declaring = false;
                from += 1;
            } else if self.is(from, "else") || self.is(from, "loop") {
                from += 1;
            } else if self.is(from, "exception") {
                // `EXCEPTION WHEN cond THEN …`
                from = self.find(from, to, "then").min(to - 1) + 1;
            } else if ["if", "elsif", "elseif", "when"]
                .iter()
                .any(|w| self.is(from, w))
            {
                let then = self.find(from + 1, to, "then");
                self.expression(from + 1, then);
                from = then + 1;
            } else if self.is(from, "while") {
                let lp = self.find(from + 1, to, "loop");
                self.expression(from + 1, lp);
                from = lp + 1;
            } else if self.is(from, "case") {
                let when = self.find(from + 1, to, "when");
                self.expression(from + 1, when);
                from = when;
            } else if self.is(from, "for") || self.is(from, "foreach") {
                from = self.for_loop(from, to);
            } else if self.is(from, "end") {
                return;
            } else {
                break;
            }
        }
        if from >= to {
            return;
        }
        if self.declaring {
            return self.declaration(from, to);
        }
        self.simple(from, to);
    }

    /// `FOR r IN <query> LOOP`, `FOR i IN 1..n LOOP`, `FOREACH x IN ARRAY e LOOP`:
    /// reads the loop's source and returns where its body starts.
    fn for_loop(&mut self, from: usize, to: usize) -> usize {
        let lp = self.find(from + 1, to, "loop");
        let Some(in_at) = (from + 1..lp).find(|&i| self.is(i, "in")) else {
            return lp + 1;
        };
        let mut source = in_at + 1;
        if source < lp && self.is(source, "reverse") {
            source += 1;
        }
        if ["select", "with", "values", "table"]
            .iter()
            .any(|w| self.is(source, w))
        {
            self.push(source, lp, Form::Statement);
        } else if self.is(source, "execute") {
            self.push(source, lp, Form::Dynamic);
        } else {
            self.expression(source, lp);
        }
        lp + 1
    }

    /// A declaration `name [CONSTANT] type [NOT NULL] [:= | DEFAULT expr]`, or a cursor
    /// `name CURSOR [(args)] FOR query`.
    fn declaration(&mut self, from: usize, to: usize) {
        if let Some(cursor) = (from..to).find(|&i| self.is(i, "cursor")) {
            let query = self.find(cursor, to, "for");
            return self.push(query + 1, to, Form::Statement);
        }
        let value = (from..to).find(|&i| {
            matches!(self.tokens[i].0, Token::Assignment | Token::Eq) || self.is(i, "default")
        });
        if let Some(value) = value {
            self.expression(value + 1, to);
        }
    }

    /// A statement without block structure in front.
    fn simple(&mut self, from: usize, to: usize) {
        const STATEMENTS: [&str; 14] = [
            "select", "with", "insert", "update", "delete", "merge", "truncate", "values", "table",
            "lock", "copy", "create", "alter", "drop",
        ];
        if STATEMENTS.iter().any(|w| self.is(from, w)) {
            self.push(from, to, Form::Statement);
        } else if self.is(from, "perform") {
            self.push(from, to, Form::Perform);
        } else if self.is(from, "execute") {
            self.push(from, to, Form::Dynamic);
        } else if self.is(from, "return") {
            let next = from + 1;
            if next < to && self.is(next, "query") {
                if self.is(next + 1, "execute") {
                    self.push(next + 1, to, Form::Dynamic);
                } else {
                    self.push(next + 1, to, Form::Statement);
                }
            } else if self.is(next, "next") {
                self.expression(next + 1, to);
            } else {
                self.expression(next, to);
            }
        } else if self.is(from, "open") {
            let query = self.find(from, to, "for");
            if self.is(query + 1, "execute") {
                self.push(query + 1, to, Form::Dynamic);
            } else if query + 1 < to {
                self.push(query + 1, to, Form::Statement);
            }
        } else if self.is(from, "exit") || self.is(from, "continue") {
            let when = self.find(from, to, "when");
            self.expression((when + 1).min(to), to);
        } else if let Some(at) = self.assignment(from, to) {
            // `target := value` / `target = value`
            self.expression(at + 1, to);
        } else if holds_query(&self.tokens[from..to]) {
            // RAISE, GET DIAGNOSTICS, NULL, COMMIT, CALL, FETCH, CLOSE, …: no SQL of
            // their own, unless a query hides in an argument.
            self.push(
                from,
                to,
                Form::Unreadable("a query inside this PL/pgSQL statement is not read"),
            );
        }
    }

    /// The position of `:=` (or `=`) after an assignment target (`x`, `r.f`, `a[1]`).
    fn assignment(&self, from: usize, to: usize) -> Option<usize> {
        let mut i = from;
        let mut depth = 0usize;
        while i < to {
            match &self.tokens[i].0 {
                Token::Word(_) | Token::Period if depth == 0 => {}
                Token::LBracket => depth += 1,
                Token::RBracket => depth = depth.saturating_sub(1),
                Token::Assignment | Token::Eq if depth == 0 && i > from => return Some(i),
                _ if depth > 0 => {}
                _ => return None,
            }
            i += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: &str) -> Vec<(String, Form)> {
        pieces(body)
            .into_iter()
            .map(|p| (body[p.range].to_string(), p.form))
            .collect()
    }

    #[test]
    fn a_function_body_and_its_parameters_are_found() {
        let text = "CREATE OR REPLACE FUNCTION f(p_tenant uuid, OUT n int) RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN RETURN NEW; END $fn$";
        let routine = routine(text).unwrap();
        assert_eq!(&text[routine.body.clone()], " BEGIN RETURN NEW; END ");
        assert_eq!(routine.params, ["p_tenant", "n"]);
        assert!(routine.trigger);
        assert_eq!(routine.language, Language::PlPgSql);
        let text = "DO $$ BEGIN PERFORM 1; END $$";
        let routine = super::routine(text).unwrap();
        assert!(routine.anonymous);
        assert_eq!(&text[routine.body], " BEGIN PERFORM 1; END ");
    }

    #[test]
    fn statements_conditions_and_loops_are_read() {
        let body = "
DECLARE
  n int := (SELECT count(*) FROM job);
  m int := 0;
BEGIN
  SELECT id INTO n FROM job WHERE client_id = p;
  IF EXISTS (SELECT 1 FROM job) THEN
    UPDATE job SET x = 1 WHERE client_id = p;
  ELSIF m > 1 THEN
    m := 2;
  END IF;
  FOR r IN SELECT * FROM job LOOP
    PERFORM pg_notify('c', r.id);
  END LOOP;
  EXECUTE format('DELETE FROM %I', t);
  RAISE NOTICE 'done %', n;
  RETURN QUERY SELECT * FROM job;
EXCEPTION WHEN others THEN
  DELETE FROM job WHERE id = 1;
END";
        let got = read(body);
        let forms: Vec<(&str, &Form)> = got.iter().map(|(t, f)| (t.as_str(), f)).collect();
        assert_eq!(
            forms,
            [
                ("(SELECT count(*) FROM job)", &Form::Expression),
                (
                    "SELECT id INTO n FROM job WHERE client_id = p",
                    &Form::Statement
                ),
                ("EXISTS (SELECT 1 FROM job)", &Form::Expression),
                ("UPDATE job SET x = 1 WHERE client_id = p", &Form::Statement),
                ("SELECT * FROM job", &Form::Statement),
                ("PERFORM pg_notify('c', r.id)", &Form::Perform),
                ("EXECUTE format('DELETE FROM %I', t)", &Form::Dynamic),
                ("SELECT * FROM job", &Form::Statement),
                ("DELETE FROM job WHERE id = 1", &Form::Statement),
            ]
        );
    }

    #[test]
    fn a_query_the_reader_cannot_place_is_reported() {
        let got = read("BEGIN RAISE NOTICE '%', (SELECT count(*) FROM job); END");
        assert!(
            matches!(got.as_slice(), [(_, Form::Unreadable(_))]),
            "{got:?}"
        );
    }

    #[test]
    fn other_statements_are_not_routines() {
        assert!(routine("SELECT 1").is_none());
        assert!(routine("CREATE TABLE t (a int)").is_none());
        let c = routine("CREATE FUNCTION f() RETURNS int LANGUAGE c AS 'lib', 'f'").unwrap();
        assert_eq!(c.language, Language::Other("c".into()));
    }
}
