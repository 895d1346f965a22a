//! `#[tenant_scoped]`: tenant-lint's checks as compile errors on the code they annotate.
//!
//! A thin shell: the expansion lives in `tenant_lint::expand` (tested there). This
//! crate only hands it the compiler's knowledge of where tokens are.

use std::path::PathBuf;

use proc_macro::TokenStream;
use tenant_lint::expand::{MacroEnv, expand};
use tenant_lint::sqlparser::tokenizer::Location;

/// Checks a function, or every method of an `impl` block, like `tenant-lint check`:
/// its SQL is bound to the caller's tenant, it takes a tenant scope parameter (type
/// from `[rust] scope_types`, default `TenantScope`), and it uses it. Reads the
/// `tenant-lint.toml` found above `CARGO_MANIFEST_DIR` (or named by the
/// `TENANT_LINT_CONFIG` environment variable) and its `[schema] files`.
///
/// `#[tenant_scoped(cross_tenant = "reason")]` marks an admin path that may see every
/// tenant; the reason is required.
#[proc_macro_attribute]
pub fn tenant_scoped(attr: TokenStream, item: TokenStream) -> TokenStream {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    let locate = |span: proc_macro2::Span| {
        let span = span.unwrap();
        Some(Location::new(span.line() as u64, span.column() as u64))
    };
    let file_of = |span: proc_macro2::Span| span.unwrap().local_file();
    let env = MacroEnv {
        manifest_dir,
        config: std::env::var_os("TENANT_LINT_CONFIG").map(PathBuf::from),
        locate: &locate,
        file_of: &file_of,
    };
    expand(attr.into(), item.into(), &env).into()
}
