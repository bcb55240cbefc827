//! Text slides: an article laid out full screen with Bevy UI, Khmer runs in
//! the Khmer font, fitted both ways: drawn at the largest size at which the
//! whole text fits inside the margins (up to `text.max_scale` times the base
//! size, so that a short news item is readable from the road), and when it
//! does not fit at the legible minimum (`text.min_height`), split over
//! pages, each shown for the slide duration.

use bevy::prelude::*;

use super::spans::{line_spans, run_font};
use crate::config::{TextAlign, TextConfig, rgb};
use crate::fonts::Fonts;
use crate::text::Article;

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
/// Each new try is at least this much smaller than the one before.
const SHRINK_STEP: f32 = 0.95;
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
    app.init_resource::<SlideTheme>().add_systems(
        Update,
        (fit_text_slides, size_slide_text, show_slide_page).chain(),
    );
}

/// Spawns a slide, hidden, for fitting; playback makes it visible.
pub fn spawn_text_slide(
    commands: &mut Commands,
    fonts: &Fonts,
    theme: &SlideTheme,
    article: &Article,
    item: &str,
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
            BackgroundColor(theme.background),
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

/// Fits each unfitted slide: it starts at the largest scale and shrinks
/// (by an estimate from the measured height: text height grows about with
/// the square of the scale, as lines get both taller and more) until the
/// whole text fits, or splits it into pages at the smallest legible scale.
/// A slide of one page is then placed as `text.align` says.
fn fit_text_slides(
    window: Single<&Window>,
    theme: Res<SlideTheme>,
    mut slides: Query<(&mut TextSlide, &mut Node, &ComputedNode, &Children)>,
    columns: Query<(&ComputedNode, &Children), With<SlideColumn>>,
    lines: Query<(&ComputedNode, Option<&SlideLine>, &Node), Without<TextSlide>>,
) {
    let screen_height = window.resolution.height();
    let screen = Vec2::new(window.resolution.width(), screen_height);
    for (mut slide, mut node, root, children) in &mut slides {
        if slide.pages.is_some() {
            if slide.fitted_for != screen {
                // The window changed size since (at start-up it can reach
                // its final size a few frames late): fit again.
                slide.pages = None;
                slide.scale = theme.max_scale;
                slide.wait = SETTLE_FRAMES;
                node.justify_content = JustifyContent::FlexStart;
            }
            continue;
        }
        if slide.wait > 0 {
            slide.wait -= 1;
            continue;
        }
        let Some((column, column_children)) = children.iter().find_map(|c| columns.get(c).ok())
        else {
            continue;
        };
        let to_logical = root.inverse_scale_factor;
        let available = root.size.y * to_logical - screen_height * (MARGIN_TOP + MARGIN_BOTTOM);
        let measured = column.size.y * to_logical;
        if measured <= available {
            let all = column_children
                .iter()
                .filter_map(|c| lines.get(c).ok()?.1.map(|l| l.0))
                .collect();
            slide.pages = Some(vec![all]);
            slide.fitted_for = screen;
            if theme.align == TextAlign::Center {
                node.justify_content = JustifyContent::Center;
            }
        } else if slide.scale > theme.min_scale {
            slide.scale = next_scale(slide.scale, measured, available, theme.min_scale);
            slide.wait = SETTLE_FRAMES;
        } else {
            let vh = screen_height / 100.0;
            slide.pages = Some(paginate(column_children, &lines, available, to_logical, vh));
            slide.fitted_for = screen;
        }
    }
}

/// The next scale to try after text `measured` high at `scale` did not fit
/// in `available`: the estimate, at least a step smaller, never below `min`.
fn next_scale(scale: f32, measured: f32, available: f32, min: f32) -> f32 {
    let estimate = scale * (available / measured).sqrt() * 0.98;
    estimate.min(scale * SHRINK_STEP).max(min)
}

/// Font sizes follow the screen height and each slide's scale.
fn size_slide_text(
    window: Single<&Window>,
    slides: Query<&TextSlide>,
    mut fonts: Query<(&mut TextFont, &BaseSize, &SlideOf)>,
) {
    let screen_height = window.resolution.height();
    for (mut font, base, owner) in &mut fonts {
        let scale = slides.get(owner.0).map_or(1.0, |s| s.scale);
        let size = FontSize::Px((base.0 * screen_height * scale).round().max(8.0));
        if font.font_size != size {
            font.font_size = size;
        }
    }
}

/// Packs lines into pages: the title on every page, lines in order. A line
/// takes its measured height, the gap between lines, and the gap above it
/// if it starts a paragraph (`vh`: logical pixels per 1 % of the screen
/// height, the unit the gaps are in).
fn paginate(
    column_children: &Children,
    lines: &Query<(&ComputedNode, Option<&SlideLine>, &Node), Without<TextSlide>>,
    available: f32,
    scale: f32,
    vh: f32,
) -> Vec<Vec<usize>> {
    let mut title_height = 0.0;
    let mut heights = Vec::new();
    for child in column_children.iter() {
        let Ok((computed, line, node)) = lines.get(child) else {
            continue;
        };
        let height = computed.size.y * scale;
        let above = match node.margin.top {
            Val::Vh(gap) => gap * vh,
            _ => 0.0,
        };
        match line {
            None => title_height = height + (TITLE_GAP_VH + LINE_GAP_VH) * vh,
            Some(l) => heights.push((l.0, above + height + LINE_GAP_VH * vh)),
        }
    }
    let capacity = (available - title_height).max(1.0);
    let mut pages: Vec<Vec<usize>> = vec![Vec::new()];
    let mut used = 0.0;
    for (index, height) in heights {
        let page = pages.last_mut().expect("never empty");
        if !page.is_empty() && used + height > capacity {
            pages.push(vec![index]);
            used = height;
        } else {
            page.push(index);
            used += height;
        }
    }
    pages
}

/// Shows the slide's current page: the other lines leave the layout.
fn show_slide_page(
    slides: Query<(&TextSlide, &Children), Changed<TextSlide>>,
    columns: Query<&Children, With<SlideColumn>>,
    mut lines: Query<(&SlideLine, &mut Node)>,
    mut labels: Query<&mut Text, With<PageLabel>>,
) {
    for (slide, children) in &slides {
        // Being fitted (again): every line in, to be measured. A slide
        // fitted again may have fewer pages than the one shown.
        let (page, label_text) = match &slide.pages {
            None => (None, String::new()),
            Some(pages) => {
                let shown = slide.page.min(pages.len().saturating_sub(1));
                let label = if pages.len() > 1 {
                    format!("{}/{}", shown + 1, pages.len())
                } else {
                    String::new()
                };
                (Some(pages.get(shown).cloned().unwrap_or_default()), label)
            }
        };
        for child in children.iter() {
            if let Ok(mut label) = labels.get_mut(child)
                && label.0 != label_text
            {
                label.0.clone_from(&label_text);
            }
            let Ok(column) = columns.get(child) else {
                continue;
            };
            for line in column.iter() {
                if let Ok((SlideLine(index), mut node)) = lines.get_mut(line) {
                    let display = if page.as_ref().is_none_or(|p| p.contains(index)) {
                        Display::Flex
                    } else {
                        Display::None
                    };
                    if node.display != display {
                        node.display = display;
                    }
                }
            }
        }
    }
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

    #[test]
    fn each_try_shrinks_by_the_estimate_at_least_a_step_never_below_the_minimum() {
        // Four times too tall: about half the scale.
        let next = next_scale(2.5, 400.0, 100.0, 0.78);
        assert!((next - 2.5 * 0.5 * 0.98).abs() < 1e-5, "{next}");
        // Just too tall: a step smaller all the same.
        assert_eq!(next_scale(2.0, 101.0, 100.0, 0.78), 2.0 * SHRINK_STEP);
        // Far too tall: the minimum, then pages.
        assert_eq!(next_scale(1.0, 10_000.0, 100.0, 0.78), 0.78);
    }
}
