//! `aftercall bench reads`: the latency of the conversation list, its filters, search and
//! one conversation's detail on a database filled by `aftercall bench seed`, through a real
//! `aftercall serve` of this binary loaded by `wrk` (the same reads the dashboard's pages
//! make, through the integrator API's `GET /api/v1/conversations[/{id}]`), and that
//! server's peak memory while it serves them.

use std::path::Path;

use anyhow::{Context, Result, bail};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};
use uuid::Uuid;

use backend::tenancy::Member;

/// One read measured.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadFigure {
    pub name: &'static str,
    pub per_s: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub errors: u64,
}

/// The seed account's owner, when the database has been seeded.
///
/// Errors: database errors.
pub async fn owner(db: &DatabaseConnection) -> Result<Option<Member>> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT m.user_id, m.account_id FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE u.email = $1 AND m.role = 'owner' LIMIT 1"
        }
        _ => {
            "SELECT m.user_id, m.account_id FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE u.email = ? AND m.role = 'owner' LIMIT 1"
        }
    };
    let row =
        db.query_one_raw(Statement::from_sql_and_values(backend, sql, [Value::from(super::seed::OWNER_EMAIL)])).await?;
    let Some(row) = row else { return Ok(None) };
    let (user, account) = (row.try_get::<Uuid>("", "user_id")?, row.try_get::<Uuid>("", "account_id")?);
    Ok(Some(backend::identity::accounts::member(db, user, account).await?))
}

/// Ids of `count` seeded calls spread over all `total` (call numbers `i * total / count`),
/// looked up by their call ids, with their call numbers.
async fn sample(db: &DatabaseConnection, member: &Member, count: u64, total: u64) -> Result<Vec<(u64, Uuid)>> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "SELECT id FROM conversations WHERE account_id = $1 AND call_id = $2",
        _ => "SELECT id FROM conversations WHERE account_id = ? AND call_id = ?",
    };
    let mut out = Vec::new();
    for i in 0..count {
        let n = i * total / count.max(1);
        let values = [Value::from(member.tenant.account_id()), Value::from(format!("seed-{n}"))];
        if let Some(row) = db.query_one_raw(Statement::from_sql_and_values(backend, sql, values)).await? {
            out.push((n, row.try_get::<Uuid>("", "id")?));
        }
    }
    Ok(out)
}

