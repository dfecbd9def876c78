//! Refusing webhook targets on private networks (SSRF).
//!
//! Webhook endpoints are set through the API by the bureaus' admins, and the service is hosted
//! for many bureaus, so an endpoint must not reach the host's own network: loopback, private
//! ranges, link-local, cloud metadata services, and the other special-purpose ranges. Only
//! public unicast addresses are allowed ([`refusal`] says why any other one is not).
//!
//! Two checks, because DNS may answer differently between saving an endpoint and delivering to
//! it:
//! - On save, [`check_url`]: an address in the URL is judged as it is; a name is resolved and
//!   refused when any of its addresses is. Its [`GuardError`] reads as an API problem detail.
//! - On delivery, a client built through [`guard`]: its [`GuardedResolver`] resolves each name
//!   again when connecting and hands reqwest only the allowed addresses, so a name that now
//!   points inward fails to connect. reqwest does not ask the resolver about an address in the
//!   URL, so [`check_literal`] must run before each request.
//!
//! Wiring a delivery: build the client as [`super::http::client`] does (its timeout, no
//! redirects, its user agent) but through [`guard`], call [`check_literal`] on the URL, then
//! [`super::http::post`]. Keep redirects off: a redirect to an address would skip
//! [`check_literal`] (a redirect to a name still meets the resolver). [`guard`] turns off the
//! system proxies (`HTTPS_PROXY` and the like): through a proxy, the resolver would judge the
//! proxy's address, not the receiver's. Fixed overrides (`ClientBuilder::resolve`) bypass the
//! resolver, so a guarded client must not have any.
//!
//! The name `localhost` and names under `.localhost` are loopback by definition (RFC 6761) and
//! refused without asking DNS.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::{ClientBuilder, Url};
use url::Host;

use reason::{
    BROADCAST, LINK_LOCAL, LOOPBACK, METADATA, MULTICAST, PRIVATE, RESERVED, SHARED, UNSPECIFIED,
};

/// The reasons [`refusal`] gives, for callers that sort refusals.
pub mod reason {
    pub const LOOPBACK: &str = "a loopback address";
    pub const PRIVATE: &str = "a private network address";
    pub const LINK_LOCAL: &str = "a link-local address";
    pub const METADATA: &str = "a cloud metadata address";
    pub const UNSPECIFIED: &str = "an unspecified address";
    pub const SHARED: &str = "a shared (carrier-grade NAT) address";
    pub const MULTICAST: &str = "a multicast address";
    pub const BROADCAST: &str = "a broadcast address";
    pub const RESERVED: &str = "a reserved or documentation address";
}

/// How long a name may take to resolve; an endpoint's save waits no longer.
pub const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Cloud instance metadata services (AWS, GCP, Azure, OCI, OpenStack at 169.254.169.254; AWS
/// ECS task metadata; Alibaba; Azure's wire server). Most lie in refused ranges anyway; they are
/// named so an operator sees what was aimed at.
const METADATA_V4: [Ipv4Addr; 4] = [
    Ipv4Addr::new(169, 254, 169, 254),
    Ipv4Addr::new(169, 254, 170, 2),
    Ipv4Addr::new(100, 100, 100, 200),
    Ipv4Addr::new(168, 63, 129, 16),
];

/// AWS's and GCP's metadata services over IPv6.
const METADATA_V6: [Ipv6Addr; 2] = [
    Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254),
    Ipv6Addr::new(0xfd20, 0xce, 0, 0, 0, 0, 0, 0x254),
];

/// IPv4 ranges std has no stable method for, each with its reason.
const RANGES_V4: [(Ipv4Addr, u32, &str); 6] = [
    (Ipv4Addr::new(0, 0, 0, 0), 8, RESERVED),
    (Ipv4Addr::new(100, 64, 0, 0), 10, SHARED),
    (Ipv4Addr::new(192, 0, 0, 0), 24, RESERVED),
    (Ipv4Addr::new(192, 88, 99, 0), 24, RESERVED),
    (Ipv4Addr::new(198, 18, 0, 0), 15, RESERVED),
    (Ipv4Addr::new(240, 0, 0, 0), 4, RESERVED),
];

