//! A small, real SMTP server for tests: real TCP, real protocol, no TLS, no AUTH.
//!
//! Meridian sends mail with lettre; pointing its `mail.smtp_url` at [`SmtpServer::url`] lets a
//! test see exactly what went over the wire, make the server refuse (transiently or
//! permanently), misbehave at random ([`Mode::Faulty`]: 421 and 451 answers, connections
//! dropped in the middle of DATA, stalls), and take it down and bring it back on the
//! same port.

use std::collections::HashMap;
use std::future::poll_fn;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// A running test SMTP server. Serves until dropped.
pub struct SmtpServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_task: JoinHandle<()>,
}

/// One message the server accepted.
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope sender (`MAIL FROM`), without the angle brackets; empty for `<>`.
    pub from: String,
    /// The envelope recipients (`RCPT TO`), in the order given.
    pub to: Vec<String>,
    /// The raw message, dot-unstuffed, CRLF kept.
    pub data: String,
}

/// What the server answers; tests change it while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Accepts every message (the default).
    Accept,
    /// Answer `451 4.3.0 try again later` to DATA (after the data is sent, at the final '.'),
    /// i.e. a transient failure.
    RefuseTransient,
    /// Answer `550 5.1.1 mailbox unavailable` to RCPT TO, a permanent failure.
    RefusePermanent,
    /// Each message meets one of the faults at random (or none, and is accepted).
    Faulty(Faults),
}

/// Chances, in percent per message, of each fault of [`Mode::Faulty`]; the rest are
/// accepted. None of them accepts the message, so a client that retries loses nothing
/// and has no reason to send anything twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Faults {
    /// `421 4.3.2 closing` to MAIL FROM, then the server closes the connection.
    pub close_421: u32,
    /// `451 4.3.0 try again later` at the end of DATA.
    pub refuse_451: u32,
    /// The connection is closed after the first line of the message, without an answer.
    pub drop_in_data: u32,
    /// After `354` the server reads and never answers, until the client gives up.
    pub stall: u32,
}

/// A fault the server chose for one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    Close421,
    Refuse451,
    DropInData,
    Stall,
}

impl Faults {
    fn pick(&self, roll: u32) -> Option<Fault> {
        let mut bound = 0;
        for (chance, fault) in [
            (self.close_421, Fault::Close421),
            (self.refuse_451, Fault::Refuse451),
            (self.drop_in_data, Fault::DropInData),
            (self.stall, Fault::Stall),
        ] {
            bound += chance;
            if roll < bound {
                return Some(fault);
            }
        }
        None
    }
}

struct Shared {
    /// `None` once the server is dropped: taking it out closes the port at once.
    listener: Mutex<Option<TcpListener>>,
    mode: Mutex<Mode>,
    received: Mutex<Vec<Received>>,
    /// The number of accepted messages, for `wait_for`.
    count: watch::Sender<usize>,
    /// Connections open now, for `wait_idle`.
    open: watch::Sender<usize>,
    refusals: AtomicUsize,
    /// The faults of `Mode::Faulty` played so far, by kind.
    faults: Mutex<HashMap<Fault, usize>>,
    rng: Mutex<StdRng>,
}

