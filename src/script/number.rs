//! Numbers as Redis's Lua glue writes and casts them, in C's terms.

/// `x` as C's `printf("%.{precision}g")` writes it: Redis passes Lua numbers to commands
/// with 17 significant digits, and cjson encodes them with 14.
pub fn format_g(x: f64, precision: usize) -> String {
    if x.is_nan() {
        return if x.is_sign_negative() { "-nan" } else { "nan" }.to_owned();
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf" } else { "inf" }.to_owned();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    let precision = precision.max(1);
    // Rounded to `precision` digits first: the exponent %g chooses by is the rounded one's.
    let scientific = format!("{:.*e}", precision - 1, x);
    let (mantissa, exponent) = scientific.split_once('e').expect("{:e} writes an exponent");
    let exponent: i32 = exponent.parse().expect("{:e} writes an integer exponent");
    if exponent < -4 || exponent >= precision as i32 {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", trim_fraction(mantissa), exponent.abs())
    } else {
        let decimals = (precision as i32 - 1 - exponent).max(0) as usize;
        trim_fraction(&format!("{x:.decimals$}")).to_owned()
    }
}

/// Drops a fraction's trailing zeros, and its point if nothing is left after it.
fn trim_fraction(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

/// A Lua number as Redis makes it an integer reply: truncated toward zero, as C's cast to
/// `long long` does on x86-64, where a number out of range (or NaN) becomes the smallest.
pub fn truncate(x: f64) -> i64 {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
    if x.is_nan() || !(-LIMIT..LIMIT).contains(&x) {
        i64::MIN
    } else {
        x.trunc() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_numbers_as_printf_g_does() {
        let cases = [
            (3.5, 17, "3.5"),
            (1e15, 17, "1000000000000000"),
            (0.1, 17, "0.10000000000000001"),
            (1.0 / 3.0, 14, "0.33333333333333"),
            (123_456_789_012_345.0, 14, "1.2345678901234e+14"),
            (1e20, 14, "1e+20"),
            (0.0001, 14, "0.0001"),
            (0.00001, 14, "1e-05"),
            (-2.5, 14, "-2.5"),
            (100.0, 14, "100"),
            (f64::INFINITY, 14, "inf"),
        ];
        for (x, precision, expected) in cases {
            assert_eq!(format_g(x, precision), expected, "{x} with {precision} digits");
        }
    }

    #[test]
    fn truncates_toward_zero_and_sends_the_unrepresentable_to_the_minimum() {
        assert_eq!(truncate(3.99), 3);
        assert_eq!(truncate(-3.99), -3);
        assert_eq!(truncate(-0.5), 0);
        assert_eq!(truncate(1e300), i64::MIN);
        assert_eq!(truncate(f64::NAN), i64::MIN);
    }
}
