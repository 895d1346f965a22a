//! The isolation checks, each over a world and a caller, returning what failed (empty:
//! the check holds). `only` restricts them to some operations (the mutation run uses
//! it to rerun just the operations a mutated statement takes part in); `note` is told
//! which operation is about to run (the coverage and mutation runs record it).

use kpi_ops::{AppError, TenantScope};
use serde_json::Value;
use tenant_isolation::checksum::{Checksums, checksums};
use tenant_isolation::interference::compare;
use tenant_isolation::leaks::{Leak, scan};

use crate::ops::{self, Outcome};
use crate::world::{Ids, World};

pub struct Run<'a> {
    pub only: &'a dyn Fn(&str) -> bool,
    pub note: &'a dyn Fn(&str),
}

impl Run<'_> {
    pub const ALL: Run<'static> = Run {
        only: &|_| true,
        note: &|_| {},
    };
}

fn caller(scope: &TenantScope) -> String {
    format!("{} ({})", scope.username(), scope.clients().join(", "))
}

/// Ids of `tenant` that no tenant of the scope also uses (natural keys such as `WO-1`
/// exist in every client; reading one's own is not a leak).
fn foreign_ids(world: &World, tenant: &str, scope: &TenantScope) -> Ids {
    let mut ids = world.ids[tenant].clone();
    let own: Vec<&Ids> = scope
        .clients()
        .iter()
        .filter_map(|c| world.ids.get(c))
        .collect();
    let shared = |v: &mut Vec<String>, pick: fn(&Ids) -> &Vec<String>| {
        v.retain(|id| !own.iter().any(|o| pick(o).contains(id)));
    };
    shared(&mut ids.work_orders, |i| &i.work_orders);
    shared(&mut ids.jobs, |i| &i.jobs);
    shared(&mut ids.parts, |i| &i.parts);
    ids.users
        .retain(|u| !own.iter().any(|o| o.users.contains(u)));
    ids
}

fn outside<'w>(world: &'w World, scope: &TenantScope) -> Vec<&'w str> {
    world
        .tenants
        .iter()
        .map(|t| t.id.as_str())
        .filter(|t| !scope.contains(t))
        .collect()
}

/// The scope of `user`, or of `user@client`: the user acting for one client of its
/// scope (as `kpi-ops --client` does).
fn resolve(world: &World, user: &str, failures: &mut Vec<String>) -> Option<TenantScope> {
    let (name, client) = match user.split_once('@') {
        Some((name, client)) => (name, Some(client)),
        None => (user, None),
    };
    match world.scope(name).and_then(|s| s.narrow(client)) {
        Ok(scope) => Some(scope),
        Err(e) => {
            failures.push(format!("{user} has no scope: {e}"));
            None
        }
    }
}

fn leaks(operation: &str, scope: &TenantScope, world: &World, value: &Value) -> Vec<String> {
    let visible: Vec<&str> = scope.clients().iter().map(String::as_str).collect();
    scan(value, &visible, &world.tenants)
        .into_iter()
        .map(|found| {
            Leak {
                operation: operation.to_string(),
                caller: caller(scope),
                found,
            }
            .to_string()
        })
        .collect()
}

/// Everything the caller reads (lists, KPIs, its own rows by id) holds no value of a
/// tenant outside its scope.
pub fn reads_see_only_the_scope(world: &World, user: &str, run: &Run) -> Vec<String> {
    let mut failures = Vec::new();
    let Some(scope) = resolve(world, user, &mut failures) else {
        return failures;
    };
    let mut check = |name: &str, f: &dyn Fn() -> Outcome| {
        if !(run.only)(name) {
            return;
        }
        (run.note)(name);
        match f() {
            Ok(value) => failures.extend(leaks(name, &scope, world, &value)),
            // The same natural key in two clients of the scope: a correct refusal.
            Err(AppError::Ambiguous { .. }) => {}
            Err(e) => failures.push(format!("`{name}` as {} failed: {e}", caller(&scope))),
        }
    };
    ops::reads(&world.db, &scope, &mut |name, _, f| check(name, f));
    for client in scope.clients() {
        if let Some(ids) = world.ids.get(client) {
            ops::gets(&world.db, &scope, ids, &mut |name, f| check(name, f));
        }
    }
    failures
}

/// A tenant outside the scope: every one of its rows, asked for by id, is not found.
pub fn foreign_ids_are_not_found(world: &World, user: &str, run: &Run) -> Vec<String> {
    let mut failures = Vec::new();
    let Some(scope) = resolve(world, user, &mut failures) else {
        return failures;
    };
    for tenant in outside(world, &scope) {
        let ids = foreign_ids(world, tenant, &scope);
        ops::gets(&world.db, &scope, &ids, &mut |name, f| {
            if !(run.only)(name) {
                return;
            }
            (run.note)(name);
            match f() {
                Ok(Value::Array(rows)) if rows.is_empty() => {}
                Ok(value) => failures.push(format!(
                    "`{name}` of a {tenant} id as {} returned {tenant}'s row: {value}",
                    caller(&scope)
                )),
                Err(_) => {}
            }
        });
    }
    failures
}

/// Runs `body` in a savepoint that is always rolled back, with foreign keys on or off.
fn isolated<T>(world: &World, foreign_keys: bool, body: impl FnOnce() -> T) -> T {
    let conn = world.db.conn().unguarded("test: undo what a check wrote");
    conn.pragma_update(None, "foreign_keys", foreign_keys)
        .unwrap();
    conn.execute_batch("SAVEPOINT isolation_check").unwrap();
    let out = body();
    conn.execute_batch("ROLLBACK TO isolation_check; RELEASE isolation_check")
        .unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    out
}

