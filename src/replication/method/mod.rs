//! The log methods: how a leader's commits become a replication log and how a follower's
//! database takes them back. One module per method, each with the same five parts:
//! - capture: a commit report (and, for statements, the statements that made it) → the
//!   entry's payload;
//! - apply: a payload → the follower's database;
//! - snapshot: what a base backup copies (pages, or schema and rows) and how it is installed;
//! - render: which tool prints the log (`mysqlbinlog`, `pg_waldump`, `test_decoding`,
//!   `sl_log_1`);
//! - position: where the log starts and how a position is written (an LSN, a binlog offset).
//!
//! [`statement`], [`wal`], [`logical`] and [`trigger`] hold the parts; this module holds the
//! [`Method`] value the configuration carries and the one dispatch from a `Method` to its
//! module, so that the rest of the lab asks a method what it does instead of matching on it.
//!
//! Knows the engine, the log's shapes and the renderings; nothing of servers' roles, the
//! network or the UI. A new method is one more module here and one more arm in each dispatch.

pub mod logical;
pub mod statement;
pub mod trigger;
pub mod wal;

use crate::engine::{CommitReport, Database, Env, FormatVersion, RowChange, StatementReport};

use super::log::{LogEntry, LoggedStatement, Payload};
use super::messages::SnapshotData;
use super::render::RenderOptions;

/// How the leader ships its changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// MySQL `binlog_format=STATEMENT`: the SQL text. With `context_events`, the leader also
    /// logs `SET TIMESTAMP`, `SET INSERT_ID` and the RAND seeds (MySQL's way); without, the
    /// follower re-evaluates everything (naive).
    Statement { context_events: bool },
    /// PostgreSQL physical streaming: page changes with LSNs, replayed byte for byte.
    Wal,
    /// Row images keyed by primary key (MySQL ROW / PostgreSQL logical decoding).
    Logical { image: RowImage },
    /// Slony-style triggers write each change into `sl_log_1` inside the leader's database; a
    /// separate applier node polls it and applies the changes to the followers.
    Trigger,
}

/// MySQL's `binlog_row_image`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RowImage {
    /// All columns in the before and after images.
    Full,
    /// The key in the before image, the changed columns in the after image.
    Minimal,
}

/// Which database's views and tools show a method's log and status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// Statement-based replication (with its ROW fallback and semi-sync) and row-based
    /// replication with the MINIMAL image (`binlog_row_image` is MySQL's): MySQL.
    MySql,
    /// WAL streaming and logical replication (FULL image: `REPLICA IDENTITY FULL`):
    /// PostgreSQL.
    Postgres,
    /// Trigger-based: Slony-I on PostgreSQL.
    Slony,
}

impl Dialect {
    pub fn of(method: Method) -> Dialect {
        method.dialect()
    }
}

/// Pages (or rows) per snapshot chunk.
pub const SNAPSHOT_CHUNK: usize = 2;

/// What capturing one commit gives.
#[derive(Clone, Debug, Default)]
pub struct Capture {
    /// The entry's payload and its byte range in the log, if the commit ships anything.
    pub shipped: Option<(Payload, u64, u64)>,
    /// The commit changed the schema, which this method cannot ship.
    pub ddl_dropped: bool,
}

