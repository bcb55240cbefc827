//! Captions: the `NAME.LANG.srt|vtt` sidecars of the clip on screen, in the
//! configured languages (stacked), in step with the playback position,
//! fitted into a band at the bottom edge of the screen (`captions.band_height`;
//! on top of the ticker while it shows) so that they never cover more of a
//! clip's own burned-in titles than that band. Each language's cue is one
//! row, wrapped to at most two lines; the rows shrink until they fit.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::text::TextLayoutInfo;

use super::Playback;
use super::in_force::{InForceKind, PutInForce};
use super::spans::set_line;
use super::ticker::{self, TickerBand};
use crate::captions::Captions;
use crate::config::CaptionsConfig;
use crate::content::{Kind, Language};
use crate::fonts::Fonts;

#[derive(Resource, Clone)]
struct CaptionSettings(CaptionsConfig);

/// The caption tracks of the clip on screen, and how the rows shown were
/// fitted.
#[derive(Resource, Default)]
struct Tracks {
    item: Option<PathBuf>,
    tracks: Vec<Captions>,
    /// The rows shown, one per language with a cue now.
    shown: Vec<String>,
    /// The band they were laid out in.
    band: Rect,
    /// Font size in logical pixels.
    size: f32,
    /// Frames to wait before measuring the rows.
    wait: u32,
    /// Frames the rows were found not laid out yet.
    unmeasured: u32,
    fitted: bool,
}

/// The band along the bottom edge; rows are fitted into it and clipped by
/// it, so nothing is drawn above it.
#[derive(Component)]
struct CaptionBand;

/// The rows, as tall as their text: measured against the band.
#[derive(Component)]
struct CaptionColumn;

#[derive(Component)]
struct CaptionRow;

/// A row wraps to at most this many lines.
const MAX_LINES: usize = 2;
/// Bevy's line height: 1.2 times the font size.
const LINE_HEIGHT: f32 = 1.2;
/// A row's box: padding above and below its text, in font sizes.
const ROW_PADDING: f32 = 0.1;
/// The largest and smallest font sizes, as fractions of the screen height.
const LARGEST: f32 = 1.0 / 24.0;
const SMALLEST: f32 = 1.0 / 60.0;
/// Each new try is at least this much smaller than the one before.
const SHRINK_STEP: f32 = 0.92;
/// Frames between a size change and its measurement (layout runs after
/// Update, so the next frame has it).
const SETTLE_FRAMES: u32 = 1;
/// Frames to wait for rows that are not laid out when measured.
const MAX_UNMEASURED: u32 = 5;

pub(super) fn plugin(app: &mut App, config: CaptionsConfig) {
    app.insert_resource(CaptionSettings(config))
        .init_resource::<Tracks>()
        .add_systems(Startup, spawn_caption_band)
        .add_systems(
            Update,
            (show_captions, fit_captions)
                .chain()
                .after(super::PlaybackSystems::Advance),
        );
}

fn spawn_caption_band(mut commands: Commands) {
    commands
        .spawn((
            CaptionBand,
            Node {
                position_type: PositionType::Absolute,
                flex_direction: FlexDirection::Column,
                justify_content: JustifyContent::FlexEnd,
                align_items: AlignItems::Center,
                overflow: Overflow::clip(),
                ..default()
            },
            GlobalZIndex(10),
            Visibility::Hidden,
        ))
        .with_child((
            CaptionColumn,
            Node {
                flex_direction: FlexDirection::Column,
                align_items: AlignItems::Center,
                flex_shrink: 0.0,
                width: Val::Percent(100.0),
                ..default()
            },
        ));
}

/// The band the captions are fitted into, in logical pixels from the top
/// left: the full width, `height` (a fraction of the screen height) high,
/// its lower edge `lift` pixels above the bottom of the screen (the ticker's
/// height while it shows, else 0).
fn caption_band(screen: Vec2, height: f32, lift: f32) -> Rect {
    let bottom = screen.y - lift;
    Rect::new(0.0, bottom - height * screen.y, screen.x, bottom)
}

/// The size to try first for `rows` rows in a band `band` pixels high: the
/// largest at which every row fits on one line, never above the largest
/// size for the screen `screen_height` high.
fn first_size(band: f32, rows: usize, screen_height: f32) -> f32 {
    let per_row = LINE_HEIGHT + 2.0 * ROW_PADDING;
    (band / (rows.max(1) as f32 * per_row)).min(LARGEST * screen_height)
}

/// Whether rows `measured` high, each wrapped to `lines`, fit the band.
fn fits(measured: f32, band: f32, lines: &[usize]) -> bool {
    measured <= band + 0.5 && lines.iter().all(|l| *l <= MAX_LINES)
}