/// IPv6 ranges std has no stable method for, each with its reason.
const RANGES_V6: [(Ipv6Addr, u32, &str); 7] = [
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10, PRIVATE), // site-local, deprecated
    (Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48, PRIVATE), // local-use NAT64
    (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64, RESERVED), // discard-only
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23, RESERVED), // IETF protocols, Teredo
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32, RESERVED), // documentation
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20, RESERVED), // documentation
    (Ipv6Addr::new(0x5f00, 0, 0, 0, 0, 0, 0, 0), 16, RESERVED), // segment routing
];

/// Why a webhook may not be sent to `ip`, or `None` when it is a public unicast address.
pub fn refusal(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(ip) => refusal_v4(ip),
        IpAddr::V6(ip) => refusal_v6(ip),
    }
}

fn refusal_v4(ip: Ipv4Addr) -> Option<&'static str> {
    if METADATA_V4.contains(&ip) {
        return Some(METADATA);
    }
    let reason = if ip.is_unspecified() {
        UNSPECIFIED
    } else if ip.is_loopback() {
        LOOPBACK
    } else if ip.is_private() {
        PRIVATE
    } else if ip.is_link_local() {
        LINK_LOCAL
    } else if ip.is_broadcast() {
        BROADCAST
    } else if ip.is_multicast() {
        MULTICAST
    } else if ip.is_documentation() {
        RESERVED
    } else {
        let bits = u32::from(ip);
        let &(_, _, reason) = RANGES_V4
            .iter()
            .find(|(net, len, _)| bits & mask32(*len) == u32::from(*net))?;
        reason
    };
    Some(reason)
}

fn refusal_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if METADATA_V6.contains(&ip) {
        return Some(METADATA);
    }
    if ip.is_unspecified() {
        return Some(UNSPECIFIED);
    }
    if ip.is_loopback() {
        return Some(LOOPBACK);
    }
    if let Some(v4) = embedded_v4(ip) {
        return refusal_v4(v4);
    }
    if ip.is_multicast() {
        return Some(MULTICAST);
    }
    if ip.is_unicast_link_local() {
        return Some(LINK_LOCAL);
    }
    if ip.is_unique_local() {
        return Some(PRIVATE);
    }
    let bits = u128::from(ip);
    if let Some(&(_, _, reason)) = RANGES_V6
        .iter()
        .find(|(net, len, _)| bits & mask128(*len) == u128::from(*net))
    {
        return Some(reason);
    }
    // Global unicast is 2000::/3; everything else is unassigned or special.
    (bits >> 125 != 0b001).then_some(RESERVED)
}

/// The IPv4 address an IPv6 one stands for: IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible
/// (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`), 6to4 (`2002:AABB:CCDD::/48`). `::` and `::1` are
/// left to the caller.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    let s = ip.segments();
    let [.., a, b, c, d] = ip.octets();
    match s {
        [0, 0, 0, 0, 0, 0, _, _] | [0x64, 0xff9b, 0, 0, 0, 0, _, _] => {
            Some(Ipv4Addr::new(a, b, c, d))
        }
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo))),
        _ => None,
    }
}

fn mask32(len: u32) -> u32 {
    u32::MAX.checked_shl(32 - len).unwrap_or(0)
}

fn mask128(len: u32) -> u128 {
    u128::MAX.checked_shl(128 - len).unwrap_or(0)
}

/// Why a webhook URL was refused.
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    /// Not `http` or `https`, or no host.
    #[error("webhook endpoints must be http:// or https:// URLs with a host")]
    NotHttp,
    /// The name has no address (or DNS did not answer in time).
    #[error(
        "`{host}` could not be resolved; webhook endpoints must be reachable on the public internet"
    )]
    Unresolved {
        host: String,
        #[source]
        source: Option<io::Error>,
    },
    /// The URL's address, or one the name resolves to, is not a public one.
    #[error("{}", refused_message(.host, .address, .reason))]
    Refused {
        host: String,
        address: IpAddr,
        reason: &'static str,
    },
}

