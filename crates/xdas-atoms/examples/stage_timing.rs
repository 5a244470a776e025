use std::time::Instant;
use xdas_atoms::{Atom, Chunk, description};
fn main() {
    let da = xdas_synthetics::dummy::<f32>((2000, 10000)).to_dataarray();
    let steps = [
        r#"step=[{op="decimate", q=2, ftype="fir", dim="distance"}]"#,
        r#"step=[{op="LFilter", b=[0.66,-2.6,3.9,-2.6,0.66], a=[1.0,-3.18,3.86,-2.11,0.43], dim="time"}]"#,
        r#"step=[{op="square"}]"#,
    ];
    for s in steps {
        let mut p = description::from_toml(s).unwrap();
        for rep in 0..3 {
            p.reset();
            let t = Instant::now();
            let out = p.call(Chunk::F32(da.clone()), Some("time")).unwrap();
            let t1 = t.elapsed();
            let t = Instant::now();
            let st = p.state().unwrap();
            let t2 = t.elapsed();
            println!(
                "{s:.40} rep {rep}: call {:?} state {:?} ({} bytes) out {:?}",
                t1,
                t2,
                st.to_string().len(),
                out[0].shape()
            );
        }
    }
    let t = Instant::now();
    let c = da.clone();
    println!("clone {:?}", t.elapsed());
    let t = Instant::now();
    let v = Chunk::F32(c).split_discontinuities("time").unwrap();
    println!("split {:?} {}", t.elapsed(), v.len());
}
