// Code that is bound to the tenant compiles, and the item is unchanged.
use tenant_lint_macros::tenant_scoped;

include!("support.rs");

#[tenant_scoped]
fn open_orders(db: &Db, scope: &TenantScope) -> usize {
    db.query(
        scope,
        r#"SELECT w.work_order_id
             FROM WORK_ORDER w
             JOIN JOB j ON j.client_id = w.client_id AND j.work_order_id = w.work_order_id
            WHERE w.client_id = :client_id"#,
    )
}

#[tenant_scoped]
impl Db {
    fn table(&self) -> &'static str {
        "JOB"
    }

    fn jobs(&self, scope: &TenantScope) -> usize {
        self.query(scope, "SELECT * FROM JOB WHERE client_id = :client_id")
    }
}

#[tenant_scoped(cross_tenant = "the operator console counts every client's orders")]
fn all_orders(db: &Db, scope: &TenantScope) -> usize {
    db.query(scope, "SELECT COUNT(*) FROM WORK_ORDER")
}

fn main() {
    let db = Db;
    let scope = TenantScope { client: "ACME".into() };
    assert_eq!(open_orders(&db, &scope) + db.jobs(&scope) + all_orders(&db, &scope), 0);
    let _ = db.table();
}
