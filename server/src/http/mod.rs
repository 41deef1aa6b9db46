//! The HTTP router: the integrator API under `/api/v1`, server functions under `/api`,
//! the Leptos pages, static files, the sign-in guard for pages, and the edge layers every
//! request passes ([`edge`]: client address, body limits, same-origin check, security
//! headers).

pub mod actions;
pub mod agents;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod calls;
pub mod conversations;
pub mod delivery;
pub mod edge;
pub mod error;
pub mod export;
pub mod extract;
pub mod integrations;
pub mod live;
pub mod metrics;
pub mod notifications;
pub mod openapi;
pub mod scheduled_calls;
pub mod tasks;
pub mod tries;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRef, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use tower_sessions::Session;

use backend::Services;

/// Router state.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub leptos_options: LeptosOptions,
    /// `ingest.max_body_bytes`.
    pub max_body_bytes: usize,
    /// `api.rate_limit_*`; `None` = unlimited.
    pub rate_limit: Option<RateLimit>,
    /// What the edge layers check.
    pub edge: edge::EdgeConfig,
    /// The session store (to move a session's idle expiry forward).
    pub sessions: backend::session_store::DbSessionStore,
    /// `metrics.token`: opens `GET /metrics` on this address; `None` = not served here.
    pub metrics_token: Option<std::sync::Arc<secrecy::SecretString>>,
}

/// A per-API-key request budget for `/api/v1` (SPEC section 3: 429 rate limited).
#[derive(Clone, Copy, Debug)]
pub struct RateLimit {
    /// Sustained requests per second.
    pub per_second: u32,
    /// Requests allowed at once above the sustained rate.
    pub burst: u32,
}

/// Rate-limit key: the API key itself, read exactly as authentication reads it
/// ([`auth::bearer_key`]), so extra spaces or another spelling of `Bearer` share the key's
/// budget. Requests without a readable key are keyed by client address (they fail
/// authentication anyway, but cannot flood it).
#[derive(Clone, Copy, Debug)]
struct ApiKeyExtractor;

impl tower_governor::key_extractor::KeyExtractor for ApiKeyExtractor {
    type Key = String;

    fn extract<T>(&self, req: &axum::http::Request<T>) -> Result<Self::Key, tower_governor::GovernorError> {
        let header = req.headers().get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
        match auth::bearer_key(header) {
            Some(key) => Ok(format!("key:{}", key.chars().take(200).collect::<String>())),
            None => {
                let ip = req.extensions().get::<backend::throttle::ClientIp>().and_then(|c| c.0);
                Ok(format!("ip:{}", ip.map(|ip| backend::throttle::ip_key(ip).to_string()).unwrap_or_default()))
            }
        }
    }
}

/// 429 as the API's JSON error, with `Retry-After` (whole seconds).
fn rate_limited(err: tower_governor::GovernorError) -> Response {
    match err {
        tower_governor::GovernorError::TooManyRequests { wait_time, .. } => {
            let wait = wait_time.max(1);
            let mut response = error::ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests for this API key; retry after {wait} s"),
            )
            .into_response();
            if let Ok(value) = wait.to_string().parse() {
                response.headers_mut().insert(axum::http::header::RETRY_AFTER, value);
            }
            response
        }
        other => error::ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", other.to_string()).into_response(),
    }
}

/// `api` behind the rate limit `limit`, plus a task that forgets idle keys every minute (so
/// made-up keys cannot grow its memory).
fn with_rate_limit(api: Router<AppState>, limit: RateLimit) -> Router<AppState> {
    let period = std::time::Duration::from_nanos(1_000_000_000 / u64::from(limit.per_second.max(1)));
    let config = tower_governor::governor::GovernorConfigBuilder::default()
        .key_extractor(ApiKeyExtractor)
        .period(period)
        .burst_size(limit.burst.max(1))
        .finish();
    let Some(config) = config else { return api };
    let limiter = config.limiter().clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            limiter.retain_recent();
        }
    });
    api.layer(tower_governor::GovernorLayer::new(config).error_handler(rate_limited))
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for Services {
    fn from_ref(state: &AppState) -> Self {
        state.services.clone()
    }
}

async fn health() -> &'static str {
    "ok"
}

async fn server_fn_handler(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    let services = state.services.clone();
    handle_server_fns_with_context(move || provide_context(services.clone()), req).await
}

