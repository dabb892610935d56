//! One module per subcommand.
pub mod abi;
pub mod costs;
pub mod demo;
pub mod demo_vhee;
pub mod run;
pub mod scout;
pub mod shared;
pub mod sim;
