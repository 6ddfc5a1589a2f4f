//! The lab database engine (being written).
