//! `--trace FILE.json`: a bounded writer of Chrome trace-event JSON (open in ui.perfetto.dev or chrome://tracing).
//!
//! Conventions (the Trace Event Format): `ts` and `dur` are microseconds,
//! written here with 3 decimals (ns resolution); `pid` is the server (its
//! index; clients and switches after the servers), `tid` the core (NIC
//! cores 0..n, host cores 1000 + k). Phases used: `M` metadata (process and
//! thread names), `X` complete slices (one per actor execution), `s`/`f`
//! flow events (a message from its sending slice to its receiving slice;
//! each flow event carries the same `cat`, `pid`, `tid` and `ts` as the
//! slice it binds to, and `f` has `"bp":"e"` so it binds to the enclosing
//! slice), and `C` counters (queue depths).
//!
//! Bounded: events outside the window `[start, end)` are skipped (counted),
//! and at most `max_events` are kept; later ones are counted as truncated
//! and the count is written into the file's metadata.

use sim_core::SimTime;

/// Default bound on kept events (about 150 MB of JSON).
pub const DEFAULT_MAX_EVENTS: usize = 1_000_000;
/// `tid` offset of host cores (NIC cores are 0..n).
pub const HOST_TID_BASE: u32 = 1000;

/// A track: process (server) and thread (core).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Track {
    /// The server (process).
    pub pid: u32,
    /// The core (thread).
    pub tid: u32,
}

/// The trace being built.
#[derive(Clone, Debug)]
pub struct ChromeTrace {
    start: SimTime,
    end: SimTime,
    max_events: usize,
    meta: Vec<String>,
    events: Vec<String>,
    /// Events not kept because `max_events` was reached.
    pub truncated: u64,
    /// Events skipped because they lie outside the window.
    pub outside_window: u64,
    /// Flow arrows started but forgotten before their end (a bounded
    /// pending set overflowed): each is an `s` without an `f`.
    pub unfinished_flows: u64,
}

/// Microseconds with ns resolution: `12.345`.
fn us(t: SimTime) -> String {
    let ns = t.as_ns();
    format!("{}.{:03}", ns / 1000, ns % 1000)
}

