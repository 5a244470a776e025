//! `Integrate`, `Differentiate`, `STFT` and `Rechunk`: eager results against the
//! `xdas_signal::dataarray` functions (and the golden xdas outputs), chunked runs equal
//! to eager ones bit for bit, save / resume mid-stream, errors.

use ndarray::ArrayD;
use proptest::prelude::*;
use xdas_atoms::calculus::{Differentiate, Integrate};
use xdas_atoms::rechunk::Rechunk;
use xdas_atoms::stft::STFT;
use xdas_atoms::{Atom, AtomError, AtomExt, Chunk};
use xdas_core::coords::InterpCoordinate;
use xdas_core::{Coordinate, DataArray, Datetime, Scalar, Timedelta, Tolerance};
use xdas_signal::spectral::{Scaling, next_fast_len};
use xdas_signal::window::Window;

// ------------------------------------------------------------------------ helpers

/// How the `time` dim is labelled.
#[derive(Debug, Clone, Copy)]
enum Axis {
    /// Datetimes at 100 Hz (whole ns).
    Time100,
    /// Datetimes at 3 Hz (1e9/3 ns: every label rounded, hence a tolerance of 1 ns so
    /// that pieces of the coordinate join back into one).
    Time3,
    /// Floats from 1.7 every 0.3.
    Float,
}

impl Axis {
    fn dt(self) -> f64 {
        match self {
            Axis::Time100 => 0.01,
            Axis::Time3 => 1.0 / 3.0,
            Axis::Float => 0.3,
        }
    }

    fn coord(self, n: usize) -> Coordinate {
        let t0 = Datetime::from_ns(1_716_249_600_000_000_000);
        match self {
            Axis::Time100 => {
                Coordinate::from_block_time(t0, n, Timedelta::from_ns(10_000_000), "time")
            }
            Axis::Time3 => Coordinate::new(
                InterpCoordinate::from_block(
                    t0,
                    n,
                    Timedelta::from_ns(1_000_000_000),
                    3,
                    Some(Timedelta::from_ns(1)),
                ),
                "time",
            ),
            Axis::Float => Coordinate::from_block(1.7, n, 0.3, "time"),
        }
    }
}

fn axis_strategy() -> impl Strategy<Value = Axis> {
    prop_oneof![Just(Axis::Time100), Just(Axis::Time3), Just(Axis::Float)]
}

/// Pseudo-random values in [-1, 1) from `seed`.
fn noise(len: usize, seed: u64) -> Vec<f64> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect()
}

/// A `(time, distance)` array of noise.
fn labelled(nt: usize, nx: usize, seed: u64, axis: Axis) -> DataArray<f64> {
    let data = ArrayD::from_shape_vec(vec![nt, nx], noise(nt * nx, seed)).unwrap();
    DataArray::new(
        data,
        &["time", "distance"],
        vec![
            ("time", axis.coord(nt)),
            (
                "distance",
                Coordinate::from_block(0.0, nx, 10.0, "distance"),
            ),
        ],
    )
    .unwrap()
}

fn to_f32(da: &DataArray<f64>) -> DataArray<f32> {
    da.with_data(da.data().mapv(|v| v as f32)).unwrap()
}

/// Cut `c` along `dim` into consecutive pieces of the given sizes (cycled).
fn cut(c: &Chunk, dim: &str, sizes: &[usize]) -> Vec<Chunk> {
    let n = c.len_along(dim).unwrap();
    let mut out = Vec::new();
    let mut at = 0;
    let mut k = 0;
    while at < n {
        let m = sizes[k % sizes.len()].max(1).min(n - at);
        out.push(c.range(dim, at, at + m).unwrap());
        at += m;
        k += 1;
    }
    out
}

type Factory = Box<dyn Fn() -> Box<dyn Atom>>;

fn integrate(midpoints: bool, dim: &'static str) -> Factory {
    Box::new(move || Box::new(Integrate::new(midpoints, dim)))
}

fn differentiate(midpoints: bool, dim: &'static str) -> Factory {
    Box::new(move || Box::new(Differentiate::new(midpoints, dim)))
}

fn rechunk(dim: &'static str, size: usize) -> Factory {
    Box::new(move || Box::new(Rechunk::new(dim, size).unwrap()))
}

fn stft(wlen: f64, hop: Option<f64>, scaling: &'static str, nfft: Option<usize>) -> Factory {
    Box::new(move || Box::new(STFT::new(wlen, hop, "hann", scaling, nfft, "time").unwrap()))
}

