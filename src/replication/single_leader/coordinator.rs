//! The coordination service: a small etcd-like node that holds the cluster's leader key with a
//! time to live, the way Patroni keeps `/service/<cluster>/leader` in etcd, Consul or
//! ZooKeeper.
//!
//! - **Acquire or renew** is one compare-and-set: granted when the key is free (never set, or
//!   expired) or already held by the asker, refused when another server holds a live key.
//!   Each grant sets the holder and moves the expiry to now + TTL.
//! - **Forced** (a manual failover through the HA manager, `patronictl failover`): the key
//!   goes to the asker whoever holds it; the answer says how long the overridden holder's
//!   lease still runs, and the new holder promotes only after that (the old leader, refused
//!   at its next renewal, has stopped taking writes by then).
//! - The key is durable (etcd keeps it in its Raft log); on a restart its time to live starts
//!   again, as etcd extends leases when it elects a new leader rather than letting them lapse
//!   while it was down.
//!
//! What the lab simplifies: one node, not a Raft group of three or five (so crashing it is
//! losing the whole service, i.e. losing quorum); no watches: servers ask.
//!
//! Knows nothing of the UI.

use std::rc::Rc;

use crate::sim::{Context, NodeId, Time};

use crate::replication::directory::Directory;
use crate::replication::messages::{Msg, SingleLeaderMsg};
use crate::replication::node::{LabNode, Note, Timer};

/// The leader key: who holds it, for which term, until when.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LeaderKey {
    pub holder: NodeId,
    pub term: u32,
    pub expires: Time,
    /// After a forced take: until when the overridden holder may still believe it holds the
    /// key (its lease's end). The new holder must not lead before then.
    pub previous_until: Time,
}

/// A durable write of the coordination service: the key's new value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyWrite(pub Option<LeaderKey>);

/// The coordination service node.
#[derive(Clone, Debug)]
pub struct Coordinator {
    pub ttl: Time,
    /// The key as stored (it may have expired: see [`Coordinator::live_key`]).
    pub key: Option<LeaderKey>,
    pub directory: Rc<Directory>,
}

type Cx = Context<LabNode>;

impl Coordinator {
    /// The service as the cluster starts: the first leader holds the key for one TTL.
    pub fn new(ttl: Time, leader: NodeId, directory: Rc<Directory>) -> Coordinator {
        Coordinator {
            ttl,
            key: Some(LeaderKey {
                holder: leader,
                term: 1,
                expires: ttl,
                previous_until: Time::ZERO,
            }),
            directory,
        }
    }

    /// The key if it has not expired at `now`.
    pub fn live_key(&self, now: Time) -> Option<LeaderKey> {
        self.key.filter(|k| now < k.expires)
    }

    pub fn on_start(&mut self, cx: &mut Cx) {
        if let Some(key) = self.key {
            if cx.now() > Time::ZERO {
                // Back from a crash: the lease's time to live starts again.
                let key = LeaderKey {
                    expires: cx.now().saturating_add(self.ttl),
                    ..key
                };
                cx.write_durable(KeyWrite(Some(key)).into());
                cx.note(Note::KeyTtlRestarted {
                    holder: self.directory.name(key.holder).to_string(),
                    ttl_ms: self.ttl.as_micros() / 1_000,
                });
                cx.set_timer(Timer::KeyExpiry, self.ttl);
            } else {
                cx.set_timer(Timer::KeyExpiry, key.expires);
            }
        }
    }

