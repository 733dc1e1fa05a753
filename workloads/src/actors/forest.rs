//! A small randomized decision forest over flow features, generated deterministically from a seed.
//!
//! Not trained on data (we have none): each tree splits on a random feature at
//! a threshold between two class prototypes, and each leaf is labelled with
//! the class whose prototype is nearest to the leaf's feature box. The vote of
//! many such trees approximates a nearest-prototype classifier in log-feature
//! space, which is enough to give the classifier actor real, checkable
//! answers and a realistic memory footprint (one 8-byte node per access).

use super::wire::mix64;

/// Number of flow features: ln(mean size), ln(1 + size std dev), ln(1 + mean inter-arrival in us).
pub const FEATURES: usize = 3;
/// Flow classes the forest predicts.
pub const CLASSES: usize = 4;
/// Class names, by index.
pub const CLASS_NAMES: [&str; CLASSES] = ["interactive", "web", "bulk", "streaming"];

/// Prototype flows per class, in raw units: (mean packet bytes, packet size std dev bytes,
/// mean inter-arrival us). Derived from common traffic folklore, not from the paper.
pub const PROTOTYPES_RAW: [[f32; FEATURES]; CLASSES] = [
    [90.0, 30.0, 20_000.0],    // interactive: small packets, long gaps (ssh, chat)
    [700.0, 550.0, 300.0],     // web: mixed sizes, medium gaps
    [1_450.0, 40.0, 12.0],     // bulk: full-size packets back to back
    [1_200.0, 250.0, 2_000.0], // streaming: large packets, paced
];

/// Maps raw feature values to the log space the forest splits in.
pub fn log_features(raw: [f32; FEATURES]) -> [f32; FEATURES] {
    [
        raw[0].max(1.0).ln(),
        (1.0 + raw[1].max(0.0)).ln(),
        (1.0 + raw[2].max(0.0)).ln(),
    ]
}

/// Bytes of one node in the DMO layout: feature u8 (0xff = leaf), class u8, pad u16, threshold f32.
pub const NODE_BYTES: usize = 8;
/// Feature byte marking a leaf.
pub const LEAF: u8 = 0xff;

/// One node: `feature == LEAF` means a leaf labelled `class`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Node {
    pub feature: u8,
    pub class: u8,
    pub threshold: f32,
}

impl Node {
    /// The node in its 8-byte DMO layout.
    pub fn encode(&self) -> [u8; NODE_BYTES] {
        let mut b = [0u8; NODE_BYTES];
        b[0] = self.feature;
        b[1] = self.class;
        b[4..8].copy_from_slice(&self.threshold.to_le_bytes());
        b
    }

    /// Parses the 8-byte DMO layout.
    pub fn decode(b: &[u8]) -> Node {
        Node {
            feature: b[0],
            class: b[1],
            threshold: f32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        }
    }
}

/// Complete binary trees of equal depth in implicit layout (children of i: 2i+1, 2i+2).
#[derive(Clone, Debug, PartialEq)]
pub struct Forest {
    pub depth: u32,
    pub trees: Vec<Vec<Node>>,
}

/// Counter-based deterministic stream of u64s from a seed.
struct Stream(u64, u64);
impl Stream {
    fn next(&mut self) -> u64 {
        self.1 += 1;
        mix64(self.0 ^ mix64(self.1))
    }
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}

impl Forest {
    /// Nodes per tree for `depth` levels of splits.
    pub fn nodes_per_tree(depth: u32) -> usize {
        (1usize << (depth + 1)) - 1
    }

    /// Generates `trees` trees of `depth` split levels from `seed`.
    pub fn generate(trees: u32, depth: u32, seed: u64) -> Forest {
        let protos: Vec<[f32; FEATURES]> =
            PROTOTYPES_RAW.iter().map(|&p| log_features(p)).collect();
        let mut rng = Stream(mix64(seed), 0);
        let n = Self::nodes_per_tree(depth);
        let first_leaf = (1usize << depth) - 1;
        let mut out = Vec::with_capacity(trees as usize);
        for _ in 0..trees {
            let mut nodes = vec![
                Node {
                    feature: LEAF,
                    class: 0,
                    threshold: 0.0
                };
                n
            ];
            // Feature box of each node: (lower, upper) bound per feature.
            let mut boxes = vec![[(f32::NEG_INFINITY, f32::INFINITY); FEATURES]; n];
            for i in 0..n {
                let b = boxes[i];
                if i < first_leaf {
                    let f = (rng.next() % FEATURES as u64) as usize;
                    let a = (rng.next() % CLASSES as u64) as usize;
                    let c = (a + 1 + (rng.next() % (CLASSES as u64 - 1)) as usize) % CLASSES;
                    let (lo, hi) = (
                        protos[a][f].min(protos[c][f]),
                        protos[a][f].max(protos[c][f]),
                    );
                    let t = lo + (hi - lo) * (0.3 + 0.4 * rng.unit());
                    nodes[i] = Node {
                        feature: f as u8,
                        class: 0,
                        threshold: t,
                    };
                    let mut left = b;
                    left[f].1 = left[f].1.min(t);
                    let mut right = b;
                    right[f].0 = right[f].0.max(t);
                    boxes[2 * i + 1] = left;
                    boxes[2 * i + 2] = right;
                } else {
                    nodes[i].class = nearest_class(&protos, &b) as u8;
                }
            }
            out.push(nodes);
        }
        Forest { depth, trees: out }
    }

    /// Majority vote of the trees on log-space features (ties: lowest class index).
    pub fn classify(&self, x: [f32; FEATURES]) -> usize {
        let mut votes = [0u32; CLASSES];
        for t in &self.trees {
            let mut i = 0usize;
            while t[i].feature != LEAF {
                let n = t[i];
                i = if x[n.feature as usize] < n.threshold {
                    2 * i + 1
                } else {
                    2 * i + 2
                };
            }
            votes[t[i].class as usize] += 1;
        }
        argmax(&votes)
    }
}

/// Index of the largest vote count (lowest index on ties).
pub fn argmax(votes: &[u32; CLASSES]) -> usize {
    let mut best = 0;
    for c in 1..CLASSES {
        if votes[c] > votes[best] {
            best = c;
        }
    }
    best
}

/// The class whose prototype is closest (Euclidean, log space) to a feature box.
fn nearest_class(protos: &[[f32; FEATURES]], b: &[(f32, f32); FEATURES]) -> usize {
    let mut best = (f32::INFINITY, 0usize);
    for (c, p) in protos.iter().enumerate() {
        let d: f32 = (0..FEATURES)
            .map(|f| {
                let (lo, hi) = b[f];
                let gap = if p[f] < lo {
                    lo - p[f]
                } else if p[f] > hi {
                    p[f] - hi
                } else {
                    0.0
                };
                gap * gap
            })
            .sum();
        if d < best.0 {
            best = (d, c);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forest_classifies_each_prototype_as_its_class() {
        let f = Forest::generate(32, 8, 7);
        for (c, p) in PROTOTYPES_RAW.iter().enumerate() {
            assert_eq!(
                f.classify(log_features(*p)),
                c,
                "prototype {}",
                CLASS_NAMES[c]
            );
        }
    }
}
