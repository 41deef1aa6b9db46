//! The README's try-it flow, run as a user runs it: the built `aftercall` binary creates an
//! account, serves, replays the bundled fixture calls twice (created, then duplicates) and
//! evaluates the built-in analyzer on the fixture folder. Each step is a separate process
//! with nothing installed in-process beforehand (no crypto provider, no services), which is
//! how the `replay` crash (`No rustls crypto provider is configured`) went unseen.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use crate::helpers::repo_root;

fn aftercall(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aftercall"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("AFTERCALL_API_KEY")
        .output()
        .expect("run aftercall")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

async fn wait_healthy(base: &str) {
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if client.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("aftercall serve did not become healthy at {base}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_try_it_flow_runs_as_a_user_runs_it() {
    // This test's own HTTP client (run alone, no other test has installed it).
    backend::install_crypto_provider();
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let config = dir.path().join("aftercall.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\naddr = \"127.0.0.1:{port}\"\n[database]\nurl = \"sqlite://{}?mode=rwc\"\n[secrets]\nkey_file = \"{}\"\n",
            dir.path().join("aftercall.db").display(),
            dir.path().join("aftercall.key").display(),
        ),
    )
    .expect("config");

    // account create → {"account_id", "api_key"} on stdout.
    let created = aftercall(
        &config,
        &[
            "account", "create", "--name", "Demo", "--owner-email", "you@example.com", "--owner-password",
            "a long password",
        ],
    );
    assert!(created.status.success(), "account create failed: {}", text(&created.stderr));
    let answer: serde_json::Value = serde_json::from_slice(&created.stdout).expect("account create prints JSON");
    let key = answer["api_key"].as_str().expect("api_key").to_owned();
    assert!(key.starts_with("ac_"), "{answer}");
    assert!(answer["account_id"].is_string(), "{answer}");

    let _serve = Serve(
        Command::new(env!("CARGO_BIN_EXE_aftercall"))
            .arg("--config")
            .arg(&config)
            .arg("serve")
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aftercall serve"),
    );
    let base = format!("http://127.0.0.1:{port}");
    wait_healthy(&base).await;

    let events = repo_root().join("fixtures/calls/events");
    let events = events.to_str().expect("utf-8 path");
    let first = aftercall(&config, &["replay", events, "--url", &base, "--api-key", &key]);
    assert!(first.status.success(), "replay failed: {}", text(&first.stderr));
    assert!(text(&first.stdout).starts_with("created 10 / duplicate 0 / rejected 0"), "{}", text(&first.stdout));
    let second = aftercall(&config, &["replay", events, "--url", &base, "--api-key", &key]);
    assert!(second.status.success(), "second replay failed: {}", text(&second.stderr));
    assert!(text(&second.stdout).starts_with("created 0 / duplicate 10 / rejected 0"), "{}", text(&second.stdout));

    // A wrong key is rejected and the command says so with a non-zero exit.
    let rejected = aftercall(&config, &["replay", events, "--url", &base, "--api-key", "ac_not-a-key"]);
    assert!(!rejected.status.success());
    assert!(text(&rejected.stdout).contains("rejected 10"), "{}", text(&rejected.stdout));

    let fixtures = repo_root().join("fixtures/calls");
    let eval = aftercall(&config, &["eval", fixtures.to_str().expect("utf-8 path")]);
    assert!(eval.status.success(), "eval failed: {}", text(&eval.stderr));
    let report = text(&eval.stdout);
    assert!(report.starts_with("analyzer builtin · 10 calls (0 failed)"), "{report}");
    let macro_f1: f64 = report
        .lines()
        .find_map(|l| l.strip_prefix("macro-F1"))
        .and_then(|rest| rest.trim().parse().ok())
        .unwrap_or_else(|| panic!("no macro-F1 line in:\n{report}"));
    assert!((0.0..=1.0).contains(&macro_f1), "{report}");
    assert!(report.contains("latency p50"), "{report}");

    // Other questions: a paraphrase scored against a trigger's gold and a topic question
    // against the calls' source domain, on the calls of two source datasets only.
    let questions = dir.path().join("questions.json");
    std::fs::write(
        &questions,
        r#"{"fraud_in_other_words": {"question": "Did the caller report a transaction they did not make?", "gold": "fraud_reported"},
            "about_coffee": {"question": "Was the call about ordering coffee?", "gold": "domain:food_and_beverage"}}"#,
    )
    .expect("write the questions");
    let args = ["eval", fixtures.to_str().expect("utf-8 path"), "--triggers", questions.to_str().expect("utf-8")];
    let other = aftercall(&config, &[&args[..], &["--datasets", "star,tm4"]].concat());
    assert!(other.status.success(), "eval --triggers failed: {}", text(&other.stderr));
    let report = text(&other.stdout);
    assert!(report.starts_with("analyzer builtin · 6 calls (0 failed) · datasets star, tm4"), "{report}");
    let rows: Vec<&str> =
        report.lines().filter(|l| l.starts_with("about_coffee") || l.starts_with("fraud_in")).collect();
    assert_eq!(rows.len(), 2, "{report}");
    // The two coffee orders are about food and beverage; the four STAR calls are not.
    let coffee: Vec<u32> = rows[0].split_whitespace().skip(1).take(3).map(|n| n.parse().expect("a count")).collect();
    assert_eq!(coffee.iter().sum::<u32>() - coffee[1], 2, "TP + FN = the 2 tm4 calls: {report}");
    // A gold that names no labelled trigger is refused, naming the question.
    std::fs::write(&questions, r#"{"q": {"question": "Was it about parking?", "gold": "parking"}}"#).expect("write");
    let refused = aftercall(&config, &args);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains(r#"question q: no call is labelled with trigger "parking""#),
        "{}",
        text(&refused.stderr)
    );

    // The two halves of the fixed split partition the calls, and the header names the half.
    let fixture_dir = fixtures.to_str().expect("utf-8 path");
    let halves: Vec<usize> = ["tune", "check"]
        .iter()
        .map(|half| {
            let out = aftercall(&config, &["eval", fixture_dir, "--half", half]);
            assert!(out.status.success(), "eval --half {half} failed: {}", text(&out.stderr));
            let report = text(&out.stdout);
            let header = report.lines().next().unwrap_or_default().to_owned();
            assert!(header.ends_with(&format!(" · {half} half")), "{header}");
            let calls = header.strip_prefix("analyzer builtin · ").and_then(|r| r.split(' ').next());
            calls.and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("no call count in {header}"))
        })
        .collect();
    assert_eq!(halves.iter().sum::<usize>(), 10, "{halves:?}");
    assert!(halves.iter().all(|n| *n > 0), "{halves:?}");

    // The single-call cue check: on ten calls many cues occur in exactly one, so it lists
    // them with their call and fails.
    let cues = aftercall(&config, &["eval", fixture_dir, "--cues"]);
    assert!(!cues.status.success(), "a cue in one call must fail the check");
    let listing = text(&cues.stdout);
    assert!(listing.lines().next().unwrap_or_default().contains("transcript cues over 10 calls"), "{listing}");
    assert!(listing.lines().skip(1).any(|l| l.contains("star-") || l.contains("sgd-")), "{listing}");
    assert!(text(&cues.stderr).contains("occur in exactly one call"), "{}", text(&cues.stderr));

    // `aftercall openapi` prints the document the server serves.
    let printed = aftercall(&config, &["openapi"]);
    assert!(printed.status.success(), "openapi failed: {}", text(&printed.stderr));
    let printed: serde_json::Value = serde_json::from_slice(&printed.stdout).expect("openapi prints JSON");
    let served: serde_json::Value =
        reqwest::get(format!("{base}/api/v1/openapi.json")).await.expect("GET").json().await.expect("JSON");
    assert_eq!(printed["openapi"], "3.1.0");
    assert_eq!(printed, served);
}

