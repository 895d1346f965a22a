//! Splits SQL text into statements without tokenizing it.
//!
//! A byte scan that knows where `;` does not end a statement: inside quoted strings
//! and identifiers, comments, PostgreSQL dollar quotes, and the `BEGIN … END` bodies
//! of `CREATE TRIGGER` / `FUNCTION` / `PROCEDURE`. Each statement is then tokenized
//! and parsed on its own, so a 50 MB dump never becomes one token vector, and one bad
//! statement does not hide the others.

use std::ops::Range;

use sqlparser::tokenizer::Location;

use crate::model::dialect::Dialect;

/// One statement's text, without its terminating `;`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawStatement {
    /// Byte range in the scanned text, from the first token to before the `;`.
    pub range: Range<usize>,
    /// Position of the first token (1-based line, column in characters).
    pub start: Location,
    /// Position just after the last token.
    pub end: Location,
}

/// A `--` comment, kept for suppressions (`-- tenant-lint: allow(...)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineComment {
    /// The comment's text after `--` (or `#`), untrimmed.
    pub text: Range<usize>,
    pub at: Location,
}

#[derive(Debug, Default)]
pub struct Split {
    pub statements: Vec<RawStatement>,
    pub comments: Vec<LineComment>,
}

/// Splits `text` into statements.
pub fn split_statements(text: &str, dialect: Dialect) -> Split {
    if let Some(split) = one_statement(text, dialect) {
        return split;
    }
    full_scan(text, dialect)
}

/// The scan byte by byte.
fn full_scan(text: &str, dialect: Dialect) -> Split {
    Splitter {
        bytes: text.as_bytes(),
        text,
        dialect,
        pos: 0,
        line: 1,
        line_start: 0,
        out: Split::default(),
    }
    .run()
}

/// Text without `;` and without comments is one statement, from its first to its
/// last non-blank byte; found with a few vectorized searches instead of the scan (most
/// SQL in Rust strings is one statement). Only when the last byte is not blank: blanks
/// at the end may lie in an unterminated quote, which only the scan tells.
fn one_statement(text: &str, dialect: Dialect) -> Option<Split> {
    let b = text.as_bytes();
    let blank = |c: u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n' | 0x0c);
    if b.last().is_none_or(|&c| blank(c))
        || memchr::memchr(b';', b).is_some()
        || memchr::memmem::find(b, b"--").is_some()
        || memchr::memmem::find(b, b"/*").is_some()
        || dialect == Dialect::Mysql && memchr::memchr(b'#', b).is_some()
    {
        return None;
    }
    let start = b.iter().position(|&c| !blank(c))?;
    let lines_before = memchr::memchr_iter(b'\n', &b[..start]).count() as u64;
    let start_line_at = memchr::memrchr(b'\n', &b[..start]).map_or(0, |i| i + 1);
    let lines = lines_before + memchr::memchr_iter(b'\n', &b[start..]).count() as u64;
    let end_line_at = memchr::memrchr(b'\n', b).map_or(0, |i| i + 1);
    Some(Split {
        statements: vec![RawStatement {
            range: start..b.len(),
            // Only ASCII blanks lie between the line start and the statement.
            start: Location::new(lines_before + 1, (start - start_line_at) as u64 + 1),
            end: Location::new(lines + 1, text[end_line_at..].chars().count() as u64 + 1),
        }],
        comments: Vec::new(),
    })
}

struct Splitter<'t> {
    bytes: &'t [u8],
    text: &'t str,
    dialect: Dialect,
    pos: usize,
    line: u64,
    line_start: usize,
    out: Split,
}

/// What the leading keywords of a statement say about `BEGIN … END` blocks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lead {
    /// Still reading the first words.
    Undecided(u8),
    /// `CREATE … TRIGGER|FUNCTION|PROCEDURE`: `BEGIN … END` nests.
    Routine,
    Plain,
}

