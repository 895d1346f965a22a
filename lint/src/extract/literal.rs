//! Rust string literals as written in source: their text, and where each character of
//! the text is in the file (through escapes, `\` line continuations, raw strings and
//! non-ASCII text). Format strings: their holes.

use std::ops::Range;

use sqlparser::tokenizer::Location;

/// A literal's text and, for each of its characters and for its end, a position. While
/// it is being built, `at` has one entry per character; [`Decoded::finish`] adds the end.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decoded {
    pub text: String,
    /// `at.nth(i)` is where the `i`-th character of `text` starts; `at.nth(len)` is the end.
    pub at: Positions,
}

impl Decoded {
    pub fn push(&mut self, c: char, at: Location) {
        self.text.push(c);
        self.at.push(at);
    }

    /// Appends the characters of a finished piece (without its end position).
    pub fn append(&mut self, piece: &Decoded) {
        self.text.push_str(&piece.text);
        self.at.extend_from(&piece.at, 0..piece.char_count());
    }

    /// Appends a run of characters without line breaks that starts at `pos`, and moves
    /// `pos` past it.
    fn push_run(&mut self, run: &str, pos: &mut Cursor) {
        let n = if run.is_ascii() {
            run.len()
        } else {
            run.chars().count()
        };
        self.text.push_str(run);
        self.at.push_run(pos.location(), n);
        pos.column += n as u64;
    }

    /// Appends text that stands at one position (a placeholder for a format hole).
    pub fn append_at(&mut self, text: &str, at: Location) {
        for c in text.chars() {
            self.push(c, at);
        }
    }

    /// Records the end position, after the last character.
    pub fn finish(&mut self, end: Location) {
        self.at.push(end);
    }

    pub fn char_count(&self) -> usize {
        self.at.len().saturating_sub(1)
    }
}

/// A sequence of file positions, one per character, stored as runs: within a run each
/// position is one column right of the previous one, which is what most of a string's
/// characters are. A statement of a few hundred characters on one line is one run
/// (12 bytes) instead of a few hundred positions (16 bytes each).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Positions {
    runs: Vec<Run>,
    len: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    /// Index of the run's first position.
    from: usize,
    line: u64,
    column: u64,
}

impl Run {
    fn at(&self, i: usize) -> Location {
        Location::new(self.line, self.column + (i - self.from) as u64)
    }
}

impl Positions {
    pub fn push(&mut self, at: Location) {
        let extends = self.runs.last().is_some_and(|run| run.at(self.len) == at);
        if !extends {
            self.runs.push(Run {
                from: self.len,
                line: at.line,
                column: at.column,
            });
        }
        self.len += 1;
    }

    /// Appends positions `range` of `other`, run by run.
    pub fn extend_from(&mut self, other: &Positions, range: Range<usize>) {
        for (k, run) in other.runs.iter().enumerate() {
            let end = other.runs.get(k + 1).map_or(other.len, |next| next.from);
            let (from, to) = (run.from.max(range.start), end.min(range.end));
            if from < to {
                self.push_run(run.at(from), to - from);
            }
        }
    }

    /// Pushes `n` positions that follow `at` column by column.
    pub fn push_run(&mut self, at: Location, n: usize) {
        if n == 0 {
            return;
        }
        let extends = self.runs.last().is_some_and(|run| run.at(self.len) == at);
        if !extends {
            self.runs.push(Run {
                from: self.len,
                line: at.line,
                column: at.column,
            });
        }
        self.len += n;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, i: usize) -> Option<Location> {
        if i >= self.len {
            return None;
        }
        let run = self.runs.partition_point(|r| r.from <= i) - 1;
        Some(self.runs[run].at(i))
    }

    /// The `i`-th position; panics past the end, as indexing does.
    pub fn nth(&self, i: usize) -> Location {
        self.get(i)
            .unwrap_or_else(|| panic!("position {i} of {}", self.len))
    }

    pub fn first(&self) -> Option<Location> {
        self.get(0)
    }

