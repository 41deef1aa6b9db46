//! Aftercall's dashboard: Leptos pages, components and server functions. Server-rendered
//! (`ssr`) and hydrated in the browser (`hydrate`); every form posts to a server function
//! and works before hydration.

pub mod api;
pub mod auth;
pub mod bundles;
pub mod components;
pub mod error;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// Imports the pages of one browser bundle ([`bundles`]) under their own names: the real
/// pages in a build of that bundle and in a build without bundles (the server, tests),
/// [`bundles::OtherBundle`] in a build of another bundle (feature `split`), so their code
/// is not linked in.
macro_rules! pages_of {
    ($feature:literal: $($page:ident),+ $(,)?) => {
        $(
            #[cfg(any(feature = $feature, not(feature = "split")))]
            use crate::pages::$page;
            #[cfg(all(feature = "split", not(feature = $feature)))]
            use crate::bundles::OtherBundle as $page;
        )+
    };
}

pages_of!("bundle-auth":
    SignInPage, SignUpPage, InvitePage, ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage, ConfirmEmailPage,
);
pages_of!("bundle-work": HomePage, ConversationsPage, ConversationPage, AlertsPage, TasksPage, ProfilePage);
pages_of!("bundle-agents": AgentsPage, AgentPage);
pages_of!("bundle-notifications": NotificationsPage, NewNotificationPage, EditNotificationPage);
pages_of!("bundle-admin": OutboxPage, DeliveriesPage, DeliveryPage, SettingsPage, TeamPage);
// The dashboard's frame: in every bundle but the sign-in pages' one.
#[cfg(feature = "bundle-auth")]
use crate::bundles::OtherBundle as Layout;
#[cfg(not(feature = "bundle-auth"))]
use crate::components::Layout;
use crate::pages::NotFound;

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // The stylesheet of this build (hashed name, cached for good; see the server's
                // `http::assets`). Rendered by the server only, so it is not hydrated.
                <link rel="stylesheet" href=format!("/{}/{}.css", options.site_pkg_dir, options.output_name) />
                <AutoReload options=options.clone() />
                // The browser bundle of this page's part of the dashboard (`bundles`).
                <HydrationScripts options=bundle_options(options) />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// `options` with the output name of the browser bundle that hydrates the requested page
/// ([`bundles::output_name_for`]; the server provides the request, a browser build never
/// renders the shell).
fn bundle_options(options: LeptosOptions) -> LeptosOptions {
    #[cfg(feature = "ssr")]
    if let Some(parts) = use_context::<http::request::Parts>() {
        let mut options = options;
        options.output_name = bundles::output_name_for(&options.output_name, parts.uri.path()).into();
        return options;
    }
    options
}

/// The routes. Pages render on the server only after their data is loaded
/// (`SsrMode::Async`), so a missing conversation answers 404 and redirects work.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|text: String| if text.is_empty() { "Aftercall".to_owned() } else { format!("{text} · Aftercall") } />
        <Router>
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async />
                <Route path=path!("/signup") view=SignUpPage ssr=SsrMode::Async />
                <Route path=path!("/invite/:token") view=InvitePage ssr=SsrMode::Async />
                <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/reset-password/:token") view=ResetPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/verify-email/:token") view=VerifyEmailPage ssr=SsrMode::Async />
                <Route path=path!("/confirm-email/:token") view=ConfirmEmailPage ssr=SsrMode::Async />
                <ParentRoute path=path!("") view=Layout ssr=SsrMode::Async>
                    <Route path=path!("") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("conversations") view=ConversationsPage ssr=SsrMode::Async />
                    <Route path=path!("conversations/:id") view=ConversationPage ssr=SsrMode::Async />
                    <Route path=path!("agents") view=AgentsPage ssr=SsrMode::Async />
                    <Route path=path!("agents/:id") view=AgentPage ssr=SsrMode::Async />
                    <Route path=path!("notifications") view=NotificationsPage ssr=SsrMode::Async />
                    <Route path=path!("notifications/new") view=NewNotificationPage ssr=SsrMode::Async />
                    <Route path=path!("notifications/:id") view=EditNotificationPage ssr=SsrMode::Async />
                    <Route path=path!("alerts") view=AlertsPage ssr=SsrMode::Async />
                    <Route path=path!("tasks") view=TasksPage ssr=SsrMode::Async />
                    <Route path=path!("outbox") view=OutboxPage ssr=SsrMode::Async />
                    <Route path=path!("deliveries") view=DeliveriesPage ssr=SsrMode::Async />
                    <Route path=path!("deliveries/:channel/:id") view=DeliveryPage ssr=SsrMode::Async />
                    <Route path=path!("settings") view=SettingsPage ssr=SsrMode::Async />
                    <Route path=path!("team") view=TeamPage ssr=SsrMode::Async />
                    <Route path=path!("profile") view=ProfilePage ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
