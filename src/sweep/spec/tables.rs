//! The `[[axis]]` and `[[filter]]` tables of a sweep file: their raw shapes and their checks, turning them into axes and filters.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::{Spanned, Value};

use super::{Axis, Condition, Filter, SpecError, MAX_AXIS_VALUES};
use crate::sweep::filter::{conditions_of, RawCondition};
use crate::sweep::range::{expand_range, RawRange};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAxis {
    key: Spanned<String>,
    values: Option<Spanned<Vec<Value>>>,
    range: Option<Spanned<RawRange>>,
    zip: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFilter {
    skip_if: Spanned<BTreeMap<String, RawCondition>>,
}

/// Checks the `[[axis]]` tables (keys, values or range, sizes, zip groups);
/// `err` builds an error naming the file, line and key.
pub(super) fn parse_axes(
    raw: Vec<RawAxis>,
    err: &impl Fn(&str, Option<usize>, String) -> SpecError,
) -> Result<Vec<Axis>, SpecError> {
    let mut axes: Vec<Axis> = Vec::new();
    let mut axis_at: Vec<usize> = Vec::new();
    for (i, a) in raw.into_iter().enumerate() {
        let k = format!("axis[{i}]");
        let key_start = a.key.span().start;
        let key_at = Some(key_start);
        let key = a.key.into_inner();
        if key.is_empty() || key.split('.').any(str::is_empty) {
            return Err(err(
                &format!("{k}.key"),
                key_at,
                format!("`{key}` is not a dotted key. Fix: e.g. `nic.cores`."),
            ));
        }
        if axes.iter().any(|b| b.key == key) {
            return Err(err(
                &format!("{k}.key"),
                key_at,
                format!("`{key}` is swept twice. Fix: merge the two axes."),
            ));
        }
        let (values, at) = match (a.values, a.range) {
            (Some(v), None) => {
                let at = Some(v.span().start);
                (v.into_inner(), at)
            }
            (None, Some(r)) => {
                let at = Some(r.span().start);
                let v = expand_range(r.get_ref()).map_err(|m| err(&format!("{k}.range"), at, m))?;
                (v, at)
            }
            _ => {
                return Err(err(
                    &k,
                    key_at,
                    "needs exactly one of `values` or `range`. Fix: keep one.".into(),
                ));
            }
        };
        if values.is_empty() {
            return Err(err(
                &format!("{k}.values"),
                at,
                "is empty. Fix: give at least one value.".into(),
            ));
        }
        if values.len() > MAX_AXIS_VALUES {
            return Err(err(
                &format!("{k}.values"),
                at,
                format!(
                    "has {} values. Fix: at most {MAX_AXIS_VALUES} per axis.",
                    values.len()
                ),
            ));
        }
        if let Some(bad) = values
            .iter()
            .find(|v| matches!(v, Value::Table(_) | Value::Array(_) | Value::Datetime(_)))
        {
            return Err(err(
                &format!("{k}.values"),
                at,
                format!(
                    "value `{bad}` is not a number, string or boolean. Fix: sweep scalar values."
                ),
            ));
        }
        if let Some(bad) = values
            .iter()
            .find(|v| matches!(v, Value::Float(f) if !f.is_finite()))
        {
            return Err(err(
                &format!("{k}.values"),
                at,
                format!("value `{bad}` is not a finite number. Fix: sweep finite values."),
            ));
        }
        let zip = a.zip.map(Spanned::into_inner);
        axes.push(Axis { key, values, zip });
        axis_at.push(key_start);
    }
    for (i, a) in axes.iter().enumerate() {
        if let Some(g) = &a.zip {
            let first = axes
                .iter()
                .find(|b| b.zip.as_ref() == Some(g))
                .expect("a is in its own group");
            if first.values.len() != a.values.len() {
                return Err(err(
                    &format!("axis[{i}].zip"),
                    Some(axis_at[i]),
                    format!(
                        "zip group `{g}`: `{}` has {} values but `{}` has {}. Fix: give zipped axes equal lengths.",
                        first.key,
                        first.values.len(),
                        a.key,
                        a.values.len()
                    ),
                ));
            }
        }
    }
    Ok(axes)
}

/// Checks the `[[filter]]` tables against the swept `axes`.
pub(super) fn parse_filters(
    raw: Vec<RawFilter>,
    axes: &[Axis],
    err: &impl Fn(&str, Option<usize>, String) -> SpecError,
) -> Result<Vec<Filter>, SpecError> {
    let mut filters = Vec::new();
    for (i, f) in raw.into_iter().enumerate() {
        let k = format!("filter[{i}].skip_if");
        let at = Some(f.skip_if.span().start);
        let skip_if = f.skip_if.into_inner();
        if skip_if.is_empty() {
            return Err(err(
                &k,
                at,
                "is empty (it would skip every point). Fix: add a condition.".into(),
            ));
        }
        let mut conditions = Vec::new();
        for (key, c) in skip_if {
            let kk = format!("{k}.\"{key}\"");
            let Some(axis) = axes.iter().find(|a| a.key == key) else {
                return Err(err(
                    &kk,
                    at,
                    "is not a swept key. Fix: filter on one of the [[axis]] keys.".into(),
                ));
            };
            let cmps = conditions_of(c, axis).map_err(|m| err(&kk, at, m))?;
            conditions.extend(cmps.into_iter().map(|cmp| Condition {
                key: key.clone(),
                cmp,
            }));
        }
        filters.push(Filter { conditions });
    }
    Ok(filters)
}
