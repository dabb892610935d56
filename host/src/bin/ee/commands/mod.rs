//! One module per subcommand.
pub mod abi;
pub mod build;
pub mod check;
pub mod costs;
pub mod demo;
pub mod demo_vhee;
pub mod gas;
pub mod inspect;
pub mod new;
pub mod run;
pub mod scout;
pub mod shared;
pub mod sim;