impl Shared {
    /// Under `Mode::Faulty`, draws this message's fault (and counts it).
    fn draw_fault(&self) -> Option<Fault> {
        let Mode::Faulty(faults) = *lock(&self.mode) else {
            return None;
        };
        let fault = faults.pick(lock(&self.rng).gen_range(0..100))?;
        *lock(&self.faults).entry(fault).or_default() += 1;
        Some(fault)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking test must not make every later call panic too.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl SmtpServer {
    /// Binds 127.0.0.1:0 and serves in a tokio task until dropped.
    pub async fn start() -> SmtpServer {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Binds a given address (used to bring a server up on a port that refused connections
    /// before).
    pub async fn start_on(addr: SocketAddr) -> SmtpServer {
        // The port of a server just dropped is free at once (the listener is closed in `drop`
        // and tokio sets SO_REUSEADDR), but retry briefly rather than fail on a slow close.
        let mut attempts = 0;
        let listener = loop {
            match TcpListener::bind(addr).await {
                Ok(listener) => break listener,
                Err(err) if err.kind() == std::io::ErrorKind::AddrInUse && attempts < 40 => {
                    attempts += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(err) => panic!("test SMTP server: cannot bind {addr}: {err}"),
            }
        };
        let addr = listener
            .local_addr()
            .expect("local address of the SMTP listener");
        let shared = Arc::new(Shared {
            listener: Mutex::new(Some(listener)),
            mode: Mutex::new(Mode::Accept),
            received: Mutex::new(Vec::new()),
            count: watch::Sender::new(0),
            open: watch::Sender::new(0),
            refusals: AtomicUsize::new(0),
            faults: Mutex::new(HashMap::new()),
            // Seeded by the port: random enough across runs, and printed with the counts.
            rng: Mutex::new(StdRng::seed_from_u64(u64::from(addr.port()))),
        });
        let accept_task = tokio::spawn(accept_loop(shared.clone()));
        SmtpServer {
            addr,
            shared,
            accept_task,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `smtp://127.0.0.1:PORT` for Meridian's mail.smtp_url.
    pub fn url(&self) -> String {
        format!("smtp://{}:{}", self.addr.ip(), self.addr.port())
    }

    pub fn set_mode(&self, mode: Mode) {
        *lock(&self.shared.mode) = mode;
    }

    /// Messages accepted so far.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.shared.received).clone()
    }

    /// Waits until at least `n` messages were accepted, or panics after `timeout` naming how
    /// many arrived.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let mut count = self.shared.count.subscribe();
        // `is_ok` lets go of the watch's read guard at once: held while reading the
        // messages, it would block a connection that records one (and holds that lock).
        let arrived = tokio::time::timeout(timeout, count.wait_for(|&count| count >= n))
            .await
            .is_ok();
        if !arrived {
            let received = self.received();
            let recipients: Vec<&[String]> = received.iter().map(|m| m.to.as_slice()).collect();
            panic!(
                "test SMTP server: waited {timeout:?} for {n} message(s), but {} arrived \
                 (recipients: {recipients:?}; refusals answered: {})",
                received.len(),
                self.refusals()
            );
        }
        self.received()
    }

    /// Waits until no client has a connection open (a killed client's connections close
    /// with it), so that every message it got as far as sending has been recorded.
    pub async fn wait_idle(&self, timeout: Duration) {
        let mut open = self.shared.open.subscribe();
        if tokio::time::timeout(timeout, open.wait_for(|&n| n == 0))
            .await
            .is_err()
        {
            panic!("test SMTP server: connections still open after {timeout:?}");
        }
    }

    /// Number of DATA/RCPT refusals answered so far (to check retries happened).
    pub fn refusals(&self) -> usize {
        self.shared.refusals.load(Ordering::SeqCst)
    }

    /// The faults of `Mode::Faulty` played so far, by kind.
    pub fn faults(&self) -> HashMap<Fault, usize> {
        lock(&self.shared.faults).clone()
    }
}

impl Drop for SmtpServer {
    /// Stops accepting: the port then refuses connections. Open connections are closed too
    /// (shortly after), so a client's pooled connection does not outlive the server.
    fn drop(&mut self) {
        // Dropping the listener closes the socket now, not when the runtime gets round to it.
        drop(lock(&self.shared.listener).take());
        // Dropping the accept task drops its JoinSet, which aborts every connection task.
        self.accept_task.abort();
    }
}

async fn accept_loop(shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        let accept = poll_fn(|cx| match lock(&shared.listener).as_ref() {
            Some(listener) => listener.poll_accept(cx).map(Some),
            None => Poll::Ready(None),
        });
        tokio::select! {
            accepted = accept => match accepted {
                Some(Ok((stream, _))) => {
                    connections.spawn(serve(stream, shared.clone()));
                }
                // E.g. too many open files: back off instead of spinning.
                Some(Err(_)) => tokio::time::sleep(Duration::from_millis(10)).await,
                None => return,
            },
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

const EHLO_REPLY: &str = "250-localhost\r\n\
                          250-PIPELINING\r\n\
                          250-SMTPUTF8\r\n\
                          250-SIZE 10485760\r\n\
                          250 8BITMIME\r\n";

/// Serves one connection until QUIT, EOF or an I/O error.
async fn serve(stream: TcpStream, shared: Arc<Shared>) {
    shared.open.send_modify(|n| *n += 1);
    let _ = serve_session(stream, &shared).await;
    shared.open.send_modify(|n| *n -= 1);
}

async fn serve_session(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    // Replies go out at once, as a real server's do; otherwise Nagle's algorithm and
    // delayed ACKs add tens of milliseconds to every command.
    stream.set_nodelay(true)?;
    let mut stream = BufReader::new(stream);
    stream.write_all(b"220 localhost ESMTP test\r\n").await?;

    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut line = Vec::new();
    // The fault this connection's current message meets, drawn at MAIL FROM.
    let mut fault: Option<Fault> = None;
    loop {
        line.clear();
        // Reads one command from the buffer, so pipelined commands are answered in order.
        if stream.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line);
        let command = command.trim_end_matches(['\r', '\n']);
        let (verb, args) = match command.split_once(' ') {
            Some((verb, args)) => (verb, args.trim()),
            None => (command, ""),
        };
        let reply: &str = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => {
                from = None;
                to.clear();
                EHLO_REPLY
            }
            "HELO" => {
                from = None;
                to.clear();
                "250 localhost\r\n"
            }
            "MAIL" => match path_argument(args, "FROM:") {
                _ if from.is_some() => "503 5.5.1 nested MAIL command\r\n",
                Some(address) => {
                    fault = shared.draw_fault();
                    if fault == Some(Fault::Close421) {
                        stream
                            .write_all(b"421 4.3.2 closing, try again later\r\n")
                            .await?;
                        return stream.shutdown().await;
                    }
                    from = Some(address);
                    "250 2.1.0 OK\r\n"
                }
                None => "501 5.5.4 syntax: MAIL FROM:<address>\r\n",
            },
            "RCPT" => match path_argument(args, "TO:") {
                _ if from.is_none() => "503 5.5.1 need MAIL before RCPT\r\n",
                Some(_) if *lock(&shared.mode) == Mode::RefusePermanent => {
                    shared.refusals.fetch_add(1, Ordering::SeqCst);
                    "550 5.1.1 mailbox unavailable\r\n"
                }
                Some(address) => {
                    to.push(address);
                    "250 2.1.5 OK\r\n"
                }
                None => "501 5.5.4 syntax: RCPT TO:<address>\r\n",
            },
            "DATA" if from.is_none() => "503 5.5.1 need MAIL before DATA\r\n",
            "DATA" if to.is_empty() => "554 5.5.1 no valid recipients\r\n",
            "DATA" => {
                stream
                    .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let fault = fault.take();
                match fault {
                    Some(Fault::DropInData) => {
                        line.clear();
                        stream.read_until(b'\n', &mut line).await?;
                        return Ok(()); // dropped: the connection closes unanswered
                    }
                    Some(Fault::Stall) => {
                        // Takes whatever comes and never answers; ends when the client
                        // gives up and closes.
                        let mut sink = Vec::new();
                        while stream.read_until(b'\n', &mut sink).await? > 0 {
                            sink.clear();
                        }
                        return Ok(());
                    }
                    _ => {}
                }
                let Some(data) = read_data(&mut stream).await? else {
                    return Ok(()); // EOF before the final '.': nothing is delivered
                };
                let from = from.take().unwrap_or_default();
                let to = std::mem::take(&mut to);
                if *lock(&shared.mode) == Mode::RefuseTransient || fault == Some(Fault::Refuse451) {
                    shared.refusals.fetch_add(1, Ordering::SeqCst);
                    "451 4.3.0 try again later\r\n"
                } else {
                    let mut received = lock(&shared.received);
                    received.push(Received { from, to, data });
                    shared.count.send_replace(received.len());
                    "250 2.0.0 OK queued\r\n"
                }
            }
            "RSET" => {
                fault = None;
                from = None;
                to.clear();
                "250 2.0.0 OK\r\n"
            }
            "NOOP" => "250 2.0.0 OK\r\n",
            "QUIT" => {
                stream.write_all(b"221 2.0.0 bye\r\n").await?;
                return stream.shutdown().await;
            }
            _ => "502 5.5.2 command not recognized\r\n",
        };
        stream.write_all(reply.as_bytes()).await?;
    }
}

/// Reads the message after `354` up to the line holding only '.', undoing dot-stuffing.
/// `None` on EOF before that line.
async fn read_data(stream: &mut BufReader<TcpStream>) -> std::io::Result<Option<String>> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if stream.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(Some(String::from_utf8_lossy(&data).into_owned()));
        }
        let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
        data.extend_from_slice(unstuffed);
    }
}

/// Parses `FROM:<a@b> PARAMS` / `TO:<c@d> PARAMS` (keyword case-insensitive, a space after the
/// colon tolerated, parameters such as BODY=8BITMIME or SMTPUTF8 ignored) into the address.
fn path_argument(args: &str, keyword: &str) -> Option<String> {
    let head = args.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = args[keyword.len()..].trim_start();
    match rest.strip_prefix('<') {
        Some(inside) => inside.split_once('>').map(|(path, _)| path.to_owned()),
        None => rest.split_whitespace().next().map(str::to_owned),
    }
}

/// The server's own tests: lettre as the client, as Meridian uses it.
#[cfg(test)]
mod tests {
    use super::*;
    use lettre::message::header::{ContentTransferEncoding, ContentType};
    use lettre::message::{Body, Mailbox, Message};
    use lettre::transport::smtp::Error as SmtpError;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

    // ----------------------------------------------------------------------------------------------
    // Tests of the server itself, with lettre as the client (as Meridian uses it).

    const WAIT: Duration = Duration::from_secs(10);

    /// A plain-SMTP lettre transport (pooled) built from `server.url()`, as Meridian would from
    /// `mail.smtp_url` (`from_url` itself needs one of lettre's TLS features).
    fn transport(server: &SmtpServer) -> AsyncSmtpTransport<Tokio1Executor> {
        let url = server.url();
        let (host, port) = url
            .strip_prefix("smtp://")
            .and_then(|rest| rest.rsplit_once(':'))
            .unwrap_or_else(|| panic!("not smtp://HOST:PORT: {url}"));
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port.parse().unwrap())
            .timeout(Some(Duration::from_secs(10)))
            .build()
    }

    fn message(to: &str, subject: &str, body: &str) -> Message {
        Message::builder()
            .from(
                "Meridian <noreply@meridian.test>"
                    .parse::<Mailbox>()
                    .unwrap(),
            )
            .to(to.parse::<Mailbox>().unwrap())
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .unwrap()
    }

    /// Whether `err` was caused by a refused TCP connection (lettre has no `is_connection()`).
    fn is_connection_refused(err: &SmtpError) -> bool {
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            if let Some(io) = cause.downcast_ref::<std::io::Error>() {
                return io.kind() == std::io::ErrorKind::ConnectionRefused;
            }
            source = cause.source();
        }
        false
    }

