//! A forge that knows nothing: a loopback HTTP/1.1 listener answering every
//! request with `200 []` (keep-alive) and recording each request line, so
//! the bench can tell whether a page view asked the forge anything.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const ANSWER: &[u8] =
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n[]";

/// The listener's address and the request lines it has answered.
pub struct CountingForge {
    pub url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl CountingForge {
    pub async fn start() -> CountingForge {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(answer(stream, seen.clone()));
            }
        });
        CountingForge { url, requests }
    }

    /// How many requests it has answered so far.
    pub fn count(&self) -> usize {
        self.requests.lock().expect("lock").len()
    }

    /// The request lines from the `from`-th on.
    pub fn since(&self, from: usize) -> Vec<String> {
        self.requests.lock().expect("lock")[from..].to_vec()
    }
}

/// Answers each request on one connection until the client closes it.
async fn answer(mut stream: TcpStream, seen: Arc<Mutex<Vec<String>>>) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(read) => buffer.extend_from_slice(&chunk[..read]),
            }
            continue;
        };
        let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
        let body = head
            .lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.trim().parse::<usize>().ok())
            .unwrap_or(0);
        // Wait for the whole body, then forget it.
        while buffer.len() < end + 4 + body {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(read) => buffer.extend_from_slice(&chunk[..read]),
            }
        }
        buffer.drain(..end + 4 + body);
        let line = head.lines().next().unwrap_or_default().to_string();
        seen.lock().expect("lock").push(line);
        if stream.write_all(ANSWER).await.is_err() {
            return;
        }
    }
}
