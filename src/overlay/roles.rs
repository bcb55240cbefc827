//! What each role may do in the overlay: `admin` everything, `border-guard`
//! the Now and Emergency pages, `technician` everything but Emergency and
//! Quit. `actions.rs` checks every request against this (`OverlayAction::allowed_for`) (the pages only
//! hide what a role may not press); a PIN whose role is no known role opens
//! the Now page and nothing else.

use super::Page;
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
