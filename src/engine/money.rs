//! Money rounding without float noise, matching JavaScript's `Number(x.toFixed(2))`.
//!
//! The reference rounds line totals with `toFixed(2)`, which rounds the *exact* binary value of `x`
//! (so `1.005` → `1.00`, `1.045` → `1.04`) and breaks exact ties away from zero. A naive
//! `(x * 100).round()` disagrees on such inputs because the product is rounded first; we use a fused
//! multiply-add to get the exact residual instead.

/// Rounds to two decimals as `Number(x.toFixed(2))` does; non-finite input gives `None`.
pub fn round2(x: f64) -> Option<f64> {
    if !x.is_finite() {
        return None;
    }
    let magnitude = x.abs();
    if magnitude >= 1e21 {
        return Some(x);
    }
    let mut n = (magnitude * 100.0).round();
    // Exact `magnitude * 100 - n`, rounded once.
    let residual = magnitude.mul_add(100.0, -n);
    if residual < -0.5 {
        n -= 1.0;
    } else if residual >= 0.5 {
        n += 1.0;
    }
    let rounded = n / 100.0;
    Some(if x.is_sign_negative() { -rounded } else { rounded })
}

#[cfg(test)]
mod tests {
    use super::round2;

    #[test]
    fn matches_javascript_to_fixed() {
        // Values checked against `Number(x.toFixed(2))` in Node 20.
        assert_eq!(round2(12.345 * 3.0), Some(37.04));
        assert_eq!(round2(1.005), Some(1.0));
        assert_eq!(round2(1.045), Some(1.04));
        assert_eq!(round2(0.125), Some(0.13));
        assert_eq!(round2(2.675), Some(2.67));
        assert_eq!(round2(-0.125), Some(-0.13));
        assert_eq!(round2(45.0 - 40.000000000000002), Some(5.0));
        assert_eq!(round2(0.1 + 0.2), Some(0.3));
        assert_eq!(round2(f64::NAN), None);
        assert_eq!(round2(f64::INFINITY), None);
    }
}
