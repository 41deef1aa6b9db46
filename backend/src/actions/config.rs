//! What an action is configured with: the input, its validation (URL policy, fields, formats)
//! and the stored condition.

#[allow(unused_imports)]
use super::*;

/// What creating or editing an action takes.
#[derive(Clone, Debug, Default)]
pub struct ActionInput {
    /// [`ActionKind::Webhook`] or [`ActionKind::ScheduleCall`].
    pub kind: String,
    /// 1-120 characters.
    pub name: String,
    /// `http://` or `https://` URL, at most 2000 characters, allowed by the outbound
    /// policy (no internal addresses).
    pub url: String,
    /// [`WebhookFormat::Standard`] (default), [`WebhookFormat::Slack`], [`WebhookFormat::Teams`]
    /// or [`WebhookFormat::Request`]; callback requests are always `standard`.
    pub format: Option<String>,
    /// `request`: `POST` (default), `PUT` or `PATCH`.
    pub method: Option<String>,
    /// `request`: headers to send (a secret value left out keeps the stored one).
    pub headers: Vec<HeaderInput>,
    /// `request`: bearer or basic auth (a left-out token or password keeps the stored one).
    pub auth: AuthInput,
    /// `request`: the JSON body template (required; every value is written as JSON).
    pub body_template: Option<String>,
    /// `request`: whether to add Standard Webhooks signature headers (default true).
    pub sign: Option<bool>,
    /// Slack/Teams message (minijinja, the email variables); required for those formats.
    pub message_template: Option<String>,
    pub include_transcript: bool,
    /// `None` = always; a test or an all/any group ([`Condition`]).
    pub condition: Option<Condition>,
    /// `schedule_call`: the extracted field with the follow-up time.
    pub time_field: Option<String>,
    /// `schedule_call`: minutes after the call (0 to 525600) when the field gives no time.
    pub fallback_delay_minutes: Option<i32>,
    pub enabled: bool,
}

pub(crate) fn field_name(raw: &str) -> Option<String> {
    let name = raw.trim().trim_start_matches("dyn_").to_ascii_lowercase();
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    ok.then_some(name)
}

/// How an endpoint URL is shown where it is not a credential's place: the delivery log,
/// the Deliveries page and members' views. Slack and Teams incoming-webhook URLs *are*
/// the credential, and other endpoints often carry a token in the path or query, so only
/// the scheme and host are kept: `https://hooks.slack.com/…`.
pub fn display_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => {
            let host = u.host_str().unwrap_or_default();
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            let rest = if u.path() == "/" && u.query().is_none() { "/" } else { "/…" };
            format!("{}://{host}{port}{rest}", u.scheme())
        }
        Err(_) => "(unreadable URL)".to_owned(),
    }
}

/// Validates `input`; `stored` holds the action's current headers and auth, whose secret
/// parts an update may leave out. The body template's JSON is checked by the caller
/// ([`check_body_template`] needs the agent's sample call).
pub(crate) async fn validate(
    outbound: &Outbound,
    input: ActionInput,
    stored: Option<&RequestOptions>,
) -> Result<ActionSettings> {
    let kind = ActionKind::parse(input.kind.trim())
        .map_err(|_| Error::invalid("kind", format!("`{}` is not webhook or schedule_call", input.kind.trim())))?;
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(Error::invalid("name", "must be 1 to 120 characters"));
    }
    let url = outbound.check_url(&input.url, "url").await?.to_string();
    let format = match (kind, input.format.as_deref().map(str::trim).unwrap_or("")) {
        (ActionKind::ScheduleCall, _) | (_, "") => WebhookFormat::Standard,
        (_, other) => WebhookFormat::parse(other)
            .map_err(|_| Error::invalid("format", format!("`{other}` is not standard, slack, teams or request")))?,
    };
    let is_request = format == WebhookFormat::Request;
    let method = match input.method.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) if is_request => HttpMethod::parse(&m.to_ascii_uppercase())
            .map_err(|_| Error::invalid("method", format!("`{m}` is not POST, PUT or PATCH")))?,
        _ => HttpMethod::Post,
    };
    let (options, body_template) = if is_request {
        let options = validate_options(input.headers, input.auth, stored)?;
        let template = input
            .body_template
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Error::invalid("body_template", "an HTTP request needs its JSON body template"))?;
        (Some(options), Some(template))
    } else {
        (None, None)
    };
    let sign = match format {
        WebhookFormat::Standard => true,
        WebhookFormat::Slack | WebhookFormat::Teams => false,
        WebhookFormat::Request => input.sign.unwrap_or(true),
    };
    let message_template = input.message_template.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    let message_template = if matches!(format, WebhookFormat::Standard | WebhookFormat::Request) {
        None
    } else {
        let template = message_template
            .ok_or_else(|| Error::invalid("message_template", "a Slack or Teams message needs its text"))?;
        if template.chars().count() > 10_000 {
            return Err(Error::invalid("message_template", "must be at most 10000 characters"));
        }
        crate::templates::check_template(&template, "message_template")?;
        Some(template)
    };
    let condition = input.condition.map(|c| crate::conditions::validate_one(c, "condition")).transpose()?;
    let (time_field, fallback_delay_minutes) = if kind == ActionKind::ScheduleCall {
        let time_field = match input.time_field.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(raw) => Some(
                field_name(raw)
                    .ok_or_else(|| Error::invalid("time_field", "must be a field name such as callback_time"))?,
            ),
        };
        let fallback = input.fallback_delay_minutes;
        if let Some(m) = fallback
            && !(0..=525_600).contains(&m)
        {
            return Err(Error::invalid("fallback_delay_minutes", "must be 0 to 525600 minutes"));
        }
        if time_field.is_none() && fallback.is_none() {
            return Err(Error::invalid("time_field", "choose a time field, a fallback delay, or both"));
        }
        (time_field, fallback)
    } else {
        (None, None)
    };
    Ok(ActionSettings {
        kind,
        name,
        url,
        format,
        message_template,
        method,
        options,
        body_template,
        sign,
        include_transcript: input.include_transcript,
        condition,
        time_field,
        fallback_delay_minutes,
        enabled: input.enabled,
    })
}

/// The condition of `action`, if any.
pub fn condition_of(action: &post_call_action::Model) -> Option<Condition> {
    action.condition.clone()
}
