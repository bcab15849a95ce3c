//! Numeric bounds and `multipleOf`, exact for integers.

use crate::Violation;

/// A JSON number as generated code holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i128),
    Float(f64),
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(v: $t) -> Self {
                Number::Int(v.into())
            }
        }
    )*};
}

from_int!(i8, i16, i32, i64, u8, u16, u32, u64);

impl Number {
    /// A JSON number: integers stay exact.
    pub fn from_json(n: &serde_json::Number) -> Self {
        match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Number::Int(i.into()),
            (None, Some(u)) => Number::Int(u.into()),
            _ => Number::Float(n.as_f64().unwrap_or(f64::NAN)),
        }
    }
}

impl From<f64> for Number {
    fn from(v: f64) -> Self {
        Number::Float(v)
    }
}

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x}"),
        }
    }
}

/// `a` compared with `b`, exactly when both are integers.
fn compare(a: Number, b: Number) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Number::Int(x), Number::Int(y)) => Some(x.cmp(&y)),
        (Number::Int(x), Number::Float(y)) => compare_int_float(x, y),
        (Number::Float(x), Number::Int(y)) => compare_int_float(y, x).map(|o| o.reverse()),
        (Number::Float(x), Number::Float(y)) => x.partial_cmp(&y),
    }
}

fn compare_int_float(x: i128, y: f64) -> Option<std::cmp::Ordering> {
    if y.is_nan() {
        return None;
    }
    if y >= 1.8e38 {
        return Some(std::cmp::Ordering::Less);
    }
    if y <= -1.8e38 {
        return Some(std::cmp::Ordering::Greater);
    }
    let floor = y.floor();
    let whole = floor as i128;
    match x.cmp(&whole) {
        std::cmp::Ordering::Equal if y > floor => Some(std::cmp::Ordering::Less),
        other => Some(other),
    }
}

fn bound(ok: bool, value: Number, text: &str, limit: Number) -> Result<(), Violation> {
    if ok {
        Ok(())
    } else {
        Err(Violation::new(format!("{value} is {text} {limit}")))
    }
}

pub fn minimum(value: Number, limit: Number) -> Result<(), Violation> {
    let ok = compare(value, limit).is_some_and(|o| o.is_ge());
    bound(ok, value, "less than the minimum of", limit)
}

pub fn maximum(value: Number, limit: Number) -> Result<(), Violation> {
    let ok = compare(value, limit).is_some_and(|o| o.is_le());
    bound(ok, value, "greater than the maximum of", limit)
}

pub fn exclusive_minimum(value: Number, limit: Number) -> Result<(), Violation> {
    let ok = compare(value, limit).is_some_and(|o| o.is_gt());
    bound(
        ok,
        value,
        "not greater than the exclusive minimum of",
        limit,
    )
}

pub fn exclusive_maximum(value: Number, limit: Number) -> Result<(), Violation> {
    let ok = compare(value, limit).is_some_and(|o| o.is_lt());
    bound(ok, value, "not less than the exclusive maximum of", limit)
}

/// Whether `value / divisor` is an integer. Integers divide exactly; other
/// numbers are compared as the decimals they are written as (0.3 is a
/// multiple of 0.1), falling back to float division past i128.
pub fn multiple_of(value: Number, divisor: Number) -> Result<(), Violation> {
    let ok = match (value, divisor) {
        (Number::Int(v), Number::Int(d)) if d != 0 => v % d == 0,
        (v, d) => decimal_multiple(v, d),
    };
    bound(ok, value, "not a multiple of", divisor)
}

fn decimal_multiple(value: Number, divisor: Number) -> bool {
    let (Some((vm, ve)), Some((dm, de))) = (decimal(value), decimal(divisor)) else {
        return float_multiple(as_f64(value), as_f64(divisor));
    };
    if dm == 0 {
        return false;
    }
    if vm == 0 {
        return true;
    }
    // value = vm·10^ve, divisor = dm·10^de; scale both to the smaller exponent.
    let scale = ve.min(de);
    let (Some(v), Some(d)) = (scaled(vm, ve - scale), scaled(dm, de - scale)) else {
        return float_multiple(as_f64(value), as_f64(divisor));
    };
    v % d == 0
}

fn scaled(mantissa: i128, exponent: i32) -> Option<i128> {
    let factor = 10i128.checked_pow(u32::try_from(exponent).ok()?)?;
    mantissa.checked_mul(factor)
}

/// A number as mantissa·10^exponent, from its shortest decimal form.
fn decimal(n: Number) -> Option<(i128, i32)> {
    match n {
        Number::Int(i) => Some((i, 0)),
        Number::Float(f) if f.is_finite() => {
            let text = format!("{f:e}");
            let (mantissa, exponent) = text.split_once('e')?;
            let exponent: i32 = exponent.parse().ok()?;
            let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
            let digits: i128 = format!("{whole}{fraction}").parse().ok()?;
            Some((digits, exponent - fraction.len() as i32))
        }
        Number::Float(_) => None,
    }
}

fn as_f64(n: Number) -> f64 {
    match n {
        Number::Int(i) => i as f64,
        Number::Float(f) => f,
    }
}

fn float_multiple(value: f64, divisor: f64) -> bool {
    if divisor == 0.0 || !value.is_finite() {
        return false;
    }
    let quotient = value / divisor;
    quotient.is_finite() && quotient.fract() == 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_exact_across_kinds() {
        assert!(minimum(Number::from(5i64), Number::from(4.5)).is_ok());
        assert!(minimum(Number::from(4i64), Number::from(4.5)).is_err());
        assert!(maximum(Number::from(u64::MAX), Number::from(u64::MAX)).is_ok());
        assert!(exclusive_maximum(Number::from(3.0), Number::from(3i64)).is_err());
    }

    #[test]
    fn multiples_follow_the_decimals() {
        assert!(multiple_of(Number::from(0.3), Number::from(0.1)).is_ok());
        assert!(multiple_of(Number::from(0.0075), Number::from(0.0001)).is_ok());
        assert!(multiple_of(Number::from(0.00751), Number::from(0.0001)).is_err());
        assert!(multiple_of(Number::from(10i64), Number::from(3i64)).is_err());
        assert!(multiple_of(Number::from(1e308), Number::from(0.123456789)).is_err());
    }
}
