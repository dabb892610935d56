//! (feature `catalogue`) The catalogue's EEs for clients: each module is the EE crate
//! itself — its operations, errors and its native client (`client`), which runs the EE's
//! own state transition on full trees to build transactions with their witnesses. Send
//! them with [`crate::TxRequest`] like any transaction; a deployment is a
//! [`crate::NewExecutionScript`] of the built wasm.
//!
//! * [`fee_market`]: relayers' bids collected through lookback;
//! * [`umbrella`]: user contracts run by wasm-spawning-wasm;
//! * [`token`]: generic assets, cross-shard through source-checked messages;
//! * [`data_checkin`]: provable data roots per key and chain.

pub use data_checkin_ee as data_checkin;
pub use fee_market_ee as fee_market;
pub use token_ee as token;
pub use umbrella_ee as umbrella;

mod follow;
pub use follow::{FollowError, Followed, Follower, Synced};
