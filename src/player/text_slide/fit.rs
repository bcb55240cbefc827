//! Fitting a text slide to the screen: the largest scale at which the whole
//! text fits inside the margins, else pages at the legible minimum; font
//! sizes following the scale and the screen; the page shown.

use bevy::prelude::*;

use super::background::SlideBackground;
use super::{
    BaseSize, LINE_GAP_VH, MARGIN_BOTTOM, MARGIN_TOP, PageLabel, SETTLE_FRAMES, SlideColumn,
    SlideLine, SlideOf, SlideTheme, TITLE_GAP_VH, TextSlide,
};
use crate::config::TextAlign;
use crate::pacing::Pace;

/// Each new try is at least this much smaller than the one before.
const SHRINK_STEP: f32 = 0.95;

/// Fits each unfitted slide: it starts at the largest scale and shrinks
/// (by an estimate from the measured height: text height grows about with
/// the square of the scale, as lines get both taller and more) until the
/// whole text fits, or splits it into pages at the smallest legible scale.
/// A slide of one page is then placed as `text.align` says. Fitting takes
/// frames (layout runs after Update): they are asked for while it lasts, as
/// nothing else does for a slide on screen fitted again after a resize.
pub(super) fn fit_text_slides(
    window: Single<&Window>,
    theme: Res<SlideTheme>,
    mut pace: ResMut<Pace>,
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
                pace.keep_drawing();
            }
            continue;
        }
        pace.keep_drawing();
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
pub(super) fn size_slide_text(
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
pub(super) fn show_slide_page(
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
