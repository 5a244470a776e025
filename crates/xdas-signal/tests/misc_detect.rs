//! STA/LTA characteristic functions and the threshold trigger.

use ndarray::{Array, Array1, ArrayD, Axis, IxDyn, Slice, array, s};
use proptest::prelude::*;
use xdas_signal::SignalError;
use xdas_signal::detect::{Pick, StaLtaMethod, TINY, TriggerState, sta_lta, trigger};

fn rand_array(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    Array::from_shape_simple_fn(IxDyn(shape), || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    })
}

const METHODS: [StaLtaMethod; 4] = [
    StaLtaMethod::Recursive,
    StaLtaMethod::Classic,
    StaLtaMethod::Delayed,
    StaLtaMethod::Centered,
];

#[test]
fn recursive_hand_checked() {
    // nsta = 2, nlta = 4 on ones: csta = 1/2, clta = 1/4, sums start at (0, TINY), t = 0
    // is skipped: sta = 1/2, 3/4, 7/8, 15/16; lta = 1/4, 7/16, 37/64, 175/256 (+ TINY
    // terms lost to rounding); the output starts at t = nlta = 4: (15/16)/(175/256) = 48/35.
    let x = Array1::<f64>::ones(5).into_dyn();
    let y = sta_lta(x.view(), 2, 4, StaLtaMethod::Recursive, 0).unwrap();
    assert_eq!(y.as_slice().unwrap(), &[0.0, 0.0, 0.0, 0.0, 48.0 / 35.0]);
    // zeros: lta stays at its floor, the ratio is 0/TINY = 0
    let z = Array1::<f64>::zeros(8).into_dyn();
    let y = sta_lta(z.view(), 2, 4, StaLtaMethod::Recursive, 0).unwrap();
    assert!(y.iter().all(|&v| v == 0.0));
    assert_eq!(TINY, 2.2250738585072014e-308);
}

/// The boxcar methods by their definition: window sums recomputed at every sample.
fn boxcar_ref(x: &[f64], nsta: usize, nlta: usize, method: StaLtaMethod) -> Vec<f64> {
    let lag = method.lag(nlta);
    let (dsta, dlta) = match method {
        StaLtaMethod::Delayed => (0, nsta),
        StaLtaMethod::Centered => (lag - nsta / 2, 0),
        _ => (0, 0),
    };
    let reach = (nsta + dsta).max(nlta + dlta);
    let e: Vec<f64> = x.iter().map(|v| v * v).collect();
    let mean = |t: usize, d: usize, n: usize| -> f64 {
        let last = t as isize - d as isize;
        (0..n)
            .map(|k| last - k as isize)
            .filter(|&i| i >= 0)
            .map(|i| e[i as usize])
            .sum::<f64>()
            / n as f64
    };
    let raw: Vec<f64> = (0..x.len())
        .map(|t| {
            if t + 1 < reach {
                0.0
            } else {
                mean(t, dsta, nsta) / mean(t, dlta, nlta).max(TINY)
            }
        })
        .collect();
    (0..x.len())
        .map(|t| if t + lag < x.len() { raw[t + lag] } else { 0.0 })
        .collect()
}

#[test]
fn boxcar_methods_match_their_definition() {
    let x = rand_array(&[400], 1);
    let mut x = x.into_dimensionality::<ndarray::Ix1>().unwrap();
    x[250] = 30.0;
    for method in [
        StaLtaMethod::Classic,
        StaLtaMethod::Delayed,
        StaLtaMethod::Centered,
    ] {
        for (nsta, nlta) in [(1, 2), (3, 20), (10, 51), (7, 8)] {
            let y = sta_lta(x.view().into_dyn(), nsta, nlta, method, 0).unwrap();
            let want = boxcar_ref(x.as_slice().unwrap(), nsta, nlta, method);
            for (t, (a, b)) in y.iter().zip(&want).enumerate() {
                assert!(
                    (a - b).abs() <= 1e-12 * b.abs().max(1.0),
                    "{method:?} {nsta}/{nlta} t {t}: {a} vs {b}"
                );
                assert_eq!(
                    *a == 0.0,
                    *b == 0.0,
                    "{method:?} {nsta}/{nlta} zero at t {t}"
                );
            }
        }
    }
}

