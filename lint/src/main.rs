//! `tenant-lint`: see `tenant_lint::cli`.

use std::io::IsTerminal;

// A scan allocates and frees many small syntax trees; mimalloc does that faster than
// the system allocator (measured by `cargo bench -p tenant-lint --bench scale`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
