//! String constants of Rust sources, across files: a `format!` hole that names a
//! constant defined in another module (`format!("SELECT {COLUMNS} FROM job …")` with
//! `pub const COLUMNS: &str = "…"` elsewhere in the crate) is filled with its text, as
//! the compiler fills it, instead of being reported as SQL built at run time.

use std::collections::HashMap;

use crate::extract::literal::{Decoded, decode};
use crate::extract::rust::RustSql;
use crate::extract::source::LineIndex;

/// `const NAME: &str = "…";` and `static NAME: &str = "…";` (also `&'static str`, raw
/// strings) anywhere in `text`, as `(name, value)`. A byte scan, so it also reads files
/// the SQL pre-filter skips.
pub fn string_consts(text: &str) -> Vec<(String, String)> {
    located_consts(text)
        .into_iter()
        .map(|(name, value)| (name, value.text))
        .collect()
}

/// [`string_consts`] with where each character of each value stands in `text`.
pub fn located_consts(text: &str) -> Vec<(String, Decoded)> {
    let mut out = Vec::new();
    let mut lines = None;
    for keyword in ["const ", "static "] {
        for at in memchr::memmem::find_iter(text.as_bytes(), keyword.as_bytes()) {
            let starts_word = at == 0 || !is_ident_byte(text.as_bytes()[at - 1]);
            let start = at + keyword.len();
            if starts_word && let Some((name, offset, literal)) = one_const(&text[start..]) {
                let lines = lines.get_or_insert_with(|| LineIndex::new(text));
                let position = lines.position(text, start + offset);
                if let Some(value) = decode(literal, position) {
                    out.push((name, value));
                }
            }
        }
    }
    out.sort_by_key(|(_, value)| value.at.first());
    out
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `NAME: &str = "…";` after the keyword: the name, where the literal starts in
/// `text`, and the literal.
fn one_const(text: &str) -> Option<(String, usize, &str)> {
    let rest = text.trim_start();
    let rest = rest.strip_prefix("mut ").unwrap_or(rest).trim_start();
    let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
    let (name, rest) = rest.split_at(end);
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('&')?.trim_start();
    let rest = rest.strip_prefix("'static").unwrap_or(rest).trim_start();
    let rest = rest.strip_prefix("str")?.trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let literal_len = literal_len(rest)?;
    let (literal, after) = rest.split_at(literal_len);
    after.trim_start().strip_prefix(';')?;
    Some((name.to_string(), text.len() - rest.len(), literal))
}

/// The length of the string literal `text` starts with (`"…"` with escapes, `r#"…"#`).
fn literal_len(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    if let Some(raw) = text.strip_prefix('r') {
        let hashes = raw.bytes().take_while(|&b| b == b'#').count();
        let open = 1 + hashes;
        if bytes.get(open) != Some(&b'"') {
            return None;
        }
        let close = format!("\"{}", "#".repeat(hashes));
        let end = text[open + 1..].find(&close)?;
        return Some(open + 1 + end + close.len());
    }
    if bytes.first() != Some(&b'"') {
        return None;
    }
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The string constants of a project's Rust files, by name; a name defined with two
/// different values is ambiguous and fills nothing. A file's own constants come first
/// ([`Constants::with_local`]): their text keeps its place in the file.
#[derive(Debug, Clone, Default)]
pub struct Constants {
    by_name: HashMap<String, Option<String>>,
    /// The constants of the file being checked, with their positions.
    local: HashMap<String, Option<Decoded>>,
}

impl Constants {
    pub fn add(&mut self, name: String, value: String) {
        self.by_name
            .entry(name)
            .and_modify(|known| {
                if known.as_deref() != Some(value.as_str()) {
                    *known = None;
                }
            })
            .or_insert(Some(value));
    }

    /// These constants with those of the file being checked (see [`located_consts`])
    /// first: a name the file defines is the file's, ambiguous if it defines it twice
    /// with different values.
    pub fn with_local(&self, local: Vec<(String, Decoded)>) -> Constants {
        let mut out = Constants {
            by_name: self.by_name.clone(),
            local: HashMap::new(),
        };
        for (name, value) in local {
            out.local
                .entry(name)
                .and_modify(|known| {
                    if known.as_ref().map(|k| &k.text) != Some(&value.text) {
                        *known = None;
                    }
                })
                .or_insert(Some(value));
        }
        out
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        match self.local.get(name) {
            Some(local) => local.as_ref().map(|d| d.text.as_str()),
            None => self.by_name.get(name)?.as_deref(),
        }
    }

    /// Whether a hole of `sql` names a constant known here.
    pub fn fills(&self, sql: &RustSql) -> bool {
        sql.holes
            .iter()
            .any(|h| h.name.as_deref().is_some_and(|n| self.get(n).is_some()))
    }

    /// `sql` with the holes that name known constants filled with their text: a
    /// constant of the same file where it is written, one of another file with every
    /// character at the hole.
    pub fn fill(&self, sql: &RustSql) -> RustSql {
        let mut out = sql.clone();
        for hole in &sql.holes {
            let Some(name) = hole.name.as_deref() else {
                continue;
            };
            let value = match self.local.get(name) {
                Some(Some(local)) => local.clone(),
                Some(None) => continue,
                None => match self.by_name.get(name) {
                    Some(Some(value)) => {
                        let mut at_hole = Decoded::default();
                        at_hole.append_at(value, hole.at);
                        at_hole.finish(hole.at);
                        at_hole
                    }
                    _ => continue,
                },
            };
            out.text = replace(&out.text, &hole.placeholder, &value);
            out.holes.retain(|h| h.placeholder != hole.placeholder);
        }
        out
    }
}

/// `decoded` with `placeholder` replaced by `value` (characters and positions).
fn replace(decoded: &Decoded, placeholder: &str, value: &Decoded) -> Decoded {
    let Some(start) = decoded.text.find(placeholder) else {
        return decoded.clone();
    };
    let before = decoded.text[..start].chars().count();
    let length = placeholder.chars().count();
    let mut out = Decoded::default();
    for (i, c) in decoded.text.chars().enumerate() {
        if i == before {
            out.append(value);
        }
        if i < before || i >= before + length {
            out.push(c, decoded.at.nth(i));
        }
    }
    out.finish(decoded.at.nth(decoded.char_count()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_constants_are_found_in_any_item() {
        let text = "pub const COLUMNS: &str = \"id, name\";\nstatic RAW: &'static str = r#\"a \"b\"\"#;\nconst N: usize = 3;\nlet constant = 1;\n";
        assert_eq!(
            string_consts(text),
            [
                ("COLUMNS".to_string(), "id, name".to_string()),
                ("RAW".to_string(), "a \"b\"".to_string()),
            ]
        );
    }

    #[test]
    fn a_name_with_two_values_fills_nothing() {
        let mut constants = Constants::default();
        constants.add("A".into(), "x".into());
        constants.add("A".into(), "x".into());
        constants.add("B".into(), "x".into());
        constants.add("B".into(), "y".into());
        assert_eq!(constants.get("A"), Some("x"));
        assert_eq!(constants.get("B"), None);
    }
}