    pub fn last(&self) -> Option<Location> {
        self.len.checked_sub(1).and_then(|i| self.get(i))
    }

    /// Where `text` starts in the file when its characters lie there exactly as in the
    /// text (its `k`-th line on the `k`-th line from there, the first shifted right,
    /// the others from column 1: a one-line literal without escapes, a raw string);
    /// `None` otherwise. Positions are then a shift, and need no table.
    pub fn as_shift(&self, text: &str) -> Option<Location> {
        let first = self.runs.first()?;
        let origin = Location::new(first.line, first.column);
        let mut runs = self.runs[1..].iter();
        let mut index = 0;
        let mut line = first.line;
        let mut rest = text;
        while let Some(newline) = rest.find('\n') {
            let before = &rest[..newline];
            index += 1 + if before.is_ascii() {
                before.len()
            } else {
                before.chars().count()
            };
            line += 1;
            let run = runs.next()?;
            if run.from != index || run.line != line || run.column != 1 {
                return None;
            }
            rest = &rest[newline + 1..];
        }
        runs.next().is_none().then_some(origin)
    }

    pub fn iter(&self) -> impl Iterator<Item = Location> + '_ {
        self.runs.iter().enumerate().flat_map(move |(k, run)| {
            let end = self.runs.get(k + 1).map_or(self.len, |next| next.from);
            (run.from..end).map(move |i| run.at(i))
        })
    }
}

/// Decodes a string literal as written (`"…"`, `r#"…"#`), starting at `start` in the
/// file. `None` for byte strings, C strings and anything that is not a string literal.
/// Runs of ordinary characters are copied whole; only escapes and line breaks are
/// looked at one by one.
pub fn decode(repr: &str, start: Location) -> Option<Decoded> {
    let b = repr.as_bytes();
    let mut pos = Cursor {
        line: start.line,
        column: start.column,
    };
    let mut out = Decoded {
        text: String::with_capacity(repr.len()),
        at: Positions::default(),
    };
    match b.first()? {
        b'r' => {
            let hashes = b[1..].iter().take_while(|&&c| c == b'#').count();
            if b.get(1 + hashes) != Some(&b'"') {
                return None;
            }
            let body = 2 + hashes;
            // The closing quote and hashes (`"#`) end the literal.
            let closing = repr.len().checked_sub(1 + hashes)?;
            if closing < body || !repr.is_char_boundary(closing) {
                return None;
            }
            pos.column += body as u64;
            for (k, line) in repr[body..closing].split('\n').enumerate() {
                if k > 0 {
                    out.push('\n', pos.location());
                    pos.advance('\n');
                }
                out.push_run(line, &mut pos);
            }
            out.at.push(pos.location());
            Some(out)
        }
        b'"' => {
            pos.column += 1;
            let mut i = 1;
            loop {
                let special = i + memchr::memchr3(b'"', b'\\', b'\n', &b[i..])?;
                out.push_run(&repr[i..special], &mut pos);
                match b[special] {
                    b'"' => {
                        out.at.push(pos.location());
                        return Some(out);
                    }
                    b'\n' => {
                        out.push('\n', pos.location());
                        pos.advance('\n');
                        i = special + 1;
                    }
                    _ => i = special + 1 + escape(&repr[special + 1..], &mut pos, &mut out)?,
                }
            }
        }
        _ => None,
    }
}

