//! Throttling of the account flows anyone can reach — sign-in, sign-up, accepting an
//! invitation, asking for and using a password reset — per client address and per email
//! address (OWASP ASVS 2.2.1: passwords cannot be guessed without limit, and one address
//! cannot flood the server or someone's inbox).
//!
//! Each key has a GCRA budget (the `governor` crate): `auth.ip_attempts_per_minute` per
//! client address (IPv6 addresses are keyed by their /64, which one client usually owns
//! whole) and `auth.email_attempts_per_hour` per normalised email address. Every attempt
//! counts, successful or not. Over budget is [`Error::RateLimited`] with the wait, answered
//! as 429 with `Retry-After`. Budgets live in memory per process; idle keys are forgotten
//! by [`Throttle::forget_idle`].

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::error::{Error, Result};

/// The client's address as the HTTP edge determined it (the connection's peer, or the
/// address a trusted proxy forwarded); put in each request's extensions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

/// Budgets per client address and per email address. Cheap to clone.
#[derive(Clone)]
pub struct Throttle {
    by_ip: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    by_email: Option<Arc<DefaultKeyedRateLimiter<String>>>,
    clock: DefaultClock,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle")
            .field("by_ip", &self.by_ip.is_some())
            .field("by_email", &self.by_email.is_some())
            .finish()
    }
}

fn limiter<K: std::hash::Hash + Eq + Clone>(count: u32, period: Duration) -> Option<Arc<DefaultKeyedRateLimiter<K>>> {
    let burst = NonZeroU32::new(count)?;
    let quota = Quota::with_period(period / count)?.allow_burst(burst);
    Some(Arc::new(DefaultKeyedRateLimiter::keyed(quota)))
}

/// The key of a client address: IPv4 as is, IPv6 by its /64 (IPv4-mapped as IPv4).
pub fn ip_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

impl Throttle {
    /// `per_ip_per_minute` attempts per client address each minute and `per_email_per_hour`
    /// per email address each hour, each also the burst; 0 turns that budget off.
    pub fn new(per_ip_per_minute: u32, per_email_per_hour: u32) -> Self {
        Self {
            by_ip: limiter(per_ip_per_minute, Duration::from_secs(60)),
            by_email: limiter(per_email_per_hour, Duration::from_secs(3600)),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one attempt from `ip` for `email` (either may be unknown).
    ///
    /// Errors: [`Error::RateLimited`] with the whole seconds until the next attempt is
    /// allowed, when either budget is spent.
    pub fn check(&self, ip: Option<IpAddr>, email: Option<&str>) -> Result<()> {
        let now = self.clock.now();
        let wait = |until: governor::NotUntil<_>| {
            let secs = until.wait_time_from(now).as_secs_f64().ceil().max(1.0);
            Error::RateLimited { retry_after_secs: secs as u64 }
        };
        if let (Some(limiter), Some(ip)) = (&self.by_ip, ip) {
            limiter.check_key(&ip_key(ip)).map_err(wait)?;
        }
        if let (Some(limiter), Some(email)) = (&self.by_email, email) {
            let key = email.trim().to_lowercase();
            if !key.is_empty() {
                limiter.check_key(&key).map_err(wait)?;
            }
        }
        Ok(())
    }

    /// Forgets keys whose budget is full again (call every minute or so), so made-up
    /// addresses cannot grow memory without bound.
    pub fn forget_idle(&self) {
        if let Some(l) = &self.by_ip {
            l.retain_recent();
            l.shrink_to_fit();
        }
        if let Some(l) = &self.by_email {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn an_address_gets_its_budget_then_429_with_a_wait() {
        let t = Throttle::new(3, 0);
        for _ in 0..3 {
            t.check(ip("203.0.113.9"), None).unwrap();
        }
        match t.check(ip("203.0.113.9"), None) {
            Err(Error::RateLimited { retry_after_secs }) => {
                assert!((1..=20).contains(&retry_after_secs), "{retry_after_secs}")
            }
            other => panic!("{other:?}"),
        }
        t.check(ip("203.0.113.10"), None).unwrap();
    }

    #[test]
    fn an_email_is_limited_whatever_the_address_and_however_it_is_spelled() {
        let t = Throttle::new(0, 2);
        t.check(ip("203.0.113.1"), Some("Ann@Example.com")).unwrap();
        t.check(ip("203.0.113.2"), Some(" ann@example.com")).unwrap();
        assert!(matches!(t.check(ip("203.0.113.3"), Some("ANN@example.com")), Err(Error::RateLimited { .. })));
        t.check(ip("203.0.113.3"), Some("bob@example.com")).unwrap();
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        let t = Throttle::new(1, 0);
        t.check(ip("2001:db8:1:2::1"), None).unwrap();
        assert!(t.check(ip("2001:db8:1:2:ffff::9"), None).is_err(), "same /64");
        t.check(ip("2001:db8:1:3::1"), None).unwrap();
        assert_eq!(ip_key("::ffff:198.51.100.7".parse().unwrap()), "198.51.100.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn zero_turns_a_budget_off() {
        let t = Throttle::new(0, 0);
        for _ in 0..100 {
            t.check(ip("203.0.113.9"), Some("a@example.com")).unwrap();
        }
        t.forget_idle();
    }
}
