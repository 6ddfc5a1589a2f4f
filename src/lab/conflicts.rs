//! The conflicts a multi-leader cluster met, as plain data for the page: where and when each
//! was detected, the row, every version involved (which leader wrote it, when by that
//! leader's clock, what it held), what the resolver did, and which writes it threw away.
//!
//! It must not know how anything is drawn.

use crate::replication::multi_leader::state::{Conflict, Resolution};
use crate::replication::multi_leader::version::RowVersion;
use crate::replication::node::LabNode;
use crate::replication::render::status::pg_timestamptz;
use crate::replication::server::Server;
use crate::sim::World;
use crate::view::Micros;

/// One version of the row in a conflict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionLine {
    /// `leader-b #2`: the write, by its origin and number.
    pub write: String,
    /// When it committed by its origin's clock (skew included), as PostgreSQL prints it.
    pub committed: String,
    /// The row it left: `(1, 'paid', NULL)`, or `deleted`.
    pub row: String,
    /// What it had seen, as a version vector: `[1:2, 2:1]`.
    pub seen: String,
}

/// One conflict, as the page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConflictLine {
    /// When it was detected (virtual µs).
    pub at: Micros,
    /// The leader that detected it.
    pub node: String,
    /// PostgreSQL 18's name for it (`update_origin_differs`…).
    pub kind: &'static str,
    pub table: String,
    pub key: String,
    /// The versions the leader had (several when siblings were kept).
    pub local: Vec<VersionLine>,
    /// The version that arrived.
    pub remote: VersionLine,
    /// What the resolver did, in words.
    pub resolution: String,
    /// The writes it threw away.
    pub lost: Vec<String>,
}

fn version_line(server: &Server, v: &RowVersion) -> VersionLine {
    VersionLine {
        write: server.dot_name(v.dot),
        committed: pg_timestamptz(v.commit_ts),
        row: match &v.image {
            Some(values) => {
                let cells: Vec<String> = values.iter().map(|c| c.to_sql()).collect();
                format!("({})", cells.join(", "))
            }
            None => "deleted".into(),
        },
        seen: v.seen.text(),
    }
}

pub(crate) fn resolution_words(server: &Server, c: &Conflict) -> String {
    let remote = server.dot_name(c.remote.dot);
    let resolver = server
        .config
        .multi_leader
        .as_ref()
        .map_or("", |m| m.resolver.label());
    match &c.resolution {
        Resolution::KeptRemote if c.lost.is_empty() => format!("{resolver}: kept {remote}"),
        Resolution::KeptRemote => {
            let lost: Vec<String> = c.lost.iter().map(|d| server.dot_name(*d)).collect();
            format!("{resolver}: kept {remote}, discarded {}", lost.join(", "))
        }
        Resolution::KeptLocal => {
            let kept: Vec<String> = c
                .local
                .iter()
                .filter(|v| !c.lost.contains(&v.dot))
                .map(|v| server.dot_name(v.dot))
                .collect();
            format!("{resolver}: kept {}, discarded {remote}", kept.join(", "))
        }
        Resolution::Merged => format!("{resolver}: text columns joined"),
        Resolution::Siblings { shown } => format!(
            "{resolver}: {} versions kept; the table shows {}",
            c.local.len() + 1,
            server.dot_name(*shown)
        ),
        Resolution::Skipped => "skipped: the row is not here (PostgreSQL skips the change)".into(),
    }
}

/// Every conflict every leader detected, in the order they were detected.
pub fn conflicts(world: &World<LabNode>) -> Vec<ConflictLine> {
    let mut lines = Vec::new();
    for node in world.nodes() {
        let Some(server) = node.process.as_server() else {
            continue;
        };
        for c in server.disk.multi.conflicts.iter() {
            lines.push(ConflictLine {
                at: c.at.as_micros(),
                node: node.name.to_string(),
                kind: c.kind.name(),
                table: c.table.clone(),
                key: c.key.to_string(),
                local: c.local.iter().map(|v| version_line(server, v)).collect(),
                remote: version_line(server, &c.remote),
                resolution: resolution_words(server, c),
                lost: c.lost.iter().map(|d| server.dot_name(*d)).collect(),
            });
        }
    }
    lines.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.node.cmp(&b.node)));
    lines
}
