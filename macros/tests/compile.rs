//! `#[tenant_scoped]` compiles bound code and refuses leaking code, with the error
//! under the offending literal. The expansion logic is tested in `tenant_lint::expand`;
//! these few cases check the real compiler path.

#[test]
fn ui() {
    let config = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui/tenant-lint.toml");
    // SAFETY: set before trybuild spawns cargo, with no other thread reading the environment.
    unsafe { std::env::set_var("TENANT_LINT_CONFIG", config) };
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass.rs");
    cases.compile_fail("tests/ui/fail.rs");
}
