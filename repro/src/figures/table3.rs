//! Table 3 of iPipe: the task rows (one CN2350 core per actor kind) followed by the accelerator rows, in one table.

use crate::error::ReproError;
use crate::figure::{concat_tables, Figure};
use crate::figures::{table3_accel, table3_tasks};
use crate::Ctx;

/// Task rows then accelerator rows, with both sets of claims.
pub fn table3(ctx: &Ctx<'_>) -> Result<Figure, ReproError> {
    let (tasks, mut claims) = table3_tasks::table3_tasks(ctx.paper)?;
    let (accel, accel_claims) = table3_accel::table3_accel(ctx.paper)?;
    claims.extend(accel_claims);
    Ok(Figure::new(
        "table3",
        (concat_tables(&tasks, &accel), claims),
        None,
    ))
}