/// Decodes the escape after a `\\` (whose position `pos` is at) into `out`; returns
/// how many bytes of `rest` it took.
fn escape(rest: &str, pos: &mut Cursor, out: &mut Decoded) -> Option<usize> {
    let at = pos.location();
    pos.advance('\\');
    let mut chars = rest.char_indices().peekable();
    let mut next = || chars.next().map(|(_, c)| c);
    let escaped = next()?;
    pos.advance(escaped);
    let value = match escaped {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        '0' => Some('\0'),
        '\\' | '\'' | '"' => Some(escaped),
        'x' => {
            let hex: String = (0..2).filter_map(|_| next()).collect();
            hex.chars().for_each(|h| pos.advance(h));
            Some(char::from(u8::from_str_radix(&hex, 16).ok()?))
        }
        'u' => {
            let mut hex = String::new();
            while let Some(h) = next() {
                pos.advance(h);
                if h == '}' {
                    break;
                }
                if h != '{' {
                    hex.push(h);
                }
            }
            Some(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?)
        }
        '\n' | '\r' => {
            // A line continuation: the newline and the next line's leading whitespace
            // are not part of the string.
            if escaped == '\r' && chars.peek().is_some_and(|&(_, c)| c == '\n') {
                chars.next();
                pos.advance('\n');
            }
            while let Some(&(_, w)) = chars.peek().filter(|(_, c)| c.is_whitespace()) {
                chars.next();
                pos.advance(w);
            }
            None
        }
        _ => return None,
    };
    if let Some(value) = value {
        out.push(value, at);
    }
    Some(chars.peek().map_or(rest.len(), |&(i, _)| i))
}

struct Cursor {
    line: u64,
    column: u64,
}

impl Cursor {
    fn advance(&mut self, c: char) {
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
    }

    fn location(&self) -> Location {
        Location::new(self.line, self.column)
    }
}

/// One `{…}` of a format string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hole {
    /// The argument named in the hole (`COLS` in `{COLS}` or `{COLS:?}`), if any.
    pub name: Option<String>,
    /// The hole as written.
    pub written: String,
    /// Where its `{` is.
    pub at: Location,
}

/// A format string with its holes: `parts[i]` precedes `holes[i]`; the last part
/// follows the last hole.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FormatString {
    pub parts: Vec<Decoded>,
    pub holes: Vec<Hole>,
}

