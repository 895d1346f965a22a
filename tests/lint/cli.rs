//! `tenant-lint` end to end: stdout, stderr and the exit code, snapshotted.
