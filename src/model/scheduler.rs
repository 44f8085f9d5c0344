//! The scheduler: binds pending pods to nodes. Without a cluster every pod fits at once, so a pod
//! is bound the moment it is created; nodes, resources and queueing plug in here.

use super::api::ApiServer;
use super::pod::PodId;
use super::Effects;

/// Binds pods to nodes.
#[derive(Debug, Default)]
pub struct Scheduler {
    /// Pods bound so far.
    pub bound: u64,
}

impl Scheduler {
    /// Schedules a newly created pod. With unlimited room it is bound immediately.
    pub fn schedule(&mut self, pod: PodId, api: &mut ApiServer, fx: &mut Effects) {
        api.bind(fx, pod);
        self.bound += 1;
    }
}