    #[tokio::test]
    async fn accepted_message_arrives_with_envelope_and_dot_unstuffed_data() {
        let server = SmtpServer::start().await;
        assert_eq!(
            server.url(),
            format!("smtp://127.0.0.1:{}", server.addr().port())
        );
        let mailer = transport(&server);
        let email = Message::builder()
            .from(
                "Meridian <noreply@meridian.test>"
                    .parse::<Mailbox>()
                    .unwrap(),
            )
            .to("Ada <ada@example.test>".parse::<Mailbox>().unwrap())
            .cc("grace@example.test".parse::<Mailbox>().unwrap())
            .subject("Your webinar")
            .header(ContentType::TEXT_PLAIN)
            .body(
                Body::new_with_encoding(
                    "Hello Ada,\r\n.starts with a dot\r\n..two dots\r\n.\r\nZoë, 東京\r\n"
                        .to_owned(),
                    ContentTransferEncoding::EightBit,
                )
                .unwrap(),
            )
            .unwrap();

        mailer.send(email).await.expect("the server accepts");

        let received = server.wait_for(1, WAIT).await;
        assert_eq!(received.len(), 1);
        let message = &received[0];
        assert_eq!(message.from, "noreply@meridian.test");
        assert_eq!(message.to, ["ada@example.test", "grace@example.test"]);
        assert!(
            message.data.contains("Subject: Your webinar\r\n"),
            "{}",
            message.data
        );
        assert!(
            message.data.contains("<ada@example.test>\r\n"),
            "{}",
            message.data
        );
        assert!(
            message.data.contains(
                "\r\n\r\nHello Ada,\r\n.starts with a dot\r\n..two dots\r\n.\r\nZoë, 東京\r\n"
            ),
            "{}",
            message.data
        );
        assert!(
            !message.data.replace("\r\n", "").contains('\n'),
            "bare LF in {:?}",
            message.data
        );
        assert_eq!(server.refusals(), 0);
    }

