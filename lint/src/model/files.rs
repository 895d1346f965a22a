//! Files the configuration names: schema files (globs expanded, relative to the
//! configuration's directory) and the schema they define.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use globset::Glob;

use crate::engine::ParsedStatement;
#[cfg(feature = "rust")]
use crate::extract::parse::ParseFailure;
use crate::model::loader::{SchemaFile, Timeline, build, read_statements};
use crate::model::{Config, ConfigError};

/// The configured schema files, globs expanded, relative to the configuration's directory.
pub fn schema_files(config: &Config) -> Result<Vec<PathBuf>, ConfigError> {
    let mut out = Vec::new();
    for (pattern, at) in &config.schema_files {
        let error = |message: String| ConfigError {
            path: config.path.clone(),
            at: *at,
            message,
        };
        let is_glob = pattern.contains(['*', '?', '[']);
        if !is_glob {
            let path = config.base_dir.join(pattern);
            if !path.is_file() {
                return Err(error(format!("schema file `{pattern}` not found")));
            }
            out.push(path);
            continue;
        }
        let matcher = Glob::new(pattern)
            .map_err(|e| error(format!("bad glob `{pattern}`: {e}")))?
            .compile_matcher();
        let before = out.len();
        for entry in walkdir::WalkDir::new(glob_root(&config.base_dir, pattern))
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !skipped_dir(e))
            .flatten()
        {
            let relative = relative_to(entry.path(), &config.base_dir).unwrap_or_default();
            if entry.file_type().is_file()
                && matcher.is_match(&relative)
                && !crate::extract::migration::is_down_migration(entry.path())
            {
                out.push(entry.path().to_path_buf());
            }
        }
        if out.len() == before {
            return Err(error(format!("schema glob `{pattern}` matches no file")));
        }
    }
    Ok(out)
}

/// Where a schema glob's matches can be: the base directory joined with the glob's
/// leading components that hold no pattern (`migrations` for `migrations/*.sql`), so
/// the rest of the tree is not walked. The base directory itself when a leading
/// component is a symbolic link or a directory the walk skips, whose files the glob
/// must not see.
fn glob_root(base: &Path, pattern: &str) -> PathBuf {
    let mut root = base.to_path_buf();
    for component in Path::new(pattern).components() {
        let Component::Normal(name) = component else {
            return base.to_path_buf();
        };
        let name = name.to_string_lossy();
        if name.contains(['*', '?', '[', '{']) {
            return root;
        }
        let next = root.join(name.as_ref());
        let real_dir = std::fs::symlink_metadata(&next).is_ok_and(|m| m.file_type().is_dir());
        if !real_dir || name == "target" || name.starts_with('.') || name == "node_modules" {
            return base.to_path_buf();
        }
        root = next;
    }
    base.to_path_buf()
}

/// `target/`, `.git/` and other hidden directories are never scanned.
pub fn skipped_dir(entry: &walkdir::DirEntry) -> bool {
    entry.file_type().is_dir() && {
        let name = entry.file_name().to_string_lossy();
        name == "target" || name.starts_with('.') || name == "node_modules"
    }
}

pub fn relative_to(path: &Path, base: &Path) -> Option<PathBuf> {
    let path = normalize(path);
    let base = normalize(base);
    path.strip_prefix(&base).ok().map(Path::to_path_buf)
}

/// Removes `.` components and resolves `..` lexically.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

pub fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| normalize(path))
}

/// The schema the configured schema files define, read and applied exactly as the
/// CLI reads them ([`crate::model::loader`]): a statement that cannot be read is a
/// problem of the timeline, and every other statement is applied. A schema file that
/// cannot be read at all is an error.
pub struct ConfiguredSchema {
    pub timeline: Timeline,
    /// The schema files, in the order configured.
    pub files: Vec<PathBuf>,
}

/// Reads the `[schema] files` of a configuration (what `#[tenant_scoped]` and the
/// runtime guard check against; the CLI reads the same files the same way).
pub fn configured_schema(config: &Config) -> Result<ConfiguredSchema, ConfigError> {
    let files = schema_files(config)?;
    let mut texts = Vec::with_capacity(files.len());
    for file in &files {
        let text = std::fs::read_to_string(file).map_err(|e| ConfigError {
            path: config.path.clone(),
            at: None,
            message: format!("cannot read schema file {}: {e}", file.display()),
        })?;
        texts.push(text);
    }
    let paths: Vec<Arc<Path>> = files.iter().map(|f| Arc::from(f.as_path())).collect();
    let statements: Vec<Vec<ParsedStatement>> = files
        .iter()
        .zip(&texts)
        .map(|(file, text)| schema_statements(file, text, config))
        .collect();
    let timeline = build(
        config.dialect,
        &config.search_path,
        (0..files.len())
            .map(|i| SchemaFile {
                path: &paths[i],
                location: &files[i],
                text: &texts[i],
                statements: &statements[i],
                rank: i,
            })
            .collect(),
    );
    Ok(ConfiguredSchema { timeline, files })
}

