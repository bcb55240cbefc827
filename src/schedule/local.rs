//! Wall-clock time in the schedule's zone: the instants of a local time (DST gaps and repeats included) and how they are written.

use chrono::{
    DateTime, FixedOffset, LocalResult, NaiveDateTime, Offset, SecondsFormat, TimeZone, Timelike,
    Utc,
};
use chrono_tz::Tz;

/// Every instant at which clocks in `tz` read `local`, earliest first: one as a rule,
/// two in an hour repeated when DST ends, and for a time skipped when DST starts,
/// the instant the clocks jump past it (when a window starting then really begins).
pub(crate) fn instants_of(tz: Tz, local: NaiveDateTime) -> Vec<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => vec![t.to_utc()],
        LocalResult::Ambiguous(earliest, latest) => vec![earliest.to_utc(), latest.to_utc()],
        LocalResult::None => vec![first_instant_reading(tz, local)],
    }
}

/// The earliest instant at which clocks in `tz` read `local`, or the jump past it.
pub(crate) fn instant_of(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.to_utc(),
        LocalResult::None => first_instant_reading(tz, local),
    }
}

/// The first whole second whose local time in `tz` is at or after `local`.
fn first_instant_reading(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    // Offsets lie within -12 h..+14 h, so 15 h earlier in UTC still reads before
    // `local`, and 13 h later already reads after it.
    let reads_at_or_after = |second: i64| {
        DateTime::from_timestamp(second, 0)
            .is_some_and(|t| t.with_timezone(&tz).naive_local() >= local)
    };
    let as_utc = local.and_utc().timestamp();
    let (mut before, mut after) = (as_utc - 15 * 3600, as_utc + 13 * 3600);
    while after - before > 1 {
        let middle = before + (after - before) / 2;
        if reads_at_or_after(middle) {
            after = middle;
        } else {
            before = middle;
        }
    }
    DateTime::from_timestamp(after, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The instant `t` on the wall clock of `tz`, with that moment's offset.
pub(crate) fn local(tz: Tz, t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&tz).fixed_offset()
}

/// An offset as people write it: `+07`, `-03:30`, `+00`.
pub(crate) fn offset_label(offset: FixedOffset) -> String {
    let seconds = offset.fix().local_minus_utc();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    let (h, m) = (minutes / 60, minutes % 60);
    if m == 0 {
        format!("{sign}{h:02}")
    } else {
        format!("{sign}{h:02}:{m:02}")
    }
}

/// `2026-12-01 07:00 (+07)`, with seconds only when they are not zero.
pub(crate) fn minute_text(t: DateTime<FixedOffset>) -> String {
    let format = if t.second() == 0 && t.nanosecond() == 0 {
        "%Y-%m-%d %H:%M"
    } else {
        "%Y-%m-%d %H:%M:%S"
    };
    format!("{} ({})", t.format(format), offset_label(*t.offset()))
}

/// RFC 3339 with the offset of `t`, fractional seconds only when present.
pub(crate) fn rfc3339(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// RFC 3339 in UTC with `Z`, fractional seconds only when present.
pub(crate) fn rfc3339_utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::utc;
    use chrono::NaiveDate;

    fn at(date: &str, h: u32, m: u32) -> NaiveDateTime {
        date.parse::<NaiveDate>()
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    #[test]
    fn a_normal_local_time_has_one_instant() {
        let instants = instants_of(Tz::Asia__Ho_Chi_Minh, at("2026-11-28", 7, 0));
        assert_eq!(instants, [utc("2026-11-28T00:00:00Z")]);
    }

    #[test]
    fn a_skipped_local_time_maps_to_the_jump() {
        // Berlin skips 02:00..03:00 on 2026-03-29; the jump is at 01:00 UTC.
        let instants = instants_of(Tz::Europe__Berlin, at("2026-03-29", 2, 30));
        assert_eq!(instants, [utc("2026-03-29T01:00:00Z")]);
    }

    #[test]
    fn a_repeated_local_time_has_two_instants() {
        // Berlin repeats 02:00..03:00 on 2026-10-25.
        let instants = instants_of(Tz::Europe__Berlin, at("2026-10-25", 2, 30));
        assert_eq!(
            instants,
            [utc("2026-10-25T00:30:00Z"), utc("2026-10-25T01:30:00Z")]
        );
        assert_eq!(
            instant_of(Tz::Europe__Berlin, at("2026-10-25", 2, 30)),
            instants[0]
        );
    }

    #[test]
    fn offsets_and_times_are_written_for_people() {
        let hcm = local(Tz::Asia__Ho_Chi_Minh, utc("2026-12-01T00:00:00Z"));
        assert_eq!(minute_text(hcm), "2026-12-01 07:00 (+07)");
        let kolkata = local(Tz::Asia__Kolkata, utc("2026-12-01T00:00:30Z"));
        assert_eq!(minute_text(kolkata), "2026-12-01 05:30:30 (+05:30)");
        let st_johns = local(Tz::America__St_Johns, utc("2026-12-01T12:00:00Z"));
        assert_eq!(offset_label(*st_johns.offset()), "-03:30");
        assert_eq!(offset_label(FixedOffset::east_opt(0).unwrap()), "+00");
    }
}
