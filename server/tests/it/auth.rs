//! Sign-up, sign-in and sessions in the browser flow; API keys shown once, stored hashed.

use serde_json::Value;

use crate::helpers::TestApp;

fn cookie_client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn form_post(
    app: &TestApp,
    client: &reqwest::Client,
    fn_name: &str,
    page: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(format!("{}/api/{fn_name}", app.base))
        .header("accept", "text/html")
        .header("referer", format!("{}{page}", app.base))
        .form(form)
        .send()
        .await
        .unwrap()
}

db_test!(pages_need_a_session_and_sign_up_starts_one, |app| {
    let client = cookie_client();
    let resp = client.get(format!("{}/conversations", app.base)).send().await.unwrap();
    assert!(resp.status().is_redirection());
    assert_eq!(resp.headers()["location"], "/signin?next=/conversations");
    let resp = form_post(
        &app,
        &client,
        "sign_up",
        "/signup",
        &[("account_name", "Acme"), ("name", "Ann"), ("email", "ann@example.com"), ("password", "long enough pw")],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 302);
    assert_eq!(resp.headers()["location"], "/");
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("aftercall_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    let page = client.get(format!("{}/conversations", app.base)).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<h1>Conversations</h1>"), "server-rendered page");
    assert!(html.contains("Ann"), "the header names the user");
    // Signing out ends the session.
    let resp = form_post(&app, &client, "sign_out", "/conversations", &[]).await;
    assert_eq!(resp.headers()["location"], "/signin");
    let resp = client.get(format!("{}/conversations", app.base)).send().await.unwrap();
    assert!(resp.status().is_redirection());
});

db_test!(a_wrong_password_and_an_unknown_email_get_the_same_answer, |app| {
    let t = app.tenant("Acme").await;
    let client = cookie_client();
    let wrong =
        form_post(&app, &client, "sign_in", "/signin", &[("email", &t.email), ("password", "not the password")]).await;
    let unknown = form_post(
        &app,
        &client,
        "sign_in",
        "/signin",
        &[("email", "nobody@example.com"), ("password", "not the password")],
    )
    .await;
    assert_eq!(wrong.status(), unknown.status());
    // The same error; only the typed email is echoed back into the form.
    let without_email =
        |r: &reqwest::Response| r.headers()["location"].to_str().unwrap().split("&email=").next().unwrap().to_owned();
    assert_eq!(without_email(&wrong), without_email(&unknown));
    assert!(wrong.headers()["location"].to_str().unwrap().starts_with("/signin?error="));
    assert!(
        wrong.headers().get("set-cookie").is_none()
            || !client.get(format!("{}/conversations", app.base)).send().await.unwrap().status().is_success()
    );
    let page =
        client.get(format!("{}{}", app.base, wrong.headers()["location"].to_str().unwrap())).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("Invalid email or password."));
    // The right password works, and `next` is followed (same-site paths only).
    let ok = form_post(
        &app,
        &client,
        "sign_in",
        "/signin",
        &[("email", &t.email), ("password", &t.password), ("next", "/tasks")],
    )
    .await;
    assert_eq!(ok.headers()["location"], "/tasks");
    let evil = form_post(
        &app,
        &client,
        "sign_in",
        "/signin",
        &[("email", &t.email), ("password", &t.password), ("next", "//evil.example/")],
    )
    .await;
    assert_eq!(evil.headers()["location"], "/");
});

db_test!(a_sign_up_with_a_taken_email_or_short_password_is_refused, |app| {
    let t = app.tenant("Acme").await;
    let client = cookie_client();
    let taken = form_post(
        &app,
        &client,
        "sign_up",
        "/signup",
        &[("account_name", "X"), ("name", "X"), ("email", &t.email), ("password", "long enough pw")],
    )
    .await;
    assert!(taken.headers()["location"].to_str().unwrap().starts_with("/signup?error="));
    let short = form_post(
        &app,
        &client,
        "sign_up",
        "/signup",
        &[("account_name", "X"), ("name", "X"), ("email", "new@example.com"), ("password", "short")],
    )
    .await;
    let location = short.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("password"), "{location}");
    assert_eq!(app.count("accounts").await, 1);
    assert_eq!(app.count("users").await, 1);
});

db_test!(api_keys_are_shown_once_and_stored_only_as_a_hash, |app| {
    let t = app.tenant("Acme").await;
    let browser = app.browser(&t).await;
    let (status, key) = app.server_fn(&browser, "create_api_key", &[("name", "Voice platform")]).await;
    assert_eq!(status, 200, "{key}");
    let key = key.as_str().unwrap().to_owned();
    assert!(key.starts_with("ac_") && key.len() > 40);
    // Shown once on the next settings read, then gone.
    let (_, first) = app.server_fn(&browser, "get_settings", &[]).await;
    assert_eq!(first["new_key"], Value::String(key.clone()));
    let (_, second) = app.server_fn(&browser, "get_settings", &[]).await;
    assert!(second["new_key"].is_null());
    assert!(!second.to_string().contains(&key));
    // Stored hashed: no column holds the key.
    let rows = backend::identity::api_keys::list(
        &app.services.db,
        &backend::auth::sign_in(&app.services, None, &t.email, &t.password).await.unwrap().tenant,
    )
    .await
    .unwrap();
    assert!(rows.iter().all(|r| r.key_hash != key && !r.key_hash.contains(&key[3..])));
    // It works for ingest.
    assert_eq!(app.post_call(&key, &crate::helpers::call("c", "a")).await.status().as_u16(), 202);
});
