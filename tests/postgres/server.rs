//! A scratch database on the test server, dropped when it goes out of scope.

use postgres::{Client, NoTls};

/// The connection string of the server's maintenance database.
pub fn admin_url() -> String {
    std::env::var("TENANT_LINT_PG")
        .unwrap_or_else(|_| "host=127.0.0.1 port=5432 user=postgres dbname=postgres".to_string())
}

/// A field of the server's connection string (`host`, `port`, `user`).
pub fn field(key: &str, default: &str) -> String {
    admin_url()
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
        .unwrap_or(default)
        .to_string()
}

/// `postgres://USER@HOST:PORT/DATABASE` on the test server (`user` by default the
/// server's own user).
pub fn url(database: &str, user: Option<&str>) -> String {
    format!(
        "postgres://{}@{}:{}/{database}",
        user.map_or_else(|| field("user", "postgres"), str::to_string),
        field("host", "127.0.0.1"),
        field("port", "5432")
    )
}

/// Runs `tenant-lint ARGS` in process from `cwd`: the exit code, and stdout then
/// stderr.
pub fn tenant_lint(cwd: &std::path::Path, args: &[&str]) -> (i32, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let env = tenant_lint::cli::Env {
        cwd,
        terminal: false,
    };
    let argv = std::iter::once("tenant-lint").chain(args.iter().copied());
    let code = tenant_lint::cli::run(argv, &env, &mut out, &mut err);
    (
        code,
        format!(
            "{}{}",
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&err)
        ),
    )
}

/// A database created for one test.
pub struct Scratch {
    pub name: String,
    pub client: Client,
}

impl Scratch {
    /// Creates `tl_<purpose>_<pid>_<n>` and connects to it.
    pub fn new(purpose: &str) -> Scratch {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("tl_{purpose}_{}_{n}", std::process::id());
        let mut admin = Client::connect(&admin_url(), NoTls).unwrap_or_else(|e| {
            panic!("the PostgreSQL suite needs a server ({}): {e}", admin_url())
        });
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .expect("drops a leftover scratch database");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("creates the scratch database");
        let client = Client::connect(&format!("{} dbname={name}", admin_url()), NoTls)
            .expect("connects to the scratch database");
        Scratch { name, client }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Ok(mut admin) = Client::connect(&admin_url(), NoTls) {
            let _ = admin.batch_execute(&format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}' AND pid <> pg_backend_pid()",
                self.name
            ));
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {}", self.name));
        }
    }
}
