//! F2 "Content": items by kind and language, the files not played and why,
//! and when the folder last changed and was last scanned.

use std::collections::BTreeMap;

use bevy_egui::egui;

use super::{Facts, row};
use crate::content::{Kind, Language};
use crate::overlay::actions::OverlayAction;
use crate::overlay::labels;

/// Rejected files listed before "… and N more".
const REJECTED_SHOWN: usize = 200;

pub(super) fn show(ui: &mut egui::Ui, facts: &Facts, out: &mut Vec<OverlayAction>) {
    if ui.button(facts.t(labels::RELOAD)).clicked() {
        out.push(OverlayAction::Rescan);
    }
    if let Some(status) = &facts.content {
        egui::Grid::new("overlay-content-status")
            .num_columns(2)
            .spacing([24.0, 6.0])
            .show(ui, |ui| {
                let when = |t: Option<std::time::SystemTime>| {
                    t.map_or(facts.t(labels::NONE).to_owned(), |t| facts.local_system(t))
                };
                row(ui, facts.t(labels::LAST_CHANGE), when(status.last_change));
                row(ui, facts.t(labels::LAST_SCAN), when(status.last_scan));
                let watching = if status.watching {
                    labels::YES
                } else {
                    labels::NO
                };
                row(ui, facts.t(labels::WATCHING), facts.t(watching));
            });
    }
    let Some(playback) = &facts.playback else {
        return;
    };
    let catalog = playback.catalog();
    ui.add_space(8.0);
    ui.heading(facts.t(labels::ITEMS_BY_KIND));
    let mut counts: BTreeMap<(Kind, Language), usize> = BTreeMap::new();
    for item in &catalog.items {
        *counts.entry((item.kind, item.language)).or_default() += 1;
    }
    let languages = [Language::Vi, Language::En, Language::Km, Language::Neutral];
    egui::Grid::new("overlay-content-counts")
        .num_columns(6)
        .striped(true)
        .spacing([28.0, 4.0])
        .show(ui, |ui| {
            ui.label(egui::RichText::new(facts.t(labels::KIND)).strong());
            for language in languages {
                ui.label(egui::RichText::new(language.code()).strong());
            }
            ui.label(egui::RichText::new(facts.t(labels::TOTAL)).strong());
            ui.end_row();
            for (kind, name) in [
                (Kind::Image, labels::IMAGE),
                (Kind::Video, labels::VIDEO),
                (Kind::Text, labels::TEXT),
            ] {
                ui.label(facts.t(name));
                let mut total = 0;
                for language in languages {
                    let n = counts.get(&(kind, language)).copied().unwrap_or(0);
                    total += n;
                    ui.label(n.to_string());
                }
                ui.label(total.to_string());
                ui.end_row();
            }
        });
    if !catalog.pending.is_empty() {
        ui.label(format!(
            "{}: {}",
            facts.t(labels::PENDING),
            catalog.pending.len()
        ));
    }
    if let Some(error) = &catalog.manifest_error {
        ui.colored_label(
            egui::Color32::from_rgb(255, 120, 100),
            format!("{}: {error}", facts.t(labels::MANIFEST_ERROR)),
        );
    }
    ui.add_space(8.0);
    ui.heading(format!(
        "{} ({})",
        facts.t(labels::REJECTED),
        catalog.rejected.len()
    ));
    for rejected in catalog.rejected.iter().take(REJECTED_SHOWN) {
        ui.label(format!("{} — {}", rejected.rel.display(), rejected.reason));
    }
    if catalog.rejected.len() > REJECTED_SHOWN {
        ui.label(format!("… +{}", catalog.rejected.len() - REJECTED_SHOWN));
    }
}
