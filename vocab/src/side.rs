//! `Side`: which side of the PCIe link something runs on or lives in (SmartNIC or host).

/// Which side of the PCIe link code runs on (or a DMO lives in).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// On the SmartNIC.
    Nic,
    /// On the host.
    Host,
}

impl Side {
    /// The other side of the link.
    pub const fn other(self) -> Side {
        match self {
            Side::Nic => Side::Host,
            Side::Host => Side::Nic,
        }
    }

    /// Lower-case name used in reports.
    pub const fn name(self) -> &'static str {
        match self {
            Side::Nic => "nic",
            Side::Host => "host",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_flips() {
        assert_eq!(Side::Nic.other(), Side::Host);
        assert_eq!(Side::Host.other().name(), "nic");
    }
}
