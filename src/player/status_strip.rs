//! The optional strip along the top: the local time and the configured
//! labels (e.g. the border gate's name in Vietnamese, English and Khmer).

use bevy::prelude::*;

use super::PlayerSettings;
use super::spans::set_line;
use crate::clock::Clock;
use crate::config::StatusStripConfig;
use crate::fonts::Fonts;
use crate::screen_state::ScreenState;

#[derive(Resource, Clone)]
struct Strip(StatusStripConfig);

#[derive(Component)]
struct StripText {
    shown: String,
}

pub(super) fn plugin(app: &mut App, config: StatusStripConfig) {
    if !config.enabled {
        return;
    }
    app.insert_resource(Strip(config))
        .add_systems(Startup, spawn_strip)
        .add_systems(OnEnter(ScreenState::Open), show_strip)
        .add_systems(OnExit(ScreenState::Open), hide_strip)
        .add_systems(Update, update_strip);
}

fn spawn_strip(mut commands: Commands) {
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                top: Val::Px(0.0),
                width: Val::Percent(100.0),
                height: Val::Vh(6.0),
                align_items: AlignItems::Center,
                justify_content: JustifyContent::Center,
                ..default()
            },
            BackgroundColor(Color::srgba(0.0, 0.05, 0.15, 0.85)),
            GlobalZIndex(20),
        ))
        .with_child((
            StripText {
                shown: String::new(),
            },
            Text::new(""),
            TextColor(Color::WHITE),
            TextLayout::linebreak(LineBreak::NoWrap),
            // Shown while open only.
            Visibility::Hidden,
        ));
}

fn show_strip(mut text: Single<&mut Visibility, With<StripText>>) {
    **text = Visibility::Inherited;
}

fn hide_strip(mut text: Single<&mut Visibility, With<StripText>>) {
    **text = Visibility::Hidden;
}

fn update_strip(
    mut commands: Commands,
    clock: Res<Clock>,
    settings: Res<PlayerSettings>,
    strip: Res<Strip>,
    fonts: Res<Fonts>,
    window: Single<&Window>,
    mut text: Single<(Entity, &mut StripText)>,
) {
    let (entity, shown) = &mut *text;
    let local = clock.now().with_timezone(&settings.time_zone);
    let mut parts = vec![local.format("%H:%M").to_string()];
    parts.extend(strip.0.labels.iter().cloned());
    let line = parts.join("   ·   ");
    if line != shown.shown {
        set_line(
            &mut commands,
            *entity,
            &line,
            &fonts,
            window.resolution.height() * 0.028,
            Color::WHITE,
        );
        shown.shown = line;
    }
}