/// The chunked run equals the eager call bit for bit (both give nothing when the input
/// is too short).
fn chunked_equals_eager(
    make: &Factory,
    x: &Chunk,
    dim: &str,
    sizes: &[usize],
) -> Result<(), String> {
    let eager = make().apply(x.clone());
    let chunked = make()
        .run_chunks(cut(x, dim, sizes), dim)
        .map_err(|e| format!("chunked run failed: {e}"))?;
    match (eager, chunked) {
        (Ok(e), Some(c)) if c.equals(&e) => Ok(()),
        (Ok(e), Some(c)) => Err(format!("chunked differs from eager:\n{c:?}\nvs\n{e:?}")),
        (Err(_), None) => Ok(()),
        (e, c) => Err(format!("eager {e:?} but chunked {c:?}")),
    }
}

/// Run the chunks with a save after `k` of them and a resume in a fresh atom (through
/// the JSON text of the state): every output equals the uninterrupted run's.
fn resume_equals(make: &Factory, chunks: &[Chunk], dim: &str, k: usize) -> Result<(), String> {
    let whole = make()
        .iter_chunks(chunks.iter().cloned(), dim)
        .map_err(|e| e.to_string())?;
    let mut first = make();
    let mut out = Vec::new();
    for c in &chunks[..k] {
        out.extend(
            first
                .call(c.clone(), Some(dim))
                .map_err(|e| e.to_string())?,
        );
    }
    let text = serde_json::to_string(&first.state().map_err(|e| e.to_string())?).unwrap();
    drop(first);
    let mut second = make();
    second
        .set_state(serde_json::from_str(&text).unwrap())
        .map_err(|e| e.to_string())?;
    for c in &chunks[k..] {
        out.extend(
            second
                .call(c.clone(), Some(dim))
                .map_err(|e| e.to_string())?,
        );
    }
    out.extend(second.flush().map_err(|e| e.to_string())?);
    if out.len() != whole.len() {
        return Err(format!(
            "{} chunks after resuming, {} without",
            out.len(),
            whole.len()
        ));
    }
    for (i, (a, b)) in out.iter().zip(&whole).enumerate() {
        if !a.equals(b) {
            return Err(format!("output {i} differs after resuming"));
        }
    }
    Ok(())
}

fn f64_of(c: Chunk) -> DataArray<f64> {
    c.into_f64("test").unwrap()
}

// ------------------------------------------------------------- eager vs dataarray

#[test]
fn integrate_eager_equals_dataarray() {
    let da = labelled(37, 4, 1, Axis::Time100);
    for midpoints in [false, true] {
        for dim in ["time", "distance", "last"] {
            let want = xdas_signal::dataarray::integrate(&da, midpoints, dim).unwrap();
            let got = Integrate::new(midpoints, dim).apply(da.clone()).unwrap();
            assert!(
                got.equals(&want.into()),
                "f64 midpoints={midpoints} dim={dim}"
            );
            let da32 = to_f32(&da);
            let want = xdas_signal::dataarray::integrate(&da32, midpoints, dim).unwrap();
            let got = Integrate::new(midpoints, dim).apply(da32).unwrap();
            assert!(
                got.equals(&want.into()),
                "f32 midpoints={midpoints} dim={dim}"
            );
        }
    }
}

#[test]
fn differentiate_eager_equals_dataarray() {
    let da = labelled(37, 4, 2, Axis::Time3);
    for midpoints in [false, true] {
        for dim in ["time", "distance", "first"] {
            let want = xdas_signal::dataarray::differentiate(&da, midpoints, dim).unwrap();
            let got = Differentiate::new(midpoints, dim)
                .apply(da.clone())
                .unwrap();
            assert!(
                got.equals(&want.into()),
                "f64 midpoints={midpoints} dim={dim}"
            );
            let da32 = to_f32(&da);
            let want = xdas_signal::dataarray::differentiate(&da32, midpoints, dim).unwrap();
            let got = Differentiate::new(midpoints, dim).apply(da32).unwrap();
            assert!(
                got.equals(&want.into()),
                "f32 midpoints={midpoints} dim={dim}"
            );
        }
    }
}

