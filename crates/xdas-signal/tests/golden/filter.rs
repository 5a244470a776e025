//! Golden cases of the filtering area: `lfilter_*`, `sosfilt_*`, `sosfiltfilt_*`,
//! `filtfilt_*`, `resample_poly_*`, `decimate_*`, `detrend_*` (see `golden/mod.rs`).
//!
//! Every case is computed in the dtype of its input: float64 inputs are compared with
//! [`TOL_FILTER`], float32 inputs with [`TOL_F32`] (scipy computes some of them in
//! float64, we compute in float32).

use super::Check;
use super::case::{Case, TOL_FILTER, close};
use ndarray::{ArrayD, Axis, IxDyn};
use serde_json::Value;
use std::collections::BTreeMap;
use xdas_signal::Real;
use xdas_signal::decimate::{DecimateFtype, decimate};
use xdas_signal::detrend::{DetrendType, detrend};
use xdas_signal::filter::{
    PadType, filtfilt, filtfilt_gust, lfilter, lfilter_zi, sosfilt, sosfilt_zi, sosfiltfilt,
};
use xdas_signal::resample::{ResamplePad, resample_poly};
use xdas_signal::window::Window;

/// Relative tolerance of float32 results.
pub const TOL_F32: f64 = 1e-5;

const PREFIXES: [&str; 7] = [
    "lfilter_",
    "sosfilt_",
    "sosfiltfilt_",
    "filtfilt_",
    "resample_poly_",
    "decimate_",
    "detrend_",
];

/// Claim and check this area's cases; `None` for the others.
pub fn check(case: &Case) -> Check {
    if case.group != "scipy" || !PREFIXES.iter().any(|p| case.name.starts_with(p)) {
        return None;
    }
    Some(run(case))
}

type Outputs<T> = BTreeMap<String, ArrayD<T>>;

fn run(case: &Case) -> Result<(), String> {
    let x = case.input("x");
    let (got, tol): (Outputs<f64>, f64) = if x.descr == "<f4" {
        let out = compute::<f32>(case, x.f32())?;
        (
            out.into_iter()
                .map(|(k, v)| (k, v.mapv(|e| e as f64)))
                .collect(),
            TOL_F32,
        )
    } else {
        (compute::<f64>(case, x.f64())?, TOL_FILTER)
    };
    let keys = case.output_keys();
    if keys.is_empty() {
        return Err("case has no outputs".into());
    }
    for key in keys {
        let want = read_output(case, &key)?;
        let have = got
            .get(&key)
            .ok_or_else(|| format!("output {key} not computed"))?;
        close(&key, have, &want, tol)?;
    }
    Ok(())
}

/// An output array; unlike [`xdas_testdata::Npy::read`] this also reads
/// Fortran-ordered files (scipy writes some outputs, e.g. of `sosfilt`, that way).
fn read_output(case: &Case, key: &str) -> Result<ArrayD<f64>, String> {
    let rel = case.json["outputs"][key]["file"]
        .as_str()
        .ok_or_else(|| format!("no output {key}"))?;
    let path = case.root.join(rel);
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let hlen = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + hlen]).map_err(|e| e.to_string())?;
    if !(bytes[6] == 1 && header.contains("'fortran_order': True")) {
        return Ok(case.output(key).f64());
    }
    let shape_txt = header.split("'shape':").nth(1).ok_or("npy shape")?;
    let shape_txt =
        &shape_txt[shape_txt.find('(').ok_or("(")? + 1..shape_txt.find(')').ok_or(")")?];
    let shape: Vec<usize> = shape_txt
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|e: std::num::ParseIntError| e.to_string())
        })
        .collect::<Result<_, _>>()?;
    let data = &bytes[10 + hlen..];
    let count: usize = shape.iter().product();
    let values: Vec<f64> = if header.contains("'<f8'") {
        data.chunks_exact(8)
            .take(count)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect()
    } else if header.contains("'<f4'") {
        data.chunks_exact(4)
            .take(count)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()) as f64)
            .collect()
    } else {
        return Err(format!("{}: unsupported dtype", path.display()));
    };
    use ndarray::ShapeBuilder;
    let a = ArrayD::from_shape_vec(IxDyn(&shape).f(), values).map_err(|e| e.to_string())?;
    Ok(a.as_standard_layout().into_owned())
}

