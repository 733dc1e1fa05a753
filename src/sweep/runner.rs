//! Running a sweep: rayon workers run points, one writer thread appends results and shows progress.
//!
//! Workers never touch the file: they send finished rows over a channel to the
//! writer thread, which appends each row durably (see `results`) and then
//! advances the progress display. Progress is an indicatif bar with ETA when
//! stderr is a terminal, and plain lines (at most one per second, plus the
//! last) otherwise, e.g. in Slurm logs.

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use sim_core::Table;

use super::axes::{Expansion, Point};
use super::results::{self, point_cells, ResultsLog};
use super::shard::Shard;
use super::spec::SweepSpec;
use crate::input_error::InputError;

/// What runs one point. The real one builds and simulates a scenario; tests use fakes.
pub trait PointRunner: Sync {
    /// The metric columns `run` returns, in order.
    fn metric_columns(&self) -> Vec<String>;
    /// Cheap check that a point is runnable (e.g. the scenario builds), done for
    /// every point before any runs, so bad sweeps fail fast.
    fn validate(&self, _point: &Point) -> anyhow::Result<()> {
        Ok(())
    }
    /// Runs one point; returns one cell per metric column.
    fn run(&self, point: &Point) -> anyhow::Result<Vec<String>>;
}

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Progress {
    /// A bar if stderr is a terminal, else plain lines.
    Auto,
    Bar,
    Plain,
    Quiet,
}

/// Where and how to run.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    pub out: PathBuf,
    /// Worker threads (at least 1).
    pub jobs: usize,
    pub shard: Shard,
    pub progress: Progress,
}

/// What a sweep run did.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepOutcome {
    /// Points in this shard (after filters).
    pub selected: usize,
    /// Points found finished in results.csv and skipped.
    pub already_done: usize,
    /// Points run now (successfully).
    pub ran: usize,
    /// (point id, error) of points that failed; they are not in results.csv and rerun on resume.
    pub failed: Vec<(String, String)>,
    /// DIR/results.csv.
    pub results: PathBuf,
}

enum Msg {
    Done(String, Vec<String>, Duration),
    Failed(String, String),
}

/// Runs (or resumes) the points of `opts.shard` into `opts.out`/results.csv.
///
/// Points come from the lazy expansion, one at a time: memory holds the result
/// rows (needed to write the sorted table at the end), never the point list.
pub fn run_sweep(
    spec: &SweepSpec,
    runner: &dyn PointRunner,
    opts: &SweepOptions,
) -> anyhow::Result<SweepOutcome> {
    let exp = Expansion::new(spec);
    let mine = || opts.shard.pick(exp.iter());
    let metrics = runner.metric_columns();
    let file = if spec.path.as_os_str().is_empty() {
        spec.name.clone()
    } else {
        spec.path.display().to_string()
    };
    // A swept key named like a metric column is a sweep-file mistake.
    let header = results::header(&spec.keys(), &metrics)
        .map_err(|e| InputError::new(file.clone(), None, "axis.key", format!("{e:#}")))?;
    let (mut selected, mut invalid) = (0usize, 0usize);
    let mut first_bad = None;
    for p in mine() {
        selected += 1;
        if let Err(e) = runner.validate(&p) {
            invalid += 1;
            first_bad.get_or_insert_with(|| format!("point {} ({}): {e:#}", p.id, describe(&p)));
        }
    }
    if let Some(first) = first_bad {
        return Err(InputError::new(
            file,
            None,
            "",
            format!(
                "{invalid} of {selected} point(s) of sweep `{}` are invalid scenarios; the first: {first}",
                spec.name
            ),
        )
        .into());
    }

    let (mut log, existing) = ResultsLog::open(&opts.out, &header)?;
    let (mut rows, done) = finished_rows(existing, mine(), log.path(), opts.shard, &spec.name)?;
    let already_done = done.len();
    let mut failed = Vec::new();
    let mut ran = 0;

    if already_done < selected {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(opts.jobs.max(1))
            .build()
            .context("cannot start worker threads")?;
        let abort = AtomicBool::new(false);
        let (tx, rx) = mpsc::channel::<Msg>();
        let total = selected - already_done;
        let writer_result = std::thread::scope(|s| {
            let writer = s.spawn(|| -> anyhow::Result<()> {
                let mut shown = Shower::new(opts.progress, &spec.name, total, already_done);
                for msg in rx {
                    match msg {
                        Msg::Done(id, cells, took) => {
                            if let Err(e) = log.append(&cells) {
                                abort.store(true, Ordering::Relaxed);
                                return Err(e.context(format!(
                                    "cannot append to {}",
                                    log.path().display()
                                )));
                            }
                            rows.push(cells);
                            ran += 1;
                            shown.tick(&id, took);
                        }
                        Msg::Failed(id, err) => {
                            shown.message(&format!("point {id} failed: {err}"));
                            failed.push((id, err));
                            shown.tick("", Duration::ZERO);
                        }
                    }
                }
                shown.finish();
                Ok(())
            });
            let todo = mine().filter(|p| !done.contains(&p.id));
            pool.install(|| {
                // par_bridge pulls points from the lazy iterator as workers free up.
                todo.par_bridge().for_each_with(tx, |tx, p| {
                    if abort.load(Ordering::Relaxed) {
                        return;
                    }
                    let t0 = Instant::now();
                    // A panic in one point (a model bug) fails that point, not the sweep.
                    let result =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| runner.run(&p)))
                            .unwrap_or_else(|panic| {
                                Err(anyhow::anyhow!("panicked: {}", panic_text(&panic)))
                            });
                    let msg = match result {
                        Ok(m) if m.len() == metrics.len() => {
                            let mut cells = point_cells(&p);
                            cells.extend(m);
                            Msg::Done(p.id.clone(), cells, t0.elapsed())
                        }
                        Ok(m) => Msg::Failed(
                            p.id.clone(),
                            format!(
                                "runner returned {} metrics, expected {}",
                                m.len(),
                                metrics.len()
                            ),
                        ),
                        Err(e) => Msg::Failed(p.id.clone(), format!("{e:#}")),
                    };
                    // The writer only stops receiving after an append error, which it reports itself.
                    if tx.send(msg).is_err() {
                        abort.store(true, Ordering::Relaxed);
                    }
                });
            });
            writer
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("results writer thread panicked")))
        });
        writer_result?;
    }

    let path = log.path().to_path_buf();
    drop(log);
    if failed.is_empty() {
        let mut t = Table::new(header);
        t.rows = rows;
        results::sort_by_point_id(&mut t);
        results::write_csv_atomic(&path, &t)?;
    }
    failed.sort();
    Ok(SweepOutcome {
        selected,
        already_done,
        ran,
        failed,
        results: path,
    })
}

