//! Who is at the other end: the client's address, for the per-address limits.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use super::AppState;
use super::error::ApiError;

/// The client's IP address: the peer of the TCP connection or, behind a trusted reverse proxy
/// (`--trust-forwarded-for`), the address that proxy appended last to `X-Forwarded-For`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| peer.ip())
            .ok_or_else(|| ApiError::internal("the connection's address is unknown"))?;
        let forwarded = state
            .config
            .trust_forwarded_for
            .then(|| last_forwarded_for(&parts.headers))
            .flatten();
        Ok(Self(forwarded.unwrap_or(peer)))
    }
}

/// The last entry of the last `X-Forwarded-For` header: the one the nearest proxy wrote (the
/// earlier ones come from the client and prove nothing).
fn last_forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let header = headers.get_all("x-forwarded-for").iter().next_back()?;
    header
        .to_str()
        .ok()?
        .rsplit(',')
        .next()?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn the_nearest_proxys_entry_counts_not_what_the_client_claims() {
        let got = last_forwarded_for(&headers(&["6.6.6.6", "10.0.0.1, 203.0.113.7"]));
        assert_eq!(got, Some("203.0.113.7".parse().unwrap()));
        assert_eq!(
            last_forwarded_for(&headers(&["2001:db8::1"])),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(last_forwarded_for(&headers(&["not an address"])), None);
        assert_eq!(last_forwarded_for(&HeaderMap::new()), None);
    }
}
