//! Before the first request: the target's URL checked, and something answering there.

use std::time::{Duration, Instant};

/// Checks a target base URL (`scenario::check_url`) and that its host resolves, without
/// sending anything.
pub fn check_target(url: &str) -> Result<String, String> {
    let parsed = crate::scenario::check_url(url)?;
    let host = parsed.host_str().unwrap_or_default();
    let port = parsed.port_or_known_default().unwrap_or(80);
    use std::net::ToSocketAddrs;
    let mut addrs = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve host `{host}` ({e})"))?;
    if addrs.next().is_none() {
        return Err(format!("host `{host}` resolves to no address"));
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// First contact: connects to the target's address (as `check_target` accepted it) until
/// it answers or `patience` runs out, so a run against nothing stops at once with the
/// reason instead of measuring a storm of refused connections.
pub fn probe_target(url: &str, patience: Duration) -> Result<(), String> {
    use std::net::{TcpStream, ToSocketAddrs};
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("`{url}`: {e}"))?;
    let host = parsed.host_str().unwrap_or_default().to_string();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let addrs: Vec<_> = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve host `{host}` ({e})"))?
        .collect();
    let deadline = Instant::now() + patience;
    loop {
        let mut last = None;
        for addr in &addrs {
            match TcpStream::connect_timeout(addr, Duration::from_secs(1)) {
                Ok(_) => return Ok(()),
                Err(e) => last = Some(e),
            }
        }
        if Instant::now() >= deadline {
            let reason = last.map_or("no address".to_string(), |e| match e.kind() {
                std::io::ErrorKind::ConnectionRefused => "connection refused".to_string(),
                std::io::ErrorKind::TimedOut => "connection timed out".to_string(),
                _ => e.to_string(),
            });
            return Err(format!(
                "nothing is listening on {host}:{port}: {reason} (tried for {} s; is the target running?)",
                patience.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
