//! How a cluster replicates: the log method, the acknowledgement policy, the failover rules,
//! and each node's own setup (storage format, clock skew, schema). Plain data, chosen before a
//! run and changed only by inputs, so that a lesson or a link can carry it.
//!
//! Knows nothing of the world or the UI.

use crate::engine::FormatVersion;
use crate::sim::Time;

/// The log method a cluster runs is defined with its behaviour, in [`super::method`].
pub use super::method::{Method, RowImage};
pub use super::multi_leader::config::{MultiLeaderConfig, Resolver, Topology};

/// Whether a cluster under `method` and `ack` speaks as MySQL — its clients are `mysql`, its
/// errors are MySQL's, its sessions REPEATABLE READ: a MySQL method, or semi-sync (an
/// acknowledgement with a timeout, which only MySQL has). The one rule every part of the lab
/// asks; the status and log views follow the method alone ([`Method::speaks_mysql`]) and
/// say so in a `-- lab:` line when semi-sync runs under a PostgreSQL method.
pub fn speaks_mysql(method: Method, ack: &AckPolicy) -> bool {
    method.speaks_mysql() || ack.is_semi_sync()
}

/// How far a standby must have got with a commit before it counts as acknowledged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AckStage {
    /// `remote_write`: received and written (to the OS), not yet flushed.
    Write,
    /// `on`: flushed to the standby's durable log.
    Flush,
    /// `remote_apply`: replayed, so a read on the standby sees it.
    Apply,
}

impl AckStage {
    /// PostgreSQL's `synchronous_commit` value for this stage.
    pub fn setting(self) -> &'static str {
        match self {
            AckStage::Write => "remote_write",
            AckStage::Flush => "on",
            AckStage::Apply => "remote_apply",
        }
    }
}

/// Which standbys must acknowledge (PostgreSQL's `synchronous_standby_names`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StandbySet {
    /// `FIRST n (a, b, ...)`: the first `n` connected standbys in priority order.
    First { count: u32, names: Vec<String> },
    /// `ANY n (a, b, ...)`: any `n` of them (quorum).
    Any { count: u32, names: Vec<String> },
}

impl StandbySet {
    /// The names listed.
    pub fn names(&self) -> &[String] {
        match self {
            StandbySet::First { names, .. } | StandbySet::Any { names, .. } => names,
        }
    }

    /// How many must acknowledge.
    pub fn count(&self) -> u32 {
        match self {
            StandbySet::First { count, .. } | StandbySet::Any { count, .. } => *count,
        }
    }

    /// The setting as PostgreSQL reads it: `FIRST 1 ("follower-1")`. A name that is not a
    /// plain lower-case identifier (a dash, a capital) must be double-quoted, or PostgreSQL
    /// rejects the setting.
    pub fn setting(&self) -> String {
        let (kind, count, names) = match self {
            StandbySet::First { count, names } => ("FIRST", count, names),
            StandbySet::Any { count, names } => ("ANY", count, names),
        };
        let quoted: Vec<String> = names
            .iter()
            .map(|n| {
                let plain = n.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                    && n.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if plain {
                    n.clone()
                } else {
                    format!("\"{}\"", n.replace('"', "\"\""))
                }
            })
            .collect();
        format!("{kind} {count} ({})", quoted.join(", "))
    }
}

/// When a client's commit returns.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AckPolicy {
    /// The leader replies as soon as its own commit is durable.
    Async,
    /// The leader waits until `standbys` reached `stage`. With `timeout` (MySQL semi-sync's
    /// `rpl_semi_sync_source_timeout`), a commit that waited that long returns anyway and the
    /// leader falls back to asynchronous until a standby catches up; without, it waits forever
    /// (PostgreSQL's `SyncRep` wait).
    Sync {
        stage: AckStage,
        standbys: StandbySet,
        timeout: Option<Time>,
    },
}

impl AckPolicy {
    /// MySQL's semi-sync: a synchronous wait with a timeout after which it falls back to
    /// asynchronous.
    pub fn is_semi_sync(&self) -> bool {
        matches!(
            self,
            AckPolicy::Sync {
                timeout: Some(_),
                ..
            }
        )
    }

    /// DDIA's semi-synchronous: one synchronous follower (the first listed), the rest async.
    pub fn semi_sync(first: &str) -> AckPolicy {
        AckPolicy::Sync {
            stage: AckStage::Flush,
            standbys: StandbySet::First {
                count: 1,
                names: vec![first.to_string()],
            },
            timeout: None,
        }
    }

    /// MySQL semi-sync (AFTER_SYNC): any one replica has the event in its relay log; after
    /// `timeout` without an ack the source falls back to async.
    pub fn mysql_semi_sync(names: &[&str], timeout: Time) -> AckPolicy {
        AckPolicy::Sync {
            stage: AckStage::Flush,
            standbys: StandbySet::Any {
                count: 1,
                names: names.iter().map(|n| n.to_string()).collect(),
            },
            timeout: Some(timeout),
        }
    }

