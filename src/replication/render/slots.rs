//! PostgreSQL's replication slots and subscription views (filled in by the next commit).
