//! Identity: who may act in an account. Accounts with their owner and ingest settings,
//! members and invitations, API keys, and password hashing. Who a request acts as, and what
//! it may do, is [`crate::tenancy`] (the actor and its permissions), one layer below.

pub mod accounts;
pub mod api_keys;
pub mod members;
pub mod passwords;
