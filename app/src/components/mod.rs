//! The layout (header, navigation, bell) and small shared components.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::use_location;

use crate::auth::{SignOut, SwitchAccount, Viewer, me};
use crate::error::AppError;

mod conditions;
#[cfg(feature = "hydrate")]
pub mod follow;
mod try_panel;
pub use conditions::ConditionEditor;
pub use try_panel::{TryPanel, TryTarget};

/// Bumped by actions that change the unread count, so the bell refetches.
#[derive(Clone, Copy)]
pub struct BellRefresh(pub RwSignal<u32>);

/// The signed-in user, shared with pages (for role checks in the UI).
#[derive(Clone, Copy)]
pub struct CurrentUser(pub Resource<Result<Option<Viewer>, AppError>>);

/// Whether the signed-in viewer may change configuration (`false` while unknown or
/// signed out). Call `use_context::<CurrentUser>()` in the component, await this in a
/// `Suspend`.
pub async fn viewer_can_configure(user: Option<CurrentUser>) -> bool {
    match user {
        Some(CurrentUser(resource)) => matches!(resource.await, Ok(Some(v)) if v.can_configure),
        None => false,
    }
}

/// An alert that arrived live, shown as a toast.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct LiveAlert {
    pub id: String,
    pub title: String,
    pub body: String,
    pub link: String,
}

/// Opens the live alert stream (`/events/alerts`, server-sent events): each new alert
/// bumps `refresh` (the bell and the alerts list refetch) and is added to `toasts` for
/// 10 s. The browser's `EventSource` reconnects by itself.
#[cfg(feature = "hydrate")]
fn listen_for_alerts(refresh: RwSignal<u32>, toasts: RwSignal<Vec<LiveAlert>>) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    let Ok(source) = web_sys::EventSource::new("/events/alerts") else { return };
    let on_alert = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
        refresh.update(|n| *n += 1);
        let Some(data) = event.data().as_string() else { return };
        let Ok(alert) = serde_json::from_str::<LiveAlert>(&data) else { return };
        let id = alert.id.clone();
        toasts.update(|list| {
            list.push(alert);
            if list.len() > 3 {
                list.remove(0);
            }
        });
        set_timeout(
            move || {
                toasts.try_update(|list| list.retain(|a| a.id != id));
            },
            std::time::Duration::from_secs(10),
        );
    });
    let on_unread = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_event: web_sys::MessageEvent| {
        refresh.update(|n| *n += 1);
    });
    let _ = source.add_event_listener_with_callback("alert", on_alert.as_ref().unchecked_ref());
    let _ = source.add_event_listener_with_callback("unread", on_unread.as_ref().unchecked_ref());
    // The stream lives as long as the page: the layout is never unmounted.
    on_alert.forget();
    on_unread.forget();
    std::mem::forget(source);
}

/// Header with navigation and the alert bell (live: server-sent events), then the page.
#[component]
pub fn Layout() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    provide_context(BellRefresh(refresh));
    let toasts = RwSignal::new(Vec::<LiveAlert>::new());
    let location = use_location();
    let me = Resource::new(move || (location.pathname.get(), refresh.get()), |_| me());
    provide_context(CurrentUser(me));
    let sign_out = ServerAction::<SignOut>::new();
    let switch = ServerAction::<SwitchAccount>::new();
    // Marks the page as hydrated (effects run only in the browser); tests wait for it.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    #[cfg(feature = "hydrate")]
    {
        let started = StoredValue::new(false);
        Effect::new(move |_| {
            if !started.get_value() {
                started.set_value(true);
                listen_for_alerts(refresh, toasts);
            }
        });
    }
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">"Aftercall"</A>
            <nav class="mainnav">
                <A href="/" exact=true>"Home"</A>
                <A href="/conversations">"Conversations"</A>
                <A href="/agents">"Agents"</A>
                <A href="/notifications">"Notifications"</A>
                <A href="/tasks">"Tasks"</A>
                <A href="/alerts">"Alerts"</A>
                <A href="/deliveries">"Deliveries"</A>
                <A href="/outbox">"Outbox"</A>
                <A href="/team">"Team"</A>
                <A href="/settings">"Settings"</A>
            </nav>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(Some(user)) => {
                            let unread = user.unread_alerts;
                            let count_class = if unread > 0 { "count" } else { "count zero" };
                            view! {
                                <div class="session">
                                    <A href="/alerts" attr:class="bell" attr:title="Alerts" attr:data-testid="bell">
                                        <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22">
                                            <path d="M12 3a6 6 0 0 0-6 6v3.6L4.3 16h15.4L18 12.6V9a6 6 0 0 0-6-6zm-2.2 15a2.3 2.3 0 0 0 4.4 0z" fill="currentColor" />
                                        </svg>
                                        <span class="sr-only">"Unread alerts: "</span>
                                        <span class=count_class data-testid="unread-count">{unread}</span>
                                    </A>
                                    <A href="/profile" attr:class="who" attr:title=user.email.clone()>{user.name.clone()}</A>
                                    {if user.accounts.len() > 1 {
                                        view! {
                                            <ActionForm action=switch attr:class="inline account-switcher" attr:data-testid="account-switcher">
                                                <label class="sr-only" for="account-switch">"Account"</label>
                                                <select id="account-switch" name="account_id">
                                                    {user.accounts.iter().map(|a| view! { <option value=a.id.clone() selected=a.current>{a.name.clone()}</option> }).collect_view()}
                                                </select>
                                                <button type="submit" class="link">"Switch"</button>
                                            </ActionForm>
                                        }.into_any()
                                    } else {
                                        view! { <span class="who">{user.account_name.clone()}</span> }.into_any()
                                    }}
                                    <ActionForm action=sign_out attr:class="inline">
                                        <button type="submit" class="link">"Sign out"</button>
                                    </ActionForm>
                                </div>
                            }
                                .into_any()
                        }
                        _ => view! { <div class="session"><a href="/signin">"Sign in"</a></div> }.into_any(),
                    }
                })}
            </Transition>
        </header>
        <main class="page">
            <Outlet />
        </main>
        <div class="toasts" aria-live="polite" data-testid="toasts">
            {move || toasts.get().into_iter().map(|a| view! {
                <a class="toast" href=a.link.clone() data-testid="toast">
                    <strong>{a.title.clone()}</strong>
                    <span>{a.body.clone()}</span>
                </a>
            }).collect_view()}
        </div>
    }
}

