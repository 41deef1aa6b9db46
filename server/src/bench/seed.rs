//! `aftercall bench seed`: fills a database with many conversations, for measuring the
//! dashboard's and the API's reads at that size (`aftercall bench reads`).
//!
//! Every conversation is written by ingest's own [`backend::calls::store`] (the row, the
//! search document and the job), from the ten real calls bundled in `fixtures/calls/`
//! (licenses in `fixtures/calls/LICENSES/`), varied so that searches find realistic
//! shares of the calls: a caller name out of about a thousand, a reference said in the call
//! that no other call has, the numbers, the start time spread over a year, and the end
//! reason. Each one is then marked analysed as the dispatcher would leave it: its
//! `AnalyzeCall` job done, an analysis with the built-in analyzer's summary of its template
//! call, and one notification run, fired for every third call.

use std::time::Instant;

use anyhow::{Context, Result};
use chrono::{Duration, TimeZone, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Statement, Value};
use serde_json::json;
use uuid::Uuid;

use backend::analysis::{AnalysisRequest, Analyzer, CallFacts};
use backend::calls::event::RawCallEvent;
use backend::entities::{analysis, notification_run};
use backend::tenancy::Tenant;

/// The account `bench seed` fills and `bench reads` reads, by its owner's email.
pub const OWNER_EMAIL: &str = "seed@bench.example";

/// The installation key every `bench reads` server of a seeded database starts with (the
/// first start records which key the database belongs to). The seed stores no secret, so a
/// published key protects nothing here; never use it for a real installation.
pub const INSTALLATION_KEY: &str = "YmVuY2gtb25seS1pbnN0YWxsYXRpb24ta2V5LTMyYiE=";

/// The bundled calls the seeded conversations are made from.
const TEMPLATES: [&str; 10] = [
    include_str!("../../../fixtures/calls/events/abcd-3592.json"),
    include_str!("../../../fixtures/calls/events/abcd-9489.json"),
    include_str!("../../../fixtures/calls/events/hvb-00d676d7058c49bb.json"),
    include_str!("../../../fixtures/calls/events/hvb-010eaccb7a23436f.json"),
    include_str!("../../../fixtures/calls/events/star-1064.json"),
    include_str!("../../../fixtures/calls/events/star-1200.json"),
    include_str!("../../../fixtures/calls/events/star-1785.json"),
    include_str!("../../../fixtures/calls/events/star-2019.json"),
    include_str!("../../../fixtures/calls/events/tm4-00aa7a6a-940c-4886-b588-a8c950fdb4c2.json"),
    include_str!("../../../fixtures/calls/events/tm4-2b6b0ced-053e-4540-86e7-284a817039e4.json"),
];

const FIRST_NAMES: [&str; 24] = [
    "Amara", "Bruno", "Chiara", "Dmitri", "Elif", "Farid", "Greta", "Hiroshi", "Ines", "Jonas", "Kavya", "Lucia",
    "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sanjay", "Tove", "Umar", "Vera", "Wen", "Yusuf",
];

const LAST_NAMES: [&str; 42] = [
    "Abara", "Bergstrom", "Castellano", "Dubois", "Eriksen", "Fontaine", "Gallagher", "Haddad", "Ibsen", "Jovanovic",
    "Kowalczyk", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quiroga", "Rasmussen", "Santoro", "Takahashi",
    "Ulrich", "Valdez", "Wojcik", "Xavier", "Yamamoto", "Zielinski", "Achterberg", "Brennan", "Cervantes", "Delacroix",
    "Esposito", "Fitzgerald", "Grimaldi", "Halvorsen", "Iglesias", "Jablonski", "Kuznetsov", "Lombardi", "Mbeki",
    "Novak", "Oyelaran", "Pellegrino",
];

const END_REASONS: [&str; 6] =
    ["customer_hangup", "agent_hangup", "customer_hangup", "voicemail", "transferred", "silence_timeout"];

/// Calls per transaction.
const BATCH: usize = 2_000;

/// The caller name of seeded call `n`: one of about a thousand.
pub fn customer_name(n: u64) -> String {
    let first = FIRST_NAMES[(n % FIRST_NAMES.len() as u64) as usize];
    let last = LAST_NAMES[((n / FIRST_NAMES.len() as u64) % LAST_NAMES.len() as u64) as usize];
    format!("{first} {last}")
}

