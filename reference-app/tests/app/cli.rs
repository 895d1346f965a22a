//! `kpi-ops` end to end, in process: output, errors and exit codes.

use std::path::{Path, PathBuf};

/// Runs `kpi-ops ARGS`: (exit code, stdout, stderr).
fn kpi_ops(args: &[&str]) -> (i32, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv = std::iter::once("kpi-ops").chain(args.iter().copied());
    let code = kpi_ops::cli::run(argv, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// A fresh database file, seeded: 3 clients, 60 days to 2026-03-31.
fn database(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kpi-ops-cli");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.sqlite"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let db = path.to_str().unwrap();
    let (code, out, err) = kpi_ops(&["--db", db, "init"]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    let (code, out, err) = kpi_ops(&[
        "--db",
        db,
        "seed",
        "--clients",
        "3",
        "--days",
        "60",
        "--until",
        "2026-03-31",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(
        out.starts_with("seeded 3 clients, 60 days (2026-01-31 to 2026-03-31): "),
        "{out}"
    );
    path
}

#[test]
fn a_kpi_for_a_leader_shows_its_clients_and_their_total() {
    let path = database("kpi");
    let db = path.to_str().unwrap();
    let (code, out, err) = kpi_ops(&[
        "--db",
        db,
        "kpi",
        "oee",
        "--as",
        "lead",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    insta::assert_snapshot!(out);
    let (code, out, _) = kpi_ops(&[
        "--db",
        db,
        "kpi",
        "ppm",
        "--as",
        "op.c03",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report["rows"].as_array().unwrap().len(),
        1,
        "one client, no total"
    );
    assert_eq!(report["rows"][0]["client_id"], "C03");
}

#[test]
fn refusals_are_clear_errors_with_exit_code_1() {
    let path = database("refusals");
    let db = path.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["kpi", "ppm", "--as", "ghost"],
            "error: access denied: unknown user `ghost`\n",
        ),
        (
            &["kpi", "ppm", "--as", "op.c01", "--client", "C02"],
            "error: access denied: client `C02` is outside your scope\n",
        ),
        (
            &["kpi", "velocity", "--as", "admin"],
            "error: invalid kpi: unknown KPI `velocity`; one of: efficiency, performance, quality-rate, availability, oee, otd, late-orders, wip-aging, chronic-holds, absenteeism, bradford, ppm, dpmo, top-defects, defects-by-type, fpy, rty, quality-score\n",
        ),
        (
            &["get", "production", "12x", "--as", "op.c01"],
            "error: invalid id: `12x` is not a number\n",
        ),
        (
            &[
                "create",
                "production",
                "--as",
                "op.c01",
                "product_id=1",
                "shift_id=1",
                "shift_date=2026-03-31",
                "units_produced=-4",
                "run_time_hours=1",
            ],
            "error: invalid units_produced: -4 is negative\n",
        ),
        (
            &[
                "create",
                "work-orders",
                "--as",
                "lead",
                "work_order_id=WO-9",
                "product_id=1",
                "planned_quantity=1",
            ],
            "error: invalid client: your scope holds 2 clients (C01, C02): name the one to write to with --client\n",
        ),
        (
            &[
                "create",
                "jobs",
                "--as",
                "op.c01",
                "job_id=J",
                "work_order_id=WO-00001",
                "part_number=P",
                "colour=red",
            ],
            "error: invalid fields: unknown field `colour`, expected one of `job_id`, `work_order_id`, `part_number`, `completed_quantity`, `quantity_scrapped`\n",
        ),
        (
            &["list", "invoices", "--as", "admin"],
            "error: invalid table: unknown table `invoices`; one of: clients, products, shifts, employees, work-orders, jobs, production, downtime, holds, hold-transitions, quality, defects, parts, attendance, coverage, user-assignments, employee-assignments, pool\n",
        ),
    ];
    let before = std::fs::read(&path).unwrap();
    for (args, expected) in cases {
        let mut argv = vec!["--db", db];
        argv.extend_from_slice(args);
        let (code, out, err) = kpi_ops(&argv);
        assert_eq!(
            (code, out.as_str(), err.as_str()),
            (1, "", *expected),
            "{args:?}"
        );
    }
    assert_eq!(std::fs::read(&path).unwrap(), before, "nothing changed");
    // A malformed date is a usage error (exit 2) from the argument parser.
    let (code, _, err) = kpi_ops(&[
        "--db",
        db,
        "kpi",
        "ppm",
        "--as",
        "admin",
        "--from",
        "2026-02-30",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("`2026-02-30` is not a calendar day"), "{err}");
}

#[test]
fn create_update_list_and_delete_a_row() {
    let path = database("crud");
    let db = path.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut argv = vec!["--db", db];
        argv.extend_from_slice(args);
        let (code, out, err) = kpi_ops(&argv);
        assert_eq!((code, err.as_str()), (0, ""), "{args:?}: {out}");
        out
    };
    let created = run(&[
        "create",
        "downtime",
        "--as",
        "op.c02",
        "shift_date=2026-03-31",
        "reason=Changeover",
        "duration_minutes=25",
        "--format",
        "json",
    ]);
    let row: serde_json::Value = serde_json::from_str(&created).unwrap();
    assert_eq!(
        (row["client_id"].as_str(), row["duration_minutes"].as_i64()),
        (Some("C02"), Some(25))
    );
    let id = row["downtime_entry_id"].to_string();
    let updated = run(&[
        "update",
        "downtime",
        &id,
        "--as",
        "op.c02",
        "duration_minutes=30",
    ]);
    assert!(updated.contains("duration_minutes   30\n"), "{updated}");
    let listed = run(&[
        "list",
        "downtime",
        "--as",
        "op.c02",
        "from=2026-03-31",
        "--format",
        "json",
    ]);
    assert!(
        listed.contains(&format!("\"downtime_entry_id\": {id}")),
        "{listed}"
    );
    // Another client's operator cannot see, change or delete it.
    let mut argv = vec!["--db", db, "delete", "downtime", &id, "--as", "op.c01"];
    let (code, _, err) = kpi_ops(&argv);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        format!("error: no downtime entry `{id}` in your scope\n")
    );
    argv[6] = "op.c02";
    let (code, out, _) = kpi_ops(&argv);
    assert_eq!((code, out), (0, format!("deleted downtime {id}\n")));
}

#[test]
fn without_a_database_file_it_runs_on_the_demo_data() {
    let (code, out, err) = kpi_ops(&["scope", "--as", "lead"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "lead (LEADER): C01, C02\n", "")
    );
    let (code, _, err) = kpi_ops(&["seed"]);
    assert_eq!(
        (code, err.as_str()),
        (
            2,
            "error: seed needs a database file: kpi-ops --db FILE seed\n"
        )
    );
}
