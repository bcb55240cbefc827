//! The "no content" slide, shown instead of black when nothing can play.

use bevy::prelude::*;

use super::Playback;
use crate::fonts::Fonts;

#[derive(Component)]
struct FallbackSlide;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Startup, spawn_fallback_slide).add_systems(
        Update,
        show_fallback_slide.after(super::PlaybackSystems::Advance),
    );
}

fn spawn_fallback_slide(mut commands: Commands, fonts: Res<Fonts>) {
    let line = |text: &str, font: &Handle<Font>, size: f32, y: f32| {
        (
            FallbackSlide,
            Text2d::new(text),
            TextFont {
                font: font.into(),
                font_size: FontSize::Px(size),
                ..default()
            },
            TextColor(Color::srgb(0.85, 0.88, 0.95)),
            Transform::from_xyz(0.0, y, 1.0),
            Visibility::Hidden,
        )
    };
    commands.spawn(line("infokiosk", &fonts.sans_bold, 72.0, 60.0));
    commands.spawn(line(
        "Chưa có nội dung · No content",
        &fonts.sans,
        36.0,
        -30.0,
    ));
}

fn show_fallback_slide(
    playback: Res<Playback>,
    mut slide: Query<&mut Visibility, With<FallbackSlide>>,
) {
    let wanted = if playback.is_fallback() {
        Visibility::Visible
    } else {
        Visibility::Hidden
    };
    for mut visibility in &mut slide {
        visibility.set_if_neq(wanted);
    }
}