fn axis_of(case: &Case, ndim: usize) -> usize {
    match case.p("axis").as_i64() {
        Some(a) if a < 0 => (ndim as i64 + a) as usize,
        Some(a) => a as usize,
        None => ndim - 1,
    }
}

fn sos_of(case: &Case) -> Vec<[f64; 6]> {
    case.p("sos")
        .as_array()
        .expect("sos")
        .iter()
        .map(|row| {
            let r: Vec<f64> = row
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            r.try_into().unwrap()
        })
        .collect()
}

fn padtype_of(v: &Value) -> Result<PadType, String> {
    Ok(match v {
        Value::Null => PadType::None,
        Value::String(s) => match s.as_str() {
            "odd" => PadType::Odd,
            "even" => PadType::Even,
            "constant" => PadType::Constant,
            other => return Err(format!("padtype {other}")),
        },
        _ => return Err(format!("padtype {v}")),
    })
}

/// `padtype` (absent: the default `odd`) and `padlen` (absent or a formula: default).
fn pad_params(case: &Case) -> Result<(PadType, Option<usize>), String> {
    let padtype = match case.params.get("padtype") {
        None => PadType::Odd,
        Some(v) => padtype_of(v)?,
    };
    let padlen = case.p("padlen").as_u64().map(|v| v as usize);
    Ok((padtype, padlen))
}

fn e2s(e: xdas_signal::SignalError) -> String {
    e.to_string()
}

/// `v[:, None] * row0` style state: `vals[j]` times the first row of `x` along axis 0,
/// stacked along a new axis 0 of length `vals.len()` (x is 2-D, axis 0).
fn scaled_state<T: Real>(vals: &[f64], x: &ArrayD<T>) -> ArrayD<T> {
    let row0 = x.index_axis(Axis(0), 0);
    let mut shape = vec![vals.len()];
    shape.extend_from_slice(row0.shape());
    let mut out = ArrayD::<T>::zeros(IxDyn(&shape));
    for (j, &v) in vals.iter().enumerate() {
        out.index_axis_mut(Axis(0), j)
            .assign(&row0.mapv(|e| T::of(v * e.to64())));
    }
    out
}

