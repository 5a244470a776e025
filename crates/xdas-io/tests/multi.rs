//! Many files as one array: three files of one acquisition open `equals` to the
//! monolithic file; three acquisitions open as a three-member collection; writing the
//! joined array as a virtual dataset reads back equal; bad inputs are errors.

use ndarray::ArrayD;
use xdas_core::{Coordinate, DataArray, Datetime, Indexer, Timedelta};
use xdas_io::native::{LazyCollection, WriteOptions, write, write_virtual};
use xdas_io::{expand_inputs, open, open_inputs, open_mfdataarray};

fn acquisition(t0: &str, nt: usize, nx: usize, dt_ms: i64, seed: f32) -> DataArray<f32> {
    let t0: Datetime = t0.parse().unwrap();
    let data = ArrayD::from_shape_fn(vec![nt, nx], |ix| seed + (ix[0] * nx + ix[1]) as f32 * 0.5);
    DataArray::new(
        data,
        &["time", "distance"],
        vec![
            (
                "time",
                Coordinate::from_block_time(t0, nt, Timedelta::from_ns(dt_ms * 1_000_000), "time"),
            ),
            (
                "distance",
                Coordinate::from_block(0.0, nx, 10.0, "distance"),
            ),
        ],
    )
    .unwrap()
}

fn tempdir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("xdas-multi-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn three_files_of_one_acquisition_equal_the_whole() {
    let dir = tempdir("one");
    let whole = acquisition("2024-01-01T00:00:00", 300, 7, 10, 0.0);
    let cuts = [(0, 100), (100, 220), (220, 300)];
    // written in reverse order of names: the start time decides the order
    for (k, (a, b)) in cuts.iter().enumerate() {
        let part = whole
            .isel("time", Indexer::range(*a as i64, *b as i64))
            .unwrap();
        write(
            &part,
            dir.join(format!("{}.nc", 9 - k)),
            &WriteOptions::default(),
        )
        .unwrap();
    }
    let joined = open_inputs(&[dir.display().to_string()]).unwrap();
    let LazyCollection::Array(lazy) = joined else {
        panic!("one array expected")
    };
    let back = lazy.load_as::<f32>().unwrap();
    assert!(back.equals(&whole), "{back}\n{whole}");
    // a block spanning a file boundary
    let block = lazy
        .isel("time", 90, 230)
        .unwrap()
        .load_as::<f32>()
        .unwrap();
    assert!(block.equals(&whole.isel("time", Indexer::range(90, 230)).unwrap()));
    // written as a virtual dataset over the three files
    let vds = dir.join("index.vds");
    write_virtual(&lazy, &vds).unwrap();
    let v = open(&vds).unwrap().load_as::<f32>().unwrap();
    assert!(v.equals(&whole));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn gaps_become_tie_points() {
    let dir = tempdir("gap");
    let a = acquisition("2024-01-01T00:00:00", 100, 3, 10, 0.0);
    let b = acquisition("2024-01-01T00:00:05", 100, 3, 10, 1.0);
    write(&a, dir.join("a.nc"), &WriteOptions::default()).unwrap();
    write(&b, dir.join("b.nc"), &WriteOptions::default()).unwrap();
    let files = expand_inputs(&[dir.join("*.nc").display().to_string()]).unwrap();
    let LazyCollection::Array(lazy) = open_mfdataarray(&files, "time").unwrap() else {
        panic!()
    };
    assert_eq!(lazy.shape(), vec![200, 3]);
    let want = DataArray::concat(&[&a, &b], "time", Default::default()).unwrap();
    assert!(lazy.load_as::<f32>().unwrap().equals(&want));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn different_layouts_form_a_collection() {
    let dir = tempdir("three");
    let a = acquisition("2024-01-01T00:00:00", 50, 3, 10, 0.0);
    let b = acquisition("2024-01-01T01:00:00", 50, 5, 10, 0.0); // more channels
    let c = acquisition("2024-01-01T02:00:00", 50, 3, 4, 0.0); // another rate
    for (n, x) in [("a.nc", &a), ("b.nc", &b), ("c.nc", &c)] {
        write(x, dir.join(n), &WriteOptions::default()).unwrap();
    }
    let coll = open_inputs(&[dir.display().to_string()]).unwrap();
    let leaves = coll.leaves();
    assert_eq!(leaves.len(), 3);
    let shapes: Vec<Vec<usize>> = leaves.iter().map(|(_, l)| l.shape()).collect();
    assert_eq!(shapes, vec![vec![50, 3], vec![50, 5], vec![50, 3]]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_inputs_are_errors() {
    let dir = tempdir("bad");
    assert!(open_inputs(&[dir.join("nothing-*.nc").display().to_string()]).is_err());
    assert!(open_inputs(&[dir.join("missing.nc").display().to_string()]).is_err());
    std::fs::write(dir.join("junk.nc"), b"not a data file").unwrap();
    let e = open_inputs(&[dir.display().to_string()])
        .unwrap_err()
        .to_string();
    assert!(e.contains("no engine can read"), "{e}");
    assert!(open_mfdataarray(&[], "time").is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}
