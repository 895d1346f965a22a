//! `tenant-lint`: see `tenant_lint::cli`.

use std::io::IsTerminal;

fn main() {
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(e) => {
            eprintln!("error: cannot read the working directory: {e}");
            std::process::exit(2);
        }
    };
    let env = tenant_lint::cli::Env {
        cwd: &cwd,
        terminal: std::io::stdout().is_terminal(),
    };
    let code = tenant_lint::cli::run(
        std::env::args_os(),
        &env,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    std::process::exit(code);
}
