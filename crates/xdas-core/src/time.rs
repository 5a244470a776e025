//! Times: [`Datetime`] (ns since the Unix epoch) and [`Timedelta`] (ns), like numpy's
//! `datetime64[ns]` / `timedelta64[ns]`.
//!
//! All times in xdas-rs are UTC and stored as `i64` nanoseconds, which covers the years
//! 1678–2262 exactly as numpy does. Parsing and formatting use ISO-8601 at nanosecond
//! precision (through `jiff`).

use crate::error::{Error, Result};
use std::fmt;
use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub, SubAssign};
use std::str::FromStr;

/// A point in time: nanoseconds since 1970-01-01T00:00:00 UTC.
///
/// ```
/// use xdas_core::Datetime;
/// let t: Datetime = "2023-01-01T00:00:05.98".parse().unwrap();
/// assert_eq!(t.ns(), 1_672_531_205_980_000_000);
/// assert_eq!(t.to_string(), "2023-01-01T00:00:05.980000000");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Datetime(i64);

/// A signed duration in nanoseconds.
///
/// ```
/// use xdas_core::Timedelta;
/// let dt = Timedelta::from_seconds(0.02);
/// assert_eq!(dt.ns(), 20_000_000);
/// assert_eq!(dt.as_seconds(), 0.02);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Timedelta(i64);

impl Datetime {
    /// The Unix epoch.
    pub const EPOCH: Datetime = Datetime(0);

    /// From nanoseconds since the epoch.
    pub const fn from_ns(ns: i64) -> Self {
        Datetime(ns)
    }

    /// Nanoseconds since the epoch.
    pub const fn ns(self) -> i64 {
        self.0
    }

    /// Parse an ISO-8601 string: `2023-01-01`, `2023-01-01T00:00:00`, a space instead of
    /// `T`, up to nine fractional digits, and an optional `Z` or `±hh:mm` offset (converted
    /// to UTC). Strings without an offset are taken as UTC, as numpy does.
    pub fn parse(s: &str) -> Result<Self> {
        let err = |reason: String| Error::Parse {
            input: s.to_string(),
            what: "an ISO-8601 datetime",
            reason,
        };
        let text = s.trim();
        let has_offset = text.ends_with('Z')
            || text.ends_with('z')
            || text
                .rfind(['+', '-'])
                .is_some_and(|p| p > 10 && text[p..].contains(':'));
        let nanos: i128 = if has_offset {
            let ts: jiff::Timestamp = text.parse().map_err(|e: jiff::Error| err(e.to_string()))?;
            ts.as_nanosecond()
        } else {
            let civil: jiff::civil::DateTime = match text.parse() {
                Ok(dt) => dt,
                Err(e) => {
                    let date: jiff::civil::Date = text
                        .parse()
                        .map_err(|_: jiff::Error| err((e as jiff::Error).to_string()))?;
                    date.to_datetime(jiff::civil::Time::midnight())
                }
            };
            jiff::tz::TimeZone::UTC
                .to_timestamp(civil)
                .map_err(|e| err(e.to_string()))?
                .as_nanosecond()
        };
        i64::try_from(nanos)
            .map(Datetime)
            .map_err(|_| err("outside the datetime64[ns] range (1678-2262)".into()))
    }

    /// ISO-8601 with nine fractional digits and no time zone (UTC), like numpy's
    /// `str(np.datetime64(x, "ns"))`.
    pub fn to_iso(self) -> String {
        let secs = self.0.div_euclid(1_000_000_000);
        let sub = self.0.rem_euclid(1_000_000_000);
        // i64 seconds of a datetime64[ns] are always inside jiff's range.
        let ts = jiff::Timestamp::from_second(secs).expect("datetime64[ns] range fits jiff");
        let dt = jiff::tz::TimeZone::UTC.to_datetime(ts);
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second(),
            sub
        )
    }
}

impl Timedelta {
    /// Zero duration.
    pub const ZERO: Timedelta = Timedelta(0);

    /// From nanoseconds.
    pub const fn from_ns(ns: i64) -> Self {
        Timedelta(ns)
    }

    /// Nanoseconds.
    pub const fn ns(self) -> i64 {
        self.0
    }

    /// From (float) seconds, rounded to the nearest nanosecond, ties to even — the
    /// conversion xdas applies to numeric tolerances on datetime axes
    /// (`timedelta64(round(tol * 1e9), "ns")`).
    pub fn from_seconds(seconds: f64) -> Self {
        Timedelta((seconds * 1e9).round_ties_even() as i64)
    }

    /// As float seconds.
    pub fn as_seconds(self) -> f64 {
        self.0 as f64 / 1e9
    }

    /// Absolute value.
    pub const fn abs(self) -> Self {
        Timedelta(self.0.abs())
    }

