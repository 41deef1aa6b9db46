//! `GET /metrics`: this process's metrics ([`backend::telemetry`]) in the Prometheus text
//! format, rendered by `metrics-exporter-prometheus`; the queue depth is read from the
//! database at each scrape.
//!
//! Served on the main address only to `Authorization: Bearer <metrics.token>` (compared in
//! constant time; anything else is 401), and on `metrics.addr` without authentication (an
//! address only the scraper reaches; `aftercall worker` serves it there as well).

use std::sync::OnceLock;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use secrecy::{ExposeSecret, SecretString};

use backend::Services;

/// Histogram buckets of every `*_seconds` metric: 1 ms to 2 min.
const SECONDS_BUCKETS: [f64; 16] =
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's Prometheus recorder, installed as the global `metrics` recorder on first
/// use (with its upkeep task on the current runtime). A process that already has another
/// global recorder gets a handle that renders nothing recorded through the facade.
pub fn handle() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let builder = match PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &SECONDS_BUCKETS)
            {
                Ok(builder) => builder,
                Err(e) => {
                    tracing::warn!(error = %e, "metrics: default histogram buckets");
                    PrometheusBuilder::new()
                }
            };
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_ok() {
                backend::telemetry::describe();
            } else {
                tracing::warn!("metrics: another recorder is installed; /metrics shows only the queue");
            }
            let upkeep = handle.clone();
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let mut tick = tokio::time::interval(Duration::from_secs(5));
                    loop {
                        tick.tick().await;
                        upkeep.run_upkeep();
                    }
                });
            }
            handle
        })
        .clone()
}

/// The metrics as Prometheus text, the queue depth read now.
pub async fn render(services: &Services) -> String {
    if let Err(e) = backend::telemetry::refresh_queue_depth(&services.db).await {
        tracing::warn!(error = %backend::error::report(&e), "metrics: could not read the queue depth");
    }
    handle().render()
}

fn text(body: String) -> Response {
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    response
}

/// Whether `headers` carry `Authorization: Bearer <token>`, compared in constant time.
pub fn authorized(headers: &HeaderMap, token: &SecretString) -> bool {
    use subtle::ConstantTimeEq;
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or("");
    let expected = token.expose_secret().as_bytes();
    presented.len() == expected.len() && bool::from(presented.as_bytes().ct_eq(expected))
}

/// `GET /metrics` on the main address (only routed when `metrics.token` is set).
pub async fn with_token(State(state): State<super::AppState>, headers: HeaderMap) -> Response {
    match &state.metrics_token {
        Some(token) if authorized(&headers, token) => text(render(&state.services).await),
        _ => (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], "metrics need a bearer token\n")
            .into_response(),
    }
}

/// Serves `GET /metrics` alone, without authentication, on `addr` until the process ends.
///
/// Errors: the address cannot be bound.
pub async fn serve_separately(addr: std::net::SocketAddr, services: Services) -> std::io::Result<std::net::SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    handle();
    let router = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let services = services.clone();
            async move { text(render(&services).await) }
        }),
    );
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
    });
    tracing::info!(%bound, "metrics are served at /metrics");
    Ok(bound)
}
