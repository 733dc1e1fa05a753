//! Statistics: latency histograms with percentiles, and per-window time series.
//!
//! Both have bounded memory: the histogram's buckets are fixed by its range
//! and precision, and a time series holds at most `max_windows` rows (later
//! windows are merged into the last one and counted).

mod latency;
mod time_series;

pub use latency::LatencyHistogram;
pub use time_series::TimeSeries;