fn compute<T: Real>(case: &Case, x: ArrayD<T>) -> Result<Outputs<T>, String> {
    let name = case.name.as_str();
    let axis = axis_of(case, x.ndim());
    let mut out = Outputs::new();
    if name.starts_with("lfilter_") {
        let (b, a) = (case.p_f64s("b"), case.p_f64s("a"));
        if name.ends_with("_zi") {
            let zvec = lfilter_zi(&b, &a).map_err(e2s)?;
            let zi = scaled_state(&zvec, &x);
            let (y, zf) = lfilter(&b, &a, x.view(), axis, Some(zi.view())).map_err(e2s)?;
            out.insert("zi".into(), zi);
            out.insert("y".into(), y);
            out.insert("zf".into(), zf.unwrap());
        } else if name.contains("chunked") {
            let chunk = case.p_usize("chunk");
            let (y, _) = lfilter(&b, &a, x.view(), axis, None).map_err(e2s)?;
            let mut zshape = x.shape().to_vec();
            zshape[axis] = a.len().max(b.len()) - 1;
            let mut z = ArrayD::<T>::zeros(IxDyn(&zshape));
            let mut pieces = vec![];
            let n = x.shape()[axis];
            let mut s0 = 0;
            while s0 < n {
                let piece = x.slice_axis(Axis(axis), (s0..(s0 + chunk).min(n)).into());
                let (yp, zf) = lfilter(&b, &a, piece, axis, Some(z.view())).map_err(e2s)?;
                pieces.push(yp);
                z = zf.unwrap();
                s0 += chunk;
            }
            let views: Vec<_> = pieces.iter().map(|p| p.view()).collect();
            let ych = ndarray::concatenate(Axis(axis), &views).map_err(|e| e.to_string())?;
            if ych != y {
                return Err("chunked lfilter differs from monolithic (bitwise)".into());
            }
            out.insert("y".into(), y);
            out.insert("y_chunked".into(), ych);
            out.insert("zf".into(), z);
        } else {
            let (y, _) = lfilter(&b, &a, x.view(), axis, None).map_err(e2s)?;
            out.insert("y".into(), y);
        }
    } else if name.starts_with("sosfiltfilt_") {
        let sos = sos_of(case);
        let (padtype, padlen) = pad_params(case)?;
        let y = sosfiltfilt(&sos, x.view(), axis, padtype, padlen).map_err(e2s)?;
        out.insert("y".into(), y);
    } else if name.starts_with("sosfilt_") {
        let sos = sos_of(case);
        if name.ends_with("_zi") {
            let zvec = sosfilt_zi(&sos).map_err(e2s)?;
            // (n_sections, 2, channels)
            let flat: Vec<f64> = zvec.iter().flatten().copied().collect();
            let zi2 = scaled_state(&flat, &x);
            let ch = x.shape()[1];
            let zi = zi2
                .into_shape_with_order(IxDyn(&[sos.len(), 2, ch]))
                .map_err(|e| e.to_string())?;
            let (y, zf) = sosfilt(&sos, x.view(), axis, Some(zi.view())).map_err(e2s)?;
            out.insert("zi".into(), zi);
            out.insert("y".into(), y);
            out.insert("zf".into(), zf.unwrap());
        } else {
            let (y, _) = sosfilt(&sos, x.view(), axis, None).map_err(e2s)?;
            out.insert("y".into(), y);
        }
    } else if name.starts_with("filtfilt_") {
        let (b, a) = (case.p_f64s("b"), case.p_f64s("a"));
        let y = if case.p("method").as_str() == Some("gust") {
            let irlen = case.p("irlen").as_u64().map(|v| v as usize);
            filtfilt_gust(&b, &a, x.view(), axis, irlen).map_err(e2s)?
        } else {
            let (padtype, padlen) = pad_params(case)?;
            filtfilt(&b, &a, x.view(), axis, padtype, padlen).map_err(e2s)?
        };
        out.insert("y".into(), y);
    } else if name.starts_with("resample_poly_") {
        let (up, down) = (case.p_usize("up"), case.p_usize("down"));
        let pad = match case.p("padtype").as_str().unwrap_or("constant") {
            "constant" => ResamplePad::Constant,
            "mean" => ResamplePad::Mean,
            "median" => ResamplePad::Median,
            "line" => ResamplePad::Line,
            other => return Err(format!("padtype {other}")),
        };
        let window = match case.p("window") {
            Value::Null => Window::Kaiser(5.0),
            Value::Array(w) if w.len() == 2 && w[0].as_str() == Some("kaiser") => {
                Window::Kaiser(w[1].as_f64().unwrap())
            }
            other => return Err(format!("window {other}")),
        };
        let cval = case.p("cval").as_f64();
        let y = resample_poly(x.view(), up, down, axis, &window, pad, cval).map_err(e2s)?;
        out.insert("y".into(), y);
    } else if name.starts_with("decimate_") {
        let q = case.p_usize("q");
        let n = case.p("n").as_u64().map(|v| v as usize);
        let ftype = match case.p("ftype").as_str() {
            Some("fir") => DecimateFtype::Fir,
            Some("iir") | None => DecimateFtype::Iir,
            Some(o) => return Err(format!("ftype {o}")),
        };
        let zero_phase = case.p("zero_phase").as_bool().unwrap_or(true);
        let y = decimate(x.view(), q, n, ftype, axis, zero_phase).map_err(e2s)?;
        out.insert("y".into(), y);
    } else if name.starts_with("detrend_") {
        let kind = match case.p("type").as_str() {
            Some("linear") | None => DetrendType::Linear,
            Some("constant") => DetrendType::Constant,
            Some(o) => return Err(format!("type {o}")),
        };
        let bp: Vec<usize> = case
            .p("bp")
            .as_array()
            .map(|v| v.iter().map(|e| e.as_u64().unwrap() as usize).collect())
            .unwrap_or_default();
        let y = detrend(x.view(), axis, kind, &bp).map_err(e2s)?;
        out.insert("y".into(), y);
    } else {
        return Err("unhandled case".into());
    }
    Ok(out)
}
