//! The outbound HTTP policy: every request Aftercall makes to an address a tenant chose
//! (webhooks, Slack and Teams messages, callback requests, Web Push, the LLM endpoint)
//! goes through a client built here, so a tenant cannot make the server reach its own
//! network (SSRF, OWASP ASVS 5.2.6 / 12.6.1).
//!
//! - **Addresses, not names, are checked.** The clients resolve names with
//!   [`PolicyResolver`], which drops every address in a blocked range before a connection
//!   is made; a URL with a literal IP is checked by [`Outbound::check_target`] before
//!   sending. Because the check happens at each connection, a name that resolved to a
//!   public address when it was saved and to `127.0.0.1` later (DNS rebinding) is refused.
//! - **Blocked ranges** ([`blocked_range`]): unspecified (`0.0.0.0/8`, `::`), loopback
//!   (`127.0.0.0/8`, `::1`), private RFC 1918 (`10/8`, `172.16/12`, `192.168/16`), CGNAT
//!   (`100.64.0.0/10`), link-local (`169.254/16` — cloud metadata — and `fe80::/10`),
//!   IETF protocol assignments (`192.0.0.0/24`), benchmarking (`198.18.0.0/15`), multicast
//!   (`224/4`, `ff00::/8`), reserved and broadcast (`240/4`), unique local (`fc00::/7`)
//!   and site-local (`fec0::/10`) IPv6; IPv4-mapped, IPv4-compatible, NAT64 and 6to4 IPv6
//!   addresses are judged by the IPv4 address inside.
//! - **Operators opt in** per range with `outbound.allow_private` (CIDR list), e.g. a CRM
//!   on `10.1.0.0/16`.
//! - **No redirects** are followed and no proxy from the environment is used (a proxy
//!   would connect on our behalf to an unchecked address).
//! - **Response bodies are read as a stream and cut** ([`read_capped`]): a hostile endpoint
//!   cannot make the server buffer an unbounded answer.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;
use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Host;

use crate::error::{Error, Result};

/// Why the policy refused an address.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "refused by the outbound policy: {host} is {ip}, a {range} address (Aftercall does not connect to internal networks unless the operator allows the range in outbound.allow_private)"
)]
pub struct Refused {
    /// The host as written in the URL.
    pub host: String,
    /// The address it is or resolved to.
    pub ip: IpAddr,
    /// The blocked range's name, e.g. `loopback`.
    pub range: &'static str,
}

/// The name of the blocked range `ip` is in, or `None` for a public address.
pub fn blocked_range(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => blocked_v4(v4),
        IpAddr::V6(v6) => blocked_v6(v6),
    }
}

fn blocked_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, _, _) => "unspecified",
        (127, _, _) => "loopback",
        (10, _, _) => "private (RFC 1918)",
        (172, 16..=31, _) => "private (RFC 1918)",
        (192, 168, _) => "private (RFC 1918)",
        (100, 64..=127, _) => "shared (CGNAT)",
        (169, 254, _) => "link-local",
        (192, 0, 0) => "IETF protocol assignment",
        (198, 18..=19, _) => "benchmarking",
        (224..=239, _, _) => "multicast",
        (240..=255, _, _) => "reserved or broadcast",
        _ => return None,
    })
}

fn blocked_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    let s = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return blocked_v4(v4);
    }
    // IPv4-compatible (::a.b.c.d, deprecated) and NAT64 (64:ff9b::/96) embed an IPv4 address.
    if s[..6] == [0, 0, 0, 0, 0, 0] || s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return blocked_v4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8));
    }
    // 6to4 (2002::/16) embeds the IPv4 address in the next 32 bits.
    if s[0] == 0x2002 {
        return blocked_v4(Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8));
    }
    match s[0] {
        0xfe80..=0xfebf => Some("link-local"),
        0xfec0..=0xfeff => Some("site-local"),
        0xfc00..=0xfdff => Some("unique local (ULA)"),
        0xff00..=0xffff => Some("multicast"),
        _ => None,
    }
}

/// Which addresses outbound connections may reach: every public address, plus the
/// operator's `outbound.allow_private` ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    allow: Vec<IpNet>,
    allow_all: bool,
}

impl OutboundPolicy {
    /// Public addresses and the `allow` ranges.
    pub fn new(allow: Vec<IpNet>) -> Self {
        Self { allow, allow_all: false }
    }

    /// Every address: for the operator's own tools (`aftercall eval --base-url`), never for
    /// URLs a tenant chose.
    pub fn unrestricted() -> Self {
        Self { allow: Vec::new(), allow_all: true }
    }

