//! The paper's published values, parsed from `configs/calibration/ipipe-sigcomm19.toml`: the only place `nicsim repro` takes a paper number from.
//!
//! The file is compiled in ([`Paper::builtin`]) so `nicsim repro` runs from
//! any directory; [`Paper::load`] reads another copy (`--calibration FILE`),
//! which is also how a test makes a claim fail through the real path. The
//! whole file is parsed and checked up front, so a missing key is reported
//! once, naming the file and the key, before any figure runs.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

mod values;

pub use values::{
    CoresNeeded, DmaValues, EchoLineRate, Implications, MemoryLatency, MessagingSpeedup, RdmaValues,
};

/// Where the compiled-in calibration file lives in the repository.
pub const BUILTIN_PATH: &str = "configs/calibration/ipipe-sigcomm19.toml";

const BUILTIN_TEXT: &str = include_str!("../../configs/calibration/ipipe-sigcomm19.toml");

/// Why the calibration file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PaperError {
    /// The file cannot be read.
    #[error("cannot read calibration file {path}: {source}. Fix: pass an existing file to --calibration, or omit the option to use the built-in {BUILTIN_PATH}")]
    Read {
        /// The file.
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The file is not TOML of the expected shape (the message names line and key).
    #[error("{path}: invalid calibration file: {message}. Fix: correct it (see {BUILTIN_PATH} for every expected table, key and type)")]
    Parse {
        /// The file.
        path: String,
        /// The TOML parser's message, with line and key.
        message: String,
    },
    /// A table a figure needs is absent.
    #[error("{path}: missing `[{table}]` ({cite}). Fix: add it (see {BUILTIN_PATH})")]
    Missing {
        /// The file.
        path: String,
        /// The dotted table name, e.g. `dma.liquidio_cn2350`.
        table: String,
        /// Where in the paper the values come from.
        cite: &'static str,
    },
}

/// A TOML error as one line: the line number and text (which names the key)
/// when the parser points into the file, then its message.
fn describe(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim().replace('\n', " ");
    match e.span().filter(|s| s.start > 0) {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            let source = text.lines().nth(line - 1).unwrap_or_default().trim();
            format!("line {line} (`{source}`): {message}")
        }
        None => message,
    }
}

/// The tables of the calibration file that claims use (others are ignored).
#[derive(Clone, Debug, Deserialize, PartialEq)]
struct File {
    memory_latency_ns: BTreeMap<String, MemoryLatency>,
    echo_line_rate: BTreeMap<String, EchoLineRate>,
    task_exec_us: BTreeMap<String, BTreeMap<String, f64>>,
    accelerator_speedup_vs_host: BTreeMap<String, BTreeMap<String, f64>>,
    messaging_speedup: BTreeMap<String, MessagingSpeedup>,
    dma: BTreeMap<String, DmaValues>,
    rdma: BTreeMap<String, RdmaValues>,
    /// Fig. 4 (optional: not in the calibration data yet): per NIC, per
    /// packet size, the extra processing in us at which throughput leaves
    /// line rate. Checked as `predicted` claims when present.
    #[serde(default)]
    fig4_knee_us: BTreeMap<String, BTreeMap<String, f64>>,
    /// Fig. 5 (optional, likewise): per `"<size>B_<cores>cores"`, p99 latency in us.
    #[serde(default)]
    fig5_p99_us: BTreeMap<String, f64>,
    /// Qualitative implications of Sec. 2.2 (optional).
    #[serde(default)]
    implications: Implications,
}

/// The paper's values, with the file they came from (for error messages).
#[derive(Clone, Debug, PartialEq)]
pub struct Paper {
    path: String,
    file: File,
}

impl Paper {
    /// The compiled-in copy of [`BUILTIN_PATH`].
    pub fn builtin() -> Result<Paper, PaperError> {
        Paper::parse(BUILTIN_TEXT, BUILTIN_PATH)
    }

