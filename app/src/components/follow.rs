//! Browser-side helpers for values that follow what is typed: a debounced copy of a value,
//! and an answer fetched again whenever its arguments change (the editor's live preview and
//! the trigger question's reading). The page renders the first answer with its own data;
//! these only run in the browser, after hydration.

use std::future::Future;
use std::time::Duration;

use leptos::prelude::*;

/// A signal that takes `value`'s value `delay` after it last changed (what is typed,
/// 300 ms after typing stops). Starts with `value`'s current value.
pub fn debounced<T>(value: impl Fn() -> T + 'static, delay: Duration) -> RwSignal<T>
where
    T: Clone + Send + Sync + 'static,
{
    let out = RwSignal::new(untrack(&value));
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let now = value();
        let mine = generation.try_get_value().unwrap_or_default() + 1;
        generation.try_set_value(mine);
        set_timeout(
            move || {
                // Only the last change's timer sets it; the form may be gone by then.
                if generation.try_get_value() == Some(mine) {
                    let _ = out.try_set(now);
                }
            },
            delay,
        );
    });
    out
}

/// Sets `answer` to `fetch(args)` each time `args` changes, at once; when requests overlap,
/// only the newest one's answer is shown. `args` as first read is what `answer` already
/// shows (rendered with the page), so nothing is fetched until it changes.
pub fn follow<A, T, Fut>(args: impl Fn() -> A + 'static, answer: RwSignal<T>, fetch: impl Fn(A) -> Fut + 'static)
where
    A: Clone + PartialEq + 'static,
    T: Send + Sync + 'static,
    Fut: Future<Output = T> + 'static,
{
    let sent = StoredValue::new(0u64);
    Effect::new(move |previous: Option<A>| {
        let wanted = args();
        if previous.as_ref().is_none_or(|p| *p == wanted) {
            return wanted;
        }
        let mine = sent.try_get_value().unwrap_or_default() + 1;
        sent.try_set_value(mine);
        let request = fetch(wanted.clone());
        leptos::task::spawn_local(async move {
            let value = request.await;
            // The form may be gone by then.
            if sent.try_get_value() == Some(mine) {
                let _ = answer.try_set(value);
            }
        });
        wanted
    });
}
