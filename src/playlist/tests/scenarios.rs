//! What the screen shows, call after call: both language modes, date ranges, urgent items and catalog changes.

use super::fixtures::{at, catalog, item, play, urgent};
use crate::content::{Catalog, Language};
use crate::playlist::{LanguageMode, Playlist, PlaylistPolicy};

fn policy(mode: LanguageMode) -> PlaylistPolicy {
    PlaylistPolicy {
        mode,
        ..Default::default()
    }
}

fn nine() -> chrono::NaiveDateTime {
    at("2026-11-02 09:00")
}

/// Group a in km, vi, en (catalog order is not play order), b without km, a neutral logo, c only in English.
const MIXED: &[&str] = &["a.km", "a.vi", "a.en", "b.vi", "b.en", "logo", "c.en"];

#[test]
fn both_modes_over_groups_with_missing_variants() {
    use Language::{En, Km, Vi};
    use LanguageMode::{Rotate, Sequence};
    #[rustfmt::skip]
    let table: &[(LanguageMode, &[Language], &[&str])] = &[
        (Sequence, &[Vi, En, Km], &[
            "a.vi", "a.en", "a.km", "b.vi", "b.en", "logo", "c.en",
            "a.vi", "a.en", "a.km"]),
        (Sequence, &[Km, En], &[
            "a.km", "a.en", "b.en", "logo", "c.en",
            "a.km"]),
        (Rotate, &[Vi, En, Km], &[
            "a.vi", "b.vi", "logo", "c.en",   // pass 1: vi; c falls back to en
            "a.en", "b.en", "logo", "c.en",   // pass 2: en
            "a.km", "b.vi", "logo", "c.en",   // pass 3: km; b goes round to vi, c to en
            "a.vi"]),
        (Rotate, &[En, Vi], &[
            "a.en", "b.en", "logo", "c.en",
            "a.vi", "b.vi", "logo", "c.en",
            "a.en"]),
    ];
    for (row, (mode, languages, expected)) in table.iter().enumerate() {
        let policy = PlaylistPolicy {
            languages: languages.to_vec(),
            mode: *mode,
            urgent_every: 3,
        };
        let mut playlist = Playlist::new(&catalog(MIXED), policy);
        assert_eq!(
            play(&mut playlist, expected.len(), nine()),
            *expected,
            "row {row}"
        );
    }
}

#[test]
fn items_play_only_inside_their_date_range() {
    let mut cat = catalog(&["a", "promo", "b"]);
    cat.items[1].from = Some(at("2026-11-02 10:00"));
    cat.items[1].until = Some(at("2026-11-02 12:00"));
    let mut playlist = Playlist::new(&cat, PlaylistPolicy::default());
    let table = [
        ("2026-11-02 09:00", "a"),
        ("2026-11-02 09:59", "b"),
        ("2026-11-02 10:00", "a"),
        ("2026-11-02 10:00", "promo"),
        ("2026-11-02 11:59", "b"),
        ("2026-11-02 11:59", "a"),
        ("2026-11-02 12:00", "b"),
    ];
    for (row, (now, expected)) in table.into_iter().enumerate() {
        assert_eq!(
            play(&mut playlist, 1, at(now)),
            [expected],
            "row {row} at {now}"
        );
    }
    // Nothing in range: nothing to play (fallback slide), and the loop picks up once it is.
    let mut only = catalog(&["promo"]);
    only.items[0].from = Some(at("2026-11-02 10:00"));
    let mut playlist = Playlist::new(&only, PlaylistPolicy::default());
    assert!(playlist.next(nine()).is_none());
    assert_eq!(
        play(&mut playlist, 2, at("2026-11-02 10:00")),
        ["promo", "promo"]
    );
}

fn with(names: &[&str], urgents: &[crate::content::Item]) -> Catalog {
    let mut cat = catalog(names);
    cat.items.extend(urgents.iter().cloned());
    cat
}

