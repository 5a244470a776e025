//! Golden coordinates (`coords` entries of case JSON files) and input DataArrays.

use serde_json::Value;
use xdas_core::coords::InterpCoordinate;
use xdas_core::{Coordinate, DataArray, Datetime, Timedelta};

use crate::case::Case;

/// A coordinate of a case JSON (`InterpCoordinate` with ns datetimes or floats).
pub fn coord(v: &Value, dim: &str) -> Coordinate {
    let ti: Vec<usize> = v["tie_indices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect();
    let num = &v["sampling_ratio_num_den"];
    let den = num[1].as_u64().unwrap_or(1);
    if let Some(ns) = v["tie_values"].get("datetime64_ns") {
        let tv = ns
            .as_array()
            .unwrap()
            .iter()
            .map(|x| Datetime::from_ns(x.as_i64().unwrap()))
            .collect();
        let c = InterpCoordinate::new(ti, tv).unwrap();
        let c = match num[0]["timedelta64_ns"].as_i64() {
            Some(n) => c
                .with_rate(
                    Timedelta::from_ns(n),
                    den,
                    v["tolerance"]["timedelta64_ns"]
                        .as_i64()
                        .map(Timedelta::from_ns),
                )
                .unwrap(),
            None => c,
        };
        Coordinate::new(c, dim)
    } else {
        let tv = v["tie_values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let c = InterpCoordinate::new(ti, tv).unwrap();
        let c = match num[0].as_f64() {
            Some(n) => c.with_rate(n, den, v["tolerance"].as_f64()).unwrap(),
            None => c,
        };
        Coordinate::new(c, dim)
    }
}

/// The input `key` of `case` (`inputs.x` by default) as a DataArray with the coordinates
/// of `inputs.coords` (a JSON with `dims` and `coords`).
pub fn input_dataarray(case: &Case, key: &str) -> DataArray<f64> {
    let x = case.input(key).f64();
    let rel = case.json["inputs"]["coords"]
        .as_str()
        .unwrap_or_else(|| panic!("{}: no inputs.coords", case.name));
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(case.root.join(rel)).unwrap()).unwrap();
    let dims: Vec<String> = meta["dims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_string())
        .collect();
    let coords = dims
        .iter()
        .map(|d| (d.as_str(), coord(&meta["coords"][d], d)))
        .collect();
    let dims: Vec<&str> = dims.iter().map(String::as_str).collect();
    DataArray::new(x, &dims, coords).unwrap()
}
