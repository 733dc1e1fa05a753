//! `--shard K/N`: which points of a sweep one task runs.
//!
//! Points are dealt round-robin by their position in the (filtered) expansion:
//! shard K runs positions K, K+N, K+2N, ... Round-robin rather than blocks so
//! that each shard gets a similar mix of cheap and expensive parameter values.

use std::fmt;
use std::str::FromStr;

use super::axes::Point;

/// Shard `k` of `n` (0 <= k < n).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: usize,
    pub n: usize,
}

impl Shard {
    /// The whole sweep.
    pub const ALL: Shard = Shard { k: 0, n: 1 };

    /// Whether this shard runs the point at `position` of the filtered expansion.
    pub fn has(&self, position: usize) -> bool {
        position % self.n == self.k
    }

    /// The points this shard runs, in expansion order.
    pub fn select(&self, points: &[Point]) -> Vec<Point> {
        self.pick(points.iter().cloned()).collect()
    }

    /// This shard's points of a (lazy) expansion, in order, without collecting them.
    pub fn pick<I: Iterator<Item = Point>>(self, points: I) -> impl Iterator<Item = Point> {
        points
            .enumerate()
            .filter(move |(i, _)| self.has(*i))
            .map(|(_, p)| p)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not a shard. Fix: write K/N with 0 <= K < N, e.g. 0/4.");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: usize = k.trim().parse().map_err(|_| bad())?;
        let n: usize = n.trim().parse().map_err(|_| bad())?;
        if n == 0 || k >= n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { k: 2, n: 4 }));
        assert!("4/4".parse::<Shard>().is_err());
        assert!("0/0".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }
}
