//! Text slides: an article laid out full screen with Bevy UI, Khmer runs in
//! the Khmer font, fitted both ways: drawn at the largest size at which the
//! whole text fits inside the margins (up to `text.max_scale` times the base
//! size, so that a short news item is readable from the road), and when it
//! does not fit at the legible minimum (`text.min_height`), split over
//! pages, each shown for the slide duration. A slide with a background
//! picture (`NAME.LANG.bg.png`) is drawn over it, fitted to cover the
//! screen; one that cannot be decoded is journaled and the slide shows on
//! the theme's colour.

mod background;
mod fit;

use bevy::prelude::*;

use super::PlaybackSystems;
use super::spans::{line_spans, run_font};
use super::stage::ScreenCover;
use crate::config::{TextAlign, TextConfig, rgb};
use crate::content::Sidecar;
use crate::fonts::Fonts;
use crate::pacing::Pace;
use crate::text::Article;
use background::SlideBackground;

/// How text slides look, from `text:` in the config.
#[derive(Resource, Debug, Clone)]
pub struct SlideTheme {
    max_scale: f32,
    /// The scale at which body text is `text.min_height` of the screen.
    min_scale: f32,
    align: TextAlign,
    background: Color,
    title: Color,
    body: Color,
}

impl SlideTheme {
    pub fn new(text: &TextConfig) -> Self {
        // Validated with the config; a bad colour cannot get here.
        let colour = |hex: &str| {
            let [r, g, b] = rgb(hex).unwrap_or([255, 255, 255]);
            Color::srgb_u8(r, g, b)
        };
        let min_scale = (text.min_height / BODY_SIZE).min(text.max_scale);
        Self {
            max_scale: text.max_scale,
            min_scale,
            align: text.align,
            background: colour(&text.background),
            title: colour(&text.title_color),
            body: colour(&text.body_color),
        }
    }
}

impl Default for SlideTheme {
    fn default() -> Self {
        Self::new(&TextConfig::default())
    }
}

/// Title and body sizes as a fraction of the screen height.
const TITLE_SIZE: f32 = 1.0 / 16.0;
const BODY_SIZE: f32 = 1.0 / 26.0;
/// Padding around the slide, as fractions of the screen height: room at
/// the top for the status strip, at the bottom for the ticker.
const MARGIN_TOP: f32 = 0.09;
const MARGIN_BOTTOM: f32 = 0.11;
const MARGIN_SIDE: f32 = 0.09;
/// Frames to wait after a size change before measuring again (layout runs
/// after Update; a frame more is margin for the text pipeline).
const SETTLE_FRAMES: u32 = 2;
/// Space between lines, below the title, and above a paragraph, in percent
/// of the screen height (`Val::Vh`).
const LINE_GAP_VH: f32 = 1.2;
const TITLE_GAP_VH: f32 = 2.0;
const PARAGRAPH_GAP_VH: f32 = 1.5;
/// Lines longer than this are split at sentence ends, so that no single
/// line is taller than a page.
const LONG_LINE: usize = 280;

/// A text slide being fitted or shown.
#[derive(Component)]
pub struct TextSlide {
    /// The item's name (for the frame log).
    pub item: String,
    /// Line indices shown on each page; `None` until fitted.
    pub pages: Option<Vec<Vec<usize>>>,
    /// The window size the pages were made for.
    fitted_for: Vec2,
    scale: f32,
    wait: u32,
    /// The page shown; set by playback.
    pub page: usize,
}

#[derive(Component)]
struct SlideColumn;

#[derive(Component)]
struct SlideLine(usize);

#[derive(Component)]
struct PageLabel;

/// A text span's size at scale 1, as a fraction of the screen height.
#[derive(Component)]
struct BaseSize(f32);

/// The slide a text entity belongs to.
#[derive(Component)]
struct SlideOf(Entity);

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<SlideTheme>()
        .init_resource::<Pace>()
        .init_resource::<background::RefusedBackgrounds>()
        .add_systems(
            Update,
            (
                background::draw_slide_backgrounds,
                fit::fit_text_slides,
                fit::size_slide_text,
                fit::show_slide_page,
                background::cover_screen_with_backgrounds,
            )
                .chain(),
        )
        .add_systems(
            Update,
            cover_screen
                .after(PlaybackSystems::Advance)
                .before(PlaybackSystems::Present),
        );
}

/// A slide on screen covers the stage: the frame is cleared to its
/// background colour, and the stage under it is not drawn. A full-screen
/// background drawn by the UI cost llvmpipe about 20 ms a frame; the clear
/// is made anyway.
fn cover_screen(
    theme: Res<SlideTheme>,
    slides: Query<&Visibility, With<TextSlide>>,
    mut cover: ResMut<ScreenCover>,
) {
    let shown = slides.iter().any(|v| *v == Visibility::Visible);
    cover.set_if_neq(ScreenCover(shown.then_some(theme.background)));
}