#[test]
fn stft_eager_equals_dataarray_stft() {
    // 100 Hz, wlen 0.2 s → 20 samples (a fast length), hop 10 by default
    let da = labelled(203, 3, 3, Axis::Time100);
    for (scaling, sc) in [("spectrum", Scaling::Spectrum), ("psd", Scaling::Psd)] {
        for nfft in [None, Some(25)] {
            let want = xdas_signal::dataarray::stft(
                &da,
                &Window::Hann,
                20,
                Some(10),
                nfft,
                true,
                "time",
                "frequency",
                sc,
            )
            .unwrap();
            let got = STFT::new(0.2, None, "hann", scaling, nfft, "time")
                .unwrap()
                .apply(da.clone())
                .unwrap();
            assert!(got.equals(&want.into()), "{scaling} nfft={nfft:?}");
        }
    }
    let da32 = to_f32(&da);
    let want = xdas_signal::dataarray::stft(
        &da32,
        &Window::Hann,
        20,
        Some(15),
        None,
        true,
        "time",
        "frequency",
        Scaling::Spectrum,
    )
    .unwrap();
    let got = STFT::new(0.2, Some(0.05), "hann", "spectrum", None, "time")
        .unwrap()
        .apply(da32)
        .unwrap();
    assert_eq!(got.dtype_name(), "complex64");
    assert!(got.equals(&want.into()));
}

#[test]
fn stft_odd_window_labels_frames_at_the_floor_of_the_half_window() {
    // wlen 0.21 s at 100 Hz → 21 samples; hop 0.04 s → 4 samples
    let da = labelled(100, 2, 4, Axis::Time100);
    let got = STFT::new(0.21, Some(0.04), "hamming", "spectrum", None, "time")
        .unwrap()
        .apply(da.clone())
        .unwrap();
    let Chunk::C128(got) = got else {
        panic!("complex128 expected")
    };
    let want = xdas_signal::dataarray::stft(
        &da,
        &Window::Hamming,
        21,
        Some(17),
        None,
        true,
        "time",
        "frequency",
        Scaling::Spectrum,
    )
    .unwrap();
    assert_eq!(got.shape(), &[20, 2, 11]);
    assert!(got.data().iter().zip(want.data()).all(|(a, b)| a == b));
    let t0 = 1_716_249_600_000_000_000i64;
    let time = got.coord("time").unwrap();
    assert_eq!(
        time.value(0).unwrap(),
        Scalar::Datetime(Datetime::from_ns(t0 + 100_000_000))
    );
    assert_eq!(
        time.value(19).unwrap(),
        Scalar::Datetime(Datetime::from_ns(t0 + 100_000_000 + 19 * 40_000_000))
    );
    assert_eq!(
        time.sampling_interval(),
        Some(Scalar::Timedelta(Timedelta::from_ns(40_000_000)))
    );
    let f = got.coord("frequency").unwrap();
    assert_eq!(f.len(), 11);
    assert!((f.sampling_interval_seconds().unwrap() - 100.0 / 21.0).abs() < 1e-12);
}

#[test]
fn stft_window_length_is_a_fast_length() {
    // 0.13 s at 100 Hz → 13 samples → 14
    let da = labelled(60, 1, 5, Axis::Time100);
    let got = STFT::new(0.13, None, "hann", "spectrum", None, "time")
        .unwrap()
        .apply(da)
        .unwrap();
    // nperseg 14, hop 7: (60 − 14) / 7 + 1 = 7 frames, 8 frequencies
    assert_eq!(got.shape(), vec![7, 1, 8]);
    assert_eq!(next_fast_len(13), 14);
}

#[test]
fn rechunk_eager_passes_through() {
    for axis in [Axis::Time100, Axis::Time3, Axis::Float] {
        let da: Chunk = labelled(50, 3, 6, axis).into();
        let got = Rechunk::new("time", 7).unwrap().apply(da.clone()).unwrap();
        assert!(got.equals(&da), "{axis:?}");
    }
}

// ------------------------------------------------------------------- golden data

