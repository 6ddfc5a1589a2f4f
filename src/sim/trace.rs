//! The trace: everything that happened in the world, in order, with a running hash.
//!
//! Every effect and every event the world processes leaves a [`TraceEvent`] stamped with the
//! virtual time. Views read the trace to animate and explain; tests read it to check
//! invariants; [`Trace::hash`] fingerprints the whole run (FNV-1a-64 over every event, see
//! [`crate::sim::hash`]) so "same seed and same inputs give the same run" is one comparison.
//!
//! **Cheap clones.** The world is cloned to keep checkpoints for going back in time, so the
//! trace must not be copied with it. Events live in chunks behind `Arc`s. Cloning a trace copies
//! only the list of chunk pointers. Appending pushes onto the last chunk *only if no clone shares
//! it* (`Arc::get_mut`); otherwise it starts a new chunk. So no event is ever copied, a clone
//! and its original can both keep appending independently, and the shared prefix stays shared.
//! Chunks are capped at [`CHUNK_CAPACITY`] events so the pointer list stays short.
//!
//! **Where two runs part.** Two hashes that differ say *that* a run is not deterministic, not
//! *where*. [`Trace::first_difference`] names the first event at which two traces differ,
//! with both events (as madsim's determinism check does), for test failures.
//!
//! This module knows nothing about what the messages, timers or notes mean.

use super::hash::StableHasher;
use super::input::{Fault, InputError, InputId};
use super::network::{DropReason, MessageId};
use super::node::NodeId;
use super::process::Process;
use super::time::Time;
use core::fmt;
use core::hash::{Hash, Hasher};
use std::sync::Arc;

/// The most events one chunk holds before a new one starts.
pub const CHUNK_CAPACITY: usize = 4096;

/// One thing that happened, and when.
#[derive(Clone, Debug)]
pub struct TraceEvent<P: Process> {
    /// The virtual time it happened.
    pub at: Time,
    /// What happened.
    pub kind: TraceKind<P>,
}

/// What happened.
///
/// The process's own values (messages, requests, replies, durable writes, notes) are boxed: a
/// long session traces millions of events, and an unboxed event would be as large as the
/// largest of them (232 bytes for the lab's nodes instead of 56), timers and deliveries too.
/// Boxing changes nothing in the hash.
#[derive(Clone, Debug)]
pub enum TraceKind<P: Process> {
    /// A node was added; its `on_start` effects follow.
    NodeAdded {
        /// Its id.
        node: NodeId,
        /// Its name.
        name: String,
    },
    /// A node crashed (fault): volatile state, timers and its connections are gone.
    Crashed {
        /// The node.
        node: NodeId,
    },
    /// A crashed node restarted; its `on_start` effects follow.
    Restarted {
        /// The node.
        node: NodeId,
    },
    /// A message entered the network. It will be `Delivered` or `Dropped` at `deliver_at`.
    Sent {
        /// Its number.
        id: MessageId,
        /// The sender.
        from: NodeId,
        /// The receiver.
        to: NodeId,
        /// The link's stream it travels on.
        stream: u64,
        /// When it is due.
        deliver_at: Time,
        /// The message.
        msg: Box<P::Msg>,
    },
    /// A message reached its receiver (whose `on_message` effects follow).
    Delivered {
        /// Its number.
        id: MessageId,
        /// The sender.
        from: NodeId,
        /// The receiver.
        to: NodeId,
    },
    /// A message was not delivered: either refused when sent (no `Sent` event before it) or
    /// lost on the way (at its delivery time).
    Dropped {
        /// Its number.
        id: MessageId,
        /// The sender.
        from: NodeId,
        /// The receiver.
        to: NodeId,
        /// Why.
        reason: DropReason,
        /// The message.
        msg: Box<P::Msg>,
    },
    /// A timer was set (or moved).
    TimerSet {
        /// The node.
        node: NodeId,
        /// The timer.
        timer: P::Timer,
        /// When it will fire.
        fires_at: Time,
    },
    /// A set timer was cancelled by its node.
    TimerCancelled {
        /// The node.
        node: NodeId,
        /// The timer.
        timer: P::Timer,
    },
    /// A timer fired (the node's `on_timer` effects follow).
    TimerFired {
        /// The node.
        node: NodeId,
        /// The timer.
        timer: P::Timer,
    },
    /// An outside request reached a node (its `on_request` effects follow).
    RequestReceived {
        /// The node.
        node: NodeId,
        /// The request's id.
        request: InputId,
        /// The request.
        req: Box<P::Request>,
    },
    /// An outside request could not be delivered.
    RequestRejected {
        /// The node it was for.
        node: NodeId,
        /// The request's id.
        request: InputId,
        /// The request.
        req: Box<P::Request>,
        /// Why.
        error: InputError,
    },
    /// A node completed an outside request.
    Replied {
        /// The node that replied.
        node: NodeId,
        /// The request's id.
        request: InputId,
        /// The answer.
        reply: Box<P::Reply>,
    },
    /// A node's durable write was applied; the notes it produced follow.
    DurableWritten {
        /// The node.
        node: NodeId,
        /// The write.
        write: Box<P::Durable>,
    },
    /// A domain event from a node (from a handler or from `apply_durable`).
    Note {
        /// The node.
        node: NodeId,
        /// The note.
        note: Box<P::Note>,
    },
    /// A fault was applied.
    FaultApplied {
        /// The fault.
        fault: Fault,
    },
    /// A fault could not be applied; nothing changed.
    FaultRejected {
        /// The fault.
        fault: Fault,
        /// Why.
        error: InputError,
    },
}

