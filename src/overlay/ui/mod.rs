//! The overlay's egui drawing: the PIN prompt, then five pages (F1–F5) in
//! one window over the playing content. It only reads state and writes
//! [`OverlayAction`]s; `actions.rs` does the rest.

mod content;
mod controls;
mod health;
mod now;
mod unlock;

use std::sync::Arc;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};
use chrono::{DateTime, Utc};

use super::actions::{CloseWhy, OverlayAction};
use super::figures::HealthFigures;
use super::labels::{self, L};
use super::log_tail::LogTail;
use super::look_back::LookBack;
use super::roles::may_see;
use super::self_test::SelfTest;
use super::{Overlay, OverlaySettings, Page, Session, View};
use crate::clock::Clock;
use crate::config::OverlayLanguage;
use crate::content::plugin::ContentStatus;
use crate::display::DisplayStatus;
use crate::player::Playback;
use crate::schedule::plugin::Operating;

/// Everything the pages show, read-only.
#[derive(SystemParam)]
pub(super) struct Facts<'w> {
    settings: Res<'w, OverlaySettings>,
    clock: Res<'w, Clock>,
    time: Res<'w, Time<Real>>,
    operating: Option<Res<'w, Operating>>,
    playback: Option<Res<'w, Playback>>,
    content: Option<Res<'w, ContentStatus>>,
    display: Option<Res<'w, DisplayStatus>>,
    log: Option<Res<'w, LogTail>>,
    figures: Res<'w, HealthFigures>,
    self_test: Res<'w, SelfTest>,
    look_back: Res<'w, LookBack>,
}

impl Facts<'_> {
    fn lang(&self) -> OverlayLanguage {
        self.settings.config.language
    }

    fn t(&self, label: L) -> &'static str {
        label.get(self.lang())
    }

    /// A kiosk-clock instant on the schedule's wall clock.
    fn local(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.settings.time_zone)
            .format("%Y-%m-%d %H:%M:%S (%:z)")
            .to_string()
    }

    /// `11:00 28/11`: for labels where the full form is too long.
    fn local_short(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.settings.time_zone)
            .format("%H:%M %d/%m")
            .to_string()
    }

    fn local_system(&self, t: std::time::SystemTime) -> String {
        self.local(DateTime::<Utc>::from(t))
    }
}

const PAGES: [(Page, L, egui::Key); 5] = [
    (Page::Now, labels::PAGE_NOW, egui::Key::F1),
    (Page::Content, labels::PAGE_CONTENT, egui::Key::F2),
    (Page::Health, labels::PAGE_HEALTH, egui::Key::F3),
    (Page::Controls, labels::PAGE_CONTROLS, egui::Key::F4),
    (Page::Emergency, labels::PAGE_EMERGENCY, egui::Key::F5),
];

