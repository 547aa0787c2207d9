//! The one integration-test binary: a module per area of the product.

mod config;
mod upgrade_path;
