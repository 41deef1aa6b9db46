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

mod policy;
pub use policy::*;
mod client;
pub use client::*;

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
