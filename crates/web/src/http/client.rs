//! The client's address: the TCP peer, or, when the peer is one of our own reverse proxies,
//! the address that proxy saw. `X-Forwarded-For` from anyone else is ignored, or any client
//! could name itself a new address for every request and slip past the limits.

use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::IpAddr;

/// The client's address, set once per request by `middleware::observe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The reverse proxies whose `X-Forwarded-For` we believe.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses addresses and networks such as `127.0.0.1`, `10.0.0.0/8` or `::1`.
    pub fn parse<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        items
            .into_iter()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("not an address or network: {s}"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client behind `peer`: walking `X-Forwarded-For` from the right (the entry our own
    /// proxy added last), the first address that is not one of our proxies.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        for value in headers.get_all("x-forwarded-for").iter().rev() {
            let Ok(text) = value.to_str() else {
                return client;
            };
            for item in text.rsplit(',') {
                match item.trim().parse::<IpAddr>() {
                    Ok(ip) if self.trusts(ip) => client = ip,
                    Ok(ip) => return ip,
                    // A garbled entry: what lies to its left cannot be believed either.
                    Err(_) => return client,
                }
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_forwarded_header_from_an_untrusted_peer_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(ip("203.0.113.9"), &headers(&["198.51.100.1"])),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_client_is_the_first_untrusted_entry_from_the_right() {
        let proxies = TrustedProxies::parse(["10.0.0.0/8", "127.0.0.1"]).unwrap();
        // The client made up the first entry; our proxies added the rest.
        let h = headers(&["1.2.3.4, 198.51.100.7", "10.1.1.1"]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &h), ip("198.51.100.7"));
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &headers(&[])),
            ip("127.0.0.1")
        );
        assert_eq!(
            proxies.client(ip("10.2.2.2"), &headers(&["garbage, 198.51.100.8"])),
            ip("198.51.100.8")
        );
        assert_eq!(
            proxies.client(ip("10.2.2.2"), &headers(&["198.51.100.8, garbage"])),
            ip("10.2.2.2")
        );
    }

    #[test]
    fn parse_names_what_it_cannot_read() {
        assert!(TrustedProxies::parse(["10.0.0.0/8", ""]).is_ok());
        assert_eq!(
            TrustedProxies::parse(["proxy.example"]).unwrap_err(),
            "not an address or network: proxy.example"
        );
    }
}
