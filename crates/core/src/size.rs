//! [`ByteSize`]: an amount of memory as people write it in `config.toml` (`2GiB`, `512 MiB`, `64MB`) and
//! read it in messages.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A number of bytes. Parses `2GiB`, `512 MiB`, `64MB` or a bare number; prints in binary units
/// (`2GiB`, `1.5MiB`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ByteSize(pub u64);

/// Units from the largest, binary (`GiB`) and decimal (`GB`) alike; a bare number is bytes.
const UNITS: &[(&str, u64)] = &[
    ("tib", 1 << 40),
    ("tb", 1_000_000_000_000),
    ("gib", 1 << 30),
    ("gb", 1_000_000_000),
    ("mib", 1 << 20),
    ("mb", 1_000_000),
    ("kib", 1 << 10),
    ("kb", 1_000),
    ("b", 1),
];

impl FromStr for ByteSize {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim().to_ascii_lowercase();
        let (number, unit) = UNITS
            .iter()
            .find_map(|(name, unit)| text.strip_suffix(name).map(|n| (n.trim(), *unit)))
            .unwrap_or((text.as_str(), 1));
        let invalid =
            || format!("`{s}` is not an amount of memory: write it like `2GiB`, `512MiB` or `64MB`");
        let value: f64 = number.parse().map_err(|_| invalid())?;
        if !value.is_finite() || value < 0.0 || value * unit as f64 > u64::MAX as f64 {
            return Err(invalid());
        }
        Ok(ByteSize((value * unit as f64) as u64))
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, unit) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
            if self.0 >= unit {
                let value = self.0 as f64 / unit as f64;
                return if value.fract() == 0.0 {
                    write!(f, "{value}{name}")
                } else {
                    write!(f, "{value:.1}{name}")
                };
            }
        }
        write!(f, "{}B", self.0)
    }
}

impl Serialize for ByteSize {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A string with a unit, or a bare number of bytes.
impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bytes(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Bytes(n) => Ok(ByteSize(n)),
            Raw::Text(t) => t.parse().map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_binary_and_decimal_units_and_prints_binary() {
        assert_eq!("2GiB".parse(), Ok(ByteSize(2 << 30)));
        assert_eq!("512 MiB".parse(), Ok(ByteSize(512 << 20)));
        assert_eq!("64MB".parse(), Ok(ByteSize(64_000_000)));
        assert_eq!("1.5gib".parse(), Ok(ByteSize(3 << 29)));
        assert_eq!("4096".parse(), Ok(ByteSize(4096)));
        assert!("lots".parse::<ByteSize>().is_err());
        assert!("-1GiB".parse::<ByteSize>().is_err());
        assert_eq!(ByteSize(2 << 30).to_string(), "2GiB");
        assert_eq!(ByteSize(3 << 29).to_string(), "1.5GiB");
        assert_eq!(ByteSize(100).to_string(), "100B");
    }
}