    /// Reads and parses a calibration file.
    pub fn load(path: &Path) -> Result<Paper, PaperError> {
        let text = std::fs::read_to_string(path).map_err(|source| PaperError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Paper::parse(&text, &path.display().to_string())
    }

    /// Parses calibration text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Paper, PaperError> {
        let parse = |message: String| PaperError::Parse {
            path: origin.to_string(),
            message: message.trim().replace('\n', " "),
        };
        let file: File = toml::from_str(text).map_err(|e| parse(describe(text, &e)))?;
        for (nic, e) in &file.echo_line_rate {
            for (size, n) in &e.cores_needed {
                if size.parse::<u32>().is_err() {
                    return Err(parse(format!("echo_line_rate.{nic}.cores_needed: key `{size}` is not a packet size in bytes")));
                }
                if let CoresNeeded::Never(s) = n {
                    if s != "none" {
                        return Err(parse(format!("echo_line_rate.{nic}.cores_needed.\"{size}\" = \"{s}\": expected a core count or \"none\"")));
                    }
                }
            }
        }
        Ok(Paper {
            path: origin.to_string(),
            file,
        })
    }

    /// Fig. 4 knees for `nic` by packet size, if the file states them.
    pub fn fig4_knee_us(&self, nic: &str) -> Option<&BTreeMap<String, f64>> {
        self.file.fig4_knee_us.get(nic)
    }

    /// Fig. 5 p99 latencies by `"<size>B_<cores>cores"`, if the file states them.
    pub fn fig5_p99_us(&self) -> &BTreeMap<String, f64> {
        &self.file.fig5_p99_us
    }

    /// The qualitative implications the file states.
    pub fn implications(&self) -> Implications {
        self.file.implications
    }

    /// The file the values came from.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// An error naming this file: a value a generator cannot use (bad input).
    pub fn invalid(&self, message: impl Into<String>) -> PaperError {
        PaperError::Parse {
            path: self.path.clone(),
            message: message.into(),
        }
    }

    fn missing(&self, table: String, cite: &'static str) -> PaperError {
        PaperError::Missing {
            path: self.path.clone(),
            table,
            cite,
        }
    }

    /// Table 2 row of a platform. LiquidIO CN2350 and CN2360 share the
    /// `liquidio` row (the paper: they perform alike).
    pub fn memory_latency(&self, platform: &str) -> Result<&MemoryLatency, PaperError> {
        let key = if platform.starts_with("liquidio_") {
            "liquidio"
        } else {
            platform
        };
        self.file
            .memory_latency_ns
            .get(key)
            .ok_or_else(|| self.missing(format!("memory_latency_ns.{key}"), "Table 2"))
    }

    /// Echo line-rate core counts of a NIC, by packet size (ascending);
    /// `None` = never with every core.
    pub fn echo_cores_needed(&self, nic: &str) -> Result<Vec<(u32, Option<u32>)>, PaperError> {
        let e = self.file.echo_line_rate.get(nic).ok_or_else(|| {
            self.missing(format!("echo_line_rate.{nic}"), "Sec. 2.2.2, Figs. 2 and 3")
        })?;
        let mut v: Vec<(u32, Option<u32>)> = e
            .cores_needed
            .iter()
            // Keys were checked in `parse`.
            .filter_map(|(size, n)| {
                let size = size.parse::<u32>().ok()?;
                Some((
                    size,
                    match n {
                        CoresNeeded::Cores(c) => Some(*c),
                        CoresNeeded::Never(_) => None,
                    },
                ))
            })
            .collect();
        v.sort_unstable();
        Ok(v)
    }

    /// Table 3 task execution times on a NIC, us, by task name.
    pub fn task_exec_us(&self, nic: &str) -> Result<&BTreeMap<String, f64>, PaperError> {
        self.file
            .task_exec_us
            .get(nic)
            .ok_or_else(|| self.missing(format!("task_exec_us.{nic}"), "Sec. 2.2.3, Table 3"))
    }