/// The reference said in seeded call `n`, found in no other call.
pub fn reference(n: u64) -> String {
    format!("R{:08}", n.wrapping_mul(2_654_435_761) % 100_000_000)
}

/// A template's event, varied into seeded call `n` (see the module docs).
fn event(template: &serde_json::Value, n: u64) -> serde_json::Value {
    let mut v = template.clone();
    let day = 365 * 86_400;
    let started = Utc.timestamp_opt(1_767_225_600, 0).single().unwrap_or_default()
        + Duration::seconds(((n.wrapping_mul(7_919)) % day) as i64);
    let duration = 40 + (n % 400) as i64;
    v["call_id"] = json!(format!("seed-{n}"));
    v["agent_id"] = json!(format!("seed-desk-{}", n % 5));
    v["started_at"] = json!(started.to_rfc3339());
    v["ended_at"] = json!((started + Duration::seconds(duration)).to_rfc3339());
    v["duration_s"] = json!(duration);
    v["end_reason"] = json!(END_REASONS[(n % END_REASONS.len() as u64) as usize]);
    v["from_number"] = json!(format!("+1415{:07}", n % 10_000_000));
    v["customer"] = json!({"name": customer_name(n), "email": null});
    if let Some(turns) = v["transcript"].as_array_mut() {
        turns.push(json!({"role": "user", "text": format!("For the record, my reference is {}.", reference(n))}));
    }
    v
}

/// What the seed wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct Seeded {
    pub conversations: u64,
    pub seconds: f64,
}

/// Creates (or reuses) the seed account on `url` (migrating it first) and adds
/// `conversations` seeded calls after the ones already there.
///
/// Errors: the database cannot be reached or migrated, or a write fails.
pub async fn seed(url: &str, conversations: u64) -> Result<Seeded> {
    let db = backend::db::connect(url, 4).await.context("connecting to the database to seed")?;
    backend::db::migrate(&db).await.context("migrating the database to seed")?;
    let tenant = account(&db).await?;
    let templates: Vec<serde_json::Value> =
        TEMPLATES.iter().map(|t| serde_json::from_str(t)).collect::<Result<_, _>>().context("a bundled call")?;
    let summaries = summaries(&templates).await?;
    let start = existing(&db, &tenant).await?;
    let started = Instant::now();
    let mut done = 0u64;
    while done < conversations {
        let count = (conversations - done).min(BATCH as u64);
        write_batch(&db, &tenant, &templates, &summaries, start + done, count).await?;
        done += count;
        if done.is_multiple_of(100_000) || done == conversations {
            eprintln!("seeded {done} of {conversations} ({:.0} s)", started.elapsed().as_secs_f64());
        }
    }
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared("ANALYZE").await.context("ANALYZE after seeding")?;
    }
    db.close().await.ok();
    Ok(Seeded { conversations, seconds: started.elapsed().as_secs_f64() })
}

/// The seed account's tenant, created with its owner on first use.
async fn account(db: &DatabaseConnection) -> Result<Tenant> {
    if let Some(member) = super::reads::owner(db).await? {
        return Ok(member.tenant);
    }
    let created = backend::identity::accounts::create_account(
        db,
        &backend::identity::passwords::Hasher::new(1),
        backend::identity::accounts::NewAccount {
            account_name: "Seeded".into(),
            owner_name: None,
            owner_email: OWNER_EMAIL.into(),
            owner_password: "a seeded password".into(),
            auto_create_agents: true,
            email_verified: true,
            first_api_key: None,
        },
    )
    .await
    .context("creating the seed account")?;
    Ok(created.owner.tenant)
}

/// How many seeded calls the account has already (the next call number).
async fn existing(db: &DatabaseConnection, tenant: &Tenant) -> Result<u64> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "SELECT COUNT(*) AS n FROM conversations WHERE account_id = $1",
        _ => "SELECT COUNT(*) AS n FROM conversations WHERE account_id = ?",
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [Value::from(tenant.account_id())]))
        .await?
        .context("no count")?;
    Ok(u64::try_from(row.try_get::<i64>("", "n")?).unwrap_or(0))
}

