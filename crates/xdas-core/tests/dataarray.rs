//! DataArray behaviour: selection, split/concat, equals, collections, errors, and
//! property tests (split → concat round trips, isel composition).

mod common;
use common::*;
use ndarray::{ArrayD, IxDyn};
use proptest::prelude::*;
use xdas_core::coords::{InterpCoordinate, Method, SampledCoordinate};
use xdas_core::{
    Attrs, Coordinate, DataArray, DataCollection, Datetime, Error, Indexer, Label, Scalar, Split,
    Timedelta, Tolerance, Values,
};

fn ramp(shape: &[usize]) -> ArrayD<f64> {
    let mut k = 0.0;
    ArrayD::from_shape_simple_fn(IxDyn(shape), || {
        k += 1.0;
        k
    })
}

fn t0() -> Datetime {
    "2023-01-01T00:00:00".parse().unwrap()
}

fn wavefront_like() -> DataArray<f64> {
    DataArray::new(
        ramp(&[300, 4]),
        &["time", "distance"],
        vec![
            (
                "time",
                Coordinate::from_block_time(t0(), 300, Timedelta::from_ns(20_000_000), "time"),
            ),
            ("distance", Coordinate::from_block(0.0, 4, 25.0, "distance")),
        ],
    )
    .unwrap()
}

