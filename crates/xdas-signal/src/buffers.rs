//! Output buffers of the kernels.
//!
//! A kernel writes every sample of a fresh output, so the cost of a large output is mostly
//! the operating system faulting its pages in. Large buffers are advised into
//! transparent huge pages on Linux (as numpy does for its arrays): 2 MiB pages instead of
//! 4 KiB ones make that several times cheaper on DAS-sized arrays.

use crate::float::Real;
use ndarray::Array3;

/// A zeroed vector of `n` elements for a kernel's output.
///
/// On Linux, a large one is advised into transparent huge pages (`MADV_HUGEPAGE`), as
/// numpy does for its arrays: the zeroed memory comes untouched from the system, and
/// faulting it in by 2 MiB pages instead of 4 KiB ones is several times faster (on the
/// 5,000 × 10,000 benchmark arrays, first-touching the output otherwise costs more than
/// most kernels' arithmetic).
pub(crate) fn zeroed<T: Real>(n: usize) -> Vec<T> {
    let mut v = vec![T::zero(); n];
    advise_huge_pages(&mut v);
    v
}

/// `zeroed` as an `(outer, n, inner)` array.
pub(crate) fn zeros3<T: Real>(dim: (usize, usize, usize)) -> Array3<T> {
    Array3::from_shape_vec(dim, zeroed(dim.0 * dim.1 * dim.2)).expect("matching length")
}

/// A zero-filled array for a kernel to overwrite. Large buffers are advised to use
/// transparent huge pages (as numpy does for its arrays): the memory of a fresh
/// allocation is faulted in 2 MiB at a time instead of 4 KiB, which on some machines
/// costs more than the filtering itself.
pub(crate) fn output<T: Real>(shape: &[usize]) -> ndarray::ArrayD<T> {
    let mut y = ndarray::ArrayD::<T>::zeros(ndarray::IxDyn(shape));
    if let Some(s) = y.as_slice_mut() {
        advise_huge_pages(s);
    }
    y
}

/// Ask the kernel for huge pages on the page-aligned part of `buf` (Linux; a no-op
/// elsewhere and for buffers under 4 MiB). Must be called before the memory is touched
/// to have an effect; it never changes the contents.
fn advise_huge_pages<T>(buf: &mut [T]) {
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        const MADV_HUGEPAGE: i32 = 14;
        unsafe extern "C" {
            fn madvise(addr: *mut std::ffi::c_void, len: usize, advice: i32) -> i32;
        }
        let bytes = std::mem::size_of_val(buf);
        if bytes < (4 << 20) {
            return;
        }
        let start = buf.as_mut_ptr() as usize;
        let aligned = start.next_multiple_of(PAGE);
        let end = (start + bytes) / PAGE * PAGE;
        if end > aligned {
            // SAFETY: the range lies inside `buf`, which we borrow mutably; MADV_HUGEPAGE
            // only changes how the kernel backs the pages, never their contents. The
            // return value is ignored: without THP support the advice is simply refused.
            unsafe {
                madvise(
                    aligned as *mut std::ffi::c_void,
                    end - aligned,
                    MADV_HUGEPAGE,
                );
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = buf;
}
