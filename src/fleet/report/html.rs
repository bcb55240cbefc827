//! The report for the province as one self-contained HTML page: Vietnamese
//! with an English line under each heading, A4 landscape when printed, no
//! script, no URL. The single-kiosk report's style and table helpers are reused.

use std::fmt::Write;

use super::{FleetReport, FleetTotals, JournalVerdict, KioskReport};
use crate::report::{
    HTML_STYLE, Period, cause_name, escape_html as esc, hours, language_name, local_minute,
    period_name, section, table,
};

/// Added to the single-kiosk report's style: a wider page for the wide tables.
const STYLE: &str = "
@page { size: A4 landscape; margin: 12mm 10mm; }
body { max-width: 277mm; }
th.n { white-space: normal; }
td.bad, span.bad { color: #b00; font-weight: bold; }
span.bad { display: block; font-size: 7.5pt; }
td.ok { color: #060; }
ul.problems { margin: 0; padding-left: 4mm; }
p.dates { font-size: 8pt; margin: 0; }
";

impl FleetReport {
    /// One self-contained HTML file (UTF-8).
    pub fn to_html(&self) -> String {
        let tz = self.timezone.parse().unwrap_or(chrono_tz::UTC);
        let at = |t| local_minute(tz, t);
        let mut h = String::with_capacity(256 * 1024);
        let title = "Báo cáo hoạt động các màn hình thông tin cơ sở";
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>{title} – {}</title>\n<style>{HTML_STYLE}{STYLE}</style>\n</head>\n<body>\n\
             <header>\n<h1>{title}</h1>\n<p class=\"en\">Report of the information screens to the province \
             (Art. 7.11): every kiosk and the total</p>\n\
             <p>Kỳ báo cáo / Period: <b>{}</b>{} · Số màn hình / Kiosks: <b>{}</b> · \
             Múi giờ / Time zone: {}{}</p>\n</header>\n",
            self.period,
            period_name(self.period),
            match self.period {
                // Its name says its dates already.
                Period::Dates { .. } => String::new(),
                p => format!(" ({} – {})", p.first_day(), p.last_day()),
            },
            self.kiosks.len(),
            esc(&self.timezone),
            match self.complete {
                true => String::new(),
                false => format!(
                    " · <b>Tính đến / As of {}</b> (kỳ chưa kết thúc / period not over)",
                    at(self.as_of)
                ),
            },
        );
        self.reliability(&mut h);
        self.per_kiosk(&mut h);
        self.languages(&mut h);

        section(&mut h, "Sự cố ngừng hoạt động", "Downtime incidents");
        let rows = self.each(|k, r| {
            (r.incidents.iter())
                .map(|i| {
                    vec![
                        k.kiosk_id.clone(),
                        at(i.from),
                        at(i.to),
                        i.minutes_lost.to_string(),
                        cause_name(&i.cause).into(),
                    ]
                })
                .collect()
        });
        let head = [
            ("Màn hình", "Kiosk"),
            ("Từ", "From"),
            ("Đến", "To"),
            ("Phút mất", "Minutes lost"),
            ("Nguyên nhân", "Cause"),
        ];
        table(&mut h, &head, rows.into_iter());

        section(&mut h, "Lệnh tắt/bật khẩn cấp", "Emergency overrides");
        let rows = self.each(|k, r| {
            (r.overrides.iter())
                .map(|o| {
                    let mut by = o.by.clone();
                    if !o.requested_by.is_empty() {
                        by.push_str(&format!(
                            "; theo yêu cầu / requested by: {}",
                            o.requested_by
                        ));
                    }
                    if !o.signer.is_empty() {
                        by.push_str(&format!("; ký / signed: {}", o.signer));
                    }
                    vec![
                        k.kiosk_id.clone(),
                        o.action.clone(),
                        at(o.set_at),
                        o.ended_at.map_or("đang hiệu lực / in force".into(), at),
                        o.minutes.map_or(String::new(), |m| m.to_string()),
                        by,
                        o.reason.clone(),
                    ]
                })
                .collect()
        });
        let head = [
            ("Màn hình", "Kiosk"),
            ("Lệnh", "Action"),
            ("Từ", "From"),
            ("Đến", "To"),
            ("Phút", "Minutes"),
            ("Người ra lệnh", "Ordered by"),
            ("Lý do", "Reason"),
        ];
        table(&mut h, &head, rows.into_iter());

        self.content_updates(&mut h);

        section(&mut h, "Sự kiện an ninh", "Security events");
        let rows = self.each(|k, r| {
            (r.security.events.iter())
                .map(|e| {
                    vec![
                        k.kiosk_id.clone(),
                        at(e.time),
                        e.kind.clone(),
                        e.reason.clone(),
                    ]
                })
                .collect()
        });
        let head = [
            ("Màn hình", "Kiosk"),
            ("Thời gian", "Time"),
            ("Loại", "Kind"),
            ("Chi tiết", "Detail"),
        ];
        table(&mut h, &head, rows.into_iter());

        section(&mut h, "Kiểm tra định kỳ và đột xuất", "Inspections");
        let rows = self.each(|k, r| {
            let count = |v: &str| r.inspections.iter().filter(|i| i.verdict == v).count();
            let failed: Vec<String> = (r.inspections.iter())
                .filter(|i| i.verdict == "FAIL")
                .map(|i| format!("{} ({}): {}", at(i.time), i.by, i.failed.join(", ")))
                .collect();
            vec![vec![
                k.kiosk_id.clone(),
                r.inspections.len().to_string(),
                count("PASS").to_string(),
                count("WARN").to_string(),
                count("FAIL").to_string(),
                r.inspections.last().map_or(String::new(), |i| at(i.time)),
                failed.join("; "),
            ]]
        });
        let head = [
            ("Màn hình", "Kiosk"),
            ("Số lần", "Runs"),
            ("Đạt", "PASS"),
            ("Cảnh báo", "WARN"),
            ("Lỗi", "FAIL"),
            ("Lần cuối", "Last"),
            ("Lần lỗi", "Failed runs"),
        ];
        table(&mut h, &head, rows.into_iter());

        section(&mut h, "Sao lưu hằng tháng", "Monthly backups");
        let rows: Vec<Vec<String>> = (self.kiosks.iter())
            .flat_map(|k| {
                k.backups.iter().map(|b| {
                    let verdict = match b.verified {
                        true => "đã xác minh / verified",
                        false => "LỖI / FAILED",
                    };
                    vec![
                        k.kiosk_id.clone(),
                        b.month.clone(),
                        at(b.time),
                        verdict.into(),
                        b.detail.clone(),
                    ]
                })
            })
            .collect();
        let head = [
            ("Màn hình", "Kiosk"),
            ("Tháng", "Month"),
            ("Lúc", "When"),
            ("Kết quả", "Result"),
            ("Tệp / lỗi", "Archive / error"),
        ];
        table(&mut h, &head, rows.into_iter());

        let _ = write!(
            h,
            "<footer>Lập từ bản sao nhật ký trong thư mục gửi về của từng màn hình / Compiled from \
             the journal copy in each kiosk's outbox, lập lúc / made {}. Giờ yêu cầu = 8 giờ mỗi ngày \
             theo quy định / required = the legal 8 h a day; giờ đã phát = nội dung trên màn hình, \
             tính vào giờ quy định / shown = content on screen, counted toward them. Ngày có nội dung \
             mới = thêm hoặc gỡ tệp, hoặc tệp được thay / a day with new content = a file added, \
             removed or replaced. Ngày làm việc = thứ Hai đến thứ Sáu, trừ ngày lịch đóng cửa / \
             weekdays = Monday to Friday, except days the schedule closes.</footer>\n</body>\n</html>\n",
            at(self.as_of)
        );
        h
    }

    /// Rows made from each kiosk that has a report, in kiosk order.
    fn each(
        &self,
        rows: impl Fn(&KioskReport, &crate::report::Report) -> Vec<Vec<String>>,
    ) -> Vec<Vec<String>> {
        (self.kiosks.iter())
            .flat_map(|k| k.report.as_ref().map(|r| rows(k, r)).unwrap_or_default())
            .collect()
    }

    /// First, and plainly: which journals are whole and verify.
    fn reliability(&self, h: &mut String) {
        section(
            h,
            "Độ tin cậy của nhật ký",
            "Whether each kiosk's journal can be relied on",
        );
        h.push_str(
            "<table>\n<thead><tr><th>Màn hình <span>/ Kiosk</span></th>\
             <th>Nhật ký <span>/ Journal</span></th><th>Chi tiết <span>/ Details</span></th></tr></thead>\n<tbody>\n",
        );
        for k in &self.kiosks {
            let verdict = k.verdict();
            let class = if verdict == JournalVerdict::Whole {
                "ok"
            } else {
                "bad"
            };
            let verdict = verdict.words();
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"{class}\">{verdict}</td><td>",
                esc(&k.kiosk_id)
            );
            if !k.problems.is_empty() {
                h.push_str("<ul class=\"problems\">");
                for p in &k.problems {
                    let _ = write!(h, "<li>{}</li>", esc(p));
                }
                h.push_str("</ul>");
            }
            h.push_str("</td></tr>\n");
        }
        h.push_str("</tbody>\n</table>\n");
    }

    fn per_kiosk(&self, h: &mut String) {
        section(
            h,
            "Giờ phát và công việc theo màn hình",
            "Hours and duties per kiosk",
        );
        h.push_str(
            "<table>\n<thead><tr><th>Màn hình <span>/ Kiosk</span></th>\
             <th class=\"n\">Giờ yêu cầu <span>/ Required h</span></th>\
             <th class=\"n\">Đã phát <span>/ Shown h</span></th>\
             <th class=\"n\">Tỷ lệ <span>/ Compliance</span></th>\
             <th class=\"n\">Sự cố <span>/ Incidents (min)</span></th>\
             <th class=\"n\">Lệnh khẩn cấp <span>/ Overrides (min)</span></th>\
             <th class=\"n\">Ngày có nội dung mới <span>/ Days with new content</span></th>\
             <th class=\"n\">Ngày làm việc không cập nhật <span>/ Weekdays without update</span></th>\
             <th class=\"n\">An ninh <span>/ Security events</span></th>\
             <th class=\"n\">Kiểm tra (lỗi) <span>/ Inspections (failed)</span></th>\
             <th class=\"n\">Sao lưu xác minh (lỗi) <span>/ Backups verified (failed)</span></th>\
             </tr></thead>\n<tbody>\n",
        );
        for k in &self.kiosks {
            let mark = match k.verdict() {
                JournalVerdict::Whole => String::new(),
                verdict => format!("<span class=\"bad\">{}</span>", verdict.words()),
            };
            let label = format!("{}{mark}", esc(&k.kiosk_id));
            figures_row(h, &label, &k.figures(), "");
        }
        figures_row(h, "Tổng / Total", &self.total, " class=\"total\"");
        h.push_str("</tbody>\n</table>\n");
    }

    fn languages(&self, h: &mut String) {
        section(
            h,
            "Thời lượng phát theo ngôn ngữ",
            "Shown time per language (hours)",
        );
        let codes: Vec<&String> = self.total.languages.keys().collect();
        if codes.is_empty() {
            h.push_str("<p class=\"none\">Không có / None.</p>\n");
            return;
        }
        h.push_str("<table>\n<thead><tr><th>Màn hình <span>/ Kiosk</span></th>");
        for code in &codes {
            let name = language_name(code);
            let (vi, en) = name.split_once(" / ").unwrap_or((name, ""));
            let _ = write!(
                h,
                "<th class=\"n\">{} <span>/ {}</span></th>",
                esc(vi),
                esc(en)
            );
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        let mut row = |label: &str, figures: &FleetTotals, class: &str| {
            let _ = write!(h, "<tr{class}><td>{}</td>", esc(label));
            for code in &codes {
                let seconds = figures.languages.get(*code).copied().unwrap_or(0);
                let _ = write!(h, "<td class=\"n\">{}</td>", hours(seconds as i64));
            }
            h.push_str("</tr>\n");
        };
        for k in &self.kiosks {
            row(&k.kiosk_id, &k.figures(), "");
        }
        row("Tổng / Total", &self.total, " class=\"total\"");
        h.push_str("</tbody>\n</table>\n");
    }

    fn content_updates(&self, h: &mut String) {
        section(
            h,
            "Cập nhật nội dung (Điều 7.2: cập nhật mỗi ngày làm việc)",
            "Content updates (Art. 7.2: an update every weekday)",
        );
        h.push_str(
            "<table>\n<thead><tr><th>Màn hình <span>/ Kiosk</span></th>\
             <th class=\"n\">Ngày có nội dung mới <span>/ Days with new content</span></th>\
             <th class=\"n\">Ngày làm việc không cập nhật <span>/ Weekdays without update</span></th>\
             <th>Những ngày đó <span>/ Those weekdays</span></th></tr></thead>\n<tbody>\n",
        );
        for k in &self.kiosks {
            let dates: Vec<String> = (k.weekdays_without_update.iter())
                .map(|d| d.format("%d/%m").to_string())
                .collect();
            let short = if dates.is_empty() { "" } else { " short" };
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n{short}\">{}</td>\
                 <td><p class=\"dates\">{}</p></td></tr>",
                esc(&k.kiosk_id),
                k.update_days.len(),
                dates.len(),
                dates.join(", ")
            );
        }
        let _ = writeln!(
            h,
            "<tr class=\"total\"><td>Tổng / Total</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td></td></tr>",
            self.total.update_days, self.total.weekdays_without_update
        );
        h.push_str("</tbody>\n</table>\n");
    }
}

/// One row of the per-kiosk table (`label` is HTML already).
fn figures_row(h: &mut String, label: &str, f: &FleetTotals, class: &str) {
    let short = if f.shown_seconds < f.required_seconds {
        " short"
    } else {
        ""
    };
    let _ = writeln!(
        h,
        "<tr{class}><td>{label}</td><td class=\"n\">{}</td><td class=\"n{short}\">{}</td>\
         <td class=\"n{short}\">{}</td><td class=\"n\">{} ({})</td><td class=\"n\">{} ({})</td>\
         <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
         <td class=\"n\">{} ({})</td><td class=\"n\">{} ({})</td></tr>",
        hours(f.required_seconds),
        hours(f.shown_seconds),
        f.compliance_percent
            .map_or("–".into(), |p| format!("{p:.1} %")),
        f.incidents,
        f.incident_minutes,
        f.overrides,
        f.override_minutes,
        f.update_days,
        f.weekdays_without_update,
        f.security_events,
        f.inspections,
        f.inspections_failed,
        f.backups_verified,
        f.backups_failed,
    );
}
