//! The bar chart of shown hours, as inline SVG (no script, no external URL).

use std::fmt::Write;

use super::model::DayRow;

/// One bar: its label under the bar, its label in the table, and its figures.
pub(crate) struct Row {
    pub bar: String,
    pub label: String,
    pub day: DayRow,
}

/// A bar per row: shown in required hours, stacked with shown outside them, and a
/// tick at the required hours.
pub(crate) fn chart(rows: &[Row]) -> String {
    let (width, height, left, top, bottom) = (700.0, 250.0, 40.0, 12.0, 48.0);
    let plot_w = width - left - 8.0;
    let plot_h = height - top - bottom;
    let h = |s: i64| s as f64 / 3600.0;
    let most = rows.iter().fold(1.0_f64, |m, Row { day: d, .. }| {
        m.max(h(d.shown_seconds + d.shown_outside_hours_seconds))
            .max(h(d.required_seconds))
    });
    let step = [
        1.0, 2.0, 4.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 500.0,
    ]
    .into_iter()
    .find(|s| most / s <= 6.0)
    .unwrap_or(1000.0);
    let scale_top = (most / step).ceil() * step;
    let y = |hours: f64| top + plot_h - hours / scale_top * plot_h;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         font-family=\"Noto Sans, DejaVu Sans, Arial, sans-serif\" font-size=\"9\">\n\
         <title>Giờ đã phát / Hours shown</title>\n"
    );
    let mut tick = 0.0;
    while tick <= scale_top + 1e-9 {
        let _ = writeln!(
            s,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{tick}</text>",
            width - 8.0,
            left - 4.0,
            y(tick) + 3.0,
            y = y(tick),
        );
        tick += step;
    }
    let slot = plot_w / rows.len().max(1) as f64;
    for (
        i,
        Row {
            bar: label, day: d, ..
        },
    ) in rows.iter().enumerate()
    {
        let x = left + slot * i as f64 + slot * 0.15;
        let w = slot * 0.7;
        let (inside, outside) = (h(d.shown_seconds), h(d.shown_outside_hours_seconds));
        let _ = writeln!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"#2f6fb0\"/>\
             <rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"#9cc3e6\"/>\
             <line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{ry:.1}\" y2=\"{ry:.1}\" stroke=\"#111\" stroke-width=\"1.5\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{label}</text>",
            y(inside),
            y(0.0) - y(inside),
            y(inside + outside),
            y(inside) - y(inside + outside),
            x - slot * 0.1,
            x + w + slot * 0.1,
            x + w / 2.0,
            top + plot_h + 12.0,
            ry = y(h(d.required_seconds)),
        );
    }
    let ly = height - 14.0;
    let _ = write!(
        s,
        "<rect x=\"{left}\" y=\"{}\" width=\"10\" height=\"8\" fill=\"#2f6fb0\"/><text x=\"{}\" y=\"{ly}\">Đã phát trong giờ / shown in hours</text>\
         <rect x=\"250\" y=\"{}\" width=\"10\" height=\"8\" fill=\"#9cc3e6\"/><text x=\"264\" y=\"{ly}\">Ngoài giờ / outside hours</text>\
         <line x1=\"420\" x2=\"434\" y1=\"{}\" y2=\"{}\" stroke=\"#111\" stroke-width=\"1.5\"/><text x=\"440\" y=\"{ly}\">Yêu cầu theo quy định / legally required (giờ / hours)</text>\n</svg>\n",
        ly - 8.0,
        left + 14.0,
        ly - 8.0,
        ly - 4.0,
        ly - 4.0,
    );
    s
}
