//! The stateless function atoms of `xdas_atoms::functions`: each equals the direct
//! `xdas_signal::dataarray` call bitwise (f64 and f32), runs per chunk when the stream is
//! cut along another dim (joined output == eager output, bitwise), refuses a stream cut
//! along its own dim, and refuses bad parameters when built.

use ndarray::ArrayD;
use num_complex::Complex;
use proptest::prelude::*;
use xdas_atoms::functions::{self as f, WindowSpec};
use xdas_atoms::{Atom, AtomError, AtomExt, Chunk, Picks};
use xdas_core::{DataArray, Datetime, Scalar};
use xdas_signal::dataarray as xs;
use xdas_signal::decimate::DecimateFtype;
use xdas_signal::design::BandType;
use xdas_signal::detrend::DetrendType;
use xdas_signal::filter::PadType;
use xdas_signal::mean_removal::PadMode;
use xdas_signal::resample::ResamplePad;
use xdas_signal::spectral::{Norm, Scaling};
use xdas_signal::window::Window;
use xdas_testdata::{Case, Npy, golden_dir, input_dataarray};

// ---------------------------------------------------------------------------------------
// Inputs.

/// The golden `small` input (300 time × 21 distance, 50 Hz, 500 m) in f64 and f32.
fn small() -> Option<(DataArray<f64>, DataArray<f32>)> {
    let Some(root) = golden_dir() else {
        println!("skipping: golden data not found");
        return None;
    };
    let case = Case::load(&root, &root.join("xsignal/detrend_linear_time.json"));
    assert_eq!(case.json["inputs"]["x"], "inputs/small.npy");
    let da = input_dataarray(&case, "x");
    let x32 = Npy::read(&root.join("inputs/small_f32.npy")).f32();
    let da32 = da.with_data(x32).unwrap();
    Some((da, da32))
}

/// Pieces of `chunk` along `dim` with the given sizes (cycled until the end).
fn cut(chunk: &Chunk, dim: &str, sizes: &[usize]) -> Vec<Chunk> {
    let n = chunk.len_along(dim).unwrap();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while start < n {
        let stop = (start + sizes[i % sizes.len()].max(1)).min(n);
        out.push(chunk.range(dim, start, stop).unwrap());
        start = stop;
        i += 1;
    }
    out
}

fn assert_invalid<T>(what: &str, r: Result<T, AtomError>) {
    match r {
        Err(AtomError::Invalid { .. }) => {}
        Err(other) => panic!("{what}: expected an Invalid error, got {other:?}"),
        Ok(_) => panic!("{what}: accepted"),
    }
}