#[test]
fn classic_on_a_constant_is_one_after_the_long_window() {
    let x = Array1::from_elem(100, 2.0f64).into_dyn();
    let y = sta_lta(x.view(), 5, 20, StaLtaMethod::Classic, 0).unwrap();
    assert!(y.iter().take(19).all(|&v| v == 0.0));
    assert!(y.iter().skip(19).all(|&v| (v - 1.0).abs() < 1e-14));
    let y = sta_lta(x.view(), 5, 20, StaLtaMethod::Centered, 0).unwrap();
    // centered: held back by nlta/2 = 10: nonzero from 19 - 10 = 9 up to 100 - 10
    assert!(y.iter().take(9).all(|&v| v == 0.0));
    assert!(y.iter().skip(9).take(81).all(|&v| (v - 1.0).abs() < 1e-14));
    assert!(y.iter().skip(90).all(|&v| v == 0.0));
}

#[test]
fn every_axis_and_layout_gives_the_same_values_bitwise() {
    let x = rand_array(&[3, 120, 5], 2);
    for method in METHODS {
        let y = sta_lta(x.view(), 4, 30, method, 1).unwrap();
        // the time axis first (row walking over 15 lanes)
        let xt = x
            .view()
            .permuted_axes(IxDyn(&[1, 0, 2]))
            .as_standard_layout()
            .into_owned();
        let yt = sta_lta(xt.view(), 4, 30, method, 0).unwrap();
        assert_eq!(yt.view().permuted_axes(IxDyn(&[1, 0, 2])), y);
        // the time axis last (lane by lane)
        let xl = x
            .view()
            .permuted_axes(IxDyn(&[0, 2, 1]))
            .as_standard_layout()
            .into_owned();
        let yl = sta_lta(xl.view(), 4, 30, method, 2).unwrap();
        assert_eq!(yl.view().permuted_axes(IxDyn(&[0, 2, 1])), y);
        // a non-standard-layout view
        let yv = sta_lta(x.view().permuted_axes(IxDyn(&[1, 0, 2])), 4, 30, method, 0).unwrap();
        assert_eq!(yv, yt);
        // a single lane equals its lane of the block
        let lane = x.slice(s![1, .., 3]).to_owned().into_dyn();
        let y1 = sta_lta(lane.view(), 4, 30, method, 0).unwrap();
        assert_eq!(y1, y.slice(s![1, .., 3]).to_owned().into_dyn());
    }
}

#[test]
fn wide_blocks_are_thread_count_independent() {
    // more lanes than one block, so several tasks run
    let x = rand_array(&[200, 1500], 3);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let two = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    for method in METHODS {
        let a = one.install(|| sta_lta(x.view(), 5, 50, method, 0).unwrap());
        let b = two.install(|| sta_lta(x.view(), 5, 50, method, 0).unwrap());
        assert_eq!(a, b);
        let c = sta_lta(x.slice(s![.., 1400..]).into_dyn(), 5, 50, method, 0).unwrap();
        assert_eq!(c, a.slice(s![.., 1400..]).into_dyn());
    }
    let cft = x.mapv(|v| v.abs() * 3.0);
    let a = one.install(|| trigger(cft.view(), 2.0, 0).unwrap());
    let b = two.install(|| trigger(cft.view(), 2.0, 0).unwrap());
    assert_eq!(a, b);
    assert!(a.len() > 1000);
}

#[test]
fn f32_agrees_with_f64() {
    let x = rand_array(&[500, 4], 4);
    let x32 = x.mapv(|v| v as f32);
    for method in METHODS {
        let a = sta_lta(x32.view(), 10, 100, method, 0).unwrap();
        let b = sta_lta(x.view(), 10, 100, method, 0).unwrap();
        let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let e = a
            .iter()
            .zip(&b)
            .fold(0.0f64, |m, (u, v)| m.max((*u as f64 - v).abs()));
        assert!(e <= 1e-5 * scale, "{method:?}: {e}");
    }
}

#[test]
fn sta_lta_errors() {
    let x = rand_array(&[50, 2], 5);
    let empty = ArrayD::<f64>::zeros(IxDyn(&[0, 2]));
    assert!(matches!(
        sta_lta(empty.view(), 2, 5, StaLtaMethod::Classic, 0),
        Err(SignalError::Empty(_))
    ));
    assert!(matches!(
        sta_lta(x.view(), 2, 5, StaLtaMethod::Classic, 2),
        Err(SignalError::Axis { axis: 2, ndim: 2 })
    ));
    for (nsta, nlta) in [(0, 5), (5, 5), (6, 5)] {
        for m in METHODS {
            assert!(matches!(
                sta_lta(x.view(), nsta, nlta, m, 0),
                Err(SignalError::InvalidArgument(_))
            ));
        }
    }
    // windows longer than the record: all zero, no error
    let y = sta_lta(x.view(), 20, 80, StaLtaMethod::Centered, 0).unwrap();
    assert!(y.iter().all(|&v| v == 0.0));
    assert!(StaLtaMethod::parse("Recursive").is_err());
}

