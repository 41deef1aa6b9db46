//! Sign in, sign up, password reset and address confirmation: plain HTML forms posting to
//! server functions, so they work with or without JavaScript; errors come back in the
//! `error` query parameter.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{path_param, query_param};
use crate::auth::{check_reset_token, signup_policy};
use crate::components::ErrorBox;

/// `/signin`.
#[component]
pub fn SignInPage() -> impl IntoView {
    let error = query_param("error");
    let next = query_param("next");
    let email = query_param("email");
    let reset = query_param("reset");
    let sent = query_param("sent");
    // The confirmation reminder comes with a way to ask for a new link.
    let unconfirmed = Memo::new(move |_| error.get().is_some_and(|e| e.contains("confirm your email address")));
    view! {
        <Title text="Sign in" />
        <main class="auth">
            <h1 class="brand-big">"Aftercall"</h1>
            <form method="post" action="/api/sign_in" class="card form">
                <h2>"Sign in"</h2>
                {move || reset.get().map(|_| view! { <p class="form-ok" role="status">"Your password was changed and every session was signed out. Sign in with the new password."</p> })}
                {move || sent.get().map(|_| view! { <p class="form-ok" role="status">"If that address is waiting for confirmation, a new link is on its way."</p> })}
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <input type="hidden" name="next" value=move || next.get().unwrap_or_default() />
                <label>"Email" <input type="email" name="email" required autocomplete="username" value=move || email.get().unwrap_or_default() /></label>
                <label>"Password" <input type="password" name="password" required autocomplete="current-password" /></label>
                <button type="submit" class="primary">"Sign in"</button>
                <p class="muted"><a href="/forgot-password">"Forgot your password?"</a></p>
                <p class="muted">"New here? " <a href="/signup">"Create an account"</a></p>
            </form>
            {move || unconfirmed.get().then(|| view! {
                <form method="post" action="/api/resend_verification" class="card form" data-testid="resend-verification">
                    <p class="muted">"No link, or it expired?"</p>
                    <input type="hidden" name="email" value=email.get_untracked().unwrap_or_default() />
                    <button type="submit">"Send a new confirmation link"</button>
                </form>
            })}
        </main>
    }
}

/// `/signup`: creates an account and its owner, as the installation's sign-up policy allows.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let error = query_param("error");
    let sent = query_param("sent");
    let account_name = query_param("account_name");
    let name = query_param("name");
    let email = query_param("email");
    let policy = Resource::new(|| (), |_| signup_policy());
    view! {
        <Title text="Create an account" />
        <main class="auth">
            <h1 class="brand-big">"Aftercall"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let policy = policy.await.unwrap_or_else(|_| "open".to_owned());
                    if sent.get().is_some() {
                        return view! {
                            <div class="card form" data-testid="signup-sent">
                                <h2>"Check your inbox"</h2>
                                <p>"We sent a confirmation link to your address. Open it to start using your account; it works for 24 hours."</p>
                                <p class="muted"><a href="/signin">"Back to sign in"</a></p>
                            </div>
                        }.into_any();
                    }
                    if policy == "closed" {
                        return view! {
                            <div class="card form" data-testid="signup-closed">
                                <h2>"Sign-up is closed"</h2>
                                <p>"New users join this installation by invitation: ask an admin of your team to invite you."</p>
                                <p class="muted"><a href="/signin">"Sign in"</a></p>
                            </div>
                        }.into_any();
                    }
                    view! {
                        <form method="post" action="/api/sign_up" class="card form">
                            <h2>"Create an account"</h2>
                            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                            {(policy == "verified").then(|| view! { <p class="muted">"We will email you a link to confirm your address before the account works."</p> })}
                            <label>"Company or team" <input type="text" name="account_name" required maxlength="120" value=move || account_name.get().unwrap_or_default() /></label>
                            <label>"Your name" <input type="text" name="name" required maxlength="120" autocomplete="name" value=move || name.get().unwrap_or_default() /></label>
                            <label>"Email" <input type="email" name="email" required autocomplete="username" value=move || email.get().unwrap_or_default() /></label>
                            <label>"Password (8 characters or more)" <input type="password" name="password" required minlength="8" maxlength="256" autocomplete="new-password" /></label>
                            <button type="submit" class="primary">"Create account"</button>
                            <p class="muted">"Already have an account? " <a href="/signin">"Sign in"</a></p>
                        </form>
                    }.into_any()
                })}
            </Suspense>
        </main>
    }
}

/// `/forgot-password`: asks for a reset link (the same answer for every address).
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let sent = query_param("sent");
    view! {
        <Title text="Reset your password" />
        <main class="auth">
            <h1 class="brand-big">"Aftercall"</h1>
            <form method="post" action="/api/request_password_reset" class="card form">
                <h2>"Reset your password"</h2>
                {move || sent.get().map(|_| view! {
                    <p class="form-ok" role="status" data-testid="reset-sent">"If an Aftercall user has that address, we sent it a link to choose a new password. It works once, for one hour."</p>
                })}
                <label>"Email" <input type="email" name="email" required autocomplete="username" /></label>
                <button type="submit" class="primary">"Email me a reset link"</button>
                <p class="muted"><a href="/signin">"Back to sign in"</a></p>
            </form>
        </main>
    }
}

/// `/reset-password/:token`: chooses a new password with an emailed link.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let token = path_param("token");
    let error = query_param("error");
    let valid = Resource::new(move || token.get(), check_reset_token);
    view! {
        <Title text="Choose a new password" />
        <main class="auth">
            <h1 class="brand-big">"Aftercall"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match valid.await {
                        Err(e) => view! {
                            <div class="card form">
                                <ErrorBox error=e />
                                <p><a href="/forgot-password">"Ask for a new link"</a></p>
                            </div>
                        }.into_any(),
                        Ok(()) => view! {
                            <form method="post" action="/api/reset_password" class="card form" data-testid="reset-form">
                                <h2>"Choose a new password"</h2>
                                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                                <input type="hidden" name="token" value=token.get_untracked() />
                                <label>"New password (8 characters or more)" <input type="password" name="password" required minlength="8" maxlength="256" autocomplete="new-password" /></label>
                                <p class="muted">"Every session of your user is signed out."</p>
                                <button type="submit" class="primary">"Set the new password"</button>
                            </form>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// A page that confirms something with the token of an emailed link when its button is
/// pressed (a link opened by a mail scanner's preview fetch confirms nothing).
#[component]
fn ConfirmLink(title: &'static str, action: &'static str, button: &'static str, text: &'static str) -> impl IntoView {
    let token = path_param("token");
    let error = query_param("error");
    view! {
        <Title text=title />
        <main class="auth">
            <h1 class="brand-big">"Aftercall"</h1>
            <form method="post" action=action class="card form" data-testid="confirm-link">
                <h2>{title}</h2>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <p>{text}</p>
                <input type="hidden" name="token" value=move || token.get() />
                <button type="submit" class="primary">{button}</button>
            </form>
        </main>
    }
}

/// `/verify-email/:token`: a new owner confirms their address.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    view! { <ConfirmLink title="Confirm your email address" action="/api/verify_email" button="Confirm and sign in" text="Confirm that this address is yours to start using your Aftercall account." /> }
}

/// `/confirm-email/:token`: confirms the new address of an email change.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    view! { <ConfirmLink title="Confirm your new email address" action="/api/confirm_email_change" button="Use this address" text="From now on you sign in with this address." /> }
}
