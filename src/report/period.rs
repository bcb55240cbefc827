//! Months and years on the schedule's wall clock: what a report or a backup covers.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Serialize, Serializer};
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
#[error(
    "{text:?}: not a month (YYYY-MM), a year (YYYY) or dates (YYYY-MM-DD..YYYY-MM-DD, the first not after the last)"
)]
pub struct PeriodError {
    pub text: String,
}

/// A calendar month, read on the schedule's wall clock (Asia/Ho_Chi_Minh): the
/// month of `2026-11-30T17:30Z` is 2026-12. Written `2026-11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(year, month, 1).map(|_| Self { year, month })
    }

    /// The local month that contains `t` in `tz`.
    pub fn of(t: DateTime<Utc>, tz: Tz) -> Self {
        Self::of_date(t.with_timezone(&tz).date_naive())
    }

    /// The month of a local date.
    pub fn of_date(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The month before the one containing `now`: what the monthly backup covers.
    pub fn previous_of(now: DateTime<Utc>, tz: Tz) -> Self {
        Self::of(now, tz).previous()
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn previous(self) -> Self {
        match self.month {
            1 => Self {
                year: self.year - 1,
                month: 12,
            },
            m => Self {
                year: self.year,
                month: m - 1,
            },
        }
    }

    pub fn next(self) -> Self {
        match self.month {
            12 => Self {
                year: self.year + 1,
                month: 1,
            },
            m => Self {
                year: self.year,
                month: m + 1,
            },
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("checked in new")
    }

    pub fn last_day(self) -> NaiveDate {
        self.next()
            .first_day()
            .pred_opt()
            .expect("not the first day ever")
    }

    /// The journal file of this month in `journal_dir` (`2026-11.jsonl`).
    pub fn journal_file(self, journal_dir: &std::path::Path) -> std::path::PathBuf {
        journal_dir.join(format!("{self}.jsonl"))
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = PeriodError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || PeriodError { text: text.into() };
        let (y, m) = text.trim().split_once('-').ok_or_else(err)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(err());
        }
        Month::new(y.parse().map_err(|_| err())?, m.parse().map_err(|_| err())?).ok_or_else(err)
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// What a report covers: one local month, one local year, or local dates
/// from one to another, both included (the half-year review). Written
/// `2026-11`, `2026`, `2026-07-01..2026-12-31`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Month(Month),
    Year(i32),
    /// Made by [`Period::dates`], so `from <= to`.
    Dates {
        from: NaiveDate,
        to: NaiveDate,
    },
}

impl Period {
    /// The local dates `from` to `to`, both included.
    pub fn dates(from: NaiveDate, to: NaiveDate) -> Result<Self, PeriodError> {
        match from <= to {
            true => Ok(Period::Dates { from, to }),
            false => Err(PeriodError {
                text: format!("{from}..{to}"),
            }),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        match self {
            Period::Month(m) => m.first_day(),
            Period::Year(y) => Month { year: y, month: 1 }.first_day(),
            Period::Dates { from, .. } => from,
        }
    }

    pub fn last_day(self) -> NaiveDate {
        match self {
            Period::Month(m) => m.last_day(),
            Period::Year(y) => Month { year: y, month: 12 }.last_day(),
            Period::Dates { to, .. } => to,
        }
    }

    /// Every local date of the period, in order.
    pub fn days(self) -> Vec<NaiveDate> {
        self.first_day()
            .iter_days()
            .take_while(|d| *d <= self.last_day())
            .collect()
    }

    /// The months of the period, in order (those it touches, for dates).
    pub fn months(self) -> Vec<Month> {
        let last = Month::of_date(self.last_day());
        std::iter::successors(Some(Month::of_date(self.first_day())), |m| Some(m.next()))
            .take_while(|m| *m <= last)
            .collect()
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        self.first_day() <= date && date <= self.last_day()
    }

    /// The first instant of the period (local midnight of its first day).
    pub fn start(self, tz: Tz) -> DateTime<Utc> {
        local_midnight(tz, self.first_day())
    }

    /// The first instant after the period.
    pub fn end(self, tz: Tz) -> DateTime<Utc> {
        local_midnight(
            tz,
            self.last_day().succ_opt().expect("within chrono's range"),
        )
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Month(m) => m.fmt(f),
            Period::Year(y) => write!(f, "{y:04}"),
            Period::Dates { from, to } => write!(f, "{from}..{to}"),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let t = text.trim();
        if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
            let year = t.parse().map_err(|_| PeriodError { text: text.into() })?;
            return Ok(Period::Year(year));
        }
        if let Some((from, to)) = t.split_once("..") {
            let err = || PeriodError { text: text.into() };
            let date = |d: &str| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| err());
            return Period::dates(date(from)?, date(to)?).map_err(|_| err());
        }
        t.parse().map(Period::Month)
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The first instant of a local date; where DST skips midnight, the first
/// instant that reads later than it.
pub(crate) fn local_midnight(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_time(NaiveTime::MIN);
    (0..=3)
        .find_map(|h| {
            tz.from_local_datetime(&(midnight + chrono::Duration::hours(h)))
                .earliest()
        })
        .map_or_else(|| midnight.and_utc(), |t| t.to_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HCM: Tz = Tz::Asia__Ho_Chi_Minh;

    #[test]
    fn months_parse_print_and_step() {
        let nov: Month = "2026-11".parse().unwrap();
        assert_eq!(nov.to_string(), "2026-11");
        assert_eq!(nov.last_day().to_string(), "2026-11-30");
        assert_eq!(nov.next().to_string(), "2026-12");
        assert_eq!(
            "2027-01".parse::<Month>().unwrap().previous(),
            "2026-12".parse().unwrap()
        );
        assert_eq!(
            "2028-02".parse::<Month>().unwrap().last_day().to_string(),
            "2028-02-29"
        );
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", "", "2026-00"] {
            assert!(bad.parse::<Month>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_month_is_the_local_month() {
        // 17:30 UTC on the last of November is already 00:30 on 1 December in HCM.
        let t: DateTime<Utc> = "2026-11-30T17:30:00Z".parse().unwrap();
        assert_eq!(Month::of(t, HCM).to_string(), "2026-12");
        assert_eq!(Month::previous_of(t, HCM).to_string(), "2026-11");
        let before: DateTime<Utc> = "2026-11-30T16:59:59Z".parse().unwrap();
        assert_eq!(Month::of(before, HCM).to_string(), "2026-11");
    }

    #[test]
    fn periods_cover_local_days() {
        let nov: Period = "2026-11".parse().unwrap();
        assert_eq!(nov.days().len(), 30);
        assert_eq!(nov.start(HCM).to_rfc3339(), "2026-10-31T17:00:00+00:00");
        assert_eq!(nov.end(HCM).to_rfc3339(), "2026-11-30T17:00:00+00:00");
        let year: Period = "2028".parse().unwrap();
        assert_eq!(year, Period::Year(2028));
        assert_eq!(year.days().len(), 366);
        assert_eq!(year.months().len(), 12);
        assert_eq!(year.to_string(), "2028");
        assert!("20281".parse::<Period>().is_err());
    }

    #[test]
    fn dates_cover_both_ends_and_the_months_they_touch() {
        let half: Period = "2026-07-01..2026-12-31".parse().unwrap();
        assert_eq!(half.days().len(), 184);
        assert_eq!(half.months().len(), 6);
        assert_eq!(half.to_string(), "2026-07-01..2026-12-31");
        let across: Period = "2026-11-29..2027-01-02".parse().unwrap();
        let months: Vec<String> = across.months().iter().map(|m| m.to_string()).collect();
        assert_eq!(months, ["2026-11", "2026-12", "2027-01"]);
        assert_eq!(across.start(HCM).to_rfc3339(), "2026-11-28T17:00:00+00:00");
        assert_eq!(across.end(HCM).to_rfc3339(), "2027-01-02T17:00:00+00:00");
        let one: Period = "2026-11-05..2026-11-05".parse().unwrap();
        assert_eq!(one.days().len(), 1);
        for bad in [
            "2026-12-01..2026-11-30",
            "2026-11-31..2026-12-01",
            "2026-11-01..",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }
}
