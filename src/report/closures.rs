//! Closures: legal hours the screens were closed on purpose, by an exception
//! of the configured schedule or by an override `off`, and whether it was an
//! emergency ordered by the Border Guard or the Department.

use chrono::{DateTime, NaiveDate, Utc};

use super::model::{Closure, ClosureSource, DayRow, OverrideRow};
use super::overlap::OpenHours;
use super::period::local_midnight;
use crate::schedule::OperatingSchedule;

/// Who may order an emergency closure, and the words that name them in an
/// override's `by` or `requested_by`: the overlay's `Name (border-guard)`, or
/// a control file's free text (`Bộ đội Biên phòng`, `Sở TT&TT`).
const AUTHORITIES: [(&str, &[&str]); 2] = [
    (
        "border_guard",
        &["border-guard", "border guard", "biên phòng", "bđbp"],
    ),
    (
        "department",
        &[
            "department",
            "sở tt",
            "sở thông tin",
            "sở văn hóa",
            "sở văn hoá",
        ],
    ),
];

/// `border_guard` or `department` when `by` or `requested_by` names one.
pub(crate) fn ordered_by(by: &str, requested_by: &str) -> Option<&'static str> {
    use unicode_normalization::UnicodeNormalization;
    let said = format!("{by}\n{requested_by}")
        .nfc()
        .collect::<String>()
        .to_lowercase();
    AUTHORITIES
        .iter()
        .find(|(_, words)| words.iter().any(|w| said.contains(w)))
        .map(|(who, _)| *who)
}

/// One closure per run of days an exception of the schedule gives fewer than
/// the legal hours (`days`: the report's rows, up to `as_of`).
pub(crate) fn schedule_closures(schedule: &OperatingSchedule, days: &[DayRow]) -> Vec<Closure> {
    let tz = schedule.timezone();
    let mut closures: Vec<(Closure, NaiveDate)> = Vec::new();
    for day in days.iter().filter(|d| d.closed_by_schedule_seconds > 0) {
        let Some(span) = schedule.day_plan(day.date).exception else {
            continue; // daily windows shorter than the law: no closure, a short schedule
        };
        let note = span.note.clone().unwrap_or_default();
        let next = day.date.succ_opt().unwrap_or(day.date);
        match closures.last_mut() {
            Some((c, last)) if last.succ_opt() == Some(day.date) && c.note == note => {
                c.to = local_midnight(tz, next);
                c.lost_seconds += day.closed_by_schedule_seconds;
                *last = day.date;
            }
            _ => closures.push((
                Closure {
                    source: ClosureSource::Schedule,
                    from: local_midnight(tz, day.date),
                    to: local_midnight(tz, next),
                    lost_seconds: day.closed_by_schedule_seconds,
                    note,
                    by: String::new(),
                    ordered: false,
                    ordered_by: None,
                },
                day.date,
            )),
        }
    }
    closures.into_iter().map(|(c, _)| c).collect()
}

/// An override `off` as a closure, clipped to `start..end`; its lost time
/// measured in the legal hours (`legal`).
pub(crate) fn override_closure(
    row: &OverrideRow,
    legal: &mut OpenHours,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Closure {
    let from = row.set_at.max(start);
    let to = row.ended_at.or(row.until).unwrap_or(end).min(end);
    let lost = legal
        .split(from, to)
        .iter()
        .map(|o| o.open.num_seconds())
        .sum();
    let ordered = ordered_by(&row.by, &row.requested_by);
    let mut by = row.by.clone();
    if !row.requested_by.is_empty() {
        by.push_str(&format!(" (requested by {})", row.requested_by));
    }
    Closure {
        source: ClosureSource::Override,
        from,
        to,
        lost_seconds: lost,
        note: row.reason.clone(),
        by,
        ordered: ordered.is_some(),
        ordered_by: ordered.map(String::from),
    }
}

#[cfg(test)]
mod tests {
    use super::ordered_by;

    #[test]
    fn the_border_guard_and_the_department_order_emergencies() {
        assert_eq!(ordered_by("Bộ đội Biên phòng", ""), Some("border_guard"));
        assert_eq!(ordered_by("Minh (border-guard)", ""), Some("border_guard"));
        assert_eq!(ordered_by("Border Guard", ""), Some("border_guard"));
        assert_eq!(
            ordered_by("Lan (admin)", "Sở TT&TT, công văn 12"),
            Some("department")
        );
        assert_eq!(ordered_by("Lan (admin)", ""), None);
        assert_eq!(ordered_by("Office", "maintenance"), None);
    }
}
