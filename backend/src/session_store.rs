//! A persistent tower-sessions store on the application's own database (SQLite or
//! PostgreSQL), one row per session with an indexed expiry.
//!
//! The expiry is the idle timeout, kept here rather than in the cookie: every save sets it
//! to now + `auth.session_idle_minutes`, and [`DbSessionStore::touch`] moves it forward on
//! each request without rewriting the session's data (so a request that read the session
//! before a concurrent sign-out or account switch cannot write the old state back).

use async_trait::async_trait;
use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, sea_query::OnConflict};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

use crate::entities::session;

/// Sessions in the `sessions` table. Cheap to clone.
#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: DatabaseConnection,
    idle: chrono::Duration,
}

impl DbSessionStore {
    /// A store on `db` (migrated) whose sessions end after `idle` without a request.
    pub fn new(db: DatabaseConnection, idle: std::time::Duration) -> Self {
        Self { db, idle: chrono::Duration::from_std(idle).unwrap_or(chrono::Duration::minutes(30)) }
    }

    /// Moves session `id`'s expiry to now + the idle timeout, if it has not expired yet.
    ///
    /// Errors: database errors.
    pub async fn touch(&self, id: &Id) -> Result<(), sea_orm::DbErr> {
        let now = Utc::now();
        session::Entity::update_many()
            .col_expr(session::Column::ExpiresAt, sea_orm::sea_query::Expr::value(now + self.idle))
            .filter(session::Column::Id.eq(id.to_string()))
            .filter(session::Column::ExpiresAt.gt(now))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    fn row(&self, record: &Record) -> session_store::Result<session::ActiveModel> {
        let data = serde_json::to_vec(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        Ok(session::ActiveModel {
            id: Set(record.id.to_string()),
            data: Set(data),
            expires_at: Set(Utc::now() + self.idle),
        })
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh 128-bit id collides practically never; if it does, draw another.
        loop {
            let inserted = session::Entity::insert(self.row(record)?)
                .on_conflict_do_nothing_on([session::Column::Id])
                .exec_without_returning(&self.db)
                .await
                .map_err(backend)?;
            if matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        session::Entity::insert(self.row(record)?)
            .on_conflict(
                OnConflict::column(session::Column::Id)
                    .update_columns([session::Column::Data, session::Column::ExpiresAt])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let found = session::Entity::find_by_id(session_id.to_string())
            .filter(session::Column::ExpiresAt.gt(Utc::now()))
            .one(&self.db)
            .await
            .map_err(backend)?;
        let Some(found) = found else { return Ok(None) };
        let data = serde_json::from_slice(&found.data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date =
            tower_sessions::cookie::time::OffsetDateTime::from_unix_timestamp(found.expires_at.timestamp())
                .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *session_id, data, expiry_date }))
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        session::Entity::delete_by_id(session_id.to_string()).exec(&self.db).await.map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lte(Utc::now()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