/// Runs `aftercall bench` briefly and checks its table: two connection counts, each with a
/// rate, its latency and the raw limit measured beside it; then the dispatcher's rate, the
/// end-to-end latency into a real SMTP server, every webhook of the webhook pipeline
/// delivered (at full speed and at a steady rate), and the crash recovery time.
fn bench(extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_aftercall"))
        .args(["bench", "--seconds", "1", "--connections", "1,2", "--rate", "40", "--webhook-connections", "2"])
        .args(["--webhook-rate", "30"])
        .args(extra)
        .env_remove("RUST_LOG")
        .output()
        .expect("run aftercall bench");
    assert!(out.status.success(), "bench failed: {}{}", text(&out.stdout), text(&out.stderr));
    let report = text(&out.stdout);
    for connections in [1, 2] {
        let row = report
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{connections} connection(s)")))
            .unwrap_or_else(|| panic!("no row for {connections} in:\n{report}"));
        let numbers: Vec<f64> =
            row.split_whitespace().skip(2).filter_map(|w| w.trim_end_matches('×').parse().ok()).collect();
        let [calls, p50, p99, errors, raw, ratio] = numbers[..] else { panic!("{row}") };
        assert!(calls > 0.0 && raw > 0.0 && p50 > 0.0 && p99 >= p50, "{row}");
        assert_eq!(errors, 0.0, "{row}");
        assert!((ratio - calls / raw).abs() < 0.01, "the ratio is calls/s over raw/s: {row}");
    }
    assert!(report.contains("server peak RSS"), "{report}");
    let dispatch = report.lines().find(|l| l.starts_with("dispatch (")).unwrap_or_else(|| panic!("{report}"));
    let per_s: f64 = dispatch
        .rsplit(" = ")
        .next()
        .and_then(|r| r.trim_end_matches(" calls/s").parse().ok())
        .unwrap_or_else(|| panic!("{dispatch}"));
    assert!(per_s > 0.0, "{dispatch}");
    let e2e = report.lines().find(|l| l.starts_with("end to end at 40 calls/s")).unwrap_or_else(|| panic!("{report}"));
    let emails: u64 = e2e
        .split(": ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{e2e}"));
    assert!(emails > 0 && e2e.contains("p99"), "{e2e}");
    // At full speed and at a steady rate.
    for start in ["webhook pipeline (2 connections at full speed", "webhook pipeline at 30 calls/s (achieved"] {
        assert_every_webhook_delivered(&report, start);
    }
    let recovery =
        report.lines().find(|l| l.starts_with("crash recovery: a worker killed")).unwrap_or_else(|| panic!("{report}"));
    let seconds: f64 = recovery
        .split(" s later")
        .next()
        .and_then(|r| r.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{recovery}"));
    // One 20 s lease, not the 300 s one there was; generous for a loaded test machine.
    assert!(seconds < 60.0, "{recovery}");
    report
}

