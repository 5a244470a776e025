//! One golden case (`<group>/<name>.json`), its inputs and outputs, and comparisons.

use crate::npy::Npy;
use ndarray::ArrayD;
use num_complex::Complex64;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The shared test data: `$XDAS_TEST_DATA`, by default `../shared` beside the workspace.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("XDAS_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")))
}

/// `../shared/reference/golden`, or `None` (the caller prints a skip notice).
pub fn golden_dir() -> Option<PathBuf> {
    let dir = shared_dir().join("reference/golden");
    dir.is_dir().then_some(dir)
}

/// The real vendor file `name` of `../shared/data/das`, or `None` after printing a skip
/// notice when the shared data are not here.
pub fn vendor_file(name: &str) -> Option<PathBuf> {
    let p = shared_dir().join("data/das").join(name);
    if p.is_file() {
        Some(p)
    } else {
        eprintln!("skipping: {} not found (set XDAS_TEST_DATA)", p.display());
        None
    }
}

#[derive(Debug, Clone)]
pub struct Case {
    pub root: PathBuf,
    pub name: String,
    pub group: String,
    pub call: String,
    pub params: Value,
    pub json: Value,
}

impl Case {
    pub fn load(root: &Path, file: &Path) -> Case {
        let json: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        Case {
            root: root.to_path_buf(),
            name: json["name"].as_str().unwrap().to_string(),
            group: json["group"].as_str().unwrap_or("").to_string(),
            call: json["call"].as_str().unwrap_or("").to_string(),
            params: json["params"].clone(),
            json,
        }
    }

    /// Every case of `group` (a folder of the golden directory), sorted by name.
    pub fn all(root: &Path, group: &str) -> Vec<Case> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(group))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files.iter().map(|f| Case::load(root, f)).collect()
    }

    /// The input array named `key` (`inputs.<key>` is a path relative to the golden dir).
    pub fn input(&self, key: &str) -> Npy {
        let rel = self.json["inputs"][key]
            .as_str()
            .unwrap_or_else(|| panic!("{}: no input {key}", self.name));
        Npy::read(&self.root.join(rel))
    }

    /// The output array named `key`.
    pub fn output(&self, key: &str) -> Npy {
        let rel = self.json["outputs"][key]["file"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: no output {key}", self.name));
        Npy::read(&self.root.join(rel))
    }

    /// Output names.
    pub fn output_keys(&self) -> Vec<String> {
        self.json["outputs"]
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }

    pub fn p(&self, key: &str) -> &Value {
        &self.params[key]
    }
    pub fn p_f64s(&self, key: &str) -> Vec<f64> {
        self.params[key]
            .as_array()
            .unwrap_or_else(|| panic!("{}: param {key}", self.name))
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    }
    pub fn p_usize(&self, key: &str) -> usize {
        self.params[key]
            .as_u64()
            .unwrap_or_else(|| panic!("{}: param {key}", self.name)) as usize
    }
}

/// `max|got − want| <= tol · max(max|want|, tiny)`, same shape.
pub fn close(what: &str, got: &ArrayD<f64>, want: &ArrayD<f64>, tol: f64) -> Result<(), String> {
    if got.shape() != want.shape() {
        return Err(format!(
            "{what}: shape {:?}, expected {:?}",
            got.shape(),
            want.shape()
        ));
    }
    let scale = want
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()))
        .max(f64::MIN_POSITIVE);
    let err = got.iter().zip(want).fold(0.0f64, |m, (a, b)| {
        if a.is_nan() && b.is_nan() {
            m
        } else {
            m.max((a - b).abs())
        }
    });
    if err.is_nan() || err > tol * scale {
        return Err(format!(
            "{what}: max abs error {err:.3e} > {tol:.0e} x {scale:.3e}"
        ));
    }
    Ok(())
}

/// Complex version of [`close`].
pub fn close_c(
    what: &str,
    got: &ArrayD<Complex64>,
    want: &ArrayD<Complex64>,
    tol: f64,
) -> Result<(), String> {
    if got.shape() != want.shape() {
        return Err(format!(
            "{what}: shape {:?}, expected {:?}",
            got.shape(),
            want.shape()
        ));
    }
    let scale = want
        .iter()
        .fold(0.0f64, |m, v| m.max(v.norm()))
        .max(f64::MIN_POSITIVE);
    let err = got
        .iter()
        .zip(want)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).norm()));
    if err.is_nan() || err > tol * scale {
        return Err(format!(
            "{what}: max abs error {err:.3e} > {tol:.0e} x {scale:.3e}"
        ));
    }
    Ok(())
}

/// Bitwise equality (NaN equals NaN).
pub fn exact(what: &str, got: &ArrayD<f64>, want: &ArrayD<f64>) -> Result<(), String> {
    if got.shape() != want.shape() {
        return Err(format!(
            "{what}: shape {:?}, expected {:?}",
            got.shape(),
            want.shape()
        ));
    }
    let bad = got
        .iter()
        .zip(want)
        .filter(|(a, b)| !(a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())))
        .count();
    if bad > 0 {
        return Err(format!("{what}: {bad} values differ (bitwise check)"));
    }
    Ok(())
}

/// Tolerances of `golden/README.md`.
pub const TOL_FILTER: f64 = 1e-12;
pub const TOL_DESIGN: f64 = 1e-13;
