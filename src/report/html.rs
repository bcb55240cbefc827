//! The report as one self-contained HTML file that prints on A4: Vietnamese title
//! with an English line, summary, inline SVG bar chart, tables. No script, no URL.

use std::fmt::Write;

use super::chart::{Row, chart};
use super::model::{DayRow, Report, hours, local_minute, percent};
use super::tables::{esc, section};
use super::{Month, Period};

pub(crate) const STYLE: &str = "
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: 'Noto Sans', 'DejaVu Sans', Arial, sans-serif; font-size: 9.5pt; color: #111;
  margin: 0 auto; max-width: 186mm; padding: 6mm 0; }
h1 { font-size: 16pt; margin: 0; }
p.en { margin: 1mm 0 3mm; color: #444; font-size: 11pt; }
h2 { font-size: 11.5pt; margin: 6mm 0 2mm; border-bottom: 1px solid #777; break-after: avoid; }
h2 span, th span { font-weight: normal; color: #555; }
thead th span { display: block; font-size: 7.5pt; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
th, td { border: 1px solid #aaa; padding: 0.8mm 1.5mm; vertical-align: top; text-align: left; }
td:first-child { white-space: nowrap; }
th { background: #eee; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; }
thead { display: table-header-group; }
tr.total td { font-weight: bold; background: #f4f4f4; }
td.short { color: #b00; }
p.none { color: #555; font-style: italic; }
svg { width: 100%; height: auto; }
footer { margin-top: 6mm; color: #555; font-size: 8pt; }
";

impl Report {
    /// One self-contained HTML file (UTF-8).
    pub fn to_html(&self) -> String {
        let mut h = String::with_capacity(64 * 1024);
        let title = "Báo cáo hoạt động Cụm Thông tin cơ sở";
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>{title} – {} – {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
             <header>\n<h1>{title}</h1>\n<p class=\"en\">Operating report of the information screens</p>\n\
             <p>Màn hình / Kiosk: <b>{}</b> · Kỳ báo cáo / Period: <b>{}</b> ({} – {}) · \
             Múi giờ / Time zone: {}{}</p>\n</header>\n",
            esc(&self.kiosk),
            self.period,
            esc(&self.kiosk),
            period_name(self.period),
            self.period.first_day(),
            self.period.last_day(),
            esc(&self.timezone),
            if self.complete {
                String::new()
            } else {
                let now = local_minute(self.tz, self.as_of);
                format!(" · <b>Tính đến / As of {now}</b> (kỳ chưa kết thúc / period not over)")
            },
        );
        self.summary(&mut h);
        let rows = self.chart_rows();
        section(&mut h, "Giờ phát", "Hours shown");
        h.push_str(&chart(&rows));
        table_of_rows(&mut h, &rows, &self.total_row());
        self.closure_and_security_tables(&mut h);
        self.event_tables(&mut h);
        let _ = write!(
            h,
            "<footer>Lập từ nhật ký của màn hình / Compiled from the kiosk's journal: {} dòng / lines, \
             {} dòng hỏng / broken, {} bỏ qua / skipped. Giờ phát = màn hình mở, phần mềm chạy, có nội dung \
             và màn hình đã bật / shown = screen open, player running, content on screen and the display \
             powered on. Yêu cầu = 8 giờ mỗi ngày kể cả ngày lễ, Tết, thứ Bảy, Chủ nhật (QĐ 17/2021/QĐ-UBND) / \
             required = 8 h every day, holidays, Tết and weekends included.</footer>\n</body>\n</html>\n",
            self.journal.lines, self.journal.broken_lines, self.journal.skipped_lines
        );
        h
    }

    fn summary(&self, h: &mut String) {
        let t = &self.total;
        section(h, "Tóm tắt", "Summary");
        let rows = [
            ("Số ngày", "Days", t.days.to_string()),
            (
                "Giờ yêu cầu theo quy định (8 giờ/ngày)",
                "Hours legally required (8 h a day)",
                hours(t.required_seconds),
            ),
            (
                "Giờ mở theo lịch cấu hình",
                "Hours the configured schedule opens",
                hours(t.scheduled_seconds),
            ),
            (
                "Giờ đã phát trong giờ theo lịch",
                "Hours shown in scheduled hours",
                hours(t.shown_seconds),
            ),
            (
                "Phát ngoài giờ (lệnh bật)",
                "Shown outside hours (override on)",
                hours(t.shown_outside_hours_seconds),
            ),
            (
                "Giờ được tính theo quy định",
                "Hours counted toward the law",
                hours(t.counted_seconds),
            ),
            ("Giờ còn thiếu", "Hours missing", hours(t.missing_seconds)),
            ("Tỷ lệ đạt", "Compliance", pct(t.compliance_percent)),
            (
                "Tỷ lệ đạt so với lịch",
                "Compliance with the schedule",
                pct(t.schedule_compliance_percent),
            ),
            (
                "Giờ đóng theo lịch",
                "Hours closed by the schedule",
                format!(
                    "{} ({} lần đóng / closures)",
                    hours(t.closed_by_schedule_seconds),
                    t.closures
                ),
            ),
            (
                "Màn hình chờ \u{201c}không có nội dung\u{201d}",
                "\u{201c}No content\u{201d} slide",
                hours(t.fallback_seconds),
            ),
            (
                "Màn hình không bật được",
                "Display failed to power on",
                hours(t.display_dark_seconds),
            ),
            (
                "Giờ mất do sự cố",
                "Hours lost to downtime",
                format!(
                    "{} ({} sự cố / incidents)",
                    hours(t.downtime_seconds),
                    t.incidents
                ),
            ),
            (
                "Giờ tắt theo lệnh khẩn cấp",
                "Hours off by override",
                format!(
                    "{} ({} lệnh / overrides)",
                    hours(t.override_off_seconds),
                    t.overrides
                ),
            ),
            (
                "Sự kiện an ninh",
                "Security events",
                t.security_events.to_string(),
            ),
            ("Lượt phát", "Plays", t.plays.to_string()),
            (
                "Khởi động lại bất thường",
                "Unclean restarts",
                self.journal.unclean_starts.to_string(),
            ),
        ];
        h.push_str("<table>\n");
        for (vi, en, value) in rows {
            let _ = writeln!(
                h,
                "<tr><th>{vi} <span>/ {en}</span></th><td class=\"n\">{value}</td></tr>"
            );
        }
        h.push_str("</table>\n");
    }

    /// Per day for a month (or up to 62 dates); per month for longer (365
    /// rows would not help anyone).
    fn chart_rows(&self) -> Vec<Row> {
        let per_day = match self.period {
            Period::Month(_) => true,
            Period::Year(_) => false,
            Period::Dates { .. } => self.period.days().len() <= 62,
        };
        match per_day {
            true => (self.days.iter())
                .map(|d| Row {
                    bar: d.date.format("%d").to_string(),
                    label: d.date.to_string(),
                    day: d.clone(),
                })
                .collect(),
            false => (self.period.months().into_iter())
                .map(|m| {
                    let days = self.days.iter().filter(|d| Month::of_date(d.date) == m);
                    Row {
                        bar: format!("T{}", m.month()),
                        label: m.to_string(),
                        day: sum_rows(days, m.first_day()),
                    }
                })
                .collect(),
        }
    }

    fn total_row(&self) -> DayRow {
        sum_rows(self.days.iter(), self.period.first_day())
    }
}

fn sum_rows<'a>(rows: impl Iterator<Item = &'a DayRow>, date: chrono::NaiveDate) -> DayRow {
    let mut sum = DayRow {
        date,
        required_seconds: 0,
        scheduled_seconds: 0,
        shown_seconds: 0,
        shown_outside_hours_seconds: 0,
        counted_seconds: 0,
        missing_seconds: 0,
        closed_by_schedule_seconds: 0,
        fallback_seconds: 0,
        display_dark_seconds: 0,
        downtime_seconds: 0,
        override_off_seconds: 0,
        plays: 0,
        compliance_percent: None,
        schedule_compliance_percent: None,
    };
    for d in rows {
        sum.required_seconds += d.required_seconds;
        sum.scheduled_seconds += d.scheduled_seconds;
        sum.shown_seconds += d.shown_seconds;
        sum.shown_outside_hours_seconds += d.shown_outside_hours_seconds;
        sum.counted_seconds += d.counted_seconds;
        sum.missing_seconds += d.missing_seconds;
        sum.closed_by_schedule_seconds += d.closed_by_schedule_seconds;
        sum.fallback_seconds += d.fallback_seconds;
        sum.display_dark_seconds += d.display_dark_seconds;
        sum.downtime_seconds += d.downtime_seconds;
        sum.override_off_seconds += d.override_off_seconds;
        sum.plays += d.plays;
    }
    sum.compliance_percent = percent(sum.counted_seconds, sum.required_seconds);
    sum.schedule_compliance_percent = percent(sum.shown_seconds, sum.scheduled_seconds);
    sum
}

/// The day (or month) table: the legal hours first, then what made the
/// difference.
fn table_of_rows(h: &mut String, rows: &[Row], total: &DayRow) {
    h.push_str(
        "<table>\n<thead><tr><th>Ngày <span>/ Date</span></th><th class=\"n\">Yêu cầu <span>/ Required h</span></th>\
         <th class=\"n\">Theo lịch <span>/ Scheduled h</span></th>\
         <th class=\"n\">Đã phát <span>/ Shown h</span></th><th class=\"n\">Ngoài giờ <span>/ Outside h</span></th>\
         <th class=\"n\">Thiếu <span>/ Missing h</span></th><th class=\"n\">Tỷ lệ <span>/ Compliance</span></th>\
         <th class=\"n\">Không có nội dung <span>/ No content h</span></th>\
         <th class=\"n\">Màn hình tắt <span>/ Display dark h</span></th><th class=\"n\">Sự cố <span>/ Downtime h</span></th>\
         <th class=\"n\">Lệnh tắt <span>/ Override off h</span></th><th class=\"n\">Lượt <span>/ Plays</span></th></tr></thead>\n<tbody>\n",
    );
    let mut row = |label: &str, d: &DayRow, class: &str| {
        let short = if d.missing_seconds > 0 { " short" } else { "" };
        let _ = writeln!(
            h,
            "<tr{class}><td>{label}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n{short}\">{}</td><td class=\"n{short}\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            hours(d.required_seconds),
            hours(d.scheduled_seconds),
            hours(d.shown_seconds),
            hours(d.shown_outside_hours_seconds),
            hours(d.missing_seconds),
            pct(d.compliance_percent),
            hours(d.fallback_seconds),
            hours(d.display_dark_seconds),
            hours(d.downtime_seconds),
            hours(d.override_off_seconds),
            d.plays,
        );
    };
    for r in rows {
        row(&r.label, &r.day, "");
    }
    row("Tổng / Total", total, " class=\"total\"");
    h.push_str("</tbody>\n</table>\n");
}

pub(crate) fn period_name(period: Period) -> String {
    match period {
        Period::Month(m) => format!("tháng {}/{} · month", m.month(), m.year()),
        Period::Year(y) => format!("năm {y} · year"),
        Period::Dates { from, to } => format!("từ {from} đến {to} · from {from} to {to}"),
    }
}

fn pct(value: Option<f64>) -> String {
    value.map_or("–".into(), |p| format!("{p:.1} %"))
}

#[cfg(test)]
mod tests {
    use super::super::build_report;
    use super::super::fixture::{after, november, november_report, schedule};
    use super::*;

    #[test]
    fn html_is_self_contained_and_says_what_happened() {
        let report = november_report();
        let html = report.to_html();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<h1>Báo cáo hoạt động Cụm Thông tin cơ sở</h1>"));
        assert!(html.contains("Operating report of the information screens"));
        assert!(html.contains("@page { size: A4;"));
        assert!(!html.contains("<script"), "no JavaScript");
        // No network: the only URL is the SVG namespace, which is never fetched.
        let urls = html.matches("http").count();
        assert_eq!(urls, html.matches("http://www.w3.org/2000/svg").count());
        assert_eq!(html.matches("<svg").count(), 1);
        assert_eq!(
            html.matches("fill=\"#2f6fb0\"/>").count(),
            30 + 1,
            "a bar per day and the legend"
        );
        // Required, scheduled, shown, outside, missing.
        assert!(html.contains(
            "<td>2026-11-05</td><td class=\"n\">8.00</td><td class=\"n\">8.00</td><td class=\"n\">7.50</td>\
             <td class=\"n\">0.00</td><td class=\"n short\">0.50</td>"
        ));
        assert!(html.contains("94.4 %"), "against the legal hours");
        assert!(html.contains("97.6 %"), "against the schedule");
        assert!(html.contains("Mất điện hoặc lỗi phần mềm / power loss or crash"));
        assert!(html.contains("Bộ đội Biên phòng"));
        assert!(html.contains("Sở TT&amp;TT"), "escaped");
    }

    #[test]
    fn a_year_is_charted_per_month() {
        let report = build_report(
            &november().lines,
            &schedule(),
            Period::Year(2026),
            "tb-1",
            after(),
        );
        let html = report.to_html();
        assert_eq!(html.matches("fill=\"#2f6fb0\"/>").count(), 12 + 1);
        assert!(
            html.contains("<td>2026-11</td><td class=\"n\">240.00</td><td class=\"n\">232.00</td>")
        );
        assert!(html.contains("năm 2026"));
    }
}
