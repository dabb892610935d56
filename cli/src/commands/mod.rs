//! One module per subcommand: an `Args` type (clap) and `run(args, out)`.
pub mod abi;
pub mod build;
pub mod check;
pub mod costs;
pub mod demo;
pub mod deploy;
pub mod devnet;
pub mod gas;
pub mod inspect;
pub mod keygen;
pub mod new;
pub mod run;
pub mod send;
pub mod sim;
pub mod status;
pub mod validate;
pub mod vhee;
