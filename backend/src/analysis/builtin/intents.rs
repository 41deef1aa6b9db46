//! The intents the built-in analyzer recognises in trigger questions, and the transcript
//! evidence for each. Intents cover the ten starter templates (SPEC section 6) and the
//! common outcome questions of post-call work (bookings, orders, payments, fraud,
//! verification, annoyance, unfulfilled requests, dropped calls).

/// Who must have said an evidence phrase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    Agent,
    Customer,
    Anyone,
}

/// Phrases (normalised: lower case, words separated by single spaces) said by `who`.
#[derive(Debug)]
pub struct Evidence {
    pub who: Who,
    pub phrases: &'static [&'static str],
}

/// How an intent's verdict is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Fires when any evidence phrase occurs, not negated.
    AnyEvidence,
    /// Fires when the agent's last outcome statement is a failure, or the customer's request
    /// was never met with a success statement.
    Unfulfilled,
    /// Fires when the call ended abruptly: no closing words in the last turns.
    Abrupt,
}

/// One recognisable intent.
#[derive(Debug)]
pub struct Intent {
    /// Stable name, e.g. `callback`.
    pub name: &'static str,
    /// Phrases in a question that point at this intent; more matches win.
    pub cues: &'static [&'static str],
    /// What was found, for reasons: "a callback request".
    pub label: &'static str,
    pub rule: Rule,
    pub evidence: &'static [Evidence],
}

const CLOSINGS: &[&str] = &[
    "bye", "goodbye", "good bye", "have a nice day", "have a good day", "have a great day",
    "thank you", "thanks", "that is all", "that is everything", "nothing else", "take care",
];

/// The closing words the `Abrupt` rule looks for.
pub fn closings() -> &'static [&'static str] {
    CLOSINGS
}

/// Agent phrases that report success, for the `Unfulfilled` rule.
pub const SUCCESS: &[&str] = &[
    "successfully", "is confirmed", "has been confirmed", "is booked", "has been booked",
    "is scheduled", "has been scheduled", "is reserved", "has been reserved", "have booked",
    "have scheduled", "have reserved", "has been placed", "has been made", "has been sent",
    "has been processed", "is complete", "has been completed", "all set", "you are set",
    "i have made", "is on its way", "has been transferred", "your reservation", "your booking",
];

/// Agent phrases that report failure, for the `Unfulfilled` rule.
pub const FAILURE: &[&str] = &[
    "unable to", "can not", "could not", "not able to", "not available", "no availability",
    "unavailable", "fully booked", "sold out", "failed", "did not go through", "was declined",
    "no results", "could not find", "can not find", "not possible", "we do not have",
    "there are no", "there is no", "i am sorry but", "sorry but", "unfortunately",
];