fn assert_whole_record_refusal(name: &str, r: Result<Vec<Chunk>, AtomError>) {
    match r {
        Err(AtomError::Invalid { atom, message }) => {
            assert_eq!(atom, name);
            assert!(message.contains("whole record"), "{name}: {message}");
        }
        other => panic!("{name}: expected a whole-record refusal, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// The table of whole-record functions: atom, direct call (f64 and f32), own dim.

type Build = Box<dyn Fn() -> Box<dyn Atom>>;
type Direct<T> = Box<dyn Fn(&DataArray<T>) -> Chunk>;

struct Row {
    what: &'static str,
    atom: Build,
    direct64: Direct<f64>,
    direct32: Direct<f32>,
    /// The dim the function works along (chunking along it is refused).
    own: &'static str,
}

/// A row: `$atom` is an expression giving the atom, `$da => $direct` the same call on
/// `xdas_signal::dataarray` (written once, run for f64 and f32).
macro_rules! row {
    ($what:expr, $own:expr, $atom:expr, $da:ident => $direct:expr) => {
        Row {
            what: $what,
            atom: Box::new(|| Box::new($atom.unwrap()) as Box<dyn Atom>),
            direct64: Box::new(|$da: &DataArray<f64>| Chunk::from($direct.unwrap())),
            direct32: Box::new(|$da: &DataArray<f32>| Chunk::from($direct.unwrap())),
            own: $own,
        }
    };
}

fn sos2() -> Vec<[f64; 6]> {
    // butter(2, 0.2) as sections, rounded: any valid sections do
    vec![
        [0.0675, 0.135, 0.0675, 1.0, -1.143, 0.4128],
        [1.0, 2.0, 1.0, 1.0, -0.5, 0.25],
    ]
}

fn t(s: &str) -> Scalar {
    Scalar::Datetime(s.parse::<Datetime>().unwrap())
}

fn rows() -> Vec<Row> {
    vec![
        row!("detrend linear time", "time", f::detrend("linear", "time"),
            da => xs::detrend(da, DetrendType::Linear, "time")),
        row!("detrend constant distance", "distance", f::detrend("c", "distance"),
            da => xs::detrend(da, DetrendType::Constant, "distance")),
        row!("detrend last", "distance", f::detrend("linear", "last"),
            da => xs::detrend(da, DetrendType::Linear, "distance")),
        row!("taper hann time", "time", f::taper("hann", false, "time"),
            da => xs::taper(da, &Window::Hann, false, "time")),
        row!("taper tukey distance", "distance", f::taper(("tukey", 0.2), true, "distance"),
            da => xs::taper(da, &Window::Tukey(0.2), true, "distance")),
        row!("filter bandpass zerophase", "time", f::filter(vec![2.0, 10.0], "bp", 4, true, "time"),
            da => xs::filter(da, &[2.0, 10.0], BandType::Bandpass, 4, true, "time")),
        row!("filter lowpass causal", "time", f::filter(vec![5.0], "lowpass", 2, false, "time"),
            da => xs::filter(da, &[5.0], BandType::Lowpass, 2, false, "time")),
        row!("filter highpass distance", "distance", f::filter(vec![2e-4], "highpass", 3, true, "distance"),
            da => xs::filter(da, &[2e-4], BandType::Highpass, 3, true, "distance")),
        row!("hilbert", "time", f::hilbert(None, "time"),
            da => xs::hilbert(da, None, "time")),
        row!("hilbert N", "time", f::hilbert(Some(300), "time"),
            da => xs::hilbert(da, Some(300), "time")),
        row!("lfilter", "time", f::lfilter(vec![0.2, 0.3, 0.1], vec![1.0, -0.4, 0.1], "time"),
            da => xs::lfilter(&[0.2, 0.3, 0.1], &[1.0, -0.4, 0.1], da, "time", None).map(|r| r.0)),
        row!("sosfilt", "time", f::sosfilt(sos2(), "time"),
            da => xs::sosfilt(&sos2(), da, "time", None).map(|r| r.0)),
        row!("filtfilt odd", "time", f::filtfilt(vec![0.2, 0.3, 0.1], vec![1.0, -0.4, 0.1], "time", "odd", None),
            da => xs::filtfilt(&[0.2, 0.3, 0.1], &[1.0, -0.4, 0.1], da, "time", PadType::Odd, None)),
        row!("filtfilt even padlen", "time", f::filtfilt(vec![0.2, 0.3, 0.1], vec![1.0, -0.4, 0.1], "time", "even", Some(10)),
            da => xs::filtfilt(&[0.2, 0.3, 0.1], &[1.0, -0.4, 0.1], da, "time", PadType::Even, Some(10))),
        row!("sosfiltfilt constant", "time", f::sosfiltfilt(sos2(), "time", "constant", None),
            da => xs::sosfiltfilt(&sos2(), da, "time", PadType::Constant, None)),
        row!("sosfiltfilt none", "time", f::sosfiltfilt(sos2(), "time", "none", None),
            da => xs::sosfiltfilt(&sos2(), da, "time", PadType::None, None)),
        row!("decimate iir time", "time", f::decimate(3, None, "iir", true, "time"),
            da => xs::decimate(da, 3, None, DecimateFtype::Iir, true, "time")),
        row!("decimate iir causal n", "time", f::decimate(2, Some(6), "iir", false, "time"),
            da => xs::decimate(da, 2, Some(6), DecimateFtype::Iir, false, "time")),
        row!("decimate fir distance", "distance", f::decimate(2, None, "fir", true, "distance"),
            da => xs::decimate(da, 2, None, DecimateFtype::Fir, true, "distance")),
        row!("resample_poly time", "time", f::resample_poly(2, 5, "time", ("kaiser", 5.0), "constant", None),
            da => xs::resample_poly(da, 2, 5, "time", &Window::Kaiser(5.0), ResamplePad::Constant, None)),
        row!("resample_poly cval", "time", f::resample_poly(3, 2, "time", "hann", "constant", Some(1.5)),
            da => xs::resample_poly(da, 3, 2, "time", &Window::Hann, ResamplePad::Constant, Some(1.5))),
        row!("resample_poly distance mean", "distance", f::resample_poly(3, 2, "distance", "kaiser,5", "mean", None),
            da => xs::resample_poly(da, 3, 2, "distance", &Window::Kaiser(5.0), ResamplePad::Mean, None)),
        row!("integrate", "time", f::integrate(false, "time"),
            da => xs::integrate(da, false, "time")),
        row!("integrate midpoints distance", "distance", f::integrate(true, "distance"),
            da => xs::integrate(da, true, "distance")),
        row!("differentiate", "time", f::differentiate(false, "time"),
            da => xs::differentiate(da, false, "time")),
        row!("differentiate midpoints", "time", f::differentiate(true, "time"),
            da => xs::differentiate(da, true, "time")),
        row!("sliding_mean_removal", "time", f::sliding_mean_removal(0.2, "hann", "reflect", "time"),
            da => xs::sliding_mean_removal(da, 0.2, &Window::Hann, PadMode::Reflect, "time")),
        row!("sliding_mean_removal distance", "distance", f::sliding_mean_removal(2000.0, "boxcar", "edge", "distance"),
            da => xs::sliding_mean_removal(da, 2000.0, &Window::Boxcar, PadMode::Edge, "distance")),
        row!("segment_mean_removal distance", "distance",
            f::segment_mean_removal(vec![Scalar::F64(0.0), Scalar::F64(3000.0), Scalar::F64(7000.0)], "boxcar", "distance"),
            da => xs::segment_mean_removal(da, &[Scalar::F64(0.0), Scalar::F64(3000.0), Scalar::F64(7000.0)], &Window::Boxcar, "distance")),
        row!("segment_mean_removal time", "time",
            f::segment_mean_removal(vec![t("2023-01-01T00:00:01"), t("2023-01-01T00:00:04")], "hann", "time"),
            da => xs::segment_mean_removal(da, &[t("2023-01-01T00:00:01"), t("2023-01-01T00:00:04")], &Window::Hann, "time")),
        row!("medfilt time", "time", f::medfilt(vec![("time".into(), 5), ("distance".into(), 1)]),
            da => xs::medfilt(da, &[("time", 5)])),
        row!("medfilt_physical time", "time", f::medfilt_physical(vec![("time".into(), 0.1)]),
            da => xs::medfilt(da, &[("time", 5)])),
        row!("rfft", "time", f::rfft(None, "time", "frequency", "backward"),
            da => xs::rfft(da, None, "time", "frequency", Norm::Backward)),
        row!("rfft n ortho", "time", f::rfft(Some(400), "time", "spectrum", "ortho"),
            da => xs::rfft(da, Some(400), "time", "spectrum", Norm::Ortho)),
        row!("fft", "time", f::fft(Some(512), "time", "frequency", "forward"),
            da => xs::fft(da, Some(512), "time", "frequency", Norm::Forward)),
        row!("fft distance", "distance", f::fft(None, "distance", "wavenumber", "backward"),
            da => xs::fft(da, None, "distance", "wavenumber", Norm::Backward)),
        row!("stft", "time", f::stft("hann", 64, None, None, true, "time", "frequency", "spectrum"),
            da => xs::stft(da, &Window::Hann, 64, None, None, true, "time", "frequency", Scaling::Spectrum)),
        row!("stft two-sided psd", "time", f::stft(("kaiser", 8.0), 50, Some(30), Some(64), false, "time", "frequency", "psd"),
            da => xs::stft(da, &Window::Kaiser(8.0), 50, Some(30), Some(64), false, "time", "frequency", Scaling::Psd)),
    ]
}

fn other_dim(own: &str) -> &'static str {
    if own == "time" { "distance" } else { "time" }
}

#[test]
fn each_function_equals_the_direct_call_bitwise_f64_and_f32() {
    let Some((da, da32)) = small() else { return };
    let rows = rows();
    for r in &rows {
        let mut atom = (r.atom)();
        let got = atom
            .apply(da.clone())
            .unwrap_or_else(|e| panic!("{}: {e}", r.what));
        assert!(got.equals(&(r.direct64)(&da)), "{}: f64 differs", r.what);
        let got32 = atom
            .apply(da32.clone())
            .unwrap_or_else(|e| panic!("{}: {e}", r.what));
        assert!(
            matches!(got32, Chunk::F32(_) | Chunk::C64(_)),
            "{}: f32 input gave {}",
            r.what,
            got32.dtype_name()
        );
        assert!(
            got32.equals(&(r.direct32)(&da32)),
            "{}: f32 differs",
            r.what
        );
    }
    println!("{} functions checked", rows.len());
}

#[test]
fn chunked_along_another_dim_equals_eager() {
    let Some((da, da32)) = small() else { return };
    for r in rows() {
        let other = other_dim(r.own);
        for input in [Chunk::from(da.clone()), Chunk::from(da32.clone())] {
            let mut atom = (r.atom)();
            let eager = atom.apply(input.clone()).unwrap();
            for sizes in [&[1usize][..], &[5, 1, 7, 3], &[64], &[1000]] {
                let chunks = cut(&input, other, sizes);
                let joined = atom
                    .run_chunks(chunks, other)
                    .unwrap_or_else(|e| panic!("{} along {other} {sizes:?}: {e}", r.what))
                    .unwrap();
                assert!(
                    joined.equals(&eager),
                    "{}: chunks {sizes:?} along {other} differ from the eager result",
                    r.what
                );
            }
        }
    }
}

#[test]
fn chunked_along_its_own_dim_is_refused() {
    let Some((da, _)) = small() else { return };
    for r in rows() {
        let mut atom = (r.atom)();
        let name = atom.name().to_string();
        let first = Chunk::from(da.clone()).range(r.own, 0, 100).unwrap();
        assert_whole_record_refusal(&name, atom.call(first.clone(), Some(r.own)));
        // the alias of the chunk dim is resolved too
        let alias = if r.own == "time" { "first" } else { "last" };
        assert_whole_record_refusal(&name, atom.call(first, Some(alias)));
    }
}

#[test]
fn medfilt_refuses_chunks_along_any_dim_its_kernel_spans() {
    let Some((da, _)) = small() else { return };
    let x = Chunk::from(da.clone());
    for mut atom in [
        f::medfilt(vec![("time".into(), 5), ("distance".into(), 3)]).unwrap(),
        f::medfilt_physical(vec![("time".into(), 0.1), ("distance".into(), 1500.0)]).unwrap(),
    ] {
        let want = xs::medfilt(&da, &[("time", 5), ("distance", 3)]).unwrap();
        assert!(atom.apply(da.clone()).unwrap().equals(&Chunk::from(want)));
        for dim in ["time", "distance", "first", "last"] {
            assert_whole_record_refusal(
                "medfilt",
                atom.call(x.range("time", 0, 50).unwrap(), Some(dim)),
            );
        }
    }
    // a dim of size 1 is not spanned: chunks along it are fine
    let mut atom = f::medfilt(vec![("time".into(), 1), ("distance".into(), 3)]).unwrap();
    let eager = atom.apply(da.clone()).unwrap();
    let joined = atom
        .run_chunks(cut(&x, "time", &[7, 1, 30]), "time")
        .unwrap()
        .unwrap();
    assert!(joined.equals(&eager));
    assert_eq!(
        atom.signature(),
        r#"medfilt(kernel_dim={"time": 1, "distance": 3})"#
    );
    assert_eq!(
        f::medfilt_physical(vec![("time".into(), 0.1)])
            .unwrap()
            .signature(),
        r#"medfilt(kernel={"time": 0.1})"#
    );
}

#[test]
fn inverse_transforms_of_complex_spectra() {
    let Some((da, da32)) = small() else { return };
    let spec = xs::fft(&da, None, "time", "frequency", Norm::Backward).unwrap();
    let rspec = xs::rfft(&da, None, "time", "frequency", Norm::Backward).unwrap();
    let spec32 = xs::fft(&da32, None, "time", "frequency", Norm::Ortho).unwrap();
    let rspec32 = xs::rfft(&da32, None, "time", "frequency", Norm::Ortho).unwrap();

    let mut ifft = f::ifft(None, "frequency", "time", "backward").unwrap();
    let mut irfft = f::irfft(Some(300), "frequency", "lag", "backward").unwrap();
    let got = ifft.apply(spec.clone()).unwrap();
    let want = xs::ifft(&spec, None, "frequency", "time", Norm::Backward).unwrap();
    assert!(got.equals(&Chunk::from(want)));
    let got = irfft.apply(rspec.clone()).unwrap();
    let want = xs::irfft(&rspec, Some(300), "frequency", "lag", Norm::Backward).unwrap();
    assert!(got.equals(&Chunk::from(want)));
    // the round trip gives the data back
    let Chunk::F64(back) = got else { panic!() };
    let err = (back.data() - da.data())
        .mapv(f64::abs)
        .fold(0.0, |m: f64, &v| m.max(v));
    assert!(err < 1e-12, "{err}");

    let mut ifft32 = f::ifft(None, "frequency", "time", "ortho").unwrap();
    let mut irfft32 = f::irfft(None, "frequency", "time", "ortho").unwrap();
    let want = xs::ifft(&spec32, None, "frequency", "time", Norm::Ortho).unwrap();
    assert!(
        ifft32
            .apply(spec32.clone())
            .unwrap()
            .equals(&Chunk::from(want))
    );
    let want = xs::irfft(&rspec32, None, "frequency", "time", Norm::Ortho).unwrap();
    assert!(
        irfft32
            .apply(rspec32.clone())
            .unwrap()
            .equals(&Chunk::from(want))
    );

    // per chunk along distance; refused along their own dim; real input refused
    for (atom, input) in [
        (&mut ifft, Chunk::from(spec)),
        (&mut irfft, Chunk::from(rspec)),
    ] {
        let eager = atom.apply(input.clone()).unwrap();
        let joined = atom
            .run_chunks(cut(&input, "distance", &[2, 1, 9]), "distance")
            .unwrap()
            .unwrap();
        assert!(joined.equals(&eager));
        let name = atom.name().to_string();
        assert_whole_record_refusal(
            &name,
            atom.call(input.range("frequency", 0, 10).unwrap(), Some("frequency")),
        );
        assert!(matches!(
            atom.apply(da.clone()),
            Err(AtomError::DType { .. })
        ));
    }
}

// ---------------------------------------------------------------------------------------
// Elementwise functions.

fn sine_f64(nt: usize, nx: usize) -> DataArray<f64> {
    let da = xdas_synthetics::dummy::<f64>((nt, nx)).to_dataarray();
    da.with_data(da.data().mapv(|v| (v * 0.37).sin() * 3.0))
        .unwrap()
}

fn pointwise() -> Vec<(&'static str, xdas_atoms::Func)> {
    vec![
        ("square", f::square()),
        ("abs", f::abs()),
        ("sqrt", f::sqrt()),
        ("log10", f::log10()),
        ("scale(factor=2.5)", f::scale(2.5)),
        ("scale(factor=-1e-7)", f::scale(-1e-7)),
        ("add(offset=0.25)", f::add(0.25)),
    ]
}

#[test]
fn elementwise_functions_follow_numpy() {
    let da = sine_f64(40, 3);
    let da32 = da.with_data(da.data().mapv(|v| v as f32)).unwrap();
    let expect64: Vec<fn(f64) -> f64> = vec![
        |v| v * v,
        f64::abs,
        f64::sqrt,
        f64::log10,
        |v| v * 2.5,
        |v| v * -1e-7,
        |v| v + 0.25,
    ];
    let expect32: Vec<fn(f32) -> f32> = vec![
        |v| v * v,
        f32::abs,
        f32::sqrt,
        f32::log10,
        |v| v * 2.5f32,
        |v| v * (-1e-7f64 as f32),
        |v| v + 0.25f32,
    ];
    for (((sig, mut atom), e64), e32) in pointwise().into_iter().zip(expect64).zip(expect32) {
        assert_eq!(atom.signature(), sig);
        let want = Chunk::from(da.with_data(da.data().mapv(e64)).unwrap());
        assert!(atom.apply(da.clone()).unwrap().equals(&want), "{sig}");
        let want = Chunk::from(da32.with_data(da32.data().mapv(e32)).unwrap());
        assert!(atom.apply(da32.clone()).unwrap().equals(&want), "{sig} f32");
        // picks are not data
        assert!(
            matches!(atom.apply(Picks::default()), Err(AtomError::DType { .. })),
            "{sig}"
        );
    }
}

#[test]
fn elementwise_functions_on_complex_data() {
    let da = sine_f64(32, 2);
    let z = xs::hilbert(&da, None, "time").unwrap();
    let z32 = xs::hilbert(
        &da.with_data(da.data().mapv(|v| v as f32)).unwrap(),
        None,
        "time",
    )
    .unwrap();
    // abs: complex -> real magnitude
    let Chunk::F64(m) = f::abs().apply(z.clone()).unwrap() else {
        panic!("abs of complex128")
    };
    assert_eq!(m.data(), &z.data().mapv(|c| c.norm()));
    assert_eq!(m.coord("time").unwrap(), z.coord("time").unwrap());
    let Chunk::F32(m32) = f::abs().apply(z32.clone()).unwrap() else {
        panic!("abs of complex64")
    };
    assert_eq!(m32.data(), &z32.data().mapv(|c| c.norm()));
    // square: z * z; scale, add
    let want = Chunk::from(z.with_data(z.data().mapv(|c| c * c)).unwrap());
    assert!(f::square().apply(z.clone()).unwrap().equals(&want));
    let want = Chunk::from(z32.with_data(z32.data().mapv(|c| c * 0.5f32)).unwrap());
    assert!(f::scale(0.5).apply(z32.clone()).unwrap().equals(&want));
    let want = Chunk::from(
        z.with_data(z.data().mapv(|c| c + Complex::new(1.0, 0.0)))
            .unwrap(),
    );
    assert!(f::add(1.0).apply(z.clone()).unwrap().equals(&want));
    // sqrt and log10 are for real data
    assert!(matches!(
        f::sqrt().apply(z.clone()),
        Err(AtomError::DType { .. })
    ));
    assert!(matches!(
        f::log10().apply(z32),
        Err(AtomError::DType { .. })
    ));
}

#[test]
fn stateless_atoms_resume_from_a_saved_state() {
    let da = sine_f64(50, 4);
    let x = Chunk::from(da);
    let chunks = cut(&x, "time", &[7, 1, 13]);
    let builds: Vec<Box<dyn Fn() -> Box<dyn Atom>>> = vec![
        Box::new(|| Box::new(f::scale(3.0))),
        Box::new(|| Box::new(f::detrend("linear", "distance").unwrap())),
        Box::new(|| Box::new(f::medfilt(vec![("distance".into(), 3)]).unwrap())),
    ];
    for build in builds {
        let mut whole = build();
        let all = whole.iter_chunks(chunks.clone(), "time").unwrap();
        let mut first = build();
        let mut out = Vec::new();
        for c in &chunks[..3] {
            out.extend(first.call(c.clone(), Some("time")).unwrap());
        }
        let state = first.state().unwrap();
        assert!(state.is_null());
        let mut second = build();
        assert_eq!(second.signature(), first.signature());
        second.set_state(state).unwrap();
        for c in &chunks[3..] {
            out.extend(second.call(c.clone(), Some("time")).unwrap());
        }
        out.extend(second.flush().unwrap());
        assert_eq!(out.len(), all.len());
        assert!(out.iter().zip(&all).all(|(a, b)| a.equals(b)));
    }
}

// ---------------------------------------------------------------------------------------
// Parameters.

#[test]
fn signatures_list_every_parameter_in_canonical_spelling() {
    let cases: Vec<(Box<dyn Atom>, &str)> = vec![
        (
            Box::new(f::detrend("l", "time").unwrap()),
            r#"detrend(type="linear", dim="time")"#,
        ),
        (
            Box::new(f::taper("hanning", true, "time").unwrap()),
            r#"taper(window="hann", fftbins=True, dim="time")"#,
        ),
        (
            Box::new(f::taper("tukey", false, "distance").unwrap()),
            r#"taper(window=("tukey", 0.5), fftbins=False, dim="distance")"#,
        ),
        (
            Box::new(f::filter(vec![1.0, 10.0], "bp", 4, false, "time").unwrap()),
            r#"filter(freq=[1.0, 10.0], btype="bandpass", corners=4, zerophase=False, dim="time")"#,
        ),
        (
            Box::new(f::hilbert(Some(64), "time").unwrap()),
            r#"hilbert(N=64, dim="time")"#,
        ),
        (
            Box::new(f::lfilter(vec![0.5], vec![1.0, -0.5], "time").unwrap()),
            r#"lfilter(b=[0.5], a=[1.0, -0.5], dim="time")"#,
        ),
        (
            Box::new(f::sosfilt(vec![[1.0, 0.0, 0.0, 1.0, 0.5, 0.0]], "time").unwrap()),
            r#"sosfilt(sos=[[1.0, 0.0, 0.0, 1.0, 0.5, 0.0]], dim="time")"#,
        ),
        (
            Box::new(f::filtfilt(vec![0.5], vec![1.0], "time", "odd", None).unwrap()),
            r#"filtfilt(b=[0.5], a=[1.0], dim="time", padtype="odd", padlen=None)"#,
        ),
        (
            Box::new(
                f::sosfiltfilt(
                    vec![[1.0, 0.0, 0.0, 1.0, 0.5, 0.0]],
                    "time",
                    "None",
                    Some(3),
                )
                .unwrap(),
            ),
            r#"sosfiltfilt(sos=[[1.0, 0.0, 0.0, 1.0, 0.5, 0.0]], dim="time", padtype="none", padlen=3)"#,
        ),
        (
            Box::new(f::decimate(4, None, "fir", true, "distance").unwrap()),
            r#"decimate(q=4, n=None, ftype="fir", zero_phase=True, dim="distance")"#,
        ),
        (
            Box::new(f::resample_poly(1, 2, "time", "('kaiser', 5.0)", "constant", None).unwrap()),
            r#"resample_poly(up=1, down=2, dim="time", window=("kaiser", 5.0), padtype="constant", cval=None)"#,
        ),
        (
            Box::new(f::integrate(true, "time").unwrap()),
            r#"integrate(midpoints=True, dim="time")"#,
        ),
        (
            Box::new(f::differentiate(false, "time").unwrap()),
            r#"differentiate(midpoints=False, dim="time")"#,
        ),
        (
            Box::new(f::sliding_mean_removal(0.5, "hann", "reflect", "time").unwrap()),
            r#"sliding_mean_removal(wlen=0.5, window="hann", pad_mode="reflect", dim="time")"#,
        ),
        (
            Box::new(
                f::segment_mean_removal(
                    vec![Scalar::F64(0.0), Scalar::F64(2.5)],
                    "hann",
                    "distance",
                )
                .unwrap(),
            ),
            r#"segment_mean_removal(limits=[0, 2.5], window="hann", dim="distance")"#,
        ),
        (
            Box::new(f::rfft(None, "time", "frequency", "backward").unwrap()),
            r#"rfft(n=None, dim={"time": "frequency"}, norm="backward")"#,
        ),
        (
            Box::new(f::ifft(Some(8), "frequency", "time", "ortho").unwrap()),
            r#"ifft(n=8, dim={"frequency": "time"}, norm="ortho")"#,
        ),
        (
            Box::new(
                f::stft("hann", 64, Some(32), None, true, "time", "frequency", "psd").unwrap(),
            ),
            r#"stft(window="hann", nperseg=64, noverlap=32, nfft=None, return_onesided=True, dim="time", newdim="frequency", scaling="psd")"#,
        ),
    ];
    for (atom, want) in cases {
        assert_eq!(atom.signature(), want);
        assert_eq!(want.split('(').next().unwrap(), atom.name());
    }
    // a parameter change changes the signature
    assert_ne!(
        f::filter(vec![1.0], "lowpass", 4, false, "time")
            .unwrap()
            .signature(),
        f::filter(vec![1.0], "lowpass", 4, true, "time")
            .unwrap()
            .signature()
    );
}

#[test]
fn bad_parameters_are_refused_when_built() {
    assert_invalid("detrend type", f::detrend("quadratic", "time"));
    assert_invalid("detrend dim", f::detrend("linear", ""));
    assert_invalid("taper unknown window", f::taper("hannn", false, "time"));
    assert_invalid(
        "taper kaiser without beta",
        f::taper("kaiser", false, "time"),
    );
    assert_invalid(
        "taper hann with a parameter",
        f::taper(("hann", 1.0), false, "time"),
    );
    assert_invalid(
        "taper bad parameter text",
        f::taper("kaiser,five", false, "time"),
    );
    assert_invalid(
        "taper gaussian std",
        f::taper(("gaussian", -1.0), false, "time"),
    );
    assert_invalid(
        "filter btype",
        f::filter(vec![1.0], "notch", 4, false, "time"),
    );
    assert_invalid(
        "filter corners count",
        f::filter(vec![1.0], "bandpass", 4, false, "time"),
    );
    assert_invalid(
        "filter corners count",
        f::filter(vec![1.0, 2.0], "lowpass", 4, false, "time"),
    );
    assert_invalid(
        "filter corner order",
        f::filter(vec![5.0, 2.0], "bandstop", 4, false, "time"),
    );
    assert_invalid(
        "filter corner value",
        f::filter(vec![f64::NAN], "highpass", 4, false, "time"),
    );
    assert_invalid(
        "filter corner value",
        f::filter(vec![-1.0], "highpass", 4, false, "time"),
    );
    assert_invalid(
        "filter order",
        f::filter(vec![1.0], "highpass", 0, false, "time"),
    );
    assert_invalid("hilbert N", f::hilbert(Some(0), "time"));
    assert_invalid("lfilter a0", f::lfilter(vec![1.0], vec![0.0, 1.0], "time"));
    assert_invalid("lfilter empty a", f::lfilter(vec![1.0], vec![], "time"));
    assert_invalid("lfilter empty b", f::lfilter(vec![], vec![1.0], "time"));
    assert_invalid("lfilter NaN", f::lfilter(vec![f64::NAN], vec![1.0], "time"));
    assert_invalid(
        "sosfilt a0",
        f::sosfilt(vec![[1.0, 0.0, 0.0, 2.0, 0.0, 0.0]], "time"),
    );
    assert_invalid("sosfilt empty", f::sosfilt(vec![], "time"));
    assert_invalid(
        "filtfilt padtype",
        f::filtfilt(vec![1.0], vec![1.0], "time", "mirror", None),
    );
    assert_invalid(
        "filtfilt a0",
        f::filtfilt(vec![1.0], vec![0.0], "time", "odd", None),
    );
    assert_invalid(
        "sosfiltfilt padtype",
        f::sosfiltfilt(vec![[1.0, 0.0, 0.0, 1.0, 0.0, 0.0]], "time", "Odd", None),
    );
    assert_invalid("decimate q", f::decimate(0, None, "iir", true, "time"));
    assert_invalid("decimate n", f::decimate(2, Some(0), "iir", true, "time"));
    assert_invalid(
        "decimate ftype",
        f::decimate(2, None, "cheby", true, "time"),
    );
    assert_invalid(
        "resample_poly up",
        f::resample_poly(0, 2, "time", "hann", "constant", None),
    );
    assert_invalid(
        "resample_poly down",
        f::resample_poly(2, 0, "time", "hann", "constant", None),
    );
    assert_invalid(
        "resample_poly window",
        f::resample_poly(2, 3, "time", "nope", "constant", None),
    );
    assert_invalid(
        "resample_poly padtype",
        f::resample_poly(2, 3, "time", "hann", "zeros", None),
    );
    assert_invalid(
        "resample_poly cval padtype",
        f::resample_poly(2, 3, "time", "hann", "edge", Some(0.0)),
    );
    assert_invalid(
        "resample_poly cval",
        f::resample_poly(2, 3, "time", "hann", "constant", Some(f64::INFINITY)),
    );
    assert_invalid("integrate dim", f::integrate(false, ""));
    assert_invalid(
        "sliding_mean_removal wlen",
        f::sliding_mean_removal(0.0, "hann", "reflect", "time"),
    );
    assert_invalid(
        "sliding_mean_removal wlen",
        f::sliding_mean_removal(f64::NAN, "hann", "reflect", "time"),
    );
    assert_invalid(
        "sliding_mean_removal pad_mode",
        f::sliding_mean_removal(1.0, "hann", "mean", "time"),
    );
    assert_invalid(
        "sliding_mean_removal window",
        f::sliding_mean_removal(1.0, "kaiser", "reflect", "time"),
    );
    assert_invalid(
        "segment_mean_removal window",
        f::segment_mean_removal(vec![], "x", "time"),
    );
    assert_invalid("medfilt empty", f::medfilt(vec![]));
    assert_invalid("medfilt even", f::medfilt(vec![("time".into(), 4)]));
    assert_invalid("medfilt zero", f::medfilt(vec![("time".into(), 0)]));
    assert_invalid(
        "medfilt twice",
        f::medfilt(vec![("time".into(), 3), ("time".into(), 5)]),
    );
    assert_invalid(
        "medfilt_physical negative",
        f::medfilt_physical(vec![("time".into(), -1.0)]),
    );
    assert_invalid(
        "medfilt_physical NaN",
        f::medfilt_physical(vec![("time".into(), f64::NAN)]),
    );
    assert_invalid("rfft norm", f::rfft(None, "time", "frequency", "none"));
    assert_invalid("fft n", f::fft(Some(0), "time", "frequency", "backward"));
    assert_invalid("ifft newdim", f::ifft(None, "frequency", "", "backward"));
    assert_invalid("irfft norm", f::irfft(None, "frequency", "time", "Ortho"));
    assert_invalid(
        "stft nperseg",
        f::stft("hann", 0, None, None, true, "time", "frequency", "spectrum"),
    );
    assert_invalid(
        "stft noverlap",
        f::stft(
            "hann",
            16,
            Some(16),
            None,
            true,
            "time",
            "frequency",
            "spectrum",
        ),
    );
    assert_invalid(
        "stft nfft",
        f::stft(
            "hann",
            16,
            None,
            Some(8),
            true,
            "time",
            "frequency",
            "spectrum",
        ),
    );
    assert_invalid(
        "stft scaling",
        f::stft("hann", 16, None, None, true, "time", "frequency", "power"),
    );
    assert_invalid(
        "stft window",
        f::stft(
            "tukey,x",
            16,
            None,
            None,
            true,
            "time",
            "frequency",
            "spectrum",
        ),
    );
}

#[test]
fn window_specs_from_text() {
    let ok: Vec<(WindowSpec, Window)> = vec![
        ("hann".into(), Window::Hann),
        (" Hamming ".into(), Window::Hamming),
        ("kaiser,5".into(), Window::Kaiser(5.0)),
        ("kaiser, 5.0".into(), Window::Kaiser(5.0)),
        ("('kaiser', 5.0)".into(), Window::Kaiser(5.0)),
        ("(\"gaussian\", 2.5)".into(), Window::Gaussian(2.5)),
        (("tukey", 0.1).into(), Window::Tukey(0.1)),
        (("kaiser".to_string(), 8.0).into(), Window::Kaiser(8.0)),
        (Window::Kaiser(5.0).into(), Window::Kaiser(5.0)),
        (Window::Boxcar.into(), Window::Boxcar),
        ("tukey".into(), Window::Tukey(0.5)),
    ];
    for (spec, want) in ok {
        assert_eq!(spec.window().unwrap(), want, "{spec:?}");
    }
    for bad in ["", "kaiser", "kaiser,", "hann,1", "('kaiser')", "nope"] {
        assert!(WindowSpec::from(bad).window().is_err(), "{bad:?}");
    }
}

#[test]
fn runtime_errors_do_not_panic() {
    let da = sine_f64(20, 3);
    // cutoff above Nyquist (50 Hz), padlen too long, unknown dim, picks
    let mut atom = f::filter(vec![60.0], "lowpass", 4, false, "time").unwrap();
    assert!(atom.apply(da.clone()).is_err());
    let mut atom = f::filtfilt(vec![0.5], vec![1.0], "time", "odd", Some(100)).unwrap();
    assert!(atom.apply(da.clone()).is_err());
    // N other than the length: xdas cannot relabel the result either
    let mut atom = f::hilbert(Some(32), "time").unwrap();
    assert!(atom.apply(da.clone()).is_err());
    let mut atom = f::detrend("linear", "depth").unwrap();
    assert!(atom.apply(da.clone()).is_err());
    let mut atom = f::medfilt_physical(vec![("depth".into(), 1.0)]).unwrap();
    assert!(atom.apply(da.clone()).is_err());
    let mut atom = f::taper("hann", false, "time").unwrap();
    assert!(matches!(
        atom.apply(Picks::default()),
        Err(AtomError::DType { .. })
    ));
    let z = xs::hilbert(&da, None, "time").unwrap();
    assert!(matches!(atom.apply(z), Err(AtomError::DType { .. })));
    // an array without the dim's coordinate: no sampling interval
    let bare = DataArray::new(
        ArrayD::<f64>::zeros(ndarray::IxDyn(&[10, 2])),
        &["time", "distance"],
        vec![],
    )
    .unwrap();
    assert!(
        f::filter(vec![1.0], "lowpass", 2, false, "time")
            .unwrap()
            .apply(bare)
            .is_err()
    );
}

#[test]
fn golden_detrend_matches_xdas() {
    let Some(root) = golden_dir() else {
        println!("skipping: golden data not found");
        return;
    };
    let case = Case::load(&root, &root.join("xsignal/detrend_linear_time.json"));
    let da = input_dataarray(&case, "x");
    let Chunk::F64(y) = f::detrend("linear", "time").unwrap().apply(da).unwrap() else {
        panic!()
    };
    let want = case.output("y").f64();
    let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    xdas_testdata::close("detrend", y.data(), &want, 1e-12 * scale).unwrap();
}

// ---------------------------------------------------------------------------------------
// Random chunkings.

fn along_distance_atoms() -> Vec<Box<dyn Atom>> {
    vec![
        Box::new(f::detrend("linear", "time").unwrap()),
        Box::new(f::filter(vec![5.0, 20.0], "bandpass", 2, true, "time").unwrap()),
        Box::new(f::decimate(2, None, "fir", true, "time").unwrap()),
        Box::new(f::resample_poly(2, 3, "time", ("kaiser", 5.0), "constant", None).unwrap()),
        Box::new(f::medfilt(vec![("time".into(), 3)]).unwrap()),
        Box::new(f::rfft(None, "time", "frequency", "backward").unwrap()),
        Box::new(f::hilbert(None, "time").unwrap()),
        Box::new(f::sliding_mean_removal(0.05, "hann", "reflect", "time").unwrap()),
        Box::new(f::differentiate(true, "time").unwrap()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Pointwise functions: any chunking along time (1-sample chunks included) gives the
    /// eager result bitwise.
    #[test]
    fn pointwise_any_chunking(nt in 1usize..60, nx in 1usize..5, sizes in prop::collection::vec(1usize..9, 1..6), f32_data: bool) {
        let da = sine_f64(nt, nx);
        let x = if f32_data { Chunk::from(da.with_data(da.data().mapv(|v| v as f32)).unwrap()) } else { Chunk::from(da) };
        for (sig, mut atom) in pointwise() {
            let eager = atom.apply(x.clone()).unwrap();
            let joined = atom.run_chunks(cut(&x, "time", &sizes), "time").unwrap().unwrap();
            prop_assert!(joined.equals(&eager), "{} {:?}", sig, sizes);
        }
    }

    /// Whole-record functions along time: any chunking along distance (single channels
    /// included) gives the eager result bitwise.
    #[test]
    fn whole_record_any_chunking_along_another_dim(nt in 40usize..90, nx in 1usize..9, sizes in prop::collection::vec(1usize..5, 1..5), f32_data: bool) {
        let da = sine_f64(nt, nx);
        let x = if f32_data { Chunk::from(da.with_data(da.data().mapv(|v| v as f32)).unwrap()) } else { Chunk::from(da) };
        for mut atom in along_distance_atoms() {
            let eager = atom.apply(x.clone()).unwrap();
            let joined = atom.run_chunks(cut(&x, "distance", &sizes), "distance").unwrap().unwrap();
            prop_assert!(joined.equals(&eager), "{} {:?}", atom.signature(), sizes);
        }
    }
}