#[test]
fn a_new_urgent_item_preempts_then_repeats_every_n_until_it_expires() {
    let regular = ["a", "b", "c", "d"];
    let mut playlist = Playlist::new(&catalog(&regular), PlaylistPolicy::default());
    assert_eq!(play(&mut playlist, 2, nine()), ["a", "b"]);
    assert!(!playlist.has_new_urgent(nine()));

    let mut flood = urgent("flood");
    flood.until = Some(at("2026-11-02 12:00"));
    playlist.update(&with(&regular, &[flood.clone()]));
    assert!(
        playlist.has_new_urgent(nine()),
        "the player cuts the current item"
    );
    assert_eq!(play(&mut playlist, 1, nine()), ["!flood"]);
    assert!(!playlist.has_new_urgent(nine()));
    #[rustfmt::skip]
    assert_eq!(play(&mut playlist, 12, nine()), [
        "c", "d", "a", "+flood", "b", "c", "d", "+flood", "a", "b", "c", "+flood"]);
    // A rescan that finds the same file changes nothing.
    playlist.update(&with(&regular, &[flood.clone()]));
    assert!(!playlist.has_new_urgent(nine()));
    assert_eq!(play(&mut playlist, 4, nine()), ["d", "a", "b", "+flood"]);
    // From its until time on, it is gone from the loop.
    let noon = at("2026-11-02 12:00");
    assert_eq!(
        play(&mut playlist, 8, noon),
        ["c", "d", "a", "b", "c", "d", "a", "b"]
    );
}

#[test]
fn a_removed_urgent_item_stops_repeating_and_is_new_if_it_comes_back() {
    let regular = ["a", "b"];
    let every_two = PlaylistPolicy {
        urgent_every: 2,
        ..Default::default()
    };
    let mut playlist = Playlist::new(&with(&regular, &[urgent("flood")]), every_two);
    assert_eq!(
        play(&mut playlist, 4, nine()),
        ["!flood", "a", "b", "+flood"]
    );
    playlist.update(&catalog(&regular));
    assert_eq!(play(&mut playlist, 5, nine()), ["a", "b", "a", "b", "a"]);
    playlist.update(&with(&regular, &[urgent("flood")]));
    assert!(playlist.has_new_urgent(nine()));
    assert_eq!(play(&mut playlist, 2, nine()), ["!flood", "b"]);
}

#[test]
fn urgent_items_wait_for_their_from_time_and_several_new_ones_play_back_to_back() {
    let mut later = urgent("curfew");
    later.from = Some(at("2026-11-02 10:00"));
    let cat = with(&["a", "b", "c"], &[urgent("flood"), urgent("road"), later]);
    let mut playlist = Playlist::new(&cat, PlaylistPolicy::default());
    #[rustfmt::skip]
    assert_eq!(play(&mut playlist, 7, nine()), ["!flood", "!road", "a", "b", "c", "+flood", "+road"]);
    assert!(!playlist.has_new_urgent(at("2026-11-02 09:59")));
    let ten = at("2026-11-02 10:00");
    assert!(playlist.has_new_urgent(ten));
    #[rustfmt::skip]
    assert_eq!(play(&mut playlist, 7, ten), ["!curfew", "a", "b", "c", "+flood", "+road", "+curfew"]);
}

#[test]
fn an_urgent_group_plays_all_its_policy_languages_even_in_rotate_mode() {
    let cat = with(
        &["a.vi", "a.en"],
        &[urgent("flood.en"), urgent("flood.km"), urgent("flood.vi")],
    );
    let mut playlist = Playlist::new(&cat, policy(LanguageMode::Rotate));
    #[rustfmt::skip]
    assert_eq!(play(&mut playlist, 8, nine()), [
        "!flood.vi", "!flood.en", "!flood.km", "a.vi", "a.en", "a.vi", "+flood.vi", "+flood.en"]);
    playlist.set_policy(PlaylistPolicy {
        languages: vec![Language::Vi, Language::En],
        mode: LanguageMode::Rotate,
        urgent_every: 1,
    });
    assert_eq!(
        play(&mut playlist, 4, nine()),
        ["a.en", "+flood.vi", "+flood.en", "a.vi"]
    );
}

#[test]
fn urgent_items_alone_play_in_turn_and_repeats_can_be_off() {
    let mut playlist = Playlist::new(
        &with(&[], &[urgent("u1"), urgent("u2")]),
        PlaylistPolicy::default(),
    );
    assert_eq!(
        play(&mut playlist, 5, nine()),
        ["!u1", "!u2", "+u1", "+u2", "+u1"]
    );
    let once = PlaylistPolicy {
        urgent_every: 0,
        ..Default::default()
    };
    let mut playlist = Playlist::new(&with(&["a", "b"], &[urgent("u1")]), once);
    assert_eq!(
        play(&mut playlist, 6, nine()),
        ["!u1", "a", "b", "a", "b", "a"]
    );
}

