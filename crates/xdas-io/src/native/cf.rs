//! CF encodings used by the native format: datetimes as `"<unit> since <date>"` numbers,
//! and the `key` / `key_dtype` / `key_units` spelling of timedelta attributes.

use xdas_core::{Datetime, Timedelta};

/// Nanoseconds per CF time unit word (`None` for an unknown word).
///
/// CF (udunits) spellings are accepted in singular, plural and abbreviated forms.
pub(crate) fn unit_ns(word: &str) -> Option<i64> {
    Some(match word.trim().to_ascii_lowercase().as_str() {
        "days" | "day" | "d" => 86_400_000_000_000,
        "hours" | "hour" | "hrs" | "hr" | "h" => 3_600_000_000_000,
        "minutes" | "minute" | "mins" | "min" => 60_000_000_000,
        "seconds" | "second" | "secs" | "sec" | "s" => 1_000_000_000,
        "milliseconds" | "millisecond" | "msecs" | "msec" | "ms" => 1_000_000,
        "microseconds" | "microsecond" | "usecs" | "usec" | "us" | "µs" => 1_000,
        "nanoseconds" | "nanosecond" | "nsecs" | "nsec" | "ns" => 1,
        _ => return None,
    })
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(year, month, day)` of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn num(s: &str, what: &str) -> Result<i64, String> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("bad {what} {s:?}"));
    }
    s.parse().map_err(|_| format!("bad {what} {s:?}"))
}

/// Parse a CF reference date: `YYYY-M-D`, then optionally (after a space or `T`)
/// `h:m[:s[.fraction]]`, then optionally a time zone (`Z`, `UTC`, `GMT`, `±hh[:mm]`,
/// `±hhmm`), in nanoseconds since the epoch (UTC).
pub(crate) fn parse_reference(text: &str) -> Result<i128, String> {
    let t = text.trim();
    let bad = |why: String| format!("reference date {text:?}: {why}");
    // date part
    let (date, rest) = match t.find(['T', 't', ' ']) {
        Some(p) => (&t[..p], t[p + 1..].trim()),
        None => (t, ""),
    };
    let (neg_year, date_body) = match date.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, date),
    };
    let parts: Vec<&str> = date_body.split('-').collect();
    if parts.len() != 3 {
        return Err(bad("expected YYYY-MM-DD".into()));
    }
    let mut y = num(parts[0], "year").map_err(&bad)?;
    if neg_year {
        y = -y;
    }
    let m = num(parts[1], "month").map_err(&bad)?;
    let d = num(parts[2], "day").map_err(&bad)?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad("month or day out of range".into()));
    }
    // time part and zone
    let mut rest = rest.to_string();
    let mut offset_ns: i128 = 0;
    for suffix in ["UTC", "utc", "GMT", "gmt", "Z", "z"] {
        if let Some(r) = rest.strip_suffix(suffix) {
            rest = r.trim().to_string();
            break;
        }
    }
    // a numeric offset: the last '+' or '-' after the clock (or alone after a space)
    if let Some(p) = rest.rfind(['+', '-']) {
        let (clock, zone) = rest.split_at(p);
        let sign: i128 = if zone.starts_with('-') { -1 } else { 1 };
        let z = zone[1..].trim();
        let (hh, mm) = if let Some((h, m)) = z.split_once(':') {
            (
                num(h, "zone hour").map_err(&bad)?,
                num(m, "zone minute").map_err(&bad)?,
            )
        } else if z.len() == 4 {
            (
                num(&z[..2], "zone hour").map_err(&bad)?,
                num(&z[2..], "zone minute").map_err(&bad)?,
            )
        } else {
            (num(z, "zone hour").map_err(&bad)?, 0)
        };
        offset_ns = sign * (i128::from(hh) * 3600 + i128::from(mm) * 60) * 1_000_000_000;
        rest = clock.trim().to_string();
    }
    let mut clock_ns: i128 = 0;
    if !rest.is_empty() {
        let fields: Vec<&str> = rest.split(':').collect();
        if fields.len() < 2 || fields.len() > 3 {
            return Err(bad(format!("bad time of day {rest:?}")));
        }
        let h = num(fields[0], "hour").map_err(&bad)?;
        let mi = num(fields[1], "minute").map_err(&bad)?;
        let (s, frac) = match fields.get(2) {
            None => (0, 0i128),
            Some(sec) => match sec.split_once('.') {
                None => (num(sec, "second").map_err(&bad)?, 0),
                Some((whole, f)) => {
                    let s = num(whole, "second").map_err(&bad)?;
                    let f = f.trim();
                    if !f.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(bad(format!("bad fraction {f:?}")));
                    }
                    let mut digits: String = f.chars().take(9).collect();
                    while digits.len() < 9 {
                        digits.push('0');
                    }
                    (
                        s,
                        digits
                            .parse::<i128>()
                            .map_err(|_| bad("bad fraction".into()))?,
                    )
                }
            },
        };
        if h > 24 || mi > 59 || s > 60 {
            return Err(bad("time of day out of range".into()));
        }
        clock_ns =
            (i128::from(h) * 3600 + i128::from(mi) * 60 + i128::from(s)) * 1_000_000_000 + frac;
    }
    Ok(i128::from(days_from_civil(y, m, d)) * 86_400_000_000_000 + clock_ns - offset_ns)
}

/// A parsed `"<unit> since <reference>"`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TimeUnits {
    /// Nanoseconds per unit.
    pub unit_ns: i64,
    /// The reference, in nanoseconds since the epoch.
    pub reference: i128,
}

/// Parse CF datetime units (`"milliseconds since 2023-01-01 00:00:00"`,
/// `"seconds since 2023-01-01T00:00:00Z"`, `"days since 1970-1-1"`, ...).
pub(crate) fn parse_time_units(units: &str) -> Result<TimeUnits, String> {
    let lower = units.to_ascii_lowercase();
    let p = lower
        .find(" since ")
        .ok_or_else(|| format!("time units {units:?} are not \"<unit> since <date>\""))?;
    let word = &units[..p];
    let unit_ns =
        unit_ns(word).ok_or_else(|| format!("unknown time unit {word:?} in {units:?}"))?;
    let reference = parse_reference(&units[p + " since ".len()..])?;
    Ok(TimeUnits { unit_ns, reference })
}

/// Whether a `units` attribute is a CF datetime encoding.
pub(crate) fn is_time_units(units: &str) -> bool {
    units.to_ascii_lowercase().contains(" since ")
}

fn to_datetime(ns: i128, units: &str) -> Result<Datetime, String> {
    i64::try_from(ns)
        .map(Datetime::from_ns)
        .map_err(|_| format!("a time encoded with {units:?} is outside the datetime64[ns] range"))
}

/// Decode integer counts of `units` to datetimes (exact).
pub(crate) fn decode_times_i64(values: &[i64], units: &str) -> Result<Vec<Datetime>, String> {
    let u = parse_time_units(units)?;
    values
        .iter()
        .map(|&v| to_datetime(u.reference + i128::from(v) * i128::from(u.unit_ns), units))
        .collect()
}

/// Decode float counts of `units` to datetimes (rounded to the nanosecond, as xarray).
pub(crate) fn decode_times_f64(values: &[f64], units: &str) -> Result<Vec<Datetime>, String> {
    let u = parse_time_units(units)?;
    values
        .iter()
        .map(|&v| {
            if !v.is_finite() {
                return Err(format!("non-finite time value {v} (units {units:?})"));
            }
            // split the count into whole and fractional units to keep the precision
            let whole = v.trunc();
            let frac = v - whole;
            if whole.abs() > 9.2e18 {
                return Err(format!("time value {v} (units {units:?}) is out of range"));
            }
            let ns = i128::from(whole as i64) * i128::from(u.unit_ns)
                + (frac * u.unit_ns as f64).round() as i128;
            to_datetime(u.reference + ns, units)
        })
        .collect()
}

/// Format a datetime as pandas' `str(Timestamp)`: `2023-01-01 00:00:00`, with 6 or 9
/// fractional digits when needed.
pub(crate) fn format_reference(t: Datetime) -> String {
    let ns = t.ns();
    let secs = ns.div_euclid(1_000_000_000);
    let sub = ns.rem_euclid(1_000_000_000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let tod = secs.rem_euclid(86_400);
    let base = format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        tod / 3600,
        (tod / 60) % 60,
        tod % 60
    );
    if sub == 0 {
        base
    } else if sub % 1000 == 0 {
        format!("{base}.{:06}", sub / 1000)
    } else {
        format!("{base}.{sub:09}")
    }
}

/// Encode datetimes as xarray does: integers of the coarsest unit (days … nanoseconds)
/// that represents every value exactly, counted from the first value.
pub(crate) fn encode_times(values: &[Datetime]) -> (Vec<i64>, String) {
    let Some(first) = values.first() else {
        return (Vec::new(), "nanoseconds since 1970-01-01 00:00:00".into());
    };
    let deltas: Vec<i128> = values
        .iter()
        .map(|v| i128::from(v.ns()) - i128::from(first.ns()))
        .collect();
    let units: [(&str, i128); 7] = [
        ("days", 86_400_000_000_000),
        ("hours", 3_600_000_000_000),
        ("minutes", 60_000_000_000),
        ("seconds", 1_000_000_000),
        ("milliseconds", 1_000_000),
        ("microseconds", 1_000),
        ("nanoseconds", 1),
    ];
    let (word, factor) = units
        .iter()
        .find(|(_, f)| deltas.iter().all(|d| d % f == 0))
        .copied()
        .unwrap_or(("nanoseconds", 1));
    // |delta| of two datetime64[ns] values always fits an i64 count of nanoseconds or
    // coarser, except across the whole range; saturate there (never reached in practice)
    let counts = deltas
        .iter()
        .map(|d| i64::try_from(d / factor).unwrap_or(if *d < 0 { i64::MIN } else { i64::MAX }))
        .collect();
    (counts, format!("{word} since {}", format_reference(*first)))
}

/// A timedelta stored as `key` (count), `key_dtype`, `key_units`, back to nanoseconds.
pub(crate) fn delta_ns(count: i64, units: Option<&str>) -> Result<i64, String> {
    let factor = match units {
        None => 1,
        Some(u) => unit_ns(u).ok_or_else(|| format!("unknown timedelta units {u:?}"))?,
    };
    count
        .checked_mul(factor)
        .ok_or_else(|| format!("timedelta {count} {units:?} overflows nanoseconds"))
}

/// `Timedelta` from a count of nanoseconds (helper kept beside [`delta_ns`]).
pub(crate) fn td(ns: i64) -> Timedelta {
    Timedelta::from_ns(ns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        let t0 = 1_672_531_200_000_000_000i128;
        for s in [
            "2023-01-01",
            "2023-01-01 00:00:00",
            "2023-01-01T00:00:00",
            "2023-1-1 0:0:0",
            "2023-01-01T00:00:00Z",
            "2023-01-01 00:00:00 UTC",
            "2023-01-01T01:00:00+01:00",
            "2022-12-31T23:00:00-0100",
            "2023-01-01 00:00:00.000000",
        ] {
            assert_eq!(parse_reference(s).unwrap(), t0, "{s}");
        }
        assert_eq!(
            parse_reference("1969-12-31 23:59:59.500000").unwrap(),
            -500_000_000
        );
        assert!(parse_reference("yesterday").is_err());
        assert!(parse_reference("2023-13-01").is_err());
    }

    #[test]
    fn decode_and_encode() {
        let v = decode_times_i64(&[0, 5980], "milliseconds since 2023-01-01 00:00:00").unwrap();
        assert_eq!(v[1].ns(), 1_672_531_205_980_000_000);
        let (c, u) = encode_times(&v);
        assert_eq!(c, vec![0, 5980]);
        assert_eq!(u, "milliseconds since 2023-01-01 00:00:00");
        let f = decode_times_f64(&[1.5], "seconds since 1970-01-01").unwrap();
        assert_eq!(f[0].ns(), 1_500_000_000);
        assert!(decode_times_i64(&[0], "fortnights since 2023-01-01").is_err());
        assert!(decode_times_i64(&[i64::MAX], "days since 2023-01-01").is_err());
        let t = Datetime::from_ns(-500_000_000);
        assert_eq!(format_reference(t), "1969-12-31 23:59:59.500000");
        assert_eq!(delta_ns(4, Some("milliseconds")).unwrap(), 4_000_000);
    }
}
