//! KPI Operations reference application (issue 5).
