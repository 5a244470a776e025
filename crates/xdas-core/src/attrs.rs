//! Typed, ordered attributes of a [`crate::DataArray`].

use std::fmt;

/// One attribute value.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum AttrValue {
    Str(String),
    Int(i64),
    Float(f64),
    IntArray(Vec<i64>),
    FloatArray(Vec<f64>),
    StrArray(Vec<String>),
}

impl PartialEq for AttrValue {
    /// NaN-aware: NaN equals NaN, as xdas compares attribute dicts of arrays read back.
    fn eq(&self, other: &Self) -> bool {
        let feq = |a: &f64, b: &f64| a == b || (a.is_nan() && b.is_nan());
        match (self, other) {
            (AttrValue::Str(a), AttrValue::Str(b)) => a == b,
            (AttrValue::Int(a), AttrValue::Int(b)) => a == b,
            (AttrValue::Float(a), AttrValue::Float(b)) => feq(a, b),
            (AttrValue::IntArray(a), AttrValue::IntArray(b)) => a == b,
            (AttrValue::FloatArray(a), AttrValue::FloatArray(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| feq(x, y))
            }
            (AttrValue::StrArray(a), AttrValue::StrArray(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for AttrValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttrValue::Str(s) => write!(f, "{s:?}"),
            AttrValue::Int(v) => write!(f, "{v}"),
            AttrValue::Float(v) => write!(f, "{v}"),
            AttrValue::IntArray(v) => write!(f, "{v:?}"),
            AttrValue::FloatArray(v) => write!(f, "{v:?}"),
            AttrValue::StrArray(v) => write!(f, "{v:?}"),
        }
    }
}

impl From<&str> for AttrValue {
    fn from(v: &str) -> Self {
        AttrValue::Str(v.to_string())
    }
}
impl From<String> for AttrValue {
    fn from(v: String) -> Self {
        AttrValue::Str(v)
    }
}
impl From<i64> for AttrValue {
    fn from(v: i64) -> Self {
        AttrValue::Int(v)
    }
}
impl From<f64> for AttrValue {
    fn from(v: f64) -> Self {
        AttrValue::Float(v)
    }
}
impl From<Vec<i64>> for AttrValue {
    fn from(v: Vec<i64>) -> Self {
        AttrValue::IntArray(v)
    }
}
impl From<Vec<f64>> for AttrValue {
    fn from(v: Vec<f64>) -> Self {
        AttrValue::FloatArray(v)
    }
}

/// Attributes in insertion order.
///
/// ```
/// use xdas_core::{Attrs, AttrValue};
/// let mut a = Attrs::new();
/// a.insert("units", "strain_rate");
/// a.insert("gauge_length", 10.0);
/// assert_eq!(a.get("gauge_length"), Some(&AttrValue::Float(10.0)));
/// assert_eq!(a.keys().collect::<Vec<_>>(), ["units", "gauge_length"]);
/// ```
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Attrs(Vec<(String, AttrValue)>);

impl Attrs {
    /// No attributes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set `key` (replacing in place, or appending).
    pub fn insert(&mut self, key: &str, value: impl Into<AttrValue>) {
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key.to_string(), value)),
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&AttrValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Remove `key`.
    pub fn remove(&mut self, key: &str) -> Option<AttrValue> {
        let i = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(i).1)
    }

    /// Keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }

    /// `(key, value)` pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &AttrValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of attributes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Equal when they hold the same keys with equal values (order ignored, as Python dicts).
impl PartialEq for Attrs {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && self.0.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl<K: AsRef<str>, V: Into<AttrValue>> FromIterator<(K, V)> for Attrs {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut a = Attrs::new();
        for (k, v) in iter {
            a.insert(k.as_ref(), v);
        }
        a
    }
}
