//! The shape of the regular loop: its groups in catalog order, and which items of a group one visit plays.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::{LanguageMode, PlaylistPolicy};
use crate::content::{Item, Language};

/// The items that share a group key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Group {
    pub key: String,
    /// Indices into the catalog's items, in catalog order.
    pub members: Vec<usize>,
}

/// Groups of the urgent or of the other items, in the order of their first item in the catalog.
fn groups(items: &[Item], urgent: bool) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, item) in items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.urgent == urgent)
    {
        let g = *index.entry(&item.group).or_insert_with(|| {
            groups.push(Group {
                key: item.group.clone(),
                members: Vec::new(),
            });
            groups.len() - 1
        });
        groups[g].members.push(i);
    }
    groups
}

/// The groups of the regular loop: everything but urgent items.
pub(super) fn regular_groups(items: &[Item]) -> Vec<Group> {
    groups(items, false)
}

/// The urgent items in the order they play when several are due: by group, each group's
/// variants in the policy's order then its neutral items, whatever the language mode (an urgent
/// notice is for everyone). Variants in languages outside the policy are left out.
pub(super) fn urgent_order(items: &[Item], policy: &PlaylistPolicy) -> Vec<usize> {
    groups(items, true)
        .iter()
        .flat_map(|group| in_order(items, &group.members, policy, LanguageMode::Sequence, 0))
        .collect()
}

/// Inside the item's date range: `from` is the first moment shown, `until` the first not shown.
pub(super) fn in_range(item: &Item, now: NaiveDateTime) -> bool {
    item.from.is_none_or(|from| from <= now) && item.until.is_none_or(|until| now < until)
}

/// The items of `group` that one visit in pass `pass` plays at `now`, in order.
pub(super) fn plan(
    items: &[Item],
    group: &Group,
    policy: &PlaylistPolicy,
    pass: usize,
    now: NaiveDateTime,
) -> Vec<usize> {
    let live: Vec<usize> = group
        .members
        .iter()
        .copied()
        .filter(|&i| in_range(&items[i], now))
        .collect();
    in_order(items, &live, policy, policy.mode, pass)
}