    #[tokio::test]
    async fn burst_over_one_pooled_transport_arrives_whole() {
        let server = SmtpServer::start().await;
        let mailer = transport(&server);
        let body: String = (0..200)
            .map(|i| format!("line {i:03}: .{}\r\n", "x".repeat(60)))
            .collect();

        let mut sends = JoinSet::new();
        for i in 0..20 {
            let mailer = mailer.clone(); // clones share the pool
            let email = message(
                &format!("user{i}@example.test"),
                &format!("burst {i}"),
                &body,
            );
            sends.spawn(async move { mailer.send(email).await });
        }
        while let Some(sent) = sends.join_next().await {
            sent.unwrap()
                .expect("every message of the burst is accepted");
        }

        let received = server.wait_for(20, WAIT).await;
        assert_eq!(received.len(), 20);
        for i in 0..20 {
            let to = format!("user{i}@example.test");
            let message = received
                .iter()
                .find(|m| m.to == [to.clone()])
                .unwrap_or_else(|| panic!("no message to {to}"));
            assert!(message.data.contains(&format!("Subject: burst {i}\r\n")));
            assert!(
                message.data.contains(&body),
                "message {i} arrived cut or mangled"
            );
        }
    }

    #[tokio::test]
    async fn transient_refusal_is_a_transient_error_and_records_nothing_until_accepting_again() {
        let server = SmtpServer::start().await;
        let mailer = transport(&server);
        server.set_mode(Mode::RefuseTransient);

        let err = mailer
            .send(message("ada@example.test", "retry me", "body\r\n"))
            .await
            .expect_err("451 at the end of DATA");
        assert!(err.is_transient(), "{err:?}");
        assert!(!err.is_permanent(), "{err:?}");
        assert_eq!(
            err.status().map(|code| code.to_string()).as_deref(),
            Some("451")
        );
        assert!(err.to_string().contains("try again later"), "{err}");
        assert_eq!(server.refusals(), 1);
        assert!(server.received().is_empty());

        server.set_mode(Mode::Accept);
        mailer
            .send(message("ada@example.test", "retry me", "body\r\n"))
            .await
            .expect("accepted once the server accepts again");
        let received = server.wait_for(1, WAIT).await;
        assert_eq!(received.len(), 1);
        assert!(received[0].data.contains("Subject: retry me\r\n"));
        assert_eq!(server.refusals(), 1);
    }