/// The built-in analyzer's summary of each template call.
async fn summaries(templates: &[serde_json::Value]) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(templates.len());
    for template in templates {
        let call = serde_json::from_value::<RawCallEvent>(template.clone())?.validate().map_err(anyhow::Error::msg)?;
        let request = AnalysisRequest {
            transcript: call.transcript,
            started_at: call.started_at,
            timezone: "UTC".into(),
            agent_name: "Front desk".into(),
            triggers: Vec::new(),
            fields: Vec::new(),
            goal: None,
            routes: Vec::new(),
            call: CallFacts {
                end_reason: call.end_reason.as_str().to_owned(),
                end_reason_raw: None,
                duration_s: call.duration_s,
                phone_country: None,
            },
        };
        let (output, _) =
            backend::analysis::builtin::BuiltinAnalyzer.analyze(&request).await.map_err(anyhow::Error::msg)?;
        out.push(output.summary);
    }
    Ok(out)
}

/// Seeded calls `first ..first + count` in one transaction.
async fn write_batch(
    db: &DatabaseConnection,
    tenant: &Tenant,
    templates: &[serde_json::Value],
    summaries: &[String],
    first: u64,
    count: u64,
) -> Result<()> {
    let txn = backend::db::begin_write(db).await?;
    let mut analyses = Vec::with_capacity(count as usize);
    let mut runs = Vec::with_capacity(count as usize);
    let now = Utc::now();
    for n in first..first + count {
        let which = (n % templates.len() as u64) as usize;
        let call = serde_json::from_value::<RawCallEvent>(event(&templates[which], n))?
            .validate()
            .map_err(anyhow::Error::msg)?;
        let stored = backend::calls::store(&txn, tenant, true, call).await.map_err(anyhow::Error::msg)?;
        analyses.push(analysis::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(tenant.account_id()),
            conversation_id: Set(stored.conversation_id),
            status: Set(backend::columns::AnalysisStatus::Completed),
            analyzer: Set("builtin".into()),
            summary: Set(Some(summaries[which].clone())),
            result: Set(backend::columns::AnalysisOutput { summary: summaries[which].clone(), ..Default::default() }),
            error: Set(None),
            latency_ms: Set(2),
            prompt_tokens: Set(None),
            completion_tokens: Set(None),
            created_at: Set(now),
            goal_result: Set(None),
            reanalysed_at: Set(None),
        });
        let fired = n % 3 == 0;
        runs.push(notification_run::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(tenant.account_id()),
            conversation_id: Set(stored.conversation_id),
            notification_id: Set(None),
            notification_name: Set("Seeded rule".into()),
            fired: Set(fired),
            reason: Set(if fired { "seeded: fired".into() } else { "seeded: did not fire".into() }),
            created_at: Set(now),
            notification_version: Set(Some(1)),
            stopped_by: Set(None),
        });
    }
    // In chunks: both databases bound the parameters of one statement.
    for chunk in analyses.chunks(200) {
        analysis::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
    }
    for chunk in runs.chunks(500) {
        notification_run::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
    }
    let backend = db.get_database_backend();
    let done = match backend {
        DbBackend::Postgres => {
            "UPDATE jobs SET state = 'done' WHERE state = 'pending' AND account_id = $1 AND kind = 'AnalyzeCall'"
        }
        _ => "UPDATE jobs SET state = 'done' WHERE state = 'pending' AND account_id = ? AND kind = 'AnalyzeCall'",
    };
    txn.execute_raw(Statement::from_sql_and_values(backend, done, [Value::from(tenant.account_id())])).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_calls_vary_their_names_references_and_ids() {
        let template: serde_json::Value = serde_json::from_str(TEMPLATES[0]).unwrap();
        let (a, b) = (event(&template, 1), event(&template, 2));
        assert_ne!(a["call_id"], b["call_id"]);
        assert_ne!(customer_name(1), customer_name(2));
        assert_eq!(customer_name(1), customer_name(1 + 24 * 42), "about a thousand names, then again");
        assert_ne!(reference(1), reference(2));
        let last = a["transcript"].as_array().unwrap().last().unwrap()["text"].as_str().unwrap().to_owned();
        assert!(last.contains(&reference(1)), "{last}");
        let call = serde_json::from_value::<RawCallEvent>(a).unwrap().validate().unwrap();
        assert_eq!(call.customer_name.as_deref(), Some(customer_name(1).as_str()));
    }
}
