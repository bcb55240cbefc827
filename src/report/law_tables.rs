//! The HTML tables the law asks for besides the hours: closures (with whether
//! they were an ordered emergency) and security events (Art. 7.9b).

use std::fmt::Write;

use super::model::{ClosureSource, Report, hours, local_minute};
use super::tables::{section, table};

impl Report {
    /// Closures, then security events.
    pub(super) fn closure_and_security_tables(&self, h: &mut String) {
        let tz = self.tz;
        let at = |t| local_minute(tz, t);
        section(h, "Thời gian đóng màn hình", "Closures");
        let rows = self.closures.iter().map(|c| {
            let source = match c.source {
                ClosureSource::Schedule => "lịch / schedule",
                ClosureSource::Override => "lệnh tắt / override off",
            };
            let ordered = match c.ordered_by.as_deref() {
                Some("border_guard") => "có: Bộ đội Biên phòng / yes: Border Guard",
                Some(_) => "có: Sở / yes: Department",
                None => "không / no",
            };
            vec![
                at(c.from),
                at(c.to),
                source.into(),
                hours(c.lost_seconds),
                c.note.clone(),
                c.by.clone(),
                ordered.into(),
            ]
        });
        let head = [
            ("Từ", "From"),
            ("Đến", "To"),
            ("Nguồn", "Source"),
            ("Giờ thiếu", "Hours missing"),
            ("Ghi chú / lý do", "Note / reason"),
            ("Người ra lệnh", "By"),
            ("Lệnh khẩn cấp", "Ordered emergency"),
        ];
        table(h, &head, rows);

        section(h, "Sự kiện an ninh", "Security events");
        let s = &self.security;
        if s.count > s.events.len() as u64 {
            let _ = writeln!(
                h,
                "<p>{} sự kiện, {} sự kiện đầu được liệt kê / {} events, the first {} listed.</p>",
                s.count,
                s.events.len(),
                s.count,
                s.events.len()
            );
        }
        let rows = (s.events.iter()).map(|e| vec![at(e.time), e.kind.clone(), e.reason.clone()]);
        let head = [("Thời gian", "Time"), ("Loại", "Kind"), ("Lý do", "Reason")];
        table(h, &head, rows);
    }
}