fn tuples(p: &[Pick]) -> Vec<(Vec<usize>, usize, f64)> {
    p.iter()
        .map(|p| (p.lane.clone(), p.index, p.value))
        .collect()
}

const CFT: [f64; 10] = [0.0, 0.1, 0.9, 0.8, 0.2, 0.1, 0.6, 0.7, 0.3, 0.2];

/// Feed `cft` (1 × 10, along axis 1) in chunks ending at `splits`, then flush.
fn chunked(splits: &[usize]) -> Vec<Pick> {
    let cft = Array1::from(CFT.to_vec()).insert_axis(Axis(0)).into_dyn();
    let mut st = TriggerState::new(0.5, 1).unwrap();
    let mut picks = vec![];
    let mut start = 0;
    for &end in splits.iter().chain(&[10]) {
        picks.extend(
            st.feed(cft.slice_axis(Axis(1), Slice::from(start..end)))
                .unwrap(),
        );
        start = end;
    }
    picks.extend(st.flush());
    picks
}

#[test]
fn xdas_trigger_cases() {
    // test_trigger.py: picks at t = 2 and 7 with values .9 and .7
    let want = vec![(vec![0], 2, 0.9), (vec![0], 7, 0.7)];
    let cft = Array1::from(CFT.to_vec()).insert_axis(Axis(0)).into_dyn();
    assert_eq!(tuples(&trigger(cft.view(), 0.5, 1).unwrap()), want);
    // chunked: splits at 3, at 7, and in chunks of 3 (with chunks of 3 the first run
    // starts in chunk 0 and closes in chunk 1: its pick is reported "a chunk late")
    for splits in [vec![3], vec![7], vec![3, 6, 9]] {
        assert_eq!(tuples(&chunked(&splits)), want, "splits {splits:?}");
    }
    // along axis 0 of the transposed cft
    let ct = cft.t().to_owned();
    let picks = trigger(ct.view(), 0.5, 0).unwrap();
    assert_eq!(tuples(&picks), want);
    // 1-D: empty lane index
    let c1 = Array1::from(CFT.to_vec()).into_dyn();
    let p1 = trigger(c1.view(), 0.5, 0).unwrap();
    assert_eq!(tuples(&p1), vec![(vec![], 2, 0.9), (vec![], 7, 0.7)]);
}

#[test]
fn trigger_rules() {
    // onset at exactly thresh (>=); off strictly below thresh/2; the first maximum wins ties
    let c = array![0.0, 0.5, 0.25, 0.5, 0.5, 0.2, 1.0, 1.0, 0.0].into_dyn();
    let p = tuples(&trigger(c.view(), 0.5, 0).unwrap());
    assert_eq!(p, vec![(vec![], 1, 0.5), (vec![], 6, 1.0)]);
    // a run still on at the end is closed (xdas 0.2.10 flush)
    let tail = array![0.0, 0.1, 0.9, 0.8].into_dyn();
    assert_eq!(
        tuples(&trigger(tail.view(), 0.5, 0).unwrap()),
        vec![(vec![], 2, 0.9)]
    );
    // order: lanes in row-major order, each in time, then the runs closed at the end
    let c = array![
        [[0.0, 0.9], [0.9, 0.0]],
        [[0.0, 0.9], [0.0, 0.0]],
        [[0.8, 0.0], [0.95, 0.0]],
    ]
    .into_dyn(); // (time, a, b)
    let p = tuples(&trigger(c.view(), 0.5, 0).unwrap());
    assert_eq!(
        p,
        vec![
            (vec![0, 1], 0, 0.9),
            (vec![1, 0], 0, 0.9),
            (vec![0, 0], 2, 0.8),
            (vec![1, 0], 2, 0.95),
        ]
    );
    // NaN values neither switch on nor off
    let c = array![0.0, 0.9, f64::NAN, 0.1, f64::NAN].into_dyn();
    assert_eq!(
        tuples(&trigger(c.view(), 0.5, 0).unwrap()),
        vec![(vec![], 1, 0.9)]
    );
}

