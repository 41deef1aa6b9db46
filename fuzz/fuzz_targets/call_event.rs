//! The call-ended event parser (`POST /api/v1/calls`): any bytes either fail to parse or
//! validate into an event whose invariants hold; nothing panics.
#![no_main]

use backend::calls::event::RawCallEvent;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = serde_json::from_slice::<RawCallEvent>(data) else { return };
    let Ok(event) = raw.validate() else { return };
    assert!(!event.call_id.trim().is_empty(), "an accepted event has a call id");
    assert!(!event.agent_id.trim().is_empty(), "an accepted event has an agent id");
    if let (Some(s), Some(e)) = (event.started_at, event.ended_at) {
        assert!(e >= s, "an accepted event does not end before it starts");
    }
    if let Some(d) = event.duration_s {
        assert!(d.is_finite() && d >= 0.0);
    }
    for turn in &event.transcript {
        if let (Some(s), Some(e)) = (turn.start_s, turn.end_s) {
            assert!(e >= s);
        }
    }
});
