//! Parsed domain values: what the edges turn raw strings into (parse, don't validate).
//! Each `parse` names what is wrong in its error message; callers add the field path.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

mod contact;
pub use contact::*;
mod call;
pub use call::*;
mod work;
pub use work::*;

/// Longest accepted external id (a voice platform's `call_id` / `agent_id`), in characters.
pub const MAX_ID_LEN: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_the_wire_names() {
        for r in EndReason::ALL {
            assert_eq!(serde_json::to_value(r).unwrap(), serde_json::json!(r.as_str()));
            assert_eq!(r.as_str().parse::<EndReason>(), Ok(r));
        }
        for p in Priority::ALL {
            assert_eq!(serde_json::to_value(p).unwrap(), serde_json::json!(p.as_str()));
            assert_eq!(p.as_str().parse::<Priority>(), Ok(p));
        }
        for d in [Direction::Inbound, Direction::Outbound] {
            assert_eq!(serde_json::to_value(d).unwrap(), serde_json::json!(d.as_str()));
        }
    }

    #[test]
    fn phone_numbers_are_normalised_to_e164() {
        assert_eq!(E164::parse("+1 (415) 555-0141").unwrap().as_str(), "+14155550141");
        assert_eq!(E164::parse("0049 30 1234567").unwrap().as_str(), "+49301234567");
        assert!(E164::parse("(977) 625-2661").is_err(), "no country code");
        assert!(E164::parse("+0123456789").is_err(), "country code cannot start with 0");
        assert!(E164::parse("+1234").is_err(), "too short");
        assert!(E164::parse("+1234567890123456").is_err(), "too long");
        assert!(E164::parse("+1415555O141").is_err(), "letter O");
    }

    #[test]
    fn end_reasons_are_case_insensitive_and_unknown_values_map_to_unknown() {
        assert_eq!(EndReason::from_input("CUSTOMER_HANGUP"), EndReason::CustomerHangup);
        assert_eq!(EndReason::from_input("ccaas_transfer"), EndReason::CcaasTransfer);
        assert_eq!(EndReason::from_input("disconnected"), EndReason::Unknown);
    }

    #[test]
    fn email_addresses_are_checked() {
        assert!(EmailAddress::parse(" ops@example.com ").is_ok());
        assert_eq!(EmailAddress::parse("Ops@Example.com").unwrap().normalized(), "ops@example.com");
        assert!(EmailAddress::parse("not an address").is_err());
        assert!(EmailAddress::parse("").is_err());
    }
}