    #[tokio::test]
    async fn permanent_refusal_is_a_permanent_error() {
        let server = SmtpServer::start().await;
        let mailer = transport(&server);
        server.set_mode(Mode::RefusePermanent);

        let err = mailer
            .send(message("gone@example.test", "hello", "body\r\n"))
            .await
            .expect_err("550 to RCPT TO");
        assert!(err.is_permanent(), "{err:?}");
        assert!(!err.is_transient(), "{err:?}");
        assert_eq!(
            err.status().map(|code| code.to_string()).as_deref(),
            Some("550")
        );
        assert_eq!(server.refusals(), 1);
        assert!(server.received().is_empty());
    }

    #[tokio::test]
    async fn dropped_server_refuses_connections_and_start_on_brings_the_port_back() {
        let server = SmtpServer::start().await;
        let addr = server.addr();
        let pooled = transport(&server);
        pooled
            .send(message("ada@example.test", "before", "body\r\n"))
            .await
            .unwrap();
        server.wait_for(1, WAIT).await;

        drop(server);

        let connect = TcpStream::connect(addr).await.map(|_| ());
        assert_eq!(
            connect.map_err(|e| e.kind()),
            Err(std::io::ErrorKind::ConnectionRefused)
        );
        let fresh = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(addr.port())
            .build::<Tokio1Executor>();
        let err = fresh
            .send(message("ada@example.test", "while down", "body\r\n"))
            .await
            .expect_err("nobody listens");
        assert!(is_connection_refused(&err), "{err:?}");
        assert!(!err.is_transient() && !err.is_permanent(), "{err:?}");
        // The pooled transport's idle connection was closed with the server: it fails too.
        pooled
            .send(message("ada@example.test", "while down", "body\r\n"))
            .await
            .expect_err("the server is down");

        let server = SmtpServer::start_on(addr).await;
        assert_eq!(server.addr(), addr);
        pooled
            .send(message("ada@example.test", "after", "body\r\n"))
            .await
            .expect("the same transport reconnects to the new server");
        let received = server.wait_for(1, WAIT).await;
        assert_eq!(received.len(), 1);
        assert!(received[0].data.contains("Subject: after\r\n"));
    }