fn sums(world: &World) -> Checksums {
    checksums(
        world.db.conn().unguarded("test: per-tenant checksums"),
        "client_id",
    )
    .unwrap()
}

fn changed(before: &Checksums, after: &Checksums, tenants: &[&str], why: &str) -> Vec<String> {
    tenants
        .iter()
        .flat_map(|t| before.changed(after, t))
        .map(|c| format!("{why}: {c}"))
        .collect()
}

/// Every update and delete of a foreign tenant's id is refused, and no tenant's rows
/// change (checksums before and after).
pub fn foreign_writes_are_refused(world: &World, user: &str, run: &Run) -> Vec<String> {
    let mut failures = Vec::new();
    let Some(scope) = resolve(world, user, &mut failures) else {
        return failures;
    };
    let all: Vec<&str> = world.tenants.iter().map(|t| t.id.as_str()).collect();
    isolated(world, true, || {
        let before = sums(world);
        for tenant in outside(world, &scope) {
            let ids = foreign_ids(world, tenant, &scope);
            ops::writes(&world.db, &scope, &ids, &mut |name, f| {
                if !(run.only)(name) {
                    return;
                }
                (run.note)(name);
                if let Ok(value) = f() {
                    failures.push(format!(
                        "`{name}` of a {tenant} id as {} succeeded: {value}",
                        caller(&scope)
                    ));
                }
            });
        }
        failures.extend(changed(
            &before,
            &sums(world),
            &all,
            &format!("refused writes as {}", caller(&scope)),
        ));
    });
    failures
}

/// The caller's own writes (natural keys every client uses included) and creates
/// change only its own clients' rows.
pub fn own_writes_stay_in_scope(world: &World, user: &str, run: &Run) -> Vec<String> {
    let mut failures = Vec::new();
    let Some(scope) = resolve(world, user, &mut failures) else {
        return failures;
    };
    let others = outside(world, &scope);
    isolated(world, true, || {
        let before = sums(world);
        for client in scope.clients() {
            let Ok(one) = scope.narrow(Some(client)) else {
                continue;
            };
            let mut attempt = |name: &str, f: &dyn Fn() -> Outcome| {
                if !(run.only)(name) {
                    return;
                }
                (run.note)(name);
                match f() {
                    // A role check or an id two clients use: refused before any write.
                    Ok(_) | Err(AppError::Forbidden(_) | AppError::Ambiguous { .. }) => {}
                    Err(e) => failures.push(format!("`{name}` as {} failed: {e}", caller(&one))),
                }
            };
            if let Some(ids) = world.ids.get(client) {
                ops::writes(&world.db, &one, ids, &mut attempt);
                ops::creates(&world.db, &one, ids, &mut attempt);
                ops::grants(&world.db, &one, ids, &mut attempt);
            }
        }
        failures.extend(changed(
            &before,
            &sums(world),
            &others,
            &format!("own writes as {}", caller(&scope)),
        ));
    });
    failures
}

/// Creates that reference another tenant's rows are refused by the application
/// itself: foreign keys are turned off, so the schema's composite keys cannot be what
/// refuses them (they are tested on their own in the reference app's suite).
pub fn cross_references_are_refused(world: &World, user: &str, run: &Run) -> Vec<String> {
    let mut failures = Vec::new();
    let Some(scope) = resolve(world, user, &mut failures) else {
        return failures;
    };
    let all: Vec<&str> = world.tenants.iter().map(|t| t.id.as_str()).collect();
    isolated(world, false, || {
        let before = sums(world);
        for client in scope.clients() {
            let Ok(one) = scope.narrow(Some(client)) else {
                continue;
            };
            for tenant in outside(world, &scope) {
                ops::cross_creates(&world.db, &one, &world.ids[tenant], &mut |name, f| {
                    if !(run.only)(name) {
                        return;
                    }
                    (run.note)(name);
                    if let Ok(value) = f() {
                        failures.push(format!(
                            "`{name}` ({tenant}'s) as {} succeeded: {value}",
                            caller(&one)
                        ));
                    }
                });
            }
        }
        failures.extend(changed(
            &before,
            &sums(world),
            &all,
            &format!("refused references as {}", caller(&scope)),
        ));
    });
    failures
}

/// Everything the caller reads is the same whether the database holds only its
/// clients' data (`alone`) or others' too (`together`).
pub fn no_interference(alone: &World, together: &World, user: &str, run: &Run) -> Vec<String> {
    let mut failures = Vec::new();
    let (Some(a), Some(t)) = (
        resolve(alone, user, &mut failures),
        resolve(together, user, &mut failures),
    ) else {
        return failures;
    };
    let mut results: Vec<(String, String)> = Vec::new();
    let record = |world: &World, scope: &TenantScope, out: &mut Vec<(String, Outcome)>| {
        ops::reads(&world.db, scope, &mut |name, shared, f| {
            if !shared && (run.only)(name) {
                (run.note)(name);
                out.push((name.to_string(), f()));
            }
        });
        for client in scope.clients() {
            if let Some(ids) = alone.ids.get(client) {
                ops::gets(&world.db, scope, ids, &mut |name, f| {
                    if (run.only)(name) {
                        (run.note)(name);
                        out.push((name.to_string(), f()));
                    }
                });
            }
        }
    };
    let (mut x, mut y) = (Vec::new(), Vec::new());
    record(alone, &a, &mut x);
    record(together, &t, &mut y);
    for ((name, p), (_, q)) in x.iter().zip(&y) {
        let show = |o: &Outcome| match o {
            Ok(v) => v.clone(),
            Err(e) => Value::String(format!("error: {e}")),
        };
        if let Err(e) = compare(name, &caller(&t), &show(p), &show(q)) {
            results.push((name.clone(), e.to_string()));
        }
    }
    failures.extend(results.into_iter().map(|(_, e)| e));
    failures
}
