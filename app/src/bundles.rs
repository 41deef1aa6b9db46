//! The browser bundles: the dashboard's pages are hydrated by five wasm bundles instead of
//! one, so a page downloads the code of its own part of the dashboard only (each bundle is
//! under 350 KB with brotli, against 460 KiB for all pages in one).
//!
//! | bundle | pages (first path segment) |
//! |---|---|
//! | [`Bundle::Auth`] | `signin`, `signup`, `invite`, `forgot-password`, `reset-password`, `verify-email`, `confirm-email` |
//! | [`Bundle::Agents`] | `agents` (agents and their actions) |
//! | [`Bundle::Notifications`] | `notifications` (the rules and their editor) |
//! | [`Bundle::Admin`] | `outbox`, `deliveries`, `settings`, `team` |
//! | [`Bundle::Work`] | everything else: home, conversations, alerts, tasks, profile, and unknown paths |
//!
//! `scripts/build-site` builds the `frontend` crate once per bundle with the `app` feature
//! `bundle-<name>`, into `aftercall-<name>.<hash>.wasm` and `.js`. In such a build the
//! pages of the other bundles are replaced by [`OtherBundle`] (see [`crate::App`]), so
//! their code, and the server functions only they call, are not linked in. The server
//! renders every page and links, per request, the bundle of its path ([`bundle_of`], in
//! [`crate::shell`]). Following a link inside a bundle stays a client-side navigation;
//! following one into another bundle renders [`OtherBundle`], which loads that address
//! from the server (a full page load, whose page then links its own bundle).
//!
//! The server and `cargo test` build `app` without a bundle feature: every page is real,
//! and [`crate::shell`] links the single `aftercall` build when the site has no bundles
//! (`cargo leptos`, which knows nothing of them: [`set_split`]).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use leptos::prelude::*;

/// A browser bundle: which wasm hydrates a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// Signing in and up, invitations, password resets, email confirmations.
    Auth,
    /// The daily pages of every member.
    Work,
    /// Agents and their actions.
    Agents,
    /// Notification rules and their editor.
    Notifications,
    /// The outbox, deliveries, settings and the team.
    Admin,
}

impl Bundle {
    /// Every bundle, in build order.
    pub const ALL: [Bundle; 5] = [Bundle::Auth, Bundle::Work, Bundle::Agents, Bundle::Notifications, Bundle::Admin];

    /// The bundle's name in its files (`aftercall-<name>.<hash>.wasm`) and in its `app`
    /// feature (`bundle-<name>`).
    pub fn name(self) -> &'static str {
        match self {
            Bundle::Auth => "auth",
            Bundle::Work => "work",
            Bundle::Agents => "agents",
            Bundle::Notifications => "notifications",
            Bundle::Admin => "admin",
        }
    }
}

/// The bundle that hydrates the page at `path` (a URL path, query ignored), decided by its
/// first segment (the table in the module docs).
pub fn bundle_of(path: &str) -> Bundle {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let first = path.trim_start_matches('/').split('/').next().unwrap_or_default();
    match first {
        "signin" | "signup" | "invite" | "forgot-password" | "reset-password" | "verify-email" | "confirm-email" => {
            Bundle::Auth
        }
        "agents" => Bundle::Agents,
        "notifications" => Bundle::Notifications,
        "outbox" | "deliveries" | "settings" | "team" => Bundle::Admin,
        _ => Bundle::Work,
    }
}

static SPLIT: OnceLock<bool> = OnceLock::new();

/// Tells [`crate::shell`] whether the site was built as bundles (`scripts/build-site`) or
/// as one `aftercall` build (`cargo leptos`); the server calls it once at start. Unset, the
/// shell links bundles.
pub fn set_split(split: bool) {
    let _ = SPLIT.set(split);
}

