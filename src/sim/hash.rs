//! A small portable hash (FNV-1a-64 based) for fingerprinting traces.
//!
//! `std`'s default hasher is randomly keyed and may change between releases, so it cannot
//! fingerprint a run. [`StableHasher`] is FNV-1a-64 with two deliberate choices:
//!
//! * **Portable integers.** Every integer, whatever its width, is widened to a `u64`, and —
//!   the important part — `usize`/`isize` too. `#[derive(Hash)]` feeds collection lengths as
//!   `usize` and enum discriminants as `isize`; with this hasher they hash identically on 64-bit
//!   hosts and on 32-bit wasm32, so a trace hash computed natively equals the one computed in
//!   the browser.
//! * **Word at a time.** Byte slices (`write`, used by `str` and `[u8]`) are folded byte by
//!   byte exactly as FNV-1a (so the published test vectors hold), but an integer is folded as
//!   one 64-bit word: xor, multiply by the FNV prime, then xor the high half into the low half.
//!   Hashing traces is the simulator's hottest path, and this is about 8x fewer dependent
//!   multiplications than feeding eight bytes; the xor-shift lets high input bits reach the low
//!   output bits, which plain word-wise FNV would not.
//!
//! This module knows nothing about what it hashes.

use core::hash::{Hash, Hasher};

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a-64, portable between 32- and 64-bit targets (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StableHasher {
    state: u64,
}

impl Default for StableHasher {
    fn default() -> Self {
        StableHasher::new()
    }
}

impl StableHasher {
    /// A hasher in FNV's initial state.
    pub const fn new() -> StableHasher {
        StableHasher {
            state: FNV_OFFSET_BASIS,
        }
    }

    /// A hasher that continues from an earlier [`Hasher::finish`] value, so a running hash can
    /// be extended one item at a time.
    pub const fn resume(state: u64) -> StableHasher {
        StableHasher { state }
    }
}

impl Hasher for StableHasher {
    fn finish(&self) -> u64 {
        self.state
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut state = self.state;
        for &byte in bytes {
            state ^= u64::from(byte);
            state = state.wrapping_mul(FNV_PRIME);
        }
        self.state = state;
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }
    fn write_u16(&mut self, n: u16) {
        self.write_u64(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    /// One word: xor, multiply, fold the high half down (see the module docs).
    #[inline]
    fn write_u64(&mut self, n: u64) {
        let state = (self.state ^ n).wrapping_mul(FNV_PRIME);
        self.state = state ^ (state >> 32);
    }
    fn write_u128(&mut self, n: u128) {
        self.write_u64(n as u64);
        self.write_u64((n >> 64) as u64);
    }
    /// Written as a `u64`: the same on 32- and 64-bit targets.
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_i8(&mut self, n: i8) {
        self.write_u8(n as u8);
    }
    fn write_i16(&mut self, n: i16) {
        self.write_u16(n as u16);
    }
    fn write_i32(&mut self, n: i32) {
        self.write_u32(n as u32);
    }
    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
    fn write_i128(&mut self, n: i128) {
        self.write_u128(n as u128);
    }
    /// Written as an `i64`: the same on 32- and 64-bit targets (derived enum discriminants
    /// arrive here).
    fn write_isize(&mut self, n: isize) {
        self.write_i64(n as i64);
    }
}

/// The portable hash of one value.
pub fn stable_hash<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = StableHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_published_fnv1a_vectors() {
        let fnv = |bytes: &[u8]| {
            let mut h = StableHasher::new();
            h.write(bytes);
            h.finish()
        };
        assert_eq!(fnv(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn usize_hashes_like_u64() {
        let mut a = StableHasher::new();
        a.write_usize(12345);
        let mut b = StableHasher::new();
        b.write_u64(12345);
        assert_eq!(a.finish(), b.finish());
        let mut c = StableHasher::new();
        c.write_u32(12345);
        assert_eq!(a.finish(), c.finish());
        assert_eq!(stable_hash(&vec![1u8, 2]), {
            let mut h = StableHasher::new();
            h.write_u64(2);
            h.write(&[1, 2]);
            h.finish()
        });
    }

    #[test]
    fn high_bits_of_a_word_reach_the_low_bits() {
        let low = |n: u64| stable_hash(&n) & 0xffff_ffff;
        assert_ne!(low(0), low(1 << 63));
        assert_ne!(low(0), low(1 << 40));
    }

    #[test]
    fn resume_continues_a_running_hash() {
        let mut whole = StableHasher::new();
        whole.write(b"foo");
        whole.write(b"bar");
        let mut first = StableHasher::new();
        first.write(b"foo");
        let mut second = StableHasher::resume(first.finish());
        second.write(b"bar");
        assert_eq!(whole.finish(), second.finish());
    }

    #[test]
    fn derived_enum_hash_is_pinned() {
        // Pins the value so a change in how derives feed the hasher would be noticed; the same
        // number must come out on wasm32.
        #[derive(Hash)]
        enum Shape {
            #[allow(dead_code)]
            Dot,
            Line(u32, String),
        }
        let h = stable_hash(&Shape::Line(7, "x".to_string()));
        assert_eq!(h, 0x1c25_6eca_8474_0554, "got {h:#x}");
        assert_ne!(h, stable_hash(&Shape::Line(8, "x".to_string())));
    }
}
