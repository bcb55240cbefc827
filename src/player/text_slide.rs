//! Text slides: an article laid out full screen with Bevy UI, Khmer runs in
//! the Khmer font, fitted both ways: drawn at the largest size at which the
//! whole text fits inside the margins (up to `text.max_scale` times the base
//! size, so that a short news item is readable from the road), and when it
//! does not fit at the legible minimum (`text.min_height`), split over
//! pages, each shown for the slide duration. A slide with a background
//! picture (`NAME.LANG.bg.png`) is drawn over it, fitted to cover the
//! screen; one that cannot be decoded is journaled and the slide shows on
//! the theme's colour.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::SystemTime;

use bevy::prelude::*;

use super::fit::fit_picture;
use super::in_force::{InForceKind, PutInForce};
use super::picture::decode_background;
use super::spans::{line_spans, run_font};
use crate::config::{Fit, TextAlign, TextConfig, rgb};
use crate::content::{MAX_BACKGROUND_BYTES, Sidecar};
use crate::fonts::Fonts;
use crate::job::Job;
use crate::journal::Event;
use crate::journal::plugin::Record;
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

/// A slide's background picture: decoded on its own thread while the slide
/// is spawned hidden; the slide is fitted (and so shown) once it is drawn or
/// refused.
#[derive(Component)]
enum SlideBackground {
    Decoding {
        job: Job<Result<(Image, Vec<u8>), String>>,
        file: Sidecar,
    },
    Done,
}

/// The picture behind a slide's text, with its size in pixels (to cover the
/// screen whatever its aspect).
#[derive(Component)]
struct BackgroundPicture(Vec2);

/// Background files that could not be decoded, by path, size and
/// modification time: journaled once, not at every showing.
#[derive(Resource, Default)]
struct RefusedBackgrounds(HashSet<(PathBuf, u64, SystemTime)>);

/// The picture is darkened this much so that the text stays readable.
const BACKGROUND_TINT: f32 = 0.6;

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
        .init_resource::<RefusedBackgrounds>()
        .add_systems(
            Update,
            (
                draw_slide_backgrounds,
                fit_text_slides,
                size_slide_text,
                show_slide_page,
                cover_screen_with_backgrounds,
            )
                .chain(),
        );
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
    if let Some(file) = background {
        let path = file.path.clone();
        let job = Job::start("background", move || {
            decode_background(&path, MAX_BACKGROUND_BYTES)
        });
        commands
            .entity(root)
            .insert(SlideBackground::Decoding { job, file });
    }
    root
}

/// Puts each decoded background behind its slide's text, its bytes in force
/// (archived, named in the journal); one that cannot be decoded is journaled
/// (once per version of the file) as refused, and the slide keeps the
/// theme's colour.
fn draw_slide_backgrounds(
    mut commands: Commands,
    mut images: ResMut<Assets<Image>>,
    mut refused: ResMut<RefusedBackgrounds>,
    mut record: Record,
    mut in_force: MessageWriter<PutInForce>,
    mut slides: Query<(Entity, &mut SlideBackground)>,
) {
    for (slide, mut background) in &mut slides {
        let SlideBackground::Decoding { job, file } = &mut *background else {
            continue;
        };
        let Some(decoded) = job.try_finish() else {
            continue;
        };
        match decoded.unwrap_or_else(|e| Err(e.to_string())) {
            Ok((image, bytes)) => {
                in_force.write(PutInForce::new(InForceKind::Background, &file.rel, bytes));
                let size = image.size_f32();
                let picture = commands
                    .spawn((
                        BackgroundPicture(size),
                        ImageNode {
                            image: images.add(image),
                            color: Color::srgb(BACKGROUND_TINT, BACKGROUND_TINT, BACKGROUND_TINT),
                            image_mode: NodeImageMode::Stretch,
                            ..default()
                        },
                        Node {
                            position_type: PositionType::Absolute,
                            left: Val::Px(0.0),
                            top: Val::Px(0.0),
                            width: Val::Percent(100.0),
                            height: Val::Percent(100.0),
                            ..default()
                        },
                    ))
                    .id();
                // First among the slide's children: drawn behind the text.
                commands.entity(slide).insert_children(0, &[picture]);
            }
            Err(reason) => {
                warn!("background {} not shown: {reason}", file.rel.display());
                let key = (file.path.clone(), file.size, file.modified);
                if refused.0.insert(key) {
                    record.event(Event::ItemFailed {
                        item: file.rel.display().to_string(),
                        kind: "background".into(),
                        reason: format!("background picture not usable: {reason}"),
                        stage: "play".into(),
                    });
                }
            }
        }
        *background = SlideBackground::Done;
    }
}

