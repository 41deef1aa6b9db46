//! The compiled front end under `/pkg`: the wasm, its JavaScript glue and the stylesheet
//! that `scripts/build-site` writes, served precompressed and cached.
//!
//! `scripts/build-site` names each file after a hash of the build's content
//! (`aftercall.<16 hex>.css`, and `aftercall-<bundle>.<16 hex>.wasm` and `.js` for each
//! browser bundle of `app::bundles`, plus `.br` and `.gz` beside each, and the hash in
//! `aftercall.hash`); the server reads the hash at start ([`output_name`]) and each page
//! links the stylesheet and its own bundle under those names. A hashed name never changes content, so it is served
//! `Cache-Control: public, max-age=31536000, immutable` (a returning browser asks for
//! nothing); anything else under `/pkg` (the unhashed copies older links use) is
//! `no-cache` (revalidated by `ETag`/`Last-Modified`). Files are sent as their `.br` or
//! `.gz` twin when the browser accepts it (compressed once, at build time, at the highest
//! level), which is what makes the first page light.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// How long a hashed file may be cached: a year, the conventional "forever".
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The front end's base name for the pages' links: `<name>.<hash>` when the site under
/// `site_root/pkg_dir` was built with a hash file (`<name>.hash`), else `name`.
pub fn output_name(site_root: &str, pkg_dir: &str, name: &str) -> String {
    let path = std::path::Path::new(site_root).join(pkg_dir).join(format!("{name}.hash"));
    match std::fs::read_to_string(&path) {
        Ok(hash) if is_hash(hash.trim()) => format!("{name}.{}", hash.trim()),
        Ok(_) => {
            tracing::warn!(file = %path.display(), "the site's hash file does not hold a hash; serving unhashed names");
            name.to_owned()
        }
        Err(_) => name.to_owned(),
    }
}

/// Whether the site under `site_root/pkg_dir` was built as browser bundles
/// (`scripts/build-site`: `<name>-work.js` beside the others, [`app::bundles`]) rather
/// than as one `<name>.js` (`cargo leptos`). A site not built yet counts as bundles.
pub fn has_bundles(site_root: &str, pkg_dir: &str, name: &str) -> bool {
    let dir = std::path::Path::new(site_root).join(pkg_dir);
    dir.join(format!("{name}-work.js")).exists() || !dir.join(format!("{name}.js")).exists()
}

/// Sixteen lowercase hex digits (the first 64 bits of the build's SHA-256).
fn is_hash(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether the last path segment is `<stem>.<hash>.<ext>`.
pub fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let mut parts = file.rsplit('.');
    let (Some(_ext), Some(hash), Some(_stem)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    is_hash(hash)
}

/// Sets `Cache-Control` on `/pkg` responses: immutable for hashed names, `no-cache` else.
pub async fn cache_control(request: Request, next: Next) -> Response {
    let hashed = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status() == axum::http::StatusCode::NOT_MODIFIED {
        let value = if hashed { IMMUTABLE } else { "no-cache" };
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_with_a_build_hash_are_immutable() {
        assert!(is_hashed("/pkg/aftercall.0123456789abcdef.wasm"));
        assert!(is_hashed("/pkg/aftercall.0123456789abcdef.css"));
        assert!(!is_hashed("/pkg/aftercall.wasm"));
        assert!(!is_hashed("/pkg/aftercall.0123456789ABCDEF.wasm"), "uppercase is not what the script writes");
        assert!(!is_hashed("/pkg/aftercall.0123.wasm"));
        assert!(!is_hashed("/pkg/0123456789abcdef.wasm"), "a bare hash has no stem");
    }

    #[test]
    fn a_site_is_bundles_unless_it_has_the_single_build_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_str().unwrap();
        assert!(has_bundles(root, "pkg", "aftercall"), "not built yet");
        std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
        std::fs::write(dir.path().join("pkg/aftercall.js"), "").unwrap();
        assert!(!has_bundles(root, "pkg", "aftercall"), "cargo leptos: one aftercall.js");
        std::fs::write(dir.path().join("pkg/aftercall-work.js"), "").unwrap();
        assert!(has_bundles(root, "pkg", "aftercall"));
    }

    #[test]
    fn the_output_name_carries_the_hash_only_when_the_site_has_one() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_str().unwrap();
        assert_eq!(output_name(root, "pkg", "aftercall"), "aftercall");
        std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
        std::fs::write(dir.path().join("pkg/aftercall.hash"), "0123456789abcdef\n").unwrap();
        assert_eq!(output_name(root, "pkg", "aftercall"), "aftercall.0123456789abcdef");
        std::fs::write(dir.path().join("pkg/aftercall.hash"), "not a hash").unwrap();
        assert_eq!(output_name(root, "pkg", "aftercall"), "aftercall");
    }
}
