//! A text slide's background picture (`NAME.LANG.bg.png`): decoded off the
//! render loop, drawn behind the text, darkened and cropped to cover the
//! screen; one that cannot be decoded is journaled once and the slide keeps
//! the theme's colour.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::SystemTime;

use bevy::prelude::*;

use crate::config::Fit;
use crate::content::{MAX_BACKGROUND_BYTES, Sidecar};
use crate::job::Job;
use crate::journal::Event;
use crate::journal::plugin::Record;
use crate::player::fit::fit_picture;
use crate::player::in_force::{InForceKind, PutInForce};
use crate::player::picture::decode_background;

/// A slide's background picture: decoded on its own thread while the slide
/// is spawned hidden; the slide is fitted (and so shown) once it is drawn or
/// refused.
#[derive(Component)]
pub(super) enum SlideBackground {
    Decoding {
        job: Job<Result<(Image, Vec<u8>), String>>,
        file: Sidecar,
    },
    Done,
}

/// The picture behind a slide's text, with its size in pixels (to cover the
/// screen whatever its aspect).
#[derive(Component)]
pub(super) struct BackgroundPicture(Vec2);

/// Background files that could not be decoded, by path, size and
/// modification time: journaled once, not at every showing.
#[derive(Resource, Default)]
pub(super) struct RefusedBackgrounds(HashSet<(PathBuf, u64, SystemTime)>);

/// The picture is darkened this much so that the text stays readable.
const BACKGROUND_TINT: f32 = 0.6;

impl SlideBackground {
    /// `file` starts decoding on its own thread.
    pub(super) fn decoding(file: Sidecar) -> Self {
        let path = file.path.clone();
        let job = Job::start("background", move || {
            decode_background(&path, MAX_BACKGROUND_BYTES)
        });
        Self::Decoding { job, file }
    }
}

/// Puts each decoded background behind its slide's text, its bytes in force
/// (archived, named in the journal); one that cannot be decoded is journaled
/// (once per version of the file) as refused, and the slide keeps the
/// theme's colour.
pub(super) fn draw_slide_backgrounds(
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
pub(super) fn cover_screen_with_backgrounds(
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
        let file = Sidecar {
            rel: file.into(),
            path: dir.join(file),
            kind: SidecarKind::Background,
            language: Language::Km,
            group: "notice".into(),
            size: 1,
            modified: SystemTime::UNIX_EPOCH,
        };
        let slide = app.world_mut().spawn(SlideBackground::decoding(file)).id();
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
}