/// `aftercall bench seed` then `aftercall bench reads` on a SQLite file, as a user runs
/// them: every read measured without errors, and a seeded call found by what it said.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_and_reads_commands_measure_reads_on_a_seeded_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/seed.db?mode=rwc", dir.path().display());
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_aftercall"))
            .args(args)
            .env_remove("RUST_LOG")
            .env("AFTERCALL_SECRETS__KEY_FILE", dir.path().join("aftercall.key"))
            .current_dir(dir.path())
            .output()
            .expect("run aftercall")
    };
    let out = run(&["bench", "seed", "--conversations", "300", "--database-url", &url]);
    assert!(out.status.success(), "seed failed: {}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).starts_with("seeded 300 conversations"), "{}", text(&out.stdout));
    let out = run(&["bench", "reads", "--database-url", &url, "--seconds", "1", "--connections", "2"]);
    assert!(out.status.success(), "reads failed: {}{}", text(&out.stdout), text(&out.stderr));
    let report = text(&out.stdout);
    for read in ["list, first page", "list, fired filter", "search, a reference said in one call", "detail"] {
        let row =
            report.lines().find(|l| l.trim_start().starts_with(read)).unwrap_or_else(|| panic!("{read}:\n{report}"));
        let numbers: Vec<f64> =
            row[row.find(char::is_numeric).unwrap()..].split_whitespace().filter_map(|w| w.parse().ok()).collect();
        let [per_s, p50, p95, p99, errors] = numbers[..] else { panic!("{row}") };
        assert!(per_s > 0.0 && p50 > 0.0 && p95 >= p50 && p99 >= p95, "{row}");
        assert_eq!(errors, 0.0, "{row}");
    }
    assert!(report.contains("server peak RSS"), "{report}");

    // What the search reads find: the one call that said reference 7's words.
    let db = backend::db::connect(&url, 1).await.unwrap();
    let member = server::bench::reads::owner(&db).await.unwrap().expect("the seeded account");
    let filter = backend::conversations::ConversationFilter {
        text: Some(server::bench::seed::reference(7)),
        ..Default::default()
    };
    let found = backend::conversations::list(&db, &member.tenant, &filter, 10).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].conversation.call_id, "seed-7");
    let named = backend::conversations::ConversationFilter {
        text: Some(server::bench::seed::customer_name(7)),
        ..Default::default()
    };
    let found = backend::conversations::list(&db, &member.tenant, &named, 50).await.unwrap();
    assert!(!found.is_empty() && found.len() < 300, "a name is said in some calls, not all: {}", found.len());
}

