//! The archive in an S3-compatible object store (placeholder: being written).
