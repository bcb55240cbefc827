//! The overlay's PINs: every entry has a known role, and was set under the
//! 6-character rule (older hashes still open the overlay, but may be of a
//! 4-digit PIN: set them again).

use super::Check;
use crate::config::OverlayConfig;
use crate::overlay::pin::PIN_LENGTH;

pub(super) fn pins_check(overlay: &OverlayConfig) -> Check {
    if overlay.pins.is_empty() {
        return Check::pass("pins", "no PIN set: the admin overlay opens to no one");
    }
    let min = *PIN_LENGTH.start();
    let mut problems = Vec::new();
    for (i, pin) in overlay.pins.iter().enumerate() {
        let who = pin.who();
        if pin.known_role().is_none() {
            problems.push(format!(
                "pins[{i}] ({who}): {:?} is no role (admin, border-guard, technician); it opens the Now page only",
                pin.role
            ));
        }
        if pin.min_length.is_none_or(|m| m < min) {
            problems.push(format!(
                "pins[{i}] ({who}): set before PINs had {min} digits, may be shorter; run `infokiosk pin --role {}` again",
                pin.role
            ));
        }
    }
    let count = overlay.pins.len();
    if problems.is_empty() {
        return Check::pass(
            "pins",
            format!("{count} PIN(s), each with a role, {min}+ digits"),
        );
    }
    Check::warn(
        "pins",
        format!("{} of {count} PIN entries need attention", problems.len()),
    )
    .with_details(problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::PinEntry;
    use crate::health::check::Verdict;

    fn entry(role: &str, min_length: Option<usize>) -> PinEntry {
        PinEntry {
            role: role.into(),
            name: Some("An".into()),
            hash: String::new(),
            min_length,
        }
    }

    #[test]
    fn old_short_pins_and_unknown_roles_warn() {
        let mut overlay = OverlayConfig::default();
        assert_eq!(pins_check(&overlay).verdict, Verdict::Pass);
        overlay.pins = vec![entry("admin", Some(6)), entry("technician", Some(6))];
        assert_eq!(pins_check(&overlay).verdict, Verdict::Pass);
        overlay.pins.push(entry("border-guard", None));
        overlay.pins.push(entry("guard", Some(6)));
        let check = pins_check(&overlay);
        assert_eq!(check.verdict, Verdict::Warn);
        assert!(
            check.details[0].contains("pins[2] (An (border-guard))"),
            "{check:?}"
        );
        assert!(check.details[0].contains("6 digits"), "{check:?}");
        assert!(
            check.details[1].contains("\"guard\" is no role"),
            "{check:?}"
        );
    }
}
