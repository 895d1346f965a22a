//! The harness finds real leaks: run on the seed audit's calculation functions
//! (`fixtures/apps/leaky-kpi`), it fails, naming the operation, the tenant and the
//! leaked value.

#[path = "../../fixtures/apps/leaky-kpi/src/lib.rs"]
mod leaky_kpi;

use tenant_isolation::interference::compare;
use tenant_isolation::leaks::{Leak, scan};

use crate::world::{TenantData, World};
use crate::{fixed_world, tenant};

const FROM: &str = "2026-03-01";
const TO: &str = "2026-03-31";

#[test]
fn the_foreign_value_scan_catches_a_list_of_every_clients_rows() {
    let world = fixed_world(2);
    let scope = world.scope("op.c01").unwrap();
    let result = leaky_kpi::identify_top_defects(&world.db, &scope, FROM, TO).unwrap();
    let leaks: Vec<String> = scan(&result, &["C01"], &world.tenants)
        .into_iter()
        .map(|found| {
            Leak {
                operation: "identify_top_defects".to_string(),
                caller: "op.c01 (C01)".to_string(),
                found,
            }
            .to_string()
        })
        .collect();
    insta::assert_snapshot!(leaks.join("\n"), @"`identify_top_defects` as op.c01 (C01) returned C02's value `CANARY-C02-5eee-STEP` at /0/0");
}

#[test]
fn non_interference_catches_aggregates_that_show_no_foreign_row() {
    let alone = World::build(&[(tenant(0), TenantData::fixed(0))]);
    let together = fixed_world(2);
    let mut failures = Vec::new();
    for (name, f) in [
        (
            "calculate_ppm",
            leaky_kpi::calculate_ppm as fn(&_, &_, &str, &str) -> _,
        ),
        ("calculate_absenteeism", leaky_kpi::calculate_absenteeism),
    ] {
        let a = f(&alone.db, &alone.scope("op.c01").unwrap(), FROM, TO).unwrap();
        let t = f(&together.db, &together.scope("op.c01").unwrap(), FROM, TO).unwrap();
        // No foreign row, no foreign canary: the scan alone would pass them.
        assert!(scan(&t, &["C01"], &together.tenants).is_empty());
        if let Err(e) = compare(name, "op.c01 (C01)", &a, &t) {
            failures.push(e.to_string());
        }
    }
    insta::assert_snapshot!(failures.join("\n"), @"
    `calculate_ppm` as op.c01 (C01) depends on other tenants' data: / is `26666.666666666668` with only its data, `31250.0` with others' too
    `calculate_absenteeism` as op.c01 (C01) depends on other tenants' data: / is `37.5` with only its data, `46.42857142857143` with others' too
    ");
}

#[test]
fn the_reference_apps_kpis_pass_the_same_checks() {
    // The same questions asked of the reference application's own KPIs: no failure.
    let alone = World::build(&[(tenant(0), TenantData::fixed(0))]);
    let together = fixed_world(2);
    let window = crate::ops::window();
    for kpi in [
        kpi_ops::kpi::Kpi::Ppm,
        kpi_ops::kpi::Kpi::Absenteeism,
        kpi_ops::kpi::Kpi::TopDefects,
    ] {
        let run = |w: &World| {
            kpi_ops::kpi::compute(
                &w.db,
                &w.scope("op.c01").unwrap(),
                kpi,
                window,
                Default::default(),
            )
            .unwrap()
        };
        let (a, t) = (run(&alone), run(&together));
        assert!(scan(&t, &["C01"], &together.tenants).is_empty(), "{kpi}");
        compare(kpi.name(), "op.c01 (C01)", &a, &t).unwrap();
    }
}

#[test]
fn tenant_lint_flags_the_same_functions_statically() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let env = tenant_lint::cli::Env {
        cwd: root,
        terminal: false,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let args = [
        "tenant-lint",
        "check",
        "fixtures/apps/leaky-kpi",
        "--format",
        "json",
    ];
    let code = tenant_lint::cli::run(args, &env, &mut out, &mut err);
    assert_eq!(code, 1, "{}", String::from_utf8_lossy(&err));
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let found: Vec<(String, u64, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["table"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let expected = [
        ("TI001", 20, "QUALITY_ENTRY"),
        ("TI001", 36, "ATTENDANCE_ENTRY"),
        ("TI001", 54, "QUALITY_ENTRY"),
    ];
    assert_eq!(
        found,
        expected.map(|(c, l, t)| (c.to_string(), l, t.to_string()))
    );
}
