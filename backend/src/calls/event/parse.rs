//! Validating a raw event into a CallEnded: each field checked and normalised, errors naming the field.

#[allow(unused_imports)]
use super::*;

pub(crate) fn required_id(value: Option<String>, field: &str) -> Result<String, Error> {
    let value = value.ok_or_else(|| Error::invalid(field, "is required"))?;
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if trimmed.chars().count() > MAX_ID_LEN {
        return Err(Error::invalid(field, format!("must be at most {MAX_ID_LEN} characters")));
    }
    Ok(trimmed.to_owned())
}

pub(crate) fn short_text(value: Option<String>, field: &str, max: usize) -> Result<Option<String>, Error> {
    let Some(value) = value else { return Ok(None) };
    let trimmed = value.trim();
    if trimmed.chars().count() > max {
        return Err(Error::invalid(field, format!("must be at most {max} characters")));
    }
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

pub(crate) fn timestamp(value: Option<String>, field: &str) -> Result<Option<DateTime<Utc>>, Error> {
    let Some(value) = value else { return Ok(None) };
    DateTime::parse_from_rfc3339(value.trim())
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|_| Error::invalid(field, format!("`{value}` is not an RFC 3339 date-time")))
}

pub(crate) fn seconds(value: Option<f64>, field: &str) -> Result<Option<f64>, Error> {
    match value {
        Some(s) if !s.is_finite() || s < 0.0 => Err(Error::invalid(field, "must be a non-negative number of seconds")),
        other => Ok(other),
    }
}

pub(crate) fn phone(value: Option<String>, field: &str) -> Result<Option<E164>, Error> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => E164::parse(v).map(Some).map_err(|m| Error::invalid(field, m)),
    }
}

impl RawCallEvent {
    /// Validates into a [`CallEnded`].
    ///
    /// Errors: [`Error::Invalid`] with the path of the first bad field, e.g. `call_id`,
    /// `ended_at`, `transcript[3].role`, `customer.email`.
    pub fn validate(self) -> Result<CallEnded, Error> {
        let call_id = required_id(self.call_id, "call_id")?;
        let agent_id = required_id(self.agent_id, "agent_id")?;
        let raw_turns = self.transcript.ok_or_else(|| Error::invalid("transcript", "is required"))?;
        let mut transcript = Vec::with_capacity(raw_turns.len());
        for (i, turn) in raw_turns.into_iter().enumerate() {
            let role_field = format!("transcript[{i}].role");
            let role = turn.role.ok_or_else(|| Error::invalid(&role_field, "is required"))?;
            let role = Speaker::parse(&role)
                .ok_or_else(|| Error::invalid(&role_field, format!("`{role}` is not a role (agent or user)")))?;
            let text = turn.text.ok_or_else(|| Error::invalid(format!("transcript[{i}].text"), "is required"))?;
            let start_s = seconds(turn.start_s, &format!("transcript[{i}].start_s"))?;
            let end_s = seconds(turn.end_s, &format!("transcript[{i}].end_s"))?;
            if let (Some(s), Some(e)) = (start_s, end_s)
                && e < s
            {
                return Err(Error::invalid(format!("transcript[{i}].end_s"), "must not be before start_s"));
            }
            transcript.push(Turn { role, text, start_s, end_s });
        }

        let direction = match self.direction.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) => Some(Direction::parse(d).map_err(|m| Error::invalid("direction", m))?),
        };
        let started_at = timestamp(self.started_at, "started_at")?;
        let ended_at = timestamp(self.ended_at, "ended_at")?;
        if let (Some(s), Some(e)) = (started_at, ended_at)
            && e < s
        {
            return Err(Error::invalid("ended_at", "must not be before started_at"));
        }
        let mut duration_s = seconds(self.duration_s, "duration_s")?;
        if duration_s.is_some_and(|d| d > MAX_DURATION_S) {
            return Err(Error::invalid("duration_s", "must be at most 7 days"));
        }
        if duration_s.is_none()
            && let (Some(s), Some(e)) = (started_at, ended_at)
        {
            duration_s = Some((e - s).num_milliseconds() as f64 / 1000.0);
        }
        let end_reason_raw = short_text(self.end_reason, "end_reason", 64)?;
        let end_reason = end_reason_raw.as_deref().map(EndReason::from_input).unwrap_or(EndReason::Unknown);
        let customer = self.customer.unwrap_or_default();
        let customer_email = match customer.email.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(e) => Some(EmailAddress::parse(e).map_err(|m| Error::invalid("customer.email", m))?),
        };

        Ok(CallEnded {
            call_id,
            agent_id,
            status: short_text(self.status, "status", 64)?,
            direction,
            channel: short_text(self.channel, "channel", 64)?,
            started_at,
            ended_at,
            duration_s,
            end_reason,
            end_reason_raw,
            from_number: phone(self.from_number, "from_number")?,
            to_number: phone(self.to_number, "to_number")?,
            customer_name: short_text(customer.name, "customer.name", 200)?,
            customer_email,
            dynamic_variables: self.dynamic_variables.unwrap_or_default(),
            transcript,
            platform_analysis: None,
        })
    }
}
