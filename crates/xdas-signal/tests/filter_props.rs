//! Properties of the filtering kernels (filter, upfirdn, resample, decimate, detrend):
//!
//! * layout independence — filtering along axis 0 of `x` equals, bitwise, filtering
//!   along axis 1 of `xᵀ` (the row driver and the transposed-tile driver run the same
//!   arithmetic per channel), and along the middle axis of a 3-D array;
//! * streaming — `lfilter` / `sosfilt` over chunks with the state carried equal the
//!   monolithic call bitwise;
//! * precision — the `f32` kernels agree with the `f64` ones to ~1e-5 relative.

use ndarray::{Array2, Array3, ArrayD, Axis, IxDyn};
use proptest::prelude::*;
use xdas_signal::Real;
use xdas_signal::decimate::{DecimateFtype, decimate};
use xdas_signal::detrend::{DetrendType, detrend};
use xdas_signal::filter::{
    PadType, filtfilt, filtfilt_gust, lfilter, lfilter_zi, sosfilt, sosfilt_zi, sosfiltfilt,
};
use xdas_signal::resample::{ResamplePad, resample_poly, resample_poly_taps};
use xdas_signal::upfirdn::{Extension, upfirdn, upfirdn_ext};
use xdas_signal::window::Window;

/// butter(4, 0.1, "high")
const B: [f64; 5] = [
    0.6620158372026176,
    -2.6480633488104703,
    3.9720950232157053,
    -2.6480633488104703,
    0.6620158372026176,
];
const A: [f64; 5] = [
    1.0,
    -3.180638548874719,
    3.8611943489942133,
    -2.112155355110969,
    0.43826514226197977,
];
/// butter(6, [0.05, 0.3], "bandpass", output="sos")
const SOS: [[f64; 6]; 6] = [
    [
        0.0010516467963076106,
        0.0021032935926152212,
        0.0010516467963076106,
        1.0,
        -0.9934971416327785,
        0.2812393218014878,
    ],
    [1.0, 2.0, 1.0, 1.0, -0.9221078391223956, 0.40562659992935945],
    [1.0, 2.0, 1.0, 1.0, -1.6277782762853907, 0.6696971094852364],
    [1.0, -2.0, 1.0, 1.0, -1.0322360808114461, 0.733692832051055],
    [1.0, -2.0, 1.0, 1.0, -1.7937843270963478, 0.821773851594998],
    [1.0, -2.0, 1.0, 1.0, -1.916801367713827, 0.9412643725997867],
];

/// A deterministic pseudo-random `(n, m)` array in [-1, 1) plus a slow trend.
fn data(n: usize, m: usize, seed: u64) -> Array2<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    Array2::from_shape_fn((n, m), |(i, j)| {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        let r = (s.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 52) as f64 - 1.0;
        r + 0.01 * i as f64 + 0.1 * j as f64
    })
}

