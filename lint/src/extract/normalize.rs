//! Token rewrites that let sqlparser read what the configured database (or the query
//! tool in front of it) accepts and sqlparser does not. Every rewrite keeps the
//! positions of the tokens it keeps, so findings still point into the file.
//!
//! - Query-tool parameters become bind parameters: sqlc's `@name` (PostgreSQL and the
//!   generic dialect), and `sqlc.arg(name)`, `sqlc.narg(name)`, `sqlc.slice(name)` in
//!   every dialect.
//! - PostgreSQL syntax sqlparser does not know, where dropping a word changes nothing
//!   the engine looks at: `DROP INDEX CONCURRENTLY`, the `INCLUDING …` / `EXCLUDING …`
//!   options of `CREATE TABLE … (LIKE t …)`.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Span, Token, TokenWithSpan, Word};

use crate::extract::parse::Embedded;
use crate::extract::plpgsql::Form;
use crate::model::dialect::Dialect;

/// The sqlc macros that stand for a parameter.
const SQLC_MACROS: [&str; 3] = ["arg", "narg", "slice"];

/// Rewrites `tokens` (whitespace included) in place.
pub fn normalize(tokens: &mut Vec<TokenWithSpan>, dialect: Dialect) {
    if !tokens.iter().any(needs_a_look) {
        return;
    }
    sqlc_macros(tokens);
    if matches!(dialect, Dialect::Postgres | Dialect::Generic) {
        at_parameters(tokens, dialect);
    }
    if dialect == Dialect::Postgres {
        question_parameters(tokens);
        lock_clauses(tokens);
        drop_index_concurrently(tokens);
        like_options(tokens);
        column_storage_options(tokens);
        insert_select_on_conflict(tokens);
    }
}

fn needs_a_look(token: &TokenWithSpan) -> bool {
    match &token.token {
        Token::AtSign | Token::Question => true,
        Token::Word(w) => {
            w.value.starts_with('@')
                || w.value.eq_ignore_ascii_case("sqlc")
                || w.value.eq_ignore_ascii_case("compression")
                || w.value.eq_ignore_ascii_case("identity")
                || w.value.eq_ignore_ascii_case("statistics")
                || w.value.eq_ignore_ascii_case("storage")
                || w.keyword == Keyword::FOR
                || matches!(
                    w.keyword,
                    Keyword::CONCURRENTLY
                        | Keyword::INCLUDING
                        | Keyword::EXCLUDING
                        | Keyword::CONFLICT
                )
        }
        _ => false,
    }
}

fn is_word(token: &Token, text: &str) -> bool {
    word(token).is_some_and(|w| w.quote_style.is_none() && w.value.eq_ignore_ascii_case(text))
}

fn is_blank(token: &Token) -> bool {
    matches!(token, Token::Whitespace(_))
}

/// The index of the next token after `i` that is not whitespace.
fn next_significant(tokens: &[TokenWithSpan], i: usize) -> Option<usize> {
    (i + 1..tokens.len()).find(|&j| !is_blank(&tokens[j].token))
}

fn previous_significant(tokens: &[TokenWithSpan], i: usize) -> Option<usize> {
    (0..i).rev().find(|&j| !is_blank(&tokens[j].token))
}

fn word(token: &Token) -> Option<&Word> {
    match token {
        Token::Word(w) => Some(w),
        _ => None,
    }
}

fn placeholder(text: String, span: Span) -> TokenWithSpan {
    TokenWithSpan::new(Token::Placeholder(text), span)
}

