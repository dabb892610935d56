//! Instruction gas per operator category and per function, for `ee gas` (a profiler's
//! view).
//!
//! A profiling compilation has [`super::instrument`] add, at the metering's accounting
//! points, each basic block's cost per category to one exported `i64` global per category
//! (`ee_gas_<category>`), and its whole cost to one exported global per function of the
//! module (`ee_gas_fn_<function index>`, the index the name section and `ee inspect` use:
//! imports first). The counters' own instructions are not priced, so a profiled run
//! charges the gas of an ordinary one (a test checks that the categories sum to the
//! ordinary run's instruction gas).
use crate::gas::OpCategory;

/// Export name of the counter of `category`.
pub fn export_name(category: OpCategory) -> String {
    format!("ee_gas_{}", category.name())
}

/// Prefix of the export names of the per-function counters.
pub const FUNCTION_EXPORT_PREFIX: &str = "ee_gas_fn_";
