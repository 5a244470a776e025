//! medfilt, integrate/differentiate, taper and mean removal against reference
//! implementations written from their definitions.

use ndarray::{Array, ArrayD, Axis, IxDyn, array, s};
use xdas_signal::SignalError;
use xdas_signal::calculus::{differentiate, integrate};
use xdas_signal::mean_removal::{PadMode, segment_mean_removal, sliding_mean_removal};
use xdas_signal::medfilt::medfilt;
use xdas_signal::taper::taper;
use xdas_signal::window::{Window, get_window};

fn rand_array(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    Array::from_shape_simple_fn(IxDyn(shape), || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    })
}

/// Median filter by its definition: gather the zero-padded neighbourhood, sort, pick.
fn medfilt_ref(x: &ArrayD<f64>, kernel: &[usize]) -> ArrayD<f64> {
    let shape = x.shape().to_vec();
    let mut out = ArrayD::zeros(IxDyn(&shape));
    let size: usize = kernel.iter().product();
    for (idx, o) in out.indexed_iter_mut() {
        let mut vals = Vec::with_capacity(size);
        for k in 0..size {
            let mut r = k;
            let mut src = vec![0isize; shape.len()];
            let mut inside = true;
            for a in (0..shape.len()).rev() {
                let off = (r % kernel[a]) as isize - (kernel[a] / 2) as isize;
                r /= kernel[a];
                src[a] = idx[a] as isize + off;
                inside &= src[a] >= 0 && src[a] < shape[a] as isize;
            }
            vals.push(if inside {
                let s: Vec<usize> = src.iter().map(|&v| v as usize).collect();
                x[IxDyn(&s)]
            } else {
                0.0
            });
        }
        vals.sort_by(f64::total_cmp);
        *o = vals[size / 2];
    }
    out
}

#[test]
fn medfilt_matches_its_definition_bitwise() {
    let cases: Vec<(Vec<usize>, Vec<usize>)> = vec![
        (vec![40], vec![5]),
        (vec![40], vec![1]),
        (vec![7], vec![11]), // kernel longer than the array
        (vec![30, 9], vec![5, 1]),
        (vec![30, 9], vec![1, 5]),
        (vec![30, 9], vec![5, 3]),
        (vec![30, 9], vec![7, 5]),
        (vec![20, 13], vec![9, 9]), // 81 > NETWORK_MAX: selection path
        (vec![6, 7, 8], vec![3, 3, 3]),
        (vec![6, 7, 8], vec![1, 5, 3]),
        (vec![4, 1, 600], vec![3, 1, 3]), // rows longer than one block
    ];
    for (shape, kernel) in cases {
        let x = rand_array(&shape, 7);
        // values with ties, and both signs
        let x = x.mapv(|v| (v * 4.0).round() / 4.0 + if v > 0.9 { 0.001 } else { 0.0 });
        let got = medfilt(x.view(), &kernel).unwrap();
        let want = medfilt_ref(&x, &kernel);
        assert_eq!(got, want, "shape {shape:?} kernel {kernel:?}");
        // f32: the same selection
        let x32 = x.mapv(|v| v as f32);
        let got32 = medfilt(x32.view(), &kernel).unwrap();
        assert_eq!(
            got32,
            want.mapv(|v| v as f32),
            "f32 shape {shape:?} kernel {kernel:?}"
        );
    }
    // a non-standard-layout input
    let x = rand_array(&[12, 10], 8);
    let xt = x.t();
    assert_eq!(
        medfilt(xt.view(), &[3, 5]).unwrap(),
        medfilt_ref(&xt.to_owned().into_dyn(), &[3, 5])
    );
}

#[test]
fn medfilt_is_thread_count_independent() {
    let x = rand_array(&[64, 300], 9);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let a = one.install(|| medfilt(x.view(), &[5, 3]).unwrap());
    assert_eq!(a, medfilt(x.view(), &[5, 3]).unwrap());
}

#[test]
fn medfilt_with_nans_does_not_panic() {
    let mut x = rand_array(&[30, 12], 16);
    x[[3, 4]] = f64::NAN;
    x[[10, 0]] = f64::NAN;
    for kernel in [[5, 1], [3, 3], [9, 9]] {
        let y = medfilt(x.view(), &kernel).unwrap();
        assert_eq!(y.shape(), x.shape());
        // far from the NaNs, the definition holds
        let want = medfilt_ref(&x.mapv(|v| if v.is_nan() { 0.0 } else { v }), &kernel);
        assert_eq!(y[[25, 10]], want[[25, 10]]);
    }
}

