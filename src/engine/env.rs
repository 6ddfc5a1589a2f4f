//! Where nondeterminism comes from: the caller's [`Env`] (the node's clock and its seeded
//! random generator), and the [`ExecOptions`] overrides a statement-based follower replays
//! with. Also MySQL's RAND() generator, seeded from two values drawn at statement start.
//!
//! The engine never reads the wall clock or OS entropy: everything comes in through here.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// The node's clock and randomness as the caller provides them.
pub trait Env {
    /// The node's current time in microseconds since the Unix epoch (virtual time plus skew).
    fn now_micros(&mut self) -> i64;
    /// The next value of the node's own seeded generator.
    fn random_u64(&mut self) -> u64;
}

/// A simple deterministic [`Env`]: a clock that advances by `tick_micros` each time it is read
/// and a ChaCha8 generator seeded from `seed`. Handy for tests and for the UI's scratch pad.
#[derive(Clone, Debug)]
pub struct SeededEnv {
    pub clock_micros: i64,
    pub tick_micros: i64,
    rng: ChaCha8Rng,
}

impl SeededEnv {
    pub fn new(seed: u64, start_micros: i64) -> SeededEnv {
        SeededEnv {
            clock_micros: start_micros,
            tick_micros: 1_000,
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }
}

impl Env for SeededEnv {
    fn now_micros(&mut self) -> i64 {
        let t = self.clock_micros;
        self.clock_micros = self.clock_micros.saturating_add(self.tick_micros);
        t
    }

    fn random_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }
}

/// Context values a statement-based follower replays with, as MySQL's binary log carries
/// `SET TIMESTAMP`, `SET INSERT_ID` and `SET @@RAND_SEED1/2`. UUID() and the order rows are
/// visited in are deliberately not covered: they still diverge.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExecOptions {
    /// Use this instead of the node's clock for NOW() and DEFAULT NOW().
    pub timestamp: Option<i64>,
    /// The first auto-increment id to hand out (later ones follow consecutively).
    pub insert_id: Option<i64>,
    /// Seeds for RAND() instead of drawing them from the node's generator.
    pub rand_seeds: Option<(u64, u64)>,
}

/// What RAND() returns: the lab has no floating-point type, so RAND() yields an INTEGER from
/// 0 to `RAND_SCALE - 1` (read it as millionths of MySQL's 0..1 value).
pub const RAND_SCALE: i64 = 1_000_000;

/// MySQL's `my_rnd`: two seeds, each step mixes them. Same seeds, same sequence.
#[derive(Clone, Debug)]
pub(crate) struct MysqlRand {
    seed1: u64,
    seed2: u64,
}

const RAND_MAX_VALUE: u64 = 0x3FFF_FFFF;

impl MysqlRand {
    pub fn new(seed1: u64, seed2: u64) -> MysqlRand {
        MysqlRand {
            seed1: seed1 % RAND_MAX_VALUE,
            seed2: seed2 % RAND_MAX_VALUE,
        }
    }

    /// The next value in `0..RAND_SCALE`.
    pub fn next(&mut self) -> i64 {
        self.seed1 = (self.seed1 * 3 + self.seed2) % RAND_MAX_VALUE;
        self.seed2 = (self.seed1 + self.seed2 + 33) % RAND_MAX_VALUE;
        (self.seed1 as i64) * RAND_SCALE / (RAND_MAX_VALUE as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_env() {
        let mut a = SeededEnv::new(7, 100);
        let mut b = SeededEnv::new(7, 100);
        assert_eq!(a.random_u64(), b.random_u64());
        assert_eq!(a.now_micros(), 100);
        assert_eq!(a.now_micros(), 1_100);
        assert_ne!(
            SeededEnv::new(8, 0).random_u64(),
            SeededEnv::new(7, 0).random_u64()
        );
    }

    #[test]
    fn mysql_rand_is_a_reproducible_sequence_in_range() {
        let mut a = MysqlRand::new(u64::MAX, 12345);
        let mut b = MysqlRand::new(u64::MAX, 12345);
        for _ in 0..1000 {
            let x = a.next();
            assert_eq!(x, b.next());
            assert!((0..RAND_SCALE).contains(&x));
        }
    }
}
