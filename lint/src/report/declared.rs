//! Code that is cross-tenant by design: `[[cross_tenant]]` declarations and test code
//! (`[scan] tests`).
//!
//! A declaration covers files by path glob, or Rust functions by their path in the
//! crate. Over what it covers, the tenant rules' findings (reads, writes, the Rust scope
//! rules) become suppressions with the declaration's reason: listed by
//! `--list-suppressions` and the audit, not reported. The schema rules and what the
//! engine could not read (`TI9xx`, `dynamic-sql`) are never covered. A declaration that
//! covers no finding anywhere is reported like an unused suppression, at its place in
//! the configuration.

use std::ops::{Range, RangeInclusive};
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use sqlparser::tokenizer::{Location, Span};

use crate::model::Config;
use crate::model::config::TestCode;
use crate::report::suppress::{Extent, Suppression};
use crate::rules::{self, Rule};

/// The rules a declaration covers: the tenant rules of reads and writes, and the Rust
/// scope rules.
pub fn covered_rules() -> Vec<&'static Rule> {
    rules::ALL
        .iter()
        .copied()
        .filter(|r| {
            r.code.starts_with("TI0")
                || r.code.starts_with("TI1")
                || matches!(r.code, "TI301" | "TI302")
        })
        .collect()
}

/// The declarations of a configuration, compiled.
#[derive(Debug, Clone, Default)]
pub struct Declarations {
    entries: Vec<Declaration>,
    tests: Option<TestCode>,
    base: PathBuf,
}

#[derive(Debug, Clone)]
struct Declaration {
    paths: GlobSet,
    functions: GlobSet,
    has_functions: bool,
    reason: String,
    at: Location,
    /// How the configuration writes it, for listings.
    shown: String,
}

