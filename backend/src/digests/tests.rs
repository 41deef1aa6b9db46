use super::*;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

#[test]
fn digests_validate_to_their_normal_form() {
    let d = |every: &str, at: Option<&str>, tz: Option<&str>| Digest {
        every: every.into(),
        at: at.map(Into::into),
        time_zone: tz.map(Into::into),
    };
    assert_eq!(validate(d("Daily", None, None)).unwrap(), d("daily", Some("08:00"), None));
    assert_eq!(
        validate(d("hourly", Some("15"), Some("Europe/Paris"))).unwrap(),
        d("hourly", Some(":15"), Some("Europe/Paris"))
    );
    for (bad, field) in [
        (d("weekly", None, None), "digest.every"),
        (d("daily", Some("25:00"), None), "digest.at"),
        (d("hourly", Some(":75"), None), "digest.at"),
        (d("daily", None, Some("Mars/Olympus")), "digest.time_zone"),
    ] {
        assert!(matches!(validate(bad), Err(Error::Invalid { field: f, .. }) if f == field));
    }
}

#[test]
fn the_latest_period_ends_at_the_last_send_time_in_the_zone() {
    let paris: Tz = "Europe/Paris".parse().unwrap();
    let daily = Every::Daily { at: NaiveTime::from_hms_opt(8, 0, 0).unwrap() };
    // 09:30 in Paris (UTC+1 in winter): yesterday 08:00 → today 08:00 local.
    let (start, end) = latest_period(daily, paris, at("2026-12-02T08:30:00Z"));
    assert_eq!((start, end), (at("2026-12-01T07:00:00Z"), at("2026-12-02T07:00:00Z")));
    // 07:59 local: the period that ended yesterday.
    let (_, end) = latest_period(daily, paris, at("2026-12-02T06:59:00Z"));
    assert_eq!(end, at("2026-12-01T07:00:00Z"));
    // Across the spring change (29 March 2026): a 23-hour day.
    let (start, end) = latest_period(daily, paris, at("2026-03-29T12:00:00Z"));
    assert_eq!((start, end), (at("2026-03-28T07:00:00Z"), at("2026-03-29T06:00:00Z")));
    // A local time that does not exist that night is sent just after the gap.
    let two_thirty = Every::Daily { at: NaiveTime::from_hms_opt(2, 30, 0).unwrap() };
    let (_, end) = latest_period(two_thirty, paris, at("2026-03-29T12:00:00Z"));
    assert_eq!(end, at("2026-03-29T01:30:00Z"));
    let hourly = Every::Hourly { minute: 15 };
    let (start, end) = latest_period(hourly, Tz::UTC, at("2026-12-02T10:14:59Z"));
    assert_eq!((start, end), (at("2026-12-02T08:15:00Z"), at("2026-12-02T09:15:00Z")));
    assert_eq!(latest_period(hourly, Tz::UTC, at("2026-12-02T10:15:00Z")).1, at("2026-12-02T10:15:00Z"));
}