    #[tokio::test]
    async fn raw_pipelined_session_gets_every_reply_in_order() {
        let server = SmtpServer::start().await;
        let mut conn = BufReader::new(TcpStream::connect(server.addr()).await.unwrap());
        let mut replies = String::new();
        async fn reply(conn: &mut BufReader<TcpStream>, out: &mut String) -> String {
            // Reads one (possibly multi-line) reply.
            let mut reply = String::new();
            loop {
                let mut line = String::new();
                assert_ne!(
                    conn.read_line(&mut line).await.unwrap(),
                    0,
                    "EOF after {out:?}"
                );
                reply.push_str(&line);
                if line.as_bytes().get(3) != Some(&b'-') {
                    out.push_str(&reply);
                    return reply;
                }
            }
        }

        assert_eq!(
            reply(&mut conn, &mut replies).await,
            "220 localhost ESMTP test\r\n"
        );
        conn.write_all(b"EHLO client.test\r\n").await.unwrap();
        let ehlo = reply(&mut conn, &mut replies).await;
        assert!(ehlo.starts_with("250-localhost\r\n") && ehlo.ends_with("250 8BITMIME\r\n"));
        assert!(ehlo.contains("250-PIPELINING\r\n") && ehlo.contains("250-SMTPUTF8\r\n"));
        assert!(ehlo.contains("250-SIZE 10485760\r\n"));
        assert!(!ehlo.contains("STARTTLS") && !ehlo.contains("AUTH"));

        // One write holding a whole pipelined group, as RFC 2920 allows.
        conn.write_all(
            b"MAIL FROM:<a@b.test> BODY=8BITMIME SMTPUTF8\r\nRCPT TO:<c@d.test>\r\n\
              rcpt to: <e@f.test> NOTIFY=NEVER\r\nDATA\r\n",
        )
        .await
        .unwrap();
        for expected in ["250 ", "250 ", "250 ", "354 "] {
            let got = reply(&mut conn, &mut replies).await;
            assert!(got.starts_with(expected), "{got:?} in {replies:?}");
        }
        conn.write_all(b"Subject: raw\r\n\r\n..hidden dot\r\n.\r\nNOOP\r\nVRFY x\r\nRSET\r\n")
            .await
            .unwrap();
        for expected in ["250 ", "250 ", "502 ", "250 "] {
            let got = reply(&mut conn, &mut replies).await;
            assert!(got.starts_with(expected), "{got:?} in {replies:?}");
        }
        conn.write_all(b"RCPT TO:<x@y.test>\r\nDATA\r\nHELO c\r\nSTARTTLS\r\nQUIT\r\n")
            .await
            .unwrap();
        for expected in ["503 ", "503 ", "250 localhost", "502 ", "221 "] {
            let got = reply(&mut conn, &mut replies).await;
            assert!(got.starts_with(expected), "{got:?} in {replies:?}");
        }
        let mut rest = String::new();
        conn.read_line(&mut rest).await.unwrap();
        assert_eq!(rest, "", "the server closes after QUIT");

        let received = server.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].from, "a@b.test");
        assert_eq!(received[0].to, ["c@d.test", "e@f.test"]);
        assert_eq!(received[0].data, "Subject: raw\r\n\r\n.hidden dot\r\n");
    }

    #[tokio::test]
    #[should_panic(expected = "waited 50ms for 1 message(s), but 0 arrived")]
    async fn wait_for_panics_naming_how_many_arrived() {
        let server = SmtpServer::start().await;
        server.wait_for(1, Duration::from_millis(50)).await;
    }
}
