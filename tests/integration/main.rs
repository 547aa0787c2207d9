//! The one integration-test binary: a module per area of the product.

mod upgrade_path;
