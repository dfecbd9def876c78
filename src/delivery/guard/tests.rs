use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;

fn ip(text: &str) -> IpAddr {
    text.parse()
        .unwrap_or_else(|_| panic!("{text} is an address"))
}

#[test]
fn special_ipv4_ranges_are_refused_with_their_reason() {
    let cases = [
        ("0.0.0.0", UNSPECIFIED),
        ("0.0.0.1", RESERVED),
        ("0.255.255.255", RESERVED),
        ("10.0.0.0", PRIVATE),
        ("10.255.255.255", PRIVATE),
        ("100.64.0.0", SHARED),
        ("100.127.255.255", SHARED),
        ("100.100.100.200", METADATA),
        ("127.0.0.1", LOOPBACK),
        ("127.0.0.0", LOOPBACK),
        ("127.255.255.255", LOOPBACK),
        ("169.254.0.0", LINK_LOCAL),
        ("169.254.255.255", LINK_LOCAL),
        ("169.254.169.254", METADATA),
        ("169.254.170.2", METADATA),
        ("172.16.0.0", PRIVATE),
        ("172.31.255.255", PRIVATE),
        ("192.0.0.0", RESERVED),
        ("192.0.0.255", RESERVED),
        ("192.0.2.0", RESERVED),
        ("192.0.2.255", RESERVED),
        ("192.88.99.1", RESERVED),
        ("192.168.0.0", PRIVATE),
        ("192.168.255.255", PRIVATE),
        ("198.18.0.0", RESERVED),
        ("198.19.255.255", RESERVED),
        ("198.51.100.0", RESERVED),
        ("198.51.100.255", RESERVED),
        ("203.0.113.0", RESERVED),
        ("203.0.113.255", RESERVED),
        ("224.0.0.0", MULTICAST),
        ("239.255.255.255", MULTICAST),
        ("240.0.0.0", RESERVED),
        ("255.255.255.254", RESERVED),
        ("255.255.255.255", BROADCAST),
        ("168.63.129.16", METADATA),
    ];
    for (address, reason) in cases {
        assert_eq!(refusal(ip(address)), Some(reason), "{address}");
    }
}

#[test]
fn special_ipv6_ranges_are_refused_with_their_reason() {
    let cases = [
        ("::", UNSPECIFIED),
        ("::1", LOOPBACK),
        ("fe80::", LINK_LOCAL),
        ("fe80::1", LINK_LOCAL),
        ("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", LINK_LOCAL),
        ("fc00::", PRIVATE),
        ("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", PRIVATE),
        ("fd00:ec2::254", METADATA),
        ("fd20:ce::254", METADATA),
        ("fec0::1", PRIVATE),
        ("ff00::", MULTICAST),
        ("ff02::1", MULTICAST),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", MULTICAST),
        ("2001:db8::", RESERVED),
        ("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", RESERVED),
        ("3fff::1", RESERVED),
        ("2001::1", RESERVED),
        ("2001:1ff:ffff::1", RESERVED),
        ("100::1", RESERVED),
        ("5f00::1", RESERVED),
        ("4000::1", RESERVED),
        ("1fff:ffff::1", RESERVED),
        ("::ffff:127.0.0.1", LOOPBACK),
        ("::ffff:10.1.2.3", PRIVATE),
        ("::ffff:169.254.169.254", METADATA),
        ("::ffff:0.0.0.0", UNSPECIFIED),
        ("::ffff:255.255.255.255", BROADCAST),
        ("::127.0.0.1", LOOPBACK),
        ("::10.0.0.1", PRIVATE),
        ("64:ff9b::127.0.0.1", LOOPBACK),
        ("64:ff9b::169.254.169.254", METADATA),
        ("64:ff9b::192.168.1.1", PRIVATE),
        ("64:ff9b:1::1", PRIVATE),
        ("2002:7f00:1::", LOOPBACK),
        ("2002:c0a8:101::1", PRIVATE),
        ("2002:a9fe:a9fe::1", METADATA),
    ];
    for (address, reason) in cases {
        assert_eq!(refusal(ip(address)), Some(reason), "{address}");
    }
}