    /// Parses `outbound.allow_private`.
    ///
    /// Errors: the entry that is not a CIDR range (`10.1.0.0/16`) or a single address.
    pub fn parse(ranges: &[String]) -> std::result::Result<Self, String> {
        let allow = ranges
            .iter()
            .map(|r| {
                let r = r.trim();
                r.parse::<IpNet>()
                    .or_else(|_| r.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("`{r}` is not a CIDR range such as 10.1.0.0/16"))
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(Self::new(allow))
    }

    /// `Ok` when connections to `ip` are allowed; the refusal (with `host` for the message)
    /// otherwise.
    pub fn check_ip(&self, host: &str, ip: IpAddr) -> std::result::Result<(), Refused> {
        if self.allow_all {
            return Ok(());
        }
        let Some(range) = blocked_range(ip) else { return Ok(()) };
        let canonical = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        if self.allow.iter().any(|net| net.contains(&ip) || net.contains(&canonical)) {
            return Ok(());
        }
        Err(Refused { host: host.to_owned(), ip, range })
    }
}

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
async fn resolve_checked(policy: &OutboundPolicy, host: &str) -> std::io::Result<(Vec<SocketAddr>, Option<Refused>)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_ranges_are_blocked_and_public_ones_are_not() {
        for (addr, range) in [
            ("0.0.0.0", "unspecified"),
            ("127.0.0.1", "loopback"),
            ("127.8.9.10", "loopback"),
            ("10.1.2.3", "private (RFC 1918)"),
            ("172.16.0.1", "private (RFC 1918)"),
            ("172.31.255.255", "private (RFC 1918)"),
            ("192.168.1.1", "private (RFC 1918)"),
            ("100.64.0.1", "shared (CGNAT)"),
            ("100.127.255.254", "shared (CGNAT)"),
            ("169.254.169.254", "link-local"),
            ("224.0.0.1", "multicast"),
            ("255.255.255.255", "reserved or broadcast"),
            ("::", "unspecified"),
            ("::1", "loopback"),
            ("fe80::1", "link-local"),
            ("fd00::1", "unique local (ULA)"),
            ("fc12::1", "unique local (ULA)"),
            ("ff02::1", "multicast"),
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:169.254.169.254", "link-local"),
            ("64:ff9b::10.0.0.1", "private (RFC 1918)"),
            ("2002:7f00:1::", "loopback"),
        ] {
            assert_eq!(blocked_range(ip(addr)), Some(range), "{addr}");
        }
        for addr in ["8.8.8.8", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2606:4700::1111", "::ffff:1.1.1.1"] {
            assert_eq!(blocked_range(ip(addr)), None, "{addr}");
        }
    }

    #[test]
    fn allowed_ranges_open_only_themselves() {
        let policy = OutboundPolicy::parse(&["10.1.0.0/16".into(), "127.0.0.1".into()]).unwrap();
        assert!(policy.check_ip("crm", ip("10.1.4.5")).is_ok());
        assert!(policy.check_ip("crm", ip("::ffff:10.1.4.5")).is_ok(), "mapped addresses match their IPv4 range");
        assert!(policy.check_ip("x", ip("127.0.0.1")).is_ok());
        let refused = policy.check_ip("x", ip("10.2.0.1")).unwrap_err();
        assert_eq!(refused.range, "private (RFC 1918)");
        assert!(refused.to_string().contains("outbound.allow_private"), "{refused}");
        assert!(policy.check_ip("x", ip("127.0.0.2")).is_err());
        assert!(OutboundPolicy::parse(&["not a range".into()]).unwrap_err().contains("not a range"));
        assert!(OutboundPolicy::unrestricted().check_ip("x", ip("127.0.0.1")).is_ok());
    }

    #[test]
    fn literal_hosts_are_checked_in_every_spelling() {
        let out = Outbound::new(OutboundPolicy::default(), 1024);
        for url in [
            "http://127.0.0.1:8080/x",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://[::1]/",
            "http://[::ffff:7f00:1]/",
            "http://169.254.169.254/latest/meta-data/",
            "http://0.0.0.0/",
        ] {
            let parsed = Url::parse(url).unwrap();
            assert!(matches!(out.check_target(&parsed), Err(OutboundError::Refused(_))), "{url}");
        }
        assert!(out.check_target(&Url::parse("https://93.184.215.14/hook").unwrap()).is_ok());
        assert!(out.check_target(&Url::parse("https://example.com/hook").unwrap()).is_ok());
        assert!(matches!(out.check_target(&Url::parse("file:///etc/passwd").unwrap()), Err(OutboundError::Invalid(_))));
    }

    #[test]
    fn urls_must_be_http_with_a_host() {
        assert!(parse_url("https://hooks.example.com/a?b=c", "url").is_ok());
        for bad in ["ftp://x.example/", "hooks.example.com", "https://", "http://:80/"] {
            match parse_url(bad, "url") {
                Err(Error::Invalid { field, .. }) => assert_eq!(field, "url"),
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert!(parse_url(&format!("https://x.example/{}", "a".repeat(2000)), "url").is_err());
    }

    #[tokio::test]
    async fn names_that_resolve_to_internal_addresses_are_refused_at_save_time() {
        let out = Outbound::new(OutboundPolicy::default(), 1024);
        match out.check_url("http://localhost:9/hook", "url").await {
            Err(Error::Invalid { field, message }) => {
                assert_eq!(field, "url");
                assert!(message.contains("loopback"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        let allowed = Outbound::new(OutboundPolicy::parse(&["127.0.0.0/8".into(), "::1".into()]).unwrap(), 1024);
        assert!(allowed.check_url("http://localhost:9/hook", "url").await.is_ok());
    }
}
