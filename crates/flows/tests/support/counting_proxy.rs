//! A loopback HTTP proxy for tests that an explicit proxy is used: it forwards each connection to
//! the host the request names and records the request lines it carried. Shared by the flows'
//! sign-in tests and the CLI's hooks tests (included with `#[path]`).

/// A loopback HTTP proxy that forwards each connection to the host it names and records the
/// request targets it carried (absolute-form: `POST http://127.0.0.1:…/…/oauth2/v2.0/token`).
pub async fn start() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 8192];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match client.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let line = String::from_utf8_lossy(&head)
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string();
                let target = line.split(' ').nth(1).unwrap_or_default().to_string();
                let Ok(origin) = url::Url::parse(&target) else {
                    return;
                };
                let address = format!(
                    "{}:{}",
                    origin.host_str().unwrap_or_default(),
                    origin.port_or_known_default().unwrap_or(80)
                );
                let Ok(mut upstream) = tokio::net::TcpStream::connect(address).await else {
                    return;
                };
                record.lock().unwrap().push(line);
                // One request per connection keeps the count honest.
                let head = String::from_utf8_lossy(&head).replacen(
                    "\r\n\r\n",
                    "\r\nConnection: close\r\n\r\n",
                    1,
                );
                if upstream.write_all(head.as_bytes()).await.is_ok() {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                }
            });
        }
    });
    (url, seen)
}
