//! The local intake: a job queued already claimed by this process's runner and handed to
//! it at commit, with no claim statement between (the same shortcut an analysis takes for
//! its webhooks, [`super::ClaimedJob::hand_over`], for work that starts outside a job:
//! ingest's `AnalyzeCall`).
//!
//! The runner's slots are counted here, so a hand-over never takes the process past
//! `jobs.concurrency` nor an account past `jobs.per_account_concurrency`, and it is only
//! offered while the runner's last claim found the queue drained: when jobs wait in the
//! table, new work waits behind them and the claim's fair order decides
//! ([`super::claim`]). A job handed over is a `running` row with a lease like any claimed
//! one: if this process dies first, the lease runs out and any runner retries it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use uuid::Uuid;

use super::ClaimedJob;
use crate::tenancy::Tenant;

/// The slots of this process's runner and the channel jobs are handed over on.
#[derive(Debug)]
pub struct Intake {
    state: Mutex<Slots>,
    handed: mpsc::UnboundedSender<ClaimedJob>,
}

#[derive(Debug)]
struct Slots {
    concurrency: usize,
    per_account: usize,
    /// Jobs running or reserved, in all and per account.
    running: usize,
    by_account: HashMap<Uuid, usize>,
    /// Whether due jobs may be waiting in the table: true from the start, after any
    /// wake-up, and after a claim that filled every slot asked; false after a claim that
    /// found fewer than it asked for.
    backlog: bool,
    /// False once the runner stops.
    open: bool,
}

impl Slots {
    fn add(&mut self, account: Uuid) {
        self.running += 1;
        *self.by_account.entry(account).or_default() += 1;
    }

    fn remove(&mut self, account: Uuid) {
        self.running = self.running.saturating_sub(1);
        if let Some(n) = self.by_account.get_mut(&account) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.by_account.remove(&account);
            }
        }
    }
}

/// A slot held for one job until it is handed over ([`Reservation::hand_over`]); dropped
/// unused (the transaction failed, the call was a duplicate), it frees the slot.
#[derive(Debug)]
pub struct Reservation {
    intake: Arc<Intake>,
    account: Uuid,
    used: bool,
}

impl Reservation {
    /// Hands `job` (committed, claimed) to the runner, which runs it in this slot. When
    /// the runner has stopped, the job stays claimed until its lease runs out, and then
    /// any runner retries it.
    pub fn hand_over(mut self, job: ClaimedJob) {
        self.used = true;
        if self.intake.handed.send(job).is_err() {
            self.intake.release(self.account);
        }
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if !self.used {
            self.intake.release(self.account);
        }
    }
}

impl Intake {
    /// An intake for a runner of `concurrency` slots and at most `per_account` jobs of one
    /// account at once, and the receiving end the runner takes the jobs from.
    pub fn new(concurrency: usize, per_account: usize) -> (Arc<Self>, mpsc::UnboundedReceiver<ClaimedJob>) {
        let (handed, received) = mpsc::unbounded_channel();
        let slots = Slots {
            concurrency: concurrency.max(1),
            per_account: per_account.max(1),
            running: 0,
            by_account: HashMap::new(),
            backlog: true,
            open: true,
        };
        (Arc::new(Self { state: Mutex::new(slots), handed }), received)
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, Slots> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A slot for one job of `tenant`, when the runner is open, has one free, the account
    /// is under its share and no due job is known to wait in the table; otherwise `None`
    /// (queue the job pending and wake the runner, as usual).
    pub fn try_reserve(self: &Arc<Self>, tenant: &Tenant) -> Option<Reservation> {
        let account = tenant.account_id();
        let mut slots = self.slots();
        let account_running = slots.by_account.get(&account).copied().unwrap_or(0);
        if !slots.open || slots.backlog || slots.running >= slots.concurrency || account_running >= slots.per_account {
            return None;
        }
        slots.add(account);
        Some(Reservation { intake: self.clone(), account, used: false })
    }

    fn release(&self, account: Uuid) {
        self.slots().remove(account);
    }

    /// The runner starts a job it claimed (or one a handler handed over): it takes a slot.
    pub fn started(&self, tenant: &Tenant) {
        self.slots().add(tenant.account_id());
    }

    /// A job of `tenant` finished (any way): its slot is free.
    pub fn finished(&self, tenant: &Tenant) {
        self.release(tenant.account_id());
    }

    /// Slots free under `concurrency` (reservations count as taken).
    pub fn free(&self) -> usize {
        let slots = self.slots();
        slots.concurrency.saturating_sub(slots.running)
    }

    /// Notes what the runner learned of the table: a claim that filled every slot it
    /// asked for, or a wake-up, means due jobs may wait (`true`); a claim that found fewer
    /// means none did at that moment (`false`).
    pub fn set_backlog(&self, backlog: bool) {
        self.slots().backlog = backlog;
    }

    /// The runner stops: no more reservations.
    pub fn close(&self) {
        self.slots().open = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant() -> Tenant {
        Tenant::new(Uuid::new_v4())
    }

    #[test]
    fn nothing_is_reserved_until_a_claim_found_the_queue_drained() {
        let (intake, _rx) = Intake::new(4, 2);
        assert!(intake.try_reserve(&tenant()).is_none(), "backlog unknown at start");
        intake.set_backlog(false);
        assert!(intake.try_reserve(&tenant()).is_some());
        intake.set_backlog(true);
        assert!(intake.try_reserve(&tenant()).is_none());
    }

    #[test]
    fn reservations_respect_the_slots_and_the_account_share() {
        let (intake, _rx) = Intake::new(3, 2);
        intake.set_backlog(false);
        let (a, b) = (tenant(), tenant());
        let first = intake.try_reserve(&a).expect("a free slot");
        let _second = intake.try_reserve(&a).expect("a second slot for the account");
        assert!(intake.try_reserve(&a).is_none(), "the account's share is 2");
        let _third = intake.try_reserve(&b).expect("another account still gets one");
        assert!(intake.try_reserve(&b).is_none(), "all 3 slots are taken");
        assert_eq!(intake.free(), 0);
        drop(first);
        assert_eq!(intake.free(), 1, "an unused reservation frees its slot");
        assert!(intake.try_reserve(&a).is_some());
    }

    #[test]
    fn a_handed_over_job_keeps_its_slot_until_it_finishes() {
        let (intake, mut rx) = Intake::new(2, 2);
        intake.set_backlog(false);
        let t = tenant();
        let r = intake.try_reserve(&t).expect("a slot");
        r.hand_over(ClaimedJob::for_test(t));
        assert_eq!(rx.try_recv().map(|j| j.tenant).ok(), Some(t));
        assert_eq!(intake.free(), 1, "the handed-over job holds one of the 2 slots");
        intake.finished(&t);
        assert_eq!(intake.free(), 2, "its slot is free once it finished");
        intake.close();
        assert!(intake.try_reserve(&t).is_none(), "closed");
    }

    #[test]
    fn claimed_jobs_take_slots_too() {
        let (intake, _rx) = Intake::new(2, 2);
        intake.set_backlog(false);
        let t = tenant();
        intake.started(&t);
        intake.started(&t);
        assert!(intake.try_reserve(&tenant()).is_none());
        intake.finished(&t);
        assert!(intake.try_reserve(&tenant()).is_some());
    }
}