// Hand-written because `#[derive(Hash)]` would demand `P: Hash` of the process itself. Each
// variant writes a fixed tag byte first; the tags are part of the trace hash format, so never
// renumber them.
impl<P: Process> Hash for TraceKind<P> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            TraceKind::NodeAdded { node, name } => {
                state.write_u8(0);
                node.hash(state);
                name.hash(state);
            }
            TraceKind::Crashed { node } => {
                state.write_u8(1);
                node.hash(state);
            }
            TraceKind::Restarted { node } => {
                state.write_u8(2);
                node.hash(state);
            }
            TraceKind::Sent {
                id,
                from,
                to,
                stream,
                deliver_at,
                msg,
            } => {
                state.write_u8(3);
                id.hash(state);
                from.hash(state);
                to.hash(state);
                stream.hash(state);
                deliver_at.hash(state);
                msg.hash(state);
            }
            TraceKind::Delivered { id, from, to } => {
                state.write_u8(4);
                id.hash(state);
                from.hash(state);
                to.hash(state);
            }
            TraceKind::Dropped {
                id,
                from,
                to,
                reason,
                msg,
            } => {
                state.write_u8(5);
                id.hash(state);
                from.hash(state);
                to.hash(state);
                reason.hash(state);
                msg.hash(state);
            }
            TraceKind::TimerSet {
                node,
                timer,
                fires_at,
            } => {
                state.write_u8(6);
                node.hash(state);
                timer.hash(state);
                fires_at.hash(state);
            }
            TraceKind::TimerCancelled { node, timer } => {
                state.write_u8(7);
                node.hash(state);
                timer.hash(state);
            }
            TraceKind::TimerFired { node, timer } => {
                state.write_u8(8);
                node.hash(state);
                timer.hash(state);
            }
            TraceKind::RequestReceived { node, request, req } => {
                state.write_u8(9);
                node.hash(state);
                request.hash(state);
                req.hash(state);
            }
            TraceKind::RequestRejected {
                node,
                request,
                req,
                error,
            } => {
                state.write_u8(10);
                node.hash(state);
                request.hash(state);
                req.hash(state);
                error.hash(state);
            }
            TraceKind::Replied {
                node,
                request,
                reply,
            } => {
                state.write_u8(11);
                node.hash(state);
                request.hash(state);
                reply.hash(state);
            }
            TraceKind::DurableWritten { node, write } => {
                state.write_u8(12);
                node.hash(state);
                write.hash(state);
            }
            TraceKind::Note { node, note } => {
                state.write_u8(13);
                node.hash(state);
                note.hash(state);
            }
            TraceKind::FaultApplied { fault } => {
                state.write_u8(14);
                fault.hash(state);
            }
            TraceKind::FaultRejected { fault, error } => {
                state.write_u8(15);
                fault.hash(state);
                error.hash(state);
            }
        }
    }
}

