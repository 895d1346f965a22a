//! Running every check, with a record of which operation ran which statement: what the
//! coverage report and the mutation run are built from.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use tenant_lint::guard::Executed;

use crate::checks::{self, Run};
use crate::world::World;

pub type CheckFn = fn(&World, &str, &Run) -> Vec<String>;

/// The checks over one world, by name.
pub const CHECKS: [(&str, CheckFn); 5] = [
    ("reads", checks::reads_see_only_the_scope),
    ("foreign ids", checks::foreign_ids_are_not_found),
    ("foreign writes", checks::foreign_writes_are_refused),
    ("own writes", checks::own_writes_stay_in_scope),
    ("cross references", checks::cross_references_are_refused),
];

/// Who the checks run as: an operator, the leader of two of the three tenants, and a
/// power user acting for one client (so a tenant outside each scope exists).
pub const CALLERS: [&str; 3] = ["op.c01", "lead", "power@C01"];

/// Who non-interference runs as (the `alone` world holds C01 and C02).
pub const INTERFERENCE_CALLERS: [&str; 2] = ["op.c01", "lead"];

/// What a recorded run saw: statement → operations that ran it; (check, caller) →
/// operations it ran.
#[derive(Debug, Default)]
pub struct Recording {
    pub statements: BTreeMap<String, BTreeSet<String>>,
    pub operations: BTreeMap<(String, String), BTreeSet<String>>,
    pub failures: Vec<String>,
}

/// Runs every check as every caller over `world` (and non-interference against
/// `alone`), recording which operation ran which statement.
pub fn record(world: &mut World, alone: &mut World) -> Recording {
    let current: Arc<Mutex<String>> = Arc::default();
    let statements: Arc<Mutex<BTreeMap<String, BTreeSet<String>>>> = Arc::default();
    for db in [&mut world.db, &mut alone.db] {
        let (current, statements) = (current.clone(), statements.clone());
        db.conn_mut()
            .set_observer(Some(Arc::new(move |e: &Executed| {
                let op = current.lock().unwrap().clone();
                statements
                    .lock()
                    .unwrap()
                    .entry(e.sql.clone())
                    .or_default()
                    .insert(op);
            })));
    }
    let mut recording = Recording::default();
    let ran: Arc<Mutex<BTreeSet<String>>> = Arc::default();
    let note = |name: &str| {
        *current.lock().unwrap() = name.to_string();
        ran.lock().unwrap().insert(name.to_string());
    };
    let run = Run {
        only: &|_| true,
        note: &note,
    };
    for (check, f) in CHECKS {
        for caller in CALLERS {
            recording.failures.extend(f(world, caller, &run));
            let ops = std::mem::take(&mut *ran.lock().unwrap());
            recording
                .operations
                .insert((check.to_string(), caller.to_string()), ops);
        }
    }
    for caller in INTERFERENCE_CALLERS {
        recording
            .failures
            .extend(checks::no_interference(alone, world, caller, &run));
        let ops = std::mem::take(&mut *ran.lock().unwrap());
        recording
            .operations
            .insert(("non-interference".to_string(), caller.to_string()), ops);
    }
    for db in [&mut world.db, &mut alone.db] {
        db.conn_mut().set_observer(None);
    }
    recording.statements = std::mem::take(&mut *statements.lock().unwrap());
    recording
}

/// Reruns the checks that ran any of `operations`, restricted to them; the first
/// failure, named by its check.
pub fn first_failure(
    world: &World,
    alone: &World,
    recording: &Recording,
    operations: &BTreeSet<String>,
) -> Option<String> {
    let only = |name: &str| operations.contains(name);
    let run = Run {
        only: &only,
        note: &|_| {},
    };
    let relevant = |check: &str, caller: &str| {
        recording
            .operations
            .get(&(check.to_string(), caller.to_string()))
            .is_some_and(|ops| !ops.is_disjoint(operations))
    };
    for (check, f) in CHECKS {
        for caller in CALLERS {
            if relevant(check, caller)
                && let Some(failure) = f(world, caller, &run).into_iter().next()
            {
                return Some(format!("{check}: {failure}"));
            }
        }
    }
    for caller in INTERFERENCE_CALLERS {
        if relevant("non-interference", caller)
            && let Some(failure) = checks::no_interference(alone, world, caller, &run)
                .into_iter()
                .next()
        {
            return Some(format!("non-interference: {failure}"));
        }
    }
    None
}
