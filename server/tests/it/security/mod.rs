//! The trust suite: the application tried as a hostile member, a hostile tenant and an
//! anonymous client would try it.
//!
//! - [`roles`]: every tenant-owned resource answers 404 to another account, over REST and
//!   over server functions; every mutating server function answers member, admin and
//!   owner as the README's role matrix says.
//! - [`outbound`]: internal addresses are refused at save time and at send time (a
//!   loopback listener receives nothing), redirects are not followed, endless answers are
//!   cut, the LLM key stays with its URL.
//! - [`edge`]: body limits (a 64 MiB POST anywhere is 413 and the server keeps serving),
//!   cross-origin refusals, security headers.
//! - [`throttle`]: 429 with `Retry-After` per client and per email for every account flow.
//! - [`secrets`]: secrets stored encrypted, older plaintext sealed at start, another key refused.
//! - [`links`]: an invitation's link is nowhere a member can read, nor stored in clear.
//! - [`templates`]: hostile templates fail fast; previews need the configure role.
//! - [`fairness`]: one account's hanging webhooks do not hold up another's email.
//! - [`lifecycle`]: password reset, profile, sign-up policies, sessions, account switching.
//! - [`audit`]: configuration changes are recorded and shown to admins only.

mod audit;
mod edge;
mod fairness;
mod lifecycle;
mod links;
mod outbound;
mod roles;
mod secrets;
mod templates;
mod throttle;
pub mod world;
