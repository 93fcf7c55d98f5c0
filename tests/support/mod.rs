//! The harness: a sandbox Azure DevOps (the emulator, in process), and the real `ado-connect`
//! window launched by tauri-driver + WebKitWebDriver, driven over WebDriver with fantoccini.
//!
//! Needs a display (run under `scripts/desktop-session.sh`, as `make test` does), tauri-driver
//! (`make tauri-driver`), WebKitWebDriver (Debian's webkit2gtk-driver) and a built app
//! (`cargo build --workspace --bins`). With `ADO_CONNECT_E2E=required` (set by `make test`) a
//! missing piece fails the test; otherwise the journeys are skipped with a note.

use std::future::Future;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ado_emulator::{Config, Emulator, Scenario};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// One journey at a time: each launches a whole WebKit, and the machine has two cores.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_path_buf()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Where screenshots go, for a person to look at.
pub fn screenshot_dir() -> PathBuf {
    target_dir().join("e2e-screenshots")
}

struct Prerequisites {
    app: PathBuf,
    tauri_driver: PathBuf,
}

fn prerequisites() -> Result<Prerequisites, String> {
    let app = std::env::var_os("ADO_CONNECT_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("debug/ado-connect"));
    if !app.exists() {
        return Err(format!(
            "{} is not built (cargo build --workspace --bins)",
            app.display()
        ));
    }
    let tauri_driver = std::env::var_os("TAURI_DRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("tools/bin/tauri-driver"));
    if !tauri_driver.exists() {
        return Err(format!(
            "{} is missing (make tauri-driver)",
            tauri_driver.display()
        ));
    }
    if std::env::var_os("DISPLAY").is_none() {
        return Err("no DISPLAY (run under scripts/desktop-session.sh)".into());
    }
    if Command::new("WebKitWebDriver")
        .arg("--version")
        .output()
        .is_err()
    {
        return Err("WebKitWebDriver is missing (apt-get install webkit2gtk-driver)".into());
    }
    Ok(Prerequisites { app, tauri_driver })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A running journey: the sandbox, the app, and a WebDriver session on its window.
pub struct Journey {
    pub emulator: Emulator,
    pub client: Client,
    pub config_dir: PathBuf,
    name: String,
    driver_url: String,
    capabilities: serde_json::Map<String, Value>,
    _driver: KillOnDrop,
    _home: tempfile::TempDir,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

/// What the app is started with.
#[derive(Default)]
pub struct Launch {
    /// Write the sandbox file and point `ADO_CONNECT_SANDBOX` at it.
    pub with_sandbox: bool,
    /// Serve the emulator over HTTPS with a fresh private CA.
    pub tls: bool,
    /// Start the app with `--profile FILE` (a product profile).
    pub profile: Option<PathBuf>,
}

impl Journey {
    /// Starts the emulator with `scenario` and the app; `None` (after a note) when the desktop
    /// pieces are missing and not required.
    pub async fn start(name: &str, scenario: Scenario, launch: Launch) -> Option<Journey> {
        let prerequisites = match prerequisites() {
            Ok(p) => p,
            Err(why) if std::env::var("ADO_CONNECT_E2E").as_deref() == Ok("required") => {
                panic!("end-to-end prerequisites missing: {why}")
            }
            Err(why) => {
                eprintln!("skipping journey {name}: {why}");
                return None;
            }
        };
        // fantoccini's TLS stack and ours both link rustls; pick its provider once.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let turn = ONE_AT_A_TIME.lock().await;
        let emulator = Emulator::spawn(Config {
            scenario,
            tls: launch.tls,
            ..Default::default()
        })
        .await
        .expect("the emulator starts");
        let home = tempfile::tempdir().expect("a temp HOME");
        let config_dir = home.path().join("config");
        let port = free_port();
        let native_port = free_port();
        let mut command = Command::new(&prerequisites.tauri_driver);
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("HOME", home.path())
            .env("ADO_CONNECT_CONFIG_DIR", &config_dir)
            .env("ADO_CONNECT_SECRET_STORE", "secret-service")
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("RUST_LOG", "ado_client=trace,ado_flows=trace,info")
            .env("ADO_CONNECT_REPORT_DIR", home.path().join("reports"))
            // Sign-in goes to the emulator's Entra endpoints, and the test plays the browser.
            .env("ADO_CONNECT_AUTHORITY", emulator.base_url())
            .env("ADO_CONNECT_NO_BROWSER", "1")
            .stdout(Stdio::null())
            .stderr(
                std::fs::File::create(home.path().join("driver.log"))
                    .map(Stdio::from)
                    .unwrap_or(Stdio::null()),
            );
        if launch.with_sandbox {
            let path = home.path().join("sandbox.json");
            std::fs::write(&path, emulator.startup_info().to_string())
                .expect("write the sandbox file");
            command.env("ADO_CONNECT_SANDBOX", &path);
        }
        // Its own process group, so the whole tree (WebKitWebDriver, the app, WebKit's helpers)
        // can be ended together.
        command.process_group(0);
        let driver = command.spawn().expect("tauri-driver starts");
        let capabilities = json!({
            "browserName": "wry",
            "tauri:options": {
                "application": prerequisites.app,
                "args": launch.profile.iter().flat_map(|p| ["--profile".to_string(), p.display().to_string()]).collect::<Vec<_>>(),
            },
        });
        let capabilities = match capabilities {
            Value::Object(map) => map,
            _ => unreachable!(),
        };
        let url = format!("http://127.0.0.1:{port}");
        let client = session(&url, &capabilities).await;
        let journey = Journey {
            emulator,
            client,
            config_dir,
            name: name.to_string(),
            driver_url: url,
            capabilities,
            _driver: KillOnDrop(driver),
            _home: home,
            _turn: turn,
        };
        journey
            .wait_until(
                "the UI is ready",
                "return document.body.dataset.ready === 'true'",
            )
            .await;
        Some(journey)
    }

    /// Quits the app and starts it again with the same config directory and keyring: a
    /// returning user.
    pub async fn relaunch(&mut self) {
        let _ = self.client.clone().close().await;
        self.client = session(&self.driver_url, &self.capabilities).await;
        self.wait_until(
            "the UI is ready again",
            "return document.body.dataset.ready === 'true'",
        )
        .await;
    }

    /// Resizes the window's content to about `width`×`height` (the window frame is added).
    pub async fn resize(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("resize the window");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    /// Fails when the page or any element scrolls sideways: `scrollWidth <= clientWidth`
    /// everywhere that shows.
    pub async fn assert_no_horizontal_scroll(&self, step: &str) {
        let wide = self
            .js("const d = document.documentElement; const out = []; \
                 if (d.scrollWidth > d.clientWidth) out.push(`page ${d.scrollWidth}>${d.clientWidth}`); \
                 for (const e of document.querySelectorAll('body *')) { \
                   if (e.offsetParent === null) continue; \
                   const s = getComputedStyle(e); \
                   if (!['auto', 'scroll'].includes(s.overflowX)) continue; \
                   if (e.scrollWidth > e.clientWidth) out.push(`${e.id || e.className} ${e.scrollWidth}>${e.clientWidth}`); } \
                 return out.join('; ')")
            .await;
        let wide = wide.as_str().unwrap_or_default().to_string();
        if !wide.is_empty() {
            self.screenshot(&format!("{}-{step}-wide", self.name)).await;
        }
        assert!(wide.is_empty(), "horizontal scroll on {step}: {wide}");
    }

    /// Types `value` into a picker and chooses the matching row.
    pub async fn pick(&self, id: &str, value: &str) {
        self.type_into(id, value).await;
        self.wait_until(
            &format!("{id} lists {value}"),
            &format!("return !!document.querySelector('#{id}-list [data-value=\"{value}\"]')"),
        )
        .await;
        self.js(&format!("document.querySelector('#{id}-list [data-value=\"{value}\"]').dispatchEvent(new MouseEvent('mousedown', {{bubbles: true}})); return true")).await;
    }

    /// Clicks an element by id, counting the click in `clicks`.
    pub async fn click_counted(&self, id: &str, clicks: &mut u32) {
        *clicks += 1;
        self.click(id).await;
    }

    /// Where "Save report" writes.
    pub fn report_dir(&self) -> PathBuf {
        self._home.path().join("reports")
    }

    /// The `index`th collection of the sandbox, split into (server URL, collection).
    pub fn collection(&self, index: usize) -> (String, String) {
        let url = self.sandbox()["collectionUrls"][index]
            .as_str()
            .expect("a collection URL")
            .trim_end_matches('/')
            .to_string();
        let (server, collection) = url.rsplit_once('/').expect("server/collection");
        (server.to_string(), collection.to_string())
    }

    /// The sandbox's full-access PAT (`pats[0]`).
    pub fn full_access_pat(&self) -> String {
        self.sandbox()["pats"][0]["token"]
            .as_str()
            .expect("a full-access PAT")
            .to_string()
    }

    /// Fills the Azure DevOps Server form.
    pub async fn fill_server_form(&self, server: &str, collection: &str, pat: &str) {
        self.click("deployment-server").await;
        self.type_into("server-url", server).await;
        self.type_into("collection", collection).await;
        self.type_into("pat", pat).await;
    }

    /// Waits for the result step; fails with the wizard's own error if one shows instead.
    pub async fn wait_for_result(&self) {
        self.wait_until(
            "the result step (or an error) shows",
            "return !document.getElementById('step-result').hidden || !document.getElementById('alert').hidden",
        )
        .await;
        if self.visible("alert").await {
            panic!(
                "the wizard said: {} {} {}",
                self.text("alert-code").await,
                self.text("alert-message").await,
                self.text("alert-fix").await
            );
        }
    }

    /// The emulator's startup line.
    pub fn sandbox(&self) -> Value {
        self.emulator.startup_info()
    }

    /// Runs JavaScript in the window and returns its value.
    pub async fn js(&self, script: &str) -> Value {
        self.js_with(script, vec![]).await
    }

    /// Runs `script` with `arguments`, returning what it returns (a promise is awaited).
    pub async fn js_with(&self, script: &str, arguments: Vec<Value>) -> Value {
        self.bounded(script, self.client.execute(script, arguments))
            .await
            .unwrap_or_else(|e| panic!("script failed: {script}: {e}"))
    }

    /// Runs a WebDriver command with a deadline: a hung command fails the journey (with a
    /// screenshot) instead of hanging the test run.
    async fn bounded<T>(&self, what: &str, command: impl Future<Output = T>) -> T {
        match tokio::time::timeout(Duration::from_secs(30), command).await {
            Ok(result) => result,
            Err(_) => {
                let _ = tokio::time::timeout(
                    Duration::from_secs(5),
                    self.screenshot(&format!("{}-hung", self.name)),
                )
                .await;
                panic!("WebDriver command hung for 30 s: {what}")
            }
        }
    }

    /// Polls `script` until it returns `true`, or fails after 20 s with a screenshot.
    pub async fn wait_until(&self, what: &str, script: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if self
                .bounded(script, self.client.execute(script, vec![]))
                .await
                .ok()
                == Some(Value::Bool(true))
            {
                return;
            }
            if Instant::now() > deadline {
                self.screenshot(&format!("{}-timeout", self.name)).await;
                panic!("timed out waiting until {what} ({script})");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `step` is the current step and shown.
    pub async fn wait_step(&self, step: &str) {
        self.wait_until(
            &format!("the {step} step shows"),
            &format!("return document.body.dataset.step === '{step}' && !document.getElementById('step-{step}').hidden"),
        )
        .await;
    }

    /// Pastes the repository URL of `fiber-api` (project "Fabrikam Fiber") in the sandbox's
    /// first collection and waits until the form is filled from it.
    pub async fn paste_fiber_api(&self) {
        let (server, collection) = self.collection(0);
        self.type_into(
            "paste-url",
            &format!("{server}/{collection}/Fabrikam%20Fiber/_git/fiber-api"),
        )
        .await;
        self.wait_until(
            "the paste fills the form",
            "return document.getElementById('server-url').value !== '' && document.getElementById('collection').value !== ''",
        )
        .await;
    }

    /// Fails unless `step` opened at its top: the window not scrolled and its heading in view.
    pub async fn assert_at_top(&self, step: &str) {
        let at = self
            .js(&format!(
                "const h = document.getElementById('{step}-title').getBoundingClientRect(); \
                 return [window.scrollY, h.top >= 0 && h.bottom <= window.innerHeight]"
            ))
            .await;
        assert_eq!(
            at,
            json!([0, true]),
            "{step} opens at its top: [scrollY, heading in view]"
        );
    }

    /// Plays the browser for a Microsoft sign-in the app started (Verify was clicked): follows
    /// the authorize URL the app shows against the emulator, then the redirect to the app's
    /// loopback listener.
    pub async fn play_browser_sign_in(&self) {
        self.wait_until(
            "the sign-in link shows",
            "return !document.getElementById('browser-link-row').hidden",
        )
        .await;
        let authorize = self.value("browser-link").await;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        let answer = http.get(&authorize).send().await.expect("authorize");
        assert_eq!(answer.status(), 302, "the emulator signs the user in");
        let location = answer.headers()["location"]
            .to_str()
            .expect("a redirect")
            .to_string();
        http.get(&location)
            .send()
            .await
            .expect("the app's loopback listener");
    }

    /// Types into an input (after clearing it).
    pub async fn type_into(&self, id: &str, text: &str) {
        let input = self
            .client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("#{id}: {e}"));
        input.clear().await.expect("clear");
        input.send_keys(text).await.expect("type");
    }

    /// Clicks an element by id, once it shows (steps load on first use).
    pub async fn click(&self, id: &str) {
        self.wait_until(
            &format!("#{id} shows"),
            &format!("const e = document.getElementById('{id}'); return !!e && e.getClientRects().length > 0"),
        )
        .await;
        // Into the middle of the window first: WebDriver scrolls an element to the bottom edge,
        // where a step's sticky action bar would take the click.
        self.js(&format!(
            "const e = document.getElementById('{id}'); if (!e.closest('.sticky')) e.scrollIntoView({{block: 'center'}}); return true"
        ))
        .await;
        self.client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("#{id}: {e}"))
            .click()
            .await
            .expect("click");
    }

    /// An input's current value.
    pub async fn value(&self, id: &str) -> String {
        self.js(&format!("return document.getElementById('{id}').value"))
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// An element's text.
    pub async fn text(&self, id: &str) -> String {
        self.js(&format!(
            "return document.getElementById('{id}').textContent"
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Whether the connect form's error shows under field `id` (in one place: the alert sits in
    /// the field, which is marked invalid, and no second copy shows under it).
    pub async fn error_under(&self, id: &str) -> bool {
        self.js(&format!(
            "const f = document.getElementById('{id}'); const a = document.getElementById('alert'); \
             const copy = document.getElementById('{id}-error'); \
             return !a.hidden && f.closest('.field').contains(a) && f.getAttribute('aria-invalid') === 'true' \
               && (!copy || copy.hidden)"
        ))
        .await
            == Value::Bool(true)
    }

    /// Whether an element is shown.
    pub async fn visible(&self, id: &str) -> bool {
        self.js(&format!("const e = document.getElementById('{id}'); return !!e && !e.hidden && e.offsetParent !== null")).await
            == Value::Bool(true)
    }

    /// Saves a PNG of the app window under `target/e2e-screenshots/`, captured from the X display.
    ///
    /// Not WebDriver's screenshot command: on WebKitWebDriver 2.50 it can stall forever on a page
    /// whose layout just changed, and every later command then queues behind it.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let path = dir.join(format!("{name}.png"));
        // Let the last change paint.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let window = Command::new("xdotool")
            .args(["search", "--onlyvisible", "--name", "^ADO Connect$"])
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.lines().next().map(str::to_string))
            .unwrap_or_else(|| "root".into());
        let status = Command::new("import")
            .args(["-window", &window])
            .arg(&path)
            .status();
        if !status.is_ok_and(|s| s.success()) {
            eprintln!("no screenshot {name}");
        }
        path
    }

    /// A screenshot kept for review under `target/screens/` too (the product steps at each size).
    pub async fn screen(&self, name: &str) -> PathBuf {
        let shot = self.screenshot(name).await;
        let dir = target_dir().join("screens");
        std::fs::create_dir_all(&dir).expect("screens dir");
        let kept = dir.join(format!("{name}.png"));
        if std::fs::copy(&shot, &kept).is_err() {
            eprintln!("no screen {name}");
        }
        kept
    }

    /// Ends the session and the app.
    pub async fn finish(self) {
        let _ = self.client.clone().close().await;
        drop(self._driver);
        self.emulator.shutdown().await;
    }
}

/// A WebDriver session with the app (tauri-driver starts it), retried while the driver starts.
async fn session(url: &str, capabilities: &serde_json::Map<String, Value>) -> Client {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match ClientBuilder::rustls()
            .expect("rustls")
            .capabilities(capabilities.clone())
            .connect(url)
            .await
        {
            Ok(client) => return client,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("no WebDriver session with the app: {e}"),
        }
    }
}

/// tauri-driver's whole process group (WebKitWebDriver, the app) goes away even when a journey
/// panics.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.wait();
    }
}

/// A loopback webhook receiver that answers 200 to everything (for journeys that do not inspect
/// deliveries); its URL.
pub async fn ok_receiver() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 65536];
                let _ = socket.read(&mut buf).await;
                let _ = socket
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                    )
                    .await;
            });
        }
    });
    url
}

/// The resident memory of the WebKit web processes (one journey runs at a time), in KiB.
/// For `bench/large_org.rs`, which includes this module too.
#[allow(dead_code)]
pub fn web_process_rss_kib() -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let dir = entry.path();
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        if !comm.trim().starts_with("WebKitWebProces") {
            continue;
        }
        let status = std::fs::read_to_string(dir.join("status")).unwrap_or_default();
        total += status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0);
    }
    total
}
