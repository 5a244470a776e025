//! Golden cases of this area (see `golden/mod.rs`): `get_window_*`, `iirfilter_*` and
//! `firwin_*` against scipy 1.17.

use super::Check;
use super::case::{Case, TOL_DESIGN, close, close_c};
use ndarray::{ArrayD, IxDyn};
use num_complex::Complex64;
use serde_json::Value;
use xdas_signal::design::{
    BandType, FilterKind, PassZero, firwin, iirfilter_ba, iirfilter_sos, iirfilter_zpk,
};
use xdas_signal::window::{Window, get_window};

/// Claim and check this area's cases; `None` for the others.
pub fn check(case: &Case) -> Check {
    let name = case.name.as_str();
    if name.starts_with("get_window_") {
        Some(check_window(case))
    } else if name.starts_with("iirfilter_") {
        Some(check_iir(case))
    } else if name.starts_with("firwin_") {
        Some(check_firwin(case))
    } else {
        None
    }
}

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

fn vec1(v: Vec<f64>) -> ArrayD<f64> {
    let n = v.len();
    ArrayD::from_shape_vec(IxDyn(&[n]), v).unwrap()
}

/// A number or a list of numbers.
fn f64s(v: &Value) -> Result<Vec<f64>, String> {
    match v {
        Value::Number(n) => Ok(vec![n.as_f64().unwrap()]),
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_f64().ok_or_else(|| format!("not a number: {x}")))
            .collect(),
        _ => Err(format!("expected numbers, got {v}")),
    }
}

fn opt_f64(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// `"hann"` or `["kaiser", 5.0]`.
fn window_of(v: &Value) -> Result<Window, String> {
    match v {
        Value::Null => Ok(Window::Hamming),
        Value::String(s) => Window::parse(s, None).map_err(err),
        Value::Array(a) => {
            let name = a[0].as_str().ok_or("window name")?;
            Window::parse(name, a.get(1).and_then(Value::as_f64)).map_err(err)
        }
        _ => Err(format!("window {v}")),
    }
}

fn check_window(case: &Case) -> Result<(), String> {
    let window = window_of(case.p("window"))?;
    let ns = f64s(case.p("n"))?;
    let mut checked = 0;
    for n in ns {
        let n = n as usize;
        for (periodic, tag) in [(true, "periodic"), (false, "symmetric")] {
            let key = format!("n{n}_{tag}");
            let want = case.output(&key).f64();
            let got = vec1(get_window(&window, n, periodic).map_err(err)?);
            close(&key, &got, &want, TOL_DESIGN)?;
            checked += 1;
        }
    }
    if checked != case.output_keys().len() {
        return Err(format!(
            "checked {checked} of {} outputs",
            case.output_keys().len()
        ));
    }
    Ok(())
}

/// Cases that need a looser tolerance than `TOL_DESIGN` (none so far).
fn iir_tolerance(_name: &str) -> f64 {
    TOL_DESIGN
}

fn check_iir(case: &Case) -> Result<(), String> {
    let order = case.p_usize("N");
    let wn = f64s(case.p("Wn"))?;
    let btype = BandType::parse(case.p("btype").as_str().unwrap_or("bandpass")).map_err(err)?;
    let ftype = case.p("ftype").as_str().unwrap_or("butter");
    let kind =
        FilterKind::parse(ftype, opt_f64(case.p("rp")), opt_f64(case.p("rs"))).map_err(err)?;
    let fs = opt_f64(case.p("fs"));
    let tol = iir_tolerance(&case.name);
    let keys = case.output_keys();
    let mut checked = 0;
    if keys.iter().any(|k| k == "b" || k == "a") {
        let ba = iirfilter_ba(order, &wn, btype, kind, fs).map_err(err)?;
        close("b", &vec1(ba.b), &case.output("b").f64(), tol)?;
        close("a", &vec1(ba.a), &case.output("a").f64(), tol)?;
        checked += 2;
    }
    if keys.iter().any(|k| k == "sos") {
        let sos = iirfilter_sos(order, &wn, btype, kind, fs).map_err(err)?;
        let rows = sos.len();
        let got = ArrayD::from_shape_vec(IxDyn(&[rows, 6]), sos.concat()).unwrap();
        close("sos", &got, &case.output("sos").f64(), tol)?;
        checked += 1;
    }
    if keys.iter().any(|k| k == "z" || k == "p" || k == "k") {
        let zpk = iirfilter_zpk(order, &wn, btype, kind, fs).map_err(err)?;
        roots_close("z", &zpk.z, &case.output("z").c64(), tol)?;
        roots_close("p", &zpk.p, &case.output("p").c64(), tol)?;
        let k = case.output("k").f64();
        close(
            "k",
            &vec1(vec![zpk.k]),
            &k.into_shape_with_order(IxDyn(&[1])).unwrap(),
            tol,
        )?;
        checked += 3;
    }
    if checked != keys.len() {
        return Err(format!(
            "checked {checked} of {} outputs {keys:?}",
            keys.len()
        ));
    }
    Ok(())
}

/// Roots compared as multisets: both sorted by (re, im) after rounding away noise.
fn roots_close(
    what: &str,
    got: &[Complex64],
    want: &ArrayD<Complex64>,
    tol: f64,
) -> Result<(), String> {
    let key = |v: &Complex64| {
        let q = |x: f64| (x * 1e9).round();
        (q(v.re), q(v.im))
    };
    let sort = |v: &mut [Complex64]| {
        v.sort_by(|a, b| key(a).partial_cmp(&key(b)).unwrap());
    };
    let mut g = got.to_vec();
    let mut w: Vec<Complex64> = want.iter().copied().collect();
    sort(&mut g);
    sort(&mut w);
    let n = g.len();
    close_c(
        what,
        &ArrayD::from_shape_vec(IxDyn(&[n]), g).unwrap(),
        &ArrayD::from_shape_vec(IxDyn(&[w.len()]), w).unwrap(),
        tol,
    )
}

fn check_firwin(case: &Case) -> Result<(), String> {
    let numtaps = case.p_usize("numtaps");
    let cutoff = f64s(case.p("cutoff"))?;
    let width = opt_f64(case.p("width"));
    let window = window_of(case.p("window"))?;
    let pass_zero = match case.p("pass_zero") {
        Value::Null => PassZero::True,
        Value::Bool(b) => PassZero::from(*b),
        Value::String(s) => PassZero::parse(s).map_err(err)?,
        v => return Err(format!("pass_zero {v}")),
    };
    let scale = case.p("scale").as_bool().unwrap_or(true);
    let fs = opt_f64(case.p("fs"));
    let got = firwin(numtaps, &cutoff, width, &window, pass_zero, scale, fs).map_err(err)?;
    close("taps", &vec1(got), &case.output("taps").f64(), TOL_DESIGN)
}
