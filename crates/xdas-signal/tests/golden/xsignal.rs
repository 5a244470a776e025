//! Golden cases of `xsignal/`: the `xdas.signal` functions on the `small` DataArray
//! (300 time × 21 distance), values and output coordinates.

use super::Check;
use super::case::{Case, TOL_FILTER, close, close_c, exact};
use ndarray::ArrayD;
use serde_json::Value;
use xdas_core::DataArray;
use xdas_signal::dataarray as xs;
use xdas_signal::decimate::DecimateFtype;
use xdas_signal::design::BandType;
use xdas_signal::detrend::DetrendType;
use xdas_signal::filter::PadType;
use xdas_signal::mean_removal::PadMode;
use xdas_signal::resample::ResamplePad;
use xdas_signal::window::Window;
use xdas_testdata::coord;

/// The `small` input as a DataArray with its coordinates.
fn small(case: &Case) -> DataArray<f64> {
    let x = case.input("x").f64();
    let meta: Value = serde_json::from_str(
        &std::fs::read_to_string(case.root.join("inputs/small.json")).unwrap(),
    )
    .unwrap();
    let coords = ["time", "distance"].map(|d| (d, coord(&meta["coords"][d], d)));
    DataArray::new(x, &["time", "distance"], coords.to_vec()).unwrap()
}

/// The output coordinates must equal xdas's.
fn same_coords<T: xdas_core::Element>(case: &Case, got: &DataArray<T>) -> Result<(), String> {
    let want = &case.json["coords"]["y"]["coords"];
    for dim in ["time", "distance"] {
        let w = coord(&want[dim], dim);
        let g = got.coord(dim).map_err(|e| e.to_string())?;
        if !g.equals(&w) {
            return Err(format!("coordinate {dim}: got {g:?}, expected {w:?}"));
        }
    }
    Ok(())
}

fn finish(case: &Case, got: &DataArray<f64>, tol: f64) -> Result<(), String> {
    let want = case.output("y").f64();
    if tol == 0.0 {
        exact("y", got.data(), &want)?
    } else {
        close("y", got.data(), &want, tol)?
    }
    same_coords(case, got)
}

fn dim(case: &Case) -> String {
    case.p("dim").as_str().unwrap_or("last").to_string()
}

fn window(v: &Value) -> Window {
    match v {
        Value::String(s) => Window::parse(s, None).unwrap(),
        Value::Array(a) => Window::parse(a[0].as_str().unwrap(), a[1].as_f64()).unwrap(),
        _ => Window::Hann,
    }
}

