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
    for ext in ["wasm", "js", "css"] {
        let plain = format!("the {ext} file ").repeat(200);
        std::fs::write(pkg.join(format!("aftercall.{ext}")), &plain).unwrap();
        std::fs::write(pkg.join(format!("aftercall.{HASH}.{ext}")), &plain).unwrap();
        std::fs::write(pkg.join(format!("aftercall.{HASH}.{ext}.br")), format!("brotli {ext}")).unwrap();
        std::fs::write(pkg.join(format!("aftercall.{HASH}.{ext}.gz")), format!("gzip {ext}")).unwrap();
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

    // The page links this build's hashed files, and is compressed as the browser accepts.
    let page = get("/signin", "identity").await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    for file in ["js", "wasm", "css"] {
        let name = format!("/pkg/aftercall.{HASH}.{file}");
        assert!(html.contains(&name), "{name} in {html}");
    }
    let page = get("/signin", "gzip").await.unwrap();
    assert_eq!(page.headers()["content-encoding"], "gzip");
    let gzipped = page.bytes().await.unwrap();
    assert!(gzipped.len() < html.len() / 2, "{} of {} bytes", gzipped.len(), html.len());
    assert_eq!(get("/signin", "br, gzip").await.unwrap().headers()["content-encoding"], "br");

    // Hashed files: the precompressed twin, cached for a year without revalidation.
    let wasm = get(&format!("/pkg/aftercall.{HASH}.wasm"), "gzip, deflate, br").await.unwrap();
    assert_eq!(wasm.status().as_u16(), 200);
    assert_eq!(wasm.headers()["content-encoding"], "br");
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(wasm.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(wasm.text().await.unwrap(), "brotli wasm");
    let js = get(&format!("/pkg/aftercall.{HASH}.js"), "gzip").await.unwrap();
    assert_eq!(js.headers()["content-encoding"], "gzip");
    assert_eq!(js.text().await.unwrap(), "gzip js");
    let css = get(&format!("/pkg/aftercall.{HASH}.css"), "identity").await.unwrap();
    assert!(css.headers().get("content-encoding").is_none());
    assert_eq!(css.text().await.unwrap(), "the css file ".repeat(200));

    // Unhashed names (older links) are revalidated, never cached blindly.
    let plain = get("/pkg/aftercall.wasm", "identity").await.unwrap();
    assert_eq!(plain.status().as_u16(), 200);
    assert_eq!(plain.headers()["cache-control"], "no-cache");
    assert_eq!(get("/pkg/nothing.here.wasm", "br").await.unwrap().status().as_u16(), 404);

    // A streamed body (the CSV export) compresses to its end.
    let t = app.tenant("Acme").await;
    app.post_call(&t.api_key, &crate::helpers::call("c-1", "desk")).await;
    let browser = app.browser(&t).await;
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
