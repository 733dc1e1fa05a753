//! `--pcap DIR`: one pcap file per switch port with every frame the port sent, headers synthesized from the frame.
//!
//! Format: classic pcap with nanosecond timestamps (magic 0xa1b23c4d),
//! link type Ethernet, written with the `pcap-file` crate (a maintained
//! reader/writer; the format is simple, but a real reader in the tests is
//! the point). Each record is the frame's Ethernet/IPv4/UDP header (42 B,
//! from its flow key) with `orig_len` = the frame's length on the wire
//! minus the 4 B FCS, which capture tools never show: tcpdump and
//! Wireshark show the true lengths and the simulated times, payload
//! bytes are not stored (42 B records). The timestamp is when the frame's
//! first bit left the port. Bounded: at most `max_records` records in all;
//! the rest are counted, not written.

use crate::cluster::fabric::{PortTap, TapTotals, WireFrame};
use crate::cluster::link::Transit;
use crate::cluster::topology::{NodeRef, Topology};
/// The pcap crate, for readers of these files (tests, tools).
pub use pcap_file;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::{DataLink, Endianness, TsResolution};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Bytes of Ethernet (14) + IPv4 (20) + UDP (8) headers stored per record.
pub const HEADER_BYTES: usize = 42;
/// FCS bytes counted in a frame's length but not captured.
pub const FCS_BYTES: u32 = 4;
/// Default bound on records across all files (about 70 MB of pcap).
pub const DEFAULT_MAX_RECORDS: u64 = 1_000_000;