    pub fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: Msg) {
        let Msg::SingleLeader(SingleLeaderMsg::AcquireKey {
            term,
            asked_at,
            force,
        }) = msg
        else {
            return;
        };
        let now = cx.now();
        let live = self.live_key(now);
        let granted = force || live.is_none_or(|k| k.holder == from);
        if granted {
            let previous_until = match live {
                // Renewed by its holder: what it was told to wait for still stands.
                Some(k) if k.holder == from => k.previous_until,
                // Taken by force from a live holder: its lease still runs.
                Some(k) => k.expires,
                // Free: every earlier lease has ended.
                None => Time::ZERO,
            };
            let key = LeaderKey {
                holder: from,
                term,
                expires: now.saturating_add(self.ttl),
                previous_until,
            };
            let changed_hands = live.is_none_or(|k| k.holder != from);
            cx.write_durable(KeyWrite(Some(key)).into());
            cx.set_timer(Timer::KeyExpiry, self.ttl);
            if changed_hands {
                cx.note(Note::KeyAcquired {
                    node: self.directory.name(from).to_string(),
                    term,
                });
            }
            cx.send(
                from,
                Msg::SingleLeader(SingleLeaderMsg::KeyAnswer {
                    granted: true,
                    holder: Some(from),
                    term,
                    asked_at,
                    others_ttl: previous_until.saturating_sub(now),
                }),
            );
        } else {
            cx.send(
                from,
                Msg::SingleLeader(SingleLeaderMsg::KeyAnswer {
                    granted: false,
                    holder: live.map(|k| k.holder),
                    term: live.map_or(0, |k| k.term),
                    asked_at,
                    others_ttl: live.map_or(Time::ZERO, |k| k.expires.saturating_sub(now)),
                }),
            );
        }
    }

    pub fn on_timer(&mut self, cx: &mut Cx, timer: Timer) {
        if timer != Timer::KeyExpiry {
            return;
        }
        if let Some(key) = self.key.filter(|k| cx.now() >= k.expires) {
            cx.note(Note::KeyExpired {
                holder: self.directory.name(key.holder).to_string(),
            });
        }
    }

    pub fn apply_durable(&mut self, write: KeyWrite) -> Vec<Note> {
        self.key = write.0;
        Vec::new()
    }
}

/// The coordination service's node name.
pub const COORDINATOR_NAME: &str = "etcd";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Effect;

    /// Asks `service` for the key from `from` at `now` (ms); applies the durable write;
    /// returns (granted, holder, others_ttl in ms) as answered.
    fn ask(service: &mut Coordinator, from: u32, now: u64, force: bool) -> (bool, u32, u64) {
        let mut cx: Cx = Context::new(Time::millis(now), NodeId(9));
        service.on_message(
            &mut cx,
            NodeId(from),
            Msg::SingleLeader(SingleLeaderMsg::AcquireKey {
                term: 2,
                asked_at: Time::millis(now),
                force,
            }),
        );
        let mut answer = None;
        for effect in cx.effects() {
            match effect {
                Effect::Durable(crate::replication::node::Durable::Key(write)) => {
                    service.apply_durable(*write);
                }
                Effect::Send {
                    msg:
                        Msg::SingleLeader(SingleLeaderMsg::KeyAnswer {
                            granted,
                            holder,
                            others_ttl,
                            ..
                        }),
                    ..
                } => {
                    answer = Some((
                        *granted,
                        holder.map_or(99, |h| h.0),
                        others_ttl.as_micros() / 1_000,
                    ))
                }
                _ => {}
            }
        }
        answer.expect("an answer")
    }

    #[test]
    fn the_key_is_granted_only_when_free_or_already_the_askers() {
        let directory = Rc::new(Directory::default());
        let mut service = Coordinator::new(Time::secs(3), NodeId(0), directory);
        assert_eq!(ask(&mut service, 1, 1_000, false), (false, 0, 2_000));
        assert_eq!(ask(&mut service, 0, 2_000, false), (true, 0, 0), "renewed");
        // Renewed at 2 s, so still held at 4.9 s, free at 5 s.
        assert_eq!(ask(&mut service, 1, 4_900, false), (false, 0, 100));
        assert_eq!(ask(&mut service, 1, 5_000, false), (true, 1, 0));
        assert_eq!(
            service.live_key(Time::millis(5_000)).map(|k| k.term),
            Some(2)
        );
    }

    #[test]
    fn a_forced_take_tells_the_new_holder_how_long_the_old_lease_runs() {
        let directory = Rc::new(Directory::default());
        let mut service = Coordinator::new(Time::secs(3), NodeId(0), directory);
        assert_eq!(ask(&mut service, 0, 1_000, false), (true, 0, 0));
        // Node 0's lease runs to 4 s: node 2 gets the key, and is told to wait 3 s.
        assert_eq!(ask(&mut service, 2, 1_000, true), (true, 2, 3_000));
        assert_eq!(ask(&mut service, 0, 1_500, false), (false, 2, 2_500));
        // Renewing does not shorten the wait; after it, nothing is left to wait for.
        assert_eq!(ask(&mut service, 2, 2_000, false), (true, 2, 2_000));
        assert_eq!(ask(&mut service, 2, 4_000, false), (true, 2, 0));
    }
}