/// `sqlc.arg(name)`, `sqlc.narg('name')`, `sqlc.slice(name)`: one bind parameter, named
/// as written (`sqlc.arg(name)`).
fn sqlc_macros(tokens: &mut Vec<TokenWithSpan>) {
    let mut i = 0;
    while i < tokens.len() {
        let is_sqlc = word(&tokens[i].token)
            .is_some_and(|w| w.quote_style.is_none() && w.value.eq_ignore_ascii_case("sqlc"));
        if !is_sqlc {
            i += 1;
            continue;
        }
        // sqlc . macro ( name ) with no blanks inside, as sqlc writes it.
        let parts = (i + 1..i + 6).all(|j| j < tokens.len());
        let rewritten = parts
            .then(|| {
                let dot = matches!(tokens[i + 1].token, Token::Period);
                let name = word(&tokens[i + 2].token).filter(|w| {
                    SQLC_MACROS
                        .iter()
                        .any(|m| w.quote_style.is_none() && w.value.eq_ignore_ascii_case(m))
                })?;
                let open = matches!(tokens[i + 3].token, Token::LParen);
                let argument = match &tokens[i + 4].token {
                    Token::Word(w) => w.value.clone(),
                    Token::SingleQuotedString(s) => s.clone(),
                    _ => return None,
                };
                let close = matches!(tokens[i + 5].token, Token::RParen);
                (dot && open && close)
                    .then(|| format!("sqlc.{}({argument})", name.value.to_ascii_lowercase()))
            })
            .flatten();
        match rewritten {
            Some(text) => {
                let span = tokens[i].span.union(&tokens[i + 5].span);
                tokens.splice(i..i + 6, [placeholder(text, span)]);
            }
            None => i += 1,
        }
    }
}

/// sqlc's `@name`: an `@` right before a name, where a value is expected (after an
/// operator, a comma, a parenthesis or a keyword), is a bind parameter. PostgreSQL's
/// own prefix `@` (absolute value) is written with a space or on a number.
fn at_parameters(tokens: &mut Vec<TokenWithSpan>, dialect: Dialect) {
    let mut i = 0;
    while i < tokens.len() {
        if dialect == Dialect::Generic
            && let Token::Word(w) = &tokens[i].token
            && w.quote_style.is_none()
            && w.value.len() > 1
            && w.value.starts_with('@')
            && !w.value.starts_with("@@")
        {
            let text = w.value.clone();
            tokens[i] = placeholder(text, tokens[i].span);
            i += 1;
            continue;
        }
        if !matches!(tokens[i].token, Token::AtSign) || i + 1 >= tokens.len() {
            i += 1;
            continue;
        }
        let Some(name) = word(&tokens[i + 1].token).filter(|w| w.quote_style.is_none()) else {
            i += 1;
            continue;
        };
        let value_expected =
            previous_significant(tokens, i).is_none_or(|p| value_follows(&tokens[p].token));
        if !value_expected {
            i += 1;
            continue;
        }
        let text = format!("@{}", name.value);
        let span = tokens[i].span.union(&tokens[i + 1].span);
        tokens.splice(i..i + 2, [placeholder(text, span)]);
        i += 1;
    }
}

/// Whether a value is expected after `token`: after an operator, a comma, an opening
/// parenthesis, or a keyword that introduces one (`WHERE`, `AND`, `VALUES`, `THEN`, …).
/// After a name (keywords included: `data`, `name` and `value` are column names too),
/// a literal or a closing parenthesis, a value has just ended.
fn value_follows(token: &Token) -> bool {
    match token {
        Token::Word(w) => {
            w.quote_style.is_none()
                && matches!(
                    w.keyword,
                    Keyword::SELECT
                        | Keyword::WHERE
                        | Keyword::AND
                        | Keyword::OR
                        | Keyword::NOT
                        | Keyword::ON
                        | Keyword::SET
                        | Keyword::VALUES
                        | Keyword::WHEN
                        | Keyword::THEN
                        | Keyword::ELSE
                        | Keyword::IN
                        | Keyword::BETWEEN
                        | Keyword::LIKE
                        | Keyword::ILIKE
                        | Keyword::RETURNING
                        | Keyword::HAVING
                        | Keyword::BY
                        | Keyword::LIMIT
                        | Keyword::OFFSET
                        | Keyword::CASE
                        | Keyword::ANY
                        | Keyword::ALL
                        | Keyword::SOME
                        | Keyword::IS
                        | Keyword::DISTINCT
                        | Keyword::FROM
                        | Keyword::EXISTS
                        | Keyword::ARRAY
                )
        }
        Token::RParen
        | Token::RBracket
        | Token::Number(..)
        | Token::SingleQuotedString(_)
        | Token::DollarQuotedString(_)
        | Token::Placeholder(_)
        | Token::DoubleColon => false,
        _ => true,
    }
}

