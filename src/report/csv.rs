//! The report as CSV for spreadsheets: UTF-8 with a BOM (so Excel reads
//! Vietnamese correctly), one section per table, separated by an empty line.

use super::model::{Report, hours, local_minute};

impl Report {
    /// Sections: the day table with a total row, then incidents, overrides,
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
            ]);
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
            shown_seconds: t.shown_seconds,
            shown_outside_hours_seconds: t.shown_outside_hours_seconds,
            downtime_seconds: t.downtime_seconds,
            override_off_seconds: t.override_off_seconds,
            plays: t.plays,
            compliance_percent: t.compliance_percent,
        }
    }
}

/// A titled table: an empty line, the title, the header, the rows.
struct Section<'a> {
    out: &'a mut String,
}

impl<'a> Section<'a> {
    fn new(out: &'a mut String, title: &str, head: &[&str]) -> Self {
        out.push_str("\r\n");
        record(out, [title]);
        record(out, head.iter().copied());
        Self { out }
    }

    fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        record(self.out, cells);
    }
}

/// One CSV record (RFC 4180: CRLF, quotes doubled, quoted when needed).
fn record<S: AsRef<str>>(out: &mut String, cells: impl IntoIterator<Item = S>) {
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
    use super::super::build_report;
    use super::super::fixture::{after, november, schedule};

    #[test]
    fn csv_starts_with_a_bom_and_adds_up() {
        let report = build_report(
            &november().lines,
            &schedule(),
            "2026-11".parse().unwrap(),
            "tb-1",
            after(),
        );
        let csv = report.to_csv();
        assert!(csv.starts_with(
            "\u{feff}Báo cáo hoạt động Cụm Thông tin cơ sở / Operating report,tb-1,2026-11,"
        ));
        assert!(
            csv.contains("\r\n2026-11-05,8.00,7.50,93.8,0.00,0.50,0.00,3\r\n"),
            "{csv}"
        );
        assert!(csv.contains("\r\n2026-11-20,0.00,0.00,,0.00,0.00,0.00,0\r\n"));
        assert!(csv.contains("\r\nTOTAL,232.00,230.50,99.4,1.00,0.50,1.00,87\r\n"));
        assert!(csv.contains("\r\noff,2026-11-10 08:00,2026-11-10 09:00,60,Bộ đội Biên phòng,diễn tập,control_file,expired,,\r\n"));
        assert!(csv.contains("\r\nhong.mp4,video,catalog,không giải mã được / cannot decode,3,"));
        let mut quoted = String::new();
        super::record(&mut quoted, ["a,b", "say \"hi\"", "plain"]);
        assert_eq!(quoted, "\"a,b\",\"say \"\"hi\"\"\",plain\r\n");
    }
}
