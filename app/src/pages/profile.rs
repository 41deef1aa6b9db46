//! `/profile`: the signed-in user's name, email address and password.

use leptos::prelude::*;
use leptos_meta::Title;

use super::query_param;
use crate::api::profile::{ChangeEmail, ChangePassword, UpdateName, get_profile};
use crate::components::{FormResult, Loaded};

/// The profile page.
#[component]
pub fn ProfilePage() -> impl IntoView {
    let rename = ServerAction::<UpdateName>::new();
    let password = ServerAction::<ChangePassword>::new();
    let email = ServerAction::<ChangeEmail>::new();
    let confirmed = query_param("email");
    let profile = Resource::new(move || (rename.version().get(), email.version().get()), |_| get_profile());
    view! {
        <Title text="Profile" />
        <h1>"Profile"</h1>
        {move || confirmed.get().map(|_| view! { <p class="form-ok" role="status">"Your new email address is confirmed."</p> })}
        <Loaded resource=profile view=move |p| view! {
            <section class="card" data-testid="profile-name">
                <h2>"Name"</h2>
                <ActionForm action=rename attr:class="form inline-form">
                    <label>"Your name" <input type="text" name="name" required maxlength="120" value=p.name.clone() autocomplete="name" /></label>
                    <button type="submit">"Save"</button>
                </ActionForm>
                <FormResult action=rename ok="Saved." />
            </section>
            <section class="card" data-testid="profile-email">
                <h2>"Email address"</h2>
                <p>{p.email.clone()} {(!p.email_verified).then(|| view! { " " <span class="muted">"(not confirmed)"</span> })}</p>
                {p.pending_email.clone().map(|pending| view! { <p class="muted">"Waiting for confirmation: " {pending} ". Open the link we sent there."</p> })}
                <ActionForm action=email attr:class="form">
                    <label>"New address" <input type="email" name="email" required autocomplete="email" /></label>
                    <label>"Current password" <input type="password" name="current_password" required autocomplete="current-password" /></label>
                    <button type="submit">"Send a confirmation link"</button>
                </ActionForm>
                <FormResult action=email ok="We sent a link to the new address; the change takes effect when it is opened." />
            </section>
            <section class="card" data-testid="profile-password">
                <h2>"Password"</h2>
                <ActionForm action=password attr:class="form">
                    <label>"Current password" <input type="password" name="current_password" required autocomplete="current-password" /></label>
                    <label>"New password (8 characters or more)" <input type="password" name="password" required minlength="8" maxlength="256" autocomplete="new-password" /></label>
                    <button type="submit">"Change password"</button>
                </ActionForm>
                <FormResult action=password ok="Password changed. Every other session was signed out." />
            </section>
        }.into_any()
        />
    }
}