    /// Every listed follower must have flushed (fully synchronous).
    pub fn all_sync(names: &[&str]) -> AckPolicy {
        AckPolicy::Sync {
            stage: AckStage::Flush,
            standbys: StandbySet::First {
                count: names.len() as u32,
                names: names.iter().map(|n| n.to_string()).collect(),
            },
            timeout: None,
        }
    }

    /// A PostgreSQL level over `FIRST 1 (first)`.
    pub fn postgres(stage: AckStage, first: &str) -> AckPolicy {
        AckPolicy::Sync {
            stage,
            standbys: StandbySet::First {
                count: 1,
                names: vec![first.to_string()],
            },
            timeout: None,
        }
    }

    /// How the setting reads, e.g. `synchronous_commit = on, synchronous_standby_names = 'FIRST 1 ("follower-1")'`.
    pub fn describe(&self) -> String {
        match self {
            AckPolicy::Async => "asynchronous (synchronous_standby_names = '')".into(),
            AckPolicy::Sync {
                stage,
                standbys,
                timeout,
            } => {
                let mut s = format!(
                    "synchronous_commit = {}, synchronous_standby_names = '{}'",
                    stage.setting(),
                    standbys.setting()
                );
                if let Some(t) = timeout {
                    s.push_str(&format!(
                        ", rpl_semi_sync_source_timeout = {}",
                        t.as_millis()
                    ));
                }
                s
            }
        }
    }
}

/// How a leader failure is handled.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FailoverConfig {
    /// Followers promote one of themselves when the leader is silent this long; `None` means
    /// failover is manual only.
    pub timeout: Option<Time>,
    /// With fencing, the cluster has a coordination service (an etcd-like node) holding a
    /// leader key with a time to live, as Patroni keeps one in etcd: the leader renews it, a
    /// leader that cannot renew it before it expires demotes itself (read-only), and a
    /// follower is promoted only after it acquired the key. Without (no coordination
    /// service), followers elect among themselves and the old leader keeps taking writes:
    /// split brain.
    pub fencing: bool,
    /// The leader key's time to live. Patroni's default is 30 s with a 10 s loop; the lab's
    /// failover timeouts are a few virtual seconds, so its key lives as long as the default
    /// failover timeout, and the leader renews it every third of that.
    pub key_ttl: Time,
}

fn default_key_ttl() -> Time {
    Time::secs(3)
}

impl FailoverConfig {
    /// How often the leader renews its key (Patroni's `loop_wait` is a third of its `ttl`).
    pub fn key_renew_every(&self) -> Time {
        Time::micros((self.key_ttl.as_micros() / 3).max(1))
    }
}

impl Default for FailoverConfig {
    fn default() -> Self {
        FailoverConfig {
            timeout: Some(Time::secs(3)),
            fencing: true,
            key_ttl: default_key_ttl(),
        }
    }
}

/// One database node's own setup.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ServerSpec {
    /// `leader`, `follower-1`, ...
    pub name: String,
    /// The storage-format version its engine runs.
    pub format: FormatVersion,
    /// How far its clock runs ahead of virtual time (microseconds; may be negative).
    pub clock_skew: i64,
    /// Schema SQL run on this node alone before replication starts, for methods that do not
    /// carry DDL. `None` means "the cluster's schema".
    pub schema: Option<Vec<String>>,
    /// Whether it starts as a streaming follower (true), or as an empty spare that joins when
    /// asked (a new follower set up from a snapshot).
    pub starts_streaming: bool,
}

impl ServerSpec {
    pub fn new(name: &str) -> ServerSpec {
        ServerSpec {
            name: name.to_string(),
            format: FormatVersion::V16,
            clock_skew: 0,
            schema: None,
            starts_streaming: true,
        }
    }
}

/// Timings of the simulated servers. Defaults are chosen so that one message takes a few
/// milliseconds and the stages of a commit (write, flush, apply) are visibly apart.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Timings {
    /// How long a follower takes to flush what it wrote.
    pub flush_delay: Time,
    /// How long a follower takes to replay what it flushed.
    pub apply_delay: Time,
    /// How often the leader sends a keepalive when idle.
    pub keepalive: Time,
    /// How long the leader waits for a standby's reply before dropping its stream
    /// (`wal_sender_timeout`); a dropped standby no longer counts for acknowledgements.
    pub sender_timeout: Time,
    /// How often the leader checkpoints (the next change to each page logs a full-page image).
    pub checkpoint_every: Time,
    /// How long copying one page (or one row) of a snapshot takes.
    pub snapshot_per_page: Time,
    /// How often the trigger applier polls the leader's changelog.
    pub applier_poll: Time,
    /// How long a stalled logical follower waits before retrying (PostgreSQL: 5 s).
    pub apply_retry: Time,
    /// MySQL's `innodb_lock_wait_timeout`: a statement waiting this long for a row lock fails
    /// with ERROR 1205 and only it is rolled back (`innodb_rollback_on_timeout=OFF`, the
    /// default), the transaction stays open. InnoDB's default is 50 s, kept here; the lab's
    /// runs last a few virtual seconds, so a lesson that wants to show the timeout sets it
    /// lower. PostgreSQL's `lock_timeout` is 0 (off) by default: its sessions wait forever.
    pub innodb_lock_wait_timeout: Time,
}

