//! SQL analysis: any text as a `.sql` file (split, parse, analyse, rules, suppressions),
//! as a statement for the runtime guard, with `--explain` proofs, and mutated.
#![no_main]

use std::path::Path;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let engine = common::engine();
    let path: Arc<Path> = Arc::from(Path::new("fuzz.sql"));
    let outcome = engine.check_sql_file(&path, text);
    for d in &outcome.diagnostics {
        // Every finding is located inside the text.
        assert!(d.line() >= 1 && d.column() >= 1);
    }
    let _ = engine.check_sql_flagged(text);
    let _ = engine.table_uses(text);
    let _ = engine.sql_proofs(text, &|_| true);
    let _ = tenant_lint::mutate::mutants(text, engine.model().dialect(), "client_id", "C99");
});