#[test]
fn trigger_state_bookkeeping_and_errors() {
    let mut st = TriggerState::new(0.5, 1).unwrap();
    let a = Array::from_shape_vec((2, 3), vec![0.0, 0.9, 0.9, 0.0, 0.0, 0.6]).unwrap();
    assert!(st.feed(a.view().into_dyn()).unwrap().is_empty());
    assert_eq!(st.offset(), 3);
    // an empty chunk is fine
    assert!(
        st.feed(ArrayD::<f64>::zeros(IxDyn(&[2, 0])).view())
            .unwrap()
            .is_empty()
    );
    assert_eq!(st.offset(), 3);
    // other lanes: an error
    assert!(matches!(
        st.feed(ArrayD::<f64>::zeros(IxDyn(&[3, 1])).view()),
        Err(SignalError::Shape(_))
    ));
    assert!(matches!(
        st.feed(ArrayD::<f64>::zeros(IxDyn(&[3])).view()),
        Err(SignalError::Axis { .. })
    ));
    let p = st
        .feed(ArrayD::<f64>::zeros(IxDyn(&[2, 1])).view())
        .unwrap();
    assert_eq!(tuples(&p), vec![(vec![0], 1, 0.9), (vec![1], 2, 0.6)]);
    assert!(st.flush().is_empty());
    // errors of the one-shot function
    let x = rand_array(&[4, 3], 6);
    assert!(matches!(
        trigger(x.view(), f64::NAN, 0),
        Err(SignalError::InvalidArgument(_))
    ));
    assert!(matches!(
        trigger(x.view(), 0.5, 2),
        Err(SignalError::Axis { .. })
    ));
    let empty = ArrayD::<f32>::zeros(IxDyn(&[0, 3]));
    assert!(matches!(
        trigger(empty.view(), 0.5, 0),
        Err(SignalError::Empty(_))
    ));
    assert!(TriggerState::new(f64::NAN, 0).is_err());
    assert!(TriggerState::with_lane_thresholds(array![0.5, f64::NAN].into_dyn(), 0).is_err());
    // per-lane thresholds: shape checked against the data
    let mut st = TriggerState::with_lane_thresholds(array![0.5, 0.5].into_dyn(), 0).unwrap();
    assert!(st.feed(x.view()).is_err());
    // f32 and f64 give the same picks (values widened)
    let c = Array1::from(CFT.to_vec()).into_dyn();
    let c32 = c.mapv(|v| v as f32);
    let p32 = trigger(c32.view(), 0.5, 0).unwrap();
    assert_eq!(p32.len(), 2);
    assert_eq!(p32[0].value, 0.9f32 as f64);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Any chunking along the trigger axis gives the same picks as one call.
    #[test]
    fn trigger_state_is_chunk_invariant(
        lanes in 1usize..4,
        len in 0usize..60,
        values in proptest::collection::vec(0u8..6, 240),
        cuts in proptest::collection::vec(0usize..60, 0..6),
        axis in 0usize..2,
    ) {
        // values in {0, .1, .2, .5, .8, 1} so that ties and exact thresholds happen
        let levels = [0.0, 0.1, 0.2, 0.5, 0.8, 1.0];
        let data: Vec<f64> = values.iter().take(lanes * len).map(|&v| levels[v as usize]).collect();
        let data = if data.len() < lanes * len { vec![0.0; lanes * len] } else { data };
        let cft = Array::from_shape_vec((len, lanes), data).unwrap().into_dyn();
        let cft = if axis == 0 { cft } else { cft.t().as_standard_layout().into_owned() };
        let mut st = TriggerState::new(0.5, axis).unwrap();
        let mut whole = st.feed(cft.view()).unwrap();
        whole.extend(st.flush());
        let mut cuts: Vec<usize> = cuts.into_iter().filter(|&c| c <= len).collect();
        cuts.sort_unstable();
        let mut st = TriggerState::new(0.5, axis).unwrap();
        let mut parts = vec![];
        let mut start = 0;
        for &end in cuts.iter().chain(&[len]) {
            parts.extend(st.feed(cft.slice_axis(Axis(axis), Slice::from(start..end))).unwrap());
            start = end;
        }
        parts.extend(st.flush());
        prop_assert_eq!(st.offset(), len);
        let mut a = tuples(&whole);
        let mut b = tuples(&parts);
        a.sort_by_key(|t| (t.0.clone(), t.1));
        b.sort_by_key(|t| (t.0.clone(), t.1));
        prop_assert_eq!(a, b);
    }
}
