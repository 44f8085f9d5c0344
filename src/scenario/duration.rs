//! Kubernetes-style durations (`90s`, `5m`, `1h30m`, `1.5s`, `250ms`) and plain numbers of seconds.

use crate::engine::Time;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// A non-negative duration with millisecond precision, parsed from a Go-style duration string
/// or a number of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Dur(pub Time);

impl Dur {
    /// Milliseconds.
    pub fn ms(self) -> Time {
        self.0
    }
}

/// Parses `90s`, `5m`, `1h30m`, `1.5s`, `250ms`, `2d`, or a bare number of seconds (`12`, `0.5`).
pub fn parse_duration(s: &str) -> Result<Time, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty duration".into());
    }
    if let Ok(secs) = s.parse::<f64>() {
        return secs_to_ms(secs).ok_or_else(|| format!("invalid duration {s:?}: must be a non-negative number of seconds"));
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut total: f64 = 0.0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        if start == i {
            return Err(format!("invalid duration {s:?}: expected a number before the unit (e.g. 90s, 5m, 1h30m)"));
        }
        let num: f64 = s[start..i].parse().map_err(|_| format!("invalid duration {s:?}: bad number {:?}", &s[start..i]))?;
        let ustart = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let factor = match &s[ustart..i] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86400.0,
            "" => return Err(format!("invalid duration {s:?}: missing unit (ms, s, m, h or d)")),
            u => return Err(format!("invalid duration {s:?}: unknown unit {u:?} (use ms, s, m, h or d)")),
        };
        total += num * factor;
    }
    secs_to_ms(total).ok_or_else(|| format!("invalid duration {s:?}"))
}

fn secs_to_ms(secs: f64) -> Option<Time> {
    // Cap at about 31,700 years: anything larger is a typo, and it keeps arithmetic in range.
    if !secs.is_finite() || !(0.0..=1e12).contains(&secs) {
        return None;
    }
    Some((secs * 1000.0).round() as Time)
}

/// Formats milliseconds the way a person writes a duration: `90s` → `1m30s`, `1.5s`, `0s`.
pub fn human(ms: Time) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut secs = ms / 1000;
    let frac = ms % 1000;
    let (d, h, m) = (secs / 86400, (secs % 86400) / 3600, (secs % 3600) / 60);
    secs %= 60;
    if d > 0 {
        out += &format!("{d}d");
    }
    if h > 0 {
        out += &format!("{h}h");
    }
    if m > 0 {
        out += &format!("{m}m");
    }
    if secs > 0 || frac > 0 {
        if frac > 0 {
            let f = format!("{frac:03}");
            out += &format!("{secs}.{}s", f.trim_end_matches('0'));
        } else {
            out += &format!("{secs}s");
        }
    }
    out
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Dur;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration such as 90s, 5m, 1h30m, or a number of seconds")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Dur, E> {
                parse_duration(v).map(Dur).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Dur, E> {
                secs_to_ms(v as f64).map(Dur).ok_or_else(|| E::custom("duration too large"))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dur, E> {
                secs_to_ms(v as f64).map(Dur).ok_or_else(|| E::custom(format!("invalid duration {v}: must not be negative")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Dur, E> {
                secs_to_ms(v).map(Dur).ok_or_else(|| E::custom(format!("invalid duration {v}: must be a non-negative number of seconds")))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Dur {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&human(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kubernetes_durations() {
        assert_eq!(parse_duration("90s"), Ok(90_000));
        assert_eq!(parse_duration("5m"), Ok(300_000));
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000));
        assert_eq!(parse_duration("1.5s"), Ok(1_500));
        assert_eq!(parse_duration("250ms"), Ok(250));
        assert_eq!(parse_duration("12"), Ok(12_000));
        assert_eq!(parse_duration("0.5"), Ok(500));
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("-3").is_err());
    }

    #[test]
    fn human_round_trips() {
        assert_eq!(human(90_000), "1m30s");
        assert_eq!(human(1_500), "1.5s");
        assert_eq!(human(0), "0s");
        assert_eq!(parse_duration(&human(5_400_250)), Ok(5_400_250));
    }
}
