//! `[[filter]]` conditions: which points a sweep skips (`skip_if = { KEY = { OP = VALUE } }`).
//!
//! A filter skips a point when all its conditions hold; several filters skip
//! the union. Operators: `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `in`, `not_in`.
//! Numbers compare numerically (4 equals 4.0); ordering operators need a
//! numeric axis and a numeric bound.

use serde::Deserialize;
use toml::Value;

use super::spec::Axis;

/// One comparison of a swept key against a constant.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmp {
    Eq(Value),
    Ne(Value),
    Lt(f64),
    Le(f64),
    Gt(f64),
    Ge(f64),
    In(Vec<Value>),
    NotIn(Vec<Value>),
}

/// `key` compared by `cmp`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub key: String,
    pub cmp: Cmp,
}

/// A filter skips a point when all its conditions hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub conditions: Vec<Condition>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCondition {
    eq: Option<Value>,
    ne: Option<Value>,
    lt: Option<Value>,
    le: Option<Value>,
    gt: Option<Value>,
    ge: Option<Value>,
    #[serde(rename = "in")]
    in_: Option<Vec<Value>>,
    not_in: Option<Vec<Value>>,
}

pub(crate) fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

pub(crate) fn conditions_of(c: RawCondition, axis: &Axis) -> Result<Vec<Cmp>, String> {
    let numeric_axis = axis.values.iter().all(|v| number(v).is_some());
    let bound = |name: &str, v: Value| -> Result<f64, String> {
        if !numeric_axis {
            return Err(format!("`{name}` needs a numeric axis, but some values are not numbers. Fix: use `eq`, `ne`, `in` or `not_in`."));
        }
        number(&v)
            .ok_or_else(|| format!("`{name} = {v}` is not a number. Fix: compare with a number."))
    };
    let mut out = Vec::new();
    if let Some(v) = c.eq {
        out.push(Cmp::Eq(v));
    }
    if let Some(v) = c.ne {
        out.push(Cmp::Ne(v));
    }
    if let Some(v) = c.lt {
        out.push(Cmp::Lt(bound("lt", v)?));
    }
    if let Some(v) = c.le {
        out.push(Cmp::Le(bound("le", v)?));
    }
    if let Some(v) = c.gt {
        out.push(Cmp::Gt(bound("gt", v)?));
    }
    if let Some(v) = c.ge {
        out.push(Cmp::Ge(bound("ge", v)?));
    }
    if let Some(v) = c.in_ {
        out.push(Cmp::In(v));
    }
    if let Some(v) = c.not_in {
        out.push(Cmp::NotIn(v));
    }
    if out.is_empty() {
        return Err("has no operator. Fix: use one of eq, ne, lt, le, gt, ge, in, not_in.".into());
    }
    Ok(out)
}

/// Equality that treats 4 and 4.0 as the same number.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

impl Cmp {
    /// Whether `v` (an axis value) satisfies this comparison.
    pub fn holds(&self, v: &Value) -> bool {
        let n = number(v);
        match self {
            Cmp::Eq(c) => values_equal(v, c),
            Cmp::Ne(c) => !values_equal(v, c),
            Cmp::Lt(c) => n.is_some_and(|x| x < *c),
            Cmp::Le(c) => n.is_some_and(|x| x <= *c),
            Cmp::Gt(c) => n.is_some_and(|x| x > *c),
            Cmp::Ge(c) => n.is_some_and(|x| x >= *c),
            Cmp::In(cs) => cs.iter().any(|c| values_equal(v, c)),
            Cmp::NotIn(cs) => !cs.iter().any(|c| values_equal(v, c)),
        }
    }
}
