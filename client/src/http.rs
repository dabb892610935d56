//! The blocking HTTP transport (feature `http`): one POST per call, no TLS (the devnet
//! serves loopback), no async runtime.
use crate::api::{Client, Transport};
use crate::error::ClientError;
use std::time::Duration;

/// JSON-RPC over HTTP POST to one URL.
pub struct HttpTransport {
    agent: ureq::Agent,
    url: String,
}

impl HttpTransport {
    /// A transport posting to `url` (`http://127.0.0.1:8645`).
    pub fn new(url: &str) -> Result<Self, ClientError> {
        if !url.starts_with("http://") {
            return Err(ClientError::Transport(format!("{url}: only http:// URLs are supported")));
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(120)))
            .http_status_as_error(false)
            .build()
            .into();
        Ok(HttpTransport { agent, url: url.to_string() })
    }
}

impl Transport for HttpTransport {
    fn post(&self, body: &str) -> Result<String, ClientError> {
        let response = self
            .agent
            .post(&self.url)
            .header("content-type", "application/json")
            .send(body)
            .map_err(|e| {
                let refused =
                    matches!(&e, ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused);
                ClientError::Transport(if refused {
                    format!("{}: connection refused (is the node running there?)", self.url)
                } else if body.len() > 1 << 20 {
                    // The node closes early on a body over its limit.
                    format!(
                        "{}: {e} (a request of {} bytes: probably too large for the node; see its limits, `ee_getConfig`)",
                        self.url,
                        body.len()
                    )
                } else {
                    format!("{}: {e}", self.url)
                })
            })?;
        let status = response.status();
        let text = response
            .into_body()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .map_err(|e| ClientError::Transport(e.to_string()))?;
        if status.as_u16() == 413 {
            return Err(ClientError::Transport(format!(
                "{}: the node refused a request of {} bytes as too large (HTTP 413; see its limits, `ee_getConfig`)",
                self.url,
                body.len()
            )));
        }
        if !status.is_success() && !text.trim_start().starts_with('{') {
            return Err(ClientError::Transport(format!("{}: HTTP {status}: {text}", self.url)));
        }
        Ok(text)
    }
}

impl Client<HttpTransport> {
    /// A client for the node at `url` (`http://127.0.0.1:8645`).
    pub fn connect(url: &str) -> Result<Self, ClientError> {
        Ok(Client::new(HttpTransport::new(url)?))
    }
}