#[test]
fn golden_integrate_and_differentiate() {
    let Some(root) = xdas_testdata::golden_dir() else {
        println!("skipping: golden data not found");
        return;
    };
    for (name, dim) in [
        ("integrate_time", "time"),
        ("integrate_distance", "distance"),
        ("integrate_distance_midpoints", "distance"),
        ("differentiate_time", "time"),
        ("differentiate_distance", "distance"),
        ("differentiate_distance_midpoints", "distance"),
    ] {
        let case = xdas_testdata::Case::load(&root, &root.join(format!("xsignal/{name}.json")));
        let da = xdas_testdata::input_dataarray(&case, "x");
        let midpoints = case.params["midpoints"].as_bool().unwrap_or(false);
        let mut atom: Box<dyn Atom> = if name.starts_with("integrate") {
            Box::new(Integrate::new(midpoints, dim))
        } else {
            Box::new(Differentiate::new(midpoints, dim))
        };
        let got = f64_of(atom.apply(da.clone()).unwrap());
        let want = case.output("y").f64();
        xdas_testdata::close(name, got.data(), &want, 1e-12).unwrap();
        let meta = &case.json["coords"]["y"]["coords"];
        for c in ["time", "distance"] {
            let want = xdas_testdata::coord(&meta[c], c);
            let have = got.coord(c).unwrap();
            assert_eq!(have.len(), want.len(), "{name}: {c}");
            for i in [0, have.len() - 1] {
                assert_eq!(
                    have.value(i).unwrap(),
                    want.value(i).unwrap(),
                    "{name}: {c}[{i}]"
                );
            }
        }
        // and chunked along the dim, bit for bit
        let make: Factory = if name.starts_with("integrate") {
            Box::new(move || Box::new(Integrate::new(midpoints, dim)))
        } else {
            Box::new(move || Box::new(Differentiate::new(midpoints, dim)))
        };
        chunked_equals_eager(&make, &da.into(), dim, &[7, 1, 13]).unwrap();
    }
}

#[test]
fn golden_small_stft_chunked() {
    let Some(root) = xdas_testdata::golden_dir() else {
        println!("skipping: golden data not found");
        return;
    };
    let case = xdas_testdata::Case::load(&root, &root.join("xsignal/integrate_time.json"));
    let da: Chunk = xdas_testdata::input_dataarray(&case, "x").into();
    // 50 Hz: 1 s → 50 samples, hop 0.3 s → 15 samples
    let make = stft(1.0, Some(0.3), "spectrum", None);
    let s = make().apply(da.clone()).unwrap();
    assert_eq!(s.shape(), vec![17, 21, 26]);
    for sizes in [vec![1], vec![49, 2], vec![50], vec![300], vec![17, 3, 101]] {
        chunked_equals_eager(&make, &da, "time", &sizes).unwrap();
    }
}

/// Values of `xdas.atoms.STFT(...)(small)` computed with Python xdas 0.2.10 (scipy
/// 1.x): `(case, max |value|, [(index, re, im)])`.
#[allow(clippy::type_complexity)]
const XDAS_STFT: [(&str, f64, [([usize; 3], f64, f64); 4]); 3] = [
    (
        "a",
        0.22088630492817232,
        [
            ([0, 0, 0], 0.0012557501322541104, 0.0),
            ([3, 5, 7], -0.012021103184936629, -0.023048692687873476),
            ([16, 20, 25], -0.005920752047116418, 0.0),
            ([8, 10, 4], 0.01633137485306463, 4.4123410845847005e-05),
        ],
    ),
    (
        "b",
        0.1611306714093348,
        [
            ([0, 0, 0], -0.0020746124534281336, 0.0),
            ([3, 5, 7], -0.04442615189487106, 0.005293841255304333),
            ([27, 20, 10], 0.026396178979173533, 0.004302145884878449),
            ([8, 10, 4], -0.027063646013357506, 0.000574434474870167),
        ],
    ),
    (
        "c",
        0.36264889604140854,
        [
            ([0, 0, 0], -0.0045013201505729235, 0.0),
            ([3, 5, 7], -0.01722459930370722, -0.02476787797278293),
            ([22, 20, 32], 0.03416644819147958, 0.0),
            ([8, 10, 4], -0.010333514655673419, 0.0168888573955547),
        ],
    ),
];

