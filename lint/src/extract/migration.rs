//! Migration files as their tools run them: only the "up" part of a file is schema.
//!
//! sql-migrate (`-- +migrate Up` / `-- +migrate Down`), goose (`-- +goose Up` /
//! `-- +goose Down`) and dbmate (`-- migrate:up` / `-- migrate:down`) keep both
//! directions in one file; the statements of a down section undo the migration and
//! are neither schema nor checked. Whole down files (`*.down.sql`, diesel's
//! `down.sql`, Flyway's undo `U1__x.sql`) are recognised by [`is_down_migration`].

use std::path::Path;

use crate::extract::split::Split;

/// Whether a `--` comment's text marks the start of an up (`Some(true)`) or down
/// (`Some(false)`) section.
fn section_marker(comment: &str) -> Option<bool> {
    let words: Vec<String> = comment
        .split_whitespace()
        .take(2)
        .map(|w| w.to_ascii_lowercase())
        .collect();
    match words
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["+migrate" | "+goose", "up", ..] | ["migrate:up", ..] => Some(true),
        ["+migrate" | "+goose", "down", ..] | ["migrate:down", ..] => Some(false),
        _ => None,
    }
}

/// Removes the statements of down sections (from a down marker to the next up marker).
pub fn drop_down_sections(split: &mut Split, text: &str) {
    let markers: Vec<(sqlparser::tokenizer::Location, bool)> = split
        .comments
        .iter()
        .filter_map(|c| section_marker(&text[c.text.clone()]).map(|up| (c.at, up)))
        .collect();
    if !markers.iter().any(|(_, up)| !up) {
        return;
    }
    split.statements.retain(|s| {
        markers
            .iter()
            .rev()
            .find(|(at, _)| *at < s.start)
            .is_none_or(|(_, up)| *up)
    });
}

/// Whether a file undoes a migration: `*.down.sql`, `down.sql` (diesel), Flyway's
/// `U<version>__x.sql`. Such a file is neither schema nor checked.
pub fn is_down_migration(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".down.sql")
        || lower == "down.sql"
        || (lower.starts_with('u')
            && lower[1..].starts_with(|c: char| c.is_ascii_digit())
            && lower.contains("__")
            && lower.ends_with(".sql"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::split::split_statements;
    use crate::model::Dialect;

    #[test]
    fn down_sections_are_dropped_until_the_next_up() {
        let text = "-- +migrate Up\nCREATE TABLE a (x int);\n-- +migrate Down\nDROP TABLE a;\n\
                    -- +goose Up\nCREATE TABLE b (x int);\n-- migrate:down\nDROP TABLE b;\n";
        let mut split = split_statements(text, Dialect::Postgres);
        drop_down_sections(&mut split, text);
        let kept: Vec<&str> = split
            .statements
            .iter()
            .map(|s| &text[s.range.clone()])
            .collect();
        assert_eq!(kept, ["CREATE TABLE a (x int)", "CREATE TABLE b (x int)"]);
    }

    #[test]
    fn down_files_are_recognised() {
        for down in [
            "m/0001_x.down.sql",
            "m/2024-01-01-000000_x/down.sql",
            "U3__undo.sql",
        ] {
            assert!(is_down_migration(Path::new(down)), "{down}");
        }
        for up in [
            "m/0001_x.up.sql",
            "up.sql",
            "V3__x.sql",
            "users.sql",
            "update.sql",
        ] {
            assert!(!is_down_migration(Path::new(up)), "{up}");
        }
    }
}