/// Every kernel, along `axis`, as a list of named outputs.
fn kernels<T: Real>(x: &ArrayD<T>, axis: usize) -> Vec<(&'static str, ArrayD<T>)> {
    let v = x.view();
    let n = x.shape()[axis];
    let mut out = vec![
        ("lfilter", lfilter(&B, &A, v.clone(), axis, None).unwrap().0),
        (
            "lfilter_fir",
            lfilter(&[0.25, 0.5, 0.25], &[1.0], v.clone(), axis, None)
                .unwrap()
                .0,
        ),
        (
            "lfilter_k0",
            lfilter(&[2.0], &[4.0], v.clone(), axis, None).unwrap().0,
        ),
        ("sosfilt", sosfilt(&SOS, v.clone(), axis, None).unwrap().0),
        (
            "sosfilt_1",
            sosfilt(&SOS[..1], v.clone(), axis, None).unwrap().0,
        ),
        (
            "upfirdn_3_2",
            upfirdn(&[0.1, 0.2, 0.3, 0.2, 0.1], v.clone(), 3, 2, axis).unwrap(),
        ),
        (
            "upfirdn_line",
            upfirdn_ext(
                &[0.5, 0.3, 0.2, 0.1],
                v.clone(),
                2,
                3,
                axis,
                Extension::Line,
            )
            .unwrap(),
        ),
        (
            "upfirdn_antireflect",
            upfirdn_ext(
                &[0.5, 0.3, 0.2, 0.1, 0.05],
                v.clone(),
                1,
                2,
                axis,
                Extension::Antireflect,
            )
            .unwrap(),
        ),
        (
            "detrend_linear",
            detrend(v.clone(), axis, DetrendType::Linear, &[n / 3]).unwrap(),
        ),
        (
            "detrend_constant",
            detrend(v.clone(), axis, DetrendType::Constant, &[]).unwrap(),
        ),
        (
            "resample_2_5_mean",
            resample_poly(
                v.clone(),
                2,
                5,
                axis,
                &Window::Kaiser(5.0),
                ResamplePad::Mean,
                None,
            )
            .unwrap(),
        ),
        (
            "resample_3_2_line",
            resample_poly(
                v.clone(),
                3,
                2,
                axis,
                &Window::Hamming,
                ResamplePad::Line,
                None,
            )
            .unwrap(),
        ),
        (
            "resample_taps",
            resample_poly_taps(
                v.clone(),
                1,
                3,
                axis,
                &[0.2, 0.3, 0.3, 0.2],
                ResamplePad::Constant,
                Some(1.5),
            )
            .unwrap(),
        ),
        (
            "decimate_fir_zp",
            decimate(v.clone(), 2, None, DecimateFtype::Fir, axis, true).unwrap(),
        ),
        (
            "decimate_fir",
            decimate(v.clone(), 3, Some(12), DecimateFtype::Fir, axis, false).unwrap(),
        ),
        (
            "decimate_iir",
            decimate(v.clone(), 2, None, DecimateFtype::Iir, axis, false).unwrap(),
        ),
    ];
    if n > 15 {
        out.push((
            "filtfilt",
            filtfilt(&B, &A, v.clone(), axis, PadType::Odd, None).unwrap(),
        ));
        out.push((
            "filtfilt_even",
            filtfilt(&B, &A, v.clone(), axis, PadType::Even, Some(7)).unwrap(),
        ));
        out.push((
            "filtfilt_none",
            filtfilt(&B, &A, v.clone(), axis, PadType::None, None).unwrap(),
        ));
        out.push((
            "gust",
            filtfilt_gust(&B, &A, v.clone(), axis, None).unwrap(),
        ));
        out.push((
            "gust_irlen",
            filtfilt_gust(&B, &A, v.clone(), axis, Some(5)).unwrap(),
        ));
    }
    if n > 39 {
        out.push((
            "sosfiltfilt",
            sosfiltfilt(&SOS, v.clone(), axis, PadType::Odd, None).unwrap(),
        ));
        out.push((
            "sosfiltfilt_const",
            sosfiltfilt(&SOS, v.clone(), axis, PadType::Constant, Some(3)).unwrap(),
        ));
        out.push((
            "decimate_iir_zp",
            decimate(v.clone(), 3, None, DecimateFtype::Iir, axis, true).unwrap(),
        ));
    }
    out
}