#[test]
fn medfilt_errors() {
    let x = rand_array(&[10, 4], 10);
    assert!(matches!(
        medfilt(x.view(), &[4, 1]),
        Err(SignalError::InvalidArgument(_))
    ));
    assert!(matches!(
        medfilt(x.view(), &[0, 1]),
        Err(SignalError::InvalidArgument(_))
    ));
    assert!(matches!(
        medfilt(x.view(), &[3]),
        Err(SignalError::Shape(_))
    ));
    let empty = ArrayD::<f32>::zeros(IxDyn(&[0, 4]));
    assert!(matches!(
        medfilt(empty.view(), &[3, 1]),
        Err(SignalError::Empty(_))
    ));
}

#[test]
fn integrate_and_differentiate() {
    let x = rand_array(&[13, 6, 3], 11);
    for axis in 0..3 {
        let d = 0.37;
        let y = integrate(x.view(), d, axis).unwrap();
        let z = differentiate(x.view(), d, axis).unwrap();
        let mut zshape = x.shape().to_vec();
        zshape[axis] -= 1;
        assert_eq!(z.shape(), &zshape[..]);
        for ((lane, ly), lz) in x
            .lanes(Axis(axis))
            .into_iter()
            .zip(y.lanes(Axis(axis)))
            .zip(z.lanes(Axis(axis)))
        {
            // numpy: cumsum then multiply; diff then divide — bitwise
            let mut acc = 0.0;
            for (v, o) in lane.iter().zip(ly.iter()) {
                acc += v;
                assert_eq!(*o, acc * d);
            }
            for (i, o) in lz.iter().enumerate() {
                assert_eq!(*o, (lane[i + 1] - lane[i]) / d);
            }
        }
    }
    // f32 in f32, like numpy
    let x32 = x.mapv(|v| v as f32);
    let y32 = integrate(x32.view(), 0.5, 0).unwrap();
    assert_eq!(y32[[1, 0, 0]], (x32[[0, 0, 0]] + x32[[1, 0, 0]]) * 0.5f32);
    let y = integrate(x.view(), 0.5, 0).unwrap();
    let e = y32
        .iter()
        .zip(&y)
        .fold(0.0f64, |m, (a, b)| m.max((*a as f64 - b).abs()));
    assert!(e < 1e-5);
    // a one-sample axis differentiates to nothing
    let one = rand_array(&[1, 4], 12);
    assert_eq!(differentiate(one.view(), 1.0, 0).unwrap().shape(), &[0, 4]);
    // errors
    let empty = ArrayD::<f64>::zeros(IxDyn(&[0]));
    assert!(matches!(
        integrate(empty.view(), 1.0, 0),
        Err(SignalError::Empty(_))
    ));
    assert!(matches!(
        differentiate(x.view(), 1.0, 3),
        Err(SignalError::Axis { .. })
    ));
    assert!(differentiate(x.view(), 0.0, 0).is_err());
    assert!(integrate(x.view(), f64::NAN, 0).is_err());
}

#[test]
fn taper_multiplies_by_the_window() {
    let x = rand_array(&[21, 8], 13);
    for (axis, window, fftbins) in [
        (0, Window::Hann, false),
        (1, Window::Tukey(0.1), false),
        (0, Window::Hamming, true),
    ] {
        let y = taper(x.view(), &window, fftbins, axis).unwrap();
        let w = get_window(&window, x.shape()[axis], fftbins).unwrap();
        for (i, v) in x.indexed_iter() {
            let t = i[axis];
            assert_eq!(y[&i], v * w[t]);
        }
        let x32 = x.mapv(|v| v as f32);
        let y32 = taper(x32.view(), &window, fftbins, axis).unwrap();
        // f32 data times an f64 window, rounded (numpy promotes to f64)
        for (i, v) in x32.indexed_iter() {
            assert_eq!(y32[&i], (*v as f64 * w[i[axis]]) as f32);
        }
    }
    let empty = ArrayD::<f64>::zeros(IxDyn(&[3, 0]));
    assert!(matches!(
        taper(empty.view(), &Window::Hann, false, 0),
        Err(SignalError::Empty(_))
    ));
    assert!(matches!(
        taper(x.view(), &Window::Hann, false, 2),
        Err(SignalError::Axis { .. })
    ));
}

