//! Human-readable forms of engine values: timestamps (`2026-11-26 09:31:07.104211`), UUIDs,
//! and SQL literals. Pure text conversions; no knowledge of storage or execution.

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since 1970-01-01 (`days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Formats microseconds since the Unix epoch as `YYYY-MM-DD HH:MM:SS.ffffff`.
pub fn format_timestamp(micros: i64) -> String {
    let days = micros.div_euclid(MICROS_PER_DAY);
    let in_day = micros.rem_euclid(MICROS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let secs = in_day / 1_000_000;
    let frac = in_day % 1_000_000;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{frac:06}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Parses `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD HH:MM:SS.ffffff` (a `T` may
/// separate date and time). Returns `None` for anything else, never panics.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, time) = match text.find([' ', 'T']) {
        Some(i) => (&text[..i], Some(text[i + 1..].trim())),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let y: i64 = digits(parts.next()?, 4)?;
    let m = digits(parts.next()?, 2)? as u32;
    let d = digits(parts.next()?, 2)? as u32;
    if parts.next().is_some() || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    let mut micros_in_day = 0i64;
    if let Some(time) = time {
        let (hms, frac) = match time.split_once('.') {
            Some((a, b)) => (a, Some(b)),
            None => (time, None),
        };
        let mut t = hms.split(':');
        let h = digits(t.next()?, 2)?;
        let mi = digits(t.next()?, 2)?;
        let s = match t.next() {
            Some(s) => digits(s, 2)?,
            None => 0,
        };
        if t.next().is_some() || h > 23 || mi > 59 || s > 59 {
            return None;
        }
        let mut us = 0i64;
        if let Some(frac) = frac {
            if frac.is_empty() || frac.len() > 6 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            us = frac.parse::<i64>().ok()? * 10i64.pow(6 - frac.len() as u32);
        }
        micros_in_day = ((h * 60 + mi) * 60 + s) * 1_000_000 + us;
    }
    days_from_civil(y, m, d)
        .checked_mul(MICROS_PER_DAY)?
        .checked_add(micros_in_day)
}

fn digits(s: &str, len: usize) -> Option<i64> {
    if s.len() != len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A version-4 UUID in the usual 8-4-4-4-12 form, built from two random words.
pub fn format_uuid(high: u64, low: u64) -> String {
    // Set the version (4) and variant (10xx) bits as RFC 9562 asks.
    let high = (high & !0xF000) | 0x4000;
    let low = (low & !(0xC000_0000_0000_0000)) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xFFFF,
        high & 0xFFFF,
        low >> 48,
        low & 0xFFFF_FFFF_FFFF
    )
}

/// `text` as a SQL string literal: quoted, with `'` doubled.
pub fn quote_text(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_the_example_timestamp() {
        let t = parse_timestamp("2026-11-26 09:31:07.104211").unwrap();
        assert_eq!(format_timestamp(t), "2026-11-26 09:31:07.104211");
        assert_eq!(format_timestamp(0), "1970-01-01 00:00:00.000000");
        assert_eq!(format_timestamp(-1), "1969-12-31 23:59:59.999999");
    }

    #[test]
    fn parses_dates_and_rejects_garbage() {
        assert_eq!(parse_timestamp("1970-01-02"), Some(MICROS_PER_DAY));
        assert_eq!(parse_timestamp("1970-01-01T00:00:01.5"), Some(1_500_000));
        for bad in [
            "",
            "2026-13-01",
            "2026-02-30",
            "abc",
            "2026-01-01 25:00",
            "9999999-01-01",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn extreme_timestamps_format_without_panicking() {
        let _ = format_timestamp(i64::MIN);
        let _ = format_timestamp(i64::MAX);
    }

    #[test]
    fn uuid_has_version_and_variant() {
        let u = format_uuid(u64::MAX, u64::MAX);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_eq!(&u[19..20], "b");
    }
}
