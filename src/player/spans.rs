//! A line of text as Bevy text spans, one per script run: Khmer in Noto
//! Sans Khmer, everything else in Noto Sans.

use bevy::prelude::*;

use crate::fonts::Fonts;
use crate::text::runs;

/// The font for a run.
pub fn run_font(fonts: &Fonts, khmer: bool, bold: bool, size: f32) -> TextFont {
    let font = match (khmer, bold) {
        (false, false) => &fonts.sans,
        (false, true) => &fonts.sans_bold,
        (true, false) => &fonts.khmer,
        (true, true) => &fonts.khmer_bold,
    };
    TextFont {
        font: font.clone().into(),
        font_size: FontSize::Px(size),
        ..default()
    }
}

/// The spans that draw `line`.
pub fn line_spans(line: &str, fonts: &Fonts, bold: bool, size: f32) -> Vec<(TextSpan, TextFont)> {
    runs(line)
        .into_iter()
        .map(|run| {
            (
                TextSpan::new(run.text),
                run_font(fonts, run.khmer, bold, size),
            )
        })
        .collect()
}

/// Replaces the spans of a `Text` entity with those of `line`.
pub fn set_line(
    commands: &mut Commands,
    text: Entity,
    line: &str,
    fonts: &Fonts,
    size: f32,
    color: Color,
) {
    commands.entity(text).despawn_related::<Children>();
    for (span, font) in line_spans(line, fonts, false, size) {
        let child = commands.spawn((span, font, TextColor(color))).id();
        commands.entity(text).add_child(child);
    }
}