/// `?` and `?1` where a value is expected: a bind parameter of SQL written for SQLite or
/// MySQL beside PostgreSQL's (a service that runs on both). PostgreSQL's own `?` is a
/// JSON operator, which follows a value.
fn question_parameters(tokens: &mut Vec<TokenWithSpan>) {
    let mut i = 0;
    while i < tokens.len() {
        if !matches!(tokens[i].token, Token::Question) {
            i += 1;
            continue;
        }
        let value_expected =
            previous_significant(tokens, i).is_none_or(|p| value_follows(&tokens[p].token));
        if !value_expected {
            i += 1;
            continue;
        }
        let numbered = match tokens.get(i + 1).map(|t| &t.token) {
            Some(Token::Number(n, _)) if n.chars().all(|c| c.is_ascii_digit()) => Some(n.clone()),
            _ => None,
        };
        match numbered {
            Some(n) => {
                let span = tokens[i].span.union(&tokens[i + 1].span);
                tokens.splice(i..i + 2, [placeholder(format!("?{n}"), span)]);
            }
            None => {
                let span = tokens[i].span;
                tokens[i] = placeholder("?".to_string(), span);
            }
        }
        i += 1;
    }
}

/// `FOR NO KEY UPDATE`, `FOR KEY SHARE` and `FOR UPDATE OF a, b`: row locks, which the
/// engine does not model beyond noting them, read as `FOR UPDATE` / `FOR SHARE` `OF a`.
fn lock_clauses(tokens: &mut Vec<TokenWithSpan>) {
    let mut i = 0;
    while i < tokens.len() {
        if !is_word(&tokens[i].token, "for") {
            i += 1;
            continue;
        }
        let mut j = next_significant(tokens, i);
        // `NO KEY UPDATE` / `KEY SHARE`: drop the `NO` and `KEY`.
        while let Some(k) = j
            && (is_word(&tokens[k].token, "no") || is_word(&tokens[k].token, "key"))
        {
            tokens.remove(k);
            j = next_significant_from(tokens, k);
        }
        let Some(mode) = j
            .filter(|&k| is_word(&tokens[k].token, "update") || is_word(&tokens[k].token, "share"))
        else {
            i += 1;
            continue;
        };
        if let Some(of) =
            next_significant(tokens, mode).filter(|&k| is_word(&tokens[k].token, "of"))
        {
            // Keep the first name (with its qualifiers), drop `, name` after it.
            let mut k = next_significant(tokens, of);
            while let Some(at) = k {
                match tokens
                    .get(next_significant(tokens, at).unwrap_or(tokens.len()))
                    .map(|t| &t.token)
                {
                    Some(Token::Period) => {
                        k = next_significant(tokens, at).and_then(|p| next_significant(tokens, p))
                    }
                    _ => break,
                }
            }
            if let Some(last) = k {
                while let Some(comma) = next_significant(tokens, last)
                    .filter(|&c| matches!(tokens[c].token, Token::Comma))
                {
                    let Some(name) = next_significant(tokens, comma) else {
                        break;
                    };
                    let mut end = name;
                    while let Some(dot) = next_significant(tokens, end)
                        .filter(|&d| matches!(tokens[d].token, Token::Period))
                    {
                        end = next_significant(tokens, dot).unwrap_or(dot);
                    }
                    tokens.drain(last + 1..=end);
                }
            }
        }
        i = mode + 1;
    }
}

/// `DROP INDEX CONCURRENTLY …`: the same index is dropped.
fn drop_index_concurrently(tokens: &mut Vec<TokenWithSpan>) {
    let significant: Vec<usize> = (0..tokens.len())
        .filter(|&i| !is_blank(&tokens[i].token))
        .take(3)
        .collect();
    let keyword = |i: usize| word(&tokens[i].token).map(|w| w.keyword);
    if let [a, b, c] = significant.as_slice()
        && keyword(*a) == Some(Keyword::DROP)
        && keyword(*b) == Some(Keyword::INDEX)
        && keyword(*c) == Some(Keyword::CONCURRENTLY)
    {
        tokens.remove(*c);
    }
}

