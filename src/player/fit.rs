//! Fitting a picture to the screen: `contain` (black bars) or `cover` (crop).

use bevy::math::{Rect, Vec2};

use crate::config::Fit;

/// Where a picture of `content` pixels goes on a `screen`: the size drawn on
/// screen, and the part of the picture drawn (`None`: all of it).
pub fn fit_picture(content: Vec2, screen: Vec2, fit: Fit) -> (Vec2, Option<Rect>) {
    if content.x <= 0.0 || content.y <= 0.0 || screen.x <= 0.0 || screen.y <= 0.0 {
        return (Vec2::ZERO, None);
    }
    let scale_x = screen.x / content.x;
    let scale_y = screen.y / content.y;
    match fit {
        Fit::Contain => (content * scale_x.min(scale_y), None),
        Fit::Cover => {
            let scale = scale_x.max(scale_y);
            let visible = screen / scale;
            let min = (content - visible) / 2.0;
            (screen, Some(Rect::from_corners(min, min + visible)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCREEN: Vec2 = Vec2::new(1280.0, 720.0);

    #[test]
    fn contain_keeps_aspect_with_bars() {
        // A 4:3 picture on a 16:9 screen: full height, pillarboxed.
        let (size, rect) = fit_picture(Vec2::new(800.0, 600.0), SCREEN, Fit::Contain);
        assert!(size.abs_diff_eq(Vec2::new(960.0, 720.0), 0.01), "{size}");
        assert!(rect.is_none());
        // A portrait clip: full height, narrow.
        let (size, _) = fit_picture(Vec2::new(1080.0, 1920.0), SCREEN, Fit::Contain);
        assert!(size.abs_diff_eq(Vec2::new(405.0, 720.0), 0.01), "{size}");
    }

    #[test]
    fn cover_fills_and_crops_centred() {
        let (size, rect) = fit_picture(Vec2::new(800.0, 600.0), SCREEN, Fit::Cover);
        assert_eq!(size, SCREEN);
        let rect = rect.unwrap();
        assert_eq!(rect.width(), 800.0);
        assert!((rect.height() - 450.0).abs() < 0.01);
        assert!((rect.min.y - 75.0).abs() < 0.01);
    }

    #[test]
    fn degenerate_sizes_draw_nothing() {
        assert_eq!(fit_picture(Vec2::ZERO, SCREEN, Fit::Contain).0, Vec2::ZERO);
        assert_eq!(fit_picture(Vec2::ONE, Vec2::ZERO, Fit::Cover).0, Vec2::ZERO);
    }
}
