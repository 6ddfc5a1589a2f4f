//! The world's one source of randomness, and integer probabilities.
//!
//! Everything random in the simulation (message jitter, message loss) is drawn from a single
//! [`SimRng`] seeded from the world's `u64` seed, in the order events are processed. Nothing
//! ever draws OS entropy, so the same seed and the same inputs give the same run, natively and
//! on wasm32.
//!
//! Probabilities are integers (parts per million), not floats, so they can be hashed, compared
//! and serialised exactly, and the same draw gives the same answer on every platform.
//!
//! This module knows nothing about nodes, networks or databases.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// A deterministic random number generator (ChaCha8) with the few draws the simulation needs.
#[derive(Clone, Debug)]
pub struct SimRng {
    inner: ChaCha8Rng,
}

impl SimRng {
    /// A generator whose whole future is fixed by `seed`.
    pub fn new(seed: u64) -> SimRng {
        SimRng {
            inner: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// The next raw 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// A uniform integer in `0..bound`; `0` when `bound` is zero (never panics).
    ///
    /// Unbiased: rejects the few draws that would make low values more likely.
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            return 0;
        }
        // Largest multiple of `bound` that fits; draws at or above it are re-drawn.
        let zone = u64::MAX - (u64::MAX % bound);
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % bound;
            }
        }
    }

    /// A uniform integer in `0..=max`.
    pub fn up_to(&mut self, max: u64) -> u64 {
        match max.checked_add(1) {
            Some(bound) => self.below(bound),
            None => self.next_u64(),
        }
    }

    /// `true` with probability `p`. Draws nothing when `p` is never or always, so a loss-free
    /// network does not consume randomness.
    pub fn chance(&mut self, p: Probability) -> bool {
        if p.is_never() {
            return false;
        }
        if p.is_always() {
            return true;
        }
        self.below(Probability::SCALE as u64) < p.per_million() as u64
    }
}

/// Derives an independent seed for a numbered part of the world (e.g. one node) from the
/// world's seed, with the SplitMix64 finaliser. Stable across versions and platforms.
pub fn derive_seed(world_seed: u64, part: u64) -> u64 {
    let mut z = world_seed ^ part.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A probability in parts per million (`0` = never, `1_000_000` = always).
///
/// Values above a million are treated as "always"; constructors clamp them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Probability(u32);

impl Probability {
    /// Parts per million in "always".
    pub const SCALE: u32 = 1_000_000;
    /// Never happens.
    pub const NEVER: Probability = Probability(0);
    /// Always happens.
    pub const ALWAYS: Probability = Probability(Self::SCALE);

    /// `ppm` parts per million, clamped to a million.
    pub const fn per_million_clamped(ppm: u32) -> Probability {
        if ppm > Self::SCALE {
            Probability(Self::SCALE)
        } else {
            Probability(ppm)
        }
    }

    /// `pct` percent, clamped to 100.
    pub const fn percent(pct: u32) -> Probability {
        Self::per_million_clamped(pct.saturating_mul(10_000))
    }

    /// This probability in parts per million.
    pub const fn per_million(self) -> u32 {
        self.0
    }

    /// Whether this is zero.
    pub const fn is_never(self) -> bool {
        self.0 == 0
    }

    /// Whether this is one (or more, if built by deserialising an out-of-range value).
    pub const fn is_always(self) -> bool {
        self.0 >= Self::SCALE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_different_seed_different_stream() {
        let mut a = SimRng::new(7);
        let mut b = SimRng::new(7);
        let mut c = SimRng::new(8);
        let xs: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn below_stays_in_range_and_handles_zero() {
        let mut rng = SimRng::new(1);
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.below(1), 0);
        for _ in 0..1_000 {
            assert!(rng.below(10) < 10);
            assert!(rng.up_to(3) <= 3);
        }
        let _ = rng.up_to(u64::MAX);
    }

    #[test]
    fn chance_extremes_draw_nothing() {
        let mut a = SimRng::new(3);
        let mut b = SimRng::new(3);
        assert!(!a.chance(Probability::NEVER));
        assert!(a.chance(Probability::ALWAYS));
        assert_eq!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn chance_is_roughly_right() {
        let mut rng = SimRng::new(42);
        let hits = (0..100_000)
            .filter(|_| rng.chance(Probability::percent(25)))
            .count();
        assert!((24_000..26_000).contains(&hits), "hits = {hits}");
    }

    #[test]
    fn probability_clamps() {
        assert_eq!(Probability::percent(250), Probability::ALWAYS);
        assert_eq!(
            Probability::per_million_clamped(2_000_000),
            Probability::ALWAYS
        );
        assert_eq!(Probability::percent(1).per_million(), 10_000);
    }

    #[test]
    fn derived_seeds_differ_per_part_and_are_stable() {
        assert_ne!(derive_seed(1, 0), derive_seed(1, 1));
        assert_ne!(derive_seed(1, 0), derive_seed(2, 0));
        assert_eq!(derive_seed(1, 0), derive_seed(1, 0));
    }
}
