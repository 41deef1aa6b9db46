//! The account lifecycle: password reset by email (hashed single-use token, one hour, the
//! same answer for unknown addresses, every session ends), the profile (name, an email
//! change confirmed by a link, a password change that needs the current password and
//! ends the other sessions), the sign-up policies (`open`, `verified`, `closed`), session
//! lifetimes, and switching between accounts.

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{Db, TestApp, spawn_app};
use crate::smtp::SmtpServer;

fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn form(app: &TestApp, client: &reqwest::Client, function: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    client
        .post(format!("{}/api/{function}", app.base))
        .header("accept", "text/html")
        .header("origin", &app.base)
        .header("referer", format!("{}/", app.base))
        .form(fields)
        .send()
        .await
        .unwrap()
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default()
}

/// The token of the last link to `path` that reached `to`.
fn link_token(smtp: &SmtpServer, to: &str, path: &str) -> String {
    let texts = smtp.texts();
    let (_, _, text) = texts
        .iter()
        .rev()
        .find(|(t, _, text)| t.contains(to) && text.contains(path))
        .unwrap_or_else(|| panic!("no {path} email to {to}: {texts:?}"));
    let start = text.find(path).unwrap() + path.len();
    text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_link_works_once_for_an_hour_and_ends_every_session() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app(Db::Sqlite, &format!("[smtp]\nurl = \"smtp://127.0.0.1:{}\"\n", smtp.port)).await.unwrap();
    let t = app.tenant("Acme").await;
    let laptop = app.browser(&t).await;
    let phone = app.browser(&t).await;
    // Unknown and known addresses get the same answer; only the known one gets mail.
    let anon = browser();
    let unknown = form(&app, &anon, "request_password_reset", &[("email", "nobody@example.com")]).await;
    let known = form(&app, &anon, "request_password_reset", &[("email", &t.email)]).await;
    assert_eq!(
        (location(&unknown), location(&known)),
        ("/forgot-password?sent=1".to_owned(), "/forgot-password?sent=1".to_owned())
    );
    app.drain().await;
    assert_eq!(smtp.texts().len(), 1, "one email, to the known address");
    let token = link_token(&smtp, &t.email, "/reset-password/");
    let stored = backend::entities::account_token::Entity::find().one(&app.services.db).await.unwrap().unwrap();
    assert_eq!(stored.token_hash, backend::auth::tokens::hash(&token), "only the hash is stored");
    assert!(
        stored.expires_at <= Utc::now() + Duration::hours(1) && stored.expires_at > Utc::now() + Duration::minutes(59)
    );
    // The page shows the form; a short password is refused and changes nothing.
    let page = anon.get(format!("{}/reset-password/{token}", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Choose a new password"), "{page}");
    let short = form(&app, &anon, "reset_password", &[("token", &token), ("password", "short")]).await;
    assert!(location(&short).starts_with(&format!("/reset-password/{token}?error=")));
    let done = form(&app, &anon, "reset_password", &[("token", &token), ("password", "a brand new password")]).await;
    assert_eq!(location(&done), "/signin?reset=1");
    // Every session of the user ended; the old password no longer works, the new one does.
    for client in [&laptop, &phone] {
        let (_, me) = app.server_fn(client, "me", &[]).await;
        assert_eq!(me, Value::Null, "signed out everywhere");
    }
    assert!(backend::auth::sign_in(&app.services, None, &t.email, &t.password).await.is_err());
    assert!(backend::auth::sign_in(&app.services, None, &t.email, "a brand new password").await.is_ok());
    // Used once: the same link is refused, as is a link past its hour.
    let again = form(&app, &anon, "reset_password", &[("token", &token), ("password", "yet another password")]).await;
    assert!(location(&again).contains("already%20used%20or%20expired"), "{}", location(&again));
    form(&app, &anon, "request_password_reset", &[("email", &t.email)]).await;
    app.drain().await;
    let second = link_token(&smtp, &t.email, "/reset-password/");
    let row = backend::entities::account_token::Entity::find()
        .filter(backend::entities::account_token::Column::TokenHash.eq(backend::auth::tokens::hash(&second)))
        .one(&app.services.db)
        .await
        .unwrap()
        .unwrap();
    let mut active: backend::entities::account_token::ActiveModel = row.into();
    active.expires_at = Set(Utc::now() - Duration::seconds(1));
    active.update(&app.services.db).await.unwrap();
    let (_, checked) = app.server_fn(&anon, "check_reset_token", &[("token", &second)]).await;
    assert_eq!(checked["Invalid"]["field"], "token", "{checked}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_profile_changes_name_email_by_link_and_password_ending_the_other_sessions() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app(Db::Sqlite, &format!("[smtp]\nurl = \"smtp://127.0.0.1:{}\"\n", smtp.port)).await.unwrap();
    let t = app.tenant("Acme").await;
    let here = app.browser(&t).await;
    let elsewhere = app.browser(&t).await;
    let (status, _) = app.server_fn(&here, "update_name", &[("name", "Ann Lee")]).await;
    assert_eq!(status, 200);
    let (_, profile) = app.server_fn(&here, "get_profile", &[]).await;
    assert_eq!(profile["name"], "Ann Lee");
    // Password: the current one is needed.
    let (_, body) = app
        .server_fn(
            &here,
            "change_password",
            &[("current_password", "not it at all"), ("password", "a new long password")],
        )
        .await;
    assert_eq!(body["Invalid"]["field"], "current_password", "{body}");
    let (status, body) = app
        .server_fn(&here, "change_password", &[("current_password", &t.password), ("password", "a new long password")])
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, me) = app.server_fn(&here, "me", &[]).await;
    assert_eq!(me["name"], "Ann Lee", "this session stays signed in");
    let (_, me) = app.server_fn(&elsewhere, "me", &[]).await;
    assert_eq!(me, Value::Null, "every other session ended");
    // Email: nothing changes until the link sent to the new address is opened; the old
    // address gets a notice.
    let (_, body) = app
        .server_fn(
            &here,
            "change_email",
            &[("current_password", "a new long password"), ("email", "Ann.New@Example.com")],
        )
        .await;
    assert_eq!(body, Value::Null, "{body}");
    app.drain().await;
    let (_, profile) = app.server_fn(&here, "get_profile", &[]).await;
    assert_eq!(
        (profile["email"].as_str(), profile["pending_email"].as_str()),
        (Some(t.email.as_str()), Some("ann.new@example.com"))
    );
    assert!(
        smtp.texts().iter().any(|(to, _, text)| to.contains(&t.email)
            && text.contains("ann.new@example.com")
            && !text.contains("/confirm-email/")),
        "the old address is told, without the link"
    );
    let token = link_token(&smtp, "ann.new@example.com", "/confirm-email/");
    let resp = form(&app, &here, "confirm_email_change", &[("token", &token)]).await;
    assert_eq!(location(&resp), "/profile?email=confirmed");
    let (_, profile) = app.server_fn(&here, "get_profile", &[]).await;
    assert_eq!(
        (profile["email"].as_str(), profile["email_verified"].as_bool()),
        (Some("ann.new@example.com"), Some(true))
    );
    assert!(backend::auth::sign_in(&app.services, None, "ann.new@example.com", "a new long password").await.is_ok());
    let resp = form(&app, &here, "confirm_email_change", &[("token", &token)]).await;
    assert!(location(&resp).starts_with(&format!("/confirm-email/{token}?error=")), "the link works once");
    // Another user's address cannot be taken.
    let other = app.tenant("Other").await;
    let (_, body) = app
        .server_fn(&here, "change_email", &[("current_password", "a new long password"), ("email", &other.email)])
        .await;
    assert_eq!(body["Invalid"]["field"], "email", "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_sign_up_refuses_and_verified_sign_up_works_once_the_address_is_confirmed() {
    let closed = spawn_app(Db::Sqlite, "[auth]\nsignup = \"closed\"\n").await.unwrap();
    let resp = form(
        &closed,
        &browser(),
        "sign_up",
        &[("account_name", "X"), ("name", "X"), ("email", "x@example.com"), ("password", "a long password")],
    )
    .await;
    assert!(location(&resp).contains("sign-up%20is%20closed"), "{}", location(&resp));
    assert_eq!(closed.count("accounts").await, 0);
    let page = browser().get(format!("{}/signup", closed.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Sign-up is closed"), "{page}");

    let smtp = SmtpServer::start().await;
    let app = spawn_app(
        Db::Sqlite,
        &format!("[auth]\nsignup = \"verified\"\n[smtp]\nurl = \"smtp://127.0.0.1:{}\"\n", smtp.port),
    )
    .await
    .unwrap();
    let new = browser();
    let fields =
        [("account_name", "New Co"), ("name", "Nia"), ("email", "nia@example.com"), ("password", "a long password")];
    let resp = form(&app, &new, "sign_up", &fields).await;
    assert_eq!(location(&resp), "/signup?sent=1");
    let (_, me) = app.server_fn(&new, "me", &[]).await;
    assert_eq!(me, Value::Null, "not signed in before confirming");
    let resp = form(&app, &new, "sign_in", &[("email", "nia@example.com"), ("password", "a long password")]).await;
    assert!(location(&resp).contains("confirm%20your%20email%20address"), "{}", location(&resp));
    // Signing up again with the same address answers the same, and sends a notice.
    let resp = form(&app, &browser(), "sign_up", &fields).await;
    assert_eq!(location(&resp), "/signup?sent=1");
    app.drain().await;
    assert_eq!(app.count("accounts").await, 1);
    assert!(
        smtp.texts()
            .iter()
            .any(|(to, subject, _)| to.contains("nia@example.com") && subject.contains("tried to sign up"))
    );
    let token = link_token(&smtp, "nia@example.com", "/verify-email/");
    let resp = form(&app, &new, "verify_email", &[("token", &token)]).await;
    assert_eq!(location(&resp), "/");
    let (_, me) = app.server_fn(&new, "me", &[]).await;
    assert_eq!((me["account_name"].as_str(), me["role"].as_str()), (Some("New Co"), Some("owner")));
    assert!(backend::auth::sign_in(&app.services, None, "nia@example.com", "a long password").await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_end_after_their_absolute_lifetime_and_when_idle() {
    let app = spawn_app(Db::Sqlite, "").await.unwrap();
    let t = app.tenant("Acme").await;
    let member = app.owner(&t).await;
    let auth = &app.services.settings.auth;
    let claims = |ago: Duration| backend::auth::SessionClaims {
        user_id: member.user_id,
        account_id: member.tenant.account_id(),
        signed_in_at: Utc::now() - ago,
    };
    let now = Utc::now();
    assert!(backend::auth::session_member(&app.services.db, auth, &claims(Duration::hours(11)), now).await.is_ok());
    assert!(
        matches!(
            backend::auth::session_member(
                &app.services.db,
                auth,
                &claims(Duration::hours(12) + Duration::seconds(1)),
                now
            )
            .await,
            Err(backend::Error::Unauthenticated)
        ),
        "12 hours after sign-in, however active"
    );
    // Idle: the session row's expiry is 30 minutes after the last request, moved forward by each.
    let client = app.browser(&t).await;
    let row = backend::entities::session::Entity::find().one(&app.services.db).await.unwrap().unwrap();
    let left = row.expires_at - Utc::now();
    assert!(left <= Duration::minutes(30) && left > Duration::minutes(29), "{left}");
    let mut active: backend::entities::session::ActiveModel = row.clone().into();
    active.expires_at = Set(Utc::now() + Duration::minutes(5));
    active.update(&app.services.db).await.unwrap();
    app.server_fn(&client, "me", &[]).await;
    let touched =
        backend::entities::session::Entity::find_by_id(row.id.clone()).one(&app.services.db).await.unwrap().unwrap();
    assert!(touched.expires_at - Utc::now() > Duration::minutes(29), "a request moves the idle expiry forward");
    let mut idle: backend::entities::session::ActiveModel = touched.into();
    idle.expires_at = Set(Utc::now() - Duration::seconds(1));
    idle.update(&app.services.db).await.unwrap();
    let (_, me) = app.server_fn(&client, "me", &[]).await;
    assert_eq!(me, Value::Null, "an idle session has ended");
    let page = client.get(format!("{}/tasks", app.base)).send().await.unwrap();
    assert_eq!(page.headers()["location"], "/signin?next=/tasks");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_in_two_accounts_switches_between_them() {
    let app = spawn_app(Db::Sqlite, "").await.unwrap();
    let a = app.tenant("Alpha").await;
    let b = app.tenant("Beta").await;
    // Beta's owner invites Alpha's owner, who joins with their existing password.
    let beta_owner = app.owner(&b).await;
    let invited = backend::identity::members::invite(&app.services, &beta_owner, &a.email, "member").await.unwrap();
    let token = invited.link.rsplit('/').next().unwrap().to_owned();
    let client = browser();
    let resp = app.accept_invitation(&client, &token, &a.password).await;
    assert_eq!(location(&resp), "/");
    let (_, me) = app.server_fn(&client, "me", &[]).await;
    assert_eq!(me["account_name"], "Beta");
    let names: Vec<&str> = me["accounts"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Alpha", "Beta"]);
    let alpha = me["accounts"].as_array().unwrap().iter().find(|x| x["name"] == "Alpha").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = form(&app, &client, "switch_account", &[("account_id", &alpha)]).await;
    assert_eq!(location(&resp), "/");
    let (_, me) = app.server_fn(&client, "me", &[]).await;
    assert_eq!((me["account_name"].as_str(), me["role"].as_str()), (Some("Alpha"), Some("owner")));
    // Sign-in opens the account last used.
    let fresh = app.browser(&a).await;
    let (_, me) = app.server_fn(&fresh, "me", &[]).await;
    assert_eq!(me["account_name"], "Alpha");
    // An account the user is not in is not found.
    let c = app.tenant("Gamma").await;
    let gamma = app.owner(&c).await.tenant.account_id().to_string();
    let (_, body) = app.server_fn(&client, "switch_account", &[("account_id", &gamma)]).await;
    assert_eq!(body, json!({"NotFound": "Account"}));
}
