//! Small text helpers the renderings share: a table-less CRC-32, calendar dates from epoch
//! microseconds (UTC), PostgreSQL's timestamp and interval output, identifier quoting, and
//! splitting of byte ranges over events.
//!
//! Pure functions over numbers and strings: no clock, no engine state, no UI.

use crate::engine::{DataType, Value};

/// CRC-32 (IEEE 802.3, the polynomial zlib, PNG and MySQL's binlog checksums use), computed
/// bit by bit: the renderings checksum a few hundred bytes, a lookup table is not worth it.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

const MICROS_PER_SECOND: i64 = 1_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// A point in time broken down in UTC, proleptic Gregorian calendar (year 0 = 1 BC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CivilTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub micros: u32,
}

/// Breaks epoch microseconds down into a UTC date and time (Howard Hinnant's
/// `civil_from_days`). Total over every `i64`: no overflow, no panic.
pub fn civil_time(micros: i64) -> CivilTime {
    let seconds = micros.div_euclid(MICROS_PER_SECOND);
    let sub = micros.rem_euclid(MICROS_PER_SECOND) as u32;
    let days = seconds.div_euclid(SECONDS_PER_DAY);
    let in_day = seconds.rem_euclid(SECONDS_PER_DAY) as u32;
    // i64::MIN / 86_400e6 days is far from overflowing these i64 operations.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    CivilTime {
        year,
        month,
        day,
        hour: in_day / 3600,
        minute: in_day / 60 % 60,
        second: in_day % 60,
        micros: sub,
    }
}

/// `.104211`, `.5`, or nothing: PostgreSQL drops trailing zeros of fractional seconds.
fn trimmed_fraction(micros: u32) -> String {
    if micros == 0 {
        return String::new();
    }
    let digits = format!("{micros:06}");
    format!(".{}", digits.trim_end_matches('0'))
}

/// A `timestamp without time zone` as PostgreSQL prints it (ISO DateStyle):
/// `2026-11-26 09:31:07.104211`, `2026-11-26 09:31:07`, `0044-03-15 12:00:00 BC`.
pub fn pg_timestamp(micros: i64) -> String {
    let t = civil_time(micros);
    let (year, era) = if t.year <= 0 {
        (1 - t.year, " BC")
    } else {
        (t.year, "")
    };
    format!(
        "{year:04}-{:02}-{:02} {:02}:{:02}:{:02}{}{era}",
        t.month,
        t.day,
        t.hour,
        t.minute,
        t.second,
        trimmed_fraction(t.micros)
    )
}

/// An `interval` of whole microseconds as PostgreSQL prints it: `00:00:00.004123`,
/// `00:00:02`, `27:46:40` (intervals built from microseconds keep hours, not days).
pub fn pg_interval(micros: u64) -> String {
    let seconds = micros / 1_000_000;
    let fraction = (micros % 1_000_000) as u32;
    format!(
        "{:02}:{:02}:{:02}{}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        trimmed_fraction(fraction)
    )
}

/// PostgreSQL's name for a lab column type, as `format_type` prints it.
pub fn pg_type_name(data_type: DataType) -> &'static str {
    match data_type {
        DataType::Integer => "integer",
        DataType::Text => "text",
        DataType::Boolean => "boolean",
        DataType::Timestamp => "timestamp without time zone",
    }
}

/// A value in PostgreSQL's text output form (what `SPI_getvalue` returns, what psql shows):
/// `8`, `pending`, `t`, `2026-11-26 09:31:07.104211`; `None` for NULL.
pub fn pg_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::Integer(i) => Some(i.to_string()),
        Value::Text(s) => Some(s.clone()),
        Value::Boolean(b) => Some(if *b { "t" } else { "f" }.to_string()),
        Value::Timestamp(t) => Some(pg_timestamp(*t)),
    }
}

/// PostgreSQL keywords that `quote_identifier` quotes (reserved, column-name and
/// type-function-name categories; unreserved keywords need no quotes). Sorted.
const PG_QUOTED_KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "national",
    "natural",
    "nchar",
    "none",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

/// An identifier as PostgreSQL's `quote_identifier` writes it: bare when it is lower-case
/// letters, digits and underscores (not starting with a digit) and not a keyword that needs
/// quoting; otherwise in double quotes with `"` doubled.
pub fn pg_quote_ident(ident: &str) -> String {
    let safe = ident
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && ident
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && PG_QUOTED_KEYWORDS.binary_search(&ident).is_err();
    if safe {
        ident.to_string()
    } else {
        format!("\"{}\"", ident.replace('"', "\"\""))
    }
}

/// The inverse of [`pg_quote_ident`]: `"Order ""x"""` → `Order "x"`; a bare name unchanged.
pub fn pg_unquote_ident(text: &str) -> String {
    match text
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    {
        Some(inner) if text.len() >= 2 => inner.replace("\"\"", "\""),
        _ => text.to_string(),
    }
}

