//! The fleet as one self-contained HTML page (no script, no network: the
//! screenshots inlined as `data:` URIs, the month's hours as inline SVG) and
//! as plain text for a terminal.

use std::fmt::Write;

use chrono_tz::Tz;

use super::{AlertKind, Fleet, KioskRow, OfficeRelease};
use crate::report::{escape_html as escape, local_minute as local};

pub(super) fn page(fleet: &Fleet, tz: Tz, refresh_seconds: Option<u32>) -> String {
    let mut html = String::with_capacity(64 * 1024);
    html.push_str("<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\n");
    if let Some(seconds) = refresh_seconds {
        let _ = writeln!(html, "<meta http-equiv=\"refresh\" content=\"{seconds}\">");
    }
    let _ = writeln!(
        html,
        "<title>Cụm thông tin cơ sở / Kiosks — {}</title>",
        local(tz, fleet.as_of)
    );
    html.push_str(
        "<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse}\
         td,th{border:1px solid #999;padding:4px 6px;vertical-align:top;font-size:13px}\
         tr.ok td.state{background:#b7e4b0}tr.closed td.state{background:#d0d0d0}\
         tr.alert td.state{background:#f4a4a4}.small{color:#555;font-size:11px}\
         img{width:160px}ul{margin:0;padding-left:1.2em}ul.alerts{margin-bottom:1em}\
         .t{white-space:nowrap}</style></head><body>\n",
    );
    let _ = writeln!(
        html,
        "<h1>Các màn hình / Every kiosk</h1><p>{} ({}) — {} kiosk(s), {} alert(s)</p>",
        local(tz, fleet.as_of),
        tz,
        fleet.kiosks.len(),
        fleet.alerts.len()
    );
    if let Some(release) = &fleet.release {
        release_line(&mut html, release, tz);
    }
    if !fleet.alerts.is_empty() {
        html.push_str("<h2>Cảnh báo / Alerts</h2><ul class=\"alerts\">\n");
        for alert in &fleet.alerts {
            let since = alert.since.map(|t| format!(" (since {})", local(tz, t)));
            let _ = writeln!(
                html,
                "<li><b>{}</b> {}: {}{}</li>",
                escape(&alert.kiosk_id),
                kind_text(alert.kind),
                escape(&alert.reason),
                since.unwrap_or_default()
            );
        }
        html.push_str("</ul>\n");
    }
    html.push_str(
        "<table><tr><th>Kiosk</th><th>Trạng thái / State</th><th>Đang chiếu / On screen</th>\
         <th>Heartbeat</th><th>Nội dung / Content</th><th>Tháng này / This month</th><th>An ninh hôm nay / Security today</th>\
         <th>Sao lưu / Backup</th><th>Đĩa / Disk</th><th>Ảnh màn hình / Screen</th></tr>\n",
    );
    for row in &fleet.kiosks {
        kiosk_row(&mut html, fleet, row, tz);
    }
    html.push_str("</table></body></html>\n");
    html
}

fn kiosk_row(html: &mut String, fleet: &Fleet, row: &KioskRow, tz: Tz) {
    let alerted = fleet.alerts.iter().any(|a| a.kiosk_id == row.kiosk_id);
    let class = match (alerted, row.screen) {
        (true, _) => "alert",
        (false, Some(s)) if s.is_open() => "ok",
        _ => "closed",
    };
    let _ = write!(
        html,
        "<tr class=\"{class}\" id=\"kiosk-{0}\"><td><b>{0}</b>",
        escape(&row.kiosk_id)
    );
    for problem in &row.problems {
        let _ = write!(html, "<div class=\"small\">{}</div>", escape(problem));
    }
    let state = row.screen.map_or("?".to_owned(), |s| s.to_string());
    let _ = write!(
        html,
        "</td><td class=\"state\">{}<div class=\"small\">{}</div></td><td>{}</td>",
        state,
        escape(row.screen_reason.as_deref().unwrap_or_default()),
        escape(row.now_showing.as_deref().unwrap_or("—"))
    );
    let heartbeat = match (row.last_heartbeat, row.heartbeat_age_seconds) {
        (Some(t), Some(age)) => format!(
            "<span class=\"t\">{}</span><div class=\"small\">{} min ago</div>",
            local(tz, t),
            age / 60
        ),
        _ => "—".into(),
    };
    let _ = write!(html, "<td>{heartbeat}");
    if let Some(inspection) = &row.last_inspection {
        let _ = write!(
            html,
            "<div class=\"small\">inspection: {}</div>",
            escape(inspection)
        );
    }
    html.push_str("</td><td>");
    content_cell(html, row, tz);
    html.push_str("</td><td>");
    match &row.month {
        Some(m) => {
            let percent = m
                .compliance_percent
                .map_or("—".to_owned(), |p| format!("{p:.1} %"));
            let _ = write!(
                html,
                "{percent}<div class=\"small\">{:.1} / {:.1} h, {} downtime incident(s)</div>{}",
                m.shown_seconds as f64 / 3600.0,
                m.required_seconds as f64 / 3600.0,
                m.downtime_incidents,
                chart(&m.days)
            );
        }
        None => html.push('—'),
    }
    html.push_str("</td><td>");
    match row.security_today.is_empty() {
        true => html.push('—'),
        false => {
            html.push_str("<ul>");
            for event in &row.security_today {
                let _ = write!(
                    html,
                    "<li>{} {}</li>",
                    local(tz, event.time),
                    escape(&event.what)
                );
            }
            html.push_str("</ul>");
        }
    }
    html.push_str("</td><td>");
    match &row.last_backup {
        Some(b) => {
            let _ = write!(
                html,
                "{} ({})<div class=\"small\">{}</div>",
                escape(&b.month),
                local(tz, b.time),
                escape(&b.detail)
            );
        }
        None => html.push('—'),
    }
    if let Some(f) = &row.backup_failure {
        let _ = write!(
            html,
            "<div>failed {}: {}</div>",
            local(tz, f.time),
            escape(&f.detail)
        );
    }
    html.push_str("</td><td>");
    match row.disk_free_bytes {
        Some(free) => {
            let _ = write!(
                html,
                "<span class=\"t\">{:.1} GiB</span> free",
                free as f64 / (1024.0 * 1024.0 * 1024.0)
            );
        }
        None => html.push('—'),
    }
    html.push_str("</td><td>");
    match &row.screenshot {
        Some(shot) => {
            let _ = write!(
                html,
                "<img alt=\"{}\" src=\"data:image/jpeg;base64,{}\"><div class=\"small\">{}</div>",
                escape(&row.kiosk_id),
                base64(&shot.jpeg),
                shot.time.map(|t| local(tz, t)).unwrap_or_default()
            );
        }
        None => html.push('—'),
    }
    html.push_str("</td></tr>\n");
}

