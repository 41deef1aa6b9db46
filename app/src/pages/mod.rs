//! One module per area of the dashboard.

pub(crate) mod actions;
pub(crate) mod agents;
mod alerts;
mod auth_pages;
mod conversations;
pub(crate) mod deliveries;
mod home;
pub(crate) mod notifications;
mod outbox;
mod profile;
mod settings;
mod tasks;
mod team;

pub use agents::{AgentPage, AgentsPage};
pub use alerts::AlertsPage;
pub use auth_pages::{
    ConfirmEmailPage, ForgotPasswordPage, ResetPasswordPage, SignInPage, SignUpPage, VerifyEmailPage,
};
pub use conversations::{ConversationPage, ConversationsPage};
pub use deliveries::{DeliveriesPage, DeliveryPage};
pub use home::HomePage;
pub use notifications::{EditNotificationPage, NewNotificationPage, NotificationsPage};
pub use outbox::OutboxPage;
pub use profile::ProfilePage;
pub use settings::SettingsPage;
pub use tasks::TasksPage;
pub use team::{InvitePage, TeamPage};

use leptos::prelude::*;
use leptos_meta::Title;

/// Any unknown path.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <main class="page narrow">
            <h1>"Not found"</h1>
            <p>"There is nothing at this address. " <a href="/conversations">"Go to the conversations"</a></p>
        </main>
    }
}

/// The value of query parameter `name`, if present and non-empty.
pub(crate) fn query_param(name: &'static str) -> Memo<Option<String>> {
    let query = leptos_router::hooks::use_query_map();
    Memo::new(move |_| query.read().get(name).filter(|v| !v.is_empty()))
}

/// The value of path parameter `name`.
pub(crate) fn path_param(name: &'static str) -> Memo<String> {
    let params = leptos_router::hooks::use_params_map();
    Memo::new(move |_| params.read().get(name).unwrap_or_default())
}
