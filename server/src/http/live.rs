//! `GET /events/alerts`: the signed-in member's live alerts as server-sent events.
//!
//! Events: `unread` once at connect with `{"unread": n}`; then `alert` per new alert for this
//! member with `{"id", "title", "body", "link", "unread"}`. A comment keeps the connection
//! alive every 15 s; browsers reconnect by themselves (`EventSource`).

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use tokio::sync::broadcast::error::RecvError;
use tower_sessions::Session;

use super::AppState;
use backend::Member;
use backend::live::AlertEvent;

/// The member signed in on `session` (a session that ended answers 401, as signed out).
pub async fn session_member(state: &AppState, session: &Session) -> Result<Member, StatusCode> {
    app::auth::session_member(&state.services, session).await.map_err(|e| match e {
        app::error::AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    })
}

/// The data of an `alert` event: the new alert and the member's unread count after it.
#[derive(serde::Serialize)]
struct LiveAlert {
    id: uuid::Uuid,
    title: String,
    body: String,
    /// Dashboard path to open, e.g. `/conversations/<id>`.
    link: String,
    unread: u64,
}

/// The data of an `unread` event: how many of the member's alerts are unread.
#[derive(serde::Serialize)]
struct Unread {
    unread: u64,
}

fn unread_event(unread: u64) -> Event {
    Event::default().event("unread").data(serde_json::to_string(&Unread { unread }).unwrap_or_default())
}

/// Waits before each retry of a read that failed on the database (a busy pool, a dropped
/// connection): an alert is not lost to one failed read.
const RETRIES: [Duration; 3] = [Duration::from_millis(50), Duration::from_millis(250), Duration::from_secs(1)];

/// Runs `read` until it answers other than a database error, retrying after each of
/// [`RETRIES`]; the last answer otherwise.
async fn with_retries<T, F: std::future::Future<Output = backend::Result<T>>>(
    mut read: impl FnMut() -> F,
) -> backend::Result<T> {
    let mut answer = read().await;
    for wait in RETRIES {
        if !matches!(answer, Err(backend::Error::Db(_))) {
            break;
        }
        tokio::time::sleep(wait).await;
        answer = read().await;
    }
    answer
}

/// The `alert` event of `event` for `member`: `None` when the alert is not the member's
/// (or is gone). A read that still fails on the database after [`RETRIES`] answers an
/// `unread` event instead when it can, so the dashboard refreshes its count.
async fn alert_event(state: &AppState, member: &Member, event: AlertEvent) -> Option<Event> {
    let db = &state.services.db;
    let read = with_retries(|| async {
        let alert = backend::alerts::get(db, member, event.alert_id).await?;
        let unread = backend::alerts::unread_count(db, member).await?;
        Ok((alert, unread))
    })
    .await;
    let (alert, unread) = match read {
        Ok(read) => read,
        Err(backend::Error::Db(e)) => {
            tracing::warn!(alert = %event.alert_id, error = %e, "could not read a live alert; sending the unread count");
            let unread = with_retries(|| backend::alerts::unread_count(db, member)).await.ok()?;
            return Some(unread_event(unread));
        }
        Err(_) => return None,
    };
    let data = LiveAlert { id: alert.id, title: alert.title, body: alert.body, link: alert.link, unread };
    Some(Event::default().event("alert").id(alert.id.to_string()).data(serde_json::to_string(&data).ok()?))
}

/// `GET /events/alerts` (signed-in members; 401 otherwise).
pub async fn alerts(
    State(state): State<AppState>,
    session: Session,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, StatusCode> {
    let member = session_member(&state, &session).await?;
    let receiver = state.services.live.subscribe();
    let unread = backend::alerts::unread_count(&state.services.db, &member).await.unwrap_or(0);
    let first = unread_event(unread);
    let stream = futures::StreamExt::fuse(futures::stream::unfold(
        (Some(first), receiver, state, member),
        |(first, mut receiver, state, member)| async move {
            if let Some(event) = first {
                return Some((Ok(event), (None, receiver, state, member)));
            }
            loop {
                match receiver.recv().await {
                    Ok(e) if e.account_id == member.tenant.account_id() && e.user_id == member.user_id => {
                        // A member removed meanwhile gets nothing more (a failed read is no
                        // answer: it is retried, and does not end the stream).
                        let still = with_retries(|| {
                            backend::identity::accounts::member(&state.services.db, member.user_id, e.account_id)
                        })
                        .await;
                        if matches!(still, Err(ref err) if !matches!(err, backend::Error::Db(_))) {
                            return None;
                        }
                        if let Some(event) = alert_event(&state, &member, e).await {
                            return Some((Ok(event), (None, receiver, state, member)));
                        }
                    }
                    Ok(_) => continue,
                    Err(RecvError::Lagged(_)) => {
                        let unread = backend::alerts::unread_count(&state.services.db, &member).await.unwrap_or(0);
                        return Some((Ok(unread_event(unread)), (None, receiver, state, member)));
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        },
    ));
    // Counted in `aftercall_sse_clients` until the browser goes and the stream is dropped.
    let client = backend::telemetry::SseClient::open();
    let stream = futures::StreamExt::map(stream, move |event| {
        let _open = &client;
        event
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
