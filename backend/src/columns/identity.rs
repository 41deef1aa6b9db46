//! Who is who, as stored: a member's role (`memberships.role`, `invitations.role`) and an
//! account token's purpose (`account_tokens.purpose`).

use serde::{Deserialize, Serialize};

/// A member's role in an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Created the account; everything an admin can do.
    Owner,
    /// Configures agents, notifications, members, keys.
    Admin,
    /// Works alerts and tasks, reads conversations; cannot change configuration.
    Member,
}

/// What a token is for, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// `/reset-password/<token>`: valid for [`RESET_HOURS`] hour.
    PasswordReset,
    /// `/verify-email/<token>`: a new owner confirms the address (`auth.signup = "verified"`).
    EmailVerification,
    /// `/confirm-email/<token>`: the new address of an email change.
    EmailChange,
}
