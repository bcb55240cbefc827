//! The HTML tables of what happened: incidents, overrides, plays by language and
//! by item, content changes, rejected files, display failures and inspections.

use std::fmt::Write;

use super::model::{Report, local_minute};

impl Report {
    /// Incidents, overrides, plays, content changes, rejected files, display failures.
    pub(super) fn event_tables(&self, h: &mut String) {
        let tz = self.tz;
        let at = |t| local_minute(tz, t);
        section(h, "Sự cố ngừng hoạt động", "Downtime incidents");
        let rows = self.incidents.iter().map(|i| {
            vec![
                at(i.from),
                at(i.to),
                i.minutes_lost.to_string(),
                cause_name(&i.cause).into(),
            ]
        });
        table(
            h,
            &[
                ("Từ", "From"),
                ("Đến", "To"),
                ("Phút mất", "Minutes lost"),
                ("Nguyên nhân", "Cause"),
            ],
            rows,
        );

        section(h, "Lệnh tắt/bật khẩn cấp", "Emergency overrides");
        let rows = self.overrides.iter().map(|o| {
            vec![
                o.action.clone(),
                at(o.set_at),
                o.ended_at.map_or("đang hiệu lực / in force".into(), at),
                o.minutes.map_or(String::new(), |m| m.to_string()),
                by_whom(o),
                o.reason.clone(),
                o.ended_how.clone().unwrap_or_default(),
            ]
        });
        let head = [
            ("Lệnh", "Action"),
            ("Từ", "From"),
            ("Đến", "To"),
            ("Phút", "Minutes"),
            ("Người ra lệnh", "By"),
            ("Lý do", "Reason"),
            ("Kết thúc", "Ended"),
        ];
        table(h, &head, rows);

        section(h, "Lượt phát theo ngôn ngữ", "Plays by language");
        let rows = self.languages.iter().map(|l| {
            vec![
                language_name(&l.language).into(),
                l.plays.to_string(),
                l.seconds.to_string(),
            ]
        });
        table(
            h,
            &[
                ("Ngôn ngữ", "Language"),
                ("Lượt", "Plays"),
                ("Giây", "Seconds"),
            ],
            rows,
        );

        section(h, "Lượt phát theo nội dung", "Plays by item");
        let rows = self.items.iter().map(|i| {
            vec![
                i.item.clone(),
                i.kind.clone(),
                i.language.clone(),
                i.plays.to_string(),
                i.seconds.to_string(),
            ]
        });
        let head = [
            ("Tệp", "File"),
            ("Loại", "Kind"),
            ("Ngôn ngữ", "Language"),
            ("Lượt", "Plays"),
            ("Giây", "Seconds"),
        ];
        table(h, &head, rows);

        section(h, "Thay đổi nội dung", "Content changes");
        let rows = self.content_changes.iter().map(|c| {
            let change = if c.change == "added" {
                "thêm / added"
            } else {
                "gỡ / removed"
            };
            vec![at(c.time), change.into(), c.item.clone()]
        });
        table(
            h,
            &[
                ("Thời gian", "Time"),
                ("Thay đổi", "Change"),
                ("Tệp", "File"),
            ],
            rows,
        );

        section(h, "Tệp bị từ chối", "Rejected files");
        let rows = self.rejected.iter().map(|r| {
            vec![
                r.item.clone(),
                r.stage.clone(),
                r.reason.clone(),
                r.count.to_string(),
                at(r.first),
                at(r.last),
            ]
        });
        let head = [
            ("Tệp", "File"),
            ("Bước", "Stage"),
            ("Lý do", "Reason"),
            ("Lần", "Times"),
            ("Lần đầu", "First"),
            ("Lần cuối", "Last"),
        ];
        table(h, &head, rows);

        section(h, "Lỗi điều khiển màn hình", "Display command failures");
        let rows = (self.display_failures.iter())
            .map(|d| vec![at(d.time), d.action.clone(), d.error.clone()]);
        table(
            h,
            &[("Thời gian", "Time"), ("Lệnh", "Action"), ("Lỗi", "Error")],
            rows,
        );

        section(h, "Kiểm tra định kỳ và đột xuất", "Inspections");
        let rows = self.inspections.iter().map(|i| {
            vec![
                at(i.time),
                i.by.clone(),
                i.verdict.clone(),
                i.failed.join(", "),
                i.warned.join(", "),
            ]
        });
        let head = [
            ("Thời gian", "Time"),
            ("Người kiểm tra", "By"),
            ("Kết quả", "Verdict"),
            ("Lỗi", "Failed"),
            ("Cảnh báo", "Warnings"),
        ];
        table(h, &head, rows);
    }
}

