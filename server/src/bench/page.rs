//! First-page weight: what a browser downloads for the sign-in page with an empty cache,
//! as sent over the wire (`Accept-Encoding: br, gzip`), the page and every front-end file
//! it links under `/pkg`; then the same, signed in, for one page of each other browser
//! bundle (`app::bundles`): the first visit to each part of the dashboard.

use anyhow::{Context, Result};

/// Bytes of one response as sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub path: String,
    pub bytes: usize,
    pub encoding: Option<String>,
    pub cache_control: Option<String>,
}

/// The `/pkg/…` paths a page links, in order, each once.
pub fn linked_assets(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in html.match_indices("/pkg/") {
        let rest = &html[at..];
        let end = rest.find(['"', '\'', ' ', '>', ')']).unwrap_or(rest.len());
        let path = rest[..end].to_owned();
        if !found.contains(&path) {
            found.push(path);
        }
    }
    found
}

async fn fetch(http: &reqwest::Client, base: &str, path: &str) -> Result<Part> {
    let resp = http
        .get(format!("{base}{path}"))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .with_context(|| format!("GET {path}"))?;
    anyhow::ensure!(
        resp.status().is_success(),
        "GET {path}: {} (is the site built? scripts/build-site)",
        resp.status()
    );
    let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (encoding, cache_control) = (header("content-encoding"), header("cache-control"));
    let body = resp.bytes().await?;
    Ok(Part { path: path.to_owned(), bytes: body.len(), encoding, cache_control })
}

/// The page at `path` and what it links, as sent by `http` (with its cookies).
async fn page(http: &reqwest::Client, base: &str, path: &str) -> Result<Vec<Part>> {
    // The page's links, read from an uncompressed copy (reqwest here does not decompress).
    let html = http.get(format!("{base}{path}")).send().await?.text().await?;
    let mut parts = vec![fetch(http, base, path).await?];
    for asset in linked_assets(&html) {
        parts.push(fetch(http, base, &asset).await?);
    }
    Ok(parts)
}

/// One page of each signed-in browser bundle (`app::bundles`), in the bench's report.
pub const DASHBOARD_PAGES: [&str; 4] = ["/", "/agents", "/notifications/new", "/settings"];

/// The sign-in page and what it links, as sent by the server at `base`; then, signed in
/// as the bench account's owner, each of [`DASHBOARD_PAGES`] and what it links.
///
/// Errors: a request fails or answers an error (an unbuilt site answers 404 for its files),
/// or signing in fails.
pub async fn first_pages(base: &str) -> Result<Vec<(String, Vec<Part>)>> {
    let http = reqwest::Client::builder().build()?;
    let mut pages = vec![("/signin".to_owned(), page(&http, base, "/signin").await?)];
    let cookies = super::target::sign_in(base).await?;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::COOKIE, cookies.parse()?);
    let signed_in = reqwest::Client::builder().default_headers(headers).build()?;
    for path in DASHBOARD_PAGES {
        pages.push((path.to_owned(), page(&signed_in, base, path).await?));
    }
    Ok(pages)
}

/// Bytes of `parts` together, in KiB.
fn kib(parts: &[Part]) -> f64 {
    parts.iter().map(|p| p.bytes).sum::<usize>() as f64 / 1024.0
}

/// The sign-in page's total and one line per response, then one line per dashboard page
/// with its total and its bundle's wasm, in KiB.
pub fn report(pages: &[(String, Vec<Part>)]) -> String {
    let Some((first, parts)) = pages.first() else { return String::new() };
    let mut out =
        format!("first page over the wire (GET {first} and what it links, br/gzip accepted): {:.0} KiB\n", kib(parts));
    for p in parts {
        out.push_str(&format!(
            "  {:<44} {:>8.1} KiB  {:<5} {}\n",
            p.path,
            p.bytes as f64 / 1024.0,
            p.encoding.as_deref().unwrap_or("none"),
            p.cache_control.as_deref().unwrap_or("")
        ));
    }
    if pages.len() > 1 {
        out.push_str("first visit to each part of the dashboard (signed in, empty cache, br/gzip accepted):\n");
    }
    for (path, parts) in &pages[1..] {
        let wasm = parts.iter().find(|p| p.path.ends_with(".wasm"));
        out.push_str(&format!(
            "  {:<20} {:>6.0} KiB  (wasm {})\n",
            path,
            kib(parts),
            wasm.map(|w| format!("{} {:.0} KiB", w.path.trim_start_matches("/pkg/"), w.bytes as f64 / 1024.0))
                .unwrap_or_else(|| "none".to_owned())
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_linked_front_end_file_is_found_once() {
        let html = r#"<link rel="modulepreload" href="/pkg/aftercall.0123456789abcdef.js"><link rel="preload" href="/pkg/aftercall.0123456789abcdef.wasm" as="fetch"><script type="module">import('/pkg/aftercall.0123456789abcdef.js')</script><link rel="stylesheet" href="/pkg/aftercall.0123456789abcdef.css">"#;
        assert_eq!(
            linked_assets(html),
            [
                "/pkg/aftercall.0123456789abcdef.js", "/pkg/aftercall.0123456789abcdef.wasm",
                "/pkg/aftercall.0123456789abcdef.css"
            ]
        );
    }

    #[test]
    fn the_report_gives_the_sign_in_page_then_each_part_of_the_dashboard() {
        let part = |path: &str, bytes: usize| Part {
            path: path.to_owned(),
            bytes,
            encoding: Some("br".into()),
            cache_control: None,
        };
        let pages = vec![
            ("/signin".to_owned(), vec![part("/signin", 2048), part("/pkg/aftercall-auth.h.wasm", 10240)]),
            ("/agents".to_owned(), vec![part("/agents", 1024), part("/pkg/aftercall-agents.h.wasm", 20480)]),
        ];
        let report = report(&pages);
        assert!(
            report.starts_with("first page over the wire (GET /signin and what it links, br/gzip accepted): 12 KiB\n"),
            "{report}"
        );
        assert!(report.contains("  /pkg/aftercall-auth.h.wasm"), "{report}");
        assert!(report.contains("first visit to each part of the dashboard"), "{report}");
        assert!(
            report.contains("  /agents                  21 KiB  (wasm aftercall-agents.h.wasm 20 KiB)\n"),
            "{report}"
        );
    }
}
