//! The catalog as a person reads it: `infokiosk catalog` without `--json`.

use std::fmt::Write;

use super::Catalog;

/// Play order, then every file that will not play and why.
pub fn describe_catalog(catalog: &Catalog) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "playable ({}), in play order:", catalog.items.len());
    for (n, item) in catalog.items.iter().enumerate() {
        let size = item
            .info
            .map(|i| format!("  {}x{}", i.width, i.height))
            .unwrap_or_default();
        let duration = item
            .play_duration()
            .map(|d| format!("  {:.1} s", d.as_secs_f64()))
            .unwrap_or_default();
        let urgent = if item.urgent { "  URGENT" } else { "" };
        let _ = writeln!(
            out,
            "{:>4}. {}  [{} {}]{size}{duration}{urgent}",
            n + 1,
            item.rel.display(),
            item.kind.name(),
            item.language.code(),
        );
    }
    if !catalog.rejected.is_empty() {
        let _ = writeln!(out, "\nnot played ({}):", catalog.rejected.len());
        for r in &catalog.rejected {
            let _ = writeln!(out, "  {}: {}", r.rel.display(), r.reason);
        }
    }
    if !catalog.pending.is_empty() {
        let _ = writeln!(
            out,
            "\nstill being written, played once settled ({}):",
            catalog.pending.len()
        );
        for p in &catalog.pending {
            let _ = writeln!(out, "  {}", p.display());
        }
    }
    for (group, missing) in &catalog.missing_variants {
        let codes: Vec<&str> = missing.iter().map(|l| l.code()).collect();
        let _ = writeln!(out, "note: {group} has no {} version", codes.join(", "));
    }
    for warning in &catalog.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    for incident in &catalog.integrity {
        let _ = writeln!(out, "INTEGRITY: {incident}");
    }
    if let Some(error) = &catalog.manifest_error {
        let _ = writeln!(out, "manifest error (the last good order is kept): {error}");
    }
    out
}
