//! The report as CSV for spreadsheets: UTF-8 with a BOM (so Excel reads
//! Vietnamese correctly), one section per table, separated by an empty line.

use super::model::{Report, hours, local_minute};

impl Report {
    /// Sections: the day table with a total row (the columns of earlier
    /// versions first, then the new ones), closures, security events, then incidents, overrides,
    /// plays by language, plays by item, content changes, rejected files and
    /// display failures. Times are on the report's wall clock.
    pub fn to_csv(&self) -> String {
        let mut out = String::from('\u{feff}');
        let tz = self.tz;
        let at = |t| local_minute(tz, t);
        let title = "Báo cáo hoạt động Cụm Thông tin cơ sở / Operating report";
        record(
            &mut out,
            [title, &self.kiosk, &self.period.to_string(), &self.timezone],
        );

        let mut days = Section::new(
            &mut out,
            "Theo ngày / Per day",
            &[
                "date",
                "required_hours",
                "shown_hours",
                "compliance_percent",
                "shown_outside_hours",
                "downtime_hours",
                "override_off_hours",
                "plays",
                "scheduled_hours",
                "counted_hours",
                "missing_hours",
                "closed_by_schedule_hours",
                "no_content_hours",
                "display_dark_hours",
                "schedule_compliance_percent",
            ],
        );
        let total_row = self.total_as_day();
        let total = std::iter::once(("TOTAL".to_string(), &total_row));
        for (label, d) in self
            .days
            .iter()
            .map(|d| (d.date.to_string(), d))
            .chain(total)
        {
            days.row([
                label,
                hours(d.required_seconds),
                hours(d.shown_seconds),
                d.compliance_percent
                    .map_or(String::new(), |p| format!("{p:.1}")),
                hours(d.shown_outside_hours_seconds),
                hours(d.downtime_seconds),
                hours(d.override_off_seconds),
                d.plays.to_string(),
                hours(d.scheduled_seconds),
                hours(d.counted_seconds),
                hours(d.missing_seconds),
                hours(d.closed_by_schedule_seconds),
                hours(d.fallback_seconds),
                hours(d.display_dark_seconds),
                d.schedule_compliance_percent
                    .map_or(String::new(), |p| format!("{p:.1}")),
            ]);
        }

        let head = [
            "from",
            "to",
            "source",
            "missing_hours",
            "note",
            "by",
            "ordered_by",
        ];
        let mut s = Section::new(&mut out, "Đóng màn hình / Closures", &head);
        for c in &self.closures {
            s.row([
                at(c.from),
                at(c.to),
                match c.source {
                    super::ClosureSource::Schedule => "schedule".into(),
                    super::ClosureSource::Override => "override".into(),
                },
                hours(c.lost_seconds),
                c.note.clone(),
                c.by.clone(),
                c.ordered_by.clone().unwrap_or_default(),
            ]);
        }
        let head = ["time", "kind", "reason"];
        let mut s = Section::new(&mut out, "Sự kiện an ninh / Security events", &head);
        for e in &self.security.events {
            s.row([at(e.time), e.kind.clone(), e.reason.clone()]);
        }
        if self.security.count > self.security.events.len() as u64 {
            let more = self.security.count - self.security.events.len() as u64;
            s.row(["", "not_listed", &more.to_string()]);
        }

        let mut s = Section::new(
            &mut out,
            "Sự cố / Downtime incidents",
            &["from", "to", "minutes_lost", "cause"],
        );
        for i in &self.incidents {
            s.row([
                at(i.from),
                at(i.to),
                i.minutes_lost.to_string(),
                i.cause.clone(),
            ]);
        }
        let head = [
            "action",
            "from",
            "to",
            "minutes",
            "by",
            "reason",
            "source",
            "ended",
            "requested_by",
            "signer",
        ];
        let mut s = Section::new(&mut out, "Lệnh khẩn cấp / Overrides", &head);
        for o in &self.overrides {
            s.row([
                o.action.clone(),
                at(o.set_at),
                o.ended_at.map_or(String::new(), at),
                o.minutes.map_or(String::new(), |m| m.to_string()),
                o.by.clone(),
                o.reason.clone(),
                o.source.clone(),
                o.ended_how.clone().unwrap_or_default(),
                o.requested_by.clone(),
                o.signer.clone(),
            ]);
        }
        let mut s = Section::new(
            &mut out,
            "Theo ngôn ngữ / By language",
            &["language", "plays", "seconds"],
        );
        for l in &self.languages {
            s.row([
                l.language.clone(),
                l.plays.to_string(),
                l.seconds.to_string(),
            ]);
        }
        let head = ["item", "kind", "language", "plays", "seconds"];
        let mut s = Section::new(&mut out, "Theo nội dung / By item", &head);
        for i in &self.items {
            s.row([
                i.item.clone(),
                i.kind.clone(),
                i.language.clone(),
                i.plays.to_string(),
                i.seconds.to_string(),
            ]);
        }
        let mut s = Section::new(
            &mut out,
            "Thay đổi nội dung / Content changes",
            &["time", "change", "item"],
        );
        for c in &self.content_changes {
            s.row([at(c.time), c.change.clone(), c.item.clone()]);
        }
        let head = ["item", "kind", "stage", "reason", "times", "first", "last"];
        let mut s = Section::new(&mut out, "Tệp bị từ chối / Rejected files", &head);
        for r in &self.rejected {
            s.row([
                r.item.clone(),
                r.kind.clone(),
                r.stage.clone(),
                r.reason.clone(),
                r.count.to_string(),
                at(r.first),
                at(r.last),
            ]);
        }
        let mut s = Section::new(
            &mut out,
            "Lỗi màn hình / Display failures",
            &["time", "action", "error"],
        );
        for d in &self.display_failures {
            s.row([at(d.time), d.action.clone(), d.error.clone()]);
        }
        let head = ["time", "by", "verdict", "failed", "warned"];
        let mut s = Section::new(&mut out, "Kiểm tra / Inspections", &head);
        for i in &self.inspections {
            s.row([
                at(i.time),
                i.by.clone(),
                i.verdict.clone(),
                i.failed.join(" "),
                i.warned.join(" "),
            ]);
        }
        out
    }