impl<P: Process> Hash for TraceEvent<P> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.at.hash(state);
        self.kind.hash(state);
    }
}

impl<P: Process> TraceEvent<P> {
    /// The event's own stable hash (the same bytes the trace's running hash folds in):
    /// portable, so a golden list of them names the first event a platform computes
    /// differently.
    pub fn stable_hash(&self) -> u64 {
        let mut hasher = StableHasher::new();
        self.hash(&mut hasher);
        hasher.finish()
    }
}

/// The first event at which two traces differ (see [`Trace::first_difference`]).
#[derive(Debug)]
pub struct TraceDifference<'a, P: Process> {
    /// The index of the first differing event (0 for the first event).
    pub index: u64,
    /// The event at `index` in the trace `first_difference` was called on; `None` if that
    /// trace ends before it.
    pub left: Option<&'a TraceEvent<P>>,
    /// The event at `index` in the other trace; `None` if it ends before it.
    pub right: Option<&'a TraceEvent<P>>,
}

/// The most characters of one event a difference prints: a message carrying page images
/// would otherwise fill a screen.
const EVENT_TEXT_LIMIT: usize = 1_500;

/// `event` as one line: its time and its `Debug` form (cut at [`EVENT_TEXT_LIMIT`]).
pub fn describe_event<P: Process>(event: &TraceEvent<P>) -> String {
    let mut text = format!("at {} {:?}", event.at, event.kind);
    if let Some((cut, _)) = text.char_indices().nth(EVENT_TEXT_LIMIT) {
        text.truncate(cut);
        text.push('…');
    }
    text
}

impl<P: Process> fmt::Display for TraceDifference<'_, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = |event: Option<&TraceEvent<P>>| {
            event.map_or_else(
                || format!("(no event: the trace has only {} events)", self.index),
                describe_event,
            )
        };
        write!(
            f,
            "the traces differ first at event #{}:\n  left:  {}\n  right: {}",
            self.index,
            side(self.left),
            side(self.right)
        )
    }
}

/// A run of consecutive events, shared between clones of a trace.
#[derive(Debug)]
struct Chunk<P: Process> {
    /// Index of the chunk's first event in the whole trace.
    start: u64,
    events: Arc<Vec<TraceEvent<P>>>,
}

impl<P: Process> Clone for Chunk<P> {
    fn clone(&self) -> Self {
        Chunk {
            start: self.start,
            events: Arc::clone(&self.events),
        }
    }
}

/// An append-only list of events with a running hash, cheap to clone (see the module docs).
#[derive(Debug)]
pub struct Trace<P: Process> {
    chunks: Vec<Chunk<P>>,
    len: u64,
    hash: u64,
}

impl<P: Process> Clone for Trace<P> {
    /// Copies the chunk pointers, never the events.
    fn clone(&self) -> Self {
        Trace {
            chunks: self.chunks.clone(),
            len: self.len,
            hash: self.hash,
        }
    }
}

impl<P: Process> Default for Trace<P> {
    fn default() -> Self {
        Trace {
            chunks: Vec::new(),
            len: 0,
            hash: StableHasher::new().finish(),
        }
    }
}

impl<P: Process> Trace<P> {
    /// An empty trace.
    pub fn new() -> Trace<P> {
        Trace::default()
    }

    /// Appends one event and folds it into the running hash.
    pub(crate) fn push(&mut self, event: TraceEvent<P>) {
        let mut hasher = StableHasher::resume(self.hash);
        event.hash(&mut hasher);
        self.hash = hasher.finish();
        self.len += 1;
        let mut capacity = 16;
        if let Some(last) = self.chunks.last_mut() {
            if last.events.len() < CHUNK_CAPACITY {
                // Only append in place when no clone can see this chunk.
                if let Some(events) = Arc::get_mut(&mut last.events) {
                    events.push(event);
                    return;
                }
            } else {
                // The last chunk is full, so events are arriving fast and uninterrupted by
                // clones: allocate the whole next chunk at once instead of growing it.
                capacity = CHUNK_CAPACITY;
            }
        }
        let mut events = Vec::with_capacity(capacity);
        events.push(event);
        self.chunks.push(Chunk {
            start: self.len - 1,
            events: Arc::new(events),
        });
    }