impl Method {
    /// The short name the UI and the renderings use.
    pub fn name(self) -> &'static str {
        match self {
            Method::Statement {
                context_events: true,
            } => "statement (with context events)",
            Method::Statement {
                context_events: false,
            } => "statement (naive)",
            Method::Wal => "WAL shipping",
            Method::Logical { .. } => "logical (row-based)",
            Method::Trigger => "trigger-based",
        }
    }

    /// Whether the leader streams a log to followers itself (all but trigger-based, whose
    /// log is a table an applier node polls).
    pub fn streams(self) -> bool {
        !self.captures_in_database()
    }

    /// Whether the log is written inside the leader's own database, by triggers, in the
    /// same transaction as each change (Slony's `sl_log_1`), rather than by the server.
    pub fn captures_in_database(self) -> bool {
        matches!(self, Method::Trigger)
    }

    /// Whether DDL travels through the log (statement text and WAL carry it; row images and
    /// triggers cannot see it).
    pub fn carries_ddl(self) -> bool {
        matches!(self, Method::Statement { .. } | Method::Wal)
    }

    /// Whether the log carries pages (physical replication): a follower must then share the
    /// leader's storage format, and a base backup copies pages.
    pub fn ships_pages(self) -> bool {
        matches!(self, Method::Wal)
    }

    /// Whether every table replicates (trigger-based replication only the chosen ones).
    pub fn replicates_every_table(self) -> bool {
        !self.captures_in_database()
    }

    /// Whether a follower is an ordinary database that takes writes and DDL of its own (a
    /// logical or trigger-based subscriber), rather than a read-only replica.
    pub fn subscriber_writable(self) -> bool {
        matches!(self, Method::Logical { .. } | Method::Trigger)
    }

    /// Whether the lab models moving the leader (promotion, failover) under this method: a
    /// Slony origin moves only with `FAILOVER`, which the lab does not model.
    pub fn failover_modelled(self) -> bool {
        !self.captures_in_database()
    }

    /// Whether the lab models adding a follower from a base backup under this method
    /// (subscribing a new Slony node is not modelled).
    pub fn join_modelled(self) -> bool {
        !self.captures_in_database()
    }

    /// Whether the row images identify a row by all its columns (PostgreSQL's `REPLICA
    /// IDENTITY FULL`, which the lab's FULL row image stands for).
    pub fn full_row_identity(self) -> bool {
        self == (Method::Logical {
            image: RowImage::Full,
        })
    }

    /// Whether the lab's servers speak as MySQL under this method (otherwise PostgreSQL):
    /// statement-based replication is MySQL's `binlog_format=STATEMENT`, and the row method
    /// with the MINIMAL image is MySQL's `binlog_format=ROW` with `binlog_row_image=MINIMAL`
    /// (a setting only MySQL has: its after image holds only the changed columns). The row
    /// method with the FULL image stands for PostgreSQL logical replication (`REPLICA
    /// IDENTITY FULL`); WAL shipping and Slony are PostgreSQL's.
    pub fn speaks_mysql(self) -> bool {
        matches!(
            self,
            Method::Statement { .. }
                | Method::Logical {
                    image: RowImage::Minimal
                }
        )
    }

    /// Which database's views and tools show this method.
    pub fn dialect(self) -> Dialect {
        if self.captures_in_database() {
            Dialect::Slony
        } else if self.speaks_mysql() {
            Dialect::MySql
        } else {
            Dialect::Postgres
        }
    }

    // ------------------------------------------------------------------ capture

    /// SQL the leader runs once at setup, after the schema (the trigger method's changelog
    /// table).
    pub fn leader_setup_sql(self) -> Option<&'static str> {
        self.captures_in_database()
            .then_some(trigger::CHANGELOG_DDL)
    }

    /// After a statement ran in a session: keeps what a statement log needs of it in the
    /// connection's buffer (`statements`), logged at commit. Other methods capture from the
    /// commit alone.
    pub fn buffer_statement(
        self,
        report: &StatementReport,
        in_transaction: bool,
        statements: &mut Vec<LoggedStatement>,
    ) {
        if let Method::Statement { context_events } = self {
            statement::buffer(report, context_events, in_transaction, statements);
        }
    }

    /// The warning a client gets with a statement's answer (MySQL's note that a statement is
    /// unsafe for statement-based logging).
    pub fn statement_warning(self, report: &StatementReport) -> Option<String> {
        match self {
            Method::Statement { .. } => statement::warning(report),
            _ => None,
        }
    }

    /// A commit as this method logs it, given the connection's buffered statements and where
    /// the log ends now.
    pub fn capture(
        self,
        commit: &CommitReport,
        statements: Vec<LoggedStatement>,
        log_end: u64,
    ) -> Capture {
        match self {
            Method::Statement { .. } => Capture {
                shipped: statement::capture(statements, log_end),
                ddl_dropped: false,
            },
            Method::Wal => Capture {
                shipped: wal::capture(commit),
                ddl_dropped: false,
            },
            Method::Logical { .. } => logical::capture(commit),
            // The triggers captured it inside the leader's database already.
            Method::Trigger => Capture::default(),
        }
    }

    // ------------------------------------------------------------------ apply

    /// Replays one entry's payload into a follower's database. Returns the row changes
    /// skipped because their row was missing (PostgreSQL's logical apply skips them;
    /// MySQL's, `mysql`, stops).
    pub fn apply(
        self,
        db: &mut Database,
        payload: &Payload,
        env: &mut dyn Env,
        mysql: bool,
    ) -> Result<Vec<RowChange>, String> {
        match payload {
            Payload::Wal(changes) => wal::apply(db, changes),
            Payload::Rows(changes) => {
                let image = match self {
                    Method::Logical { image } => image,
                    _ => RowImage::Full,
                };
                logical::apply(db, changes, image, mysql)
            }
            Payload::Statements(statements) => statement::apply(db, statements, env),
        }
    }

    // ------------------------------------------------------------------ snapshot

    /// A consistent copy of the leader's data for a base backup, in chunks: every page (WAL)
    /// or the schema and every row (the others).
    pub fn snapshot(self, db: &Database) -> Vec<SnapshotData> {
        if self.ships_pages() {
            wal::base_backup(db)
        } else {
            logical::row_copy(db)
        }
    }

    /// A new database built from a whole base backup: its pages replayed, or its schema
    /// (`own_schema` instead, where a follower keeps its own tables and the method does not
    /// carry DDL) run and its rows inserted.
    pub fn install(
        self,
        chunks: Vec<SnapshotData>,
        format: FormatVersion,
        own_schema: Option<&Vec<String>>,
        env: &mut dyn Env,
    ) -> Result<Database, String> {
        // Page chunks are one base backup: replayed together, since a catalog may point at a
        // later page.
        let mut parts: Vec<SnapshotData> = Vec::new();
        for part in chunks {
            match (parts.last_mut(), part) {
                (Some(SnapshotData::Pages(all)), SnapshotData::Pages(more)) => {
                    all.records.extend(more.records);
                    all.end = all.end.max(more.end);
                }
                (_, part) => parts.push(part),
            }
        }
        let mut db = Database::new(format);
        let own_schema = own_schema.filter(|_| !self.carries_ddl());
        for part in parts {
            match part {
                SnapshotData::Pages(pages) => wal::install(&mut db, &pages, format)?,
                SnapshotData::Rows { ddl, rows } => {
                    logical::install(&mut db, ddl, &rows, own_schema, env)?
                }
            }
        }
        Ok(db)
    }

    // ------------------------------------------------------------------ position

    /// Where the log starts on a database that holds `db`: the binlog's first event, or the
    /// end of the database's WAL.
    pub fn log_start(self, db: &Database) -> u64 {
        match self {
            Method::Statement { .. } => statement::log_start(),
            Method::Wal | Method::Logical { .. } | Method::Trigger => wal::log_start(db),
        }
    }

    /// A log position as the method's tool writes it: an LSN (`0/016B3748`) for WAL, logical
    /// and trigger-based (sl_log_1 lives in the leader's PostgreSQL database), a binlog file
    /// and offset (`binlog.000001:1735`) for statements.
    pub fn format_position(self, bytes: u64) -> String {
        match self {
            Method::Statement { .. } => statement::format_position(bytes),
            Method::Wal | Method::Logical { .. } | Method::Trigger => wal::format_position(bytes),
        }
    }

    /// A position as SQL functions and views print it: LSNs unpadded (`0/16B3748`, as in
    /// `pg_stat_replication`; only pg_waldump pads), binlog positions as file:offset.
    pub fn sql_position(self, bytes: u64) -> String {
        match self {
            Method::Statement { .. } => statement::format_position(bytes),
            Method::Wal | Method::Logical { .. } | Method::Trigger => wal::sql_position(bytes),
        }
    }

    // ------------------------------------------------------------------ render

    /// The tool whose output the log view shows.
    pub fn log_tool(self) -> &'static str {
        match self {
            Method::Statement { .. } => statement::LOG_TOOL,
            Method::Wal => wal::LOG_TOOL,
            Method::Logical { image } => logical::log_tool(image),
            Method::Trigger => trigger::LOG_TOOL,
        }
    }

    /// An entry as the tool of its method prints it. The payload decides the family
    /// (statements → mysqlbinlog, WAL → pg_waldump, rows → by method); the method picks the
    /// flavour for rows: logical with the FULL image → PostgreSQL `test_decoding` (`REPLICA
    /// IDENTITY FULL`); with the MINIMAL image → MySQL's `binlog_format=ROW`,
    /// `binlog_row_image=MINIMAL` through `mysqlbinlog -v` (the lab's one rule: MINIMAL is
    /// MySQL's, see [`Method::speaks_mysql`]); trigger → `sl_log_1`; statement (MySQL's MIXED
    /// fallback) → mysqlbinlog ROW events.
    pub fn render(self, entry: &LogEntry, options: &RenderOptions) -> Vec<String> {
        match (&entry.payload, self) {
            (Payload::Statements(_), _) => statement::render(entry, options),
            (Payload::Wal(_), _) => wal::render(entry),
            (Payload::Rows(_), Method::Logical { image }) => logical::render(entry, image, options),
            (Payload::Rows(_), Method::Trigger) => trigger::render(entry),
            (Payload::Rows(_), Method::Statement { .. } | Method::Wal) => {
                statement::render(entry, options)
            }
        }
    }
}
