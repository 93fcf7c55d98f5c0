//! No import cycle between the top-level modules of the flows, the Tauri shell or the CLI: each
//! module may use the ones below it, never one that uses it back (a child module may use its
//! parent: `preflight::report` reads `preflight`'s report type).
//!
//! The graph is read from the sources: every `crate::name` outside comments and `#[cfg(test)]`
//! code, with the crate root's re-exports (`pub use connect::{Connected, …}`) followed to the
//! module that defines the name. A cycle fails with the modules in it and the files that close it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module → the modules it uses, with one file that does, per edge.
type Graph = BTreeMap<String, BTreeMap<String, PathBuf>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the source directory lists") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without comments and without its `#[cfg(test)]` part.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn identifier(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The names a piece of code reaches through `crate::`: `crate::name` and each first name of
/// `crate::{a, b::c}`.
fn crate_names(code: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        if at > 0 && code[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            continue; // `ado_crate::…`, not this crate
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let name = identifier(item.trim());
                if !name.is_empty() {
                    names.push(name.to_string());
                }
            }
        } else {
            names.push(identifier(rest).to_string());
        }
    }
    names
}

/// The crate root's modules, and each name it re-exports with the module it comes from.
fn root_of(lib: &str) -> (BTreeSet<String>, BTreeMap<String, String>) {
    let code = code_of(lib);
    let mut modules = BTreeSet::new();
    let mut reexports = BTreeMap::new();
    for statement in code.split(';') {
        let line = statement
            .trim()
            .rsplit('\n')
            .next()
            .unwrap_or_default()
            .trim();
        let line = line
            .strip_prefix("pub(crate) ")
            .or_else(|| line.strip_prefix("pub "))
            .unwrap_or(line);
        if let Some(module) = line.strip_prefix("mod ") {
            modules.insert(identifier(module).to_string());
        }
    }
    for statement in code.split(';') {
        let Some(at) = statement.find("pub use ") else {
            continue;
        };
        let path = &statement[at + "pub use ".len()..];
        let module = identifier(path);
        if !modules.contains(module) {
            continue;
        }
        let rest = &path[module.len()..];
        let names: Vec<&str> = match rest.strip_prefix("::{") {
            Some(group) => group.trim_end_matches('}').split(',').collect(),
            None => vec![rest.rsplit("::").next().unwrap_or_default()],
        };
        for name in names {
            let name = identifier(name.trim());
            if !name.is_empty() {
                reexports.insert(name.to_string(), module.to_string());
            }
        }
    }
    (modules, reexports)
}

fn graph_of(src: &Path) -> Graph {
    let lib = ["lib.rs", "main.rs"]
        .iter()
        .map(|f| src.join(f))
        .find(|p| p.exists())
        .expect("a crate root");
    let (modules, reexports) = root_of(&std::fs::read_to_string(&lib).expect("the root reads"));
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let relative = file.strip_prefix(src).expect("under src");
        let first = relative.components().next().expect("a path");
        let module = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if !modules.contains(&module) {
            continue; // the root itself
        }
        let code = code_of(&std::fs::read_to_string(&file).expect("a source reads"));
        for name in crate_names(&code) {
            let target = if modules.contains(&name) {
                Some(name)
            } else {
                reexports.get(&name).cloned()
            };
            if let Some(target) = target.filter(|t| *t != module) {
                graph
                    .entry(module.clone())
                    .or_default()
                    .entry(target)
                    .or_insert_with(|| relative.to_path_buf());
            }
        }
    }
    graph
}

/// A cycle through `from`, if there is one: the modules in order.
fn cycle_from(graph: &Graph, from: &str) -> Option<Vec<String>> {
    fn walk(
        graph: &Graph,
        at: &str,
        goal: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in graph.get(at).into_iter().flat_map(|e| e.keys()) {
            if next == goal {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, next, goal, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![from.to_string()];
    walk(graph, from, from, &mut path, &mut BTreeSet::new()).then_some(path)
}

fn assert_no_cycle(crate_dir: &str) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(crate_dir)
        .join("src");
    let graph = graph_of(&src);
    assert!(
        !graph.is_empty(),
        "{}: no module uses another: is the reader broken?",
        src.display()
    );
    for module in graph.keys() {
        if let Some(cycle) = cycle_from(&graph, module) {
            let closing: Vec<String> = cycle
                .iter()
                .zip(cycle.iter().cycle().skip(1))
                .map(|(a, b)| format!("{a} -> {b} ({})", graph[a][b].display()))
                .collect();
            panic!(
                "{}: the modules {cycle:?} import each other:\n  {}",
                src.display(),
                closing.join("\n  ")
            );
        }
    }
}

#[test]
fn the_flows_modules_form_layers() {
    assert_no_cycle(".");
}

#[test]
fn the_shells_modules_form_layers() {
    assert_no_cycle("../../src-tauri");
    assert_no_cycle("../cli");
}

#[test]
fn the_reader_sees_a_cycle() {
    let dir = std::env::temp_dir().join(format!("layers-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let write = |f: &str, text: &str| std::fs::write(dir.join("src").join(f), text).unwrap();
    write("lib.rs", "pub mod a;\nmod b;\npub use b::{Thing, Other};\n");
    write(
        "a.rs",
        "// crate::b in a comment is not a use\nuse crate::Thing;\n",
    );
    write(
        "b.rs",
        "pub struct Thing;\npub struct Other;\nfn f() { crate::a::g() }\n",
    );
    let graph = graph_of(&dir.join("src"));
    assert_eq!(
        cycle_from(&graph, "a"),
        Some(vec!["a".to_string(), "b".to_string()])
    );
    write(
        "b.rs",
        "pub struct Thing;\n#[cfg(test)]\nmod tests { fn f() { crate::a::g() } }\n",
    );
    assert_eq!(cycle_from(&graph_of(&dir.join("src")), "a"), None);
    std::fs::remove_dir_all(&dir).unwrap();
}
