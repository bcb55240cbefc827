//! The source tree keeps the shape docs/ARCHITECTURE.md draws: no file
//! imports, through `crate::` or `super::` paths, a file that imports it
//! back (directly or round a longer loop).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// Every `.rs` file under `dir`, by its module path (`player/playback/mod.rs`
/// is `["player", "playback"]`).
fn modules(dir: &Path) -> BTreeMap<Module, PathBuf> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let Some(rel) = path
                .strip_prefix(dir)
                .unwrap()
                .to_str()
                .and_then(|r| r.strip_suffix(".rs"))
            else {
                continue;
            };
            let mut module: Module = rel.split('/').map(String::from).collect();
            if module.last().is_some_and(|l| l == "mod") || module == ["lib"] || module == ["main"]
            {
                module.pop();
            }
            found.insert(module, path);
        }
    }
    found
}

/// Tests may import anything: they are not part of the shape.
fn is_test(module: &Module) -> bool {
    module
        .iter()
        .any(|part| part == "tests" || part == "test_support")
}

/// The `crate::`/`super::` paths a file names, outside comments and its
/// trailing `#[cfg(test)] mod tests`, as absolute module paths (a group
/// `super::{a::X, b}` gives `a::X` and `b`).
fn named_paths(module: &Module, text: &str) -> Vec<Module> {
    let text = text
        .find("#[cfg(test)]\nmod tests")
        .map_or(text, |end| &text[..end]);
    let code: String = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut paths = Vec::new();
    let bytes = code.as_bytes();
    for (start, _) in code.match_indices("::") {
        // A path's first segment ends right before its first `::`.
        let head_start = code[..start]
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let head = &code[head_start..start];
        if head != "crate" && head != "super" {
            continue;
        }
        if head_start >= 2 && &bytes[head_start - 2..head_start] == b"::" {
            continue; // `super::super::x` is read from its first `super`.
        }
        let mut base: Module = if head == "crate" {
            Vec::new()
        } else {
            module[..module.len().saturating_sub(1)].to_vec()
        };
        let mut rest = &code[start + 2..];
        while let Some(after) = rest.strip_prefix("super::") {
            base.pop();
            rest = after;
        }
        let segments = |text: &str| -> Module {
            text.split("::")
                .map(|s| {
                    s.chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect::<String>()
                })
                .take_while(|s| !s.is_empty())
                .collect()
        };
        let prefix_end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'));
        let prefix = &rest[..prefix_end.unwrap_or(rest.len())];
        let grouped = prefix.is_empty() || prefix.ends_with("::");
        if grouped && rest[prefix.len()..].starts_with('{') {
            let group = &rest[prefix.len() + 1..];
            let group = &group[..group.find('}').unwrap_or(group.len())];
            let mut outer = base.clone();
            outer.extend(segments(prefix.trim_end_matches(':')));
            for item in group.split(',') {
                let mut path = outer.clone();
                path.extend(segments(item.trim()));
                paths.push(path);
            }
        } else {
            let mut path = base;
            path.extend(segments(prefix));
            paths.push(path);
        }
    }
    paths
}

/// The file a path lands in: its longest prefix that is a module.
fn file_of<'a>(files: &'a BTreeMap<Module, PathBuf>, path: &Module) -> Option<&'a Module> {
    (1..=path.len())
        .rev()
        .find_map(|n| files.get_key_value(&path[..n]).map(|(k, _)| k))
}

/// The import graph between files; a file naming its own ancestor (a
/// `mod.rs` re-export) is left out, as Rust's module tree needs those.
fn imports(src: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
    let files = modules(src);
    let mut graph = BTreeMap::new();
    for (module, path) in &files {
        if is_test(module) {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let targets: BTreeSet<Module> = named_paths(module, &text)
            .iter()
            .filter_map(|p| file_of(&files, p))
            .filter(|t| !t.is_empty() && *t != module && !module.starts_with(t) && !is_test(t))
            .cloned()
            .collect();
        graph.insert(module.clone(), targets);
    }
    graph
}

/// One loop in the graph, as the files round it, if there is any.
fn find_cycle(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &Module,
        graph: &BTreeMap<Module, BTreeSet<Module>>,
        marks: &mut BTreeMap<Module, Mark>,
        trail: &mut Vec<Module>,
    ) -> Option<Vec<Module>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let from = trail.iter().position(|m| m == node).unwrap();
                return Some(trail[from..].to_vec());
            }
            None => {}
        }
        marks.insert(node.clone(), Mark::Open);
        trail.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, marks, trail) {
                return Some(cycle);
            }
        }
        trail.pop();
        marks.insert(node.clone(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut marks, &mut Vec::new()))
}

#[test]
fn no_file_imports_a_file_that_imports_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = imports(&src);
    assert!(graph.len() > 100, "read the tree: {} files", graph.len());
    if let Some(cycle) = find_cycle(&graph) {
        let names: Vec<String> = cycle.iter().map(|m| m.join("/")).collect();
        panic!("import cycle: {} -> back", names.join(" -> "));
    }
}

#[test]
fn the_cycle_finder_sees_a_loop_through_a_group_import() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("lib.rs", "pub mod player;\npub mod clock;\n");
    write(
        "clock.rs",
        "//! crate::player::a is only named in a comment\n",
    );
    write("player/mod.rs", "mod a;\nmod b;\npub use a::A;\n");
    write("player/a.rs", "use super::{b::B, A};\npub struct A;\n");
    write("player/b.rs", "use crate::player::a::A;\npub struct B;\n");
    let graph = imports(dir.path());
    let cycle = find_cycle(&graph).expect("a <-> b is a loop");
    assert_eq!(cycle.len(), 2, "{cycle:?}");
    assert!(graph[&vec!["clock".to_string()]].is_empty(), "{graph:?}");
    write("player/b.rs", "pub struct B;\n");
    assert_eq!(find_cycle(&imports(dir.path())), None);
}
