//! Test helpers: catalog items without files, local times, and what a run of the playlist showed.

use chrono::NaiveDateTime;

use crate::content::{Catalog, Item, Language};
use crate::playlist::{Entry, Playlist, Why};
pub(crate) use crate::test_support::item;

/// A local time written "YYYY-MM-DD HH:MM".
pub fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
}

/// Items from short names: "news.vi" is the vi variant of group "news", "logo" is neutral.
pub fn catalog(names: &[&str]) -> Catalog {
    Catalog {
        items: names.iter().map(|name| named(name)).collect(),
        ..Default::default()
    }
}

pub fn named(name: &str) -> Item {
    match name.rsplit_once('.') {
        Some((group, lang)) => item(name, group, lang.parse().unwrap()),
        None => item(name, name, Language::Neutral),
    }
}

pub fn urgent(name: &str) -> Item {
    let mut item = named(name);
    item.urgent = true;
    item
}

pub fn rels<'a>(items: impl IntoIterator<Item = &'a Item>) -> Vec<String> {
    items
        .into_iter()
        .map(|i| i.rel.to_string_lossy().into_owned())
        .collect()
}

/// `n` calls of `next` at `now`: short names, urgent ones marked "!name" (new) or "+name" (repeat).
pub fn play(playlist: &mut Playlist, n: usize, now: NaiveDateTime) -> Vec<String> {
    (0..n)
        .map_while(|_| playlist.next(now))
        .map(|Entry { item, reason }| {
            let rel = item.rel.to_string_lossy();
            match reason {
                Why::Regular => rel.into_owned(),
                Why::Urgent => format!("!{rel}"),
                Why::UrgentRepeat => format!("+{rel}"),
            }
        })
        .collect()
}
