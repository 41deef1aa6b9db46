//! `aftercall`: serve the dashboard and API, run the dispatcher, migrate, create accounts,
//! and replay call events.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use server::config::{Config, Overrides};

/// mimalloc instead of the system allocator: every request allocates and frees many small
/// buffers (headers, JSON, rows) across the runtime's threads, and glibc's malloc took
/// about a sixth of the server's CPU under ingest load.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "aftercall", version, about = "What happens after an AI voice agent's call ends")]
struct Cli {
    /// TOML configuration file (default: ./aftercall.toml when present).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone, Default)]
struct DbFlag {
    /// Database URL (overrides database.url / AFTERCALL_DATABASE__URL).
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the dashboard, the API and (unless jobs.run_in_server = false) the dispatcher.
    Serve {
        /// Listen address (overrides server.addr).
        #[arg(long, value_name = "IP:PORT")]
        addr: Option<SocketAddr>,
        #[command(flatten)]
        db: DbFlag,
    },
    /// Run only the dispatcher (scale-out: next to web processes on PostgreSQL).
    Worker {
        #[command(flatten)]
        db: DbFlag,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: DbFlag,
    },
    /// Manage accounts.
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// POST every *.json call event in DIR to a running server.
    Replay {
        /// Folder of call-ended events.
        dir: PathBuf,
        /// Base URL of the server, e.g. http://127.0.0.1:3000.
        #[arg(long)]
        url: String,
        /// The account's API key.
        #[arg(long, env = "AFTERCALL_API_KEY")]
        api_key: String,
        /// Requests in flight.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
    },
    /// Print the integrator API's OpenAPI 3.1 document (the one served at
    /// /api/v1/openapi.json), e.g. to generate a client.
    Openapi,
    /// Score an analyzer on a labelled folder (events/, gold/, triggers.json).
    Eval {
        /// The labelled folder.
        dir: PathBuf,
        /// Which analyzer to run.
        #[arg(long, value_enum, default_value = "builtin")]
        analyzer: AnalyzerKind,
        /// Write the full report (with every mismatch) as JSON.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// OpenAI-compatible base URL (openai analyzer).
        #[arg(long, env = "AFTERCALL_EVAL_BASE_URL", default_value = "https://api.openai.com/v1")]
        base_url: String,
        /// Model name (openai analyzer).
        #[arg(long, env = "AFTERCALL_EVAL_MODEL", default_value = "gpt-4o-mini")]
        model: String,
        /// API key (openai analyzer).
        #[arg(long, env = "AFTERCALL_EVAL_API_KEY")]
        api_key: Option<String>,
        /// Request timeout in seconds (openai analyzer).
        #[arg(long, default_value_t = 120)]
        timeout_secs: u64,
        /// Only the first N calls.
        #[arg(long)]
        limit: Option<usize>,
        /// Analyses at once.
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// Score these questions instead of the folder's `triggers.json`: a JSON object of
        /// id → question (scored against the trigger named by its id) or id → {"question",
        /// "gold": "<trigger id>" | "domain:<name>"} (a paraphrase, or a topic question scored
        /// against the call's source domain in the folder's manifest.jsonl).
        #[arg(long, value_name = "FILE")]
        triggers: Option<PathBuf>,
        /// Only the calls of these source datasets (comma-separated, e.g. `hvb,tm4`): report
        /// on datasets the rules were not tuned on.
        #[arg(long, value_name = "NAMES", value_delimiter = ',')]
        datasets: Vec<String>,
        /// Only the calls of one half of a fixed split of the call ids: design rules on
        /// `tune`, report on `check`.
        #[arg(long, value_enum)]
        half: Option<EvalHalf>,
        /// Instead of scoring: count in how many of the calls each transcript cue of the
        /// built-in analyzer occurs, list those in exactly one call, and fail if any is.
        #[arg(long)]
        cues: bool,
    },
    /// Measure this build on this machine: ingest at each connection count beside the raw
    /// limit of the same database work, measured in the same run.
    Bench {
        /// `seed`, `reads` or `webhooks`; none = ingest, dispatch, end to end, the webhook pipeline, crash
        /// recovery, memory and the first page.
        #[command(subcommand)]
        command: Option<BenchCommand>,
        /// A PostgreSQL server URL: a fresh database is created on it and dropped after
        /// (default: SQLite in a temporary folder).
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Connection counts, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1,8,32")]
        connections: Vec<usize>,
        /// Calls per second of the end-to-end measurement (call → email at SMTP).
        #[arg(long, default_value_t = 200.0)]
        rate: f64,
        /// Connections of the webhook pipeline measurement at full speed (call → signed
        /// webhook delivered).
        #[arg(long, default_value_t = 8)]
        webhook_connections: usize,
        /// Calls per second of the webhook pipeline measurement at a steady rate (default:
        /// what Svix OSS reached, created and delivered, on a 2-core machine).
        #[arg(long, default_value_t = 546.0)]
        webhook_rate: f64,
    },
}

/// The database every `bench seed` and `bench reads` without `--database-url` use.
const SEED_DATABASE: &str = "sqlite://aftercall-seed.db?mode=rwc";

#[derive(Subcommand)]
enum BenchCommand {
    /// Add N conversations (from the bundled real calls, varied) to a database for
    /// `bench reads`; run it again to add more.
    Seed {
        /// How many conversations to add.
        #[arg(long)]
        conversations: u64,
        /// The database to fill (SQLite or PostgreSQL URL).
        #[arg(long, value_name = "URL", default_value = SEED_DATABASE)]
        database_url: String,
    },
    /// Measure only the webhook pipeline (calls at full speed → analysis → signed webhook
    /// delivered to a local receiver), to compare with a webhook service.
    Webhooks {
        /// A PostgreSQL server URL: a fresh database is created on it and dropped after
        /// (default: SQLite in a temporary folder).
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
        /// Seconds of load.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Connections posting calls as fast as they can.
        #[arg(long, default_value_t = 8)]
        connections: usize,
        /// Post calls at this steady rate per second instead of at full speed.
        #[arg(long)]
        rate: Option<f64>,
    },
    /// Measure the conversation list, its filters, search and detail on a seeded database,
    /// and the server's peak memory.
    Reads {
        /// The seeded database.
        #[arg(long, value_name = "URL", default_value = SEED_DATABASE)]
        database_url: String,
        /// Seconds per read.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Concurrent connections (users).
        #[arg(long, default_value_t = 16)]
        connections: usize,
    },
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum AnalyzerKind {
    Builtin,
    Openai,
}

/// A half of `aftercall eval --half` (backend::analysis::eval::Half).
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum EvalHalf {
    Tune,
    Check,
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Create an account and its owner; prints {"account_id", "api_key"} as JSON.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        owner_email: String,
        #[arg(long)]
        owner_password: String,
        /// The owner's display name (default: the part of the email before @).
        #[arg(long)]
        owner_name: Option<String>,
        #[command(flatten)]
        db: DbFlag,
    },
}

fn load(cli_config: Option<&PathBuf>, overrides: Overrides) -> anyhow::Result<Config> {
    let config = Config::load(cli_config.map(PathBuf::as_path), &overrides)?;
    server::telemetry::init(&config.log.filter);
    Ok(config)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { addr, db } => {
            let config = load(cli.config.as_ref(), Overrides { addr, database_url: db.database_url })?;
            let services = server::services(&config).await?;
            let listener = tokio::net::TcpListener::bind(config.server.addr)
                .await
                .with_context(|| format!("cannot listen on {}", config.server.addr))?;
            let mut running = server::start(&config, services, listener).await?;
            tracing::info!(addr = %running.addr, url = %config.public_url(), "aftercall is serving");
            tokio::select! {
                result = running.wait() => result?,
                _ = shutdown_signal() => {
                    tracing::info!("shutting down");
                    running.shutdown().await;
                }
            }
            Ok(())
        }
        Command::Worker { db } => {
            let config = load(cli.config.as_ref(), Overrides { addr: None, database_url: db.database_url })?;
            let services = server::services(&config).await?;
            server::start_metrics(&config, &services).await.context("metrics.addr")?;
            // Woken by NOTIFY from web processes on PostgreSQL, and tells them of its alerts.
            backend::signals::start(&services);
            let dispatcher = backend::jobs::Dispatcher::start(services);
            tracing::info!("aftercall worker is running jobs");
            shutdown_signal().await;
            dispatcher.shutdown(Duration::from_secs(30)).await;
            Ok(())
        }
        Command::Openapi => {
            let doc = server::http::openapi::document();
            println!("{}", doc.to_pretty_json().context("rendering the OpenAPI document")?);
            Ok(())
        }
        Command::Migrate { db } => {
            let config = load(cli.config.as_ref(), Overrides { addr: None, database_url: db.database_url })?;
            server::connect_and_migrate(&config).await?;
            eprintln!("database is up to date");
            Ok(())
        }
        Command::Bench { command, database_url, seconds, connections, rate, webhook_connections, webhook_rate } => {
            let exe = std::env::current_exe().context("the path of this aftercall binary")?;
            match command {
                None => {
                    let options = server::bench::Options {
                        database_url,
                        seconds,
                        connections,
                        rate,
                        webhook_connections,
                        webhook_rate,
                    };
                    server::bench::run(&exe, options).await
                }
                Some(BenchCommand::Seed { conversations, database_url }) => {
                    let seeded = server::bench::seed::seed(&database_url, conversations).await?;
                    println!(
                        "seeded {} conversations in {:.0} s ({:.0}/s) into {database_url}",
                        seeded.conversations,
                        seeded.seconds,
                        seeded.conversations as f64 / seeded.seconds.max(0.001)
                    );
                    Ok(())
                }
                Some(BenchCommand::Webhooks { database_url, seconds, connections, rate }) => {
                    let load = match rate {
                        Some(rate) => server::bench::webhooks::Load::Rate(rate),
                        None => server::bench::webhooks::Load::FullSpeed { connections },
                    };
                    server::bench::webhooks::run_alone(&exe, database_url.as_deref(), load, seconds).await
                }
                Some(BenchCommand::Reads { database_url, seconds, connections }) => {
                    server::bench::reads::run(&exe, &database_url, seconds, connections).await
                }
            }
        }
        Command::Account { command: AccountCommand::Create { name, owner_email, owner_password, owner_name, db } } => {
            let config = load(cli.config.as_ref(), Overrides { addr: None, database_url: db.database_url })?;
            let db = server::connect_and_migrate(&config).await?;
            let hasher = backend::identity::passwords::Hasher::new(config.password_hash_concurrency());
            let created = backend::identity::accounts::create_account(
                &db,
                &hasher,
                backend::identity::accounts::NewAccount {
                    account_name: name,
                    owner_name,
                    owner_email,
                    owner_password,
                    auto_create_agents: config.ingest.auto_create_agents,
                    // The operator vouches for the address.
                    email_verified: true,
                    first_api_key: Some("Default key".to_owned()),
                },
            )
            .await
            .context("cannot create the account")?;
            let key = created.api_key.context("the account was created without its API key")?;
            println!(
                "{}",
                serde_json::json!({ "account_id": created.owner.tenant.account_id(), "api_key": key.secret })
            );
            Ok(())
        }
        Command::Eval {
            dir,
            analyzer,
            out,
            base_url,
            model,
            api_key,
            timeout_secs,
            limit,
            concurrency,
            triggers,
            datasets,
            half,
            cues,
        } => {
            let half = half.map(|h| match h {
                EvalHalf::Tune => backend::analysis::eval::Half::Tune,
                EvalHalf::Check => backend::analysis::eval::Half::Check,
            });
            server::telemetry::init("warn");
            if cues {
                let report = server::eval::cues(&dir, &datasets, half)?;
                print!("{}", backend::analysis::eval::render_cues(&report));
                if !report.in_one_call.is_empty() {
                    anyhow::bail!(
                        "{} cues occur in exactly one call: a rule taken from a single call does not generalise",
                        report.in_one_call.len()
                    );
                }
                return Ok(());
            }
            let which = match analyzer {
                AnalyzerKind::Builtin => server::eval::Which::Builtin,
                AnalyzerKind::Openai => {
                    server::eval::Which::OpenAi { base_url, model, api_key, timeout: Duration::from_secs(timeout_secs) }
                }
            };
            let selection = server::eval::Selection { questions: triggers, datasets, half, limit };
            let report = server::eval::run(&dir, which, &selection, concurrency, true).await?;
            print!("{}", backend::analysis::eval::render(&report));
            if let Some(path) = out {
                let json = serde_json::to_string_pretty(&report)?;
                std::fs::write(&path, json).with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("report written to {}", path.display());
            }
            Ok(())
        }
        Command::Replay { dir, url, api_key, concurrency } => {
            let files = server::replay::event_files(&dir)?;
            eprintln!("replaying {} call events from {} to {url}", files.len(), dir.display());
            let report = server::replay::replay(&files, &url, &api_key, concurrency, true).await?;
            for reason in &report.rejections {
                eprintln!("rejected: {reason}");
            }
            println!(
                "created {} / duplicate {} / rejected {} in {:.1} s",
                report.created,
                report.duplicate,
                report.rejected,
                report.elapsed.as_secs_f64()
            );
            if report.rejected > 0 {
                anyhow::bail!("{} of {} events were rejected", report.rejected, files.len());
            }
            Ok(())
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Every HTTP client of the process (replay, webhooks, push, the LLM) uses rustls with
    // ring: installed once, before any client is built.
    backend::install_crypto_provider();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // The whole chain: what failed, then why (`{:#}`).
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