/// A click handler for a submit button that deletes something: asks the browser to
/// confirm `message` and cancels the submission when declined. An event handler rather than
/// an inline `onsubmit` attribute, which the pages' Content-Security-Policy forbids.
pub fn confirm_first(message: &'static str) -> impl Fn(leptos::ev::MouseEvent) + Clone + 'static {
    move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        if !window().confirm_with_message(message).unwrap_or(false) {
            ev.prevent_default();
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, message);
    }
}

/// Renders a server-function error; a NotFound also sets the 404 status during SSR.
#[component]
pub fn ErrorBox(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        let status = match &error {
            AppError::NotFound(_) => Some(http::StatusCode::NOT_FOUND),
            AppError::Unauthenticated => Some(http::StatusCode::UNAUTHORIZED),
            AppError::Forbidden => Some(http::StatusCode::FORBIDDEN),
            _ => None,
        };
        if let (Some(status), Some(response)) = (status, use_context::<leptos_axum::ResponseOptions>()) {
            response.set_status(status);
        }
    }
    let sign_in = matches!(error, AppError::Unauthenticated);
    view! {
        <div class="error" role="alert">
            <p>{error.to_string()}</p>
            {sign_in.then(|| view! { <p><a href="/signin">"Sign in"</a></p> })}
        </div>
    }
}

/// A resource's value once it has loaded: "Loading…" meanwhile (rendered into the SSR
/// stream until the value is there), the [`ErrorBox`] when the server function failed, else
/// what `view` makes of the value. The page scaffolding every list and detail page shares.
#[component]
pub fn Loaded<T, F>(resource: Resource<Result<T, AppError>>, view: F) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> AnyView + Clone + Send + Sync + 'static,
{
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let view = view.clone();
                Suspend::new(async move {
                    match resource.await {
                        Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                        Ok(value) => view(value),
                    }
                })
            }}
        </Suspense>
    }
}

/// [`Loaded`], also telling `view` whether the signed-in viewer may change configuration:
/// the viewer is awaited beside the resource rather than read, since during SSR it may load
/// after the resource (a read would render the member's view, the browser the admin's).
#[component]
pub fn LoadedForViewer<T, F>(resource: Resource<Result<T, AppError>>, view: F) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T, bool) -> AnyView + Clone + Send + Sync + 'static,
{
    let user = use_context::<CurrentUser>();
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let view = view.clone();
                Suspend::new(async move {
                    let admin = viewer_can_configure(user).await;
                    match resource.await {
                        Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                        Ok(value) => view(value, admin),
                    }
                })
            }}
        </Suspense>
    }
}

/// A tab panel whose content loads data of its own, under a page whose header loads
/// `owner` (the agent, the conversation) with [`Loaded`]. The content is built here, once, as
/// the page is built: a component that creates resources must not be built inside a
/// `Suspend` (such as a [`Loaded`] view), because during SSR that body runs more than once,
/// each run creates and fetches the resources again, and the browser hydrates against the
/// first run's answers, which can differ from what the page shows. The panel is hidden when
/// `owner` failed to load: the header shows that error.
#[component]
pub fn TabPanel<T>(owner: Resource<Result<T, AppError>>, children: Children) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    view! {
        <Suspense fallback=|| ()>
            <section class="tab-panel card" hidden=move || Suspend::new(async move { owner.await.is_err() })>
                {children()}
            </section>
        </Suspense>
    }
}

/// The outcome of an action's last submission: its error, or `ok` text once it succeeded.
#[component]
pub fn FormResult<S>(action: ServerAction<S>, #[prop(optional, into)] ok: Option<String>) -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || match action.value().get() {
        Some(Err(e)) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
        Some(Ok(_)) => ok.clone().map(|text| view! { <p class="form-ok">{text}</p> }).into_any(),
        None => ().into_any(),
    }
}

/// A coloured state label, e.g. for email states and priorities.
#[component]
pub fn Badge(#[prop(into)] text: String) -> impl IntoView {
    let class = format!("badge badge-{}", text.replace(' ', "-"));
    view! { <span class=class>{text}</span> }
}

/// "Newer" / "Older" links for keyset pagination (`before` = cursor).
#[component]
pub fn Pager(#[prop(into)] base: String, next: Option<String>, has_previous: bool) -> impl IntoView {
    let separator = if base.contains('?') { '&' } else { '?' };
    let older = next.map(|cursor| format!("{base}{separator}before={cursor}"));
    view! {
        <nav class="pager">
            {has_previous.then(|| view! { <a href=base.clone()>"← Newest"</a> })}
            {older.map(|href| view! { <a href=href>"Older →"</a> })}
        </nav>
    }
}