    fn total_as_day(&self) -> super::DayRow {
        let t = &self.total;
        super::DayRow {
            date: self.period.first_day(),
            required_seconds: t.required_seconds,
            scheduled_seconds: t.scheduled_seconds,
            shown_seconds: t.shown_seconds,
            shown_outside_hours_seconds: t.shown_outside_hours_seconds,
            counted_seconds: t.counted_seconds,
            missing_seconds: t.missing_seconds,
            closed_by_schedule_seconds: t.closed_by_schedule_seconds,
            fallback_seconds: t.fallback_seconds,
            display_dark_seconds: t.display_dark_seconds,
            downtime_seconds: t.downtime_seconds,
            override_off_seconds: t.override_off_seconds,
            plays: t.plays,
            compliance_percent: t.compliance_percent,
            schedule_compliance_percent: t.schedule_compliance_percent,
        }
    }
}

/// A titled table: an empty line, the title, the header, the rows.
struct Section<'a> {
    out: &'a mut String,
}

impl<'a> Section<'a> {
    fn new(out: &'a mut String, title: &str, head: &[&str]) -> Self {
        section(out, title, head);
        Self { out }
    }

    fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        record(self.out, cells);
    }
}

/// A section's start: an empty line, its title, its column names.
pub(crate) fn section(out: &mut String, title: &str, head: &[&str]) {
    out.push_str("\r\n");
    record(out, [title]);
    record(out, head.iter().copied());
}

/// One CSV record (RFC 4180: CRLF, quotes doubled, quoted when needed).
pub(crate) fn record<S: AsRef<str>>(out: &mut String, cells: impl IntoIterator<Item = S>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let cell = cell.as_ref();
        if cell.contains([',', '"', '\n', '\r']) || cell.starts_with(' ') {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::super::fixture::november_report;

    #[test]
    fn csv_starts_with_a_bom_and_adds_up() {
        let report = november_report();
        let csv = report.to_csv();
        assert!(csv.starts_with(
            "\u{feff}Báo cáo hoạt động Cụm Thông tin cơ sở / Operating report,tb-1,2026-11,"
        ));
        assert!(
            csv.contains(
                "\r\n2026-11-05,8.00,7.50,93.8,0.00,0.50,0.00,3,8.00,7.50,0.50,0.00,0.00,0.00,93.8\r\n"
            ),
            "{csv}"
        );
        // The law changed these: the 20th, closed by the schedule, still
        // requires 8 h; the dark display on the 25th is not shown time.
        assert!(csv.contains(
            "\r\n2026-11-20,8.00,0.00,0.0,0.00,0.00,0.00,0,0.00,0.00,8.00,8.00,0.00,0.00,\r\n"
        ));
        assert!(csv.contains(
            "\r\nTOTAL,240.00,226.50,94.4,1.00,0.50,1.00,87,232.00,226.50,13.50,8.00,0.00,4.00,97.6\r\n"
        ));
        assert!(csv.contains("\r\n2026-11-20 00:00,2026-11-21 00:00,schedule,8.00,bảo trì,,\r\n"));
        assert!(csv.contains("\r\noff,2026-11-10 08:00,2026-11-10 09:00,60,Bộ đội Biên phòng,diễn tập,control_file,expired,,\r\n"));
        assert!(csv.contains("\r\nhong.mp4,video,catalog,không giải mã được / cannot decode,3,"));
        let mut quoted = String::new();
        super::record(&mut quoted, ["a,b", "say \"hi\"", "plain"]);
        assert_eq!(quoted, "\"a,b\",\"say \"\"hi\"\"\",plain\r\n");
    }
}
