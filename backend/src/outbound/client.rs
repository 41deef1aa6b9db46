//! The HTTP client every outgoing request uses: DNS answers checked against the policy at
//! connect time, no redirects, answers read up to a cap.

#[allow(unused_imports)]
use super::*;

/// A DNS resolver that resolves with the system resolver and keeps only the addresses the
/// policy allows; a name with none left fails with [`Refused`].
#[derive(Clone, Debug)]
pub struct PolicyResolver {
    policy: Arc<OutboundPolicy>,
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let (allowed, refused) = resolve_checked(&policy, &host).await?;
            if allowed.is_empty() {
                let err: Box<dyn std::error::Error + Send + Sync> = match refused {
                    Some(r) => Box::new(r),
                    None => format!("{host} has no address").into(),
                };
                return Err(err);
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// Resolves `host` and splits its addresses into allowed ones and the last refusal.
pub(crate) async fn resolve_checked(
    policy: &OutboundPolicy,
    host: &str,
) -> std::io::Result<(Vec<SocketAddr>, Option<Refused>)> {
    let mut allowed = Vec::new();
    let mut refused = None;
    for addr in tokio::net::lookup_host((host, 0)).await? {
        match policy.check_ip(host, addr.ip()) {
            Ok(()) => allowed.push(addr),
            Err(r) => refused = Some(r),
        }
    }
    Ok((allowed, refused))
}

/// How one kind of outbound request behaves.
#[derive(Clone, Copy, Debug)]
pub struct ClientOptions {
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Connection timeout (including the DNS lookup).
    pub connect_timeout: Duration,
    /// The `User-Agent` header.
    pub user_agent: &'static str,
}

/// The policy and the response cap, with the clients built under them. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Outbound {
    policy: Arc<OutboundPolicy>,
    /// `outbound.max_response_bytes`: the most of any response body that is read.
    pub max_response_bytes: usize,
}

impl Outbound {
    /// The outbound policy `policy`, reading at most `max_response_bytes` of a response.
    pub fn new(policy: OutboundPolicy, max_response_bytes: usize) -> Self {
        Self { policy: Arc::new(policy), max_response_bytes }
    }

    /// The policy.
    pub fn policy(&self) -> &OutboundPolicy {
        &self.policy
    }

    /// A pooled HTTP client under the policy: names resolved by [`PolicyResolver`], no
    /// redirects, no proxies. Send only to URLs that passed [`Outbound::check_target`].
    ///
    /// Errors: reqwest's error when the client cannot be built (no TLS provider).
    pub fn client(&self, options: ClientOptions) -> std::result::Result<reqwest::Client, reqwest::Error> {
        crate::install_crypto_provider();
        reqwest::Client::builder()
            .dns_resolver(PolicyResolver { policy: self.policy.clone() })
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .user_agent(options.user_agent)
            .build()
    }

    /// Send-time check of a parsed URL: the scheme is `http` or `https` and a literal IP
    /// host is allowed (names are checked by the client's resolver at connection time).
    ///
    /// Errors: [`OutboundError::Refused`] for a blocked literal address,
    /// [`OutboundError::Invalid`] for another scheme or no host.
    pub fn check_target(&self, url: &Url) -> std::result::Result<(), OutboundError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(OutboundError::Invalid(format!("`{}` URLs are not sent", url.scheme())));
        }
        let host = url.host_str().unwrap_or_default().to_owned();
        match url.host() {
            Some(Host::Ipv4(ip)) => self.policy.check_ip(&host, IpAddr::V4(ip)).map_err(OutboundError::Refused),
            Some(Host::Ipv6(ip)) => self.policy.check_ip(&host, IpAddr::V6(ip)).map_err(OutboundError::Refused),
            Some(Host::Domain(_)) => Ok(()),
            None => Err(OutboundError::Invalid("the URL has no host".into())),
        }
    }

    /// Save-time check of a URL a tenant entered: at most 2000 characters, absolute
    /// `http(s)://` with a host, and every address its host is or resolves to now allowed.
    /// A name that does not resolve at all (or not within 3 s) is accepted: it may exist
    /// later, and every connection is checked again anyway. Returns the parsed URL.
    ///
    /// Errors: [`Error::Invalid`] on `field` saying what is wrong, e.g. that
    /// `http://169.254.169.254/` is a link-local address.
    pub async fn check_url(&self, url: &str, field: &str) -> Result<Url> {
        let parsed = parse_url(url, field)?;
        self.check_target(&parsed).map_err(|e| Error::invalid(field, e.to_string()))?;
        if let Some(Host::Domain(domain)) = parsed.host() {
            let domain = domain.to_owned();
            let lookup = tokio::time::timeout(Duration::from_secs(3), resolve_checked(&self.policy, &domain)).await;
            if let Ok(Ok((allowed, Some(refused)))) = lookup
                && allowed.is_empty()
            {
                return Err(Error::invalid(field, refused.to_string()));
            }
        }
        Ok(parsed)
    }
}