#[test]
fn testsplit_cases_roundtrip_on_dataarrays() {
    // the TestSplit.CASES coordinates of the fixtures, carried by a DataArray
    let cases = load("split");
    let mut checked = 0;
    for case in cases.iter().filter(|c| {
        c["name"].as_str().unwrap().starts_with("cases_")
            && c["kind"] == "discontinuities"
            && c["tolerance"] == false
    }) {
        let coord = coord_on(&case["coord"], "time");
        let n = coord.len();
        let da = DataArray::new(ramp(&[n, 2]), &["time", "x"], vec![("time", coord)]).unwrap();
        let parts = da
            .split(Split::Discontinuities, "time", Tolerance::Off)
            .unwrap();
        let expected: Vec<usize> = case["expected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(parts.len(), expected.len() + 1, "{}", case["name"]);
        // concat sorts by first value, so overlapping pieces come back in value order; the
        // pieces themselves are exactly the original's slices
        let mut start = 0;
        for (p, stop) in parts.iter().zip(expected.iter().chain([&n])) {
            assert!(
                p.equals(
                    &da.isel("time", Indexer::range(start as i64, *stop as i64))
                        .unwrap()
                )
            );
            start = *stop;
        }
        let refs: Vec<&DataArray<f64>> = parts.iter().collect();
        let back = DataArray::concat(&refs, "time", Tolerance::Off).unwrap();
        if da.coord("time").unwrap().is_monotonic() {
            assert!(back.equals(&da), "{}", case["name"]);
        }
        checked += 1;
    }
    assert_eq!(checked, 4, "float/datetime x interpolated/sampled");
}

#[test]
fn decimation_cases() {
    // {0:100, 8:900}[::2], [::3], [::4], [::5], [2:7:3] on a DataArray
    let c = InterpCoordinate::new(vec![0, 8], vec![100.0, 900.0]).unwrap();
    let da = DataArray::new(ramp(&[9]), &["x"], vec![("x", Coordinate::new(c, "x"))]).unwrap();
    type Case<'a> = (Option<i64>, Option<i64>, i64, &'a [usize], &'a [f64]);
    let cases: [Case; 5] = [
        (None, None, 2, &[0, 4], &[100.0, 900.0]),
        (None, None, 3, &[0, 2], &[100.0, 700.0]),
        (None, None, 4, &[0, 2], &[100.0, 900.0]),
        (None, None, 5, &[0, 1], &[100.0, 600.0]),
        (Some(2), Some(7), 3, &[0, 1], &[300.0, 600.0]),
    ];
    for (start, stop, step, ti, tv) in cases {
        let out = da
            .isel("x", Indexer::slice(start, stop, Some(step)))
            .unwrap();
        let xdas_core::coords::CoordKind::InterpF64(c) = out.coord("x").unwrap().kind() else {
            panic!()
        };
        assert_eq!(c.tie_indices(), ti);
        assert_eq!(c.tie_values(), tv);
        let expected: Vec<f64> = (start.unwrap_or(0)..stop.unwrap_or(9))
            .step_by(step as usize)
            .map(|i| (i + 1) as f64)
            .collect();
        assert_eq!(out.data().iter().copied().collect::<Vec<_>>(), expected);
    }
}

#[test]
fn sampled_stepped_slicing_is_correct() {
    // xdas 0.2.7/0.2.10 get these wrong (length-4 segment [::3] gives only [0])
    let c = SampledCoordinate::new(vec![0.0], vec![4], 1.0, 1).unwrap();
    assert_eq!(c.slice(0, 4, 3).unwrap().values(), vec![0.0, 3.0]);
    assert!(c.slice(0, 4, 0).is_err());
    let c = SampledCoordinate::new(vec![100.0], vec![9], 100.0, 1).unwrap();
    assert_eq!(
        c.slice(0, 9, 4).unwrap().values(),
        vec![100.0, 500.0, 900.0]
    );
    let c = SampledCoordinate::new(vec![0.0, 10.0, 20.0], vec![3, 1, 5], 1.0, 1).unwrap();
    let all = c.values();
    for step in 1..6 {
        for start in 0..9 {
            let want: Vec<f64> = all.iter().copied().skip(start).step_by(step).collect();
            assert_eq!(
                c.slice(start, 9, step).unwrap().values(),
                want,
                "[{start}::{step}]"
            );
        }
    }
}

#[test]
fn selection_methods() {
    let da = wavefront_like();
    let at = |s: &str, m| {
        da.sel_value("time", s, m)
            .map(|d| d.coord("time").unwrap().value(0).unwrap())
    };
    let t = |s: &str| Scalar::Datetime(s.parse().unwrap());
    assert_eq!(
        at("2023-01-01T00:00:01", Method::Exact).unwrap(),
        t("2023-01-01T00:00:01")
    );
    assert!(matches!(
        at("2023-01-01T00:00:01.005", Method::Exact),
        Err(Error::LabelNotFound { .. })
    ));
    assert_eq!(
        at("2023-01-01T00:00:01.005", Method::Nearest).unwrap(),
        t("2023-01-01T00:00:01")
    );
    assert_eq!(
        at("2023-01-01T00:00:01.015", Method::Nearest).unwrap(),
        t("2023-01-01T00:00:01.02")
    );
    assert_eq!(
        at("2023-01-01T00:00:01.015", Method::Ffill).unwrap(),
        t("2023-01-01T00:00:01")
    );
    assert_eq!(
        at("2023-01-01T00:00:01.005", Method::Bfill).unwrap(),
        t("2023-01-01T00:00:01.02")
    );
    // out of range: nearest clamps, the fills fail on their side
    assert_eq!(
        at("2022-12-31T00:00:00", Method::Nearest).unwrap(),
        t("2023-01-01T00:00:00")
    );
    assert!(at("2022-12-31T00:00:00", Method::Ffill).is_err());
    assert_eq!(
        at("2023-01-01T00:00:00", Method::Bfill).unwrap(),
        t("2023-01-01T00:00:00")
    );
    assert!(at("2024-01-01T00:00:00", Method::Bfill).is_err());
    // integer selection keeps a scalar coordinate; the dim is gone
    let one = da.sel_value("distance", 50.0, Method::Exact).unwrap();
    assert_eq!(one.dims(), ["time"]);
    assert!(one.coord("distance").unwrap().is_scalar());
    // inclusive ranges, endpoint, beyond the ends
    let r = da
        .sel_range("distance", Some(20.0.into()), Some(50.0.into()))
        .unwrap();
    assert_eq!(r.shape(), &[300, 2]);
    let r = da
        .sel(
            "distance",
            Label::Range {
                start: Some(0.0.into()),
                stop: Some(50.0.into()),
            },
            Method::Exact,
            false,
        )
        .unwrap();
    assert_eq!(r.shape(), &[300, 2]);
    let r = da.sel_range("distance", Some(1000.0.into()), None).unwrap();
    assert_eq!(r.shape(), &[300, 0]);
    let r = da.sel_range("distance", None, Some((-5.0).into())).unwrap();
    assert_eq!(r.shape(), &[300, 0]);
    // a list of labels
    let l = da
        .sel(
            "distance",
            Label::List(vec![75.0.into(), 0.0.into()]),
            Method::Exact,
            true,
        )
        .unwrap();
    assert_eq!(
        l.coord("distance").unwrap().values(),
        Values::F64(vec![75.0, 0.0])
    );
}

#[test]
fn clear_errors() {
    let da = wavefront_like();
    let e = da.isel("depth", Indexer::Index(0)).unwrap_err();
    assert!(
        e.to_string().contains("\"depth\"") && e.to_string().contains("distance"),
        "{e}"
    );
    let e = da.isel("time", Indexer::Index(300)).unwrap_err();
    assert_eq!(
        e,
        Error::IndexOutOfBounds {
            index: 300,
            len: 300
        }
    );
    assert!(da.isel("time", Indexer::Index(-300)).is_ok());
    assert!(
        da.isel("time", Indexer::slice(None, None, Some(0)))
            .is_err()
    );
    assert!(
        da.isel("time", Indexer::slice(None, None, Some(-1)))
            .is_err()
    );
    assert!(
        da.sel_value("time", 1.0, Method::Exact).is_err(),
        "float label on a datetime axis"
    );
    assert!(da.sel_value("time", "yesterday", Method::Exact).is_err());
    for m in [Method::Exact, Method::Nearest, Method::Ffill, Method::Bfill] {
        assert!(
            da.sel_value("distance", f64::NAN, m).is_err(),
            "NaN label with {m:?}"
        );
    }
    // a non-monotonic coordinate: a scalar lookup is a clear error
    let c = InterpCoordinate::new(vec![0, 4, 5, 9], vec![0.0, 4.0, 3.0, 7.0]).unwrap();
    let da = DataArray::new(ramp(&[10]), &["x"], vec![("x", Coordinate::new(c, "x"))]).unwrap();
    let e = da.sel_value("x", 3.5, Method::Nearest).unwrap_err();
    assert!(
        matches!(e, Error::NotMonotonic { .. }) && e.to_string().contains("overlaps"),
        "{e}"
    );
    // ...but a range selects inside each piece and joins them back
    let r = da
        .sel_range("x", Some(3.0.into()), Some(4.0.into()))
        .unwrap();
    assert_eq!(
        r.coord("x").unwrap().values(),
        Values::F64(vec![3.0, 4.0, 3.0, 4.0])
    );
    // construction errors
    assert!(DataArray::new(ramp(&[3, 2]), &["a"], vec![]).is_err());
    assert!(DataArray::new(ramp(&[3, 2]), &["a", "a"], vec![]).is_err());
    assert!(
        DataArray::new(
            ramp(&[3]),
            &["a"],
            vec![("a", Coordinate::from_block(0.0, 4, 1.0, "a"))]
        )
        .is_err()
    );
    assert!(
        DataArray::new(
            ramp(&[3]),
            &["a"],
            vec![("b", Coordinate::from_block(0.0, 3, 1.0, "b"))]
        )
        .is_err()
    );
    // concat of mismatched arrays
    let a = DataArray::new(ramp(&[3, 2]), &["t", "x"], vec![]).unwrap();
    let b = DataArray::new(ramp(&[3, 3]), &["t", "x"], vec![]).unwrap();
    assert!(DataArray::concat(&[&a, &b], "t", Tolerance::Default).is_err());
    // split into more sections than samples
    assert!(
        a.split(Split::Sections(4), "t", Tolerance::Default)
            .is_err()
    );
    assert!(
        a.split(Split::Sections(0), "t", Tolerance::Default)
            .is_err()
    );
}

#[test]
fn aliases_transpose_and_equals() {
    let da = wavefront_like();
    assert_eq!(da.axis("first").unwrap(), 0);
    assert_eq!(da.axis("last").unwrap(), 1);
    let first = da.isel("last", Indexer::range(0, 2)).unwrap();
    assert_eq!(first.shape(), &[300, 2]);
    let tr = da.transpose(&["distance", "time"]).unwrap();
    assert_eq!(tr.shape(), &[4, 300]);
    assert_eq!(tr.data()[[1, 2]], da.data()[[2, 1]]);
    assert!(tr.transpose(&["last", "first"]).unwrap().equals(&da));
    assert!(da.transpose(&["time"]).is_err());
    // equals is strict and symmetric
    let named = da.clone().with_name("strain_rate");
    assert!(!named.equals(&da) && !da.equals(&named));
    let empty_attrs = da.clone().with_attrs(Attrs::new());
    assert!(!empty_attrs.equals(&da), "attrs None is not {{}}");
    let mut nan = da.clone();
    nan.data_mut()[[0, 0]] = f64::NAN;
    assert!(nan.equals(&nan.clone()));
    assert!(!nan.equals(&da));
    let other_coord = da.clone().drop_coord("distance");
    assert!(!other_coord.equals(&da) && !da.equals(&other_coord));
}

#[test]
fn collections_select_every_leaf() {
    let da = wavefront_like();
    let late = da
        .clone()
        .assign_coord(
            "time",
            Coordinate::from_block_time(
                t0() + Timedelta::from_seconds(10.0),
                300,
                Timedelta::from_ns(20_000_000),
                "time",
            ),
        )
        .unwrap();
    let dc = DataCollection::mapping(
        Some("network".into()),
        vec![
            ("early".into(), DataCollection::Array(da.clone())),
            (
                "late".into(),
                DataCollection::sequence(None, vec![DataCollection::Array(late)]),
            ),
        ],
    );
    let sub = dc.isel("distance", Indexer::range(0, 2)).unwrap();
    assert_eq!(sub.leaves().len(), 2);
    assert!(sub.leaves().iter().all(|l| l.shape() == [300, 2]));
    // only the early acquisition has the first second: the late leaf is dropped
    let sel = dc
        .sel(
            "time",
            Label::Range {
                start: None,
                stop: Some("2023-01-01T00:00:01".into()),
            },
            Method::Exact,
            true,
        )
        .unwrap();
    assert_eq!(sel.leaves().len(), 1);
    assert!(sel.get("early").is_ok() && sel.get("late").is_err());
    assert!(dc.equals(&dc.clone()) && !dc.equals(&sel));
}

// ------------------------------------------------------------------------------------
// property tests

/// A coordinate of `kind` (0 interp f64, 1 interp datetime, 2 sampled f64, 3 sampled
/// datetime, 4 dense) made of segments of the given lengths separated by gaps (in steps).
fn build_coord(kind: u8, lens: &[usize], gaps: &[i64]) -> Coordinate {
    let step_f = 0.5;
    let step_t = Timedelta::from_ns(4_000_000);
    let mut starts_f = vec![10.0];
    let mut starts_t = vec![t0()];
    for (k, len) in lens.iter().enumerate().skip(1) {
        let prev = lens[k - 1] as i64;
        let _ = len;
        starts_f.push(starts_f[k - 1] + step_f * (prev + gaps[k - 1]) as f64);
        starts_t.push(starts_t[k - 1] + step_t * (prev + gaps[k - 1]));
    }
    match kind {
        0 | 1 => {
            let blocks: Vec<Coordinate> = lens
                .iter()
                .enumerate()
                .map(|(k, &l)| {
                    if kind == 0 {
                        Coordinate::from_block(starts_f[k], l, step_f, "time")
                    } else {
                        Coordinate::from_block_time(starts_t[k], l, step_t, "time")
                    }
                })
                .collect();
            let refs: Vec<&Coordinate> = blocks.iter().collect();
            Coordinate::concat(&refs).unwrap()
        }
        2 => Coordinate::new(
            SampledCoordinate::new(starts_f, lens.to_vec(), step_f, 1).unwrap(),
            "time",
        ),
        3 => Coordinate::new(
            SampledCoordinate::new(starts_t, lens.to_vec(), step_t, 1).unwrap(),
            "time",
        ),
        _ => {
            let c = Coordinate::new(
                SampledCoordinate::new(starts_f, lens.to_vec(), step_f, 1).unwrap(),
                "time",
            );
            Coordinate::dense(c.values(), "time")
        }
    }
}

fn array_with(coord: Coordinate, width: usize) -> DataArray<f64> {
    let n = coord.len();
    DataArray::new(
        ramp(&[n, width]),
        &["time", "x"],
        vec![
            ("time", coord),
            ("x", Coordinate::from_block(0.0, width, 1.0, "x")),
        ],
    )
    .unwrap()
    .with_name("das")
}

fn segments() -> impl Strategy<Value = (u8, Vec<usize>, Vec<i64>, usize)> {
    (0u8..5, prop::collection::vec(1usize..12, 1..5), 1usize..4).prop_flat_map(
        |(kind, lens, width)| {
            let n = lens.len();
            (
                Just(kind),
                Just(lens),
                prop::collection::vec(1i64..20, n),
                Just(width),
            )
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// split at random points, then concat (default tolerance): equals the original.
    #[test]
    fn split_then_concat_roundtrips((kind, lens, gaps, width) in segments(), cuts in prop::collection::vec(0usize..1000, 0..6)) {
        let da = array_with(build_coord(kind, &lens, &gaps), width);
        let n = da.shape()[0];
        let mut idx: Vec<usize> = cuts.iter().map(|c| c % (n + 1)).collect();
        idx.sort_unstable();
        let parts = da.split(Split::Indices(idx), "time", Tolerance::Default).unwrap();
        let refs: Vec<&DataArray<f64>> = parts.iter().collect();
        let back = DataArray::concat(&refs, "time", Tolerance::Default).unwrap();
        prop_assert!(back.equals(&da), "kind {kind} lens {lens:?} gaps {gaps:?}\n{:?}\n{:?}", back.coord("time"), da.coord("time"));
        // splitting at the discontinuities and joining back is also the identity (segments of
        // one or two samples are ambiguous in the tie-point encoding: a two-sample block
        // looks like a jump, in xdas as here)
        if (2..=3).contains(&kind) || lens.iter().all(|&l| l >= 3) {
        let parts = da.split(Split::Discontinuities, "time", Tolerance::Default).unwrap();
        prop_assert_eq!(parts.len(), lens.len());
        let refs: Vec<&DataArray<f64>> = parts.iter().collect();
        prop_assert!(DataArray::concat(&refs, "time", Tolerance::Default).unwrap().equals(&da));
        }
    }

    /// isel(a).isel(b) holds the same values and coordinates as the single composed isel.
    #[test]
    fn isel_composition((kind, lens, gaps, width) in segments(),
                        s1 in (0i64..40, 0i64..40, 1i64..5), s2 in (0i64..40, 0i64..40, 1i64..5)) {
        let da = array_with(build_coord(kind, &lens, &gaps), width);
        let n = da.shape()[0] as i64;
        let (a1, b1, k1) = (s1.0.min(n), s1.1.min(n), s1.2);
        let once = da.isel("time", Indexer::slice(Some(a1), Some(b1), Some(k1))).unwrap();
        let m = once.shape()[0] as i64;
        let (a2, b2, k2) = (s2.0.min(m), s2.1.min(m), s2.2);
        let twice = once.isel("time", Indexer::slice(Some(a2), Some(b2), Some(k2))).unwrap();
        // composed: start a1 + a2·k1, step k1·k2, count of twice
        let count = twice.shape()[0] as i64;
        let start = a1 + a2 * k1;
        let stop = if count == 0 { start } else { start + (count - 1) * k1 * k2 + 1 };
        let direct = da.isel("time", Indexer::slice(Some(start), Some(stop), Some(k1 * k2))).unwrap();
        prop_assert_eq!(direct.data(), twice.data());
        prop_assert_eq!(direct.coord("time").unwrap().values(), twice.coord("time").unwrap().values());
        if kind >= 2 {
            // sampled and dense representations are canonical: strictly equal
            prop_assert!(direct.equals(&twice));
        }
    }
}
