//! How people are reached: email addresses and E.164 phone numbers.

#[allow(unused_imports)]
use super::*;

/// A syntactically valid email address (RFC 5321 as lettre checks it), trimmed, at most
/// 254 characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses `value`; the error says why it is not an address.
    pub fn parse(value: &str) -> Result<Self, String> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err("must not be empty".into());
        }
        if trimmed.len() > 254 {
            return Err("must be at most 254 characters".into());
        }
        lettre::Address::from_str(trimmed)
            .map(|_| Self(trimmed.to_owned()))
            .map_err(|_| format!("`{trimmed}` is not a valid email address"))
    }

    /// The address, lower-cased: the form user emails are stored and compared in.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }

    /// The address as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A phone number in E.164 form: `+`, a non-zero country digit, 7 to 15 digits in all.
///
/// Parsing accepts the usual separators (spaces, `-`, `.`, `(`, `)`) and a leading `00`
/// international prefix, and rejects anything else: a number without a country code cannot
/// be made E.164 without guessing.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct E164(String);

impl E164 {
    /// Parses `value` into `+<digits>`.
    pub fn parse(value: &str) -> Result<Self, String> {
        let cleaned: String =
            value.trim().chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}')).collect();
        let digits = if let Some(rest) = cleaned.strip_prefix('+') {
            rest
        } else if let Some(rest) = cleaned.strip_prefix("00") {
            rest
        } else {
            return Err(format!("`{value}` is not an E.164 number (it needs a leading + and a country code)"));
        };
        let valid =
            (7..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) && !digits.starts_with('0');
        if valid {
            Ok(Self(format!("+{digits}")))
        } else {
            Err(format!("`{value}` is not an E.164 number (+ then 7 to 15 digits)"))
        }
    }

    /// `+14155550141`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}