/// `(LIKE t INCLUDING ALL EXCLUDING COMMENTS)`: sqlparser reads only `INCLUDING
/// DEFAULTS`; the schema copies keys and indexes when anything is included (see
/// `Schema::create_table`), so every option but the first `INCLUDING` is dropped and
/// that one is read as `INCLUDING DEFAULTS`.
fn like_options(tokens: &mut Vec<TokenWithSpan>) {
    let mut i = 0;
    let mut in_like = false;
    let mut kept_including = false;
    while i < tokens.len() {
        match word(&tokens[i].token).map(|w| w.keyword) {
            Some(Keyword::LIKE) => {
                in_like = previous_significant(tokens, i)
                    .is_some_and(|p| matches!(tokens[p].token, Token::LParen | Token::Comma));
                kept_including = false;
                i += 1;
            }
            Some(Keyword::INCLUDING | Keyword::EXCLUDING) if in_like => {
                let including =
                    word(&tokens[i].token).map(|w| w.keyword) == Some(Keyword::INCLUDING);
                let Some(option) = next_significant(tokens, i) else {
                    i += 1;
                    continue;
                };
                if including && !kept_including {
                    kept_including = true;
                    let span = tokens[option].span;
                    tokens[option] = TokenWithSpan::new(Token::make_keyword("DEFAULTS"), span);
                    i = option + 1;
                } else {
                    tokens.drain(i..=option);
                }
            }
            _ => {
                if matches!(tokens[i].token, Token::RParen | Token::Comma) {
                    in_like = false;
                }
                i += 1;
            }
        }
    }
}

/// Reads a statement of a routine body as the routine runs it (see
/// [`crate::extract::plpgsql`]): `PERFORM` as `SELECT`, an expression as `SELECT
/// <expression>`, without PL/pgSQL's `INTO` targets; the routine's parameters as bind
/// parameters (`:name`), and a trigger's `NEW.col` / `OLD.col` as the written row's
/// values (placeholders the configuration reads, see `Config::is_tenant_param`).
pub fn plpgsql(tokens: &mut Vec<TokenWithSpan>, embedded: &Embedded) {
    let Some(first) = tokens.iter().position(|t| !is_blank(&t.token)) else {
        return;
    };
    match embedded.form {
        Form::Perform => {
            let span = tokens[first].span;
            tokens[first] = TokenWithSpan::new(Token::make_keyword("SELECT"), span);
        }
        Form::Expression => {
            let at = tokens[first].span.start;
            tokens.insert(
                first,
                TokenWithSpan::new(Token::make_keyword("SELECT"), Span::new(at, at)),
            );
        }
        _ => {}
    }
    drop_into_targets(tokens);
    if embedded.trigger {
        row_values(tokens);
    }
    if !embedded.params.is_empty() {
        parameters(tokens, &embedded.params);
    }
}

