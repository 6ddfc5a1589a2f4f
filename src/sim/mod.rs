//! The simulated world (being written).