/// Parses an `http(s)://` URL with a host, at most 2000 characters.
///
/// Errors: [`Error::Invalid`] on `field`.
pub fn parse_url(url: &str, field: &str) -> Result<Url> {
    let url = url.trim();
    if url.chars().count() > 2000 {
        return Err(Error::invalid(field, "must be at most 2000 characters"));
    }
    let parsed =
        Url::parse(url).map_err(|_| Error::invalid(field, "must be a URL such as https://example.com/hooks"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid(field, "must be an http:// or https:// URL with a host"));
    }
    Ok(parsed)
}

/// Why an outbound request was not sent, or failed.
#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    /// The policy refused the address: permanent, retrying cannot help.
    #[error("{0}")]
    Refused(Refused),
    /// The URL cannot be sent (scheme, no host): permanent.
    #[error("{0}")]
    Invalid(String),
}

/// The policy's refusal inside a reqwest error (the resolver's error travels as its
/// source), if that is why the request failed.
pub fn refusal(err: &reqwest::Error) -> Option<Refused> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(r) = e.downcast_ref::<Refused>() {
            return Some(r.clone());
        }
        source = e.source();
    }
    None
}

/// A response body read up to a cap.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capped {
    /// At most the cap's bytes.
    pub bytes: Vec<u8>,
    /// Whether the body went on past the cap (the rest was not read).
    pub truncated: bool,
}

impl Capped {
    /// The bytes as text (invalid UTF-8 replaced), with a note when cut.
    pub fn text(&self) -> String {
        let text = String::from_utf8_lossy(&self.bytes).into_owned();
        if self.truncated {
            format!("{text}… (cut after {} bytes; the rest was not read)", self.bytes.len())
        } else {
            text
        }
    }
}

/// Reads `response`'s body chunk by chunk and stops after `cap` bytes; the connection is
/// dropped with the rest unread.
///
/// Errors: reqwest's error when the body breaks off before the cap.
pub async fn read_capped(mut response: reqwest::Response, cap: usize) -> std::result::Result<Capped, reqwest::Error> {
    let mut out = Capped::default();
    while let Some(chunk) = response.chunk().await? {
        let room = cap - out.bytes.len();
        if chunk.len() > room {
            out.bytes.extend_from_slice(&chunk[..room]);
            out.truncated = true;
            break;
        }
        out.bytes.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// One line for a reqwest failure with its causes (`could not connect: …: …`), naming a
/// policy refusal plainly. The URL is left out: it can be a credential (a Slack or Teams
/// URL), and the line is shown in delivery logs members read.
pub fn describe(err: reqwest::Error, timeout: Duration) -> String {
    if let Some(r) = refusal(&err) {
        return r.to_string();
    }
    if err.is_timeout() {
        return format!("timed out after {:.0} s", timeout.as_secs_f64());
    }
    let err = err.without_url();
    let mut text = if err.is_connect() { format!("could not connect: {err}") } else { err.to_string() };
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
