//! Cheap byte-level scans of a Rust file, run before it is parsed (by the token-level
//! reader in [`crate::extract::fast`], or by syn).
//!
//! [`may_hold_sql`] decides whether a file can hold anything the Rust scan reports: a
//! string literal or doc comment that starts like SQL (after whitespace, escapes and
//! SQL comments), a
//! `#[tenant_scoped]` attribute, a `tenant-lint:` comment, or a macro that brings SQL
//! from elsewhere (`include_str!`, `query_file!`, `concat!`). Most files of a service
//! hold none, and are then never parsed. It is exact in the direction that matters: a
//! file it rejects has no literal that [`starts_like_sql`] accepts, so the full scan
//! finds no statement there (a test compares both over the fixtures and a generated
//! corpus).
//!
//! [`outline`] splits the file into top-level items and measures bracket nesting and
//! the longest operator chain outside strings and comments, so a file nested or
//! chained too deep for a recursive parser on a worker thread's stack is reported
//! instead of crashing the scan; [`plan_items`] keeps the items [`sql_hits`] finds
//! something in.

use crate::extract::rust::{STATEMENT_KEYWORDS, skip_sql_comments, starts_like_sql};

/// Words whose presence sends a file to the full scan whatever its literals.
const MARKERS: &[&str] = &[
    "tenant_scoped",
    "tenant-lint:",
    "include_str",
    "query_file",
    "concat!",
];

/// What is searched for: every marker starts with one of these (the two `tenant`
/// markers share a pass), and a hit counts when a marker starts there.
const SEARCHED: &[&str] = &["tenant", "include_str", "query_file", "concat!"];

/// How much of a literal is decoded to find its first word.
const PREFIX: usize = 512;

/// Doc comment openers: syn reads a doc comment as a string literal (`#[doc = "…"]`),
/// and the scan reads those inside macro invocations.
const DOCS: &[&str] = &["///", "//!", "/**", "/*!"];

/// A substring searcher per marker. Markers are rare, and each search skips through
/// the text with vectorised comparisons of two of its bytes (an automaton for all
/// of them keys on bytes as common in Rust as `_`).
fn markers() -> &'static [memchr::memmem::Finder<'static>] {
    static FINDERS: std::sync::OnceLock<Vec<memchr::memmem::Finder<'static>>> =
        std::sync::OnceLock::new();
    FINDERS.get_or_init(|| SEARCHED.iter().map(memchr::memmem::Finder::new).collect())
}

/// Whether the Rust source `text` may hold SQL or anything else the Rust scan reports.
pub fn may_hold_sql(text: &str) -> bool {
    !sql_hits(text).is_empty()
}

/// Where [`may_hold_sql`] finds something in `text`, in order: the offset of each
/// marker, and of each `"` and doc comment opener whose text may start like SQL.
/// Every `"` is looked at (a closing quote too: that can only add a hit, never lose
/// one); quotes and slashes are found with a vectorised byte search.
pub fn sql_hits(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut out: Vec<usize> = markers()
        .iter()
        .flat_map(|finder| finder.find_iter(bytes))
        .filter(|&at| {
            MARKERS
                .iter()
                .any(|m| bytes[at..].starts_with(m.as_bytes()))
        })
        .collect();
    let marked = out.len();
    for at in memchr::memchr2_iter(b'"', b'/', bytes) {
        let holds = if bytes[at] == b'"' {
            literal_may_be_sql(&text[at + 1..])
        } else if DOCS.iter().any(|d| bytes[at..].starts_with(d.as_bytes())) {
            let rest = &text[at + 3..];
            let line = rest.split_once('\n').map_or(rest, |(line, _)| line);
            starts_like_sql(line) || literal_may_be_sql(line)
        } else {
            false
        };
        if holds {
            out.push(at);
        }
    }
    if marked > 0 {
        out.sort_unstable();
    }
    out
}

