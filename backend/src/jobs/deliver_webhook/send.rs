//! One signed POST through the outbound client: the request, its attempt record (signatures
//! redacted) and how its answer classifies.

#[allow(unused_imports)]
use super::*;

pub(crate) fn classify(status: u16) -> AttemptOutcome {
    match status {
        200..=299 => AttemptOutcome::Delivered,
        408 | 429 | 500..=599 => AttemptOutcome::Transient,
        _ => AttemptOutcome::Permanent,
    }
}

pub(crate) async fn send(
    services: &Services,
    action: &post_call_action::Model,
    row: &webhook_delivery::Model,
    body: String,
    number: i32,
) -> Sent {
    let timestamp = Utc::now().timestamp();
    let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    // Header names whose values the log must not show.
    let mut hidden: Vec<String> = vec!["authorization".into()];
    let method = if row.format == WebhookFormat::Request { action.method } else { HttpMethod::Post };
    if row.format == WebhookFormat::Request {
        let options = crate::actions::request_options(action).unwrap_or_default();
        for h in &options.headers {
            if h.secret {
                hidden.push(h.name.to_ascii_lowercase());
            }
            headers.push((h.name.clone(), h.value.clone()));
        }
        if let Some(auth) = options.authorization() {
            headers.push(("authorization".to_owned(), auth));
        }
    }
    if row.format == WebhookFormat::Standard || (row.format == WebhookFormat::Request && action.sign) {
        let mut signatures = Vec::new();
        for secret in crate::actions::signing_secrets(action, Utc::now()) {
            match standardwebhooks::Webhook::new(&secret)
                .and_then(|w| w.sign(&row.webhook_id, timestamp, body.as_bytes()))
            {
                Ok(sig) => signatures.push(sig),
                Err(e) => {
                    tracing::error!(action = %action.id, error = %crate::error::report(&e), "unusable signing secret")
                }
            }
        }
        headers.push(("webhook-id".to_owned(), row.webhook_id.clone()));
        headers.push(("webhook-timestamp".to_owned(), timestamp.to_string()));
        headers.push(("webhook-signature".to_owned(), signatures.join(" ")));
    }
    // The log shows the display URL only: members read it, and the URL can be a credential.
    let request_log = format!(
        "{} {}\n{}\n\n{}",
        method.as_str(),
        crate::actions::display_url(&action.url),
        headers
            .iter()
            .map(|(k, v)| if k == "webhook-signature" {
                format!("{k}: {}", redact_signatures(v))
            } else if hidden.contains(&k.to_ascii_lowercase()) {
                format!("{k}: (secret)")
            } else {
                format!("{k}: {v}")
            })
            .collect::<Vec<_>>()
            .join("\n"),
        body
    );
    let started = Instant::now();
    let refused = |why: String| {
        Sent::Permanent(Attempt {
            number,
            outcome: AttemptOutcome::Permanent,
            request: request_log.clone(),
            error: Some(why),
            duration: started.elapsed(),
            ..Default::default()
        })
    };
    let target = match crate::outbound::parse_url(&action.url, "url") {
        Ok(url) => url,
        Err(e) => return refused(e.to_string()),
    };
    if let Err(e) = services.outbound.check_target(&target) {
        return refused(e.to_string());
    }
    let verb = match method {
        HttpMethod::Post => reqwest::Method::POST,
        HttpMethod::Put => reqwest::Method::PUT,
        HttpMethod::Patch => reqwest::Method::PATCH,
    };
    let mut request = services.webhook_client.request(verb, target).body(body);
    for (k, v) in &headers {
        request = request.header(k, v);
    }
    match request.send().await {
        Err(e) if crate::outbound::refusal(&e).is_some() => {
            refused(crate::outbound::describe(e, services.settings.webhooks.timeout))
        }
        Err(e) => {
            let what = crate::outbound::describe(e, services.settings.webhooks.timeout);
            Sent::Transient(Attempt {
                number,
                outcome: AttemptOutcome::Transient,
                request: request_log,
                error: Some(what),
                duration: started.elapsed(),
                ..Default::default()
            })
        }
        Ok(response) => {
            let status = response.status().as_u16();
            // Only what the log keeps is read; a huge or endless answer is cut there.
            let text = crate::outbound::read_capped(response, crate::delivery::MAX_LOGGED)
                .await
                .map(|c| c.text())
                .unwrap_or_default();
            let verdict = classify(status);
            let attempt = Attempt {
                number,
                outcome: verdict,
                status_code: Some(i32::from(status)),
                request: request_log,
                // Already bounded by the read (at most MAX_LOGGED bytes and the cut note).
                response: Some(text),
                error: (verdict != AttemptOutcome::Delivered).then(|| format!("HTTP {status}")),
                duration: started.elapsed(),
            };
            match verdict {
                AttemptOutcome::Delivered => Sent::Delivered(attempt),
                AttemptOutcome::Transient => Sent::Transient(attempt),
                _ => Sent::Permanent(attempt),
            }
        }
    }
}

/// Keeps the version and the first characters of each signature in the log.
pub(crate) fn redact_signatures(header: &str) -> String {
    header.split(' ').map(|s| format!("{}…", &s[..s.len().min(10)])).collect::<Vec<_>>().join(" ")
}
