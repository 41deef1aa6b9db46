//! Which addresses Aftercall may connect to: the blocked ranges (loopback, private, link-local,
//! shared, documentation, multicast, NAT64/6to4 spellings of them) and the operator's
//! exceptions.

#[allow(unused_imports)]
use super::*;

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

pub(crate) fn blocked_v4(ip: Ipv4Addr) -> Option<&'static str> {
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

pub(crate) fn blocked_v6(ip: Ipv6Addr) -> Option<&'static str> {
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
