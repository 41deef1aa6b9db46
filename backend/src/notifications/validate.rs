//! Validating a notification's input (each error names its field) and applying it to the stored
//! row.

#[allow(unused_imports)]
use super::*;

pub(crate) fn addresses(list: &[String], field: &str) -> Result<Vec<String>> {
    if list.len() > MAX_RECIPIENTS {
        return Err(Error::invalid(field, format!("at most {MAX_RECIPIENTS} addresses")));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, raw) in list.iter().enumerate() {
        let address = EmailAddress::parse(raw).map_err(|m| Error::invalid(format!("{field}[{i}]"), m))?;
        if !out.iter().any(|r| r.eq_ignore_ascii_case(address.as_str())) {
            out.push(address.as_str().to_owned());
        }
    }
    Ok(out)
}

pub(crate) fn validate_recipients(input: &Recipients) -> Result<Recipients> {
    let fixed = addresses(&input.fixed, "recipients.fixed")?;
    if input.routes.len() > MAX_ROUTES {
        return Err(Error::invalid("recipients.routes", format!("at most {MAX_ROUTES} routes")));
    }
    let mut routes = Vec::new();
    for (i, r) in input.routes.iter().enumerate() {
        let when = r.when.trim();
        if when.is_empty() || when.chars().count() > 500 {
            return Err(Error::invalid(format!("recipients.routes[{i}].when"), "must be 1 to 500 characters"));
        }
        let to = addresses(&r.to, &format!("recipients.routes[{i}].to"))?;
        if to.is_empty() {
            return Err(Error::invalid(format!("recipients.routes[{i}].to"), "needs at least one address"));
        }
        routes.push(Route { when: when.to_owned(), to });
    }
    let otherwise = addresses(&input.otherwise, "recipients.otherwise")?;
    if routes.is_empty() && !otherwise.is_empty() {
        return Err(Error::invalid("recipients.otherwise", "only applies with at least one route"));
    }
    Ok(Recipients { fixed, routes, otherwise })
}

pub(crate) struct Valid {
    pub(crate) name: String,
    pub(crate) enabled: bool,
    pub(crate) always: bool,
    pub(crate) condition: Option<String>,
    pub(crate) conditions: Vec<RuleCondition>,
    pub(crate) recipients: Recipients,
    pub(crate) subject: String,
    pub(crate) body: String,
    pub(crate) team_alert: TeamAlert,
    pub(crate) task: Option<(Priority, Option<Uuid>, Option<i32>)>,
    pub(crate) digest: Option<crate::columns::Digest>,
}

pub(crate) async fn validate<C: ConnectionTrait>(db: &C, tenant: &Tenant, input: NotificationInput) -> Result<Valid> {
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(Error::invalid("name", "must be 1 to 120 characters"));
    }
    let condition = input.trigger.condition.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    let always = input.trigger.always.unwrap_or(false);
    match (always, &condition) {
        (true, Some(_)) => {
            return Err(Error::invalid("trigger", "give either always or condition, not both"));
        }
        (false, None) => {
            return Err(Error::invalid("trigger.condition", "is required unless trigger.always is true"));
        }
        (false, Some(c)) if c.chars().count() > 1000 => {
            return Err(Error::invalid("trigger.condition", "must be at most 1000 characters"));
        }
        _ => {}
    }
    let conditions = conditions::validate(input.conditions)?;
    let recipients = validate_recipients(&input.recipients)?;
    let digest = input.digest.map(crate::digests::validate).transpose()?;
    if digest.is_some() && recipients.is_dynamic() {
        return Err(Error::invalid(
            "recipients.routes",
            "a digest goes to the fixed recipients: routes choose addresses call by call",
        ));
    }
    if digest.is_some() && recipients.fixed.is_empty() {
        return Err(Error::invalid("recipients.fixed", "a digest needs at least one address to go to"));
    }
    let subject = input.email.subject.trim().to_owned();
    if subject.is_empty() || subject.chars().count() > 500 {
        return Err(Error::invalid("email.subject", "must be 1 to 500 characters"));
    }
    check_template(&subject, "email.subject")?;
    let body = input.email.body;
    if body.trim().is_empty() || body.chars().count() > 20_000 {
        return Err(Error::invalid("email.body", "must be 1 to 20000 characters"));
    }
    check_template(&body, "email.body")?;
    let needs_members = matches!(input.team_alert, TeamAlertInput::Selected { .. })
        || input.task.as_ref().is_some_and(|t| t.assignee.is_some());
    let members = if needs_members { accounts::members(db, tenant).await? } else { Vec::new() };
    let is_member = |id: &Uuid| members.iter().any(|m| m.user_id == *id);
    let team_alert = match input.team_alert {
        TeamAlertInput::Mode(mode) => match mode.trim().to_ascii_lowercase().as_str() {
            "off" | "" => TeamAlert::Off,
            "all" => TeamAlert::All,
            other => {
                return Err(Error::invalid(
                    "team_alert",
                    format!("`{other}` is not off, all or {{\"selected\": [...]}}"),
                ));
            }
        },
        TeamAlertInput::Selected { selected } => {
            for (i, id) in selected.iter().enumerate() {
                if !is_member(id) {
                    return Err(Error::invalid(format!("team_alert.selected[{i}]"), "is not a member of this account"));
                }
            }
            if selected.is_empty() { TeamAlert::Off } else { TeamAlert::Selected(selected) }
        }
    };
    let task = match input.task {
        None => None,
        Some(t) => {
            let priority = Priority::parse(&t.priority).map_err(|m| Error::invalid("task.priority", m))?;
            if let Some(a) = &t.assignee
                && !is_member(a)
            {
                return Err(Error::invalid("task.assignee", "is not a member of this account"));
            }
            if let Some(h) = t.due_in_hours
                && !(1..=MAX_DUE_HOURS).contains(&h)
            {
                return Err(Error::invalid("task.due_in_hours", format!("must be 1 to {MAX_DUE_HOURS} hours")));
            }
            Some((priority, t.assignee, t.due_in_hours))
        }
    };
    Ok(Valid {
        name,
        enabled: input.enabled,
        always,
        condition: if always { None } else { condition },
        conditions,
        recipients,
        subject,
        body,
        team_alert,
        task,
        digest,
    })
}

pub(crate) fn apply(active: &mut notification::ActiveModel, valid: Valid) {
    let selected: Vec<Uuid> = match &valid.team_alert {
        TeamAlert::Selected(ids) => ids.clone(),
        _ => Vec::new(),
    };
    active.name = Set(valid.name);
    active.enabled = Set(valid.enabled);
    active.trigger_always = Set(valid.always);
    active.trigger_condition = Set(valid.condition);
    active.conditions =
        Set((!valid.conditions.is_empty()).then(|| conditions::StoredConditions(valid.conditions.clone())));
    active.recipients = Set(valid.recipients.clone());
    active.email_subject = Set(valid.subject);
    active.email_body = Set(valid.body);
    active.team_alert = Set(valid.team_alert.mode());
    active.alert_user_ids = Set(crate::columns::AlertUserIds(selected));
    active.task_priority = Set(valid.task.map(|(p, _, _)| p));
    active.task_assignee_user_id = Set(valid.task.and_then(|(_, a, _)| a));
    active.task_due_hours = Set(valid.task.and_then(|(_, _, h)| h));
    active.digest = Set(valid.digest);
    active.updated_at = Set(Utc::now());
}
