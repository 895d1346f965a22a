//! The README and `docs/` are tested: every command they show is run (or, for the
//! commands that build and run cargo targets, the target is checked to exist), every
//! output they show is found in what the command prints, every configuration they show
//! parses, and no page links outside the repository.
//!
//! In a page, a ```` ```sh ```` block holds commands, one per line (`# …` comments
//! aside). `tenant-lint …` and `cargo run -p tenant-lint -- …` run in process from the
//! repository's root, or with ```` ```sh scratch=DIR ```` in a fresh copy of `DIR`;
//! `cargo run -p kpi-ops -- …` runs in process with its `--db` file in a scratch
//! directory. A command's exit code is 0 or 1 unless a trailing `# exit N` says which.
//! A ```` ```text ```` block right after a `sh` block is output: each of its lines (but
//! `…` and `...`) appears in what the block's commands printed, in order.

use std::path::{Path, PathBuf};

use crate::cli::scratch;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The pages users read.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// A fenced block: its info string, its text, and the line it starts on.
struct Block {
    info: String,
    text: String,
    line: usize,
}

fn blocks(page: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines = page.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let trimmed = line.trim_start();
        let Some(info) = trimmed.strip_prefix("```") else {
            continue;
        };
        let indent = line.len() - trimmed.len();
        let mut text = String::new();
        for (_, inner) in lines.by_ref() {
            if inner.trim_start().starts_with("```") {
                break;
            }
            text.push_str(inner.get(indent..).unwrap_or(inner.trim_start()));
            text.push('\n');
        }
        out.push(Block {
            info: info.trim().to_string(),
            text,
            line: i + 1,
        });
    }
    out
}

/// A command line split into words (double quotes group, as a shell would).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut current));
                    any = false;
                }
            }
            c => {
                current.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(current);
    }
    out
}

/// A command and its expected exit code (`# exit N`), without the comment.
fn command(line: &str) -> Option<(Vec<String>, Option<i32>)> {
    let (cmd, comment) = match line.split_once(" #") {
        Some((cmd, comment)) => (cmd, comment),
        None => (line, ""),
    };
    let cmd = cmd.trim();
    if cmd.is_empty() || cmd.starts_with('#') {
        return None;
    }
    let exit = comment
        .trim()
        .strip_prefix("exit ")
        .and_then(|n| n.split_whitespace().next())
        .and_then(|n| n.parse().ok());
    Some((words(cmd), exit))
}

fn run_tenant_lint(cwd: &Path, args: &[String]) -> (i32, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let env = tenant_lint::cli::Env {
        cwd,
        terminal: false,
    };
    let argv = std::iter::once("tenant-lint").chain(args.iter().map(String::as_str));
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

fn run_kpi_ops(dir: &Path, args: &[String]) -> (i32, String) {
    let mut args: Vec<String> = args.to_vec();
    for i in 0..args.len() {
        if args[i] == "--db"
            && let Some(file) = args.get(i + 1)
        {
            args[i + 1] = dir.join(file).display().to_string();
        }
    }
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv = std::iter::once("kpi-ops".to_string()).chain(args);
    let code = kpi_ops::cli::run(argv.map(std::ffi::OsString::from), &mut out, &mut err);
    (
        code,
        format!(
            "{}{}",
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&err)
        ),
    )
}

/// A copy of a directory of the repository.
fn copy_of(dir: &str, name: &str) -> PathBuf {
    let target = scratch(name);
    let source = root().join(dir);
    for entry in walkdir::WalkDir::new(&source) {
        let entry = entry.unwrap();
        let relative = entry.path().strip_prefix(&source).unwrap();
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(target.join(relative)).unwrap();
        } else {
            std::fs::copy(entry.path(), target.join(relative)).unwrap();
        }
    }
    target
}

/// Whether a cargo package of the workspace has a target of this kind and name.
fn has_target(package: &str, kind: &str, name: &str) -> bool {
    let dir = match package {
        "tenant-lint" => root().join("lint"),
        "tenant-lint-macros" => root().join("macros"),
        "kpi-ops" => root().join("reference-app"),
        "tenant-isolation" | "" => root(),
        _ => return false,
    };
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    let declared = manifest.contains(&format!("name = \"{name}\""));
    let file = match kind {
        "bench" => dir.join("benches").join(format!("{name}.rs")),
        "test" => dir.join("tests").join(name).join("main.rs"),
        "example" => dir.join("examples").join(format!("{name}.rs")),
        _ => return false,
    };
    declared || file.is_file()
}

