//! The `SendPush` handler: encrypts an alert for one browser subscription (RFC 8291, VAPID)
//! and posts it to the push service through the outbound policy.

use std::time::Duration;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use web_push_native::{Auth, WebPushBuilder, p256};

use super::{ClaimedJob, Job, JobError};
use crate::Services;
use crate::delivery::push::{PushPayload, TTL, check_endpoint, vapid_key_pair};
use crate::entities::{alert, push_subscription};
use crate::queue::SendPush;
use crate::tenancy::{scope, secure_find};

#[async_trait]
impl Job for SendPush {
    async fn run(self, services: &Services, job: &ClaimedJob) -> std::result::Result<(), JobError> {
        let db = &services.db;
        let tenant = job.tenant;
        let alert = secure_find::<alert::Entity, _>(db, &tenant, self.alert_id).await?;
        let Some(sub) = scope::<push_subscription::Entity>(&tenant)
            .filter(push_subscription::Column::Id.eq(self.subscription_id))
            .one(db)
            .await?
        else {
            return Ok(()); // Unsubscribed since.
        };
        if alert.read_at.is_some() {
            return Ok(()); // Already seen in the dashboard.
        }
        let endpoint = check_endpoint(&sub.endpoint, services.settings.push_allow_http)
            .map_err(|e| JobError::Permanent(e.to_string()))?;
        let ua_public = URL_SAFE_NO_PAD
            .decode(&sub.p256dh)
            .ok()
            .and_then(|b| p256::PublicKey::from_sec1_bytes(&b).ok())
            .ok_or_else(|| JobError::Permanent("stored p256dh key unreadable".into()))?;
        let auth_bytes = URL_SAFE_NO_PAD
            .decode(&sub.auth)
            .ok()
            .filter(|b| b.len() == 16)
            .ok_or_else(|| JobError::Permanent("stored auth secret unreadable".into()))?;
        let auth = Auth::clone_from_slice(&auth_bytes);
        let pair = vapid_key_pair(db, &services.secrets).await?;
        let contact = format!("mailto:{}", services.settings.email_from.email);
        let payload = PushPayload {
            title: alert.title.clone(),
            body: alert.body.clone(),
            url: format!("{}{}", services.settings.public_url, alert.link),
            alert_id: alert.id,
        };
        let body = serde_json::to_vec(&payload).map_err(|e| JobError::Permanent(e.to_string()))?;
        let request = WebPushBuilder::new(endpoint, ua_public, auth)
            .with_valid_duration(TTL)
            .with_vapid(&pair, &contact)
            .build(body)
            .map_err(|e| JobError::Permanent(format!("push encryption: {e}")))?;
        let (parts, body) = request.into_parts();
        let target = crate::outbound::parse_url(&parts.uri.to_string(), "endpoint")
            .map_err(|e| JobError::Permanent(e.to_string()))?;
        services.outbound.check_target(&target).map_err(|e| JobError::Permanent(e.to_string()))?;
        let mut outgoing = services.push_client.post(target).body(body);
        for (name, value) in &parts.headers {
            outgoing = outgoing.header(name.as_str(), value.as_bytes());
        }
        outgoing = outgoing.header("Urgency", "high");
        let response = outgoing.send().await.map_err(|e| {
            let refused = crate::outbound::refusal(&e).is_some();
            crate::telemetry::delivery("push", if refused { "permanent" } else { "transient" });
            let why = crate::outbound::describe(e, Duration::from_secs(15));
            if refused { JobError::Permanent(why) } else { JobError::Retry(format!("push service unreachable: {why}")) }
        })?;
        let status = response.status().as_u16();
        crate::telemetry::delivery(
            "push",
            match status {
                200..=299 => "delivered",
                408 | 429 | 500..=599 => "transient",
                _ => "permanent",
            },
        );
        match status {
            200..=299 => Ok(()),
            404 | 410 => {
                push_subscription::Entity::delete_by_id(sub.id).exec(db).await?;
                Ok(())
            }
            408 | 429 | 500..=599 => Err(JobError::Retry(format!("push service answered {status}"))),
            _ => {
                let text = crate::outbound::read_capped(response, crate::delivery::MAX_LOGGED)
                    .await
                    .map(|c| c.text())
                    .unwrap_or_default();
                Err(JobError::Permanent(format!(
                    "push service answered {status}: {}",
                    text.chars().take(300).collect::<String>()
                )))
            }
        }
    }
}
