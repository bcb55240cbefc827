//! What plays next: the catalog's groups in order, in the languages the policy asks for, with urgent items cutting in.
//!
//! PURE: no Bevy, no GStreamer, no clock. The local time (Asia/Ho_Chi_Minh) is a parameter of
//! every question, so the same catalog, policy and times always give the same order.
//!
//! - The regular loop plays the groups (`Item::group`) in catalog order. `sequence` plays every
//!   variant of a group back to back in the policy's language order, then its neutral items;
//!   `rotate` plays one language per pass of the loop: a group without that variant plays the next
//!   language it has (going on round the policy's order), and its neutral items. Languages not in
//!   the policy are not shown.
//! - An item with `from`/`until` plays only while `from <= now < until`.
//! - Urgent items never play in the regular loop. One not shown before (a new file, or a new
//!   version of it) is the next item as soon as it is in its time range; the player asks
//!   [`Playlist::has_new_urgent`] every frame to know when to cut the current item short. Shown
//!   urgent items repeat, all of them, after every `urgent_every` regular items until their
//!   `until` time or their removal; when nothing regular can play they play in turn. Several
//!   play by group, each group's variants in the policy's languages and order (in both modes:
//!   an urgent notice is for every traveller), then its neutral items.
//! - [`Playlist::update`] swaps in a new catalog without losing the place in the loop.
//!
//! ```text
//! let mut playlist = Playlist::new(&catalog, config.playlist.clone());
//! // on every catalog change:
//! playlist.update(&catalog);
//! // every frame:
//! if playlist.has_new_urgent(now_local) { /* end the current item now */ }
//! // when the current item ends:
//! let entry = playlist.next(now_local); // None: show the fallback slide
//! ```

mod place;
mod plan;
mod urgent;

#[cfg(test)]
mod tests;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::content::{Catalog, Item, Language};

use place::Cursor;
use plan::Group;
use urgent::{Due, Urgent};

/// How the loop treats the language variants of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LanguageMode {
    /// Every variant of a group back to back (vi, en, km), then the next group.
    #[default]
    Sequence,
    /// One language per pass of the loop.
    Rotate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlaylistPolicy {
    /// The languages shown, in order. `neutral` and repeats are ignored; an empty list means
    /// vi, en, km (a kiosk that shows nothing is never what was meant).
    pub languages: Vec<Language>,
    #[serde(rename = "language_mode", alias = "mode")]
    pub mode: LanguageMode,
    /// Urgent items repeat after this many regular items; 0: they play once, when new.
    pub urgent_every: usize,
}

impl Default for PlaylistPolicy {
    fn default() -> Self {
        PlaylistPolicy {
            languages: Language::SPOKEN.to_vec(),
            mode: LanguageMode::Sequence,
            urgent_every: 3,
        }
    }
}

impl PlaylistPolicy {
    /// The policy as the loop applies it: spoken languages only, each once, never none.
    fn effective(mut self) -> Self {
        let mut languages = Vec::new();
        for language in self.languages {
            if language != Language::Neutral && !languages.contains(&language) {
                languages.push(language);
            }
        }
        self.languages = languages;
        if self.languages.is_empty() {
            self.languages = Language::SPOKEN.to_vec();
        }
        self
    }
}

/// Why an item was chosen: the journal records preemptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    Regular,
    /// An urgent item shown for the first time: it preempts whatever was playing.
    Urgent,
    /// An urgent item shown again after `urgent_every` regular items.
    UrgentRepeat,
}

/// One thing to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub item: Item,
    pub reason: Why,
}

/// The catalog as the loop sees it.
#[derive(Debug, Clone)]
struct Lineup {
    items: Vec<Item>,
    /// Groups of the regular (not urgent) items, in catalog order.
    groups: Vec<Group>,
    /// The urgent items, in the order they play when several are due.
    urgent: Vec<usize>,
    policy: PlaylistPolicy,
}

