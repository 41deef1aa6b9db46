//! First-page weight: what a browser downloads for the sign-in page with an empty cache,
//! as sent over the wire (`Accept-Encoding: br, gzip`), the page and every front-end file
//! it links under `/pkg`.

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

/// The sign-in page and what it links, as sent by the server at `base`.
///
/// Errors: a request fails or answers an error (an unbuilt site answers 404 for its files).
pub async fn first_page(base: &str) -> Result<Vec<Part>> {
    let http = reqwest::Client::builder().build()?;
    // The page's links, read from an uncompressed copy (reqwest here does not decompress).
    let html = http.get(format!("{base}/signin")).send().await?.text().await?;
    let mut parts = vec![fetch(&http, base, "/signin").await?];
    for path in linked_assets(&html) {
        parts.push(fetch(&http, base, &path).await?);
    }
    Ok(parts)
}

/// One line per response and the total, in KiB.
pub fn report(parts: &[Part]) -> String {
    let total: usize = parts.iter().map(|p| p.bytes).sum();
    let mut out = format!(
        "first page over the wire (GET /signin and what it links, br/gzip accepted): {:.0} KiB\n",
        total as f64 / 1024.0
    );
    for p in parts {
        out.push_str(&format!(
            "  {:<44} {:>8.1} KiB  {:<5} {}\n",
            p.path,
            p.bytes as f64 / 1024.0,
            p.encoding.as_deref().unwrap_or("none"),
            p.cache_control.as_deref().unwrap_or("")
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
}
