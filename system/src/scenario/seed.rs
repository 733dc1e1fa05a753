//! The scenario `seed`: any u64, written so that `resolved.toml` reads back.
//!
//! TOML integers are i64, so seeds above i64::MAX are written as a quoted
//! decimal string; either form is read back. Negative numbers, fractions and
//! other strings are refused with the accepted range.

use serde::de::{Error, Unexpected, Visitor};
use serde::{Deserializer, Serializer};
use std::fmt;

/// `#[serde(with = "seed::optional")]` for an `Option<u64>` seed.
pub mod optional {
    use super::*;

    /// Writes an integer when TOML can hold it, a decimal string otherwise.
    pub fn serialize<S: Serializer>(seed: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
        match seed {
            None => s.serialize_none(),
            Some(v) => match i64::try_from(*v) {
                Ok(i) => s.serialize_i64(i),
                Err(_) => s.serialize_str(&v.to_string()),
            },
        }
    }

    /// Reads an integer 0..=i64::MAX or a decimal string 0..=u64::MAX.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        d.deserialize_any(SeedVisitor).map(Some)
    }
}

struct SeedVisitor;

impl Visitor<'_> for SeedVisitor {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a whole number 0..=18446744073709551615 (above 9223372036854775807 as a quoted string)",
        )
    }
    fn visit_u64<E: Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }
    fn visit_i64<E: Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
    }
    fn visit_f64<E: Error>(self, v: f64) -> Result<u64, E> {
        Err(E::invalid_type(Unexpected::Float(v), &self))
    }
    fn visit_bool<E: Error>(self, v: bool) -> Result<u64, E> {
        Err(E::invalid_type(Unexpected::Bool(v), &self))
    }
    fn visit_str<E: Error>(self, v: &str) -> Result<u64, E> {
        v.parse::<u64>()
            .map_err(|_| E::invalid_value(Unexpected::Str(v), &self))
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct S {
        #[serde(default, with = "super::optional")]
        seed: Option<u64>,
    }

    #[test]
    fn every_u64_round_trips_through_toml() {
        for v in [0, 1, i64::MAX as u64, i64::MAX as u64 + 1, u64::MAX] {
            let text = toml::to_string(&S { seed: Some(v) }).unwrap();
            assert_eq!(toml::from_str::<S>(&text).unwrap().seed, Some(v), "{text}");
        }
    }

    #[test]
    fn negative_and_fractional_seeds_are_refused() {
        for text in ["seed = -1", "seed = 1.5", "seed = \"x\"", "seed = \"-3\""] {
            let e = toml::from_str::<S>(text).unwrap_err();
            assert!(e.message().contains("0..=18446744073709551615"), "{e}");
        }
    }
}