/// The next size to try after rows `measured` high at `size` did not fit in
/// `band`: the estimate (height grows about with the square of the size, as
/// lines get both taller and more), at least a step smaller, never below
/// `smallest`.
fn next_size(size: f32, measured: f32, band: f32, smallest: f32) -> f32 {
    let estimate = size * (band / measured.max(1.0)).sqrt() * 0.98;
    estimate.min(size * SHRINK_STEP).max(smallest)
}

/// Loads the tracks of a clip: its captions in the configured languages,
/// except the language it speaks. A bad file is reported and left out.
/// Each file loaded is put in force (archived).
fn load_tracks(
    playback: &Playback,
    languages: &[Language],
    in_force: &mut MessageWriter<PutInForce>,
) -> Vec<Captions> {
    let Some(item) = playback.current_item() else {
        return Vec::new();
    };
    let sidecars: Vec<_> = playback.catalog().captions_for(item).collect();
    languages
        .iter()
        .filter(|l| **l != item.language)
        .filter_map(|language| sidecars.iter().find(|s| s.language == *language))
        .filter_map(
            |sidecar| match crate::captions::parse_file_and_bytes(&sidecar.path) {
                Ok((captions, bytes)) => {
                    in_force.write(PutInForce::new(InForceKind::Captions, &sidecar.rel, bytes));
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
            },
        )
        .collect()
}

/// The rows of the moment, placed in the band; a new set of rows (or a new
/// band) starts at the first size, for `fit_captions` to check.
#[expect(
    clippy::too_many_arguments,
    reason = "a Bevy system: each parameter is one resource or query"
)]
fn show_captions(
    mut commands: Commands,
    time: Res<Time<Real>>,
    playback: Res<Playback>,
    settings: Res<CaptionSettings>,
    fonts: Res<Fonts>,
    window: Single<&Window>,
    mut tracks: ResMut<Tracks>,
    band: Single<(&mut Node, &mut Visibility), With<CaptionBand>>,
    column: Single<Entity, With<CaptionColumn>>,
    ticker: Query<&Visibility, (With<TickerBand>, Without<CaptionBand>)>,
    mut in_force: MessageWriter<PutInForce>,
) {
    let clip = playback
        .current_item()
        .filter(|i| i.kind == Kind::Video)
        .map(|i| &i.path);
    if clip != tracks.item.as_ref() {
        tracks.tracks = load_tracks(&playback, &settings.0.languages, &mut in_force);
        tracks.item = clip.cloned();
    }
    // Without tracks there are no rows: the clip is not asked its position
    // (a query through the pipeline) at every frame.
    let position = (tracks.item.is_some() && !tracks.tracks.is_empty())
        .then(|| playback.position(time.elapsed_secs_f64()))
        .flatten();
    let rows: Vec<String> = match position {
        Some((position, _)) => tracks
            .tracks
            .iter()
            .filter_map(|t| {
                let row = t
                    .at(position)
                    .into_iter()
                    .flat_map(str::lines)
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                (!row.is_empty()).then_some(row)
            })
            .collect(),
        _ => Vec::new(),
    };
    let screen = Vec2::new(window.resolution.width(), window.resolution.height());
    let ticker_shows = ticker.iter().any(|v| *v == Visibility::Visible);
    let lift = if ticker_shows {
        ticker::BAND * screen.y
    } else {
        0.0
    };
    let rect = caption_band(screen, settings.0.band_height, lift);
    if rows == tracks.shown && rect == tracks.band {
        return;
    }
    let (mut node, mut visibility) = band.into_inner();
    node.left = Val::Px(rect.min.x);
    node.top = Val::Px(rect.min.y);
    node.width = Val::Px(rect.width());
    node.height = Val::Px(rect.height());
    // Shown at once: rows that do not fit at the first size are shrunk a
    // frame or two later, clipped by the band meanwhile (hiding them until
    // fitted would lose a cue's start on a slow frame rate).
    *visibility = if rows.is_empty() {
        Visibility::Hidden
    } else {
        Visibility::Visible
    };
    tracks.size = first_size(rect.height(), rows.len(), screen.y);
    tracks.wait = SETTLE_FRAMES;
    tracks.unmeasured = 0;
    tracks.fitted = rows.is_empty();
    tracks.band = rect;
    tracks.shown = rows;
    spawn_rows(&mut commands, *column, &tracks.shown, tracks.size, &fonts);
}

/// One `Text` per row, in a box of its own.
fn spawn_rows(commands: &mut Commands, column: Entity, rows: &[String], size: f32, fonts: &Fonts) {
    commands.entity(column).despawn_related::<Children>();
    for row in rows {
        let text = commands
            .spawn((
                CaptionRow,
                Text::new(""),
                TextColor(Color::WHITE),
                TextLayout::justify(Justify::Center),
                Node {
                    max_width: Val::Percent(92.0),
                    padding: UiRect::axes(Val::Px(size * 0.4), Val::Px(size * ROW_PADDING)),
                    ..default()
                },
                BackgroundColor(Color::srgba(0.0, 0.0, 0.0, 0.7)),
            ))
            .id();
        set_line(commands, text, row, fonts, size, Color::WHITE);
        commands.entity(column).add_child(text);
    }
}

