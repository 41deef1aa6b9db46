//! Each platform's own end reasons mapped onto Aftercall's closed set ([`EndReason`]); the
//! platform's value is always kept as sent (`end_reason_raw`). A value no rule covers is
//! `unknown`, so a platform adding values never breaks intake.
//!
//! | Ours | Retell `disconnection_reason` | Vapi `endedReason` | ElevenLabs `termination_reason` (text) |
//! |---|---|---|---|
//! | `customer_hangup` | `user_hangup` | `customer-ended-call` | mentions the remote party, the client or user disconnecting or ending |
//! | `agent_hangup` | `agent_hangup` | `assistant-ended-call`, `assistant-said-end-call-phrase`, `assistant-ended-call-*` | mentions the `end_call` tool or the agent ending |
//! | `blind_transfer` | `call_transfer` | `assistant-forwarded-call` | mentions a transfer |
//! | `voicemail` | `voicemail_reached`, `ivr_reached` (a machine answered) | `voicemail` | mentions voicemail |
//! | `no_answer` | `dial_no_answer`, `user_declined` | `customer-did-not-answer` | — |
//! | `busy` | `dial_busy` | `customer-busy` | — |
//! | `max_duration` | `max_duration_reached` | `exceeded-max-duration` | mentions the maximum duration |
//! | `inactivity` | `inactivity` | `silence-timed-out` | mentions silence or inactivity |
//! | `error` | `dial_failed`, `invalid_destination`, `telephony_provider_*`, `sip_routing_error`, `marked_as_spam`, `concurrency_limit_reached`, `no_valid_payment`, `scam_detected`, `error_*` | any value containing `error`, `failed` or `fault` | mentions an error or failure |
//!
//! Sources: Retell, "Debug call disconnect" (docs.retellai.com/reliability/debug-call-disconnect);
//! Vapi, the `endedReason` enum of `ServerMessageEndOfCallReport` in its API reference;
//! ElevenLabs, the post-call webhook's `metadata.termination_reason` (free text, so matched
//! by what it mentions).

use crate::types::EndReason;

/// Retell's `disconnection_reason` values, exactly.
const RETELL: &[(&str, EndReason)] = &[
    ("user_hangup", EndReason::CustomerHangup),
    ("agent_hangup", EndReason::AgentHangup),
    ("call_transfer", EndReason::BlindTransfer),
    ("voicemail_reached", EndReason::Voicemail),
    ("ivr_reached", EndReason::Voicemail),
    ("inactivity", EndReason::Inactivity),
    ("max_duration_reached", EndReason::MaxDuration),
    ("dial_busy", EndReason::Busy),
    ("dial_no_answer", EndReason::NoAnswer),
    ("user_declined", EndReason::NoAnswer),
    ("dial_failed", EndReason::Error),
    ("invalid_destination", EndReason::Error),
    ("sip_routing_error", EndReason::Error),
    ("marked_as_spam", EndReason::Error),
    ("concurrency_limit_reached", EndReason::Error),
    ("no_valid_payment", EndReason::Error),
    ("scam_detected", EndReason::Error),
];

/// Retell's `disconnection_reason` onto ours (see the module table).
pub fn retell(raw: &str) -> EndReason {
    let raw = raw.trim().to_ascii_lowercase();
    if let Some((_, ours)) = RETELL.iter().find(|(theirs, _)| *theirs == raw) {
        return *ours;
    }
    if raw.starts_with("error_") || raw.starts_with("telephony_provider_") {
        return EndReason::Error;
    }
    EndReason::Unknown
}

/// Vapi's `endedReason` values, exactly.
const VAPI: &[(&str, EndReason)] = &[
    ("customer-ended-call", EndReason::CustomerHangup),
    ("assistant-ended-call", EndReason::AgentHangup),
    ("assistant-said-end-call-phrase", EndReason::AgentHangup),
    ("assistant-forwarded-call", EndReason::BlindTransfer),
    ("voicemail", EndReason::Voicemail),
    ("customer-did-not-answer", EndReason::NoAnswer),
    ("customer-busy", EndReason::Busy),
    ("exceeded-max-duration", EndReason::MaxDuration),
    ("silence-timed-out", EndReason::Inactivity),
];

/// Vapi's `endedReason` onto ours (see the module table).
pub fn vapi(raw: &str) -> EndReason {
    let raw = raw.trim().to_ascii_lowercase();
    if let Some((_, ours)) = VAPI.iter().find(|(theirs, _)| *theirs == raw) {
        return *ours;
    }
    if raw.starts_with("assistant-ended-call") {
        return EndReason::AgentHangup;
    }
    if ["error", "failed", "fault"].iter().any(|w| raw.contains(w)) {
        return EndReason::Error;
    }
    EndReason::Unknown
}

/// ElevenLabs' `termination_reason`, a sentence, onto ours by what it mentions (see the
/// module table). The most specific mention wins: a transfer or voicemail before a hang-up.
pub fn elevenlabs(raw: &str) -> EndReason {
    let text = raw.trim().to_ascii_lowercase();
    let mentions = |words: &[&str]| words.iter().any(|w| text.contains(w));
    if mentions(&["transfer"]) {
        EndReason::BlindTransfer
    } else if mentions(&["voicemail", "voice mail"]) {
        EndReason::Voicemail
    } else if mentions(&["max duration", "maximum duration", "duration limit", "time limit"]) {
        EndReason::MaxDuration
    } else if mentions(&["silence", "inactiv"]) {
        EndReason::Inactivity
    } else if mentions(&["error", "fail"]) {
        EndReason::Error
    } else if mentions(&["end_call", "agent ended", "agent hung up", "assistant ended"]) {
        EndReason::AgentHangup
    } else if mentions(&["remote party", "client disconnected", "user ended", "user hung up", "caller hung up"]) {
        EndReason::CustomerHangup
    } else {
        EndReason::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_values_map_as_the_table_says() {
        assert_eq!(retell("user_hangup"), EndReason::CustomerHangup);
        assert_eq!(retell("dial_no_answer"), EndReason::NoAnswer);
        assert_eq!(retell("error_llm_websocket_open"), EndReason::Error);
        assert_eq!(retell("telephony_provider_unavailable"), EndReason::Error);
        assert_eq!(retell("something_new"), EndReason::Unknown);
        assert_eq!(vapi("customer-ended-call"), EndReason::CustomerHangup);
        assert_eq!(vapi("assistant-ended-call-after-message-spoken"), EndReason::AgentHangup);
        assert_eq!(vapi("pipeline-error-openai-llm-failed"), EndReason::Error);
        assert_eq!(vapi("manually-canceled"), EndReason::Unknown);
        assert_eq!(elevenlabs("Call ended by remote party"), EndReason::CustomerHangup);
        assert_eq!(elevenlabs("end_call tool was called."), EndReason::AgentHangup);
        assert_eq!(elevenlabs("Client disconnected: 1000"), EndReason::CustomerHangup);
        assert_eq!(elevenlabs("Transfer to number"), EndReason::BlindTransfer);
        assert_eq!(elevenlabs("Something else entirely"), EndReason::Unknown);
    }
}
