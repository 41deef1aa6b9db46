//! Retry policy: how long a failed attempt waits before the next one. Each [`super::Job`]
//! picks its delay in [`super::Job::retry_delay`]; these are the two schedules they use.

use std::time::Duration;

use rand::Rng;

use crate::settings::JobSettings;

/// The delay before retry number `attempt` (1-based): `base * 2^(attempt-1)`, capped at
/// `max`, then ±25 % jitter so failed jobs do not retry in lockstep.
pub fn backoff(settings: &JobSettings, attempt: i32) -> Duration {
    let exp = attempt.clamp(1, 30) as u32 - 1;
    let raw = settings.backoff_base.saturating_mul(2u32.saturating_pow(exp));
    let capped = raw.min(settings.backoff_max);
    let jitter = rand::thread_rng().gen_range(0.75..=1.25);
    capped.mul_f64(jitter)
}

/// The delay before retry `attempt` (1-based) on a fixed `schedule` (the webhook schedule):
/// the `attempt`-th entry (the last one once past the end), ±10 % jitter.
pub fn scheduled_delay(schedule: &[Duration], attempt: i32) -> Duration {
    let Some(last) = schedule.last() else { return Duration::ZERO };
    let index = usize::try_from(std::cmp::max(attempt, 1) - 1).unwrap_or(0);
    let base = schedule.get(index).unwrap_or(last);
    base.mul_f64(rand::thread_rng().gen_range(0.9..=1.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_is_capped() {
        let s = crate::settings::Settings::for_tests("http://x").jobs;
        for attempt in 1..=4 {
            let expected = s.backoff_base.as_secs_f64() * 2f64.powi(attempt - 1);
            let got = backoff(&s, attempt).as_secs_f64();
            assert!(got >= expected * 0.75 - 1e-9 && got <= expected * 1.25 + 1e-9, "attempt {attempt}: {got}");
        }
        assert!(backoff(&s, 30).as_secs_f64() <= s.backoff_max.as_secs_f64() * 1.25);
    }

    #[test]
    fn the_webhook_schedule_is_followed_within_ten_percent() {
        let schedule = crate::settings::WebhookSettings::standard().retry_schedule;
        let expected = [5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0, 36000.0];
        for (i, want) in expected.iter().enumerate() {
            let got = scheduled_delay(&schedule, i as i32 + 1).as_secs_f64();
            assert!(got >= want * 0.9 - 1e-9 && got <= want * 1.1 + 1e-9, "retry {}: {got}", i + 1);
        }
        assert_eq!(scheduled_delay(&[], 1), Duration::ZERO);
    }
}
