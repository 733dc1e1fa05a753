//! A plain table of named columns and string cells: what a figure generator returns for CSV and plots.

/// Rows of string cells under named columns. Cells are already formatted, so
/// writing the same table twice gives the same bytes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// Column names, in order.
    pub columns: Vec<String>,
    /// One entry per row; each row has `columns.len()` cells.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new<S: Into<String>>(columns: impl IntoIterator<Item = S>) -> Self {
        Table {
            columns: columns.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row. Panics in debug builds if the width is wrong: that is a
    /// bug in the generator, not bad user input.
    pub fn push<S: Into<String>>(&mut self, row: impl IntoIterator<Item = S>) {
        let row: Vec<String> = row.into_iter().map(Into::into).collect();
        debug_assert_eq!(
            row.len(),
            self.columns.len(),
            "row width differs from header"
        );
        self.rows.push(row);
    }

    /// Index of a column by name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The cells of one column parsed as numbers (unparsable cells give NaN).
    pub fn numbers(&self, name: &str) -> Option<Vec<f64>> {
        let i = self.column(name)?;
        Some(
            self.rows
                .iter()
                .map(|r| r[i].parse::<f64>().unwrap_or(f64::NAN))
                .collect(),
        )
    }
}

/// Formats a float with a fixed number of decimals, the way every CSV in the
/// project does, so that output is byte-stable.
pub fn fmt_f64(v: f64, decimals: usize) -> String {
    format!("{v:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_reads_a_column() {
        let mut t = Table::new(["a", "b"]);
        t.push(["1", "2.5"]);
        t.push(["3", "x"]);
        assert_eq!(t.numbers("a").unwrap(), vec![1.0, 3.0]);
        assert!(t.numbers("b").unwrap()[1].is_nan());
        assert!(t.numbers("c").is_none());
    }
}
