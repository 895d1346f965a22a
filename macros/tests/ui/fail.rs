// Code that could leak across tenants does not compile.
use tenant_lint_macros::tenant_scoped;

include!("support.rs");

// A KPI filtered by date only: the finding is on the third line of the literal.
#[tenant_scoped]
fn units(db: &Db, scope: &TenantScope) -> usize {
    db.query(
        scope,
        r#"SELECT SUM(units_produced)
             FROM PRODUCTION_ENTRY
            WHERE shift_date >= :from"#,
    )
}

// The audit's endpoints: the scope is received and never used.
#[tenant_scoped]
fn absenteeism(db: &Db, current_user: &TenantScope, everyone: &TenantScope) -> usize {
    db.query(everyone, "SELECT 1")
}

// An escape hatch without a reason.
#[tenant_scoped(cross_tenant = "")]
fn export(db: &Db, scope: &TenantScope) -> usize {
    db.query(scope, "SELECT * FROM CLIENT")
}

// On an impl block: a method with SQL must take the scope.
struct Jobs;

#[tenant_scoped]
impl Jobs {
    fn by_id(&self, db: &Db, id: &str) -> usize {
        let _ = id;
        db.query(&TenantScope { client: String::new() }, "SELECT * FROM JOB WHERE client_id = :client_id")
    }
}

fn main() {}