pub(super) fn draw_overlay(
    mut contexts: EguiContexts,
    mut overlay: ResMut<Overlay>,
    facts: Facts,
    mut actions: MessageWriter<OverlayAction>,
    mut styled: Local<bool>,
) -> Result {
    if overlay.is_closed() {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?;
    if !*styled {
        style(ctx);
        *styled = true;
    }
    let mut out = Vec::new();
    let Overlay { view, lockout, .. } = &mut *overlay;
    match view {
        View::Closed => {}
        View::NoPin => unlock::no_pin(ctx, &facts),
        View::Unlock(form) => unlock::pin_prompt(ctx, form, lockout, &facts, &mut out),
        View::Open(session) => pages(ctx, session, &facts, &mut out),
    }
    actions.write_batch(out);
    Ok(())
}

fn pages(ctx: &egui::Context, session: &mut Session, facts: &Facts, out: &mut Vec<OverlayAction>) {
    for (page, _, key) in PAGES {
        if !ctx.input(|i| i.key_pressed(key)) {
            continue;
        }
        if may_see(session.role, page) {
            session.page = page;
            session.focus = true;
            session.notice = None;
        } else {
            info!(
                "admin overlay: page {page:?} is not open to {}",
                session.who
            );
            session.notice = Some(facts.t(labels::PAGE_NOT_ALLOWED).into());
        }
    }
    let screen = ctx.content_rect();
    let size = egui::vec2(
        (screen.width() - 120.0).clamp(400.0, 1400.0),
        (screen.height() - 140.0).clamp(300.0, 900.0),
    );
    egui::Window::new(facts.t(labels::TITLE))
        .id(egui::Id::new("infokiosk-admin"))
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .fixed_size(size)
        .collapsible(false)
        .resizable(false)
        .movable(false)
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                for (page, label, _) in PAGES {
                    // A role sees the tabs of its own pages only.
                    if !may_see(session.role, page) {
                        continue;
                    }
                    let tab = ui.selectable_label(session.page == page, facts.t(label));
                    if tab.clicked() {
                        session.page = page;
                        session.focus = true;
                    }
                    // Pages without a control of their own keep the focus on their tab.
                    let own_control = matches!(page, Page::Controls | Page::Emergency);
                    if session.focus && session.page == page && !own_control {
                        tab.request_focus();
                        session.focus = false;
                    }
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button(facts.t(labels::CLOSE)).clicked() {
                        out.push(OverlayAction::Close(CloseWhy::Button));
                    }
                    ui.label(format!("{}: {}", facts.t(labels::WHO), session.who));
                });
            });
            ui.separator();
            let footer = 64.0;
            // PgUp/PgDn scroll: pages of plain text have nothing to Tab to.
            let pages = ctx.input(|i| {
                i.key_pressed(egui::Key::PageUp) as i8 - i.key_pressed(egui::Key::PageDown) as i8
            });
            egui::ScrollArea::vertical()
                .auto_shrink([false, false])
                .max_height(ui.available_height() - footer)
                .show(ui, |ui| {
                    if pages != 0 {
                        let step = f32::from(pages) * ui.clip_rect().height() * 0.8;
                        ui.scroll_with_delta(egui::vec2(0.0, step));
                    }
                    page(ui, session, facts, out);
                });
            ui.separator();
            if let Some(notice) = &session.notice {
                ui.label(egui::RichText::new(notice).color(egui::Color32::LIGHT_GREEN));
            }
            ui.label(
                egui::RichText::new(facts.t(labels::KEYS_HINT))
                    .small()
                    .weak(),
            );
        });
}

fn page(ui: &mut egui::Ui, session: &mut Session, facts: &Facts, out: &mut Vec<OverlayAction>) {
    if !may_see(session.role, session.page) {
        session.page = Page::Now;
    }
    match session.page {
        Page::Now => now::show(ui, session, facts, out),
        Page::Content => content::show(ui, facts, out),
        Page::Health => health::show(ui, facts, out),
        Page::Controls => controls::playback(ui, session, facts, out),
        Page::Emergency => controls::emergency(ui, session, facts, out),
    }
}

/// Noto Sans first (Vietnamese letters), larger text, a focus ring that can
/// be seen from a step back.
fn style(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        "noto-sans".into(),
        Arc::new(egui::FontData::from_static(include_bytes!(
            "../../../assets/fonts/NotoSans-Regular.ttf"
        ))),
    );
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        let list = fonts.families.entry(family.clone()).or_default();
        match family {
            // Monospace keeps its own letters and falls back to Noto for "ạ".
            egui::FontFamily::Monospace => list.push("noto-sans".into()),
            _ => list.insert(0, "noto-sans".into()),
        }
    }
    ctx.set_fonts(fonts);
    ctx.all_styles_mut(|style| {
        use egui::{FontFamily::*, FontId, TextStyle};
        style.text_styles = [
            (TextStyle::Heading, FontId::new(26.0, Proportional)),
            (TextStyle::Body, FontId::new(18.0, Proportional)),
            (TextStyle::Button, FontId::new(18.0, Proportional)),
            (TextStyle::Small, FontId::new(14.0, Proportional)),
            (TextStyle::Monospace, FontId::new(16.0, Monospace)),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(10.0, 8.0);
        style.spacing.button_padding = egui::vec2(12.0, 6.0);
        let focus = egui::Stroke::new(3.0, egui::Color32::from_rgb(255, 210, 0));
        style.visuals.widgets.active.bg_stroke = focus;
        style.visuals.selection.stroke = focus;
        style.visuals.window_fill = egui::Color32::from_rgba_unmultiplied(24, 28, 34, 240);
    });
}

/// A two-column row in a grid.
fn row(ui: &mut egui::Ui, label: &str, value: impl Into<egui::WidgetText>) {
    ui.label(egui::RichText::new(label).strong());
    ui.label(value);
    ui.end_row();
}

/// `m:ss` or `h:mm:ss`.
fn clock_text(d: std::time::Duration) -> String {
    let s = d.as_secs();
    match s / 3600 {
        0 => format!("{}:{:02}", s / 60, s % 60),
        h => format!("{h}:{:02}:{:02}", s / 60 % 60, s % 60),
    }
}
