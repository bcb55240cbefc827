//! The report for the province as CSV: UTF-8 with a BOM (so Excel reads
//! Vietnamese), one section per table separated by an empty line, as the
//! single-kiosk report writes them (its record writer is reused).

use super::{FleetReport, FleetTotals};
use crate::report::{csv_record as record, csv_section as section, hours, local_minute};

impl FleetReport {
    /// Sections: per kiosk with a TOTAL row, shown time per language, the
    /// journals' problems, incidents, overrides, weekdays without an update,
    /// security events, inspections and backups. Times on the schedule's clock.
    pub fn to_csv(&self) -> String {
        let tz = self.timezone.parse().unwrap_or(chrono_tz::UTC);
        let at = |t| local_minute(tz, t);
        let mut out = String::from('\u{feff}');
        record(
            &mut out,
            [
                "Báo cáo hoạt động các màn hình thông tin cơ sở / Report of the information screens",
                &self.period.to_string(),
                &self.timezone,
                &at(self.as_of),
            ],
        );

        section(
            &mut out,
            "Theo màn hình / Per kiosk",
            &[
                "kiosk",
                "journal",
                "required_hours",
                "shown_hours",
                "compliance_percent",
                "incidents",
                "incident_minutes",
                "overrides",
                "override_minutes",
                "days_with_new_content",
                "weekdays_without_update",
                "security_events",
                "inspections",
                "inspections_failed",
                "backups_verified",
                "backups_failed",
            ],
        );
        for k in &self.kiosks {
            figures_record(&mut out, &k.kiosk_id, k.verdict().english(), &k.figures());
        }
        figures_record(&mut out, "TOTAL", "", &self.total);

        section(
            &mut out,
            "Theo ngôn ngữ / Shown per language",
            &["kiosk", "language", "hours", "seconds"],
        );
        let kiosks = self
            .kiosks
            .iter()
            .map(|k| (k.kiosk_id.as_str(), k.figures()));
        for (kiosk, figures) in kiosks.chain([("TOTAL", self.total.clone())]) {
            for (language, seconds) in &figures.languages {
                let seconds = *seconds as i64;
                record(
                    &mut out,
                    [kiosk, language, &hours(seconds), &seconds.to_string()],
                );
            }
        }

        section(
            &mut out,
            "Nhật ký / Journal problems",
            &["kiosk", "problem"],
        );
        for k in &self.kiosks {
            for problem in &k.problems {
                record(&mut out, [&k.kiosk_id, problem]);
            }
        }

        let head = ["kiosk", "from", "to", "minutes_lost", "cause"];
        section(&mut out, "Sự cố / Downtime incidents", &head);
        for (k, r) in self.reports() {
            for i in &r.incidents {
                let minutes = i.minutes_lost.to_string();
                record(&mut out, [k, &at(i.from), &at(i.to), &minutes, &i.cause]);
            }
        }

        let head = [
            "kiosk",
            "action",
            "from",
            "to",
            "minutes",
            "by",
            "requested_by",
            "signer",
            "reason",
            "ended",
        ];
        section(&mut out, "Lệnh khẩn cấp / Overrides", &head);
        for (k, r) in self.reports() {
            for o in &r.overrides {
                record(
                    &mut out,
                    [
                        k,
                        &o.action,
                        &at(o.set_at),
                        &o.ended_at.map_or(String::new(), at),
                        &o.minutes.map_or(String::new(), |m| m.to_string()),
                        &o.by,
                        &o.requested_by,
                        &o.signer,
                        &o.reason,
                        o.ended_how.as_deref().unwrap_or_default(),
                    ],
                );
            }
        }

        section(
            &mut out,
            "Ngày làm việc không cập nhật / Weekdays without a content update",
            &["kiosk", "date"],
        );
        for k in &self.kiosks {
            for date in &k.weekdays_without_update {
                record(&mut out, [&k.kiosk_id, &date.to_string()]);
            }
        }

        let head = ["kiosk", "time", "kind", "detail"];
        section(&mut out, "An ninh / Security events", &head);
        for (k, r) in self.reports() {
            for e in &r.security.events {
                record(&mut out, [k, &at(e.time), &e.kind, &e.reason]);
            }
        }

        let head = ["kiosk", "time", "by", "verdict", "failed", "warned"];
        section(&mut out, "Kiểm tra / Inspections", &head);
        for (k, r) in self.reports() {
            for i in &r.inspections {
                let (failed, warned) = (i.failed.join(" "), i.warned.join(" "));
                record(
                    &mut out,
                    [k, &at(i.time), &i.by, &i.verdict, &failed, &warned],
                );
            }
        }

        let head = ["kiosk", "month", "time", "verified", "archive_or_error"];
        section(&mut out, "Sao lưu / Backups", &head);
        for k in &self.kiosks {
            for b in &k.backups {
                let verified = if b.verified { "yes" } else { "FAILED" };
                record(
                    &mut out,
                    [&k.kiosk_id, &b.month, &at(b.time), verified, &b.detail],
                );
            }
        }
        out
    }

    /// Each kiosk that has a report, with its id.
    fn reports(&self) -> impl Iterator<Item = (&str, &crate::report::Report)> {
        (self.kiosks.iter()).filter_map(|k| Some((k.kiosk_id.as_str(), k.report.as_ref()?)))
    }
}

fn figures_record(out: &mut String, kiosk: &str, journal: &str, f: &FleetTotals) {
    record(
        out,
        [
            kiosk.to_owned(),
            journal.to_owned(),
            hours(f.required_seconds),
            hours(f.shown_seconds),
            f.compliance_percent
                .map_or(String::new(), |p| format!("{p:.1}")),
            f.incidents.to_string(),
            f.incident_minutes.to_string(),
            f.overrides.to_string(),
            f.override_minutes.to_string(),
            f.update_days.to_string(),
            f.weekdays_without_update.to_string(),
            f.security_events.to_string(),
            f.inspections.to_string(),
            f.inspections_failed.to_string(),
            f.backups_verified.to_string(),
            f.backups_failed.to_string(),
        ],
    );
}
