//! Urgent items: a new one cuts in at once, then all of them repeat after every N regular items until they expire or are removed.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::SystemTime;

use chrono::NaiveDateTime;

use super::plan::in_range;
use crate::content::Item;

/// One version of one file: a replaced urgent notice (new size or time) is new again.
type Version = (PathBuf, u64, SystemTime);

fn version(item: &Item) -> Version {
    (item.rel.clone(), item.size, item.modified)
}

#[derive(Debug, Clone, Default)]
pub(super) struct Urgent {
    /// Versions already shown once.
    shown: HashSet<Version>,
    /// Regular items played since the last round of repeats.
    regular_since: usize,
    /// Urgent items already repeated in the round under way.
    round: Vec<PathBuf>,
}

/// The urgent items and the order they play in (see `plan::urgent_order`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Due<'a> {
    pub items: &'a [Item],
    pub order: &'a [usize],
}

impl<'a> Due<'a> {
    /// The urgent items that may play at `now`, in order.
    fn live(self, now: NaiveDateTime) -> impl Iterator<Item = usize> + 'a {
        let items = self.items;
        self.order
            .iter()
            .copied()
            .filter(move |&i| in_range(&items[i], now))
    }
}

impl Urgent {
    /// The first urgent item at `now` never shown before.
    pub fn first_new(&self, due: Due, now: NaiveDateTime) -> Option<usize> {
        due.live(now)
            .find(|&i| !self.shown.contains(&version(&due.items[i])))
    }

    /// The first new urgent item, marked shown; the count to the next repeat restarts.
    pub fn take_new(&mut self, due: Due, now: NaiveDateTime) -> Option<usize> {
        let i = self.first_new(due, now)?;
        self.shown.insert(version(&due.items[i]));
        self.regular_since = 0;
        Some(i)
    }

    /// After `every` regular items: each live urgent item once, in order, then `None`
    /// and the count starts again. `every == 0` turns repeats off.
    pub fn take_repeat(&mut self, due: Due, now: NaiveDateTime, every: usize) -> Option<usize> {
        if every == 0 || self.regular_since < every {
            return None;
        }
        let next = due
            .live(now)
            .find(|&i| !self.round.contains(&due.items[i].rel));
        match next {
            Some(i) => self.round.push(due.items[i].rel.clone()),
            None => {
                self.round.clear();
                self.regular_since = 0;
            }
        }
        next
    }

    /// A regular item played: no round of repeats is under way any more.
    pub fn count_regular(&mut self) {
        self.regular_since += 1;
        self.round.clear();
    }

    /// When nothing regular can play: the live urgent items in turn.
    pub fn take_in_turn(&mut self, due: Due, now: NaiveDateTime) -> Option<usize> {
        let first = due.live(now).next()?;
        let next = due
            .live(now)
            .find(|&i| !self.round.contains(&due.items[i].rel))
            .unwrap_or_else(|| {
                self.round.clear();
                first
            });
        self.round.push(due.items[next].rel.clone());
        self.regular_since = 0;
        Some(next)
    }

    /// Forgets what left the catalog: a file removed and put back is new again.
    pub fn forget_missing(&mut self, items: &[Item]) {
        let present: HashSet<Version> = items.iter().filter(|i| i.urgent).map(version).collect();
        self.shown.retain(|v| present.contains(v));
        self.round
            .retain(|rel| items.iter().any(|i| i.urgent && &i.rel == rel));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Language;
    use crate::playlist::tests::fixtures::{at, item, urgent};

    /// The urgent items of `items` in catalog order.
    fn order(items: &[Item]) -> Vec<usize> {
        (0..items.len()).filter(|&i| items[i].urgent).collect()
    }

    #[test]
    fn a_new_version_of_a_shown_urgent_item_is_new_again() {
        let now = at("2026-11-02 09:00");
        let mut items = vec![item("a", "a", Language::Neutral), urgent("flood")];
        let order = order(&items);
        let mut state = Urgent::default();
        let due = Due {
            items: &items,
            order: &order,
        };
        assert_eq!(state.take_new(due, now), Some(1));
        assert_eq!(state.first_new(due, now), None);
        items[1].size += 1;
        let due = Due {
            items: &items,
            order: &order,
        };
        assert_eq!(state.first_new(due, now), Some(1));
    }

    #[test]
    fn repeats_every_live_urgent_item_once_per_round() {
        let now = at("2026-11-02 09:00");
        let items = vec![urgent("u1"), urgent("u2")];
        let order = order(&items);
        let due = Due {
            items: &items,
            order: &order,
        };
        let mut state = Urgent::default();
        assert_eq!(state.take_repeat(due, now, 2), None);
        state.count_regular();
        state.count_regular();
        assert_eq!(state.take_repeat(due, now, 2), Some(0));
        assert_eq!(state.take_repeat(due, now, 2), Some(1));
        assert_eq!(state.take_repeat(due, now, 2), None);
        assert_eq!(
            state.take_repeat(due, now, 2),
            None,
            "the count started again"
        );
        state.count_regular();
        state.count_regular();
        assert_eq!(state.take_repeat(due, now, 0), None, "0: no repeats");
    }

    #[test]
    fn in_turn_goes_round_the_live_urgent_items() {
        let now = at("2026-11-02 09:00");
        let items = vec![
            urgent("u1"),
            item("a", "a", Language::Neutral),
            urgent("u2"),
        ];
        let order = order(&items);
        let due = Due {
            items: &items,
            order: &order,
        };
        let mut state = Urgent::default();
        let turns: Vec<_> = (0..5).map(|_| state.take_in_turn(due, now)).collect();
        assert_eq!(turns, [Some(0), Some(2), Some(0), Some(2), Some(0)]);
        let none = Due {
            items: &items,
            order: &[],
        };
        assert_eq!(state.take_in_turn(none, now), None);
    }
}