fn refused_message(host: &str, address: &IpAddr, reason: &str) -> String {
    let literal = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .ok()
        == Some(*address);
    let what = if literal {
        format!("`{host}` is {reason}")
    } else {
        format!("`{host}` resolves to {address}, {reason}")
    };
    format!("{what}; webhook endpoints must be reachable on the public internet")
}

/// Checks a webhook URL when it is saved: http(s), and every address it leads to is public.
pub async fn check_url(url: &Url) -> Result<(), GuardError> {
    match target(url)? {
        Target::Address(host, ip) => judge(host, ip),
        Target::Name(host, port) => {
            for addr in resolve(host, port).await? {
                judge(host, addr.ip())?;
            }
            Ok(())
        }
    }
}

/// Checks a URL whose host is an address (which reqwest connects to without resolving); a name
/// passes, for the [`GuardedResolver`] to judge. Call before each guarded request.
pub fn check_literal(url: &Url) -> Result<(), GuardError> {
    match target(url)? {
        Target::Address(host, ip) => judge(host, ip),
        Target::Name(..) => Ok(()),
    }
}

/// Installs the [`GuardedResolver`] and turns off proxies (see the module docs).
pub fn guard(builder: ClientBuilder) -> ClientBuilder {
    builder.dns_resolver(Arc::new(GuardedResolver)).no_proxy()
}

/// A reqwest resolver that resolves with the system's resolver (through tokio) and passes on
/// only the allowed addresses; it fails with a [`GuardError`] when none remain.
#[derive(Debug, Clone, Copy, Default)]
pub struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // reqwest passes the name only; it puts the URL's port on addresses with port 0.
            let allowed = allowed(&host, resolve(&host, 0).await?)?;
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The allowed ones among `host`'s addresses; when there are none, why.
fn allowed(host: &str, addrs: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, GuardError> {
    let (allowed, refused): (Vec<_>, Vec<_>) = addrs
        .into_iter()
        .partition(|addr| refusal(addr.ip()).is_none());
    if allowed.is_empty() {
        for addr in &refused {
            judge(host, addr.ip())?;
        }
        return Err(GuardError::Unresolved {
            host: host.to_owned(),
            source: None,
        });
    }
    if !refused.is_empty() {
        let refused: Vec<IpAddr> = refused.iter().map(SocketAddr::ip).collect();
        tracing::warn!(
            host,
            ?refused,
            "webhook host also resolves to refused addresses; skipped"
        );
    }
    Ok(allowed)
}

enum Target<'a> {
    Address(&'a str, IpAddr),
    Name(&'a str, u16),
}

fn target(url: &Url) -> Result<Target<'_>, GuardError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(GuardError::NotHttp);
    }
    let shown = url.host_str().ok_or(GuardError::NotHttp)?;
    Ok(match url.host().ok_or(GuardError::NotHttp)? {
        Host::Ipv4(ip) => Target::Address(shown, IpAddr::V4(ip)),
        Host::Ipv6(ip) => Target::Address(shown, IpAddr::V6(ip)),
        Host::Domain(name) => Target::Name(name, url.port_or_known_default().unwrap_or(80)),
    })
}

fn judge(host: &str, address: IpAddr) -> Result<(), GuardError> {
    match refusal(address) {
        None => Ok(()),
        Some(reason) => Err(GuardError::Refused {
            host: host.to_owned(),
            address,
            reason,
        }),
    }
}

/// `host`'s addresses, from the system's resolver within [`RESOLVE_TIMEOUT`]; `localhost`
/// names are refused without asking.
async fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, GuardError> {
    if is_localhost(host) {
        return Err(GuardError::Refused {
            host: host.to_owned(),
            address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            reason: LOOPBACK,
        });
    }
    let unresolved = |source| GuardError::Unresolved {
        host: host.to_owned(),
        source: Some(source),
    };
    let looked_up = tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, port)))
        .await
        .map_err(|_| unresolved(io::Error::new(io::ErrorKind::TimedOut, "DNS timed out")))?
        .map_err(unresolved)?;
    let addrs: Vec<SocketAddr> = looked_up.collect();
    if addrs.is_empty() {
        return Err(GuardError::Unresolved {
            host: host.to_owned(),
            source: None,
        });
    }
    Ok(addrs)
}

fn is_localhost(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

#[cfg(test)]
mod tests;