/// Each background covers the screen, cropped where the aspects differ.
fn cover_screen_with_backgrounds(
    window: Single<&Window>,
    mut pictures: Query<(&mut ImageNode, &BackgroundPicture)>,
) {
    let screen = Vec2::new(window.resolution.width(), window.resolution.height());
    for (mut node, picture) in &mut pictures {
        let (_, rect) = fit_picture(picture.0, screen, Fit::Cover);
        if node.rect != rect {
            node.rect = rect;
        }
    }
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
    mut slides: Query<(
        &mut TextSlide,
        &mut Node,
        &ComputedNode,
        &Children,
        Option<&SlideBackground>,
    )>,
    columns: Query<(&ComputedNode, &Children), With<SlideColumn>>,
    lines: Query<(&ComputedNode, Option<&SlideLine>, &Node), Without<TextSlide>>,
) {
    let screen_height = window.resolution.height();
    let screen = Vec2::new(window.resolution.width(), screen_height);
    for (mut slide, mut node, root, children, background) in &mut slides {
        if let Some(SlideBackground::Decoding { .. }) = background {
            // Shown with its picture or not at all: wait for the decoder.
            continue;
        }
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
    use std::path::Path;
    use std::time::Duration;

    use super::*;
    use crate::clock::Clock;
    use crate::content::{Language, SidecarKind};
    use crate::journal::plugin::Recorder;
    use crate::journal::{Journal, month_files, read_file};
    use crate::test_support::{HCM, hcm};

    fn background_app(dir: &Path) -> App {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins)
            .init_resource::<Assets<Image>>()
            .init_resource::<RefusedBackgrounds>()
            .add_message::<PutInForce>()
            .insert_resource(Clock::starting_at(hcm("2026-11-30 08:00"), 0.0))
            .insert_resource(Recorder::synchronous(
                Journal::open(&dir.join("journal"), "test", HCM).unwrap(),
            ))
            .add_systems(Update, draw_slide_backgrounds);
        app
    }

    /// A slide whose background `file` (in `dir`) is being decoded; frames
    /// until it is done.
    fn slide_with_background(app: &mut App, dir: &Path, file: &str) -> Entity {
        let path = dir.join(file);
        let job = Job::start("background", {
            let path = path.clone();
            move || decode_background(&path, MAX_BACKGROUND_BYTES)
        });
        let file = Sidecar {
            rel: file.into(),
            path,
            kind: SidecarKind::Background,
            language: Language::Km,
            group: "notice".into(),
            size: 1,
            modified: SystemTime::UNIX_EPOCH,
        };
        let slide = app
            .world_mut()
            .spawn(SlideBackground::Decoding { job, file })
            .id();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while matches!(
            app.world().get::<SlideBackground>(slide),
            Some(SlideBackground::Decoding { .. })
        ) {
            assert!(std::time::Instant::now() < deadline, "never decoded");
            std::thread::sleep(Duration::from_millis(5));
            app.update();
        }
        app.update();
        slide
    }

    #[test]
    fn a_background_is_drawn_behind_the_slide_and_a_corrupt_one_journaled_once() {
        let dir = tempfile::tempdir().unwrap();
        let picture = image::RgbaImage::from_pixel(4, 2, image::Rgba([10, 80, 120, 255]));
        picture.save(dir.path().join("notice.km.bg.png")).unwrap();
        // A real PNG header over bytes that are not its pixels.
        let mut corrupt = std::fs::read(dir.path().join("notice.km.bg.png")).unwrap();
        corrupt.truncate(40);
        corrupt.extend([0x55; 64]);
        std::fs::write(dir.path().join("broken.km.bg.png"), corrupt).unwrap();
        let mut app = background_app(dir.path());

        let slide = slide_with_background(&mut app, dir.path(), "notice.km.bg.png");
        let children = app.world().get::<Children>(slide).expect("a picture child");
        let picture = app.world().get::<BackgroundPicture>(children[0]).unwrap();
        assert_eq!(
            picture.0,
            Vec2::new(4.0, 2.0),
            "first child: behind the text"
        );
        let in_force = app.world().resource::<Messages<PutInForce>>();
        assert_eq!(in_force.len(), 1, "its bytes are put in force");

        for _ in 0..2 {
            let slide = slide_with_background(&mut app, dir.path(), "broken.km.bg.png");
            assert!(app.world().get::<Children>(slide).is_none(), "no picture");
        }
        let failed: Vec<_> = month_files(&dir.path().join("journal"))
            .iter()
            .flat_map(|f| read_file(f).records)
            .filter(|l| l["event"] == "item_failed")
            .collect();
        assert_eq!(failed.len(), 1, "journaled once: {failed:?}");
        assert_eq!(failed[0]["item"], "broken.km.bg.png");
        let reason = failed[0]["reason"].as_str().unwrap();
        assert!(
            reason.starts_with("background picture not usable: cannot decode picture"),
            "{reason}"
        );
    }

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