/// Every intent, in priority order for ties.
pub const INTENTS: &[Intent] = &[
    Intent {
        name: "callback",
        cues: &["call back", "callback", "called back", "call them back", "follow up", "followup", "contact the customer", "contact them", "reach out", "get back to", "later"],
        label: "a callback or follow-up",
        rule: Rule::AnyEvidence,
        evidence: &[
            Evidence { who: Who::Customer, phrases: &["call me back", "call back", "callback", "give me a call", "call me later", "call me tomorrow", "ring me back", "get back to me", "have someone call", "contact me"] },
            Evidence { who: Who::Agent, phrases: &["call you back", "give you a call", "will contact you", "will get back to you", "will be in touch", "will reach out", "someone will call", "will follow up", "contact you with", "get in touch with you", "will call you", "will give you a call"] },
        ],
    },
    Intent {
        name: "appointment",
        cues: &["appointment", "visit", "viewing", "meeting", "consultation", "scheduled", "schedule"],
        label: "a scheduled appointment",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence { who: Who::Agent, phrases: &[
            "appointment is confirmed", "appointment has been", "your appointment is", "your appointment has", "booked your appointment", "scheduled your appointment", "scheduled your", "have scheduled", "has been scheduled", "is scheduled", "visit is scheduled", "viewing is scheduled", "booked the appointment", "appointment is booked", "meeting is scheduled", "i have booked", "successfully booked", "successfully scheduled", "i scheduled", "i have added", "event has been added", "has been added to your calendar",
        ] }],
    },
    Intent {
        name: "booking",
        cues: &["booking", "book", "booked", "reservation", "reserve", "reserved", "ride", "flight", "hotel", "table"],
        label: "a confirmed booking",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence { who: Who::Agent, phrases: &[
            "is confirmed", "has been confirmed", "booking is confirmed", "reservation is confirmed", "is booked", "has been booked", "have booked", "i booked", "successfully booked", "successfully reserved", "is reserved", "has been reserved", "have reserved", "reservation has been made", "your reservation", "your booking", "your ride is", "ride has been booked", "your table", "is scheduled", "has been scheduled", "successfully scheduled", "your appointment is", "appointment has been",
        ] }],
    },
    Intent {
        name: "order",
        cues: &["order", "ordered", "purchase", "buy", "bought"],
        label: "a confirmed order",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence { who: Who::Agent, phrases: &[
            "order has been placed", "order is placed", "placed your order", "placed the order", "your order is", "order is confirmed", "order has been confirmed", "order is ready", "order will be ready", "order total", "order number", "your total is", "your total comes", "will be ready", "i have placed", "order has been submitted", "order is in",
        ] }],
    },
    Intent {
        name: "payment",
        cues: &["money transfer", "transfer", "payment", "pay", "paid", "transaction"],
        label: "a completed payment or transfer",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence { who: Who::Agent, phrases: &[
            "transfer is complete", "transfer has been", "transfer was successful", "successfully transferred", "has been transferred", "have transferred", "i transferred", "payment has been", "payment is complete", "payment was successful", "payment went through", "successfully paid", "has been paid", "have sent", "has been sent", "money has been", "funds have been", "transaction is complete", "transaction was successful", "i have made the transfer", "i made the transfer", "is on its way",
        ] }],
    },
    Intent {
        name: "fraud",
        cues: &["fraud", "unauthorized", "unauthorised", "stolen", "scam", "suspicious"],
        label: "a fraud report",
        rule: Rule::AnyEvidence,
        evidence: &[
            Evidence { who: Who::Customer, phrases: &[
                "fraud", "fraudulent", "unauthorized", "unauthorised", "stolen", "stole", "criminal", "scam", "scammed", "suspicious", "did not make", "did not authorize", "not authorized", "someone used my", "identity theft", "hacked", "i did not buy", "i never made", "do not recognize", "did not recognize", "report a fraud",
            ] },
            Evidence { who: Who::Agent, phrases: &["fraud report", "report the fraud", "fraudulent", "unauthorized transaction", "unauthorized charge"] },
        ],
    },
    Intent {
        name: "verification_failed",
        cues: &["verify", "verification", "verified", "identity", "authenticate", "authentication"],
        label: "a failed identity verification",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence { who: Who::Agent, phrases: &[
            "unable to verify", "could not verify", "can not verify", "not able to verify", "failed verification", "verification failed", "does not match", "do not match", "did not match", "is incorrect", "was incorrect", "that is not correct", "can not confirm your identity", "could not confirm your identity", "unable to confirm your identity", "not verified", "could not be verified", "can not be verified",
        ] }],
    },
    Intent {
        name: "complaint",
        cues: &["complaint", "complain", "complained", "dissatisfied", "unhappy", "unsatisfied"],
        label: "a complaint",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence { who: Who::Customer, phrases: &[
            "complaint", "complain", "unacceptable", "terrible", "horrible", "awful", "worst", "disappointed", "disappointing", "frustrated", "frustrating", "not happy", "unhappy", "ridiculous", "poor service", "bad service", "rude", "waste of time", "fed up",
        ] }],
    },
    Intent {
        name: "annoyed",
        cues: &["annoyed", "aggressive", "angry", "upset", "irritated", "hostile", "rude", "frustrated"],
        label: "an annoyed or aggressive customer",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence { who: Who::Customer, phrases: &[
            "annoyed", "annoying", "angry", "upset", "frustrated", "frustrating", "ridiculous", "stupid", "useless", "idiot", "hurry up", "come on", "are you kidding", "seriously", "what is wrong with you", "unacceptable", "terrible", "waste of time", "fed up", "i already told you", "i told you", "listen to me", "damn", "hell",
        ] }],
    },
    Intent {
        name: "unanswered_question",
        cues: &["unanswered", "could not answer", "can not answer", "not answer", "did not know", "not know the answer", "unable to answer"],
        label: "a question the agent could not answer",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence { who: Who::Agent, phrases: &[
            "i do not know", "i am not sure", "not sure about", "i can not answer", "i could not answer", "do not have that information", "do not have information", "do not have any information", "no information", "unable to answer", "can not help with that", "can not help you with that", "not able to answer", "i will have to check", "i need to check with",
        ] }],
    },
    Intent {
        name: "technical_issue",
        cues: &["technical", "bug", "error", "outage", "not working", "broken", "malfunction", "crash", "login"],
        label: "a technical issue",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence { who: Who::Customer, phrases: &[
            "not working", "does not work", "did not work", "stopped working", "broken", "error", "crash", "crashes", "crashed", "bug", "glitch", "can not log in", "can not login", "can not access", "will not load", "does not load", "outage", "is down", "not connecting", "freezes", "technical issue", "technical problem",
        ] }],
    },
    Intent {
        name: "billing",
        cues: &["billing", "bill", "invoice", "charge", "charged", "refund", "balance", "subscription", "fee"],
        label: "a billing question",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence { who: Who::Anyone, phrases: &[
            "bill", "billing", "billed", "invoice", "charge", "charged", "charges", "refund", "balance", "subscription", "fee", "fees", "overcharged", "statement", "payment due", "pay my", "credit card",
        ] }],
    },
    Intent {
        name: "escalation",
        cues: &["escalation", "escalate", "escalated", "manager", "supervisor", "human", "transfer to", "real person"],
        label: "a request to escalate",
        rule: Rule::AnyEvidence,
        evidence: &[
            Evidence { who: Who::Customer, phrases: &["manager", "supervisor", "escalate", "real person", "human", "speak to someone", "talk to someone", "someone else", "transfer me", "your boss"] },
            Evidence { who: Who::Agent, phrases: &["escalate", "escalated", "my manager", "a supervisor", "transfer you", "transferring you", "manager has been notified", "let my manager know"] },
        ],
    },
    Intent {
        name: "demo_request",
        cues: &["demo", "demonstration", "trial", "product tour", "walkthrough"],
        label: "a demo request",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence { who: Who::Customer, phrases: &["demo", "demonstration", "trial", "see the product", "product tour", "walk me through", "show me how", "walkthrough"] }],
    },
    Intent {
        name: "positive_feedback",
        cues: &["positive", "feedback", "praise", "compliment", "satisfied", "happy", "pleased"],
        label: "positive feedback",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence { who: Who::Customer, phrases: &[
            "thank you so much", "thanks so much", "thank you very much", "great job", "great service", "excellent", "amazing", "wonderful", "fantastic", "awesome", "very helpful", "so helpful", "really helpful", "appreciate it", "really appreciate", "love it", "you are the best", "perfect", "brilliant",
        ] }],
    },
    Intent {
        name: "request_unfulfilled",
        cues: &["without", "not fulfilled", "unfulfilled", "unresolved", "not resolved", "not met", "failed", "fail to", "was not able", "could not", "main request"],
        label: "an unfulfilled request",
        rule: Rule::Unfulfilled,
        evidence: &[],
    },
    Intent {
        name: "call_incomplete",
        cues: &["abrupt", "abruptly", "disconnect", "disconnected", "cut off", "dropped", "hung up", "ended early", "before the conversation was finished", "incomplete"],
        label: "an abrupt end",
        rule: Rule::Abrupt,
        evidence: &[],
    },
];

