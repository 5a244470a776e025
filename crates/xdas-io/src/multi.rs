//! Many files as one array: list, glob or directory → files → metadata (no data read) →
//! grouped by layout → each group sorted by start and joined along the time dim by its
//! coordinates (gaps and overlaps become tie points, within tolerance), like xdas's
//! `open_mfdataarray`. Files whose dims, shape, dtype or sampling differ are not merged:
//! they form separate members of a collection.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use xdas_core::{Coordinate, Scalar, Tolerance};

use crate::engine::open;
use crate::error::{IoError, Result};
use crate::lazy::{LazyArray, Source, Stack};
use crate::native::LazyCollection;

/// Files named by `inputs`: paths of files, directories (every file inside, not
/// recursing, hidden files skipped) and globs (`*` and `?` in the last path component),
/// sorted and without duplicates. A name matching nothing is an error.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("xdas-expand-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// for f in ["a.h5", "b.h5", "c.txt"] {
///     std::fs::write(dir.join(f), b"").unwrap();
/// }
/// let files = xdas_io::expand_inputs(&[dir.join("*.h5").display().to_string()]).unwrap();
/// assert_eq!(files.len(), 2);
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn expand_inputs<S: AsRef<str>>(inputs: &[S]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for input in inputs {
        let input = input.as_ref();
        let path = Path::new(input);
        if path.is_dir() {
            out.extend(list_dir(path, |_| true)?);
        } else if path.exists() {
            out.push(path.to_path_buf());
        } else {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if !name.contains(['*', '?']) {
                return Err(IoError::Os {
                    path: path.to_path_buf(),
                    source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
                });
            }
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            if dir.to_string_lossy().contains(['*', '?']) {
                return Err(IoError::Invalid(format!(
                    "{input}: wildcards are only supported in the file name"
                )));
            }
            let found = list_dir(dir, |n| wildcard(name, n))?;
            if found.is_empty() {
                return Err(IoError::Invalid(format!("{input}: no file matches")));
            }
            out.extend(found);
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn list_dir(dir: &Path, keep: impl Fn(&str) -> bool) -> Result<Vec<PathBuf>> {
    let err = |source| IoError::Os {
        path: dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(err)? {
        let entry = entry.map_err(err)?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with('.') || !keep(name) {
            continue;
        }
        if entry.file_type().map_err(err)?.is_file() {
            files.push(entry.path());
        }
    }
    files.sort();
    Ok(files)
}

/// `*` (any run) and `?` (one character) matching.
fn wildcard(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut i, mut j) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    while i < p.len() && p[i] == '*' {
        i += 1;
    }
    i == p.len()
}

/// Open every file's metadata. The HDF5 library runs one call at a time behind a global
/// lock, and measured on this project's machine threads contending for it are slower than
/// one (2.8 ms against 1.95 ms per file): one thread by default, `XDAS_SCAN_THREADS`
/// to change it (up to 8).
fn open_all(files: &[PathBuf]) -> Vec<Result<LazyArray>> {
    let threads: usize = std::env::var("XDAS_SCAN_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .clamp(1, 8)
        .min(files.len().max(1));
    let mut results: Vec<Option<Result<LazyArray>>> = (0..files.len()).map(|_| None).collect();
    let chunk = files.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        for (fs, rs) in files.chunks(chunk).zip(results.chunks_mut(chunk)) {
            s.spawn(move || {
                for (f, r) in fs.iter().zip(rs.iter_mut()) {
                    *r = Some(open(f));
                }
            });
        }
    });
    results.into_iter().map(|r| r.expect("opened")).collect()
}

/// The layout files must share to be joined: engine, dims, shape but along `axis`,
/// dtype and sampling along `axis` (a cheap string), and the coordinates along the other
/// dims (compared by [`same_coords`]).
fn layout_key(a: &LazyArray, axis: usize) -> (String, Vec<(String, Coordinate)>) {
    let mut shape = a.shape();
    shape[axis] = 0;
    let dim = &a.dims()[axis];
    let rate = a
        .coord(dim)
        .and_then(|c| c.sampling_interval())
        .map(|s| format!("{s:?}"))
        .unwrap_or_else(|| "irregular".into());
    let others = a
        .coords()
        .iter()
        .filter(|(_, c)| c.dim().is_some_and(|d| d != dim))
        .map(|(n, c)| (n.clone(), c.clone()))
        .collect();
    let key = format!(
        "{} {:?} {:?} {:?} {rate}",
        a.engine(),
        a.dims(),
        shape,
        a.dtype()
    );
    (key, others)
}

/// Whether two lists of coordinates hold the same names and values. Equal tie points
/// answer at once; only differently stored coordinates are compared value by value
/// (formatting 100 distance axes of 5,000 values took 70 ms at the end of every run).
fn same_coords(a: &[(String, Coordinate)], b: &[(String, Coordinate)]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|((na, ca), (nb, cb))| {
            na == nb && (ca == cb || format!("{:?}", ca.values()) == format!("{:?}", cb.values()))
        })
}

fn first_label(a: &LazyArray, dim: &str) -> Option<Scalar> {
    a.coord(dim).and_then(|c| c.value(0).ok())
}

fn cmp_labels(a: &Option<Scalar>, b: &Option<Scalar>) -> std::cmp::Ordering {
    use std::cmp::Ordering::Equal;
    match (a, b) {
        (Some(Scalar::Datetime(x)), Some(Scalar::Datetime(y))) => x.cmp(y),
        (Some(Scalar::F64(x)), Some(Scalar::F64(y))) => x.total_cmp(y),
        (Some(Scalar::I64(x)), Some(Scalar::I64(y))) => x.cmp(y),
        _ => Equal,
    }
}

/// Join arrays of one layout along `dim`, in order of their first label.
fn join(mut parts: Vec<LazyArray>, dim: &str) -> Result<LazyArray> {
    parts.sort_by(|a, b| cmp_labels(&first_label(a, dim), &first_label(b, dim)));
    if parts.len() == 1 {
        return Ok(parts.pop().expect("one"));
    }
    let first = &parts[0];
    let axis = first.axis(dim)?;
    let coords: Vec<&Coordinate> = parts
        .iter()
        .map(|p| {
            p.coord(dim).ok_or_else(|| {
                IoError::Invalid(format!("cannot join files without a {dim:?} coordinate"))
            })
        })
        .collect::<Result<_>>()?;
    let joined = Coordinate::concat(&coords)?.simplify(Tolerance::Default);
    let sources: Vec<Arc<dyn Source>> = parts
        .iter()
        .map(|p| {
            if p.region()
                .iter()
                .zip(p.source().shape())
                .all(|(r, n)| r.start == 0 && r.end == n)
            {
                Ok(p.source().clone())
            } else {
                Err(IoError::Invalid("cannot join partial selections".into()))
            }
        })
        .collect::<Result<_>>()?;
    let stack = Stack::new(sources, axis)?;
    let coords = first
        .coords()
        .iter()
        .map(|(n, c)| {
            if n == dim {
                (n.clone(), joined.clone())
            } else {
                (n.clone(), c.clone())
            }
        })
        .collect();
    LazyArray::new(
        Arc::new(stack),
        first.dims().to_vec(),
        coords,
        first.name().map(str::to_string),
        first.attrs().cloned(),
        first.engine(),
    )
}

/// Open many files as one lazy array joined along `dim` (usually `"time"`), or — when
/// they do not share one layout — as a collection with one member per layout (keyed
/// `"0"`, `"1"`, ... in order of their first label). No sample is read.
pub fn open_mfdataarray(files: &[PathBuf], dim: &str) -> Result<LazyCollection> {
    if files.is_empty() {
        return Err(IoError::Invalid("no files to open".into()));
    }
    let mut opened = Vec::with_capacity(files.len());
    for (f, r) in files.iter().zip(open_all(files)) {
        let a = r?;
        a.axis(dim).map_err(|_| {
            IoError::Invalid(format!(
                "{}: no dim {dim:?} to join along (dims are {:?})",
                f.display(),
                a.dims()
            ))
        })?;
        opened.push(a);
    }
    combine(opened, dim)
}

/// Join lazy arrays along `dim` as [`open_mfdataarray`] joins files: one array when they
/// share one layout, else a collection with one member per layout. For arrays already
/// described in memory (a writer's output chunks), so nothing is opened again.
///
/// ```
/// use std::sync::Arc;
/// use ndarray::ArrayD;
/// use xdas_core::Coordinate;
/// use xdas_io::{Data, InMemory, LazyArray, LazyCollection, combine};
///
/// let part = |t0: f64| {
///     LazyArray::new(
///         Arc::new(InMemory(Data::F32(ArrayD::zeros(vec![10, 3])))),
///         vec!["time".into(), "distance".into()],
///         vec![("time".into(), Coordinate::from_block(t0, 10, 1.0, "time"))],
///         None,
///         None,
///         "memory",
///     )
///     .unwrap()
/// };
/// let joined = combine(vec![part(0.0), part(10.0)], "time").unwrap();
/// let LazyCollection::Array(a) = joined else { panic!() };
/// assert_eq!(a.shape(), vec![20, 3]);
/// ```
pub fn combine(arrays: Vec<LazyArray>, dim: &str) -> Result<LazyCollection> {
    if arrays.is_empty() {
        return Err(IoError::Invalid("no arrays to join".into()));
    }
    for a in &arrays {
        a.axis(dim).map_err(|_| {
            IoError::Invalid(format!(
                "no dim {dim:?} to join along (dims are {:?})",
                a.dims()
            ))
        })?;
    }
    type Layout = (String, Vec<(String, Coordinate)>);
    let mut groups: Vec<(Layout, Vec<LazyArray>)> = Vec::new();
    for a in arrays {
        let axis = a.axis(dim)?;
        let key = layout_key(&a, axis);
        match groups
            .iter_mut()
            .find(|(k, _)| k.0 == key.0 && same_coords(&k.1, &key.1))
        {
            Some((_, g)) => g.push(a),
            None => groups.push((key, vec![a])),
        }
    }
    let mut joined = groups
        .into_iter()
        .map(|(_, g)| join(g, dim))
        .collect::<Result<Vec<_>>>()?;
    if joined.len() == 1 {
        return Ok(LazyCollection::Array(joined.pop().expect("one")));
    }
    joined.sort_by(|a, b| cmp_labels(&first_label(a, dim), &first_label(b, dim)));
    Ok(LazyCollection::Mapping {
        name: None,
        items: joined
            .into_iter()
            .enumerate()
            .map(|(i, a)| (i.to_string(), LazyCollection::Array(a)))
            .collect(),
    })
}

/// [`expand_inputs`] then [`open_mfdataarray`] along `"time"`; a single file opens as
/// itself.
pub fn open_inputs<S: AsRef<str>>(inputs: &[S]) -> Result<LazyCollection> {
    let files = expand_inputs(inputs)?;
    if files.len() == 1 {
        return Ok(LazyCollection::Array(open(&files[0])?));
    }
    open_mfdataarray(&files, "time")
}

#[cfg(test)]
mod tests {
    use super::wildcard;

    #[test]
    fn wildcards() {
        assert!(wildcard("*.h5", "a.h5"));
        assert!(wildcard("a?c*", "abcdef"));
        assert!(!wildcard("*.h5", "a.h5x"));
        assert!(wildcard("*", ""));
        assert!(!wildcard("?", ""));
    }
}