fn run(case: &Case) -> Result<(), String> {
    let da = small(case);
    let d = dim(case);
    let e = |e: xdas_signal::SignalError| e.to_string();
    let midpoints = case.p("midpoints").as_bool().unwrap_or(false);
    match case.name.split('_').next().unwrap() {
        "decimate" => {
            let ftype = if case.p("ftype").as_str() == Some("fir") {
                DecimateFtype::Fir
            } else {
                DecimateFtype::Iir
            };
            finish(
                case,
                &xs::decimate(&da, case.p_usize("q"), None, ftype, true, &d).map_err(e)?,
                TOL_FILTER,
            )
        }
        "detrend" => finish(
            case,
            &xs::detrend(&da, DetrendType::Linear, &d).map_err(e)?,
            TOL_FILTER,
        ),
        "differentiate" | "integrate" if case.json.get("error").is_some() => {
            // xdas 0.2.10 raises on datetime midpoints; here the labels move by half a step
            let f = if case.name.starts_with("integrate") {
                xs::integrate::<f64>
            } else {
                xs::differentiate::<f64>
            };
            let plain = f(&da, false, &d).map_err(e)?;
            let mid = f(&da, true, &d).map_err(e)?;
            exact("y", mid.data(), plain.data())?;
            let (a, b) = (
                plain.coord(&d).unwrap().value(0).unwrap(),
                mid.coord(&d).unwrap().value(0).unwrap(),
            );
            match (a, b) {
                (xdas_core::Scalar::Datetime(a), xdas_core::Scalar::Datetime(b))
                    if (b - a).ns() == 10_000_000 =>
                {
                    Ok(())
                }
                (a, b) => Err(format!("midpoints moved {a} to {b}, expected +10 ms")),
            }
        }
        "differentiate" => finish(
            case,
            &xs::differentiate(&da, midpoints, &d).map_err(e)?,
            TOL_FILTER,
        ),
        "integrate" => finish(
            case,
            &xs::integrate(&da, midpoints, &d).map_err(e)?,
            TOL_FILTER,
        ),
        "filter" => {
            let freq: Vec<f64> = match case.p("freq") {
                Value::Array(a) => a.iter().map(|v| v.as_f64().unwrap()).collect(),
                v => vec![v.as_f64().unwrap()],
            };
            let btype = BandType::parse(case.p("btype").as_str().unwrap()).unwrap();
            let corners = case.p("corners").as_u64().unwrap_or(4) as usize;
            let zp = case.p("zerophase").as_bool().unwrap_or(false);
            finish(
                case,
                &xs::filter(&da, &freq, btype, corners, zp, &d).map_err(e)?,
                TOL_FILTER,
            )
        }
        "hilbert" => {
            let got = xs::hilbert(&da, None, &d).map_err(e)?;
            close_c("y", got.data(), &case.output("y").c64(), TOL_FILTER)?;
            same_coords(case, &got)
        }
        "lfilter" => {
            let (y, zf) = xs::lfilter(
                &case.p_f64s("b"),
                &case.p_f64s("a"),
                &da,
                &d,
                Some(xs::Zi::Zeros),
            )
            .map_err(e)?;
            close("zf", &zf.unwrap(), &case.output("zf").f64(), TOL_FILTER)?;
            finish(case, &y, TOL_FILTER)
        }
        "sosfilt" => {
            let sos: Vec<[f64; 6]> = case
                .p("sos")
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let v: Vec<f64> = r
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_f64().unwrap())
                        .collect();
                    [v[0], v[1], v[2], v[3], v[4], v[5]]
                })
                .collect();
            let (y, zf) = xs::sosfilt(&sos, &da, &d, Some(xs::Zi::Zeros)).map_err(e)?;
            close("zf", &zf.unwrap(), &case.output("zf").f64(), TOL_FILTER)?;
            finish(case, &y, TOL_FILTER)
        }
        "medfilt" => {
            let k = case.p("kernel_dim").as_object().unwrap();
            let kernel: Vec<(&str, usize)> = k
                .iter()
                .map(|(d, n)| (d.as_str(), n.as_u64().unwrap() as usize))
                .collect();
            finish(case, &xs::medfilt(&da, &kernel).map_err(e)?, 0.0)
        }
        "resample" => {
            let got = xs::resample_poly(
                &da,
                case.p_usize("up"),
                case.p_usize("down"),
                &d,
                &Window::Kaiser(5.0),
                ResamplePad::Constant,
                None,
            )
            .map_err(e)?;
            finish(case, &got, TOL_FILTER)
        }
        "sliding" => {
            let pad = match case.p("pad_mode").as_str() {
                Some("constant") => PadMode::Constant,
                _ => PadMode::Reflect,
            };
            let got = xs::sliding_mean_removal(
                &da,
                case.p("wlen").as_f64().unwrap(),
                &Window::Hann,
                pad,
                &d,
            )
            .map_err(e)?;
            finish(case, &got, TOL_FILTER)
        }
        "taper" => finish(
            case,
            &xs::taper(&da, &window(case.p("window")), false, &d).map_err(e)?,
            TOL_FILTER,
        ),
        other => Err(format!("no xsignal function {other}")),
    }
}

/// Claim every `xsignal/` case.
pub fn check(case: &Case) -> Check {
    if case.group != "xsignal" {
        return None;
    }
    let _ = PadType::Odd;
    let _: Option<ArrayD<f64>> = None;
    Some(run(case))
}