/// Splits a decoded format string at its holes; `{{` and `}}` are literal braces.
/// Text between braces is copied in runs.
pub fn format_holes(decoded: &Decoded) -> FormatString {
    let text = decoded.text.as_str();
    let b = text.as_bytes();
    let mut out = FormatString::default();
    let mut part = Decoded::default();
    // Byte and character index of the text not yet copied into `part`.
    let (mut copied, mut copied_char) = (0usize, 0usize);
    let (mut i, mut char_i) = (0usize, 0usize);
    let flush = |part: &mut Decoded, from: usize, from_char: usize, to: usize, to_char: usize| {
        part.text.push_str(&text[from..to]);
        part.at.extend_from(&decoded.at, from_char..to_char);
    };
    while i < b.len() {
        let c = b[i];
        if c != b'{' && c != b'}' {
            // Characters, not bytes, count positions.
            i += 1;
            if !(0x80..0xC0).contains(&c) {
                char_i += 1;
            }
            continue;
        }
        flush(&mut part, copied, copied_char, i, char_i);
        if b.get(i + 1) == Some(&c) {
            part.push(char::from(c), decoded.at.nth(char_i));
            (i, char_i) = (i + 2, char_i + 2);
        } else if c == b'{'
            && let Some(close) = text[i..].find('}').map(|p| i + p)
        {
            let inner = &text[i + 1..close];
            let name = inner.split(':').next().unwrap_or("").trim();
            let name = (!name.is_empty() && !name.chars().all(|c| c.is_ascii_digit()))
                .then(|| name.to_string());
            let at = decoded.at.nth(char_i);
            part.at.push(at);
            out.parts.push(std::mem::take(&mut part));
            out.holes.push(Hole {
                name,
                written: text[i..=close].to_string(),
                at,
            });
            char_i += text[i..=close].chars().count();
            i = close + 1;
        } else {
            part.push(char::from(c), decoded.at.nth(char_i));
            (i, char_i) = (i + 1, char_i + 1);
        }
        (copied, copied_char) = (i, char_i);
    }
    flush(&mut part, copied, copied_char, b.len(), char_i);
    part.at
        .push(decoded.at.get(char_i).unwrap_or(Location::new(1, 1)));
    out.parts.push(part);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    fn at(line: u64, column: u64) -> Location {
        Location::new(line, column)
    }

    /// The character-by-character decoder `decode` replaced, kept as its reference.
    fn reference_decode(repr: &str, start: Location) -> Option<Decoded> {
        let mut pos = Cursor {
            line: start.line,
            column: start.column,
        };
        let mut chars = repr.chars().peekable();
        let mut out = Decoded::default();
        match chars.peek()? {
            'r' => {
                chars.next();
                pos.advance('r');
                let mut hashes = 0;
                while chars.peek() == Some(&'#') {
                    chars.next();
                    pos.advance('#');
                    hashes += 1;
                }
                if chars.next()? != '"' {
                    return None;
                }
                pos.advance('"');
                let body: Vec<char> = chars.collect();
                let closing = body.len().checked_sub(1 + hashes)?;
                for &c in &body[..closing] {
                    out.push(c, pos.location());
                    pos.advance(c);
                }
                out.at.push(pos.location());
                Some(out)
            }
            '"' => {
                chars.next();
                pos.advance('"');
                while let Some(c) = chars.next() {
                    match c {
                        '"' => {
                            out.at.push(pos.location());
                            return Some(out);
                        }
                        '\\' => {
                            let at = pos.location();
                            pos.advance('\\');
                            let escaped = chars.next()?;
                            pos.advance(escaped);
                            let value = match escaped {
                                'n' => '\n',
                                't' => '\t',
                                'r' => '\r',
                                '0' => '\0',
                                '\\' | '\'' | '"' => escaped,
                                'x' => {
                                    let hex: String = (0..2).filter_map(|_| chars.next()).collect();
                                    hex.chars().for_each(|h| pos.advance(h));
                                    char::from(u8::from_str_radix(&hex, 16).ok()?)
                                }
                                'u' => {
                                    let mut hex = String::new();
                                    for h in chars.by_ref() {
                                        pos.advance(h);
                                        if h == '}' {
                                            break;
                                        }
                                        if h != '{' {
                                            hex.push(h);
                                        }
                                    }
                                    char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
                                }
                                '\n' | '\r' => {
                                    // A line continuation: the newline and the next line's
                                    // leading whitespace are not part of the string.
                                    if escaped == '\r' && chars.peek() == Some(&'\n') {
                                        chars.next();
                                        pos.advance('\n');
                                    }
                                    while chars.peek().is_some_and(|c| c.is_whitespace()) {
                                        let w = chars.next().expect("peeked");
                                        pos.advance(w);
                                    }
                                    continue;
                                }
                                _ => return None,
                            };
                            out.push(value, at);
                        }
                        c => {
                            out.push(c, pos.location());
                            pos.advance(c);
                        }
                    }
                }
                None
            }
            _ => None,
        }
    }

    proptest::proptest! {
        #[test]
        fn decoding_in_runs_matches_decoding_char_by_char(
            body in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::string::string_regex("[a-zA-Z0-9 ,.:()=*']{0,12}").unwrap(),
                    proptest::sample::select(vec![
                        "\\n", "\\t", "\\\"", "\\\\", "\\x41", "\\u{e9}", "\\u{1F600}",
                        "\\\n    ", "\\\r\n  \t", "\n", "é", "€", "\t", "\r",
                    ]).prop_map(str::to_string),
                ],
                0..12,
            ),
            raw in proptest::bool::ANY,
            line in 1u64..50,
            column in 1u64..80,
        ) {
            let body: String = body.concat();
            let repr = if raw {
                format!("r#\"{}\"#", body.replace('\\', "/"))
            } else {
                format!("\"{body}\"")
            };
            let start = at(line, column);
            let new = decode(&repr, start);
            let old = reference_decode(&repr, start);
            proptest::prop_assert_eq!(
                new.as_ref().map(|d| (&d.text, d.at.iter().collect::<Vec<_>>())),
                old.as_ref().map(|d| (&d.text, d.at.iter().collect::<Vec<_>>())),
                "{}", repr
            );
        }
    }

    /// The character-by-character splitter `format_holes` replaced, kept as its reference.
    fn reference_format_holes(decoded: &Decoded) -> FormatString {
        let chars: Vec<char> = decoded.text.chars().collect();
        let at: Vec<Location> = decoded.at.iter().collect();
        let mut out = FormatString::default();
        let mut part = Decoded::default();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if (c == '{' || c == '}') && chars.get(i + 1) == Some(&c) {
                part.push(c, at[i]);
                i += 2;
                continue;
            }
            if c == '{' {
                let close = chars[i..].iter().position(|&c| c == '}').map(|p| i + p);
                let Some(close) = close else {
                    part.push(c, at[i]);
                    i += 1;
                    continue;
                };
                let inner: String = chars[i + 1..close].iter().collect();
                let name = inner.split(':').next().unwrap_or("").trim();
                let name = (!name.is_empty() && !name.chars().all(|c| c.is_ascii_digit()))
                    .then(|| name.to_string());
                part.at.push(at[i]);
                out.parts.push(std::mem::take(&mut part));
                out.holes.push(Hole {
                    name,
                    written: chars[i..=close].iter().collect(),
                    at: at[i],
                });
                i = close + 1;
                continue;
            }
            part.push(c, at[i]);
            i += 1;
        }
        part.at
            .push(decoded.at.get(chars.len()).unwrap_or(Location::new(1, 1)));
        out.parts.push(part);
        out
    }

    proptest::proptest! {
        #[test]
        fn format_holes_in_runs_match_the_character_by_character_split(
            body in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::string::string_regex("[a-zA-Z0-9 ,.:()=*']{0,10}").unwrap(),
                    proptest::sample::select(vec![
                        "{", "}", "{{", "}}", "{COLS}", "{0}", "{n:?}", "{ x }", "é", "€", "\\n",
                    ]).prop_map(str::to_string),
                ],
                0..12,
            ),
            line in 1u64..50,
            column in 1u64..80,
        ) {
            let repr = format!("\"{}\"", body.concat());
            let Some(decoded) = decode(&repr, at(line, column)) else {
                return Ok(());
            };
            let show = |f: &FormatString| {
                let parts: Vec<_> = f
                    .parts
                    .iter()
                    .map(|p| (p.text.clone(), p.at.iter().collect::<Vec<_>>()))
                    .collect();
                (parts, f.holes.clone())
            };
            proptest::prop_assert_eq!(
                show(&format_holes(&decoded)),
                show(&reference_format_holes(&decoded)),
                "{}", repr
            );
        }
    }

    #[test]
    fn plain_string_positions_follow_the_source() {
        let d = decode("\"SELECT *\"", at(3, 10)).unwrap();
        assert_eq!(d.text, "SELECT *");
        assert_eq!(d.at.nth(0), at(3, 11));
        assert_eq!(d.at.nth(7), at(3, 18));
        assert_eq!(d.at.nth(8), at(3, 19));
    }

    #[test]
    fn escapes_map_to_their_backslash() {
        let d = decode(r#""a\n\"b\u{e9}c""#, at(1, 1)).unwrap();
        assert_eq!(d.text, "a\n\"b\u{e9}c");
        // a, \n at col 3, \" at col 5, b at 7, \u{e9} at 8, c at 14
        let cols: Vec<u64> = d.at.iter().map(|l| l.column).collect();
        assert_eq!(cols, [2, 3, 5, 7, 8, 14, 15]);
    }

    #[test]
    fn line_continuation_skips_the_newline_and_indentation() {
        let d = decode("\"SELECT *\\\n      FROM job\"", at(1, 1)).unwrap();
        assert_eq!(d.text, "SELECT *FROM job");
        assert_eq!(d.at.nth(8), at(2, 7));
    }

    #[test]
    fn raw_string_on_several_lines() {
        let d = decode("r#\"SELECT *\n  FROM \"job\"\n WHERE é = 1\"#", at(5, 9)).unwrap();
        assert_eq!(d.text, "SELECT *\n  FROM \"job\"\n WHERE é = 1");
        let f = d.text.find("FROM").unwrap();
        assert_eq!(d.at.nth(d.text[..f].chars().count()), at(6, 3));
        let one = d.text.chars().count() - 1;
        assert_eq!(d.at.nth(one), at(7, 12));
    }

    #[test]
    fn positions_in_runs_read_back_as_pushed() {
        // Runs of columns, a jump, a new line, a position repeated (a format hole's
        // placeholder), a step back (an escape decoded earlier in the line).
        let pushed = [
            at(3, 11),
            at(3, 12),
            at(3, 13),
            at(3, 15),
            at(4, 1),
            at(4, 1),
            at(4, 1),
            at(4, 2),
            at(2, 9),
            at(2, 10),
        ];
        let mut positions = Positions::default();
        for p in pushed {
            positions.push(p);
        }
        assert_eq!(positions.len(), pushed.len());
        assert_eq!(positions.iter().collect::<Vec<_>>(), pushed);
        for (i, p) in pushed.iter().enumerate() {
            assert_eq!(positions.get(i), Some(*p), "position {i}");
        }
        assert_eq!(positions.get(pushed.len()), None);
        assert_eq!(positions.first(), Some(at(3, 11)));
        assert_eq!(positions.last(), Some(at(2, 10)));
        // Three columns in a row are one run; the whole sequence is six.
        assert_eq!(positions.runs.len(), 6);
    }

    #[test]
    fn positions_are_a_shift_only_where_the_text_lies_as_in_the_file() {
        let one_line = decode("\"SELECT * FROM job\"", at(4, 9)).unwrap();
        assert_eq!(one_line.at.as_shift(&one_line.text), Some(at(4, 10)));
        let raw = decode("r#\"\n  SELECT *\n  FROM job\n\"#", at(7, 5)).unwrap();
        assert_eq!(raw.at.as_shift(&raw.text), Some(at(7, 8)));
        // An escape takes two columns for one character; a continuation drops the
        // next line's indentation: no shift.
        let escaped = decode("\"SELECT '\\n' FROM job\"", at(1, 1)).unwrap();
        assert_eq!(escaped.at.as_shift(&escaped.text), None);
        let continued = decode("\"SELECT * \\\n    FROM job\"", at(1, 1)).unwrap();
        assert_eq!(continued.at.as_shift(&continued.text), None);
        // A multi-line plain string with a literal line break is a shift.
        let broken = decode("\"SELECT *\nFROM job\"", at(2, 3)).unwrap();
        assert_eq!(broken.at.as_shift(&broken.text), Some(at(2, 4)));
        // Wherever it is a shift, it agrees with the positions character by character.
        for d in [&one_line, &raw, &broken] {
            let origin = d.at.as_shift(&d.text).unwrap();
            let shift = crate::extract::parse::offset_map(origin);
            let (mut line, mut column) = (1, 1);
            for (i, c) in d.text.chars().enumerate() {
                assert_eq!(d.at.nth(i), shift(at(line, column)), "{i} of {:?}", d.text);
                if c == '\n' {
                    line += 1;
                    column = 1;
                } else {
                    column += 1;
                }
            }
        }
    }

    #[test]
    fn byte_strings_are_not_text() {
        assert!(decode("b\"x\"", at(1, 1)).is_none());
    }

    #[test]
    fn format_holes_are_found_and_braces_unescaped() {
        let d = decode(
            "\"SELECT {COLS} FROM t WHERE a = {} AND b = '{{x}}' {n:?}\"",
            at(1, 1),
        )
        .unwrap();
        let f = format_holes(&d);
        let names: Vec<Option<&str>> = f.holes.iter().map(|h| h.name.as_deref()).collect();
        assert_eq!(names, [Some("COLS"), None, Some("n")]);
        assert_eq!(f.parts[2].text, " AND b = '{x}' ");
        assert_eq!(f.holes[0].at, at(1, 9));
    }
}