    /// Frees the spare room of the last chunk, if no clone shares it yet. Call it before a
    /// clone that is kept (a checkpoint): the chunk is shared from then on, so nothing
    /// appends to it and its spare room (up to half of it, from growing) would stay for good.
    pub fn shrink_to_fit(&mut self) {
        if let Some(events) = self
            .chunks
            .last_mut()
            .and_then(|last| Arc::get_mut(&mut last.events))
        {
            events.shrink_to_fit();
        }
    }

    /// The number of events.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing happened yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The running FNV-1a-64 hash of every event so far (portable across platforms).
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// Every event, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &TraceEvent<P>> + '_ {
        self.chunks.iter().flat_map(|chunk| chunk.events.iter())
    }

    /// The events from index `first` on (e.g. the ones a view has not shown yet).
    pub fn iter_from(&self, first: u64) -> impl Iterator<Item = &TraceEvent<P>> + '_ {
        // The chunk holding `first` is the last one starting at or before it.
        let chunk_index = self
            .chunks
            .partition_point(|chunk| chunk.start <= first)
            .saturating_sub(1);
        let skip_in_chunk = self
            .chunks
            .get(chunk_index)
            .map_or(0, |chunk| first.saturating_sub(chunk.start));
        self.chunks
            .get(chunk_index..)
            .unwrap_or(&[])
            .iter()
            .flat_map(|chunk| chunk.events.iter())
            .skip(usize::try_from(skip_in_chunk).unwrap_or(usize::MAX))
    }

    /// The event at `index`, if there is one.
    pub fn get(&self, index: u64) -> Option<&TraceEvent<P>> {
        self.iter_from(index).next()
    }

    /// The most recent event.
    pub fn last(&self) -> Option<&TraceEvent<P>> {
        self.chunks.last().and_then(|chunk| chunk.events.last())
    }

    /// The first event at which `self` and `other` differ, with both events; `None` when they
    /// hold the same events. Events are compared by their stable hash (what the trace hash is
    /// made of), so two traces with the same hash and length count as equal without a walk,
    /// and chunks both traces share are skipped.
    pub fn first_difference<'a>(&'a self, other: &'a Trace<P>) -> Option<TraceDifference<'a, P>> {
        if self.len == other.len && self.hash == other.hash {
            return None;
        }
        // Skip the chunks the two share (a checkpoint and the world it was taken from).
        let shared = self
            .chunks
            .iter()
            .zip(&other.chunks)
            .take_while(|(a, b)| a.start == b.start && Arc::ptr_eq(&a.events, &b.events))
            .count();
        let from = self
            .chunks
            .get(shared)
            .map_or(self.len, |chunk| chunk.start);
        let mut left = self.iter_from(from);
        let mut right = other.iter_from(from);
        let mut index = from;
        loop {
            match (left.next(), right.next()) {
                (None, None) => return None,
                (Some(a), Some(b)) if a.stable_hash() == b.stable_hash() => index += 1,
                (left, right) => {
                    return Some(TraceDifference { index, left, right });
                }
            }
        }
    }

    /// How many chunks hold the events (for tests of the sharing scheme).
    pub fn chunk_count(&self) -> usize {
        self.chunks.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::process::Context;

    /// The smallest process there is, to give the trace a type.
    #[derive(Clone, Debug)]
    struct Idle;

    impl Process for Idle {
        type Msg = u32;
        type Timer = u32;
        type Request = u32;
        type Reply = u32;
        type Durable = u32;
        type Note = u32;
        fn on_start(&mut self, _: &mut Context<Self>) {}
        fn on_message(&mut self, _: &mut Context<Self>, _: NodeId, _: u32) {}
        fn on_timer(&mut self, _: &mut Context<Self>, _: u32) {}
        fn on_request(&mut self, _: &mut Context<Self>, _: InputId, _: u32) {}
        fn apply_durable(&mut self, _: u32) -> Vec<u32> {
            Vec::new()
        }
        fn on_crash(&mut self) {}
    }

    fn note(n: u32) -> TraceEvent<Idle> {
        TraceEvent {
            at: Time::micros(u64::from(n)),
            kind: TraceKind::Note {
                node: NodeId(0),
                note: Box::new(n),
            },
        }
    }

    /// The note an event carries, if it is one.
    fn noted(event: Option<&TraceEvent<Idle>>) -> Option<u32> {
        match event.map(|e| &e.kind) {
            Some(TraceKind::Note { note, .. }) => Some(**note),
            _ => None,
        }
    }

    fn notes(trace: &Trace<Idle>) -> Vec<u32> {
        trace
            .iter()
            .map(|e| match e.kind {
                TraceKind::Note { ref note, .. } => **note,
                _ => u32::MAX,
            })
            .collect()
    }

    #[test]
    fn clones_share_events_and_diverge_independently() {
        let mut original = Trace::new();
        for n in 0..10 {
            original.push(note(n));
        }
        let snapshot = original.clone();
        let mut fork = original.clone();
        original.push(note(100));
        fork.push(note(200));
        assert_eq!(notes(&snapshot), (0..10).collect::<Vec<_>>());
        assert_eq!(notes(&original).last(), Some(&100));
        assert_eq!(notes(&fork).last(), Some(&200));
        assert_eq!(original.len(), 11);
        // The shared prefix is one chunk; each side started its own after the clone.
        assert_eq!(original.chunk_count(), 2);
        assert!(Arc::ptr_eq(
            &original.chunks[0].events,
            &snapshot.chunks[0].events
        ));
    }

    #[test]
    fn hash_depends_on_every_event_and_only_on_them() {
        let mut a = Trace::new();
        let mut b = Trace::new();
        for n in 0..5 {
            a.push(note(n));
            b.push(note(n));
        }
        assert_eq!(a.hash(), b.hash());
        b.push(note(5));
        assert_ne!(a.hash(), b.hash());
        a.push(note(5));
        assert_eq!(a.hash(), b.hash());
        assert_ne!(a.hash(), Trace::<Idle>::new().hash());
    }

    #[test]
    fn first_difference_finds_a_planted_difference() {
        let mut a = Trace::new();
        let mut b = Trace::new();
        for n in 0..(CHUNK_CAPACITY as u32 + 100) {
            a.push(note(n));
            // The same run, except one event.
            b.push(note(if n == 4_150 { 999_999 } else { n }));
        }
        let difference = a.first_difference(&b).expect("they differ");
        assert_eq!(difference.index, 4_150);
        assert_eq!(noted(difference.left), Some(4_150));
        assert_eq!(noted(difference.right), Some(999_999));
        let text = difference.to_string();
        assert!(text.contains("#4150"), "{text}");
        assert!(text.contains("note: 999999"), "{text}");
        assert!(a.first_difference(&a.clone()).is_none());
    }

    #[test]
    fn first_difference_of_a_prefix_is_where_the_shorter_ends() {
        let mut long = Trace::new();
        for n in 0..10 {
            long.push(note(n));
        }
        let prefix = long.clone();
        long.push(note(10));
        let difference = prefix.first_difference(&long).expect("they differ");
        assert_eq!(difference.index, 10);
        assert!(difference.left.is_none());
        assert_eq!(noted(difference.right), Some(10));
        assert!(difference.to_string().contains("only 10 events"));
        // Shared chunks are skipped, divergent ones after them still compared.
        let mut fork = prefix.clone();
        fork.push(note(11));
        let difference = fork.first_difference(&long).expect("they differ");
        assert_eq!(difference.index, 10);
    }

    #[test]
    fn indexing_across_chunks() {
        let mut trace = Trace::new();
        let mut clones = Vec::new();
        for n in 0..(CHUNK_CAPACITY as u32 * 2 + 10) {
            trace.push(note(n));
            if n % 1000 == 7 {
                clones.push(trace.clone());
            }
        }
        for index in [0u64, 1, 7, 8, 999, 4095, 4096, 4097, 8201] {
            assert_eq!(
                noted(trace.get(index)).map(u64::from),
                Some(index),
                "index {index}"
            );
        }
        assert!(trace.get(trace.len()).is_none());
        assert_eq!(trace.iter_from(8200).count(), 2);
        assert_eq!(trace.iter().count() as u64, trace.len());
        assert_eq!(noted(trace.last()), Some(8201));
    }
}
