//! Rust extraction: any text as a Rust file: syn, SQL literal extraction, the Rust
//! rules, suppression comments, `--explain` proofs; the pre-filter's plan and the
//! token-level extractor, whose facts must equal syn's wherever it reads the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

use tenant_lint::extract::rust::extract_file;
use tenant_lint::rust_check::{span_location, suppression_comments};

mod common;

/// The facts without positions.
fn shape(facts: &tenant_lint::extract::rust::RustFacts) -> String {
    let sql: Vec<_> = facts
        .sql
        .iter()
        .map(|s| {
            let holes: Vec<_> = s.holes.iter().map(|h| (&h.written, &h.placeholder)).collect();
            let pieces: Vec<_> = s.pieces.iter().map(|(r, id)| (r.clone(), id.0)).collect();
            format!(
                "{:?} {:?} {} {:?} {:?} {:?} {:?} {} {}",
                s.text.text, s.context, s.built, s.include, s.function, holes, pieces, s.span.0,
                s.text.at.len()
            )
        })
        .collect();
    let scoped: Vec<_> = facts
        .scoped
        .iter()
        .map(|f| {
            format!(
                "{} {:?} {} {:?} {} {}",
                f.name,
                f.args,
                f.direct,
                f.scope_param.as_ref().map(|(n, id, _)| (n, id.0)),
                f.scope_used,
                f.has_sql
            )
        })
        .collect();
    let functions: Vec<_> = facts.functions.iter().map(|(n, _)| n).collect();
    format!("{sql:#?}\n{scoped:#?}\n{functions:?}")
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let engine = common::engine();
    let comments = suppression_comments(text);
    let scope = ["TenantScope".to_string()];
    let outline = tenant_lint::extract::prefilter::outline(text);
    // The limits the scan applies before reading a file (deeper input is reported).
    if outline.depth <= tenant_lint::project::MAX_RUST_NESTING
        && outline.operators <= tenant_lint::project::MAX_RUST_OPERATORS
    {
        let plan = tenant_lint::extract::prefilter::plan_items(
            text,
            outline.items,
            &tenant_lint::extract::prefilter::sql_hits(text),
        );
        if let Some(fast) = tenant_lint::extract::fast::extract(text, &plan, &scope) {
            let blanked = tenant_lint::extract::prefilter::blank_items(text, &plan)
                .unwrap_or_else(|| text.to_string());
            let file = syn::parse_file(&blanked).expect("syn reads what the token reader reads");
            let locate = |span: proc_macro2::Span| span_location(span);
            let slow = extract_file(&file, &locate, &scope).facts;
            // Under `cfg(fuzzing)` proc-macro2 keeps no span positions, so syn's facts
            // have none: compare everything else (positions are compared by
            // tests/lint/scale.rs on the fixtures and a corpus).
            assert_eq!(shape(&fast), shape(&slow));
            let _ = engine.check_rust(&fast);
        }
        proc_macro2::extra::invalidate_current_thread_spans();
    }
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