#[test]
fn public_unicast_addresses_are_allowed() {
    let public = [
        "1.1.1.1",
        "8.8.8.8",
        "9.255.255.255",
        "11.0.0.0",
        "100.63.255.255",
        "100.128.0.0",
        "126.255.255.255",
        "128.0.0.0",
        "169.253.255.255",
        "169.255.0.0",
        "172.15.255.255",
        "172.32.0.0",
        "192.0.1.255",
        "192.0.3.0",
        "192.167.255.255",
        "192.169.0.0",
        "198.17.255.255",
        "198.20.0.0",
        "198.51.99.255",
        "198.51.101.0",
        "203.0.112.255",
        "203.0.114.0",
        "223.255.255.255",
        "168.63.129.17",
        "2606:4700::1111",
        "2001:4860:4860::8888",
        "2001:200::1",
        "2001:db7:ffff::1",
        "2001:db9::",
        "2a00:1450:4001::1",
        "3ffe:ffff::1",
        "3fff:1000::1",
        "::ffff:1.1.1.1",
        "64:ff9b::8.8.8.8",
        "2002:808:808::1",
    ];
    for address in public {
        assert_eq!(refusal(ip(address)), None, "{address}");
    }
}

proptest! {
    #[test]
    fn a_mapped_address_is_judged_as_its_ipv4_address(bits: u32) {
        let v4 = Ipv4Addr::from(bits);
        prop_assert_eq!(refusal(IpAddr::V6(v4.to_ipv6_mapped())), refusal(IpAddr::V4(v4)));
        let nat64 = Ipv6Addr::from((0x64_ff9b_u128 << 96) | u128::from(bits));
        prop_assert_eq!(refusal(IpAddr::V6(nat64)), refusal(IpAddr::V4(v4)));
        let six_to_four = Ipv6Addr::from((0x2002_u128 << 112) | (u128::from(bits) << 80));
        prop_assert_eq!(refusal(IpAddr::V6(six_to_four)), refusal(IpAddr::V4(v4)));
    }

    #[test]
    fn private_and_loopback_ranges_are_refused_throughout(low: u32, v6: u128) {
        let ten = Ipv4Addr::from(0x0a00_0000 | (low & 0x00ff_ffff));
        prop_assert_eq!(refusal(IpAddr::V4(ten)), Some(PRIVATE));
        let loopback = Ipv4Addr::from(0x7f00_0000 | (low & 0x00ff_ffff));
        prop_assert_eq!(refusal(IpAddr::V4(loopback)), Some(LOOPBACK));
        let unique_local = Ipv6Addr::from((0xfc_u128 << 120) | (v6 >> 7));
        prop_assert!(refusal(IpAddr::V6(unique_local)).is_some(), "{}", unique_local);
    }
}

