//! Throughput of the scalable generator.
//!
//! `cargo run --release -p xdas-synthetics --example throughput -- [NT NX CHUNK f32|f64]`
//! (default 100000 × 10000 float32 in chunks of 1000 rows), once refilling one buffer
//! with `fill` and once allocating a new array per chunk with `chunks`.

use std::time::Instant;

use xdas_synthetics::{Sample, WavefrontGenerator};

fn run<T: Sample>(nt: usize, nx: usize, chunk: usize, reuse: bool) {
    let t = Instant::now();
    let generator = WavefrontGenerator::<T>::builder(nt, nx)
        .build()
        .expect("valid");
    let setup = t.elapsed();
    let t = Instant::now();
    let mut checksum = 0.0f64;
    if reuse {
        // One buffer, refilled: what a streaming consumer does.
        let mut buf = ndarray::Array2::from_elem((chunk, nx), T::default());
        let mut start = 0;
        while start < nt {
            let n = chunk.min(nt - start);
            let mut view = buf.slice_mut(ndarray::s![..n, ..]);
            generator.fill(start, view.view_mut());
            checksum += view[[n / 2, nx / 2]].to_f64();
            start += n;
        }
    } else {
        // A fresh array per chunk (`chunks`): pays the page faults of new memory.
        for (_, data) in generator.chunks(chunk) {
            checksum += data[[data.nrows() / 2, nx / 2]].to_f64();
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let bytes = (nt * nx * std::mem::size_of::<T>()) as f64;
    println!(
        "{nt} x {nx} {} {} ({} events, {} threads): setup {:.3} s, generate {:.3} s = {:.0} MB/s, {:.0} Msamples/s (checksum {checksum:.3})",
        std::any::type_name::<T>(),
        if reuse {
            "fill (reused buffer)"
        } else {
            "chunks (new arrays)"
        },
        generator.events().len(),
        rayon::current_num_threads(),
        setup.as_secs_f64(),
        secs,
        bytes / secs / 1e6,
        (nt * nx) as f64 / secs / 1e6,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: usize| {
        args.get(i)
            .map_or(default, |a| a.parse().expect("a number"))
    };
    let (nt, nx, chunk) = (arg(0, 100_000), arg(1, 10_000), arg(2, 1000));
    let f64 = args.get(3).is_some_and(|a| a == "f64");
    for reuse in [true, false] {
        if f64 {
            run::<f64>(nt, nx, chunk, reuse);
        } else {
            run::<f32>(nt, nx, chunk, reuse);
        }
    }
}
