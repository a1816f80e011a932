//! The release `meridian` binary as a child process for the benchmarks that measure the
//! server on its own (its memory from /proc): configured by `MERIDIAN__*` variables for a
//! data folder, started, asked for its peak RSS, stopped with Ctrl-C.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Runs `meridian organizer create` against the database; returns the API token.
pub fn create_organizer(dir: &Path, database_url: &str) -> anyhow::Result<String> {
    let output = meridian(dir, database_url)
        .args([
            "organizer",
            "create",
            "--email",
            "bench@iom.example.org",
            "--name",
            "Bench",
        ])
        .output()?;
    if !output.status.success() {
        bail!(
            "organizer create failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let stdout = String::from_utf8(output.stdout)?;
    Ok(stdout
        .lines()
        .last()
        .context("no token printed")?
        .to_string())
}

/// The release binary (or `MERIDIAN_BIN`, another build to compare in the same run),
/// configured by environment for the data in `dir`.
pub fn meridian(dir: &Path, database_url: &str) -> Command {
    let binary =
        std::env::var_os("MERIDIAN_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_meridian").into());
    let mut command = Command::new(binary);
    command
        .current_dir(dir)
        .env("MERIDIAN__DATABASE__URL", database_url)
        .env("MERIDIAN__SECURITY__SECRET_FILE", dir.join("secret.key"))
        .env("MERIDIAN__MAIL__OUTBOX_DIR", dir.join("outbox"))
        // Every client comes from 127.0.0.1: the per-address limit would measure itself.
        .env("MERIDIAN__SECURITY__RATE_LIMIT_PER_MINUTE", "0")
        .env_remove("RUST_LOG");
    command
}

pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    pub started_in: Duration,
}

impl Server {
    /// Spawns `meridian serve` and waits for its first answer to `GET /healthz`.
    /// `env`: more `MERIDIAN__*` settings (the mail transport, say).
    pub async fn start(
        dir: &Path,
        database_url: &str,
        env: &[(&str, String)],
    ) -> anyhow::Result<Server> {
        let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("server.log"))?;
        let start = Instant::now();
        let mut child = meridian(dir, database_url)
            .env("MERIDIAN__SERVER__BIND", addr.to_string())
            .env("MERIDIAN__SERVER__PUBLIC_URL", format!("http://{addr}"))
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()?;
        loop {
            if healthz(addr).await {
                break;
            }
            if let Some(status) = child.try_wait()? {
                bail!(
                    "meridian exited with {status}; see {}",
                    dir.join("server.log").display()
                );
            }
            if start.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                bail!("meridian did not answer within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        Ok(Server {
            started_in: start.elapsed(),
            child,
            addr,
        })
    }

    /// A line of /proc/<pid>/status in kB (VmRSS now, VmHWM the peak).
    pub fn rss_kb(&self, key: &str) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .with_context(|| format!("no {key} in /proc/<pid>/status"))
    }

    /// CPU time the server has used so far, user and system (`/proc/<pid>/stat`, in
    /// clock ticks of 1/100 s).
    pub fn cpu_seconds(&self) -> anyhow::Result<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))?;
        // Fields after the command name, which is in parentheses and may hold spaces:
        // utime and stime are the 14th and 15th of the line.
        let rest = stat
            .rsplit_once(')')
            .context("no ')' in /proc/<pid>/stat")?
            .1;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| -> anyhow::Result<f64> {
            Ok(fields
                .get(i)
                .context("short /proc/<pid>/stat")?
                .parse::<f64>()?)
        };
        Ok((ticks(11)? + ticks(12)?) / 100.0)
    }

    /// Ctrl-C (SIGINT), as an operator would; waits for the graceful shutdown.
    pub fn stop(mut self) -> anyhow::Result<()> {
        Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                self.child.kill()?;
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One `GET /healthz` on a new connection: true on a 200.
pub async fn healthz(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return false;
    };
    let request = "GET /healthz HTTP/1.1\r\nhost: bench\r\nconnection: close\r\n\r\n";
    if stream.write_all(request.as_bytes()).await.is_err() {
        return false;
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    answer.starts_with(b"HTTP/1.1 200")
}
