//! HTTP request actions: the headers and auth an action sends, validated at save, sealed at
//! rest (they hold credentials), and shown without their secret parts.

#[allow(unused_imports)]
use super::*;

use serde::{Deserialize, Serialize};

/// Most headers per action.
pub const MAX_HEADERS: usize = 20;
/// Longest header value, in characters.
pub const MAX_HEADER_VALUE: usize = 4096;
/// Longest body template, in characters.
pub const MAX_BODY_TEMPLATE: usize = 20_000;

/// Headers Aftercall sets itself, which an action may not set: the framing, the JSON type,
/// the Standard Webhooks signature, and (with an auth set) `Authorization`.
const RESERVED: &[&str] = &[
    "host", "content-length", "content-type", "transfer-encoding", "connection", "webhook-id", "webhook-timestamp",
    "webhook-signature",
];

/// One header an HTTP request action sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RequestHeader {
    /// An HTTP header name, e.g. `X-Api-Key`.
    pub name: String,
    pub value: String,
    /// A secret value is stored encrypted and never shown again.
    #[serde(default)]
    pub secret: bool,
}

/// How an HTTP request action authenticates.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RequestAuth {
    /// No `Authorization` header (a header or the URL may still carry a key).
    #[default]
    None,
    /// `Authorization: Bearer <token>`.
    Bearer { token: String },
    /// `Authorization: Basic base64(<username>:<password>)`.
    Basic { username: String, password: String },
}

/// An action's headers and auth, sealed as one JSON document (`post_call_actions.request`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestOptions {
    #[serde(default)]
    pub headers: Vec<RequestHeader>,
    #[serde(default)]
    pub auth: RequestAuth,
}

/// A header as an admin sends it: a secret header's `value` may be left out on update to
/// keep the stored one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HeaderInput {
    pub name: String,
    /// Required, except to keep a stored secret value.
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub secret: bool,
}

/// Auth as an admin sends it: a left-out token or password keeps the stored one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuthInput {
    #[default]
    None,
    Bearer {
        #[serde(default)]
        token: Option<String>,
    },
    Basic {
        username: String,
        #[serde(default)]
        password: Option<String>,
    },
}

/// A header as shown: a secret value is never shown, only that one is stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct HeaderView {
    pub name: String,
    /// The value; null for a secret one.
    pub value: Option<String>,
    pub secret: bool,
}

/// Auth as shown: the kind, and the Basic user name; never a token or password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AuthView {
    /// `none`, `bearer` or `basic`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

impl RequestOptions {
    /// The headers as shown.
    pub fn header_views(&self) -> Vec<HeaderView> {
        self.headers
            .iter()
            .map(|h| HeaderView { name: h.name.clone(), value: (!h.secret).then(|| h.value.clone()), secret: h.secret })
            .collect()
    }

    /// The auth as shown.
    pub fn auth_view(&self) -> AuthView {
        match &self.auth {
            RequestAuth::None => AuthView { kind: "none".into(), username: None },
            RequestAuth::Bearer { .. } => AuthView { kind: "bearer".into(), username: None },
            RequestAuth::Basic { username, .. } => AuthView { kind: "basic".into(), username: Some(username.clone()) },
        }
    }

    /// The `Authorization` header value, when an auth is set.
    pub fn authorization(&self) -> Option<String> {
        use base64::Engine as _;
        match &self.auth {
            RequestAuth::None => None,
            RequestAuth::Bearer { token } => Some(format!("Bearer {token}")),
            RequestAuth::Basic { username, password } => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))
            )),
        }
    }
}

/// Validates headers and auth, keeping the stored secret values (`stored`) that an update
/// leaves out.
///
/// Errors: [`Error::Invalid`] naming `headers[i].name`, `headers[i].value`,
/// `auth.token`, `auth.username` or `auth.password`.
pub(crate) fn validate_options(
    headers: Vec<HeaderInput>,
    auth: AuthInput,
    stored: Option<&RequestOptions>,
) -> Result<RequestOptions> {
    if headers.len() > MAX_HEADERS {
        return Err(Error::invalid("headers", format!("at most {MAX_HEADERS} headers")));
    }
    let kept =
        |name: &str| stored.and_then(|s| s.headers.iter().find(|h| h.secret && h.name.eq_ignore_ascii_case(name)));
    let mut out: Vec<RequestHeader> = Vec::new();
    for (i, h) in headers.into_iter().enumerate() {
        let name = h.name.trim().to_owned();
        let lower = name.to_ascii_lowercase();
        if http::HeaderName::from_bytes(name.as_bytes()).is_err() || name.is_empty() {
            return Err(Error::invalid(format!("headers[{i}].name"), "must be an HTTP header name such as X-Api-Key"));
        }
        if RESERVED.contains(&lower.as_str()) || (lower == "authorization" && !matches!(auth, AuthInput::None)) {
            return Err(Error::invalid(format!("headers[{i}].name"), format!("`{name}` is set by Aftercall")));
        }
        if out.iter().any(|o| o.name.eq_ignore_ascii_case(&name)) {
            return Err(Error::invalid(format!("headers[{i}].name"), format!("`{name}` is already listed")));
        }
        let value = match (h.value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()), h.secret) {
            (Some(v), _) => v,
            (None, true) => match kept(&name) {
                Some(stored) => stored.value.clone(),
                None => return Err(Error::invalid(format!("headers[{i}].value"), "is required")),
            },
            (None, false) => return Err(Error::invalid(format!("headers[{i}].value"), "is required")),
        };
        if value.chars().count() > MAX_HEADER_VALUE || http::HeaderValue::from_str(&value).is_err() {
            return Err(Error::invalid(
                format!("headers[{i}].value"),
                format!("must be visible text of at most {MAX_HEADER_VALUE} characters"),
            ));
        }
        out.push(RequestHeader { name, value, secret: h.secret });
    }
    let stored_auth = stored.map(|s| &s.auth);
    let auth = match auth {
        AuthInput::None => RequestAuth::None,
        AuthInput::Bearer { token } => {
            let token = match (token.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()), stored_auth) {
                (Some(t), _) => t,
                (None, Some(RequestAuth::Bearer { token })) => token.clone(),
                (None, _) => return Err(Error::invalid("auth.token", "is required")),
            };
            if http::HeaderValue::from_str(&format!("Bearer {token}")).is_err() || token.chars().count() > 4000 {
                return Err(Error::invalid("auth.token", "must be visible text of at most 4000 characters"));
            }
            RequestAuth::Bearer { token }
        }
        AuthInput::Basic { username, password } => {
            let username = username.trim().to_owned();
            if username.is_empty() || username.contains(':') || username.chars().count() > 200 {
                return Err(Error::invalid("auth.username", "must be 1 to 200 characters without `:`"));
            }
            let password = match (password.filter(|p| !p.is_empty()), stored_auth) {
                (Some(p), _) => p,
                (None, Some(RequestAuth::Basic { password, .. })) => password.clone(),
                (None, _) => return Err(Error::invalid("auth.password", "is required")),
            };
            if password.chars().count() > 1000 {
                return Err(Error::invalid("auth.password", "must be at most 1000 characters"));
            }
            RequestAuth::Basic { username, password }
        }
    };
    Ok(RequestOptions { headers: out, auth })
}