#[test]
fn golden_small_stft_matches_xdas() {
    let Some(root) = xdas_testdata::golden_dir() else {
        println!("skipping: golden data not found");
        return;
    };
    let case = xdas_testdata::Case::load(&root, &root.join("xsignal/integrate_time.json"));
    let da = xdas_testdata::input_dataarray(&case, "x");
    let t0 = 1_672_531_200_000_000_000i64;
    // (STFT(wlen=1.0, hop=0.3), STFT(wlen=0.42, scaling="psd"),
    //  STFT(wlen=0.5, window="hamming", nfft=64)): shape, first and last frame time (ms)
    let atoms = [
        (
            STFT::new(1.0, Some(0.3), "hann", "spectrum", None, "time"),
            [17, 21, 26],
            500,
            5300,
            25.0,
        ),
        (
            STFT::new(0.42, None, "hann", "psd", None, "time"),
            [28, 21, 11],
            200,
            5600,
            23.80952380952381,
        ),
        (
            STFT::new(0.5, None, "hamming", "spectrum", Some(64), "time"),
            [23, 21, 33],
            240,
            5520,
            25.0,
        ),
    ];
    for ((atom, shape, first, last, fmax), (name, scale, values)) in
        atoms.into_iter().zip(XDAS_STFT)
    {
        let Chunk::C128(s) = atom.unwrap().apply(da.clone()).unwrap() else {
            panic!("complex128 expected")
        };
        assert_eq!(s.shape(), &shape, "{name}");
        for (i, re, im) in values {
            let v = s.data()[i.as_slice()];
            assert!(
                (v.re - re).abs() <= 1e-12 * scale && (v.im - im).abs() <= 1e-12 * scale,
                "{name} {i:?}: {v}"
            );
        }
        let t = s.coord("time").unwrap();
        let ms = |k: usize| t.value(k).unwrap();
        assert_eq!(
            ms(0),
            Scalar::Datetime(Datetime::from_ns(t0 + first * 1_000_000)),
            "{name}"
        );
        assert_eq!(
            ms(t.len() - 1),
            Scalar::Datetime(Datetime::from_ns(t0 + last * 1_000_000)),
            "{name}"
        );
        let f = s.coord("frequency").unwrap();
        let Scalar::F64(top) = f.value(f.len() - 1).unwrap() else {
            panic!()
        };
        assert!((top - fmax).abs() < 1e-12, "{name}: {top}");
    }
}

// ------------------------------------------------------------ chunked == eager

