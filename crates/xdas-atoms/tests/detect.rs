//! The detection atoms `STALTA` and `Trigger`: every case of `golden/trigger/` (eager
//! against xdas 0.2.10, and chunked along time at every stored chunk size against eager,
//! bitwise), chunk invariance under random chunkings (proptest), and save/resume through
//! a JSON string in the middle of a stream.

use ndarray::{Array, ArrayD, Axis, IxDyn, Slice, concatenate};
use proptest::prelude::*;
use xdas_atoms::detect::{STALTA, Trigger};
use xdas_atoms::{Atom, AtomExt, Chunk, Picks, Sequential};
use xdas_core::{Coordinate, DataArray, Datetime, Indexer, Values};
use xdas_signal::detect::{StaLtaMethod, StaLtaState, sta_lta, trigger};
use xdas_testdata::{Case, close, coord, golden_dir, input_dataarray};

const METHODS: [&str; 4] = ["recursive", "classic", "delayed", "centered"];

/// `da` cut along `dim` at `cuts` (sorted, within bounds).
fn cut<T: xdas_core::Element>(da: &DataArray<T>, dim: &str, cuts: &[usize]) -> Vec<Chunk>
where
    Chunk: From<DataArray<T>>,
{
    let n = da.shape()[da.axis(dim).unwrap()];
    let mut out = Vec::new();
    let mut start = 0;
    for &end in cuts.iter().chain(&[n]) {
        out.push(
            da.isel(dim, Indexer::range(start as i64, end as i64))
                .unwrap()
                .into(),
        );
        start = end;
    }
    out
}

/// `da` in chunks of `size` along `dim`.
fn chunks_of<T: xdas_core::Element>(da: &DataArray<T>, dim: &str, size: usize) -> Vec<Chunk>
where
    Chunk: From<DataArray<T>>,
{
    let n = da.shape()[da.axis(dim).unwrap()];
    let cuts: Vec<usize> = (size..n).step_by(size).collect();
    cut(da, dim, &cuts)
}

fn data(c: &Chunk) -> ArrayD<f64> {
    match c {
        Chunk::F64(da) => da.data().clone(),
        Chunk::F32(da) => da.data().mapv(|v| v as f64),
        other => panic!("not a real array: {}", other.dtype_name()),
    }
}

fn picks(c: Chunk) -> Picks {
    match c {
        Chunk::Picks(p) => p,
        other => panic!("not picks: {}", other.dtype_name()),
    }
}

/// The chunk sizes of a case's `chunked_vs_monolithic` record.
fn sizes(case: &Case) -> Vec<usize> {
    let mut s: Vec<usize> = case.json["chunked_vs_monolithic"]
        .as_object()
        .map(|o| o.keys().map(|k| k.parse().unwrap()).collect())
        .unwrap_or_default();
    s.sort_unstable();
    s
}

#[test]
fn golden_stalta_eager_and_chunked() {
    let Some(root) = golden_dir() else {
        eprintln!("skipping: golden data not found");
        return;
    };
    let (mut cases, mut runs, mut bitwise) = (0, 0, 0);
    for case in Case::all(&root, "trigger") {
        let Some(method) = case.p("method").as_str() else {
            continue;
        };
        let (sta, lta) = (
            case.p("sta").as_f64().unwrap(),
            case.p("lta").as_f64().unwrap(),
        );
        let da = input_dataarray(&case, "x");
        let mut atom = STALTA::new(sta, lta, method, "time").unwrap();
        let eager = atom.apply(da.clone()).unwrap();
        let Chunk::F64(e) = &eager else {
            panic!("{}: float64 in, float64 out", case.name)
        };
        let want = case.output("cft").f64();
        close(&case.name, e.data(), &want, 1e-12).unwrap();
        if e.data()
            .iter()
            .zip(&want)
            .all(|(a, b)| a.to_bits() == b.to_bits())
        {
            bitwise += 1;
        }
        // coordinates: those of the golden output (= the input's)
        let meta = &case.json["coords"]["cft"];
        assert_eq!(e.dims(), &["time", "distance"]);
        for d in ["time", "distance"] {
            let c: Coordinate = coord(&meta["coords"][d], d);
            assert!(
                e.coord(d).unwrap().equals(&c),
                "{}: {d} coordinate {:?} vs {:?}",
                case.name,
                e.coord(d).unwrap(),
                c
            );
        }
        let sizes = sizes(&case);
        assert_eq!(sizes, vec![1, 7, 64, 100, 137, 300], "{}", case.name);
        for n in sizes {
            let chunked = atom
                .run_chunks(chunks_of(&da, "time", n), "time")
                .unwrap()
                .unwrap();
            assert!(chunked.equals(&eager), "{} chunked by {n}", case.name);
            runs += 1;
        }
        cases += 1;
    }
    eprintln!(
        "golden trigger/stalta: {cases} cases checked ({bitwise} bitwise equal to xdas), \
         {runs} chunked runs equal to eager"
    );
    assert_eq!(cases, 4);
}

