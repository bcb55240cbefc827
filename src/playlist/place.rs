//! Where the regular loop stands, how it moves on, and how that place survives a catalog change.

use std::path::PathBuf;

use chrono::NaiveDateTime;

use super::PlaylistPolicy;
use super::plan::{Group, plan};
use crate::content::Item;

/// The place in the loop, by group key rather than index so a rescan cannot shift it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Place {
    /// Before the first group of the pass.
    #[default]
    Start,
    /// Visiting this group; `shown` are the items of it already played in this visit.
    In { group: String, shown: Vec<PathBuf> },
    /// Done with this group (the one being visited was removed; this is the nearest before it).
    After(String),
}

#[derive(Debug, Clone, Default)]
pub(super) struct Cursor {
    place: Place,
    /// Passes of the loop completed; `rotate` shows `languages[pass % n]`.
    pass: usize,
}

impl Cursor {
    /// The next regular item at `now`, moving on; `None` (and no move) when no group has
    /// anything to play at this time.
    pub fn advance(
        &mut self,
        items: &[Item],
        groups: &[Group],
        policy: &PlaylistPolicy,
        now: NaiveDateTime,
    ) -> Option<usize> {
        let position = |key: &str| groups.iter().position(|g| g.key == key);
        let done = match &mut self.place {
            Place::Start => None,
            Place::After(key) => position(key),
            Place::In { group, shown } => match position(group) {
                Some(g) => {
                    // Recomputed each time: a variant added mid-visit still plays in this visit.
                    let rest = plan(items, &groups[g], policy, self.pass, now)
                        .into_iter()
                        .find(|&i| !shown.contains(&items[i].rel));
                    if let Some(i) = rest {
                        shown.push(items[i].rel.clone());
                        return Some(i);
                    }
                    Some(g)
                }
                None => None,
            },
        };
        // The groups after `done`, then round again from the first (the next pass), itself last.
        let first = done.map_or(0, |g| g + 1);
        for k in 0..groups.len() {
            let (g, pass) = match first + k {
                j if j < groups.len() => (j, self.pass),
                j => (j - groups.len(), self.pass + 1),
            };
            if let Some(&i) = plan(items, &groups[g], policy, pass, now).first() {
                self.place = Place::In {
                    group: groups[g].key.clone(),
                    shown: vec![items[i].rel.clone()],
                };
                self.pass = pass;
                return Some(i);
            }
        }
        None
    }

    /// Keeps the place when `old` becomes `new`: the same group if it is still there, else
    /// after the nearest group before it that is, else the start of the pass.
    pub fn remap(&mut self, old: &[Group], new: &[Group]) {
        let (Place::In { group: key, .. } | Place::After(key)) = &self.place else {
            return;
        };
        let exists = |key: &str| new.iter().any(|g| g.key == key);
        if exists(key) {
            return;
        }
        let before = old.iter().position(|g| &g.key == key).unwrap_or(0);
        self.place = old[..before]
            .iter()
            .rev()
            .find(|g| exists(&g.key))
            .map_or(Place::Start, |g| Place::After(g.key.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(keys: &[&str]) -> Vec<Group> {
        keys.iter()
            .map(|k| Group {
                key: (*k).into(),
                members: vec![],
            })
            .collect()
    }

    fn inside(key: &str) -> Place {
        Place::In {
            group: key.into(),
            shown: vec![PathBuf::from(format!("{key}.vi"))],
        }
    }

    #[test]
    fn remap_keeps_the_group_or_goes_on_after_the_nearest_one_before_it() {
        #[rustfmt::skip]
        let table: &[(Place, &[&str], &[&str], Place)] = &[
            (inside("b"), &["a", "b", "c"], &["c", "b", "a"], inside("b")),
            (inside("b"), &["a", "b", "c"], &["a", "b2", "c"], Place::After("a".into())),
            (inside("c"), &["a", "b", "c"], &["a", "x"], Place::After("a".into())),
            (inside("a"), &["a", "b", "c"], &["b", "c"], Place::Start),
            (Place::After("b".into()), &["a", "b", "c"], &["a", "c"], Place::After("a".into())),
            (Place::After("a".into()), &["a", "b"], &["b"], Place::Start),
            (Place::Start, &["a"], &["b"], Place::Start),
        ];
        for (row, (place, old, new, expected)) in table.iter().enumerate() {
            let mut cursor = Cursor {
                place: place.clone(),
                pass: 4,
            };
            cursor.remap(&groups(old), &groups(new));
            assert_eq!(&cursor.place, expected, "row {row}");
            assert_eq!(cursor.pass, 4, "row {row}: the pass (language) is kept");
        }
    }
}
