//! `kpi-ops`: see `kpi_ops::cli`.

fn main() {
    let code = kpi_ops::cli::run(
        std::env::args_os(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    std::process::exit(code);
}
