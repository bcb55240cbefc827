//! Captions: the `NAME.LANG.srt|vtt` sidecars of the clip on screen, in the
//! configured languages (stacked), in step with the playback position.

use std::path::PathBuf;

use bevy::prelude::*;

use super::Playback;
use super::spans::set_line;
use crate::captions::Captions;
use crate::content::{Kind, Language};
use crate::fonts::Fonts;

#[derive(Resource, Clone)]
struct CaptionLanguages(Vec<Language>);

/// The caption tracks of the clip on screen.
#[derive(Resource, Default)]
struct Tracks {
    item: Option<PathBuf>,
    tracks: Vec<Captions>,
    shown: Vec<String>,
}

#[derive(Component)]
struct CaptionBox;

pub(super) fn plugin(app: &mut App, languages: Vec<Language>) {
    app.insert_resource(CaptionLanguages(languages))
        .init_resource::<Tracks>()
        .add_systems(Startup, spawn_caption_box)
        .add_systems(Update, show_captions.after(super::PlaybackSystems::Advance));
}

fn spawn_caption_box(mut commands: Commands) {
    commands.spawn((
        CaptionBox,
        Node {
            position_type: PositionType::Absolute,
            bottom: Val::Vh(10.0),
            width: Val::Percent(100.0),
            flex_direction: FlexDirection::Column,
            align_items: AlignItems::Center,
            row_gap: Val::Vh(0.8),
            ..default()
        },
        GlobalZIndex(10),
    ));
}

/// Loads the tracks of a clip: its captions in the configured languages,
/// except the language it speaks. A bad file is reported and left out.
fn load_tracks(playback: &Playback, languages: &[Language]) -> Vec<Captions> {
    let Some(item) = playback.current_item() else {
        return Vec::new();
    };
    let sidecars: Vec<_> = playback.catalog().captions_for(item).collect();
    languages
        .iter()
        .filter(|l| **l != item.language)
        .filter_map(|language| sidecars.iter().find(|s| s.language == *language))
        .filter_map(|sidecar| match crate::captions::parse_file(&sidecar.path) {
            Ok(captions) => {
                if !captions.skipped.is_empty() {
                    warn!(
                        "{}: {} malformed cues skipped",
                        sidecar.rel.display(),
                        captions.skipped.len()
                    );
                }
                Some(captions)
            }
            Err(e) => {
                warn!("captions not shown: {e}");
                None
            }
        })
        .collect()
}

#[expect(
    clippy::too_many_arguments,
    reason = "a Bevy system: each parameter is one resource or query"
)]
fn show_captions(
    mut commands: Commands,
    time: Res<Time<Real>>,
    playback: Res<Playback>,
    languages: Res<CaptionLanguages>,
    fonts: Res<Fonts>,
    window: Single<&Window>,
    mut tracks: ResMut<Tracks>,
    caption_box: Single<Entity, With<CaptionBox>>,
) {
    let clip = playback
        .current_item()
        .filter(|i| i.kind == Kind::Video)
        .map(|i| i.path.clone());
    if clip != tracks.item {
        tracks.tracks = load_tracks(&playback, &languages.0);
        tracks.item = clip;
    }
    let lines: Vec<String> = match playback.position(time.elapsed_secs_f64()) {
        Some((position, _)) if tracks.item.is_some() => tracks
            .tracks
            .iter()
            .flat_map(|t| t.at(position))
            .flat_map(|cue| cue.lines().map(str::to_owned).collect::<Vec<_>>())
            .collect(),
        _ => Vec::new(),
    };
    if lines == tracks.shown {
        return;
    }
    commands.entity(*caption_box).despawn_related::<Children>();
    let size = window.resolution.height() / 24.0;
    for line in &lines {
        let text = commands
            .spawn((
                Text::new(""),
                TextColor(Color::WHITE),
                Node {
                    padding: UiRect::axes(Val::Px(size * 0.4), Val::Px(size * 0.1)),
                    ..default()
                },
                BackgroundColor(Color::srgba(0.0, 0.0, 0.0, 0.7)),
            ))
            .id();
        set_line(&mut commands, text, line, &fonts, size, Color::WHITE);
        commands.entity(*caption_box).add_child(text);
    }
    tracks.shown = lines;
}