/// Whether a string literal token as written (`"…"`, `r#"…"#`, `b"…"`) may start
/// like SQL: `false` only when its value certainly does not.
pub fn token_may_be_sql(repr: &str) -> bool {
    let rest = repr
        .trim_start_matches(['r', 'b', 'c'])
        .trim_start_matches('#');
    match rest.strip_prefix('"') {
        Some(body) => literal_may_be_sql(body),
        None => true,
    }
}

/// Whether the literal whose text starts at `rest` (just after its opening quote) may
/// start like SQL. Escapes are decoded as Rust does; a prefix cut short while still in
/// leading whitespace or a SQL comment counts as a maybe.
fn literal_may_be_sql(rest: &str) -> bool {
    // Fast paths, without decoding: SQL starts with a keyword, blank space, an escape
    // or a comment; and a keyword written plainly is decided by its own letters.
    // Plain ASCII blank space decodes to itself, and SQL may start after it.
    let all = rest.as_bytes();
    let blank = all
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .count();
    let bytes = &all[blank..];
    match bytes.first() {
        Some(b) if b.is_ascii_alphabetic() => {
            let word = bytes.iter().take_while(|b| b.is_ascii_alphabetic()).count();
            let keyword = STATEMENT_KEYWORDS
                .iter()
                .any(|k| k.as_bytes().eq_ignore_ascii_case(&bytes[..word]));
            // (`SELEC\x54` spells a keyword through an escape: decode that.)
            if !keyword && bytes.get(word) != Some(&b'\\') {
                return false;
            }
            // A keyword, blank space or `(`, then plainly more text: SQL-like.
            if keyword && matches!(bytes.get(word), Some(b' ' | b'\t' | b'\r' | b'\n' | b'(')) {
                let after = &bytes[word + 1..];
                let blank = after
                    .iter()
                    .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                    .count();
                if after
                    .get(blank)
                    .is_some_and(|&b| b != b'"' && b != b'\\' && b.is_ascii())
                {
                    return true;
                }
            }
        }
        // An escape, a comment, or other blank space (Unicode): decode.
        Some(b'\\' | b'-' | b'/') => {}
        Some(b) if *b >= 0x80 => {}
        _ => return false,
    }
    let mut decoded = String::new();
    let mut chars = rest.chars().peekable();
    let mut cut = false;
    while let Some(c) = chars.next() {
        if decoded.len() >= PREFIX {
            cut = true;
            break;
        }
        match c {
            '"' => {
                // The end of the literal, or a quote inside a raw string: when the text
                // so far is a statement keyword, what follows the quote may complete it.
                let word = decoded.trim_start();
                return starts_like_sql(&decoded)
                    || STATEMENT_KEYWORDS
                        .iter()
                        .any(|k| word.trim_end().eq_ignore_ascii_case(k));
            }
            '\\' => match chars.next() {
                Some('n') => decoded.push('\n'),
                Some('t') => decoded.push('\t'),
                Some('r') => decoded.push('\r'),
                Some('0') => decoded.push('\0'),
                Some('\n') => {
                    // A line continuation skips the newline and the next line's indent.
                    while chars.peek().is_some_and(|c| c.is_whitespace()) {
                        chars.next();
                    }
                }
                Some('x') => {
                    let hex: String = chars.by_ref().take(2).collect();
                    match u8::from_str_radix(&hex, 16) {
                        Ok(b) => decoded.push(char::from(b)),
                        Err(_) => return true,
                    }
                }
                Some('u') => {
                    let mut hex = String::new();
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                        if c != '{' {
                            hex.push(c);
                        }
                    }
                    match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                        Some(c) => decoded.push(c),
                        None => return true,
                    }
                }
                Some(other) => decoded.push(other),
                None => break,
            },
            c => decoded.push(c),
        }
        // Stop once the first word is complete: nothing after it matters.
        if decoded_first_word_done(&decoded) {
            break;
        }
    }
    if starts_like_sql(&decoded) {
        return true;
    }
    cut && {
        let t = decoded.trim_start();
        t.is_empty() || t.starts_with("--") || t.starts_with("/*")
    }
}

