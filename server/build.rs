//! Decides, at build time, which integration tests need a service that is not configured,
//! so `cargo test` reports them as *ignored* instead of passing without running:
//!
//! - `cfg(postgres_tests)`: `TEST_DATABASE_URL` is set (the PostgreSQL variants run);
//! - `cfg(llm_tests)`: `AFTERCALL_TEST_LLM_URL` is set (the openai analyzer's tests run).
//!
//! With `CI` set both are on whatever else is set, so a CI run without the services fails
//! those tests instead of skipping them. `scripts/test` sets both variables.

fn main() {
    for var in ["TEST_DATABASE_URL", "AFTERCALL_TEST_LLM_URL", "CI"] {
        println!("cargo::rerun-if-env-changed={var}");
    }
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo::rustc-check-cfg=cfg(llm_tests)");
    let set = |var: &str| std::env::var(var).is_ok_and(|v| !v.trim().is_empty());
    let ci = set("CI");
    if ci || set("TEST_DATABASE_URL") {
        println!("cargo::rustc-cfg=postgres_tests");
    }
    if ci || set("AFTERCALL_TEST_LLM_URL") {
        println!("cargo::rustc-cfg=llm_tests");
    }
}
