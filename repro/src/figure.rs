//! What a generator returns: a table, the claims it covers and how to plot it (the binary renders the plot).

use crate::claim::Claim;
use sim_core::Table;

/// How to plot a figure's table.
#[derive(Clone, Debug, PartialEq)]
pub struct PlotSpec {
    /// Column on the x axis.
    pub x: &'static str,
    /// Column on the y axis.
    pub y: &'static str,
    /// Columns whose values, joined, name the lines (empty: one line).
    pub series: &'static [&'static str],
    /// Plot title.
    pub title: String,
    /// Logarithmic y axis (for latencies spanning decades).
    pub log_y: bool,
}

/// One regenerated figure or table.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// `fig2`, `table2`, ...
    pub id: String,
    /// The data, written as `<id>.csv`.
    pub table: Table,
    /// Claims of the paper covered by this data.
    pub claims: Vec<Claim>,
    /// How to draw it, if it is a plot.
    pub plot: Option<PlotSpec>,
}

impl Figure {
    /// A figure from a table and its claims.
    pub fn new(id: &str, (table, claims): (Table, Vec<Claim>), plot: Option<PlotSpec>) -> Self {
        Figure {
            id: id.to_string(),
            table,
            claims,
            plot,
        }
    }

    /// The table to plot and its series column: the table itself when at most
    /// one column names the lines, else a copy with a `series` column joining
    /// them (not written to CSV). `None` when the figure has no plot.
    pub fn plot_table(&self) -> Option<(Table, Option<&'static str>, &PlotSpec)> {
        let p = self.plot.as_ref()?;
        Some(match p.series {
            [] => (self.table.clone(), None, p),
            [one] => (self.table.clone(), Some(*one), p),
            many => (with_series(&self.table, many), Some("series"), p),
        })
    }
}

/// A copy of `t` with a `series` column joining the named columns.
fn with_series(t: &Table, cols: &[&str]) -> Table {
    let idx: Vec<usize> = cols.iter().filter_map(|c| t.column(c)).collect();
    let mut out = Table::new(
        t.columns
            .iter()
            .cloned()
            .chain(std::iter::once("series".to_string())),
    );
    for r in &t.rows {
        let key = idx
            .iter()
            .map(|&i| r[i].as_str())
            .collect::<Vec<_>>()
            .join(" ");
        out.push(r.iter().cloned().chain(std::iter::once(key)));
    }
    out
}

/// Rows of `a` then `b` under the union of their columns (missing cells empty).
pub fn concat_tables(a: &Table, b: &Table) -> Table {
    let mut cols = a.columns.clone();
    for c in &b.columns {
        if !cols.contains(c) {
            cols.push(c.clone());
        }
    }
    let mut out = Table::new(cols.clone());
    for t in [a, b] {
        for r in &t.rows {
            out.push(
                cols.iter()
                    .map(|c| t.column(c).map(|i| r[i].clone()).unwrap_or_default()),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_series_columns_are_joined_for_the_plot_only() {
        let mut t = Table::new(["nic", "size", "y"]);
        t.push(["a", "64", "1"]);
        let f = Figure::new(
            "f",
            (t.clone(), Vec::new()),
            Some(PlotSpec {
                x: "size",
                y: "y",
                series: &["nic", "size"],
                title: "t".into(),
                log_y: false,
            }),
        );
        let (pt, series, _) = f.plot_table().unwrap();
        assert_eq!(series, Some("series"));
        assert_eq!(pt.rows[0][3], "a 64");
        assert_eq!(f.table, t, "the CSV table is unchanged");
    }

    #[test]
    fn concatenation_pads_missing_columns() {
        let mut a = Table::new(["x", "y"]);
        a.push(["1", "2"]);
        let mut b = Table::new(["x", "z"]);
        b.push(["3", "4"]);
        let c = concat_tables(&a, &b);
        assert_eq!(c.columns, ["x", "y", "z"]);
        assert_eq!(c.rows, [vec!["1", "2", ""], vec!["3", "", "4"]]);
    }
}
