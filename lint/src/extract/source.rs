//! Source files and the mapping between byte offsets and line/column positions.
//!
//! Positions follow rustc and sqlparser: lines and columns are 1-based and a column
//! counts Unicode characters, not bytes.

use std::path::{Path, PathBuf};

use sqlparser::tokenizer::{Location, Span};

/// One file the engine reads, with its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as it is reported (relative to where the scan started, when possible).
    pub path: PathBuf,
    pub text: String,
    lines: LineIndex,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let text = text.into();
        let lines = LineIndex::new(&text);
        SourceFile {
            path: path.into(),
            text,
            lines,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn lines(&self) -> &LineIndex {
        &self.lines
    }

    /// The text of one line (1-based), without its line terminator.
    pub fn line_text(&self, line: u64) -> &str {
        self.lines.line_text(&self.text, line)
    }
}

/// Byte offsets of the starts of lines, for converting between offsets and positions.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> u64 {
        self.starts.partition_point(|&s| s <= offset) as u64
    }

    /// The 1-based position of a byte offset (clamped to the text).
    pub fn position(&self, text: &str, offset: usize) -> Location {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let column = text[self.starts[line]..offset].chars().count() + 1;
        Location::new(line as u64 + 1, column as u64)
    }

    /// The byte offset of a 1-based position, clamped to the end of its line.
    pub fn offset(&self, text: &str, at: Location) -> usize {
        let Some(&start) = self.starts.get((at.line.max(1) - 1) as usize) else {
            return text.len();
        };
        let line = self.line_text(text, at.line);
        let within = line
            .char_indices()
            .nth((at.column.max(1) - 1) as usize)
            .map_or(line.len(), |(i, _)| i);
        start + within
    }

    /// The byte range a span covers; an empty span covers one character so a caret shows.
    pub fn byte_range(&self, text: &str, span: Span) -> std::ops::Range<usize> {
        let start = self.offset(text, span.start);
        let end = self.offset(text, span.end).max(start);
        if end == start {
            let next = text[start..].chars().next().map_or(0, char::len_utf8);
            start..start + next
        } else {
            start..end
        }
    }

    pub fn line_text<'t>(&self, text: &'t str, line: u64) -> &'t str {
        let Some(&start) = self.starts.get((line.max(1) - 1) as usize) else {
            return "";
        };
        let end = self
            .starts
            .get(line as usize)
            .map_or(text.len(), |&next| next - 1);
        text[start..end.max(start)].trim_end_matches('\r')
    }

    /// The byte offset where a 1-based line starts.
    pub fn line_start(&self, line: u64) -> Option<usize> {
        self.starts.get((line.max(1) - 1) as usize).copied()
    }
}

impl LineIndex {
    /// `span` widened over the parentheses its text leaves open: sqlparser's span of a
    /// row value `(a, b)` or a subquery `(SELECT …)` covers what is inside them, so a
    /// predicate `(a, b) IN (SELECT …)` would show as `a, b) IN (SELECT …`. Only
    /// parentheses right next to the span (whitespace between) are taken; quoted text
    /// does not count.
    pub fn balanced(&self, text: &str, span: Span) -> Span {
        let range = self.byte_range(text, span);
        if range.end - range.start < 2 || span.start == span.end {
            return span;
        }
        let (mut opened, mut unopened) = (0usize, 0usize);
        let mut quote: Option<u8> = None;
        for &b in &text.as_bytes()[range.clone()] {
            match (quote, b) {
                (Some(q), b) if b == q => quote = None,
                (Some(_), _) => {}
                (None, b'\'' | b'"') => quote = Some(b),
                (None, b'(') => opened += 1,
                (None, b')') if opened > 0 => opened -= 1,
                (None, b')') => unopened += 1,
                _ => {}
            }
        }
        let (mut start, mut end) = (range.start, range.end);
        while unopened > 0 {
            let before = text[..start].trim_end_matches([' ', '\t', '\r', '\n']);
            if !before.ends_with('(') {
                break;
            }
            start = before.len() - 1;
            unopened -= 1;
        }
        while opened > 0 {
            let after = &text[end..];
            let skipped = after.len() - after.trim_start_matches([' ', '\t', '\r', '\n']).len();
            if !after[skipped..].starts_with(')') {
                break;
            }
            end += skipped + 1;
            opened -= 1;
        }
        if (start, end) == (range.start, range.end) {
            return span;
        }
        Span::new(self.position(text, start), self.position(text, end))
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A span of one point, for findings that have a position but no extent.
pub fn point(line: u64, column: u64) -> Span {
    Span::new(Location::new(line, column), Location::new(line, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_is_widened_over_the_parentheses_its_text_leaves_open() {
        let text = "SELECT 1 WHERE (a, b) IN ( SELECT x, y FROM t WHERE z = ')' ) AND c";
        let lines = LineIndex::new(text);
        let at = |needle: &str| text.find(needle).unwrap() as u64 + 1;
        // sqlparser's span: from `a` to the end of the subquery, parentheses left out.
        let inner = Span::new(
            Location::new(1, at("a, b")),
            Location::new(1, at("' )") + 1),
        );
        let widened = lines.balanced(text, inner);
        assert_eq!(
            &text[lines.byte_range(text, widened)],
            "(a, b) IN ( SELECT x, y FROM t WHERE z = ')' )"
        );
        // Balanced text, and a single point, are left alone.
        let column = Span::new(Location::new(1, at("c")), Location::new(1, at("c") + 1));
        assert_eq!(lines.balanced(text, column), column);
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "-- é\nSELECT * FROM ünïcode_t";
        let index = LineIndex::new(text);
        let offset = text.find("FROM").unwrap();
        assert_eq!(index.position(text, offset), Location::new(2, 10));
        let table = text.find("ünïcode_t").unwrap();
        assert_eq!(index.position(text, table), Location::new(2, 15));
        assert_eq!(index.offset(text, Location::new(2, 15)), table);
    }

    #[test]
    fn line_text_strips_crlf() {
        let text = "a\r\nbb\r\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_text(text, 1), "a");
        assert_eq!(index.line_text(text, 2), "bb");
        assert_eq!(index.line_text(text, 3), "");
        assert_eq!(index.line_text(text, 9), "");
    }

    #[test]
    fn empty_span_still_covers_one_character() {
        let text = "SELECT x";
        let index = LineIndex::new(text);
        assert_eq!(index.byte_range(text, point(1, 8)), 7..8);
        assert_eq!(index.byte_range(text, point(1, 9)), 8..8);
    }
}
