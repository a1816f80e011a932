//! A headless Chromium driven over WebDriver (chromedriver), with plain HTTP and JSON:
//! enough to open pages, fill forms, click, press keys, read the page, take screenshots
//! and audit the page's accessibility with axe-core.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// WebDriver's key values for `Chrome::press`.
pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";
pub const SPACE: &str = " ";

pub struct Chrome {
    driver: Child,
    client: reqwest::Client,
    session: String,
    _profile: tempfile::TempDir,
}

/// Chromium and chromedriver from the system, or `None` (announced) when they are not
/// installed; with MERIDIAN_REQUIRE_BROWSER set (as in CI) their absence fails the test.
fn binaries() -> Option<(String, String)> {
    let find = |names: &[&str]| {
        names.iter().find_map(|n| {
            let path = format!("/usr/bin/{n}");
            std::path::Path::new(&path).exists().then_some(path)
        })
    };
    match (
        find(&["chromium", "chromium-browser", "google-chrome"]),
        find(&["chromedriver"]),
    ) {
        (Some(browser), Some(driver)) => Some((browser, driver)),
        _ if std::env::var_os("MERIDIAN_REQUIRE_BROWSER").is_some() => {
            panic!(
                "Chromium and chromedriver are required (MERIDIAN_REQUIRE_BROWSER): apt-get install chromium chromium-driver"
            )
        }
        _ => {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED browser test: Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)"
            );
            None
        }
    }
}

/// axe-core's script, from the npm package pinned in tests/tools/package.json (`npm ci`
/// there installs it; .ci/run does), or `None` when it is not installed; with
/// MERIDIAN_REQUIRE_BROWSER set (as in CI) its absence fails the test.
fn axe_source() -> Option<&'static str> {
    static SOURCE: OnceLock<Option<String>> = OnceLock::new();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tools/node_modules/axe-core/axe.min.js");
    let source = SOURCE.get_or_init(|| std::fs::read_to_string(&path).ok());
    if source.is_none() && std::env::var_os("MERIDIAN_REQUIRE_BROWSER").is_some() {
        panic!(
            "axe-core is required (MERIDIAN_REQUIRE_BROWSER) but {} is missing: run `npm ci` in tests/tools",
            path.display()
        );
    }
    source.as_deref()
}

/// Runs axe-core on the page with the WCAG 2.1 A and AA rules and answers the serious and
/// critical violations, each with its rule, summary and the elements concerned.
const AXE_RUN: &str = r#"
return axe.run(document, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
  resultTypes: ['violations'],
}).then(result => result.violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => `${v.id} (${v.impact}): ${v.help}\n` + v.nodes.map(n =>
      `    at ${n.target.join(' ')}: ${(n.failureSummary || '').replace(/\s+/g, ' ')}`
    ).join('\n')));
"#;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Chrome {
    /// Starts a browser whose clock runs in `time_zone` (an IANA name).
    pub async fn start(time_zone: &str) -> Option<Chrome> {
        let (browser, driver) = binaries()?;
        let port = free_port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .env("TZ", time_zone)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting chromedriver");
        let client = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while client.get(format!("{base}/status")).send().await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let capabilities = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": browser,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                     "--window-size=1280,1500", format!("--user-data-dir={}", profile.path().display())]
        }}}});
        let answer: Value = client
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {answer}"))
            .to_string();
        Some(Chrome {
            driver: child,
            client,
            session: format!("{base}/session/{session}"),
            _profile: profile,
        })
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let request = self
            .client
            .request(method, format!("{}{path}", self.session));
        let answer: Value = request
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if answer["value"].get("error").is_some() {
            panic!("WebDriver {path}: {}", answer["value"]);
        }
        answer["value"].clone()
    }

    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", json!({"url": url}))
            .await;
    }

    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", json!({}))
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Runs `script` (a function body) in the page and returns what it returns.
    pub async fn run(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            json!({"script": script, "args": []}),
        )
        .await
    }

    /// Waits until `script` returns true, or panics naming what was awaited.
    pub async fn wait_for(&self, what: &str, script: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let done = self
                .client
                .post(format!("{}/execute/sync", self.session))
                .json(&json!({"script": script, "args": []}))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap();
            if done["value"] == Value::Bool(true) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "waited in vain for {what} (at {})",
                self.url().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn find(&self, css: &str) -> String {
        let element = self
            .call(
                reqwest::Method::POST,
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .await;
        match element[ELEMENT].as_str() {
            Some(id) => id.to_string(),
            None => panic!("no element {css} ({element}) at {}", self.url().await),
        }
    }

    pub async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            json!({}),
        )
        .await;
    }

    /// Types into a field (for a file input: a path to upload).
    pub async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            json!({"text": text}),
        )
        .await;
    }

    /// Presses and releases each key of `keys` in turn, as a person at the keyboard would
    /// (letters, or `TAB`, `ENTER`, `SPACE`), on whatever has the focus.
    pub async fn press(&self, keys: &str) {
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|c| {
                let key = c.to_string();
                [
                    json!({"type": "keyDown", "value": key}),
                    json!({"type": "keyUp", "value": key}),
                ]
            })
            .collect();
        self.call(
            reqwest::Method::POST,
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        )
        .await;
    }

    /// The focused element, described as `tag#id` (or `tag.class` without an id).
    pub async fn focused(&self) -> String {
        self.run(
            "const e = document.activeElement; \
             return e.tagName.toLowerCase() + (e.id ? '#' + e.id : (e.className ? '.' + e.className : ''));",
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Presses Tab until `css` has the focus (at most `limit` times); answers how many
    /// presses it took, or panics naming where the focus went.
    pub async fn tab_to(&self, css: &str, limit: usize) -> usize {
        let has_focus = format!("return document.activeElement.matches({});", json!(css));
        let mut visited = Vec::new();
        for presses in 1..=limit {
            self.press(TAB).await;
            if self.run(&has_focus).await == Value::Bool(true) {
                return presses;
            }
            visited.push(self.focused().await);
        }
        panic!("{limit} Tab presses never reached {css}; the focus went {visited:?}");
    }

    pub async fn text(&self) -> String {
        self.run("return document.body.innerText;")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub async fn is_checked(&self, css: &str) -> bool {
        self.run(&format!(
            "return document.querySelector({}).checked;",
            json!(css)
        ))
        .await
            == Value::Bool(true)
    }

    /// Fails, naming `label` and the address, when axe-core finds a serious or critical
    /// WCAG 2.1 A/AA violation on the current page; lists each with the elements concerned.
    /// Where axe-core is not installed it says SKIPPED (see `axe_source`).
    pub async fn assert_accessible(&self, label: &str) {
        let Some(axe) = axe_source() else {
            // Written past libtest's capture on purpose, so that the skip is seen.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED accessibility check of {label}: axe-core is not installed (run `npm ci` in tests/tools)"
            );
            return;
        };
        self.run(axe).await;
        let violations = self.run(AXE_RUN).await;
        let violations = violations.as_array().expect("axe answers a list");
        if !violations.is_empty() {
            let list: Vec<&str> = violations.iter().filter_map(Value::as_str).collect();
            panic!(
                "{label} ({}): {} serious or critical accessibility violation(s):\n{}",
                self.url().await,
                list.len(),
                list.join("\n")
            );
        }
    }

    /// Saves a PNG of the page under target/screenshots/.
    pub async fn screenshot(&self, name: &str) {
        let png = self
            .call(reqwest::Method::GET, "/screenshot", json!({}))
            .await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
