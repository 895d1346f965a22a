// A tiny stand-in for a database layer, shared by the compile tests.

pub struct TenantScope {
    pub client: String,
}

pub struct Db;

impl Db {
    pub fn query(&self, _scope: &TenantScope, _sql: &str) -> usize {
        0
    }
}
