//! `range = { start, end, step }` of a sweep axis: its values, counted without overflow.

use serde::Deserialize;
use toml::Value;

use super::filter::number;
use super::spec::MAX_AXIS_VALUES;

/// An axis range as written in the sweep file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRange {
    start: Value,
    end: Value,
    step: Value,
}

/// `range = {start, end, step}` with `end` inclusive: integers if all three are integers, else floats
/// rounded to 1e-9 so that 0.1 steps give 0.3, not 0.30000000000000004. The
/// value count is computed without overflow (i128, or a finite check for floats).
pub(crate) fn expand_range(r: &RawRange) -> Result<Vec<Value>, String> {
    if let (Value::Integer(s), Value::Integer(e), Value::Integer(st)) = (&r.start, &r.end, &r.step)
    {
        if *st <= 0 || e < s {
            return Err(format!("start={s}, end={e}, step={st}. Fix: need step > 0 and end >= start (end is inclusive)."));
        }
        let n = (i128::from(*e) - i128::from(*s)) / i128::from(*st) + 1;
        if n > MAX_AXIS_VALUES as i128 {
            return Err(format!("start={s}, end={e}, step={st} gives {n} values, more than {MAX_AXIS_VALUES} per axis. Fix: use a larger step or a shorter range."));
        }
        // n <= MAX_AXIS_VALUES and s + (n-1)*st <= e, so nothing below overflows.
        return Ok((0..n as i64).map(|i| Value::Integer(s + i * st)).collect());
    }
    let (Some(s), Some(e), Some(st)) = (number(&r.start), number(&r.end), number(&r.step)) else {
        return Err("start, end and step must be numbers. Fix: e.g. `range = { start = 0.1, end = 0.9, step = 0.2 }`.".into());
    };
    if !s.is_finite() || !e.is_finite() || !st.is_finite() || st <= 0.0 || e < s {
        return Err(format!("start={s:?}, end={e:?}, step={st:?}. Fix: need finite numbers, step > 0 and end >= start (end is inclusive)."));
    }
    let count = ((e - s) / st + 1e-9).floor() + 1.0;
    if !count.is_finite() || count > MAX_AXIS_VALUES as f64 {
        let what = if count.is_finite() {
            format!("gives {count} values")
        } else {
            "overflows: (end - start) / step is not a finite number of values".to_string()
        };
        return Err(format!("start={s:?}, end={e:?}, step={st:?} {what}, more than {MAX_AXIS_VALUES} per axis. Fix: use a larger step or a shorter range."));
    }
    let n = count as usize;
    let values: Vec<f64> = (0..n)
        .map(|i| {
            let v = s + i as f64 * st;
            // Rounding to 1e-9 only where v * 1e9 stays finite (|v| < ~1e299).
            let scaled = (v * 1e9).round() / 1e9;
            if scaled.is_finite() {
                scaled
            } else {
                v
            }
        })
        .collect();
    if values.windows(2).any(|w| w[1] <= w[0]) {
        return Err(format!("start={s:?}, end={e:?}, step={st:?}: the step is below the precision of the values, so some values repeat. Fix: use a larger step."));
    }
    Ok(values.into_iter().map(Value::Float).collect())
}
