//! Trilingual presentation: Khmer and Vietnamese text slides, long articles
//! split into pages, captions under a clip and the ticker over it.

use crate::support::*;

/// Pixels brighter than `level` in a rectangle.
fn lit(shot: &Shot, x: std::ops::Range<u32>, y: std::ops::Range<u32>, level: u8) -> usize {
    x.flat_map(|px| y.clone().map(move |py| (px, py)))
        .filter(|&(px, py)| shot.0.get_pixel(px, py).0.iter().all(|c| *c > level))
        .count()
}

fn demo(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/demo")
        .join(name)
}

#[test]
fn khmer_text_slide_is_drawn_with_title_and_body_filling_the_screen() {
    let kiosk = Kiosk::new("image_seconds: 30\n");
    std::fs::copy(demo("tin-tuc.km.md"), kiosk.content().join("tin-tuc.km.md")).unwrap();
    age_folder(&kiosk.content());
    let path = artifact("text-km.png");
    kiosk.play(5.0, &path, OPEN);
    let journal = kiosk.journal();
    let started = events(&journal, "play_started");
    assert_eq!(started[0]["item"], "tin-tuc.km.md");
    assert_eq!(started[0]["kind"], "text");
    assert_eq!(started[0]["language"], "km");
    let shot = Shot::open(&path);
    // The title (yellow) in the top band, body text (white) below it.
    let title = (60..1200)
        .flat_map(|x| (60..110).map(move |y| (x, y)))
        .filter(|&(x, y)| {
            let p = shot.0.get_pixel(x, y).0;
            p[0] > 200 && p[1] > 150 && p[2] < 140
        })
        .count();
    assert!(title > 1500, "title drawn: {title} yellow pixels");
    assert!(lit(&shot, 60..1200, 120..340, 200) > 3000, "body drawn");
    // A short notice grows to fill the screen (it was drawn at the base size
    // in the top half, the bottom third empty)...
    assert!(
        lit(&shot, 60..1200, 520..640, 200) > 3000,
        "the text reaches the lower third: {} lit pixels",
        lit(&shot, 60..1200, 520..640, 200)
    );
    // ... and nothing is in the bottom margin: the text fits the slide.
    assert_eq!(lit(&shot, 60..1200, 660..700, 200), 0);
}

#[test]
fn long_article_is_split_into_pages_that_fit() {
    let at_720p = article_pages(&[]);
    let at_1080p = article_pages(&["--window-size", "1920x1080"]);
    assert!(
        at_720p >= 2,
        "a long article takes several pages at 720p: {at_720p}"
    );
    assert!(
        at_1080p <= at_720p,
        "no more pages on a larger screen: {at_1080p} vs {at_720p}"
    );
}

/// Shows a long Vietnamese article; returns how many pages it took, after
/// checking that the last page stays out of the bottom margin.
fn article_pages(window: &[&str]) -> u64 {
    let kiosk = Kiosk::new("image_seconds: 1.5\n");
    let sentence = "Cửa khẩu Quốc tế Tịnh Biên là cửa ngõ giao thương quan trọng giữa tỉnh An Giang và Vương quốc Campuchia, mỗi ngày đón hàng nghìn lượt hành khách và phương tiện qua lại. ";
    let body: Vec<String> = (1..=14)
        .map(|i| format!("Đoạn {i}. {}", sentence.repeat(2)))
        .collect();
    std::fs::write(
        kiosk.content().join("dai.vi.md"),
        format!("# Bản tin dài\n\n{}", body.join("\n\n")),
    )
    .unwrap();
    age_folder(&kiosk.content());
    let path = artifact(&format!("text-vi-pages{}.png", window.len()));
    let args: Vec<&str> = OPEN.iter().chain(window).copied().collect();
    kiosk.play(9.0, &path, &args);
    let journal = kiosk.journal();
    let ended: Vec<_> = events(&journal, "play_ended")
        .into_iter()
        .filter(|r| r["ended"] == "completed")
        .collect();
    assert!(
        !ended.is_empty(),
        "the article was shown to its end: {journal:#?}"
    );
    let pages = ended[0]["pages"].as_u64().unwrap();
    let shot = Shot::open(&path);
    let (width, height) = shot.0.dimensions();
    let margin = (height as f64 * 0.915) as u32..(height as f64 * 0.97) as u32;
    assert_eq!(
        // Left of the page number ("2/3") in the corner.
        lit(&shot, 60..width * 85 / 100, margin, 200),
        0,
        "no page runs into the bottom margin ({width}x{height})"
    );
    pages
}

#[test]
fn clip_shows_khmer_and_english_captions_and_the_ticker() {
    let kiosk = Kiosk::new("captions: [km, en]\n");
    let c = kiosk.content();
    // A black clip so that the captions and the ticker are all that is light.
    make_mp4(&c.join("clip.vi.mp4"), "black", 640, 360, 8);
    std::fs::write(
        c.join("clip.km.srt"),
        "1\n00:00:00,000 --> 00:00:08,000\nសូមស្វាគមន៍មកកាន់ទិញបៀន\n",
    )
    .unwrap();
    std::fs::write(
        c.join("clip.en.vtt"),
        "WEBVTT\n\n00:00.000 --> 00:08.000\nWelcome to Tinh Bien\n",
    )
    .unwrap();
    std::fs::write(c.join("clip.vi.srt"), "this is not a subtitle file").unwrap();
    std::fs::write(c.join("ticker.vi.txt"), "Tin thứ nhất\nTin thứ hai\n").unwrap();
    age_folder(&c);
    let path = artifact("captions-ticker.png");
    kiosk.play(5.0, &path, OPEN);
    let shot = Shot::open(&path);
    // Captions: two rows in the band (12 % of 720 px) sitting on the ticker
    // (7.5 %): y 580 to 666; nothing of them above it.
    let upper = lit(&shot, 300..980, 580..624, 200);
    let lower = lit(&shot, 300..980, 624..666, 200);
    assert!(
        upper > 300 && lower > 300,
        "two caption lines: {upper} and {lower} light pixels"
    );
    assert_eq!(
        lit(&shot, 0..1280, 0..578, 200),
        0,
        "nothing drawn above the captions band"
    );
    // The ticker band: dark blue, with light text scrolling in it.
    let band = shot.mean(20, 700, 8);
    assert!(band[2] > band[0] + 10.0, "ticker band colour: {band:?}");
    assert!(
        lit(&shot, 0..1280, 670..715, 200) > 200,
        "ticker text drawn"
    );
    let journal = kiosk.journal();
    assert_eq!(events(&journal, "play_started")[0]["item"], "clip.vi.mp4");
    // The ticker and the captions shown are in force: archived, journaled.
    let in_force: Vec<(&str, &str)> = events(&journal, "content_in_force")
        .iter()
        .map(|l| (l["kind"].as_str().unwrap(), l["file"].as_str().unwrap()))
        .collect();
    for shown in [
        ("ticker", "ticker.vi.txt"),
        ("captions", "clip.km.srt"),
        ("captions", "clip.en.vtt"),
    ] {
        assert!(in_force.contains(&shown), "{shown:?} in {in_force:?}");
    }
    assert_eq!(
        in_force.len(),
        3,
        "the broken clip.vi.srt is not: {in_force:?}"
    );
}
