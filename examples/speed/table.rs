//! One speed table: a row per case (medians and minimum of its interleaved runs) and the speed-up of every case run on 1 and 2 threads, printed; the figures a summary over several tables needs, returned.

use crate::{Case, Measured};

/// What one table gives the summary over tables ([`crate::targets`]).
pub struct TableFigures {
    /// Every case that simulates time: its name and `x_cpu` (simulated
    /// time over CPU time per thread, median run).
    pub x_cpu: Vec<(String, f64)>,
    /// Every family run on 1 and 2 threads: its name, the speed-up by wall
    /// median and the paired speed-up by CPU per thread.
    pub speedups: Vec<(String, f64, f64)>,
}

/// One case's times: every run's wall and CPU time (per thread), in run
/// order, and what its last run measured.
pub struct CaseRuns {
    pub walls: Vec<f64>,
    pub cpus: Vec<f64>,
    pub last: Option<Measured>,
}

/// Median, minimum and maximum of a non-empty sample.
pub fn spread(v: &[f64]) -> (f64, f64, f64) {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    (s[s.len() / 2], s[0], s[s.len() - 1])
}

/// One case's figures: wall median and minimum, CPU median, and its runs.
struct Row<'a> {
    case: &'a Case,
    runs: &'a CaseRuns,
    med: f64,
    min: f64,
    cpu_med: f64,
}

/// Prints the table of `cases` (with `runs[i]` the runs of `cases[i]`)
/// under `header`, then the speed-ups; returns the figures for a summary.
pub fn print_table(header: &str, cases: &[Case], runs: &[CaseRuns]) -> TableFigures {
    println!("{header}");
    println!(
        "{:<34} {:>10} {:>10} {:>10} {:>8} {:>8} {:>8} {:>11} {:>9} {:>11}",
        "case",
        "wall_med_s",
        "wall_min_s",
        "cpu_med_s",
        "x_real",
        "x_best",
        "x_cpu",
        "events/s",
        "events",
        "events/unit"
    );
    let mut rows = Vec::new();
    let mut x_cpu = Vec::new();
    for (c, r) in cases.iter().zip(runs) {
        let Some(m) = &r.last else { continue };
        let (med, min, _) = spread(&r.walls);
        let (cpu_med, _, _) = spread(&r.cpus);
        let real = |seconds: f64| {
            m.sim_s
                .map_or("-".to_string(), |s| format!("{:.3}", s / seconds))
        };
        if let Some(s) = m.sim_s {
            x_cpu.push((c.name.clone(), s / cpu_med));
        }
        let per_unit = m.units.filter(|&u| u > 0).map_or("-".to_string(), |u| {
            format!("{:.2}", m.events as f64 / u as f64)
        });
        println!(
            "{:<34} {:>10.3} {:>10.3} {:>10.3} {:>8} {:>8} {:>8} {:>11.3e} {:>9} {:>11}",
            c.name,
            med,
            min,
            cpu_med,
            real(med),
            real(min),
            real(cpu_med),
            m.events as f64 / med,
            m.events,
            per_unit
        );
        rows.push(Row {
            case: c,
            runs: r,
            med,
            min,
            cpu_med,
        });
    }
    let speedups = print_speedups(&rows);
    TableFigures { x_cpu, speedups }
}

/// Speed-up of every case that ran on 1 and on 2 threads: 1-thread time
/// over 2-thread time, by wall median, wall minimum and CPU per thread;
/// then paired: the median over the rounds of each round's ratio. Why
/// paired: a round's 1-thread and 2-thread runs follow each other within
/// a second, so a minute in which the host runs everything slower slows
/// both, and their ratio keeps; the medians of a noisy stretch may pair a
/// slow minute's run with a quick one's. Returns (family, wall median
/// speed-up, paired CPU-per-thread speed-up) for each.
fn print_speedups(rows: &[Row<'_>]) -> Vec<(String, f64, f64)> {
    let paired = |a: &[f64], b: &[f64]| {
        let r: Vec<f64> = a.iter().zip(b).map(|(x, y)| x / y).collect();
        spread(&r).0
    };
    let mut out = Vec::new();
    for r1 in rows.iter().filter(|r| r.case.threads == 1) {
        let Some(r2) = rows
            .iter()
            .find(|r| r.case.threads == 2 && r.case.family == r1.case.family)
        else {
            continue;
        };
        let paired_cpu = paired(&r1.runs.cpus, &r2.runs.cpus);
        println!(
            "speed-up of {} on 2 threads: {:.2}x wall median, {:.2}x wall minimum, {:.2}x CPU per thread; \
             paired by round: {:.2}x wall, {:.2}x CPU per thread",
            r1.case.family,
            r1.med / r2.med,
            r1.min / r2.min,
            r1.cpu_med / r2.cpu_med,
            paired(&r1.runs.walls, &r2.runs.walls),
            paired_cpu
        );
        out.push((r1.case.family.clone(), r1.med / r2.med, paired_cpu));
    }
    out
}
