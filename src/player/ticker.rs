//! The news ticker: headlines from `ticker.LANG.txt` scrolling along the
//! bottom band over pictures and video, at a fixed speed in pixels per
//! second whatever the frame rate.

use std::collections::HashMap;

use bevy::prelude::*;

use super::Playback;
use super::in_force::{InForceKind, PutInForce};
use super::spans::set_line;
use crate::config::{TickerConfig, TickerLanguage};
use crate::content::plugin::ContentChanged;
use crate::content::{Language, SidecarKind};
use crate::fonts::Fonts;
use crate::pacing::Pace;
use crate::screen_state::ScreenState;

/// Band height as a fraction of the screen height (the captions sit on it).
pub(super) const BAND: f32 = 0.075;
const SEPARATOR: &str = "     •     ";

#[derive(Resource, Default)]
struct Headlines(HashMap<Language, Vec<String>>);

#[derive(Resource, Clone)]
struct Ticker(TickerConfig);

#[derive(Component)]
pub(super) struct TickerBand;

#[derive(Component, Default)]
struct TickerText {
    x: f32,
    language: Option<Language>,
}

pub(super) fn plugin(app: &mut App, config: TickerConfig) {
    app.insert_resource(Ticker(config))
        .init_resource::<Pace>()
        .init_resource::<Headlines>()
        .add_systems(Startup, spawn_ticker)
        .add_systems(
            Update,
            (
                load_headlines,
                scroll_ticker.run_if(in_state(ScreenState::Open)),
            )
                .chain(),
        )
        .add_systems(OnExit(ScreenState::Open), hide_ticker);
}

fn spawn_ticker(mut commands: Commands) {
    commands
        .spawn((
            TickerBand,
            Node {
                position_type: PositionType::Absolute,
                bottom: Val::Px(0.0),
                width: Val::Percent(100.0),
                height: Val::Vh(BAND * 100.0),
                overflow: Overflow::clip(),
                align_items: AlignItems::Center,
                ..default()
            },
            BackgroundColor(Color::srgba(0.0, 0.05, 0.15, 0.85)),
            GlobalZIndex(20),
            Visibility::Hidden,
        ))
        .with_child((
            TickerText::default(),
            Text::new(""),
            TextColor(Color::WHITE),
            TextLayout::linebreak(LineBreak::NoWrap),
            Node {
                position_type: PositionType::Absolute,
                left: Val::Px(0.0),
                ..default()
            },
        ));
}

/// Re-reads the ticker files whenever the catalog changes.
/// With the ticker on, the files shown are put in force (archived).
fn load_headlines(
    mut changes: MessageReader<ContentChanged>,
    mut headlines: ResMut<Headlines>,
    ticker: Res<Ticker>,
    mut in_force: MessageWriter<PutInForce>,
) {
    let Some(change) = changes.read().last() else {
        return;
    };
    headlines.0.clear();
    for sidecar in change
        .catalog
        .sidecars
        .iter()
        .filter(|s| s.kind == SidecarKind::Ticker)
    {
        match crate::captions::read_text_and_bytes(&sidecar.path) {
            Ok((text, bytes)) => {
                let lines = crate::captions::parse_ticker(&text);
                if !lines.is_empty() {
                    headlines.0.insert(sidecar.language, lines);
                    if ticker.0.enabled {
                        in_force.write(PutInForce::new(InForceKind::Ticker, &sidecar.rel, bytes));
                    }
                }
            }
            Err(e) => warn!("ticker {}: {e}; not shown", sidecar.rel.display()),
        }
    }
}

/// Closed hours show no ticker.
fn hide_ticker(mut band: Single<&mut Visibility, With<TickerBand>>) {
    **band = Visibility::Hidden;
}

#[expect(
    clippy::too_many_arguments,
    reason = "a Bevy system: each parameter is one resource or query"
)]
fn scroll_ticker(
    mut commands: Commands,
    time: Res<Time<Real>>,
    ticker: Res<Ticker>,
    headlines: Res<Headlines>,
    playback: Res<Playback>,
    fonts: Res<Fonts>,
    window: Single<&Window>,
    mut band: Single<&mut Visibility, With<TickerBand>>,
    mut text: Single<(Entity, &mut TickerText, &mut Node, &ComputedNode)>,
    mut pace: ResMut<Pace>,
) {
    let shown = ticker.0.enabled && !headlines.0.is_empty();
    band.set_if_neq(if shown {
        Visibility::Visible
    } else {
        Visibility::Hidden
    });
    if !shown {
        return;
    }
    pace.keep_drawing();
    let screen = Vec2::new(window.resolution.width(), window.resolution.height());
    let (entity, state, node, computed) = &mut *text;
    state.x -= ticker.0.speed * time.delta_secs();
    let width = computed.size.x * computed.inverse_scale_factor;
    let stale = state.language.is_none_or(|l| !headlines.0.contains_key(&l));
    if stale || state.x + width < 0.0 {
        let language = next_language(
            &ticker.0,
            &headlines,
            state.language,
            playback.current_item().map(|i| i.language),
        );
        state.language = Some(language);
        state.x = screen.x;
        let line = headlines.0[&language].join(SEPARATOR);
        set_line(
            &mut commands,
            *entity,
            &line,
            &fonts,
            screen.y * BAND * 0.5,
            Color::WHITE,
        );
    }
    node.left = Val::Px(state.x.round());
}

/// The language of the next pass of the ticker.
fn next_language(
    config: &TickerConfig,
    headlines: &Headlines,
    last: Option<Language>,
    on_screen: Option<Language>,
) -> Language {
    let order = [Language::Vi, Language::En, Language::Km, Language::Neutral];
    let available: Vec<Language> = order
        .into_iter()
        .filter(|l| headlines.0.contains_key(l))
        .collect();
    let follow = on_screen.filter(|l| *l != Language::Neutral && headlines.0.contains_key(l));
    match (config.language, follow, last) {
        (TickerLanguage::Follow, Some(language), _) => language,
        (TickerLanguage::Follow, None, Some(last)) if headlines.0.contains_key(&last) => last,
        (TickerLanguage::All, _, Some(last)) => {
            let at = available
                .iter()
                .position(|l| *l == last)
                .map_or(0, |i| i + 1);
            available[at % available.len()]
        }
        _ => available[0],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headlines(languages: &[Language]) -> Headlines {
        Headlines(
            languages
                .iter()
                .map(|l| (*l, vec!["x".to_owned()]))
                .collect(),
        )
    }

    #[test]
    fn follow_mode_follows_the_item_on_screen() {
        let config = TickerConfig::default();
        let h = headlines(&[Language::Vi, Language::Km]);
        assert_eq!(
            next_language(&config, &h, None, Some(Language::Km)),
            Language::Km
        );
        // No English headlines: keep the last language.
        assert_eq!(
            next_language(&config, &h, Some(Language::Km), Some(Language::En)),
            Language::Km
        );
        assert_eq!(
            next_language(&config, &h, None, Some(Language::Neutral)),
            Language::Vi
        );
    }

    #[test]
    fn all_mode_takes_each_language_in_turn() {
        let config = TickerConfig {
            language: TickerLanguage::All,
            ..Default::default()
        };
        let h = headlines(&[Language::Vi, Language::En, Language::Km]);
        let mut last = None;
        let mut seen = Vec::new();
        for _ in 0..4 {
            let l = next_language(&config, &h, last, Some(Language::Vi));
            seen.push(l);
            last = Some(l);
        }
        assert_eq!(
            seen,
            [Language::Vi, Language::En, Language::Km, Language::Vi]
        );
    }
}
