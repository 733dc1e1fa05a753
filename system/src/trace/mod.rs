//! Traces people can open: pcap files of switch ports, Chrome/Perfetto JSON of cores and messages.
