//! The ten starter templates of SPEC section 6: a gallery admins pick from to open the
//! notification editor pre-filled. Each has a specific trigger question (worded with the
//! cues the built-in analyzer recognises, so it is judged well offline too), a subject and
//! a Markdown body with the variables that matter for it, and alert and task defaults that
//! fit the situation (a complaint alerts the team and opens a High task; a booked
//! appointment only sends a confirmation email).

use crate::notifications::{
    EmailTemplateInput, NotificationInput, Recipients, TaskInput, TeamAlertInput, TriggerInput,
};

/// One starter template.
#[derive(Clone, Copy, Debug)]
pub struct Starter {
    /// Stable key used in links: `callback-requested`.
    pub key: &'static str,
    pub name: &'static str,
    /// One line for the gallery card.
    pub description: &'static str,
    /// The natural-language trigger question.
    pub trigger: &'static str,
    pub subject: &'static str,
    /// Markdown with variables.
    pub body: &'static str,
    /// `off` or `all`.
    pub team_alert: &'static str,
    /// Task priority, when the template creates a task.
    pub task: Option<&'static str>,
    /// Hours after the call the task is due.
    pub due_in_hours: Option<i32>,
}

impl Starter {
    /// The template as a notification input (no recipients yet: the admin adds them).
    pub fn to_input(&self) -> NotificationInput {
        NotificationInput {
            name: self.name.to_owned(),
            enabled: true,
            trigger: TriggerInput { always: None, condition: Some(self.trigger.to_owned()) },
            conditions: Vec::new(),
            recipients: Recipients::default(),
            email: EmailTemplateInput { subject: self.subject.to_owned(), body: self.body.to_owned() },
            team_alert: TeamAlertInput::Mode(self.team_alert.to_owned()),
            task: self.task.map(|p| TaskInput {
                priority: p.to_owned(),
                assignee: None,
                due_in_hours: self.due_in_hours,
            }),
            digest: None,
        }
    }
}

const FOOTER: &str = "\n[Open the conversation]({{ conversation_url }})\n";

macro_rules! body {
    ($($line:expr),* $(,)?) => { concat!($($line, "\n",)* "\n[Open the conversation]({{ conversation_url }})\n") };
}

