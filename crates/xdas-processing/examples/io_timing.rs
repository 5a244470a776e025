use std::time::Instant;
use xdas_io::native::{WriteOptions, write};
fn main() {
    let da = xdas_synthetics::dummy::<f32>((2000, 5000)).to_dataarray();
    let dir = std::env::temp_dir().join("io_timing");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..4 {
        let p = dir.join(format!("{i}.nc"));
        let t = Instant::now();
        write(&da, &p, &WriteOptions::default()).unwrap();
        let w = t.elapsed();
        let t = Instant::now();
        std::fs::File::open(&p).unwrap().sync_all().unwrap();
        let s = t.elapsed();
        let t = Instant::now();
        let lazy = xdas_io::open(&p).unwrap();
        let o = t.elapsed();
        let t = Instant::now();
        let back = lazy.load_as::<f32>().unwrap();
        let r = t.elapsed();
        println!(
            "write {w:?} sync {s:?} open {o:?} read {r:?} {:?}",
            back.shape()
        );
    }
    let t = Instant::now();
    let v = vec![0f32; 10_000_000];
    println!("alloc+zero 40MB {:?} {}", t.elapsed(), v[5]);
}