/// Whether `decoded` holds a first word followed by at least one more character past
/// leading whitespace and SQL comments, with something after it (what
/// [`starts_like_sql`] needs to decide).
fn decoded_first_word_done(decoded: &str) -> bool {
    let Some(rest) = skip_sql_comments(decoded) else {
        return false;
    };
    if rest.is_empty() || rest == "-" || rest == "/" {
        return false;
    }
    let word = rest
        .char_indices()
        .find(|(_, c)| !c.is_ascii_alphabetic())
        .map(|(i, _)| i);
    match word {
        // Not a word at all: decided. A word then a separator: need one more
        // non-space character for `starts_like_sql`.
        Some(0) => true,
        Some(i) => !rest[i..].trim().is_empty(),
        None => false,
    }
}

/// Calls `on(offset, byte)` for every `(`, `[`, `{`, `)`, `]`, `}` and `;` outside
/// comments, strings and character literals.
fn structure(text: &str, mut on: impl FnMut(usize, u8)) {
    // The bytes the match below has an arm for; the others are skipped in a tight loop.
    const INTERESTING: [bool; 256] = crate::extract::byte_set(b"/r\"'()[]{};+-*%&|^!<>=?.");
    let b = text.as_bytes();
    let mut i = 0usize;
    while i < b.len() {
        while i < b.len() && !INTERESTING[b[i] as usize] {
            i += 1;
        }
        if i == b.len() {
            break;
        }
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |p| i + p);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut level = 1;
                i += 2;
                while i < b.len() && level > 0 {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        level += 1;
                        i += 1;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        level -= 1;
                        i += 1;
                    }
                    i += 1;
                }
                continue;
            }
            b'r' if matches!(b.get(i + 1), Some(b'"' | b'#'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                if b.get(i + 1 + hashes) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                // The first `"` followed by as many `#`.
                let mut j = i + 2 + hashes;
                i = loop {
                    let Some(p) = memchr::memchr(b'"', &b[j..]) else {
                        break b.len();
                    };
                    let after = j + p + 1;
                    if b[after..]
                        .iter()
                        .take(hashes)
                        .take_while(|&&c| c == b'#')
                        .count()
                        == hashes
                    {
                        break after + hashes;
                    }
                    j = after;
                };
                continue;
            }
            b'"' => {
                // To the closing quote (past the end when there is none).
                i += 1;
                while i < b.len() {
                    match memchr::memchr2(b'"', b'\\', &b[i..]) {
                        None => i = b.len(),
                        Some(p) if b[i + p] == b'\\' => i += p + 2,
                        Some(p) => {
                            i += p;
                            break;
                        }
                    }
                }
            }
            b'\'' => {
                // A character literal (`'x'`, `'\n'`, `'"'`), not a lifetime.
                if b.get(i + 1) == Some(&b'\\') {
                    i += 2;
                    while i < b.len() && b[i] != b'\'' {
                        i += 1;
                    }
                } else if let Some(c) = text.get(i + 1..).and_then(|t| t.chars().next())
                    && text[i + 1 + c.len_utf8()..].starts_with('\'')
                {
                    i += 1 + c.len_utf8();
                }
            }
            c @ (b'(' | b'[' | b'{' | b')' | b']' | b'}' | b';') => on(i, c),
            c @ (b'/' | b'+' | b'-' | b'*' | b'%' | b'&' | b'|' | b'^' | b'!' | b'<' | b'>'
            | b'=' | b'?' | b'.') => on(i, c),
            _ => {}
        }
        i += 1;
    }
}

/// The deepest nesting of `(`, `[` and `{` outside comments, strings and character
/// literals.
pub fn nesting_depth(text: &str) -> usize {
    outline(text).depth
}

/// The file's top-level items as byte ranges: each ends at a `}` or `;` at nesting
/// depth 0 (a `;` right after such a `}` belongs to it), and includes the comments and
/// attributes before it.
fn top_level_items(text: &str) -> Vec<std::ops::Range<usize>> {
    outline(text).items
}

