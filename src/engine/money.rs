//! Money rounding without float noise, matching JavaScript's `Number(x.toFixed(2))`.
//!
//! The reference rounds line totals with `toFixed(2)`, which rounds the *exact* binary value of `x`
//! (so `1.005` → `1.00`, `1.045` → `1.04`) and breaks exact ties away from zero. A naive
//! `(x * 100).round()` disagrees on such inputs because the product is rounded first; we compute
//! the product exactly as a sum of two doubles (Dekker's algorithm; wasm has no fused multiply-add,
//! and the software one cost 0.9 KB).

/// Rounds to two decimals as `Number(x.toFixed(2))` does; non-finite input gives `None`.
pub fn round2(x: f64) -> Option<f64> {
    if !x.is_finite() {
        return None;
    }
    let magnitude = x.abs();
    if magnitude >= 1e21 {
        return Some(x);
    }
    // magnitude * 100 == product + error exactly; n is the product rounded half away from zero.
    let (product, error) = exact_product(magnitude, 100.0);
    let mut n = product.round();
    // |product - n| <= 0.5 and is exact; only a (rounded) half needs the error to decide: below it,
    // above it, or an exact tie (which toFixed breaks upward).
    let residual = product - n;
    if residual == 0.5 && error >= 0.0 {
        n += 1.0;
    } else if residual == -0.5 && error < 0.0 {
        n -= 1.0;
    }
    let rounded = n / 100.0;
    Some(if x.is_sign_negative() { -rounded } else { rounded })
}

/// `a * b` as `(p, e)` with `p + e` exactly equal to the product (Dekker / Veltkamp split).
fn exact_product(a: f64, b: f64) -> (f64, f64) {
    fn split(x: f64) -> (f64, f64) {
        let c = 134_217_729.0 * x; // 2^27 + 1
        let high = c - (c - x);
        (high, x - high)
    }
    let p = a * b;
    let (ah, al) = split(a);
    let (bh, bl) = split(b);
    (p, ((ah * bh - p) + ah * bl + al * bh) + al * bl)
}

#[cfg(test)]
mod tests {
    use super::round2;

    /// The previous, fused-multiply-add version (exact residual in one rounding).
    fn round2_fma(x: f64) -> f64 {
        let magnitude = x.abs();
        let mut n = (magnitude * 100.0).round();
        let residual = magnitude.mul_add(100.0, -n);
        if residual < -0.5 {
            n -= 1.0;
        } else if residual >= 0.5 {
            n += 1.0;
        }
        let r = n / 100.0;
        if x.is_sign_negative() {
            -r
        } else {
            r
        }
    }

    #[test]
    fn agrees_with_the_fma_version_on_prices_and_products() {
        let mut seed = 0x1234_5678_9ABC_DEF0u64;
        for _ in 0..2_000_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let cents = (seed % 10_000_000) as f64;
            let qty = ((seed >> 40) % 12 + 1) as f64;
            for x in [cents / 1000.0, cents / 100.0 * qty, cents / 100.0 - (seed >> 20) as f64 % 5000.0 / 100.0] {
                assert_eq!(round2(x), Some(round2_fma(x)), "{x}");
            }
        }
    }

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
