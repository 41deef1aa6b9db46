//! The intents the built-in analyzer recognises in trigger questions, each with the cues that show it in a transcript.

#[allow(unused_imports)]
use super::*;

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
                    "call you back", "will contact you", "will get back to you", "will be in touch", "will reach out",
                    "someone will call", "will follow up", "contact you with", "get in touch with you",
                    "will call you",
                ],
            },
        ],
        cues_name_subject: false,
    },
    Intent {
        name: "appointment",
        cues: &["appointment", "visit", "viewing", "meeting", "consultation", "scheduled", "schedule"],
        label: "a scheduled appointment",
        rule: Rule::Outcome {
            nouns: &[
                "appointment", "appointments", "visit", "viewing", "showing", "meeting", "consultation", "tour",
                "checkup", "calendar", "event",
            ],
            asks: &[
                "appointment", "visit", "viewing", "showing", "meeting", "schedule", "consultation", "checkup", "tour",
            ],
        },
        evidence: &[],
        cues_name_subject: false,
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
        cues_name_subject: false,
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
                "macchiato", "buy", "purchas",
            ],
        },
        evidence: &[],
        cues_name_subject: false,
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
        cues_name_subject: false,
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
                    "fraud", "fraudulent", "unauthorized", "unauthorised", "stolen", "stole", "scam", "scammed",
                    "suspicious", "did not make", "did not authorize", "not authorized", "somebody used",
                    "identity theft", "hacked", "i did not buy", "i never made", "do not recognize",
                    "did not recognize", "report a fraud", "someone took", "somebody took", "someone withdrew",
                    "somebody withdrew", "someone has transferred", "someone transferred", "someone has taken",
                    "somebody has taken", "someone charged", "was not from me", "was not me", "were not me",
                    "not mine", "money is missing", "missing from my account", "taken from my account",
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
        cues_name_subject: true,
    },
    Intent {
        name: "verification_failed",
        cues: &["verify", "verification", "verified", "identity", "authenticate", "authentication"],
        label: "a failed identity verification",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence {
            who: Who::Agent,
            phrases: &[
                "unable to verify", "could not verify", "not able to verify", "failed verification",
                "verification failed", "can not authenticate", "could not authenticate", "unable to authenticate",
                "not able to authenticate", "can not identify", "could not identify", "does not match", "do not match",
                "did not match", "is incorrect", "was incorrect", "that is not correct",
                "can not confirm your identity", "could not confirm your identity", "unable to confirm your identity",
                "not verified", "could not be verified", "can not be verified",
            ],
        }],
        cues_name_subject: false,
    },
    Intent {
        name: "complaint",
        cues: &["complaint", "complain", "complained", "dissatisfied", "unhappy", "unsatisfied"],
        label: "a complaint",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence {
            who: Who::Customer,
            phrases: &[
                "complain", "unacceptable", "horrible", "worst", "frustrated", "frustrating", "not happy", "unhappy",
                "ridiculous", "poor service", "bad service", "waste of time", "fed up",
            ],
        }],
        cues_name_subject: true,
    },
    Intent {
        name: "annoyed",
        cues: &["annoyed", "aggressive", "angry", "upset", "irritated", "hostile", "rude", "frustrated", "impatient"],
        label: "an annoyed or aggressive customer",
        rule: Rule::Annoyance,
        evidence: &[],
        cues_name_subject: false,
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
                "i do not know", "i am not sure", "not sure about", "i could not answer",
                "do not have that information", "do not have information", "do not have any information",
                "no information", "unable to answer", "can not help with that", "can not help you with that",
                "not able to answer", "i will have to check", "i need to check with",
            ],
        }],
        cues_name_subject: false,
    },
    Intent {
        name: "technical_issue",
        cues: &["technical", "bug", "error", "outage", "not working", "broken", "malfunction", "crash", "login"],
        label: "a technical issue",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence {
            who: Who::Customer,
            phrases: &[
                "not working", "stopped working", "broken", "error", "crash", "crashes", "crashed", "bug", "glitch",
                "can not log in", "can not login", "can not access", "will not load", "does not load", "outage",
                "is down", "not connecting", "freezes", "technical issue", "technical problem",
            ],
        }],
        cues_name_subject: true,
    },
    Intent {
        name: "billing",
        cues: &["billing", "bill", "invoice", "charge", "charged", "refund", "balance", "subscription", "fee"],
        label: "a billing question",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence {
            who: Who::Anyone,
            phrases: &[
                "bill", "billing", "billed", "invoice", "charge", "charged", "charges", "balance", "subscription",
                "fee", "fees", "overcharged", "statement", "payment due", "pay my", "credit card",
            ],
        }],
        cues_name_subject: true,
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
                    "supervisor", "real person", "human", "speak to someone", "talk to someone", "someone else",
                    "transfer me", "your boss",
                ],
            },
            Evidence {
                who: Who::Agent,
                phrases: &["a supervisor", "transfer you", "transferring you", "manager has been notified"],
            },
        ],
        cues_name_subject: true,
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
        cues_name_subject: true,
    },
    Intent {
        name: "positive_feedback",
        cues: &["positive", "feedback", "praise", "compliment", "satisfied", "happy", "pleased"],
        label: "positive feedback",
        rule: Rule::AnyEvidence,
        evidence: &[Evidence {
            who: Who::Customer,
            phrases: &[
                "thank you so much", "thanks so much", "thank you very much", "great service", "excellent", "amazing",
                "wonderful", "fantastic", "awesome", "very helpful", "so helpful", "really helpful", "appreciate it",
                "really appreciate", "perfect", "brilliant",
            ],
        }],
        cues_name_subject: false,
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
        cues_name_subject: false,
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
        cues_name_subject: false,
    },
];
