//! General vocabulary of customer-service calls: the words that point at a concept
//! ("reserve" ← book, booking, reservation, table). The built-in analyzer uses it to match
//! enum options that name concepts (call reasons, departments) against what was said.
//! Entries are stems as produced by [`super::text::stem`].

use super::text::stem;

/// `(concept, related stems)`. A concept is a stem of a word that appears in option
/// names; related stems are words a caller or agent says about it.
const RELATED: &[(&str, &[&str])] = &[
    // Actions
    ("reserve", &["reserv", "book", "table", "hold"]),
    ("book", &["book", "reserv", "schedul", "appointment", "hold"]),
    ("schedul", &["schedul", "book", "appointment", "set", "arrang", "plan", "meet"]),
    ("find", &["find", "search", "look", "recommend", "suggest", "availabl", "option", "any", "show", "list"]),
    ("search", &["search", "find", "look", "availabl", "option"]),
    ("get", &["get", "find", "look", "check", "availabl", "show", "what", "which"]),
    ("check", &["check", "what", "how", "balanc", "status", "know", "see"]),
    ("transfer", &["transfer", "send", "mov", "wire"]),
    ("pay", &["pay", "payment", "bill", "send", "owe"]),
    ("payment", &["pay", "payment", "bill", "send"]),
    ("request", &["request", "ask", "owe", "back", "collect", "remind"]),
    ("make", &["make", "pay", "send", "creat"]),
    ("buy", &["buy", "purchas", "ticket", "get"]),
    ("add", &["add", "put", "creat", "calendar", "event", "remind", "schedul"]),
    ("order", &["order", "get", "want", "like", "buy", "drink", "coffee", "latte", "tea"]),
    ("rsvp", &["rsvp", "attend", "come", "com", "invit", "guest", "go"]),
    ("plan", &["plan", "organiz", "host", "throw"]),
    ("follow", &["follow", "followup", "again", "check", "result", "after"]),
    ("followup", &["follow", "followup", "again", "check", "result", "after", "previous", "last"]),
    ("chang", &["chang", "modif", "updat", "switch", "differ", "instead", "mov"]),
    ("status", &["status", "where", "when", "long", "arriv", "eta", "late", "wait"]),
    ("report", &["report", "tell", "inform", "notic"]),
    ("reset", &["reset", "forgot", "forget", "chang", "new", "lock"]),
    ("replac", &["replac", "new", "lost", "stolen", "damag", "broken"]),
    ("updat", &["updat", "chang", "new", "mov"]),
    ("visit", &["visit", "view", "see", "tour", "schedul"]),
    ("rent", &["rent", "hire", "lease"]),
    // Things
    ("restaurant", &["restaurant", "table", "dinner", "lunch", "brunch", "eat", "food", "cuisin", "dine"]),
    ("hotel", &["hotel", "room", "stay", "night", "inn", "resort", "lodg", "check"]),
    ("car", &["car", "vehicl", "suv", "sedan", "hatchback", "rental", "drive"]),
    (
        "appointment",
        &["appointment", "doctor", "dentist", "salon", "stylist", "therapist", "haircut", "visit", "checkup"],
    ),
    (
        "provider",
        &[
            "doctor", "dentist", "salon", "stylist", "therapist", "psychiatrist", "physician", "provider", "practic",
            "clinic",
        ],
    ),
    (
        "doctor",
        &["doctor", "dr", "physician", "appointment", "symptom", "sick", "pain", "headach", "fever", "vaccin", "medic"],
    ),
    ("apartment", &["apartment", "flat", "hous", "home", "rent", "bedroom", "bath", "propert", "unit"]),
    ("event", &["event", "concert", "game", "show", "match", "festival", "play", "ticket"]),
    ("ticket", &["ticket", "seat", "concert", "show", "game", "event"]),
    ("bank", &["bank", "account", "card", "money", "balanc", "transfer", "deposit", "withdraw", "check", "saving"]),
    ("balanc", &["balanc", "how much", "left", "availabl", "fund"]),
    (
        "fraud",
        &[
            "fraud", "stolen", "stole", "unauthoriz", "criminal", "theft", "scam", "suspicious", "lost", "withdrew",
            "withdraw", "took", "taken", "someone", "somebody", "missing", "charg",
        ],
    ),
    ("ride", &["ride", "taxi", "cab", "uber", "lyft", "driver", "pick", "pickup"]),
    ("plane", &["plane", "flight", "fly", "airlin", "airport", "seat"]),
    ("flight", &["flight", "fly", "plane", "airlin", "airport"]),
    ("meet", &["meet", "meeting", "schedul", "calendar", "call", "sync"]),
    ("meeting", &["meet", "meeting", "schedul", "calendar", "sync"]),
    ("party", &["party", "venu", "celebrat", "birthday", "guest", "rsvp"]),
    (
        "drink",
        &[
            "drink", "coffee", "latte", "tea", "cappuccino", "mocha", "espresso", "macchiato", "americano",
            "frappuccino",
        ],
    ),
    ("menu", &["menu", "what", "have", "offer", "option", "recommend", "price", "cost"]),
    ("question", &["question", "ask", "wonder", "what", "how", "know"]),
    ("servic", &["servic", "need", "bring", "send", "request", "towel", "clean", "fix", "broken"]),
    ("hour", &["hour", "open", "clos", "time"]),
    ("branch", &["branch", "locat", "office"]),
    ("password", &["password", "login", "log", "sign", "lock"]),
    ("address", &["address", "mov", "live", "street"]),
    ("card", &["card", "debit", "credit"]),
    ("money", &["money", "dollar", "fund", "cash", "transfer", "send"]),
    ("refund", &["refund", "money", "back", "return"]),
    ("return", &["return", "send", "back", "refund", "exchang"]),
    ("product", &["product", "item", "order"]),
    ("defect", &["defect", "broken", "wrong", "damag", "size", "return"]),
    ("size", &["size", "fit", "small", "larg", "big"]),
];