/// The shape of a Rust file, from one pass over its text outside comments, strings
/// and character literals.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outline {
    /// [`top_level_items`].
    pub items: Vec<std::ops::Range<usize>>,
    /// [`nesting_depth`].
    pub depth: usize,
    /// The most operator characters (`+ - * / % & | ^ ! < > = ? .`) between two
    /// statement boundaries (`;`, `{`, `}`): a chain `a + b + c …` or `x.f().g() …`
    /// parses into a tree as deep as it is long, which every walk over it recurses
    /// through.
    pub operators: usize,
}

pub fn outline(text: &str) -> Outline {
    let mut items = Vec::new();
    let mut start = 0;
    let (mut depth, mut max) = (0usize, 0usize);
    let (mut operators, mut max_operators) = (0usize, 0usize);
    structure(text, |i, c| match c {
        b'(' | b'[' => {
            depth += 1;
            max = max.max(depth);
        }
        b'{' => {
            depth += 1;
            max = max.max(depth);
            operators = 0;
        }
        b')' | b']' => depth = depth.saturating_sub(1),
        b'}' => {
            depth = depth.saturating_sub(1);
            operators = 0;
            if depth == 0 {
                items.push(start..i + 1);
                start = i + 1;
            }
        }
        b';' => {
            operators = 0;
            if depth == 0 {
                if text[start..i].trim().is_empty()
                    && let Some(last) = items.last_mut()
                {
                    last.end = i + 1;
                } else {
                    items.push(start..i + 1);
                }
                start = i + 1;
            }
        }
        _ => {
            operators += 1;
            max_operators = max_operators.max(operators);
        }
    });
    if start < text.len() {
        items.push(start..text.len());
    }
    Outline {
        items,
        depth: max,
        operators: max_operators,
    }
}

/// The lines of a Rust file's test code: items under `#[cfg(test)]` (a `tests`
/// module), functions under `#[test]`, `#[tokio::test]`, `#[sqlx::test]` and other
/// attributes whose path ends in `test`, and the whole file under `#![cfg(test)]`.
/// Read outside comments and strings; the region runs from the attribute to the end of
/// the item's body (or its `;`).
pub fn test_regions(text: &str) -> Vec<std::ops::RangeInclusive<u64>> {
    if !text.contains("test") {
        return Vec::new();
    }
    let mut regions: Vec<std::ops::Range<usize>> = Vec::new();
    // Open brackets: the byte, and for a `{`, the test attribute its item started at.
    let mut stack: Vec<(u8, usize, Option<usize>)> = Vec::new();
    // A test attribute seen, not yet followed by its item's body: where it starts, and
    // at what depth.
    let mut pending: Option<(usize, usize)> = None;
    let mut whole = false;
    structure(text, |i, c| match c {
        b'(' | b'[' => stack.push((c, i, None)),
        b'{' => {
            let test = match pending {
                Some((start, depth)) if depth == stack.len() => {
                    pending = None;
                    Some(start)
                }
                _ => None,
            };
            stack.push((c, i, test));
        }
        b')' => {
            stack.pop();
        }
        b']' => {
            let Some((b'[', open, _)) = stack.pop() else {
                return;
            };
            let before = text[..open].trim_end();
            let inner = before.ends_with("#!");
            if !(inner || before.ends_with('#')) {
                return;
            }
            let content: String = text[open + 1..i]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            if !is_test_attribute(&content) {
                return;
            }
            if inner {
                whole = whole || content == "cfg(test)";
            } else if pending.is_none() {
                pending = Some((before.len() - 1, stack.len()));
            }
        }
        b'}' => {
            if let Some((_, _, Some(start))) = stack.pop() {
                regions.push(start..i + 1);
            }
        }
        b';' => {
            if let Some((start, depth)) = pending
                && depth == stack.len()
            {
                pending = None;
                regions.push(start..i + 1);
            }
        }
        _ => {}
    });
    let lines = crate::extract::source::LineIndex::new(text);
    if whole {
        return vec![1..=lines.line_count() as u64];
    }
    // Outermost regions only (a `#[test]` function inside a `tests` module is in it).
    regions.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    for r in regions {
        if out.last().is_none_or(|last| last.end < r.end) {
            out.push(r);
        }
    }
    out.into_iter()
        .map(|r| lines.line(r.start)..=lines.line(r.end.saturating_sub(1)))
        .collect()
}