fn url(text: &str) -> Url {
    Url::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The address a refusal names, and its reason.
fn reason_of(error: &GuardError) -> (IpAddr, &'static str) {
    match error {
        GuardError::Refused {
            address, reason, ..
        } => (*address, reason),
        other => panic!("refused expected, got {other:?}"),
    }
}

fn refused(result: Result<(), GuardError>) -> (IpAddr, &'static str) {
    reason_of(&result.expect_err("refused"))
}

#[tokio::test]
async fn check_url_refuses_urls_into_the_hosts_networks() {
    let cases = [
        ("http://localhost:8080/x", "127.0.0.1", LOOPBACK),
        ("http://LOCALHOST./", "127.0.0.1", LOOPBACK),
        ("https://api.localhost/hook", "127.0.0.1", LOOPBACK),
        ("http://127.0.0.1/", "127.0.0.1", LOOPBACK),
        ("http://2130706433/", "127.0.0.1", LOOPBACK),
        ("http://0x7f.1/", "127.0.0.1", LOOPBACK),
        ("http://[::1]/", "::1", LOOPBACK),
        (
            "http://169.254.169.254/latest/meta-data",
            "169.254.169.254",
            METADATA,
        ),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1", LOOPBACK),
        ("https://10.0.0.1:8443/hook", "10.0.0.1", PRIVATE),
        ("http://[fd00:ec2::254]/latest", "fd00:ec2::254", METADATA),
    ];
    for (text, address, reason) in cases {
        assert_eq!(
            refused(check_url(&url(text)).await),
            (ip(address), reason),
            "{text}"
        );
    }
    for text in [
        "ftp://example.com",
        "mailto:ops@example.com",
        "file:///etc/passwd",
    ] {
        let result = check_url(&url(text)).await;
        assert!(
            matches!(result, Err(GuardError::NotHttp)),
            "{text}: {result:?}"
        );
    }
    check_url(&url("https://1.1.1.1/")).await.unwrap();
    check_url(&url("http://[2606:4700::1111]:8080/x"))
        .await
        .unwrap();
}

async fn message(text: &str) -> String {
    check_url(&url(text)).await.unwrap_err().to_string()
}

#[tokio::test]
async fn refusals_read_as_problem_details() {
    assert_eq!(
        message("http://localhost:8080/x").await,
        "`localhost` resolves to 127.0.0.1, a loopback address; webhook endpoints must be \
         reachable on the public internet"
    );
    assert_eq!(
        message("http://[::1]/").await,
        "`[::1]` is a loopback address; webhook endpoints must be reachable on the public internet"
    );
    assert_eq!(
        message("ftp://example.com").await,
        "webhook endpoints must be http:// or https:// URLs with a host"
    );
    let unresolved = GuardError::Unresolved {
        host: "nowhere.invalid".into(),
        source: None,
    };
    assert_eq!(
        unresolved.to_string(),
        "`nowhere.invalid` could not be resolved; webhook endpoints must be reachable on the \
         public internet"
    );
}

#[test]
fn check_literal_judges_addresses_and_leaves_names_to_the_resolver() {
    assert_eq!(
        refused(check_literal(&url("http://127.0.0.1:9000/"))),
        (ip("127.0.0.1"), LOOPBACK)
    );
    assert_eq!(
        refused(check_literal(&url("http://[::ffff:a9fe:a9fe]/"))),
        (ip("::ffff:169.254.169.254"), METADATA)
    );
    check_literal(&url("https://1.1.1.1/")).unwrap();
    check_literal(&url("https://hooks.example.com/x")).unwrap();
    assert!(matches!(
        check_literal(&url("ftp://1.1.1.1/")),
        Err(GuardError::NotHttp)
    ));
}

#[test]
fn a_name_keeps_only_its_allowed_addresses() {
    let sock = |text: &str| SocketAddr::new(ip(text), 0);
    let mixed = vec![
        sock("10.0.0.1"),
        sock("1.1.1.1"),
        sock("::1"),
        sock("2606:4700::1111"),
    ];
    assert_eq!(
        allowed("mixed.example", mixed).unwrap(),
        vec![sock("1.1.1.1"), sock("2606:4700::1111")]
    );
    let inward = vec![sock("192.168.1.1"), sock("127.0.0.1")];
    let error = allowed("inward.example", inward).unwrap_err();
    assert_eq!(reason_of(&error), (ip("192.168.1.1"), PRIVATE));
    assert!(matches!(
        allowed("empty.example", Vec::new()),
        Err(GuardError::Unresolved { source: None, .. })
    ));
}

#[tokio::test]
async fn the_resolver_refuses_names_that_lead_inward() {
    // An address given as a name goes through the lookup (without DNS), then the filter.
    let error = GuardedResolver
        .resolve("127.0.0.1".parse().unwrap())
        .await
        .err()
        .expect("refused");
    let error = error.downcast_ref::<GuardError>().expect("a GuardError");
    assert_eq!(reason_of(error), (ip("127.0.0.1"), LOOPBACK));
    let addrs: Vec<_> = GuardedResolver
        .resolve("1.1.1.1".parse().unwrap())
        .await
        .unwrap()
        .collect();
    assert_eq!(addrs, vec![SocketAddr::new(ip("1.1.1.1"), 0)]);
    assert!(
        GuardedResolver
            .resolve("localhost".parse().unwrap())
            .await
            .is_err()
    );
}

/// A loopback HTTP server that answers every request with 200, and counts its connections.
async fn listener() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0_u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let answer = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok";
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    (port, accepted)
}

#[tokio::test]
async fn a_guarded_client_does_not_connect_to_a_name_that_leads_inward() {
    let (port, accepted) = listener().await;
    let target = format!("http://localhost:{port}/");

    let guarded = guard(reqwest::Client::builder()).build().unwrap();
    let error = guarded.get(&target).send().await.unwrap_err();
    let mut chain = Vec::new();
    let mut refusal = None;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(cause) = source {
        chain.push(cause.to_string());
        refusal = refusal.or(cause.downcast_ref::<GuardError>().map(reason_of));
        source = cause.source();
    }
    assert_eq!(refusal, Some((ip("127.0.0.1"), LOOPBACK)), "{chain:?}");
    assert!(
        chain.iter().any(|c| c.contains("a loopback address")),
        "{chain:?}"
    );
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        0,
        "nothing reached the listener"
    );

    let unguarded = reqwest::Client::builder().no_proxy().build().unwrap();
    let answer = unguarded.get(&target).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "the listener counts");
}

#[tokio::test]
async fn a_literal_address_skips_the_resolver_so_check_literal_must_run() {
    let (port, accepted) = listener().await;
    let target = url(&format!("http://127.0.0.1:{port}/"));
    assert_eq!(refused(check_literal(&target)), (ip("127.0.0.1"), LOOPBACK));
    // reqwest connects to an address in the URL without asking the resolver.
    let guarded = guard(reqwest::Client::builder()).build().unwrap();
    let answer = guarded.get(target).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}