fn sizes_strategy() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(prop_oneof![Just(1usize), 1usize..6, 1usize..40], 1..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn integrate_chunked_equals_eager(
        nt in 1usize..80, nx in 1usize..4, seed in any::<u64>(), axis in axis_strategy(),
        midpoints in any::<bool>(), f32 in any::<bool>(), sizes in sizes_strategy(),
    ) {
        let da = labelled(nt, nx, seed, axis);
        let x: Chunk = if f32 { to_f32(&da).into() } else { da.into() };
        chunked_equals_eager(&integrate(midpoints, "time"), &x, "time", &sizes).map_err(TestCaseError::fail)?;
        // along the float distance dim too
        chunked_equals_eager(&integrate(midpoints, "distance"), &x, "distance", &sizes).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn differentiate_chunked_equals_eager(
        nt in 2usize..80, nx in 1usize..4, seed in any::<u64>(), axis in axis_strategy(),
        midpoints in any::<bool>(), f32 in any::<bool>(), sizes in sizes_strategy(),
    ) {
        let da = labelled(nt, nx, seed, axis);
        let x: Chunk = if f32 { to_f32(&da).into() } else { da.into() };
        chunked_equals_eager(&differentiate(midpoints, "time"), &x, "time", &sizes).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn stft_chunked_equals_eager(
        nt in 1usize..120, nx in 1usize..3, seed in any::<u64>(), axis in axis_strategy(),
        wlen in 1usize..24, hop in prop::option::of(1usize..24), pad in prop::option::of(0usize..9),
        psd in any::<bool>(), f32 in any::<bool>(), sizes in sizes_strategy(),
    ) {
        let da = labelled(nt, nx, seed, axis);
        let x: Chunk = if f32 { to_f32(&da).into() } else { da.into() };
        let dt = axis.dt();
        let hop = hop.map(|h| h.min(wlen) as f64 * dt);
        let nfft = pad.map(|p| next_fast_len(wlen) + p);
        let scaling = if psd { "psd" } else { "spectrum" };
        let make = stft(wlen as f64 * dt, hop, scaling, nfft);
        chunked_equals_eager(&make, &x, "time", &sizes).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn rechunk_chunks_have_the_size_and_join_into_the_input(
        nt in 1usize..80, seed in any::<u64>(), axis in axis_strategy(),
        size in 1usize..30, sizes in sizes_strategy(),
    ) {
        let x: Chunk = labelled(nt, 2, seed, axis).into();
        let out = rechunk("time", size)().iter_chunks(cut(&x, "time", &sizes), "time").unwrap();
        prop_assert_eq!(out.len(), nt.div_ceil(size));
        for (i, c) in out.iter().enumerate() {
            let want = if i + 1 < out.len() { size } else { nt - size * (out.len() - 1) };
            prop_assert_eq!(c.len_along("time").unwrap(), want);
        }
        chunked_equals_eager(&rechunk("time", size), &x, "time", &sizes).map_err(TestCaseError::fail)?;
        let joined = Chunk::concat(&out, "time").unwrap();
        prop_assert!(joined.equals(&x));
    }

    #[test]
    fn save_and_resume_mid_stream(
        nt in 1usize..90, seed in any::<u64>(), axis in axis_strategy(),
        sizes in sizes_strategy(), at in any::<prop::sample::Index>(), which in 0usize..4,
        f32 in any::<bool>(),
    ) {
        let da = labelled(nt, 2, seed, axis);
        let x: Chunk = if f32 { to_f32(&da).into() } else { da.into() };
        let chunks = cut(&x, "time", &sizes);
        let k = at.index(chunks.len() + 1);
        let dt = axis.dt();
        let make = match which {
            0 => integrate(true, "time"),
            1 => differentiate(false, "time"),
            2 => stft(7.0 * dt, Some(3.0 * dt), "psd", Some(10)),
            _ => rechunk("time", 6),
        };
        resume_equals(&make, &chunks, "time", k).map_err(TestCaseError::fail)?;
    }
}

// ----------------------------------------------------------------- discontinuities

/// Two 40-sample runs of 100 Hz data with a 1 s gap between them, cut at the gap and
/// elsewhere.
fn gapped() -> (Chunk, Vec<Chunk>) {
    let a = labelled(40, 2, 11, Axis::Time100);
    let b = labelled(40, 2, 12, Axis::Time100);
    let shifted = b
        .coord("time")
        .unwrap()
        .shifted(&Scalar::Timedelta(Timedelta::from_ns(1_400_000_000)))
        .unwrap();
    let b = b.assign_coord("time", shifted).unwrap();
    let whole = DataArray::concat(&[&a, &b], "time", Tolerance::Default).unwrap();
    let whole: Chunk = whole.into();
    let mut chunks = cut(&whole.range("time", 0, 40).unwrap(), "time", &[9, 1, 17]);
    chunks.extend(cut(&whole.range("time", 40, 80).unwrap(), "time", &[3, 22]));
    (whole, chunks)
}

#[test]
fn gaps_restart_every_atom_as_the_eager_call_does() {
    let (whole, chunks) = gapped();
    let makers: Vec<Factory> = vec![
        integrate(false, "time"),
        differentiate(true, "time"),
        stft(0.1, Some(0.03), "spectrum", None),
        rechunk("time", 6),
    ];
    for make in &makers {
        let eager = make().apply(whole.clone()).unwrap();
        let chunked = make().run_chunks(chunks.clone(), "time").unwrap().unwrap();
        assert!(chunked.equals(&eager), "{}", make().name());
    }
}

#[test]
fn rechunk_never_merges_across_a_gap() {
    let (_, chunks) = gapped();
    let out = rechunk("time", 6)().iter_chunks(chunks, "time").unwrap();
    let sizes: Vec<usize> = out.iter().map(|c| c.len_along("time").unwrap()).collect();
    assert_eq!(sizes, vec![6, 6, 6, 6, 6, 6, 4, 6, 6, 6, 6, 6, 6, 4]);
}

#[test]
fn differentiate_drops_one_sample_in_total() {
    let x: Chunk = labelled(30, 2, 13, Axis::Float).into();
    let out = differentiate(false, "time")()
        .iter_chunks(cut(&x, "time", &[1, 4]), "time")
        .unwrap();
    let n: usize = out.iter().map(|c| c.len_along("time").unwrap()).sum();
    assert_eq!(n, 29);
}

#[test]
fn rechunk_carries_complex_chunks() {
    let x: Chunk = labelled(100, 2, 14, Axis::Time100).into();
    let s = stft(0.1, None, "spectrum", None)().apply(x).unwrap();
    let n = s.len_along("time").unwrap();
    let out = rechunk("time", 4)()
        .iter_chunks(cut(&s, "time", &[3, 5]), "time")
        .unwrap();
    assert_eq!(out.len(), n.div_ceil(4));
    assert!(Chunk::concat(&out, "time").unwrap().equals(&s));
}

// ------------------------------------------------------------------------- errors

fn invalid_message(r: xdas_atoms::Result<impl Sized>) -> String {
    match r {
        Err(AtomError::Invalid { message, .. }) => message,
        Err(e) => panic!("expected an Invalid error, got {e}"),
        Ok(_) => panic!("expected an error"),
    }
}

#[test]
fn bad_parameters_are_errors() {
    assert!(invalid_message(Rechunk::new("time", 0)).contains("positive"));
    assert!(
        invalid_message(STFT::new(0.0, None, "hann", "spectrum", None, "time")).contains("wlen")
    );
    assert!(
        invalid_message(STFT::new(-1.0, None, "hann", "spectrum", None, "time")).contains("wlen")
    );
    assert!(
        invalid_message(STFT::new(f64::NAN, None, "hann", "spectrum", None, "time"))
            .contains("wlen")
    );
    assert!(
        invalid_message(STFT::new(1.0, Some(2.0), "hann", "spectrum", None, "time"))
            .contains("hop")
    );
    assert!(
        invalid_message(STFT::new(1.0, Some(0.0), "hann", "spectrum", None, "time"))
            .contains("hop")
    );
    assert!(
        invalid_message(STFT::new(1.0, None, "hann", "spectrum", Some(0), "time")).contains("nfft")
    );
    assert!(STFT::new(1.0, None, "hann", "power", None, "time").is_err());
    assert!(STFT::new(1.0, None, "nope", "spectrum", None, "time").is_err());
    assert!(STFT::new(1.0, None, "kaiser", "spectrum", None, "time").is_err()); // beta missing
    assert!(STFT::new(1.0, None, ("kaiser", 8.0), "spectrum", None, "time").is_ok());
    assert!(STFT::new(1.0, None, "('tukey', 0.25)", "spectrum", None, "time").is_ok());
}

#[test]
fn a_window_longer_than_the_record_gives_no_output() {
    let x: Chunk = labelled(30, 2, 15, Axis::Time100).into();
    // 0.5 s = 50 samples > 30
    let mut atom = STFT::new(0.5, None, "hann", "spectrum", None, "time").unwrap();
    assert!(invalid_message(atom.apply(x.clone())).contains("too short"));
    let out = atom.iter_chunks(cut(&x, "time", &[7]), "time").unwrap();
    assert!(out.is_empty());
    // a window too long for any record
    let mut atom = STFT::new(1e12, None, "hann", "spectrum", None, "time").unwrap();
    assert!(invalid_message(atom.apply(x)).contains("too long"));
}

#[test]
fn nfft_shorter_than_the_window_is_an_error() {
    let x: Chunk = labelled(100, 2, 16, Axis::Time100).into();
    let mut atom = STFT::new(0.2, None, "hann", "spectrum", Some(10), "time").unwrap();
    assert!(invalid_message(atom.apply(x)).contains("nfft"));
}

#[test]
fn a_missing_dim_is_an_error() {
    let x: Chunk = labelled(20, 2, 17, Axis::Time100).into();
    let makers: Vec<Box<dyn Atom>> = vec![
        Box::new(Integrate::new(false, "depth")),
        Box::new(Differentiate::new(false, "depth")),
        Box::new(STFT::new(0.05, None, "hann", "spectrum", None, "depth").unwrap()),
        Box::new(Rechunk::new("depth", 3).unwrap()),
    ];
    for mut atom in makers {
        assert!(
            matches!(atom.apply(x.clone()), Err(AtomError::Core(_))),
            "{}",
            atom.name()
        );
        assert!(
            atom.call(x.clone(), Some("depth")).is_err(),
            "{}",
            atom.name()
        );
    }
}

#[test]
fn a_dim_without_sampling_interval_is_an_error() {
    let da = labelled(20, 2, 18, Axis::Time100);
    let dense = Coordinate::dense(
        (0..20).map(|i| (i * i) as f64).collect::<Vec<f64>>(),
        "time",
    );
    let da = da.assign_coord("time", dense).unwrap();
    assert!(Integrate::new(false, "time").apply(da.clone()).is_err());
    assert!(Differentiate::new(false, "time").apply(da.clone()).is_err());
    assert!(
        STFT::new(0.05, None, "hann", "spectrum", None, "time")
            .unwrap()
            .apply(da)
            .is_err()
    );
}

#[test]
fn complex_input_is_a_dtype_error_for_the_real_kernels() {
    let x: Chunk = labelled(100, 2, 19, Axis::Time100).into();
    let s = stft(0.1, None, "spectrum", None)().apply(x).unwrap();
    for mut atom in [
        Box::new(Integrate::new(false, "time")) as Box<dyn Atom>,
        Box::new(Differentiate::new(false, "time")),
        Box::new(STFT::new(0.05, None, "hann", "spectrum", None, "time").unwrap()),
    ] {
        assert!(
            matches!(atom.apply(s.clone()), Err(AtomError::DType { .. })),
            "{}",
            atom.name()
        );
    }
}

#[test]
fn signatures_name_every_parameter() {
    assert_eq!(
        Integrate::new(true, "time").signature(),
        "Integrate(midpoints=True, dim=\"time\")"
    );
    assert_eq!(
        Differentiate::new(false, "distance").signature(),
        "Differentiate(midpoints=False, dim=\"distance\")"
    );
    assert_eq!(
        Rechunk::new("time", 100).unwrap().signature(),
        "Rechunk(chunks={\"time\": 100})"
    );
    let s = STFT::new(2.0, Some(1.0), "hann", "psd", Some(256), "time")
        .unwrap()
        .signature();
    assert!(s.starts_with("STFT(wlen=2.0, hop=Some(1.0)"), "{s}");
    assert!(s.contains("Psd") && s.contains("256"), "{s}");
}

#[test]
fn state_file_round_trip() {
    let x: Chunk = labelled(60, 2, 20, Axis::Time3).into();
    let chunks = cut(&x, "time", &[11]);
    let make = stft(10.0 / 3.0, None, "spectrum", None);
    let mut a = make();
    let mut out = Vec::new();
    for c in &chunks[..3] {
        out.extend(a.call(c.clone(), Some("time")).unwrap());
    }
    let path =
        std::env::temp_dir().join(format!("xdas-atoms-stft-state-{}.json", std::process::id()));
    xdas_atoms::state::save(a.as_ref(), &path).unwrap();
    let mut b = make();
    xdas_atoms::state::load(b.as_mut(), &path).unwrap();
    std::fs::remove_file(&path).ok();
    for c in &chunks[3..] {
        out.extend(b.call(c.clone(), Some("time")).unwrap());
    }
    out.extend(b.flush().unwrap());
    let joined = Chunk::concat(&out, "time").unwrap();
    assert!(joined.equals(&make().apply(x).unwrap()));
    // a state saved by another STFT is refused
    let mut other = stft(3.0, None, "spectrum", None)();
    let path2 = std::env::temp_dir().join(format!(
        "xdas-atoms-stft-state2-{}.json",
        std::process::id()
    ));
    xdas_atoms::state::save(make().as_ref(), &path2).unwrap();
    assert!(xdas_atoms::state::load(other.as_mut(), &path2).is_err());
    std::fs::remove_file(&path2).ok();
}

#[test]
fn one_dimensional_records_and_other_dims() {
    // a single channel: (time,) only
    let da = labelled(64, 1, 21, Axis::Float);
    let one = DataArray::new(
        da.data().clone().into_shape_with_order(vec![64]).unwrap(),
        &["time"],
        vec![("time", da.coord("time").unwrap().clone())],
    )
    .unwrap();
    let x: Chunk = one.into();
    let makers: Vec<Factory> = vec![
        integrate(true, "time"),
        differentiate(false, "last"),
        stft(2.4, Some(0.9), "psd", None),
        rechunk("first", 5),
    ];
    for make in &makers {
        for sizes in [vec![1], vec![3, 7], vec![64]] {
            chunked_equals_eager(make, &x, "time", &sizes).unwrap();
        }
    }
    // along the float distance dim of a (time, distance) array
    let x: Chunk = labelled(6, 50, 22, Axis::Time100).into();
    let make: Factory = Box::new(|| {
        Box::new(STFT::new(80.0, None, "hann", "spectrum", Some(9), "distance").unwrap())
    });
    let s = make().apply(x.clone()).unwrap();
    assert_eq!(s.dims(), vec!["time", "distance", "frequency"]);
    assert_eq!(s.shape(), vec![6, 11, 5]);
    chunked_equals_eager(&make, &x, "distance", &[4, 1]).unwrap();
}