fn default_lock_wait_timeout() -> Time {
    Time::secs(50)
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            flush_delay: Time::millis(6),
            apply_delay: Time::millis(8),
            keepalive: Time::millis(500),
            sender_timeout: Time::millis(1_500),
            checkpoint_every: Time::secs(30),
            snapshot_per_page: Time::millis(25),
            applier_poll: Time::millis(200),
            apply_retry: Time::secs(5),
            innodb_lock_wait_timeout: default_lock_wait_timeout(),
        }
    }
}

/// Everything a cluster is built from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClusterConfig {
    pub method: Method,
    pub ack: AckPolicy,
    pub failover: FailoverConfig,
    pub timings: Timings,
    /// The first server leads; the rest follow (or wait as spares).
    pub servers: Vec<ServerSpec>,
    /// Client names; each sends its SQL to the leader.
    pub clients: Vec<String>,
    /// Schema SQL run before the run starts (on the leader, and for methods that do not
    /// carry DDL, on every follower too unless its spec says otherwise).
    pub schema: Vec<String>,
    /// For trigger-based replication: the tables the triggers capture.
    pub replicated_tables: Vec<String>,
    /// Set for a multi-leader cluster (every server a leader); absent for single-leader.
    pub multi_leader: Option<MultiLeaderConfig>,
}

impl ClusterConfig {
    /// The cluster the page opens with: a leader, two followers, two clients (so transactions
    /// can interleave), and an empty spare (`follower-3`) that can join from a snapshot —
    /// under statement-based replication that is also how a follower comes to store rows in
    /// another order.
    pub fn lab_default(method: Method) -> ClusterConfig {
        let mut config = ClusterConfig::standard(method, 2);
        config.clients.push("client-2".into());
        let mut spare = ServerSpec::new("follower-3");
        spare.starts_streaming = false;
        config.servers.push(spare);
        config
    }

    /// A multi-leader cluster: `leaders` leaders (2 or 3, one per datacenter: `leader-a`,
    /// `leader-b`, `leader-c`), a client beside each (`client-a`…), the orders table,
    /// replicating row changes between them (PostgreSQL's logical replication) as `multi`
    /// says. No failover: every server leads already.
    pub fn multi_leader(leaders: u32, multi: MultiLeaderConfig) -> ClusterConfig {
        use super::multi_leader::cluster::{CLIENT_NAMES, LEADER_NAMES};
        let leaders = (leaders as usize).clamp(2, LEADER_NAMES.len());
        let mut config = ClusterConfig::standard(
            Method::Logical {
                image: RowImage::Full,
            },
            0,
        );
        config.servers = LEADER_NAMES[..leaders]
            .iter()
            .map(|name| ServerSpec::new(name))
            .collect();
        config.clients = CLIENT_NAMES[..leaders]
            .iter()
            .map(|name| name.to_string())
            .collect();
        config.failover.timeout = None;
        config.failover.fencing = false;
        config.multi_leader = Some(multi);
        config
    }

    /// A leader and `followers` followers, one client, the orders table.
    pub fn standard(method: Method, followers: u32) -> ClusterConfig {
        let mut servers = vec![ServerSpec::new("leader")];
        for i in 1..=followers {
            servers.push(ServerSpec::new(&format!("follower-{i}")));
        }
        ClusterConfig {
            method,
            ack: AckPolicy::Async,
            failover: FailoverConfig {
                // Slony moves its origin only when told to (FAILOVER): no automatic failover.
                timeout: method.failover_modelled().then_some(Time::secs(3)),
                fencing: true,
                key_ttl: default_key_ttl(),
            },
            timings: Timings::default(),
            servers,
            clients: vec!["client-1".into()],
            schema: vec![
                "CREATE TABLE orders (id INTEGER PRIMARY KEY AUTO_INCREMENT, status TEXT NOT NULL, \
                 note TEXT, created_at TIMESTAMP DEFAULT NOW())"
                    .into(),
            ],
            replicated_tables: vec!["orders".into()],
            multi_leader: None,
        }
    }
}