/// `cfg(test)`, `cfg(all(test, …))`, or an attribute whose path ends in `test`
/// (`test`, `tokio::test`, `sqlx::test(…)`), `rstest` or `test_case(…)`.
fn is_test_attribute(content: &str) -> bool {
    if content == "cfg(test)" || content.starts_with("cfg(all(test,") {
        return true;
    }
    let path = content.split('(').next().unwrap_or(content);
    let last = path.rsplit("::").next().unwrap_or(path);
    matches!(last, "test" | "rstest" | "test_case")
}

/// Whether an item is a `const` or `static` (their strings fill `format!` holes
/// anywhere in the file).
fn is_constant(item: &str) -> bool {
    let mut rest = item.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else if rest.starts_with("#[") || rest.starts_with("#![") {
            let mut depth = 0;
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '[' => depth += 1,
                        ']' => depth -= 1,
                        _ => {}
                    }
                    depth == 0 && c == ']'
                })
                .map_or(rest.len(), |(i, _)| i + 1);
            rest = rest[end..].trim_start();
        } else if let Some(after) = rest.strip_prefix("pub") {
            rest = after.trim_start();
            if rest.starts_with('(') {
                rest = rest.split_once(')').map_or("", |(_, r)| r).trim_start();
            }
        } else {
            break;
        }
    }
    rest.starts_with("const ") || rest.starts_with("static ")
}

/// The text with every top-level item that holds nothing the Rust scan reports (no
/// SQL-looking literal, no marker, not a constant) replaced by spaces, line breaks
/// kept, one space per character: what syn then parses has the same lines and columns
/// as the file, and much less to parse. `None` when there is nothing to blank out.
///
/// If the split into items is wrong (an unusual construct), the blanked text does not
/// parse, and the caller parses the whole file instead.
pub fn blank_unrelated_items(text: &str) -> Option<String> {
    blank_items(text, &item_plan(text))
}

/// The file's top-level items, each with whether the scan needs it: a `const` or
/// `static` (a `format!` hole may name it) or an item that may hold SQL.
pub fn item_plan(text: &str) -> Vec<(std::ops::Range<usize>, bool)> {
    plan_items(text, top_level_items(text), &sql_hits(text))
}

/// [`item_plan`] for items already split by [`outline`], given the file's
/// [`sql_hits`]: an item is kept if a hit is inside it.
pub fn plan_items(
    text: &str,
    items: Vec<std::ops::Range<usize>>,
    hits: &[usize],
) -> Vec<(std::ops::Range<usize>, bool)> {
    items
        .into_iter()
        .map(|r| {
            let first_hit = hits.partition_point(|&h| h < r.start);
            let hit = hits.get(first_hit).is_some_and(|&h| h < r.end);
            let keep = hit || is_constant(&text[r.clone()]);
            (r, keep)
        })
        .collect()
}

