//! The settings a person picks in the header, as plain values: the replication method and
//! the acknowledgement level, each with the words the UI shows and the core value it stands
//! for. Knows nothing of the DOM.

use replication_lab::replication::config::{AckPolicy, AckStage, Method, RowImage};
use replication_lab::sim::Time;

/// The follower the synchronous levels wait for.
pub const SYNC_STANDBY: &str = "follower-1";

/// A replication method as the header offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodChoice {
    StatementNaive,
    StatementContext,
    Wal,
    LogicalFull,
    LogicalMinimal,
    Trigger,
}

impl MethodChoice {
    pub const ALL: [MethodChoice; 6] = [
        MethodChoice::StatementNaive,
        MethodChoice::StatementContext,
        MethodChoice::Wal,
        MethodChoice::LogicalFull,
        MethodChoice::LogicalMinimal,
        MethodChoice::Trigger,
    ];

    pub fn method(self) -> Method {
        match self {
            MethodChoice::StatementNaive => Method::Statement {
                context_events: false,
            },
            MethodChoice::StatementContext => Method::Statement {
                context_events: true,
            },
            MethodChoice::Wal => Method::Wal,
            MethodChoice::LogicalFull => Method::Logical {
                image: RowImage::Full,
            },
            MethodChoice::LogicalMinimal => Method::Logical {
                image: RowImage::Minimal,
            },
            MethodChoice::Trigger => Method::Trigger,
        }
    }

    /// The choice that stands for `method`.
    pub fn of(method: Method) -> MethodChoice {
        MethodChoice::ALL
            .into_iter()
            .find(|c| c.method() == method)
            .unwrap_or(MethodChoice::Wal)
    }

    pub fn label(self) -> &'static str {
        match self {
            MethodChoice::StatementNaive => "Statement (naive)",
            MethodChoice::StatementContext => "Statement + context",
            MethodChoice::Wal => "WAL",
            MethodChoice::LogicalFull => "Logical FULL",
            MethodChoice::LogicalMinimal => "Row MINIMAL (MySQL)",
            MethodChoice::Trigger => "Trigger",
        }
    }

    /// A stable key for the `<select>`'s values.
    pub fn key(self) -> &'static str {
        match self {
            MethodChoice::StatementNaive => "statement-naive",
            MethodChoice::StatementContext => "statement-context",
            MethodChoice::Wal => "wal",
            MethodChoice::LogicalFull => "logical-full",
            MethodChoice::LogicalMinimal => "logical-minimal",
            MethodChoice::Trigger => "trigger",
        }
    }

    pub fn from_key(key: &str) -> Option<MethodChoice> {
        MethodChoice::ALL.into_iter().find(|c| c.key() == key)
    }
}

/// An acknowledgement level as the header offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckChoice {
    Async,
    SemiSync,
    RemoteWrite,
    On,
    RemoteApply,
}

impl AckChoice {
    pub const ALL: [AckChoice; 5] = [
        AckChoice::Async,
        AckChoice::SemiSync,
        AckChoice::RemoteWrite,
        AckChoice::On,
        AckChoice::RemoteApply,
    ];

    pub fn policy(self) -> AckPolicy {
        match self {
            AckChoice::Async => AckPolicy::Async,
            // MySQL's semi-sync: any one replica, falling back to async after 10 s.
            AckChoice::SemiSync => {
                AckPolicy::mysql_semi_sync(&[SYNC_STANDBY, "follower-2"], Time::secs(10))
            }
            AckChoice::RemoteWrite => AckPolicy::postgres(AckStage::Write, SYNC_STANDBY),
            AckChoice::On => AckPolicy::postgres(AckStage::Flush, SYNC_STANDBY),
            AckChoice::RemoteApply => AckPolicy::postgres(AckStage::Apply, SYNC_STANDBY),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AckChoice::Async => "async",
            AckChoice::SemiSync => "semi-sync",
            AckChoice::RemoteWrite => "remote_write",
            AckChoice::On => "on",
            AckChoice::RemoteApply => "remote_apply",
        }
    }

    /// What the commit waits for, in a few words.
    pub fn explanation(self) -> &'static str {
        match self {
            AckChoice::Async => "live: commits return at once",
            AckChoice::SemiSync => "live: waits for 1 replica, 10 s timeout",
            AckChoice::RemoteWrite => "live: waits for follower-1 to write",
            AckChoice::On => "live: waits for follower-1 to flush",
            AckChoice::RemoteApply => "live: waits for follower-1 to replay",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            AckChoice::Async => "async",
            AckChoice::SemiSync => "semi-sync",
            AckChoice::RemoteWrite => "remote_write",
            AckChoice::On => "on",
            AckChoice::RemoteApply => "remote_apply",
        }
    }

    pub fn from_key(key: &str) -> Option<AckChoice> {
        AckChoice::ALL.into_iter().find(|c| c.key() == key)
    }
}
