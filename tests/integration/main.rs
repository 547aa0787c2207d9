//! The one integration-test binary: a module per area of the product.

mod support;

mod config;
mod detection;
mod releases;
mod scan;
mod upgrade_path;
