//! The explorer and the JavaScript package, served on the RPC port (same origin, so the
//! page's provider needs no CORS): `GET /` is the explorer's page, `GET /explorer/NAME` its
//! files and `GET /js/PATH` the package (`index.js`, `pkg/…`), all read from the package's
//! folder (`client/js`, built by `scripts/build-js.sh`). Everything else — every POST —
//! goes on to JSON-RPC. Only plain file names with known extensions are served: no `..`,
//! no hidden files, nothing outside the folder, nothing larger than [`MAX_FILE_BYTES`].
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// Largest file served.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// The tower layer serving the explorer from a folder (`None`: a page saying it is off).
#[derive(Clone, Debug)]
pub struct ExplorerLayer {
    root: Option<Arc<PathBuf>>,
}

impl ExplorerLayer {
    /// Serves the package folder `root` (`client/js`), if any.
    pub fn new(root: Option<PathBuf>) -> Self {
        ExplorerLayer { root: root.map(Arc::new) }
    }
}

impl<S> tower::Layer<S> for ExplorerLayer {
    type Service = Explorer<S>;
    fn layer(&self, inner: S) -> Explorer<S> {
        Explorer { inner, root: self.root.clone() }
    }
}

/// The service [`ExplorerLayer`] wraps around JSON-RPC.
#[derive(Clone, Debug)]
pub struct Explorer<S> {
    inner: S,
    root: Option<Arc<PathBuf>>,
}

fn content_type(path: &Path) -> Option<&'static str> {
    Some(match path.extension()?.to_str()? {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "ts" => "text/plain; charset=utf-8",
        _ => return None,
    })
}

/// The file under `root` a GET of `path` names, if it is one this serves.
pub fn resolve(root: &Path, path: &str) -> Option<PathBuf> {
    let rel = match path {
        "/" | "/index.html" => "explorer/index.html".to_string(),
        p if p.starts_with("/explorer/") => format!("explorer/{}", &p["/explorer/".len()..]),
        p if p.starts_with("/js/") => p["/js/".len()..].to_string(),
        _ => return None,
    };
    let plain = |s: &str| {
        !s.is_empty()
            && !s.starts_with('.')
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    };
    if rel.split('/').all(plain) && rel.split('/').count() <= 3 {
        let file = root.join(&rel);
        content_type(&file).map(|_| file)
    } else {
        None
    }
}

fn respond(status: u16, content_type: &str, body: Vec<u8>) -> HttpResponse {
    http::Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("cache-control", "no-cache")
        .header("x-content-type-options", "nosniff")
        .body(HttpBody::from(body))
        .unwrap_or_else(|_| http::Response::new(HttpBody::from(Vec::new())))
}

const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>ee devnet</title>\
<p>This devnet serves JSON-RPC here (POST). The explorer is not available: \
build the JavaScript package with <code>scripts/build-js.sh</code> and start \
<code>ee devnet</code> again (or pass <code>--explorer client/js</code>).";

/// What a GET of `path` answers, or `None` to pass it on to JSON-RPC.
pub fn serve(root: Option<&Path>, path: &str) -> Option<HttpResponse> {
    let Some(root) = root else {
        return (path == "/" || path == "/index.html")
            .then(|| respond(200, "text/html; charset=utf-8", NOT_BUILT.into()));
    };
    if (path == "/" || path == "/index.html") && !root.join("pkg/ee_client_bg.wasm").is_file() {
        return Some(respond(200, "text/html; charset=utf-8", NOT_BUILT.into()));
    }
    if path == "/favicon.ico" {
        return Some(respond(204, "image/x-icon", Vec::new()));
    }
    let known = path == "/" || path.starts_with("/explorer/") || path.starts_with("/js/");
    let Some(file) = resolve(root, path) else {
        return known.then(|| respond(404, "text/plain; charset=utf-8", b"not found\n".to_vec()));
    };
    let ct = content_type(&file).unwrap_or("application/octet-stream");
    match std::fs::metadata(&file) {
        Ok(m) if m.is_file() && m.len() <= MAX_FILE_BYTES => match std::fs::read(&file) {
            Ok(bytes) => Some(respond(200, ct, bytes)),
            Err(_) => Some(respond(404, "text/plain; charset=utf-8", b"not found\n".to_vec())),
        },
        _ => Some(respond(404, "text/plain; charset=utf-8", b"not found\n".to_vec())),
    }
}

impl<S> tower::Service<HttpRequest> for Explorer<S>
where
    S: tower::Service<HttpRequest, Response = HttpResponse>,
    S::Future: Send + 'static,
    S::Error: 'static,
{
    type Response = HttpResponse;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: HttpRequest) -> Self::Future {
        if req.method() == http::Method::GET
            && let Some(response) = serve(self.root.as_deref().map(PathBuf::as_path), req.uri().path())
        {
            return Box::pin(async move { Ok(response) });
        }
        Box::pin(self.inner.call(req))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_files_with_known_extensions_under_the_folder_resolve() {
        let root = Path::new("/pkgroot");
        assert_eq!(resolve(root, "/"), Some(root.join("explorer/index.html")));
        assert_eq!(resolve(root, "/js/pkg/ee_client_bg.wasm"), Some(root.join("pkg/ee_client_bg.wasm")));
        assert_eq!(resolve(root, "/explorer/explorer.js"), Some(root.join("explorer/explorer.js")));
        for bad in [
            "/js/../Cargo.toml",
            "/js/..%2fCargo.toml",
            "/js/.git/config",
            "/js/src/lib.rs",
            "/js/Cargo.toml",
            "/explorer/",
            "/js//etc/passwd",
            "/etc/passwd",
            "/js/a/b/c/d.js",
        ] {
            assert_eq!(resolve(root, bad), None, "{bad}");
        }
    }

    #[test]
    fn a_missing_package_gets_a_page_that_says_how_to_build_it() {
        let dir = tempfile::tempdir().unwrap();
        let r = serve(Some(dir.path()), "/").unwrap();
        assert_eq!(r.status(), 200);
        assert!(serve(None, "/").is_some());
        assert!(serve(None, "/js/index.js").is_none(), "passed on to JSON-RPC");
        std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
        std::fs::write(dir.path().join("pkg/ee_client_bg.wasm"), b"\0asm").unwrap();
        std::fs::write(dir.path().join("index.js"), b"export {}").unwrap();
        let r = serve(Some(dir.path()), "/js/index.js").unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "text/javascript; charset=utf-8");
        assert_eq!(serve(Some(dir.path()), "/js/missing.js").unwrap().status(), 404);
        assert_eq!(serve(Some(dir.path()), "/").unwrap().status(), 404, "index.html absent");
        assert!(serve(Some(dir.path()), "/health").is_none());
    }
}