/// The gallery, in SPEC order.
pub const STARTERS: &[Starter] = &[
    Starter {
        key: "callback-requested",
        name: "Callback Requested",
        description: "The caller asked to be called back: email the team and open a task to call them.",
        trigger: "Did the customer ask to be called back or contacted later?",
        subject: "Callback requested: {{ customer_name }} ({{ customer_number }})",
        body: body!(
            "**{{ customer_name }}** asked for a callback after a call with {{ agent_name }}.",
            "",
            "- Number: {{ customer_number }}",
            "- Preferred time: {{ dyn_callback_time }}",
            "- Call: {{ conversation_date }}, {{ conversation_duration }}",
            "",
            "**Summary:** {{ conversation_summary }}",
        ),
        team_alert: "all",
        task: Some("medium"),
        due_in_hours: Some(24),
    },
    Starter {
        key: "appointment-booked",
        name: "Appointment Booked",
        description: "An appointment was scheduled: send a confirmation email, nothing else.",
        trigger: "Was an appointment, visit or meeting scheduled during the call?",
        subject: "Appointment booked with {{ agent_name }}: {{ dyn_appointment_time }}",
        body: body!(
            "A new appointment was booked on {{ conversation_date }}.",
            "",
            "- Customer: {{ customer_name }} ({{ customer_number }})",
            "- When: {{ dyn_appointment_time }}",
            "- What for: {{ dyn_appointment_reason }}",
            "",
            "**Summary:** {{ conversation_summary }}",
        ),
        team_alert: "off",
        task: None,
        due_in_hours: None,
    },
    Starter {
        key: "customer-complaint",
        name: "Customer Complaint",
        description: "The caller complained: alert the team and open a High task.",
        trigger: "Did the customer make a complaint or say they are dissatisfied?",
        subject: "Complaint from {{ customer_name }} ({{ customer_number }})",
        body: body!(
            "A customer complained during a call with {{ agent_name }} on {{ conversation_date }}.",
            "",
            "- Customer: {{ customer_name }}, {{ customer_number }}",
            "- About: {{ dyn_complaint_topic }}",
            "",
            "**Summary:** {{ conversation_summary }}",
            "",
            "Please reach out within one business day.",
        ),
        team_alert: "all",
        task: Some("high"),
        due_in_hours: Some(24),
    },
    Starter {
        key: "unanswered-question",
        name: "Unanswered Question",
        description: "The agent could not answer a question: email whoever keeps the knowledge base.",
        trigger: "Did the customer ask a question the agent could not answer?",
        subject: "{{ agent_name }} could not answer a question",
        body: body!(
            "The agent could not answer a caller's question on {{ conversation_date }}.",
            "",
            "- Question: {{ dyn_unanswered_question }}",
            "- Customer: {{ customer_number }}",
            "",
            "Consider adding the answer to the agent's knowledge.",
            "",
            "**Summary:** {{ conversation_summary }}",
        ),
        team_alert: "off",
        task: Some("low"),
        due_in_hours: Some(72),
    },
    Starter {
        key: "technical-issue",
        name: "Technical Issue",
        description: "The caller reported something broken: email support and open a Medium task.",
        trigger: "Did the customer report a technical issue, error or something not working?",
        subject: "Technical issue reported by {{ customer_number }}",
        body: body!(
            "A technical issue was reported on {{ conversation_date }}.",
            "",
            "- Issue: {{ dyn_issue_description }}",
            "- Product or service: {{ dyn_product }}",
            "- Customer: {{ customer_name }}, {{ customer_number }}",
            "",
            "**Summary:** {{ conversation_summary }}",
        ),
        team_alert: "all",
        task: Some("medium"),
        due_in_hours: Some(24),
    },
    Starter {
        key: "billing-inquiry",
        name: "Billing Inquiry",
        description: "A question about a bill, charge or refund: email billing.",
        trigger: "Did the customer ask about a bill, invoice, charge or refund?",
        subject: "Billing inquiry from {{ customer_number }}",
        body: body!(
            "A caller had a billing question on {{ conversation_date }}.",
            "",
            "- Topic: {{ dyn_billing_topic }}",
            "- Amount mentioned: {{ dyn_amount }}",
            "- Customer: {{ customer_name }}, {{ customer_number }}",
            "",
            "**Summary:** {{ conversation_summary }}",
        ),
        team_alert: "off",
        task: Some("medium"),
        due_in_hours: Some(48),
    },
    Starter {
        key: "escalation-needed",
        name: "Escalation Needed",
        description: "The caller wants a manager or a human: alert everyone and open an Urgent task.",
        trigger: "Did the customer ask to speak to a manager, supervisor or a human?",
        subject: "Escalation needed: {{ customer_number }}",
        body: body!(
            "**A caller asked for a human or a manager** during a call with {{ agent_name }} on {{ conversation_date }}.",
            "",
            "- Customer: {{ customer_name }}, {{ customer_number }}",
            "- Reason: {{ dyn_escalation_reason }}",
            "",
            "**Summary:** {{ conversation_summary }}",
        ),
        team_alert: "all",
        task: Some("urgent"),
        due_in_hours: Some(4),
    },
    Starter {
        key: "order-placed",
        name: "Order Placed",
        description: "An order was confirmed on the call: email the order desk.",
        trigger: "Did the customer place an order that the agent confirmed?",
        subject: "New order from {{ customer_name }}: {{ dyn_order_items }}",
        body: body!(
            "An order was placed on {{ conversation_date }}.",
            "",
            "- Items: {{ dyn_order_items }}",
            "- Total: {{ dyn_order_total }}",
            "- Delivery or pickup: {{ dyn_delivery_details }}",
            "- Customer: {{ customer_name }}, {{ customer_number }}",
            "",
            "**Summary:** {{ conversation_summary }}",
        ),
        team_alert: "off",
        task: None,
        due_in_hours: None,
    },
    Starter {
        key: "demo-request",
        name: "Demo Request",
        description: "A prospect asked for a demo or a trial: email sales and open a High task.",
        trigger: "Did the caller ask for a demo, a trial or a product walkthrough?",
        subject: "Demo request from {{ customer_name }}",
        body: body!(
            "A prospect asked for a demo on {{ conversation_date }}.",
            "",
            "- Name: {{ customer_name }}",
            "- Company: {{ dyn_company }}",
            "- Email: {{ customer_email }}",
            "- Phone: {{ customer_number }}",
            "",
            "**Summary:** {{ conversation_summary }}",
        ),
        team_alert: "all",
        task: Some("high"),
        due_in_hours: Some(24),
    },
    Starter {
        key: "positive-feedback",
        name: "Positive Feedback",
        description: "The caller was happy or praised the service: share it with the team.",
        trigger: "Did the customer give positive feedback or praise the service?",
        subject: "Positive feedback for {{ agent_name }}",
        body: body!(
            "A caller left positive feedback on {{ conversation_date }}.",
            "",
            "- What they liked: {{ dyn_feedback }}",
            "",
            "**Summary:** {{ conversation_summary }}",
        ),
        team_alert: "all",
        task: None,
        due_in_hours: None,
    },
];

/// The starter with `key`, if any.
pub fn find(key: &str) -> Option<&'static Starter> {
    STARTERS.iter().find(|s| s.key == key)
}

/// The body of a notification started from scratch.
pub fn scratch_body() -> String {
    format!(
        "**Summary:** {{{{ conversation_summary }}}}\n\n- Date: {{{{ conversation_date }}}}\n- Duration: {{{{ conversation_duration }}}}\n- Customer: {{{{ customer_number }}}}\n{FOOTER}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::builtin::intents;
    use crate::templates::check_template;

    #[test]
    fn ten_valid_starters_each_with_a_recognised_trigger() {
        assert_eq!(STARTERS.len(), 10);
        for s in STARTERS {
            check_template(s.subject, "subject").unwrap_or_else(|e| panic!("{}: {e}", s.key));
            check_template(s.body, "body").unwrap_or_else(|e| panic!("{}: {e}", s.key));
            let question = crate::analysis::builtin::text::normalize(s.trigger);
            let intent = intents::for_question(&question).map(|i| i.name);
            let expected = match s.key {
                "callback-requested" => "callback",
                "appointment-booked" => "appointment",
                "customer-complaint" => "complaint",
                "unanswered-question" => "unanswered_question",
                "technical-issue" => "technical_issue",
                "billing-inquiry" => "billing",
                "escalation-needed" => "escalation",
                "order-placed" => "order",
                "demo-request" => "demo_request",
                _ => "positive_feedback",
            };
            assert_eq!(intent, Some(expected), "{}: its trigger is judged as another intent", s.key);
            assert!(s.body.contains("{{ conversation_url }}"), "{}", s.key);
        }
        let complaint = find("customer-complaint").map(Starter::to_input);
        assert_eq!(complaint.and_then(|c| c.task).map(|t| t.priority).as_deref(), Some("high"));
        assert_eq!(find("appointment-booked").map(|s| (s.team_alert, s.task)), Some(("off", None)));
    }
}
