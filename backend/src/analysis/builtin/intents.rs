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
    /// Fires when the agent states success about one of `nouns` (in the statement, or —
    /// for a statement naming no other subject — in what the customer asked for, said with
    /// one of `asks`), and no later failure.
    Outcome { nouns: &'static [&'static str], asks: &'static [&'static str] },
    /// Fires on cues of annoyance or aggression in the customer's turns.
    Annoyance,
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
    "bye", "goodbye", "good bye", "have a", "thank", "thank you", "thanks", "appreciate", "see you", "enjoy",
    "pleasure", "take care", "that is all", "that is it", "that s it", "that s all", "that will be all",
    "that is everything", "nothing else", "not now", "not at the moment", "welcome", "great day", "nice day",
    "good day", "good night", "cheers", "all set", "later", "glad", "no problem", "anything else",
];

/// The closing words the `Abrupt` rule looks for.
pub fn closings() -> &'static [&'static str] {
    CLOSINGS
}

/// The outcome intent the customer's request is about: the one whose request words the
/// customer's first turns use most (`None` when none or a tie).
pub fn main_request(customer_stems: &[Vec<String>]) -> Option<&'static str> {
    let mut scores: Vec<(&'static str, usize)> = INTENTS
        .iter()
        .filter_map(|i| match i.rule {
            Rule::Outcome { asks, .. } => Some((
                i.name,
                customer_stems
                    .iter()
                    .map(|stems| asks.iter().filter(|a| stems.iter().any(|s| *s == super::text::stem(a))).count())
                    .sum(),
            )),
            _ => None,
        })
        .collect();
    // Ties go to the intent listed first: an appointment is the more specific booking.
    scores.sort_by_key(|s| std::cmp::Reverse(s.1));
    scores.first().filter(|(_, n)| *n > 0).map(|(name, _)| *name)
}

/// Outcome intents that are kinds of one another share their subjects: an appointment is
/// a booking.
pub fn same_family(a: &str, b: &str) -> bool {
    fn family(n: &str) -> &str {
        if matches!(n, "booking" | "appointment") { "booking" } else { n }
    }
    family(a) == family(b)
}

/// The subject nouns of the outcome intents outside `name`'s family.
pub fn foreign_nouns(name: &str) -> Vec<&'static str> {
    INTENTS
        .iter()
        .filter(|i| !same_family(i.name, name))
        .flat_map(|i| match i.rule {
            Rule::Outcome { nouns, .. } => nouns.iter().copied(),
            _ => [].iter().copied(),
        })
        .collect()
}

