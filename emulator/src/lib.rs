//! `edge-emulator`: a local emulator of Adobe's Experience Platform Edge Network with an SQLite event
//! store and a viewer page, for developing and testing storefront event collection without an Adobe
//! account. The binary (`main.rs`) is a thin command-line layer over this library; integration tests
//! start the server in-process through [`server::start`].

pub mod admin;
pub mod config;
pub mod consent;
pub mod edge;
pub mod faults;
pub mod identity;
pub mod profiles;
pub mod server;
pub mod store;
pub mod table;
pub mod tls;
pub mod util;
pub mod xdm;

pub use config::Config;
pub use server::{start, Server};