/// (policy, catalog, items played, catalog after the change, what plays after it)
type Change<'a> = (
    PlaylistPolicy,
    &'a [&'a str],
    usize,
    &'a [&'a str],
    &'a [&'a str],
);

#[test]
fn update_keeps_the_place_in_the_loop() {
    let sequence = PlaylistPolicy::default;
    #[rustfmt::skip]
    let table: &[Change] = &[
        // unchanged catalog: nothing moves
        (sequence(), &["a.vi", "a.en", "b"], 1, &["a.vi", "a.en", "b"], &["a.en", "b", "a.vi"]),
        // a variant added to the group being played plays in this visit; a removed one vanishes
        (sequence(), &["a.vi", "a.en", "b"], 1, &["a.vi", "a.en", "a.km", "b"], &["a.en", "a.km", "b"]),
        (sequence(), &["a.vi", "a.en", "a.km", "b"], 2, &["a.vi", "a.en", "b"], &["b", "a.vi"]),
        // the group being played replaced by another at its place: that one is next
        (sequence(), &["a", "b", "c"], 2, &["a", "b2", "c"], &["b2", "c", "a"]),
        // a new group after the current one plays next; one before it waits for its turn
        (sequence(), &["a", "b", "c"], 2, &["z", "a", "b", "new", "c"], &["new", "c", "z", "a"]),
        // the first group removed while it plays: the pass goes on from the start
        (sequence(), &["a", "b"], 1, &["b", "c"], &["b", "c", "b"]),
        // rotate: the pass, hence the language, is kept
        (policy(LanguageMode::Rotate), &["a.vi", "a.en", "b.vi", "b.en"], 3,
            &["a.vi", "a.en", "b.vi", "b.en", "c"], &["b.en", "c", "a.vi", "b.vi", "c"]),
    ];
    for (row, (policy, before, played, after, expected)) in table.iter().enumerate() {
        let mut playlist = Playlist::new(&catalog(before), policy.clone());
        play(&mut playlist, *played, nine());
        playlist.update(&catalog(after));
        assert_eq!(
            play(&mut playlist, expected.len(), nine()),
            *expected,
            "row {row}"
        );
    }
}

#[test]
fn upcoming_shows_what_next_will_do_without_moving() {
    let mut cat = catalog(MIXED);
    cat.items.push(urgent("flood"));
    let mut playlist = Playlist::new(&cat, policy(LanguageMode::Rotate));
    play(&mut playlist, 2, nine());
    let ahead = playlist.upcoming(6, nine());
    assert_eq!(
        playlist.upcoming(6, nine()),
        ahead,
        "looking ahead twice moves nothing"
    );
    let names: Vec<String> = ahead
        .iter()
        .map(|i| i.rel.to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["b.vi", "logo", "flood", "c.en", "a.en", "b.en"]);
    let played: Vec<String> = play(&mut playlist, 6, nine())
        .into_iter()
        .map(|n| n.trim_start_matches('+').into())
        .collect();
    assert_eq!(played, names);
    assert!(
        Playlist::new(&Catalog::default(), PlaylistPolicy::default())
            .upcoming(3, nine())
            .is_empty()
    );
}

#[test]
fn the_same_inputs_give_the_same_order() {
    let mut cat = catalog(MIXED);
    cat.items.push(urgent("flood"));
    cat.items.push(item("d.km", "d", Language::Km));
    let run = || {
        let mut playlist = Playlist::new(&cat, policy(LanguageMode::Rotate));
        let mut shown = play(&mut playlist, 10, nine());
        playlist.update(&catalog(&MIXED[2..]));
        shown.extend(play(&mut playlist, 10, nine()));
        shown
    };
    assert_eq!(run(), run());
    let mut empty = Playlist::new(&Catalog::default(), PlaylistPolicy::default());
    assert!(empty.next(nine()).is_none() && !empty.has_new_urgent(nine()));
}