fn same_bits(what: &str, a: &ArrayD<f64>, b: &ArrayD<f64>) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.shape(), b.shape(), "{}: shapes", what);
    let bad = a
        .iter()
        .zip(b)
        .filter(|(p, q)| p.to_bits() != q.to_bits())
        .count();
    prop_assert_eq!(bad, 0, "{}: {} values differ", what, bad);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// axis 0 of x == axis 1 of xᵀ (transposed back), bitwise.
    #[test]
    fn layout_independent(n in 1usize..90, m in 1usize..45, seed in any::<u64>()) {
        let x = data(n, m, seed);
        let xt = x.t().as_standard_layout().into_owned().into_dyn();
        let along0 = kernels(&x.clone().into_dyn(), 0);
        let along1 = kernels(&xt, 1);
        for ((name, a), (_, b)) in along0.iter().zip(&along1) {
            let b = b.t().as_standard_layout().into_owned();
            same_bits(name, a, &b)?;
        }
        // the middle axis of a 3-D array, and a non-standard (transposed) view
        let x3 = Array3::from_shape_fn((2, n, 3), |(i, t, j)| x[[t, (i + j) % m]]).into_dyn();
        let along3 = kernels(&x3, 1);
        for (name, a) in &along3 {
            for (i, j) in [(0, 0), (1, 2)] {
                let lane = a.index_axis(Axis(0), i).index_axis(Axis(1), j).to_owned();
                let col = (i + j) % m;
                let (_, b) = along0.iter().find(|(nm, _)| nm == name).unwrap();
                let want = b.index_axis(Axis(1), col).to_owned();
                same_bits(name, &lane.into_dyn(), &want.into_dyn())?;
            }
        }
        let xv = xt.t();
        let (y, _) = lfilter(&B, &A, xv.into_dyn(), 0, None).unwrap();
        same_bits("lfilter of a view", &y, &along0[0].1)?;
    }

    /// Chunked lfilter / sosfilt with the state carried == monolithic, bitwise.
    #[test]
    fn chunked_equals_monolithic(
        n in 1usize..120,
        m in 1usize..40,
        chunks in proptest::collection::vec(1usize..30, 1..12),
        axis in 0usize..2,
        seed in any::<u64>(),
    ) {
        let x0 = data(n, m, seed);
        let x = if axis == 0 { x0.into_dyn() } else { x0.t().as_standard_layout().into_owned().into_dyn() };
        let len = x.shape()[axis];
        let mut zshape = x.shape().to_vec();
        zshape[axis] = 4;
        let zi0 = ArrayD::<f64>::from_elem(IxDyn(&zshape), 0.25);
        let mut sshape = vec![SOS.len()];
        sshape.extend_from_slice(x.shape());
        sshape[axis + 1] = 2;
        let si0 = ArrayD::<f64>::from_elem(IxDyn(&sshape), -0.5);
        let (ya, za) = lfilter(&B, &A, x.view(), axis, Some(zi0.view())).unwrap();
        let (yb, zb) = sosfilt(&SOS, x.view(), axis, Some(si0.view())).unwrap();
        let (mut z, mut s) = (zi0.clone(), si0.clone());
        let (mut pa, mut pb) = (vec![], vec![]);
        let mut start = 0;
        let mut k = 0;
        while start < len {
            let stop = (start + chunks[k % chunks.len()]).min(len);
            let piece = x.slice_axis(Axis(axis), (start..stop).into());
            let (y1, z1) = lfilter(&B, &A, piece.clone(), axis, Some(z.view())).unwrap();
            let (y2, s2) = sosfilt(&SOS, piece, axis, Some(s.view())).unwrap();
            pa.push(y1);
            pb.push(y2);
            z = z1.unwrap();
            s = s2.unwrap();
            start = stop;
            k += 1;
        }
        let cat = |v: &Vec<ArrayD<f64>>| {
            let views: Vec<_> = v.iter().map(|a| a.view()).collect();
            ndarray::concatenate(Axis(axis), &views).unwrap()
        };
        same_bits("lfilter y", &cat(&pa), &ya)?;
        same_bits("lfilter zf", &z, &za.unwrap())?;
        same_bits("sosfilt y", &cat(&pb), &yb)?;
        same_bits("sosfilt zf", &s, &zb.unwrap())?;
    }
}

/// Layout independence on long lanes: several tiles of the transposing drivers, forward
/// and backward, and lanes that do not fill a group.
#[test]
fn layout_independent_long() {
    let x = data(2600, 19, 3);
    let xt = x.t().as_standard_layout().into_owned().into_dyn();
    let along0 = kernels(&x.into_dyn(), 0);
    let along1 = kernels(&xt, 1);
    for ((name, a), (_, b)) in along0.iter().zip(&along1) {
        let b = b.t().as_standard_layout().into_owned();
        assert!(
            a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()),
            "{name}: axis 0 and axis 1 differ"
        );
    }
}

/// The f32 kernels agree with the f64 kernels (relative to the max abs value).
#[test]
fn f32_matches_f64() {
    for (n, m, axis) in [(300, 21, 0), (300, 21, 1), (64, 3, 0)] {
        let x = data(n, m, 7);
        // remove the trend so that the outputs have comparable scales
        let x = x.mapv(|v| v - v.floor() - 0.5).into_dyn();
        let x32 = x.mapv(|v| v as f32);
        let r64 = kernels(&x, axis);
        let r32 = kernels(&x32, axis);
        for ((name, a), (_, b)) in r64.iter().zip(&r32) {
            let scale = a.iter().fold(0.0f64, |s, v| s.max(v.abs())).max(1e-300);
            let err = a
                .iter()
                .zip(b)
                .fold(0.0f64, |e, (p, q)| e.max((p - *q as f64).abs()));
            // the 4th-order highpass in transfer-function form amplifies the rounding of
            // its f32 coefficients (~2.5e-5): a looser bound for it
            let tol = if *name == "lfilter" || name.starts_with("filtfilt") {
                5e-5
            } else {
                1e-5
            };
            assert!(
                err <= tol * scale,
                "{name} ({n}x{m}, axis {axis}): f32 error {err:.2e} > {tol:.0e} x {scale:.2e}"
            );
        }
    }
}

