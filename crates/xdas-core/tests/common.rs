//! Decoding of the JSON fixtures written by `fixtures/make_coord_cases.py`.
#![allow(dead_code)]

use serde_json::Value;
use xdas_core::coords::{CoordKind, InterpCoordinate, SampledCoordinate};
use xdas_core::{Coordinate, Datetime, Scalar, Timedelta, Tolerance, Values};

pub fn load(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("valid JSON")
}

pub fn is_time(v: &Value) -> bool {
    v["dtype"].as_str() == Some("datetime64[ns]")
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}
fn times(v: &Value) -> Vec<Datetime> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| Datetime::from_ns(x.as_i64().unwrap()))
        .collect()
}
fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

/// Decode a coordinate; `None` when its dtype is out of scope (e.g. float results that
/// xdas produces for an empty datetime coordinate).
pub fn coord(v: &Value) -> Coordinate {
    coord_on(v, "x")
}

pub fn coord_on(v: &Value, dim: &str) -> Coordinate {
    let time = is_time(v);
    let num = &v["sampling_numerator"];
    let den = v["sampling_denominator"].as_u64().unwrap_or(1);
    let tol = &v["tolerance"];
    let kind: CoordKind = match v["kind"].as_str().unwrap() {
        "interpolated" => {
            let ti = usizes(&v["tie_indices"]);
            if time {
                let c = InterpCoordinate::new(ti, times(&v["tie_values"])).unwrap();
                if num.is_null() {
                    c.into()
                } else {
                    c.with_rate(
                        Timedelta::from_ns(num.as_i64().unwrap()),
                        den,
                        tol.as_i64().map(Timedelta::from_ns),
                    )
                    .unwrap()
                    .into()
                }
            } else {
                let c = InterpCoordinate::new(ti, f64s(&v["tie_values"])).unwrap();
                if num.is_null() {
                    c.into()
                } else {
                    c.with_rate(num.as_f64().unwrap(), den, tol.as_f64())
                        .unwrap()
                        .into()
                }
            }
        }
        "sampled" => {
            let tl = usizes(&v["tie_lengths"]);
            if time {
                if num.is_null() {
                    SampledCoordinate::<Datetime>::empty().into()
                } else {
                    SampledCoordinate::new(
                        times(&v["tie_values"]),
                        tl,
                        Timedelta::from_ns(num.as_i64().unwrap()),
                        den,
                    )
                    .unwrap()
                    .into()
                }
            } else if num.is_null() {
                SampledCoordinate::<f64>::empty().into()
            } else {
                SampledCoordinate::new(f64s(&v["tie_values"]), tl, num.as_f64().unwrap(), den)
                    .unwrap()
                    .into()
            }
        }
        "dense" => {
            if time {
                Values::Datetime(times(&v["values"])).into()
            } else {
                Values::F64(f64s(&v["values"])).into()
            }
        }
        k => panic!("unknown kind {k}"),
    };
    Coordinate::new(kind, dim)
}

/// A label: a float, or `{"ns": int}`.
pub fn label(v: &Value) -> Scalar {
    if let Some(ns) = v.get("ns") {
        Scalar::Datetime(Datetime::from_ns(ns.as_i64().unwrap()))
    } else {
        Scalar::F64(v.as_f64().unwrap())
    }
}

/// The expected value list, as scalars of the coordinate's type.
pub fn scalars(v: &Value, time: bool) -> Vec<Scalar> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| {
            if time {
                Scalar::Datetime(Datetime::from_ns(x.as_i64().unwrap()))
            } else {
                Scalar::F64(x.as_f64().unwrap())
            }
        })
        .collect()
}

pub fn tolerance(v: &Value) -> Tolerance {
    match v {
        Value::Bool(false) => Tolerance::Off,
        Value::Null => Tolerance::Default,
        x => Tolerance::Value(x.as_f64().unwrap()),
    }
}

pub fn is_error(v: &Value) -> bool {
    v.get("error").is_some()
}

pub fn values_of(c: &Coordinate) -> Vec<Scalar> {
    let vals = c.values();
    (0..vals.len()).map(|i| vals.get(i)).collect()
}

/// Report collected failures (at most 25 shown) and panic if any.
pub fn report(what: &str, checked: usize, failures: &[String]) {
    // written past the test harness's capture, so that CI logs show the count
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "{what}: checked {checked} golden cases, {} failed",
        failures.len()
    );
    for f in failures.iter().take(25) {
        println!("  FAIL {f}");
    }
    assert!(
        failures.is_empty(),
        "{what}: {} of {checked} cases failed",
        failures.len()
    );
}
