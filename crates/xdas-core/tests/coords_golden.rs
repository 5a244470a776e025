//! Coordinates against the xdas 0.2.10 ground truth in `tests/fixtures/` (see its README).
//!
//! Where xdas is wrong (sampled stepped slicing, `bfill` at a segment's last sample,
//! inverse lookups that disagree with the forward values), the cases are checked against
//! the independently computed truth instead and the deviation is counted and printed.

mod common;
use common::*;
use serde_json::Value;
use xdas_core::coords::Method;
use xdas_core::{Coordinate, Scalar, SplitKind};

fn method(v: &Value) -> Method {
    match v.as_str() {
        None => Method::Exact,
        Some("nearest") => Method::Nearest,
        Some("ffill") => Method::Ffill,
        Some("bfill") => Method::Bfill,
        Some(m) => panic!("method {m}"),
    }
}

#[test]
fn forward_values() {
    let cases = load("forward");
    let mut failures = vec![];
    for case in &cases {
        let c = coord(&case["coord"]);
        let time = is_time(&case["coord"]);
        let indices: Vec<i64> = case["indices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_i64().unwrap())
            .collect();
        if is_error(&case["values"]) {
            for &i in &indices {
                let j = if i < 0 { i + c.len() as i64 } else { i };
                if j >= 0 && c.value(j as usize).is_ok() {
                    failures.push(format!(
                        "{}: index {i} should be out of range",
                        case["name"]
                    ));
                }
            }
            continue;
        }
        let expected = scalars(&case["values"], time);
        for (&i, e) in indices.iter().zip(&expected) {
            let j = if i < 0 { i + c.len() as i64 } else { i } as usize;
            match c.value(j) {
                Ok(v) if v.same(e) => {}
                got => failures.push(format!(
                    "{}: value({i}) = {got:?}, expected {e:?}",
                    case["name"]
                )),
            }
        }
    }
    report("forward", cases.len(), &failures);
}

#[test]
fn inverse_lookup() {
    let cases = load("inverse");
    let mut failures = vec![];
    let mut improved = 0;
    for case in &cases {
        let c = coord(&case["coord"]);
        let m = method(&case["method"]);
        let got = c.index_of(&label(&case["value"]), m);
        let exp = &case["expected"];
        let ok = match (&got, exp.as_u64()) {
            (Ok(i), Some(e)) => *i as u64 == e,
            (Err(_), None) => true,
            _ => false,
        };
        if ok {
            continue;
        }
        // xdas misses exact matches under ffill/bfill (and jumps segments under bfill):
        // accept our answer when it is provably right.
        let v = label(&case["value"]);
        let right = match (&got, m) {
            (Ok(i), Method::Ffill) => {
                c.value(*i).is_ok_and(|x| le(&x, &v))
                    && c.value(*i + 1).map_or(true, |x| !le(&x, &v))
            }
            (Ok(i), Method::Bfill) => {
                c.value(*i).is_ok_and(|x| le(&v, &x))
                    && (*i == 0 || c.value(*i - 1).is_ok_and(|x| !le(&v, &x)))
            }
            _ => false,
        };
        if right {
            improved += 1;
        } else {
            failures.push(format!("{}: got {got:?}, expected {exp}", case["name"]));
        }
    }
    println!(
        "inverse: {improved} cases where xdas's fill lookup misses an exact match are answered correctly here"
    );
    report("inverse", cases.len(), &failures);
}

fn le(a: &Scalar, b: &Scalar) -> bool {
    match (a, b) {
        (Scalar::F64(x), Scalar::F64(y)) => x <= y,
        (Scalar::Datetime(x), Scalar::Datetime(y)) => x <= y,
        _ => false,
    }
}

fn opt(v: &Value) -> Option<i64> {
    v.as_i64()
}

#[test]
fn slicing() {
    let cases = load("slice");
    let mut failures = vec![];
    let (mut same_as_xdas, mut fixed, mut rounding) = (0, 0, 0);
    for case in &cases {
        let c = coord(&case["coord"]);
        let time = is_time(&case["coord"]);
        let (start, stop, step) = (opt(&case["start"]), opt(&case["stop"]), opt(&case["step"]));
        let n = c.len() as i64;
        let norm = |v: Option<i64>, d: i64| {
            let v = v.unwrap_or(d);
            (if v < 0 { v + n } else { v }).clamp(0, n) as usize
        };
        let (a, b) = (norm(start, 0), norm(stop, n));
        let s = step.unwrap_or(1) as usize;
        let got = c.slice(a, b.max(a), s).unwrap();
        let want = scalars(&case["expected_values"], time);
        let have = values_of(&got);
        if have.len() != want.len() || have.iter().zip(&want).any(|(x, y)| !x.same(y)) {
            // re-anchoring a slice of a non-integer-tick datetime chord at rounded values
            // moves interior samples by up to one tick, in xdas as here
            let xdas = &case["expected"];
            if !is_error(xdas)
                && xdas["dtype"] == case["coord"]["dtype"]
                && got.equals(&coord(xdas))
            {
                rounding += 1;
                continue;
            }
            // a sub-tick rate (den > 1) cannot keep every rounded sample after re-anchoring
            // at a rounded value: allow one tick there
            let sub_tick = case["coord"]["sampling_denominator"]
                .as_u64()
                .is_some_and(|d| d > 1);
            let within_tick = have.len() == want.len()
                && have.iter().zip(&want).all(|(x, y)| match (x, y) {
                    (Scalar::Datetime(a), Scalar::Datetime(b)) => (a.ns() - b.ns()).abs() <= 1,
                    _ => x.same(y),
                });
            if sub_tick && within_tick {
                rounding += 1;
                continue;
            }
            failures.push(format!(
                "{}: values {have:?} expected {want:?}",
                case["name"]
            ));
            continue;
        }
        let xdas_agrees = case["xdas_agrees"].as_bool().unwrap_or(false);
        if xdas_agrees
            && !is_error(&case["expected"])
            && case["expected"]["dtype"] == case["coord"]["dtype"]
        {
            let exp = coord(&case["expected"]);
            if got.equals(&exp) {
                same_as_xdas += 1;
            } else if s == 1 {
                failures.push(format!("{}: {got:?} expected {exp:?}", case["name"]));
            }
        } else {
            fixed += 1;
        }
    }
    println!(
        "slice: {same_as_xdas} identical to xdas, {fixed} where xdas is wrong or raises are right \
         here, {rounding} within one tick (re-anchoring at rounded values, as xdas)"
    );
    report("slice", cases.len(), &failures);
}

#[test]
fn split_indices() {
    let cases = load("split");
    let mut failures = vec![];
    for case in &cases {
        let c = coord(&case["coord"]);
        let kind = match case["kind"].as_str().unwrap() {
            "discontinuities" => SplitKind::Discontinuities,
            "gaps" => SplitKind::Gaps,
            "overlaps" => SplitKind::Overlaps,
            k => panic!("{k}"),
        };
        let got = c.split_indices(kind, tolerance(&case["tolerance"]));
        let exp = &case["expected"];
        let ok = match (&got, exp.as_array()) {
            (Ok(g), Some(e)) => {
                g.len() == e.len()
                    && g.iter()
                        .zip(e)
                        .all(|(a, b)| *a as u64 == b.as_u64().unwrap())
            }
            (Err(_), None) => true,
            _ => false,
        };
        if !ok {
            failures.push(format!("{}: got {got:?}, expected {exp}", case["name"]));
        }
    }
    report("split", cases.len(), &failures);
}

#[test]
fn simplify() {
    let cases = load("simplify");
    let mut failures = vec![];
    for case in &cases {
        let c = coord(&case["coord"]);
        let got = c.simplify(tolerance(&case["tolerance"]));
        let exp = coord(&case["expected"]);
        if !got.equals(&exp) {
            failures.push(format!(
                "{}: got {got:?}\n      expected {exp:?}",
                case["name"]
            ));
        }
    }
    report("simplify", cases.len(), &failures);
}

#[test]
fn concat() {
    let cases = load("concat");
    let mut failures = vec![];
    for case in &cases {
        let parts: Vec<Coordinate> = case["coords"]
            .as_array()
            .unwrap()
            .iter()
            .map(coord)
            .collect();
        let mut order: Vec<usize> = (0..parts.len()).collect();
        order.sort_by(|&i, &j| {
            let (a, b) = (parts[i].value(0), parts[j].value(0));
            match (a, b) {
                (Ok(Scalar::F64(x)), Ok(Scalar::F64(y))) => x.total_cmp(&y),
                (Ok(Scalar::Datetime(x)), Ok(Scalar::Datetime(y))) => x.cmp(&y),
                _ => std::cmp::Ordering::Equal,
            }
        });
        let refs: Vec<&Coordinate> = order.iter().map(|&i| &parts[i]).collect();
        let got = Coordinate::concat(&refs).map(|c| match tolerance(&case["tolerance"]) {
            xdas_core::Tolerance::Off => c,
            t => c.simplify(t),
        });
        let exp = &case["expected"];
        match (&got, is_error(exp)) {
            (Err(_), true) => {}
            (Ok(g), false) => {
                let e = coord(exp);
                if !g.equals(&e) {
                    failures.push(format!("{}: got {g:?}\n      expected {e:?}", case["name"]));
                }
            }
            (Ok(_), true) if parts.iter().any(|p| p.is_empty()) => {} // xdas fails in its sort key
            _ => failures.push(format!("{}: got {got:?}, expected {exp}", case["name"])),
        }
    }
    report("concat", cases.len(), &failures);
}

#[test]
fn equals() {
    let cases = load("equals");
    let mut failures = vec![];
    for case in &cases {
        let with_nan = |c: Coordinate, nan: &Value| -> Coordinate {
            match (nan.as_array(), c.values()) {
                (Some(idx), xdas_core::Values::F64(mut v)) => {
                    for i in idx {
                        v[i.as_u64().unwrap() as usize] = f64::NAN;
                    }
                    let d = Coordinate::dense(v, c.dim().unwrap_or("x"));
                    if c.dim().is_some() {
                        d
                    } else {
                        d.without_dim()
                    }
                }
                _ => c,
            }
        };
        let on = |c: &Value, d: &Value| match d.as_str() {
            Some(d) => coord_on(c, d),
            None => coord(c).without_dim(),
        };
        let a = with_nan(on(&case["a"], &case["dim_a"]), &case["nan_a"]);
        let b = with_nan(on(&case["b"], &case["dim_b"]), &case["nan_b"]);
        let want = case["expected"].as_bool().unwrap();
        if a.equals(&b) != want || b.equals(&a) != want {
            failures.push(format!("{}: expected {want}", case["name"]));
        }
    }
    report("equals", cases.len(), &failures);
}

#[test]
fn from_block() {
    use xdas_core::coords::{InterpCoordinate, SampledCoordinate};
    use xdas_core::{Datetime, Timedelta};
    let cases = load("from_block");
    let mut failures = vec![];
    let mut skipped = 0;
    for case in &cases {
        let exp = &case["expected"];
        let time = case["dtype"] == "datetime64[ns]";
        let size = case["size"].as_u64().unwrap() as usize;
        let step = &case["step"];
        let (num, den) = if let Some(n) = step.get("num") {
            (n.clone(), step["den"].as_u64().unwrap())
        } else if let Some(ns) = step.get("ns") {
            (ns.clone(), 1)
        } else {
            (step.clone(), 1)
        };
        // xdas rejects some spellings (tuple rates and float seconds on sampled datetime,
        // size 0); those are API choices, not values to reproduce
        if is_error(exp) || exp["dtype"] != case["dtype"] {
            skipped += 1;
            continue;
        }
        let got: Coordinate = match (case["kind"].as_str().unwrap(), time) {
            ("interpolated", true) => Coordinate::new(
                InterpCoordinate::from_block(
                    Datetime::from_ns(case["start"]["ns"].as_i64().unwrap()),
                    size,
                    Timedelta::from_ns(
                        num.as_i64()
                            .unwrap_or_else(|| (num.as_f64().unwrap() * 1e9).round() as i64),
                    ),
                    den,
                    None,
                ),
                "x",
            ),
            ("interpolated", false) => Coordinate::new(
                InterpCoordinate::from_block(
                    case["start"].as_f64().unwrap(),
                    size,
                    num.as_f64().unwrap(),
                    den,
                    None,
                ),
                "x",
            ),
            ("sampled", true) => Coordinate::new(
                SampledCoordinate::from_block(
                    Datetime::from_ns(case["start"]["ns"].as_i64().unwrap()),
                    size,
                    Timedelta::from_ns(num.as_i64().unwrap()),
                    den,
                ),
                "x",
            ),
            _ => Coordinate::new(
                SampledCoordinate::from_block(
                    case["start"].as_f64().unwrap(),
                    size,
                    num.as_f64().unwrap(),
                    den,
                ),
                "x",
            ),
        };
        let e = coord(exp);
        if !got.equals(&e) {
            failures.push(format!(
                "{}: got {got:?}\n      expected {e:?}",
                case["name"]
            ));
        }
    }
    println!("from_block: {skipped} spellings xdas rejects were skipped");
    report("from_block", cases.len() - skipped, &failures);
}

#[test]
fn sampling_interval() {
    let cases = load("sampling_interval");
    let mut failures = vec![];
    for case in &cases {
        let c = coord(&case["coord"]);
        let cast = case["cast"].as_bool().unwrap();
        let exp = &case["expected"];
        let got = if cast {
            c.sampling_interval()
                .map(|_| Scalar::F64(c.sampling_interval_seconds().unwrap()))
        } else {
            c.sampling_interval()
        };
        let ok = match (&got, exp) {
            (None, Value::Null) => true,
            (Some(Scalar::F64(g)), e) if e.is_f64() => *g == e.as_f64().unwrap(),
            (Some(Scalar::Timedelta(g)), e) => Some(g.ns()) == e.as_i64(),
            (Some(Scalar::F64(g)), e) => Some(*g) == e.as_f64(),
            _ => false,
        };
        // the deprecated inference on irregular coordinates
        let inferred = &case["inferred"];
        let inf_ok = match (c.sampling_interval_seconds(), inferred) {
            (_, Value::Null) => true,
            (Some(g), e) if cast => (g - e.as_f64().unwrap()).abs() <= 1e-9 * g.abs().max(1e-9),
            _ => true,
        };
        if !ok || !inf_ok {
            failures.push(format!(
                "{}: got {got:?} / {:?}, expected {exp} / {inferred}",
                case["name"],
                c.sampling_interval_seconds()
            ));
        }
    }
    report("sampling_interval", cases.len(), &failures);
}

#[test]
fn label_slices() {
    let cases = load("sel");
    let mut failures = vec![];
    let mut fixed = 0;
    for case in &cases {
        let c = coord(&case["coord"]);
        let lab = |v: &Value| (!v.is_null()).then(|| label(v));
        let got = c.slice_indexer(
            lab(&case["start"]).as_ref(),
            lab(&case["stop"]).as_ref(),
            case["endpoint"].as_bool().unwrap(),
        );
        let exp = &case["expected"];
        let ok = match (&got, exp.as_array()) {
            (Ok((a, b)), Some(e)) => {
                let (ea, eb) = (
                    e[0].as_u64().unwrap() as usize,
                    e[1].as_u64().unwrap() as usize,
                );
                (*a, *b) == (ea, eb) || (a >= b && ea >= eb)
            }
            (Err(_), None) => true,
            _ => false,
        };
        if ok {
            continue;
        }
        // xdas's bfill jumps past the last sample of a segment (its bug 21): accept a
        // range that starts exactly at a sample equal to the start label
        let start_exact = match (&got, lab(&case["start"])) {
            (Ok((a, _)), Some(s)) => c.value(*a).is_ok_and(|v| v.same(&s)),
            _ => false,
        };
        if start_exact {
            fixed += 1;
        } else {
            failures.push(format!("{}: got {got:?}, expected {exp}", case["name"]));
        }
    }
    println!("sel: {fixed} ranges keep the start sample xdas drops (bug 21)");
    report("sel", cases.len(), &failures);
}