/// xdas's sliding mean removal by its definition: pad, then a direct "valid" convolution.
fn sliding_ref(x: &[f64], n: usize, window: &Window, mode: &str) -> Vec<f64> {
    let mut w = get_window(window, n, true).unwrap();
    let sw: f64 = w.iter().sum();
    w.iter_mut().for_each(|v| *v /= sw);
    let h = (n / 2) as isize;
    let len = x.len() as isize;
    let pad = |i: isize| -> f64 {
        if (0..len).contains(&i) {
            return x[i as usize];
        }
        match mode {
            "constant" => 0.0,
            "edge" => x[if i < 0 { 0 } else { x.len() - 1 }],
            "wrap" => x[i.rem_euclid(len) as usize],
            "reflect" => {
                // mirror repeatedly without repeating the edges
                let mut j = i;
                while !(0..len).contains(&j) {
                    j = if j < 0 { -j } else { 2 * (len - 1) - j };
                }
                x[j as usize]
            }
            "symmetric" => {
                let mut j = i;
                while !(0..len).contains(&j) {
                    j = if j < 0 { -j - 1 } else { 2 * len - 1 - j };
                }
                x[j as usize]
            }
            _ => unreachable!(),
        }
    };
    (0..len)
        .map(|i| {
            let conv: f64 = (0..n as isize)
                .map(|k| pad(i + k - h) * w[n - 1 - k as usize])
                .sum();
            x[i as usize] - conv
        })
        .collect()
}

#[test]
fn sliding_mean_removal_matches_its_definition() {
    let x = rand_array(&[150, 4], 14);
    for (n, window) in [
        (1, Window::Hann),
        (5, Window::Hann),
        (25, Window::Hamming),
        (63, Window::Boxcar),
        (65, Window::Hann),
        (201, Window::Hann),
    ] {
        for (mode, name) in [
            (PadMode::Reflect, "reflect"),
            (PadMode::Constant, "constant"),
            (PadMode::Edge, "edge"),
            (PadMode::Symmetric, "symmetric"),
            (PadMode::Wrap, "wrap"),
        ] {
            for axis in 0..2 {
                let y = sliding_mean_removal(x.view(), n, &window, mode, axis).unwrap();
                let scale = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                for (lane, ly) in x.lanes(Axis(axis)).into_iter().zip(y.lanes(Axis(axis))) {
                    let want = sliding_ref(&lane.to_vec(), n, &window, name);
                    let e = ly
                        .iter()
                        .zip(&want)
                        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
                    assert!(e <= 1e-13 * scale, "n {n} {name} axis {axis}: {e}");
                }
                let x32 = x.mapv(|v| v as f32);
                let y32 = sliding_mean_removal(x32.view(), n, &window, mode, axis).unwrap();
                let e = y32
                    .iter()
                    .zip(&y)
                    .fold(0.0f64, |m, (a, b)| m.max((*a as f64 - b).abs()));
                assert!(e <= 1e-5 * scale.max(1.0));
            }
        }
    }
    assert!(sliding_mean_removal(x.view(), 4, &Window::Hann, PadMode::Reflect, 0).is_err());
    assert!(sliding_mean_removal(x.view(), 0, &Window::Hann, PadMode::Reflect, 0).is_err());
    assert!(matches!(
        sliding_mean_removal(x.view(), 5, &Window::Hann, PadMode::Reflect, 2),
        Err(SignalError::Axis { .. })
    ));
}

#[test]
fn segment_mean_removal_matches_its_definition() {
    let x = rand_array(&[40, 3], 15);
    let limits = [2, 10, 10, 25, 40];
    for axis in 0..2 {
        let xa = if axis == 0 {
            x.clone()
        } else {
            x.t().as_standard_layout().into_owned()
        };
        let y = segment_mean_removal(xa.view(), &limits, &Window::Hann, axis).unwrap();
        let y = if axis == 0 { y } else { y.t().to_owned() };
        for c in 0..3 {
            let lane = x.slice(s![.., c]).to_vec();
            let mut want = lane.clone();
            for p in limits.windows(2) {
                let (a, b) = (p[0], p[1]);
                if b == a {
                    continue;
                }
                let w = get_window(&Window::Hann, b - a, true).unwrap();
                let m = (a..b).map(|t| lane[t] * w[t - a]).sum::<f64>() / w.iter().sum::<f64>();
                (a..b).for_each(|t| want[t] = lane[t] - m);
            }
            for t in 0..40 {
                assert!((y[[t, c]] - want[t]).abs() < 1e-14, "axis {axis} t {t}");
            }
            // outside the segments: untouched
            assert_eq!(y[[0, c]], x[[0, c]]);
            assert_eq!(y[[1, c]], x[[1, c]]);
        }
    }
    let x1 = array![1.0f32, 2.0, 3.0].into_dyn();
    assert!(segment_mean_removal(x1.view(), &[0, 4], &Window::Hann, 0).is_err());
    assert!(segment_mean_removal(x1.view(), &[2, 1], &Window::Hann, 0).is_err());
    assert!(segment_mean_removal(x1.view(), &[0, 3], &Window::Hann, 1).is_err());
    assert_eq!(
        segment_mean_removal(x1.view(), &[], &Window::Hann, 0).unwrap(),
        x1
    );
}
