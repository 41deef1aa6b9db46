//! The browser entry point: hydrates the server-rendered page. Built once per browser
//! bundle (`app`'s `bundle-*` features: app/src/bundles.rs), or once for all pages.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // From now on a page of another bundle is reached by navigating: load it from the server.
    app::bundles::HYDRATED.store(true, std::sync::atomic::Ordering::Relaxed);
}