/// Measures the reads on the seeded database `url` for `seconds` each with `connections`
/// connections, and prints them with the server's peak memory.
///
/// Errors: the database was not seeded, the server does not start, or wrk fails.
pub async fn run(exe: &Path, url: &str, seconds: u64, connections: usize) -> Result<()> {
    super::which("wrk").context("wrk is not installed: apt-get install wrk (scripts/setup --test installs it)")?;
    let dir = tempfile::tempdir().context("a temporary folder")?;
    let db = backend::db::connect(url, 2).await.context("connecting to the seeded database")?;
    let member = owner(&db).await?.context("this database has no seeded account: run `aftercall bench seed` first")?;
    let total = {
        let backend = db.get_database_backend();
        let sql = match backend {
            DbBackend::Postgres => "SELECT COUNT(*) AS n FROM conversations WHERE account_id = $1",
            _ => "SELECT COUNT(*) AS n FROM conversations WHERE account_id = ?",
        };
        let row = db
            .query_one_raw(Statement::from_sql_and_values(backend, sql, [Value::from(member.tenant.account_id())]))
            .await?
            .context("no count")?;
        u64::try_from(row.try_get::<i64>("", "n")?).unwrap_or(0)
    };
    if total == 0 {
        bail!("the seeded account has no conversations: run `aftercall bench seed --conversations N`");
    }
    let key = backend::identity::api_keys::create(&db, &backend::tenancy::Actor::Member(member), "bench reads")
        .await
        .context("creating an API key for the seeded account")?
        .secret;
    let samples = sample(&db, &member, 200, total).await?;
    db.close().await.ok();
    if samples.is_empty() {
        bail!("no seeded call found by its call id");
    }
    let middle = samples[samples.len() / 2].1;
    let list = "/api/v1/conversations?limit=50";
    let scenarios: Vec<(&'static str, Vec<String>)> = vec![
        ("list, first page", vec![list.to_owned()]),
        ("list, a page in the middle", vec![format!("{list}&cursor={middle}")]),
        ("list, end reason filter", vec![format!("{list}&end_reason=voicemail")]),
        ("list, fired filter", vec![format!("{list}&fired=yes")]),
        ("list, one week", vec![format!("{list}&from=2026-03-01&to=2026-03-07")]),
        // "and" is said in each of the ten template calls (so in every seeded call).
        ("search, a word in every call", vec![format!("{list}&q=and")]),
        (
            "search, a caller's name",
            samples
                .iter()
                .map(|(n, _)| format!("{list}&q={}", super::seed::customer_name(*n).replace(' ', "%20")))
                .collect(),
        ),
        (
            "search, a reference said in one call",
            samples.iter().map(|(n, _)| format!("{list}&q={}", super::seed::reference(*n))).collect(),
        ),
        ("detail", samples.iter().map(|(_, id)| format!("/api/v1/conversations/{id}")).collect()),
    ];
    let server = super::ingest::Server::start_with(
        exe,
        url,
        dir.path(),
        &[("AFTERCALL_JOBS__RUN_IN_SERVER", "false"), ("AFTERCALL_SECRETS__KEY", super::seed::INSTALLATION_KEY)],
        "reads-serve.log",
    )
    .await?;
    let mut figures = Vec::new();
    for (name, paths) in &scenarios {
        match load(&server.base, &key, paths, connections, seconds, dir.path()).await {
            Ok(mut figure) => {
                figure.name = name;
                figures.push(figure);
            }
            Err(e) => {
                server.stop().await;
                return Err(e.context(format!("measuring `{name}`")));
            }
        }
    }
    let rss = server.peak_rss_kib();
    server.stop().await;
    println!("{}", report(total, seconds, connections, &figures));
    if let Some(kib) = rss {
        println!("server peak RSS (VmHWM) serving these reads: {:.0} MiB", kib as f64 / 1024.0);
    }
    Ok(())
}

/// The figures as a table.
pub fn report(total: u64, seconds: u64, connections: usize, figures: &[ReadFigure]) -> String {
    let mut out = format!(
        "aftercall bench reads — {total} conversations, {connections} connections, {seconds} s each\n\n\
         read (GET /api/v1/conversations…)      req/s   p50 ms   p95 ms   p99 ms  errors\n"
    );
    for f in figures {
        out.push_str(&format!(
            "  {:<36} {:>7.0} {:>8.1} {:>8.1} {:>8.1} {:>7}\n",
            f.name, f.per_s, f.p50_ms, f.p95_ms, f.p99_ms, f.errors
        ));
    }
    out
}

/// The `wrk` script (after [`super::wrk::THREADS_LUA`]): GETs `PATHS` in turn, each
/// connection from its own offset, with the API key.
const SCRIPT: &str = r#"
function init(args)
  counter = tid * 7
end
function request()
  counter = counter + 1
  local path = PATHS[(counter % #PATHS) + 1]
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. KEY})
end
"#;

async fn load(
    base: &str,
    key: &str,
    paths: &[String],
    connections: usize,
    seconds: u64,
    dir: &Path,
) -> Result<ReadFigure> {
    let list: Vec<String> = paths.iter().map(|p| format!("{p:?}")).collect();
    let script = format!("KEY = \"{key}\"\nPATHS = {{{}}}\n{}{SCRIPT}", list.join(", "), super::wrk::THREADS_LUA);
    let url = format!("{base}/api/v1/conversations");
    let wrk = super::wrk::run(dir, "reads", &script, &url, connections, seconds, &[]).await?;
    Ok(ReadFigure {
        name: "",
        per_s: wrk.per_s,
        p50_ms: wrk.p50_ms,
        p95_ms: wrk.p95_ms,
        p99_ms: wrk.p99_ms,
        errors: wrk.errors,
    })
}