/// Measures the rows once laid out: kept when they fit the band, else
/// spawned again smaller; at the smallest size they stay, clipped by the
/// band.
fn fit_captions(
    mut commands: Commands,
    fonts: Res<Fonts>,
    window: Single<&Window>,
    mut tracks: ResMut<Tracks>,
    column: Single<(Entity, &ComputedNode), With<CaptionColumn>>,
    rows: Query<&TextLayoutInfo, With<CaptionRow>>,
) {
    if tracks.fitted {
        return;
    }
    if tracks.wait > 0 {
        tracks.wait -= 1;
        return;
    }
    let (column, computed) = *column;
    let measured = computed.size.y * computed.inverse_scale_factor;
    let lines: Vec<usize> = rows
        .iter()
        .map(|layout| {
            layout
                .glyphs
                .iter()
                .map(|g| g.line_index + 1)
                .max()
                .unwrap_or(0)
        })
        .collect();
    // Rows not laid out yet measure nothing: wait for them (a few frames
    // at most, then take what there is).
    let laid_out = lines.len() == tracks.shown.len() && lines.iter().all(|l| *l > 0);
    if !laid_out && tracks.unmeasured < MAX_UNMEASURED {
        tracks.unmeasured += 1;
        return;
    }
    tracks.unmeasured = 0;
    let smallest = SMALLEST * window.resolution.height();
    if fits(measured, tracks.band.height(), &lines) || tracks.size <= smallest {
        tracks.fitted = true;
        return;
    }
    tracks.size = next_size(tracks.size, measured, tracks.band.height(), smallest);
    tracks.wait = SETTLE_FRAMES;
    spawn_rows(&mut commands, column, &tracks.shown, tracks.size, &fonts);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_band_lies_on_the_bottom_edge_and_is_never_taller_than_configured() {
        for (screen, top, height) in [
            (Vec2::new(1280.0, 720.0), 633.6, 86.4),
            (Vec2::new(1920.0, 1080.0), 950.4, 129.6),
        ] {
            let band = caption_band(screen, 0.12, 0.0);
            assert_eq!(band.min.x, 0.0);
            assert_eq!(band.width(), screen.x);
            assert!((band.min.y - top).abs() < 1e-3, "{band:?}");
            assert!((band.height() - height).abs() < 1e-3, "{band:?}");
            assert_eq!(band.max.y, screen.y, "on the bottom edge");
            // Nothing above the lower 12 % of the screen.
            assert!(band.min.y >= screen.y * (1.0 - 0.12) - 1e-3);
        }
        // On top of a ticker 54 px high: as high, 54 px up.
        let lifted = caption_band(Vec2::new(1280.0, 720.0), 0.12, 54.0);
        assert_eq!(lifted.max.y, 666.0);
        assert!((lifted.height() - 86.4).abs() < 1e-3);
    }

    #[test]
    fn rows_start_at_the_largest_size_that_fits_on_one_line_each() {
        // One row in a 1080p band: the largest size, 1/24 of the screen.
        assert!((first_size(129.6, 1, 1080.0) - 45.0).abs() < 1e-4);
        // Two rows at 720p: 86.4 / (2 × 1.4) is above 1/24 of 720: 30.
        assert!((first_size(86.4, 2, 720.0) - 30.0).abs() < 1e-4);
        // Three: 86.4 / (3 × 1.4).
        let three = first_size(86.4, 3, 720.0);
        assert!((three - 86.4 / 4.2).abs() < 1e-4, "{three}");
        // Rows of that size, boxes and all, fill at most the band.
        for (band, rows, screen) in [(86.4, 2, 720.0), (129.6, 3, 1080.0), (36.0, 1, 720.0)] {
            let size = first_size(band, rows, screen);
            let height = rows as f32 * size * (LINE_HEIGHT + 2.0 * ROW_PADDING);
            assert!(height <= band + 1e-3, "{band} {rows}: {height}");
        }
    }

    #[test]
    fn rows_fit_when_inside_the_band_and_at_most_two_lines_each() {
        assert!(fits(80.0, 86.4, &[1, 2]));
        assert!(!fits(90.0, 86.4, &[1, 1]), "taller than the band");
        assert!(!fits(60.0, 86.4, &[3]), "three lines");
        // Each try shrinks by the estimate, at least a step, never below the floor.
        let next = next_size(30.0, 4.0 * 86.4, 86.4, 12.0);
        assert!((next - 30.0 * 0.5 * 0.98).abs() < 1e-4, "{next}");
        assert_eq!(next_size(30.0, 87.0, 86.4, 12.0), 30.0 * SHRINK_STEP);
        assert_eq!(next_size(13.0, 1000.0, 86.4, 12.0), 12.0);
    }
}
