//! Judging the seam between consecutive chunks from their coordinates.
//!
//! A chunk continues the previous one when its first label equals the previous last
//! label plus one sampling interval, within the coordinate's tolerance (and the
//! nanosecond rounding of datetimes at rates that are not a whole number of
//! nanoseconds). Otherwise it is a gap (later), an overlap (earlier), or a rate change
//! (another sampling interval).

use serde::{Deserialize, Serialize};
use xdas_core::Coordinate;
use xdas_core::coords::CoordKind;

/// The end of the last chunk seen: its last label and its sampling rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Edge {
    last: Label,
    rate: Option<Rate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
enum Label {
    F64(f64),
    Ns(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
enum Rate {
    /// Step and tolerance of a float axis.
    F64 { step: f64, tol: f64 },
    /// Exact step `num / den` ns and tolerance (ns) of a datetime axis.
    Ns { num: i64, den: u64, tol: i64 },
}

/// How a chunk follows the previous one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Seam {
    Continuous,
    Gap(String),
    RateChange(String),
    Overlap(String),
}

fn ends(c: &Coordinate) -> Option<(Label, Label, Option<Rate>)> {
    let n = c.len();
    if n == 0 {
        return None;
    }
    match c.kind() {
        CoordKind::InterpF64(k) => {
            let rate = k.ratio().map(|r| Rate::F64 {
                step: r.num / r.den as f64,
                tol: k.tolerance().unwrap_or(0.0),
            });
            Some((
                Label::F64(k.value(0).ok()?),
                Label::F64(k.value(n - 1).ok()?),
                rate,
            ))
        }
        CoordKind::InterpTime(k) => {
            let rate = k.ratio().map(|r| Rate::Ns {
                num: r.num.ns(),
                den: r.den,
                tol: k.tolerance().map(|t| t.ns()).unwrap_or(0),
            });
            Some((
                Label::Ns(k.value(0).ok()?.ns()),
                Label::Ns(k.value(n - 1).ok()?.ns()),
                rate,
            ))
        }
        CoordKind::SampledF64(k) => {
            let rate = k.ratio().map(|r| Rate::F64 {
                step: r.num / r.den as f64,
                tol: 0.0,
            });
            Some((
                Label::F64(k.value(0).ok()?),
                Label::F64(k.value(n - 1).ok()?),
                rate,
            ))
        }
        CoordKind::SampledTime(k) => {
            let rate = k.ratio().map(|r| Rate::Ns {
                num: r.num.ns(),
                den: r.den,
                tol: 0,
            });
            Some((
                Label::Ns(k.value(0).ok()?.ns()),
                Label::Ns(k.value(n - 1).ok()?.ns()),
                rate,
            ))
        }
        _ => None,
    }
}

impl Edge {
    /// The end of a chunk whose dim coordinate is `c`; `prev` lends its rate to chunks
    /// too short to declare one. `None` when the coordinate has no usable labels.
    pub(crate) fn of(c: &Coordinate, prev: Option<&Edge>) -> Option<Edge> {
        let (_, last, rate) = ends(c)?;
        Some(Edge {
            last,
            rate: rate.or(prev.and_then(|p| p.rate)),
        })
    }

    /// How a chunk with dim coordinate `next` follows this edge; `None` when it cannot be
    /// told (no sampling interval is known, or the labels are not numeric).
    pub(crate) fn judge(&self, next: &Coordinate) -> Option<Seam> {
        let (first, _, next_rate) = ends(next)?;
        if let (Some(a), Some(b)) = (self.rate, next_rate)
            && !same_rate(a, b)
        {
            return Some(Seam::RateChange(format!(
                "the sampling interval changes from {} to {}",
                show_rate(a),
                show_rate(b)
            )));
        }
        let rate = self.rate.or(next_rate)?;
        match (self.last, first, rate) {
            (Label::F64(last), Label::F64(first), Rate::F64 { step, tol }) => {
                let jump = first - (last + step);
                let tol = tol.max(1e-9 * step.abs());
                Some(if jump.abs() <= tol {
                    Seam::Continuous
                } else if jump > 0.0 {
                    Seam::Gap(format!("a gap of {jump} after {last}"))
                } else {
                    Seam::Overlap(format!("an overlap of {} after {last}", -jump))
                })
            }
            (Label::Ns(last), Label::Ns(first), Rate::Ns { num, den, tol }) => {
                // jump · den, exact
                let jump = (first as i128 - last as i128) * den as i128 - num as i128;
                let slack = tol as i128 * den as i128 + if den > 1 { den as i128 } else { 0 };
                let show =
                    |j: i128| xdas_core::Timedelta::from_ns((j / den as i128) as i64).to_string();
                let at = xdas_core::Datetime::from_ns(last);
                Some(if jump.abs() <= slack {
                    Seam::Continuous
                } else if jump > 0 {
                    Seam::Gap(format!("a gap of {} after {at}", show(jump)))
                } else {
                    Seam::Overlap(format!("an overlap of {} after {at}", show(-jump)))
                })
            }
            _ => Some(Seam::RateChange("the coordinate changes type".into())),
        }
    }
}

fn same_rate(a: Rate, b: Rate) -> bool {
    match (a, b) {
        (Rate::F64 { step: s1, tol: t1 }, Rate::F64 { step: s2, tol: t2 }) => {
            (s1 - s2).abs() <= t1.max(t2).max(1e-12 * s1.abs())
        }
        (
            Rate::Ns {
                num: n1, den: d1, ..
            },
            Rate::Ns {
                num: n2, den: d2, ..
            },
        ) => n1 as i128 * d2 as i128 == n2 as i128 * d1 as i128,
        _ => false,
    }
}

fn show_rate(r: Rate) -> String {
    match r {
        Rate::F64 { step, .. } => format!("{step}"),
        Rate::Ns { num, den: 1, .. } => xdas_core::Timedelta::from_ns(num).to_string(),
        Rate::Ns { num, den, .. } => format!("{num}/{den} ns"),
    }
}