/// Checks a cargo command that is not run here: what it builds exists.
fn check_cargo(args: &[String]) -> Result<(), String> {
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .map(String::as_str)
    };
    let package = value("-p").unwrap_or("");
    match args.get(1).map(String::as_str) {
        Some("install") if args.iter().any(|a| a == "cargo-fuzz") => Ok(()),
        Some("install") => {
            let path = value("--path").ok_or("cargo install without --path")?;
            root()
                .join(path)
                .join("Cargo.toml")
                .is_file()
                .then_some(())
                .ok_or(format!("no crate at {path}"))
        }
        Some("test") => {
            if let Some(test) = value("--test")
                && !has_target(package, "test", test)
            {
                return Err(format!("no test target `{test}` in `{package}`"));
            }
            if let Some(feature) = value("--features") {
                let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
                if !manifest.contains(&format!("{feature} = [")) {
                    return Err(format!("no feature `{feature}`"));
                }
            }
            Ok(())
        }
        Some("bench") => {
            let bench = value("--bench");
            if package.is_empty() && bench.is_none() {
                return Err("cargo bench of no package and no bench".to_string());
            }
            if let Some(bench) = bench
                && !has_target(package, "bench", bench)
            {
                return Err(format!("no bench `{bench}` in `{package}`"));
            }
            Ok(())
        }
        Some("run") => {
            let example = value("--example").ok_or("a cargo run that is not run")?;
            has_target(package, "example", example)
                .then_some(())
                .ok_or(format!("no example `{example}`"))
        }
        Some("+nightly") => {
            let target = args
                .iter()
                .skip(4)
                .find(|a| !a.starts_with('-'))
                .ok_or("fuzz run of no target")?;
            root()
                .join("fuzz/fuzz_targets")
                .join(format!("{target}.rs"))
                .is_file()
                .then_some(())
                .ok_or(format!("no fuzz target `{target}`"))
        }
        _ => Err("an unknown cargo command".to_string()),
    }
}

