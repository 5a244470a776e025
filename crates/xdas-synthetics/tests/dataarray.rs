//! The labelled data sets: coordinates equal to xdas's, chunks that concatenate back.

use std::path::PathBuf;
use xdas_core::coords::{CoordKind, InterpCoordinate};
use xdas_core::{Coordinate, DataArray, Datetime, Split, Timedelta, Tolerance};
use xdas_synthetics::{WavefrontGenerator, wavelet_wavefronts};

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("XDAS_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")));
    dir.is_dir().then_some(dir)
}

#[test]
fn wavelet_wavefronts_coordinates_equal_the_golden_ones() {
    let Some(dir) = shared() else {
        println!("SKIP: XDAS_TEST_DATA (../shared) not found");
        return;
    };
    let path = dir.join("reference/golden/inputs/wavelet_wavefronts.json");
    let golden: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let da = wavelet_wavefronts().to_dataarray();
    assert_eq!(da.dims(), ["time", "distance"]);
    assert_eq!(da.shape(), [300, 401]);
    let t = &golden["coords"]["time"];
    let ti: Vec<usize> = t["tie_indices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    let tv: Vec<Datetime> = t["tie_values"]["datetime64_ns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| Datetime::from_ns(v.as_i64().unwrap()))
        .collect();
    let num = Timedelta::from_ns(
        t["sampling_ratio_num_den"][0]["timedelta64_ns"]
            .as_i64()
            .unwrap(),
    );
    let tol = Timedelta::from_ns(t["tolerance"]["timedelta64_ns"].as_i64().unwrap());
    let want = Coordinate::new(
        InterpCoordinate::new(ti, tv)
            .unwrap()
            .with_rate(num, 1, Some(tol))
            .unwrap(),
        "time",
    );
    assert!(
        da.coord("time").unwrap().equals(&want),
        "{:?}",
        da.coord("time")
    );
    let d = &golden["coords"]["distance"];
    let dv: Vec<f64> = d["tie_values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let want = Coordinate::new(
        InterpCoordinate::new(vec![0, 400], dv)
            .unwrap()
            .with_rate(
                d["sampling_interval"].as_f64().unwrap(),
                1,
                d["tolerance"].as_f64(),
            )
            .unwrap(),
        "distance",
    );
    assert!(
        da.coord("distance").unwrap().equals(&want),
        "{:?}",
        da.coord("distance")
    );
    assert_eq!(
        da.coord("time").unwrap().value(299).unwrap().to_string(),
        t["tie_values"]["iso"][1].as_str().unwrap()
    );
}

#[test]
fn wavelet_wavefronts_split_in_three_concatenates_back() {
    // xdas's `wavelet_wavefronts(nchunk=3)` then `open_mfdataarray`: equal to the whole
    let da = wavelet_wavefronts().to_dataarray();
    let parts = da
        .split(Split::Sections(3), "time", Tolerance::Default)
        .unwrap();
    assert_eq!(
        parts.iter().map(|p| p.shape()[0]).collect::<Vec<_>>(),
        [100, 100, 100]
    );
    let refs: Vec<&DataArray<f64>> = parts.iter().rev().collect();
    let back = DataArray::concat(&refs, "time", Tolerance::Default).unwrap();
    assert!(back.equals(&da));
    let CoordKind::InterpTime(c) = back.coord("time").unwrap().kind() else {
        panic!()
    };
    assert_eq!(c.tie_indices(), [0, 299]);
}

#[test]
fn generator_chunks_concatenate_to_the_whole() {
    let g = WavefrontGenerator::<f32>::builder(2_000, 64)
        .seed(7)
        .build()
        .unwrap();
    let whole = g.chunk_dataarray(0, 2_000);
    let chunks: Vec<DataArray<f32>> = [0usize, 333, 1000, 1999]
        .windows(2)
        .map(|w| g.chunk_dataarray(w[0], w[1] - w[0]))
        .chain([g.chunk_dataarray(1999, 1)])
        .collect();
    let refs: Vec<&DataArray<f32>> = chunks.iter().collect();
    let back = DataArray::concat(&refs, "time", Tolerance::Default).unwrap();
    assert!(back.equals(&whole));
}
