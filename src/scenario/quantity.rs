//! Kubernetes resource quantities (`500m`, `2`, `16Gi`, `512Mi`, `1e3`, `1.5`), parsed exactly
//! (no floating point) and rounded up the way `Quantity.MilliValue()`/`Value()` round.

/// A non-negative quantity as an exact fraction `num / den`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    num: u128,
    den: u128,
}

impl Quantity {
    /// The value in thousandths (CPU millicores), rounded up.
    pub fn milli(self) -> u64 {
        ceil_div(self.num.saturating_mul(1000), self.den)
    }

    /// The value in whole units (memory bytes, pod counts), rounded up.
    pub fn units(self) -> u64 {
        ceil_div(self.num, self.den)
    }
}

fn ceil_div(a: u128, b: u128) -> u64 {
    let q = a / b + u128::from(!a.is_multiple_of(b));
    u64::try_from(q).unwrap_or(u64::MAX)
}

const LIMIT: u128 = 1 << 100;

fn pow(base: u128, exp: u32) -> Option<u128> {
    base.checked_pow(exp).filter(|v| *v <= LIMIT)
}

/// Parses a quantity: a non-negative decimal number, then either a binary suffix (`Ki Mi Gi Ti Pi
/// Ei`), a decimal suffix (`n u m k M G T P E`, or none), or a decimal exponent (`e3`, `E-2`).
pub fn parse_quantity(s: &str) -> Result<Quantity, String> {
    let t = s.trim();
    let bad = |why: &str| Err(format!("invalid quantity {s:?}: {why} (e.g. 500m, 2, 16Gi, 512Mi, 1e3)"));
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.starts_with('-') {
        return bad("must not be negative");
    }
    let end = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, suffix) = t.split_at(end);
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if int.is_empty() && frac.is_empty() {
        return bad("expected a number");
    }
    if frac.contains('.') {
        return bad("more than one decimal point");
    }
    let digits = format!("{int}{frac}");
    let digits = digits.trim_start_matches('0');
    if digits.len() > 30 {
        return bad("too many digits");
    }
    let mantissa: u128 = if digits.is_empty() { 0 } else { digits.parse().map_err(|_| format!("invalid quantity {s:?}"))? };
    // value = mantissa * 10^dec * 2^bin
    let mut dec: i32 = -(frac.len() as i32);
    let mut bin: u32 = 0;
    match suffix {
        "" => {}
        "Ki" => bin = 10,
        "Mi" => bin = 20,
        "Gi" => bin = 30,
        "Ti" => bin = 40,
        "Pi" => bin = 50,
        "Ei" => bin = 60,
        "n" => dec -= 9,
        "u" => dec -= 6,
        "m" => dec -= 3,
        "k" => dec += 3,
        "M" => dec += 6,
        "G" => dec += 9,
        "T" => dec += 12,
        "P" => dec += 15,
        "E" => dec += 18,
        x if x.starts_with(['e', 'E']) => {
            let e: i32 = x[1..].parse().map_err(|_| format!("invalid quantity {s:?}: bad exponent {x:?}"))?;
            if !(-30..=30).contains(&e) {
                return bad("exponent out of range");
            }
            dec += e;
        }
        x => return bad(&format!("unknown suffix {x:?}")),
    }
    let too_big = || format!("invalid quantity {s:?}: too large");
    let mut num = mantissa.checked_mul(pow(2, bin).ok_or_else(too_big)?).ok_or_else(too_big)?;
    let mut den: u128 = 1;
    if dec >= 0 {
        num = num.checked_mul(pow(10, dec as u32).ok_or_else(too_big)?).filter(|v| *v <= LIMIT).ok_or_else(too_big)?;
    } else {
        den = pow(10, (-dec) as u32).ok_or_else(too_big)?;
    }
    Ok(Quantity { num, den })
}

/// Reads a quantity written as a string or a plain number (YAML `cpu: 2`, `cpu: 0.5`).
pub fn quantity_value(v: &serde_json::Value) -> Result<Quantity, String> {
    match v {
        serde_json::Value::String(s) => parse_quantity(s),
        serde_json::Value::Number(n) => parse_quantity(&n.to_string()),
        other => Err(format!("invalid quantity {other}: expected a string such as \"500m\" or a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn milli(s: &str) -> u64 {
        parse_quantity(s).unwrap().milli()
    }
    fn units(s: &str) -> u64 {
        parse_quantity(s).unwrap().units()
    }

    #[test]
    fn cpu_quantities() {
        assert_eq!(milli("500m"), 500);
        assert_eq!(milli("2"), 2000);
        assert_eq!(milli("0.5"), 500);
        assert_eq!(milli(".25"), 250);
        assert_eq!(milli("1.5"), 1500);
        assert_eq!(milli("1e3"), 1_000_000);
        assert_eq!(milli("1E-3"), 1);
        assert_eq!(milli("100u"), 1); // rounded up, as MilliValue does
        assert_eq!(milli("0"), 0);
        assert_eq!(milli("+3"), 3000);
    }

    #[test]
    fn memory_quantities() {
        assert_eq!(units("16Gi"), 16 << 30);
        assert_eq!(units("512Mi"), 512 << 20);
        assert_eq!(units("1Ki"), 1024);
        assert_eq!(units("1.5Gi"), 3 << 29);
        assert_eq!(units("128974848"), 128_974_848);
        assert_eq!(units("129e6"), 129_000_000);
        assert_eq!(units("129M"), 129_000_000);
        assert_eq!(units("1k"), 1000);
        assert_eq!(units("1E"), 1_000_000_000_000_000_000);
        assert_eq!(units("1m"), 1); // a thousandth of a byte rounds up to one
    }

    #[test]
    fn numbers_from_yaml() {
        assert_eq!(quantity_value(&serde_json::json!(2)).unwrap().milli(), 2000);
        assert_eq!(quantity_value(&serde_json::json!(0.5)).unwrap().milli(), 500);
        assert!(quantity_value(&serde_json::json!(true)).is_err());
    }

    #[test]
    fn rejects_bad_quantities() {
        for s in ["", "-1", "abc", "1.2.3", "5x", "1Gb", "m", "1e", "1e99", "9999999999999999999999999999999Ei"] {
            assert!(parse_quantity(s).is_err(), "{s:?} should be rejected");
        }
    }
}