/// The text with the items `plan` does not keep blanked out (same lines and
/// columns); `None` when it keeps them all.
pub fn blank_items(text: &str, plan: &[(std::ops::Range<usize>, bool)]) -> Option<String> {
    if plan.iter().all(|(_, keep)| *keep) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, keep) in plan {
        out.push_str(&text[at..range.start]);
        let item = &text[range.clone()];
        if *keep {
            out.push_str(item);
        } else {
            out.extend(
                item.chars()
                    .map(|c| if c == '\n' || c == '\r' { c } else { ' ' }),
            );
        }
        at = range.end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn test_code_is_found_outside_strings_and_comments() {
        let text = r##"fn app() { let s = "#[test] fn x() {}"; }
// #[cfg(test)] mod commented { }
#[cfg(test)]
mod tests {
    #[test]
    fn one() { let _ = "{"; }
}

#[tokio::test(flavor = "multi_thread")]
async fn two() {
    work().await;
}
#[cfg(not(test))]
fn production() {}
#[sqlx::test]
fn three() {}
"##;
        assert_eq!(super::test_regions(text), vec![3..=7, 9..=12, 15..=16]);
        assert_eq!(
            super::test_regions("#![cfg(test)]\nfn a() {}\nfn b() {}\n"),
            vec![1..=4]
        );
        assert!(super::test_regions("fn contest() { let test = 1; }").is_empty());
    }

    use super::*;
    use proptest::strategy::Strategy;

    /// The byte-by-byte scan `structure` replaced, for comparing the two.
    fn reference_structure(text: &str, mut on: impl FnMut(usize, u8)) {
        // The bytes the match below has an arm for; the others are skipped in a tight loop.
        const INTERESTING: [bool; 256] = crate::extract::byte_set(b"/r\"'()[]{};+-*%&|^!<>=?.");
        let b = text.as_bytes();
        let mut i = 0usize;
        while i < b.len() {
            while i < b.len() && !INTERESTING[b[i] as usize] {
                i += 1;
            }
            if i == b.len() {
                break;
            }
            match b[i] {
                b'/' if b.get(i + 1) == Some(&b'/') => {
                    i = b[i..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map_or(b.len(), |p| i + p);
                }
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    let mut level = 1;
                    i += 2;
                    while i < b.len() && level > 0 {
                        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                            level += 1;
                            i += 1;
                        } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                            level -= 1;
                            i += 1;
                        }
                        i += 1;
                    }
                    continue;
                }
                b'r' if matches!(b.get(i + 1), Some(b'"' | b'#'))
                    && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
                {
                    let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                    if b.get(i + 1 + hashes) != Some(&b'"') {
                        i += 1;
                        continue;
                    }
                    let body = i + 2 + hashes;
                    let mut close = Vec::with_capacity(hashes + 1);
                    close.push(b'"');
                    close.extend(std::iter::repeat_n(b'#', hashes));
                    i = b[body..]
                        .windows(close.len())
                        .position(|w| w == close.as_slice())
                        .map_or(b.len(), |p| body + p + close.len());
                    continue;
                }
                b'"' => {
                    i += 1;
                    while i < b.len() && b[i] != b'"' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                }
                b'\'' => {
                    // A character literal (`'x'`, `'\n'`, `'"'`), not a lifetime.
                    if b.get(i + 1) == Some(&b'\\') {
                        i += 2;
                        while i < b.len() && b[i] != b'\'' {
                            i += 1;
                        }
                    } else if let Some(c) = text.get(i + 1..).and_then(|t| t.chars().next())
                        && text[i + 1 + c.len_utf8()..].starts_with('\'')
                    {
                        i += 1 + c.len_utf8();
                    }
                }
                c @ (b'(' | b'[' | b'{' | b')' | b']' | b'}' | b';') => on(i, c),
                c @ (b'/' | b'+' | b'-' | b'*' | b'%' | b'&' | b'|' | b'^' | b'!' | b'<' | b'>'
                | b'=' | b'?' | b'.') => on(i, c),
                _ => {}
            }
            i += 1;
        }
    }

    proptest::proptest! {
        #[test]
        fn structure_finds_what_the_byte_by_byte_scan_found(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::string::string_regex("[a-z0-9 _.;(){}+=-]{0,8}").unwrap(),
                    proptest::sample::select(vec![
                        "\"", "\\", "\\\"", "r\"", "r#\"", "\"#", "\"##", "#", "'", "'a'", "'\\''",
                        "//", "/*", "*/", "\n", "é", "br\"", "x\"",
                    ]).prop_map(str::to_string),
                ],
                0..24,
            ),
        ) {
            let text: String = parts.concat();
            let mut new = Vec::new();
            structure(&text, |i, c| new.push((i, c)));
            let mut old = Vec::new();
            reference_structure(&text, |i, c| old.push((i, c)));
            proptest::prop_assert_eq!(new, old, "{:?}", text);
        }
    }

    #[test]
    fn sql_literals_are_seen_through_whitespace_escapes_and_comments() {
        for text in [
            r#"let q = "SELECT * FROM JOB";"#,
            r#"let q = "\n    select a from b";"#,
            "let q = \"\\\n    SELECT a FROM b\";",
            r#"let q = "-- why\nSELECT a FROM b";"#,
            r#"let q = "/* hint */ DELETE FROM b";"#,
            r##"let q = r#"WITH x AS (SELECT 1) SELECT * FROM x"#;"##,
            r#"let q = "\x53ELECT a FROM b";"#,
            r#"let q = "\u{53}ELECT a FROM b";"#,
            r#"let q = "SELEC\x54 a FROM b";"#,
        ] {
            assert!(may_hold_sql(text), "{text}");
        }
    }

    #[test]
    fn files_without_sql_or_markers_are_rejected() {
        for text in [
            "fn main() { println!(\"hello, {}\", name); }",
            "const SELECTOR: &str = \"selected items\";",
            "let c = '\"'; let s = \"later, update me\";",
            "fn f(tenant_id: u64, tenant: &Tenant) -> u64 { tenant_id } // tenant-lint",
        ] {
            assert!(!may_hold_sql(text), "{text}");
        }
        assert!(may_hold_sql("#[tenant_scoped] fn f() {}"));
        assert!(may_hold_sql("m! {\n    /// SELECT * FROM JOB;\n    x\n}"));
        // A keyword cut by a quote may be a raw string going on: a maybe.
        assert!(may_hold_sql(r###"let q = r#"SELECT "name" FROM t"#;"###));
        assert!(may_hold_sql("// tenant-lint: allow(TI001) reason=\"x\""));
        assert_eq!(sql_hits("let tenant = 1; // tenant-lint: allow"), [19]);
        for marker in MARKERS {
            assert!(SEARCHED.iter().any(|s| marker.starts_with(s)), "{marker}");
        }
        assert!(may_hold_sql("const Q: &str = include_str!(\"q.sql\");"));
    }

    #[test]
    fn a_long_leading_comment_counts_as_a_maybe() {
        let text = format!("let q = \"-- {}\\nSELECT a FROM b\";", "x".repeat(2000));
        assert!(may_hold_sql(&text));
    }

    #[test]
    fn unrelated_items_are_blanked_keeping_lines_and_columns() {
        let text = "//! Module.\n#![allow(dead_code)]\nconst A: &str = \"x\";\nuse a::b;\n\nfn plain() { log(\"é {}\", 1); }\n\nconst C: &str = \"a, b\";\n\n/// Reads.\n#[tenant_scoped]\nfn q(s: &S) { s.query(\"SELECT 1 FROM t\") }\nstruct X;\n";
        let blanked = blank_unrelated_items(text).unwrap();
        assert_eq!(blanked.lines().count(), text.lines().count());
        for (a, b) in blanked.lines().zip(text.lines()) {
            assert_eq!(a.chars().count(), b.chars().count());
        }
        assert!(
            !blanked.contains("plain")
                && !blanked.contains("use a")
                && !blanked.contains("struct X")
        );
        assert!(blanked.contains("const C: &str = \"a, b\";"));
        assert!(blanked.contains("#![allow(dead_code)]\nconst A: &str = \"x\";"));
        assert!(blanked.contains("#[tenant_scoped]\nfn q(s: &S) { s.query(\"SELECT 1 FROM t\") }"));
        assert!(syn::parse_file(&blanked).is_ok());
        assert_eq!(
            blank_unrelated_items("fn q() { x(\"SELECT 1 FROM t\") }"),
            None
        );
    }

    #[test]
    fn a_trailing_semicolon_stays_with_its_item() {
        let items = top_level_items("const F: u8 = { 1 };\nfn f() {}\n");
        assert_eq!(items, vec![0..20, 20..30, 30..31]);
    }

    #[test]
    fn nesting_ignores_brackets_in_strings_comments_and_chars() {
        assert_eq!(nesting_depth("fn f() { g((1), [2]); }"), 3);
        assert_eq!(
            nesting_depth("let s = \"((((\"; // ((((\n/* ( /* ( */ */ let c = '(';"),
            0
        );
        assert_eq!(
            nesting_depth("let s = r#\"(((\"#; fn f<'a>(x: &'a str) {}"),
            1
        );
        assert_eq!(nesting_depth(&"(".repeat(10_000)), 10_000);
    }
}
