//! Rust extraction: any text as a Rust file: syn, SQL literal extraction, the Rust
//! rules, suppression comments, `--explain` proofs.
#![no_main]

use libfuzzer_sys::fuzz_target;

use tenant_lint::extract::rust::extract_file;
use tenant_lint::rust_check::{span_location, suppression_comments};

mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let engine = common::engine();
    let comments = suppression_comments(text);
    if let Ok(file) = syn::parse_file(text) {
        let locate = |span: proc_macro2::Span| span_location(span);
        let extracted = extract_file(&file, &locate, &["TenantScope".to_string()]);
        let checked = engine.check_rust(&extracted.facts);
        let mut findings: Vec<_> = checked.findings.into_iter().map(|f| f.finding).collect();
        let mut suppressions = engine.rust_suppressions(&comments, &extracted.facts, &mut findings);
        let path: std::sync::Arc<std::path::Path> =
            std::sync::Arc::from(std::path::Path::new("fuzz.rs"));
        let _ = engine.finish(&path, findings, &mut suppressions);
        let _ = engine.rust_proofs(&extracted.facts, &|_| true);
        let _ = tenant_lint::rust_check::rust_ddl(engine.model().dialect(), &extracted.facts);
    }
    proc_macro2::extra::invalidate_current_thread_spans();
});
