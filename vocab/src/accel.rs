//! `AccelKind`: the accelerated functions an actor may invoke and a NIC profile may provide an engine for.

use serde::{Deserialize, Serialize};

/// Kind of accelerated function. Config and report names are snake_case
/// (`md5`, `pattern_match`, ...), as in the profiles' `[[accel.engines]]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccelKind {
    /// MD5 digest.
    Md5,
    /// AES-128 encryption.
    Aes,
    /// SHA-1 digest.
    Sha1,
    /// CRC-32.
    Crc,
    /// Compression (deflate-class; LiquidIO ZIP engine).
    Compress,
    /// Pattern matching (LiquidIO HFA engine).
    PatternMatch,
}

impl AccelKind {
    /// Every kind, in a fixed order.
    pub const ALL: [AccelKind; 6] = [
        AccelKind::Md5,
        AccelKind::Aes,
        AccelKind::Sha1,
        AccelKind::Crc,
        AccelKind::Compress,
        AccelKind::PatternMatch,
    ];

    /// Lower-case name used in configs and reports (the serde name).
    pub const fn name(self) -> &'static str {
        match self {
            AccelKind::Md5 => "md5",
            AccelKind::Aes => "aes",
            AccelKind::Sha1 => "sha1",
            AccelKind::Crc => "crc",
            AccelKind::Compress => "compress",
            AccelKind::PatternMatch => "pattern_match",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error, StrDeserializer};
    use serde::de::IntoDeserializer;

    #[test]
    fn config_names_are_the_serde_names() {
        for k in AccelKind::ALL {
            let de: StrDeserializer<'_, Error> = k.name().into_deserializer();
            assert_eq!(AccelKind::deserialize(de), Ok(k));
        }
        let de: StrDeserializer<'_, Error> = "zip".into_deserializer();
        assert!(AccelKind::deserialize(de).is_err());
    }
}
