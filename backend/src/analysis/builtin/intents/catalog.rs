//! The intents the built-in analyzer recognises in trigger questions, each with the cues that
//! show it in a transcript: read from the vocabulary file (`data/triggers.toml`, see
//! [`crate::analysis::builtin::vocabulary`]).

use std::sync::LazyLock;

use super::Intent;

/// Every intent, in priority order for ties.
pub static INTENTS: LazyLock<&'static [Intent]> =
    LazyLock::new(|| crate::analysis::builtin::vocabulary::VOCABULARY.intents);
