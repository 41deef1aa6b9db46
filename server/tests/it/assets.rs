//! The first page's weight: pages compressed on the fly, the front end's files served as
//! their precompressed `.br`/`.gz` twins under content-hashed names cached for good.

use crate::helpers::{Db, spawn_app};

const HASH: &str = "0123456789abcdef";

/// A site folder as `scripts/build-site` writes it, with recognisable contents.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("aftercall.hash"), format!("{HASH}\n")).unwrap();
    let mut files = vec![("aftercall".to_owned(), "css")];
    for bundle in app::bundles::Bundle::ALL {
        files
            .extend([(format!("aftercall-{}", bundle.name()), "wasm"), (format!("aftercall-{}", bundle.name()), "js")]);
    }
    for (stem, ext) in files {
        let plain = format!("the {ext} file ").repeat(200);
        std::fs::write(pkg.join(format!("{stem}.{ext}")), &plain).unwrap();
        std::fs::write(pkg.join(format!("{stem}.{HASH}.{ext}")), &plain).unwrap();
        std::fs::write(pkg.join(format!("{stem}.{HASH}.{ext}.br")), format!("brotli {ext}")).unwrap();
        std::fs::write(pkg.join(format!("{stem}.{HASH}.{ext}.gz")), format!("gzip {ext}")).unwrap();
    }
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_link_hashed_files_served_precompressed_and_immutable() {
    let site = site();
    let app = spawn_app(Db::Sqlite, &format!("[server]\nsite_root = \"{}\"\n", site.path().display())).await.unwrap();
    let get = |path: &str, encoding: &str| {
        app.http.get(format!("{}{path}", app.base)).header("accept-encoding", encoding.to_owned()).send()
    };

    // The page links this build's hashed stylesheet and the browser bundle of its part of
    // the dashboard only, and is compressed as the browser accepts.
    let page = get("/signin", "identity").await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    for name in [
        format!("/pkg/aftercall.{HASH}.css"),
        format!("/pkg/aftercall-auth.{HASH}.js"),
        format!("/pkg/aftercall-auth.{HASH}.wasm"),
    ] {
        assert!(html.contains(&name), "{name} in {html}");
    }
    for other in ["work", "agents", "notifications", "admin"] {
        assert!(!html.contains(&format!("aftercall-{other}.")), "the sign-in page links no {other} bundle: {html}");
    }
    let t = app.tenant("Acme").await;
    let browser = app.browser(&t).await;
    for (path, bundle) in [
        ("/conversations", "work"),
        ("/agents", "agents"),
        ("/notifications/new", "notifications"),
        ("/settings", "admin"),
    ] {
        let html = browser.get(format!("{}{path}", app.base)).send().await.unwrap().text().await.unwrap();
        let name = format!("/pkg/aftercall-{bundle}.{HASH}.wasm");
        assert!(html.contains(&name), "{path} links {name}: {html}");
        for other in app::bundles::Bundle::ALL.map(|b| b.name()).into_iter().filter(|b| *b != bundle) {
            assert!(!html.contains(&format!("aftercall-{other}.")), "{path} links no {other} bundle: {html}");
        }
    }
    let page = get("/signin", "gzip").await.unwrap();
    assert_eq!(page.headers()["content-encoding"], "gzip");
    let gzipped = page.bytes().await.unwrap();
    assert!(gzipped.len() < html.len() / 2, "{} of {} bytes", gzipped.len(), html.len());
    assert_eq!(get("/signin", "br, gzip").await.unwrap().headers()["content-encoding"], "br");

    // Hashed files: the precompressed twin, cached for a year without revalidation.
    let wasm = get(&format!("/pkg/aftercall-work.{HASH}.wasm"), "gzip, deflate, br").await.unwrap();
    assert_eq!(wasm.status().as_u16(), 200);
    assert_eq!(wasm.headers()["content-encoding"], "br");
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(wasm.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(wasm.text().await.unwrap(), "brotli wasm");
    let js = get(&format!("/pkg/aftercall-auth.{HASH}.js"), "gzip").await.unwrap();
    assert_eq!(js.headers()["content-encoding"], "gzip");
    assert_eq!(js.text().await.unwrap(), "gzip js");
    let css = get(&format!("/pkg/aftercall.{HASH}.css"), "identity").await.unwrap();
    assert!(css.headers().get("content-encoding").is_none());
    assert_eq!(css.text().await.unwrap(), "the css file ".repeat(200));

    // Unhashed names (older links) are revalidated, never cached blindly.
    let plain = get("/pkg/aftercall-admin.wasm", "identity").await.unwrap();
    assert_eq!(plain.status().as_u16(), 200);
    assert_eq!(plain.headers()["cache-control"], "no-cache");
    assert_eq!(get("/pkg/nothing.here.wasm", "br").await.unwrap().status().as_u16(), 404);

    // A streamed body (the CSV export) compresses to its end.
    app.post_call(&t.api_key, &crate::helpers::call("c-1", "desk")).await;
    let csv = browser
        .get(format!("{}/conversations/export.csv", app.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status().as_u16(), 200);
    assert_eq!(csv.headers()["content-encoding"], "gzip");
    let mut decoded = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&csv.bytes().await.unwrap()[..]), &mut decoded)
        .unwrap();
    assert!(decoded.starts_with("conversation_id,call_id,agent") && decoded.contains("c-1"), "{decoded}");
    app.stop().await;
}