#[test]
fn golden_trigger_on_stalta_recursive() {
    let Some(root) = golden_dir() else {
        eprintln!("skipping: golden data not found");
        return;
    };
    let case = Case::load(
        &root,
        &root.join("trigger/trigger_on_stalta_recursive.json"),
    );
    let thresh = case.p("thresh").as_f64().unwrap();
    let cft = input_dataarray(&case, "cft");
    let mut atom = Trigger::new(thresh, "time");
    let eager = picks(atom.apply(cft.clone()).unwrap());
    assert_eq!(eager.columns(), vec!["distance", "time", "value"]);

    // xdas's table
    let table = &case.json["picks_xd_trigger"];
    let cols: Vec<&str> = table["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(cols, eager.columns());
    let d = &table["data"];
    let want: Vec<(f64, i64, f64)> = (0..table["n"].as_u64().unwrap() as usize)
        .map(|i| {
            (
                d["distance"][i].as_f64().unwrap(),
                d["time"]["datetime64_ns"][i].as_i64().unwrap(),
                d["value"][i].as_f64().unwrap(),
            )
        })
        .collect();
    let rows = |p: &Picks| -> Vec<(f64, i64, f64)> {
        let Some(Values::F64(dist)) = p.column("distance") else {
            panic!("distance column")
        };
        let Some(Values::Datetime(time)) = p.column("time") else {
            panic!("time column of datetimes")
        };
        (0..p.len())
            .map(|i| (dist[i], time[i].ns(), p.values()[i]))
            .collect()
    };
    let got = rows(&eager);
    assert_eq!(got.len(), want.len());
    // xdas lists picks lane by lane; ours come in the order the runs close (the same for
    // every chunking): compare as sets, ordered by (distance, time)
    let key = |r: &(f64, i64, f64)| (r.0.to_bits(), r.1);
    let mut g = got.clone();
    let mut w = want.clone();
    g.sort_by_key(key);
    w.sort_by_key(key);
    for (a, b) in g.iter().zip(&w) {
        assert_eq!((a.0, a.1), (b.0, b.1));
        assert!((a.2 - b.2).abs() <= 1e-12 * b.2.abs(), "{a:?} vs {b:?}");
    }
    let order_differs = got != want;
    // in the order the runs close, each lane's picks are still in time order
    for r in &got {
        let times: Vec<i64> = got.iter().filter(|q| q.0 == r.0).map(|q| q.1).collect();
        assert!(times.is_sorted(), "lane at {} m: {times:?}", r.0);
    }

    // chunked at every golden size: the same table, row for row
    let mut runs = 0;
    for n in [1, 7, 64, 100, 137, 300] {
        let chunked = atom
            .run_chunks(chunks_of(&cft, "time", n), "time")
            .unwrap()
            .unwrap();
        assert!(
            chunked.equals(&Chunk::Picks(eager.clone())),
            "chunked by {n}"
        );
        runs += 1;
    }
    // STALTA >> Trigger from the raw input, eager and chunked
    let x = input_dataarray(&case, "x");
    let mut pipe = Sequential::new(vec![
        Box::new(STALTA::new(0.1, 1.0, "recursive", "time").unwrap()),
        Box::new(Trigger::new(thresh, "time")),
    ]);
    let piped = pipe.apply(x.clone()).unwrap();
    assert!(piped.equals(&Chunk::Picks(eager.clone())));
    for n in [1, 7, 64, 100, 137, 300] {
        let chunked = pipe
            .run_chunks(chunks_of(&x, "time", n), "time")
            .unwrap()
            .unwrap();
        assert!(chunked.equals(&piped), "pipeline chunked by {n}");
        runs += 1;
    }
    eprintln!(
        "golden trigger/trigger_on_stalta_recursive: 1 case, {} picks checked as a set \
         (row order {} xdas's), {runs} chunked runs equal to eager",
        got.len(),
        if order_differs {
            "differs from"
        } else {
            "equals"
        }
    );
}

#[test]
fn stalta_keeps_coordinates_dtype_and_layout() {
    // time last, float32, a scalar coordinate: centered output lines up with the input
    let da = xdas_synthetics::dummy::<f32>((120, 3)).to_dataarray();
    let da = da
        .transpose(&["distance", "time"])
        .unwrap()
        .assign_coord("station", Coordinate::scalar("ST01"))
        .unwrap();
    for method in METHODS {
        let mut atom = STALTA::new(0.03, 0.2, method, "time").unwrap();
        let eager = atom.apply(da.clone()).unwrap();
        let Chunk::F32(e) = &eager else { panic!() };
        assert_eq!(e.dims(), da.dims());
        for (name, c) in da.coords() {
            assert!(e.coord(name).unwrap().equals(c), "{method}: {name}");
        }
        // the signal kernel on the raw array: the same values
        let m = StaLtaMethod::parse(method).unwrap();
        let want = sta_lta(da.data().view(), 3, 20, m, 1).unwrap();
        assert_eq!(e.data(), &want);
        for n in [1, 2, 9, 10, 11, 119, 120] {
            let chunked = atom
                .run_chunks(chunks_of(&da, "time", n), "time")
                .unwrap()
                .unwrap();
            assert!(chunked.equals(&eager), "{method} by {n}");
        }
        // chunked along the other dim: each chunk is a whole record
        let by_distance = atom
            .run_chunks(chunks_of(&da, "distance", 1), "distance")
            .unwrap()
            .unwrap();
        assert!(by_distance.equals(&eager));
    }
}

#[test]
fn stalta_centered_holds_back_and_releases() {
    let da = xdas_synthetics::dummy::<f64>((50, 2)).to_dataarray();
    // nsta = 2, nlta = 10: lag 5
    let mut atom = STALTA::new(0.02, 0.1, "centered", "time").unwrap();
    let out = atom
        .call(chunks_of(&da, "time", 3)[0].clone(), Some("time"))
        .unwrap();
    assert!(out.is_empty(), "3 samples < lag: nothing yet");
    let out = atom
        .call(
            da.isel("time", Indexer::range(3, 9)).unwrap().into(),
            Some("time"),
        )
        .unwrap();
    assert_eq!(out.len(), 1);
    let Chunk::F64(o) = &out[0] else { panic!() };
    assert_eq!(o.shape(), &[4, 2]);
    // labelled as the first four input samples
    assert!(
        o.coord("time").unwrap().equals(
            da.isel("time", Indexer::range(0, 4))
                .unwrap()
                .coord("time")
                .unwrap()
        )
    );
    let tail = atom.flush().unwrap();
    let Chunk::F64(t) = &tail[0] else { panic!() };
    assert_eq!(t.shape(), &[5, 2]);
    assert!(t.data().iter().all(|&v| v == 0.0));
    assert!(atom.flush().unwrap().is_empty());
}

#[test]
fn stalta_state_with_many_lanes_and_a_gap() {
    // more lanes than one block of the kernel (512), fed in chunks of 7
    let x = noise(&[80, 3, 230], 11);
    for m in METHODS {
        let m = StaLtaMethod::parse(m).unwrap();
        let whole = sta_lta(x.view(), 4, 23, m, 0).unwrap();
        let mut st = StaLtaState::new(m, 4, 23, x.shape(), 0).unwrap();
        let mut parts: Vec<ArrayD<f64>> = x
            .axis_chunks_iter(Axis(0), 7)
            .map(|c| st.feed(c).unwrap())
            .collect();
        parts.push(st.flush());
        let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
        assert_eq!(concatenate(Axis(0), &views).unwrap(), whole, "{m:?}");
    }
    // a gap in time: the stream restarts after it, as the eager call does per piece
    let a = xdas_synthetics::dummy::<f64>((60, 2)).to_dataarray();
    let a = a.with_data(noise(&[60, 2], 3)).unwrap();
    let later = a
        .coord("time")
        .unwrap()
        .shifted(&xdas_core::Timedelta::from_ns(2_000_000_000).into())
        .unwrap();
    let b = a.clone().assign_coord("time", later).unwrap();
    let gapped = DataArray::concat(&[&a, &b], "time", xdas_core::Tolerance::Default).unwrap();
    for method in METHODS {
        let mut atom = STALTA::new(0.03, 0.2, method, "time").unwrap();
        let eager = atom.apply(gapped.clone()).unwrap();
        let piecewise = Chunk::concat(
            &[
                atom.apply(a.clone()).unwrap(),
                atom.apply(b.clone()).unwrap(),
            ],
            "time",
        )
        .unwrap();
        assert!(eager.equals(&piecewise), "{method}");
        for n in [1, 7, 50, 61] {
            let chunked = atom
                .run_chunks(chunks_of(&gapped, "time", n), "time")
                .unwrap()
                .unwrap();
            assert!(chunked.equals(&eager), "{method} by {n}");
        }
    }
}

#[test]
fn stalta_errors() {
    assert!(STALTA::new(0.1, 1.0, "fancy", "time").is_err());
    assert!(STALTA::new(0.0, 1.0, "classic", "time").is_err());
    assert!(STALTA::new(f64::NAN, 1.0, "classic", "time").is_err());
    assert!(STALTA::new(0.5, 0.5, "classic", "time").is_err());
    let da = xdas_synthetics::dummy::<f64>((50, 2)).to_dataarray(); // dt = 0.01 s
    // shorter than one sample; not more samples in lta than in sta
    assert!(
        STALTA::new(0.004, 1.0, "classic", "time")
            .unwrap()
            .apply(da.clone())
            .is_err()
    );
    assert!(
        STALTA::new(0.05, 0.054, "classic", "time")
            .unwrap()
            .apply(da.clone())
            .is_err()
    );
    // a dim that does not exist; no sampling interval
    assert!(
        STALTA::new(0.05, 0.5, "classic", "depth")
            .unwrap()
            .apply(da.clone())
            .is_err()
    );
    let bare = DataArray::new(da.data().clone(), &["time", "distance"], vec![]).unwrap();
    assert!(
        STALTA::new(0.05, 0.5, "classic", "time")
            .unwrap()
            .apply(bare)
            .is_err()
    );
    // complex input, picks input
    let c = da
        .with_data(da.data().mapv(|v| num_complex::Complex::new(v, 0.0)))
        .unwrap();
    assert!(
        STALTA::new(0.05, 0.5, "classic", "time")
            .unwrap()
            .apply(c)
            .is_err()
    );
    // other lanes, or another dtype, in the middle of a stream
    let first: Chunk = da.isel("time", Indexer::range(0, 10)).unwrap().into();
    let next = da.isel("time", Indexer::range(10, 20)).unwrap();
    let narrow = next.isel("distance", Indexer::range(0, 1)).unwrap();
    let other = next.with_data(next.data().mapv(|v| v as f32)).unwrap();
    for bad in [Chunk::F64(narrow), Chunk::F32(other)] {
        let mut atom = STALTA::new(0.02, 0.1, "classic", "time").unwrap();
        atom.call(first.clone(), Some("time")).unwrap();
        assert!(atom.call(bad, Some("time")).is_err());
    }
    let atom = STALTA::new(0.02, 0.1, "classic", "time").unwrap();
    assert_eq!(
        atom.signature(),
        "STALTA(sta=0.02, lta=0.1, method=\"classic\", dim=\"time\")"
    );
}

#[test]
fn trigger_columns_and_order() {
    // (time, a, b) with a scalar coordinate, a float and a string coordinate, time in
    // the middle; float time coordinate
    let cft = Array::from_shape_vec(
        (2, 5, 2),
        vec![
            // a = 0: lane (0,0) and (0,1)
            0.0, 0.9, 0.9, 0.9, 0.0, 0.0, 0.0, 0.6, 0.0, 0.0, //
            // a = 1
            0.7, 0.0, 0.0, 0.0, 0.8, 0.0, 0.0, 0.0, 0.0, 0.9,
        ],
    )
    .unwrap()
    .into_dyn(); // (a, time, b)
    let da = DataArray::new(
        cft,
        &["a", "time", "b"],
        vec![
            (
                "a",
                Coordinate::dense(Values::Str(vec!["x".into(), "y".into()]), "a"),
            ),
            ("time", Coordinate::from_block(10.0, 5, 0.5, "time")),
            ("b", Coordinate::from_block(0.0, 2, 25.0, "b")),
            ("station", Coordinate::scalar("ST01")),
        ],
    )
    .unwrap();
    let p = picks(Trigger::new(0.5, "time").apply(da.clone()).unwrap());
    assert_eq!(p.columns(), vec!["station", "a", "b", "time", "value"]);
    // lanes (a, b): (x, 0) = 0 .9 0 0 0; (x, 25) = .9 .9 0 .6 0; (y, 0) = .7 0 .8 0 0;
    // (y, 25) = 0 0 0 0 .9 (time 10, 10.5, 11, 11.5, 12)
    let rows: Vec<(String, f64, f64, f64)> = (0..p.len())
        .map(|i| {
            let Some(Values::Str(a)) = p.column("a") else {
                panic!()
            };
            let Some(Values::F64(b)) = p.column("b") else {
                panic!()
            };
            let Some(Values::F64(t)) = p.column("time") else {
                panic!()
            };
            (a[i].clone(), b[i], t[i], p.values()[i])
        })
        .collect();
    // the signal-level picks (lane by lane) are as many
    assert_eq!(trigger(da.data().view(), 0.5, 1).unwrap().len(), rows.len());
    // by closing sample, ties lane by lane; the flush last, lane by lane
    let want = vec![
        ("y".to_string(), 0.0, 10.0, 0.7),  // closes at t1
        ("x".to_string(), 0.0, 10.5, 0.9),  // closes at t2 (lane 0)
        ("x".to_string(), 25.0, 10.0, 0.9), // closes at t2 (lane 1)
        ("y".to_string(), 0.0, 11.0, 0.8),  // closes at t3
        ("x".to_string(), 25.0, 11.5, 0.6), // closes at t4
        ("y".to_string(), 25.0, 12.0, 0.9), // still on: closed by the flush
    ];
    assert_eq!(rows, want);
    let Some(Values::Str(st)) = p.column("station") else {
        panic!()
    };
    assert!(st.iter().all(|s| s == "ST01"));
    // every chunking along time gives the same rows in the same order
    for cuts in [vec![1], vec![2], vec![1, 2, 3, 4], vec![3]] {
        let chunked = Trigger::new(0.5, "time")
            .run_chunks(cut(&da, "time", &cuts), "time")
            .unwrap()
            .unwrap();
        assert!(chunked.equals(&Chunk::Picks(p.clone())), "cuts {cuts:?}");
    }
    // no picks: one empty table with the columns
    let quiet = da.with_data(da.data().mapv(|_| 0.0)).unwrap();
    let q = picks(Trigger::new(0.5, "time").apply(quiet).unwrap());
    assert!(q.is_empty());
    assert_eq!(q.columns(), p.columns());
    // NaN threshold, complex data
    assert!(Trigger::new(f64::NAN, "time").apply(da.clone()).is_err());
    assert_eq!(
        Trigger::new(0.5, "time").signature(),
        "Trigger(thresh=0.5, dim=\"time\")"
    );
}

#[test]
fn trigger_labels_picks_from_chunks_gone() {
    // a long run on one lane: its maximum in chunk 0, closed in chunk 3
    let n = 40;
    let mut v = vec![0.0f64; n];
    for (t, x) in v.iter_mut().enumerate().take(30).skip(2) {
        *x = 1.0 + if t == 3 { 5.0 } else { 0.0 };
    }
    let da = DataArray::new(
        Array::from_shape_vec((n, 1), v).unwrap().into_dyn(),
        &["time", "distance"],
        vec![
            (
                "time",
                Coordinate::from_block_time(
                    Datetime::from_ns(1_700_000_000_000_000_000),
                    n,
                    xdas_core::Timedelta::from_ns(10_000_000),
                    "time",
                ),
            ),
            (
                "distance",
                Coordinate::from_block(100.0, 1, 1.0, "distance"),
            ),
        ],
    )
    .unwrap();
    let mut atom = Trigger::new(0.5, "time");
    let mut out = Vec::new();
    for c in chunks_of(&da, "time", 8) {
        out.extend(atom.call(c, Some("time")).unwrap());
    }
    out.extend(atom.flush().unwrap());
    let p = picks(Chunk::concat(&out, "time").unwrap());
    assert_eq!(p.len(), 1);
    let Some(Values::Datetime(t)) = p.column("time") else {
        panic!()
    };
    assert_eq!(t[0].ns(), 1_700_000_000_000_000_000 + 3 * 10_000_000);
    assert_eq!(p.values(), &[6.0]);
}

// ------------------------------------------------------------------- save / resume

/// Run `atom` on `chunks`, saving after `k` chunks into a JSON string and finishing on
/// a fresh atom from `make`; return every output chunk.
fn resumed(make: &dyn Fn() -> Box<dyn Atom>, chunks: &[Chunk], k: usize) -> Vec<Chunk> {
    let mut a = make();
    let mut out = Vec::new();
    for c in &chunks[..k] {
        out.extend(a.call(c.clone(), Some("time")).unwrap());
    }
    let text = serde_json::to_string(&a.state().unwrap()).unwrap();
    drop(a);
    let mut b = make();
    b.set_state(serde_json::from_str(&text).unwrap()).unwrap();
    for c in &chunks[k..] {
        out.extend(b.call(c.clone(), Some("time")).unwrap());
    }
    out.extend(b.flush().unwrap());
    out
}

fn joined(out: &[Chunk]) -> Chunk {
    Chunk::concat(out, "time").unwrap()
}

#[test]
fn stalta_save_resume() {
    let da = xdas_synthetics::dummy::<f64>((90, 3)).to_dataarray();
    let noisy = da.with_data(noise(&[90, 3], 7)).unwrap();
    let as_f32 = noisy.with_data(noisy.data().mapv(|v| v as f32)).unwrap();
    let mut checked = 0;
    for method in METHODS {
        let make =
            || -> Box<dyn Atom> { Box::new(STALTA::new(0.03, 0.21, method, "time").unwrap()) };
        for input in [Chunk::F64(noisy.clone()), Chunk::F32(as_f32.clone())] {
            let whole = make().apply(input.clone()).unwrap();
            let chunks = match &input {
                Chunk::F64(d) => chunks_of(d, "time", 13),
                Chunk::F32(d) => chunks_of(d, "time", 13),
                _ => unreachable!(),
            };
            for k in 0..=chunks.len() {
                let out = resumed(&make, &chunks, k);
                assert!(
                    joined(&out).equals(&whole),
                    "{method} saved after {k} chunks"
                );
                checked += 1;
            }
        }
    }
    // the signature tells the methods apart (a state file only loads into its own)
    assert_ne!(
        STALTA::new(0.03, 0.21, "classic", "time")
            .unwrap()
            .signature(),
        STALTA::new(0.03, 0.21, "delayed", "time")
            .unwrap()
            .signature()
    );
    eprintln!("STALTA save/resume: {checked} resumed runs equal to eager");
}

#[test]
fn trigger_save_resume() {
    let Some(root) = golden_dir() else {
        eprintln!("skipping: golden data not found");
        return;
    };
    let case = Case::load(
        &root,
        &root.join("trigger/trigger_on_stalta_recursive.json"),
    );
    let cft = input_dataarray(&case, "cft");
    let make = || -> Box<dyn Atom> { Box::new(Trigger::new(3.0, "time")) };
    let whole = make().apply(cft.clone()).unwrap();
    let chunks = chunks_of(&cft, "time", 17);
    let mut open_at_save = 0;
    for k in 0..=chunks.len() {
        // count the saves with a run open across them (its label must survive)
        let mut probe = make();
        for c in &chunks[..k] {
            probe.call(c.clone(), Some("time")).unwrap();
        }
        if probe.state().unwrap()["stream"]["on"]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == true))
        {
            open_at_save += 1;
        }
        let out = resumed(&make, &chunks, k);
        assert!(joined(&out).equals(&whole), "saved after {k} chunks");
    }
    assert!(open_at_save > 3);
    // and the pipeline STALTA >> Trigger from the raw input
    let x = input_dataarray(&case, "x");
    let pipe = || -> Box<dyn Atom> {
        Box::new(Sequential::new(vec![
            Box::new(STALTA::new(0.1, 1.0, "recursive", "time").unwrap()),
            Box::new(Trigger::new(3.0, "time")),
        ]))
    };
    let whole = pipe().apply(x.clone()).unwrap();
    let chunks = chunks_of(&x, "time", 23);
    for k in 0..=chunks.len() {
        let out = resumed(&pipe, &chunks, k);
        assert!(
            joined(&out).equals(&whole),
            "pipeline saved after {k} chunks"
        );
    }
    eprintln!(
        "Trigger save/resume: {} + {} resumed runs equal to eager ({open_at_save} saves with \
         open runs)",
        chunks_of(&cft, "time", 17).len() + 1,
        chunks.len() + 1
    );
}

