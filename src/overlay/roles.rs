//! What each role may do in the overlay: `admin` everything, `border-guard`
//! the Now and Emergency pages, `technician` everything but Emergency and
//! Quit. `actions.rs` checks every request against this (the pages only
//! hide what a role may not press); a PIN whose role is no known role opens
//! the Now page and nothing else.

use super::Page;
use super::actions::OverlayAction;
use crate::config::Role;

/// Whether `role` may see `page`.
pub(super) fn may_see(role: Option<Role>, page: Page) -> bool {
    match (role, page) {
        (_, Page::Now) => true,
        (Some(Role::Admin), _) => true,
        (Some(Role::BorderGuard), page) => page == Page::Emergency,
        (Some(Role::Technician), page) => page != Page::Emergency,
        (None, _) => false,
    }
}

/// Whether `role` may do `action` (a PIN and closing are for everyone).
pub(super) fn may_do(role: Option<Role>, action: &OverlayAction) -> bool {
    match action {
        OverlayAction::TryPin(_) | OverlayAction::Close(_) => true,
        OverlayAction::Playback(_) | OverlayAction::Rescan => may_see(role, Page::Controls),
        OverlayAction::SelfTest => may_see(role, Page::Health),
        OverlayAction::Emergency { .. } | OverlayAction::ClearOverride { .. } => {
            may_see(role, Page::Emergency)
        }
        OverlayAction::Quit => role == Some(Role::Admin),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::player::PlaybackCommand;
    use crate::schedule::Power;

    const PAGES: [Page; 5] = [
        Page::Now,
        Page::Content,
        Page::Health,
        Page::Controls,
        Page::Emergency,
    ];

    fn pages(role: Option<Role>) -> Vec<Page> {
        PAGES.into_iter().filter(|&p| may_see(role, p)).collect()
    }

    #[test]
    fn each_role_sees_its_pages() {
        assert_eq!(pages(Some(Role::Admin)), PAGES);
        assert_eq!(pages(Some(Role::BorderGuard)), [Page::Now, Page::Emergency]);
        assert_eq!(
            pages(Some(Role::Technician)),
            [Page::Now, Page::Content, Page::Health, Page::Controls]
        );
        assert_eq!(pages(None), [Page::Now]);
    }

    #[test]
    fn quit_is_for_admins_and_the_switch_for_guards_and_admins() {
        let off = OverlayAction::Emergency {
            action: Power::Off,
            preset: super::super::Preset::OneHour,
            reason: "x".into(),
            requested_by: String::new(),
        };
        let next = OverlayAction::Playback(PlaybackCommand::Next);
        let who = |action: &OverlayAction| -> Vec<Option<Role>> {
            [
                Some(Role::Admin),
                Some(Role::BorderGuard),
                Some(Role::Technician),
                None,
            ]
            .into_iter()
            .filter(|&r| may_do(r, action))
            .collect()
        };
        assert_eq!(who(&OverlayAction::Quit), [Some(Role::Admin)]);
        assert_eq!(who(&off), [Some(Role::Admin), Some(Role::BorderGuard)]);
        assert_eq!(who(&next), [Some(Role::Admin), Some(Role::Technician)]);
        assert_eq!(
            who(&OverlayAction::SelfTest),
            [Some(Role::Admin), Some(Role::Technician)]
        );
        assert_eq!(
            who(&OverlayAction::Close(super::super::CloseWhy::Button)).len(),
            4
        );
    }
}