/// The base name of the front-end files to link for the page at `path`, given the site's
/// `output_name` (`aftercall` or `aftercall.<hash>`): `aftercall-<bundle>[.<hash>]`, or
/// `output_name` itself for a site built as one bundle.
pub fn output_name_for(output_name: &str, path: &str) -> String {
    if !SPLIT.get().copied().unwrap_or(true) {
        return output_name.to_owned();
    }
    let bundle = bundle_of(path).name();
    match output_name.split_once('.') {
        Some((stem, hash)) => format!("{stem}-{bundle}.{hash}"),
        None => format!("{output_name}-{bundle}"),
    }
}

/// Set by the browser entry point once the server-rendered page is hydrated: a later
/// render of [`OtherBundle`] is a client-side navigation, not the first page.
pub static HYDRATED: AtomicBool = AtomicBool::new(false);

/// Stands in for a page that another bundle hydrates. Reached only by a client-side
/// navigation (the server always links the page's own bundle), it loads the router's new
/// address from the server once the router has put it in the browser's history (it does
/// so after the page renders): a reload of that entry, or, should the router not have
/// changed the address, a navigation to it. Were it ever hydrated (a page linked to the
/// wrong bundle), it says so instead of reloading in a loop.
#[component]
pub fn OtherBundle() -> impl IntoView {
    let navigated = HYDRATED.load(Ordering::Relaxed);
    #[cfg(feature = "hydrate")]
    if navigated {
        let to = leptos_router::hooks::use_location();
        // The router's query has no `?`; its hash keeps its `#`.
        let search = to.search.get_untracked();
        let query = if search.is_empty() { String::new() } else { format!("?{search}") };
        let target = format!("{}{query}{}", to.pathname.get_untracked(), to.hash.get_untracked());
        set_timeout(
            move || {
                let location = window().location();
                let here = format!(
                    "{}{}{}",
                    location.pathname().unwrap_or_default(),
                    location.search().unwrap_or_default(),
                    location.hash().unwrap_or_default()
                );
                let _ = if here == target { location.reload() } else { location.assign(&target) };
            },
            std::time::Duration::ZERO,
        );
    }
    view! {
        <main class="page narrow">
            <p class="muted">{if navigated { "Loading…" } else { "This page belongs to another part of the dashboard: reload it." }}</p>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_belongs_to_the_bundle_of_its_first_segment() {
        for path in ["/signin", "/signup?next=/tasks", "/invite/abc", "/reset-password/t", "/confirm-email/t"] {
            assert_eq!(bundle_of(path), Bundle::Auth, "{path}");
        }
        for path in ["/agents", "/agents/1"] {
            assert_eq!(bundle_of(path), Bundle::Agents, "{path}");
        }
        for path in ["/notifications", "/notifications/new", "/notifications/9"] {
            assert_eq!(bundle_of(path), Bundle::Notifications, "{path}");
        }
        for path in ["/outbox", "/deliveries/email/1", "/settings", "/team"] {
            assert_eq!(bundle_of(path), Bundle::Admin, "{path}");
        }
        for path in ["/", "", "/conversations", "/conversations/1?x=2", "/alerts", "/tasks", "/profile", "/nothing"] {
            assert_eq!(bundle_of(path), Bundle::Work, "{path}");
        }
        assert_eq!(bundle_of("/signinx"), Bundle::Work, "a whole segment, not a prefix");
    }

    #[test]
    fn the_site_script_builds_every_bundle() {
        let script = include_str!("../../scripts/build-site");
        let names: Vec<&str> = Bundle::ALL.iter().map(|b| b.name()).collect();
        let list = format!("BUNDLES=({})", names.join(" "));
        assert!(script.contains(&list), "scripts/build-site must say {list}");
    }

    #[test]
    fn the_linked_name_keeps_the_build_hash() {
        assert_eq!(output_name_for("aftercall.0123456789abcdef", "/signin"), "aftercall-auth.0123456789abcdef");
        assert_eq!(output_name_for("aftercall", "/team"), "aftercall-admin");
        assert_eq!(output_name_for("aftercall", "/tasks"), "aftercall-work");
    }
}