/// Department-like concepts: what a department handles.
const DEPARTMENTS: &[(&str, &[&str])] = &[
    (
        "appointment",
        &[
            "appointment", "doctor", "dentist", "salon", "stylist", "therapist", "haircut", "checkup", "provider",
            "physician",
        ],
    ),
    ("bank", &["bank", "account", "balanc", "transfer", "deposit", "saving", "card", "fraud", "pin", "withdraw"]),
    ("billing", &["bill", "pay", "payment", "invoic", "charg", "owe", "request"]),
    ("payment", &["pay", "payment", "send", "request", "owe"]),
    ("car", &["car", "vehicl", "suv", "sedan", "hatchback", "pickup", "drop"]),
    ("rental", &["rental", "rent", "hire"]),
    ("real", &["apartment", "hous", "home", "propert", "rent", "bedroom", "visit", "view"]),
    ("estat", &["apartment", "hous", "home", "propert", "rent", "bedroom", "visit", "view"]),
    ("reserv", &["reserv", "table", "restaurant", "dinner", "lunch", "book", "hotel"]),
    ("schedul", &["meet", "meeting", "calendar", "event", "schedul", "remind"]),
    ("ticket", &["ticket", "concert", "show", "game", "event", "seat"]),
    ("event", &["event", "party", "venu", "rsvp", "concert", "celebrat"]),
    ("healthcar", &["doctor", "appointment", "symptom", "sick", "pain", "vaccin", "medic", "health", "dr"]),
    ("hospit", &["hotel", "room", "stay", "towel", "inn", "check", "night"]),
    ("transport", &["ride", "taxi", "cab", "uber", "lyft", "driver", "bus", "train", "pick"]),
    ("travel", &["flight", "fly", "plane", "trip", "airlin", "airport", "travel"]),
    ("media", &["movi", "film", "music", "song", "watch", "play"]),
    ("messag", &["messag", "text", "email"]),
    ("inform", &["weather", "inform", "hour", "open"]),
    ("food", &["coffee", "drink", "latte", "tea", "food", "order", "menu"]),
    ("beverag", &["coffee", "drink", "latte", "tea", "order"]),
];

/// Whether an option word's stem names concept `concept` ("hospitality" names "hospit").
fn names(key: &str, concept: &str) -> bool {
    let c = stem(concept);
    key == c || (c.len() >= 4 && key.len() > c.len() && key.starts_with(&c))
}

/// Words related to the concept `word` (compared by stem; the words are to be stemmed too).
pub fn related(word: &str) -> Vec<&'static str> {
    let key = stem(word);
    RELATED
        .iter()
        .chain(DEPARTMENTS.iter())
        .filter(|(c, _)| names(&key, c))
        .flat_map(|(_, words)| words.iter().copied())
        .collect()
}

/// Whether `word` names a department-like concept (its vocabulary is what it handles).
pub fn department(word: &str) -> Option<&'static [&'static str]> {
    let key = stem(word);
    DEPARTMENTS.iter().find(|(c, _)| names(&key, c)).map(|(_, w)| *w)
}

/// Stems of verbs that perform a transaction (as opposed to looking something up): a
/// call's main goal is the transaction when one was asked for.
pub const TRANSACTIONAL: &[&str] = &[
    "reserv", "book", "schedul", "transfer", "pay", "payment", "make", "buy", "add", "order", "rent", "request",
    "rsvp", "plan", "reset", "replac", "updat", "chang", "report", "visit",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concepts_have_their_vocabulary() {
        assert!(related("reserve").contains(&"book"));
        assert!(related("fraud").contains(&"stolen"));
        assert!(department("hospit").is_some_and(|w| w.contains(&"hotel")));
        assert!(related("nothing").is_empty());
    }
}
