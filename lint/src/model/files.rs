//! Files the configuration names: schema files (globs expanded, relative to the
//! configuration's directory) and the schema they define.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use globset::Glob;

use crate::engine::SplitSql;
use crate::extract::parse::ParseFailure;
use crate::model::schema::migration_order;
use crate::model::{Config, ConfigError, Schema};

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

/// The schema the configured schema files define, and what stopped any of them from
/// being read (a missing file is a configuration error; a statement that does not
/// parse is reported with its file).
pub struct ConfiguredSchema {
    pub schema: Schema,
    pub files: Vec<PathBuf>,
    pub problems: Vec<(PathBuf, ParseFailure)>,
}

/// Reads the `[schema] files` of a configuration and applies their DDL in migration
/// order (what the attribute macro sees; the CLI also adds the DDL of scanned files).
pub fn configured_schema(config: &Config) -> Result<ConfiguredSchema, ConfigError> {
    let mut files = schema_files(config)?;
    migration_order(&mut files);
    let mut schema = Schema::new(config.dialect);
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).map_err(|e| ConfigError {
            path: config.path.clone(),
            at: None,
            message: format!("cannot read schema file {}: {e}", file.display()),
        })?;
        let path: Arc<Path> = Arc::from(file.as_path());
        let split = SplitSql::new(&text, config.dialect, None);
        for i in (0..split.len()).filter(|&i| split.is_ddl(i)) {
            match split.parse(i) {
                Ok(statement) => {
                    schema.apply(&statement, &path);
                }
                Err(failure) => problems.push((file.clone(), failure)),
            }
        }
    }
    Ok(ConfiguredSchema {
        schema,
        files,
        problems,
    })
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