/// Splits the byte range `start..end` over events so that each one's end position is known,
/// the positions never decrease, and the last equals `end`.
///
/// Each event is `(natural size, fixed)`. Fixed events (the binlog's Intvar, Rand, Xid have
/// constant sizes in MySQL) keep their natural size when the rest of the range leaves at least
/// a byte to every flexible event; the flexible ones (statement text, row images) share the
/// rest in proportion to their natural sizes. When the range is too small for that, every
/// event gets a proportional share. Returns each event's end position.
pub fn split_range(start: u64, end: u64, events: &[(u64, bool)]) -> Vec<u64> {
    let total = end.saturating_sub(start);
    let fixed: u64 = events.iter().filter(|e| e.1).map(|e| e.0).sum();
    let flexible = events.iter().filter(|e| !e.1).count() as u64;
    let sizes: Vec<u64> = if flexible > 0 && fixed.saturating_add(flexible) <= total {
        let weights: Vec<u64> = events.iter().filter(|e| !e.1).map(|e| e.0).collect();
        let mut shares = proportional(total - fixed, &weights).into_iter();
        events
            .iter()
            .map(|&(size, is_fixed)| {
                if is_fixed {
                    size
                } else {
                    shares.next().unwrap_or(0)
                }
            })
            .collect()
    } else {
        let weights: Vec<u64> = events.iter().map(|e| e.0).collect();
        proportional(total, &weights)
    };
    let mut position = start;
    sizes
        .into_iter()
        .map(|size| {
            position = position.saturating_add(size);
            position
        })
        .collect()
}

/// `total` split in proportion to `weights` (each counted as at least 1), by rounding the
/// running sum down, so the parts add up to `total` exactly.
fn proportional(total: u64, weights: &[u64]) -> Vec<u64> {
    let weights: Vec<u128> = weights.iter().map(|&w| u128::from(w.max(1))).collect();
    let sum: u128 = weights.iter().sum();
    let mut running = 0u128;
    let mut previous = 0u128;
    weights
        .iter()
        .map(|w| {
            running += w;
            let boundary = u128::from(total) * running / sum.max(1);
            let part = boundary - previous;
            previous = boundary;
            part as u64
        })
        .collect()
}

/// Display width of a cell: characters, not bytes (psql counts East Asian wide characters
/// as two columns; the lab does not).
pub fn width(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn civil_time_agrees_with_known_dates() {
        let t = civil_time(1_795_685_467_104_211);
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.minute, t.second, t.micros),
            (2026, 11, 26, 9, 31, 7, 104_211)
        );
        let epoch = civil_time(0);
        assert_eq!((epoch.year, epoch.month, epoch.day), (1970, 1, 1));
        // 2000-02-29 (a leap day in a year divisible by 400).
        let leap = civil_time(951_782_400 * 1_000_000);
        assert_eq!((leap.year, leap.month, leap.day), (2000, 2, 29));
        let before = civil_time(-1);
        assert_eq!(
            (before.year, before.month, before.day, before.hour),
            (1969, 12, 31, 23)
        );
        let _ = civil_time(i64::MIN);
        let _ = civil_time(i64::MAX);
    }

    #[test]
    fn postgres_trims_fractions() {
        assert_eq!(
            pg_timestamp(1_795_685_467_104_211),
            "2026-11-26 09:31:07.104211"
        );
        assert_eq!(pg_timestamp(1_795_685_467_000_000), "2026-11-26 09:31:07");
        assert_eq!(pg_timestamp(1_795_685_467_500_000), "2026-11-26 09:31:07.5");
        assert_eq!(pg_interval(4_123), "00:00:00.004123");
        assert_eq!(pg_interval(0), "00:00:00");
        assert_eq!(pg_interval(100_000_000_000), "27:46:40");
    }

    #[test]
    fn identifiers_quote_like_postgres() {
        assert_eq!(pg_quote_ident("orders"), "orders");
        assert_eq!(pg_quote_ident("Orders"), "\"Orders\"");
        assert_eq!(pg_quote_ident("order"), "\"order\"");
        assert_eq!(pg_quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(pg_quote_ident(""), "\"\"");
        for name in ["orders", "Orders", "a\"b", "", "order", "\""] {
            assert_eq!(pg_unquote_ident(&pg_quote_ident(name)), name);
        }
        assert!(PG_QUOTED_KEYWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn split_range_keeps_fixed_sizes_and_ends_at_the_end() {
        assert_eq!(
            split_range(1735, 1982, &[(32, true), (100, false), (31, true)]),
            vec![1767, 1951, 1982]
        );
        // Too small for the fixed sizes: proportional, still ending at `end`.
        let ends = split_range(10, 20, &[(32, true), (100, false), (31, true)]);
        assert_eq!(ends.last(), Some(&20));
        assert!(ends.windows(2).all(|w| w[0] <= w[1]));
        assert!(split_range(5, 5, &[]).is_empty());
        assert_eq!(split_range(9, 3, &[(1, false)]), vec![9]);
    }
}
