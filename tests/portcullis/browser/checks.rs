//! What every page must pass in the browser, and its pictures: no console error
//! (CSP violations and failed loads are errors there), every input labelled, no
//! sideways scrolling at 390 px; then screenshots light and dark, desktop and phone.

use serde_json::json;

use super::harness::{BrowserLog, Device, Profile, Scheme};

impl Profile {
    /// Console entries at level SEVERE since the last call: errors, CSP violations,
    /// failed loads. Reading clears them.
    pub async fn console_errors(&self) -> Vec<String> {
        let entries = self
            .client
            .issue_cmd(BrowserLog)
            .await
            .expect("browser log");
        entries
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// [`console_errors`](Self::console_errors) less the one line Chromium logs
    /// when the document itself was answered with an error status (a 404 page, a
    /// form re-rendered with 409): that status is the page's own, and scenarios
    /// assert it with [`status`](Self::status). A failed subresource still counts.
    pub async fn page_errors(&self) -> Vec<String> {
        let own = match self.client.current_url().await {
            Ok(url) => format!(
                "{url} - Failed to load resource: the server responded with a status of {} ",
                self.status().await
            ),
            Err(_) => String::new(),
        };
        let mut errors = self.console_errors().await;
        if let Some(at) = errors
            .iter()
            .position(|e| !own.is_empty() && e.starts_with(&own))
        {
            errors.remove(at);
        }
        errors
    }

    /// The names of the visible form fields no `<label>` names (SPEC §9).
    pub async fn unlabelled_inputs(&self) -> Vec<String> {
        let found = self
            .js("return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]\
                 .filter(i => i.labels.length === 0).map(i => i.name || i.id || i.outerHTML);")
            .await;
        found
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Adds a WebAuthn virtual authenticator (CTAP2, internal, user-verifying) to
    /// this profile and returns its id: what passkey scenarios will sign in with.
    pub async fn add_virtual_authenticator(&self) -> String {
        self.cdp("WebAuthn.enable", json!({})).await;
        let added = self
            .cdp(
                "WebAuthn.addVirtualAuthenticator",
                json!({ "options": {
                    "protocol": "ctap2", "transport": "internal",
                    "hasResidentKey": true, "hasUserVerification": true,
                    "isUserVerified": true,
                } }),
            )
            .await;
        added["authenticatorId"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// How far the page is wider than a 390 px phone screen (0 when it fits).
    pub async fn phone_overflow(&self) -> i64 {
        self.emulate(Device::Phone, Scheme::Light).await;
        // Against the layout viewport (`clientWidth`, the 390 px `device-width`), not
        // `innerWidth`: on a phone, content that is too wide makes the browser zoom
        // out, and `innerWidth` grows with it, so that comparison always passes.
        let overflow = self
            .js("return document.documentElement.scrollWidth - document.documentElement.clientWidth;")
            .await
            .as_i64()
            .unwrap_or(i64::MAX);
        self.emulate(Device::Desktop, Scheme::Light).await;
        overflow
    }

    /// What every page must pass: no console error, no sideways scrolling on a
    /// phone. Then four screenshots.
    pub async fn inspect(&self, label: &str) {
        let path = self.path().await;
        let errors = self.page_errors().await;
        assert!(
            errors.is_empty(),
            "[{}] {path} ({label}) logged errors:\n{}",
            self.name,
            errors.join("\n")
        );
        let unlabelled = self.unlabelled_inputs().await;
        assert!(
            unlabelled.is_empty(),
            "[{}] {path} ({label}) has inputs without a label: {unlabelled:?}",
            self.name
        );
        let overflow = self.phone_overflow().await;
        assert!(
            overflow <= 0,
            "[{}] {path} ({label}) scrolls sideways by {overflow}px at 390px",
            self.name
        );
        self.photograph(label).await;
    }

    /// Screenshots of the page: desktop and phone, light and dark.
    pub async fn photograph(&self, label: &str) {
        let n = self.shots.next();
        for device in [Device::Desktop, Device::Phone] {
            for scheme in [Scheme::Light, Scheme::Dark] {
                self.emulate(device, scheme).await;
                let png = self.screenshot().await;
                let variant = format!("{}-{}", device.name(), scheme.name());
                self.shots.save(n, &self.name, label, &variant, &png);
            }
        }
        self.emulate(Device::Desktop, Scheme::Light).await;
    }

    /// The whole page (not only the window) as PNG.
    async fn screenshot(&self) -> Vec<u8> {
        let size = self
            .js("return [document.documentElement.scrollWidth, document.documentElement.scrollHeight];")
            .await;
        let (width, height) = (
            size[0].as_f64().unwrap_or(1.0),
            size[1].as_f64().unwrap_or(1.0),
        );
        let shot = self
            .cdp(
                "Page.captureScreenshot",
                json!({
                    "format": "png",
                    "captureBeyondViewport": true,
                    "clip": { "x": 0, "y": 0, "width": width, "height": height, "scale": 1 },
                }),
            )
            .await;
        data_encoding::BASE64
            .decode(shot["data"].as_str().unwrap_or_default().as_bytes())
            .expect("base64 PNG")
    }
}
