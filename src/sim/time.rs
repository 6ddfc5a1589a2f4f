//! Virtual time: the only clock the simulation has.
//!
//! A [`Time`] is a count of simulated microseconds since the world began. The same type is used
//! for points in time ("at 10.450 s") and for lengths of time ("after 150 ms"), which keeps the
//! arithmetic obvious. Nothing here reads the wall clock: time only moves when the world
//! processes an event.
//!
//! All arithmetic saturates instead of overflowing, so a user who asks for an absurd latency
//! gets a message that never arrives (at `Time::MAX`), not a panic.

use core::fmt;
use core::ops::{Add, AddAssign, Sub};

/// A point or a length of virtual time, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub u64);

impl Time {
    /// The beginning of the world, or a zero length.
    pub const ZERO: Time = Time(0);
    /// The end of time; saturated arithmetic lands here.
    pub const MAX: Time = Time(u64::MAX);

    /// `n` microseconds.
    pub const fn micros(n: u64) -> Time {
        Time(n)
    }

    /// `n` milliseconds.
    pub const fn millis(n: u64) -> Time {
        Time(n.saturating_mul(1_000))
    }

    /// `n` seconds.
    pub const fn secs(n: u64) -> Time {
        Time(n.saturating_mul(1_000_000))
    }

    /// This time as microseconds.
    pub const fn as_micros(self) -> u64 {
        self.0
    }

    /// This time as whole milliseconds (rounded down).
    pub const fn as_millis(self) -> u64 {
        self.0 / 1_000
    }

    /// This time as (fractional) seconds, for display and animation only: never feed it back
    /// into the simulation, floats are not part of the deterministic state.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1_000_000.0
    }

    /// `self + other`, stopping at [`Time::MAX`].
    pub const fn saturating_add(self, other: Time) -> Time {
        Time(self.0.saturating_add(other.0))
    }

    /// `self - other`, stopping at [`Time::ZERO`].
    pub const fn saturating_sub(self, other: Time) -> Time {
        Time(self.0.saturating_sub(other.0))
    }
}

impl Add for Time {
    type Output = Time;
    /// Saturating: never panics.
    fn add(self, other: Time) -> Time {
        self.saturating_add(other)
    }
}

impl AddAssign for Time {
    fn add_assign(&mut self, other: Time) {
        *self = self.saturating_add(other);
    }
}

impl Sub for Time {
    type Output = Time;
    /// Saturating: `earlier - later` is zero, never a panic.
    fn sub(self, other: Time) -> Time {
        self.saturating_sub(other)
    }
}

impl fmt::Display for Time {
    /// Seconds with millisecond precision, like `10.450 s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.0 / 1_000;
        write!(f, "{}.{:03} s", millis / 1_000, millis % 1_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_agree() {
        assert_eq!(Time::secs(2), Time::millis(2_000));
        assert_eq!(Time::millis(3), Time::micros(3_000));
        assert_eq!(Time::millis(1_500).as_millis(), 1_500);
        assert_eq!(Time::secs(1).as_micros(), 1_000_000);
    }

    #[test]
    fn displays_seconds_with_milliseconds() {
        assert_eq!(Time::micros(10_450_999).to_string(), "10.450 s");
        assert_eq!(Time::ZERO.to_string(), "0.000 s");
        assert_eq!(Time::millis(7).to_string(), "0.007 s");
    }

    #[test]
    fn arithmetic_saturates() {
        assert_eq!(Time::MAX + Time::secs(1), Time::MAX);
        assert_eq!(Time::millis(1) - Time::secs(1), Time::ZERO);
        assert_eq!(Time::secs(u64::MAX), Time::MAX);
        let mut t = Time::millis(1);
        t += Time::millis(2);
        assert_eq!(t, Time::millis(3));
    }
}