impl Splitter<'_> {
    fn run(mut self) -> Split {
        let mut start: Option<(usize, Location)> = None;
        let mut lead = Lead::Undecided(0);
        let mut depth = 0usize;
        let mut last_end = 0usize;
        // The line `last_end` is on: (line number, byte offset of its start).
        let mut last_line = (1u64, 0usize);
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            match b {
                b'\n' => {
                    self.pos += 1;
                    self.newline();
                    continue;
                }
                b' ' | b'\t' | b'\r' | 0x0c => {
                    self.pos += 1;
                    continue;
                }
                b'-' if self.peek(1) == Some(b'-') => {
                    self.line_comment(2);
                    continue;
                }
                b'#' if self.dialect == Dialect::Mysql => {
                    self.line_comment(1);
                    continue;
                }
                b'/' if self.peek(1) == Some(b'*') => {
                    self.block_comment();
                    continue;
                }
                _ => {}
            }
            if start.is_none() {
                start = Some((self.pos, self.location(self.pos)));
            }
            match b {
                b';' if depth == 0 => {
                    let (from, at) = start.take().expect("statement started");
                    self.push(from..last_end.max(from), at, last_line);
                    lead = Lead::Undecided(0);
                    self.pos += 1;
                    continue;
                }
                b'\'' => self.quoted(
                    b'\'',
                    self.dialect == Dialect::Mysql || self.escape_prefix(),
                ),
                b'"' => self.quoted(b'"', self.dialect == Dialect::Mysql),
                b'`' => self.quoted(b'`', false),
                b'[' if self.dialect == Dialect::Sqlite => self.quoted(b']', false),
                b'$' if self.dialect == Dialect::Postgres => self.dollar(),
                _ if is_word_start(b) && lead != Lead::Plain => {
                    let word = self.word();
                    lead = self.track_block(word, lead, &mut depth);
                }
                // A run of bytes that cannot end, quote or comment anything.
                _ => {
                    let run = self.bytes[self.pos..]
                        .iter()
                        .position(|&b| is_boundary(b))
                        .unwrap_or(self.bytes.len() - self.pos);
                    self.pos += run.max(utf8_len(b));
                }
            }
            last_end = self.pos;
            last_line = (self.line, self.line_start);
        }
        if let Some((from, at)) = start {
            self.push(from..last_end.max(from), at, last_line);
        }
        self.out
    }

    fn push(&mut self, range: Range<usize>, start: Location, (line, line_start): (u64, usize)) {
        if !range.is_empty() {
            let column = self.text[line_start..range.end].chars().count() as u64 + 1;
            self.out.statements.push(RawStatement {
                end: Location::new(line, column),
                range,
                start,
            });
        }
    }

    fn track_block(&mut self, word: Range<usize>, lead: Lead, depth: &mut usize) -> Lead {
        let w = &self.text[word];
        let lead = match lead {
            Lead::Undecided(0) if w.eq_ignore_ascii_case("CREATE") => Lead::Undecided(1),
            Lead::Undecided(0) => Lead::Plain,
            Lead::Undecided(_)
                if ["TRIGGER", "FUNCTION", "PROCEDURE"]
                    .iter()
                    .any(|k| w.eq_ignore_ascii_case(k)) =>
            {
                Lead::Routine
            }
            Lead::Undecided(n) if n < 6 => Lead::Undecided(n + 1),
            Lead::Undecided(_) => Lead::Plain,
            other => other,
        };
        if lead == Lead::Routine {
            let opens =
                w.eq_ignore_ascii_case("BEGIN") || (w.eq_ignore_ascii_case("CASE") && *depth > 0);
            if opens {
                *depth += 1;
            } else if w.eq_ignore_ascii_case("END") && *depth > 0 && !self.end_of_control_block() {
                *depth -= 1;
            }
        }
        lead
    }

    /// `END IF` / `END LOOP` / `END WHILE` / `END REPEAT` close blocks that were never counted.
    fn end_of_control_block(&self) -> bool {
        let rest = self.text[self.pos..].trim_start();
        let next: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect::<String>()
            .to_ascii_uppercase();
        matches!(next.as_str(), "IF" | "LOOP" | "WHILE" | "REPEAT")
    }

    fn escape_prefix(&self) -> bool {
        self.dialect == Dialect::Postgres
            && self.pos > 0
            && matches!(self.bytes[self.pos - 1], b'E' | b'e')
            && (self.pos < 2 || !is_word_byte(self.bytes[self.pos - 2]))
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn newline(&mut self) {
        self.line += 1;
        self.line_start = self.pos;
    }

    fn location(&self, offset: usize) -> Location {
        let column = self.text[self.line_start..offset].chars().count() + 1;
        Location::new(self.line, column as u64)
    }

    fn line_comment(&mut self, marker: usize) {
        let at = self.location(self.pos);
        let from = self.pos + marker;
        let end = self.bytes[from..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.bytes.len(), |i| from + i);
        self.out.comments.push(LineComment {
            text: from..end,
            at,
        });
        self.pos = end;
    }

    fn block_comment(&mut self) {
        let nests = self.dialect == Dialect::Postgres;
        let mut depth = 0usize;
        while self.pos < self.bytes.len() {
            match (self.bytes[self.pos], self.peek(1)) {
                (b'/', Some(b'*')) if depth == 0 || nests => {
                    depth += 1;
                    self.pos += 2;
                }
                (b'*', Some(b'/')) => {
                    depth -= 1;
                    self.pos += 2;
                    if depth == 0 {
                        return;
                    }
                }
                (b'\n', _) => {
                    self.pos += 1;
                    self.newline();
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Skips a quoted string or identifier; a doubled closing quote is an escape.
    fn quoted(&mut self, close: u8, backslash_escapes: bool) {
        self.pos += 1;
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            self.pos += 1;
            if b == b'\n' {
                self.newline();
            } else if b == b'\\' && backslash_escapes {
                if self.bytes.get(self.pos) == Some(&b'\n') {
                    self.pos += 1;
                    self.newline();
                } else {
                    self.pos += 1;
                }
            } else if b == close {
                if self.bytes.get(self.pos) == Some(&close) && close != b']' {
                    self.pos += 1;
                } else {
                    return;
                }
            }
        }
        self.pos = self.pos.min(self.bytes.len());
    }

    /// `$tag$ … $tag$`; a `$` that does not open a dollar quote (`$1`) is one byte.
    fn dollar(&mut self) {
        let tag_len = self.bytes[self.pos + 1..]
            .iter()
            .position(|&b| !is_word_byte(b))
            .unwrap_or(self.bytes.len() - self.pos - 1);
        let tag_end = self.pos + 1 + tag_len;
        let opens = self.bytes.get(tag_end) == Some(&b'$')
            && self
                .bytes
                .get(self.pos + 1)
                .is_none_or(|b| !b.is_ascii_digit());
        if !opens {
            self.pos += 1;
            return;
        }
        let delimiter = &self.text[self.pos..=tag_end];
        let body = tag_end + 1;
        let close = self.text[body..]
            .find(delimiter)
            .map_or(self.bytes.len(), |i| body + i + delimiter.len());
        for i in body..close {
            if self.bytes[i] == b'\n' {
                self.line += 1;
                self.line_start = i + 1;
            }
        }
        self.pos = close;
    }

    fn word(&mut self) -> Range<usize> {
        let from = self.pos;
        while self.pos < self.bytes.len() && is_word_byte(self.bytes[self.pos]) {
            self.pos += 1;
        }
        from..self.pos
    }
}

/// Bytes where the scan must look closer: whitespace, statement ends, quotes, comment
/// starts, dollar quotes and word starts (which matter while the statement's leading
/// keywords are read).
fn is_boundary(b: u8) -> bool {
    BOUNDARY[b as usize]
}

static BOUNDARY: [bool; 256] = crate::extract::byte_set(b" \t\r\n\x0c;'\"`[$-#/");

fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    proptest::proptest! {
        #[test]
        fn one_statement_is_what_the_full_scan_finds(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::string::string_regex("[a-zA-Z0-9_ ,.:()=*<>+]{0,10}").unwrap(),
                    proptest::sample::select(vec![
                        " ", "\n", "\r\n", "\t", "\x0c", "'", "''", "\"", "`", "[", "]", "$", "$$",
                        "$t$", "-", "--", "/", "/*", "*/", "#", ";", "\\", "é", "€ ", "\u{a0}",
                        "BEGIN", "END", "CREATE TRIGGER", "'a\nb'",
                    ]).prop_map(str::to_string),
                ],
                0..16,
            ),
            dialect in proptest::sample::select(vec![
                Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql, Dialect::Generic,
            ]),
        ) {
            let text: String = parts.concat();
            if let Some(fast) = one_statement(&text, dialect) {
                let full = full_scan(&text, dialect);
                proptest::prop_assert_eq!(&fast.statements, &full.statements, "{:?}", text);
                proptest::prop_assert_eq!(fast.comments, full.comments, "{:?}", text);
            }
        }
    }

    #[test]
    fn one_statement_takes_plain_text_and_leaves_the_rest_to_the_scan() {
        let one = one_statement("\n  SELECT 'é'\n FROM t", Dialect::Sqlite).unwrap();
        assert_eq!(one.statements[0].range, 3..22);
        assert_eq!(one.statements[0].start, Location::new(2, 3));
        assert_eq!(one.statements[0].end, Location::new(3, 8));
        for text in [
            "SELECT 1;",
            "SELECT 1 -- c",
            "SELECT /* c */ 1",
            "SELECT 'a  ",
            "",
        ] {
            assert!(one_statement(text, Dialect::Sqlite).is_none(), "{text:?}");
        }
        assert!(one_statement("SELECT 1 # c", Dialect::Mysql).is_none());
        assert!(one_statement("SELECT a # b", Dialect::Postgres).is_some());
    }

    fn texts(sql: &str, dialect: Dialect) -> Vec<&str> {
        split_statements(sql, dialect)
            .statements
            .iter()
            .map(|s| &sql[s.range.clone()])
            .collect()
    }

    #[test]
    fn semicolons_in_strings_comments_and_identifiers_do_not_split() {
        let sql =
            "SELECT ';' AS \"a;b\", `c;d` FROM t -- x;y\n/* ; */ WHERE a = 'it''s;';\nSELECT 2";
        assert_eq!(
            texts(sql, Dialect::Sqlite),
            [
                "SELECT ';' AS \"a;b\", `c;d` FROM t -- x;y\n/* ; */ WHERE a = 'it''s;'",
                "SELECT 2"
            ]
        );
    }

    #[test]
    fn trigger_bodies_stay_whole() {
        let sql = "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE b SET x = CASE WHEN 1 THEN 2 END;\n  DELETE FROM c;\nEND;\nBEGIN; COMMIT;";
        let parts = texts(sql, Dialect::Sqlite);
        assert_eq!(parts.len(), 3, "{parts:?}");
        assert!(parts[0].ends_with("END"));
        assert_eq!(parts[1..], ["BEGIN", "COMMIT"]);
    }

    #[test]
    fn dollar_quotes_and_positional_parameters() {
        let sql =
            "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql; SELECT $1;";
        assert_eq!(texts(sql, Dialect::Postgres).len(), 2);
    }

    #[test]
    fn mysql_backslash_escapes_and_hash_comments() {
        let sql = "SELECT 'a\\';b' # ;\n; SELECT 1";
        assert_eq!(texts(sql, Dialect::Mysql), ["SELECT 'a\\';b'", "SELECT 1"]);
    }

    #[test]
    fn start_positions_count_characters() {
        let sql =
            "SELECT 'é'; SELECT 2;\n\n  -- tenant-lint: allow(TI001) reason=\"x\"\n  SELECT 3";
        let split = split_statements(sql, Dialect::Sqlite);
        let starts: Vec<_> = split
            .statements
            .iter()
            .map(|s| (s.start.line, s.start.column))
            .collect();
        assert_eq!(starts, [(1, 1), (1, 13), (4, 3)]);
        assert_eq!(split.comments.len(), 1);
        assert_eq!(split.comments[0].at, Location::new(3, 3));
    }

    #[test]
    fn end_positions_are_after_the_last_token() {
        let sql = "SELECT 'a\nb' -- c\n;\nSELECT é  ;";
        let ends: Vec<_> = split_statements(sql, Dialect::Sqlite)
            .statements
            .iter()
            .map(|s| (s.end.line, s.end.column))
            .collect();
        assert_eq!(ends, [(2, 3), (4, 9)]);
    }

    #[test]
    fn unterminated_string_runs_to_the_end() {
        let sql = "SELECT 'abc; SELECT 2";
        assert_eq!(texts(sql, Dialect::Sqlite), [sql]);
    }
}
