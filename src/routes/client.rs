//! Who is asking: the client's IP address, from the connection's peer, or from
//! `X-Forwarded-For` when the peer is one of `server.trusted_proxies`.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::startup::AppState;

/// The client's address, as far as this server can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(
            &parts.headers,
            peer(parts),
            &state.settings.server.trusted_proxies,
        )))
    }
}

/// The connection's peer; unspecified when the request did not come over a socket.
pub fn peer(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
}

/// The peer, unless it is a trusted proxy: then the nearest address in
/// `X-Forwarded-For` (read from the right) that is not itself a trusted proxy.
pub fn client_ip(headers: &HeaderMap, peer: IpAddr, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|a| !trusted.contains(a))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        let h = headers(&["198.51.100.1, 203.0.113.7"]);
        assert_eq!(client_ip(&h, proxy, &[proxy]), client);
        // An untrusted peer cannot claim another address.
        assert_eq!(client_ip(&h, client, &[proxy]), client);
        assert_eq!(client_ip(&h, proxy, &[]), proxy);
        // Chains of trusted proxies are skipped; garbage falls back to the peer.
        let h = headers(&["203.0.113.7", "10.0.0.2"]);
        let second: IpAddr = "10.0.0.2".parse().unwrap();
        assert_eq!(client_ip(&h, proxy, &[proxy, second]), client);
        assert_eq!(client_ip(&headers(&["nonsense"]), proxy, &[proxy]), proxy);
    }
}