/// Where the playlist stands; cloned to look ahead without moving.
#[derive(Debug, Clone, Default)]
struct State {
    cursor: Cursor,
    urgent: Urgent,
}

/// The order of play, from a catalog, a language policy and the time.
#[derive(Debug, Clone)]
pub struct Playlist {
    lineup: Lineup,
    state: State,
}

impl Lineup {
    fn new(catalog: &Catalog, policy: PlaylistPolicy) -> Self {
        Lineup {
            groups: plan::regular_groups(&catalog.items),
            urgent: plan::urgent_order(&catalog.items, &policy),
            items: catalog.items.clone(),
            policy,
        }
    }

    fn due(&self) -> Due<'_> {
        Due {
            items: &self.items,
            order: &self.urgent,
        }
    }

    /// Index and reason of the next item, moving `state`.
    fn step(&self, state: &mut State, now: NaiveDateTime) -> Option<(usize, Why)> {
        if let Some(i) = state.urgent.take_new(self.due(), now) {
            return Some((i, Why::Urgent));
        }
        if let Some(i) = state
            .urgent
            .take_repeat(self.due(), now, self.policy.urgent_every)
        {
            return Some((i, Why::UrgentRepeat));
        }
        if let Some(i) = state
            .cursor
            .advance(&self.items, &self.groups, &self.policy, now)
        {
            state.urgent.count_regular();
            return Some((i, Why::Regular));
        }
        // Nothing regular can play: urgent items are better than the fallback slide.
        let i = state.urgent.take_in_turn(self.due(), now)?;
        Some((i, Why::UrgentRepeat))
    }
}

impl Playlist {
    pub fn new(catalog: &Catalog, policy: PlaylistPolicy) -> Self {
        Playlist {
            lineup: Lineup::new(catalog, policy.effective()),
            state: State::default(),
        }
    }

    /// The policy in force, as applied (see [`PlaylistPolicy::languages`]).
    pub fn policy(&self) -> &PlaylistPolicy {
        &self.lineup.policy
    }

    /// A new policy (config reload); the place in the loop is kept.
    pub fn set_policy(&mut self, policy: PlaylistPolicy) {
        let policy = policy.effective();
        self.lineup.urgent = plan::urgent_order(&self.lineup.items, &policy);
        self.lineup.policy = policy;
    }

    /// Replaces the catalog, keeping the place in the loop: the group being played carries on
    /// (with its new or removed variants); if it is gone, the loop goes on with whatever now
    /// follows the nearest group before it. Removed items never play again; new ones play at
    /// their catalog position, new urgent items at once.
    pub fn update(&mut self, catalog: &Catalog) {
        let old_groups = std::mem::take(&mut self.lineup.groups);
        let policy = self.lineup.policy.clone();
        self.lineup = Lineup::new(catalog, policy);
        self.state.cursor.remap(&old_groups, &self.lineup.groups);
        self.state.urgent.forget_missing(&self.lineup.items);
    }

    /// True when an urgent item not shown before is in its time range: the player should end
    /// the current item now; [`Playlist::next`] will return it.
    pub fn has_new_urgent(&self, now_local: NaiveDateTime) -> bool {
        self.state
            .urgent
            .first_new(self.lineup.due(), now_local)
            .is_some()
    }

    /// The item to show now; `None` when nothing can play at this time (fallback slide).
    pub fn next(&mut self, now_local: NaiveDateTime) -> Option<Entry> {
        let (i, reason) = self.lineup.step(&mut self.state, now_local)?;
        Some(Entry {
            item: self.lineup.items[i].clone(),
            reason,
        })
    }

    /// What `next` would return for the next `n` calls at `now_local`, without moving.
    pub fn upcoming(&self, n: usize, now_local: NaiveDateTime) -> Vec<Item> {
        let mut state = self.state.clone();
        (0..n)
            .map_while(|_| self.lineup.step(&mut state, now_local))
            .map(|(i, _)| self.lineup.items[i].clone())
            .collect()
    }
}
