//! The discrete-event engine: integer-millisecond virtual time and an event queue whose ties are
//! broken by insertion order, so every run is deterministic.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Virtual time in milliseconds since the scenario's start.
pub type Time = u64;

/// One second of virtual time.
pub const SECOND: Time = 1_000;

/// Formats a time as seconds with millisecond precision (`12.345`), the unit of every output file.
pub fn fmt_secs(t: Time) -> String {
    format!("{}.{:03}", t / 1000, t % 1000)
}

/// Seconds as a float, for charts and statistics.
pub fn as_secs_f64(t: Time) -> f64 {
    t as f64 / 1000.0
}

/// Kubernetes API timestamps (`metav1.Time`) carry whole seconds: what the controller reads back
/// from a pod's status is truncated, so backoff arithmetic uses truncated times.
pub fn api_time(t: Time) -> Time {
    t - t % SECOND
}

struct Entry<E> {
    /// `time << 64 | seq`: one integer comparison orders by time, then insertion.
    key: u128,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    // Reversed: BinaryHeap is a max-heap and we want the earliest (time, seq) first.
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// A priority queue of events ordered by (time, insertion sequence).
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        EventQueue { heap: BinaryHeap::new(), seq: 0 }
    }

    /// Schedules `event` at `time`; events at the same time pop in the order they were pushed.
    pub fn push(&mut self, time: Time, event: E) {
        self.heap.push(Entry { key: (time as u128) << 64 | self.seq as u128, event });
        self.seq += 1;
    }

    /// Removes and returns the earliest event.
    pub fn pop(&mut self) -> Option<(Time, E)> {
        self.heap.pop().map(|e| ((e.key >> 64) as Time, e.event))
    }

    /// The time of the earliest event, if any.
    pub fn peek_time(&self) -> Option<Time> {
        self.heap.peek().map(|e| (e.key >> 64) as Time)
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_pop_in_insertion_order() {
        let mut q = EventQueue::new();
        q.push(5, 'a');
        q.push(3, 'b');
        q.push(5, 'c');
        q.push(3, 'd');
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, vec![(3, 'b'), (3, 'd'), (5, 'a'), (5, 'c')]);
    }

    #[test]
    fn api_time_truncates_to_seconds() {
        assert_eq!(api_time(5_999), 5_000);
        assert_eq!(api_time(6_000), 6_000);
        assert_eq!(fmt_secs(12_345), "12.345");
    }
}
