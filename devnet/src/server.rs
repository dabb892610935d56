//! The JSON-RPC 2.0 server (HTTP, loopback only): every [`Method`] of `ee-client`'s table,
//! registered from that table and answered by [`dispatch`] on the node.
use crate::explorer::ExplorerLayer;
use crate::node::Node;
use ee_client::Method;
use ee_client::api::dispatch;
use ee_client::error::{ErrorCode, RpcError};
use jsonrpsee::RpcModule;
use jsonrpsee::server::{BatchRequestConfig, Server, ServerConfig, ServerHandle};
use jsonrpsee::types::{ErrorObjectOwned, Params};
use std::net::SocketAddr;
use std::sync::Arc;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// Only loopback addresses are served.
    #[error("refusing to serve on {0}: the devnet listens on loopback only (127.0.0.1 or ::1)")]
    NotLoopback(SocketAddr),
    /// Binding or runtime setup failed.
    #[error("rpc server: {0}")]
    Io(std::io::Error),
    /// A method was registered twice (a bug).
    #[error("rpc server: {0}")]
    Register(String),
}

/// Most calls in one JSON-RPC batch (the client's limit, [`ee_client::api::MAX_BATCH`]).
pub const MAX_BATCH: u32 = ee_client::api::MAX_BATCH as u32;

/// Most connections served at once (beyond them, clients get HTTP 429).
pub const MAX_CONNECTIONS: u32 = 256;

/// How long a connection may take to send its first request, or stay idle between
/// requests, before it is closed: idle or half-sent connections cannot hold the
/// connection slots for long.
pub const IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// A running RPC server; dropping it does not stop it, [`RpcServer::stop`] does.
pub struct RpcServer {
    handle: ServerHandle,
    addr: SocketAddr,
}

fn rpc_error(e: RpcError) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(e.code, e.message, None::<()>)
}

/// Positional parameters as JSON values (absent params are none).
fn positional(params: &Params<'_>) -> Result<Vec<serde_json::Value>, RpcError> {
    if params.as_str().is_none() {
        return Ok(Vec::new());
    }
    params.parse::<Vec<serde_json::Value>>().map_err(|e| {
        RpcError::new(ErrorCode::InvalidParams, format!("params must be an array: {}", e.message()))
    })
}

impl RpcServer {
    /// Serves `node` on `addr` (loopback only; port 0 picks a free one) on `runtime`,
    /// accepting request bodies up to `max_request_bytes` (larger ones get HTTP 413), and
    /// the explorer from the package folder `explorer` on GET.
    pub fn start(
        node: Arc<Node>,
        addr: SocketAddr,
        max_request_bytes: u32,
        explorer: Option<std::path::PathBuf>,
        runtime: &tokio::runtime::Runtime,
    ) -> Result<RpcServer, ServeError> {
        if !addr.ip().is_loopback() {
            return Err(ServeError::NotLoopback(addr));
        }
        let mut module = RpcModule::new(node);
        for &m in Method::ALL {
            module
                .register_blocking_method(m.name(), move |params, node, _| {
                    let args = positional(&params).map_err(rpc_error)?;
                    dispatch(&**node, m, &args).map_err(rpc_error)
                })
                .map_err(|e| ServeError::Register(e.to_string()))?;
        }
        let config = ServerConfig::builder()
            .max_request_body_size(max_request_bytes)
            .max_response_body_size(64 << 20)
            .max_connections(MAX_CONNECTIONS)
            .set_first_request_timeout(Some(IDLE_TIMEOUT))
            .set_keep_alive_timeout(IDLE_TIMEOUT)
            .set_batch_request_config(BatchRequestConfig::Limit(MAX_BATCH))
            .http_only()
            .build();
        let server = runtime.block_on(
            Server::builder()
                .set_config(config)
                .set_http_middleware(
                    tower::ServiceBuilder::new()
                        .layer(crate::idle::IdleLayer(IDLE_TIMEOUT))
                        .layer(ExplorerLayer::new(explorer)),
                )
                .build(addr),
        )?;
        let addr = server.local_addr()?;
        let handle = runtime.block_on(async move { server.start(module) });
        tracing::info!(%addr, "devnet serving");
        Ok(RpcServer { handle, addr })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops serving.
    pub fn stop(&self) {
        let _ = self.handle.stop();
    }
}

// The message shows the cause; it is not also the `source()`, so `{:#}` prints it once.
impl From<std::io::Error> for ServeError {
    fn from(e: std::io::Error) -> Self {
        ServeError::Io(e)
    }
}