/// Every intent, in priority order for ties.
pub const INTENTS: &[Intent] = &[
    Intent {
        name: "callback",
        cues: &[
            "call back", "callback", "called back", "call them back", "follow up", "followup", "contact the customer",
            "contact them", "reach out", "get back to", "later",
        ],
        label: "a callback or follow-up",
        rule: Rule::AnyEvidence,
        evidence: &[
            Evidence {
                who: Who::Customer,
                phrases: &[
                    "call me back", "call back", "callback", "give me a call", "call me later", "call me tomorrow",
                    "ring me back", "get back to me", "have someone call", "contact me",
                ],
            },
            Evidence {
                who: Who::Agent,
                phrases: &[
                    "call you back", "give you a call", "will contact you", "will get back to you", "will be in touch",
                    "will reach out", "someone will call", "will follow up", "contact you with",
                    "get in touch with you", "will call you", "will give you a call",
                ],
            },
        ],
    },
    Intent {
        name: "appointment",
        cues: &["appointment", "visit", "viewing", "meeting", "consultation", "scheduled", "schedule"],
        label: "a scheduled appointment",
        rule: Rule::Outcome {
            nouns: &[
                "appointment", "appointments", "visit", "viewing", "showing", "meeting", "consultation", "session",
                "tour", "checkup", "scheduled in", "calendar", "event",
            ],
            asks: &[
                "appointment", "visit", "viewing", "showing", "meeting", "schedule", "consultation", "checkup", "tour",
            ],
        },
        evidence: &[],
    },
    Intent {
        name: "booking",
        cues: &["booking", "book", "booked", "reservation", "reserve", "reserved", "ride", "flight", "hotel", "table"],
        label: "a confirmed booking",
        rule: Rule::Outcome {
            nouns: &[
                "reservation", "booking", "table", "room", "ride", "flight", "car", "ticket", "tickets", "appointment",
                "visit", "viewing", "stay", "rental", "seat", "seats", "hotel", "trip",
            ],
            asks: &["book", "reserve", "rent"],
        },
        evidence: &[],
    },
    Intent {
        name: "order",
        cues: &["order", "ordered", "purchase", "buy", "bought"],
        label: "a confirmed order",
        rule: Rule::Outcome {
            nouns: &[
                "order", "ordered", "drink", "drinks", "coffee", "latte", "tea", "purchase", "item", "items", "food",
            ],
            asks: &[
                "order", "drink", "coffee", "latte", "cappuccino", "tea", "mocha", "espresso", "americano",
                "macchiato", "frappuccino", "buy", "purchas",
            ],
        },
        evidence: &[],
    },
    Intent {
        name: "payment",
        cues: &["money transfer", "transfer", "payment", "pay", "paid", "transaction"],
        label: "a completed payment or transfer",
        rule: Rule::Outcome {
            nouns: &["transfer", "transferred", "payment", "paid", "money", "transaction", "funds", "dollars"],
            asks: &["transfer", "send", "pay", "payment", "money", "move"],
        },
        evidence: &[],
    },
    Intent {
        name: "fraud",
        cues: &["fraud", "unauthorized", "unauthorised", "stolen", "scam", "suspicious"],
        label: "a fraud report",
        rule: Rule::AnyEvidence,
        evidence: &[
            Evidence {
                who: Who::Customer,
                phrases: &[
                    "fraud", "fraudulent", "unauthorized", "unauthorised", "stolen", "stole", "criminal", "scam",
                    "scammed", "suspicious", "did not make", "did not authorize", "not authorized", "someone used my",
                    "someone used", "somebody used", "identity theft", "hacked", "i did not buy", "i never made",
                    "do not recognize", "did not recognize", "report a fraud", "someone took", "somebody took",
                    "someone withdrew", "somebody withdrew", "someone has transferred", "someone transferred",
                    "someone has taken", "somebody has taken", "someone charged", "were not from me",
                    "was not from me", "was not me", "were not me", "not from me", "not mine", "who did it",
                    "going on with my account", "money is missing", "missing from my account", "taken from my account",
                    "taken out of my account",
                ],
            },
            Evidence {
                who: Who::Agent,
                phrases: &[
                    "fraud report", "report the fraud", "fraudulent", "unauthorized transaction", "unauthorized charge",
                ],
            },
        ],
    },
    Intent {
        name: "verification_failed",
        cues: &["verify", "verification", "verified", "identity", "authenticate", "authentication"],
        label: "a failed identity verification",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence {
            who: Who::Agent,
            phrases: &[
                "unable to verify", "could not verify", "can not verify", "not able to verify", "failed verification",
                "verification failed", "can not authenticate", "could not authenticate", "unable to authenticate",
                "not able to authenticate", "can not identify", "could not identify", "does not match", "do not match",
                "did not match", "is incorrect", "was incorrect", "that is not correct",
                "can not confirm your identity", "could not confirm your identity", "unable to confirm your identity",
                "not verified", "could not be verified", "can not be verified",
            ],
        }],
    },
    Intent {
        name: "complaint",
        cues: &["complaint", "complain", "complained", "dissatisfied", "unhappy", "unsatisfied"],
        label: "a complaint",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence {
            who: Who::Customer,
            phrases: &[
                "complaint", "complain", "unacceptable", "terrible", "horrible", "awful", "worst", "disappointed",
                "disappointing", "frustrated", "frustrating", "not happy", "unhappy", "ridiculous", "poor service",
                "bad service", "rude", "waste of time", "fed up",
            ],
        }],
    },
    Intent {
        name: "annoyed",
        cues: &["annoyed", "aggressive", "angry", "upset", "irritated", "hostile", "rude", "frustrated", "impatient"],
        label: "an annoyed or aggressive customer",
        rule: Rule::Annoyance,
        evidence: &[],
    },
    Intent {
        name: "unanswered_question",
        cues: &[
            "unanswered", "could not answer", "can not answer", "not answer", "did not know", "not know the answer",
            "unable to answer",
        ],
        label: "a question the agent could not answer",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence {
            who: Who::Agent,
            phrases: &[
                "i do not know", "i am not sure", "not sure about", "i can not answer", "i could not answer",
                "do not have that information", "do not have information", "do not have any information",
                "no information", "unable to answer", "can not help with that", "can not help you with that",
                "not able to answer", "i will have to check", "i need to check with",
            ],
        }],
    },
    Intent {
        name: "technical_issue",
        cues: &["technical", "bug", "error", "outage", "not working", "broken", "malfunction", "crash", "login"],
        label: "a technical issue",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence {
            who: Who::Customer,
            phrases: &[
                "not working", "does not work", "did not work", "stopped working", "broken", "error", "crash",
                "crashes", "crashed", "bug", "glitch", "can not log in", "can not login", "can not access",
                "will not load", "does not load", "outage", "is down", "not connecting", "freezes", "technical issue",
                "technical problem",
            ],
        }],
    },
    Intent {
        name: "billing",
        cues: &["billing", "bill", "invoice", "charge", "charged", "refund", "balance", "subscription", "fee"],
        label: "a billing question",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence {
            who: Who::Anyone,
            phrases: &[
                "bill", "billing", "billed", "invoice", "charge", "charged", "charges", "refund", "balance",
                "subscription", "fee", "fees", "overcharged", "statement", "payment due", "pay my", "credit card",
            ],
        }],
    },
    Intent {
        name: "escalation",
        cues: &["escalation", "escalate", "escalated", "manager", "supervisor", "human", "transfer to", "real person"],
        label: "a request to escalate",
        rule: Rule::AnyEvidence,
        evidence: &[
            Evidence {
                who: Who::Customer,
                phrases: &[
                    "manager", "supervisor", "escalate", "real person", "human", "speak to someone", "talk to someone",
                    "someone else", "transfer me", "your boss",
                ],
            },
            Evidence {
                who: Who::Agent,
                phrases: &[
                    "escalate", "escalated", "my manager", "a supervisor", "transfer you", "transferring you",
                    "manager has been notified", "let my manager know",
                ],
            },
        ],
    },
    Intent {
        name: "demo_request",
        cues: &["demo", "demonstration", "trial", "product tour", "walkthrough"],
        label: "a demo request",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence {
            who: Who::Customer,
            phrases: &[
                "demo", "demonstration", "trial", "see the product", "product tour", "walk me through", "show me how",
                "walkthrough",
            ],
        }],
    },
    Intent {
        name: "positive_feedback",
        cues: &["positive", "feedback", "praise", "compliment", "satisfied", "happy", "pleased"],
        label: "positive feedback",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence {
            who: Who::Customer,
            phrases: &[
                "thank you so much", "thanks so much", "thank you very much", "great job", "great service",
                "excellent", "amazing", "wonderful", "fantastic", "awesome", "very helpful", "so helpful",
                "really helpful", "appreciate it", "really appreciate", "love it", "you are the best", "perfect",
                "brilliant",
            ],
        }],
    },
    Intent {
        name: "request_unfulfilled",
        cues: &[
            "without", "not fulfilled", "unfulfilled", "unresolved", "not resolved", "not met", "failed", "fail to",
            "was not able", "could not", "main request",
        ],
        label: "an unfulfilled request",
        rule: Rule::Unfulfilled,
        evidence: &[],
    },
    Intent {
        name: "call_incomplete",
        cues: &[
            "abrupt", "abruptly", "disconnect", "disconnected", "cut off", "dropped", "hung up", "ended early",
            "before the conversation was finished", "incomplete",
        ],
        label: "an abrupt end",
        rule: Rule::Abrupt,
        evidence: &[],
    },
];

/// The intent a question is about: the one with the most cue matches (at least one).
pub fn for_question(normalized_question: &str) -> Option<&'static Intent> {
    let mut best: Option<(&Intent, usize)> = None;
    for intent in INTENTS {
        let score = intent.cues.iter().filter(|cue| normalized_question.contains(&format!(" {cue} "))).count();
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
        assert_eq!(
            intent("Did the call end abruptly before the conversation was finished (disconnect)?"),
            "call_incomplete"
        );
    }
}