/// The variable roots a body template may read besides the email variables: the analysis
/// as the standard payload carries it (`analysis.fields.order_total`, `analysis.summary`).
pub const BODY_TEMPLATE_EXTRA: &[&str] = &["analysis"];

/// Checks a body template at save: syntax and variables, then it must render JSON against
/// the agent's sample call.
///
/// Errors: [`Error::Invalid`] on `body_template`, with the line (and column) at fault.
pub(crate) async fn check_body_template<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    public_url: &str,
    agent_id: Uuid,
    source: &str,
) -> Result<()> {
    if source.chars().count() > MAX_BODY_TEMPLATE {
        return Err(Error::invalid("body_template", format!("must be at most {MAX_BODY_TEMPLATE} characters")));
    }
    crate::templates::check_template_with(source, "body_template", BODY_TEMPLATE_EXTRA)?;
    let account = crate::identity::accounts::get(db, tenant).await?;
    let (mut vars, analysis) =
        crate::preview::sample_variables(db, tenant, &account, public_url, Some(agent_id), &[source]).await?;
    vars.set("analysis", analysis_variable(Some(&analysis)));
    crate::templates::render_json(source, &vars).map(|_| ()).map_err(|e| Error::invalid("body_template", e.message))
}

/// The `analysis` variable of a body template, `{status, summary, goal, fields}` (fields
/// by name), null before the analysis: the core of the standard payload's `analysis`.
pub fn analysis_variable(analysis: Option<&crate::entities::analysis::Model>) -> serde_json::Value {
    let Some(a) = analysis else { return serde_json::Value::Null };
    let fields: serde_json::Map<String, serde_json::Value> =
        a.result.fields.iter().map(|f| (f.name.clone(), f.value.clone())).collect();
    serde_json::json!({
        "status": a.status,
        "summary": a.summary,
        "goal": a.result.goal,
        "fields": fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, value: Option<&str>, secret: bool) -> HeaderInput {
        HeaderInput { name: name.into(), value: value.map(str::to_owned), secret }
    }

    #[test]
    fn headers_are_checked_and_a_left_out_secret_keeps_the_stored_one() {
        let stored = validate_options(vec![header("X-Api-Key", Some("k1"), true)], AuthInput::None, None).unwrap();
        let kept = validate_options(vec![header("x-api-key", None, true)], AuthInput::None, Some(&stored)).unwrap();
        assert_eq!(kept.headers[0].value, "k1");
        for (h, field) in [
            (header("Bad Name", Some("v"), false), "headers[0].name"),
            (header("Content-Type", Some("text/plain"), false), "headers[0].name"),
            (header("X-Plain", None, false), "headers[0].value"),
            (header("X-Line", Some("a\nb"), false), "headers[0].value"),
        ] {
            let err = validate_options(vec![h], AuthInput::None, None).unwrap_err();
            assert!(matches!(err, Error::Invalid { field: ref f, .. } if f == field), "{err:?}");
        }
        let err = validate_options(
            vec![header("Authorization", Some("x"), false)],
            AuthInput::Bearer { token: Some("t".into()) },
            None,
        )
        .unwrap_err();
        assert!(matches!(err, Error::Invalid { ref field, .. } if field == "headers[0].name"));
    }

    #[test]
    fn auth_builds_the_authorization_header_and_keeps_stored_credentials() {
        let basic =
            validate_options(vec![], AuthInput::Basic { username: "ops".into(), password: Some("pw".into()) }, None)
                .unwrap();
        assert_eq!(basic.authorization().as_deref(), Some("Basic b3BzOnB3"));
        let again = validate_options(vec![], AuthInput::Basic { username: "ops".into(), password: None }, Some(&basic))
            .unwrap();
        assert_eq!(again, basic);
        assert_eq!(basic.auth_view(), AuthView { kind: "basic".into(), username: Some("ops".into()) });
        let err = validate_options(vec![], AuthInput::Bearer { token: None }, None).unwrap_err();
        assert!(matches!(err, Error::Invalid { ref field, .. } if field == "auth.token"));
    }
}