pub(crate) fn section(h: &mut String, vi: &str, en: &str) {
    let _ = writeln!(h, "<h2>{vi} <span>/ {en}</span></h2>");
}

pub(crate) fn table(
    h: &mut String,
    head: &[(&str, &str)],
    rows: impl Iterator<Item = Vec<String>>,
) {
    let mut body = String::new();
    for row in rows {
        body.push_str("<tr>");
        for cell in row {
            let number = !cell.is_empty() && cell.bytes().all(|b| b.is_ascii_digit());
            let class = if number { " class=\"n\"" } else { "" };
            let _ = write!(body, "<td{class}>{}</td>", esc(&cell));
        }
        body.push_str("</tr>\n");
    }
    if body.is_empty() {
        h.push_str("<p class=\"none\">Không có / None.</p>\n");
        return;
    }
    h.push_str("<table>\n<thead><tr>");
    for (vi, en) in head {
        let _ = write!(h, "<th>{vi} <span>/ {en}</span></th>");
    }
    let _ = write!(h, "</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n");
}

pub(crate) fn language_name(code: &str) -> &str {
    match code {
        "vi" => "Tiếng Việt / Vietnamese",
        "en" => "Tiếng Anh / English",
        "km" => "Tiếng Khmer / Khmer",
        "" | "neutral" => "Không theo ngôn ngữ / Language-neutral",
        other => other,
    }
}

pub(crate) fn cause_name(cause: &str) -> &str {
    match cause {
        "power_loss_or_crash" => "Mất điện hoặc lỗi phần mềm / power loss or crash",
        "shutdown" => "Tắt máy / shutdown",
        other => other,
    }
}

/// `text` made safe inside HTML (text and attribute values).
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Who ordered an override, at whose request, signed by whom: one cell.
fn by_whom(o: &super::model::OverrideRow) -> String {
    let mut cell = o.by.clone();
    if !o.requested_by.is_empty() {
        cell.push_str(&format!(
            "; theo yêu cầu / requested by: {}",
            o.requested_by
        ));
    }
    if !o.signer.is_empty() {
        cell.push_str(&format!("; ký / signed: {}", o.signer));
    }
    cell
}

#[cfg(test)]
pub(super) mod tests {
    use std::collections::BTreeMap;

    use super::super::fixture::{after, november, schedule};
    use super::super::{Period, build_report};
    use crate::journal::Event;

    pub(crate) fn inspection(by: &str, checks: &[(&str, &str)]) -> Event {
        let checks: BTreeMap<String, String> = checks
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        let verdict = ["FAIL", "WARN", "PASS"]
            .into_iter()
            .find(|v| checks.values().any(|c| c == v))
            .unwrap_or("PASS");
        Event::Inspection {
            by: by.into(),
            verdict: verdict.into(),
            checks,
            ran: "2026-11-07T12:00:00Z".into(),
        }
    }

    #[test]
    fn the_report_lists_every_inspection_with_what_failed() {
        let mut j = november();
        j.local(
            "2026-11-07 19:00",
            inspection("daily", &[("config", "PASS"), ("backup", "WARN")]),
        );
        j.local(
            "2026-11-08 09:00",
            inspection("Lan (technician)", &[("videos", "FAIL"), ("disk", "WARN")]),
        );
        // Outside the month: not listed.
        j.local("2026-12-01 09:00", inspection("cli", &[("config", "PASS")]));
        let period: Period = "2026-11".parse().unwrap();
        let report = build_report(&j.lines, &schedule(), period, "tb-1", after());
        let rows = &report.inspections;
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].by.as_str(), rows[0].verdict.as_str()),
            ("daily", "WARN")
        );
        assert_eq!(rows[0].warned, ["backup"]);
        assert_eq!(rows[1].failed, ["videos"]);
        let html = report.to_html();
        assert!(html.contains("Inspections"), "a section of its own");
        assert!(html.contains("<td>Lan (technician)</td><td>FAIL</td><td>videos</td>"));
        assert!(
            report
                .to_csv()
                .contains("Lan (technician),FAIL,videos,disk")
        );
    }
}
