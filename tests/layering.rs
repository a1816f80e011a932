//! The layering check: each module under src/ imports (by `crate::` paths) only the
//! layers it may use, so a lower layer never reaches up to a higher one. The table is the
//! one in docs/ARCHITECTURE.md ("Layers"); a new top-level module must be placed in it.

use std::path::Path;

/// Each layer and the layers it may import, lowest first. A module belongs to the longest
/// entry that is a prefix of its path; a module may always use the rest of its own
/// top-level module.
const LAYERS: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("config", &["domain"]),
    ("error", &["domain"]),
    ("i18n", &["domain"]),
    ("security", &["domain", "config"]),
    // Parsers of other programs' files: no I/O, no storage.
    ("reports", &["domain"]),
    // Mail that comes back (calendar answers, bounces): read, no I/O, no storage.
    ("inbound", &["domain"]),
    ("db", &["domain", "config", "security"]),
    ("calendar", &["domain", "i18n"]),
    ("email", EMAIL),
    // What the use cases run on: database, keys, mail handle, cache, settings.
    (
        "context",
        &["domain", "db", "config", "security", "email", "error"],
    ),
    // Use cases that run in the background: they take the context, like services.
    ("email::worker", EMAIL_JOBS),
    ("email::reminders", EMAIL_JOBS),
    (
        "services",
        &[
            "domain", "db", "context", "email", "calendar", "reports", "inbound", "security",
            "config", "error", "i18n",
        ],
    ),
    (
        "routes",
        &[
            "domain", "db", "context", "services", "email", "calendar", "reports", "security",
            "config", "error", "i18n", // The HTTP state, built by `startup`.
            "startup",
        ],
    ),
    ("serve", &["config", "error", "domain"]),
    ("startup", TOP),
    ("cli", TOP),
    ("lib", TOP),
    ("main", TOP),
];

const EMAIL: &[&str] = &[
    "domain", "db", "config", "security", "i18n", "calendar", "error",
];
const EMAIL_JOBS: &[&str] = &[
    "domain", "db", "config", "security", "i18n", "calendar", "error", "context",
];
const TOP: &[&str] = &[
    "domain",
    "db",
    "context",
    "services",
    "email",
    "email::worker",
    "email::reminders",
    "calendar",
    "reports",
    "inbound",
    "security",
    "config",
    "error",
    "i18n",
    "routes",
    "serve",
    "startup",
];