/// `zi` scaled by the first sample starts the filter in steady state (no transient).
#[test]
fn steady_state_initial_conditions() {
    let x = ArrayD::from_elem(IxDyn(&[50, 3]), 2.5f64);
    let zi = lfilter_zi(&[0.2, 0.3], &[1.0, -0.5]).unwrap();
    let z = ArrayD::from_shape_fn(IxDyn(&[1, 3]), |_| zi[0] * 2.5);
    let (y, _) = lfilter(&[0.2, 0.3], &[1.0, -0.5], x.view(), 0, Some(z.view())).unwrap();
    assert!(y.iter().all(|v| (v - 2.5).abs() < 1e-12));
    let zs = sosfilt_zi(&SOS).unwrap();
    let mut zarr = ArrayD::zeros(IxDyn(&[SOS.len(), 2, 3]));
    for (s, zz) in zs.iter().enumerate() {
        for k in 0..2 {
            for c in 0..3 {
                zarr[[s, k, c]] = zz[k] * 2.5;
            }
        }
    }
    let (y, _) = sosfilt(&SOS, x.view(), 0, Some(zarr.view())).unwrap();
    // a bandpass: the steady state of a constant is zero
    assert!(y.iter().all(|v| v.abs() < 1e-12), "{y:?}");
}