/// Spawns a slide, hidden, for fitting; playback makes it visible.
pub fn spawn_text_slide(
    commands: &mut Commands,
    fonts: &Fonts,
    theme: &SlideTheme,
    article: &Article,
    item: &str,
    background: Option<Sidecar>,
) -> Entity {
    let root = commands
        .spawn((
            TextSlide {
                item: item.to_owned(),
                pages: None,
                fitted_for: Vec2::ZERO,
                scale: theme.max_scale,
                wait: SETTLE_FRAMES,
                page: 0,
            },
            Node {
                position_type: PositionType::Absolute,
                width: Val::Percent(100.0),
                height: Val::Percent(100.0),
                padding: UiRect {
                    left: Val::Vh(MARGIN_SIDE * 100.0),
                    right: Val::Vh(MARGIN_SIDE * 100.0),
                    top: Val::Vh(MARGIN_TOP * 100.0),
                    bottom: Val::Vh(MARGIN_BOTTOM * 100.0),
                },
                flex_direction: FlexDirection::Column,
                overflow: Overflow::clip(),
                ..default()
            },
            // No background of its own: the frame is cleared to the
            // theme's colour while a slide shows (`cover_screen`).
            GlobalZIndex(1),
            Visibility::Hidden,
        ))
        .id();
    let column = commands
        .spawn((
            SlideColumn,
            Node {
                flex_direction: FlexDirection::Column,
                row_gap: Val::Vh(LINE_GAP_VH),
                width: Val::Percent(100.0),
                ..default()
            },
        ))
        .id();
    commands.entity(root).add_child(column);
    let title = text_line(
        commands,
        fonts,
        root,
        &article.title,
        TITLE_SIZE,
        true,
        theme.title,
    );
    commands.entity(title).insert(Node {
        margin: UiRect::bottom(Val::Vh(TITLE_GAP_VH)),
        ..default()
    });
    commands.entity(column).add_child(title);
    let mut index = 0;
    for paragraph in &article.paragraphs {
        for (n, line) in paragraph.iter().flat_map(|l| split_long(l)).enumerate() {
            let entity = text_line(commands, fonts, root, &line, BODY_SIZE, false, theme.body);
            // The first line of a paragraph keeps a gap above it.
            let top = if n == 0 && index > 0 {
                Val::Vh(PARAGRAPH_GAP_VH)
            } else {
                Val::Px(0.0)
            };
            commands.entity(entity).insert((
                SlideLine(index),
                Node {
                    margin: UiRect::top(top),
                    ..default()
                },
            ));
            commands.entity(column).add_child(entity);
            index += 1;
        }
    }
    let label = commands
        .spawn((
            PageLabel,
            Text::new(""),
            run_font(fonts, false, false, 18.0),
            BaseSize(1.0 / 40.0),
            SlideOf(root),
            TextColor(Color::srgba(1.0, 1.0, 1.0, 0.6)),
            Node {
                position_type: PositionType::Absolute,
                right: Val::Vw(3.0),
                bottom: Val::Vh(2.0),
                ..default()
            },
        ))
        .id();
    commands.entity(root).add_child(label);
    if let Some(file) = background {
        commands
            .entity(root)
            .insert(SlideBackground::decoding(file));
    }
    root
}

/// One line of text: a `Text` whose spans switch font with the script.
fn text_line(
    commands: &mut Commands,
    fonts: &Fonts,
    slide: Entity,
    line: &str,
    size: f32,
    bold: bool,
    color: Color,
) -> Entity {
    let entity = commands
        .spawn((
            Text::new(""),
            run_font(fonts, false, bold, 24.0),
            BaseSize(size),
            SlideOf(slide),
            TextColor(color),
        ))
        .id();
    for (span, font) in line_spans(line, fonts, bold, 24.0) {
        let span = commands
            .spawn((span, font, BaseSize(size), SlideOf(slide), TextColor(color)))
            .id();
        commands.entity(entity).add_child(span);
    }
    entity
}

/// Splits a very long line at sentence ends (". ", "? ", "! ", "។").
fn split_long(line: &str) -> Vec<String> {
    if line.chars().count() <= LONG_LINE {
        return vec![line.to_owned()];
    }
    let mut out = vec![String::new()];
    for ch in line.chars() {
        let current = out.last_mut().expect("never empty");
        current.push(ch);
        let at_end = matches!(ch, '.' | '?' | '!' | '។' | '៕')
            || (ch == ' ' && current.chars().count() > LONG_LINE * 2);
        if at_end && current.chars().count() > LONG_LINE / 3 {
            out.push(String::new());
        }
    }
    out.retain(|l| !l.trim().is_empty());
    out.iter().map(|l| l.trim().to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_legible_minimum_is_body_text_at_min_height_of_the_screen() {
        let theme = SlideTheme::default();
        assert_eq!(theme.max_scale, 2.5);
        // 3 % of the screen height for body text of 1/26: 0.78.
        assert!((theme.min_scale - 0.78).abs() < 1e-6, "{}", theme.min_scale);
        let text = TextConfig {
            min_height: 0.2,
            max_scale: 2.0,
            ..TextConfig::default()
        };
        assert_eq!(
            SlideTheme::new(&text).min_scale,
            2.0,
            "never above the maximum"
        );
    }
}