/// The intent a question is about: the one with the most cue matches (at least one).
pub fn for_question(normalized_question: &str) -> Option<&'static Intent> {
    let mut best: Option<(&Intent, usize)> = None;
    for intent in INTENTS {
        let score = intent
            .cues
            .iter()
            .filter(|cue| normalized_question.contains(&format!(" {cue} ")))
            .count();
        if score > 0 && best.is_none_or(|(_, s)| score > s) {
            best = Some((intent, score));
        }
    }
    best.map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::builtin::text::normalize;

    fn intent(q: &str) -> &'static str {
        for_question(&normalize(q)).map(|i| i.name).unwrap_or("none")
    }

    #[test]
    fn starter_template_questions_find_their_intent() {
        assert_eq!(intent("Did the customer ask to be called back?"), "callback");
        assert_eq!(intent("Was an appointment booked?"), "appointment");
        assert_eq!(intent("Did the customer complain?"), "complaint");
        assert_eq!(intent("Did the customer place an order that the agent confirmed?"), "order");
        assert_eq!(intent("Did the customer ask for a demo?"), "demo_request");
        assert_eq!(intent("Did the customer report fraud or an unauthorized transaction?"), "fraud");
        assert_eq!(intent("Did the call end abruptly before the conversation was finished (disconnect)?"), "call_incomplete");
    }
}