// ------------------------------------------------------------------- properties

fn noise(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    Array::from_shape_simple_fn(IxDyn(shape), || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let u = (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
        // occasional bursts, so that boxcar round-off and triggers happen
        if s % 37 == 0 { u * 40.0 } else { u }
    })
}

fn sorted_cuts(cuts: Vec<usize>, n: usize) -> Vec<usize> {
    let mut c: Vec<usize> = cuts.into_iter().map(|c| c % (n + 1)).collect();
    c.sort_unstable();
    c
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// STALTA of every method, fed in random chunks (1-sample and empty ones included),
    /// equals the eager output bitwise, coordinates included; time first or last,
    /// float64 or float32.
    #[test]
    fn stalta_is_chunk_invariant(
        nt in 1usize..160,
        nx in 1usize..4,
        nsta in 1usize..6,
        extra in 1usize..30,
        method in 0usize..4,
        cuts in proptest::collection::vec(0usize..200, 0..12),
        time_last in any::<bool>(),
        single in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let nlta = nsta + extra;
        let da = xdas_synthetics::dummy::<f64>((nt, nx)).to_dataarray();
        let da = da.with_data(noise(&[nt, nx], seed)).unwrap();
        let da = if time_last { da.transpose(&["distance", "time"]).unwrap() } else { da };
        // dt = 0.01 s: windows given in seconds, so that round(sta / dt) = nsta
        let mut atom = STALTA::new(nsta as f64 * 0.01, nlta as f64 * 0.01, METHODS[method], "time").unwrap();
        let cuts = sorted_cuts(cuts, nt);
        if single {
            let d32 = da.with_data(da.data().mapv(|v| v as f32)).unwrap();
            let eager = atom.apply(d32.clone()).unwrap();
            let chunked = atom.run_chunks(cut(&d32, "time", &cuts), "time").unwrap().unwrap();
            prop_assert!(chunked.equals(&eager));
        } else {
            let eager = atom.apply(da.clone()).unwrap();
            let chunked = atom.run_chunks(cut(&da, "time", &cuts), "time").unwrap().unwrap();
            prop_assert!(chunked.equals(&eager));
            // and the kernel on the raw array
            let axis = da.axis("time").unwrap();
            let want = sta_lta(da.data().view(), nsta, nlta, StaLtaMethod::parse(METHODS[method]).unwrap(), axis).unwrap();
            prop_assert_eq!(data(&eager), want);
        }
    }

    /// The signal-level state: any chunking of any axis, bitwise the one-shot function,
    /// and a snapshot taken anywhere resumes bitwise.
    #[test]
    fn sta_lta_state_is_chunk_invariant(
        nt in 0usize..120,
        lanes in 1usize..4,
        nsta in 1usize..5,
        extra in 1usize..25,
        method in 0usize..4,
        cuts in proptest::collection::vec(0usize..200, 0..10),
        axis in 0usize..2,
        resume_at in 0usize..12,
        seed in any::<u64>(),
    ) {
        let nlta = nsta + extra;
        let m = StaLtaMethod::parse(METHODS[method]).unwrap();
        let x = noise(&[nt, lanes], seed);
        let x = if axis == 0 { x } else { x.t().as_standard_layout().into_owned() };
        let cuts = sorted_cuts(cuts, nt);
        let mut st = StaLtaState::new(m, nsta, nlta, x.shape(), axis).unwrap();
        let mut parts = vec![];
        let mut start = 0;
        for (i, &end) in cuts.iter().chain(&[nt]).enumerate() {
            if i == resume_at {
                st = StaLtaState::from_snapshot(m, nsta, nlta, axis, st.snapshot()).unwrap();
            }
            parts.push(st.feed(x.slice_axis(Axis(axis), Slice::from(start..end))).unwrap());
            start = end;
        }
        prop_assert_eq!(st.count(), nt);
        parts.push(st.flush());
        let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
        let joined = concatenate(Axis(axis), &views).unwrap();
        if nt > 0 {
            let want = sta_lta(x.view(), nsta, nlta, m, axis).unwrap();
            prop_assert!(joined.iter().zip(want.iter()).all(|(a, b)| a.to_bits() == b.to_bits()));
            prop_assert_eq!(joined.shape(), want.shape());
        } else {
            prop_assert_eq!(joined.len(), 0);
        }
    }

    /// Trigger fed in random chunks gives the eager table row for row, which holds the
    /// same picks as the signal-level function.
    #[test]
    fn trigger_is_chunk_invariant(
        nt in 1usize..60,
        nx in 1usize..4,
        levels in proptest::collection::vec(0u8..6, 240),
        cuts in proptest::collection::vec(0usize..80, 0..8),
        time_last in any::<bool>(),
        save_at in 0usize..10,
    ) {
        // values in {0, .1, .2, .5, .8, 1} so that ties and exact thresholds happen
        let lv = [0.0, 0.1, 0.2, 0.5, 0.8, 1.0];
        let v: Vec<f64> = (0..nt * nx).map(|i| lv[levels[i % levels.len()] as usize]).collect();
        let da = xdas_synthetics::dummy::<f64>((nt, nx)).to_dataarray();
        let da = da.with_data(Array::from_shape_vec((nt, nx), v).unwrap().into_dyn()).unwrap();
        let da = if time_last { da.transpose(&["distance", "time"]).unwrap() } else { da };
        let mut atom = Trigger::new(0.5, "time");
        let eager = atom.apply(da.clone()).unwrap();
        let cuts = sorted_cuts(cuts, nt);
        let chunks = cut(&da, "time", &cuts);
        let chunked = atom.run_chunks(chunks.clone(), "time").unwrap().unwrap();
        prop_assert!(chunked.equals(&eager));
        // resumed through a JSON string after `save_at` chunks
        let k = save_at.min(chunks.len());
        let make = || -> Box<dyn Atom> { Box::new(Trigger::new(0.5, "time")) };
        prop_assert!(joined(&resumed(&make, &chunks, k)).equals(&eager));
        // the same set as the signal-level picks
        let p = picks(eager);
        let axis = da.axis("time").unwrap();
        let raw = trigger(da.data().view(), 0.5, axis).unwrap();
        prop_assert_eq!(p.len(), raw.len());
        let Some(Values::Datetime(t)) = p.column("time") else { panic!() };
        let Some(Values::F64(d)) = p.column("distance") else { panic!() };
        let t0 = da.coord("time").unwrap().value(0).unwrap();
        let xdas_core::Scalar::Datetime(t0) = t0 else { panic!() };
        let mut ours: Vec<(usize, usize, u64)> = (0..p.len())
            .map(|i| (
                (d[i] / 10.0).round() as usize,
                ((t[i].ns() - t0.ns()) / 10_000_000) as usize,
                p.values()[i].to_bits(),
            ))
            .collect();
        let mut theirs: Vec<(usize, usize, u64)> = raw.iter().map(|q| (q.lane[0], q.index, q.value.to_bits())).collect();
        ours.sort_unstable();
        theirs.sort_unstable();
        prop_assert_eq!(ours, theirs);
    }
}
