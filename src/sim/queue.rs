//! The event queue: what happens next, ordered by (time, sequence number).
//!
//! Each pushed item gets the next sequence number, so items due at the same instant come out
//! in the order they were pushed. That makes ties deterministic without ever comparing the
//! items themselves. This module knows nothing about what the items are.

use super::time::Time;
use core::cmp::Ordering;
use std::collections::BinaryHeap;

/// A min-queue of items keyed by (time, push order).
#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
}

#[derive(Clone, Debug)]
struct Entry<E> {
    at: Time,
    seq: u64,
    item: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Entry<E> {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest entry first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            next_seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> EventQueue<E> {
        EventQueue::default()
    }

    /// Adds `item`, due at `at`, after everything already due at `at`.
    pub fn push(&mut self, at: Time, item: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { at, seq, item });
    }

    /// Removes and returns the earliest item with its time.
    pub fn pop(&mut self) -> Option<(Time, E)> {
        self.heap.pop().map(|entry| (entry.at, entry.item))
    }

    /// The earliest item and its time, without removing it.
    pub fn peek(&self) -> Option<(Time, &E)> {
        self.heap.peek().map(|entry| (entry.at, &entry.item))
    }

    /// How many items are queued.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_by_time_then_push_order() {
        let mut queue = EventQueue::new();
        queue.push(Time::millis(5), "late");
        queue.push(Time::millis(1), "first at 1");
        queue.push(Time::millis(1), "second at 1");
        queue.push(Time::ZERO, "earliest");
        assert_eq!(queue.peek(), Some((Time::ZERO, &"earliest")));
        let order: Vec<&str> = std::iter::from_fn(|| queue.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["earliest", "first at 1", "second at 1", "late"]);
        assert!(queue.is_empty());
        assert_eq!(queue.pop(), None);
    }
}