/// What every page render gets: the services, and the page's Content-Security-Policy with
/// the nonce Leptos generated for this response's inline scripts.
fn page_context(services: Services) -> impl Fn() + Clone + Send + Sync + 'static {
    move || {
        provide_context(services.clone());
        if let (Some(nonce), Some(response)) =
            (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
            && let Ok(value) = axum::http::HeaderValue::from_str(&edge::page_csp(&nonce))
        {
            response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// Paths a signed-out visitor may open.
fn is_public(path: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "/api/", "/api-docs", "/pkg/", "/signin", "/signup", "/invite/", "/healthz", "/events/", "/forgot-password",
        "/reset-password/", "/verify-email/", "/confirm-email/", "/metrics",
    ];
    PREFIXES.iter().any(|p| path.starts_with(p)) || is_static(path)
}

/// Whether `path` is a static file (assets do not count as activity of a session).
fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/") || path.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

/// Sends signed-out visitors of a page (or visitors whose session ended) to
/// `/signin?next=<path>`, and moves a signed-in session's idle expiry forward on every
/// request that is not for a static file (`auth.session_idle_minutes` counts from the last
/// one). Server functions and the API authenticate themselves; pages also check
/// membership in their server functions.
async fn require_sign_in(State(state): State<AppState>, session: Session, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !is_static(path)
        && !path.starts_with("/api/v1/")
        && app::auth::session_claims(&session).await.is_some()
        && let Some(id) = session.id()
        && let Err(e) = state.sessions.touch(&id).await
    {
        tracing::warn!(error = %backend::error::report(&e), "could not move a session's idle expiry");
    }
    let is_page = matches!(*req.method(), Method::GET | Method::HEAD) && !is_public(path);
    if is_page && app::auth::session_member(&state.services, &session).await.is_err() {
        let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let encoded: String = url_encode(target);
        return Redirect::to(&format!("/signin?next={encoded}")).into_response();
    }
    next.run(req).await
}

fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

async fn api_not_found() -> error::ApiError {
    error::ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such API endpoint")
}

/// The whole application router (the session layer is added by the caller).
pub fn router(state: AppState) -> Router {
    let (api, document) = openapi::api_routes().split_for_parts();
    let document = openapi::finish(document);
    let api = api.route("/openapi.json", get(openapi::document_response(&document))).fallback(api_not_found);
    let api = match state.rate_limit {
        Some(limit) => with_rate_limit(api, limit),
        None => api,
    };

    let routes = generate_route_list(app::App);
    let services = state.services.clone();
    let options = state.leptos_options.clone();
    let edge = state.edge.clone();
    let pkg = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let pkg = Router::new()
        .nest_service(
            &format!("/{}", options.site_pkg_dir),
            tower_http::services::ServeDir::new(pkg).precompressed_br().precompressed_gzip(),
        )
        .layer(middleware::from_fn(assets::cache_control));
    let metrics = match state.metrics_token {
        Some(_) => Router::new().route("/metrics", get(metrics::with_token)),
        None => Router::new(),
    };
    Router::new()
        .nest("/api/v1", api)
        .merge(metrics)
        .merge(pkg)
        .merge(openapi::reference())
        .route("/healthz", get(health))
        .route("/events/alerts", get(live::alerts))
        .route("/conversations/export.csv", get(export::conversations_csv))
        .route("/api/{*fn_name}", get(server_fn_handler).post(server_fn_handler))
        .leptos_routes_with_context(&state, routes, page_context(services.clone()), move || app::shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(page_context(services), app::shell))
        .layer(middleware::from_fn_with_state(state.clone(), require_sign_in))
        .layer(middleware::from_fn(edge::friendly_429))
        .layer(middleware::from_fn_with_state(edge.clone(), edge::same_origin))
        .layer(middleware::from_fn_with_state(edge.clone(), edge::limit_body))
        .layer(middleware::from_fn_with_state(edge.clone(), edge::security_headers))
        .layer(middleware::from_fn_with_state(edge, edge::client_ip))
        // Pages, JSON and the rest compressed on the fly (br or gzip, as the client accepts);
        // the front end's files come precompressed from `/pkg`, and event streams are not.
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sign_in_pages_assets_and_apis_are_public() {
        assert!(is_public("/signin"));
        assert!(is_public("/pkg/aftercall.wasm"));
        assert!(is_public("/api/v1/calls"));
        assert!(is_public("/api-docs/") && is_public("/api/v1/openapi.json"));
        assert!(is_public("/favicon.ico"));
        assert!(!is_public("/"));
        assert!(!is_public("/conversations/0192"));
        assert_eq!(url_encode("/tasks?status=open&x=1"), "/tasks%3Fstatus%3Dopen%26x%3D1");
    }
}