    /// Parse an ISO-8601 duration (`PT0.02S`) or a friendly one (`20ms`, `1.5s`).
    pub fn parse(s: &str) -> Result<Self> {
        let d: jiff::SignedDuration = s.trim().parse().map_err(|e: jiff::Error| Error::Parse {
            input: s.to_string(),
            what: "a duration",
            reason: e.to_string(),
        })?;
        i64::try_from(d.as_nanos())
            .map(Timedelta)
            .map_err(|_| Error::Parse {
                input: s.to_string(),
                what: "a duration",
                reason: "does not fit in i64 nanoseconds".into(),
            })
    }

    /// ISO-8601 duration, e.g. `PT0.02S`.
    pub fn to_iso(self) -> String {
        jiff::SignedDuration::from_nanos(self.0).to_string()
    }
}

impl FromStr for Datetime {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Datetime::parse(s)
    }
}

impl FromStr for Timedelta {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Timedelta::parse(s)
    }
}

impl fmt::Display for Datetime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso())
    }
}

impl fmt::Debug for Datetime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Datetime({})", self.to_iso())
    }
}

impl fmt::Display for Timedelta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso())
    }
}

impl fmt::Debug for Timedelta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timedelta({}ns)", self.0)
    }
}

impl Sub for Datetime {
    type Output = Timedelta;
    fn sub(self, rhs: Datetime) -> Timedelta {
        Timedelta(self.0 - rhs.0)
    }
}

impl Add<Timedelta> for Datetime {
    type Output = Datetime;
    fn add(self, rhs: Timedelta) -> Datetime {
        Datetime(self.0 + rhs.0)
    }
}

impl Sub<Timedelta> for Datetime {
    type Output = Datetime;
    fn sub(self, rhs: Timedelta) -> Datetime {
        Datetime(self.0 - rhs.0)
    }
}

impl AddAssign<Timedelta> for Datetime {
    fn add_assign(&mut self, rhs: Timedelta) {
        self.0 += rhs.0;
    }
}

impl SubAssign<Timedelta> for Datetime {
    fn sub_assign(&mut self, rhs: Timedelta) {
        self.0 -= rhs.0;
    }
}

impl Add for Timedelta {
    type Output = Timedelta;
    fn add(self, rhs: Timedelta) -> Timedelta {
        Timedelta(self.0 + rhs.0)
    }
}

impl Sub for Timedelta {
    type Output = Timedelta;
    fn sub(self, rhs: Timedelta) -> Timedelta {
        Timedelta(self.0 - rhs.0)
    }
}

impl Neg for Timedelta {
    type Output = Timedelta;
    fn neg(self) -> Timedelta {
        Timedelta(-self.0)
    }
}

impl Mul<i64> for Timedelta {
    type Output = Timedelta;
    fn mul(self, rhs: i64) -> Timedelta {
        Timedelta(self.0 * rhs)
    }
}

/// Integer division truncating toward zero, like numpy's `m8 // int`.
impl Div<i64> for Timedelta {
    type Output = Timedelta;
    fn div(self, rhs: i64) -> Timedelta {
        Timedelta(self.0 / rhs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_forms() {
        let base = Datetime::parse("2023-01-01T00:00:00").unwrap();
        assert_eq!(base.ns(), 1_672_531_200_000_000_000);
        assert_eq!(Datetime::parse("2023-01-01").unwrap(), base);
        assert_eq!(Datetime::parse("2023-01-01 00:00:00").unwrap(), base);
        assert_eq!(Datetime::parse("2023-01-01T00:00:00Z").unwrap(), base);
        assert_eq!(Datetime::parse("2023-01-01T01:00:00+01:00").unwrap(), base);
        let t = Datetime::parse("2023-05-06 07:08:09.123456789").unwrap();
        assert_eq!(t.to_iso(), "2023-05-06T07:08:09.123456789");
        let before = Datetime::parse("1969-12-31 23:59:59.500000").unwrap();
        assert_eq!(before.ns(), -500_000_000);
        assert_eq!(before.to_iso(), "1969-12-31T23:59:59.500000000");
        assert!(Datetime::parse("not a date").is_err());
        assert!(Datetime::parse("2400-01-01").is_err());
    }

    #[test]
    fn arithmetic_and_durations() {
        let t = Datetime::from_ns(10);
        assert_eq!(t + Timedelta::from_ns(5) - t, Timedelta::from_ns(5));
        assert_eq!(Timedelta::from_seconds(1e-9 * 2.5).ns(), 2);
        assert_eq!(Timedelta::parse("PT0.02S").unwrap().ns(), 20_000_000);
        assert_eq!(Timedelta::from_ns(20_000_000).to_iso(), "PT0.02S");
        assert_eq!(Timedelta::from_ns(11) / 4, Timedelta::from_ns(2));
    }
}