/// A pcap problem (creating or writing a file).
#[derive(Debug, thiserror::Error)]
pub enum PcapError {
    /// The directory or a file could not be created.
    #[error("cannot create {path}: {source}")]
    Create {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A record could not be written.
    #[error("cannot write {path}: {message}")]
    Write {
        /// The path.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

struct PortFile {
    path: PathBuf,
    writer: PcapWriter<BufWriter<File>>,
    records: u64,
}

/// The pcap files of every switch port.
pub struct PcapSet {
    /// `files[switch][port]`.
    files: Vec<Vec<PortFile>>,
    max_records: u64,
    written: u64,
    /// Records not written because `max_records` was reached.
    pub truncated: u64,
    /// The first write error (later records are not attempted).
    error: Option<PcapError>,
}

/// The file name of a switch port: `tor0-p3-s3.pcap` (switch, port, the node at the other end).
pub fn port_file_name(t: &Topology, switch: u32, port: usize, peer: NodeRef) -> String {
    format!(
        "{}-p{port}-{}.pcap",
        t.switches[switch as usize].name,
        t.name(peer)
    )
}

impl PcapSet {
    /// Creates `dir` and one file per switch port of `t`.
    pub fn create(dir: &Path, t: &Topology, max_records: u64) -> Result<PcapSet, PcapError> {
        std::fs::create_dir_all(dir).map_err(|source| PcapError::Create {
            path: dir.to_path_buf(),
            source,
        })?;
        let header = PcapHeader {
            // Records hold 42 B, but the header says 65535: pcap-file's
            // reader (and some tools) refuse an orig_len above the snaplen.
            snaplen: 65535,
            datalink: DataLink::ETHERNET,
            ts_resolution: TsResolution::NanoSecond,
            endianness: Endianness::Little,
            ..PcapHeader::default()
        };
        let mut files = Vec::new();
        for s in 0..t.switches.len() as u32 {
            let mut ports = Vec::new();
            for (port, (_, peer)) in t.ports(NodeRef::Switch(s)).into_iter().enumerate() {
                let path = dir.join(port_file_name(t, s, port, peer));
                let file = File::create(&path).map_err(|source| PcapError::Create {
                    path: path.clone(),
                    source,
                })?;
                let writer =
                    PcapWriter::with_header(BufWriter::new(file), header).map_err(|e| {
                        PcapError::Write {
                            path: path.clone(),
                            message: e.to_string(),
                        }
                    })?;
                ports.push(PortFile {
                    path,
                    writer,
                    records: 0,
                });
            }
            files.push(ports);
        }
        Ok(PcapSet {
            files,
            max_records,
            written: 0,
            truncated: 0,
            error: None,
        })
    }

    /// One set per switch, each holding that switch's port files, for
    /// partitions that run one switch each (each writes its own files, so
    /// the records do not depend on which thread ran which switch). The
    /// bound on records is shared out evenly: each switch may write
    /// `max_records / switches` (rounded up).
    pub fn split_by_switch(self) -> Vec<PcapSet> {
        let switches = self.files.len().max(1) as u64;
        let max_records = self.max_records.div_ceil(switches);
        let count = self.files.len();
        self.files
            .into_iter()
            .enumerate()
            .map(|(s, ports)| {
                let mut files: Vec<Vec<PortFile>> = (0..count).map(|_| Vec::new()).collect();
                files[s] = ports;
                PcapSet {
                    files,
                    max_records,
                    written: 0,
                    truncated: 0,
                    error: None,
                }
            })
            .collect()
    }

    /// Records written.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Flushes every file; what was written and what was past the bound,
    /// or the first error of the run.
    pub fn finish_files(self) -> Result<TapTotals, PcapError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        for port in self.files.into_iter().flatten() {
            let path = port.path;
            let mut w = port.writer.into_writer();
            std::io::Write::flush(&mut w).map_err(|e| PcapError::Write {
                path,
                message: e.to_string(),
            })?;
        }
        Ok(TapTotals {
            written: self.written,
            over_bound: self.truncated,
        })
    }
}

impl PortTap for PcapSet {
    fn finish(self: Box<Self>) -> Result<TapTotals, PcapError> {
        self.finish_files()
    }

    fn sent(&mut self, switch: u32, port: u16, transit: &Transit, frame: &WireFrame) {
        if self.error.is_some() {
            return;
        }
        if self.written >= self.max_records {
            self.truncated += 1;
            return;
        }
        let Some(file) = self
            .files
            .get_mut(switch as usize)
            .and_then(|p| p.get_mut(port as usize))
        else {
            return;
        };
        let data = headers(frame);
        let ps = transit.tx_start.as_ps();
        let packet = PcapPacket::new(
            Duration::from_nanos(ps / 1000),
            frame
                .bytes
                .saturating_sub(FCS_BYTES)
                .max(HEADER_BYTES as u32),
            &data,
        );
        match file.writer.write_packet(&packet) {
            Ok(_) => {
                file.records += 1;
                self.written += 1;
            }
            Err(e) => {
                self.error = Some(PcapError::Write {
                    path: file.path.clone(),
                    message: e.to_string(),
                })
            }
        }
    }
}

/// Ethernet, IPv4 and UDP headers of `frame` (lengths from its size, addresses from its flow).
pub fn headers(frame: &WireFrame) -> [u8; HEADER_BYTES] {
    let mut h = [0u8; HEADER_BYTES];
    let l2 = frame
        .bytes
        .saturating_sub(FCS_BYTES)
        .max(HEADER_BYTES as u32);
    let ip_len = (l2 - 14).min(u16::MAX as u32) as u16;
    // Locally administered MACs: 02:00 + the endpoint id.
    h[0..2].copy_from_slice(&[0x02, 0x00]);
    h[2..6].copy_from_slice(&frame.dst.to_be_bytes());
    h[6..8].copy_from_slice(&[0x02, 0x00]);
    h[8..12].copy_from_slice(&frame.src.to_be_bytes());
    h[12..14].copy_from_slice(&0x0800u16.to_be_bytes());
    let ip = &mut h[14..34];
    ip[0] = 0x45; // v4, 20 B header
    ip[2..4].copy_from_slice(&ip_len.to_be_bytes());
    ip[4..6].copy_from_slice(&(frame.id as u16).to_be_bytes());
    ip[6] = 0x40; // don't fragment
    ip[8] = 64; // TTL
    ip[9] = frame.flow.protocol;
    ip[12..16].copy_from_slice(&frame.flow.src_ip.octets());
    ip[16..20].copy_from_slice(&frame.flow.dst_ip.octets());
    let sum = checksum(ip);
    ip[10..12].copy_from_slice(&sum.to_be_bytes());
    let udp = &mut h[34..42];
    udp[0..2].copy_from_slice(&frame.flow.src_port.to_be_bytes());
    udp[2..4].copy_from_slice(&frame.flow.dst_port.to_be_bytes());
    udp[4..6].copy_from_slice(&(ip_len.saturating_sub(20)).to_be_bytes());
    // UDP checksum 0: "not computed" (RFC 768), the payload is not stored.
    h
}

/// The Internet checksum (RFC 1071) of `bytes`.
fn checksum(bytes: &[u8]) -> u16 {
    let mut sum: u32 = bytes
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]) as u32)
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::netsim;
    use crate::cluster::routing::tests::{section, udp_frames};
    use crate::cluster::spec::ClusterShape;
    use crate::cluster::Fabric;
    use nic_models::FlowKey;
    use pcap_file::pcap::PcapReader;
    use sim_core::SimDuration;
    use std::net::Ipv4Addr;

    #[test]
    fn ip_header_checksum_verifies() {
        let f = WireFrame {
            id: 7,
            src: 1,
            dst: 2,
            bytes: 256,
            flow: FlowKey {
                src_ip: Ipv4Addr::new(10, 0, 0, 1),
                dst_ip: Ipv4Addr::new(10, 0, 0, 2),
                src_port: 1234,
                dst_port: 5000,
                protocol: 17,
            },
        };
        let h = headers(&f);
        assert_eq!(checksum(&h[14..34]), 0, "a valid header sums to zero");
        assert_eq!(u16::from_be_bytes([h[16], h[17]]), 256 - 4 - 14);
        assert_eq!(u16::from_be_bytes([h[38], h[39]]), 256 - 4 - 14 - 20);
    }

    /// Sends 5 frames from the client (endpoint 2) to s1, 10 us apart,
    /// through `fab`, and finishes its tap.
    fn five_frames_to_s1(fab: &mut Fabric) -> TapTotals {
        let frames = udp_frames(
            5,
            (2, Ipv4Addr::new(10, 1, 0, 1)),
            (1, Ipv4Addr::new(10, 0, 0, 2)),
            1000,
            SimDuration::from_us(10),
            4000,
        );
        netsim::run(fab, &frames, 100, None).expect("runs");
        fab.take_tap().expect("tap").finish().expect("flushes")
    }

    #[test]
    fn a_port_file_reads_back_with_counts_and_ns_timestamps() {
        let mut c = section(ClusterShape::Star);
        c.servers = Some(2);
        c.clients = Some(1);
        c.link_gbps = Some(10.0);
        c.propagation_ns = Some(1000.0);
        c.switch_latency_ns = Some(500.0);
        let topo = crate::cluster::Topology::build(&c).expect("valid");
        let dir = std::env::temp_dir().join(format!("nicsim-pcap-test-{}", std::process::id()));
        let set = PcapSet::create(&dir, &topo, 1000).expect("creates");
        let mut fab = Fabric::new(topo.clone());
        fab.set_tap(Box::new(set));
        let totals = five_frames_to_s1(&mut fab);
        assert_eq!(totals.written, 5);
        assert_eq!(totals.over_bound, 0);
        let path = dir.join("tor0-p1-s1.pcap");
        let mut r = PcapReader::new(File::open(&path).expect("file exists")).expect("pcap header");
        assert_eq!(r.header().ts_resolution, TsResolution::NanoSecond);
        let mut times = Vec::new();
        while let Some(p) = r.next_packet() {
            let p = p.expect("valid record");
            assert_eq!(p.orig_len, 996);
            assert_eq!(p.data.len(), HEADER_BYTES);
            times.push(p.timestamp.as_nanos() as u64);
        }
        // Cut-through: the first bit leaves 1000 ns (link) + 500 ns after it was sent.
        let expected: Vec<u64> = (0..5).map(|i| i * 10_000 + 1500).collect();
        assert_eq!(times, expected);
        let other = dir.join("tor0-p0-s0.pcap");
        let r = PcapReader::new(File::open(other).expect("exists")).expect("header");
        let mut r = r;
        assert!(r.next_packet().is_none(), "no frame went to s0");
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    /// Records past the bound are counted, not lost silently; split by
    /// switch, the sets share the bound out (rounded up) and each keeps
    /// only its own switch's files.
    #[test]
    fn records_past_the_bound_are_counted_and_the_bound_is_shared_by_switch() {
        let mut c = section(ClusterShape::Star);
        (c.servers, c.clients) = (Some(2), Some(1));
        let topo = crate::cluster::Topology::build(&c).expect("valid");
        let dir = std::env::temp_dir().join(format!("nicsim-pcap-bound-{}", std::process::id()));
        let mut fab = Fabric::new(topo);
        fab.set_tap(Box::new(
            PcapSet::create(&dir, fab.topology(), 3).expect("creates"),
        ));
        let totals = five_frames_to_s1(&mut fab);
        assert_eq!((totals.written, totals.over_bound), (3, 2));
        std::fs::remove_dir_all(&dir).expect("clean up");

        let mut c = section(ClusterShape::LeafSpine);
        (c.racks, c.servers_per_rack, c.spines) = (Some(2), Some(2), Some(2));
        let topo = crate::cluster::Topology::build(&c).expect("valid");
        let set = PcapSet::create(&dir, &topo, 10).expect("creates");
        let sets = set.split_by_switch();
        assert_eq!(sets.len(), topo.switches.len());
        for (s, set) in sets.iter().enumerate() {
            assert_eq!(set.max_records, 3, "10 records over 4 switches");
            for (other, ports) in set.files.iter().enumerate() {
                assert_eq!(
                    ports.is_empty(),
                    other != s,
                    "switch {s} holds only its files"
                );
            }
        }
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