/// Which of `members` play, in what order: the language variants `mode` picks, then the neutral items.
fn in_order(
    items: &[Item],
    members: &[usize],
    policy: &PlaylistPolicy,
    mode: LanguageMode,
    pass: usize,
) -> Vec<usize> {
    let of = |language: Language| {
        members
            .iter()
            .copied()
            .filter(move |&i| items[i].language == language)
    };
    let languages = &policy.languages;
    let mut out: Vec<usize> = match mode {
        LanguageMode::Sequence => languages.iter().flat_map(|&l| of(l)).collect(),
        LanguageMode::Rotate => {
            // This pass's language, else the next one the group has, going round the list.
            let start = pass % languages.len().max(1);
            (0..languages.len())
                .map(|k| of(languages[(start + k) % languages.len()]).collect::<Vec<_>>())
                .find(|found| !found.is_empty())
                .unwrap_or_default()
        }
    };
    out.extend(of(Language::Neutral));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playlist::tests::fixtures::{at, item, rels};

    fn policy(mode: LanguageMode, languages: &[Language]) -> PlaylistPolicy {
        PlaylistPolicy {
            languages: languages.to_vec(),
            mode,
            urgent_every: 3,
        }
    }

    fn planned(items: &[Item], policy: &PlaylistPolicy, pass: usize) -> Vec<String> {
        let groups = regular_groups(items);
        assert_eq!(groups.len(), 1);
        let chosen = plan(items, &groups[0], policy, pass, at("2026-11-02 09:00"));
        rels(chosen.iter().map(|&i| &items[i]))
    }

    use Language::{En, Km, Neutral, Vi};
    use LanguageMode::{Rotate, Sequence};

    /// (variants of group g, mode, policy languages, pass, what the visit plays)
    type Row<'a> = (
        &'a [(&'a str, Language)],
        LanguageMode,
        &'a [Language],
        usize,
        &'a [&'a str],
    );

    #[test]
    fn one_visit_per_mode_pass_and_variants() {
        let full = [("vi", Vi), ("en", En), ("km", Km)];
        let no_km = [("vi", Vi), ("en", En)];
        let only_en = [("en", En)];
        let vi_km_and_poster = [("km", Km), ("vi", Vi), ("poster", Neutral)];
        let neutral = [("logo", Neutral)];
        #[rustfmt::skip]
        let table: &[Row] = &[
            // sequence: the policy's order whatever the catalog order, neutral last
            (&full, Sequence, &[Vi, En, Km], 0, &["g.vi", "g.en", "g.km"]),
            (&full, Sequence, &[Km, Vi, En], 7, &["g.km", "g.vi", "g.en"]),
            (&no_km, Sequence, &[Vi, En, Km], 0, &["g.vi", "g.en"]),
            (&vi_km_and_poster, Sequence, &[Vi, En, Km], 0, &["g.vi", "g.km", "g.poster"]),
            // a language left out of the policy is not shown
            (&full, Sequence, &[Vi, En], 0, &["g.vi", "g.en"]),
            (&only_en, Sequence, &[Vi, Km], 0, &[]),
            (&neutral, Sequence, &[Vi, En, Km], 0, &["g.logo"]),
            // rotate: pass p shows languages[p % n]
            (&full, Rotate, &[Vi, En, Km], 0, &["g.vi"]),
            (&full, Rotate, &[Vi, En, Km], 1, &["g.en"]),
            (&full, Rotate, &[Vi, En, Km], 2, &["g.km"]),
            (&full, Rotate, &[Vi, En, Km], 3, &["g.vi"]),
            // missing: the next language round the list
            (&no_km, Rotate, &[Vi, En, Km], 2, &["g.vi"]),
            (&vi_km_and_poster, Rotate, &[Vi, En, Km], 1, &["g.km", "g.poster"]),
            (&vi_km_and_poster, Rotate, &[Vi, En, Km], 2, &["g.km", "g.poster"]),
            (&only_en, Rotate, &[Vi, En, Km], 0, &["g.en"]),
            (&only_en, Rotate, &[Vi, Km], 1, &[]),
            // nothing spoken: neutral
            (&neutral, Rotate, &[Vi, En, Km], 1, &["g.logo"]),
        ];
        for (row, (variants, mode, languages, pass, expected)) in table.iter().enumerate() {
            let items: Vec<Item> = variants
                .iter()
                .map(|(name, l)| item(&format!("g.{name}"), "g", *l))
                .collect();
            assert_eq!(
                planned(&items, &policy(*mode, languages), *pass),
                *expected,
                "row {row}"
            );
        }
    }

    #[test]
    fn a_variant_out_of_its_dates_is_missing_and_rotate_falls_back() {
        let mut items = vec![
            item("g.vi", "g", Vi),
            item("g.en", "g", En),
            item("g.km", "g", Km),
        ];
        items[2].until = Some(at("2026-11-02 09:00"));
        assert_eq!(
            planned(&items, &policy(Sequence, &[Vi, En, Km]), 0),
            ["g.vi", "g.en"]
        );
        assert_eq!(planned(&items, &policy(Rotate, &[Vi, En, Km]), 2), ["g.vi"]);
        items[2].until = Some(at("2026-11-02 09:01"));
        assert_eq!(planned(&items, &policy(Rotate, &[Vi, En, Km]), 2), ["g.km"]);
    }

    #[test]
    fn date_range_includes_from_and_excludes_until() {
        let mut x = item("x", "x", Neutral);
        x.from = Some(at("2026-11-02 08:00"));
        x.until = Some(at("2026-11-03 08:00"));
        let table = [
            ("2026-11-02 07:59", false),
            ("2026-11-02 08:00", true),
            ("2026-11-03 07:59", true),
            ("2026-11-03 08:00", false),
        ];
        for (now, shown) in table {
            assert_eq!(in_range(&x, at(now)), shown, "{now}");
        }
        assert!(in_range(&item("y", "y", Neutral), at("1999-01-01 00:00")));
    }

    #[test]
    fn urgent_items_by_group_in_the_policys_languages() {
        let mut items = vec![
            item("flood.en", "flood", En),
            item("a", "a", Neutral),
            item("road", "road", Neutral),
            item("flood.km", "flood", Km),
            item("flood.vi", "flood", Vi),
            item("flood.map", "flood", Neutral),
        ];
        for i in [0, 2, 3, 4, 5] {
            items[i].urgent = true;
        }
        let order = |languages: &[Language]| {
            let policy = policy(Rotate, languages);
            rels(urgent_order(&items, &policy).iter().map(|&i| &items[i]))
        };
        assert_eq!(
            order(&[Vi, En, Km]),
            ["flood.vi", "flood.en", "flood.km", "flood.map", "road"]
        );
        assert_eq!(
            order(&[Km, Vi]),
            ["flood.km", "flood.vi", "flood.map", "road"]
        );
    }

    #[test]
    fn groups_in_order_of_first_item_without_urgent_items() {
        let mut items = vec![
            item("b.vi", "b", Vi),
            item("a", "a", Neutral),
            item("flood", "flood", Neutral),
            item("b.en", "b", En),
        ];
        items[2].urgent = true;
        let groups = regular_groups(&items);
        let keys: Vec<(&str, &[usize])> = groups
            .iter()
            .map(|g| (g.key.as_str(), g.members.as_slice()))
            .collect();
        assert_eq!(keys, [("b", &[0, 3][..]), ("a", &[1][..])]);
    }
}