/// `SELECT a INTO [STRICT] x, y FROM …`, `SELECT … FOR UPDATE INTO x` and `…
/// RETURNING id INTO x`: PL/pgSQL's result targets, which are not part of the query.
/// Any `INTO` at the top level but `INSERT INTO` / `MERGE INTO` is one.
fn drop_into_targets(tokens: &mut Vec<TokenWithSpan>) {
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i].token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            Token::Word(w) if depth == 0 && w.keyword == Keyword::INTO => {
                let writes = previous_significant(tokens, i).is_some_and(|p| {
                    word(&tokens[p].token)
                        .is_some_and(|w| matches!(w.keyword, Keyword::INSERT | Keyword::MERGE))
                });
                if !writes {
                    let end = into_targets_end(tokens, i);
                    tokens.drain(i..end);
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// Where the targets after `INTO` at `into` end: `[STRICT] name[.name] {, name[.name]}`.
fn into_targets_end(tokens: &[TokenWithSpan], into: usize) -> usize {
    let mut i = into + 1;
    let mut expect_name = true;
    while i < tokens.len() {
        match &tokens[i].token {
            Token::Whitespace(_) => {}
            Token::Word(w) if w.keyword == Keyword::STRICT && i == into + 2 => {}
            Token::Word(w)
                if expect_name
                    && !matches!(
                        w.keyword,
                        Keyword::FROM | Keyword::WHERE | Keyword::GROUP | Keyword::ORDER
                    ) =>
            {
                expect_name = false;
            }
            Token::Period if !expect_name => expect_name = true,
            Token::Comma if !expect_name => expect_name = true,
            _ => return i,
        }
        i += 1;
    }
    i
}

/// A trigger function's `NEW.col` / `OLD.col`, as one placeholder.
fn row_values(tokens: &mut Vec<TokenWithSpan>) {
    let mut i = 0;
    while i + 2 < tokens.len() {
        let row = word(&tokens[i].token).filter(|w| {
            w.quote_style.is_none()
                && (w.value.eq_ignore_ascii_case("new") || w.value.eq_ignore_ascii_case("old"))
        });
        let follows = previous_significant(tokens, i)
            .is_some_and(|p| matches!(tokens[p].token, Token::Period));
        if let (Some(row), false, Token::Period, Token::Word(column)) =
            (row, follows, &tokens[i + 1].token, &tokens[i + 2].token)
        {
            let text = format!("{}.{}", row.value.to_ascii_uppercase(), column.value);
            let span = tokens[i].span.union(&tokens[i + 2].span);
            tokens.splice(i..i + 3, [placeholder(text, span)]);
        }
        i += 1;
    }
}

/// A routine's parameters, where its SQL reads them as values: not as a qualified
/// name's part, a function, an `INSERT` column list, a `SET` target or an alias.
fn parameters(tokens: &mut [TokenWithSpan], params: &[String]) {
    let mut insert_columns = false;
    let mut depth = 0usize;
    let mut column_list_depth = None;
    for i in 0..tokens.len() {
        match &tokens[i].token {
            Token::LParen => {
                depth += 1;
                if insert_columns && column_list_depth.is_none() {
                    column_list_depth = Some(depth);
                }
            }
            Token::RParen => {
                if column_list_depth == Some(depth) {
                    column_list_depth = None;
                    insert_columns = false;
                }
                depth = depth.saturating_sub(1);
            }
            Token::Word(w) if w.keyword == Keyword::INTO => {
                insert_columns = previous_significant(tokens, i).is_some_and(|p| {
                    word(&tokens[p].token).is_some_and(|w| w.keyword == Keyword::INSERT)
                });
            }
            Token::Word(w) if w.keyword == Keyword::VALUES || w.keyword == Keyword::SELECT => {
                insert_columns = false;
            }
            Token::Word(w) if column_list_depth.is_none() => {
                let name = if w.quote_style.is_some() {
                    w.value.clone()
                } else {
                    w.value.to_ascii_lowercase()
                };
                if !params.contains(&name) {
                    continue;
                }
                let prev = previous_significant(tokens, i).map(|p| &tokens[p].token);
                let next = next_significant(tokens, i).map(|n| &tokens[n].token);
                let qualified = matches!(prev, Some(Token::Period))
                    || matches!(next, Some(Token::Period | Token::LParen));
                let target_or_alias = matches!(
                    prev,
                    Some(Token::Word(p)) if matches!(p.keyword, Keyword::SET | Keyword::AS)
                ) || (matches!(prev, Some(Token::Comma))
                    && matches!(next, Some(Token::Eq)));
                if !qualified && !target_or_alias {
                    let span = tokens[i].span;
                    tokens[i] = placeholder(format!(":{name}"), span);
                }
            }
            _ => {}
        }
    }
}

/// Column storage settings the engine does not model: `… text COMPRESSION lz4` in a
/// column definition is dropped; `ALTER COLUMN c SET STATISTICS n | SET STORAGE s |
/// SET COMPRESSION m | DROP IDENTITY [IF EXISTS]` is read as `ALTER COLUMN c DROP
/// DEFAULT`, which changes nothing the engine looks at either.
fn column_storage_options(tokens: &mut Vec<TokenWithSpan>) {
    let mut i = 0;
    while i < tokens.len() {
        let Some(next) = next_significant(tokens, i) else {
            break;
        };
        let here = &tokens[i].token;
        let after_column = previous_significant(tokens, i)
            .and_then(|p| previous_significant(tokens, p))
            .is_some_and(|p| is_word(&tokens[p].token, "column"));
        if is_word(here, "compression") && !after_column {
            let before_set =
                previous_significant(tokens, i).is_some_and(|p| is_word(&tokens[p].token, "set"));
            if !before_set {
                tokens.drain(i..=next);
                continue;
            }
        }
        // `ALTER COLUMN c` then the option.
        let option_start = previous_significant(tokens, i)
            .and_then(|p| previous_significant(tokens, p))
            .is_some_and(|p| is_word(&tokens[p].token, "column"));
        if option_start {
            let set_option = is_word(here, "set")
                && ["statistics", "storage", "compression"]
                    .iter()
                    .any(|w| is_word(&tokens[next].token, w));
            let drop_identity = is_word(here, "drop") && is_word(&tokens[next].token, "identity");
            if set_option || drop_identity {
                // The option's value (`100`, `external`, `IF EXISTS`) goes too.
                let mut end = next;
                let value_words = if drop_identity { 2 } else { 1 };
                for _ in 0..value_words {
                    match next_significant(tokens, end) {
                        Some(v)
                            if !matches!(tokens[v].token, Token::Comma | Token::SemiColon)
                                && (!drop_identity
                                    || is_word(&tokens[v].token, "if")
                                    || is_word(&tokens[v].token, "exists")) =>
                        {
                            end = v
                        }
                        _ => break,
                    }
                }
                let span = tokens[i].span;
                let span_end = tokens[next].span;
                tokens.splice(
                    i..=end,
                    [
                        TokenWithSpan::new(Token::make_keyword("DROP"), span),
                        TokenWithSpan::new(
                            Token::Whitespace(sqlparser::tokenizer::Whitespace::Space),
                            span,
                        ),
                        TokenWithSpan::new(Token::make_keyword("DEFAULT"), span_end),
                    ],
                );
            }
        }
        i += 1;
    }
}

/// `INSERT INTO t (…) SELECT a, b ON CONFLICT …`: PostgreSQL reads the `ON` as the
/// upsert clause, sqlparser as a join's; with no `FROM` or `WHERE` in the `SELECT`,
/// the `SELECT` is put in parentheses, which means the same. `ON CONFLICT (a,
/// lower(b))` (an expression index) is read as the columns it covers, `(a, b)`.
fn insert_select_on_conflict(tokens: &mut Vec<TokenWithSpan>) {
    let Some(first) = next_significant_from(tokens, 0) else {
        return;
    };
    if !is_word(&tokens[first].token, "insert") {
        return;
    }
    let mut depth = 0usize;
    let mut select = None;
    let mut has_clause = false;
    let mut on = None;
    for i in first..tokens.len() {
        match &tokens[i].token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            t if depth == 0 && select.is_none() && is_word(t, "select") => select = Some(i),
            t if depth == 0 && select.is_some() && (is_word(t, "from") || is_word(t, "where")) => {
                has_clause = true
            }
            t if depth == 0
                && is_word(t, "on")
                && next_significant(tokens, i)
                    .is_some_and(|n| is_word(&tokens[n].token, "conflict")) =>
            {
                on = Some(i);
                break;
            }
            _ => {}
        }
    }
    let Some(on) = on else {
        return;
    };
    conflict_target_columns(tokens, on);
    if let (Some(select), false) = (select, has_clause) {
        let at = tokens[select].span;
        let before_on = tokens[on].span;
        tokens.insert(
            on,
            TokenWithSpan::new(Token::RParen, Span::new(before_on.start, before_on.start)),
        );
        tokens.insert(
            select,
            TokenWithSpan::new(Token::LParen, Span::new(at.start, at.start)),
        );
    }
}

fn next_significant_from(tokens: &[TokenWithSpan], from: usize) -> Option<usize> {
    (from..tokens.len()).find(|&j| !is_blank(&tokens[j].token))
}

/// In `ON CONFLICT (a, f(b))`, each `f(b)` becomes `b`.
fn conflict_target_columns(tokens: &mut Vec<TokenWithSpan>, on: usize) {
    let Some(conflict) = next_significant(tokens, on) else {
        return;
    };
    let Some(open) =
        next_significant(tokens, conflict).filter(|&o| matches!(tokens[o].token, Token::LParen))
    else {
        return;
    };
    let mut i = open + 1;
    while i < tokens.len() {
        match tokens[i].token {
            Token::RParen => return,
            Token::Word(_) => {
                // `f ( b )` with a single word inside: keep `b`.
                if let Some(p) = next_significant(tokens, i)
                    .filter(|&p| matches!(tokens[p].token, Token::LParen))
                    && let Some(inner) = next_significant(tokens, p)
                    && matches!(tokens[inner].token, Token::Word(_))
                    && let Some(close) = next_significant(tokens, inner)
                    && matches!(tokens[close].token, Token::RParen)
                {
                    let column = tokens[inner].clone();
                    tokens.splice(i..=close, [column]);
                }
            }
            _ => {}
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::tokenizer::Tokenizer;

    fn normalized(sql: &str, dialect: Dialect) -> String {
        let mut tokens = Tokenizer::new(dialect.parser(), sql)
            .tokenize_with_location()
            .unwrap();
        normalize(&mut tokens, dialect);
        tokens.iter().map(|t| t.token.to_string()).collect()
    }

    #[test]
    fn sqlc_at_names_are_parameters_where_a_value_is_expected() {
        assert_eq!(
            normalized(
                "tenant_id = @tenant_id::uuid AND x = ANY(@ids)",
                Dialect::Postgres
            ),
            "tenant_id = @tenant_id::uuid AND x = ANY(@ids)"
        );
        let mut tokens = Tokenizer::new(Dialect::Postgres.parser(), "a = @t")
            .tokenize_with_location()
            .unwrap();
        normalize(&mut tokens, Dialect::Postgres);
        assert_eq!(
            tokens.last().unwrap().token,
            Token::Placeholder("@t".into())
        );
        // The absolute-value operator keeps its meaning after a value.
        let mut tokens = Tokenizer::new(Dialect::Postgres.parser(), "SELECT a @ b")
            .tokenize_with_location()
            .unwrap();
        normalize(&mut tokens, Dialect::Postgres);
        assert!(tokens.iter().any(|t| t.token == Token::AtSign));
    }

    #[test]
    fn sqlc_macros_are_one_parameter_with_the_span_of_the_call() {
        let mut tokens = Tokenizer::new(Dialect::Postgres.parser(), "x = sqlc.narg('org_id')")
            .tokenize_with_location()
            .unwrap();
        normalize(&mut tokens, Dialect::Postgres);
        let last = tokens.last().unwrap();
        assert_eq!(last.token, Token::Placeholder("sqlc.narg(org_id)".into()));
        assert_eq!(last.span.start.column, 5);
        assert_eq!(last.span.end.column, 24);
    }

    #[test]
    fn upserts_from_a_select_without_from_and_on_expression_keys_are_read() {
        assert_eq!(
            normalized(
                "INSERT INTO t (a) SELECT @x ON CONFLICT (a, lower(b)) DO NOTHING",
                Dialect::Postgres
            ),
            "INSERT INTO t (a) (SELECT @x )ON CONFLICT (a, b) DO NOTHING"
        );
        assert_eq!(
            normalized(
                "ALTER TABLE t ALTER COLUMN v DROP IDENTITY IF EXISTS",
                Dialect::Postgres
            ),
            "ALTER TABLE t ALTER COLUMN v DROP DEFAULT"
        );
        assert_eq!(
            normalized(
                "CREATE TABLE t (a text COMPRESSION lz4, b int)",
                Dialect::Postgres
            ),
            "CREATE TABLE t (a text , b int)"
        );
    }

    #[test]
    fn locks_and_question_parameters_are_read() {
        assert_eq!(
            normalized(
                "SELECT 1 FROM a, b WHERE a.x = ?1 AND b.y = ? FOR NO KEY UPDATE OF a, b SKIP LOCKED",
                Dialect::Postgres
            ),
            "SELECT 1 FROM a, b WHERE a.x = ?1 AND b.y = ? FOR   UPDATE OF a SKIP LOCKED"
        );
        // PostgreSQL's JSON operator `?` follows a value and stays an operator.
        let mut tokens = Tokenizer::new(Dialect::Postgres.parser(), "SELECT data ? 'k' FROM t")
            .tokenize_with_location()
            .unwrap();
        normalize(&mut tokens, Dialect::Postgres);
        assert!(tokens.iter().any(|t| t.token == Token::Question));
    }

    #[test]
    fn postgres_options_sqlparser_does_not_read_are_dropped() {
        assert_eq!(
            normalized("DROP INDEX CONCURRENTLY IF EXISTS a", Dialect::Postgres),
            "DROP INDEX  IF EXISTS a"
        );
        assert_eq!(
            normalized(
                "CREATE TABLE b (LIKE a INCLUDING ALL EXCLUDING COMMENTS)",
                Dialect::Postgres
            ),
            "CREATE TABLE b (LIKE a INCLUDING DEFAULTS )"
        );
    }
}