    /// Table 3 accelerator speedups over the host, by accelerator name.
    pub fn accelerator_speedup(&self, nic: &str) -> Result<&BTreeMap<String, f64>, PaperError> {
        self.file
            .accelerator_speedup_vs_host
            .get(nic)
            .ok_or_else(|| {
                self.missing(
                    format!("accelerator_speedup_vs_host.{nic}"),
                    "Sec. 2.2.3, Table 3",
                )
            })
    }

    /// Fig. 6 speedups.
    pub fn messaging_speedup(&self, nic: &str) -> Result<&MessagingSpeedup, PaperError> {
        self.file
            .messaging_speedup
            .get(nic)
            .ok_or_else(|| self.missing(format!("messaging_speedup.{nic}"), "Fig. 6"))
    }

    /// Figs. 7 and 8 values.
    pub fn dma(&self, nic: &str) -> Result<&DmaValues, PaperError> {
        self.file
            .dma
            .get(nic)
            .ok_or_else(|| self.missing(format!("dma.{nic}"), "Sec. 2.2.5, Figs. 7 and 8"))
    }

    /// Fig. 9 values.
    pub fn rdma(&self, nic: &str) -> Result<&RdmaValues, PaperError> {
        self.file
            .rdma
            .get(nic)
            .ok_or_else(|| self.missing(format!("rdma.{nic}"), "Sec. 2.2.5, Fig. 9"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_file_parses_with_every_table() {
        let p = Paper::builtin().unwrap();
        assert_eq!(p.memory_latency("liquidio_cn2360").unwrap().l2, 55.8);
        assert_eq!(p.memory_latency("host_e5_2620v4").unwrap().l3, Some(22.4));
        assert_eq!(
            p.echo_cores_needed("liquidio_cn2350").unwrap(),
            [(64, None), (128, None), (256, Some(10)), (1500, Some(3))]
        );
        assert_eq!(
            p.task_exec_us("liquidio_cn2350").unwrap()["top_ranker"],
            34.0
        );
        assert_eq!(
            p.dma("liquidio_cn2350")
                .unwrap()
                .blocking_write_speedup_2kb_over_64b,
            8.7
        );
    }

    #[test]
    fn a_wrong_type_names_the_file_and_the_key() {
        let text = BUILTIN_TEXT.replace("vs_dpdk_send = 4.6", "vs_dpdk_send = \"fast\"");
        let e = Paper::parse(&text, "my.toml").unwrap_err().to_string();
        assert!(e.starts_with("my.toml: invalid calibration file"), "{e}");
        let line = text.lines().position(|l| l.contains("\"fast\"")).unwrap() + 1;
        assert!(
            e.contains(&format!("line {line} (`vs_dpdk_send = \"fast\"`)")),
            "{e}"
        );
        assert!(e.contains("expected f64"), "{e}");
    }

    #[test]
    fn a_missing_table_names_the_file_table_and_citation() {
        let text = BUILTIN_TEXT.replace("[rdma.bluefield_1m332a]", "[rdma.other]");
        let p = Paper::parse(&text, "my.toml").unwrap();
        let e = p.rdma("bluefield_1m332a").unwrap_err().to_string();
        assert!(
            e.contains("my.toml") && e.contains("[rdma.bluefield_1m332a]") && e.contains("Fig. 9"),
            "{e}"
        );
    }

    #[test]
    fn a_bad_core_count_is_refused() {
        let text = BUILTIN_TEXT.replace(
            "\"64\" = \"none\", \"128\" = \"none\", \"256\" = 10",
            "\"64\" = \"never\", \"128\" = \"none\", \"256\" = 10",
        );
        let e = Paper::parse(&text, "x.toml").unwrap_err().to_string();
        assert!(
            e.contains("\"never\"") && e.contains("echo_line_rate"),
            "{e}"
        );
    }
}