/// The office's newest content release, or why it does not count.
fn release_line(html: &mut String, release: &OfficeRelease, tz: Tz) {
    let version = release.version.map_or("—".to_owned(), |v| format!("v{v}"));
    let said = match (release.verified, &release.signed_by, release.signed_at) {
        (true, Some(key), Some(at)) => format!("signed by key {key} at {}", local(tz, at)),
        (true, Some(key), None) => format!("signed by key {key}"),
        _ => format!(
            "not counted: {}",
            release.problem.as_deref().unwrap_or("not signed")
        ),
    };
    let _ = writeln!(
        html,
        "<p>Nội dung mới nhất / Newest content release: <b>{version}</b> <span class=\"small\">{}</span></p>",
        escape(&said)
    );
}

/// The release in force, and against the office's newest when known.
fn content_cell(html: &mut String, row: &KioskRow, tz: Tz) {
    let Some(in_force) = row.content_in_force else {
        html.push('—');
        if let Some(note) = &row.content_note {
            let _ = write!(html, "<div class=\"small\">{}</div>", escape(note));
        }
        return;
    };
    let version = in_force
        .version
        .map_or("unsigned".to_owned(), |v| format!("v{v}"));
    let _ = write!(
        html,
        "{version}<div class=\"small\">since <span class=\"t\">{}</span></div>",
        local(tz, in_force.since)
    );
    if let Some(note) = &row.content_note {
        let _ = write!(html, "<div class=\"small\">{}</div>", escape(note));
    }
}

/// Shown hours per day as bars, 8 h full height.
fn chart(days: &[(chrono::NaiveDate, i64)]) -> String {
    let (bar, height) = (4, 24.0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\">",
        days.len() * bar + 1
    );
    for (i, (date, shown)) in days.iter().enumerate() {
        let h = (*shown as f64 / (8.0 * 3600.0)).min(1.0) * height;
        let _ = write!(
            svg,
            "<rect x=\"{}\" y=\"{:.1}\" width=\"{}\" height=\"{h:.1}\" fill=\"#3a7\"><title>{date}: {:.1} h</title></rect>",
            i * bar,
            height - h,
            bar - 1,
            *shown as f64 / 3600.0
        );
    }
    svg.push_str("</svg>");
    svg
}

pub(super) fn text(fleet: &Fleet, tz: Tz) -> String {
    let mut out = String::new();
    for row in &fleet.kiosks {
        let state = row.screen.map_or("?".to_owned(), |s| s.to_string());
        let heartbeat = row.last_heartbeat.map_or("no heartbeat".to_owned(), |t| {
            format!("heartbeat {}", local(tz, t))
        });
        let compliance = row
            .month
            .as_ref()
            .and_then(|m| m.compliance_percent)
            .map_or(String::new(), |p| format!(", {p:.1} % this month"));
        let _ = writeln!(out, "{}: {state}, {heartbeat}{compliance}", row.kiosk_id);
        for problem in &row.problems {
            let _ = writeln!(out, "  {problem}");
        }
        if let Some(note) = &row.content_note {
            let version = row.content_in_force.map_or("?".to_owned(), |c| {
                c.version
                    .map_or("unsigned".to_owned(), |v| format!("version {v}"))
            });
            let _ = writeln!(out, "  content: {version}, {note}");
        }
    }
    for alert in &fleet.alerts {
        let _ = writeln!(
            out,
            "ALERT {} {}: {}",
            alert.kiosk_id,
            kind_text(alert.kind),
            alert.reason
        );
    }
    out
}

fn kind_text(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::StatusUnreadable => "status unreadable",
        AlertKind::Silent => "silent",
        AlertKind::OpenWhenClosed => "open when it should be closed",
        AlertKind::ClosedWhenOpen => "closed when it should be open",
        AlertKind::BackupMissing => "backup missing",
        AlertKind::BackupFailing => "backup failing",
        AlertKind::SecurityEvent => "security event",
        AlertKind::LowDisk => "low disk",
        AlertKind::ContentBehind => "content version behind",
    }
}

/// Standard base64 with padding, for `data:` URIs.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            match i <= chunk.len() {
                true => out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char),
                false => out.push('='),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_pads_as_the_standard_says() {
        assert_eq!(super::base64(b""), "");
        assert_eq!(super::base64(b"f"), "Zg==");
        assert_eq!(super::base64(b"fo"), "Zm8=");
        assert_eq!(super::base64(b"foo"), "Zm9v");
        assert_eq!(super::base64(b"foobar"), "Zm9vYmFy");
    }
}