/// scipy's upfirdn with every extension mode (values from scipy 1.17), including filters
/// much longer than the signal (several reflections).
#[test]
#[rustfmt::skip]
fn upfirdn_modes_match_scipy() {
    let x = [1.0, -2.0, 0.5, 3.0, 2.0, -1.0];
    let h = [0.5, 1.0, -0.25, 0.75, 0.3, 0.2, -0.1];
    let h2: Vec<f64> = (0..41).map(|i| -1.0 + i as f64 / 20.0).collect();
    let cases: Vec<(Extension, usize, usize, bool, Vec<f64>)> = vec![
        (Extension::Constant(0.0), 2, 3, false, vec![0.5, -1.25, 0.675, 4.35, 0.5499999999999999, -0.2]),
        (Extension::Constant(2.0), 2, 3, false, vec![0.39999999999999997, -0.8500000000000001, 0.675, 4.35, 1.5499999999999998, 3.3]),
        (Extension::Edge, 2, 3, false, vec![0.44999999999999996, -1.05, 0.675, 4.35, 0.04999999999999993, -1.95]),
        (Extension::Line, 2, 3, false, vec![0.47000000000000003, -0.97, 0.675, 4.35, -0.15000000000000002, -3.05]),
        (Extension::Smooth, 2, 3, false, vec![0.6000000000000001, -0.44999999999999996, 0.675, 4.35, -1.4500000000000002, -10.2]),
        (Extension::Symmetric, 2, 3, false, vec![-0.4, -1.05, 0.675, 4.35, 0.04999999999999993, 1.05]),
        (Extension::Reflect, 2, 3, false, vec![0.85, -1.65, 0.675, 4.35, 1.5499999999999998, 4.3]),
        (Extension::Wrap, 2, 3, false, vec![1.0499999999999998, -1.45, 0.675, 4.35, 1.0499999999999998, -1.45]),
        (Extension::Antisymmetric, 2, 3, false, vec![1.4, -1.45, 0.675, 4.35, 1.0499999999999998, -1.45]),
        (Extension::Antireflect, 2, 3, false, vec![0.04999999999999993, -0.44999999999999996, 0.675, 4.35, -1.4500000000000002, -8.2]),
        (Extension::Edge, 1, 2, true, vec![1.1102230246251565e-15, 3.350000000000001, -0.8999999999999986, -4.749999999999999, -8.2, -11.25, -13.9, -16.15, -18.0, -19.450000000000003, -20.5, -21.15, -21.4, -21.249999999999993, -20.699999999999996, -19.749999999999993, -18.39999999999999, -16.64999999999999, -14.499999999999995, -11.949999999999998, -8.999999999999995, -2.4999999999999982]),
        (Extension::Line, 1, 2, true, vec![-191.3333333333333, -186.0166666666667, -186.56666666666666, -187.11666666666673, -187.66666666666674, -188.21666666666664, -188.76666666666662, -189.31666666666666, -189.86666666666667, -190.41666666666663, -190.96666666666664, -191.51666666666668, -192.06666666666663, -192.61666666666665, -193.16666666666666, -193.7166666666666, -194.26666666666668, -194.81666666666663, -195.36666666666665, -195.91666666666666, -196.4666666666666, -193.16666666666663]),
        (Extension::Smooth, 1, 2, true, vec![861.0000000000008, 855.5000000000001, 829.1000000000007, 783.9999999999995, 722.3999999999994, 646.5000000000006, 558.5000000000001, 460.60000000000036, 354.9999999999998, 243.90000000000003, 129.50000000000003, 14.000000000000014, -100.39999999999998, -211.49999999999991, -317.0999999999999, -415.0, -502.9999999999999, -578.9, -640.4999999999999, -685.5999999999999, -711.9999999999999, -717.4999999999999]),
        (Extension::Symmetric, 1, 2, true, vec![-0.3749999999999989, 4.6250000000000036, -2.3749999999999982, -1.8749999999999982, -0.3749999999999989, 4.6250000000000036, -2.3749999999999982, -1.8749999999999982, -0.3749999999999989, 4.6250000000000036, -2.3749999999999982, -1.8749999999999982, -0.3749999999999989, 4.6250000000000036, -2.3749999999999982, -1.8749999999999982, -0.3749999999999989, 4.6250000000000036, -2.3749999999999982, -1.8749999999999982, -0.3749999999999989, 4.6250000000000036]),
        (Extension::Reflect, 1, 2, true, vec![1.3999999999999995, 4.440892098500626e-16, -1.3999999999999997, 1.3999999999999995, 4.440892098500626e-16, -1.3999999999999997, 1.3999999999999995, 4.440892098500626e-16, -1.3999999999999997, 1.3999999999999995, 4.440892098500626e-16, -1.3999999999999997, 1.3999999999999995, 4.440892098500626e-16, -1.3999999999999997, 1.3999999999999995, 4.440892098500626e-16, -1.3999999999999997, 1.3999999999999995, 4.440892098500626e-16, -1.3999999999999997, 1.3999999999999995]),
        (Extension::Wrap, 1, 2, true, vec![-2.499999999999999, 2.5000000000000053, -2.499999999999999, 2.5000000000000053, -2.499999999999999, 2.5000000000000053, -2.499999999999999, 2.5000000000000053, -2.499999999999999, 2.5000000000000053, -2.499999999999999, 2.5000000000000053, -2.499999999999999, 2.5000000000000053, -2.499999999999999, 2.5000000000000053, -2.499999999999999, 2.5000000000000053, -2.499999999999999, 2.5000000000000053, -2.499999999999999, 2.5000000000000053]),
        (Extension::Antisymmetric, 1, 2, true, vec![-0.6249999999999998, 1.8750000000000009, -1.625, 0.375, -0.6249999999999998, 1.8750000000000009, -1.625, 0.375, -0.6249999999999998, 1.8750000000000009, -1.625, 0.375, -0.6249999999999998, 1.8750000000000009, -1.625, 0.375, -0.6249999999999998, 1.8750000000000009, -1.625, 0.375, -0.6249999999999998, 1.8750000000000009]),
        (Extension::Antireflect, 1, 2, true, vec![-193.90000000000003, -186.20000000000002, -193.9, -193.9, -186.2, -193.9, -193.9, -186.2, -193.9, -193.9, -186.20000000000002, -193.9, -193.89999999999998, -186.20000000000002, -193.9, -193.89999999999998, -186.2, -193.89999999999998, -193.89999999999998, -186.19999999999996, -193.89999999999998, -193.89999999999998]),
    ];
    for (ext, up, down, long, want) in cases {
        let (xs, hs) = if long { (&x[..4], &h2[..]) } else { (&x[..], &h[..]) };
        let xa = ArrayD::from_shape_vec(IxDyn(&[xs.len()]), xs.to_vec()).unwrap();
        let y = upfirdn_ext(hs, xa.view(), up, down, 0, ext).unwrap();
        assert_eq!(y.len(), want.len(), "{ext:?}");
        let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for (a, b) in y.iter().zip(&want) {
            assert!((a - b).abs() <= 1e-12 * scale, "{ext:?} long={long}: {y:?} vs {want:?}");
        }
    }
}
