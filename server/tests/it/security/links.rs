//! An invitation's single-use link — here of an *admin* invitation, the way a member could
//! make themselves admin — is readable by its recipient only: it reaches them through a
//! real SMTP server, and nothing a member can open shows it (Outbox, Deliveries, delivery
//! detail, team page, home, alerts, settings); nor is it stored in clear anywhere in the
//! database. The same holds for password reset links.

use sea_orm::{ConnectionTrait, Statement};

use crate::helpers::{Db, spawn_app};
use crate::smtp::SmtpServer;

/// Every text column of the database, concatenated (to search for a secret).
async fn database_text(app: &crate::helpers::TestApp) -> String {
    let db = &app.services.db;
    let backend = db.get_database_backend();
    let mut out = String::new();
    for (table, columns) in [
        (
            "emails",
            "COALESCE(subject, '') || COALESCE(text_body, '') || COALESCE(html_body, '') || COALESCE(sealed_body, '') || body_template",
        ),
        ("invitations", "token_hash || email"),
        ("account_tokens", "token_hash"),
        ("jobs", "CAST(payload AS TEXT) || COALESCE(last_error, '')"),
        ("delivery_attempts", "request || COALESCE(response, '') || COALESCE(error, '')"),
        ("sessions", "id"),
    ] {
        let rows = db
            .query_all_raw(Statement::from_string(backend, format!("SELECT {columns} AS t FROM {table}")))
            .await
            .unwrap();
        for row in rows {
            out.push_str(&row.try_get::<String>("", "t").unwrap_or_default());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_invitation_link_reaches_only_its_recipient_and_no_member_can_read_it() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app(Db::Sqlite, &format!("[smtp]\nurl = \"smtp://127.0.0.1:{}\"\n", smtp.port)).await.unwrap();
    let t = app.tenant("Acme").await;
    let mate = app.teammate(&t, "member").await;
    let owner = app.browser(&t).await;
    let (status, invited) =
        app.server_fn(&owner, "invite_member", &[("email", "new.admin@example.com"), ("role", "admin")]).await;
    assert_eq!(status, 200, "{invited}");
    assert!(invited["link"].is_null(), "with SMTP the inviting admin is not shown the link: {invited}");
    // The link only exists in the email the SMTP server received.
    app.drain().await;
    let delivered = smtp.texts();
    let (_, _, mail) = delivered
        .iter()
        .find(|(to, _, _)| to.contains("new.admin@example.com"))
        .expect("the invitation reached the SMTP server");
    let start = mail.find("/invite/").expect("the email carries the link") + "/invite/".len();
    let token: String =
        mail[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    assert_eq!(token.len(), 43, "{token}");

    // Everything the member can open.
    let m = &mate.client;
    let mut seen = String::new();
    for (function, form) in [
        ("list_emails", vec![]),
        ("list_deliveries", vec![]),
        ("get_team", vec![]),
        ("home_overview", vec![]),
        ("list_alerts", vec![]),
        ("get_settings", vec![]),
        ("me", vec![]),
        ("list_audit", vec![]),
    ] {
        let (_, body) = app.server_fn(m, function, &form).await;
        seen.push_str(&body.to_string());
    }
    let emails =
        backend::delivery::outbox::list(&app.services.db, &app.owner(&t).await.into(), None, 10).await.unwrap();
    let invitation_email =
        emails.iter().find(|e| e.kind == backend::delivery::outbox::EmailKind::Account).expect("the invitation email");
    for channel in ["email"] {
        let (_, body) =
            app.server_fn(m, "get_delivery", &[("channel", channel), ("id", &invitation_email.id.to_string())]).await;
        assert_eq!(body, serde_json::json!({"NotFound": "Email"}), "members cannot open account emails");
        seen.push_str(&body.to_string());
    }
    for page in ["/outbox", "/deliveries", "/team", "/settings", "/"] {
        seen.push_str(&m.get(format!("{}{page}", app.base)).send().await.unwrap().text().await.unwrap());
    }
    assert!(!seen.contains(&token), "a member found the invitation link");
    assert!(!seen.contains("new.admin@example.com"), "members do not even see account emails listed");

    // Admins see the email listed, with the link hidden.
    let (_, listed) = app.server_fn(&owner, "list_emails", &[]).await;
    assert!(listed.to_string().contains(backend::delivery::outbox::REDACTED_LINK), "{listed}");
    assert!(!listed.to_string().contains(&token));
    let (_, detail) =
        app.server_fn(&owner, "get_delivery", &[("channel", "email"), ("id", &invitation_email.id.to_string())]).await;
    assert!(!detail.to_string().contains(&token), "{detail}");

    // Not in clear anywhere in the database (the sealed copy is gone once sent).
    let stored = database_text(&app).await;
    assert!(!stored.contains(&token), "the token is stored in clear");
    let row = backend::delivery::outbox::get(&app.services.db, &app.owner(&t).await.into(), invitation_email.id)
        .await
        .unwrap();
    assert_eq!((row.state.as_str(), row.sealed_body.is_none()), ("sent", true));

    // The recipient accepts and is an admin; the member who could not read it is not.
    let invitee =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let resp = app.accept_invitation(&invitee, &token, "a long password 1").await;
    assert_eq!(resp.headers()["location"], "/");
    let (_, me) = app.server_fn(&invitee, "me", &[]).await;
    assert_eq!(me["role"], "admin");
    let (_, me) = app.server_fn(m, "me", &[]).await;
    assert_eq!(me["role"], "member");

    // A password reset link likewise: in the email, nowhere else.
    let resp = app
        .http
        .post(format!("{}/api/request_password_reset", app.base))
        .header("accept", "text/html")
        .form(&[("email", mate.email.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["location"], "/forgot-password?sent=1");
    app.drain().await;
    let (_, _, mail) =
        smtp.texts().into_iter().find(|(_, _, text)| text.contains("/reset-password/")).expect("reset email");
    let start = mail.find("/reset-password/").unwrap() + "/reset-password/".len();
    let reset_token: String =
        mail[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    assert!(!database_text(&app).await.contains(&reset_token));
    let (_, owner_view) = app.server_fn(&owner, "list_emails", &[]).await;
    assert!(!owner_view.to_string().contains(&reset_token), "admins do not see it either");
}