/// A JSON string literal.
fn js(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl ChromeTrace {
    /// A trace of `[start, end)` keeping at most `max_events` events.
    pub fn new(start: SimTime, end: SimTime, max_events: usize) -> ChromeTrace {
        ChromeTrace {
            start,
            end,
            max_events,
            meta: Vec::new(),
            events: Vec::new(),
            truncated: 0,
            outside_window: 0,
            unfinished_flows: 0,
        }
    }

    /// Names process `pid` (a server, `s0`).
    pub fn process_name(&mut self, pid: u32, name: &str) {
        self.meta.push(format!(
            "{{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":{pid},\"tid\":0,\"args\":{{\"name\":{}}}}}",
            js(name)
        ));
    }

    /// Names thread `tid` of `pid` (a core, `nic core 3`).
    pub fn thread_name(&mut self, pid: u32, tid: u32, name: &str) {
        self.meta.push(format!(
            "{{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":{pid},\"tid\":{tid},\"args\":{{\"name\":{}}}}}",
            js(name)
        ));
    }

    fn push(&mut self, at: SimTime, until: SimTime, event: impl FnOnce() -> String) -> bool {
        if until < self.start || at >= self.end {
            self.outside_window += 1;
            return false;
        }
        if self.events.len() >= self.max_events {
            self.truncated += 1;
            return false;
        }
        self.events.push(event());
        true
    }

    /// A complete slice: `name` ran on (`pid`, `tid`) over `[start, end]`;
    /// `args` are shown when it is selected. Returns whether it was kept.
    pub fn slice(
        &mut self,
        Track { pid, tid }: Track,
        cat: &str,
        name: &str,
        start: SimTime,
        end: SimTime,
        args: &[(&str, u64)],
    ) -> bool {
        self.push(start, end, || {
            let mut a = String::new();
            for (i, (k, v)) in args.iter().enumerate() {
                let sep = if i == 0 { "" } else { "," };
                a.push_str(&format!( "{sep}{}:{v}", js(k)));
            }
            let dur = SimTime::ZERO + end.saturating_since(start);
            format!(
                "{{\"ph\":\"X\",\"cat\":{},\"name\":{},\"pid\":{pid},\"tid\":{tid},\"ts\":{},\"dur\":{},\"args\":{{{a}}}}}",
                js(cat),
                js(name),
                us(start),
                us(dur)
            )
        })
    }

    /// A flow (message `id`) leaves the slice on (`pid`, `tid`) that starts at `at`.
    pub fn flow_start(
        &mut self,
        id: u64,
        Track { pid, tid }: Track,
        cat: &str,
        at: SimTime,
    ) -> bool {
        self.push(at, at, || {
            format!(
                "{{\"ph\":\"s\",\"id\":{id},\"cat\":{},\"name\":\"msg\",\"pid\":{pid},\"tid\":{tid},\"ts\":{}}}",
                js(cat),
                us(at)
            )
        })
    }

    /// Flow `id` passes through the slice on (`pid`, `tid`) that encloses `at`.
    pub fn flow_step(
        &mut self,
        id: u64,
        Track { pid, tid }: Track,
        cat: &str,
        at: SimTime,
    ) -> bool {
        self.push(at, at, || {
            format!(
                "{{\"ph\":\"t\",\"id\":{id},\"cat\":{},\"name\":\"msg\",\"pid\":{pid},\"tid\":{tid},\"ts\":{}}}",
                js(cat),
                us(at)
            )
        })
    }

    /// Flow `id` arrives in the slice on (`pid`, `tid`) that encloses `at`.
    pub fn flow_end(&mut self, id: u64, Track { pid, tid }: Track, cat: &str, at: SimTime) -> bool {
        self.push(at, at, || {
            format!(
                "{{\"ph\":\"f\",\"bp\":\"e\",\"id\":{id},\"cat\":{},\"name\":\"msg\",\"pid\":{pid},\"tid\":{tid},\"ts\":{}}}",
                js(cat),
                us(at)
            )
        })
    }

    /// Counter `name` of `pid` has `value` from `at` on (e.g. a queue depth).
    pub fn counter(&mut self, pid: u32, name: &str, at: SimTime, value: u64) -> bool {
        self.push(at, at, || {
            format!(
                "{{\"ph\":\"C\",\"name\":{},\"pid\":{pid},\"ts\":{},\"args\":{{\"value\":{value}}}}}",
                js(name),
                us(at)
            )
        })
    }

    /// Appends `other`'s metadata and events (a partition's part of a
    /// parallel run), keeping the bound: what does not fit is counted truncated.
    pub fn absorb(&mut self, other: ChromeTrace) {
        self.meta.extend(other.meta);
        self.outside_window += other.outside_window;
        self.unfinished_flows += other.unfinished_flows;
        self.truncated += other.truncated;
        for e in other.events {
            if self.events.len() >= self.max_events {
                self.truncated += 1;
            } else {
                self.events.push(e);
            }
        }
    }

    /// Events kept.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// No event kept.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The JSON document (object form, with the truncation counts as metadata).
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"traceEvents\":[\n");
        let all: Vec<&String> = self.meta.iter().chain(&self.events).collect();
        for (i, e) in all.iter().enumerate() {
            out.push_str(e);
            out.push_str(if i + 1 == all.len() { "\n" } else { ",\n" });
        }
        out.push_str(&format!(
            "],\"displayTimeUnit\":\"ns\",\"metadata\":{{\"generator\":\"nicsim\",\"window_start_us\":{},\"window_end_us\":{},\"events\":{},\"truncated_events\":{},\"outside_window_events\":{},\"unfinished_flows\":{}}}}}\n",
            us(self.start),
            us(self.end),
            self.events.len(),
            self.truncated,
            self.outside_window,
            self.unfinished_flows
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::SimDuration;

    fn t(ns: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_ns(ns)
    }

    #[test]
    fn slices_flows_and_counters_are_valid_json_in_microseconds() {
        let mut tr = ChromeTrace::new(SimTime::ZERO, t(1_000_000), 100);
        tr.process_name(0, "s0");
        tr.thread_name(0, 3, "nic core 3");
        assert!(tr.slice(
            Track { pid: 0, tid: 3 },
            "actor",
            "kv \"get\"",
            t(1500),
            t(2750),
            &[("msg", 7)]
        ));
        assert!(tr.flow_start(7, Track { pid: 0, tid: 3 }, "actor", t(1500)));
        assert!(tr.flow_end(7, Track { pid: 1, tid: 1001 }, "actor", t(9000)));
        assert!(tr.counter(0, "tm queue", t(2000), 12));
        let json = tr.to_json();
        assert!(json.contains("\"ph\":\"X\",\"cat\":\"actor\",\"name\":\"kv \\\"get\\\"\",\"pid\":0,\"tid\":3,\"ts\":1.500,\"dur\":1.250"));
        assert!(json.contains("\"ph\":\"f\",\"bp\":\"e\",\"id\":7"));
        assert!(json.contains(
            "\"ph\":\"C\",\"name\":\"tm queue\",\"pid\":0,\"ts\":2.000,\"args\":{\"value\":12}"
        ));
        let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        let events = v["traceEvents"].as_array().expect("array");
        assert_eq!(events.len(), 6);
        let x = events.iter().find(|e| e["ph"] == "X").expect("a slice");
        assert_eq!(x["ts"].as_f64(), Some(1.5));
        assert_eq!(x["dur"].as_f64(), Some(1.25));
        assert_eq!(x["args"]["msg"].as_u64(), Some(7));
    }

    #[test]
    fn the_window_and_the_event_bound_are_counted() {
        let mut tr = ChromeTrace::new(t(1000), t(2000), 2);
        assert!(!tr.counter(0, "q", t(999), 1), "before the window");
        assert!(!tr.counter(0, "q", t(2000), 1), "at its end");
        assert!(
            tr.slice(Track { pid: 0, tid: 0 }, "a", "x", t(500), t(1200), &[]),
            "overlaps the window"
        );
        assert!(tr.counter(0, "q", t(1500), 1));
        assert!(!tr.counter(0, "q", t(1600), 1), "over the bound");
        assert_eq!((tr.len(), tr.outside_window, tr.truncated), (2, 2, 1));
        assert!(tr
            .to_json()
            .contains("\"truncated_events\":1,\"outside_window_events\":2"));
    }
}
