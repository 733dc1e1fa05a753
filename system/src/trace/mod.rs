//! Traces people can open: pcap files of switch ports, Chrome/Perfetto JSON of cores and messages.
//!
//! `pcap`: one file per switch port (`--pcap DIR`), for tcpdump/Wireshark.
//! `chrome`: a Chrome trace-event JSON file (`--trace FILE.json`) for
//! ui.perfetto.dev or chrome://tracing: cores as tracks, actor executions
//! as slices, messages as flow arrows (over the network, `network`, and
//! across PCIe inside a server, `pcie`), queue depths as counters.

pub mod chrome;
pub mod network;
pub mod pcap;
pub mod pcie;
pub mod window;
