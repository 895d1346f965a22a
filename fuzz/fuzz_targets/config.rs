//! Configuration parsing: any text as `tenant-lint.toml`, then validated against the
//! rule registry by building an engine.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use tenant_lint::engine::Engine;
use tenant_lint::model::{Config, Schema, TenantModel};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::parse(text, Path::new("dir/tenant-lint.toml")) {
        Ok(config) => {
            let schema = Schema::new(config.dialect);
            let _ = Engine::new(TenantModel::new(config, schema));
        }
        Err(e) => {
            // Errors carry a position inside the text when they have one.
            if let Some(at) = e.at {
                assert!(
                    at.line >= 1 && at.line as usize <= text.lines().count().max(1) + 1,
                    "{e}"
                );
            }
            let _ = e.to_string();
        }
    }
});