/// Runs every command block of a page; the problems, one line each.
fn check_page(page: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(page).unwrap();
    let name = page.strip_prefix(root()).unwrap().display().to_string();
    let mut problems = Vec::new();
    let all = blocks(&text);
    for (index, block) in all.iter().enumerate() {
        let at = format!("{name}:{}", block.line);
        let mut info = block.info.split_whitespace();
        let lang = info.next().unwrap_or("");
        let options: Vec<&str> = info.collect();
        match lang {
            "toml" => {
                let parsed = if options.contains(&"cargo") {
                    toml::from_str::<toml::Table>(&block.text)
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                } else {
                    tenant_lint::model::Config::parse(&block.text, Path::new("tenant-lint.toml"))
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                };
                if let Err(e) = parsed {
                    problems.push(format!("{at}: the configuration does not parse: {e}"));
                }
            }
            "sh" => {
                let dir = options
                    .iter()
                    .find_map(|o| o.strip_prefix("scratch="))
                    .map(|d| {
                        copy_of(
                            d,
                            &format!("docs-{}-{}", name.replace('/', "-"), block.line),
                        )
                    });
                let cwd = dir.clone().unwrap_or_else(root);
                // One directory per page for the files its commands make (a database the
                // next block reads).
                let files = root()
                    .join("target/tmp/lint-cli")
                    .join(format!("docs-files-{}", name.replace('/', "-")));
                std::fs::create_dir_all(&files).unwrap();
                let mut printed = String::new();
                for line in block.text.lines() {
                    let Some((args, exit)) = command(line) else {
                        continue;
                    };
                    let shown = line.trim();
                    let (code, output) = match (args[0].as_str(), args.get(1).map(String::as_str)) {
                        ("tenant-lint", _) => run_tenant_lint(&cwd, &args[1..]),
                        ("cargo", Some("run"))
                            if args.get(2..4) == Some(&["-p".into(), "tenant-lint".into()]) =>
                        {
                            run_tenant_lint(&cwd, &args[5..])
                        }
                        ("cargo", Some("run"))
                            if args.get(2..4) == Some(&["-p".into(), "kpi-ops".into()]) =>
                        {
                            run_kpi_ops(&files, &args[5..])
                        }
                        ("cargo", _) => {
                            if let Err(e) = check_cargo(&args) {
                                problems.push(format!("{at}: `{shown}`: {e}"));
                            }
                            continue;
                        }
                        // `cd fuzz` before the fuzz targets, checked as cargo commands.
                        ("cd", Some("fuzz")) => continue,
                        ("bash", Some(".ci/run")) => {
                            if !root().join(".ci/run").is_file() {
                                problems.push(format!("{at}: no .ci/run"));
                            }
                            continue;
                        }
                        _ => {
                            problems.push(format!(
                                "{at}: `{shown}` is not a command this test knows how to run"
                            ));
                            continue;
                        }
                    };
                    let expected_ok = match exit {
                        Some(n) => code == n,
                        None => code == 0 || code == 1,
                    };
                    if !expected_ok {
                        problems.push(format!(
                            "{at}: `{shown}` exited {code} (expected {}):\n{output}",
                            exit.map_or("0 or 1".to_string(), |n| n.to_string())
                        ));
                    }
                    printed.push_str(&output);
                }
                // The output shown after the block.
                if let Some(next) = all.get(index + 1)
                    && next.info == "text"
                    && text_between(&text, block, next).trim().is_empty()
                {
                    let mut rest = printed.as_str();
                    for want in next.text.lines() {
                        let want = want.trim_end();
                        if want.is_empty() || matches!(want.trim(), "…" | "...") {
                            continue;
                        }
                        match rest.find(want) {
                            Some(i) => rest = &rest[i + want.len()..],
                            None => {
                                problems.push(format!(
                                    "{name}:{}: `{want}` is not in the output (in order) of the commands above it:\n{printed}",
                                    next.line
                                ));
                                break;
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    problems
}

/// The page's text between the end of one block and the start of the next.
fn text_between<'a>(page: &'a str, first: &Block, second: &Block) -> &'a str {
    let lines: Vec<&str> = page.lines().collect();
    let end = first.line + first.text.lines().count() + 1;
    let start = second.line.saturating_sub(1);
    if end >= start {
        return "";
    }
    let from = lines[..end].iter().map(|l| l.len() + 1).sum::<usize>();
    let to = lines[..start].iter().map(|l| l.len() + 1).sum::<usize>();
    &page[from.min(page.len())..to.min(page.len())]
}

#[test]
fn every_command_in_the_readme_and_the_docs_runs_as_shown() {
    // The files a page's commands make start afresh.
    let _ = std::fs::remove_dir_all(
        root()
            .join("target/tmp/lint-cli")
            .join("docs-files-docs-reference-app.md"),
    );
    let mut problems = Vec::new();
    let mut commands = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        commands += blocks(&text)
            .iter()
            .filter(|b| b.info.starts_with("sh"))
            .map(|b| b.text.lines().filter(|l| command(l).is_some()).count())
            .sum::<usize>();
        problems.extend(check_page(&page));
    }
    assert!(commands >= 30, "only {commands} commands found");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn the_readme_opens_with_the_two_commands() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let first = blocks(&readme)
        .into_iter()
        .find(|b| b.info == "sh")
        .expect("a command block");
    let lines: Vec<&str> = first.text.lines().collect();
    assert!(
        lines[0].starts_with("cargo run -p kpi-ops -- kpi all --as lead"),
        "{lines:?}"
    );
    assert!(lines[1].starts_with("cargo test --workspace"), "{lines:?}");
}

#[test]
fn the_docs_link_only_inside_the_repository_and_tell_no_history() {
    let mut problems = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let name = page.strip_prefix(root()).unwrap().display().to_string();
        for (i, line) in text.lines().enumerate() {
            if line.contains("http://") || line.contains("https://") {
                problems.push(format!(
                    "{name}:{}: a link outside the repository: {line}",
                    i + 1
                ));
            }
            let lower = line.to_ascii_lowercase();
            for word in ["session", "earlier run", "later run", "an earlier", "diary"] {
                if lower.contains(word)
                    && !lower.contains("a session or an email")
                    && !lower.contains("(a session")
                {
                    problems.push(format!(
                        "{name}:{}: development history (`{word}`): {line}",
                        i + 1
                    ));
                }
            }
        }
        // Relative links point at files that exist.
        for (i, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(start) = rest.find("](") {
                let after = &rest[start + 2..];
                let Some(end) = after.find(')') else { break };
                let target = after[..end].split('#').next().unwrap_or("");
                if !target.is_empty() {
                    let base = page.parent().unwrap();
                    if !base.join(target).exists() {
                        problems.push(format!(
                            "{name}:{}: a link to a missing file `{target}`",
                            i + 1
                        ));
                    }
                }
                rest = &after[end..];
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
