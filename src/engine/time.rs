//! Timestamps: milliseconds since the Unix epoch → the ISO-8601 UTC string XDM `timestamp` wants.
//!
//! The clock itself lives in the web shell; the engine only formats the instant it is given, so a
//! retried send carries the same `timestamp` as the first attempt. The instant is clamped here, on
//! every target; the wasm build then formats it with JavaScript's `Date.prototype.toISOString`
//! (through the shell, `web`), which cost less than the calendar code below, and host
//! builds with that calendar code.

/// Formats epoch milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`, as `Date.prototype.toISOString` does
/// for years 0–9999. Out-of-range or non-finite inputs are clamped into that range; fractions of a
/// millisecond are dropped (toward zero, as `new Date(ms)` does).
pub fn iso8601(epoch_ms: f64) -> String {
    const MAX_MS: f64 = 253_402_300_799_999.0; // 9999-12-31T23:59:59.999Z
    format(if epoch_ms.is_finite() { epoch_ms.clamp(-62_167_219_200_000.0, MAX_MS).trunc() } else { 0.0 })
}

/// `new Date(ms).toISOString()` for a whole `ms` in the range [`iso8601`] clamps to.
#[cfg(target_arch = "wasm32")]
fn format(ms: f64) -> String {
    crate::web::iso_string(ms)
}

/// The same text as `new Date(ms).toISOString()` for a whole `ms` in the range [`iso8601`] clamps
/// to, for host builds.
#[cfg(not(target_arch = "wasm32"))]
fn format(ms: f64) -> String {
    let ms = ms as i64;
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, min, s, milli) = (in_day / 3_600_000, in_day / 60_000 % 60, in_day / 1000 % 60, in_day % 1000);
    let mut out = String::with_capacity(24);
    push_padded(&mut out, y, 4, '-');
    push_padded(&mut out, m.into(), 2, '-');
    push_padded(&mut out, d.into(), 2, 'T');
    push_padded(&mut out, h, 2, ':');
    push_padded(&mut out, min, 2, ':');
    push_padded(&mut out, s, 2, '.');
    push_padded(&mut out, milli, 3, 'Z');
    out
}

#[cfg(not(target_arch = "wasm32"))]
/// Appends the last `width` (at most 4) decimal digits of `n` (not negative), then `after`.
fn push_padded(out: &mut String, mut n: i64, width: usize, after: char) {
    let mut digits = [b'0'; 4];
    for slot in digits[..width].iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.extend(digits[..width].iter().map(|&b| char::from(b)));
    out.push(after);
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days` algorithm).
#[cfg(not(target_arch = "wasm32"))]
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::iso8601;

    #[test]
    fn formats_like_to_iso_string() {
        assert_eq!(iso8601(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_795_435_200_123.0), "2026-11-23T12:00:00.123Z");
        assert_eq!(iso8601(951_782_400_000.0), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso8601(-1.0), "1969-12-31T23:59:59.999Z");
        assert_eq!(iso8601(f64::NAN), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(-1.5), "1969-12-31T23:59:59.999Z");
        assert_eq!(iso8601(1.9), "1970-01-01T00:00:00.001Z");
        assert_eq!(iso8601(1e20), "9999-12-31T23:59:59.999Z");
        assert_eq!(iso8601(-1e20), "0000-01-01T00:00:00.000Z");
    }
}