/// `aftercall bench webhooks --rate R`, as the README shows it: one line, every call's
/// webhook delivered.
#[test]
fn the_webhooks_bench_alone_delivers_every_call_at_a_steady_rate() {
    let out = Command::new(env!("CARGO_BIN_EXE_aftercall"))
        .args(["bench", "webhooks", "--seconds", "1", "--rate", "20"])
        .env_remove("RUST_LOG")
        .output()
        .expect("run aftercall bench webhooks");
    assert!(out.status.success(), "bench webhooks failed: {}{}", text(&out.stdout), text(&out.stderr));
    assert_every_webhook_delivered(&text(&out.stdout), "webhook pipeline at 20 calls/s");
}

/// The report's webhook pipeline line starting with `start` says "N of N webhooks
/// delivered" with N > 0.
fn assert_every_webhook_delivered(report: &str, start: &str) {
    let line = report.lines().find(|l| l.starts_with(start)).unwrap_or_else(|| panic!("{report}"));
    let counts: Vec<u64> = line
        .split("; ")
        .nth(1)
        .map(|r| r.split([' ', ',']).filter_map(|w| w.parse().ok()).take(2).collect())
        .unwrap_or_default();
    let [delivered, calls] = counts[..] else { panic!("{line}") };
    assert!(calls > 0 && delivered == calls, "every call's webhook delivered: {line}");
}

#[test]
fn the_bench_command_prints_ingest_beside_its_raw_limit_on_sqlite() {
    assert!(bench(&[]).starts_with("aftercall bench — SQLite"));
}

#[test]
#[cfg_attr(not(postgres_tests), ignore = "needs PostgreSQL: set TEST_DATABASE_URL (scripts/postgres)")]
fn the_bench_command_prints_ingest_beside_its_raw_limit_on_postgres() {
    let url = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL must be set to run the PostgreSQL variant");
    let report = bench(&["--database-url", &url]);
    assert!(report.starts_with("aftercall bench — PostgreSQL"));
    // The alerts of the end-to-end calls, streamed by the web-only process beside it.
    let across = report
        .lines()
        .find(|l| l.starts_with("live alerts across processes"))
        .unwrap_or_else(|| panic!("no cross-process line in:\n{report}"));
    let counts: Vec<u64> = across
        .split(": ")
        .nth(1)
        .map(|r| r.split(' ').filter_map(|w| w.parse().ok()).take(2).collect())
        .unwrap_or_default();
    let [streamed, stored] = counts[..] else { panic!("{across}") };
    assert!(stored > 0 && streamed == stored, "every alert streamed across processes: {across}");
}
