//! sea-orm entities, one per table. Tenant-owned entities carry `account_id`; services
//! reach them only through the tenant-scoped finders in [`crate::tenancy`].

pub mod account;
pub mod account_token;
pub mod agent;
pub mod alert;
pub mod analysis;
pub mod analyzer_setting;
pub mod api_key;
pub mod audit_entry;
pub mod conversation;
pub mod delivery_attempt;
pub mod digest;
pub mod email;
pub mod extraction_field;
pub mod installation_setting;
pub mod integration;
pub mod invitation;
pub mod job;
pub mod membership;
pub mod notification;
pub mod notification_run;
pub mod notification_version;
pub mod post_call_action;
pub mod post_call_action_version;
pub mod push_subscription;
pub mod scheduled_call;
pub mod session;
pub mod task;
pub mod user;
pub mod webhook_delivery;