#[test]
fn layers_import_only_the_layers_they_may_use() {
    let violations = violations_in(Path::new(env!("CARGO_MANIFEST_DIR")).join("src").as_ref());
    assert!(
        violations.is_empty(),
        "{} layering violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}

/// One line per violation: `file:line: layer X imports Y (the path)`.
fn violations_in(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut violations = Vec::new();
    for file in files {
        let relative = file.strip_prefix(src).unwrap();
        let module = module_of(relative);
        let shown = Path::new("src").join(relative).display().to_string();
        let source = std::fs::read_to_string(&file).unwrap();
        violations.extend(check(&shown, &module, &source));
    }
    violations
}

fn rust_files(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// `email/worker.rs` -> `email::worker`, `db/mod.rs` -> `db`, `lib.rs` -> `lib`.
fn module_of(relative: &Path) -> String {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.len() > 1 && parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.join("::")
}

/// The layer a module path belongs to: the longest entry of [`LAYERS`] that prefixes it.
fn layer_of(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.split("::").collect();
    LAYERS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| {
            let layer: Vec<&str> = name.split("::").collect();
            segments.starts_with(&layer)
        })
        .max_by_key(|name| name.len())
}

fn check(file: &str, module: &str, source: &str) -> Vec<String> {
    let Some(layer) = layer_of(module) else {
        return vec![format!(
            "{file}:1: module {module} is in no layer: add it to LAYERS in tests/layering.rs \
             and to docs/ARCHITECTURE.md"
        )];
    };
    let allowed = LAYERS.iter().find(|(name, _)| *name == layer).unwrap().1;
    let own_top = module.split("::").next().unwrap();
    let mut violations = Vec::new();
    for (line, path) in crate_paths(source) {
        if path.split("::").next() == Some(own_top) {
            continue;
        }
        match layer_of(&path) {
            Some(target) if allowed.contains(&target) => {}
            Some(target) => violations.push(format!(
                "{file}:{line}: layer {layer} imports {target} (crate::{path})"
            )),
            None => violations.push(format!(
                "{file}:{line}: layer {layer} imports crate::{path}, which is in no layer"
            )),
        }
    }
    violations
}

/// Every `crate::` path in `source` with its line, `use` groups expanded; comments are
/// skipped.
fn crate_paths(source: &str) -> Vec<(usize, String)> {
    let code: Vec<(usize, char)> = source
        .lines()
        .enumerate()
        .flat_map(|(number, line)| {
            let code = line.find("//").map_or(line, |comment| &line[..comment]);
            code.chars()
                .chain(std::iter::once('\n'))
                .map(move |c| (number + 1, c))
        })
        .collect();
    let mut paths = Vec::new();
    let mut at = 0;
    while at < code.len() {
        // Also `$crate::` in macros; not `mycrate::`.
        if starts_with(&code, at, "crate::") && (at == 0 || !is_ident(code[at - 1].1)) {
            at = use_tree(&code, at + "crate::".len(), String::new(), &mut paths);
        } else {
            at += 1;
        }
    }
    paths
}

/// Reads a path or `{...}` group after `prefix::`, adding each complete path to `paths`;
/// returns the position after it.
fn use_tree(
    code: &[(usize, char)],
    mut at: usize,
    mut prefix: String,
    paths: &mut Vec<(usize, String)>,
) -> usize {
    at = skip_space(code, at);
    if code.get(at).is_some_and(|c| c.1 == '{') {
        at += 1;
        loop {
            at = skip_space(code, at);
            match code.get(at).map(|c| c.1) {
                None => return at,
                Some('}') => return at + 1,
                Some(',') => at += 1,
                Some(_) => {
                    at = use_tree(code, at, prefix.clone(), paths);
                    // Past an `as alias`, to the next item.
                    while code.get(at).is_some_and(|c| c.1 != ',' && c.1 != '}') {
                        at += 1;
                    }
                }
            }
        }
    }
    let start = at;
    while code.get(at).is_some_and(|c| is_ident(c.1)) {
        at += 1;
    }
    let ident: String = code[start..at].iter().map(|c| c.1).collect();
    if ident.is_empty() || ident == "self" {
        // `*`, `self` or the end of the path: what was read so far is the path.
        if !prefix.is_empty() {
            let line = code.get(start).or(code.last()).map_or(0, |c| c.0);
            paths.push((line, prefix));
        }
        return at;
    }
    if !prefix.is_empty() {
        prefix.push_str("::");
    }
    prefix.push_str(&ident);
    if starts_with(code, at, "::") {
        return use_tree(code, at + 2, prefix, paths);
    }
    paths.push((code[start].0, prefix));
    at
}

fn starts_with(code: &[(usize, char)], at: usize, text: &str) -> bool {
    text.chars()
        .enumerate()
        .all(|(i, ch)| code.get(at + i).is_some_and(|c| c.1 == ch))
}

fn skip_space(code: &[(usize, char)], mut at: usize) -> usize {
    while code.get(at).is_some_and(|c| c.1.is_whitespace()) {
        at += 1;
    }
    at
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[test]
fn use_groups_are_expanded_with_the_line_of_each_path() {
    let source = "use crate::db::{self, Exec};\nuse crate::{\n    domain::ids::{WebinarId, SessionId as S},\n    email::*,\n};\nfn f() { crate::startup::AppState::new(); } // crate::routes::x\n";
    assert_eq!(
        crate_paths(source),
        [
            (1, "db".to_owned()),
            (1, "db::Exec".to_owned()),
            (3, "domain::ids::WebinarId".to_owned()),
            (3, "domain::ids::SessionId".to_owned()),
            (4, "email".to_owned()),
            (6, "startup::AppState::new".to_owned()),
        ]
    );
}

#[test]
fn a_lower_layer_importing_a_higher_one_is_reported_with_its_line() {
    let source = "use crate::domain::ids::WebinarId;\n\nuse crate::services::webinars;\n";
    assert_eq!(
        check("src/db/x.rs", "db::x", source),
        ["src/db/x.rs:3: layer db imports services (crate::services::webinars)"]
    );
}

#[test]
fn the_context_may_use_the_mail_handle_but_not_the_mail_worker() {
    let source = "use crate::email::Mailer;\nuse crate::email::worker::run;\n";
    assert_eq!(
        check("src/context.rs", "context", source),
        ["src/context.rs:2: layer context imports email::worker (crate::email::worker::run)"]
    );
}

#[test]
fn a_module_outside_the_table_is_reported() {
    assert_eq!(
        check("src/gadgets.rs", "gadgets", ""),
        [
            "src/gadgets.rs:1: module gadgets is in no layer: add it to LAYERS in \
          tests/layering.rs and to docs/ARCHITECTURE.md"
        ]
    );
}
