//! How a rendered request reaches the target: through goose's pooled reqwest client
//! (the closed model's users, and any `https` target), or over a user's own HTTP/1.1
//! connection driven by hyper directly (the open model's users on an `http` target),
//! as oha does: no pool to look up, no URL re-parsed, no layers per request. A
//! redirect answered on an own connection is followed by the pooled client, as it
//! would have followed it itself, so both paths judge the same final answer.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, HOST, USER_AGENT};
use reqwest::{Method, StatusCode, Url};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;

/// The user agent both paths send.
pub(super) const AGENT: &str = "headroom/0.1";

/// An error's kind as results count it.
pub(super) type Failure = &'static str;
const TIMEOUT: Failure = "timeout";
const CONNECT: Failure = "connect";
/// Also a request that cannot be sent as rendered (an invalid URL or header).
pub(super) const TRANSPORT: Failure = "transport";

/// Where a request goes: the URL (for the pooled client and for redirects) and its
/// origin-form path (for an own connection).
#[derive(Debug, Clone)]
pub(super) struct Address {
    pub url: Url,
    path: hyper::Uri,
}

impl Address {
    /// `base` joined with a path rendered from the scenario; None if no URL parses.
    pub fn parse(base: &str, path: &str) -> Option<Address> {
        Address::of(Url::parse(&format!("{base}{path}")).ok()?)
    }

    /// A URL with its origin-form path (path and query); None if hyper cannot take it.
    fn of(url: Url) -> Option<Address> {
        let path = url[url::Position::BeforePath..].parse().ok()?;
        Some(Address { url, path })
    }
}

/// A request rendered from the scenario and the user's bindings, for either path.
pub(super) struct Outgoing<'a> {
    pub method: Method,
    pub address: std::borrow::Cow<'a, Address>,
    pub headers: HeaderMap,
    pub body: Option<Bytes>,
    pub timeout: Duration,
}

/// What came back: the final answer's status, headers and whole body.
pub(super) struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// The target's plain-HTTP origin, resolved once: where own connections go and the
/// `Host` header they send (as reqwest would).
#[derive(Debug)]
pub(super) struct Origin {
    addrs: Vec<SocketAddr>,
    host: HeaderValue,
}

impl Origin {
    /// The origin of an `http://` base URL; None for `https` (left to the pooled
    /// client's TLS) or a name that does not resolve (left to report its error).
    pub fn of(base: &str) -> Option<Arc<Origin>> {
        let url = Url::parse(base).ok().filter(|u| u.scheme() == "http")?;
        let addrs = url.socket_addrs(|| None).ok().filter(|a| !a.is_empty())?;
        let authority = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str()?),
            None => url.host_str()?.to_string(),
        };
        let host = HeaderValue::from_str(&authority).ok()?;
        Some(Arc::new(Origin { addrs, host }))
    }
}

/// The path a user's requests take.
pub(super) enum Client<'c> {
    Pooled(&'c reqwest::Client),
    Own(&'c mut Connection),
}

impl Client<'_> {
    /// Sends `outgoing` and reads the whole answer, within its timeout.
    pub async fn exchange(&mut self, outgoing: Outgoing<'_>) -> Result<Answer, Failure> {
        match self {
            Client::Pooled(client) => pooled(client, outgoing).await,
            Client::Own(connection) => {
                let timeout = outgoing.timeout;
                let answer = tokio::time::timeout(timeout, connection.exchange(outgoing)).await;
                answer.unwrap_or_else(|_| {
                    // The request is cut off mid-way: the connection cannot be reused.
                    connection.open = None;
                    Err(TIMEOUT)
                })
            }
        }
    }
}

async fn pooled(client: &reqwest::Client, outgoing: Outgoing<'_>) -> Result<Answer, Failure> {
    let mut builder = client
        .request(outgoing.method, outgoing.address.into_owned().url)
        .headers(outgoing.headers)
        .timeout(outgoing.timeout);
    if let Some(body) = outgoing.body {
        builder = builder.body(body);
    }
    let mut response = builder.send().await.map_err(|e| failure(&e))?;
    let status = response.status().as_u16();
    let headers = std::mem::take(response.headers_mut());
    let body = response.bytes().await.map_err(|e| failure(&e))?;
    Ok(Answer { status, headers, body })
}

fn failure(e: &reqwest::Error) -> Failure {
    if e.is_timeout() {
        TIMEOUT
    } else if e.is_connect() {
        CONNECT
    } else {
        TRANSPORT
    }
}

/// One user's own keep-alive connection to the origin, opened when first needed and
/// again whenever the target closed it; redirects go to the pooled `fallback`.
pub(super) struct Connection {
    origin: Arc<Origin>,
    fallback: reqwest::Client,
    open: Option<Open>,
}

/// An open connection: where requests are sent, and the connection's own future,
/// driven by the user's task while it waits (no task of its own, so an answer wakes
/// the user directly rather than a connection task that then wakes the user).
struct Open {
    sender: SendRequest<Full<Bytes>>,
    driver: Driver,
}

