//! Sign in and sign up: plain HTML forms posting to server functions, so they work with
//! or without JavaScript; errors come back in the `error` query parameter.

use leptos::prelude::*;
use leptos_meta::Title;

use super::query_param;

/// `/signin`.
#[component]
pub fn SignInPage() -> impl IntoView {
    let error = query_param("error");
    let next = query_param("next");
    let email = query_param("email");
    view! {
        <Title text="Sign in" />
        <main class="auth">
            <h1 class="brand-big">"Aftercall"</h1>
            <form method="post" action="/api/sign_in" class="card form">
                <h2>"Sign in"</h2>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <input type="hidden" name="next" value=move || next.get().unwrap_or_default() />
                <label>"Email" <input type="email" name="email" required autocomplete="username" value=move || email.get().unwrap_or_default() /></label>
                <label>"Password" <input type="password" name="password" required autocomplete="current-password" /></label>
                <button type="submit" class="primary">"Sign in"</button>
                <p class="muted">"New here? " <a href="/signup">"Create an account"</a></p>
            </form>
        </main>
    }
}

/// `/signup`: creates an account and its owner.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let error = query_param("error");
    let account_name = query_param("account_name");
    let name = query_param("name");
    let email = query_param("email");
    view! {
        <Title text="Create an account" />
        <main class="auth">
            <h1 class="brand-big">"Aftercall"</h1>
            <form method="post" action="/api/sign_up" class="card form">
                <h2>"Create an account"</h2>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <label>"Company or team" <input type="text" name="account_name" required maxlength="120" value=move || account_name.get().unwrap_or_default() /></label>
                <label>"Your name" <input type="text" name="name" required maxlength="120" autocomplete="name" value=move || name.get().unwrap_or_default() /></label>
                <label>"Email" <input type="email" name="email" required autocomplete="username" value=move || email.get().unwrap_or_default() /></label>
                <label>"Password (8 characters or more)" <input type="password" name="password" required minlength="8" autocomplete="new-password" /></label>
                <button type="submit" class="primary">"Create account"</button>
                <p class="muted">"Already have an account? " <a href="/signin">"Sign in"</a></p>
            </form>
        </main>
    }
}