impl Declarations {
    pub fn new(config: &Config) -> Declarations {
        let set = |patterns: &[String], rust: bool| {
            let mut builder = GlobSetBuilder::new();
            for pattern in patterns {
                let pattern = if rust {
                    pattern.replace("::", "/")
                } else {
                    pattern.clone()
                };
                if let Ok(glob) = Glob::new(&pattern) {
                    builder.add(glob);
                }
            }
            builder.build().unwrap_or_else(|_| GlobSet::empty())
        };
        let entries = config
            .cross_tenant
            .iter()
            .map(|d| {
                let mut shown = Vec::new();
                if !d.paths.is_empty() {
                    shown.push(format!("paths {}", d.paths.join(", ")));
                }
                if !d.functions.is_empty() {
                    shown.push(format!("functions {}", d.functions.join(", ")));
                }
                Declaration {
                    paths: set(&d.paths, false),
                    functions: set(&d.functions, true),
                    has_functions: !d.functions.is_empty(),
                    reason: d.reason.clone(),
                    at: d.at.unwrap_or(Location::new(1, 1)),
                    shown: shown.join("; "),
                }
            })
            .collect();
        Declarations {
            entries,
            tests: Some(config.tests),
            base: crate::model::files::normalize(&config.base_dir),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Where declaration `i` is in the configuration, and how it reads.
    pub fn describe(&self, i: usize) -> (Location, &str, &str) {
        let d = &self.entries[i];
        (d.at, &d.shown, &d.reason)
    }

    /// Whether `[scan] tests = "skipped"` leaves the file at `path` out.
    pub fn skips(&self, path: &Path) -> bool {
        self.tests == Some(TestCode::Skipped) && is_test_path(&self.relative(path))
    }

    fn relative(&self, path: &Path) -> PathBuf {
        crate::model::files::relative_to(path, &self.base).unwrap_or_else(|| path.to_path_buf())
    }

    /// The suppressions the declarations and the test code make over one file: its
    /// path, its text (for `#[cfg(test)]` items and `#[test]` functions) and, for a
    /// Rust file, its functions with their lines.
    pub fn suppressions(
        &self,
        path: &Path,
        text: &str,
        functions: &[(String, Range<u64>)],
    ) -> Vec<Suppression> {
        self.suppressions_with(path, &|| test_regions(text), functions)
    }

    /// [`Declarations::suppressions`] with the file's test regions from `regions`
    /// (asked for only when test code is not checked, and only for a Rust file): a
    /// caller that keeps them for the file does not scan it again.
    pub fn suppressions_with(
        &self,
        path: &Path,
        regions: &dyn Fn() -> Vec<RangeInclusive<u64>>,
        functions: &[(String, Range<u64>)],
    ) -> Vec<Suppression> {
        let relative = self.relative(path);
        let mut out = Vec::new();
        let whole = |reason: String, at: Location, extent: Extent| Suppression {
            rules: covered_rules(),
            span: Span::new(at, at),
            reason,
            at,
            lines: 1..=u64::MAX,
            extent,
            used: false,
        };
        let rust = path.extension().is_some_and(|x| x == "rs");
        let module = if rust && self.entries.iter().any(|d| d.has_functions) {
            module_path(path)
        } else {
            None
        };
        let declared = |i: usize| Extent::Declared {
            index: Some(i),
            shown: self.entries[i].shown.clone(),
        };
        for (i, d) in self.entries.iter().enumerate() {
            if d.paths.is_match(&relative) {
                out.push(whole(d.reason.clone(), d.at, declared(i)));
                continue;
            }
            let Some(module) = &module else {
                continue;
            };
            for (name, lines) in functions {
                // `Type::method` in an impl: the module's path, then the method's name.
                let last = name.rsplit("::").next().unwrap_or(name);
                let full = if module.is_empty() {
                    last.to_string()
                } else {
                    format!("{module}/{last}")
                };
                if d.functions.is_match(&full) {
                    out.push(Suppression {
                        lines: lines.start..=lines.end.saturating_sub(1).max(lines.start),
                        ..whole(d.reason.clone(), d.at, declared(i))
                    });
                }
            }
        }
        if self.tests != Some(TestCode::Checked) {
            let skipped = self.tests == Some(TestCode::Skipped);
            let reason = if skipped {
                "test code, not checked (`[scan] tests = \"skipped\"`)"
            } else {
                "test code: set-up and checks read and write every tenant's rows (`[scan] tests`)"
            };
            // Skipped test code is not checked at all: every rule.
            let whole = |reason: String, at: Location, extent: Extent| {
                let mut s = whole(reason, at, extent);
                if skipped {
                    s.rules = rules::ALL.to_vec();
                }
                s
            };
            let extent = || Extent::Declared {
                index: None,
                shown: "test code".to_string(),
            };
            if is_test_path(&relative) {
                out.push(whole(reason.to_string(), Location::new(1, 1), extent()));
            } else if rust {
                for lines in regions() {
                    let at = Location::new(*lines.start(), 1);
                    out.push(Suppression {
                        lines,
                        ..whole(reason.to_string(), at, extent())
                    });
                }
            }
        }
        out
    }
}

/// The lines of a Rust file's test items (see
/// [`crate::extract::prefilter::test_regions`]); none without Rust support, which reads
/// no Rust file.
pub fn test_regions(text: &str) -> Vec<RangeInclusive<u64>> {
    #[cfg(feature = "rust")]
    {
        crate::extract::prefilter::test_regions(text)
    }
    #[cfg(not(feature = "rust"))]
    {
        let _ = text;
        Vec::new()
    }
}

/// Whether a path is test code by its place: a `tests`, `test` or `testdata` directory, a
/// `tests.rs`, `test.rs`, `*_test.rs`, `*_tests.rs` or `test_*.rs` file.
pub fn is_test_path(relative: &Path) -> bool {
    let mut components = relative.components().peekable();
    while let Some(component) = components.next() {
        let name = component.as_os_str().to_string_lossy();
        if components.peek().is_some() {
            if name == "tests" || name == "test" || name == "testdata" {
                return true;
            }
            continue;
        }
        let Some(stem) = name.strip_suffix(".rs") else {
            return false;
        };
        return stem == "tests"
            || stem == "test"
            || stem.ends_with("_test")
            || stem.ends_with("_tests")
            || stem.starts_with("test_");
    }
    false
}

/// The module path of a Rust file in its crate, `/`-separated (`src/admin/export.rs` is
/// `admin/export`; `lib.rs`, `main.rs` and `mod.rs` name their directory's module);
/// `None` outside a crate's `src/`.
pub fn module_path(path: &Path) -> Option<String> {
    let root = path
        .ancestors()
        .skip(1)
        .find(|d| d.join("Cargo.toml").is_file())?;
    let inside = path.strip_prefix(root.join("src")).ok()?;
    let mut parts: Vec<String> = inside
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let file = parts.pop()?;
    let stem = file.strip_suffix(".rs")?;
    if !matches!(stem, "lib" | "main" | "mod") {
        parts.push(stem.to_string());
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_code_is_known_by_its_place() {
        for yes in [
            "tests/api.rs",
            "crates/app/tests/it/main.rs",
            "src/db/tests.rs",
            "src/repo_test.rs",
            "src/test_helpers.rs",
            "testdata/q.sql",
            "tests/fixtures/seed.sql",
        ] {
            assert!(is_test_path(Path::new(yes)), "{yes}");
        }
        for no in [
            "src/lib.rs",
            "src/contest.rs",
            "src/attest/mod.rs",
            "tests.sql",
            "src/latest.rs",
        ] {
            assert!(!is_test_path(Path::new(no)), "{no}");
        }
    }
}
