//! Delivery: how follow-up work leaves Aftercall, and what happened to it. The outbox
//! ([`outbox`]: every email stored before it is sent), the SMTP transport ([`transport`]),
//! browser push ([`push`]); and the deliveries view over them here: every email and webhook
//! the account sent or is sending, every attempt with what the server answered, and replay
//! of dead letters (one delivery, or everything dead for a conversation). Webhooks are
//! signed and sent by the `DeliverWebhook` handler in [`crate::jobs`].

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use crate::delivery::transport::SendFailure;
use crate::entities::{delivery_attempt, email, job, webhook_delivery};
use crate::error::{Error, Result};
use crate::queue::{self, DeliverWebhook, SendEmail};
use crate::tenancy::{Actor, Permission, Tenant, scope, secure_find};

pub use crate::columns::{AttemptOutcome, WebhookState};

pub mod outbox;
pub mod push;
pub mod transport;

mod attempts;
pub use attempts::*;
mod view;
pub use view::*;
mod replay;
pub use replay::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_reply_codes_are_read_from_replies_and_lettre_errors() {
        assert_eq!(smtp_code("250 2.0.0 Ok: queued"), Some(250));
        assert_eq!(smtp_code("permanent error (550): mailbox unavailable"), Some(550));
        assert_eq!(smtp_code("Connection refused (os error 111)"), None);
        let a = Attempt::from_smtp(&Err(SendFailure::Transient("transient error (451): try later".into())));
        assert_eq!((a.outcome, a.status_code), (AttemptOutcome::Transient, Some(451)));
    }

    #[test]
    fn long_texts_are_cut_at_a_character_boundary() {
        let long = "é".repeat(MAX_LOGGED);
        let cut = truncate(&long);
        assert!(cut.len() < long.len() && cut.ends_with("bytes in all)"), "{}", &cut[cut.len() - 30..]);
        assert_eq!(truncate("short"), "short");
    }
}