/// The statements of one schema file: every statement of a SQL file; the schema
/// statements in the SQL strings of a Rust file.
pub fn schema_statements(path: &Path, text: &str, config: &Config) -> Vec<ParsedStatement> {
    let rust = path
        .extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("rs"));
    if !rust {
        return read_statements(text, config.dialect);
    }
    #[cfg(feature = "rust")]
    {
        let locate = crate::rust_check::span_location;
        match syn::parse_file(text) {
            Ok(file) => {
                let extracted =
                    crate::extract::rust::extract_file(&file, &locate, &config.scope_types);
                crate::rust_check::rust_ddl(config.dialect, &extracted.facts)
            }
            Err(e) => {
                let at = crate::rust_check::span_location(e.span());
                vec![ParsedStatement {
                    span: sqlparser::tokenizer::Span::new(at, at),
                    parsed: Err(ParseFailure {
                        at,
                        message: format!("the Rust schema file does not parse: {e}"),
                        kind: crate::extract::parse::Unread::Unreadable,
                    }),
                }]
            }
        }
    }
    #[cfg(not(feature = "rust"))]
    {
        let _ = text;
        Vec::new()
    }
}

/// The globs of `[scan] include` or `exclude` as one set.
pub fn glob_set(patterns: &[String], config: &Config) -> Result<globset::GlobSet, ConfigError> {
    let mut builder = globset::GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern).map_err(|e| ConfigError {
            path: config.path.clone(),
            at: None,
            message: format!("bad glob `{pattern}` in `[scan]`: {e}"),
        })?;
        builder.add(glob);
    }
    builder.build().map_err(|e| ConfigError {
        path: config.path.clone(),
        at: None,
        message: format!("bad `[scan]` globs: {e}"),
    })
}

/// Whether `[scan]` selects a file (`include` and not `exclude`), by its path
/// relative to the configuration's directory.
pub struct ScanFilter {
    include: globset::GlobSet,
    exclude: globset::GlobSet,
    base: PathBuf,
}

impl ScanFilter {
    pub fn new(config: &Config) -> Result<ScanFilter, ConfigError> {
        Ok(ScanFilter {
            include: glob_set(&config.include, config)?,
            exclude: glob_set(&config.exclude, config)?,
            base: normalize(&config.base_dir),
        })
    }

    pub fn selects(&self, path: &Path) -> bool {
        let relative = relative_to(path, &self.base).unwrap_or_default();
        self.include.is_match(&relative) && !self.exclude.is_match(&relative)
    }

    /// The Rust files `[scan]` selects under the configuration's directory, as the
    /// CLI walks them.
    pub fn rust_files(&self) -> Vec<PathBuf> {
        walkdir::WalkDir::new(&self.base)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !skipped_dir(e))
            .flatten()
            .filter(|e| {
                e.file_type().is_file()
                    && e.path()
                        .extension()
                        .is_some_and(|x| x.eq_ignore_ascii_case("rs"))
                    && self.selects(e.path())
            })
            .map(|e| e.into_path())
            .collect()
    }
}

#[cfg(test)]
mod glob_root_tests {
    use super::glob_root;

    #[test]
    fn a_schema_glob_is_walked_from_its_literal_directory_only_when_that_is_safe() {
        let base =
            std::env::temp_dir().join(format!("tenant-lint-glob-root-{}", std::process::id()));
        std::fs::create_dir_all(base.join("db/migrations")).unwrap();
        std::fs::create_dir_all(base.join("target/sql")).unwrap();
        assert_eq!(
            glob_root(&base, "db/migrations/*.sql"),
            base.join("db/migrations")
        );
        assert_eq!(glob_root(&base, "db/mig*/*.sql"), base.join("db"));
        assert_eq!(glob_root(&base, "**/*.sql"), base);
        // A skipped directory, a missing one, `..`: the whole base, as before.
        assert_eq!(glob_root(&base, "target/sql/*.sql"), base);
        assert_eq!(glob_root(&base, "missing/*.sql"), base);
        assert_eq!(glob_root(&base, "../*.sql"), base);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(base.join("db"), base.join("link")).unwrap();
            assert_eq!(glob_root(&base, "link/migrations/*.sql"), base);
        }
        let _ = std::fs::remove_dir_all(&base);
    }
}