struct Driver {
    connection: Pin<Box<http1::Connection<TokioIo<TcpStream>, Full<Bytes>>>>,
    ended: bool,
}

impl Driver {
    /// Waits for `work` while driving the connection it needs; a connection that
    /// ends first leaves `work` to report why.
    async fn run<T>(&mut self, work: impl Future<Output = T>) -> T {
        let mut work = std::pin::pin!(work);
        std::future::poll_fn(|cx| {
            if !self.ended && self.connection.as_mut().poll(cx).is_ready() {
                self.ended = true;
            }
            work.as_mut().poll(cx)
        })
        .await
    }
}

impl Connection {
    pub fn new(origin: Arc<Origin>, fallback: reqwest::Client) -> Connection {
        Connection {
            origin,
            fallback,
            open: None,
        }
    }

    async fn exchange(&mut self, outgoing: Outgoing<'_>) -> Result<Answer, Failure> {
        let request = self.request(&outgoing);
        let answer = self.round_trip(request).await;
        if answer.is_err() {
            self.open = None;
        }
        let (status, headers, body) = answer?;
        match redirected(&outgoing, status, &headers) {
            Some(next) => pooled(&self.fallback, next).await,
            None => Ok(Answer {
                status: status.as_u16(),
                headers,
                body,
            }),
        }
    }

    fn request(&self, outgoing: &Outgoing<'_>) -> hyper::Request<Full<Bytes>> {
        let mut request = hyper::Request::new(Full::new(outgoing.body.clone().unwrap_or_default()));
        *request.method_mut() = outgoing.method.clone();
        *request.uri_mut() = outgoing.address.path.clone();
        // The scenario's headers, then reqwest's defaults for those it does not set.
        let headers = request.headers_mut();
        headers.clone_from(&outgoing.headers);
        headers.entry(HOST).or_insert_with(|| self.origin.host.clone());
        headers.entry(USER_AGENT).or_insert(HeaderValue::from_static(AGENT));
        headers.entry(ACCEPT).or_insert(HeaderValue::from_static("*/*"));
        request
    }

    /// Sends on the open connection and reads the whole answer; a connection the
    /// target closed before taking the request (a keep-alive limit, an idle timeout)
    /// is replaced once and the request resent.
    async fn round_trip(
        &mut self,
        request: hyper::Request<Full<Bytes>>,
    ) -> Result<(StatusCode, HeaderMap, Bytes), Failure> {
        let mut request = Some(request);
        for _ in 0..2 {
            let open = self.ready().await?;
            let sent = open.sender.try_send_request(request.take().expect("a request to send"));
            match open.driver.run(sent).await {
                Ok(response) => {
                    let (head, body) = response.into_parts();
                    let body = open.driver.run(body.collect()).await.map_err(|_| TRANSPORT)?;
                    return Ok((head.status, head.headers, body.to_bytes()));
                }
                Err(mut unsent) => {
                    self.open = None;
                    request = Some(unsent.take_message().ok_or(TRANSPORT)?);
                }
            }
        }
        Err(TRANSPORT)
    }

    /// The connection, ready for a request: the open one, or a new one.
    async fn ready(&mut self) -> Result<&mut Open, Failure> {
        if let Some(open) = &mut self.open {
            if open.driver.ended || open.driver.run(open.sender.ready()).await.is_err() {
                self.open = None;
            }
        }
        if self.open.is_none() {
            self.open = Some(self.connect().await?);
        }
        Ok(self.open.as_mut().expect("just connected"))
    }

    async fn connect(&self) -> Result<Open, Failure> {
        let stream = TcpStream::connect(&self.origin.addrs[..]).await.map_err(|_| CONNECT)?;
        let _ = stream.set_nodelay(true);
        let (sender, connection) = http1::handshake(TokioIo::new(stream)).await.map_err(|_| CONNECT)?;
        Ok(Open {
            sender,
            driver: Driver {
                connection: Box::pin(connection),
                ended: false,
            },
        })
    }
}

/// The request a redirect asks for, as reqwest's policy makes it: 301, 302 and 303
/// turn anything but HEAD into a GET without a body, 307 and 308 repeat it.
fn redirected<'a>(outgoing: &Outgoing<'a>, status: StatusCode, headers: &HeaderMap) -> Option<Outgoing<'a>> {
    let keeps_method = match status {
        StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT => true,
        StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND | StatusCode::SEE_OTHER => false,
        _ => return None,
    };
    let location = headers.get(reqwest::header::LOCATION)?.to_str().ok()?;
    let address = Address::of(outgoing.address.url.join(location).ok()?)?;
    let (method, body) = match keeps_method || outgoing.method == Method::HEAD {
        true => (outgoing.method.clone(), outgoing.body.clone()),
        false => (Method::GET, None),
    };
    Some(Outgoing {
        method,
        address: std::borrow::Cow::Owned(address),
        headers: outgoing.headers.clone(),
        body,
        timeout: outgoing.timeout,
    })
}