/// Checks the rows found in results.csv against this shard's points (streamed)
/// and returns them (first of any duplicates) with the set of finished ids.
fn finished_rows(
    existing: Vec<Vec<String>>,
    mine: impl Iterator<Item = Point>,
    path: &std::path::Path,
    shard: Shard,
    name: &str,
) -> anyhow::Result<(Vec<Vec<String>>, BTreeSet<String>)> {
    // Row index of the first row of each id; duplicates are dropped.
    let mut first: BTreeMap<String, usize> = BTreeMap::new();
    for (i, row) in existing.iter().enumerate() {
        first.entry(row[0].clone()).or_insert(i);
    }
    let mut done = BTreeSet::new();
    for p in mine {
        let Some(&i) = first.get(&p.id) else {
            continue;
        };
        let row = &existing[i];
        let lead = point_cells(&p);
        if row.len() < lead.len() || row[..lead.len()] != lead[..] {
            crate::input_bail!(
                path.display(),
                None,
                "",
                "row {} has parameters [{}] but the sweep file now gives [{}]: the sweep changed. Fix: use a fresh --out directory.",
                p.id,
                row[..lead.len().min(row.len())].join(","),
                lead.join(",")
            );
        }
        done.insert(p.id);
    }
    if let Some(stray) = first.keys().find(|id| !done.contains(*id)) {
        crate::input_bail!(
            path.display(),
            None,
            "",
            "has point {stray} which is not in shard {shard} of sweep `{name}`. Fix: use a fresh --out directory per sweep and shard."
        );
    }
    let keep: BTreeSet<usize> = first.values().copied().collect();
    let rows = existing
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, r)| r)
        .collect();
    Ok((rows, done))
}

/// The message of a caught panic.
fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

/// `key=value, ...` of a point, for messages.
pub fn describe(p: &Point) -> String {
    let mut v: Vec<String> = p
        .params
        .iter()
        .map(|(k, val)| format!("{k}={}", super::axes::param_cell(val)))
        .collect();
    v.push(format!("rep={}", p.repetition));
    v.join(", ")
}

/// The progress display: a bar, plain lines, or nothing.
struct Shower {
    bar: Option<ProgressBar>,
    plain: bool,
    name: String,
    total: usize,
    done: usize,
    start: Instant,
    last_line: Option<Instant>,
}

impl Shower {
    fn new(mode: Progress, name: &str, total: usize, already: usize) -> Shower {
        let mode = match mode {
            Progress::Auto if std::io::stderr().is_terminal() => Progress::Bar,
            Progress::Auto => Progress::Plain,
            m => m,
        };
        let bar = (mode == Progress::Bar).then(|| {
            let b = ProgressBar::new(total as u64);
            b.set_style(
                ProgressStyle::with_template(
                    "{prefix} [{bar:30}] {pos}/{len} points, {elapsed} elapsed, ETA {eta}",
                )
                .expect("static template is valid")
                .progress_chars("=> "),
            );
            b.set_prefix(name.to_string());
            b
        });
        if mode == Progress::Plain {
            eprintln!("sweep {name}: {total} point(s) to run, {already} already done");
        }
        Shower {
            bar,
            plain: mode == Progress::Plain,
            name: name.into(),
            total,
            done: 0,
            start: Instant::now(),
            last_line: None,
        }
    }

    fn tick(&mut self, id: &str, took: Duration) {
        self.done += 1;
        if let Some(b) = &self.bar {
            b.inc(1);
        } else if self.plain {
            let now = Instant::now();
            let due = self
                .last_line
                .map_or(true, |t| now - t >= Duration::from_secs(1))
                || self.done == self.total;
            if due {
                self.last_line = Some(now);
                let el = self.start.elapsed().as_secs_f64();
                let eta = el / self.done as f64 * (self.total - self.done) as f64;
                let what = if id.is_empty() {
                    String::new()
                } else {
                    format!(" (last: {id} in {:.2}s)", took.as_secs_f64())
                };
                eprintln!(
                    "sweep {}: {}/{} done{what}, elapsed {el:.0}s, ETA {eta:.0}s",
                    self.name, self.done, self.total
                );
            }
        }
    }

    fn message(&self, m: &str) {
        match &self.bar {
            Some(b) => b.println(m),
            None => eprintln!("{m}"),
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish();
        }
    }
}
